"""The `iki-xlsx` command run inside the test process through Click's CliRunner: the same
group the installed entry point calls (`iki_xlsx.cli.main:main`), its exit code and what it
wrote to stdout and stderr, without starting an interpreter per call.

A few tests still run the command as a real process where the process itself is what they
test: a terminal (progress bars, escaping), a collect killed part-way, two collects at once,
the installed entry point's exit codes (`installed`)."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from iki_xlsx.cli.main import main

ENTRY_POINT = Path(sys.executable).with_name("iki-xlsx")  # installed by scripts/venv.sh


@dataclass
class Ran:
    """What a run of the command left, named as `subprocess.CompletedProcess` names it."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def iki(*args: str | Path, cwd: Path | str | None = None,
        env: Mapping[str, str | None] | None = None, input: str = "",
        umask: int | None = None) -> Ran:
    """Run `iki-xlsx ARGS` in this process, in folder `cwd`, with `env` added to (or, for a
    None value, removed from) the environment and `input` on stdin. An exception the command
    let through shows in stderr as the traceback a user would have seen."""
    words = [str(a) for a in args]
    with _folder(cwd), _umask(umask):
        result = CliRunner().invoke(main, words, prog_name="iki-xlsx", env=env, input=input)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Ran(words, result.exit_code, result.stdout, stderr)


@contextlib.contextmanager
def _folder(cwd: Path | str | None) -> Iterator[None]:
    if cwd is None:
        yield
        return
    with contextlib.chdir(cwd):
        yield


@contextlib.contextmanager
def _umask(mask: int | None) -> Iterator[None]:
    if mask is None:
        yield
        return
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)
