"""`simpan pindah`: an office's SQLite store moved into PostgreSQL, verified file by file and
row by row, never into a store that holds anything, and all or nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from click.testing import CliRunner, Result

from iki_xlsx.cli.main import main
from iki_xlsx.intake.status import history, status
from iki_xlsx.service.workspace import init_workspace, load_workspace
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.store.location import PASSWORD_VARIABLE
from iki_xlsx.store.move import TargetNotEmpty, move_steps, move_store
from tests.conftest import new_store
from tests.pgserver import free_port

V1 = Path(__file__).resolve().parent / "fixtures" / "store-v1"


@pytest.fixture
def office(tmp_path: Path) -> Store:
    """The first release's store (4 returns, 4 raw files), as an office has it."""
    folder = tmp_path / "kantor" / "simpan"
    shutil.copytree(V1, folder)
    return Store(folder)


def _rows(location: PostgresLocation, table: str) -> int:
    with psycopg.connect(location.url, password=location.password) as db:
        found = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    assert found is not None
    return int(found[0])


def test_a_move_copies_every_file_and_row_and_reports_them(
        office: Store, tmp_path: Path, postgres: PostgresLocation) -> None:
    target = new_store(tmp_path / "server", postgres)
    steps: list[int] = []
    moved = move_store(office, target, steps.append)
    assert moved.ok and moved.committed
    assert (moved.files, moved.missing, moved.damaged) == (4, [], [])
    rows = {t.name: t.rows for t in moved.tables}
    assert rows["submission"] == 4 and rows["imap_taken"] == 1
    assert all(t.same for t in moved.tables)
    assert len(steps) == move_steps(office) == 4 + len(moved.tables)
    for sha in (s.sha256 for s in history(office)):
        assert target.raw_path(sha).read_bytes() == office.raw_path(sha).read_bytes()
    assert status(target).to_dict() == status(office).to_dict()


def test_a_target_that_holds_anything_is_refused(office: Store, tmp_path: Path,
                                                 postgres: PostgresLocation) -> None:
    target = new_store(tmp_path / "server", postgres)
    assert move_store(office, target).ok
    before = _rows(postgres, "submission")
    with pytest.raises(TargetNotEmpty, match=r"sudah berisi data \(.*submission 4 baris"):
        move_store(office, target)
    assert _rows(postgres, "submission") == before == 4


def test_another_schema_of_the_same_database_is_another_store(
        office: Store, tmp_path: Path, postgres: PostgresLocation) -> None:
    """Two offices in one database, a schema each: the second move is not refused, and each
    office sees only its own returns."""
    first = new_store(tmp_path / "satu", postgres)
    second = Store(tmp_path / "dua" / "simpan", raw=tmp_path / "dua" / "berkas",
                   database=PostgresLocation(postgres.url, "kec_dua", postgres.password))
    assert move_store(office, first).ok
    assert move_store(office, second).ok
    assert len(history(first)) == len(history(second)) == 4


def test_a_raw_file_gone_or_damaged_is_reported_and_the_rows_still_move(
        office: Store, tmp_path: Path, postgres: PostgresLocation) -> None:
    raws = sorted(p for p in office.raw.rglob("*") if p.is_file())
    raws[0].unlink()
    raws[1].write_bytes(b"bukan isi aslinya")
    target = new_store(tmp_path / "server", postgres)
    moved = move_store(office, target)
    assert not moved.ok and moved.committed
    assert (moved.missing, moved.damaged, moved.files) == ([raws[0].name], [raws[1].name], 2)
    assert not target.raw_path(raws[1].name).exists()  # damaged bytes never reach the server
    assert len(history(target)) == 4
    assert {m["sha256"] for m in status(target).missing_raw} == {raws[0].name, raws[1].name}


def test_a_row_the_server_would_change_is_caught_and_nothing_is_moved(
        office: Store, tmp_path: Path, postgres: PostgresLocation) -> None:
    """SQLite keeps 2026.5 in an INTEGER column; PostgreSQL would round it to 2027. The row
    comparison finds it and the whole move is rolled back."""
    status(office)  # the store at the latest version
    with sqlite3.connect(office.database) as db:
        db.execute("UPDATE submission SET periode = 2026.5 WHERE id = 3")
    db.close()
    target = new_store(tmp_path / "server", postgres)
    moved = move_store(office, target)
    assert not moved.committed and not moved.ok
    submission = next(t for t in moved.tables if t.name == "submission")
    assert (submission.same, submission.first_difference) == (False, 3)
    assert _rows(postgres, "submission") == 0 and _rows(postgres, "nilai") == 0
    with sqlite3.connect(office.database) as db:
        db.execute("UPDATE submission SET periode = 2026 WHERE id = 3")
    db.close()
    assert move_store(office, target).ok  # run again once the source is right


