"""Intake: the workbooks inside what arrives (files, folders, zip archives, e-mails, mbox),
each size-checked before anything is read whole or written to the store.

Nothing that arrives is trusted: a link is never followed and only regular files are read;
a file over the size limit is never read; an e-mail is read as a stream, an mbox message by
message, each within the limit of one saved e-mail (`intake.mime`); an archive's
member count and inflated size are checked from its directory before any member is read;
archives inside archives are opened to a bounded depth (a workbook in a zip in a zip is
collected, a deeper one reported); a member is read only when its size and compression are
plausible. Names from archives and attachments are shown and recorded, never used as paths.
Everything not taken is reported in `skipped` as (source, reason in Bahasa Indonesia).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from iki_xlsx.core.findings import os_reason
from iki_xlsx.intake.mime import MAX_PARTS, MboxSlice, Readable, mbox_messages, read_mail
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
    automatic: str | None = None  # why a machine sent it (never answered), None for a person


def _megabytes(size: int) -> str:
    return f"{size // 1_048_576} MB"


def received_from(sources: Sequence[Path], skipped: Skipped) -> Iterator[Received]:
    """Every workbook found in `sources` (files, folders, .zip, .eml, .mbox), in order.

    A link is never followed: a source, or anything inside a folder, that is a symbolic link
    is reported and not read (a link in the drop folder to iki.toml or /etc/passwd would
    otherwise be copied into the store), and every file is opened with O_NOFOLLOW beneath its
    folder's own descriptor, so a folder swapped for a link while it is read leads nowhere."""
    for source in sources:
        try:
            info = os.lstat(source)
        except OSError as exc:
            reason = "tidak ditemukan" if isinstance(exc, FileNotFoundError) else \
                f"tidak dapat dibaca ({os_reason(exc)})"
            skipped.append((str(source), reason))
            continue
        if stat.S_ISLNK(info.st_mode):
            skipped.append((str(source), LINK_REFUSED))
        elif stat.S_ISDIR(info.st_mode):
            yield from _from_folder(source, skipped)
        else:
            yield from _opened(str(source), None, source.name, skipped, quiet=False)


def received_uploads(files: Sequence[tuple[str, Path]], skipped: Skipped) -> Iterator[Received]:
    """Uploaded files, each given as (the name the browser sent, where the server kept it):
    taken as any file is, under the name it was sent with and labelled `unggahan: NAME`; an
    upload nothing was taken from (not a workbook, an archive without one, an e-mail without
    an attachment, a name like `../../iki.toml`) is received as it is, so it is kept and
    recorded with its verdict instead of lost without a word."""
    for name, path in files:
        label = f"unggahan: {name}"
        local: Skipped = []
        taken = False
        for item in received_from([path], local):
            taken = True
            top = item.source == str(path)
            yield replace(item, filename=name if top else item.filename,
                          source=label if top else item.source.replace(str(path), label, 1))
        if taken:
            skipped.extend((source.replace(str(path), label, 1), why) for source, why in local)
            continue
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
        except OSError as exc:
            skipped.append((label, f"tidak dapat dibaca ({os_reason(exc)})"))
            continue
        if len(data) > MAX_MEMBER_BYTES:
            skipped.append((label, too_big(len(data), MAX_MEMBER_BYTES)))
            continue
        yield Received(name, data, label)


LINK_REFUSED = "tautan (symlink), tidak diikuti; salin berkasnya sendiri ke folder itu"
MAX_FOLDER_DEPTH = 32
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_OPEN_FOLDER = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC


def _from_folder(folder: Path, skipped: Skipped) -> Iterator[Received]:
    try:
        fd = os.open(folder, _OPEN_FOLDER)
    except OSError as exc:
        skipped.append((str(folder), f"folder tidak dapat dibaca ({os_reason(exc)})"))
        return
    try:
        yield from _walk(fd, folder, skipped, 0)
    finally:
        os.close(fd)


def _walk(fd: int, folder: Path, skipped: Skipped, depth: int) -> Iterator[Received]:
    """The folder open at `fd`, its entries in name order (the order of their full paths)."""
    try:
        with os.scandir(fd) as listing:
            entries = sorted(((e.name, e.is_symlink(), e.is_dir(follow_symlinks=False))
                              for e in listing), key=lambda entry: entry[0])
    except OSError as exc:
        skipped.append((str(folder), f"folder tidak dapat dibaca ({os_reason(exc)})"))
        return
    for name, is_link, is_dir in entries:
        path = folder / name
        if is_link:
            if name.lower().endswith((*WORKBOOK_SUFFIXES, ".zip", ".eml", ".mbox")):
                skipped.append((str(path), LINK_REFUSED))
        elif is_dir:
            if depth >= MAX_FOLDER_DEPTH:
                skipped.append((str(path), f"folder bertingkat lebih dari {MAX_FOLDER_DEPTH}; "
                                           "tidak dibuka"))
                continue
            try:
                inner = os.open(name, _OPEN_FOLDER, dir_fd=fd)
            except OSError as exc:
                skipped.append((str(path), f"folder tidak dapat dibaca ({os_reason(exc)})"))
                continue
            try:
                yield from _walk(inner, path, skipped, depth + 1)
            finally:
                os.close(inner)
        else:
            yield from _opened(str(path), fd, name, skipped, quiet=True)


