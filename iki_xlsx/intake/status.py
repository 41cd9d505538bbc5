"""Who has returned what: per blueprint and period, every expected unit and its state, as far
as sign-off took it (verified, sent back, approved: `signoff.ledger`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

from iki_xlsx.core.codes import Code, Severity
from iki_xlsx.core.states import Status
from iki_xlsx.signoff.ledger import Ledger
from iki_xlsx.store.db import Store, SubmissionRow
from iki_xlsx.store.signoff import CloseRow, ReviewRow

REVIEWED = (Status.VERIFIED, Status.APPROVED, Status.RETURNED)  # shown in totals when held


@dataclass(frozen=True)
class Signed:
    """A person's step on a return or a period: who took it, when (UTC), and their note
    (the evidence note, the comment sent back, the reason to reopen)."""

    login: str
    nama: str
    waktu: str
    catatan: str | None = None

    @classmethod
    def of_review(cls, review: ReviewRow) -> Signed:
        return cls(review.signer.login, review.signer.nama, review.at, review.catatan)

    @classmethod
    def of_closing(cls, closing: CloseRow) -> Signed:
        return cls(closing.signer.login, closing.signer.nama, closing.at, closing.alasan)


@dataclass
class UnitState:
    kode: str
    nama: str
    state: Status  # its latest file's verdict (or NOT_RETURNED), as far as sign-off took it
    on_list: bool = True
    submissions: int = 0
    findings: int = 0
    last_file: str | None = None
    sender: str | None = None
    accepted_sha256: str | None = None  # the latest accepted submission
    warnings: list[dict[str, str]] = field(default_factory=list)  # of the latest submission
    accepted_id: int | None = None  # the latest accepted submission's number
    reviewed: Signed | None = None  # who verified or sent back the latest accepted one
    approved: Signed | None = None  # who approved it (a closing in force holds it)
    late: bool = False  # accepted after its period was closed (counts once it is reopened)


@dataclass
class PeriodStatus:
    blueprint: str
    periode: int
    units: list[UnitState] = field(default_factory=list)
    closed_through: int = 0  # the year is closed up to this period (0: open)
    closed_by: Signed | None = None  # the last closing in force
    reopened: Signed | None = None  # the last reopening, with its reason

    @property
    def counts(self) -> dict[Status, int]:
        """Units by state (every state, zero included)."""
        counts = {state: 0 for state in Status}
        for unit in self.units:
            counts[unit.state] += 1
        return counts

    @property
    def totals(self) -> dict[str, int]:
        """Units by state, keyed by the state's Indonesian word (as `status --json` says):
        a check's verdicts and `belum kembali` always, sign-off's states when a unit has one."""
        return {state.label: n for state, n in self.counts.items()
                if n or state not in REVIEWED}


@dataclass
class StatusReport:
    periods: list[PeriodStatus]
    unidentified: list[dict[str, Any]]
    # recorded files whose raw copy is gone from the store (collecting them again restores it)
    missing_raw: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "periods": [{"blueprint": p.blueprint, "periode": p.periode, "totals": p.totals,
                         "closed_through": p.closed_through,
                         "closed_by": None if p.closed_by is None else asdict(p.closed_by),
                         "reopened": None if p.reopened is None else asdict(p.reopened),
                         "units": [{**asdict(u), "state": u.state.label} for u in p.units]}
                        for p in self.periods],
            "unidentified": self.unidentified,
            "missing_raw": self.missing_raw,
        }


def status(store: Store) -> StatusReport:
    """State of every expected unit, from the units lists the workbooks were generated with
    (after the store's integrity check: a damaged store raises `StoreBroken`)."""
    with store.connect():
        store.check_intact()
        periods = [_period(store, bp, periode) for bp, periode in store.periods()]
        unidentified: list[dict[str, Any]] = [
            {"filename": s.filename, "sha256": s.sha256, "source": s.source, "sender": s.sender,
             "status": str(s.status)} for s in store.unidentified()]
        missing = [{"filename": s.filename, "sha256": s.sha256} for s in store.submissions()
                   if not store.raw_path(s.sha256).is_file()]
    return StatusReport(periods, unidentified, missing)


def _period(store: Store, blueprint: str, periode: int) -> PeriodStatus:
    ledger = Ledger.of(store, blueprint, periode)
    result = PeriodStatus(blueprint, periode, closed_through=ledger.closed_through,
                          closed_by=_closing(ledger.closed_by),
                          reopened=_closing(ledger.reopened))
    expected = store.expected_units(blueprint, periode)
    by_unit: dict[str | None, list[SubmissionRow]] = {}
    names: dict[str | None, str | None] = {}
    for row in store.submissions_of(blueprint, periode):
        by_unit.setdefault(row.unit_kode, []).append(row)
        names[row.unit_kode] = row.unit_nama
    listed = {u.kode for u in expected}
    order: list[tuple[Any, Any, bool]] = [(u.kode, u.nama, True) for u in expected]
    # without a register (a store used outside a workspace) there is no list: each unit that
    # returned a file stands for itself, and no file can add or remove another unit
    order += [(kode, names[kode], not expected) for kode in by_unit if kode not in listed]
    for kode, nama, on_list in order:
        history = by_unit.get(kode, [])
        latest = history[-1] if history else None
        accepted = [r for r in history if r.status is Status.OK]
        current = accepted[-1] if accepted else None
        review = ledger.review(current.id if current else None)
        approving = ledger.approving(current.id) if current else None
        result.units.append(UnitState(
            kode=kode, nama=nama,
            state=ledger.state(latest.status if latest else Status.NOT_RETURNED,
                               current.id if current else None),
            on_list=on_list, submissions=len(history), findings=latest.errors if latest else 0,
            last_file=latest.filename if latest else None,
            sender=latest.sender if latest else None,
            accepted_sha256=current.sha256 if current else None,
            warnings=_warnings(store, latest.id) if latest else [],
            accepted_id=current.id if current else None,
            reviewed=Signed.of_review(review) if review is not None else None,
            approved=Signed.of_closing(approving) if approving is not None else None,
            late=current is not None and approving is None
            and ledger.approved(str(kode)) is not None))
    return result


def _closing(closing: CloseRow | None) -> Signed | None:
    return None if closing is None else Signed.of_closing(closing)


def _warnings(store: Store, submission: int) -> list[dict[str, str]]:
    return [{"code": f.code, "message": f.message}
            for f in store.findings(submission, severity=Severity.WARNING,
                                       code=Code.SENDER_MISMATCH)]


@dataclass(frozen=True)
class Submission(SubmissionRow):
    """One file as received and judged, with its findings: the history keeps every one,
    accepted or not."""

    findings: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, row: SubmissionRow, findings: list[dict[str, Any]]) -> Submission:
        fields = {f.name: getattr(row, f.name) for f in dataclass_fields(row)}
        return cls(**fields, findings=findings)

    def to_dict(self) -> dict[str, Any]:
        """As `status --riwayat --json` says it: the state in its Indonesian word."""
        return {**asdict(self), "status": self.status.label}


