"""LibreOffice Calc as a real client: open workbooks headless, read what it shows.

Used by tests and benchmarks. Needs Debian's `libreoffice-calc-nogui` and
`python3-uno` (the system Python drives LibreOffice through UNO).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from iki_xlsx.core.errors import IkiError

WORKER = Path(__file__).with_name("_lo_worker.py")
SYSTEM_PYTHON = "/usr/bin/python3"


class LibreOfficeMissing(IkiError, RuntimeError):
    """LibreOffice or its Python bridge is not installed."""


def available() -> str | None:
    """None when LibreOffice can be driven here, else what is missing."""
    if shutil.which("soffice") is None:
        return "soffice tidak ditemukan (pasang paket Debian libreoffice-calc-nogui)"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return "modul uno tidak ditemukan (pasang paket Debian python3-uno)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def office() -> Iterator[int]:
    """Start a headless LibreOffice with a throw-away profile; yields its UNO port."""
    missing = available()
    if missing:
        raise LibreOfficeMissing(missing)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="iki-lo-") as profile:
        _without_lock_files(Path(profile))
        process = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--nologo", "--norestore",
             "--nodefault", f"-env:UserInstallation=file://{profile}",
             f"--accept=socket,host=127.0.0.1,port={port};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


# LibreOffice's lock files (`.~lock.NAME#` beside an open file) switched off in the test
# profile: the files built once for the run are read by the LibreOffice of each pytest-xdist
# worker, and a second office finding the first's lock would open them otherwise
NO_LOCKING = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse">
<value>false</value></prop></item>
</oor:items>
"""


def _without_lock_files(profile: Path) -> None:
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(NO_LOCKING, encoding="utf-8")


def read_values(port: int, files: Sequence[Path], cells: Mapping[Path, Sequence[tuple[str, str]]],
                recalc: str, save_as: Mapping[Path, Path] | None = None,
                annotations: bool = False,
                fill: Mapping[Path, Sequence[tuple[str, str, str | float]]] | None = None,
                pdf: Mapping[Path, Path] | None = None, fit: bool = False,
                steps: Mapping[Path, Sequence[tuple[Sequence[tuple[str, str, str | float | None]],
                                                    Path]]] | None = None) -> dict[str, Any]:
    """Open each file in LibreOffice (recalc 'never' or 'always') and read the given cells;
    with recalc 'both', each file is opened once, its cells read as saved and then, after
    LibreOffice recalculated everything, again under `ulang:Sheet!A1`.

    With `annotations`, every cell comment shows too, keyed `catatan:Sheet!A1`. With `fill`,
    the given cells (sheet name, reference, value) are typed in first, as a user would, so
    `save_as` keeps a workbook filled in LibreOffice. With `pdf`, files are exported as PDF
    (as printed). With `fit`, every text cell that LibreOffice shows cut is reported, keyed
    `clipped:Sheet!A1`: [text, [width, height] of its area, [width, height] it needs] in
    1/100 mm. With `steps`, each (cells, out) of a file is then typed into the same open
    document (a None value deleted, as the Delete key does) and saved as `out`, in order: one
    load of a workbook saved at several points.
    """
    request = {
        "annotations": annotations,
        "fit": fit,
        "pdf": {str(Path(k).resolve()): str(Path(v).resolve()) for k, v in (pdf or {}).items()},
        "port": port,
        "recalc": recalc,
        "files": [str(Path(f).resolve()) for f in files],
        "cells": {str(Path(f).resolve()): [list(c) for c in cs] for f, cs in cells.items()},
        "save_as": {str(Path(k).resolve()): str(Path(v).resolve())
                    for k, v in (save_as or {}).items()},
        "fill": {str(Path(k).resolve()): [list(c) for c in cs] for k, cs in (fill or {}).items()},
        "steps": {str(Path(k).resolve()): [[[list(c) for c in typed], str(Path(out).resolve())]
                                           for typed, out in done]
                  for k, done in (steps or {}).items()},
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(request, handle)
    try:
        done = _run_worker(handle.name)
        if done.returncode != 0 and not done.stderr.strip():
            # the UNO bridge dropped without a word (seen now and then after long sessions):
            # one more try; an error the worker explains is never retried
            done = _run_worker(handle.name)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"LibreOffice gagal (kode {done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _run_worker(request: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SYSTEM_PYTHON, str(WORKER), request], capture_output=True, text=True,
                          timeout=600)
