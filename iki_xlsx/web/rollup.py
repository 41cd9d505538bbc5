"""The kabupaten's roll-up page (issue 25), for the admin and a pemeriksa of every office: make
the roll-up of a year (to a quarter) and download it, see each kecamatan's line, and (the admin)
upload the recap files offices on a laptop sent, judged as `terima` judges them."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.core.periode import parse_year
from iki_xlsx.rekap.rollup.build import RollupResult
from iki_xlsx.service.rollup import ROLLUP_DIR, KabupatenRollup
from iki_xlsx.web.app import field_of, page, refusal, render, web_of
from iki_xlsx.web.security import same_token

MAX_RECAP_FILES = 10
MAX_RECAP_BYTES = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LATEST: dict[str, RollupResult] = {}  # per kabupaten root: the roll-up last made here


def _service(request: Request) -> KabupatenRollup | None:
    web = web_of(request)
    if not web.kabupaten or web.kode is not None:
        return None
    return KabupatenRollup(web.served.kabupaten())


def _show(request: Request, service: KabupatenRollup, **shown: object) -> Response:
    built = _LATEST.get(str(service.kabupaten.root))
    return render(request, "rekap_kabupaten.html", {
        "built": built, "source": built.source if built else None,
        "received": service.receipts(), **shown})


@page()
def rollup_page(request: Request) -> Response:
    service = _service(request)
    if service is None:
        return refusal(request, 404, "Rekap kabupaten hanya ada di ruang kerja kabupaten.")
    return _show(request, service)


@page(form=True)
def rollup_make(request: Request) -> Response:
    service = _service(request)
    if service is None:
        return refusal(request, 404, "Rekap kabupaten hanya ada di ruang kerja kabupaten.")
    year = parse_year(field_of(request, "periode"))
    tw_text = field_of(request, "tw")
    if year is None or tw_text not in ("", "1", "2", "3", "4"):
        return refusal(request, 400, "Isi tahun (misalnya 2026) dan triwulan 1-4 atau "
                                     "setahun.")
    result = service.rollup(year, int(tw_text) if tw_text else None)
    _LATEST[str(service.kabupaten.root)] = result
    return _show(request, service)


@page()
def rollup_download(request: Request) -> Response:
    service = _service(request)
    built = _LATEST.get(str(service.kabupaten.root)) if service is not None else None
    if service is None or built is None or built.path is None or not built.path.is_file():
        return refusal(request, 404, "Belum ada rekap kabupaten yang dibuat di sini.")
    folder = (service.kabupaten.output_dir / ROLLUP_DIR).resolve()
    if Path(built.path).resolve().parent != folder:
        return refusal(request, 404, "Berkas rekap tidak ditemukan.")
    return FileResponse(built.path, filename=built.path.name, media_type=XLSX)


@page("admin")
async def rollup_upload(request: Request) -> Response:
    service = _service(request)
    if service is None:
        return refusal(request, 404, "Rekap kabupaten hanya ada di ruang kerja kabupaten.")
    async with request.form(max_files=MAX_RECAP_FILES, max_fields=4,
                            max_part_size=MAX_RECAP_BYTES) as form:
        token = form.get("csrf")
        if not same_token(token if isinstance(token, str) else None,
                          request.session.get("csrf")):
            return refusal(request, 403, "Formulir kedaluwarsa atau bukan dari halaman ini; "
                                         "muat ulang halaman lalu kirim lagi.")
        files = []
        for part in form.getlist("berkas"):
            if isinstance(part, UploadFile) and part.filename:
                files.append((Path(part.filename).name[:200], await part.read()))
    if not files:
        return refusal(request, 400, "Pilih berkas rekap kecamatan (.xlsx) yang diunggah.")
    taken = await run_in_threadpool(service.receive, files)
    return await run_in_threadpool(lambda: _show(request, service, taken=taken))


ROUTES: list[BaseRoute] = [
    Route("/rekap-kabupaten", rollup_page, methods=["GET"]),
    Route("/rekap-kabupaten", rollup_make, methods=["POST"]),
    Route("/rekap-kabupaten/unduh", rollup_download, methods=["GET"]),
    Route("/rekap-kabupaten/unggah", rollup_upload, methods=["POST"]),
]
