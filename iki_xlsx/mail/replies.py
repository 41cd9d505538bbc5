"""Closing the loop by e-mail: receipts for returns, corrections and reminders.

Every answer is composed from the office's own records (the store, the units list, the
blueprints), never from what a returned file claims about where to answer: a return is
answered at its unit's registered address, and a file that names no unit is answered only
when its sender is a registered address. Every message goes through the `Outbox`, so it is
in the send log, never sent twice, retried within bounds, and a failure does not stop the rest.

An answer to a return is owed in the store when the return is taken in (`collect` with
`answer`), sent here, then marked: one per unit in a run, none of a kind the unit had today,
none to a machine's message (auto-reply, bounce, list).

Keys ("never twice"):
    diterima|SHA256, perbaikan|SHA256, ditolak|SHA256   one answer per returned file
    ditolak|MESSAGE-ID                                   one answer per e-mail without workbook
    pengingat|BLUEPRINT|PERIODE|KODE|YYYY-MM-DD          one reminder per unit and day
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from iki_xlsx.core.dates import tanggal
from iki_xlsx.core.findings import Finding, Severity
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.core.states import ANSWERS, AnswerState, Kind, Status
from iki_xlsx.core.units import Unit, file_safe
from iki_xlsx.intake.annotated import annotated_copy
from iki_xlsx.intake.collect import CollectResult
from iki_xlsx.intake.sources import Unanswerable
from iki_xlsx.intake.status import history, status
from iki_xlsx.mail.kirim import BATAS_UNSET, Job, match_workbooks
from iki_xlsx.mail.outbox import (
    Delivery,
    Outbox,
    Outcome,
    Template,
    attach_workbook,
    load_template,
    new_message,
    read_log,
    template_path,
    valid_address,
)
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.store.db import OwedAnswer, Store, utc_text

KINDS = (Kind.RECEIPT, Kind.CORRECTION, Kind.REJECTION, Kind.REMINDER)  # the answers' templates
PLACEHOLDERS = ("nama", "kode", "email", "periode", "kantor", "berkas", "sha256", "pengirim",
                "subjek", "temuan", "peringatan", "alasan", "lampiran", "batas")
KANTOR_UNSET = "Kantor Kecamatan"
LISTED_AT_MOST = 30
MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,250}>")  # printable ASCII without < > or spaces
WARNINGS_HEADING = "Catatan (tidak menghalangi penerimaan):"
NOT_A_WORKBOOK = ("surel ini tidak membawa lampiran workbook (.xlsx); lampiran yang diterima: "
                  "{names}")
NO_ATTACHMENT = "surel ini tidak membawa lampiran apa pun"
ANNOTATED_DIR = "catatan"  # in the store's folder, when the replier is given no other


@dataclass
class RepliesResult:
    """What one run of answering did: each message tried, what could not be answered, why."""

    deliveries: list[Delivery] = field(default_factory=list)
    unanswered: list[tuple[str, str]] = field(default_factory=list)  # what, why (Indonesian)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def load_templates(overrides: Path | None = None,
                   kinds: Iterable[Kind] = KINDS) -> tuple[dict[Kind, Template], list[Finding]]:
    """One template per kind, from `overrides` (a workspace's `templat/`) when it has one."""
    templates: dict[Kind, Template] = {}
    findings: list[Finding] = []
    for kind in kinds:
        template, problems = load_template(template_path(kind, overrides), PLACEHOLDERS)
        findings += problems
        if template is not None:
            templates[kind] = template
    return templates, findings


@dataclass(frozen=True)
class StoredReturn:
    """One submission as the store knows it, with its findings, for answering its sender."""

    sha256: str
    filename: str
    sender: str | None
    subject: str | None
    message_id: str | None
    status: Status
    blueprint: str | None
    periode: int | None
    unit_kode: str | None
    unit_nama: str | None
    findings: tuple[tuple[str, str, str | None, str | None, str], ...]  # code, severity,
    #                                                                 sheet, cell, message


def stored_return(store: Store, sha256: str) -> StoredReturn | None:
    """The submission of a file with its findings and the Message-ID it came with."""
    with store.connect():
        row = store.submission(sha256)
        if row is None:
            return None
        findings = tuple((f.code, f.severity, f.sheet, f.cell, f.message)
                         for f in store.findings(row.id))
        return StoredReturn(row.sha256, row.filename, row.sender, row.subject,
                            store.message_id(row.id), row.status, row.blueprint, row.periode,
                            row.unit_kode, row.unit_nama, findings)


class Addresses:
    """Where a unit is answered: the office's units list when given, else the store's lists."""

    def __init__(self, listed: Sequence[tuple[str, int, Unit]],
                 units: Sequence[Unit] | None) -> None:
        self.units = {u.kode: u for u in units} if units is not None else None
        self.listed = {(bp, periode, u.kode): u for bp, periode, u in listed}

    def of_unit(self, blueprint: str | None, periode: int | None, kode: str) -> str | None:
        if self.units is not None:
            unit = self.units.get(kode)
            return unit.email if unit else None
        listed = self.listed.get((blueprint or "", periode or 0, kode))
        return listed.email if listed else None

    def unit_at(self, address: str) -> tuple[str, str] | None:
        """The (kode, nama) of the unit registered at `address`, when exactly one is."""
        wanted = address.lower()
        found = {(u.kode, u.nama) for u in (self.units or {}).values()
                 if u.email and u.email.lower() == wanted}
        if self.units is None:
            found = {(u.kode, u.nama) for u in self.listed.values()
                     if u.email and u.email.lower() == wanted}
        return next(iter(found)) if len(found) == 1 else None


@dataclass
class Replier:
    """Composes answers from templates and hands them to the outbox."""

    outbox: Outbox
    sender: str
    templates: Mapping[Kind, Template]
    index: BlueprintIndex  # in a workspace, with the register (as collect judged the returns)
    office: str | None = None  # the workspace's kantor; else the blueprint's
    annotations: Path | None = None  # where annotated copies are kept (one folder per file)
    result: RepliesResult = field(default_factory=RepliesResult)
    progress: Progress = no_progress  # called with 1 after each message handed to the outbox

    def kantor(self, blueprint: str | None) -> str:
        if self.office:
            return self.office
        bp = self.index.by_id.get(blueprint or "")
        if bp is not None:
            return bp.kantor
        offices = {b.kantor for b in self.index.by_id.values()}
        return offices.pop() if len(offices) == 1 else KANTOR_UNSET

    def send(self, kind: Kind, key: str, delivery: Delivery, values: Mapping[str, str],
             reply_to: str | None, attachment: tuple[bytes, str] | None) -> Delivery:
        template = self.templates[kind]
        filled = {name: "" for name in PLACEHOLDERS} | dict(values)
        filled |= {"email": delivery.email, "pengirim": self.sender}
        delivery.jenis, delivery.kunci, delivery.in_reply_to = kind, key, reply_to

        def build() -> EmailMessage:
            subject, _ = template.fill({k: _one_line(v) for k, v in filled.items()})
            _, body = template.fill(filled)
            headers = {"X-IKI-Unit": _one_line(delivery.kode),
                       "X-IKI-Periode": str(delivery.periode or ""),
                       "X-IKI-SHA256": delivery.sha256}
            headers = {name: value for name, value in headers.items() if value}
            reference = _message_ref(reply_to)
            if reference:
                headers |= {"In-Reply-To": reference, "References": reference}
            message = new_message(self.sender, delivery.email, subject, body, headers)
            if attachment is not None:
                attach_workbook(message, *attachment)
            return message

        name = f"{kind}-{file_safe(delivery.kode) or 'tanpa-unit'}-{delivery.sha256[:12]}"
        delivered = self.outbox.deliver(delivery, build, name)
        self.result.deliveries.append(delivered)
        self.progress(1)
        return delivered


# --- receipts ----------------------------------------------------------------------------------


def answer_returns(store: Store, collected: CollectResult, replier: Replier,
                   units: Sequence[Unit] | None = None,
                   today: datetime.date | None = None) -> RepliesResult:
    """Send every answer the store owes: those `collected` (a collect with `answer`) recorded,
    and those a killed or failed run left owed. diterima: the file was accepted; perbaikan:
    the findings and the annotated copy; ditolak: the reason and what to send instead (also
    to an e-mail without a workbook from a registered address).

    One answer per unit in a run (the one to its latest return; the others are marked
    `digabung`), none of a kind the unit was already sent `today`, never one to a machine's
    message (an auto-reply, a bounce, a list: `collected.machine`). Each answer is owed before
    it is sent and marked after, so a run killed part-way is caught up by the next one and
    nothing is answered twice."""
    result = replier.result
    result.unanswered += [(what, f"dikirim oleh mesin ({why}); tidak dibalas")
                          for what, why in collected.machine]
    with store.connect():
        _owe_failed_before(store, replier)
        addresses = Addresses(store.all_expected_units(), units)
        planned = [_plan(store, owed, addresses, replier) for owed in store.owed_answers()]
    latest: dict[str, _Planned] = {}
    for plan in planned:
        if plan.to is None or plan.penerima is None:
            _leave(store, plan, AnswerState.SKIPPED, plan.why or "tidak ada alamat", result)
            continue
        earlier = latest.get(plan.penerima)
        if earlier is not None:
            _leave(store, earlier, AnswerState.MERGED, "kiriman lebih baru dari unit yang sama "
                   "yang dibalas; satu balasan per unit setiap kali terima", result)
        latest[plan.penerima] = plan
    since = utc_text(datetime.datetime.combine(today or datetime.date.today(),
                                               datetime.time.min).astimezone())
    for plan in latest.values():
        assert plan.penerima is not None and plan.send is not None
        if store.answered_since(plan.penerima, plan.owed.jenis, since):
            _leave(store, plan, AnswerState.SKIPPED,
                   f"unit ini sudah menerima balasan {plan.owed.jenis} "
                   "hari ini; satu balasan sejenis per hari", result)
            continue
        delivery = plan.send()
        if delivery.hasil in (Outcome.SENT, Outcome.SENT_BEFORE, Outcome.WRITTEN):
            store.settle_answer(plan.owed.kunci, AnswerState.SENT, plan.penerima)
    result.findings += replier.outbox.findings
    return result


@dataclass
class _Planned:
    """An owed answer made ready: to whom (`penerima`, the unit's kode or the address) and
    how it is sent, or why it cannot be."""

    owed: OwedAnswer
    what: str
    to: str | None = None
    penerima: str | None = None
    send: Callable[[], Delivery] | None = None
    why: str | None = None


def _leave(store: Store, plan: _Planned, state: AnswerState, why: str,
           result: RepliesResult) -> None:
    store.settle_answer(plan.owed.kunci, state, plan.penerima, why)
    result.unanswered.append((plan.what, why))


def _owe_failed_before(store: Store, replier: Replier) -> None:
    """Answers that failed before answers were owed in the store (their keys in the send
    log only) become owed, so they are tried again as before."""
    for key in sorted(replier.outbox.failed_keys()):
        word, _, sha = key.partition("|")
        kind = Kind.named(word)
        row = store.submission(sha) if kind in ANSWERS else None
        if kind is not None and row is not None:
            store.owe_answer(key, kind, row.id)


def _plan(store: Store, owed: OwedAnswer, addresses: Addresses, replier: Replier) -> _Planned:
    if owed.submission_id is None:
        message = Unanswerable(**json.loads(owed.pesan or "{}"))
        return _plan_without_workbook(owed, message, addresses, replier)
    row = store.submission_by_id(owed.submission_id)
    stored = stored_return(store, row.sha256) if row is not None else None
    if stored is None:
        return _Planned(owed, owed.kunci, why="kiriman itu tidak ada di penyimpanan")
    what = f"{stored.filename} ({stored.sha256[:12]})"
    to = _answer_address(stored, addresses)
    if to is None:
        return _Planned(owed, what, why="pengirim bukan alamat unit yang terdaftar; tidak "
                                         "dibalas")
    penerima = stored.unit_kode or to.lower()
    return _Planned(owed, what, to, penerima,
                    lambda: _answer_return(store, stored, to, owed.kunci, replier))


def _answer_return(store: Store, stored: StoredReturn, to: str, key: str,
                   replier: Replier) -> Delivery:
    kind = Kind.answering(stored.status)
    attachment = None
    values = _return_values(stored, replier)
    if kind is Kind.CORRECTION:
        attachment = _annotated(store, stored, replier)
        values["lampiran"] = attachment[1] if attachment else ""
    delivery = Delivery(stored.unit_kode or "", stored.unit_nama or "", to, stored.filename,
                        stored.sha256, periode=stored.periode)
    return replier.send(kind, key, delivery, values, stored.message_id, attachment)


def _answer_address(stored: StoredReturn, addresses: Addresses) -> str | None:
    """The unit's registered address; without one, the sender when the sender is registered
    (an unidentified file) or when the file names a unit that has no address on record."""
    registered = (addresses.of_unit(stored.blueprint, stored.periode, stored.unit_kode)
                  if stored.unit_kode else None)
    if registered and valid_address(registered):
        return registered
    sender = stored.sender if stored.sender and valid_address(stored.sender) else None
    if sender is None:
        return None
    if stored.unit_kode or addresses.unit_at(sender) is not None:
        return sender
    return None


def _return_values(stored: StoredReturn, replier: Replier) -> dict[str, str]:
    errors = [f for f in stored.findings if f[1] == "error"]
    warnings = [f for f in stored.findings if f[1] != "error"]
    return {
        "nama": stored.unit_nama or "Bapak/Ibu", "kode": stored.unit_kode or "-",
        "periode": str(stored.periode or "-"), "kantor": replier.kantor(stored.blueprint),
        "berkas": stored.filename, "sha256": stored.sha256, "subjek": stored.subject or "",
        "temuan": _listed(errors),
        "peringatan": f"{WARNINGS_HEADING}\n{_listed(warnings)}" if warnings else "",
        "alasan": "; ".join(f[4] for f in errors) or "berkas tidak dapat diperiksa",
    }


def _listed(findings: Sequence[tuple[str, str, str | None, str | None, str]]) -> str:
    """`1. Lembar "X", sel C5: message`, one line per finding (the first LISTED_AT_MOST)."""
    lines = []
    for number, (_, _, sheet, cell, message) in enumerate(findings[:LISTED_AT_MOST], start=1):
        where = ", ".join(p for p in (f'lembar "{sheet}"' if sheet else "",
                                      f"sel {cell}" if cell else "") if p)
        lines.append(f"{number}. {where[:1].upper() + where[1:] + ': ' if where else ''}{message}")
    if len(findings) > LISTED_AT_MOST:
        lines.append(f"... dan {len(findings) - LISTED_AT_MOST} temuan lain: lihat lembar "
                     "\"Catatan Pemeriksaan\" pada salinan bercatatan")
    return "\n".join(lines)


def _annotated(store: Store, stored: StoredReturn,
               replier: Replier) -> tuple[bytes, str] | None:
    """The annotated copy to attach (its bytes and name), made once and kept under the
    replier's `annotations` folder (default: the store's `catatan/`)."""
    root = replier.annotations or store.folder / ANNOTATED_DIR
    path = annotated_copy(store, stored.sha256, stored.filename, replier.index,
                          root / stored.sha256[:16])
    return (path.read_bytes(), path.name) if path is not None else None


def _plan_without_workbook(owed: OwedAnswer, message: Unanswerable, addresses: Addresses,
                           replier: Replier) -> _Planned:
    sender = message.sender if message.sender and valid_address(message.sender) else None
    unit = addresses.unit_at(sender) if sender else None
    if sender is None or unit is None:
        return _Planned(owed, message.source, why="surel tanpa workbook dari alamat yang tidak "
                                                  "terdaftar; tidak dibalas")
    kode, nama = unit
    reason = NOT_A_WORKBOOK.format(names=", ".join(message.attachments)) \
        if message.attachments else NO_ATTACHMENT
    values = {"nama": nama, "kode": kode, "kantor": replier.kantor(None), "alasan": reason,
              "subjek": message.subject or "",
              "berkas": ", ".join(message.attachments) or "-", "periode": "-", "sha256": "-"}
    delivery = Delivery(kode, nama, sender, ", ".join(message.attachments), "")
    return _Planned(owed, message.source, sender, kode, lambda: replier.send(
        Kind.REJECTION, owed.kunci, delivery, values, message.message_id, None))


# --- corrections -------------------------------------------------------------------------------


def send_corrections(store: Store, replier: Replier,
                     units: Sequence[Unit] | None = None) -> RepliesResult:
    """Every unit whose latest return needs correction gets its annotated copy, once per return."""
    latest: dict[tuple[str | None, int | None, str], str] = {}
    for item in history(store):
        if item.unit_kode is not None:
            latest[(item.blueprint, item.periode, item.unit_kode)] = \
                item.sha256 if item.status is Status.NEEDS_CORRECTION else ""
    with store.connect():
        addresses = Addresses(store.all_expected_units(), units)
        returns = [r for r in (stored_return(store, sha) for sha in latest.values() if sha)
                   if r is not None]
    for stored in returns:
        to = _answer_address(stored, addresses)
        if to is None:
            replier.result.unanswered.append((f"{stored.filename} ({stored.sha256[:12]})",
                                              "pengirim bukan alamat unit yang terdaftar; "
                                              "tidak dibalas"))
            continue
        _answer_return(store, stored, to, f"perbaikan|{stored.sha256}", replier)
    _send_back(store, replier, addresses)
    replier.result.findings += replier.outbox.findings
    return replier.result


def _send_back(store: Store, replier: Replier, addresses: Addresses) -> None:
    """Every return a person sent back (sign-off) gets the correction e-mail once per sending
    back: the person's comment first in what to fix, and the annotated copy whose notes
    sheet carries it beside the machine's findings."""
    for period in status(store).periods:
        for unit in period.units:
            review = unit.reviewed
            if unit.state is not Status.RETURNED or review is None or not unit.accepted_sha256:
                continue
            stored = stored_return(store, unit.accepted_sha256)
            if stored is None:
                continue
            to = _answer_address(stored, addresses)
            if to is None:
                replier.result.unanswered.append((f"{stored.filename} ({stored.sha256[:12]})",
                                                  "unit tidak punya alamat terdaftar; tidak "
                                                  "dibalas"))
                continue
            remark = f"Catatan {review.nama} ({review.login}): {review.catatan or '-'}"
            values = _return_values(stored, replier)
            values["temuan"] = _listed([("", "error", None, None, remark),
                                        *(f for f in stored.findings if f[1] == "error")])
            root = replier.annotations or store.folder / ANNOTATED_DIR
            path = annotated_copy(store, stored.sha256, stored.filename, replier.index,
                                  root / stored.sha256[:16] / "dikembalikan", [remark])
            attachment = (path.read_bytes(), path.name) if path is not None else None
            values["lampiran"] = attachment[1] if attachment else ""
            delivery = Delivery(stored.unit_kode or "", stored.unit_nama or "", to,
                                stored.filename, stored.sha256, periode=stored.periode)
            replier.send(Kind.CORRECTION, f"dikembalikan|{stored.sha256}|{review.waktu}",
                         delivery, values, stored.message_id, attachment)


# --- reminders ---------------------------------------------------------------------------------


def send_reminders(store: Store, units: Sequence[Unit], folder: Path, replier: Replier, *,
                   batas: datetime.date | None, today: datetime.date) -> RepliesResult:
    """Every unit of the list with no accepted return for its workbook's period gets a
    reminder with that workbook attached again, at most once a day."""
    jobs, replier.result.findings = match_workbooks(units, folder)
    accepted = _accepted(store)
    first_sent = _first_messages(replier.outbox.log)
    for job in jobs:
        if (job.blueprint, job.periode, job.unit.kode) in accepted:
            continue
        _remind(job, replier, batas, today, first_sent.get((job.unit.kode, job.sha256)))
    replier.result.findings += replier.outbox.findings
    return replier.result


def _accepted(store: Store) -> set[tuple[str | None, int | None, str]]:
    if not store.exists():
        return set()
    return {(s.blueprint, s.periode, s.unit_kode) for s in history(store)
            if s.status is Status.OK and s.unit_kode is not None}


def _first_messages(log: Path) -> dict[tuple[str, str], str]:
    """The Message-ID each workbook was first sent with, so a reminder threads under it."""
    first: dict[tuple[str, str], str] = {}
    for record in read_log(log):
        if (record.get("hasil") == Outcome.SENT
                and Kind.named(record.get("jenis", Kind.WORKBOOK)) is Kind.WORKBOOK):
            first.setdefault((str(record.get("kode")), str(record.get("sha256"))),
                             str(record.get("message_id")))
    return first


def _remind(job: Job, replier: Replier, batas: datetime.date | None, today: datetime.date,
            original: str | None) -> None:
    assert job.unit.email is not None
    values = {"nama": job.unit.nama, "kode": job.unit.kode, "periode": str(job.periode),
              "kantor": replier.kantor(job.blueprint), "berkas": job.workbook.name,
              "sha256": job.sha256,
              "batas": tanggal(batas) if batas else BATAS_UNSET}
    delivery = Delivery(job.unit.kode, job.unit.nama, job.unit.email, job.workbook.name,
                        job.sha256, periode=job.periode)
    key = f"{Kind.REMINDER}|{job.blueprint}|{job.periode}|{job.unit.kode}|{today.isoformat()}"
    replier.send(Kind.REMINDER, key, delivery, values, original,
                 (job.workbook.read_bytes(), job.workbook.name))


def _message_ref(message_id: str | None) -> str | None:
    """A Message-ID as a sender wrote it, used in our headers only when it looks like one."""
    if message_id and MESSAGE_ID.fullmatch(message_id.strip()):
        return message_id.strip()
    return None


def _one_line(text: str) -> str:
    """A value fit for a header: control characters (line breaks first) become spaces."""
    return "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text)
