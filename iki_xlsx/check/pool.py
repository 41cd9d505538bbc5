"""Spread the checking of many files over the machine's cores, in chunks of bounded size."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..blueprint_index import BlueprintIndex
from .chunk import check_chunk
from .result import CheckReport, FileResult

PR_SET_PDEATHSIG = 1  # Linux prctl option: the signal a process gets when its parent dies
BATCH_SIZE = 64  # files a worker holds at once: about 2 MB each for a 22-sheet workbook


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
    with ProcessPoolExecutor(max_workers=count, initializer=_init_worker,
                             initargs=(index, os.getpid())) as pool:
        for results in pool.map(_check_in_worker, chunks, [annotate_dir] * len(chunks),
                                [batch] * len(chunks)):
            yield from results


_WORKER_INDEX: BlueprintIndex | None = None


def _init_worker(index: BlueprintIndex, parent: int) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = index
    _die_with(parent)


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
