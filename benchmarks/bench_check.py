"""How fast `check` is on returns saved by LibreOffice, against LibreOffice's own recalculation
and openpyxl's time to open the same files; and one file checked by `iki-xlsx periksa` in a
fresh process, against opening it with openpyxl in a fresh process (not a test).

The files are the kecamatan office's workbook of the largest bundled blueprint (22 sheets,
about 1,200 formula cells, 11 kelurahan), each filled with different reproducible sample
values, then opened and saved by LibreOffice as a clerk's return would be; both are made once
into output/bench/ and reused. Each measurement runs in a fresh process, so its peak memory
(maxrss of the process and of its pool workers) is its own.

The batch is measured twice in one run, on the same files: cold (no layout kept: each worker
plans the workbook and compiles its formulas with the engine first) and warm (the layout kept
by an earlier process in a store folder, as every check in a workspace after its first of that
layout finds it: `periksa`, `terima`/collect and the web app pass their store folder). The
goal (a batch time per file at most 1/30 of openpyxl's open) is judged on the warm batch, the
one a workspace's users meet day after day; the cold one is what the first batch of a new
layout (or a check outside a workspace) costs, and is reported beside it.

Run: .venv/bin/python -m benchmarks.bench_check [--sizes 100,1000] [--libreoffice 40]
     [--openpyxl 10] [--runs 10] [--profile 64]
     .venv/bin/python -m benchmarks.bench_check --one-file [--runs 10]  (the one file alone)
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import hashlib
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.bench_generate import machine
from iki_xlsx.blueprint.load import find_blueprints, load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex, check_chunk, check_files
from iki_xlsx.check.warm import LAYOUTS_DIR
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook.evaluate import Batch, formula_order, static_values
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.generate import DEFAULT_BLUEPRINTS, recipients
from iki_xlsx.workbook.write import write_workbook
from tests import libreoffice

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "output" / "bench"
UNITS = [Unit(f"35730110{i:02d}", f"Kelurahan {i:02d}") for i in range(1, 12)]
SAVE_BATCH = 5  # files LibreOffice saves per worker run (each run must end within its 600 s)


def blueprints() -> list[Blueprint]:
    loaded = (load_blueprint(p).blueprint for p in find_blueprints(DEFAULT_BLUEPRINTS))
    return [b for b in loaded if b is not None]


def office_plan() -> tuple[Blueprint, WorkbookPlan]:
    largest = max(blueprints(), key=lambda b: sum(len(j.indikator) for j in b.jabatan))
    everyone = recipients(largest, UNITS)
    return largest, plan_workbook(largest, everyone[-1], 2026, everyone)


def folder_for(plan: WorkbookPlan) -> Path:
    """One folder per formula layout: files of older shapes are never reused."""
    text = "\n".join(f"{s.code}!{c.ref}={c.formula.text if c.formula else ''}"
                     for s, c in plan.formula_cells())
    return CACHE / f"{plan.blueprint_id}-office-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _name(seed: int) -> str:
    return f"IKI_2026_office_{seed:04d}.xlsx"


def _write(seeds: list[int]) -> None:
    bp, plan = office_plan()
    inputs = [{**static_values(plan), **sample_inputs(bp, plan, seed)} for seed in seeds]
    values = Batch(plan, formula_order(plan)).evaluate(inputs)
    for seed, given, computed in zip(seeds, inputs, values, strict=True):
        write_workbook(plan, computed, given, folder_for(plan) / _name(seed))


def ensure_files(count: int) -> list[Path]:
    """`count` filled office workbooks as iki-xlsx writes them, generated (on every core) only
    where missing."""
    _, plan = office_plan()
    folder = folder_for(plan)
    folder.mkdir(parents=True, exist_ok=True)
    missing = [i for i in range(count) if not (folder / _name(i)).exists()]
    if missing:
        chunks = [missing[i:i + 25] for i in range(0, len(missing), 25)]
        with ProcessPoolExecutor() as pool:
            list(pool.map(_write, chunks))
    return [folder / _name(i) for i in range(count)]


def ensure_saved(count: int) -> list[Path]:
    """The same workbooks opened and saved by LibreOffice (cached values kept as LibreOffice
    shows them), as a clerk filling the workbook in Calc returns it; saved only where missing,
    `SAVE_BATCH` files per LibreOffice run."""
    written = ensure_files(count)
    folder = written[0].parent.with_name(written[0].parent.name + "-libreoffice")
    folder.mkdir(parents=True, exist_ok=True)
    missing = [path for path in written if not (folder / path.name).exists()]
    if missing:
        with libreoffice.office() as port:
            for start in range(0, len(missing), SAVE_BATCH):
                group = missing[start:start + SAVE_BATCH]
                libreoffice.read_values(port, group, {}, "never",
                                        save_as={p: folder / p.name for p in group})
                print(f"  LibreOffice saved {start + len(group)} of {len(missing)}",
                      file=sys.stderr, flush=True)
    return [folder / path.name for path in written]


def workspace(files: Sequence[Path]) -> Path:
    """A workspace whose register knows the office workbook of the files (its units list and
    blueprint version), made once with `init` and `buat`."""
    root = files[0].parent.with_name(files[0].parent.name + "-ruang")
    if (root / "simpan" / "iki.sqlite").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    cli = [sys.executable, "-m", "iki_xlsx"]
    subprocess.run([*cli, "init", str(root)], check=True, capture_output=True)
    with (root / "unit.csv").open("w", newline="") as handle:  # as the files were made: no
        writer = csv.writer(handle)  # addresses (a manifest must agree with the register)
        writer.writerow(["kode", "nama"])
        writer.writerows([u.kode, u.nama] for u in UNITS)
    bp, _ = office_plan()
    subprocess.run([*cli, "buat", bp.id, "--periode", "2026"], check=True, cwd=root,
                   capture_output=True)
    return root


def kept_in(files: Sequence[Path]) -> Path:
    """The store folder beside the files' folder where their layout is kept."""
    return files[0].parent.with_name(files[0].parent.name + "-simpan")


