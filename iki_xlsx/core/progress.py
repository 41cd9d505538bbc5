"""How a long library call reports progress without printing: the caller passes a callable
that is called with how many more units of work are done (the CLI shows it as a bar)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int], object]


def no_progress(_: int) -> None:
    """The progress of a caller that shows none."""
