"""Who has returned what: per blueprint and period, every expected unit and its state."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .store import SENDER_MISMATCH, Store

STATE_WORDS = {
    "ok": "diterima",
    "needs-correction": "perlu perbaikan",
    "rejected": "ditolak",
    None: "belum kembali",
}


@dataclass
class UnitState:
    kode: str
    nama: str
    state: str  # belum kembali | diterima | perlu perbaikan | ditolak
    on_list: bool = True
    submissions: int = 0
    findings: int = 0
    last_file: str | None = None
    sender: str | None = None
    accepted_sha256: str | None = None  # the submission the recap uses
    warnings: list[dict[str, str]] = field(default_factory=list)  # of the latest submission


@dataclass
class PeriodStatus:
    blueprint: str
    periode: int
    units: list[UnitState] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        counts = {word: 0 for word in STATE_WORDS.values()}
        for unit in self.units:
            counts[unit.state] += 1
        return counts


@dataclass
class StatusReport:
    periods: list[PeriodStatus]
    unidentified: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "periods": [{"blueprint": p.blueprint, "periode": p.periode, "totals": p.totals,
                         "units": [asdict(u) for u in p.units]} for p in self.periods],
            "unidentified": self.unidentified,
        }


def status(store: Store) -> StatusReport:
    """State of every expected unit, from the units lists the workbooks were generated with."""
    with store.connect() as db:
        pairs = db.execute(
            "SELECT DISTINCT blueprint, periode FROM expected_unit UNION "
            "SELECT DISTINCT blueprint, periode FROM submission WHERE blueprint IS NOT NULL "
            "AND periode IS NOT NULL ORDER BY 1, 2").fetchall()
        periods = [_period(db, bp, periode) for bp, periode in pairs]
        unidentified = [
            {"filename": f, "sha256": s, "source": src, "sender": snd, "status": st}
            for f, s, src, snd, st in db.execute(
                "SELECT filename, sha256, source, sender, status FROM submission "
                "WHERE blueprint IS NULL OR periode IS NULL ORDER BY id")]
    return StatusReport(periods, unidentified)


def _period(db: Any, blueprint: str, periode: int) -> PeriodStatus:
    result = PeriodStatus(blueprint, periode)
    expected = db.execute("SELECT kode, nama FROM expected_unit WHERE blueprint=? AND periode=? "
                          "ORDER BY kantor, kode", (blueprint, periode)).fetchall()
    rows = db.execute(
        "SELECT s.id, s.unit_kode, s.unit_nama, s.status, s.filename, s.sender, s.sha256, "
        "(SELECT COUNT(*) FROM finding f WHERE f.submission_id = s.id AND f.severity='error') "
        "FROM submission s WHERE s.blueprint=? AND s.periode=? "
        "ORDER BY COALESCE(s.received_at, s.collected_at), s.id", (blueprint, periode)).fetchall()
    by_unit: dict[str, list[tuple[Any, ...]]] = {}
    names: dict[str, str] = {}
    for row in rows:
        by_unit.setdefault(row[1], []).append(row)
        names[row[1]] = row[2]
    listed = {kode for kode, _ in expected}
    order = [(kode, nama, True) for kode, nama in expected]
    order += [(kode, names[kode], False) for kode in by_unit if kode not in listed]
    for kode, nama, on_list in order:
        history = by_unit.get(kode, [])
        latest = history[-1] if history else None
        accepted = [r for r in history if r[3] == "ok"]
        result.units.append(UnitState(
            kode=kode, nama=nama, state=STATE_WORDS[latest[3] if latest else None],
            on_list=on_list, submissions=len(history), findings=latest[7] if latest else 0,
            last_file=latest[4] if latest else None, sender=latest[5] if latest else None,
            accepted_sha256=accepted[-1][6] if accepted else None,
            warnings=_warnings(db, latest[0]) if latest else []))
    return result


def _warnings(db: Any, submission: int) -> list[dict[str, str]]:
    return [{"code": code, "message": message} for code, message in db.execute(
        "SELECT code, message FROM finding WHERE submission_id=? AND severity='warning' "
        "AND code=? ORDER BY rowid", (submission, SENDER_MISMATCH))]


@dataclass
class Submission:
    """One file as received and judged: the history keeps every one, accepted or not."""

    sha256: str
    filename: str
    source: str
    status: str  # diterima | perlu perbaikan | ditolak
    blueprint: str | None
    periode: int | None
    unit_kode: str | None
    unit_nama: str | None
    sender: str | None
    subject: str | None
    received_at: str | None
    collected_at: str
    findings: list[dict[str, Any]] = field(default_factory=list)


def history(store: Store, unit: str | None = None) -> list[Submission]:
    """Every submission in the order it arrived, with its findings; `unit` filters by kode."""
    with store.connect() as db:
        rows = db.execute(
            "SELECT id, sha256, filename, source, status, blueprint, periode, unit_kode, "
            "unit_nama, sender, subject, received_at, collected_at FROM submission "
            "WHERE ? IS NULL OR unit_kode = ? ORDER BY COALESCE(received_at, collected_at), id",
            (unit, unit)).fetchall()
        found: dict[int, list[dict[str, Any]]] = {}
        for sid, code, severity, sheet, cell, message in db.execute(
                "SELECT submission_id, code, severity, sheet, cell, message FROM finding "
                "ORDER BY rowid"):
            found.setdefault(sid, []).append({"code": code, "severity": severity,
                                              "sheet": sheet, "cell": cell, "message": message})
    return [Submission(sha, name, src, STATE_WORDS[state], bp, periode, kode, nama, sender,
                       subject, received, collected, found.get(sid, []))
            for (sid, sha, name, src, state, bp, periode, kode, nama, sender, subject, received,
                 collected) in rows]
