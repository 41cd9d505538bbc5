"""The store's schema versions: a store written by an older release opens, is upgraded in
place in one transaction, and reads as it did; a failed upgrade changes nothing."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.status import history, status
from iki_xlsx.rekap.build import tidy_values, write_rekap
from iki_xlsx.store.db import (
    MIGRATIONS,
    Archived,
    Generated,
    PostgresLocation,
    Received,
    Store,
    StoreBroken,
    schema_version,
)
from iki_xlsx.store.move import move_store
from iki_xlsx.store.schema import Migration
from iki_xlsx.store.sql import Migrating
from tests.conftest import BLUEPRINTS, new_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
V1 = FIXTURES / "store-v1"  # written by the release before schema versions (user_version 0)
V1_EXPECTED = FIXTURES / "store-v1-expected"


@pytest.fixture
def old_store(tmp_path: Path) -> Store:
    folder = tmp_path / "simpan"
    shutil.copytree(V1, folder)
    return Store(folder)


@pytest.fixture
def first_release(tmp_path: Path, database: PostgresLocation | None) -> Store:
    """The store of the first release: upgraded in place on SQLite, or moved by `simpan
    pindah` into a fresh PostgreSQL database (where it must then read the same)."""
    folder = tmp_path / "simpan"
    shutil.copytree(V1, folder)
    if database is None:
        return Store(folder)
    target = new_store(tmp_path, database)
    moved = move_store(Store(folder), target)
    assert moved.ok and moved.files == 4, moved
    return target


def _version(store: Store) -> int:
    with sqlite3.connect(store.database) as db:
        return schema_version(db)


def test_the_first_release_is_upgraded_in_place(old_store: Store) -> None:
    assert _version(old_store) == 0
    status(old_store)
    assert _version(old_store) == len(MIGRATIONS)


def _as_said_then(now: Any, then: Any) -> Any:
    """`now` cut to the fields the first release's answer `then` had (later releases add
    fields, e.g. sign-off's; every field it had must read exactly as it did)."""
    if isinstance(now, dict) and isinstance(then, dict):
        return {key: _as_said_then(now[key], then[key]) if key in now else "<missing>"
                for key in then}
    if isinstance(now, list) and isinstance(then, list) and len(now) == len(then):
        return [_as_said_then(n, t) for n, t in zip(now, then, strict=True)]
    return now


def test_store_of_the_first_release_reads_as_before(first_release: Store) -> None:
    old_store = first_release
    report = status(old_store).to_dict()
    said_then = json.loads((V1_EXPECTED / "status.json").read_text())
    assert _as_said_then(report, said_then) == said_then
    assert report["periods"][0]["closed_through"] == 0  # nothing was ever approved then
    assert {u["approved"] for u in report["periods"][0]["units"]} == {None}
    assert [s.to_dict() for s in history(old_store)] == json.loads(
        (V1_EXPECTED / "history.json").read_text())
    table = io.StringIO()
    tidy_values(old_store).to_csv(table, index=False)
    assert table.getvalue() == (V1_EXPECTED / "rekap-nilai.csv").read_text()
    assert old_store.imap_taken("kecamatan@mail.contoh.go.id:993", "INBOX", 7) == {42}
    recap = write_rekap(old_store, BlueprintIndex.from_folder(BLUEPRINTS),
                        old_store.folder.parent / "rekap.xlsx")
    assert recap.ok, [f.one_line() for f in recap.findings]
    assert (recap.units_listed, recap.units_accepted) == (4, 2)


def test_a_failing_migration_leaves_the_old_store_as_it_was(old_store: Store) -> None:
    def broken(db: Migrating) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("INSERT INTO submission (sha256, filename, source, status) "
                   "VALUES ('x', 'x', 'x', 'ok')")
        raise RuntimeError("migration gagal di tengah")

    before = _dump(old_store)
    with pytest.raises(RuntimeError):
        Store(old_store.folder, migrations=[*MIGRATIONS, broken]).schema_version()
    db = sqlite3.connect(old_store.database, isolation_level=None)
    assert schema_version(db) == 0
    assert db.execute("SELECT name FROM sqlite_master WHERE name='half_done'").fetchall() == []
    assert db.execute("SELECT COUNT(*) FROM submission").fetchone() == (4,)
    db.close()
    assert _dump(old_store) == before


