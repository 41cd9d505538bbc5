"""A command's start-up without the cyclic garbage collector.

Starting a command makes objects that live as long as its process (modules, the settings, the
blueprints, the store); the collector, scanning them again and again while they are made,
costs a tenth of a one-file `periksa`. When `iki-xlsx` is its process's own command (its
arguments from the command line: not a test calling it in-process), the collector is paused
from the start (`pause`) until the start-up is over (`started`): what was made so far is then
frozen (never scanned again: it lives until the process ends anyway) and the collector resumes
for the work, which may read untrusted files. The command group calls `started` before any
command runs, except a command that says it starts up further (`own_start_up`: `periksa`, which
opens its office and imports the checker first).
"""

from __future__ import annotations

import gc
import importlib

import click

_PAUSED: list[bool] = []  # [True] while this process's start-up runs without the collector


def pause() -> None:
    """The process's start-up begins (its command line is this command's): no collector."""
    if gc.isenabled() and not _PAUSED:
        gc.disable()
        _PAUSED.append(True)


def started(*modules: str) -> None:
    """The start-up is over, once the `modules` its work runs are imported too: what it made
    is frozen, and the collector resumes."""
    if _PAUSED:
        for name in modules:
            importlib.import_module(name)
        _PAUSED.clear()
        gc.freeze()
        gc.enable()


def own_start_up(command: click.Command) -> click.Command:
    """Mark a command that calls `started` itself, once its own start-up is over."""
    setattr(command, "own_start_up", True)  # noqa: B010 (an attribute Click does not declare)
    return command


def starts_up_itself(command: click.Command | None) -> bool:
    return bool(getattr(command, "own_start_up", False))
