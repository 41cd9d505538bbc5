"""Text that came from a returned file or an e-mail reaches the terminal escaped.

A unit name, a file name or a subject may hold control characters (ESC sequences that
recolour or clear the screen, a carriage return that overwrites the line, a BEL) or bidi
overrides that reverse what follows. `escaped(text)` shows each as a `\\uXXXX` escape, which
is also a valid JSON escape, so `--json` output stays valid JSON and keeps them as escapes.
The CLI writes all its output through `EscapingStream`, so no message can forget it.
"""

from __future__ import annotations

from typing import Any, TextIO

# C0 controls but the newline, DEL, C1 controls, and the bidi marks, embeddings, overrides
# and isolates
_UNSAFE = [*(c for c in range(0x20) if c != 0x0A), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F,
           *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_TABLE = {code: f"\\u{code:04x}" for code in _UNSAFE}


def escaped(text: str) -> str:
    """`text` with every control character but the newline, and every bidi control, shown
    as `\\uXXXX`."""
    return text.translate(_TABLE)


class EscapingStream:
    """A text stream that escapes what it writes (see `escaped`); the rest is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("teks, bukan bytes")
        return self.stream.write(escaped(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
