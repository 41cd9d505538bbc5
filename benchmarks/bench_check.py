"""Files per second for `check`: the batch path beside the per-file path, a fresh `formulas`
model per file and LibreOffice, on the same filled workbooks, with growth and peak memory.

The files are the kecamatan office's workbook of the largest bundled blueprint (22 sheets, about
1,200 formula cells, 11 kelurahan), each filled with different reproducible sample values; they
are generated once into output/bench/ and reused. Each measurement runs in a fresh process, so
its peak memory (maxrss of the process and of its pool workers) is its own.

Run: .venv/bin/python -m benchmarks.bench_check [--sizes 10,100,300,1000] [--per-file 100]
     [--naive 3] [--libreoffice 40]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.bench_generate import machine
from iki_xlsx.blueprint.load import find_blueprints, load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex, check_files
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


def _write(seeds: list[int]) -> None:
    bp, plan = office_plan()
    inputs = [{**static_values(plan), **sample_inputs(bp, plan, seed)} for seed in seeds]
    values = Batch(plan, formula_order(plan)).evaluate(inputs)
    for seed, given, computed in zip(seeds, inputs, values, strict=True):
        write_workbook(plan, computed, given, folder_for(plan) / f"IKI_2026_office_{seed:04d}.xlsx")


def ensure_files(count: int) -> list[Path]:
    """`count` filled office workbooks, generated (on every core) only where missing."""
    _, plan = office_plan()
    folder = folder_for(plan)
    folder.mkdir(parents=True, exist_ok=True)
    missing = [i for i in range(count) if not (folder / f"IKI_2026_office_{i:04d}.xlsx").exists()]
    if missing:
        chunks = [missing[i:i + 25] for i in range(0, len(missing), 25)]
        with ProcessPoolExecutor() as pool:
            list(pool.map(_write, chunks))
    return [folder / f"IKI_2026_office_{i:04d}.xlsx" for i in range(count)]


def peak_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest finished child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure(kind: str, count: int) -> dict[str, Any]:
    """One timed run, in this (fresh) process."""
    files = ensure_files(count)
    index = BlueprintIndex(blueprints())
    start = time.perf_counter()
    if kind in ("batch", "per-file"):
        report = check_files(files, index, batch=kind == "batch")
        assert report.ok, [f.one_line() for r in report.files for f in r.findings][:5]
    elif kind == "fresh-model":
        with contextlib.redirect_stderr(io.StringIO()):
            import formulas

            for path in files:
                formulas.ExcelModel().loads(str(path)).finish().calculate()
    elif kind == "libreoffice":
        with libreoffice.office() as port:
            libreoffice.read_values(port, files[:1], {}, "always")  # start-up, not timed
            start = time.perf_counter()
            libreoffice.read_values(port, files, {}, "always")
    seconds = time.perf_counter() - start
    own, children = peak_mb()
    return {"kind": kind, "files": count, "seconds": seconds, "parent_mb": own,
            "child_mb": children}


def run(kind: str, count: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_check", "--measure", kind,
                           "--count", str(count)], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,300,1000")
    parser.add_argument("--per-file", type=int, default=100)
    parser.add_argument("--naive", type=int, default=3)
    parser.add_argument("--libreoffice", type=int, default=40)
    parser.add_argument("--measure", default=None)
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.count)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {machine()}")
    start = time.perf_counter()
    files = ensure_files(max(sizes))
    print(f"{len(files)} filled office workbooks of {office_plan()[0].id} "
          f"({len(office_plan()[1].sheets)} sheets, "
          f"{sum(1 for _ in office_plan()[1].formula_cells())} formula cells, "
          f"{files[0].stat().st_size // 1024} KB each) in {files[0].parent} "
          f"(ready in {time.perf_counter() - start:.0f} s)")
    rows = [run("batch", n) for n in sizes]
    rows.append(run("per-file", args.per_file))
    rows.append(run("fresh-model", args.naive))
    if libreoffice.available() is None:
        rows.append(run("libreoffice", args.libreoffice))
    labels = {"batch": "batch path (check, 2 processes)",
              "per-file": "per-file compiled path (2 processes)",
              "fresh-model": "fresh formulas.ExcelModel per file (1 process)",
              "libreoffice": "LibreOffice headless recalculation (one office process)"}
    largest = max((r for r in rows if r["kind"] == "batch"), key=lambda r: r["files"])
    batch_rate = largest["files"] / largest["seconds"]
    print("| path | files | seconds | files/s | batch is x faster | s per 1,000 files | "
          "peak MB parent / worker |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        rate = row["files"] / row["seconds"]
        print(f"| {labels[row['kind']]} | {row['files']} | {row['seconds']:.1f} | {rate:.2f} | "
              f"{batch_rate / rate:.1f} | {1000 / rate:.0f} | {row['parent_mb']:.0f} / "
              f"{row['child_mb']:.0f} |")


if __name__ == "__main__":
    main()