def warm_folder(files: Sequence[Path]) -> Path:
    """A store folder (as a workspace's `simpan`) holding the layout of the files, kept there
    by a check of one of them in a process of its own (`check.warm`)."""
    folder = kept_in(files)
    subprocess.run([sys.executable, "-m", "benchmarks.bench_check", "--measure", "keep",
                    "--count", "1"], capture_output=True, text=True, cwd=ROOT, check=True)
    return folder


def peak_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest finished child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure(kind: str, count: int) -> dict[str, Any]:
    """One timed run, in this (fresh) process."""
    files = ensure_saved(count)
    start = time.perf_counter()
    cpu_start = _cpu()
    if kind in ("batch", "batch-warm", "keep"):
        index = BlueprintIndex(blueprints())
        warm = kept_in(files)
        if kind == "keep":
            warm.mkdir(exist_ok=True)
        elif kind == "batch-warm":
            assert any((warm / LAYOUTS_DIR).glob("*.pickle")), "no layout kept: run `keep`"
        start, cpu_start = time.perf_counter(), _cpu()
        report = check_files(files, index, warm=warm if kind != "batch" else None)
        assert report.ok, [f.one_line() for r in report.files for f in r.findings][:5]
    elif kind == "openpyxl":
        import openpyxl

        start, cpu_start = time.perf_counter(), _cpu()
        for path in files:
            openpyxl.load_workbook(path)
    elif kind == "libreoffice":
        with libreoffice.office() as port:
            libreoffice.read_values(port, files[:1], {}, "always")  # start-up, not timed
            start, cpu_start = time.perf_counter(), _cpu()
            libreoffice.read_values(port, files, {}, "always")
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu_start
    own, children = peak_mb()
    return {"kind": kind, "files": count, "seconds": seconds, "cpu_seconds": cpu,
            "parent_mb": own, "child_mb": children}


