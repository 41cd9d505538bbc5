"""Dokumen: the office's documents of a year (PK murni and perubahan, the quarter's
measurement, the LKjIP Bab III tables, the SKP export) made from the store on request and
downloaded as a Word document, a workbook or CSV, by the operator and the pemeriksa alike (a
download changes nothing: the files are made in a temporary folder, never kept); and the
target versions and typed figures the office has recorded."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.periode import parse_year
from iki_xlsx.intake.status import status
from iki_xlsx.service.performance import PerformanceYear
from iki_xlsx.service.workspace import load_workspace
from iki_xlsx.web.app import page, refusal, render, web_of
from iki_xlsx.web.site import Site

KINDS = ("pk", "pk-perubahan", "pengukuran", "lkjip", "skp")
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}


def _office(site: Site) -> PerformanceYear:
    return PerformanceYear.of(load_workspace(site.root))


def _years(office: PerformanceYear) -> list[tuple[str, int]]:
    """Every blueprint and year the office has returns, a register or target versions of."""
    found = ({(p.blueprint, p.periode) for p in status(office.store).periods}
             if office.has_records else set())
    found |= {(v.blueprint, v.tahun) for v in office.target_versions()}
    known = set(office.blueprint_index().by_id)
    return sorted(pair for pair in found if pair[0] in known)


def _listing(site: Site) -> dict[str, object]:
    office = _office(site)
    years = _years(office)
    index = office.blueprint_index().by_id
    return {"years": years, "periods": {bp: index[bp].periods for bp, _ in years},
            "versions": office.target_versions(), "imports": office.realisasi_imports()}


@page()
async def documents_page(request: Request) -> Response:
    site = web_of(request).site
    return render(request, "dokumen.html", await run_in_threadpool(_listing, site))


@dataclass(frozen=True)
class _Asked:
    kind: str
    fmt: str
    blueprint: str
    year: int
    period: int | None


def _asked(request: Request, office: PerformanceYear) -> _Asked | str:
    """The document asked for, or why it cannot be made (in Indonesian)."""
    query = request.query_params
    kind, fmt = query.get("jenis", ""), query.get("format", "")
    blueprint, year = query.get("blueprint", ""), parse_year(query.get("tahun", ""))
    if kind not in KINDS or fmt not in FORMATS or (kind == "skp") != (fmt == "csv"):
        return "Jenis dokumen atau formatnya tidak dikenal."
    if year is None or (blueprint, year) not in set(_years(office)):
        return "Pilih blueprint dan tahun yang ada."
    periods = office.blueprint_index().by_id[blueprint].periods
    period = None
    text = query.get("tw", "")
    if kind in ("pengukuran", "skp") and text:
        if not text.isdigit() or not 1 <= int(text) <= len(periods):
            return "Pilih triwulan yang ada."
        period = int(text)
    if kind == "pengukuran" and period is None:
        return "Pilih triwulan yang diukur."
    return _Asked(kind, fmt, blueprint, year, period)


def _made(site: Site, request: Request) -> tuple[int, str, bytes]:
    """(200, file name, bytes) of the document asked for, made in a temporary folder; or
    (status, reason, b"")."""
    office = _office(site)
    asked = _asked(request, office)
    if isinstance(asked, str):
        return 400, asked, b""
    with tempfile.TemporaryDirectory(prefix="iki-dokumen-") as tmp:
        folder = Path(tmp)
        try:
            if asked.kind == "skp":
                exported = office.export_skp(asked.year, period=asked.period,
                                             bp_id=asked.blueprint, out=folder / (
                                                 f"skp_{asked.blueprint}_{asked.year}.csv"))
                path: Path | None = exported.path
            else:
                made = office.document("pk" if asked.kind.startswith("pk") else asked.kind,
                                       asked.year, period=asked.period,
                                       perubahan=asked.kind == "pk-perubahan",
                                       bp_id=asked.blueprint, out=folder)
                if not made.ok:
                    return 404, " ".join(f.message for f in made.findings), b""
                path = next((p for p in made.files if p.suffix == f".{asked.fmt}"), None)
        except UsageError as exc:
            return 400, str(exc), b""
        if path is None:
            return 404, "Dokumen tidak dapat dibuat.", b""
        return 200, path.name, path.read_bytes()


@page()
async def document_download(request: Request) -> Response:
    """One document in one format, made now from the store (nothing is kept)."""
    site = web_of(request).site
    code, said, data = await run_in_threadpool(_made, site, request)
    if code != 200:
        return refusal(request, code, said)
    fmt = request.query_params.get("format", "")
    return Response(data, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{said}"'})


ROUTES: list[BaseRoute] = [
    Route("/dokumen", documents_page, methods=["GET"]),
    Route("/dokumen/unduh", document_download, methods=["GET"]),
]
