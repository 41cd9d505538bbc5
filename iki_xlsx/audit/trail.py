"""The office's audit trail: record an action, read the entries a person asks for, check the
chain, write it as CSV.

Every entry says who (the account's login and name, or nobody for what runs by itself), when
(the store's UTC clock, shown in the office's time zone), what (its kind, a sentence in
Indonesian, and the details as JSON), about which blueprint, year and unit, and from where
(the command line and the computer's user, or the web and the client's address).
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iki_xlsx.audit.chain import ChainReport, check, seal
from iki_xlsx.audit.kinds import AuditKind
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.dates import DEFAULT_ZONE, waktu_singkat
from iki_xlsx.store.audit import AuditFilter, AuditRow
from iki_xlsx.store.db import Store, utc_text

SYSTEM = "sistem"  # who, for an action no person took (a scheduled pull)
CSV_HEADERS = ("nomor", "waktu", "waktu_utc", "jenis", "login", "nama", "asal", "blueprint",
               "periode", "unit", "ringkasan", "rincian", "hash_sebelumnya", "hash")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def computer_user() -> str:
    """`budi@kantor`: the computer's user and host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True)
class Actor:
    """Who takes a step, and from where: an account (`login` None: nobody, the system), the
    face (`asal`: 'baris perintah budi@kantor', 'web 10.0.0.5')."""

    login: str | None
    nama: str | None
    asal: str
    account_id: int | None = None

    @classmethod
    def system(cls, asal: str) -> Actor:
        return cls(None, None, asal)

    @classmethod
    def computer(cls) -> Actor:
        """The computer's user, for what no account did (`iki-xlsx budi@kantor`)."""
        return cls.system(f"iki-xlsx {computer_user()}")

    @property
    def shown(self) -> str:
        """'Sari Wulandari (sari)', or 'sistem'."""
        if self.login is None:
            return SYSTEM
        return f"{self.nama} ({self.login})" if self.nama else self.login


@dataclass(frozen=True)
class Entry:
    """An entry as a person reads it."""

    row: AuditRow
    kind: AuditKind | None  # None: a kind a newer release wrote
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def who(self) -> str:
        if self.row.login is None:
            return SYSTEM
        return f"{self.row.nama} ({self.row.login})" if self.row.nama else self.row.login

    @property
    def kind_label(self) -> str:
        return self.kind.label if self.kind is not None else self.row.jenis

    def when(self, zona: str = DEFAULT_ZONE) -> str:
        return waktu_singkat(self.row.at, zona)

    @classmethod
    def of(cls, row: AuditRow) -> Entry:
        try:
            details = json.loads(row.rincian)
        except ValueError:
            details = {}
        if not isinstance(details, dict):
            details = {}
        return cls(row, AuditKind.named(row.jenis), str(details.pop("ringkasan", "")), details)


class AuditTrail:
    """The audit trail of one office's store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, actor: Actor, kind: AuditKind, summary: str, *,
               blueprint: str | None = None, periode: int | None = None,
               unit: str | None = None, details: Mapping[str, Any] | None = None,
               ref: str | None = None, at: str | None = None) -> AuditRow:
        """Append one entry (within the caller's transaction, when one is open)."""
        rincian = json.dumps({"ringkasan": summary, **(details or {})}, ensure_ascii=False,
                             sort_keys=True, separators=(",", ":"), default=str)
        draft = AuditRow(0, at or utc_text(), str(kind), actor.login, actor.nama, actor.asal,
                         blueprint, periode, unit, rincian, ref, "", "")
        return self.store.audit.append(draft, seal)

    def recorded(self, kind: AuditKind) -> set[str]:
        """The references (`ref`) of the entries of one kind already written."""
        return self.store.audit.references(str(kind))

    def entries(self, wanted: AuditFilter | None = None) -> list[Entry]:
        return [Entry.of(row) for row in self.store.audit.entries(wanted)]

    def people(self) -> list[tuple[str, str]]:
        return self.store.audit.people()

    def check(self) -> ChainReport:
        """The whole chain checked from its first entry (see `chain.check`)."""
        with self.store.connect():
            return check(self.store.audit.entries(), self.store.audit.head())

    def csv_text(self, wanted: AuditFilter | None = None, zona: str = DEFAULT_ZONE) -> str:
        """The entries as CSV (UTF-8 with a BOM, so Excel reads it right); text that a
        spreadsheet would run as a formula is made inert."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_HEADERS)
        for entry in self.entries(wanted):
            row = entry.row
            writer.writerow([_inert(value) for value in (
                row.id, entry.when(zona), row.at, entry.kind_label, row.login or "",
                row.nama or SYSTEM, row.asal, row.blueprint or "",
                "" if row.periode is None else row.periode, row.unit_kode or "", entry.summary,
                json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details
                else "", row.prev_hash, row.hash)])
        return "\ufeff" + out.getvalue()

    def export(self, path: Path, wanted: AuditFilter | None = None,
               zona: str = DEFAULT_ZONE) -> Path:
        """Write the entries as CSV to `path`, atomically."""
        text = self.csv_text(wanted, zona)
        return atomic_write(path, lambda target: Path(target).write_text(
            text, encoding="utf-8", newline=""))


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value

