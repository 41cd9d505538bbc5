"""Blueprint: the workspace's blueprints with their validity and every error located; a new
blueprint file is validated first and only a valid one enters the workspace."""

from __future__ import annotations

import shutil
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.web.app import page, refusal, render, upload_page, web_of
from iki_xlsx.web.upload import UploadLimits, UploadRefused, receive_upload

MAX_BLUEPRINT_BYTES = 2 * 1024 * 1024


@page()
def blueprint_list(request: Request) -> Response:
    office = web_of(request).office()
    return render(request, "blueprint.html", {"loaded": office.loaded_blueprints(),
                                              "upload": None})


@upload_page()
async def blueprint_upload(request: Request) -> Response:
    web = web_of(request)
    office = await run_in_threadpool(web.office)
    scratch = web.site.output_dir / ".unggah" / uuid.uuid4().hex
    limits = UploadLimits(file_bytes=MAX_BLUEPRINT_BYTES, total_bytes=MAX_BLUEPRINT_BYTES,
                          files=1)
    try:
        upload = await receive_upload(request, scratch, limits, request.session.get("csrf"))
        if not upload.files:
            return refusal(request, 400, "Pilih berkas blueprint (.yaml atau .xlsx).")
        name, path = upload.files[0]
        result = await run_in_threadpool(office.add_blueprint, name, path)
    except UploadRefused as exc:
        return refusal(request, exc.status, exc.message)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    loaded = await run_in_threadpool(office.loaded_blueprints)
    return await run_in_threadpool(render, request, "blueprint.html",
                                   {"loaded": loaded, "upload": result},
                                   200 if result.ok else 422)


ROUTES: list[BaseRoute] = [
    Route("/blueprint", blueprint_list, methods=["GET"]),
    Route("/blueprint", blueprint_upload, methods=["POST"]),
]
