"""Rekap: build the recap of a blueprint and year (xlsx, CSV, Parquet) in the background,
show its Ringkasan table and a chart of capaian per indicator."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.findings import Finding
from iki_xlsx.rekap.build import write_rekap
from iki_xlsx.rekap.summary import RINGKASAN_HEADERS
from iki_xlsx.store.db import Store
from iki_xlsx.web.app import page, refusal, render, web_of
from iki_xlsx.web.jobs import Job
from iki_xlsx.web.pages import read_status
from iki_xlsx.web.site import Site

REKAP_DIR = "rekap"
LABEL = 52  # characters of an indicator's name beside its bar (the whole name on hover)
CHART_CAP = 150.0  # capaian above this is drawn at the edge (the number is still shown)


@dataclass
class Built:
    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    table: list[list[Any]] = field(default_factory=list)  # Ringkasan rows as the sheet has them


def recap_dir(site: Site, blueprint: str, year: int) -> Path:
    return site.output_dir / REKAP_DIR / f"{blueprint}-{year}"


def build_recap(site: Site, blueprint: str, year: int, job: Job) -> Built:
    job.progress(0, 1, "menyusun rekap")
    folder = recap_dir(site, blueprint, year)
    result = write_rekap(Store(site.store_dir), BlueprintIndex.from_folder(site.blueprints_dir),
                         folder, periode=year,
                         blueprint=blueprint, csv_dir=folder, parquet_dir=folder)
    if result.path is None:
        return Built(findings=result.findings)
    return Built([result.path, *result.exports], result.findings, ringkasan(result.path))


def ringkasan(path: Path) -> list[list[Any]]:
    """The Ringkasan sheet's table: the rows under its header row, with their cached values."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in book["Ringkasan"].iter_rows(values_only=True)]
    finally:
        book.close()
    width = len(RINGKASAN_HEADERS)
    start = next((i for i, r in enumerate(rows) if tuple(r[:width]) == RINGKASAN_HEADERS), None)
    if start is None:
        return []
    table = []
    for row in rows[start + 1:]:
        cells = row[:width]
        if all(c is None for c in cells):
            break
        table.append(cells)
    return table


def chart(table: list[list[Any]]) -> dict[str, Any]:
    """Bars of capaian per indicator, laid out for an SVG drawn by the template."""
    at = RINGKASAN_HEADERS.index("Capaian (%)")
    name = RINGKASAN_HEADERS.index("Indikator")
    bars = []
    for row in table:
        value = row[at]
        if isinstance(value, int | float) and not isinstance(value, bool):
            full = str(row[name] or "")
            bars.append({"label": full if len(full) <= LABEL else full[:LABEL - 1] + "…",
                         "full": full, "value": float(value),
                         "width": round(min(max(float(value), 0.0), CHART_CAP) / CHART_CAP * 560,
                                        1)})
    return {"bars": bars, "height": 24 * len(bars) + 30, "hundred": round(100 / CHART_CAP * 560),
            "cap": CHART_CAP}


@page()
async def rekap_form(request: Request) -> Response:
    web = web_of(request)
    job = web.jobs.latest("rekap/")
    built: Built | None = job.result if job is not None else None
    return render(request, "rekap.html", {
        "periods": [(p.blueprint, p.periode) for p in read_status(web.site)],
        "job": job, "built": built, "headers": RINGKASAN_HEADERS,
        "chart": chart(built.table) if built else None})


@page("operator", form=True)
async def rekap_start(request: Request) -> Response:
    web = web_of(request)
    form = await request.form()
    blueprint, _, year = str(form.get("pilihan", "")).partition("|")
    known = {(p.blueprint, str(p.periode)) for p in read_status(web.site)}
    if (blueprint, year) not in known:
        return refusal(request, 400, "Pilih blueprint dan periode yang ada di penyimpanan.")
    web.jobs.start(f"rekap/{blueprint}/{year}", f"Menyusun rekap {year}",
                   lambda job: build_recap(web.site, blueprint, int(year), job))
    return RedirectResponse("/rekap", 303)


ROUTES: list[BaseRoute] = [
    Route("/rekap", rekap_form, methods=["GET"]),
    Route("/rekap", rekap_start, methods=["POST"]),
]
