"""Intake: the workbooks inside what arrives (files, folders, zip archives, e-mails, mbox),
each size-checked before anything is read whole or written to the store.

Nothing that arrives is trusted: a file over the size limit is never read; an archive's
member count and inflated size are checked from its directory before any member is read;
archives inside archives are opened to a bounded depth (a workbook in a zip in a zip is
collected, a deeper one reported); a member is read only when its size and compression are
plausible. Names from archives and attachments are shown and recorded, never used as paths.
Everything not taken is reported in `skipped` as (source, reason in Bahasa Indonesia).
"""

from __future__ import annotations

import email
import email.policy
import io
import mailbox
import stat
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from iki_xlsx.core.findings import os_reason
from iki_xlsx.store.db import Received
from iki_xlsx.workbook.read import MAX_FILE_BYTES, MAX_PART_RATIO, zip_member_count

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_MEMBER_BYTES = MAX_FILE_BYTES  # one workbook, inside an archive or attached
MAX_ARCHIVE_MEMBERS = 2_000  # an office of 400 kelurahan sends about 400
MAX_ARCHIVE_UNPACKED = 500 * 1024 * 1024  # all members of one archive, as declared
MAX_NESTING = 3  # a zip in a zip in a zip
MAX_MESSAGE_BYTES = 100 * 1024 * 1024  # one saved e-mail (.eml)

Skipped = list[tuple[str, str]]


@dataclass(frozen=True)
class Unanswerable:
    """An e-mail that came without any workbook: who sent it, so it can be told why."""

    source: str
    sender: str | None
    subject: str | None
    message_id: str | None
    attachments: tuple[str, ...]  # the names of what it did carry


def _megabytes(size: int) -> str:
    return f"{size // 1_048_576} MB"


def received_from(sources: Sequence[Path], skipped: Skipped) -> Iterator[Received]:
    """Every workbook found in `sources` (files, folders, .zip, .eml, .mbox), in order."""
    for source in sources:
        if source.is_dir():
            try:
                found = sorted(p for p in source.rglob("*") if p.is_file())
            except OSError as exc:
                skipped.append((str(source), f"folder tidak dapat dibaca ({os_reason(exc)})"))
                continue
            for path in found:
                yield from _from_file(path, skipped, quiet=True)
        elif source.exists():
            yield from _from_file(source, skipped, quiet=False)
        else:
            skipped.append((str(source), "tidak ditemukan"))


def _from_file(path: Path, skipped: Skipped, quiet: bool) -> Iterator[Received]:
    suffix = path.suffix.lower()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            skipped.append((str(path), "bukan berkas biasa"))
            return
        if suffix in WORKBOOK_SUFFIXES:
            if info.st_size > MAX_FILE_BYTES:
                skipped.append((str(path), too_big(info.st_size, MAX_FILE_BYTES)))
                return
            yield Received(path.name, path.read_bytes(), str(path))
        elif suffix == ".zip":
            with path.open("rb") as handle:
                yield from from_zip(handle, info.st_size, str(path), skipped)
        elif suffix == ".eml":
            if info.st_size > MAX_MESSAGE_BYTES:
                skipped.append((str(path), too_big(info.st_size, MAX_MESSAGE_BYTES)))
                return
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            yield from from_message(message, str(path), skipped)
        elif suffix == ".mbox":
            for i, stored in enumerate(mailbox.mbox(path, create=False)):
                parsed = email.message_from_bytes(stored.as_bytes(),
                                                  policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                yield from from_message(parsed, f"{path}#{i + 1}", skipped)
        elif not quiet:
            skipped.append((str(path), "bukan workbook, zip, .eml atau .mbox"))
    except OSError as exc:
        skipped.append((str(path), f"tidak dapat dibaca ({os_reason(exc)})"))


def too_big(size: int, limit: int) -> str:
    """Why a file or message over its limit is not read, in Bahasa Indonesia."""
    return f"terlalu besar ({_megabytes(size)}; batas {_megabytes(limit)}); tidak dibaca"


def from_zip(handle: BinaryIO, size: int, label: str, skipped: Skipped,
             sender: str | None = None, subject: str | None = None,
             received_at: str | None = None, message_id: str | None = None,
             depth: int = 1) -> Iterator[Received]:
    """The workbooks of one zip archive (and of the archives inside it, to `MAX_NESTING`);
    the archive is judged from its directory before any member is read."""
    if depth > MAX_NESTING:
        skipped.append((label, f"arsip di dalam arsip lebih dari {MAX_NESTING} tingkat; "
                               "kirim workbook tanpa arsip bersarang"))
        return
    count = zip_member_count(handle, size)
    if count is not None and count > MAX_ARCHIVE_MEMBERS:
        skipped.append((label, f"arsip memuat terlalu banyak berkas (batas "
                               f"{MAX_ARCHIVE_MEMBERS:,}); tidak dibuka".replace(",", ".")))
        return
    try:
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            declared = sum(i.file_size for i in members)
            if declared > MAX_ARCHIVE_UNPACKED:
                skipped.append((label, f"isi arsip terlalu besar setelah dibuka "
                                       f"({_megabytes(declared)}; batas "
                                       f"{_megabytes(MAX_ARCHIVE_UNPACKED)}); tidak dibuka"))
                return
            for info in members:
                yield from _member(archive, info, label, skipped,
                                   (sender, subject, received_at, message_id), depth)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        skipped.append((label, "arsip zip rusak"))


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, skipped: Skipped,
            how: tuple[str | None, str | None, str | None, str | None],
            depth: int) -> Iterator[Received]:
    name = info.filename.replace("\\", "/").rsplit("/", 1)[-1]  # shown, never a path
    where = f"{label}!{info.filename}"
    lower = name.lower()
    is_zip = lower.endswith(".zip")
    if not (is_zip or lower.endswith(WORKBOOK_SUFFIXES)):
        return
    reason = _implausible(info)
    if reason:
        skipped.append((where, reason))
        return
    try:
        data = archive.read(info)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, OSError):
        skipped.append((where, "berkas di dalam arsip rusak"))
        return
    if is_zip:
        yield from from_zip(io.BytesIO(data), len(data), where, skipped, *how, depth=depth + 1)
    else:
        yield Received(name, data, where, *how)


