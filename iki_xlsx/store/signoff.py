"""The store's records of sign-off (migration 8): a person's review of a return (verified
against its evidence, or sent back with a comment) and a period's closings and reopenings,
each closing with the return of every unit it approved. Every statement about them is here;
`signoff/` (the rules: which step is allowed when, what a closed period holds) reads them.

Times are the store's UTC text (`utc_text`), written by the caller so that the audit entry
of the same step carries the same moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iki_xlsx.store.db import Store


@dataclass(frozen=True)
class Signer:
    """Who took a step, as the records keep it: the account (None for a store written without
    one) with its login and name at that moment."""

    login: str
    nama: str
    account_id: int | None = None


@dataclass(frozen=True)
class ReviewRow:
    """A person's review of one return: `state` verified or returned (`Status` values)."""

    id: int
    submission_id: int
    blueprint: str
    periode: int
    unit_kode: str
    state: str
    catatan: str | None
    signer: Signer
    at: str


@dataclass(frozen=True)
class CloseRow:
    """A period closed through `sampai` (`aksi` tutup) or reopened from `sampai` (`buka`);
    `units` the return each unit had approved by a closing (None: the unit had none)."""

    id: int
    blueprint: str
    periode: int
    aksi: str
    sampai: int
    alasan: str | None
    signer: Signer
    at: str
    units: dict[str, int | None] = field(default_factory=dict)


_SIGNER = "login, nama, account_id"


def _signer(login: object, nama: object, account_id: object) -> Signer:
    return Signer(str(login), str(nama), None if account_id is None else int(str(account_id)))


class SignoffRecords:
    """The sign-off tables of one store (`store.signoff`). A write joins the caller's
    transaction when one is open (so the step and its audit entry commit together)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add_review(self, submission_id: int, blueprint: str, periode: int, unit_kode: str,
                   state: str, catatan: str | None, signer: Signer, at: str) -> int:
        with self._store.transaction(), self._store.sql() as db:
            return int(db.value(
                "INSERT INTO review (submission_id, blueprint, periode, unit_kode, state, "
                "catatan, account_id, login, nama, at) VALUES (?,?,?,?,?,?,?,?,?,?) "
                "RETURNING id",
                (submission_id, blueprint, periode, unit_kode, state, catatan,
                 signer.account_id, signer.login, signer.nama, at)))

    def reviews(self, blueprint: str | None = None, periode: int | None = None
                ) -> list[ReviewRow]:
        """Reviews in the order they were written (of one blueprint and year, when given)."""
        where, params = _period_filter(blueprint, periode)
        with self._store.sql() as db:
            return [ReviewRow(int(i), int(sub), str(bp), int(per), str(unit), str(state),
                              None if note is None else str(note), _signer(login, nama, acc),
                              str(at))
                    for i, sub, bp, per, unit, state, note, login, nama, acc, at in db.rows(
                        "SELECT id, submission_id, blueprint, periode, unit_kode, state, "
                        f"catatan, {_SIGNER}, at FROM review {where} ORDER BY id", params)]

    def add_closing(self, blueprint: str, periode: int, aksi: str, sampai: int,
                    alasan: str | None, signer: Signer, at: str,
                    units: Iterable[tuple[str, int | None]] = ()) -> int:
        """A closing (with the return each unit had approved) or a reopening."""
        with self._store.transaction(), self._store.sql() as db:
            made = int(db.value(
                "INSERT INTO period_close (blueprint, periode, aksi, sampai, alasan, "
                "account_id, login, nama, at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                (blueprint, periode, aksi, sampai, alasan, signer.account_id, signer.login,
                 signer.nama, at)))
            db.many("INSERT INTO period_close_unit (close_id, unit_kode, submission_id) "
                    "VALUES (?,?,?)", [(made, kode, sub) for kode, sub in units])
            return made

    def closings(self, blueprint: str | None = None, periode: int | None = None
                 ) -> list[CloseRow]:
        """Closings and reopenings in the order they were written."""
        where, params = _period_filter(blueprint, periode)
        with self._store.sql() as db:
            rows = db.rows("SELECT id, blueprint, periode, aksi, sampai, alasan, "
                           f"{_SIGNER}, at FROM period_close {where} ORDER BY id", params)
            units: dict[int, dict[str, int | None]] = {}
            if rows:
                for close, kode, sub in db.rows(
                        "SELECT close_id, unit_kode, submission_id FROM period_close_unit "
                        "ORDER BY close_id, unit_kode"):
                    units.setdefault(int(close), {})[str(kode)] = \
                        None if sub is None else int(sub)
        return [CloseRow(int(i), str(bp), int(per), str(aksi), int(sampai),
                         None if alasan is None else str(alasan), _signer(login, nama, acc),
                         str(at), units.get(int(i), {}))
                for i, bp, per, aksi, sampai, alasan, login, nama, acc, at in rows]


def _period_filter(blueprint: str | None, periode: int | None
                   ) -> tuple[str, list[object]]:
    wanted = [(column, value) for column, value in (("blueprint", blueprint),
                                                    ("periode", periode)) if value is not None]
    where = " AND ".join(f"{column} = ?" for column, _ in wanted)
    return ("WHERE " + where if where else ""), [value for _, value in wanted]
