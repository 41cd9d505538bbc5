"""Each case of the hostile corpus (tests/hostile.py) checked alone by `iki-xlsx check --json`
in a fresh process: its verdict, wall and CPU time, and peak memory; then the whole corpus in
one batch with twelve good returns, and `collect` of the poison with the twelve good returns
(not a test: the test suite asserts the verdicts, this holds the resource bounds).

The bounds: a case alone at most BOUND_SECONDS of CPU, start-up included (the goal is under
2 s of work; CPU time, not wall time, since the machine may be shared), the largest process at
most BOUND_MB (the goal is 300 MB per worker); the batch at most half the cases' bound added
up, the collect at most COLLECT_SECONDS. Then the cases beyond returned workbooks, by class
(benchmarks/hostile_surfaces.py: the office's own files, intake, the e-mail loop, the web app,
the store). A row over its bound is marked OVER and the benchmark exits 1.

The corpus is built once into output/hostile/ and reused. The times include the command's
start-up (imports, blueprints: the first row, a good return, shows it).

    .venv/bin/python -m benchmarks.bench_hostile
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from benchmarks import hostile_surfaces
from benchmarks.bench_generate import machine
from tests.hostile import (
    Case,
    Measured,
    build_intake_cases,
    build_workbook_cases,
    good_workbooks,
    measured,
)

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "output" / "hostile"
BOUND_SECONDS = 10.0
BOUND_MB = 400.0
COLLECT_SECONDS = 120.0
COMMAND = [sys.executable, "-m", "iki_xlsx"]


def main() -> None:
    good = good_workbooks(FOLDER / "baik", 12)  # eleven desa and the office
    cases = build_workbook_cases(good[0], FOLDER / "berkas")
    print(f"machine: {machine()}")
    print("| case | size | verdict (first finding) | wall s | CPU s | peak MB | bounds |")
    print("|---|---|---|---|---|---|---|")
    over = 0
    for name, path in [("good return (for scale)", good[0]),
                       *((f"{c.name}: {c.what}", c.path) for c in cases)]:
        run = measured([*COMMAND, "check", "--json", str(path)])
        result = json.loads(run.done.stdout)[0]
        code = result["findings"][0]["code"] if result["findings"] else "-"
        over += _row(name, _size(path.stat().st_size), f"{result['status']} ({code})", run,
                     BOUND_SECONDS)
    batch = [c.path for c in cases[:8]] + good[:1] + [c.path for c in cases[8:]] + good[1:]
    run = measured([*COMMAND, "check", "--json", *map(str, batch)])
    over += _row(f"all {len(cases)} cases and {len(good)} good returns in one batch",
                 _size(sum(p.stat().st_size for p in batch)), f"exit {run.done.returncode}",
                 run, BOUND_SECONDS * len(cases) / 2)
    over += _row("collect of the poison and the twelve good returns", "-",
                 "-", _collect(cases, good), COLLECT_SECONDS)
    print()  # then the office's own files, intake, the e-mail loop, the web app, the store
    if not hostile_surfaces.table(FOLDER):
        over += 1
    sys.exit(1 if over else 0)


def _row(name: str, size: str, verdict: str, run: Measured, seconds: float) -> int:
    within = run.cpu_seconds < seconds and run.peak_mb < BOUND_MB
    print(f"| {name} | {size} | {verdict} | {run.seconds:.2f} | {run.cpu_seconds:.2f} | "
          f"{run.peak_mb:.0f} | {'ok' if within else 'OVER'} (< {seconds:.0f} s, "
          f"< {BOUND_MB:.0f} MB) |", flush=True)
    return 0 if within else 1


def _collect(cases: list[Case], good: list[Path]) -> Measured:
    intake = build_intake_cases(good, FOLDER / "kiriman")
    folder = FOLDER / "racun"  # not hostile_surfaces' drop folder (masuk) nor its stores
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(FOLDER / "simpan-racun", ignore_errors=True)
    folder.mkdir()
    poison = [c.path for c in cases if c.status != "ok"] + [
        intake["zip-40x45mb.zip"], intake["zip-100000-members.zip"]]
    for path in [*poison, *good]:  # hard links: intake refuses a symbolic link (O_NOFOLLOW)
        os.link(path, folder / path.name)
    return measured([*COMMAND, "collect", str(folder), "--store", str(FOLDER / "simpan-racun")])


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size // 1024} KB"


if __name__ == "__main__":
    main()
