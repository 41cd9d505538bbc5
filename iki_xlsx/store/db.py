"""The store: every returned file kept byte for byte, and who sent what, in a database.

Two databases, one interface. The embedded default is SQLite: a store folder
    iki.sqlite                 submissions (their id is the receipt order), findings, accepted
                               input values, expected units, IMAP messages already taken
                               (account, folder, UIDVALIDITY, UID), and the register: workbooks
                               generated, what was sent where, blueprint versions by hash
    berkas/ab/abcdef...        raw files, content-addressed by SHA-256, never overwritten
A server keeps the same tables in PostgreSQL (`Store(folder, database=PostgresLocation(...),
raw=FOLDER)`, chosen by `[basis_data]` in iki.toml) and its raw files in a folder of its own;
there many writers work at once (several web workers, a CLI collect, an IMAP pull).

Raw files are written to a temporary name and renamed into place before the database
row that names them is committed in one transaction, so a collect killed at any
moment leaves a consistent store, and running it again completes the work. A file is
recorded once: `submission.sha256` is unique, and a second writer that checked the same
bytes at the same time finds them recorded and counts its copy as a duplicate.

Every SQL statement of the library lives in the `store` package, as a method of `Store`
(and the mover, `store.move`); callers get dataclasses, rows or data frames, never a cursor.
The statements are written once in the SQL both databases share (`store.sql`); the schema
and its migrations are in `store.schema`, the databases' differences in `store.sqlite` and
`store.postgres`.
"""

from __future__ import annotations

import datetime
import json
import math
import numbers
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code, Severity
from iki_xlsx.core.errors import StoreBroken, StoreBusy, StoreError, StoreUnwritable
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.states import AnswerState, Kind, Status
from iki_xlsx.core.units import Unit
from iki_xlsx.store.accounts import AccountRecords
from iki_xlsx.store.audit import AuditRecords
from iki_xlsx.store.location import PostgresLocation
from iki_xlsx.store.schema import MIGRATIONS, Migration, migrate
from iki_xlsx.store.signoff import SignoffRecords
from iki_xlsx.store.sql import Database, Row
from iki_xlsx.store.sqlite import DATABASE_NAME, SqliteBackend, schema_version

__all__ = ["MIGRATIONS", "PostgresLocation", "Received", "Store",
           "StoreBroken", "StoreBusy", "StoreError", "StoreUnwritable", "as_text", "migrate",
           "schema_version"]

if TYPE_CHECKING:
    import pandas as pd

    from iki_xlsx.store.postgres import PostgresBackend



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
    automatic: str | None = None  # why a machine sent the e-mail it came in (never answered)


@dataclass(frozen=True)
class SubmissionRow:
    """One stored submission as the database holds it (`status`: the check's verdict)."""

    id: int
    sha256: str
    filename: str
    source: str
    status: Status
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
class OfficeFile:
    """A file the office typed for itself, as the store keeps it: `id` is the store's
    sequence, `model` what was read from it (JSON), its bytes under berkas/ by `sha256`."""

    id: int
    kind: str  # target | realisasi
    sha256: str
    filename: str
    blueprint: str
    tahun: int
    model: str
    recorded_at: str


@dataclass(frozen=True)
class OwedAnswer:
    """An answer the office owes: its key ("never twice"), its kind, and the return it
    answers (or, for an e-mail without a workbook, that e-mail as JSON in `pesan`)."""

    id: int
    kunci: str
    jenis: str
    submission_id: int | None
    pesan: str | None


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
    stored = SubmissionRow(*row)
    return replace(stored, status=Status(stored.status))


