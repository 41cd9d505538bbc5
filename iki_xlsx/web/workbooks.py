"""Buat & kirim: generate a blueprint's workbooks for a year (and the zip to download), and
send each unit its own by e-mail with the workspace's SMTP settings."""

from __future__ import annotations

import datetime
import os

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.periode import RULE, parse_year
from iki_xlsx.mail.kirim import PASSWORD_ENV, KirimResult
from iki_xlsx.service.generating import Generated
from iki_xlsx.service.office import Office
from iki_xlsx.service.settings import Mailing, SmtpChoice, sender_address, smtp_settings
from iki_xlsx.web.app import (
    field_of,
    office_and_problems_of,
    office_of,
    page,
    refusal,
    render,
    web_of,
)
from iki_xlsx.web.jobs import Job


def blueprint_ids(office: Office) -> list[str]:
    """The ids of the office's blueprints that can be generated from."""
    return [loaded.blueprint.id for loaded in office.loaded_blueprints()
            if loaded.blueprint is not None]


def make_workbooks(office: Office, problems: list[Finding], blueprint: str, year: int,
                   job: Job) -> Generated:
    """The workbooks of `blueprint` for `year` in the layout's folder, and their zip."""
    bp, findings = office.find_blueprint(blueprint)
    if bp is None:
        return Generated(findings=findings)
    if problems or not office.units:
        return Generated(findings=problems or [Finding.of(Code.UNITS_EMPTY.message())])
    step = job.counter(len(office.recipients(bp)), "membuat workbook")
    return office.generate(bp, year, name=blueprint, bundle=True, progress=step)


def send_workbooks(office: Office, problems: list[Finding], blueprint: str, year: int,
                   password: str, job: Job) -> KirimResult:
    """Each unit its own workbook of `blueprint` and `year`, by the workspace's `[smtp]`."""
    if problems:
        return KirimResult(findings=problems)
    choice = SmtpChoice()
    smtp = smtp_settings(choice, office.config, lambda _user: password or None)
    sender = sender_address(choice, office.config)
    if smtp is None or sender is None or office.outputs is None:
        return KirimResult(findings=[Finding.of(Code.SMTP_MISSING.message())])
    step = job.counter(len(office.units or []), "mengirim")
    return office.send_workbooks(office.outputs.workbooks(blueprint, year), Mailing(sender, smtp),
                                 progress=step)


@page()
def buat_form(request: Request) -> Response:
    web = web_of(request)
    office = office_of(request)
    config = office.config
    return render(request, "buat.html", {
        "blueprints": blueprint_ids(office), "year": datetime.date.today().year,
        "generated": web.jobs.latest("buat/"), "sent": web.jobs.latest("kirim/"),
        "smtp": config.smtp if config is not None else None,
        "smtp_env": bool(os.environ.get(PASSWORD_ENV))})


@page("operator", form=True)
def buat_start(request: Request) -> Response:
    web = web_of(request)
    office, problems = office_and_problems_of(request)
    blueprint = field_of(request, "blueprint")
    year = parse_year(field_of(request, "periode"))
    if blueprint not in blueprint_ids(office) or year is None:
        return refusal(request, 400, f"Pilih blueprint dan tahun periode ({RULE}).")
    web.jobs.start(f"buat/{blueprint}/{year}", f"Membuat workbook {year}",
                   lambda job: make_workbooks(office, problems, blueprint, year, job))
    return RedirectResponse(web_of(request).prefix + "/buat", 303)


@page("operator", form=True)
def kirim_start(request: Request) -> Response:
    web = web_of(request)
    office, problems = office_and_problems_of(request)
    blueprint = field_of(request, "blueprint")
    year = parse_year(field_of(request, "periode"))
    if year is None or blueprint not in blueprint_ids(office) or office.outputs is None \
            or not office.outputs.workbooks(blueprint, year).is_dir():
        return refusal(request, 400, "Buat workbook blueprint dan tahun itu lebih dulu.")
    if office.config is None or office.config.smtp is None:
        return refusal(request, 400, "Ruang kerja belum berisi pengaturan SMTP (iki.toml).")
    password = field_of(request, "sandi") or os.environ.get(PASSWORD_ENV, "")
    web.jobs.start(f"kirim/{blueprint}/{year}", f"Mengirim workbook {year}",
                   lambda job: send_workbooks(office, problems, blueprint, year, password, job))
    return RedirectResponse(web_of(request).prefix + "/buat", 303)


ROUTES: list[BaseRoute] = [
    Route("/buat", buat_form, methods=["GET"]),
    Route("/buat", buat_start, methods=["POST"]),
    Route("/kirim", kirim_start, methods=["POST"]),
]
