"""Findings: every problem a user can cause, as data (code, severity, location, message)."""

from __future__ import annotations

import errno
import socket
from dataclasses import asdict, dataclass
from typing import Any

from iki_xlsx.core.codes import Code, Message, Severity, lookup

__all__ = ["Code", "Finding", "Message", "Severity", "os_reason"]


@dataclass(frozen=True)
class Finding:
    """One located problem with a stable code and a message in Bahasa Indonesia: made with
    `Finding.of(Code.X.message(...), where...)`, so its text is its code's template."""

    code: Code
    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    expected: Any = None
    found: Any = None

    def __post_init__(self) -> None:
        # every code is catalogued: UnknownCode otherwise
        object.__setattr__(self, "code", lookup(self.code))

    @classmethod
    def of(cls, said: Message, *, severity: Severity | None = None, file: str | None = None,
           line: int | None = None, sheet: str | None = None, cell: str | None = None,
           expected: Any = None, found: Any = None) -> Finding:
        """A finding that says `said` where it is; its severity is its code's unless a site
        raises it as the other one (the README says which codes may be)."""
        return cls(said.code, said.text, severity or said.code.severity, file=file, line=line,
                   sheet=sheet, cell=cell, expected=expected, found=found)

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
        data["code"], data["severity"] = str(self.code), str(self.severity)
        return data


_OS_REASONS = {
    errno.ENOENT: "folder atau berkas tidak ada",
    errno.EACCES: "tidak ada izin",
    errno.EPERM: "tidak ada izin",
    errno.EROFS: "disk hanya dapat dibaca",
    errno.ENOSPC: "disk penuh",
    errno.EDQUOT: "kuota disk habis",
    errno.EISDIR: "nama itu adalah folder",
    errno.ENOTDIR: "bagian jalurnya bukan folder",
    errno.EEXIST: "nama itu sudah dipakai berkas atau folder lain",
    errno.ENAMETOOLONG: "nama terlalu panjang",
    errno.ENOTEMPTY: "folder tidak kosong",
    errno.EMFILE: "terlalu banyak berkas terbuka",
    errno.EIO: "galat baca/tulis pada disk",
    errno.EBUSY: "sedang dipakai program lain",
    errno.ELOOP: "tautan (symlink) tidak diikuti",
    errno.EADDRINUSE: "sudah dipakai program lain",
    errno.EADDRNOTAVAIL: "alamat itu bukan milik komputer ini",
    errno.ECONNREFUSED: "sambungan ditolak",
    errno.ECONNRESET: "sambungan diputus",
    errno.ETIMEDOUT: "waktu habis",
    errno.EHOSTUNREACH: "server tidak terjangkau",
    errno.ENETUNREACH: "jaringan tidak terjangkau",
}


def os_reason(exc: OSError | UnicodeError) -> str:
    """Why the system refused, in Bahasa Indonesia (the system's own text is English): the one
    translation of an OSError (or of text that is not UTF-8) for every message."""
    if isinstance(exc, UnicodeError):
        return "isinya bukan teks UTF-8"
    if isinstance(exc, socket.gaierror):
        return "nama server tidak ditemukan"
    if isinstance(exc, TimeoutError):
        return "waktu habis"
    number = exc.errno or 0
    if number in _OS_REASONS:
        return _OS_REASONS[number]
    return f"galat sistem {errno.errorcode.get(number, number)}"