def _dump(store: Store) -> list[str]:
    """Every table's definition and rows, and the schema version, as SQL text."""
    with sqlite3.connect(store.database) as db:
        lines = [*db.iterdump(), f"user_version {schema_version(db)}"]
    db.close()
    return lines


def test_a_failing_migration_changes_nothing(tmp_path: Path,
                                             database: PostgresLocation | None) -> None:
    def broken(db: Migrating) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("DELETE FROM submission")
        raise RuntimeError("migration gagal di tengah")

    store = new_store(tmp_path, database)
    with store.transaction():
        store.add_submission(Received("a.xlsx", b"a", "uji"), "a" * 64, _Checked())
    with pytest.raises(RuntimeError, match="gagal di tengah"):
        _with(store, [*MIGRATIONS, broken]).schema_version()
    assert store.schema_version() == len(MIGRATIONS)
    assert "half_done" not in tables(store)
    assert [s.sha256 for s in store.submissions()] == ["a" * 64]


def test_each_migration_runs_once(tmp_path: Path, database: PostgresLocation | None) -> None:
    runs: list[str] = []

    def counted(db: Migrating) -> None:
        runs.append(db.dialect)
        db.execute("CREATE TABLE extra (x INTEGER)")

    assert new_store(tmp_path, database).schema_version() == len(MIGRATIONS)
    for _ in range(2):
        store = _with(new_store(tmp_path, database), [*MIGRATIONS, counted])
        assert store.schema_version() == len(MIGRATIONS) + 1
    assert runs == ["sqlite" if database is None else "postgresql"]
    assert "extra" in tables(store)


def test_a_migration_opened_by_many_processes_at_once_runs_once(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    """Six processes open the same new store together: the schema is made once and each
    sees the latest version."""
    import multiprocessing

    store = new_store(tmp_path, database)
    with multiprocessing.get_context("fork").Pool(6) as pool:
        versions = pool.map(_open_version, [store] * 6, chunksize=1)
    assert versions == [len(MIGRATIONS)] * 6
    assert store.schema_version() == len(MIGRATIONS)


def _open_version(store: Store) -> int:
    return store.schema_version()


def test_store_of_a_newer_release_is_refused(tmp_path: Path,
                                             database: PostgresLocation | None) -> None:
    def later(db: Migrating) -> None:
        db.execute("CREATE TABLE later (x INTEGER)")

    assert _with(new_store(tmp_path, database), [*MIGRATIONS, later]).schema_version() == \
        len(MIGRATIONS) + 1
    with pytest.raises(StoreBroken, match="iki-xlsx yang lebih baru"):
        status(new_store(tmp_path, database))


def test_store_of_a_newer_release_of_the_first_kind_is_refused(old_store: Store) -> None:
    with sqlite3.connect(old_store.database) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreBroken, match="iki-xlsx yang lebih baru"):
        status(old_store)


def test_new_store_starts_at_the_latest_version(tmp_path: Path,
                                                database: PostgresLocation | None) -> None:
    store = new_store(tmp_path / "baru", database)
    assert not store.exists()
    assert store.schema_version() == len(MIGRATIONS)
    assert store.exists()
    assert status(store).periods == []


