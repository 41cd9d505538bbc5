"""Moving an office's SQLite store onto a PostgreSQL server (`iki-xlsx simpan pindah`).

The raw files first, each written under its hash and read back (its SHA-256 must be its
name), then every row of every table in one transaction on the server, in the order SQLite
wrote them (ids kept: the receipt order stays the store's sequence), compared row by row with
the source before the transaction commits. A target that holds anything is refused; a move
that fails or is killed leaves the server's tables empty, so it can simply be run again. The
SQLite store is left as it was (the office's copy until the server is trusted).

While the move runs, the source store is held as a collect holds it (no collect writes to
it) and the server's writers wait (the store's writer lock, taken alone).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.errors import StoreError, StoreUnwritable, UsageError
from iki_xlsx.core.findings import os_reason
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.store.db import Store
from iki_xlsx.store.sql import Database, Row

BATCH_ROWS = 2000
_RAW_NAME = re.compile(r"[0-9a-f]{64}")


@dataclass
class TableMoved:
    """One table: how many rows were copied, and whether each equals its source row."""

    name: str
    rows: int
    same: bool = True
    first_difference: int | None = None  # 1-based position of the first row that differs


@dataclass
class MoveResult:
    """What a move did: tables and raw files, and what could not be carried over whole."""

    source: str
    target: str
    raw: Path
    tables: list[TableMoved] = field(default_factory=list)
    files: int = 0  # raw files written (or found) on the server and verified by hash
    missing: list[str] = field(default_factory=list)  # sha256 named by a row, file gone
    damaged: list[str] = field(default_factory=list)  # sha256 whose source bytes differ

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    @property
    def committed(self) -> bool:
        return all(table.same for table in self.tables)

    @property
    def ok(self) -> bool:
        return self.committed and not self.missing and not self.damaged


class TargetNotEmpty(UsageError):
    """The server's store already holds something: nothing is moved."""


def move_store(source: Store, target: Store, progress: Progress = no_progress) -> MoveResult:
    """Move the SQLite store `source` into the PostgreSQL store `target` (see the module).

    Raises `UsageError` when `source` is not an SQLite store that exists or `target` is not
    on PostgreSQL, `TargetNotEmpty` when the target holds anything, `StoreError` when either
    cannot be used. `progress(1)` per raw file and per table."""
    if source.location is not None or not source.exists():
        raise UsageError(f"penyimpanan {source.describe()} bukan penyimpanan SQLite yang ada; "
                         "tidak ada yang dipindahkan")
    if target.location is None:
        raise UsageError("tujuan pemindahan harus basis data PostgreSQL (postgresql://...)")
    import psycopg

    from iki_xlsx.store.postgres import failure

    result = MoveResult(source.describe(), target.describe(), target.raw)
    with source.exclusive(), target.sql() as server, target.alone():
        _refuse_filled(target, server)
        with source.sql() as local:
            _move_raw(source, target, local, result, progress)
            try:
                _move_rows(local, server, result, progress)
            except psycopg.Error as exc:
                said = failure(exc, target.describe())
                raise said or StoreError(
                    f"baris tidak dapat disalin ke {target.describe()} (galat server "
                    f"{exc.sqlstate or '-'}); tidak ada yang dipindahkan") from None
    return result


def move_steps(source: Store) -> int:
    """How many times `move_store` will call `progress(1)`: raw files and tables."""
    with source.sql() as local:
        named = _named(local)
        tables = len(_dependency_order(local))
    return len(named | set(_raw_files(source.raw))) + tables


def _refuse_filled(target: Store, server: Database) -> None:
    filled = [(name, count) for name in _tables(server)
              if (count := int(server.value(f"SELECT COUNT(*) FROM {name}"))) > 0]
    if filled:
        shown = ", ".join(f"{name} {count} baris" for name, count in filled)
        raise TargetNotEmpty(f"penyimpanan tujuan {target.describe()} sudah berisi data ({shown}); "
                             "pindahkan hanya ke basis data (atau skema) yang kosong")


# --- raw files ---


def _move_raw(source: Store, target: Store, local: Database, result: MoveResult,
              progress: Progress) -> None:
    """Every raw file of the source (and every one a row names) onto the server's folder,
    each read back and hashed; a file named by a row but gone, or whose bytes are not its
    name, is reported (the rows still move: the server then says what the office's store
    already said)."""
    named = _named(local)
    kept = set(_raw_files(source.raw))
    for sha256 in sorted(named | kept):
        progress(1)
        origin = source.raw_path(sha256)
        if not origin.is_file():
            result.missing.append(sha256)
            continue
        data = _read(origin)
        if hashlib.sha256(data).hexdigest() != sha256:
            result.damaged.append(sha256)
            continue
        _write_verified(target, sha256, data)
        result.files += 1


def _named(local: Database) -> set[str]:
    """Every raw file a row names: the returns, and the office's own files (targets)."""
    return {str(sha) for (sha,) in local.rows(
        "SELECT sha256 FROM submission UNION SELECT sha256 FROM office_file")}


