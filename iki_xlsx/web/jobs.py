"""Long work (generate, send, check of many files, recap) in the background, with progress.

A job has a key saying what it does (`buat/<blueprint>/<year>`); starting a key that is still
running returns the running job, so a reload or a second tab never starts the work twice.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from iki_xlsx.core.progress import Progress


class JobState(StrEnum):
    """Where a background job is; the value is the word the page (and its script) shows."""

    RUNNING = "berjalan"
    DONE = "selesai"
    FAILED = "gagal"


RUNNING, DONE, FAILED = JobState.RUNNING, JobState.DONE, JobState.FAILED


@dataclass
class Job:
    id: str
    key: str
    title: str
    state: JobState = RUNNING
    done: int = 0
    total: int = 0
    note: str = ""
    error: str | None = None
    result: Any = None
    aside: Any = None  # what the work did besides its result (the answers of a fetch)
    started: float = field(default_factory=time.time)

    def progress(self, done: int, total: int, note: str = "") -> None:
        self.done, self.total, self.note = done, total, note

    def counter(self, total: int, note: str) -> Progress:
        """A library call's `progress`: counts up to `total` under `note` (0: no end)."""
        self.progress(0, total, note)

        def step(count: int) -> None:  # an archive's workbooks may outnumber the files
            self.done = min(self.done + count, total) if total else self.done + count

        return step

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "judul": self.title, "keadaan": self.state, "selesai": self.done,
                "jumlah": self.total, "catatan": self.note, "galat": self.error}


Work = Callable[[Job], Any]


class Jobs:
    """The jobs of this server process, by id; at most one running job per key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._running: dict[str, str] = {}  # key -> id

    def start(self, key: str, title: str, work: Work) -> Job:
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return self._jobs[running]
            job_id = hashlib.sha256(f"{key}|{time.time_ns()}".encode()).hexdigest()[:16]
            job = Job(job_id, key, title)
            self._jobs[job_id] = job
            self._running[key] = job_id
        threading.Thread(target=self._run, args=(job, work), daemon=True,
                         name=f"iki-web-{job_id}").start()
        return job

    def _run(self, job: Job, work: Work) -> None:
        try:
            job.result = work(job)
            job.state = DONE
        except Exception as exc:  # the page shows why; the server log keeps the details
            traceback.print_exc(file=sys.stderr)
            job.error = str(exc) or exc.__class__.__name__
            job.state = FAILED
        finally:
            with self._lock:
                self._running.pop(job.key, None)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def latest(self, key_prefix: str) -> Job | None:
        """The newest job whose key starts with `key_prefix`."""
        found = [j for j in self._jobs.values() if j.key.startswith(key_prefix)]
        return max(found, key=lambda j: j.started) if found else None

    def wait(self, job_id: str, timeout: float = 60.0) -> Job | None:
        """For tests and the command line: block until the job ends."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while job is not None and job.state == RUNNING and time.monotonic() < deadline:
            time.sleep(0.05)
        return job
