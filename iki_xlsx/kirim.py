"""Send every unit its own workbook by email, or write the messages as .eml files.

A workbook is matched to its unit by what the file says about itself (the manifest
and the custom properties, which must agree), never by its name alone. A log of
JSON lines records every message sent; a unit whose workbook was already sent to
the same address is not sent again unless asked.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import smtplib
import ssl
import string
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from .atomic import atomic_write, exclusive_lock
from .errors import ReadError
from .findings import Finding, Severity
from .plan import Manifest, ManifestError, Unit
from .read import read_workbook

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "kirim.txt"
LOG_NAME = "kirim-log.jsonl"
PASSWORD_ENV = "IKI_SMTP_PASSWORD"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PLACEHOLDERS = ("nama", "kode", "email", "periode", "batas", "kantor", "berkas", "pengirim")
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")
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


@dataclass(frozen=True)
class Template:
    """Subject and body with `string.Template` placeholders ($nama, $periode, $batas...)."""

    subject: str
    body: str


@dataclass(frozen=True)
class Job:
    """One unit, its workbook and what the workbook says about itself."""

    unit: Unit
    workbook: Path
    sha256: str
    blueprint: str
    periode: int
    kantor: str


@dataclass
class Delivery:
    """What happened to one unit's message."""

    kode: str
    nama: str
    email: str
    berkas: str
    sha256: str
    hasil: str  # terkirim | gagal | ditulis | sudah terkirim
    message_id: str | None = None
    waktu: str | None = None
    keterangan: str | None = None


@dataclass
class KirimResult:
    deliveries: list[Delivery] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


# --- template ----------------------------------------------------------------------------------


def load_template(path: Path = DEFAULT_TEMPLATE) -> tuple[Template | None, list[Finding]]:
    """A template file: `Subjek: ...`, an empty line, then the body."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Finding("template-unreadable", f"templat tidak dapat dibaca ({exc})",
                              file=shown)]
    head, _, body = text.partition("\n\n")
    match = re.fullmatch(r"(?:Subjek|Subject):\s*(.+)", head.strip())
    if match is None or not body.strip():
        return None, [Finding("template-invalid", "baris pertama templat harus 'Subjek: ...', "
                              "diikuti satu baris kosong lalu isi surel", file=shown, line=1)]
    template = Template(match.group(1).strip(), body)
    findings = [Finding("template-invalid", f"placeholder ${name} tidak dikenal (yang tersedia: "
                        f"{', '.join('$' + p for p in PLACEHOLDERS)})", file=shown)
                for name in _placeholders(template) if name not in PLACEHOLDERS]
    return (None if findings else template), findings


def _placeholders(template: Template) -> list[str]:
    names: list[str] = []
    for text in (template.subject, template.body):
        for match in string.Template.pattern.finditer(text):
            name = match.group("named") or match.group("braced")
            if name and name not in names:
                names.append(name)
    return names


def tanggal(day: datetime.date) -> str:
    """`31 Januari 2027`."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


# --- matching workbooks to units -----------------------------------------------------------------


def match_workbooks(units: Sequence[Unit], folder: Path) -> tuple[list[Job], list[Finding]]:
    """One job per unit of the list, its workbook identified by the file's own manifest."""
    findings: list[Finding] = []
    by_kode: dict[str, list[Job]] = {}
    for path in sorted(folder.glob("*.xlsx")):
        job = _identify(path, findings)
        if job is not None:
            by_kode.setdefault(job.unit.kode, []).append(job)
    jobs: list[Job] = []
    listed = {u.kode for u in units}
    for unit in units:
        job = _job_for(unit, by_kode.get(unit.kode, []), findings)
        if job is not None:
            jobs.append(job)
    for kode, found in by_kode.items():
        if kode not in listed and not found[0].unit.kantor:
            findings.append(Finding(
                "workbook-not-listed", f"workbook untuk unit kode {kode} ({found[0].unit.nama}) "
                "tidak ada di daftar unit; tidak dikirim", Severity.WARNING,
                file=str(found[0].workbook)))
    return jobs, findings


def _identify(path: Path, findings: list[Finding]) -> Job | None:
    try:
        data = read_workbook(path)
        manifest = Manifest.from_dict(data.manifest or {})
        unit = manifest.unit
        props = data.custom_properties
        same = (props.get("iki_unit_kode"), props.get("iki_unit_nama")) == (unit.kode, unit.nama)
        listed = [u for u in manifest.units if u.kode == unit.kode]
        email = listed[0].email if listed else None
        job = Job(Unit(unit.kode, unit.nama, email, unit.kantor), path,
                  hashlib.sha256(path.read_bytes()).hexdigest(), manifest.blueprint_id,
                  manifest.periode, manifest.kantor)
    except (ReadError, ManifestError, OSError):
        findings.append(Finding("workbook-unknown", "berkas bukan workbook iki-xlsx yang utuh; "
                                "tidak dikirim", Severity.WARNING, file=str(path)))
        return None
    if not same:
        findings.append(Finding("workbook-identity-conflict",
                                "manifes dan properti berkas menyebut unit yang berbeda; "
                                "buat ulang workbook ini", file=str(path)))
        return None
    return job


