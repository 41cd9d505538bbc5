"""Findings: every problem a user can cause, as data (code, severity, location, message)."""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass
from typing import Any

from .codes import Severity, lookup

__all__ = ["Finding", "Severity", "os_reason"]


@dataclass(frozen=True)
class Finding:
    """One located problem with a stable code and a message in Bahasa Indonesia."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    expected: Any = None
    found: Any = None

    def __post_init__(self) -> None:
        lookup(self.code)  # every code is catalogued: UnknownCode otherwise

    @property
    def location(self) -> str:
        """`file:line`, `file:sheet!cell` or whatever part of it is known."""
        if self.line is not None:
            return f"{self.file}:{self.line}"
        where = "!".join(p for p in (self.sheet, self.cell) if p)
        return ":".join(p for p in (self.file, where) if p)

    def one_line(self) -> str:
        """The finding as one line a person reads: `location: message` (warnings say so)."""
        loc = self.location
        message = ("peringatan: " if self.severity is Severity.WARNING else "") + self.message
        return f"{loc}: {message}" if loc else message

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


_OS_REASONS = {
    errno.ENOENT: "folder atau berkas tidak ada",
    errno.EACCES: "tidak ada izin",
    errno.EPERM: "tidak ada izin",
    errno.EROFS: "disk hanya dapat dibaca",
    errno.ENOSPC: "disk penuh",
    errno.EISDIR: "nama itu adalah folder",
    errno.ENOTDIR: "bagian jalurnya bukan folder",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused, in Bahasa Indonesia (the system's own text is English)."""
    return _OS_REASONS.get(exc.errno or 0, f"galat sistem {exc.errno}")