def _cpu() -> float:
    """CPU seconds of this process and of its children waited for (the pool's workers)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(kind: str, count: int) -> dict[str, Any]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_check", "--measure", kind,
                           "--count", str(count)], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - start
    return result


def fresh_processes(command: list[str], runs: int, cwd: Path) -> tuple[float, float]:
    """Median wall and CPU seconds of `command` run `runs` times, each in a fresh process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def one_file(files: Sequence[Path], runs: int) -> dict[str, float]:
    """`iki-xlsx periksa FILE` in the workspace (its blueprint index warm from the store after
    a first run), against opening FILE with openpyxl, each in `runs` fresh processes."""
    root = workspace(files)
    # byte-compiled as an install leaves it (scripts/venv.sh does the same), so no run pays for
    # compiling the package again where PYTHONDONTWRITEBYTECODE is set
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "iki_xlsx")],
                   check=True, capture_output=True)
    path = str(files[0])
    periksa = [str(Path(sys.executable).with_name("iki-xlsx")), "periksa", path]
    first = subprocess.run(periksa, cwd=root, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    wall, cpu = fresh_processes(periksa, runs, root)
    opening = [sys.executable, "-c", "import openpyxl, sys; openpyxl.load_workbook(sys.argv[1])",
               path]
    open_wall, open_cpu = fresh_processes(opening, runs, root)
    return {"wall": wall, "cpu": cpu, "open_wall": open_wall, "open_cpu": open_cpu}


# runs `iki-xlsx ARGS...` in this process, timing each top-level import in CPU seconds (the
# import machinery's _find_and_load wrapped; nested imports count in their parent), and prints
# {module: seconds} as JSON on stderr's last line
IMPORTS_PROBE = """
import json, sys, time
import importlib._bootstrap as bootstrap
found = bootstrap._find_and_load
depth, spent = [0], {}
def timed(name, import_):
    if name in sys.modules or depth[0]:
        return found(name, import_)
    depth[0] += 1
    start = time.process_time()
    try:
        return found(name, import_)
    finally:
        depth[0] -= 1
        spent[name] = spent.get(name, 0) + time.process_time() - start
bootstrap._find_and_load = timed
from iki_xlsx.cli.main import main
try:
    main(sys.argv[1:], prog_name="iki-xlsx")
except SystemExit:
    pass
print(json.dumps(spent), file=sys.stderr)
"""


def imports(files: Sequence[Path], runs: int, top: int = 10) -> str:
    """The top-level imports of a warm `iki-xlsx periksa FILE` in CPU time, the least of
    `runs` fresh processes each, largest first."""
    least: dict[str, float] = {}
    totals = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", IMPORTS_PROBE, "periksa", str(files[0])],
                              cwd=workspace(files), capture_output=True, text=True)
        spent: dict[str, float] = json.loads(done.stderr.strip().splitlines()[-1])
        totals.append(sum(spent.values()))
        for name, seconds in spent.items():
            least[name] = min(least.get(name, seconds), seconds)
    lines = [f"imports of a warm periksa (CPU, least of {runs} fresh processes): "
             f"{1000 * min(totals):.0f} ms in all (median {1000 * statistics.median(totals):.0f}"
             "), the largest top-level ones:", "| import | CPU ms |", "|---|---|"]
    lines += [f"| `{name}` | {1000 * seconds:.0f} |"
              for name, seconds in sorted(least.items(), key=lambda e: -e[1])[:top]]
    return "\n".join(lines)


def profile(count: int, top: int = 15) -> str:
    """The top entries (own time) of one chunk of `count` files checked in this process."""
    files = ensure_saved(count)
    index = BlueprintIndex(blueprints())
    check_chunk(files[:1], index)  # the layout and the engine, once per process
    profiler = cProfile.Profile()
    profiler.enable()
    check_chunk(files, index)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    lines = [f"profile of one chunk of {count} files in one process ({total:.1f} s under "
             "cProfile), top entries by own time:",
             "| function | calls | own s | own % | with callees s |", "|---|---|---|---|---|"]
    entries = sorted(stats.stats.items(), key=lambda e: -e[1][2])  # type: ignore[attr-defined]
    for (file, line, name), (_, calls, own, cumulative, _) in entries[:top]:
        where = f"{Path(file).name}:{line}({name})" if line else name
        lines.append(f"| `{where}` | {calls} | {own:.2f} | {100 * own / total:.0f} % | "
                     f"{cumulative:.2f} |")
    return "\n".join(lines)


