"""Whatever one file does while it is checked stays with that file.

`guarded(result, work)` runs one step of checking a file under a time budget; an exception
of any kind (recursion, memory, a bug), or running past the budget, becomes a `check-failed`
finding on that file's result instead of leaving the chunk. The pool adds the last case: a
worker that dies (`pool.py`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from iki_xlsx.check.result import FileResult, add
from iki_xlsx.core.codes import Code

TIME_BUDGET = 30.0  # seconds for one file's reading and judging (a normal return: 0.05 s)

T = TypeVar("T")


class TimeBudgetExceeded(BaseException):
    """Raised into the checking of a file that ran past its budget (a BaseException, so that
    no `except Exception` inside the reader swallows it)."""


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after `seconds` (only in the main thread, where signals arrive;
    elsewhere the block runs unbounded)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeBudgetExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def guarded(result: FileResult, work: Callable[[], T], budget: float | None) -> T | None:
    """`work()`, or None with a `check-failed` finding on `result` when it raised or ran
    past `budget` seconds."""
    try:
        with deadline(budget):
            return work()
    except TimeBudgetExceeded:
        add(result, Code.CHECK_FAILED.message("time", batas=budget))
    except RecursionError:
        add(result, Code.CHECK_FAILED.message("depth"))
    except MemoryError:
        add(result, Code.CHECK_FAILED.message("memory"))
    except Exception as exc:  # a bug or an unforeseen file: this file only, never the batch
        add(result, Code.CHECK_FAILED.message(galat=type(exc).__name__))
    return None


def worker_died(result: FileResult) -> FileResult:
    """The verdict on a file whose checking process died (memory exhausted, killed)."""
    add(result, Code.CHECK_FAILED.message("worker-died"))
    return result
