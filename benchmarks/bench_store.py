"""Concurrent collects into one store, SQLite and PostgreSQL: every file stored once.

W writer processes start together (a barrier); each collects its own share of the returns
plus a few that every writer also has (as when a clerk sends one file twice, by e-mail and by
upload), so the store must record those once. SQLite's collects take turns (its lock file);
PostgreSQL's run at once. Reported: wall time from the barrier to the last writer's end,
returns recorded per second, and the check that every distinct file is recorded exactly once
with the verdict it must have.

The returns are the sample-filled workbooks of `iki-kecamatan-jabung` for W periods
(2026, 2027, ...) of N desa each and the office, registered as generated, made once into
output/bench/store-<W>x<N>/ and reused. A throwaway PostgreSQL server is started like the
tests' (Debian's postgresql, initdb as postgres, a loopback port) unless --url names one.

To grow into the kabupaten load test (issue 24: 20 web clients upload 1,000 returns of 30
kecamatan while an IMAP pull runs), a writer is one `Writer`: add one that uploads through
the web app, and one store per kecamatan schema (`PostgresLocation(url, schema)`).

Run: .venv/bin/python -m benchmarks.bench_store [--writers 4] [--returns 250] [--shared 10]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_generate import machine
from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.store.location import parse_location
from iki_xlsx.workbook.generate import generate

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINT = ROOT / "blueprints" / "iki-kecamatan-jabung.yaml"


@dataclass(frozen=True)
class Writer:
    """One process's work: the files it collects into the store."""

    name: str
    files: tuple[Path, ...]

    def run(self, store: Store, index: BlueprintIndex) -> tuple[int, int]:
        result = collect(list(self.files), store, index)
        return len(result.added), len(result.duplicates)


def returns_for(bp: Blueprint, writers: int, each: int, folder: Path) -> list[list[Path]]:
    """Each writer's period: the sample-filled returns of `each` desa and the office (made
    once, then reused)."""
    units = [Unit(f"{i:04d}", f"Desa Contoh {i:04d}") for i in range(1, each + 1)]
    shares = []
    for number in range(writers):
        periode = 2026 + number
        share = folder / f"kembali-{periode}"
        files = sorted(share.glob("*.xlsx"))
        if len(files) != each + 1:
            shutil.rmtree(share, ignore_errors=True)
            made = generate(bp, units, periode, share, sample=True)
            assert made.ok
            files = sorted(made.files)
        shares.append(files)
    return shares


def registered(store: Store, bp: Blueprint, writers: int, each: int, folder: Path) -> None:
    units = [Unit(f"{i:04d}", f"Desa Contoh {i:04d}") for i in range(1, each + 1)]
    for number in range(writers):
        made = generate(bp, units, 2026 + number, folder / f"dibuat-{number}", register=store)
        assert made.ok


def _work(writer: Writer, store: Store, ready: Any, said: Any) -> None:
    index = BlueprintIndex.from_folder(ROOT / "blueprints")
    ready.wait()
    added, known = writer.run(store, index)
    said.put((writer.name, added, known, time.perf_counter()))


def race(store: Store, writers: list[Writer]) -> tuple[float, list[tuple[str, int, int]]]:
    """All writers at once; seconds from the start to the last one's end, and their counts."""
    context = multiprocessing.get_context("fork")
    ready, said = context.Barrier(len(writers) + 1), context.Queue()
    processes = [context.Process(target=_work, args=(w, store, ready, said)) for w in writers]
    for process in processes:
        process.start()
    ready.wait()
    start = time.perf_counter()
    done = [said.get() for _ in processes]
    for process in processes:
        process.join()
    assert all(p.exitcode == 0 for p in processes), "a writer failed"
    return max(end for *_, end in done) - start, [(n, a, k) for n, a, k, _ in done]


def verify(store: Store, files: list[Path]) -> int:
    """Every distinct file recorded once, accepted, its raw copy whole; how many."""
    expected = {hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    recorded = store.submissions()
    shas = [row.sha256 for row in recorded]
    assert len(shas) == len(set(shas)) == len(expected) and set(shas) == expected
    assert {row.status for row in recorded} == {"ok"}
    for sha in shas:
        assert hashlib.sha256(store.raw_path(sha).read_bytes()).hexdigest() == sha
    return len(shas)


def measure(label: str, make_store: Callable[[Path], Store], bp: Blueprint,
            shares: list[list[Path]], shared: int, folder: Path) -> None:
    work = folder / label
    shutil.rmtree(work, ignore_errors=True)
    store = make_store(work)
    registered(store, bp, len(shares), len(shares[0]), work)
    common = [f for files in shares for f in files[:shared]]
    writers = [Writer(f"w{n}", tuple(dict.fromkeys([*files, *common])))
               for n, files in enumerate(shares)]
    seconds, counts = race(store, writers)
    stored = verify(store, [f for files in shares for f in files])
    handed = sum(len(w.files) for w in writers)
    print(f"{label}: {len(writers)} writers, {handed} files handed in ({stored} distinct), "
          f"{stored} stored once each in {seconds:.1f} s = {stored / seconds:.1f} returns/s; "
          f"per writer (added, already there): {[(a, k) for _, a, k in counts]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--returns", type=int, default=250, help="returns per writer")
    parser.add_argument("--shared", type=int, default=10,
                        help="returns of each writer that every other writer also collects")
    parser.add_argument("--url", default=None,
                        help="an existing PostgreSQL database (else a throwaway server)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    loaded = load_blueprint(BLUEPRINT).blueprint
    assert loaded is not None
    folder = ROOT / "output" / "bench" / f"store-{args.writers}x{args.returns}"
    start = time.perf_counter()
    shares = returns_for(loaded, args.writers, args.returns, folder)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"returns ready in {time.perf_counter() - start:.0f} s: {args.writers} x "
          f"{args.returns} of {loaded.id}, {args.shared} of each shared by every writer")
    if args.only != "postgresql":
        measure("sqlite", lambda work: Store(work / "simpan"), loaded, shares, args.shared,
                folder)
    if args.only == "sqlite":
        return
    server = None
    if args.url is None:
        from tests.pgserver import PostgresServer

        server = PostgresServer()
        location: PostgresLocation = server.location(server.create_database("bench"))
    else:
        location = parse_location(args.url)
    try:
        measure("postgresql", lambda work: Store(work / "simpan", database=location,
                                                 raw=work / "berkas"),
                loaded, shares, args.shared, folder)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