def _job_for(unit: Unit, found: list[Job], findings: list[Finding]) -> Job | None:
    where = f"{unit.nama} (kode {unit.kode})"
    if not found:
        findings.append(Finding("unit-no-workbook", f"tidak ada workbook untuk {where}"))
        return None
    if len(found) > 1:
        names = ", ".join(j.workbook.name for j in found)
        findings.append(Finding("unit-many-workbooks",
                                f"lebih dari satu workbook untuk {where}: {names}; "
                                "sisakan satu di folder"))
        return None
    job = found[0]
    if job.unit.nama != unit.nama:
        findings.append(Finding("unit-name-mismatch",
                                f"workbook {job.workbook.name} dibuat untuk '{job.unit.nama}', "
                                f"daftar unit menyebut '{unit.nama}' untuk kode {unit.kode}; "
                                "tidak dikirim", file=str(job.workbook),
                                expected=unit.nama, found=job.unit.nama))
        return None
    if not unit.email:
        findings.append(Finding("unit-no-email", f"{where} tidak memiliki alamat email"))
        return None
    if not valid_address(unit.email):
        findings.append(Finding("unit-invalid-email",
                                f"alamat email {where} tidak sah: '{unit.email}'",
                                found=unit.email))
        return None
    if job.unit.email and job.unit.email.lower() != unit.email.lower():
        findings.append(Finding(
            "unit-email-changed", f"alamat email {where} di daftar unit ({unit.email}) berbeda "
            f"dari yang tercatat di workbook ({job.unit.email}); surel dikirim ke alamat di "
            "daftar, tetapi pemeriksaan pengirim saat collect memakai alamat di workbook: buat "
            "ulang workbook bila alamat memang berubah", Severity.WARNING,
            file=str(job.workbook), expected=job.unit.email, found=unit.email))
    return Job(unit, job.workbook, job.sha256, job.blueprint, job.periode, job.kantor)


def valid_address(address: str) -> bool:
    """A plain `local@domain.tld`, nothing that could add a header or a second recipient."""
    return ADDRESS.match(address) is not None


# --- messages ----------------------------------------------------------------------------------


def build_message(job: Job, template: Template, sender: str,
                  batas: datetime.date | None) -> EmailMessage:
    """The message for one unit, with its workbook (and only that one) attached."""
    assert job.unit.email is not None
    values = {
        "nama": job.unit.nama, "kode": job.unit.kode, "email": job.unit.email,
        "periode": str(job.periode), "kantor": job.kantor, "berkas": job.workbook.name,
        "pengirim": sender,
        "batas": tanggal(batas) if batas else "sesuai jadwal yang ditetapkan kecamatan",
    }
    message = EmailMessage()
    message["From"] = sender
    message["To"] = job.unit.email
    message["Subject"] = string.Template(template.subject).substitute(values)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("iki", domain=sender.rpartition("@")[2] or None)
    message["X-IKI-Unit"] = job.unit.kode
    message.set_content(string.Template(template.body).substitute(values))
    message.add_attachment(job.workbook.read_bytes(), maintype=XLSX_TYPE[0],
                           subtype=XLSX_TYPE[1], filename=job.workbook.name)
    return message


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


def _already_sent(path: Path) -> set[tuple[str, str, str]]:
    return {(str(r.get("kode")), str(r.get("sha256")), str(r.get("email")))
            for r in read_log(path) if r.get("hasil") == "terkirim"}


def _append(path: Path, delivery: Delivery) -> None:
    """One line per record, written with a single append and flushed to disk."""
    line = json.dumps(asdict(delivery), ensure_ascii=False, sort_keys=True) + "\n"
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(handle, line.encode("utf-8"))
        os.fsync(handle)
    finally:
        os.close(handle)


# --- sending -----------------------------------------------------------------------------------


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
    return f"server tidak dapat dihubungi ({exc})", True


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


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def kirim(units: Sequence[Unit], folder: Path, *, sender: str, template: Template,
          batas: datetime.date | None = None, smtp: Smtp | None = None,
          dry_run: Path | None = None, log: Path | None = None, ulang: bool = False,
          retry: Retry = Retry(), sleep: Callable[[float], None] = time.sleep) -> KirimResult:
    """Send (or with `dry_run`, write as .eml) one message per unit of the list.

    Units already sent this same workbook at this same address (per the log) are skipped
    unless `ulang`. A failed message is a finding; the others still go out.
    """
    result = KirimResult()
    jobs, result.findings = match_workbooks(units, folder)
    log_path = log or folder / LOG_NAME
    connection = _Connection(smtp) if smtp is not None and dry_run is None else None
    with exclusive_lock(log_path.with_name(log_path.name + ".kunci")):  # one kirim per log
        sent = set() if ulang else _already_sent(log_path)
        for job in jobs:
            result.deliveries.append(_deliver(job, template, sender, batas, sent, dry_run,
                                              connection, log_path, retry, sleep, result))
        if connection is not None:
            connection.drop()
    return result


def _deliver(job: Job, template: Template, sender: str, batas: datetime.date | None,
             sent: set[tuple[str, str, str]], dry_run: Path | None,
             connection: _Connection | None, log_path: Path, retry: Retry,
             sleep: Callable[[float], None], result: KirimResult) -> Delivery:
    assert job.unit.email is not None
    delivery = Delivery(job.unit.kode, job.unit.nama, job.unit.email, job.workbook.name,
                        job.sha256, "sudah terkirim")
    if (job.unit.kode, job.sha256, job.unit.email) in sent:
        return delivery
    message = build_message(job, template, sender, batas)
    delivery.message_id = str(message["Message-ID"])
    if dry_run is not None:
        target = dry_run / f"{job.workbook.stem}.eml"
        atomic_write(target, lambda temporary: Path(temporary).write_bytes(bytes(message)))
        delivery.hasil, delivery.waktu = "ditulis", _now()
        return delivery
    assert connection is not None
    reason = _send(connection, message, retry, sleep)
    delivery.waktu = _now()
    if reason is None:
        delivery.hasil = "terkirim"
    else:
        delivery.hasil, delivery.keterangan = "gagal", reason
        result.findings.append(Finding(
            "send-failed", f"gagal mengirim ke {job.unit.nama} <{job.unit.email}>: {reason}",
            file=str(job.workbook)))
    _append(log_path, delivery)
    return delivery
