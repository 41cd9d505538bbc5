"""The store: every returned file kept byte for byte, and who sent what, in SQLite.

Layout of a store folder:
    iki.sqlite                 submissions (their id is the receipt order), findings, accepted
                               input values, expected units, IMAP messages already taken
                               (account, folder, UIDVALIDITY, UID), and the register: workbooks
                               generated, what was sent where, blueprint versions by hash
    berkas/ab/abcdef...        raw files, content-addressed by SHA-256, never overwritten

Raw files are written to a temporary name and renamed into place before the database
row that names them is committed in one transaction, so a collect killed at any
moment leaves a consistent store, and running it again completes the work.

Every SQL statement of the library lives in this module, as a method of `Store`; callers
get dataclasses, rows or data frames, never a cursor.

Schema versions and migrations
------------------------------
The schema's version is SQLite's `PRAGMA user_version`: 0 for a store written before
versions existed, then the number of migrations applied. `MIGRATIONS` is the ordered list
of every migration ever made; migration *n* (1-based) takes a store from version n-1 to n.
Opening a store applies the missing ones in ONE transaction together with the new
`user_version`, so a crash or a failing migration leaves the store exactly as it was
(SQLite DDL is transactional), and two processes opening an old store at once migrate it
once (the second sees the new version after taking the write lock). A store from a newer
release (a version above `len(MIGRATIONS)`) is refused, never downgraded.

To change the schema, append ONE function to `MIGRATIONS` and never edit an earlier one:

    def _v2_register(db: sqlite3.Connection) -> None:
        \"\"\"The register: every workbook generated, by unit, blueprint hash and periode.\"\"\"
        _script(db, '''
            CREATE TABLE generated (...);
            CREATE INDEX generated_unit ON generated (blueprint, periode, unit_kode);
        ''')

    MIGRATIONS = [_v1_initial, _v2_register]

A migration runs inside the transaction: use `db.execute` or `_script` (which splits on
`;`), never `executescript` (it commits) and never `BEGIN`/`COMMIT`. Then add the `Store`
methods that read and write the new tables, and a test that opens
tests/fixtures/store-v1 (a store made before versions) and finds the new tables working.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from iki_xlsx.core import codes
from iki_xlsx.core.atomic import atomic_write, exclusive_lock
from iki_xlsx.core.errors import StoreBroken, StoreBusy, StoreError, StoreUnwritable
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.units import Unit

__all__ = ["SENDER_MISMATCH", "Received", "Store", "StoreBroken", "StoreBusy", "StoreError",
           "StoreUnwritable", "as_text"]

if TYPE_CHECKING:
    import pandas as pd

SENDER_MISMATCH = str(codes.SENDER_MISMATCH)  # finding code: returned from another address


# --- schema ----------------------------------------------------------------------------------


def _script(db: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements inside the current transaction (no triggers here)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1_initial(db: sqlite3.Connection) -> None:
    """The schema of the first release; `IF NOT EXISTS` lets it adopt a store of that
    release (user_version 0) as version 1 without touching its data."""
    _script(db, """
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
CREATE INDEX IF NOT EXISTS nilai_submission ON nilai (submission_id)
""")


def _v2_register(db: sqlite3.Connection) -> None:
    """The register (the office's own record of what it generated and sent), the blueprint
    versions archived by content hash, and each submission's blueprint version."""
    _script(db, """
CREATE TABLE blueprint_archive (
    hash TEXT PRIMARY KEY,
    blueprint TEXT NOT NULL,
    versi TEXT NOT NULL,
    model TEXT NOT NULL,
    source TEXT,
    archived_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE generated (
    id INTEGER PRIMARY KEY,
    blueprint TEXT NOT NULL,
    blueprint_hash TEXT NOT NULL REFERENCES blueprint_archive(hash),
    periode INTEGER NOT NULL,
    unit_kode TEXT NOT NULL,
    unit_nama TEXT NOT NULL,
    email TEXT,
    kantor INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    generated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX generated_period ON generated (blueprint, periode, unit_kode);
CREATE TABLE sent (
    id INTEGER PRIMARY KEY,
    unit_kode TEXT NOT NULL,
    email TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    message_id TEXT,
    result TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX sent_unit ON sent (unit_kode);
ALTER TABLE submission ADD COLUMN blueprint_hash TEXT;
ALTER TABLE submission ADD COLUMN blueprint_versi TEXT
""")



def _v3_message_id(db: sqlite3.Connection) -> None:
    """The returned e-mail's Message-ID, so an answer threads under it (In-Reply-To)."""
    db.execute("ALTER TABLE submission ADD COLUMN message_id TEXT")


def _v4_recipients_without_workbook(db: sqlite3.Connection) -> None:
    """A generate run's units list includes recipients with nothing to fill: they get no
    workbook (`workbook` 0, no file) and are not expected back, yet the others' workbooks were
    planned with them (the office's rows per kelurahan)."""
    db.execute("ALTER TABLE generated ADD COLUMN workbook INTEGER NOT NULL DEFAULT 1")


Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = [_v1_initial, _v2_register, _v3_message_id,
                               _v4_recipients_without_workbook]


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database to the latest version in one transaction; the version it had."""
    if schema_version(db) == len(migrations):
        return len(migrations)
    db.execute("BEGIN IMMEDIATE")  # the write lock first: a concurrent opener migrates once
    try:
        found = schema_version(db)
        if found > len(migrations):
            raise StoreBroken(f"penyimpanan ini dibuat oleh iki-xlsx yang lebih baru (skema "
                              f"versi {found}, versi ini mengenal sampai {len(migrations)}); "
                              "perbarui iki-xlsx")
        for migration in migrations[found:]:
            migration(db)
        db.execute(f"PRAGMA user_version = {len(migrations)}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return found


class CheckedFile(Protocol):
    """What the store records of a checked file (the checker's `FileResult` is one): the
    store knows the shape of a verdict, not the checker."""

    @property
    def status(self) -> object: ...
    @property
    def blueprint(self) -> str | None: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def unit_kode(self) -> str | None: ...
    @property
    def periode(self) -> int | None: ...
    @property
    def blueprint_hash(self) -> str | None: ...
    @property
    def blueprint_versi(self) -> str | None: ...
    @property
    def findings(self) -> Sequence[Finding]: ...
    @property
    def inputs(self) -> Sequence[tuple[str, str, str, Any]]: ...


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One file as it arrived: its bytes and what is known of how it came."""

    filename: str
    data: bytes
    source: str
    sender: str | None = None
    subject: str | None = None
    received_at: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class SubmissionRow:
    """One stored submission as the database holds it (`status` is the check's word)."""

    id: int
    sha256: str
    filename: str
    source: str
    status: str
    blueprint: str | None
    periode: int | None
    unit_kode: str | None
    unit_nama: str | None
    sender: str | None
    subject: str | None
    received_at: str | None
    collected_at: str
    errors: int = 0  # findings of severity error


@dataclass(frozen=True)
class Archived:
    """A blueprint version as archived when workbooks were generated from it."""

    hash: str
    blueprint: str
    versi: str
    model: str  # the canonical JSON the content hash is computed over
    source: str | None  # the file's text as the office wrote it (YAML), when known


@dataclass(frozen=True)
class Generated:
    """One recipient of a generate run, as the register keeps it; `batch` numbers the
    generate runs (the workbooks of one run share their units list). A recipient with nothing
    to fill has `workbook` False, no file (`sha256` and `filename` empty) and is not expected
    back."""

    blueprint: str
    blueprint_hash: str
    periode: int
    unit: Unit
    sha256: str
    filename: str
    batch: int = 0
    workbook: bool = True


@dataclass(frozen=True)
class StoredFinding:
    """A finding as kept with its submission."""

    submission_id: int
    code: str
    severity: str
    sheet: str | None
    cell: str | None
    message: str


_SUBMISSION = ("s.id, s.sha256, s.filename, s.source, s.status, s.blueprint, s.periode, "
               "s.unit_kode, s.unit_nama, s.sender, s.subject, s.received_at, s.collected_at, "
               "(SELECT COUNT(*) FROM finding f WHERE f.submission_id = s.id "
               "AND f.severity = 'error') FROM submission s")
_ARRIVAL = "ORDER BY s.id"  # the store's own sequence: the order files were received


def _submission(row: Sequence[Any]) -> SubmissionRow:
    return SubmissionRow(*row)


def as_text(value: Any) -> str | None:
    """Values stored as JSON text, so types survive the trip (numbers stay numbers).

    A number that is not finite (NaN, +-Infinity) has no JSON form and is stored as NULL.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return json.dumps(value, ensure_ascii=False, default=str, allow_nan=False)


def from_store(raw: Any, *, encoded: bool = False) -> str | float | bool | None:
    """One stored value as Python: the single place a reader of the store turns what SQLite
    (directly or through pandas) hands back into a value.

    NULL, None, NaN and pandas' NA are None (pandas 3 reads NULL as NaN); numbers that are
    not finite are None too (nothing outside Excel's range reaches a recap). With `encoded`,
    text is the JSON `as_text` wrote (a cell's value: number, text or Ya/Tidak kept apart);
    text that is not JSON stays text, and NaN/Infinity (as an older store wrote them) are None.
    """
    if raw is None or type(raw).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, numbers.Real):
        number = float(raw)
        return number if math.isfinite(number) else None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    text = str(raw)
    if not encoded:
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float):
        return from_store(value)
    return text


def _unwritable(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def _sqlite_reason(exc: sqlite3.OperationalError) -> str:
    text = str(exc).lower()
    if "full" in text:
        return "disk penuh"
    if "readonly" in text or "read-only" in text:
        return "hanya dapat dibaca"
    return "galat basis data"


# --- the store -------------------------------------------------------------------------------


class Store:
    """A store folder: raw files plus an SQLite database.

    Every method opens the database for its own use unless the caller holds it open with
    `with store.connect():` (per thread), as a collect does for a whole batch.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.raw = folder / "berkas"
        self.database = folder / "iki.sqlite"
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {"folder": self.folder}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["folder"])  # type: ignore[misc]

    def raw_path(self, sha256: str) -> Path:
        return self.raw / sha256[:2] / sha256

    # --- connection, lock, transaction ---

    @contextmanager
    def connect(self) -> Iterator[Store]:
        """Hold the database open (migrated to the latest schema) for the calls within."""
        held: sqlite3.Connection | None = getattr(self._local, "db", None)
        if held is not None:
            yield self
            return
        self._local.db = self._open()
        try:
            yield self
        finally:
            self._local.db.close()
            self._local.db = None
            self._local.read_only = False

    def _open(self) -> sqlite3.Connection:
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
        if not os.access(self.folder, os.W_OK) and self.database.exists():
            return self._open_read_only()
        connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            migrate(connection)
        except sqlite3.OperationalError as exc:
            connection.close()
            if _unwritable(exc):
                return self._open_read_only()
            raise self._broken() from None
        except sqlite3.DatabaseError:
            connection.close()
            raise self._broken() from None
        except BaseException:
            connection.close()
            raise
        return connection

    def _open_read_only(self) -> sqlite3.Connection:
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
            if found != len(MIGRATIONS):
                connection.close()
                raise StoreUnwritable(f"penyimpanan {self.folder} hanya dapat dibaca dan perlu "
                                      "diperbarui ke versi ini; buka dengan izin menulis sekali")
            self._local.read_only = True
            return connection
        raise StoreUnwritable(f"penyimpanan {self.folder} tidak dapat dibuka (hanya dapat "
                              "dibaca, dan basis datanya tidak dapat dibaca)")

    def _broken(self) -> StoreBroken:
        return StoreBroken(f"{self.database} bukan basis data penyimpanan iki-xlsx atau rusak; "
                           "jangan ubah berkas itu, pakai folder penyimpanan lain")

    def check_writable(self) -> None:
        """Before a collect writes: the database is intact (`PRAGMA quick_check`) and can be
        written; otherwise nothing is written and the reason is said."""
        with self._db() as db:
            if getattr(self._local, "read_only", False):
                raise StoreUnwritable(f"penyimpanan {self.folder} hanya dapat dibaca; tidak ada "
                                      "yang dapat disimpan (periksa izin folder atau disknya)")
            try:
                rows = db.execute("PRAGMA quick_check").fetchall()
            except sqlite3.DatabaseError:
                rows = [("gagal",)]
            if rows != [("ok",)]:
                raise StoreBroken(f"{self.database} rusak (pemeriksaan keutuhan gagal); tidak "
                                  "ada yang ditulis; pulihkan dari cadangan atau pakai folder "
                                  "penyimpanan lain")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self.connect():
            yield self._local.db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The calls within are committed together or not at all."""
        with self._db() as db:
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    with suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise StoreUnwritable(f"penyimpanan {self.folder} tidak dapat ditulis "
                                      f"({_sqlite_reason(exc)}); tidak ada yang tercatat "
                                      "setengah jalan, jalankan collect lagi setelah "
                                      "diperbaiki") from None

    def schema_version(self) -> int:
        with self._db() as db:
            return schema_version(db)

    @contextmanager
    def exclusive(self, wait: bool = True) -> Iterator[None]:
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
            self.check_writable()
            yield

    # --- raw files ---

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
        try:
            return atomic_write(target, lambda temporary: Path(temporary).write_bytes(data))
        except OSError as exc:
            raise StoreUnwritable(f"berkas asli tidak dapat disimpan di {self.folder} "
                                  f"({os_reason(exc)}); tidak ada yang tercatat setengah jalan, "
                                  "jalankan collect lagi setelah diperbaiki") from None

    # --- submissions: writing ---

    def known(self, sha256: str) -> bool:
        with self._db() as db:
            row = db.execute("SELECT 1 FROM submission WHERE sha256 = ?", (sha256,))
            return row.fetchone() is not None

    def add_submission(self, received: Received, sha256: str, checked: CheckedFile) -> int:
        """Record a checked file with its findings and input values; its id, which is the
        store's sequence number: the order in which files were received."""
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO submission (sha256, filename, source, sender, subject, received_at,"
                " status, blueprint, unit_kode, unit_nama, periode, blueprint_hash,"
                " blueprint_versi, message_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (sha256, received.filename, received.source, received.sender, received.subject,
                 received.received_at, str(checked.status), checked.blueprint,
                 checked.unit_kode, checked.unit, checked.periode, checked.blueprint_hash,
                 checked.blueprint_versi, received.message_id))
            submission = cursor.lastrowid
            assert submission is not None
            self.add_findings(submission, checked.findings)
            db.executemany("INSERT INTO nilai VALUES (?,?,?,?,?)",
                           [(submission, code, ref, key, as_text(value))
                            for code, ref, key, value in checked.inputs])
            return submission

    def add_findings(self, submission: int, findings: Iterable[Finding]) -> None:
        with self._db() as db:
            db.executemany(
                "INSERT INTO finding VALUES (?,?,?,?,?,?,?,?)",
                [(submission, f.code, str(f.severity), f.sheet, f.cell, as_text(f.expected),
                  as_text(f.found), f.message) for f in findings])

    # --- the register: what the office generated and sent ---

    def archive_blueprint(self, archived: Archived) -> None:
        """Keep a blueprint version by its content hash (the first text kept stays)."""
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO blueprint_archive (hash, blueprint, versi, model,"
                       " source) VALUES (?,?,?,?,?)", (archived.hash, archived.blueprint,
                                                        archived.versi, archived.model,
                                                        archived.source))

    def archived_blueprints(self) -> list[Archived]:
        with self._db() as db:
            return [Archived(*row) for row in db.execute(
                "SELECT hash, blueprint, versi, model, source FROM blueprint_archive "
                "ORDER BY archived_at, hash")]

    def record_generated(self, workbooks: Iterable[Generated]) -> None:
        """Register one generate run; the recipients that got a workbook become the expected
        units of its blueprint and periode, with the addresses of the office's unit list."""
        with self._db() as db:
            rows = list(workbooks)
            batch = db.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM generated").fetchone()[0]
            db.executemany(
                "INSERT INTO generated (blueprint, blueprint_hash, periode, unit_kode, unit_nama,"
                " email, kantor, batch, sha256, filename, workbook)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(g.blueprint, g.blueprint_hash, g.periode, g.unit.kode, g.unit.nama,
                  g.unit.email, int(g.unit.kantor), batch, g.sha256, g.filename,
                  int(g.workbook)) for g in rows])
            db.executemany("INSERT OR REPLACE INTO expected_unit VALUES (?,?,?,?,?,?)",
                           [(g.blueprint, g.periode, g.unit.kode, g.unit.nama, g.unit.email,
                             int(g.unit.kantor)) for g in rows if g.workbook])

    def has_register(self) -> bool:
        with self._db() as db:
            return db.execute("SELECT 1 FROM generated LIMIT 1").fetchone() is not None

    def registered(self) -> list[Generated]:
        """Every recipient of every generate run, in the order written."""
        with self._db() as db:
            return [Generated(bp, digest, periode, Unit(kode, nama, email, bool(kantor)), sha,
                              name, batch, bool(workbook))
                    for bp, digest, periode, kode, nama, email, kantor, sha, name, batch, workbook
                    in db.execute(
                        "SELECT blueprint, blueprint_hash, periode, unit_kode, unit_nama, email,"
                        " kantor, sha256, filename, batch, workbook FROM generated ORDER BY id")]

    def record_sent(self, unit_kode: str, email: str, sha256: str, filename: str,
                    message_id: str | None, result: str) -> None:
        with self._db() as db:
            db.execute("INSERT INTO sent (unit_kode, email, sha256, filename, message_id, result)"
                       " VALUES (?,?,?,?,?,?)",
                       (unit_kode, email, sha256, filename, message_id, result))

    def sent_addresses(self, unit_kode: str) -> set[str]:
        """Every address a workbook of this unit was sent or written to, lower-cased."""
        with self._db() as db:
            return {str(e).lower() for (e,) in db.execute(
                "SELECT DISTINCT email FROM sent WHERE unit_kode=? AND result IN "
                "('terkirim', 'ditulis')", (unit_kode,))}

    # --- expected units ---

    def expected_units(self, blueprint: str, periode: int) -> list[Unit]:
        """The units expected to return, the office last, each group by kode."""
        with self._db() as db:
            return [Unit(kode, nama, email, bool(kantor)) for kode, nama, email, kantor in
                    db.execute("SELECT kode, nama, email, kantor FROM expected_unit "
                               "WHERE blueprint=? AND periode=? ORDER BY kantor, kode",
                               (blueprint, periode))]

    def expected_unit(self, blueprint: str, periode: int, kode: str) -> Unit | None:
        with self._db() as db:
            row = db.execute("SELECT kode, nama, email, kantor FROM expected_unit "
                             "WHERE blueprint=? AND periode=? AND kode=?",
                             (blueprint, periode, kode)).fetchone()
        return None if row is None else Unit(row[0], row[1], row[2], bool(row[3]))

    # --- submissions: reading ---

    def periods(self) -> list[tuple[str, int]]:
        """Every (blueprint, periode) with expected units or a submission, sorted."""
        with self._db() as db:
            return [(str(bp), int(periode)) for bp, periode in db.execute(
                "SELECT DISTINCT blueprint, periode FROM expected_unit UNION "
                "SELECT DISTINCT blueprint, periode FROM submission WHERE blueprint IS NOT NULL "
                "AND periode IS NOT NULL ORDER BY 1, 2")]

    def unidentified(self) -> list[SubmissionRow]:
        """Submissions whose blueprint or periode is unknown, in the order they came."""
        with self._db() as db:
            return [_submission(r) for r in db.execute(
                f"SELECT {_SUBMISSION} WHERE s.blueprint IS NULL OR s.periode IS NULL "
                "ORDER BY s.id")]

    def submissions_of(self, blueprint: str, periode: int) -> list[SubmissionRow]:
        """The submissions of one blueprint and periode, in the order they arrived."""
        with self._db() as db:
            return [_submission(r) for r in db.execute(
                f"SELECT {_SUBMISSION} WHERE s.blueprint=? AND s.periode=? {_ARRIVAL}",
                (blueprint, periode))]

    def submission(self, sha256: str) -> SubmissionRow | None:
        """The submission of this file, if it was collected."""
        with self._db() as db:
            row = db.execute(f"SELECT {_SUBMISSION} WHERE s.sha256 = ?", (sha256,)).fetchone()
        return None if row is None else _submission(row)

    def message_id(self, submission: int) -> str | None:
        """The Message-ID of the e-mail a submission came in (None: not by e-mail, or
        collected before Message-IDs were kept)."""
        with self._db() as db:
            row = db.execute("SELECT message_id FROM submission WHERE id = ?",
                             (submission,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def all_expected_units(self) -> list[tuple[str, int, Unit]]:
        """Every unit of every period's list: (blueprint, periode, unit)."""
        with self._db() as db:
            return [(bp, periode, Unit(kode, nama, email, bool(kantor)))
                    for bp, periode, kode, nama, email, kantor in db.execute(
                        "SELECT blueprint, periode, kode, nama, email, kantor FROM expected_unit "
                        "ORDER BY blueprint, periode, kantor, kode")]

    def submissions(self, unit_kode: str | None = None) -> list[SubmissionRow]:
        """Every submission (of one unit, by kode) in the order it arrived."""
        with self._db() as db:
            return [_submission(r) for r in db.execute(
                f"SELECT {_SUBMISSION} WHERE ? IS NULL OR s.unit_kode = ? {_ARRIVAL}",
                (unit_kode, unit_kode))]

    def findings(self, submission: int | None = None, *, severity: str | None = None,
                 code: str | None = None) -> list[StoredFinding]:
        """Stored findings in the order recorded, optionally of one submission, severity or
        code."""
        with self._db() as db:
            return [StoredFinding(*row) for row in db.execute(
                "SELECT submission_id, code, severity, sheet, cell, message FROM finding "
                "WHERE (?1 IS NULL OR submission_id = ?1) AND (?2 IS NULL OR severity = ?2) "
                "AND (?3 IS NULL OR code = ?3) ORDER BY rowid", (submission, severity, code))]

    # --- for the recap (data frames) ---

    def accepted_frame(self) -> pd.DataFrame:
        """Every accepted identified submission: id, sha256, blueprint, periode, unit_kode,
        unit_nama, filename, sender, subject, diterima (when the office took it in: the
        store's clock, never the e-mail's sender-written Date), urutan (the store's
        sequence number), versi (of the blueprint the file was made from)."""
        import pandas as pd

        with self._db() as db:
            return pd.read_sql_query(
                "SELECT id, sha256, blueprint, periode, unit_kode, unit_nama, filename, "
                "sender, subject, collected_at AS diterima, id AS urutan,"
                " blueprint_versi AS versi "
                "FROM submission WHERE status = 'ok' AND blueprint IS NOT NULL", db)

    def values_frame(self, submissions: Sequence[int]) -> pd.DataFrame:
        """The input values of the given submissions: id, lembar, sel, key, value (JSON)."""
        import pandas as pd

        with self._db() as db:
            placeholders = ",".join("?" * len(submissions))
            return pd.read_sql_query(
                f"SELECT submission_id AS id, sheet_code AS lembar, cell AS sel, key, value "
                f"FROM nilai WHERE submission_id IN ({placeholders})", db,
                params=[int(i) for i in submissions])

    def arrivals_frame(self, blueprint: str, periode: int) -> pd.DataFrame:
        """Every submission of one blueprint and periode: unit_kode, status, waktu (when the
        office took it in), id."""
        import pandas as pd

        with self._db() as db:
            return pd.read_sql_query(
                "SELECT unit_kode, status, collected_at AS waktu, id "
                "FROM submission WHERE blueprint=? AND periode=?", db,
                params=(blueprint, periode))

    # --- IMAP ---

    def imap_taken(self, account: str, folder: str, uidvalidity: int) -> set[int]:
        with self._db() as db:
            return {int(uid) for (uid,) in db.execute(
                "SELECT uid FROM imap_taken WHERE account=? AND folder=? AND uidvalidity=?",
                (account, folder, uidvalidity))}

    def mark_imap_taken(self, account: str, folder: str, uidvalidity: int, uid: int) -> None:
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO imap_taken (account, folder, uidvalidity, uid) "
                       "VALUES (?,?,?,?)", (account, folder, uidvalidity, uid))