def _raw_files(folder: Path) -> Iterator[str]:
    if not folder.is_dir():
        return
    for path in folder.glob("*/*"):
        if _RAW_NAME.fullmatch(path.name) and path.parent.name == path.name[:2] \
                and path.is_file() and not path.is_symlink():
            yield path.name


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StoreError(f"berkas asli {path} tidak dapat dibaca ({os_reason(exc)}); "
                         "tidak ada yang dipindahkan") from None


def _write_verified(target: Store, sha256: str, data: bytes) -> None:
    """The file on the server's folder (written unless the same bytes are there), read back."""
    path = target.raw_path(sha256)
    try:
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            atomic_write(path, lambda temporary: Path(temporary).write_bytes(data))
        written = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise StoreUnwritable(f"berkas asli tidak dapat disimpan di {target.raw} "
                              f"({os_reason(exc)}); tabel belum dipindahkan, jalankan lagi "
                              "setelah diperbaiki") from None
    if written != sha256:
        raise StoreUnwritable(f"berkas asli {sha256[:12]} di {target.raw} berbeda setelah "
                              "ditulis (periksa disk server); tabel belum dipindahkan")


# --- rows ---


def _move_rows(local: Database, server: Database, result: MoveResult,
               progress: Progress) -> None:
    """Every table in one transaction: copied in SQLite's order, compared, then committed
    (or rolled back whole when any row differs)."""
    order = _dependency_order(local)
    missing = [name for name in order if name not in set(_tables(server))]
    if missing:
        raise StoreError(f"tabel {', '.join(missing)} tidak ada di server; perbarui iki-xlsx "
                         "di server ke versi yang sama")
    server.statement(server.dialect.begin)
    try:
        for name in order:
            columns = _columns(local, name)
            copied = _copy(local, server, name, columns)
            moved = TableMoved(name, copied)
            moved.first_difference = _first_difference(local, server, name, columns)
            moved.same = moved.first_difference is None
            result.tables.append(moved)
            progress(1)
        _continue_sequences(server)
        if not result.committed:
            server.statement("ROLLBACK")
            return
        server.statement("COMMIT")
    except BaseException:
        server.statement("ROLLBACK")
        raise


def _dependency_order(local: Database) -> list[str]:
    """The source's tables, each after the tables its rows refer to."""
    names = [str(name) for (name,) in local.rows(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    needs = {name: {str(row[2]) for row in local.rows(f"PRAGMA foreign_key_list({name})")}
             for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and needs[n] <= set(ordered) | {n}]
        if not ready:  # a cycle (none in the schema): keep the rest in name order
            ready = [n for n in names if n not in ordered]
        ordered += ready
    return ordered


def _tables(server: Database) -> list[str]:
    return [str(name) for (name,) in server.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'iki_skema' "
        "ORDER BY table_name")]


def _columns(local: Database, name: str) -> list[str]:
    return [str(row[1]) for row in local.rows(f"PRAGMA table_info({name})")]


def _source_rows(local: Database, name: str, columns: list[str]) -> Iterator[Row]:
    driver = local.driver
    assert isinstance(driver, sqlite3.Connection)
    cursor = driver.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY rowid")
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from (tuple(row) for row in batch)


def _copy(local: Database, server: Database, name: str, columns: list[str]) -> int:
    insert = (f"INSERT INTO {name} ({', '.join(columns)}) "
              f"VALUES ({', '.join('?' * len(columns))})")
    batch: list[Row] = []
    count = 0
    for row in _source_rows(local, name, columns):
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            server.many(insert, batch)
            count, batch = count + len(batch), []
    server.many(insert, batch)
    return count + len(batch)


def _first_difference(local: Database, server: Database, name: str,
                      columns: list[str]) -> int | None:
    """The position of the first row that differs from its source (None: every row equal)."""
    import psycopg

    driver = server.driver
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor(name=f"banding_{name}") as cursor:
        cursor.itersize = BATCH_ROWS
        cursor.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY rowid")
        pairs = zip_longest(_source_rows(local, name, columns), (tuple(r) for r in cursor))
        for number, (before, after) in enumerate(pairs, start=1):
            if not _same_row(before, after):
                return number
    return None


def _same_row(before: Row | None, after: Row | None) -> bool:
    if before is None or after is None:
        return before is after
    return len(before) == len(after) and all(_same(a, b) for a, b in zip(before, after,
                                                                          strict=True))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return bool(a == b or (a != a and b != b))  # NaN equals NaN here
    return bool(a == b) and type(a) is type(b)


def _continue_sequences(server: Database) -> None:
    """Every identity column continues after the highest id moved (the next file received
    on the server comes after the last one received in SQLite)."""
    for table, column in server.rows(
            "SELECT table_name, column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND is_identity = 'YES' AND column_name <> 'rowid'"):
        server.run(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                   f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)")
