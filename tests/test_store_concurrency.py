"""Many writers at once lose nothing and never record a file twice: three collects (as web
workers run them), a collect of a zip (as `terima` runs it) and two pulls of one IMAP mailbox,
all started together on one store. On SQLite they take turns; on PostgreSQL they run
together. Either way every file is recorded once with its right verdict, every raw file is
there, every message is taken once. And a collect killed at any moment leaves the server's
store consistent."""

from __future__ import annotations

import hashlib
import multiprocessing
import queue
import random
import signal
import subprocess
import sys
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import CollectResult, collect
from iki_xlsx.intake.status import status
from iki_xlsx.mail.imap import ImapAccount, collect_imap
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.workbook.generate import recipients, write_filled
from tests.conftest import ROOT, registered_store
from tests.mailservers import PASSWORD, Dovecot

BP = "iki-kecamatan-jabung"
UNITS = [Unit(f"{i:02d}", f"Desa {i:02d}", f"desa{i:02d}@desa.example.id") for i in range(1, 7)]
MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory,
            blueprints: dict[str, Blueprint]) -> dict[Path, str]:
    """Every unit's return and the office's (ok), and two units' second returns with a
    negative count (needs-correction): file -> the verdict it must get."""
    bp = blueprints[BP]
    folder = tmp_path_factory.mktemp("kembali")
    everyone = recipients(bp, UNITS)
    verdicts = {write_filled(bp, unit, everyone, 2026, folder / f"{unit.kode}.xlsx"): "ok"
                for unit in everyone}
    for unit in UNITS[:2]:
        plan = plan_workbook(bp, unit, 2026, everyone)
        count = next(c.key for _, c in plan.input_cells()
                     if c.rule is not None and c.rule.tipe == "bulat")
        bad = write_filled(bp, unit, everyone, 2026, folder / f"{unit.kode}-salah.xlsx",
                           {count: -3})
        verdicts[bad] = "needs-correction"
    return verdicts


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _message(unit: Unit, files: list[Path], number: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = unit.email or "", "kecamatan@kecamatan.example.id"
    msg["Subject"], msg["Message-ID"] = f"IKI {unit.nama}", f"<serentak-{number}@desa.example.id>"
    msg.set_content("Terlampir.")
    for path in files:
        msg.add_attachment(path.read_bytes(), maintype=MIME[0], subtype=MIME[1],
                           filename=path.name)
    return bytes(msg)


def _writer(job: tuple[str, Store, Any], ready: Any, said: Any) -> None:
    """One writer (a process of its own, which checks with a pool of its own): waits for the
    others, collects, says what it added and what it found known."""
    kind, store, what = job
    index = BlueprintIndex.from_folder(ROOT / "blueprints")
    ready.wait()
    result: CollectResult
    result = collect_imap(what, store, index) if kind == "imap" else collect(what, store, index)
    said.put((kind, [sha for _, sha, _ in result.added], [sha for _, sha in result.duplicates]))


def test_many_writers_at_once_record_every_file_once(
        tmp_path: Path, returns: dict[Path, str], blueprints: dict[str, Blueprint],
        dovecot: Dovecot, database: PostgresLocation | None) -> None:
    files = list(returns)
    user = dovecot.mailbox(f"serentak{'pg' if database else 'lite'}")
    for number, path in enumerate(files):
        dovecot.deliver(user, _message(UNITS[number % len(UNITS)], [path], number))
    archive = tmp_path / "kiriman.zip"
    with zipfile.ZipFile(archive, "w") as zout:
        for path in files:
            zout.write(path, f"masuk/{path.name}")
    store = registered_store(tmp_path, blueprints[BP], UNITS, database=database)
    account = ImapAccount("127.0.0.1", dovecot.port, user, PASSWORD, cafile=dovecot.cert)
    shuffled = [random.Random(seed).sample(files, len(files)) for seed in range(3)]
    jobs = [*(("web", store, order) for order in shuffled), ("terima", store, [archive]),
            ("imap", store, account), ("imap", store, account)]
    context = multiprocessing.get_context("fork")
    ready, said = context.Barrier(len(jobs)), context.Queue()
    writers = [context.Process(target=_writer, args=(job, ready, said)) for job in jobs]
    for writer in writers:
        writer.start()
    done: list[tuple[str, list[str], list[str]]] = []
    while len(done) < len(writers):
        try:
            done.append(said.get(timeout=1))
        except queue.Empty:  # still at work, unless one of them died
            failed = [w.exitcode for w in writers if w.exitcode not in (None, 0)]
            assert not failed, f"a writer failed (exit codes {failed})"
    for writer in writers:
        writer.join()
    assert [writer.exitcode for writer in writers] == [0] * len(jobs)

    expected = {_sha(path): verdict for path, verdict in returns.items()}
    recorded = store.submissions()
    assert sorted(s.sha256 for s in recorded) == sorted(expected)  # each once, none lost
    assert {s.sha256: s.status for s in recorded} == expected
    added = [sha for _, mine, _ in done for sha in mine]
    assert sorted(added) == sorted(expected)  # exactly one writer recorded each file
    for kind, mine, known in done:
        if kind != "imap":  # a file writer saw every file: added by it, or found known
            assert sorted(mine + known) == sorted(expected), kind
    for sha in expected:
        assert _sha(store.raw_path(sha)) == sha
    leftovers = [p.name for p in store.raw.rglob("*")
                 if p.name.startswith(".tmp-") or p.is_symlink()]
    assert leftovers == []
    assert len(store.imap_taken(account.name, "INBOX", _uidvalidity(dovecot, user))) == \
        len(files)
    with store.connect():
        for row in recorded:  # every accepted file has its values, none twice
            if row.status == "ok":
                values = store.values_frame([row.id])
                assert len(values) > 0 and not values["key"].duplicated().any()
    last = {row.unit_kode: row.status for row in recorded}  # by the store's sequence
    words = {"ok": "diterima", "needs-correction": "perlu perbaikan"}
    period = status(store).periods[0]
    assert {u.kode: u.state.label for u in period.units} == {k: words[v] for k, v in last.items()}


def _uidvalidity(dovecot: Dovecot, user: str) -> int:
    import imaplib
    import ssl

    context = ssl.create_default_context(cafile=str(dovecot.cert))
    with imaplib.IMAP4_SSL("127.0.0.1", dovecot.port, ssl_context=context) as client:
        client.login(user, PASSWORD)
        client.select("INBOX", readonly=True)
        _, data = client.response("UIDVALIDITY")
        return int(data[0])


KILLED_COLLECT = """
import sys
from pathlib import Path
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.intake.collect import collect
from iki_xlsx.store.db import PostgresLocation, Store
url, password, folder, inbox = sys.argv[1:5]
store = Store(Path(folder) / "simpan", raw=Path(folder) / "berkas",
              database=PostgresLocation(url, password=password))
result = collect([Path(inbox)], store, BlueprintIndex.from_folder(Path("blueprints")))
print(len(result.added), len(result.duplicates))
"""


def test_a_collect_killed_at_random_points_leaves_the_server_store_consistent(
        tmp_path: Path, returns: dict[Path, str], blueprints: dict[str, Blueprint],
        postgres: PostgresLocation) -> None:
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    for path in returns:
        (inbox / path.name).write_bytes(path.read_bytes())
    store = registered_store(tmp_path, blueprints[BP], UNITS, database=postgres)
    command = [sys.executable, "-c", KILLED_COLLECT, postgres.url, postgres.password or "",
               str(tmp_path), str(inbox)]
    rng = random.Random(11)
    for _ in range(4):
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    expected = {_sha(path): verdict for path, verdict in returns.items()}
    recorded = store.submissions()
    assert {s.sha256: s.status for s in recorded} == expected
    assert len(recorded) == len(expected)
    for row in recorded:
        assert _sha(store.raw_path(row.sha256)) == row.sha256
        if row.status == "ok":
            values = store.values_frame([row.id])
            assert len(values) > 0 and not values["key"].duplicated().any()
    leftovers = [p.name for p in store.raw.rglob("*")
                 if p.name.startswith(".tmp-") or p.is_symlink()]
    assert leftovers == []
