"""Where sign-ins run: a thread pool of their own, off the event loop and off the pool the pages
use, so a flood of logins (each a slow password hash) never holds up another page.

At most `workers` hashes run at once and at most `waiting` more wait for a turn; a sign-in
beyond that is refused at once, without hashing anything (`run` gives None), and the page
says to try again shortly. The limits per login and per address (`accounts.sessions`) refuse
most of a flood before its hash, and the delay after a failure is awaited on the event loop,
holding no thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class LoginGate:
    def __init__(self, workers: int = 2, waiting: int = 16) -> None:
        self.workers = workers
        self.waiting = waiting
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="iki-masuk")
        self._pending = 0  # changed on the event loop's thread only

    @property
    def pending(self) -> int:
        return self._pending

    async def run(self, work: Callable[[], T]) -> T | None:
        """`work()` on the gate's threads; None, at once, when the gate is full."""
        if self._pending >= self.workers + self.waiting:
            return None
        self._pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work)
        finally:
            self._pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
