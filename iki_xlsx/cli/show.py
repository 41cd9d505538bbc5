"""How the command line shows the office's results: one printer per result, shared by the
commands that produce it (`demo` prints what `terima`, `status` and `rekap` print)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from iki_xlsx.cli.common import print_findings
from iki_xlsx.cli.terminal import WARNING, returned_finding_line
from iki_xlsx.core.angka import ribuan, strict_json
from iki_xlsx.core.states import Status

if TYPE_CHECKING:
    from iki_xlsx.intake.collect import CollectResult
    from iki_xlsx.intake.status import StatusReport
    from iki_xlsx.mail.outbox import Delivery
    from iki_xlsx.mail.replies import RepliesResult
    from iki_xlsx.rekap.build import RekapResult
    from iki_xlsx.service.reporting import History



def collected(result: CollectResult) -> None:
    for filename, sha, state in result.added:
        click.echo(f"baru: {filename} ({sha[:12]}) {state.label.upper()}")
        for finding in result.findings.get(sha, []):
            click.echo(returned_finding_line(finding.code, finding.severity, finding.sheet,
                                             finding.cell, finding.message))
    for filename, sha in result.duplicates:
        click.echo(f"sudah ada: {filename} ({sha[:12]})")
    for filename, sha in result.restored:
        click.echo(f"dipulihkan: {filename} ({sha[:12]}) berkas asli yang hilang dari "
                   "penyimpanan disimpan lagi")
    for source, reason in result.skipped:
        click.echo(f"dilewati: {source}: {reason}")
    click.echo(f"{len(result.added)} baru, {len(result.duplicates)} sudah ada, "
               f"{len(result.skipped)} dilewati")


def status(report: StatusReport) -> None:
    for period in report.periods:
        click.echo(f"{period.blueprint} — periode {period.periode}")
        for unit in period.units:
            extra = (f", {unit.findings} temuan" if unit.state is Status.NEEDS_CORRECTION
                     else "")
            sent = f" ({unit.submissions} kiriman)" if unit.submissions > 1 else ""
            outside = " (di luar daftar)" if not unit.on_list else ""
            click.echo(f"  {unit.nama}{outside}: {unit.state.label}{extra}{sent}")
            for warning in unit.warnings:
                click.echo("  " + returned_finding_line(warning["code"], "warning", None, None,
                                                        warning["message"]))
        totals = ", ".join(f"{word} {count}" for word, count in period.totals.items())
        click.echo(f"  jumlah: {totals}")
    from iki_xlsx.intake.status import unidentified_summary

    shown, rest = unidentified_summary(report.unidentified)
    for item in shown:
        click.echo(f"tidak teridentifikasi: {item['filename']} ({item['status']})")
    if rest:
        counts = ", ".join(f"{ribuan(n)} {word}" for word, n in rest.items())
        click.echo(f"tidak teridentifikasi: dan {ribuan(sum(rest.values()))} berkas lain "
                   f"({counts}); daftar lengkapnya: status --riwayat --json")
    for item in report.missing_raw:
        click.echo(f"{WARNING}berkas asli {item['filename']} ({item['sha256'][:12]}) hilang "
                   "dari penyimpanan; kumpulkan (collect) berkas itu lagi untuk memulihkannya")


def recap(result: RekapResult) -> None:
    if result.path is None:
        return
    click.echo(f"Rekap {result.blueprint} {result.periode}: {result.units_accepted} dari "
               f"{result.units_listed} unit diterima, {result.values} nilai: {result.path}")
    for path in result.exports:
        click.echo(f"Tabel nilai: {path}")


def history(found: History, as_json: bool, unit_kode: str | None, zona: str) -> None:
    """Every file received (and e-mail sent), dated in the office's time zone; for one unit
    with nothing yet, one line that says so."""
    if as_json:
        click.echo(strict_json({"kiriman": [s.to_dict() for s in found.submissions],
                                "surel": found.mail}, ensure_ascii=False, indent=2))
        return
    from iki_xlsx.core.dates import moment_text

    if unit_kode and not found.submissions:
        click.echo(f"Unit {unit_kode}: belum ada kiriman yang diterima.")
    elif not found.submissions:
        click.echo("Belum ada kiriman yang diterima.")
    from iki_xlsx.intake.status import Unidentified, readable_history

    for item in readable_history(found.submissions):
        if isinstance(item, Unidentified):
            code = f" [{item.code}]" if item.code else ""
            click.echo(f"{moment_text(item.first_at, zona)} sampai "
                       f"{moment_text(item.last_at, zona)}: dan {ribuan(item.count)} "
                       f"berkas lain yang juga tidak teridentifikasi, {item.status.label.upper()}"
                       f"{code}; rinciannya: status --riwayat --json")
            continue
        # the office's clock; the e-mail's Date is the sender's word
        when = moment_text(item.collected_at, zona)
        who = f"{item.unit_nama} ({item.unit_kode})" if item.unit_kode else "tidak teridentifikasi"
        sender = f", dari {item.sender}" if item.sender else ""
        subject = f", subjek \"{item.subject}\"" if item.subject else ""
        click.echo(f"{when} {who}: {item.filename} ({item.sha256[:12]}) "
                   f"{item.status.label.upper()}"
                   f"{sender}{subject}")
        for finding in item.findings:
            click.echo(returned_finding_line(finding["code"], finding["severity"],
                                             finding["sheet"], finding["cell"],
                                             finding["message"]))
    if found.mail:
        click.echo("Surel keluar:")
    for record in found.mail:
        click.echo(_mail_line(record, zona))


def _mail_line(record: dict[str, Any], zona: str) -> str:
    from iki_xlsx.core.states import Kind

    known = Kind.named(record.get("jenis", Kind.WORKBOOK))
    kind = known.label if known is not None else str(record.get("jenis"))
    sha = str(record.get("sha256") or "")[:12]
    reason = f" ({record['keterangan']})" if record.get("keterangan") else ""
    from iki_xlsx.core.dates import moment_text

    return (f"{moment_text(str(record.get('waktu')), zona)} {kind} ke "
            f"{record.get('nama') or '-'} "
            f"<{record.get('email')}>: {record.get('berkas')}"
            f"{f' ({sha})' if sha else ''} {str(record.get('hasil')).upper()}{reason}")


def deliveries(sent: list[Delivery]) -> None:
    from iki_xlsx.core.states import Kind
    from iki_xlsx.mail.outbox import Outcome

    for d in sent:
        kind = "" if d.jenis is Kind.WORKBOOK else f"{d.jenis} "
        click.echo(f"{kind}{d.hasil}: {d.nama} <{d.email}> {d.berkas}")
    counted = {outcome: sum(d.hasil is outcome for d in sent)
               for outcome in (Outcome.SENT, Outcome.WRITTEN, Outcome.SENT_BEFORE, Outcome.FAILED)}
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in counted.items() if n)
               or "tidak ada surel")


def replies(result: RepliesResult) -> None:
    print_findings(result.findings)
    for d in result.deliveries:
        click.echo(f"balasan {d.jenis} {d.hasil}: {d.nama or '-'} <{d.email}> {d.berkas}")
    for what, why in result.unanswered:
        click.echo(f"tidak dibalas: {what}: {why}")
