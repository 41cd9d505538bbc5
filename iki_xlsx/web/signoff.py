"""Verifikasi: the page a verifier uses (each unit's state, the evidence note, last year's
value beside this year's with a change beyond the indicator's limit flagged), its steps
(verify, send back, approve, reopen: each as the signed-in person, refused when their role
does not allow it), and the audit trail filtered by unit, year, person and kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.accounts.roles import Action
from iki_xlsx.audit.kinds import AuditKind
from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.periode import parse_year
from iki_xlsx.intake.status import PeriodStatus
from iki_xlsx.service.office import Office
from iki_xlsx.service.signing import NotAllowed, Person
from iki_xlsx.store.audit import AuditFilter
from iki_xlsx.web.app import (
    client_of,
    field_of,
    office_of,
    page,
    principal_of,
    refusal,
    render,
    web_of,
)
from iki_xlsx.web.status import periods_of
from iki_xlsx.years.change import UnitChanges, YearChange

STEPS = ("verifikasi", "kembalikan", "setujui", "buka")


@dataclass
class UnitRow:
    """One unit on the verifier's page: its state and notes, and its year-over-year rows."""

    kode: str
    nama: str
    state: object
    note: str | None
    noted_by: str | None
    last_file: str | None
    late: bool
    can_review: bool
    rows: list[YearChange] = field(default_factory=list)

    @property
    def flagged(self) -> list[YearChange]:
        return [r for r in self.rows if r.flagged]


def person_here(request: Request, office: Office) -> Person:
    found = principal_of(request)
    assert found is not None  # the page's guard let only a signed-in person through
    return office.person_of(found.login, found.nama, found.access, f"web {client_of(request)}",
                            found.account_id)


def _chosen(request: Request, periods: list[PeriodStatus]) -> PeriodStatus | None:
    blueprint, _, year = request.query_params.get("pilihan", "").partition("|")
    for period in periods:
        if period.blueprint == blueprint and str(period.periode) == year:
            return period
    return periods[-1] if periods else None


@page()
def verifier_page(request: Request) -> Response:
    web = web_of(request)
    office = office_of(request)
    periods = periods_of(office)
    chosen = _chosen(request, periods)
    person = person_here(request, office)
    may_verify = person.access.can(Action.VERIFY, web.kode)
    may_approve = person.access.can(Action.APPROVE, web.kode)
    rows: list[UnitRow] = []
    changes: dict[str, UnitChanges] = {}
    last_known = False
    periods_named: tuple[str, ...] = ()
    if chosen is not None:
        found = office.year_changes(chosen.blueprint, chosen.periode)
        changes, last_known = found.units, found.last_known
        periods_named = found.blueprint.periods
        for unit in chosen.units:
            if not unit.on_list:
                continue
            review = unit.reviewed
            rows.append(UnitRow(
                unit.kode, unit.nama, unit.state,
                review.catatan if review is not None else None,
                f"{review.nama} ({review.login})" if review is not None else None,
                unit.last_file, unit.late,
                may_verify and unit.state.accepted and unit.approved is None,
                changes[unit.kode].rows if unit.kode in changes else []))
    closing = None
    if chosen is not None and chosen.closed_through and chosen.closed_by is not None:
        closing = (periods_named[chosen.closed_through - 1]
                   if chosen.closed_through <= len(periods_named) else str(chosen.closed_through))
    return render(request, "verifikasi.html", {
        "periods": periods, "chosen": chosen, "rows": rows, "last_known": last_known,
        "periods_named": periods_named, "closing": closing,
        "may_verify": may_verify, "may_approve": may_approve,
        "flagged": sum(len(r.flagged) for r in rows)})


@page(form=True)
def step(request: Request) -> Response:
    """One sign-off step from the page's forms, as the signed-in person."""
    web = web_of(request)
    office = office_of(request)
    langkah = field_of(request, "langkah")
    if langkah not in STEPS:
        return refusal(request, 400, "Langkah tidak dikenal.")
    year = parse_year(field_of(request, "periode"))
    if year is None:
        return refusal(request, 400, "Tahun tidak sah.")
    blueprint = field_of(request, "blueprint") or None
    kode = field_of(request, "kode")
    tw_text = field_of(request, "tw")
    tw = int(tw_text) if tw_text.isdigit() else None
    person = person_here(request, office)
    try:
        if langkah == "verifikasi":
            office.verify(person, kode, year, blueprint=blueprint,
                          catatan=field_of(request, "catatan"))
        elif langkah == "kembalikan":
            office.send_back(person, kode, year, field_of(request, "catatan"),
                             blueprint=blueprint)
        elif langkah == "setujui":
            office.approve(person, year, tw=tw, blueprint=blueprint)
        else:
            office.reopen(person, year, field_of(request, "alasan"), tw=tw, blueprint=blueprint)
    except NotAllowed as exc:
        return refusal(request, 403, _sentence(str(exc)))
    except UsageError as exc:
        return refusal(request, 400, _sentence(str(exc)))
    pilihan = quote(f"{blueprint or ''}|{year}")
    return RedirectResponse(f"{web.prefix}/verifikasi?pilihan={pilihan}", 303)


@page()
def audit_page(request: Request) -> Response:
    office = office_of(request)
    wanted, chosen = _filter(request)
    entries = office.audit_entries(wanted) if office.has_records else []
    report = office.audit_check() if office.has_records else None
    people = office.audit_trail().people() if office.has_records else []
    return render(request, "audit.html", {
        "entries": entries, "report": report, "people": people, "chosen": chosen,
        "kinds": list(AuditKind), "query": str(request.url.query)})


@page()
def audit_csv(request: Request) -> Response:
    office = office_of(request)
    if not office.has_records:
        return refusal(request, 404, "Belum ada catatan audit.")
    wanted, _ = _filter(request)
    text = office.audit_trail().csv_text(wanted, office.zona)
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="audit.csv"'})


def _filter(request: Request) -> tuple[AuditFilter, dict[str, str]]:
    params = request.query_params
    chosen = {name: params.get(name, "").strip()[:64] for name in ("unit", "periode", "akun",
                                                                     "jenis")}
    kind = AuditKind.named(chosen["jenis"]) if chosen["jenis"] else None
    year = parse_year(chosen["periode"]) if chosen["periode"] else None
    return AuditFilter(chosen["unit"] or None, year, chosen["akun"] or None,
                       None if kind is None else str(kind)), chosen


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


ROUTES: list[BaseRoute] = [
    Route("/verifikasi", verifier_page),
    Route("/verifikasi", step, methods=["POST"]),
    Route("/audit", audit_page),
    Route("/audit.csv", audit_csv),
]
