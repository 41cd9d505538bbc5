"""The store's audit trail (migration 8): every action, append-only and chained. Every
statement about it is here; `audit/` (what an entry says, how it is sealed and checked)
calls these.

An entry is written in the caller's transaction (so the step and its record commit
together) under the store's `audit` lock: the next id and the previous entry's hash are read
from `audit_head` and the entry is sealed by the caller's `seal(id, prev_hash)` before it is
inserted; then the head names it. Triggers refuse an UPDATE or DELETE of an entry, so only a
person working on the database directly can change one, and `audit periksa` finds where.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iki_xlsx.store.db import Store

GENESIS = "0" * 64  # the `prev_hash` of the first entry


@dataclass(frozen=True)
class AuditRow:
    """One entry as stored. `rincian` is JSON; `rujukan` names the record the action made
    (a submission's id, a review's), so the recorder can tell what it has written."""

    id: int
    at: str
    jenis: str
    login: str | None
    nama: str | None
    asal: str
    blueprint: str | None
    periode: int | None
    unit_kode: str | None
    rincian: str
    rujukan: str | None
    prev_hash: str
    hash: str

    def sealed_fields(self) -> list[Any]:
        """What the entry's hash covers, in order (its own hash excepted)."""
        return [self.id, self.at, self.jenis, self.login, self.nama, self.asal, self.blueprint,
                self.periode, self.unit_kode, self.rincian, self.rujukan, self.prev_hash]


Seal = Callable[[AuditRow], str]  # the hash of an entry (whose `hash` is still empty)

_COLUMNS = ("id, at, jenis, login, nama, asal, blueprint, periode, unit_kode, rincian, "
            "rujukan, prev_hash, hash")


def _row(row: Sequence[Any]) -> AuditRow:
    (ident, at, jenis, login, nama, asal, blueprint, periode, unit, rincian, rujukan, prev,
     digest) = row
    return AuditRow(int(ident), str(at), str(jenis), _text(login), _text(nama), str(asal),
                    _text(blueprint), None if periode is None else int(periode), _text(unit),
                    str(rincian), _text(rujukan), str(prev), str(digest))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read: by unit, year (periode), person (login) and kind (jenis)."""

    unit_kode: str | None = None
    periode: int | None = None
    login: str | None = None
    jenis: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        wanted = [(column, value) for column, value in
                  (("unit_kode", self.unit_kode), ("periode", self.periode),
                   ("login", self.login), ("jenis", self.jenis)) if value is not None]
        where = " AND ".join(f"{column} = ?" for column, _ in wanted)
        return ("WHERE " + where if where else ""), [value for _, value in wanted]


class AuditRecords:
    """The audit tables of one store (`store.audit`)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def append(self, draft: AuditRow, seal: Seal) -> AuditRow:
        """Write `draft` (its id, prev_hash and hash are filled here) as the next entry."""
        with self._store.transaction(), self._store.sql() as db:
            db.dialect.lock(db, "audit")  # one writer extends the chain at a time
            head = db.one("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            last = int(db.value("SELECT COALESCE(MAX(id), 0) FROM audit"))
            prev = GENESIS if head is None else str(head[1])
            ident = max(last, 0 if head is None else int(head[0])) + 1
            entry = replace(draft, id=ident, prev_hash=prev, hash="")
            entry = replace(entry, hash=seal(entry))
            db.run(f"INSERT INTO audit ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   [*entry.sealed_fields(), entry.hash])
            db.run("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, "
                   "last_hash = excluded.last_hash", (entry.id, entry.hash))
            return entry

    def entries(self, wanted: AuditFilter | None = None) -> list[AuditRow]:
        """Entries in the order written (their ids), filtered when asked."""
        where, params = (wanted or AuditFilter()).where()
        with self._store.sql() as db:
            return [_row(row) for row in db.rows(
                f"SELECT {_COLUMNS} FROM audit {where} ORDER BY id", params)]

    def head(self) -> tuple[int, str] | None:
        """The last entry written, as the head names it (None: nothing written yet)."""
        with self._store.sql() as db:
            row = db.one("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
        return None if row is None else (int(row[0]), str(row[1]))

    def references(self, jenis: str) -> set[str]:
        """The records entries of one kind name (`rujukan`), to tell what is recorded."""
        with self._store.sql() as db:
            return {str(ref) for (ref,) in db.rows(
                "SELECT rujukan FROM audit WHERE jenis = ? AND rujukan IS NOT NULL", (jenis,))}

    def people(self) -> list[tuple[str, str]]:
        """Every (login, name) that took a step, by login (for a filter's choices)."""
        with self._store.sql() as db:
            return [(str(login), str(nama)) for login, nama in db.rows(
                "SELECT login, MAX(nama) FROM audit WHERE login IS NOT NULL "
                "GROUP BY login ORDER BY login")]
