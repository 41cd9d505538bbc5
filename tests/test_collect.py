"""collect and status with real files, a real zip, real emails and a real mbox, in a real store."""

from __future__ import annotations

import json
import mailbox
import sqlite3
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.intake.status import status
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.workbook.generate import generate
from tests import mutate
from tests.cli import iki
from tests.conftest import new_store, registered_store

UNITS = [Unit("01", "Desa Satu"), Unit("02", "Desa Dua"), Unit("03", "Desa Tiga")]
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory,
              blueprints: dict[str, Blueprint]) -> list[Path]:
    folder = tmp_path_factory.mktemp("kembali")
    return generate(blueprints["iki-kecamatan-jabung"], UNITS, 2026, folder, sample=True).files


@pytest.fixture(scope="module")
def index(blueprints: dict[str, Blueprint]) -> BlueprintIndex:
    return BlueprintIndex(blueprints.values())


def message(sender: str, subject: str, attachments: list[Path], date: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"] = (sender, "kecamatan@example.id",
                                                           subject, date)
    msg.set_content("Terlampir IKI kami.")
    for path in attachments:
        maintype, subtype = MIME.split("/")
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=path.name)
    return msg


def units_state(store: Store) -> dict[str, str]:
    period = next(p for p in status(store).periods if p.blueprint == "iki-kecamatan-jabung")
    return {u.nama: u.state.label for u in period.units}


def test_collect_folder_zip_eml_and_mbox(tmp_path: Path, workbooks: list[Path],
                                         index: BlueprintIndex,
                                         database: PostgresLocation | None) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / workbooks[0].name).write_bytes(workbooks[0].read_bytes())
    (folder / "catatan.txt").write_text("bukan workbook")
    archive = tmp_path / "kiriman.zip"
    with zipfile.ZipFile(archive, "w") as zout:
        zout.write(workbooks[1], f"dalam/{workbooks[1].name}")
    eml = tmp_path / "surat.eml"
    eml.write_bytes(bytes(message("desa.tiga@example.id", "IKI Desa Tiga",
                                  [workbooks[2], workbooks[3]], "Mon, 5 Oct 2026 09:00:00 +0700")))
    box = mailbox.mbox(tmp_path / "kotak.mbox")
    box.add(message("desa.satu@example.id", "IKI ulang", [workbooks[0]],
                    "Tue, 6 Oct 2026 09:00:00 +0700"))
    box.add(message("tanpa@example.id", "Halo", [], "Tue, 6 Oct 2026 10:00:00 +0700"))
    box.flush()
    store = new_store(tmp_path, database)
    result = collect([folder, archive, eml, tmp_path / "kotak.mbox"], store, index)
    assert [name for name, _, _ in result.added] == [w.name for w in workbooks]
    assert all(state == "ok" for _, _, state in result.added)
    assert [name for name, _ in result.duplicates] == [workbooks[0].name]
    assert result.skipped == [(f"{tmp_path / 'kotak.mbox'}#2", "pesan tanpa lampiran workbook")]
    for _, sha, _ in result.added:
        assert store.raw_path(sha).exists()
    assert store.raw_path(result.added[0][1]).read_bytes() == workbooks[0].read_bytes()
    kept = store.submission(result.added[2][1])
    assert (kept.filename, kept.sender, kept.subject) == (
        workbooks[2].name, "desa.tiga@example.id", "IKI Desa Tiga")
    assert set(units_state(store).values()) == {"diterima"}

    again = collect([folder, archive, eml], store, index)
    assert again.added == [] and len(again.duplicates) == 4


def test_rejected_then_corrected_resubmission(tmp_path: Path, workbooks: list[Path],
                                              index: BlueprintIndex,
                                              blueprints: dict[str, Blueprint],
                                              database: PostgresLocation | None) -> None:
    store = registered_store(tmp_path, blueprints["iki-kecamatan-jabung"], UNITS,
                             database=database)
    broken = tmp_path / "rusak" / workbooks[0].name
    broken.parent.mkdir()
    broken.write_bytes(workbooks[0].read_bytes()[:3000])
    first = collect([broken], store, index)
    assert [s for _, _, s in first.added] == ["rejected"]
    report = status(store)
    assert report.unidentified[0]["status"] == "rejected"
    sheet = openpyxl.load_workbook(workbooks[0]).worksheets[2]
    target = next(c for row in sheet.iter_rows() for c in row
                  if isinstance(c.value, int | float) and not c.protection.locked)
    bad_input = mutate.set_cell(workbooks[0], tmp_path / workbooks[0].name, sheet.title,
                                target.coordinate, value=-2.0)
    needs = collect([bad_input], store, index)
    assert [s for _, _, s in needs.added] == ["needs-correction"]
    period = next(p for p in status(store).periods if p.blueprint == "iki-kecamatan-jabung")
    satu = next(u for u in period.units if u.nama == "Desa Satu")
    errors = len(store.findings(store.submissions()[-1].id, severity="error"))
    assert errors >= 1
    assert (satu.state.label, satu.findings, satu.accepted_sha256) == ("perlu perbaikan", errors,
                                                                     None)
    second = collect([workbooks[0]], store, index)
    assert [s for _, _, s in second.added] == ["ok"]
    states = units_state(store)
    assert states["Desa Satu"] == "diterima" and states["Desa Dua"] == "belum kembali"
    assert len(store.submissions()) == 3
    period = next(p for p in status(store).periods if p.blueprint == "iki-kecamatan-jabung")
    satu = next(u for u in period.units if u.nama == "Desa Satu")
    assert (satu.submissions, satu.accepted_sha256) == (2, second.added[0][1])


