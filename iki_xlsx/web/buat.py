"""Buat & kirim: generate a blueprint's workbooks for a year, download them as one zip, or
send each unit its own by e-mail with the workspace's SMTP settings."""

from __future__ import annotations

import datetime
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.periode import RULE, parse_year
from iki_xlsx.core.units import Unit
from iki_xlsx.mail.kirim import (
    PASSWORD_ENV,
    Delivery,
    Smtp,
    kirim,
    load_template,
    record_deliveries,
)
from iki_xlsx.plan.register import nothing_to_fill
from iki_xlsx.store.db import Store
from iki_xlsx.web.app import page, refusal, render, web_of
from iki_xlsx.web.jobs import Job
from iki_xlsx.web.site import Site
from iki_xlsx.workbook.generate import blueprint_source, generate

SEND_DIR = "kirim"


@dataclass
class Generated:
    files: list[Path] = field(default_factory=list)
    archive: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Unit] = field(default_factory=list)  # nothing to fill: no workbook


@dataclass
class Sent:
    deliveries: list[Delivery] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def workbook_dir(site: Site, blueprint: str, year: int) -> Path:
    return site.output_dir / SEND_DIR / f"{blueprint}-{year}"


def make_workbooks(site: Site, path: Path, year: int, job: Job) -> Generated:
    loaded = load_blueprint(path)
    if loaded.blueprint is None:
        return Generated(findings=loaded.findings)
    units, findings = site.units()
    if findings or not units:
        return Generated(findings=findings or [Finding.of(Code.UNITS_EMPTY.message())])
    bp = loaded.blueprint
    job.progress(0, len(units) + 1, "membuat workbook")
    folder = workbook_dir(site, bp.id, year)
    result = generate(bp, units, year, folder, register=Store(site.store_dir),
                      source=blueprint_source(bp, str(path)))  # the workspace's register
    if not result.ok:
        return Generated(findings=result.findings)
    job.progress(len(result.files), len(result.files), "mengemas zip")
    archive = site.output_dir / SEND_DIR / f"{bp.id}-{year}.zip"

    def write(temporary: str) -> None:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
            for file in result.files:
                bundle.write(file, file.name)

    atomic_write(archive, write)
    return Generated(result.files, archive, skipped=result.skipped)


SECURITY = {"starttls": ("starttls", 587), "ssl": ("ssl", 465), "tanpa": ("none", 25)}


def send_workbooks(site: Site, blueprint: str, year: int, password: str, job: Job) -> Sent:
    config = site.config
    settings = config.smtp if config is not None else None
    if settings is None:
        return Sent(findings=[Finding.of(Code.SMTP_MISSING.message())])
    host, _, port = settings.host.partition(":")
    security, default_port = SECURITY[settings.keamanan]
    template, findings = load_template()
    units, unit_findings = site.units()
    if template is None or unit_findings:
        return Sent(findings=findings + unit_findings)
    sender = settings.pengirim or settings.user or ""
    job.progress(0, len(units), "mengirim")
    result = kirim(units, workbook_dir(site, blueprint, year), sender=sender, template=template,
                   smtp=Smtp(host, int(port or default_port), security, settings.user,
                             password or None),
                   excused=nothing_to_fill(Store(site.store_dir)))
    record_deliveries(Store(site.store_dir), result.deliveries)
    return Sent(result.deliveries, result.findings)


def _blueprints(site: Site) -> list[tuple[str, Path]]:
    from iki_xlsx.web.blueprints_page import loaded_blueprints

    return [(loaded.blueprint.id, Path(loaded.path)) for loaded in loaded_blueprints(site)
            if loaded.blueprint is not None]


@page()
async def buat_form(request: Request) -> Response:
    web = web_of(request)
    site = web.site
    generated = web.jobs.latest("buat/")
    sent = web.jobs.latest("kirim/")
    config = site.config
    smtp = config.smtp if config is not None else None
    return render(request, "buat.html", {
        "blueprints": _blueprints(site), "year": datetime.date.today().year,
        "generated": generated, "sent": sent,
        "smtp": smtp,
        "smtp_env": bool(os.environ.get(PASSWORD_ENV))})


@page("operator", form=True)
async def buat_start(request: Request) -> Response:
    web = web_of(request)
    form = await request.form()
    chosen = dict(_blueprints(web.site)).get(str(form.get("blueprint", "")))
    year = parse_year(str(form.get("periode", "")))
    if chosen is None or year is None:
        return refusal(request, 400, f"Pilih blueprint dan tahun periode ({RULE}).")
    web.jobs.start(f"buat/{chosen.stem}/{year}", f"Membuat workbook {year}",
                   lambda job: make_workbooks(web.site, chosen, year, job))
    return RedirectResponse("/buat", 303)


@page("operator", form=True)
async def kirim_start(request: Request) -> Response:
    web = web_of(request)
    form = await request.form()
    blueprint, year = str(form.get("blueprint", "")), parse_year(str(form.get("periode", "")))
    if year is None or not workbook_dir(web.site, blueprint, year).is_dir() \
            or blueprint not in dict(_blueprints(web.site)):
        return refusal(request, 400, "Buat workbook blueprint dan tahun itu lebih dulu.")
    config = web.site.config
    if config is None or config.smtp is None:
        return refusal(request, 400, "Ruang kerja belum berisi pengaturan SMTP (iki.toml).")
    password = str(form.get("sandi") or "") or os.environ.get(PASSWORD_ENV, "")
    web.jobs.start(f"kirim/{blueprint}/{year}", f"Mengirim workbook {year}",
                   lambda job: send_workbooks(web.site, blueprint, year, password, job))
    return RedirectResponse("/buat", 303)


ROUTES: list[BaseRoute] = [
    Route("/buat", buat_form, methods=["GET"]),
    Route("/buat", buat_start, methods=["POST"]),
    Route("/kirim", kirim_start, methods=["POST"]),
]
