"""Send every unit its own workbook by email, or write the messages as .eml files.

A workbook is matched to its unit by what the file says about itself (the manifest
and the custom properties, which must agree), never by its name alone. A log of
JSON lines records every message sent; a unit whose workbook was already sent to
the same address is not sent again unless asked.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import partial
from pathlib import Path

from iki_xlsx.core.codes import Code
from iki_xlsx.core.dates import tanggal
from iki_xlsx.core.errors import ReadError
from iki_xlsx.core.findings import Finding, Severity
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.core.units import Unit
from iki_xlsx.mail.outbox import (
    DEFAULT_RETRY,
    LOG_NAME,
    PASSWORD_ENV,
    TEMPLATES,
    Delivery,
    Outbox,
    Outcome,
    Retry,
    Smtp,
    Template,
    attach_workbook,
    new_message,
    read_log,
    valid_address,
)
from iki_xlsx.mail.outbox import load_template as _load_template
from iki_xlsx.plan.carriers import disagreements, identity
from iki_xlsx.plan.manifest import Manifest, ManifestError
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.read import read_workbook

__all__ = [
    "LOG_NAME",
    "PASSWORD_ENV",
    "Delivery",
    "Retry",
    "Smtp",
    "Template",
    "kirim",
    "load_template",
    "match_workbooks",
    "read_log",
    "valid_address",
]

DEFAULT_TEMPLATE = TEMPLATES / "kirim.txt"
PLACEHOLDERS = ("nama", "kode", "email", "periode", "batas", "kantor", "berkas", "pengirim")
BATAS_UNSET = "sesuai jadwal yang ditetapkan kecamatan"


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
class KirimResult:
    deliveries: list[Delivery] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def load_template(path: Path = DEFAULT_TEMPLATE) -> tuple[Template | None, list[Finding]]:
    """The workbook message's template: `Subjek: ...`, an empty line, then the body."""
    return _load_template(path, PLACEHOLDERS)


# --- matching workbooks to units -----------------------------------------------------------------


def match_workbooks(units: Sequence[Unit], folder: Path,
                    excused: Collection[tuple[str, int, str]] = ()
                    ) -> tuple[list[Job], list[Finding]]:
    """One job per unit of the list, its workbook identified by the file's own manifest.

    `excused` holds (blueprint, periode, kode) of the recipients the register says got no
    workbook (nothing to fill): for the folder's blueprint and periode they are not missed."""
    findings: list[Finding] = []
    by_kode: dict[str, list[Job]] = {}
    for path in sorted(folder.glob("*.xlsx")):
        job = _identify(path, findings)
        if job is not None:
            by_kode.setdefault(job.unit.kode, []).append(job)
    jobs: list[Job] = []
    listed = {u.kode for u in units}
    periods = {(j.blueprint, j.periode) for found in by_kode.values() for j in found}
    for unit in units:
        if unit.kode not in by_kode and periods and all(
                (bp, periode, unit.kode) in excused for bp, periode in periods):
            continue
        job = _job_for(unit, by_kode.get(unit.kode, []), findings)
        if job is not None:
            jobs.append(job)
    for kode, found in by_kode.items():
        if kode not in listed and not found[0].unit.kantor:
            findings.append(Finding.of(Code.WORKBOOK_NOT_LISTED.message(
                kode=kode, unit=found[0].unit.nama), file=str(found[0].workbook)))
    return jobs, findings


def _identify(path: Path, findings: list[Finding]) -> Job | None:
    try:
        data = read_workbook(path)
        manifest = Manifest.from_dict(data.manifest or {})
        unit = manifest.unit
        differing = disagreements(identity(manifest.blueprint_id, manifest.blueprint_hash, unit,
                                           manifest.periode), data.custom_properties,
                                  data.sheets)
        listed = [u for u in manifest.units if u.kode == unit.kode]
        email = listed[0].email if listed else None
        job = Job(Unit(unit.kode, unit.nama, email, unit.kantor), path,
                  hashlib.sha256(path.read_bytes()).hexdigest(), manifest.blueprint_id,
                  manifest.periode, manifest.kantor)
    except (ReadError, ManifestError, OSError):
        findings.append(Finding.of(Code.UNKNOWN_WORKBOOK.message("not-sent"),
                                   severity=Severity.WARNING, file=str(path)))
        return None
    if differing:
        said = differing[0]
        findings.append(Finding.of(Code.IDENTITY_MISMATCH.message(
            "not-sent", apa=said.field, tempat=said.where, nilai=said.value),
            file=str(path), found=said.value))
        return None
    return job


