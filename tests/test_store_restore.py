"""The IT office's backup and restore (deploy/backup.sh, deploy/restore.sh, as the README says):
the database dumped with pg_dump and the raw-file folder together; the database dropped;
both restored into a new database and a new folder. Every submission, finding, value, register
row, account and raw file is back, status and recap read the same, the same passwords, session
and API token work (a revoked token and an ended session still do not), and the next return
goes on after the last one."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from pathlib import Path

import pytest

from iki_xlsx.accounts.book import AccountBook
from iki_xlsx.accounts.roles import Grant, Role
from iki_xlsx.accounts.sessions import Sessions, SignInOutcome
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.intake.status import history, status
from iki_xlsx.rekap.build import tidy_values
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.store.postgres import close_idle
from iki_xlsx.workbook.generate import recipients, write_filled
from tests.conftest import ROOT, registered_store
from tests.pgserver import PASSWORD, PostgresServer

BP = "iki-kecamatan-jabung"
SANDI = "sandi-sari-2026"
UNITS = [Unit("01", "Desa Satu", "satu@desa.example.id"),
         Unit("02", "Desa Dua", "dua@desa.example.id")]


def script(name: str, *args: str | Path,
           server: PostgresServer) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IKI_DB_PASSWORD": PASSWORD,
           "PATH": f"{server.bin}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["sh", str(ROOT / "deploy" / name), *map(str, args)], env=env,
                          capture_output=True, text=True)


def everything(store: Store) -> dict[str, object]:
    """What a user can read back from the store."""
    values = io.StringIO()
    tidy_values(store).to_csv(values, index=False)
    with store.connect():
        return {"status": status(store).to_dict(), "history": history(store),
                "findings": store.findings(), "registered": store.registered(),
                "archived": store.archived_blueprints(), "values": values.getvalue(),
                "accounts": AccountBook(store).all(), "tokens": AccountBook(store).tokens()}


def test_a_dump_and_the_raw_folder_restore_the_whole_store(
        tmp_path: Path, postgres_server: PostgresServer, blueprints: dict[str, Blueprint]
) -> None:
    bp = blueprints[BP]
    name = postgres_server.create_database("asli")
    location = postgres_server.location(name)
    store = registered_store(tmp_path, bp, UNITS, database=location)
    everyone = recipients(bp, UNITS)
    returns = [write_filled(bp, unit, everyone, 2026, tmp_path / "kembali" / f"{unit.kode}.xlsx")
               for unit in everyone]
    taken = collect(returns, store, BlueprintIndex([bp]))
    assert [s for _, _, s in taken.added] == ["ok"] * 3
    store.mark_imap_taken("kecamatan@mail.example.id:993", "INBOX", 7, 42)
    book = AccountBook(store)
    book.add("sari", "Sari Wulandari", SANDI, [Grant(Role.OPERATOR)])
    book.add("inspektorat", "Inspektorat", SANDI, [Grant(Role.PEMERIKSA)])
    book.deactivate("inspektorat")
    token = book.issue_token("sari", "e-SAKIP")
    revoked = book.issue_token("sari", "lama")
    book.revoke_token(revoked.id)
    session = Sessions(book).sign_in("sari", SANDI, "10.0.0.5").token
    ended = Sessions(book).sign_in("sari", SANDI, "10.0.0.6").token
    Sessions(book).end(ended)
    before = everything(store)
    last = max(s.id for s in history(store))

    backup = tmp_path / "cadangan"
    made = script("backup.sh", location.url, store.raw, backup, server=postgres_server)
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "basis-data.dump",
                                                        "berkas.tar"]
    close_idle(location)
    postgres_server.drop_database(name)

    fresh = postgres_server.create_database("pulih")
    folder = tmp_path / "berkas-baru"
    done = script("restore.sh", backup, postgres_server.url(fresh), folder,
                  server=postgres_server)
    assert done.returncode == 0, done.stderr
    restored = Store(tmp_path / "simpan", database=postgres_server.location(fresh), raw=folder)
    assert everything(restored) == before
    again = AccountBook(restored)
    assert Sessions(again).sign_in("sari", SANDI, "10.0.0.7").outcome == SignInOutcome.OK
    assert Sessions(again).sign_in("inspektorat", SANDI, "10.0.0.7").outcome == \
        SignInOutcome.WRONG
    assert Sessions(again).principal(session) is not None
    assert Sessions(again).principal(ended) is None
    found = again.token_account(token.secret)
    assert found is not None and found.login == "sari"
    assert again.token_account(revoked.secret) is None
    assert restored.imap_taken("kecamatan@mail.example.id:993", "INBOX", 7) == {42}
    for row in history(restored):
        assert hashlib.sha256(restored.raw_path(row.sha256).read_bytes()).hexdigest() == \
            row.sha256
    later = collect([tmp_path / "kembali"], restored, BlueprintIndex([bp]))
    assert later.added == [] and len(later.duplicates) == 3
    other = write_filled(bp, UNITS[0], everyone, 2027, tmp_path / "lain" / "01.xlsx")
    collect([other], restored, BlueprintIndex([bp]))
    assert max(s.id for s in history(restored)) == last + 1  # the sequence goes on


def test_a_damaged_backup_restores_nothing(tmp_path: Path, postgres_server: PostgresServer,
                                           postgres: PostgresLocation) -> None:
    raw = tmp_path / "berkas"
    (raw / "ab").mkdir(parents=True)
    (raw / "ab" / ("ab" + "0" * 62)).write_bytes(b"isi")
    backup = tmp_path / "cadangan"
    assert script("backup.sh", postgres.url, raw, backup, server=postgres_server).returncode == 0
    with open(backup / "berkas.tar", "r+b") as tar:
        tar.seek(600)
        tar.write(b"rusak")
    done = script("restore.sh", backup, postgres.url, tmp_path / "baru", server=postgres_server)
    assert done.returncode == 1 and done.stderr == (
        f"Kesalahan: cadangan di {backup} rusak (SHA256SUMS tidak cocok); tidak ada yang "
        "dipulihkan\n")
    assert not (tmp_path / "baru").exists()


@pytest.mark.parametrize("name", ["backup.sh", "restore.sh"])
def test_the_scripts_say_how_to_call_them(name: str, postgres_server: PostgresServer) -> None:
    done = script(name, server=postgres_server)
    assert done.returncode == 2 and done.stderr.startswith("Pemakaian: ")
