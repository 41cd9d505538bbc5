"""Blueprint: the workspace's blueprints with their validity and every error located; a new
blueprint file is validated first and only a valid one enters the workspace."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.core.errors import UsageError
from iki_xlsx.rekap.summary import DASAR_MISSING
from iki_xlsx.web.app import field_of, office_of, page, refusal, render, upload_page, web_of
from iki_xlsx.web.files import XLSX_TYPE
from iki_xlsx.web.upload import UploadLimits, UploadRefused, receive_upload

MAX_BLUEPRINT_BYTES = 2 * 1024 * 1024
TEMPLATE_NAME = "templat-blueprint.xlsx"


@page()
def blueprint_list(request: Request) -> Response:
    office = office_of(request)
    return render(request, "blueprint.html", {
        "loaded": office.loaded_blueprints(), "upload": None,
        "archived": request.query_params.get("diarsipkan")})


@page()
def blueprint_detail(request: Request) -> Response:
    """One blueprint's jabatan and their indicators, as the decree fixes them."""
    wanted = str(request.path_params["ident"])
    for loaded in office_of(request).loaded_blueprints():
        if loaded.blueprint is not None and loaded.blueprint.id == wanted:
            return render(request, "blueprint_isi.html", {
                "bp": loaded.blueprint, "file": Path(loaded.path).name,
                "dasar_missing": DASAR_MISSING, "sah": loaded.ok})
    return refusal(request, 404, f"Blueprint {wanted} tidak ada di ruang kerja.")


@page()
def blueprint_template(request: Request) -> Response:
    """The blueprint workbook to fill (Petunjuk, Kantor, Jabatan, ...), made for this
    download and removed after it."""
    folder = Path(tempfile.mkdtemp(prefix="iki-templat-"))
    path = office_of(request).write_blueprint_template(folder / TEMPLATE_NAME)
    return FileResponse(path, filename=TEMPLATE_NAME, media_type=XLSX_TYPE,
                        background=BackgroundTask(shutil.rmtree, folder, True))


@page("operator", form=True)
def blueprint_archive(request: Request) -> Response:
    """The blueprint moved to the workspace's arsip-blueprint/ (never deleted)."""
    wanted = field_of(request, "blueprint")
    try:
        office_of(request).archive_blueprint(wanted)
    except UsageError as exc:
        return refusal(request, 404, str(exc))
    return RedirectResponse(
        f"{web_of(request).prefix}/blueprint?diarsipkan={quote(wanted)}", 303)


@upload_page()
async def blueprint_upload(request: Request) -> Response:
    web = web_of(request)
    office = await run_in_threadpool(office_of, request)
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
    Route("/blueprint/templat", blueprint_template, methods=["GET"]),
    Route("/blueprint/arsipkan", blueprint_archive, methods=["POST"]),
    Route("/blueprint/{ident}", blueprint_detail, methods=["GET"]),
]
