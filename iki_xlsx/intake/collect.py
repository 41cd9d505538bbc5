"""Collect returned workbooks from files, folders, zip archives, saved emails and mailboxes."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from iki_xlsx.check import BlueprintIndex, FileResult, Status, WarmPool, iter_check
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.core.states import Kind
from iki_xlsx.intake import sources as intake
from iki_xlsx.plan.register import judged_by
from iki_xlsx.store.db import Received, Store, StoreUnwritable

WORKBOOK_SUFFIXES = intake.WORKBOOK_SUFFIXES
MAX_MEMBER_BYTES = intake.MAX_MEMBER_BYTES


@dataclass
class CollectResult:
    """What one collect did."""

    added: list[tuple[str, str, Status]] = field(default_factory=list)  # filename, sha256
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # filename, sha256
    skipped: list[tuple[str, str]] = field(default_factory=list)  # source, reason
    restored: list[tuple[str, str]] = field(default_factory=list)  # raw copy kept again
    without_workbook: list[intake.Unanswerable] = field(default_factory=list)  # e-mails
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # sha256 -> its findings
    answering: bool = False  # answers are owed for what is taken in (collect --balas)
    machine: list[tuple[str, str]] = field(default_factory=list)  # not answered: what, why


# the answer a return's verdict calls for (mail/replies sends it)


CHUNK_FILES = 128  # new files kept and then checked together (pool and batch evaluation)
CHUNK_BYTES = 64 * 1024 * 1024


def collect(sources: Sequence[Path], store: Store, index: BlueprintIndex,
            progress: Progress = no_progress, result: CollectResult | None = None, *,
            answer: bool = False, pool: WarmPool | None = None,
            warm: Path | None = None) -> CollectResult:
    """Store and check every workbook found in `sources`; the same file twice changes nothing.

    New files are kept in chunks, checked together over the machine's cores with the batch
    evaluator, and each recorded in its own transaction, in the order they were found.
    A store with a register (generate in a workspace) judges every return by it.
    `progress(n)` is called as received files are dealt with (checked, or found known).
    With `answer`, the answer each new return (and each e-mail without a workbook) calls for
    is recorded as owed in the same transaction (`mail.replies.answer_returns` sends it);
    what a machine sent (an auto-reply, a bounce, a list) is never owed one.
    With a warm `pool` (a long-running face), its workers check them. With a `warm` folder
    (a workspace's store folder), the checkers start from the layouts an earlier run kept
    there, and keep those they make (`check.warm`), as `periksa` does.
    A caller that shows verdicts while the rest is checked passes its own `result`, filled
    chunk by chunk.
    """
    return _collect(lambda skipped: intake.received_from(sources, skipped), store, index,
                    progress, result, answer, pool, warm)


def collect_uploads(files: Sequence[tuple[str, Path]], store: Store, index: BlueprintIndex,
                    progress: Progress = no_progress, result: CollectResult | None = None,
                    pool: WarmPool | None = None, warm: Path | None = None) -> CollectResult:
    """`collect` of uploaded files, each given as (the name the browser sent, where it was
    kept): every upload is kept and recorded under the name it was sent with, one that is no
    workbook too (`intake.received_uploads`)."""
    return _collect(lambda skipped: intake.received_uploads(files, skipped), store, index,
                    progress, result, False, pool, warm)


def _collect(found: Callable[[list[tuple[str, str]]], Iterable[Received]], store: Store,
             index: BlueprintIndex, progress: Progress, result: CollectResult | None,
             answer: bool, pool: WarmPool | None = None,
             warm: Path | None = None) -> CollectResult:
    if result is None:
        result = CollectResult()
    result.answering = answer
    with store.exclusive(), store.connect():
        store.tidy()
        index = judged_by(store, index)
        pending: dict[str, Received] = {}  # by SHA-256, in the order found
        size = 0
        for received in found(result.skipped):
            digest = hashlib.sha256(received.data).hexdigest()
            if digest in pending:
                result.duplicates.append((received.filename, digest))
                progress(1)
                continue
            if _known(store, digest, received, result):
                progress(1)
                continue
            pending[digest] = received
            size += len(received.data)
            if len(pending) >= CHUNK_FILES or size >= CHUNK_BYTES:
                _take_chunk(pending, store, index, result, progress, pool, warm)
                pending, size = {}, 0
        _take_chunk(pending, store, index, result, progress, pool, warm)
        owe_unanswered(store, result.without_workbook, result)
    return result


def owe_unanswered(store: Store, messages: Sequence[intake.Unanswerable],
                   result: CollectResult) -> None:
    """Owe a `ditolak` to each e-mail that came without a workbook (once per Message-ID),
    when answering; a machine's is noted in `result.machine` instead."""
    if not result.answering or not messages:
        return
    with store.transaction():
        for message in messages:
            if message.automatic:
                result.machine.append((message.source, message.automatic))
                continue
            store.owe_answer(f"{Kind.REJECTION}|{message.message_id or message.source}",
                             Kind.REJECTION,
                             pesan=json.dumps(asdict(message), ensure_ascii=False))


def _take_chunk(pending: dict[str, Received], store: Store, index: BlueprintIndex,
                result: CollectResult, progress: Progress,
                pool: WarmPool | None = None, warm: Path | None = None) -> None:
    """Keep the raw files first, then check them all, then record each one."""
    aliases = [_alias(store.keep_raw(digest, received.data), received.filename)
               for digest, received in pending.items()]
    checked: list[FileResult] = []
    try:
        for checked_file in iter_check(aliases, index, pool=pool, warm=warm):
            checked.append(checked_file)
            progress(1)
    finally:
        for alias in aliases:
            alias.unlink(missing_ok=True)
    for (digest, received), result_of_file in zip(pending.items(), checked, strict=True):
        result_of_file.file = received.filename
        with store.transaction():
            recorded = _record(store, received, digest, result_of_file)
            if recorded is not None and result.answering:
                _owe(store, received, digest, recorded, result_of_file.status, result)
        if recorded is None:  # another writer recorded the same file meanwhile
            result.duplicates.append((received.filename, digest))
            continue
        result.added.append((received.filename, digest, result_of_file.status))
        result.findings[digest] = list(result_of_file.findings)


def from_mail(raw: bytes, source: str, result: CollectResult) -> Iterator[Received]:
    """Workbook attachments of one e-mail's bytes, with its sender, subject and date."""
    return intake.from_mail(io.BytesIO(raw), source, result.skipped, result.without_workbook)


def take(received: Received, store: Store, index: BlueprintIndex,
         result: CollectResult, progress: Progress = no_progress,
         pool: WarmPool | None = None, warm: Path | None = None) -> None:
    """Keep, check and record one received file (call while holding `store.exclusive()`)."""
    digest = hashlib.sha256(received.data).hexdigest()
    if _known(store, digest, received, result):
        progress(1)
        return
    _take_chunk({digest: received}, store, index, result, progress, pool, warm)


def _known(store: Store, digest: str, received: Received, result: CollectResult) -> bool:
    """Whether the file was collected before (a duplicate); its raw copy, if it went
    missing from the store, is restored from these same bytes."""
    if not store.known(digest):
        return False
    if not store.raw_path(digest).is_file():
        store.keep_raw(digest, received.data)
        result.restored.append((received.filename, digest))
    else:
        result.duplicates.append((received.filename, digest))
    return True


def _alias(raw: Path, filename: str) -> Path:
    """The stored bytes under their original extension (the format depends on it); the
    alias is never the raw file itself, whatever the name, and is this collect's own (another
    writer may be checking the same bytes at the same time)."""
    alias = raw.with_name(f"{raw.name}.{secrets.token_hex(6)}{intake.check_suffix(filename)}")
    try:
        alias.unlink(missing_ok=True)  # left over by a collect killed here
        alias.symlink_to(raw.name)
    except OSError as exc:
        raise StoreUnwritable(f"penyimpanan {raw.parent.parent.parent} tidak dapat ditulis "
                              f"({os_reason(exc)}); jalankan collect lagi setelah "
                              "diperbaiki") from None
    return alias


def _owe(store: Store, received: Received, digest: str, submission: int, status: Status,
         result: CollectResult) -> None:
    """The answer a new return is owed (inside its own transaction), unless a machine sent it."""
    if received.automatic:
        result.machine.append((received.filename, received.automatic))
        return
    kind = Kind.answering(status)
    store.owe_answer(f"{kind}|{digest}", kind, submission)


def _record(store: Store, received: Received, digest: str,
            checked: FileResult) -> int | None:
    """One checked file into the store (call inside `store.transaction()`): its submission
    id, or None when another writer recorded the same file first.

    Nothing the file says about other units is recorded: the expected units and their
    addresses come only from the register (`generate` and `kirim` in a workspace)."""
    if checked.status is Status.REJECTED:
        checked.inputs = []  # a rejected file's values are never used
    submission = store.add_submission(received, digest, checked)
    if submission is None:
        return None
    if checked.unit_kode is not None and checked.status is not Status.REJECTED \
            and received.sender:
        _check_sender(store, submission, received.sender, checked, checked.unit_kode)
    return submission


def _check_sender(store: Store, submission: int, sender: str, checked: FileResult,
                  kode: str) -> None:
    """A warning when a workbook comes from another address than the ones the office has for
    its unit: the unit list's (as registered when generating) and those kirim sent it to."""
    if checked.blueprint is None or checked.periode is None:
        return
    expected = store.expected_unit(checked.blueprint, checked.periode, kode)
    if expected is None:
        return
    known = store.sent_addresses(kode) | ({expected.email.lower()} if expected.email else set())
    if not known or sender.lower() in known:
        return
    shown = ", ".join(sorted(known))
    store.add_findings(submission, [Finding.of(Code.SENDER_MISMATCH.message(
        unit=expected.nama, pengirim=sender, alamat=shown), expected=shown, found=sender)])
