"""Spread the checking of many files over the machine's cores, in chunks of bounded size."""

from __future__ import annotations

import ctypes
import gc
import os
import resource
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from iki_xlsx.check.chunk import check_chunk
from iki_xlsx.check.guard import worker_died
from iki_xlsx.check.result import CheckReport, FileResult, finish
from iki_xlsx.plan.index import BlueprintIndex

# the process pools are imported where workers start (about 30 ms): one file, or a few,
# are checked in the calling process
if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # Linux prctl option: the signal a process gets when its parent dies
BATCH_SIZE = 64  # files a worker holds at once: about 2 MB each for a 22-sheet workbook
# the address space a worker may add to what it had when it started: a chunk of 64 normal
# returns needs well under 0.5 GiB more; a file that makes its worker ask for more fails alone
# (MemoryError -> check-failed, or the worker dies and its chunk is re-checked file by file)
# instead of pressing the whole machine
WORKER_MEMORY_BUDGET = 2 * 1024 ** 3


class WarmPool:
    """Checking workers kept from one batch to the next, for a face that checks again and
    again (the web app's uploads and IMAP fetches): started once, on the first batch, each
    with the `formulas` engine imported; whatever a worker learns while checking (the
    re-planned layouts, the compiled formula shapes, the engine's answers) serves every later
    batch. `iter_check(..., pool=...)` and `check_files(..., pool=...)` use it instead of
    starting workers for the call. Each worker is bounded and isolated as in a pool of one
    call (`WORKER_MEMORY_BUDGET`, dies with its parent); when one dies, its chunk is checked
    again file by file and the pool is started afresh for the next chunk. Safe to share
    between threads; `close()` (or leaving its `with`) stops the workers.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers if workers is not None else os.cpu_count() or 1)
        self._executor: ProcessPoolExecutor | None = None
        self._keepers: dict[int, threading.Event] = {}  # by id(executor): stops its keeper
        self._lock = threading.Lock()

    def submit(self, paths: list[Path], index: BlueprintIndex, annotate_dir: Path | None,
               batch: bool, warm: Path | None = None
               ) -> tuple[ProcessPoolExecutor, Future[list[FileResult]]]:
        """One chunk to a warm worker: the executor it went to, and its results to come."""
        from concurrent.futures.process import BrokenProcessPool

        for _ in range(2):
            with self._lock:
                if self._executor is None:
                    self._executor = self._start()
                executor = self._executor
            try:
                return executor, executor.submit(_check_with, paths, index, annotate_dir, batch,
                                                 warm)
            except BrokenProcessPool:  # a worker died while the pool was idle
                self.discard(executor)
        raise BrokenProcessPool("pekerja pemeriksa tidak dapat dimulai")

    def _start(self) -> ProcessPoolExecutor:
        """An executor whose workers are started from a thread of the pool's own, kept alive
        until the executor is dropped: a worker dies with the thread that started it
        (PR_SET_PDEATHSIG), and the thread that asks first (a web request's) soon ends."""
        from concurrent.futures import ProcessPoolExecutor

        started: list[ProcessPoolExecutor] = []
        ready, stop = threading.Event(), threading.Event()
        failed: list[BaseException] = []

        def keep() -> None:
            try:
                executor = ProcessPoolExecutor(max_workers=self.workers,
                                               initializer=_init_worker,
                                               initargs=(None, os.getpid()))
                for _ in range(self.workers):  # the first submit starts every worker (fork)
                    executor.submit(_warm_up)
                started.append(executor)
            except BaseException as exc:  # handed to the caller
                failed.append(exc)
            finally:
                ready.set()
            stop.wait()

        threading.Thread(target=keep, name="iki-pemeriksa", daemon=True).start()
        ready.wait()
        if failed:
            raise failed[0]
        self._keepers[id(started[0])] = stop
        return started[0]

    @property
    def pids(self) -> list[int]:
        """The ids of the worker processes now running (none before the first batch)."""
        with self._lock:
            executor = self._executor
        return sorted(executor._processes) if executor is not None else []

    def discard(self, executor: ProcessPoolExecutor) -> None:
        """Drop an executor whose worker died; the next chunk starts a fresh one."""
        with self._lock:
            if self._executor is executor:
                self._executor = None
            stop = self._keepers.pop(id(executor), None)
        executor.shutdown(wait=False, cancel_futures=True)
        if stop is not None:
            stop.set()

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
            stop = self._keepers.pop(id(executor), None) if executor is not None else None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if stop is not None:
            stop.set()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def check_files(paths: Sequence[Path], index: BlueprintIndex,
                annotate_dir: Path | None = None, workers: int | None = None, *,
                batch: bool = True, pool: WarmPool | None = None,
                warm: Path | None = None) -> CheckReport:
    """Check every file; the order of the results is the order of `paths`."""
    return CheckReport(list(iter_check(paths, index, annotate_dir, workers, batch=batch,
                                       pool=pool, warm=warm)))


def iter_check(paths: Sequence[Path], index: BlueprintIndex, annotate_dir: Path | None = None,
               workers: int | None = None, *, batch: bool = True,
               batch_size: int = BATCH_SIZE, pool: WarmPool | None = None,
               warm: Path | None = None) -> Iterator[FileResult]:
    """Results one by one, in the order of `paths`, spread over the machine's cores.

    Files go to the workers in chunks of at most `batch_size`, which bounds the memory each
    worker holds. With `batch` (the default) the workbooks of one layout in a chunk are
    evaluated together (`evaluate.Batch`); without it, one by one (the per-file path).
    With a warm `pool`, its workers check every chunk, even of one file. With a `warm`
    folder (a workspace's store folder), the layouts made by an earlier process are read from
    it and those made now kept there (`check.warm`).
    """
    if pool is not None:
        size = max(1, min(batch_size, -(-len(paths) // pool.workers)))
        chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
        yield from _over_warm(chunks, index, annotate_dir, pool, batch, warm)
        return
    count = workers if workers is not None else min(len(paths), os.cpu_count() or 1)
    parallel = count > 1 and len(paths) >= 4
    size = max(1, min(batch_size, -(-len(paths) // count) if parallel else batch_size))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    if not parallel:
        for chunk in chunks:
            yield from check_chunk(chunk, index, annotate_dir, batch=batch, warm=warm)
        return
    yield from _over_pool(chunks, index, annotate_dir, count, batch, warm)


def _over_pool(chunks: list[list[Path]], index: BlueprintIndex, annotate_dir: Path | None,
               count: int, batch: bool, warm: Path | None) -> Iterator[FileResult]:
    """Chunks over a pool of `count` workers, results in order. When a worker dies (memory
    exhausted, killed), the chunk being waited for is checked again file by file, each in a
    process of its own, so that only the file that kills its process fails; the chunks
    after it go to a fresh pool."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    while done < len(chunks):
        with ProcessPoolExecutor(max_workers=count, initializer=_init_worker,
                                 initargs=(index, os.getpid())) as pool:
            futures = [pool.submit(_check_in_worker, chunk, annotate_dir, batch, warm)
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


def _over_warm(chunks: list[list[Path]], index: BlueprintIndex, annotate_dir: Path | None,
               pool: WarmPool, batch: bool, warm: Path | None) -> Iterator[FileResult]:
    """Chunks over a warm pool, results in order; a chunk whose worker died is checked again
    file by file (`_one_by_one`), and the chunks after it go to the pool started afresh."""
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    while done < len(chunks):
        submitted = [pool.submit(chunk, index, annotate_dir, batch, warm)
                     for chunk in chunks[done:]]
        try:
            for _, future in submitted:
                results = future.result()
                done += 1
                yield from results
        except BrokenProcessPool:
            for executor, future in submitted:
                future.cancel()
                pool.discard(executor)
            yield from _one_by_one(chunks[done], index, annotate_dir)
            done += 1
        else:
            return


def _one_by_one(paths: list[Path], index: BlueprintIndex,
                annotate_dir: Path | None) -> Iterator[FileResult]:
    """Each file in a process of its own (the per-file path): a file whose process dies gets
    a `check-failed` finding, the others their verdict."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    for path in paths:
        with ProcessPoolExecutor(max_workers=1, initializer=_init_worker,
                                 initargs=(index, os.getpid())) as alone:
            try:
                yield alone.submit(_check_in_worker, [path], annotate_dir, False,
                                   None).result()[0]
            except BrokenProcessPool:
                yield finish(worker_died(FileResult(str(path), "")))


_WORKER_INDEX: BlueprintIndex | None = None


def _init_worker(index: BlueprintIndex | None, parent: int) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = index
    _die_with(parent)
    _cap_address_space(_mapped() + WORKER_MEMORY_BUDGET)
    gc.freeze()  # what the worker inherited (modules, the index) is never scanned again


_T = TypeVar("_T")


def _collector_paused(run: Callable[[], _T]) -> _T:
    """`run()` with the cyclic collector paused, then one collection: a chunk makes a few
    hundred thousand objects that hold no cycles (cells, values, findings), and the
    collector's passes over them while they live cost about a tenth of a worker's time
    (measured: 2.7-4.5 ms a file against 0.4-0.7 for one collection at the end of the chunk;
    what a chunk leaves in cycles is a few MB at most, within `WORKER_MEMORY_BUDGET`)."""
    gc.disable()
    try:
        return run()
    finally:
        gc.enable()
        gc.collect()


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


def _check_in_worker(paths: list[Path], annotate_dir: Path | None, batch: bool,
                     warm: Path | None) -> list[FileResult]:
    index = _WORKER_INDEX
    assert index is not None
    return _collector_paused(lambda: check_chunk(paths, index, annotate_dir, batch=batch,
                                                 warm=warm))


def _check_with(paths: list[Path], index: BlueprintIndex, annotate_dir: Path | None,
                batch: bool, warm: Path | None) -> list[FileResult]:
    """A warm worker's task: the index comes with each chunk (the office's blueprints and
    register may have changed since the last one)."""
    return _collector_paused(lambda: check_chunk(paths, index, annotate_dir, batch=batch,
                                                 warm=warm))


def _warm_up() -> None:
    """Import what checking needs before the first chunk arrives."""
    from iki_xlsx.workbook.evaluate import warm_up

    warm_up()