def history(store: Store, unit: str | None = None) -> list[Submission]:
    """Every submission in the order it arrived, with its findings; `unit` filters by kode
    (after the store's integrity check: a damaged store raises `StoreBroken`)."""
    with store.connect():
        store.check_intact()
        rows = store.submissions(unit)
        found: dict[int, list[dict[str, Any]]] = {}
        for f in store.findings():
            found.setdefault(f.submission_id, []).append(
                {"code": f.code, "severity": f.severity, "sheet": f.sheet, "cell": f.cell,
                 "message": f.message})
    return [Submission.of(r, found.get(r.id, [])) for r in rows]




# --- what a person reads: a drop of junk summed up, not listed file by file --------------------

SHOWN_IN_FULL = 3  # unidentified files of one kind shown one by one before they are summed up


@dataclass(frozen=True)
class Unidentified:
    """A run of unidentified files received one after another with the same verdict and
    first finding, beyond the first few shown in full: how many, their verdict, code and
    first message, and when the first and last came."""

    count: int
    status: Status
    code: str | None
    message: str | None
    first_at: str
    last_at: str


def readable_history(items: list[Submission],
                     keep: int = SHOWN_IN_FULL) -> list[Submission | Unidentified]:
    """The history as a person reads it: every identified file, and of each run of
    unidentified files with the same verdict and first finding (a junk drop of thousands),
    the first `keep` and then one `Unidentified` for the rest."""
    shown: list[Submission | Unidentified] = []
    run: list[Submission] = []

    def close() -> None:
        shown.extend(run[:keep])
        rest = run[keep:]
        if rest:
            first = rest[0].findings[0] if rest[0].findings else {}
            shown.append(Unidentified(len(rest), rest[0].status, first.get("code"),
                                      first.get("message"), rest[0].collected_at,
                                      rest[-1].collected_at))
        run.clear()

    for item in items:
        if item.unit_kode is None and run and _kind(run[0]) == _kind(item):
            run.append(item)
            continue
        close()
        if item.unit_kode is None:
            run.append(item)
        else:
            shown.append(item)
    close()
    return shown


def _kind(item: Submission) -> tuple[Status, str | None]:
    return item.status, item.findings[0]["code"] if item.findings else None


def unidentified_summary(items: list[dict[str, Any]],
                         keep: int = SHOWN_IN_FULL) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The first `keep` unidentified files of a status report, with their Indonesian state,
    and how many of the rest there are by state (its Indonesian word)."""
    shown = [{**item, "status": Status(item["status"]).label} for item in items[:keep]]
    rest: dict[str, int] = {}
    for item in items[keep:]:
        word = Status(item["status"]).label
        rest[word] = rest.get(word, 0) + 1
    return shown, rest