def utc_text(moment: datetime.datetime | None = None) -> str:
    """A moment (now by default) as the store writes times: UTC, milliseconds, `Z`."""
    moment = (moment or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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


def _frame(table: tuple[list[str], list[Row]]) -> pd.DataFrame:
    """Rows as a data frame, the same from both databases."""
    import pandas as pd

    names, rows = table
    return pd.DataFrame.from_records(rows, columns=names, coerce_float=True)


# --- the store -------------------------------------------------------------------------------


class Store:
    """A store: raw files by hash plus a database (SQLite in `folder`, or PostgreSQL).

    `folder` also keeps what is not the database's (the send log, annotated copies). Every
    method opens the database for its own use unless the caller holds it open with
    `with store.connect():` (per thread), as a collect does for a whole batch.
    """

    def __init__(self, folder: Path, *, database: PostgresLocation | None = None,
                 raw: Path | None = None, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.folder = folder
        self.raw = raw if raw is not None else folder / "berkas"
        self.location = database
        self.migrations = migrations
        self.database = folder / DATABASE_NAME  # the SQLite file (unused on PostgreSQL)
        self._backend: SqliteBackend | PostgresBackend
        if database is None:
            self._backend = SqliteBackend(folder, migrations)
        else:
            from iki_xlsx.store.postgres import PostgresBackend

            self._backend = PostgresBackend(database, self.raw, migrations)
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {"folder": self.folder, "database": self.location, "raw": self.raw}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["folder"], database=state["database"],  # type: ignore[misc]
                      raw=state["raw"])

    @property
    def kind(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._backend.name

    def describe(self) -> str:
        """Where the store is, for messages: its folder, or the server and database."""
        return self._backend.describe()

    def exists(self) -> bool:
        """Whether anything was ever stored (a page that only reads must not create it)."""
        return self._backend.exists()

    def raw_path(self, sha256: str) -> Path:
        return self.raw / sha256[:2] / sha256

    @property
    def accounts(self) -> AccountRecords:
        """The accounts kept in this store (people, roles, sessions, tokens, failed logins)."""
        return AccountRecords(self)

    @property
    def signoff(self) -> SignoffRecords:
        """The sign-off kept in this store (reviews of returns, periods closed and reopened)."""
        return SignoffRecords(self)

    @property
    def audit(self) -> AuditRecords:
        """The audit trail kept in this store (append-only, chained)."""
        return AuditRecords(self)

    # --- connection, lock, transaction ---

    @contextmanager
    def connect(self) -> Iterator[Store]:
        """Hold the database open (migrated to the latest schema) for the calls within."""
        held: Database | None = getattr(self._local, "db", None)
        if held is not None:
            yield self
            return
        self._local.db = self._backend.open()
        try:
            yield self
        finally:
            db, self._local.db = self._local.db, None
            self._backend.release(db)

    @contextmanager
    def _db(self) -> Iterator[Database]:
        with self.connect():
            yield self._local.db

    def check_writable(self) -> None:
        """Before a collect writes: the database is intact and can be written (and on
        PostgreSQL, the raw-file folder too); otherwise nothing is written and the reason is
        said."""
        with self._db() as db:
            self._backend.check_writable(db)

    def check_intact(self) -> None:
        """Before a report (status, history, recap): the database is intact (SQLite's
        `PRAGMA quick_check`); `StoreBroken` otherwise, so nothing is reported from it."""
        with self._db() as db:
            self._backend.check_intact(db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The calls within are committed together or not at all (within a transaction
        already open, they are part of it)."""
        with self._db() as db:
            if getattr(self._local, "in_transaction", False):
                yield
                return
            self._local.in_transaction = True
            try:
                db.statement(db.dialect.begin)
                try:
                    yield
                except BaseException:
                    with suppress(Exception):
                        db.statement("ROLLBACK")
                    raise
                db.statement("COMMIT")
            except Exception as exc:
                why = self._backend.write_reason(exc)
                if why is None:
                    raise
                with suppress(Exception):
                    db.statement("ROLLBACK")
                raise StoreUnwritable(f"penyimpanan {self.describe()} tidak dapat ditulis "
                                      f"({why}); tidak ada yang tercatat setengah jalan, "
                                      "jalankan collect lagi setelah diperbaiki") from None
            finally:
                self._local.in_transaction = False

    def schema_version(self) -> int:
        with self._db() as db:
            return db.dialect.version(db)

    @contextmanager
    def exclusive(self, wait: bool = True) -> Iterator[None]:
        """A collect's hold on the store, with the database open for it. On SQLite only one
        collect writes at a time (the second waits, or fails clearly); on PostgreSQL many do,
        and this only keeps `tidy` from taking another writer's files."""
        with self._backend.exclusive(self._db, wait):
            yield

    @contextmanager
    def alone(self) -> Iterator[None]:
        """No other writer at work while the block runs (collects wait for it to end)."""
        with self._db() as db, self._backend.alone(db):
            yield

    @contextmanager
    def sql(self) -> Iterator[Database]:
        """The open database itself: for the store package's own modules (the mover), never
        for callers outside it."""
        with self._db() as db:
            yield db

    @contextmanager
    def mailbox(self, name: str) -> Iterator[None]:
        """One pull at a time from the mailbox `name` (on SQLite `exclusive` already does)."""
        with self._db() as db, self._backend.mailbox(db, name):
            yield

    # --- raw files ---

    def tidy(self) -> None:
        """Remove what a killed collect may leave: temporary files and check aliases (only
        when no other writer is at work). Call only while holding `exclusive()`."""
        if not self.raw.exists():
            return
        with self._db() as db, self._backend.tidying(db) as alone:
            if not alone:
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
            where = self.folder if self.location is None else self.raw
            raise StoreUnwritable(f"berkas asli tidak dapat disimpan di {where} "
                                  f"({os_reason(exc)}); tidak ada yang tercatat setengah jalan, "
                                  "jalankan collect lagi setelah diperbaiki") from None

    # --- submissions: writing ---

    def known(self, sha256: str) -> bool:
        with self._db() as db:
            return db.one("SELECT 1 FROM submission WHERE sha256 = ?", (sha256,)) is not None

    def add_submission(self, received: Received, sha256: str,
                       checked: CheckedFile) -> int | None:
        """Record a checked file with its findings and input values; its id, which is the
        store's sequence number: the order in which files were received. None when the same
        file was recorded meanwhile by another writer (nothing is recorded twice)."""
        with self._db() as db:
            submission = db.value(
                "INSERT INTO submission (sha256, filename, source, sender, subject, received_at,"
                " status, blueprint, unit_kode, unit_nama, periode, blueprint_hash,"
                " blueprint_versi, message_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (sha256) DO NOTHING RETURNING id",
                (sha256, received.filename, received.source, received.sender, received.subject,
                 received.received_at, str(checked.status), checked.blueprint,
                 checked.unit_kode, checked.unit, checked.periode, checked.blueprint_hash,
                 checked.blueprint_versi, received.message_id))
            if submission is None:
                return None
            self.add_findings(submission, checked.findings)
            db.many("INSERT INTO nilai (submission_id, sheet_code, cell, key, value)"
                    " VALUES (?,?,?,?,?)",
                    [(submission, code, ref, key, as_text(value))
                     for code, ref, key, value in checked.inputs])
            return int(submission)

    def add_findings(self, submission: int, findings: Iterable[Finding]) -> None:
        with self._db() as db:
            db.many(
                "INSERT INTO finding (submission_id, code, severity, sheet, cell, expected,"
                " found, message) VALUES (?,?,?,?,?,?,?,?)",
                [(submission, f.code, str(f.severity), f.sheet, f.cell, as_text(f.expected),
                  as_text(f.found), f.message) for f in findings])

    # --- the register: what the office generated and sent ---

    def archive_blueprint(self, archived: Archived) -> None:
        """Keep a blueprint version by its content hash (the first text kept stays)."""
        with self._db() as db:
            db.run("INSERT INTO blueprint_archive (hash, blueprint, versi, model, source)"
                   " VALUES (?,?,?,?,?) ON CONFLICT (hash) DO NOTHING",
                   (archived.hash, archived.blueprint, archived.versi, archived.model,
                    archived.source))

    def archived_blueprints(self) -> list[Archived]:
        with self._db() as db:
            return [Archived(*row) for row in db.rows(
                "SELECT hash, blueprint, versi, model, source FROM blueprint_archive "
                "ORDER BY archived_at, hash")]

    def record_generated(self, workbooks: Iterable[Generated]) -> None:
        """Register one generate run; the recipients that got a workbook become the expected
        units of its blueprint and periode, with the addresses of the office's unit list."""
        rows = list(workbooks)
        with self._db() as db, self.transaction():
            db.dialect.lock(db, "generated")  # one batch number per run, whoever runs at once
            batch = db.value("SELECT COALESCE(MAX(batch), 0) + 1 FROM generated")
            db.many(
                "INSERT INTO generated (blueprint, blueprint_hash, periode, unit_kode, unit_nama,"
                " email, kantor, batch, sha256, filename, workbook)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(g.blueprint, g.blueprint_hash, g.periode, g.unit.kode, g.unit.nama,
                  g.unit.email, int(g.unit.kantor), batch, g.sha256, g.filename,
                  int(g.workbook)) for g in rows])
            db.many("INSERT INTO expected_unit (blueprint, periode, kode, nama, email, kantor)"
                    " VALUES (?,?,?,?,?,?) ON CONFLICT (blueprint, periode, kode) DO UPDATE"
                    " SET nama = excluded.nama, email = excluded.email,"
                    " kantor = excluded.kantor",
                    [(g.blueprint, g.periode, g.unit.kode, g.unit.nama, g.unit.email,
                      int(g.unit.kantor)) for g in rows if g.workbook])

    def has_register(self) -> bool:
        with self._db() as db:
            return db.one("SELECT 1 FROM generated LIMIT 1") is not None

    def registered(self) -> list[Generated]:
        """Every recipient of every generate run, in the order written."""
        with self._db() as db:
            return [Generated(bp, digest, periode, Unit(kode, nama, email, bool(kantor)), sha,
                              name, batch, bool(workbook))
                    for bp, digest, periode, kode, nama, email, kantor, sha, name, batch, workbook
                    in db.rows(
                        "SELECT blueprint, blueprint_hash, periode, unit_kode, unit_nama, email,"
                        " kantor, sha256, filename, batch, workbook FROM generated ORDER BY id")]

    def record_sent(self, unit_kode: str, email: str, sha256: str, filename: str,
                    message_id: str | None, result: str) -> None:
        with self._db() as db:
            db.run("INSERT INTO sent (unit_kode, email, sha256, filename, message_id, result)"
                   " VALUES (?,?,?,?,?,?)",
                   (unit_kode, email, sha256, filename, message_id, result))

    def sent_addresses(self, unit_kode: str) -> set[str]:
        """Every address a workbook of this unit was sent or written to, lower-cased."""
        with self._db() as db:
            return {str(e).lower() for (e,) in db.rows(
                "SELECT DISTINCT email FROM sent WHERE unit_kode=? AND result IN "
                "('terkirim', 'ditulis')", (unit_kode,))}

    # --- expected units ---

    def expected_units(self, blueprint: str, periode: int) -> list[Unit]:
        """The units expected to return, the office last, each group by kode."""
        with self._db() as db:
            return [Unit(kode, nama, email, bool(kantor)) for kode, nama, email, kantor in
                    db.rows("SELECT kode, nama, email, kantor FROM expected_unit "
                            "WHERE blueprint=? AND periode=? ORDER BY kantor, kode",
                            (blueprint, periode))]

    def expected_unit(self, blueprint: str, periode: int, kode: str) -> Unit | None:
        with self._db() as db:
            row = db.one("SELECT kode, nama, email, kantor FROM expected_unit "
                         "WHERE blueprint=? AND periode=? AND kode=?", (blueprint, periode, kode))
        return None if row is None else Unit(row[0], row[1], row[2], bool(row[3]))

    # --- submissions: reading ---

    def periods(self) -> list[tuple[str, int]]:
        """Every (blueprint, periode) with expected units or a submission, sorted."""
        with self._db() as db:
            return [(str(bp), int(periode)) for bp, periode in db.rows(
                "SELECT DISTINCT blueprint, periode FROM expected_unit UNION "
                "SELECT DISTINCT blueprint, periode FROM submission WHERE blueprint IS NOT NULL "
                "AND periode IS NOT NULL ORDER BY 1, 2")]

    def unidentified(self) -> list[SubmissionRow]:
        """Submissions whose blueprint or periode is unknown, in the order they came."""
        with self._db() as db:
            return [_submission(r) for r in db.rows(
                f"SELECT {_SUBMISSION} WHERE s.blueprint IS NULL OR s.periode IS NULL "
                "ORDER BY s.id")]

    def submissions_of(self, blueprint: str, periode: int) -> list[SubmissionRow]:
        """The submissions of one blueprint and periode, in the order they arrived."""
        with self._db() as db:
            return [_submission(r) for r in db.rows(
                f"SELECT {_SUBMISSION} WHERE s.blueprint=? AND s.periode=? {_ARRIVAL}",
                (blueprint, periode))]

    def submission(self, sha256: str) -> SubmissionRow | None:
        """The submission of this file, if it was collected."""
        with self._db() as db:
            row = db.one(f"SELECT {_SUBMISSION} WHERE s.sha256 = ?", (sha256,))
        return None if row is None else _submission(row)

    def message_id(self, submission: int) -> str | None:
        """The Message-ID of the e-mail a submission came in (None: not by e-mail, or
        collected before Message-IDs were kept)."""
        with self._db() as db:
            found = db.value("SELECT message_id FROM submission WHERE id = ?", (submission,))
        return None if found is None else str(found)

    def all_expected_units(self) -> list[tuple[str, int, Unit]]:
        """Every unit of every period's list: (blueprint, periode, unit)."""
        with self._db() as db:
            return [(bp, periode, Unit(kode, nama, email, bool(kantor)))
                    for bp, periode, kode, nama, email, kantor in db.rows(
                        "SELECT blueprint, periode, kode, nama, email, kantor FROM expected_unit "
                        "ORDER BY blueprint, periode, kantor, kode")]

    def submissions(self, unit_kode: str | None = None) -> list[SubmissionRow]:
        """Every submission (of one unit, by kode) in the order it arrived."""
        with self._db() as db:
            if unit_kode is None:
                rows = db.rows(f"SELECT {_SUBMISSION} {_ARRIVAL}")
            else:
                rows = db.rows(f"SELECT {_SUBMISSION} WHERE s.unit_kode = ? {_ARRIVAL}",
                               (unit_kode,))
            return [_submission(r) for r in rows]

    def findings(self, submission: int | None = None, *, severity: Severity | None = None,
                 code: Code | None = None) -> list[StoredFinding]:
        """Stored findings in the order recorded, optionally of one submission, severity or
        code."""
        wanted = [(column, value) for column, value in
                  (("submission_id", submission), ("severity", severity and str(severity)),
                   ("code", code and str(code)))
                  if value is not None]
        where = " AND ".join(f"{column} = ?" for column, _ in wanted) or "1 = 1"
        with self._db() as db:
            return [StoredFinding(*row) for row in db.rows(
                "SELECT submission_id, code, severity, sheet, cell, message FROM finding "
                f"WHERE {where} ORDER BY rowid", [value for _, value in wanted])]

    # --- for the recap (data frames) ---

    def accepted_frame(self) -> pd.DataFrame:
        """Every accepted identified submission: id, sha256, blueprint, periode, unit_kode,
        unit_nama, filename, sender, subject, diterima (when the office took it in: the
        store's clock, never the e-mail's sender-written Date), urutan (the store's
        sequence number), versi (of the blueprint the file was made from)."""
        with self._db() as db:
            return _frame(db.table(
                "SELECT id, sha256, blueprint, periode, unit_kode, unit_nama, filename, "
                "sender, subject, collected_at AS diterima, id AS urutan,"
                " blueprint_versi AS versi "
                "FROM submission WHERE status = ? AND blueprint IS NOT NULL ORDER BY id",
                (str(Status.OK),)))

    def values_frame(self, submissions: Sequence[int]) -> pd.DataFrame:
        """The input values of the given submissions: id, lembar, sel, key, value (JSON)."""
        with self._db() as db:
            placeholders = ",".join("?" * len(submissions)) or "NULL"
            return _frame(db.table(
                f"SELECT submission_id AS id, sheet_code AS lembar, cell AS sel, key, value "
                f"FROM nilai WHERE submission_id IN ({placeholders}) ORDER BY submission_id, rowid",
                [int(i) for i in submissions]))

    def arrivals_frame(self, blueprint: str, periode: int) -> pd.DataFrame:
        """Every submission of one blueprint and periode: unit_kode, status, waktu (when the
        office took it in), id."""
        with self._db() as db:
            return _frame(db.table(
                "SELECT unit_kode, status, collected_at AS waktu, id "
                "FROM submission WHERE blueprint=? AND periode=? ORDER BY id",
                (blueprint, periode)))

    # --- the office's own files: targets, last year's realisasi ---

    def record_office_file(self, kind: str, sha256: str, filename: str, blueprint: str,
                           tahun: int, model: str) -> tuple[int, bool]:
        """Record a file the office typed (its raw bytes already kept by `keep_raw`); the same
        bytes twice are one record. Its sequence number, and whether it is new."""
        with self._db() as db:
            new = db.value(
                "INSERT INTO office_file (kind, sha256, filename, blueprint, tahun, model)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (kind, sha256) DO NOTHING RETURNING id",
                (kind, sha256, filename, blueprint, tahun, model))
            if new is not None:
                return int(new), True
            return int(db.value("SELECT id FROM office_file WHERE kind=? AND sha256=?",
                                (kind, sha256))), False

    def office_files(self, kind: str, blueprint: str | None = None,
                     tahun: int | None = None) -> list[OfficeFile]:
        """The office's files of one kind (of one blueprint and year), in the order recorded."""
        wanted = [(column, value) for column, value in
                  (("kind", kind), ("blueprint", blueprint), ("tahun", tahun))
                  if value is not None]
        where = " AND ".join(f"{column} = ?" for column, _ in wanted)
        with self._db() as db:
            return [OfficeFile(*row) for row in db.rows(
                "SELECT id, kind, sha256, filename, blueprint, tahun, model, recorded_at "
                f"FROM office_file WHERE {where} ORDER BY id", [v for _, v in wanted])]

    # --- answers owed by e-mail ---

    def owe_answer(self, kunci: str, jenis: Kind, submission: int | None = None,
                   pesan: str | None = None) -> None:
        """Record an answer as owed (once per key: the same key again changes nothing)."""
        with self._db() as db:
            db.run("INSERT INTO answer (kunci, jenis, submission_id, pesan) VALUES (?,?,?,?)"
                   " ON CONFLICT (kunci) DO NOTHING", (kunci, str(jenis), submission, pesan))

    def owed_answers(self) -> list[OwedAnswer]:
        """Every answer still owed, in the order it was owed."""
        with self._db() as db:
            return [OwedAnswer(*row) for row in db.rows(
                "SELECT id, kunci, jenis, submission_id, pesan FROM answer "
                "WHERE state = ? ORDER BY id", (str(AnswerState.OWED),))]

    def settle_answer(self, kunci: str, state: AnswerState, penerima: str | None,
                      keterangan: str | None = None) -> None:
        """An owed answer sent (`terkirim`) or left out (`digabung`, `dilewati`), and to whom."""
        with self._db() as db:
            db.run("UPDATE answer SET state = ?, penerima = ?, keterangan = ?, done_at = ? "
                   "WHERE kunci = ?", (str(state), penerima, keterangan, utc_text(), kunci))

    def answered_since(self, penerima: str, jenis: str, since: str) -> bool:
        """Whether `penerima` was sent an answer of this kind at or after `since` (UTC text)."""
        with self._db() as db:
            return db.one("SELECT 1 FROM answer WHERE penerima = ? AND jenis = ? AND "
                          "state = ? AND done_at >= ?",
                          (penerima, jenis, str(AnswerState.SENT), since)
                          ) is not None

    def submission_by_id(self, submission: int) -> SubmissionRow | None:
        with self._db() as db:
            row = db.one(f"SELECT {_SUBMISSION} WHERE s.id = ?", (submission,))
        return None if row is None else _submission(row)

    # --- IMAP ---

    def imap_taken(self, account: str, folder: str, uidvalidity: int) -> set[int]:
        with self._db() as db:
            return {int(uid) for (uid,) in db.rows(
                "SELECT uid FROM imap_taken WHERE account=? AND folder=? AND uidvalidity=?",
                (account, folder, uidvalidity))}

    def mark_imap_taken(self, account: str, folder: str, uidvalidity: int, uid: int) -> None:
        with self._db() as db:
            db.run("INSERT INTO imap_taken (account, folder, uidvalidity, uid) "
                   "VALUES (?,?,?,?) ON CONFLICT DO NOTHING", (account, folder, uidvalidity, uid))
