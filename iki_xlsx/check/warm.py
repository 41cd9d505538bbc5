"""Layouts kept warm: a plan, its evaluation layout and its compiled formula shapes, kept in a
workspace's store folder so that the next process checking a file of that layout neither plans
the workbook again nor compiles its formulas (together about a third of one file's check).

A layout's file is named by what the plan depends on (`Identity.layout`: the blueprint's
content hash, the period, the office or a unit, the units list) and by the code that plans and
evaluates (`_code_stamp`); reading it checks both again. Reading accepts only the classes a
plan and its layout are made of (and, for the compiled shapes, what `evaluate_warm` allows).
A kept layout holds the engine's compiled functions by reference (`workbook.evaluate_warm`), so
it is trusted as code is: a file is read only when the user running the check wrote it and no
one else can change it. The files are only a cache: unreadable, stale, damaged, another's or not
writable, they are ignored and the layout is made as always; at most `KEEP` are kept, the least
recently written removed.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
from pathlib import Path
from typing import Any

from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook.evaluate import Batch, adopt, compiled

LAYOUTS_DIR = "susunan-hangat"  # in the store folder
KEEP = 64
_SOURCE = Path(__file__).resolve().parent.parent  # the iki_xlsx package
# what a plan and its layout depend on beside their inputs: the packages that plan, the
# blueprint model, the core's types, the evaluation's layout and this file
_CODE = ("__init__.py", "plan", "blueprint", "core", "workbook/evaluate.py",
         "workbook/evaluate_warm.py", "check/warm.py")
# the classes a plan and a layout are made of
_ALLOWED_MODULES = ("iki_xlsx.plan.", "iki_xlsx.core.units", "iki_xlsx.workbook.evaluate")
_PLAIN = {("builtins", "set"), ("builtins", "frozenset"), ("builtins", "dict"),
          ("builtins", "list"), ("builtins", "tuple"), ("collections", "OrderedDict")}

_STAMP: list[str] = []


def _code_stamp() -> str:
    """The SHA-256 of the code a kept layout depends on (read once per process)."""
    if not _STAMP:
        digest = hashlib.sha256()
        for name in _CODE:
            path = _SOURCE / name
            files = sorted(path.rglob("*")) if path.is_dir() else [path]
            for source in files:
                if source.suffix in (".py", ".yaml", ".toml", ".json") and source.is_file():
                    digest.update(str(source.relative_to(_SOURCE)).encode() + b"\0"
                                  + source.read_bytes())
        _STAMP.append(digest.hexdigest())
    return _STAMP[0]


def _name(key: tuple[Any, ...]) -> str:
    return hashlib.sha256(f"{key!r}\n{_code_stamp()}".encode()).hexdigest()[:40] + ".pickle"


class _Reader(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        ours = module.startswith(_ALLOWED_MODULES)
        if not ours and (module, name) not in _PLAIN:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed")
        found = super().find_class(module, name)
        if not isinstance(found, type):
            raise pickle.UnpicklingError(f"{module}.{name} is not a class")
        return found


def load_layout(folder: Path, key: tuple[Any, ...]) -> tuple[WorkbookPlan, Batch] | None:
    """The plan and layout of `key` kept in `folder` (their compiled shapes adopted by the
    evaluation), or None."""
    from iki_xlsx.workbook.evaluate_warm import load_shapes

    try:
        data = _Reader(io.BytesIO(_own_bytes(folder / LAYOUTS_DIR / _name(key)))).load()
        if not (isinstance(data, dict) and data.get("kunci") == repr(key)
                and data.get("kode") == _code_stamp()
                and isinstance(data.get("plan"), WorkbookPlan)
                and isinstance(data.get("susunan"), Batch)):
            return None
        shapes = load_shapes(data.get("rumus"))
    except Exception:  # missing, unreadable, another's or damaged: made again
        return None
    adopt(shapes)
    return data["plan"], data["susunan"]


def _own_bytes(path: Path) -> bytes:
    """The file's bytes, when this process's user wrote it and no one else can change it (a
    kept layout is loaded as the code that evaluates, so only one's own is read: raises
    PermissionError otherwise)."""
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise PermissionError(f"{path} is not this user's own")
        return handle.read()


def keep_layout(folder: Path, key: tuple[Any, ...], plan: WorkbookPlan, batch: Batch) -> None:
    """Keep the plan and layout of `key` in `folder`, with the compiled shapes the layout
    uses (compiling those not compiled yet); a folder that cannot be written, or whatever
    else keeps the layout from being kept, is let be (the check goes on)."""
    from iki_xlsx.core.atomic import atomic_write
    from iki_xlsx.workbook.evaluate_warm import dump_shapes

    layouts = folder / LAYOUTS_DIR
    try:
        if not folder.is_dir():
            return
        data = {"kunci": repr(key), "kode": _code_stamp(), "plan": plan, "susunan": batch,
                "rumus": dump_shapes(compiled(batch.shapes()))}
        text = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write(layouts / _name(key), lambda temporary: Path(temporary).write_bytes(text))
        _forget_oldest(layouts)
    except Exception:  # only a cache
        return


def _forget_oldest(layouts: Path) -> None:
    kept = sorted(layouts.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    for old in kept[:max(0, len(kept) - KEEP)]:
        old.unlink(missing_ok=True)
