"""Reading returned workbooks: `iki_xlsx.workbook.read` (sheets streamed through expat)
against openpyxl.

Both must yield every cell's formula text and stored value; openpyxl needs two loads for that
(formulas, then data_only). Run: .venv/bin/python -m benchmarks.bench_read [--files 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import openpyxl

from benchmarks.bench_generate import machine
from iki_xlsx.blueprint.load import find_blueprints, load_blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.workbook.generate import DEFAULT_BLUEPRINTS, generate
from iki_xlsx.workbook.read import read_workbook


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    blueprints = [b for b in (load_blueprint(p).blueprint for p in find_blueprints(
        DEFAULT_BLUEPRINTS)) if b is not None]
    largest = max(blueprints, key=lambda b: sum(len(j.indikator) for j in b.jabatan))
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        units = [Unit(f"{i:04d}", f"Kelurahan {i:03d}") for i in range(args.files)]
        files = generate(largest, units, 2026, Path(folder), sample=True).files
        print(f"{len(files)} workbooks of {largest.id} (the last is the office's, 20 sheets)")
        start = time.perf_counter()
        for path in files:
            read_workbook(path)
        direct = time.perf_counter() - start
        start = time.perf_counter()
        for path in files:
            openpyxl.load_workbook(path)
            openpyxl.load_workbook(path, data_only=True)
        both = time.perf_counter() - start
        print("| reader | ms per file |")
        print("|---|---|")
        print("| iki_xlsx.workbook.read (one expat streaming pass) | "
              f"{1000 * direct / len(files):.1f} |")
        print(f"| openpyxl, formulas + data_only loads | {1000 * both / len(files):.1f} |")


if __name__ == "__main__":
    main()
