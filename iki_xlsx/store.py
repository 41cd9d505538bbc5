"""The store: every returned file kept byte for byte, and who sent what, in SQLite.

Layout of a store folder:
    iki.sqlite                 submissions, findings, accepted input values, expected units,
                               IMAP messages already taken (account, folder, UIDVALIDITY, UID)
    berkas/ab/abcdef...        raw files, content-addressed by SHA-256, never overwritten

Raw files are written to a temporary name and renamed into place before the database
row that names them is committed in one transaction, so a collect killed at any
moment leaves a consistent store, and running it again completes the work.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import atomic_write, exclusive_lock

SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    source TEXT NOT NULL,
    sender TEXT,
    subject TEXT,
    received_at TEXT,
    collected_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    status TEXT NOT NULL,
    blueprint TEXT,
    unit_kode TEXT,
    unit_nama TEXT,
    periode INTEGER
);
CREATE TABLE IF NOT EXISTS finding (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    expected TEXT,
    found TEXT,
    message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nilai (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    sheet_code TEXT NOT NULL,
    cell TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT
);
CREATE TABLE IF NOT EXISTS expected_unit (
    blueprint TEXT NOT NULL,
    periode INTEGER NOT NULL,
    kode TEXT NOT NULL,
    nama TEXT NOT NULL,
    email TEXT,
    kantor INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (blueprint, periode, kode)
);
CREATE TABLE IF NOT EXISTS imap_taken (
    account TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    taken_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account, folder, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS submission_unit ON submission (blueprint, periode, unit_kode);
CREATE INDEX IF NOT EXISTS finding_submission ON finding (submission_id);
CREATE INDEX IF NOT EXISTS nilai_submission ON nilai (submission_id);
"""


SENDER_MISMATCH = "sender-mismatch"  # finding code: returned from another address


class StoreBusy(Exception):
    """Another collect holds the store (message in Bahasa Indonesia)."""


class StoreBroken(Exception):
    """The store's database cannot be opened as one (message in Bahasa Indonesia)."""


@dataclass(frozen=True)
class Received:
    """One file as it arrived: its bytes and what is known of how it came."""

    filename: str
    data: bytes
    source: str
    sender: str | None = None
    subject: str | None = None
    received_at: str | None = None


class Store:
    """A store folder: raw files plus an SQLite database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.raw = folder / "berkas"
        self.database = folder / "iki.sqlite"

    def raw_path(self, sha256: str) -> Path:
        return self.raw / sha256[:2] / sha256

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self.folder.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        try:
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA foreign_keys=ON")
                connection.executescript(SCHEMA)
            except sqlite3.DatabaseError:
                raise StoreBroken(
                    f"{self.database} bukan basis data penyimpanan iki-xlsx atau rusak; "
                    "jangan ubah berkas itu, pakai folder penyimpanan lain") from None
            yield connection
        finally:
            connection.close()

    @contextmanager
    def exclusive(self, wait: bool = True) -> Iterator[None]:
        """Only one collect writes at a time; the second waits (or fails clearly)."""
        with ExitStack() as held:
            try:
                held.enter_context(exclusive_lock(self.folder / ".kunci", wait))
            except BlockingIOError:
                raise StoreBusy("penyimpanan sedang dipakai proses collect lain; "
                                "coba lagi setelah selesai") from None
            yield

    def tidy(self) -> None:
        """Remove what a killed collect may leave: temporary files and check aliases.

        Call only while holding `exclusive()`.
        """
        if not self.raw.exists():
            return
        for path in self.raw.rglob("*"):
            if path.name.startswith(".tmp-") or path.is_symlink():
                path.unlink(missing_ok=True)

    def keep_raw(self, sha256: str, data: bytes) -> Path:
        """Write the raw bytes once, atomically; an existing copy is never touched."""
        target = self.raw_path(sha256)
        if target.exists():
            return target
        return atomic_write(target, lambda temporary: Path(temporary).write_bytes(data))

    def known(self, connection: sqlite3.Connection, sha256: str) -> bool:
        row = connection.execute("SELECT 1 FROM submission WHERE sha256 = ?", (sha256,))
        return row.fetchone() is not None


def as_text(value: Any) -> str | None:
    """Values stored as JSON text, so types survive the trip (numbers stay numbers)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)
