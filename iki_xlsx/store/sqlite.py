"""The embedded store: one SQLite file in the store folder, `iki.sqlite` (the default).

One writer at a time: a collect holds the store folder's lock file (`.kunci`) from start to
end, and every write transaction begins with `BEGIN IMMEDIATE` (SQLite's write lock). A store
on a read-only disk or folder is opened read-only, so status and rekap still work.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

from iki_xlsx.core.atomic import exclusive_lock
from iki_xlsx.core.errors import StoreBroken, StoreBusy, StoreUnwritable
from iki_xlsx.core.findings import os_reason
from iki_xlsx.store.schema import Migration, migrate
from iki_xlsx.store.sql import Database

DATABASE_NAME = "iki.sqlite"


class SqliteDialect:
    name = "sqlite"
    begin = "BEGIN IMMEDIATE"  # the write lock first

    def query(self, sql: str) -> str:
        return sql

    def ddl(self, statement: str) -> str:
        return statement

    def version(self, db: Database) -> int:
        return int(db.driver.execute("PRAGMA user_version").fetchone()[0])

    def set_version(self, db: Database, version: int) -> None:
        db.statement(f"PRAGMA user_version = {int(version)}")

    @contextmanager
    def migrating(self, db: Database) -> Iterator[None]:
        """Nothing to hold: the migration's `BEGIN IMMEDIATE` is the write lock."""
        yield

    def lock(self, db: Database, name: str) -> None:
        """Nothing to take: `BEGIN IMMEDIATE` already holds the database's one write lock."""

    def executemany(self, db: Database, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        driver = db.driver
        assert isinstance(driver, sqlite3.Connection)
        driver.executemany(sql, rows)


DIALECT = SqliteDialect()


def schema_version(connection: sqlite3.Connection) -> int:
    """The version of an SQLite store's schema (its `user_version`)."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


OPEN_WAIT_SECONDS = 30  # as long as a write waits for another's lock (`timeout`)


def _prepare(connection: sqlite3.Connection, db: Database, migrations: Sequence[Migration]
             ) -> None:
    """WAL, foreign keys, the schema migrated. Switching a new database to WAL takes a lock
    SQLite does not wait for (no busy handler): processes opening a new store together find
    it 'locked' now and then (2 of 150 rounds of six), so that step is tried again until
    OPEN_WAIT_SECONDS pass."""
    deadline = time.monotonic() + OPEN_WAIT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            migrate(db, migrations)
            return
        except sqlite3.OperationalError as exc:
            if not _locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _unwritable(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def reason(exc: BaseException) -> str | None:
    """Why a write failed, in the user's words; None when `exc` is not SQLite's."""
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    text = str(exc).lower()
    if "full" in text:
        return "disk penuh"
    if "readonly" in text or "read-only" in text:
        return "hanya dapat dibaca"
    return "galat basis data"


class SqliteBackend:
    """The database file `iki.sqlite` in the store folder."""

    name = "sqlite"

    def __init__(self, folder: Path, migrations: Sequence[Migration]) -> None:
        self.folder = folder
        self.database = folder / DATABASE_NAME
        self.migrations = migrations

    def describe(self) -> str:
        return str(self.folder)

    def exists(self) -> bool:
        return self.database.exists()

    def open(self) -> Database:
        """The database, migrated; opened read-only when the store cannot be written (a
        read-only disk or folder), so that status and rekap still work."""
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreUnwritable(f"{self.folder} bukan folder penyimpanan (itu sebuah berkas); "
                                  "sebutkan folder lain dengan --store")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnwritable(f"folder penyimpanan {self.folder} tidak dapat dibuat "
                                  f"({os_reason(exc)})") from None
        if self.database.is_symlink() or (self.database.exists()
                                          and not self.database.is_file()):
            raise StoreBroken(f"{self.database} bukan berkas basis data (sebuah folder, tautan "
                              "atau perangkat); jangan ubah isi folder penyimpanan, pakai folder "
                              "penyimpanan lain")
        if not os.access(self.folder, os.W_OK) and self.database.exists():
            return self._open_read_only()
        try:
            connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        except sqlite3.Error:
            raise self._broken() from None
        db = Database(connection, DIALECT)
        try:
            _prepare(connection, db, self.migrations)
        except sqlite3.OperationalError as exc:
            connection.close()
            if _unwritable(exc):
                return self._open_read_only()
            if _locked(exc):
                raise StoreBusy(f"penyimpanan {self.folder} sedang dibuka proses lain lebih dari "
                                f"{OPEN_WAIT_SECONDS} detik; coba lagi sebentar") from None
            raise self._broken() from None
        except sqlite3.DatabaseError:
            connection.close()
            raise self._broken() from None
        except BaseException:
            connection.close()
            raise
        return db

    def _open_read_only(self) -> Database:
        """Read-only (and, when even the WAL's shared memory cannot be made, immutable)."""
        uri = self.database.resolve().as_uri()
        for mode in ("?mode=ro", "?mode=ro&immutable=1"):
            connection = sqlite3.connect(uri + mode, uri=True, isolation_level=None)
            try:
                found = schema_version(connection)
            except sqlite3.OperationalError:
                connection.close()
                continue
            except sqlite3.DatabaseError:
                connection.close()
                raise self._broken() from None
            if found != len(self.migrations):
                connection.close()
                raise StoreUnwritable(f"penyimpanan {self.folder} hanya dapat dibaca dan perlu "
                                      "diperbarui ke versi ini; buka dengan izin menulis sekali")
            db = Database(connection, DIALECT)
            db.read_only = True
            return db
        raise StoreUnwritable(f"penyimpanan {self.folder} tidak dapat dibuka (hanya dapat "
                              "dibaca, dan basis datanya tidak dapat dibaca)")

    def release(self, db: Database) -> None:
        db.close()

    def _broken(self) -> StoreBroken:
        return StoreBroken(f"{self.database} bukan basis data penyimpanan iki-xlsx atau rusak; "
                           "jangan ubah berkas itu, pakai folder penyimpanan lain")

    def check_writable(self, db: Database) -> None:
        """Before a collect writes: the database is intact (`PRAGMA quick_check`) and can be
        written; otherwise nothing is written and the reason is said."""
        if db.read_only:
            raise StoreUnwritable(f"penyimpanan {self.folder} hanya dapat dibaca; tidak ada "
                                  "yang dapat disimpan (periksa izin folder atau disknya)")
        self.check_intact(db, "tidak ada yang ditulis")

    def check_intact(self, db: Database, consequence: str = "tidak ada yang dilaporkan") -> None:
        """The database passes `PRAGMA quick_check` (every page and index readable and
        consistent: a page overwritten in the middle of the file is found here, before a
        report built on it); `StoreBroken` otherwise."""
        try:
            rows = db.driver.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError:
            rows = [("gagal",)]
        if rows != [("ok",)]:
            raise StoreBroken(f"{self.database} rusak (pemeriksaan keutuhan gagal); "
                              f"{consequence}; pulihkan dari cadangan atau pakai folder "
                              "penyimpanan lain")

    @contextmanager
    def exclusive(self, connected: Callable[[], AbstractContextManager[Database]],
                  wait: bool) -> Iterator[None]:
        """Only one collect writes at a time; the second waits (or fails clearly)."""
        with ExitStack() as held:
            if self.folder.exists() and not self.folder.is_dir():
                raise StoreUnwritable(f"{self.folder} bukan folder penyimpanan (itu sebuah "
                                      "berkas); sebutkan folder lain dengan --store")
            try:
                held.enter_context(exclusive_lock(self.folder / ".kunci", wait))
            except BlockingIOError:
                raise StoreBusy("penyimpanan sedang dipakai proses collect lain; "
                                "coba lagi setelah selesai") from None
            except OSError as exc:
                raise StoreUnwritable(f"penyimpanan {self.folder} tidak dapat ditulis "
                                      f"({os_reason(exc)})") from None
            self.check_writable(held.enter_context(connected()))
            yield

    @contextmanager
    def tidying(self, db: Database) -> Iterator[bool]:
        """Whether no other writer is at work: under `exclusive`, always."""
        yield True

    @contextmanager
    def alone(self, db: Database) -> Iterator[None]:
        """The store's lock file, as a collect holds it: every collect waits."""
        with exclusive_lock(self.folder / ".kunci", True):
            yield

    @contextmanager
    def mailbox(self, db: Database, name: str) -> Iterator[None]:
        """Two pulls of one mailbox: under `exclusive` they already take turns."""
        yield

    def write_reason(self, exc: BaseException) -> str | None:
        return reason(exc)
