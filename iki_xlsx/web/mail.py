"""Surel ke unit: the answers that close the loop, sent from the browser with the workspace's
`[smtp]` (its password typed, never stored): each unit whose latest return needs correction
gets its annotated copy, and each unit without an accepted return for a period its reminder
with its workbook attached again. The receipts of returns fetched from the mailbox go out with
the fetch itself (Terima, "balas"). A mail server that cannot be used is said once, before any
message is tried (`Office.mail_unusable`)."""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.periode import parse_year
from iki_xlsx.mail.kirim import PASSWORD_ENV
from iki_xlsx.mail.replies import RepliesResult
from iki_xlsx.service.office import Office
from iki_xlsx.service.settings import Mailing, SmtpChoice, sender_address, smtp_settings
from iki_xlsx.web.app import field_of, office_of, page, refusal, web_of
from iki_xlsx.web.jobs import Job

KEY = "surel/"  # the jobs of this page; the Status page shows the latest


def mailing_of(office: Office, password: str) -> Mailing | None:
    """How this run's messages go out: the workspace's `[smtp]` with the password typed (or
    IKI_SMTP_PASSWORD); None when the workspace names no server or no sender."""
    choice = SmtpChoice()
    smtp = smtp_settings(choice, office.config,
                         lambda _user: password or os.environ.get(PASSWORD_ENV) or None)
    sender = sender_address(choice, office.config)
    return None if smtp is None or sender is None else Mailing(sender, smtp)


def send_corrections(office: Office, password: str, job: Job) -> RepliesResult:
    mailing = mailing_of(office, password)
    if mailing is None:
        return RepliesResult(findings=[Finding.of(Code.SMTP_MISSING.message())])
    return office.send_corrections(office.replier(mailing),
                                   progress=job.counter(0, "mengirim catatan perbaikan"))


def send_reminders(office: Office, password: str, blueprint: str, year: int,
                   job: Job) -> RepliesResult:
    mailing = mailing_of(office, password)
    if mailing is None or office.outputs is None:
        return RepliesResult(findings=[Finding.of(Code.SMTP_MISSING.message())])
    return office.send_reminders(office.outputs.workbooks(blueprint, year),
                                 office.replier(mailing), mailing,
                                 progress=job.counter(0, "mengirim pengingat"))


@page("operator", form=True)
def corrections_start(request: Request) -> Response:
    web = web_of(request)
    office = office_of(request)
    password = field_of(request, "sandi")
    web.jobs.start(KEY + "perbaikan", "Mengirim catatan perbaikan",
                   lambda job: send_corrections(office, password, job))
    return RedirectResponse(web.prefix + "/status#surel", 303)


@page("operator", form=True)
def reminders_start(request: Request) -> Response:
    web = web_of(request)
    office = office_of(request)
    blueprint, _, text = field_of(request, "pilihan").partition("|")
    year = parse_year(text)
    if year is None or office.outputs is None \
            or not office.outputs.workbooks(blueprint, year).is_dir():
        return refusal(request, 400, "Buat workbook blueprint dan tahun itu lebih dulu (Buat & "
                                     "kirim): pengingat melampirkan workbook unit lagi.")
    password = field_of(request, "sandi")
    web.jobs.start(f"{KEY}pengingat/{blueprint}/{year}", f"Mengirim pengingat {year}",
                   lambda job: send_reminders(office, password, blueprint, year, job))
    return RedirectResponse(web.prefix + "/status#surel", 303)


ROUTES: list[BaseRoute] = [
    Route("/surel/perbaikan", corrections_start, methods=["POST"]),
    Route("/surel/pengingat", reminders_start, methods=["POST"]),
]