def _implausible(info: zipfile.ZipInfo) -> str | None:
    """Why a member is not read (too big, a bomb, compressed as no spreadsheet does)."""
    if info.file_size > MAX_MEMBER_BYTES:
        return too_big(info.file_size, MAX_MEMBER_BYTES)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return "dimampatkan dengan cara yang tidak lazim; tidak dibuka"
    if info.file_size > 1_000_000 and info.file_size > MAX_PART_RATIO * max(1,
                                                                            info.compress_size):
        return "memampat tidak wajar (kemungkinan bom zip); tidak dibuka"
    return None


def from_message(message: EmailMessage, source: str, skipped: Skipped,
                 bare: list[Unanswerable] | None = None) -> Iterator[Received]:
    """Workbook attachments of one email (also inside zip attachments), with its sender,
    subject, date and Message-ID; an e-mail without any goes to `bare` as well."""
    sender = parseaddr(str(message.get("From", "")))[1] or None
    subject = str(message.get("Subject", "")) or None
    message_id = str(message.get("Message-ID", "")).strip() or None
    received_at = None
    if message.get("Date"):
        try:
            received_at = parsedate_to_datetime(str(message["Date"])).isoformat()
        except (TypeError, ValueError):
            received_at = None
    found = False
    names: list[str] = []
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        names.append(name)
        lower = name.lower()
        if not lower.endswith((*WORKBOOK_SUFFIXES, ".zip")):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        found = True
        if len(payload) > (MAX_ARCHIVE_UNPACKED if lower.endswith(".zip") else MAX_MEMBER_BYTES):
            skipped.append((f"{source}: {name}", too_big(len(payload), MAX_MEMBER_BYTES)))
        elif lower.endswith(".zip"):
            yield from from_zip(io.BytesIO(payload), len(payload), f"{source}: {name}", skipped,
                                sender, subject, received_at, message_id)
        else:
            yield Received(name, payload, source, sender, subject, received_at, message_id)
    if not found:
        skipped.append((source, "pesan tanpa lampiran workbook"))
        if bare is not None:
            bare.append(Unanswerable(source, sender, subject, message_id,
                                     tuple(n for n in names if n)))


def check_suffix(filename: str) -> str:
    """The extension the checker reads a received file by: one of `WORKBOOK_SUFFIXES`, taken
    from the end of its name (never the name itself: `.xlsx` alone is a name too)."""
    lower = filename.lower()
    return next((s for s in WORKBOOK_SUFFIXES if lower.endswith(s)), ".xlsx")
