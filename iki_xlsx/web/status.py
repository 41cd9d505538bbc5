"""Beranda, Status and a unit's page: who returned what, every return with its findings."""

from __future__ import annotations

import os
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.core.states import Status
from iki_xlsx.intake.status import PeriodStatus, StatusReport, unidentified_summary
from iki_xlsx.mail.kirim import PASSWORD_ENV
from iki_xlsx.service.office import Office
from iki_xlsx.web.app import office_and_problems_of, office_of, page, refusal, render, web_of

FILTER_ORDER = (Status.NOT_RETURNED, Status.OK, Status.VERIFIED, Status.APPROVED,
                Status.RETURNED, Status.NEEDS_CORRECTION, Status.REJECTED)


def periods_of(office: Office) -> list[PeriodStatus]:
    """Every blueprint and period of the store (none while nothing was received)."""
    return report_of(office).periods


def report_of(office: Office) -> StatusReport:
    """The office's status (empty while nothing was received)."""
    return office.status() if office.has_records else StatusReport([], [])


def unidentified_of(report: StatusReport) -> dict[str, Any]:
    """The files no unit can be named for (a rejected .ods, a file that is no workbook), as
    the command line's status lists them: the first ones by name, the rest counted by state."""
    shown, rest = unidentified_summary(report.unidentified)
    counts: dict[str, int] = {}
    for item in report.unidentified:
        word = Status(item["status"]).label
        counts[word] = counts.get(word, 0) + 1
    return {"shown": shown, "rest": rest, "counts": counts, "total": len(report.unidentified)}


def progress_of(period: PeriodStatus) -> dict[str, Any]:
    listed = [u for u in period.units if u.on_list]
    counts = {state: sum(1 for u in listed if u.state is state) for state in Status}
    total = max(len(listed), 1)
    return {"blueprint": period.blueprint, "periode": period.periode, "units": len(listed),
            "counts": counts,
            "shares": {state: round(100 * n / total, 1) for state, n in counts.items()}}


@page()
def beranda(request: Request) -> Response:
    office, problems = office_and_problems_of(request)
    report = report_of(office)
    return render(request, "beranda.html", {
        "progress": [progress_of(p) for p in report.periods],
        "unidentified": unidentified_of(report),
        "blueprints": office.loaded_blueprints(), "units": office.units or [],
        "unit_findings": problems})


@page()
def status_page(request: Request) -> Response:
    office = office_of(request)
    report = report_of(office)
    periods = report.periods
    chosen = _chosen_period(request, periods)
    state = Status.labelled(request.query_params.get("keadaan", ""))
    rows = [u for u in chosen.units if state is None or u.state is state] if chosen else []
    return render(request, "status.html", {
        "periods": periods, "chosen": chosen, "rows": rows, "state": state, "states": FILTER_ORDER,
        "progress": progress_of(chosen) if chosen else None,
        "last": last_received(office, chosen) if chosen else {},
        "unidentified": unidentified_of(report), "mailed": web_of(request).jobs.latest("surel/"),
        "smtp": office.config.smtp if office.config is not None else None,
        "smtp_env": bool(os.environ.get(PASSWORD_ENV))})


def last_received(office: Office, period: PeriodStatus) -> dict[str, str]:
    """When each unit's latest file of the period arrived, in the store's order."""
    latest: dict[str, str] = {}
    for item in office.history().submissions:
        if item.blueprint == period.blueprint and item.periode == period.periode \
                and item.unit_kode is not None:
            latest[item.unit_kode] = item.collected_at
    return latest


def _chosen_period(request: Request, periods: list[PeriodStatus]) -> PeriodStatus | None:
    blueprint, _, year = request.query_params.get("pilihan", "").partition("|")
    blueprint = request.query_params.get("blueprint", blueprint)
    year = request.query_params.get("periode", year)
    for period in periods:
        if period.blueprint == blueprint and str(period.periode) == year:
            return period
    return periods[-1] if periods else None


@page()
def unit_page(request: Request) -> Response:
    office = office_of(request)
    kode = request.path_params["kode"]
    blueprint = request.query_params.get("blueprint")
    year = request.query_params.get("periode", "")
    if not office.has_records:
        return refusal(request, 404, "Belum ada kiriman yang diterima.")
    returns = [s for s in office.history(kode).submissions
               if (not blueprint or s.blueprint == blueprint)
               and (not year or str(s.periode) == year)]
    unit = next((u for p in periods_of(office) for u in p.units if u.kode == kode
                 and (not blueprint or p.blueprint == blueprint)
                 and (not year or str(p.periode) == year)), None)
    if unit is None and not returns:
        return refusal(request, 404, f"Unit dengan kode {kode} tidak dikenal.")
    return render(request, "unit.html", {"kode": kode, "unit": unit,
                                         "returns": list(reversed(returns)),
                                         "blueprint": blueprint, "periode": year})


ROUTES: list[BaseRoute] = [
    Route("/", beranda),
    Route("/status", status_page),
    Route("/status/unit/{kode}", unit_page),
]
