"""Files per second for `check`, beside the naive way and LibreOffice, on the same files.

Generates N sample-filled kelurahan workbooks of the largest bundled blueprint, then times:
  - check (the project's path: one pass read, shapes compiled once, both cores);
  - check on one core;
  - a fresh formulas.ExcelModel per file (the naive way; timed on a few files);
  - LibreOffice headless recalculation of the same files in one office process.
Run: .venv/bin/python benchmarks/bench_check.py [--files 40] [--naive 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

from benchmarks.bench_generate import machine
from iki_xlsx import libreoffice
from iki_xlsx.blueprint import find_blueprints, load_blueprint
from iki_xlsx.check import BlueprintIndex, check_files
from iki_xlsx.generate import DEFAULT_BLUEPRINTS, generate
from iki_xlsx.plan import Unit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--naive", type=int, default=3)
    args = parser.parse_args()
    blueprints = [b for b in (load_blueprint(p).blueprint for p in find_blueprints(
        DEFAULT_BLUEPRINTS)) if b is not None]
    largest = max(blueprints, key=lambda b: sum(len(j.indikator) for j in b.jabatan))
    index = BlueprintIndex(blueprints)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        units = [Unit(f"{i:04d}", f"Kelurahan {i:03d}") for i in range(args.files)]
        files = generate(largest, units, 2026, Path(folder), sample=True).files[:-1]
        print(f"{len(files)} filled kelurahan workbooks of {largest.id} "
              f"({files[0].stat().st_size // 1024} KB each)")
        rows = []
        for label, workers in (("check, 2 processes", None), ("check, 1 process", 1)):
            start = time.perf_counter()
            report = check_files(files, index, workers=workers)
            elapsed = time.perf_counter() - start
            assert report.ok, [f.one_line() for r in report.files for f in r.findings][:5]
            rows.append((label, len(files), elapsed))
        with contextlib.redirect_stderr(io.StringIO()):
            import formulas

            start = time.perf_counter()
            for path in files[: args.naive]:
                formulas.ExcelModel().loads(str(path)).finish().calculate()
            rows.append(("fresh formulas.ExcelModel per file", args.naive,
                         time.perf_counter() - start))
        if libreoffice.available() is None:
            with libreoffice.office() as port:
                libreoffice.read_values(port, files[:1], {}, "always")  # warm up
                start = time.perf_counter()
                libreoffice.read_values(port, files, {}, "always")
                rows.append(("LibreOffice recalculation on load", len(files),
                             time.perf_counter() - start))
        best = rows[0][1] / rows[0][2]
        print("| path | files | seconds | files/s | check is x faster |")
        print("|---|---|---|---|---|")
        for label, count, seconds in rows:
            rate = count / seconds
            print(f"| {label} | {count} | {seconds:.1f} | {rate:.2f} | {best / rate:.1f} |")


if __name__ == "__main__":
    main()
