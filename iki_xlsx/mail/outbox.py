"""Sending mail the office can account for: one SMTP session, bounded retries, a log.

Every message the tool sends (workbooks, receipts, corrections, reminders) goes through an
`Outbox`: while it is open it holds the log's lock, so two runs cannot send the same thing;
a message whose key the log already records as sent is not sent again; a message that fails
is retried on 4xx answers and lost connections (with a doubling wait), not on 5xx answers,
and the failure is recorded and reported while the others still go out.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import smtplib
import ssl
import string
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

from iki_xlsx.core.atomic import atomic_write, exclusive_lock
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.states import ANSWERS as ANSWERS
from iki_xlsx.core.states import Kind as Kind
from iki_xlsx.store.db import Store


class Outcome(StrEnum):
    """What became of one message: the log's `hasil`, and the word users read."""

    SENT = "terkirim"
    FAILED = "gagal"
    WRITTEN = "ditulis"  # an .eml file instead of sending (--coba)
    SENT_BEFORE = "sudah terkirim"


LOG_NAME = "kirim-log.jsonl"
PASSWORD_ENV = "IKI_SMTP_PASSWORD"
TEMPLATES = Path(__file__).resolve().parent / "templates"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Smtp:
    """Where and how to send. `security` is "none", "starttls" or "ssl"."""

    host: str
    port: int
    security: str = "none"
    user: str | None = None
    password: str | None = None
    cafile: Path | None = None
    timeout: float = 60.0


@dataclass(frozen=True)
class Retry:
    """Attempts per message; the wait before attempt n+1 is `backoff * 2**(n-1)` seconds."""

    attempts: int = 3
    backoff: float = 5.0


DEFAULT_RETRY = Retry()


@dataclass(frozen=True)
class Template:
    """Subject and body with `string.Template` placeholders ($nama, $periode, $batas...)."""

    subject: str
    body: str

    def fill(self, values: Mapping[str, str]) -> tuple[str, str]:
        return (string.Template(self.subject).substitute(values),
                string.Template(self.body).substitute(values))


@dataclass
class Delivery:
    """What happened to one message; one line of the log once it was tried."""

    kode: str
    nama: str
    email: str
    berkas: str
    sha256: str
    hasil: Outcome | None = None  # set by the outbox once it is tried
    message_id: str | None = None
    waktu: str | None = None
    keterangan: str | None = None
    jenis: Kind = Kind.WORKBOOK
    kunci: str | None = None  # what "never twice" compares (None: a workbook of kirim)
    periode: int | None = None
    in_reply_to: str | None = None


def valid_address(address: str) -> bool:
    """A plain `local@domain.tld`, nothing that could add a header or a second recipient."""
    return ADDRESS.match(address) is not None


# --- templates ---------------------------------------------------------------------------------


MAX_TEMPLATE_BYTES = 64 * 1024  # the office's own e-mail text, read within bounds


def load_template(path: Path, allowed: Iterable[str]) -> tuple[Template | None, list[Finding]]:
    """A template file: `Subjek: ...`, an empty line, then the body."""
    shown = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TEMPLATE_BYTES + 1)
        if len(raw) > MAX_TEMPLATE_BYTES:
            return None, [Finding.of(Code.TEMPLATE_UNREADABLE.message(
                alasan=f"lebih dari {MAX_TEMPLATE_BYTES // 1024} KB; templat surel tidak sebesar "
                       "itu"), file=shown)]
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Finding.of(Code.TEMPLATE_UNREADABLE.message(alasan=os_reason(exc)),
                                 file=shown)]
    head, _, body = text.partition("\n\n")
    match = re.fullmatch(r"(?:Subjek|Subject):\s*(.+)", head.strip())
    if match is None or not body.strip():
        return None, [Finding.of(Code.TEMPLATE_INVALID.message("subject"), file=shown, line=1)]
    template = Template(match.group(1).strip(), body)
    known = tuple(allowed)
    findings = [Finding.of(Code.TEMPLATE_INVALID.message(
        nama=name, tersedia=", ".join("$" + p for p in known)), file=shown)
                for name in _placeholders(template) if name not in known]
    return (None if findings else template), findings


