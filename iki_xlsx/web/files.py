"""Downloads, found by an id, never by a path from the request: a stored return by its
SHA-256 (one the store knows), its annotated copy, and the workspace's outputs by an id the
server derives from the file's place among them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.web.app import office_of, page, refusal, web_of
from iki_xlsx.web.site import Site

OUTPUT_ID = re.compile(r"^[0-9a-f]{20}$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def output_id(site: Site, path: Path) -> str:
    relative = path.resolve().relative_to(site.output_dir.resolve()).as_posix()
    return hashlib.sha256(relative.encode()).hexdigest()[:20]


def find_output(site: Site, wanted: str) -> Path | None:
    """The output file whose id is `wanted`, or None (also for anything not an id)."""
    if not OUTPUT_ID.match(wanted) or not site.output_dir.is_dir():
        return None
    for path in site.output_dir.rglob("*"):
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".") \
                and output_id(site, path) == wanted:
            return path
    return None


@page()
def stored_download(request: Request) -> Response:
    office = office_of(request)
    sha256 = str(request.path_params["sha256"])
    path = office.stored_file(sha256)
    if path is None:
        return refusal(request, 404, "Berkas tidak ada di penyimpanan.")
    name = office.stored_name(sha256)
    return FileResponse(path, filename=name, media_type=media_type(name))


@page()
def annotated_download(request: Request) -> Response:
    office = office_of(request)
    sha256 = str(request.path_params["sha256"])
    if office.stored_file(sha256) is None:
        return refusal(request, 404, "Berkas tidak ada di penyimpanan.")
    path = office.annotated_copy(sha256)
    if path is None:
        return refusal(request, 404, "Tidak ada salinan catatan untuk berkas ini (hanya berkas "
                                     "yang perlu perbaikan yang mendapatkannya).")
    return FileResponse(path, filename=path.name, media_type=XLSX_TYPE)


@page()
def output_download(request: Request) -> Response:
    site = web_of(request).site
    path = find_output(site, str(request.path_params["ident"]))
    if path is None:
        return refusal(request, 404, "Berkas keluaran tidak ditemukan.")
    return FileResponse(path, filename=path.name, media_type=media_type(path.name))


def media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return {".xlsx": XLSX_TYPE, ".zip": "application/zip", ".csv": "text/csv; charset=utf-8",
            ".parquet": "application/vnd.apache.parquet"}.get(suffix, "application/octet-stream")


ROUTES: list[BaseRoute] = [
    Route("/berkas/{sha256}", stored_download),
    Route("/berkas/{sha256}/catatan", annotated_download),
    Route("/unduh/{ident}", output_download),
]
