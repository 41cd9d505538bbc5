"""Blueprint: the workspace's blueprints with their validity and every error located; a new
blueprint file is validated first and only a valid one enters the workspace."""

from __future__ import annotations

import datetime
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.blueprint.load import LoadResult, find_blueprints, load_blueprint, load_blueprint_text
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.findings import Finding
from iki_xlsx.web.app import page, refusal, render, web_of
from iki_xlsx.web.site import Site
from iki_xlsx.web.upload import UploadLimits, UploadRefused, receive_upload

_LOADED: dict[Path, tuple[tuple[int, int], LoadResult]] = {}


def loaded_blueprints(site: Site) -> list[LoadResult]:
    """Every blueprint file of the workspace, loaded and validated; a file is read again only
    when its size or modification time changed."""
    results = []
    for path in find_blueprints(site.blueprints_dir):
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _LOADED.get(path)
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_blueprint(path))
            _LOADED[path] = cached
        results.append(cached[1])
    return results


ARCHIVE_DIR = "arsip-blueprint"  # a replaced blueprint's earlier text is kept here
MAX_BLUEPRINT_BYTES = 2 * 1024 * 1024


@page()
async def blueprint_list(request: Request) -> Response:
    site = web_of(request).site
    return render(request, "blueprint.html", {"loaded": loaded_blueprints(site), "upload": None})


@page("operator")
async def blueprint_upload(request: Request) -> Response:
    site = web_of(request).site
    scratch = site.output_dir / ".unggah" / uuid.uuid4().hex
    limits = UploadLimits(file_bytes=MAX_BLUEPRINT_BYTES, total_bytes=MAX_BLUEPRINT_BYTES,
                          files=1)
    try:
        upload = await receive_upload(request, scratch, limits, request.session.get("csrf"))
        if not upload.files:
            return refusal(request, 400, "Pilih berkas blueprint (.yaml atau .xlsx).")
        name, path = upload.files[0]
        data = path.read_bytes()
        result = await run_in_threadpool(_validate, name, path)  # the other pages go on
    except UploadRefused as exc:
        return refusal(request, exc.status, exc.message)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.ok and result.blueprint is not None:
        suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".yaml"
        target = site.blueprints_dir / f"{result.blueprint.id}{suffix}"
        if target.exists() and target.read_bytes() != data:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            atomic_write(site.root / ARCHIVE_DIR / f"{target.stem}-{stamp}{suffix}",
                         lambda temporary: shutil.copyfile(target, temporary))
        atomic_write(target, lambda temporary: Path(temporary).write_bytes(data))
    return render(request, "blueprint.html", {"loaded": loaded_blueprints(site), "upload": result},
                  200 if result.ok else 422)


def _validate(name: str, path: Path) -> LoadResult:
    """The uploaded file checked as a blueprint; findings name the file as it was sent."""
    if not name.lower().endswith((".yaml", ".yml", ".xlsx")):
        return LoadResult(name, None, [_finding(name, Code.BLUEPRINT_UNREADABLE.message("suffix"))])
    if name.lower().endswith(".xlsx"):
        loaded = load_blueprint(path)
        return LoadResult(name, loaded.blueprint, [
            replace(f, file=name) if f.file == str(path) else f for f in loaded.findings])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return LoadResult(name, None,
                          [_finding(name, Code.BLUEPRINT_UNREADABLE.message("not-utf8"))])
    return load_blueprint_text(text, name)


def _finding(name: str, said: Message) -> Finding:
    return Finding.of(said, file=name)


ROUTES: list[BaseRoute] = [
    Route("/blueprint", blueprint_list, methods=["GET"]),
    Route("/blueprint", blueprint_upload, methods=["POST"]),
]