def _placeholders(template: Template) -> list[str]:
    names: list[str] = []
    for text in (template.subject, template.body):
        for match in string.Template.pattern.finditer(text):
            name = match.group("named") or match.group("braced")
            if name and name not in names:
                names.append(name)
    return names


def template_path(name: str, overrides: Path | None = None) -> Path:
    """`name`.txt from the override folder when it has one, else the packaged template."""
    if overrides is not None and (overrides / f"{name}.txt").is_file():
        return overrides / f"{name}.txt"
    return TEMPLATES / f"{name}.txt"


# --- messages ----------------------------------------------------------------------------------


def new_message(sender: str, to: str, subject: str, body: str,
                headers: Mapping[str, str] = {}) -> EmailMessage:
    """A plain-text message with a fresh Message-ID in the sender's domain."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("iki", domain=sender.rpartition("@")[2] or None)
    for name, value in headers.items():
        message[name] = value
    message.set_content(body)
    return message


def attach_workbook(message: EmailMessage, data: bytes, filename: str) -> None:
    message.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=filename)


# --- the log -----------------------------------------------------------------------------------


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every complete record of the log (a line cut short by a crash is ignored)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def workbook_key(kode: str, sha256: str, email: str) -> str:
    """A workbook is sent once per unit, file and address."""
    return f"workbook|{kode}|{sha256}|{email}"


def record_key(record: Mapping[str, Any]) -> str:
    return str(record.get("kunci") or workbook_key(str(record.get("kode")),
                                                   str(record.get("sha256")),
                                                   str(record.get("email"))))


def _append(path: Path, delivery: Delivery) -> None:
    """One line per record, written with a single append and flushed to disk."""
    line = json.dumps(asdict(delivery), ensure_ascii=False, sort_keys=True) + "\n"
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(handle, line.encode("utf-8"))
        os.fsync(handle)
    finally:
        os.close(handle)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


# --- SMTP --------------------------------------------------------------------------------------


class _Connection:
    """One SMTP session, opened when needed and reopened after a failure."""

    def __init__(self, settings: Smtp) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None
        self.refused: str | None = None  # a refused login or certificate: do not try again

    def send(self, message: EmailMessage) -> None:
        if self.client is None:
            self.client = self._open()
        self.client.send_message(message)

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=str(s.cafile) if s.cafile else None)
        client: smtplib.SMTP
        if s.security == "ssl":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                client.starttls(context=context)
            if s.user:
                client.login(s.user, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def drop(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None


PROBE_TIMEOUT = 10.0  # seconds: how long a run waits to learn the server cannot be used


def smtp_unusable(settings: Smtp, timeout: float = PROBE_TIMEOUT) -> str | None:
    """Why the SMTP server cannot be used at all (no connection, TLS failing, login
    refused), or None: tried once with a short timeout before a run, so a server that cannot
    be reached is said once within seconds instead of failing every message after its
    retries."""
    connection = _Connection(replace(settings, timeout=min(timeout, settings.timeout)))
    try:
        connection.client = connection._open()
    except (smtplib.SMTPException, OSError) as exc:
        return _failure(exc)[0]
    finally:
        connection.drop()
    return None


def _failure(exc: Exception) -> tuple[str, bool]:
    """A readable reason and whether trying again may help (4xx and lost connections)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"penerima ditolak server ({code} {_text(text)})", 400 <= code < 500
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login SMTP ditolak ({exc.smtp_code} {_text(exc.smtp_error)})", False
    if isinstance(exc, smtplib.SMTPResponseException):
        return (f"server menolak ({exc.smtp_code} {_text(exc.smtp_error)})",
                400 <= exc.smtp_code < 500)
    if isinstance(exc, ssl.SSLError):
        return f"koneksi TLS gagal ({exc.reason or exc})", False
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "server memutus sambungan", True
    if isinstance(exc, smtplib.SMTPException) or not isinstance(exc, OSError):
        return "server SMTP tidak menjawab sebagaimana mestinya", True
    return f"server tidak dapat dihubungi ({os_reason(exc)})", True


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _send(connection: _Connection, message: EmailMessage, retry: Retry,
          sleep: Callable[[float], None]) -> str | None:
    """Send with bounded retries; the reason of the last failure, or None when sent."""
    if connection.refused is not None:
        return connection.refused
    reason = ""
    for attempt in range(retry.attempts):
        if attempt:
            sleep(retry.backoff * 2 ** (attempt - 1))
        try:
            connection.send(message)
            return None
        except (smtplib.SMTPException, OSError) as exc:
            reason, transient = _failure(exc)
            if not isinstance(exc, smtplib.SMTPRecipientsRefused):
                connection.drop()
            if isinstance(exc, smtplib.SMTPAuthenticationError | ssl.SSLError):
                connection.refused = reason
            if not transient:
                break
    return reason


