"""The store's schema versions: a store written by an older release opens, is upgraded in
place in one transaction, and reads as it did; a failed upgrade changes nothing."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from dataclasses import asdict
from pathlib import Path

import pytest

from iki_xlsx.check import BlueprintIndex
from iki_xlsx.intake.status import history, status
from iki_xlsx.rekap.build import tidy_values, write_rekap
from iki_xlsx.store.db import MIGRATIONS, Store, StoreBroken, migrate, schema_version
from tests.conftest import BLUEPRINTS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
V1 = FIXTURES / "store-v1"  # written by the release before schema versions (user_version 0)
V1_EXPECTED = FIXTURES / "store-v1-expected"


@pytest.fixture
def old_store(tmp_path: Path) -> Store:
    folder = tmp_path / "simpan"
    shutil.copytree(V1, folder)
    return Store(folder)


def _version(store: Store) -> int:
    with sqlite3.connect(store.database) as db:
        return schema_version(db)


def test_store_of_the_first_release_is_upgraded_and_reads_as_before(old_store: Store) -> None:
    assert _version(old_store) == 0
    report = status(old_store)
    assert _version(old_store) == len(MIGRATIONS)
    assert report.to_dict() == json.loads((V1_EXPECTED / "status.json").read_text())
    assert [asdict(s) for s in history(old_store)] == json.loads(
        (V1_EXPECTED / "history.json").read_text())
    table = io.StringIO()
    tidy_values(old_store).to_csv(table, index=False)
    assert table.getvalue() == (V1_EXPECTED / "rekap-nilai.csv").read_text()
    assert old_store.imap_taken("kecamatan@mail.contoh.go.id:993", "INBOX", 7) == {42}
    recap = write_rekap(old_store, BlueprintIndex.from_folder(BLUEPRINTS),
                        old_store.folder.parent / "rekap.xlsx")
    assert recap.ok, [f.one_line() for f in recap.findings]
    assert (recap.units_listed, recap.units_accepted) == (4, 2)


def test_a_failing_migration_leaves_the_store_as_it_was(old_store: Store) -> None:
    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        db.execute("INSERT INTO submission (sha256, filename, source, status) "
                   "VALUES ('x', 'x', 'x', 'ok')")
        raise RuntimeError("migration gagal di tengah")

    before = old_store.database.read_bytes()
    db = sqlite3.connect(old_store.database, isolation_level=None)
    with pytest.raises(RuntimeError):
        migrate(db, [*MIGRATIONS, broken])
    assert schema_version(db) == 0
    assert db.execute("SELECT name FROM sqlite_master WHERE name='half_done'").fetchall() == []
    assert db.execute("SELECT COUNT(*) FROM submission").fetchone() == (4,)
    db.close()
    assert old_store.database.read_bytes() == before


def test_each_migration_runs_once(old_store: Store) -> None:
    runs: list[int] = []

    def counted(db: sqlite3.Connection) -> None:
        runs.append(schema_version(db))
        db.execute("CREATE TABLE extra (x)")

    for _ in range(2):
        db = sqlite3.connect(old_store.database, isolation_level=None)
        migrate(db, [*MIGRATIONS, counted])
        assert schema_version(db) == len(MIGRATIONS) + 1
        db.close()
    assert runs == [0]


def test_store_of_a_newer_release_is_refused(old_store: Store) -> None:
    with sqlite3.connect(old_store.database) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreBroken, match="iki-xlsx yang lebih baru"):
        status(old_store)


def test_new_store_starts_at_the_latest_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "baru")
    assert store.schema_version() == len(MIGRATIONS)
    assert status(store).periods == []


def test_an_upgraded_store_keeps_a_register(old_store: Store, tmp_path: Path) -> None:
    """Migration 2 adds the register to a store of the first release: generate records into it
    and collect then judges returns by it, next to the old submissions."""
    from iki_xlsx.blueprint.load import load_blueprint
    from iki_xlsx.core.units import Unit
    from iki_xlsx.intake.collect import collect
    from iki_xlsx.workbook.generate import generate, recipients, write_filled

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
