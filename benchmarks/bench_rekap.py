"""collect, status and rekap times for the returns of 400 kelurahan of the largest blueprint.

The filled workbooks are generated once into output/bench/rekap-<units>/ and reused; each run
collects them into a fresh store.

Run: .venv/bin/python -m benchmarks.bench_rekap [--units 400]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

from benchmarks.bench_generate import bundled, largest, machine
from iki_xlsx.check import BlueprintIndex, check_file
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.intake.status import status
from iki_xlsx.rekap.build import write_rekap
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=400)
    args = parser.parse_args()
    blueprints = bundled()
    biggest = largest(blueprints)
    units = [Unit(f"{i:04d}", f"Kelurahan Contoh {i:03d}") for i in range(1, args.units + 1)]
    folder = Path("output") / "bench" / f"rekap-{args.units}"
    returns = folder / "kembali"
    index = BlueprintIndex(blueprints)
    cached = sorted(returns.glob("*.xlsx"))
    if len(cached) != args.units + 1 or str(check_file(cached[0], index).status) != "ok":
        shutil.rmtree(returns, ignore_errors=True)  # missing, or made by an older version
        assert generate(biggest, units, 2026, returns, sample=True).ok
    store_dir = folder / "simpan"
    shutil.rmtree(store_dir, ignore_errors=True)
    store = Store(store_dir)
    print(f"machine: {machine()}")
    print(f"blueprint: {biggest.id}, {args.units} kelurahan + office")

    start = time.perf_counter()
    collected = collect([returns], store, index)
    took = time.perf_counter() - start
    accepted = sum(1 for _, _, state in collected.added if state == "ok")
    assert accepted == args.units + 1, "every sample return should be accepted"
    print(f"collect: {len(collected.added)} files ({accepted} accepted) in {took:.1f} s = "
          f"{len(collected.added) / took:.1f} files/s")

    start = time.perf_counter()
    again = collect([returns], store, index)
    print(f"collect again: {len(again.duplicates)} known files in "
          f"{time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    report = status(store)
    print(f"status: {sum(len(p.units) for p in report.periods)} units in "
          f"{time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    result = write_rekap(store, index, folder / "rekap.xlsx", csv_dir=folder,
                         parquet_dir=folder)
    took = time.perf_counter() - start
    assert result.ok and result.plan is not None
    formulas = sum(1 for _ in result.plan.formula_cells())
    size = (folder / "rekap.xlsx").stat().st_size / 1e6
    print(f"rekap: {result.values} values, {formulas} formula cells, {size:.1f} MB workbook "
          f"+ CSV + Parquet in {took:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak:.0f} MB")


if __name__ == "__main__":
    main()
