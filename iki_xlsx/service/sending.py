"""Send and answer: the workbooks to every unit (recording what went where), and the answers
that close the loop: receipts, corrections with the annotated copy, rejections, reminders.

Every message goes through one `Outbox` per run (mail/outbox.py): the send log in the store's
folder, never twice, bounded retries. The addresses come from the office's units list (or the
register), never from a returned file."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.core.units import Unit
from iki_xlsx.service.context import OfficeContext, OfficeFindings

if TYPE_CHECKING:  # the mail's modules: imported by the use case that sends
    from iki_xlsx.intake.collect import CollectResult
    from iki_xlsx.mail.kirim import KirimResult
    from iki_xlsx.mail.outbox import Smtp
    from iki_xlsx.mail.replies import Replier, RepliesResult
    from iki_xlsx.service.settings import Mailing


class Sending(OfficeContext):
    def send_log(self, mailing: Mailing, folder: Path | None = None) -> Path:
        """The send log: the one asked for, else the store's, else in the workbooks' folder."""
        from iki_xlsx.mail.kirim import LOG_NAME

        if mailing.log is not None:
            return mailing.log
        if self.store_dir is not None:
            return self.store_dir / LOG_NAME
        assert folder is not None, "without a store, the log is kept beside the workbooks"
        return folder / LOG_NAME

    def deadline(self, mailing: Mailing) -> datetime.date | None:
        """The returns' deadline: the run's, else iki.toml's `batas`."""
        return mailing.batas or (self.config.batas if self.config is not None else None)

    def send_workbooks(self, folder: Path, mailing: Mailing, *,
                       template: Path | None = None,
                       progress: Progress = no_progress) -> KirimResult:
        """Every unit of the office's list gets its own workbook of `folder`, found by what
        the file says about itself. In a workspace, what went to which address is recorded in
        the register, and units the register says had nothing to fill are not missed.

        Raises `OfficeFindings` when the message template cannot be used."""
        from iki_xlsx.mail.kirim import (
            DEFAULT_TEMPLATE,
            KirimResult,
            kirim,
            load_template,
            record_deliveries,
        )
        from iki_xlsx.plan.register import nothing_to_fill

        text, problems = load_template(template or DEFAULT_TEMPLATE)
        if text is None:
            raise OfficeFindings(problems)
        unusable = self.mail_unusable(mailing)
        if unusable:
            return KirimResult(findings=unusable)
        excused = nothing_to_fill(self.store) if self.workspace is not None else set()
        result = kirim(self.units or [], folder, sender=mailing.sender, template=text,
                       batas=self.deadline(mailing), smtp=mailing.smtp, dry_run=mailing.dry_run,
                       log=self.send_log(mailing, folder), ulang=mailing.ulang,
                       retry=mailing.retry, excused=excused, progress=progress)
        if self.workspace is not None:
            record_deliveries(self.store, result.deliveries)
            from iki_xlsx.audit.kinds import AuditKind

            for delivery in result.deliveries:
                self.audited(AuditKind.SEND, f"Workbook {delivery.berkas} "
                             f"{'ditulis' if mailing.dry_run else 'dikirim'} ke "
                             f"{delivery.nama} <{delivery.email}>: "
                             f"{delivery.hasil or 'belum dicoba'}",
                             periode=delivery.periode, unit=delivery.kode)
        return result

    def mail_unusable(self, mailing: Mailing) -> list[Finding]:
        """The one finding saying the SMTP server of this run cannot be used (unreachable, TLS
        failing, login refused), named as iki.toml names it; none when it answers, or when
        the run writes .eml files. Asked within seconds, before any message is tried."""
        return self._unusable(mailing.smtp if mailing.dry_run is None else None)

    def _unusable(self, smtp: Smtp | None) -> list[Finding]:
        from iki_xlsx.mail.outbox import smtp_unusable
        from iki_xlsx.service.settings import host_port

        if smtp is None:
            return []
        reason = smtp_unusable(smtp)
        if reason is None:
            return []
        configured = self.config.smtp if self.config is not None else None
        shown = f"{smtp.host}:{smtp.port}"
        if configured is not None and host_port(configured.host, smtp.port) == (smtp.host,
                                                                             smtp.port):
            shown = f"{configured.host} (bagian [smtp] iki.toml)"
        return [Finding.of(Code.SMTP_UNREACHABLE.message(host=shown, alasan=reason))]

    def replier(self, mailing: Mailing) -> Replier:
        """Who answers the returns this run: the templates (the run's folder, else the
        workspace's `templat/`, else the built-in texts), the index with the register, and
        where annotated copies are kept. Open its `outbox` (a context manager) to send.

        Raises `OfficeFindings` when a template cannot be used."""
        from iki_xlsx.mail.outbox import Outbox
        from iki_xlsx.mail.replies import Replier, load_templates

        templates, problems = load_templates(mailing.templates or self.templates_dir)
        if problems:
            raise OfficeFindings(problems)
        outbox = Outbox(self.send_log(mailing), smtp=mailing.smtp, dry_run=mailing.dry_run,
                        retry=mailing.retry, ulang=mailing.ulang)
        return Replier(outbox, mailing.sender, templates, self.index(), self.kantor,
                       annotations=self.annotations)

    def answer(self, collected: CollectResult, replier: Replier, *,
               progress: Progress = no_progress) -> RepliesResult:
        """Answer each new return of `collected` once: diterima, perbaikan (with the
        annotated copy) or ditolak; and every answer that failed before."""
        from iki_xlsx.mail.replies import answer_returns

        with replier.outbox:
            replier.progress = progress
            return answer_returns(self.store, collected, replier, self._answer_units())

    def send_corrections(self, replier: Replier, *,
                         progress: Progress = no_progress) -> RepliesResult:
        """Every unit whose latest return needs correction gets its annotated copy, once
        (nothing is tried while the SMTP server cannot be used: `mail_unusable`)."""
        from iki_xlsx.mail.replies import RepliesResult, send_corrections

        connection = replier.outbox.connection
        unusable = self._unusable(connection.settings if connection is not None else None)
        if unusable:
            return RepliesResult(findings=unusable)
        with replier.outbox:
            replier.progress = progress
            return send_corrections(self.store, replier, self._answer_units())

    def send_reminders(self, folder: Path, replier: Replier, mailing: Mailing, *,
                       today: datetime.date | None = None,
                       progress: Progress = no_progress) -> RepliesResult:
        """Every unit of the list without an accepted return for its workbook's period gets
        a reminder with its workbook of `folder` attached again, at most once a day
        (nothing is tried while the SMTP server cannot be used)."""
        from iki_xlsx.mail.replies import RepliesResult, send_reminders

        unusable = self.mail_unusable(mailing)
        if unusable:
            return RepliesResult(findings=unusable)
        with replier.outbox:
            replier.progress = progress
            return send_reminders(self.store, self.units or [], folder, replier,
                                  batas=self.deadline(mailing),
                                  today=today or datetime.date.today())

    def _answer_units(self) -> Sequence[Unit] | None:
        """Where units are answered: the office's list; without one, the register's lists."""
        return self.units
