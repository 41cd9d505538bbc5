"""Atomic file writes (write under a temporary name in the target folder, then rename) and
the lock file that keeps one writer at a time."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def atomic_write(target: Path, write: Callable[[str], object]) -> Path:
    """Call `write(temporary_path)`, flush it to disk, then rename it onto `target`.

    A reader never sees a half-written file; a crash leaves at most a `.tmp-*` file. The file
    gets the permissions the umask allows (as a plain `open` would give it, so colleagues can
    open it from a shared folder); `write` may narrow them.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    try:
        os.chmod(temporary, 0o666 & ~current_umask())
        write(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def probe_folder(folder: Path) -> None:
    """Make `folder` if needed and prove a file can be created in it (raises OSError when
    not), before any work that would write there."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
    os.close(handle)
    os.unlink(probe)


def current_umask() -> int:
    """The process's umask, read without changing it where Linux tells it (other threads may
    be creating files); elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def exclusive_lock(path: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing); a second holder waits, or with
    `wait=False` gets BlockingIOError at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
