"""Spread the checking of many files over the machine's cores, in chunks of bounded size."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from iki_xlsx.check.chunk import check_chunk
from iki_xlsx.check.guard import worker_died
from iki_xlsx.check.result import CheckReport, FileResult, finish
from iki_xlsx.plan.index import BlueprintIndex

PR_SET_PDEATHSIG = 1  # Linux prctl option: the signal a process gets when its parent dies
BATCH_SIZE = 64  # files a worker holds at once: about 2 MB each for a 22-sheet workbook
# the address space a worker may add to what it had when it started: a chunk of 64 normal
# returns needs well under 0.5 GiB more; a file that makes its worker ask for more fails alone
# (MemoryError -> check-failed, or the worker dies and its chunk is re-checked file by file)
# instead of pressing the whole machine
WORKER_MEMORY_BUDGET = 2 * 1024 ** 3


def check_files(paths: Sequence[Path], index: BlueprintIndex,
                annotate_dir: Path | None = None, workers: int | None = None, *,
                batch: bool = True) -> CheckReport:
    """Check every file; the order of the results is the order of `paths`."""
    return CheckReport(list(iter_check(paths, index, annotate_dir, workers, batch=batch)))


def iter_check(paths: Sequence[Path], index: BlueprintIndex, annotate_dir: Path | None = None,
               workers: int | None = None, *, batch: bool = True,
               batch_size: int = BATCH_SIZE) -> Iterator[FileResult]:
    """Results one by one, in the order of `paths`, spread over the machine's cores.

    Files go to the workers in chunks of at most `batch_size`, which bounds the memory each
    worker holds. With `batch` (the default) the workbooks of one layout in a chunk are
    evaluated together (`evaluate.Batch`); without it, one by one (the per-file path).
    """
    count = workers if workers is not None else min(len(paths), os.cpu_count() or 1)
    parallel = count > 1 and len(paths) >= 4
    size = max(1, min(batch_size, -(-len(paths) // count) if parallel else batch_size))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    if not parallel:
        for chunk in chunks:
            yield from check_chunk(chunk, index, annotate_dir, batch=batch)
        return
    yield from _over_pool(chunks, index, annotate_dir, count, batch)


def _over_pool(chunks: list[list[Path]], index: BlueprintIndex, annotate_dir: Path | None,
               count: int, batch: bool) -> Iterator[FileResult]:
    """Chunks over a pool of `count` workers, results in order. When a worker dies (memory
    exhausted, killed), the chunk being waited for is checked again file by file, each in a
    process of its own, so that only the file that kills its process fails; the chunks
    after it go to a fresh pool."""
    done = 0
    while done < len(chunks):
        with ProcessPoolExecutor(max_workers=count, initializer=_init_worker,
                                 initargs=(index, os.getpid())) as pool:
            futures = [pool.submit(_check_in_worker, chunk, annotate_dir, batch)
                       for chunk in chunks[done:]]
            try:
                for future in futures:
                    results = future.result()
                    done += 1
                    yield from results
            except BrokenProcessPool:
                for future in futures:
                    future.cancel()
            else:
                return
        yield from _one_by_one(chunks[done], index, annotate_dir)
        done += 1


def _one_by_one(paths: list[Path], index: BlueprintIndex,
                annotate_dir: Path | None) -> Iterator[FileResult]:
    """Each file in a process of its own (the per-file path): a file whose process dies gets
    a `check-failed` finding, the others their verdict."""
    for path in paths:
        with ProcessPoolExecutor(max_workers=1, initializer=_init_worker,
                                 initargs=(index, os.getpid())) as alone:
            try:
                yield alone.submit(_check_in_worker, [path], annotate_dir, False).result()[0]
            except BrokenProcessPool:
                yield finish(worker_died(FileResult(str(path), "")))


_WORKER_INDEX: BlueprintIndex | None = None


def _init_worker(index: BlueprintIndex, parent: int) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = index
    _die_with(parent)
    _cap_address_space(_mapped() + WORKER_MEMORY_BUDGET)


def _mapped() -> int:
    """The address space this process has mapped now (Linux; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _cap_address_space(limit: int) -> None:
    """At most `limit` bytes of address space for this process (never raising a lower cap
    already in force)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _die_with(parent: int) -> None:
    """A worker never outlives its parent: a collect killed mid-way must not leave workers
    holding the store's lock (forked workers share its file descriptor)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _check_in_worker(paths: list[Path], annotate_dir: Path | None,
                     batch: bool) -> list[FileResult]:
    assert _WORKER_INDEX is not None
    return check_chunk(paths, _WORKER_INDEX, annotate_dir, batch=batch)
