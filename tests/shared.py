"""Things built once per test run and shared by every test (and every pytest-xdist worker)
that needs them: a folder is built by the first worker that asks, under a file lock, and
read by the others."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

DONE = ".fertig"


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this whole run: the workers' parent under pytest-xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], object]) -> Path:
    """`run_folder/name`, made by `build(folder)` the first time any worker asks for it; the
    others wait on the lock and reuse it. A build that fails leaves nothing half made."""
    folder = run_folder(tmp_path_factory) / "bersama" / name
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / DONE).exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / DONE).touch()
    return folder


T = TypeVar("T")
_MEASURED: dict[tuple[str, str], object] = {}


def by_content(kind: str, path: Path, measure: Callable[[Path], T]) -> T:
    """`measure(path)`, computed once per run (per worker) for each distinct file content:
    a second file with the same bytes, or the same file asked again, reuses the result."""
    key = (kind, file_digest(path))
    if key not in _MEASURED:
        _MEASURED[key] = measure(path)
    return _MEASURED[key]  # type: ignore[return-value]


def file_digest(path: Path) -> str:
    """The SHA-256 of the file's content, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