def cpu_ms(row: dict[str, Any]) -> str:
    """CPU per file of a measurement, with its pool's workers; not LibreOffice's (the office
    runs on, outside the measured process's children, until the measurement ends)."""
    if row["kind"] == "libreoffice":
        return "—"
    return f"{1000 * row['cpu_seconds'] / row['files']:.1f}"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--libreoffice", type=int, default=40)
    parser.add_argument("--openpyxl", type=int, default=10)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--measure", default=None)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--one-file", action="store_true",
                        help="only the one-file measurement (periksa against openpyxl) and the "
                             "CPU time of periksa's imports")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.count)))
        return
    if args.one_file:
        print(f"machine: {machine()}; load average at the start {load()}")
        print_one_file(ensure_saved(1), args.runs)
        print(f"load average at the end {load()}")
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {machine()}; load average at the start {load()}")
    start = time.perf_counter()
    files = ensure_saved(max(sizes))
    _, plan = office_plan()
    print(f"{len(files)} office workbooks of {plan.blueprint_id} ({len(plan.sheets)} sheets, "
          f"{sum(1 for _ in plan.formula_cells())} formula cells) saved by LibreOffice, "
          f"{files[0].stat().st_size // 1024} KB each, in {files[0].parent} "
          f"(ready in {time.perf_counter() - start:.0f} s)")
    if args.profile:
        print(profile(args.profile))
    warm_folder(files)
    rows = [run(kind, n) for n in sizes for kind in ("batch", "batch-warm")]
    rows.append(run("openpyxl", args.openpyxl))
    if libreoffice.available() is None:
        rows.append(run("libreoffice", args.libreoffice))
    labels = {"batch": "iki-xlsx check, batch, cold (2 processes, no layout kept)",
              "batch-warm": "iki-xlsx check, batch, warm (2 processes, the layout kept in "
                            "the store folder)",
              "openpyxl": "openpyxl.load_workbook (1 process)",
              "libreoffice": "LibreOffice headless recalculation (one office process)"}
    print("| path | files | seconds | ms per file | CPU ms per file | process s "
          "| peak MB parent / worker |")
    print("|---|---|---|---|---|---|---|")
    per_file: dict[tuple[str, int], float] = {}
    for row in rows:
        per_file[(row["kind"], row["files"])] = row["seconds"] / row["files"]
        print(f"| {labels[row['kind']]} | {row['files']} | {row['seconds']:.1f} | "
              f"{1000 * row['seconds'] / row['files']:.1f} | "
              f"{cpu_ms(row)} | {row['process_seconds']:.1f} | "
              f"{row['parent_mb']:.0f} / {row['child_mb']:.0f} |")
    opening = per_file[("openpyxl", args.openpyxl)]
    recalculation = per_file.get(("libreoffice", args.libreoffice))
    for size in sizes:
        for kind, how in (("batch-warm", "warm (the goal is judged on it)"),
                          ("batch", "cold (the first batch of a layout)")):
            batch = per_file[(kind, size)]
            said = f"batch of {size}, {how}: {1000 * batch:.1f} ms per file; openpyxl's " \
                   f"open is {opening / batch:.1f}x that (goal >= 30)"
            if recalculation is not None:
                said += (f"; LibreOffice's recalculation {recalculation / batch:.0f}x "
                         "(goal >= 55)")
            print(said)
    print_one_file(files, args.runs)
    print(f"load average at the end {load()}")


def print_one_file(files: Sequence[Path], runs: int) -> None:
    one = one_file(files, runs)
    print(f"one file, median of {runs} fresh processes: iki-xlsx periksa {one['wall']:.2f} s "
          f"wall ({one['cpu']:.2f} s CPU; goal < 1 s), openpyxl opening it {one['open_wall']:.2f} "
          f"s wall ({one['open_cpu']:.2f} s CPU): {one['wall'] / one['open_wall']:.2f}x wall, "
          f"{one['cpu'] / one['open_cpu']:.2f}x CPU (goal <= 0.8)")
    print(imports(files, runs))


if __name__ == "__main__":
    main()
