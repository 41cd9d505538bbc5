"""The hostile corpus (tests/hostile.py): every case decided with its finding, in one batch
with good files that are still accepted, through the real intake, check and store; and one
file's failure (an exception, a time-out, a dying worker) is that file's alone. What each case
costs in time and memory is measured by benchmarks/bench_hostile.py, which holds the bounds."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from iki_xlsx.check import BlueprintIndex, Status, check_chunk, iter_check
from iki_xlsx.intake.status import status
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.read import ReadError, read_workbook
from tests.cli import Ran, iki
from tests.hostile import (
    HOSTILE_TEXT,
    Case,
    _formula_sheet,
    build_intake_cases,
    build_workbook_cases,
    good_workbooks,
    message,
    part_text,
    rebuild,
    sheet_parts,
)
from tests.mailservers import Dovecot


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Case], list[Path]]:
    folder = tmp_path_factory.mktemp("hostile")
    good = good_workbooks(folder / "baik", 12)  # eleven desa and the office
    return build_workbook_cases(good[0], folder / "berkas"), good


@pytest.fixture(scope="module")
def index(blueprints: dict[str, object]) -> BlueprintIndex:
    return BlueprintIndex(blueprints.values())  # type: ignore[arg-type]


def verdicts(stdout: str) -> list[tuple[str, str | None]]:
    return [(r["status"], r["findings"][0]["code"] if r["findings"] else None)
            for r in json.loads(stdout)]


def test_every_case_in_one_batch_with_good_files_still_accepted(
        corpus: tuple[list[Case], list[Path]]) -> None:
    cases, good = corpus
    batch = [c.path for c in cases[:8]] + good[:1] + [c.path for c in cases[8:]] + good[1:]
    done = iki("check", "--json", *map(str, batch))
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    got = dict(zip(batch, verdicts(done.stdout), strict=True))
    assert {c.name: got[c.path] for c in cases} == {c.name: (c.status, c.code) for c in cases}
    assert [got[p] for p in good] == [("ok", None)] * len(good)


def test_a_file_over_its_time_budget_fails_alone(corpus: tuple[list[Case], list[Path]],
                                                  index: BlueprintIndex) -> None:
    _, good = corpus
    fifo = good[0].parent.parent / "pipa.xlsx"
    if not fifo.exists():
        os.mkfifo(fifo)
    # a named pipe is refused unread; a runaway is cut by the budget, then its neighbours
    # are checked as usual
    results = check_chunk([fifo, good[0]], index, budget=5)
    assert [r.status for r in results] == [Status.REJECTED, Status.OK]
    assert results[0].findings[0].code == "unreadable-file"
    slow = check_chunk([good[1], good[2]], index, budget=1e-4)
    assert {f.code for r in slow for f in r.findings} == {"check-failed"}
    assert "batas waktu" in slow[0].findings[0].message
    assert [r.status for r in check_chunk(good[1:3], index)] == [Status.OK, Status.OK]


def test_a_cell_after_the_sheet_data_is_read_as_any_other(
        corpus: tuple[list[Case], list[Path]], index: BlueprintIndex, tmp_path: Path) -> None:
    """The reader only counts the elements after a sheet's data (merged cells, validations)
    until a cell appears there: a formula's cell overwritten by a second sheet data after
    the first is still found, with the number typed over it."""
    _, good = corpus
    part = _formula_sheet(good[0])
    name = next(n for n, p in sheet_parts(good[0]).items() if p == part)
    text = part_text(good[0], part)
    found = re.search(r'<c r="([A-Z]+)([0-9]+)"[^>]*><f>[^<]*</f><v>[^<]*</v></c>', text)
    assert found is not None
    column, row = found.groups()
    after = (f'<sheetData><row r="{row}"><c r="{column}{row}" t="n"><v>987654</v></c></row>'
             "</sheetData>")
    changed = text.replace("</sheetData>", "</sheetData>" + after, 1).encode()
    target = rebuild(good[0], tmp_path / "setelah-data.xlsx", replace={part: lambda: [changed]})
    result = check_chunk([target], index)[0]
    assert result.status is Status.NEEDS_CORRECTION
    assert [(f.code, f.sheet, f.cell, f.found) for f in result.findings
            if f.code == "formula-changed"] == [("formula-changed", name, column + row, 987654)]
    assert check_chunk([good[0]], index)[0].status is Status.OK


def test_both_readers_read_every_case_alike(corpus: tuple[list[Case], list[Path]]) -> None:
    """The compiled worksheet scanner (the default) and the Python reader give the same
    cells, or the same finding, for every hostile file and a good return (the good ones
    differ only in their values)."""
    cases, good = corpus
    for path in [case.path for case in cases] + good[:1]:
        outcomes = []
        for compiled in (True, False):
            try:
                outcomes.append(read_workbook(path, compiled=compiled))
            except ReadError as error:
                outcomes.append(error.args)
        assert outcomes[0] == outcomes[1], path.name


def _children() -> list[int]:
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(pid) for pid in text]
    return found


def test_a_worker_that_dies_costs_no_other_file(corpus: tuple[list[Case], list[Path]],
                                                index: BlueprintIndex) -> None:
    _, good = corpus
    paths = good * 8  # 24 files, chunks of 2 over two workers
    before = set(_children())
    results = iter_check(paths, index, workers=2, batch_size=2)
    first = next(results)
    killed = threading.Event()
    for pid in set(_children()) - before:  # the pool's workers, nothing else
        os.kill(pid, signal.SIGKILL)
        killed.set()
    rest = list(results)
    assert killed.is_set()
    assert [r.file for r in [first, *rest]] == [str(p) for p in paths]
    assert all(r.status is Status.OK for r in [first, *rest]), [
        (r.file, [f.code for f in r.findings]) for r in rest if r.status is not Status.OK]


def _allocate(size: int) -> str:
    """Ask for `size` bytes of zeros. `bytes(size)` maps them (calloc) without writing them,
    so the request meets the address-space cap at once and costs nothing when it is granted
    (a `bytearray` would zero-fill gigabytes first: seconds of CPU for the same answer)."""
    try:
        bytes(size)
    except MemoryError:
        return "MemoryError"
    return "ok"


def test_a_worker_is_held_to_its_memory_budget(index: BlueprintIndex) -> None:
    """A check worker (started by the pool's own initializer) may map at most
    pool.WORKER_MEMORY_BUDGET more than it had when it started: past that an allocation
    raises MemoryError, which the guard turns into check-failed for that file alone
    (a worker that dies instead is handled as above)."""
    from concurrent.futures import ProcessPoolExecutor

    from iki_xlsx.check import pool

    budget = pool.WORKER_MEMORY_BUDGET
    with ProcessPoolExecutor(1, initializer=pool._init_worker,
                             initargs=(index, os.getpid())) as worker:
        assert worker.submit(_allocate, budget // 4).result() == "ok"
        assert worker.submit(_allocate, budget + 256 * 1024 ** 2).result() == "MemoryError"
    with ProcessPoolExecutor(1) as uncapped:  # the same request outside a check worker
        assert uncapped.submit(_allocate, budget + 256 * 1024 ** 2).result() == "ok"


@pytest.fixture(scope="module")
def intake(corpus: tuple[list[Case], list[Path]],
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    _, good = corpus
    return build_intake_cases(good, tmp_path_factory.mktemp("kiriman"))


def collect_cli(*args: str) -> Ran:
    done = iki("collect", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_collect_of_poison_and_twelve_good_returns(
        corpus: tuple[list[Case], list[Path]], intake: dict[str, Path], tmp_path: Path) -> None:
    cases, good = corpus
    folder = tmp_path / "masuk"
    folder.mkdir()
    poison = [c.path for c in cases if c.status != "ok"] + [
        intake["zip-40x45mb.zip"], intake["zip-100000-members.zip"]]
    for path in [*poison, *good]:
        os.link(path, folder / path.name)  # intake never follows a symbolic link
    run = iki("collect", str(folder), "--store", str(tmp_path / "simpan"))
    assert "Traceback" not in run.stderr, run.stderr
    lines = run.stdout.splitlines()
    for path in good:
        assert any(line.startswith(f"baru: {path.name} ") and line.endswith("DITERIMA")
                   for line in lines), path.name
    for path in poison:  # each poison file is recorded as not accepted, or skipped with why
        if "\r" in path.name:  # shown escaped, and a CR would split it: its readable start
            said = [line for line in lines if path.name.split("\x1b")[0] in line]
            assert said and all(not line.endswith("DITERIMA") for line in said), said
            continue
        said = [line for line in lines if path.name in line]
        assert said and all(not line.endswith("DITERIMA") for line in said), (path.name, said)
    assert "isi arsip terlalu besar" in run.stdout  # 40 x 45 MB: nothing read
    assert "arsip memuat terlalu banyak berkas" in run.stdout
    assert not list((tmp_path / "simpan").rglob("*.tmp*"))
    stored = sum(p.stat().st_size for p in (tmp_path / "simpan" / "berkas").rglob("*")
                 if p.is_file())
    assert stored < 20 * 1024 * 1024  # nothing big was written to the store
    period = status(Store(tmp_path / "simpan")).periods[0]
    # every unit has its accepted file (a poison copy of desa 01 came later, not accepted)
    assert len(period.units) == 12 and all(u.accepted_sha256 for u in period.units)


def test_archives_and_attachment_names_never_cost_a_file(intake: dict[str, Path],
                                                        tmp_path: Path) -> None:
    store = tmp_path / "simpan"
    first = collect_cli(str(intake["zip-in-zip.zip"]), str(intake["attachment-dot-xlsx.eml"]),
                        "--store", str(store))
    added = [line for line in first.stdout.splitlines() if line.startswith("baru: ")]
    assert len(added) == 2 and all(line.endswith("DITERIMA") for line in added), first.stdout
    assert added[1].startswith("baru: .xlsx ")  # the attachment named only ".xlsx"
    raws = sorted(p for p in (store / "berkas").rglob("*") if p.is_file())
    assert len(raws) == 2 and not any(p.is_symlink() for p in (store / "berkas").rglob("*"))
    again = collect_cli(str(intake["attachment-dot-xlsx.eml"]), "--store", str(store))
    assert again.stdout.startswith("sudah ada: .xlsx ")
    assert all(p.is_file() for p in raws)
    raws[0].unlink()  # a raw file lost from the store: collecting it again restores it
    restored = collect_cli(str(intake["zip-in-zip.zip"]), str(intake["attachment-dot-xlsx.eml"]),
                           "--store", str(store))
    assert "dipulihkan: " in restored.stdout and all(p.is_file() for p in raws)


def test_imap_mailbox_of_poison_and_twelve_good_returns(
        corpus: tuple[list[Case], list[Path]], intake: dict[str, Path], tmp_path: Path,
        dovecot: Dovecot) -> None:
    from tests.mailservers import PASSWORD

    cases, good = corpus
    poison = [c.path for c in cases if c.status != "ok" and c.path.stat().st_size < 10_000_000]
    poison += [intake["zip-40x45mb.zip"]]
    server = dovecot
    user = dovecot.mailbox("kecamatan")
    for i, path in enumerate([*poison, *good]):
        server.deliver(user, bytes(message(f"desa{i}@example.id", f"IKI {i}",
                                           [(path.name, path.read_bytes())])))
    server.deliver(user, intake["attachment-dot-xlsx.eml"].read_bytes())
    command = ["collect", "--imap", f"127.0.0.1:{server.port}", "--user", user, "--cafile",
               str(server.cert), "--store", str(tmp_path / "simpan")]
    first = iki(*command, env={"IKI_IMAP_PASSWORD": PASSWORD})
    second = iki(*command, env={"IKI_IMAP_PASSWORD": PASSWORD})
    assert "Traceback" not in first.stderr + second.stderr, first.stderr + second.stderr
    lines = first.stdout.splitlines()
    for path in good:
        assert any(line.startswith(f"baru: {path.name} ") and line.endswith("DITERIMA")
                   for line in lines), (path.name, first.stdout)
    assert sum(line.startswith("baru: ") for line in lines) == len(poison) - 1 + len(good)
    assert "isi arsip terlalu besar" in first.stdout
    period = status(Store(tmp_path / "simpan")).periods[0]
    assert len(period.units) == 12 and all(u.accepted_sha256 for u in period.units)
    # every message was decided and taken: the second run fetches nothing
    assert second.returncode == 0 and second.stdout.strip() == "0 baru, 0 sudah ada, 0 dilewati"


RAW_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069]")


def test_control_characters_from_files_and_mail_reach_the_terminal_escaped(
        corpus: tuple[list[Case], list[Path]], intake: dict[str, Path], tmp_path: Path) -> None:
    cases, _ = corpus
    hostile = next(c.path for c in cases if c.name == "control-characters")
    # a real process writing to real pipes: the escaping is the command's own, not the harness's
    text = subprocess.run([sys.executable, "-m", "iki_xlsx", "check", str(hostile)],
                          capture_output=True, text=True)
    assert not RAW_CONTROLS.search(text.stdout + text.stderr), repr(text.stdout)
    assert "\\u202e" in text.stdout and "\\u000d" in text.stdout
    as_json = iki("check", "--json", str(hostile))
    assert not RAW_CONTROLS.search(as_json.stdout)
    result = json.loads(as_json.stdout)[0]  # still valid JSON, the text kept exactly
    assert result["file"] == str(hostile) and result["unit"] == HOSTILE_TEXT
    store = str(tmp_path / "simpan")
    collect_cli(str(intake["subject-control.eml"]), str(hostile), "--store", store)
    for args in (["--riwayat"], []):
        shown = iki("status", "--store", store, *args)
        assert shown.returncode == 0 and not RAW_CONTROLS.search(shown.stdout), shown.stdout
        assert "\\u202eesrever" in shown.stdout or not args  # riwayat: subject, unit name
