"""The pages every role reads: sign-in, Beranda, Status, a unit's returns, downloads, and
the progress of background jobs. The pages that change things live in their own modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from iki_xlsx.core.codes import CATALOG
from iki_xlsx.core.dates import waktu_singkat
from iki_xlsx.core.states import Status
from iki_xlsx.intake.status import PeriodStatus, history, status
from iki_xlsx.store.db import Store
from iki_xlsx.web.app import csrf_of, page, refusal, render, web_of
from iki_xlsx.web.jobs import JobState
from iki_xlsx.web.outputs import annotated_copy, find_output, output_id, stored_file
from iki_xlsx.web.security import ROLES, same_token
from iki_xlsx.web.site import Site

FILTER_ORDER = (Status.NOT_RETURNED, Status.OK, Status.NEEDS_CORRECTION, Status.REJECTED)
BADGES = {Status.OK: "k-diterima", Status.NEEDS_CORRECTION: "k-perbaikan",
          Status.REJECTED: "k-ditolak", Status.NOT_RETURNED: "k-belum"}  # a state's colours
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- formatting --------------------------------------------------------------------------------


def register_filters(templates: Jinja2Templates, site: Site) -> None:
    env = templates.env
    env.filters["waktu"] = waktu_singkat
    env.filters["angka"] = indonesian_number
    env.filters["judul"] = code_title
    env.filters["lencana"] = BADGES.__getitem__
    env.globals["output_id"] = lambda path: output_id(site, Path(path))
    env.globals["Status"] = Status
    env.globals["JobState"] = JobState


def code_title(code: str) -> str:
    """The catalog's Indonesian title of a finding code (the code itself if not catalogued)."""
    known = CATALOG.get(code)
    return known.title if known is not None else code


