"""Workbooks per second for `generate` on the largest bundled blueprint and 400 units.

Run: .venv/bin/python benchmarks/bench_generate.py [--units 400]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from iki_xlsx.blueprint.load import find_blueprints, load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.workbook.generate import DEFAULT_BLUEPRINTS, generate


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def bundled() -> list[Blueprint]:
    """The bundled blueprints that load."""
    loaded = [load_blueprint(p).blueprint for p in find_blueprints(DEFAULT_BLUEPRINTS)]
    return [b for b in loaded if b is not None]


def largest(blueprints: list[Blueprint]) -> Blueprint:
    """The blueprint with the most jabatan indicators (iki-kecamatan-kota)."""
    return max(blueprints, key=lambda b: sum(len(j.indikator) for j in b.jabatan))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=400)
    args = parser.parse_args()
    biggest = largest(bundled())
    units = [Unit(f"{i:04d}", f"Kelurahan Contoh {i:03d}") for i in range(1, args.units + 1)]
    print(f"machine: {machine()}")
    print(f"blueprint: {biggest.id} ({len(biggest.jabatan)} jabatan, "
          f"{sum(len(j.indikator) for j in biggest.jabatan)} indikator)")
    for sample in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            result = generate(biggest, units, 2026, Path(folder), sample=sample)
            elapsed = time.perf_counter() - start
            assert result.ok
            kind = "filled (cached values computed per workbook)" if sample else "blank"
            print(f"{kind}: {len(result.files)} workbooks in {elapsed:.1f} s = "
                  f"{len(result.files) / elapsed:.1f} workbooks/s")


if __name__ == "__main__":
    main()