def test_a_unit_not_on_the_list(tmp_path: Path, workbooks: list[Path], index: BlueprintIndex,
                                blueprints: dict[str, Blueprint],
                                database: PostgresLocation | None) -> None:
    store = registered_store(tmp_path, blueprints["iki-kecamatan-jabung"], UNITS,
                             database=database)
    collect([workbooks[0]], store, index)
    stranger = generate(blueprints["iki-kecamatan-jabung"], [Unit("99", "Desa Asing")], 2026,
                        tmp_path / "asing", sample=True).files[0]
    taken = collect([stranger], store, index)
    assert [s for _, _, s in taken.added] == ["rejected"]
    period = next(p for p in status(store).periods if p.blueprint == "iki-kecamatan-jabung")
    outside = [u for u in period.units if not u.on_list]
    assert [(u.kode, u.nama, u.state.label) for u in outside] == [("99", "Desa Asing", "ditolak")]
    assert [f.code for f in store.findings()] == ["unit-not-registered"]
    assert [u.kode for u in period.units if u.on_list] == ["01", "02", "03", "kecamatan"]


def test_without_a_register_each_return_stands_for_itself(
        tmp_path: Path, workbooks: list[Path], index: BlueprintIndex,
        database: PostgresLocation | None) -> None:
    """A store used outside a workspace has no list: a return adds only its own unit."""
    store = new_store(tmp_path, database)
    collect([workbooks[1]], store, index)
    period = next(p for p in status(store).periods if p.blueprint == "iki-kecamatan-jabung")
    assert [(u.kode, u.state.label, u.on_list) for u in period.units] == [("02", "diterima", True)]


def test_collect_and_status_cli(tmp_path: Path, workbooks: list[Path],
                                blueprints: dict[str, Blueprint]) -> None:
    store = registered_store(tmp_path, blueprints["iki-kecamatan-jabung"], UNITS).folder
    done = iki("collect", str(workbooks[1]), "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 baru, 0 sudah ada, 0 dilewati"
    shown = iki("status", "--store", str(store), "--json")
    assert shown.returncode == 0
    data = json.loads(shown.stdout)
    period = data["periods"][0]
    assert period["totals"] == {"diterima": 1, "perlu perbaikan": 0, "ditolak": 0,
                                "belum kembali": 3}
    missing = iki("status", "--store", str(tmp_path / "tidak-ada"))
    assert missing.returncode == 2 and "belum ada" in missing.stderr


def test_a_collect_killed_at_random_points_leaves_a_consistent_store(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    import random
    import signal
    import time

    units = [Unit(f"{i:02d}", f"Desa {i:02d}") for i in range(1, 9)]
    inbox = tmp_path / "masuk"
    files = generate(blueprints["iki-kecamatan-jabung"], units, 2026, inbox, sample=True).files
    store_dir = tmp_path / "simpan"
    command = [sys.executable, "-m", "iki_xlsx", "collect", str(inbox), "--store",
               str(store_dir)]
    rng = random.Random(7)
    for _ in range(4):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    store = Store(store_dir)
    with sqlite3.connect(store.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT sha256, filename, status FROM submission").fetchall()
        with_values = db.execute("SELECT COUNT(DISTINCT submission_id) FROM nilai").fetchone()[0]
        doubled = db.execute("SELECT COUNT(*) FROM (SELECT submission_id, key FROM nilai "
                             "GROUP BY 1, 2 HAVING COUNT(*) > 1)").fetchone()[0]
    assert sorted(name for _, name, _ in rows) == sorted(f.name for f in files)
    assert {status for _, _, status in rows} == {"ok"}
    for sha, name, _ in rows:
        assert store.raw_path(sha).read_bytes() == (inbox / name).read_bytes()
    assert (with_values, doubled) == (len(rows), 0)
    left = [p.name for p in store.raw.rglob("*") if p.name.startswith(".tmp-") or p.is_symlink()]
    assert left == []


def test_two_collects_at_once_wait_for_each_other(tmp_path: Path, workbooks: list[Path]) -> None:
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    for path in workbooks:
        (inbox / path.name).write_bytes(path.read_bytes())
    command = [sys.executable, "-m", "iki_xlsx", "collect", str(inbox), "--store",
               str(tmp_path / "simpan")]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    outputs = [first.communicate()[0], second.communicate()[0]]
    assert (first.returncode, second.returncode) == (0, 0)
    summaries = sorted(out.splitlines()[-1] for out in outputs)
    assert summaries == ["0 baru, 4 sudah ada, 0 dilewati", "4 baru, 0 sudah ada, 0 dilewati"]
    with sqlite3.connect(tmp_path / "simpan" / "iki.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == 4
