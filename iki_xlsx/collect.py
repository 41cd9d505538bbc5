"""Collect returned workbooks from files, folders, zip archives, saved emails and mailboxes."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import mailbox
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from .check import BlueprintIndex, FileResult, iter_check
from .findings import Finding, Severity
from .store import SENDER_MISMATCH, Received, Store

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_MEMBER_BYTES = 50 * 1024 * 1024


@dataclass
class CollectResult:
    """What one collect did."""

    added: list[tuple[str, str, str]] = field(default_factory=list)  # filename, sha256, status
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # filename, sha256
    skipped: list[tuple[str, str]] = field(default_factory=list)  # source, reason


CHUNK_FILES = 128  # new files kept and then checked together (pool and batch evaluation)
CHUNK_BYTES = 64 * 1024 * 1024


def collect(sources: Sequence[Path], store: Store, index: BlueprintIndex) -> CollectResult:
    """Store and check every workbook found in `sources`; the same file twice changes nothing.

    New files are kept in chunks, checked together over the machine's cores with the batch
    evaluator, and each recorded in its own transaction, in the order they were found.
    """
    result = CollectResult()
    with store.exclusive(), store.connect():
        store.tidy()
        pending: dict[str, Received] = {}  # by SHA-256, in the order found
        size = 0
        for received in _received(sources, result):
            digest = hashlib.sha256(received.data).hexdigest()
            if digest in pending or store.known(digest):
                result.duplicates.append((received.filename, digest))
                continue
            pending[digest] = received
            size += len(received.data)
            if len(pending) >= CHUNK_FILES or size >= CHUNK_BYTES:
                _take_chunk(pending, store, index, result)
                pending, size = {}, 0
        _take_chunk(pending, store, index, result)
    return result


def _take_chunk(pending: dict[str, Received], store: Store, index: BlueprintIndex,
                result: CollectResult) -> None:
    """Keep the raw files first, then check them all, then record each one."""
    aliases = [_alias(store.keep_raw(digest, received.data), received.filename)
               for digest, received in pending.items()]
    try:
        checked = list(iter_check(aliases, index))
    finally:
        for alias in aliases:
            alias.unlink(missing_ok=True)
    for (digest, received), result_of_file in zip(pending.items(), checked, strict=True):
        result_of_file.file = received.filename
        with store.transaction():
            _record(store, received, digest, result_of_file)
        result.added.append((received.filename, digest, str(result_of_file.status)))


def _received(sources: Sequence[Path], result: CollectResult) -> Iterator[Received]:
    for source in sources:
        if source.is_dir():
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                yield from _from_file(path, result, quiet=True)
        elif source.exists():
            yield from _from_file(source, result, quiet=False)
        else:
            result.skipped.append((str(source), "tidak ditemukan"))


def _from_file(path: Path, result: CollectResult, quiet: bool) -> Iterator[Received]:
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        yield Received(path.name, path.read_bytes(), str(path))
    elif suffix == ".zip":
        yield from _from_zip(path.read_bytes(), str(path), result)
    elif suffix == ".eml":
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        yield from from_message(message, str(path), result)
    elif suffix == ".mbox":
        for i, stored in enumerate(mailbox.mbox(path, create=False)):
            parsed = email.message_from_bytes(stored.as_bytes(), policy=email.policy.default)
            yield from from_message(parsed, f"{path}#{i + 1}", result)
    elif not quiet:
        result.skipped.append((str(path), "bukan workbook, zip, .eml atau .mbox"))


def _from_zip(data: bytes, label: str, result: CollectResult, sender: str | None = None,
              subject: str | None = None, received_at: str | None = None) -> Iterator[Received]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = Path(info.filename).name
                if info.is_dir() or not name.lower().endswith(WORKBOOK_SUFFIXES):
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    result.skipped.append((f"{label}!{info.filename}", "terlalu besar"))
                    continue
                yield Received(name, archive.read(info), f"{label}!{info.filename}", sender,
                               subject, received_at)
    except (zipfile.BadZipFile, OSError):
        result.skipped.append((label, "arsip zip rusak"))


def from_message(message: EmailMessage, source: str, result: CollectResult) -> Iterator[Received]:
    """Workbook attachments of one email, with its sender, subject and date."""
    sender = parseaddr(str(message.get("From", "")))[1] or None
    subject = str(message.get("Subject", "")) or None
    received_at = None
    if message.get("Date"):
        try:
            received_at = parsedate_to_datetime(str(message["Date"])).isoformat()
        except (TypeError, ValueError):
            received_at = None
    found = False
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        if not name.lower().endswith((*WORKBOOK_SUFFIXES, ".zip")):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        found = True
        if name.lower().endswith(".zip"):
            yield from _from_zip(payload, f"{source}: {name}", result, sender, subject,
                                 received_at)
            continue
        yield Received(name, payload, source, sender, subject, received_at)
    if not found:
        result.skipped.append((source, "pesan tanpa lampiran workbook"))


def take(received: Received, store: Store, index: BlueprintIndex,
         result: CollectResult) -> None:
    """Keep, check and record one received file (call while holding `store.exclusive()`)."""
    digest = hashlib.sha256(received.data).hexdigest()
    if store.known(digest):
        result.duplicates.append((received.filename, digest))
        return
    _take_chunk({digest: received}, store, index, result)


def _alias(raw: Path, filename: str) -> Path:
    """The stored bytes under their original extension (the format depends on it)."""
    alias = raw.with_name(raw.name + Path(filename).suffix.lower())
    alias.unlink(missing_ok=True)  # left over by a collect killed here
    alias.symlink_to(raw.name)
    return alias


def _record(store: Store, received: Received, digest: str, checked: FileResult) -> None:
    """One checked file into the store (call inside `store.transaction()`)."""
    unit = next((u for u in checked.units if u.nama == checked.unit), None)
    submission = store.add_submission(received, digest, checked, unit.kode if unit else None)
    if (checked.blueprint and checked.periode
            and not store.has_expected_units(checked.blueprint, checked.periode)):
        # the units list the workbooks were generated with (every manifest carries it)
        store.add_expected_units(checked.blueprint, checked.periode, checked.units)
    if unit is not None and received.sender:
        _check_sender(store, submission, received.sender, checked, unit.kode)


def _check_sender(store: Store, submission: int, sender: str, checked: FileResult,
                  kode: str) -> None:
    """A warning when a workbook comes from another address than its unit's on the list."""
    if checked.blueprint is None or checked.periode is None:
        return
    expected = store.expected_unit(checked.blueprint, checked.periode, kode)
    if expected is None or not expected.email or expected.email.lower() == sender.lower():
        return
    store.add_findings(submission, [Finding(
        SENDER_MISMATCH, f"workbook {expected.nama} dikirim dari {sender}, bukan dari alamat "
                         f"unit di daftar ({expected.email}); pastikan kiriman ini sah",
        Severity.WARNING, expected=expected.email, found=sender)])