def _job_for(unit: Unit, found: list[Job], findings: list[Finding]) -> Job | None:
    if not found:
        findings.append(Finding.of(Code.UNIT_NO_WORKBOOK.message(unit=unit.nama,
                                                                 kode=unit.kode)))
        return None
    if len(found) > 1:
        names = ", ".join(j.workbook.name for j in found)
        findings.append(Finding.of(Code.UNIT_MANY_WORKBOOKS.message(
            unit=unit.nama, kode=unit.kode, berkas=names)))
        return None
    job = found[0]
    if job.unit.nama != unit.nama:
        findings.append(Finding.of(Code.UNIT_NAME_MISMATCH.message(
            berkas=job.workbook.name, unit=job.unit.nama, daftar=unit.nama, kode=unit.kode),
            file=str(job.workbook), expected=unit.nama, found=job.unit.nama))
        return None
    if not unit.email:
        findings.append(Finding.of(Code.UNIT_NO_EMAIL.message(unit=unit.nama, kode=unit.kode)))
        return None
    if not valid_address(unit.email):
        findings.append(Finding.of(Code.UNIT_INVALID_EMAIL.message(
            unit=unit.nama, kode=unit.kode, alamat=unit.email), found=unit.email))
        return None
    if job.unit.email and job.unit.email.lower() != unit.email.lower():
        findings.append(Finding.of(Code.UNIT_EMAIL_CHANGED.message(
            unit=unit.nama, kode=unit.kode, alamat=unit.email, lama=job.unit.email),
            file=str(job.workbook), expected=job.unit.email, found=unit.email))
    return Job(unit, job.workbook, job.sha256, job.blueprint, job.periode, job.kantor)


# --- messages ----------------------------------------------------------------------------------


def job_values(job: Job, sender: str, batas: datetime.date | None) -> dict[str, str]:
    """The placeholders every message about a unit's workbook can use."""
    assert job.unit.email is not None
    return {
        "nama": job.unit.nama, "kode": job.unit.kode, "email": job.unit.email,
        "periode": str(job.periode), "kantor": job.kantor, "berkas": job.workbook.name,
        "pengirim": sender, "batas": tanggal(batas) if batas else BATAS_UNSET,
    }


def build_message(job: Job, template: Template, sender: str,
                  batas: datetime.date | None) -> EmailMessage:
    """The message for one unit, with its workbook (and only that one) attached."""
    assert job.unit.email is not None
    subject, body = template.fill(job_values(job, sender, batas))
    message = new_message(sender, job.unit.email, subject, body,
                          {"X-IKI-Unit": job.unit.kode, "X-IKI-Periode": str(job.periode),
                           "X-IKI-SHA256": job.sha256})
    attach_workbook(message, job.workbook.read_bytes(), job.workbook.name)
    return message


# --- sending -----------------------------------------------------------------------------------


def kirim(units: Sequence[Unit], folder: Path, *, sender: str, template: Template,
          batas: datetime.date | None = None, smtp: Smtp | None = None,
          dry_run: Path | None = None, log: Path | None = None, ulang: bool = False,
          retry: Retry = DEFAULT_RETRY, sleep: Callable[[float], None] = time.sleep,
          excused: Collection[tuple[str, int, str]] = (),
          progress: Progress = no_progress) -> KirimResult:
    """Send (or with `dry_run`, write as .eml) one message per unit of the list (but those
    `excused`, see `match_workbooks`).

    Units already sent this same workbook at this same address (per the log) are skipped
    unless `ulang`. A failed message is a finding; the others still go out.
    `progress(1)` is called after each message (sent, written, or skipped as sent before).
    """
    result = KirimResult()
    jobs, result.findings = match_workbooks(units, folder, excused)
    with Outbox(log or folder / LOG_NAME, smtp=smtp, dry_run=dry_run, retry=retry, sleep=sleep,
                ulang=ulang) as outbox:
        for job in jobs:
            assert job.unit.email is not None
            delivery = Delivery(job.unit.kode, job.unit.nama, job.unit.email, job.workbook.name,
                                job.sha256, periode=job.periode)
            result.deliveries.append(outbox.deliver(
                delivery, partial(build_message, job, template, sender, batas), job.workbook.stem))
            progress(1)
    result.findings += outbox.findings
    return result


def record_deliveries(store: Store, deliveries: Iterable[Delivery]) -> None:
    """What kirim sent (or wrote as .eml, or failed to send) to which address."""
    with store.transaction():
        for d in deliveries:
            if d.hasil is not None and d.hasil is not Outcome.SENT_BEFORE:
                store.record_sent(d.kode, d.email, d.sha256, d.berkas, d.message_id, d.hasil)

