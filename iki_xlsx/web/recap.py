"""Rekap: build the recap of a blueprint and year (xlsx, CSV, Parquet) in the background, and
show its Ringkasan table (the recap's summary as data) and a chart of capaian per indicator."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.rekap.build import RekapResult, rekap_steps
from iki_xlsx.rekap.summary import DASAR_MISSING, RINGKASAN_HEADERS
from iki_xlsx.service.office import Office
from iki_xlsx.web.app import field_of, office_of, page, refusal, render, web_of
from iki_xlsx.web.jobs import Job
from iki_xlsx.web.status import periods_of

CHART_CAP = 150.0  # capaian above this is drawn at the edge (the number is still shown)


def build_recap(office: Office, blueprint: str, year: int, job: Job) -> RekapResult:
    """The recap and both value tables in the layout's `rekap/` folder."""
    folder = office.recap_folder()
    return office.recap(blueprint=blueprint, periode=year, csv_dir=folder, parquet_dir=folder,
                        progress=job.counter(rekap_steps(folder, folder), "menyusun rekap"))


def chart(table: list[list[Any]]) -> dict[str, Any]:
    """Bars of capaian per indicator: each indicator's whole name (it wraps on a phone) beside
    a bar drawn to scale up to `CHART_CAP` percent, with the 100 % mark."""
    at = RINGKASAN_HEADERS.index("Capaian (%)")
    name = RINGKASAN_HEADERS.index("Indikator")
    bars = []
    for row in table:
        value = row[at]
        if isinstance(value, int | float) and not isinstance(value, bool):
            bars.append({"label": str(row[name] or ""), "value": float(value),
                         "width": round(min(max(float(value), 0.0), CHART_CAP), 1)})
    return {"bars": bars, "cap": CHART_CAP}


@page()
def rekap_form(request: Request) -> Response:
    web = web_of(request)
    job = web.jobs.latest("rekap/")
    built: RekapResult | None = job.result if job is not None else None
    files = [built.path, *built.exports] if built is not None and built.path else []
    office = office_of(request)
    return render(request, "rekap.html", {
        "periods": [(p.blueprint, p.periode) for p in periods_of(office)],
        "dasar": _dasar(office, built), "pengesahan": office.pengesahan,
        "job": job, "built": built, "files": files, "headers": RINGKASAN_HEADERS,
        "chart": chart(built.summary) if built else None})


def _dasar(office: Office, built: RekapResult | None) -> str | None:
    """The decree the recap's blueprint names, or what its Ringkasan says in its place."""
    if built is None or built.blueprint is None:
        return None
    bp, _ = office.find_blueprint(built.blueprint)
    return bp.dasar if bp is not None and bp.dasar else DASAR_MISSING


@page("operator", form=True)
def rekap_start(request: Request) -> Response:
    web = web_of(request)
    office = office_of(request)
    blueprint, _, year = field_of(request, "pilihan").partition("|")
    known = {(p.blueprint, str(p.periode)) for p in periods_of(office)}
    if (blueprint, year) not in known:
        return refusal(request, 400, "Pilih blueprint dan periode yang ada di penyimpanan.")
    web.jobs.start(f"rekap/{blueprint}/{year}", f"Menyusun rekap {year}",
                   lambda job: build_recap(office, blueprint, int(year), job))
    return RedirectResponse(web_of(request).prefix + "/rekap", 303)


ROUTES: list[BaseRoute] = [
    Route("/rekap", rekap_form, methods=["GET"]),
    Route("/rekap", rekap_start, methods=["POST"]),
]
