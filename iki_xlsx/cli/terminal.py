"""The terminal: what the CLI writes is escaped, and errors and warnings share one form.

Text that came from a returned file or an e-mail reaches the terminal escaped.

A unit name, a file name or a subject may hold control characters (ESC sequences that
recolour or clear the screen, a carriage return that overwrites the line, a BEL) or bidi
overrides that reverse what follows. `escaped(text)` shows each as a `\\uXXXX` escape, which
is also a valid JSON escape, so `--json` output stays valid JSON and keeps them as escapes.
The CLI writes all its output through `EscapingStream`, so no message can forget it.

Every error line starts `Kesalahan: ` and every warning line `Peringatan: ` (`error_line`,
`finding_line`); a system error is said by `findings.os_reason`, never in the system's words.
"""

from __future__ import annotations

from typing import Any, TextIO

from iki_xlsx.core.findings import Finding, Severity, os_reason

ERROR = "Kesalahan: "
WARNING = "Peringatan: "


def error_line(text: str) -> str:
    """`Kesalahan: text`."""
    return ERROR + text


def finding_line(finding: Finding) -> str:
    """A finding as the terminal shows it: `Kesalahan: location: message`, or `Peringatan: `
    for a warning."""
    where = finding.location
    head = WARNING if finding.severity is Severity.WARNING else ERROR
    return head + (f"{where}: {finding.message}" if where else finding.message)


def returned_finding_line(code: str, severity: str, sheet: str | None, cell: str | None,
                          message: str) -> str:
    """A finding of a returned file, under that file's own line: `  Kesalahan: Camat!J12:
    message [code]` (`Peringatan: ` for a warning); the catalogued code last."""
    where = "!".join(part for part in (sheet, cell) if part)
    head = WARNING if severity == Severity.WARNING else ERROR
    return f"  {head}{where + ': ' if where else ''}{message} [{code}]"


def os_error_line(exc: OSError) -> str:
    """An OSError nothing else explained: the path it names and why, in Bahasa Indonesia."""
    names = [str(name) for name in (exc.filename, exc.filename2) if name is not None]
    return error_line(f"{' -> '.join(names)}: {os_reason(exc)}" if names else os_reason(exc))

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