def _opened(label: str, dir_fd: int | None, name: str, skipped: Skipped,
            quiet: bool) -> Iterator[Received]:
    """One file, opened without following a link and read only when it is a regular file
    (a pipe or a device is never read: a pipe would wait forever)."""
    suffix = Path(name).suffix.lower()
    if quiet and suffix not in (*WORKBOOK_SUFFIXES, ".zip", ".eml", ".mbox"):
        return
    try:
        fd = os.open(name if dir_fd is not None else label, _OPEN_FILE, dir_fd=dir_fd)
    except OSError as exc:
        link = exc.errno == errno.ELOOP
        skipped.append((label, LINK_REFUSED if link else
                        f"tidak dapat dibaca ({os_reason(exc)})"))
        return
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                skipped.append((label, "bukan berkas biasa"))
                return
            yield from _from_file(handle, info.st_size, label, name, suffix, skipped, quiet)
        except OSError as exc:
            skipped.append((label, f"tidak dapat dibaca ({os_reason(exc)})"))


def _from_file(handle: BinaryIO, size: int, label: str, name: str, suffix: str,
               skipped: Skipped, quiet: bool) -> Iterator[Received]:
    if suffix in WORKBOOK_SUFFIXES:
        if size > MAX_FILE_BYTES:
            skipped.append((label, too_big(size, MAX_FILE_BYTES)))
            return
        data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:  # it grew while it was read
            skipped.append((label, too_big(len(data), MAX_FILE_BYTES)))
            return
        yield Received(name, data, label)
    elif suffix == ".zip":
        yield from from_zip(handle, size, label, skipped)
    elif suffix == ".eml":
        if size > MAX_MESSAGE_BYTES:
            skipped.append((label, too_big(size, MAX_MESSAGE_BYTES)))
            return
        yield from from_mail(handle, label, skipped)
    elif suffix == ".mbox":
        for message in mbox_messages(handle):
            where = f"{label}#{message.number}"
            if message.size > MAX_MESSAGE_BYTES:
                skipped.append((where, too_big(message.size, MAX_MESSAGE_BYTES)))
                continue
            yield from from_mail(MboxSlice(handle, message), where, skipped)
    elif not quiet:
        skipped.append((label, "bukan workbook, zip, .eml atau .mbox"))


def too_big(size: int, limit: int) -> str:
    """Why a file or message over its limit is not read, in Bahasa Indonesia."""
    return f"terlalu besar ({_megabytes(size)}; batas {_megabytes(limit)}); tidak dibaca"


def from_zip(handle: BinaryIO, size: int, label: str, skipped: Skipped,
             sender: str | None = None, subject: str | None = None,
             received_at: str | None = None, message_id: str | None = None,
             depth: int = 1, automatic: str | None = None) -> Iterator[Received]:
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
                                   (sender, subject, received_at, message_id), depth, automatic)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        skipped.append((label, "arsip zip rusak"))


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, skipped: Skipped,
            how: tuple[str | None, str | None, str | None, str | None],
            depth: int, automatic: str | None) -> Iterator[Received]:
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
        yield from from_zip(io.BytesIO(data), len(data), where, skipped, *how, depth=depth + 1,
                            automatic=automatic)
    else:
        yield Received(name, data, where, *how, automatic=automatic)


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


def _wanted(name: str) -> int | None:
    """How much of an attachment named `name` is kept: a workbook or a zip, within its limit."""
    lower = name.lower()
    if lower.endswith(".zip"):
        return MAX_ARCHIVE_UNPACKED
    return MAX_MEMBER_BYTES if lower.endswith(WORKBOOK_SUFFIXES) else None


def from_mail(stream: Readable, source: str, skipped: Skipped,
              bare: list[Unanswerable] | None = None) -> Iterator[Received]:
    """Workbook attachments of one e-mail (also inside zip attachments), read as a stream
    (`intake.mime`), with its sender, subject, date, Message-ID and whether a machine sent
    it; an e-mail without any goes to `bare` as well."""
    mail = read_mail(stream, _wanted)
    said = mail.envelope
    how = (said.sender, said.subject, said.received_at, said.message_id)
    found = False
    for attachment in mail.attachments:
        limit = _wanted(attachment.name)
        if limit is None:
            continue
        found = True
        where = f"{source}: {attachment.name}"
        if attachment.over:
            skipped.append((where, f"terlalu besar (lebih dari {_megabytes(limit)}); "
                                   "tidak dibaca"))
        elif attachment.broken or attachment.data is None:
            skipped.append((where, "lampiran rusak (isinya tidak dapat diuraikan)"))
        elif attachment.name.lower().endswith(".zip"):
            yield from from_zip(io.BytesIO(attachment.data), len(attachment.data), where,
                                skipped, *how, automatic=said.automatic)
        else:
            yield Received(attachment.name, attachment.data, source, *how,
                           automatic=said.automatic)
    if mail.truncated:
        skipped.append((source, f"pesan memuat lebih dari {MAX_PARTS} bagian atau bertingkat "
                                "terlalu dalam; sisanya tidak dibaca"))
    if not found:
        skipped.append((source, "pesan tanpa lampiran workbook"))
        if bare is not None:
            bare.append(Unanswerable(source, *how[:2], said.message_id,
                                     tuple(a.name for a in mail.attachments if a.name),
                                     said.automatic))


def check_suffix(filename: str) -> str:
    """The extension the checker reads a received file by: one of `WORKBOOK_SUFFIXES`, taken
    from the end of its name (never the name itself: `.xlsx` alone is a name too)."""
    lower = filename.lower()
    return next((s for s in WORKBOOK_SUFFIXES if lower.endswith(s)), ".xlsx")