def test_the_source_must_be_an_sqlite_store_that_exists(tmp_path: Path,
                                                        postgres: PostgresLocation) -> None:
    from iki_xlsx.core.errors import UsageError

    target = new_store(tmp_path / "server", postgres)
    with pytest.raises(UsageError, match="bukan penyimpanan SQLite yang ada"):
        move_store(Store(tmp_path / "tidak-ada"), target)
    with pytest.raises(UsageError, match="bukan penyimpanan SQLite yang ada"):
        move_store(target, target)


# --- the command -------------------------------------------------------------------------


def cli(*args: str, password: str | None) -> Result:
    env = {PASSWORD_VARIABLE: password} if password else {}
    return CliRunner().invoke(main, list(args), prog_name="iki-xlsx", env=env)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace whose store is the first release's."""
    root = tmp_path / "kantor"
    assert init_workspace(root).ok
    shutil.rmtree(root / "simpan")
    shutil.copytree(V1, root / "simpan")
    return root


def test_simpan_pindah_moves_the_workspace_store_and_says_what_to_write(
        workspace: Path, postgres: PostgresLocation, monkeypatch: pytest.MonkeyPatch) -> None:
    before = status(load_workspace(workspace).store()).to_dict()
    done = cli("--ruang", str(workspace), "simpan", "pindah", "--ke", postgres.url,
               password=postgres.password)
    assert done.exit_code == 0, done.output
    where = f"postgres@127.0.0.1:{urlsplit(postgres.url).port}/{postgres.database}"
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"dipindahkan ke {where}: 4 berkas asli di "
                               f"{workspace / 'simpan' / 'berkas'} (diperiksa hash-nya), ")
    assert lines[0].endswith(" tabel (diperiksa per baris)")
    assert lines[1:] == [
        f"Penyimpanan SQLite {workspace / 'simpan' / 'iki.sqlite'} tidak diubah; simpan "
        "sebagai cadangan. Agar ruang kerja memakai server, tulis di iki.toml:",
        "[basis_data]", f'url = "{postgres.url}"']
    config = workspace / "iki.toml"
    config.write_text(config.read_text() + "\n" + "\n".join(lines[2:]) + "\n")
    monkeypatch.setenv(PASSWORD_VARIABLE, postgres.password or "")
    moved = load_workspace(workspace).store()
    assert moved.kind == "postgresql"
    assert status(moved).to_dict() == before
    again = cli("--ruang", str(workspace), "simpan", "pindah", "--ke", postgres.url,
                password=postgres.password)
    assert (again.exit_code, again.stderr) == (2, (
        "Kesalahan: ruang kerja ini sudah memakai basis data server ([basis_data] di "
        "iki.toml); tidak ada yang dipindahkan\n"))


def test_simpan_pindah_into_a_store_that_holds_anything_is_refused(
        workspace: Path, postgres: PostgresLocation) -> None:
    first = cli("simpan", "pindah", "--ke", postgres.url, "--store",
                str(workspace / "simpan"), password=postgres.password)
    assert first.exit_code == 0, first.output
    done = cli("simpan", "pindah", "--ke", postgres.url, "--store", str(workspace / "simpan"),
               password=postgres.password)
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr.startswith("Kesalahan: penyimpanan tujuan ") and \
        "sudah berisi data (" in done.stderr and len(done.stderr.splitlines()) == 1


def test_simpan_pindah_refuses_a_password_in_the_url_and_says_a_server_it_cannot_reach(
        workspace: Path, postgres: PostgresLocation) -> None:
    secret = postgres.url.replace("postgres@", "postgres:rahasia@")
    done = cli("--ruang", str(workspace), "simpan", "pindah", "--ke", secret, password=None)
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == ("Kesalahan: alamat basis data memuat kata sandi; hapus sandinya "
                           "dari alamat dan berikan lewat IKI_DB_PASSWORD atau berkas .pgpass\n")
    wrong = cli("--ruang", str(workspace), "simpan", "pindah", "--ke", postgres.url,
                password="salah")
    assert wrong.exit_code == 1 and wrong.stderr == (
        f"Kesalahan: login ke basis data postgres@127.0.0.1:{urlsplit(postgres.url).port}/"
        f"{postgres.database} ditolak untuk pengguna postgres; periksa IKI_DB_PASSWORD atau "
        "berkas .pgpass\n")
    closed = f"postgresql://iki@127.0.0.1:{free_port()}/iki"
    down = cli("--ruang", str(workspace), "simpan", "pindah", "--ke", closed, password="x")
    assert down.exit_code == 1 and down.stderr == (
        f"Kesalahan: server basis data iki@127.0.0.1:{urlsplit(closed).port}/iki tidak dapat "
        "dihubungi (koneksi ditolak); pastikan PostgreSQL berjalan dan [basis_data] url "
        "benar\n")
    assert "rahasia" not in done.output + wrong.output + down.output