def indonesian_number(value: Any, decimals: int = 2) -> str:
    """1234.5 -> `1.234,5` (the way the office writes numbers)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if isinstance(value, float) \
        else f"{value:,}"
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


# --- sign-in -----------------------------------------------------------------------------------


async def sign_in_form(request: Request) -> Response:
    return render(request, "masuk.html", {"roles": ROLES, "lanjut": _next(request)})


async def sign_in(request: Request) -> Response:
    web = web_of(request)
    form = await request.form()
    token = form.get("csrf")
    if not same_token(token if isinstance(token, str) else None, request.session.get("csrf")):
        return refusal(request, 403, "Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.")
    client = request.client.host if request.client else "?"
    target = _next(request, form.get("lanjut"))
    if web.limiter.blocked(client):
        return render(request, "masuk.html", {"roles": ROLES, "lanjut": target,
                      "message": "Terlalu banyak percobaan masuk yang gagal; tunggu beberapa "
                                 "menit lalu coba lagi."}, 429)
    role, password = str(form.get("peran", "")), str(form.get("sandi", ""))
    if role not in ROLES or not web.passwords.check(role, password):
        web.limiter.failed(client)
        return render(request, "masuk.html", {"roles": ROLES, "lanjut": target,
                      "message": "Peran atau kata sandi salah."}, 401)
    web.limiter.succeeded(client)
    request.session.clear()
    request.session["role"] = role
    request.session["csrf"] = csrf_of(request)
    return RedirectResponse(target, 303)


@page(form=True)
async def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/masuk" if web_of(request).login_required else "/", 303)


def _next(request: Request, given: Any = None) -> str:
    """Where to go after signing in: a path of this site only."""
    target = str(given if given is not None else request.query_params.get("lanjut", "/"))
    return target if target.startswith("/") and not target.startswith("//") \
        and "\\" not in target else "/"


# --- Beranda and Status ------------------------------------------------------------------------


def read_status(site: Site) -> list[PeriodStatus]:
    store = site.store()
    return [] if store is None else status(store).periods


def progress_of(period: PeriodStatus) -> dict[str, Any]:
    listed = [u for u in period.units if u.on_list]
    counts = {state: sum(1 for u in listed if u.state is state) for state in Status}
    total = max(len(listed), 1)
    return {"blueprint": period.blueprint, "periode": period.periode, "units": len(listed),
            "counts": counts,
            "shares": {state: round(100 * n / total, 1) for state, n in counts.items()}}


@page()
async def beranda(request: Request) -> Response:
    site = web_of(request).site
    periods = read_status(site)
    from iki_xlsx.web.blueprints_page import loaded_blueprints

    blueprints = loaded_blueprints(site)
    units, unit_findings = site.units()
    return render(request, "beranda.html", {
        "progress": [progress_of(p) for p in periods], "blueprints": blueprints,
        "units": units, "unit_findings": unit_findings})


@page()
async def status_page(request: Request) -> Response:
    site = web_of(request).site
    periods = read_status(site)
    chosen = _chosen_period(request, periods)
    state = Status.labelled(request.query_params.get("keadaan", ""))
    rows = [u for u in chosen.units if state is None or u.state is state] if chosen else []
    return render(request, "status.html", {
        "periods": periods, "chosen": chosen, "rows": rows, "state": state,
        "states": FILTER_ORDER,
        "progress": progress_of(chosen) if chosen else None,
        "last": last_received(site, chosen) if chosen else {}})


def last_received(site: Site, period: PeriodStatus) -> dict[str, str]:
    """When each unit's latest file of the period arrived, in the history's order."""
    latest: dict[str, str] = {}
    for item in history(Store(site.store_dir)):
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
async def unit_page(request: Request) -> Response:
    site = web_of(request).site
    kode = request.path_params["kode"]
    blueprint = request.query_params.get("blueprint")
    year = request.query_params.get("periode", "")
    store = site.store()
    if store is None:
        return refusal(request, 404, "Belum ada kiriman yang diterima.")
    returns = [s for s in history(store, kode)
               if (not blueprint or s.blueprint == blueprint)
               and (not year or str(s.periode) == year)]
    periods = read_status(site)
    unit = next((u for p in periods for u in p.units if u.kode == kode
                 and (not blueprint or p.blueprint == blueprint)
                 and (not year or str(p.periode) == year)), None)
    if unit is None and not returns:
        return refusal(request, 404, f"Unit dengan kode {kode} tidak dikenal.")
    return render(request, "unit.html", {"kode": kode, "unit": unit,
                                         "returns": list(reversed(returns)),
                                         "blueprint": blueprint, "periode": year})


# --- downloads ---------------------------------------------------------------------------------


@page()
async def stored_download(request: Request) -> Response:
    site = web_of(request).site
    sha256 = str(request.path_params["sha256"])
    store = site.store()
    path = None if store is None else stored_file(store, sha256)
    if path is None:
        return refusal(request, 404, "Berkas tidak ada di penyimpanan.")
    name = _stored_name(site, sha256)
    return FileResponse(path, filename=name, media_type=_media_type(name))


def _stored_name(site: Site, sha256: str) -> str:
    found = next((s.filename for s in history(Store(site.store_dir)) if s.sha256 == sha256), None)
    return found or f"{sha256[:16]}.xlsx"


@page()
async def annotated_download(request: Request) -> Response:
    site = web_of(request).site
    sha256 = str(request.path_params["sha256"])
    if site.store() is None:
        return refusal(request, 404, "Berkas tidak ada di penyimpanan.")
    import anyio.to_thread

    name = _stored_name(site, sha256)
    path = await anyio.to_thread.run_sync(annotated_copy, site, sha256, name)
    if path is None:
        return refusal(request, 404, "Tidak ada salinan catatan untuk berkas ini (hanya berkas "
                                     "yang perlu perbaikan yang mendapatkannya).")
    return FileResponse(path, filename=path.name, media_type=XLSX_TYPE)


@page()
async def output_download(request: Request) -> Response:
    site = web_of(request).site
    path = find_output(site, str(request.path_params["ident"]))
    if path is None:
        return refusal(request, 404, "Berkas keluaran tidak ditemukan.")
    return FileResponse(path, filename=path.name, media_type=_media_type(path.name))


def _media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return {".xlsx": XLSX_TYPE, ".zip": "application/zip", ".csv": "text/csv; charset=utf-8",
            ".parquet": "application/vnd.apache.parquet"}.get(suffix, "application/octet-stream")


@page()
async def job_progress(request: Request) -> Response:
    job = web_of(request).jobs.get(str(request.path_params["ident"]))
    if job is None:
        return JSONResponse({"galat": "tugas tidak dikenal"}, 404)
    return JSONResponse(job.to_dict())


def _routes() -> list[BaseRoute]:
    from iki_xlsx.web import blueprints_page, buat, dokumen, rekap_page, terima

    return [
        Route("/", beranda),
        Route("/masuk", sign_in_form, methods=["GET"]),
        Route("/masuk", sign_in, methods=["POST"]),
        Route("/keluar", sign_out, methods=["POST"]),
        Route("/status", status_page),
        Route("/status/unit/{kode}", unit_page),
        Route("/berkas/{sha256}", stored_download),
        Route("/berkas/{sha256}/catatan", annotated_download),
        Route("/unduh/{ident}", output_download),
        Route("/tugas/{ident}", job_progress),
        *terima.ROUTES, *buat.ROUTES, *rekap_page.ROUTES, *blueprints_page.ROUTES,
        *dokumen.ROUTES,
    ]


ROUTES = _routes()
