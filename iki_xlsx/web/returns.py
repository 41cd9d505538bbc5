"""Terima: returns uploaded (many files, zips, saved e-mails at once) or fetched from the IMAP
mailbox, each collected by the office exactly as on the command line, with its verdict shown
as soon as its chunk is checked."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.core.errors import UsageError
from iki_xlsx.intake.collect import CollectResult
from iki_xlsx.intake.status import Submission
from iki_xlsx.mail.imap import PASSWORD_ENV
from iki_xlsx.mail.kirim import PASSWORD_ENV as SMTP_PASSWORD_ENV
from iki_xlsx.mail.replies import RepliesResult
from iki_xlsx.service.office import Office
from iki_xlsx.service.settings import ImapChoice, imap_account
from iki_xlsx.web.app import field_of, office_of, page, refusal, render, upload_page, web_of
from iki_xlsx.web.jobs import Job
from iki_xlsx.web.upload import UploadRefused, receive_upload


def collect_upload(office: Office, folder: Path, files: list[tuple[str, Path]],
                   job: Job) -> CollectResult:
    """Collect the uploaded files (the name each was sent with, where it was kept); the page
    shows each chunk's verdicts while the rest is checked (the job's result is the collect's
    own, filled as it goes)."""
    result = CollectResult()
    job.result = result
    office.collect_upload(folder, files, progress=job.counter(len(files), "memeriksa"),
                          result=result)
    return result


def fetch_imap(office: Office, password: str, job: Job,
               answer_with: str | None = None) -> CollectResult:
    """Collect from the workspace's `[imap]` mailbox; with `answer_with` (the SMTP password),
    answer each new return as `terima --balas` does: its receipt, its annotated copy or why it
    was refused (the answers are kept in `job.aside`)."""
    from iki_xlsx.web.mail import mailing_of

    account = imap_account(ImapChoice(), office.config, lambda _user: password)
    if account is None:
        raise UsageError("ruang kerja belum berisi pengaturan [imap] di iki.toml")
    mailing = mailing_of(office, answer_with) if answer_with is not None else None
    result = office.collect_imap(account, progress=job.counter(0, "mengambil dari kotak surat"),
                                 answer=mailing is not None)
    if mailing is not None:
        unusable = office.mail_unusable(mailing)
        job.aside = RepliesResult(findings=unusable) if unusable else office.answer(
            result, office.replier(mailing), progress=job.counter(0, "membalas kiriman"))
    return result


@page()
def terima_form(request: Request) -> Response:
    web = web_of(request)
    config = office_of(request).config
    return render(request, "terima.html", {
        "imap": config.imap if config is not None else None,
        "smtp": config.smtp if config is not None else None,
        "smtp_env": bool(os.environ.get(SMTP_PASSWORD_ENV)),
        "imap_env": bool(os.environ.get(PASSWORD_ENV)), "limits": web.limits,
        "job": None})


@upload_page()
async def terima_upload(request: Request) -> Response:
    web = web_of(request)
    office = await run_in_threadpool(office_of, request)
    folder = office.upload_folder(uuid.uuid4().hex)
    try:
        upload = await receive_upload(request, folder, web.limits, request.session.get("csrf"))
    except UploadRefused as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return refusal(request, exc.status, exc.message)
    if not upload.files:
        shutil.rmtree(folder, ignore_errors=True)
        return refusal(request, 400, "Pilih atau seret minimal satu berkas.")
    job = web.jobs.start(f"terima/{folder.name}", f"Memeriksa {len(upload.files)} berkas",
                         lambda job: collect_upload(office, folder, upload.files, job))
    return RedirectResponse(f"{web_of(request).prefix}/terima/{job.id}", 303)


@page("operator", form=True)
def terima_imap(request: Request) -> Response:
    web = web_of(request)
    password = field_of(request, "sandi") or os.environ.get(PASSWORD_ENV, "")
    if not password:
        return refusal(request, 400, f"Ketik kata sandi IMAP atau atur {PASSWORD_ENV}.")
    office = office_of(request)
    answer_with = field_of(request, "sandi_smtp") if field_of(request, "balas") else None
    job = web.jobs.start("terima/imap", "Mengambil dari kotak surat IMAP",
                         lambda job: fetch_imap(office, password, job, answer_with))
    return RedirectResponse(f"{web_of(request).prefix}/terima/{job.id}", 303)


@page()
def terima_result(request: Request) -> Response:
    web = web_of(request)
    job = web.jobs.get(str(request.path_params["ident"]))
    if job is None or not job.key.startswith("terima/"):
        return refusal(request, 404, "Pemeriksaan itu tidak dikenal (mungkin server dimulai "
                                     "ulang); lihat hasilnya di halaman Status.")
    return render(request, "terima.html", {"job": job, "imap": None, "limits": web.limits,
                                           "files": _verdicts(office_of(request), job),
                                           "replies": job.aside})


def _verdicts(office: Office, job: Job) -> list[dict[str, Any]]:
    received: CollectResult | None = job.result
    if received is None:
        return []
    added, duplicates = list(received.added), list(received.duplicates)
    wanted = {sha for _, sha, _ in added} | {sha for _, sha in duplicates}
    stored: dict[str, Submission] = {}
    if wanted and office.has_records:
        stored = {s.sha256: s for s in office.history().submissions if s.sha256 in wanted}
    rows: list[dict[str, Any]] = [
        {"name": name, "sha256": sha, "new": True, "submission": stored.get(sha)}
        for name, sha, _ in added]
    rows += [{"name": name, "sha256": sha, "new": False, "submission": stored.get(sha)}
             for name, sha in duplicates]
    rows += [{"name": source, "sha256": None, "new": False, "submission": None,
              "reason": reason} for source, reason in list(received.skipped)]
    return rows


ROUTES: list[BaseRoute] = [
    Route("/terima", terima_form, methods=["GET"]),
    Route("/terima", terima_upload, methods=["POST"]),
    Route("/terima/imap", terima_imap, methods=["POST"]),
    Route("/terima/{ident}", terima_result, methods=["GET"]),
]