def test_lists_sort_byte_for_byte_on_both_databases(tmp_path: Path,
                                                    database: PostgresLocation | None) -> None:
    """The test server sorts text by an Indonesian collation (a < A < b < B); the store's
    lists still come in SQLite's order, so both databases show the same."""
    kodes = ["b", "A", "_1", "a", "B", "Z9", "z"]
    store = new_store(tmp_path, database)
    with store.transaction():
        store.archive_blueprint(Archived("h1", "bp", "1", "{}", None))
        store.record_generated([Generated("bp", "h1", 2026, Unit(k, f"Unit {k}"), f"s{k}",
                                          f"{k}.xlsx") for k in kodes])
    assert [u.kode for u in store.expected_units("bp", 2026)] == sorted(kodes)
    assert [u.kode for _, _, u in store.all_expected_units()] == sorted(kodes)


def test_generate_runs_at_once_get_a_batch_number_each(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    import threading

    store = new_store(tmp_path, database)
    store.archive_blueprint(Archived("h1", "bp", "1", "{}", None))

    def run(n: int) -> None:
        runner = new_store(tmp_path, database)
        for round_ in range(5):
            runner.record_generated([Generated("bp", "h1", 2026, Unit(f"{n}-{round_}-{i}", "U"),
                                               "s", "f.xlsx") for i in range(3)])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batches: dict[int, set[str]] = {}
    for g in store.registered():
        batches.setdefault(g.batch, set()).add(g.unit.kode.rsplit("-", 1)[0])
    assert sorted(batches) == list(range(1, 21))
    assert all(len(runs) == 1 for runs in batches.values())  # one run per batch number


def test_an_upgraded_store_keeps_a_register(first_release: Store, tmp_path: Path) -> None:
    """Migration 2 adds the register to a store of the first release: generate records into it
    and collect then judges returns by it, next to the old submissions (on the server, after
    the moved ones: ids go on from the last one moved)."""
    from iki_xlsx.blueprint.load import load_blueprint
    from iki_xlsx.core.units import Unit
    from iki_xlsx.intake.collect import collect
    from iki_xlsx.workbook.generate import generate, recipients, write_filled

    old_store = first_release
    bp = load_blueprint(BLUEPRINTS / "iki-kecamatan-jabung.yaml").blueprint
    assert bp is not None
    units = [Unit("01", "Desa Satu", "satu@desa.example.id")]
    assert generate(bp, units, 2027, tmp_path / "dibuat", register=old_store).ok
    with old_store.connect():
        assert [(g.unit.kode, g.periode) for g in old_store.registered()] == [
            ("01", 2027), ("kecamatan", 2027)]
        assert [a.versi for a in old_store.archived_blueprints()] == [bp.versi]
    everyone = recipients(bp, units)
    good = write_filled(bp, units[0], everyone, 2027, tmp_path / "kembali" / "satu.xlsx")
    stray = write_filled(bp, units[0], everyone, 2028, tmp_path / "kembali" / "lain.xlsx")
    taken = collect([good, stray], old_store, BlueprintIndex([bp]))
    assert [s for _, _, s in taken.added] == ["ok", "rejected"]
    assert [f.code for f in old_store.findings(code="period-not-registered")] == [
        "period-not-registered"]
    assert [s.id for s in old_store.submissions()] == [1, 2, 3, 4, 5, 6]


@dataclass
class _Checked:
    """A checked file as the store records it (the checker's FileResult has this shape)."""

    status: str = "ok"
    blueprint: str | None = None
    unit: str | None = None
    unit_kode: str | None = None
    periode: int | None = None
    blueprint_hash: str | None = None
    blueprint_versi: str | None = None
    findings: list[Any] = field(default_factory=list)
    inputs: list[Any] = field(default_factory=list)


def _with(store: Store, migrations: list[Migration]) -> Store:
    """The same store opened by a release that knows `migrations`."""
    return Store(store.folder, database=store.location, raw=store.raw, migrations=migrations)


def tables(store: Store) -> set[str]:
    """The names of the store's tables, as its database lists them."""
    if store.location is None:
        with sqlite3.connect(store.database) as db:
            names = {name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        db.close()
        return names
    import psycopg

    with psycopg.connect(store.location.url, password=store.location.password) as pg:
        return {str(name) for (name,) in pg.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (store.location.schema,))}
