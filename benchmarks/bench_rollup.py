"""The kabupaten's roll-up from the server (issue 25): K kecamatan x U units x 4 quarters.

Every office of a kabupaten workspace keeps its store in kantor/KODE/simpan (SQLite). One
kecamatan's returns (the largest bundled blueprint, U kelurahan and the office, all four
quarters filled with sample values) are generated, registered and collected once; the other
offices get a copy of that store (the roll-up reads each office's store on its own, so copies
cost it what distinct stores would). The kabupaten is built once into
output/bench/rollup-<K>x<U>/ and reused; each run times `KabupatenRollup.rollup` (every
store's recap source, its plan evaluated, the roll-up workbook written) for the whole year and
to TW II.

Run: .venv/bin/python -m benchmarks.bench_rollup [--kecamatan 40] [--units 13]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

from benchmarks.bench_generate import bundled, largest, machine
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.service.kabupaten import add_office, init_kabupaten, load_kabupaten
from iki_xlsx.service.rollup import KabupatenRollup
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate

SETTINGS = """\
kabupaten = "Kabupaten Contoh"
wilayah = "Provinsi Contoh"
kota = "Contoh"
zona_waktu = "WIB"
"""


def build(folder: Path, kecamatan: int, units: int) -> Path:
    """The kabupaten at folder/kabupaten (made once; DONE marks it whole)."""
    root = folder / "kabupaten"
    if (folder / "DONE").exists():
        return root
    shutil.rmtree(folder, ignore_errors=True)
    blueprints = bundled()
    bp = largest(blueprints)
    assert init_kabupaten(root).ok
    (root / "iki.toml").write_text(SETTINGS, encoding="utf-8")
    listed = [Unit(f"{i:02d}", f"Kelurahan Contoh {i:02d}") for i in range(1, units + 1)]
    first = None
    for n in range(1, kecamatan + 1):
        kode = f"35{n:05d}"
        office = add_office(load_kabupaten(root), kode, f"Kecamatan Contoh {n}").kantor.root
        (office / "unit.csv").write_text(
            "kode,nama\n" + "".join(f"{u.kode},{u.nama}\n" for u in listed), encoding="utf-8")
        for old in (office / "blueprints").glob("*"):
            old.unlink()
        shutil.copy(Path(__file__).resolve().parent.parent / "blueprints" / f"{bp.id}.yaml",
                    office / "blueprints")
        if first is None:
            store = Store(office / "simpan")
            assert generate(bp, listed, 2026, folder / "dibuat", register=store).ok
            assert generate(bp, listed, 2026, folder / "kembali", sample=True).ok
            added = collect([folder / "kembali"], store, BlueprintIndex(blueprints)).added
            assert {str(s) for *_, s in added} == {"ok"}, added
            first = office
        else:
            shutil.rmtree(office / "simpan", ignore_errors=True)
            shutil.copytree(first / "simpan", office / "simpan")
    (folder / "DONE").touch()
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kecamatan", type=int, default=40)
    parser.add_argument("--units", type=int, default=13)
    args = parser.parse_args()
    folder = Path("output") / "bench" / f"rollup-{args.kecamatan}x{args.units}"
    start = time.perf_counter()
    root = build(folder, args.kecamatan, args.units)
    print(f"machine: {machine()}")
    print(f"kabupaten: {args.kecamatan} kecamatan x {args.units} kelurahan (+ office) x 4 "
          f"quarters, largest bundled blueprint; built or reused in "
          f"{time.perf_counter() - start:.1f} s")
    rollup = KabupatenRollup(load_kabupaten(root))
    for tw in (None, 2):
        start = time.perf_counter()
        cpu = time.process_time()
        result = rollup.rollup(2026, tw, folder / f"rekap-{tw or 'setahun'}.xlsx")
        took, used = time.perf_counter() - start, time.process_time() - cpu
        assert result.source is not None and len(result.source.figures) == args.kecamatan
        print(f"rekap-kabupaten {'--tw ' + str(tw) if tw else 'setahun'}: {took:.1f} s wall, "
              f"{used:.1f} s CPU, {result.path.stat().st_size / 1e6 if result.path else 0:.2f}"
              " MB workbook")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