# --- the outbox --------------------------------------------------------------------------------


class Outbox:
    """One sending run against one log: send (or with `dry_run`, write .eml files) once each.

    Use as a context manager: entering takes the log's lock (one run per log at a time)
    and reads which keys were sent; leaving closes the SMTP session and releases the lock.
    """

    def __init__(self, log: Path, *, smtp: Smtp | None = None, dry_run: Path | None = None,
                 retry: Retry = Retry(), sleep: Callable[[float], None] | None = None,
                 ulang: bool = False) -> None:
        import time

        self.log = log
        self.dry_run = dry_run
        self.retry = retry
        self.sleep = sleep or time.sleep
        self.ulang = ulang
        self.connection = _Connection(smtp) if smtp is not None and dry_run is None else None
        self.findings: list[Finding] = []
        self._sent: set[str] = set()
        self._held = ExitStack()

    def __enter__(self) -> Outbox:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._held.enter_context(exclusive_lock(self.log.with_name(self.log.name + ".kunci")))
        if not self.ulang:
            self._sent = {record_key(r) for r in read_log(self.log)
                          if r.get("hasil") == Outcome.SENT}
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.connection is not None:
            self.connection.drop()
        self._held.close()

    def sent(self, key: str) -> bool:
        return key in self._sent

    def failed_keys(self) -> set[str]:
        """Keys whose last attempt failed and that were never sent."""
        failed = {record_key(r) for r in read_log(self.log) if r.get("hasil") == Outcome.FAILED}
        return failed - self._sent

    def deliver(self, delivery: Delivery, build: Callable[[], EmailMessage],
                eml_name: str) -> Delivery:
        """Send the message `build` makes unless its key was sent; log what happened."""
        key = delivery.kunci or workbook_key(delivery.kode, delivery.sha256, delivery.email)
        if key in self._sent:
            delivery.hasil = Outcome.SENT_BEFORE
            return delivery
        try:
            message = build()
        except (OSError, ValueError) as exc:  # an attachment gone, a header refused
            why = os_reason(exc) if isinstance(exc, OSError) else "kepala surel tidak sah"
            return self._failed(delivery, f"surel tidak dapat disusun ({why})")
        delivery.message_id = str(message["Message-ID"]).strip()
        if self.dry_run is not None:
            target = self.dry_run / f"{eml_name}.eml"
            atomic_write(target, lambda temporary: Path(temporary).write_bytes(bytes(message)))
            delivery.hasil, delivery.waktu = Outcome.WRITTEN, _now()
            return delivery
        assert self.connection is not None, "an Outbox that sends needs SMTP settings"
        reason = _send(self.connection, message, self.retry, self.sleep)
        delivery.waktu = _now()
        if reason is None:
            delivery.hasil = Outcome.SENT
            self._sent.add(key)
            _append(self.log, delivery)
            return delivery
        return self._failed(delivery, reason)

    def _failed(self, delivery: Delivery, reason: str) -> Delivery:
        delivery.hasil, delivery.keterangan = Outcome.FAILED, reason
        delivery.waktu = delivery.waktu or _now()
        self.findings.append(Finding.of(Code.SEND_FAILED.message(
            unit=delivery.nama, alamat=delivery.email, alasan=reason), file=delivery.berkas))
        if self.dry_run is None:
            _append(self.log, delivery)
        return delivery



def sent_mail(store: Store, unit: str | None = None) -> list[dict[str, Any]]:
    """Every message sent or tried from the store's send log, oldest first; `unit` filters."""
    return [r for r in read_log(store.folder / LOG_NAME)
            if unit is None or str(r.get("kode")) == unit]

