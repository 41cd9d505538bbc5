"""Uploads streamed straight to disk, part by part, under the same limits as `collect`.

A file part is refused unless a valid CSRF token came before it in the form (the forms put
it first), so a foreign page cannot make the server write anything. Names sent by the browser
are reduced to a safe base name and never used as a path: each file lands in its own numbered
folder under a folder the server chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from iki_xlsx.core.errors import IkiError
from iki_xlsx.intake.sources import MAX_ARCHIVE_UNPACKED, MAX_MEMBER_BYTES, MAX_MESSAGE_BYTES
from iki_xlsx.web.security import same_token

MAX_FIELD_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """The largest file of each kind that collect's intake takes, and the request's bounds."""

    file_bytes: int = MAX_MEMBER_BYTES  # a workbook (or anything else)
    message_bytes: int = MAX_MESSAGE_BYTES  # a saved e-mail
    archive_bytes: int = MAX_ARCHIVE_UNPACKED  # a zip (its members are checked by intake)
    total_bytes: int = 4 * 1024**3
    files: int = 2000

    def for_name(self, name: str) -> int:
        suffix = name.lower().rsplit(".", 1)[-1]
        if suffix in ("eml", "mbox"):
            return min(self.message_bytes, self.total_bytes)
        if suffix == "zip":
            return min(self.archive_bytes, self.total_bytes)
        return self.file_bytes


class UploadRefused(IkiError):
    """The request is refused as a whole; `message` is in Bahasa Indonesia."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, Path]] = field(default_factory=list)  # name as sent, where kept


def safe_name(name: str) -> str:
    """The base name of what the browser sent, with only word characters, dots and dashes."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^\w.\-]+", "_", base).lstrip(".")[-150:]
    return cleaned or "berkas"


class _Receiver:
    def __init__(self, folder: Path, limits: UploadLimits, token: str | None) -> None:
        self.folder, self.limits, self.token = folder, limits, token
        self.upload = Upload()
        self.total = 0
        self._header_field = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._filename: str | None = None
        self._data = bytearray()
        self._file: IO[bytes] | None = None
        self._size = 0
        self._limit = limits.file_bytes

    def on_part_begin(self) -> None:
        self._headers, self._data, self._size = {}, bytearray(), 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        key = self._header_field.lower()
        self._headers[key] = self._headers.get(key, b"") + data[start:end]

    def on_header_end(self) -> None:
        self._header_field = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        self._filename = None if raw_filename is None else raw_filename.decode("utf-8", "replace")
        if self._filename is None:
            return
        if not same_token(self.upload.fields.get("csrf"), self.token):
            raise UploadRefused(403, "Formulir kedaluwarsa atau bukan dari halaman ini; "
                                     "muat ulang halaman lalu kirim lagi.")
        if not self._filename:
            return  # an empty file input
        if len(self.upload.files) >= self.limits.files:
            raise UploadRefused(413, f"Terlalu banyak berkas sekaligus (paling banyak "
                                     f"{self.limits.files}).")
        place = self.folder / f"{len(self.upload.files) + 1:05d}"
        place.mkdir(parents=True)
        self._limit = self.limits.for_name(self._filename)
        path = place / safe_name(self._filename)
        self._file = open(path, "wb")  # noqa: SIM115 - closed in on_part_end or on error
        self.upload.files.append((self._filename, path))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        self._size += size
        self.total += size
        if self.total > self.limits.total_bytes:
            raise UploadRefused(413, "Unggahan terlalu besar seluruhnya "
                                     f"(paling banyak {_megabytes(self.limits.total_bytes)}).")
        if self._filename is None:
            if self._size > MAX_FIELD_BYTES:
                raise UploadRefused(413, "Isian formulir terlalu panjang.")
            self._data += data[start:end]
        elif self._file is not None:
            if self._size > self._limit:
                raise UploadRefused(413, f"Berkas {self._filename} terlalu besar (paling banyak "
                                         f"{_megabytes(self._limit)} untuk berkas seperti ini).")
            self._file.write(data[start:end])

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        elif self._filename is None:
            self.upload.fields[self._name] = self._data.decode("utf-8", "replace")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


async def receive_upload(request: Request, folder: Path, limits: UploadLimits,
                         token: str | None) -> Upload:
    """Stream a multipart form into `folder`; raises UploadRefused on any limit."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.total_bytes + MAX_FIELD_BYTES:
        raise UploadRefused(413, "Unggahan terlalu besar seluruhnya "
                                 f"(paling banyak {_megabytes(limits.total_bytes)}).")
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise UploadRefused(400, "Formulir unggahan tidak dikenali.")
    receiver = _Receiver(folder, limits, token)
    parser = MultipartParser(options[b"boundary"], {
        "on_part_begin": receiver.on_part_begin, "on_part_data": receiver.on_part_data,
        "on_part_end": receiver.on_part_end, "on_header_field": receiver.on_header_field,
        "on_header_value": receiver.on_header_value, "on_header_end": receiver.on_header_end,
        "on_headers_finished": receiver.on_headers_finished})
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except UploadRefused:
        raise
    except Exception as exc:  # a malformed body from the parser
        raise UploadRefused(400, "Formulir unggahan rusak.") from exc
    finally:
        receiver.close()
    return receiver.upload
