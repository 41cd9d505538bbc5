"""Take returned workbooks from an IMAP mailbox (TLS), read-only: mail is never altered.

The folder is opened with EXAMINE and bodies are fetched with BODY.PEEK, so no flag
changes; every message taken is remembered by UIDVALIDITY and UID in the store, so a
second run fetches nothing twice.
"""

from __future__ import annotations

import datetime
import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.check import WarmPool
from iki_xlsx.core.errors import ImapError as ImapError  # re-exported: its home is errors
from iki_xlsx.core.findings import os_reason
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.intake.collect import CollectResult, from_mail, owe_unanswered, take
from iki_xlsx.intake.sources import MAX_MESSAGE_BYTES, too_big
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.plan.register import judged_by
from iki_xlsx.store.db import Store

PASSWORD_ENV = "IKI_IMAP_PASSWORD"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    cafile: Path | None = None
    timeout: float = 60.0

    @property
    def name(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


def collect_imap(account: ImapAccount, store: Store, index: BlueprintIndex,
                 since: datetime.date | None = None,
                 max_message_bytes: int = MAX_MESSAGE_BYTES,
                 progress: Progress = no_progress, *, answer: bool = False,
                 pool: WarmPool | None = None, warm: Path | None = None) -> CollectResult:
    """Collect the workbook attachments of every message not taken before. A message over
    `max_message_bytes` (as the server states its size) is never fetched: it is reported as
    skipped and taken, like a saved e-mail over the same limit. `progress(1)` is called per
    attachment dealt with. With `answer`, each answer is owed as `collect` owes it; a message
    without a workbook is owed its answer in the transaction that marks it taken. With a
    warm `pool` (the web app's), its workers check the attachments; with a `warm` folder (a
    workspace's store folder), the checkers start from the layouts kept there (`collect`)."""
    result = CollectResult(answering=answer)
    with store.exclusive(), store.mailbox(f"{account.name}/{account.folder}"), \
            _session(account) as client:
        store.tidy()
        index = judged_by(store, index)
        uidvalidity = _examine(client, account.folder)
        taken = store.imap_taken(account.name, account.folder, uidvalidity)
        owed = 0  # e-mails without a workbook already owed their answer
        for uid in _search(client, since):
            if uid in taken:
                continue
            source = f"imap://{account.name}/{account.folder};UIDVALIDITY={uidvalidity}/;UID={uid}"
            size = _size(client, uid)
            if size > max_message_bytes:
                result.skipped.append((source, too_big(size, max_message_bytes)))
            else:
                for received in from_mail(_fetch(client, uid), source, result):
                    take(received, store, index, result, progress, pool=pool, warm=warm)
            bare = result.without_workbook[owed:]
            owed = len(result.without_workbook)
            with store.transaction():  # a full disk here is said, and the message taken again
                owe_unanswered(store, bare, result)
                store.mark_imap_taken(account.name, account.folder, uidvalidity, uid)
    return result


@contextmanager
def _session(account: ImapAccount) -> Iterator[imaplib.IMAP4_SSL]:
    context = ssl.create_default_context(cafile=str(account.cafile) if account.cafile else None)
    try:
        client = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=context,
                                   timeout=account.timeout)
    except ssl.SSLError as exc:
        raise ImapError(f"koneksi TLS ke {account.host} gagal ({exc.reason or exc}); "
                        "periksa sertifikat server atau --cafile") from None
    except OSError as exc:
        raise ImapError(f"server IMAP {account.host}:{account.port} tidak dapat dihubungi "
                        f"({os_reason(exc)})") from None
    try:
        try:
            client.login(account.user, account.password)
        except imaplib.IMAP4.error:
            raise ImapError(f"login IMAP untuk {account.user} ditolak") from None
        yield client
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _examine(client: imaplib.IMAP4_SSL, folder: str) -> int:
    """Open `folder` read-only (EXAMINE); its UIDVALIDITY."""
    status, _ = client.select(_quoted(folder), readonly=True)
    if status != "OK":
        raise ImapError(f"folder '{folder}' tidak dapat dibuka")
    _, data = client.response("UIDVALIDITY")
    try:
        return int(data[0])
    except (TypeError, ValueError, IndexError):
        raise ImapError(f"server tidak memberi UIDVALIDITY untuk folder '{folder}'") from None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _search(client: imaplib.IMAP4_SSL, since: datetime.date | None) -> list[int]:
    criteria = ["SINCE", f"{since.day}-{MONTHS[since.month - 1]}-{since.year}"] if since \
        else ["ALL"]
    status, data = client.uid("SEARCH", *criteria)
    if status != "OK":
        raise ImapError("pencarian pesan di server IMAP gagal")
    return [int(uid) for uid in (data[0] or b"").split()]


def _size(client: imaplib.IMAP4_SSL, uid: int) -> int:
    """The message's size in bytes as the server states it (RFC822.SIZE), before any body."""
    status, data = client.uid("FETCH", str(uid), "(RFC822.SIZE)")
    found = re.search(rb"RFC822\.SIZE (\d{1,15})", next(
        (item if isinstance(item, bytes) else item[0] for item in data if item), b"")[:200])
    if status != "OK" or found is None:
        raise ImapError(f"ukuran pesan UID {uid} tidak diberikan server")
    return int(found.group(1))


def _fetch(client: imaplib.IMAP4_SSL, uid: int) -> bytes:
    status, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    raw = next((item[1] for item in data if isinstance(item, tuple)), None)
    if status != "OK" or not isinstance(raw, bytes):
        raise ImapError(f"pesan UID {uid} tidak dapat diambil")
    return raw
