"""Terima: returns uploaded (many files, zips, saved e-mails at once) or fetched from the IMAP
mailbox, each going through `collect` exactly as on the command line."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.blueprint.warm import WARM_FILE
from iki_xlsx.check import BlueprintIndex, WarmPool
from iki_xlsx.intake.collect import CollectResult, collect_uploads
from iki_xlsx.intake.status import Submission, history
from iki_xlsx.mail.imap import PASSWORD_ENV, ImapAccount, collect_imap
from iki_xlsx.store.db import Store
from iki_xlsx.web.app import page, refusal, render, web_of
from iki_xlsx.web.jobs import Job
from iki_xlsx.web.site import Site
from iki_xlsx.web.upload import UploadRefused, receive_upload

GROUP = 64  # files collected together: progress after each group, batching within it
UPLOADS = ".unggah"


@dataclass
class Received:
    """What one Terima did, file by file."""

    added: list[tuple[str, str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def take(self, result: CollectResult, folder: Path | None = None) -> None:
        """Add what one collect did; sources under the upload `folder` lose that prefix."""
        self.added += result.added
        self.duplicates += result.duplicates
        self.skipped += [(_shown(source, folder), reason) for source, reason in result.skipped]


def _shown(source: str, folder: Path | None) -> str:
    if folder is None or not source.startswith(f"{folder}/"):
        return source
    return source[len(f"{folder}/"):].split("/", 1)[-1]


def collect_uploaded(site: Site, folder: Path, files: list[tuple[str, Path]],
                     job: Job, pool: WarmPool | None = None) -> Received:
    """Collect every uploaded file (the name it was sent with, where it was kept) in groups,
    then drop the copies (the store keeps every file byte for byte, and records each upload,
    one that is no workbook too)."""
    try:
        places = list(files)
        received = Received()
        job.result = received  # the page shows each group's verdicts as soon as it is checked
        index = _index(site)
        store = Store(site.store_dir)
        job.progress(0, len(places), "memeriksa")
        for start in range(0, len(places), GROUP):
            group = places[start:start + GROUP]
            received.take(collect_uploads(group, store, index, pool=pool), folder)
            job.progress(start + len(group), len(places), "memeriksa")
        return received
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _index(site: Site) -> BlueprintIndex:
    """The workspace's blueprints, kept warm in its store folder (`blueprint.warm`)."""
    return BlueprintIndex.from_folder(site.blueprints_dir, site.store_dir / WARM_FILE)


def fetch_imap(site: Site, password: str, job: Job, pool: WarmPool | None = None) -> Received:
    config = site.config
    settings = config.imap if config is not None else None
    if settings is None:
        raise ValueError("ruang kerja belum berisi pengaturan [imap] di iki.toml")
    host, _, port = settings.host.partition(":")
    account = ImapAccount(host, int(port or 993), settings.user, password, settings.folder)
    job.progress(0, 0, "mengambil dari kotak surat")
    received = Received()
    received.take(collect_imap(account, Store(site.store_dir), _index(site), pool=pool))
    return received


@page()
async def terima_form(request: Request) -> Response:
    web = web_of(request)
    config = web.site.config
    return render(request, "terima.html", {
        "imap": config.imap if config is not None else None,
        "imap_env": bool(os.environ.get(PASSWORD_ENV)), "limits": web.limits,
        "job": None})


@page("operator")
async def terima_upload(request: Request) -> Response:
    web = web_of(request)
    folder = web.site.store_dir / UPLOADS / uuid.uuid4().hex
    try:
        upload = await receive_upload(request, folder, web.limits, request.session.get("csrf"))
    except UploadRefused as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return refusal(request, exc.status, exc.message)
    if not upload.files:
        shutil.rmtree(folder, ignore_errors=True)
        return refusal(request, 400, "Pilih atau seret minimal satu berkas.")
    job = web.jobs.start(f"terima/{folder.name}", f"Memeriksa {len(upload.files)} berkas",
                         lambda job: collect_uploaded(web.site, folder, upload.files, job,
                                                          web.checkers))
    return RedirectResponse(f"/terima/{job.id}", 303)


@page("operator", form=True)
async def terima_imap(request: Request) -> Response:
    web = web_of(request)
    form = await request.form()
    password = str(form.get("sandi") or "") or os.environ.get(PASSWORD_ENV, "")
    if not password:
        return refusal(request, 400, f"Ketik kata sandi IMAP atau atur {PASSWORD_ENV}.")
    job = web.jobs.start("terima/imap", "Mengambil dari kotak surat IMAP",
                         lambda job: fetch_imap(web.site, password, job, web.checkers))
    return RedirectResponse(f"/terima/{job.id}", 303)


@page()
async def terima_result(request: Request) -> Response:
    web = web_of(request)
    job = web.jobs.get(str(request.path_params["ident"]))
    if job is None or not job.key.startswith("terima/"):
        return refusal(request, 404, "Pemeriksaan itu tidak dikenal (mungkin server dimulai "
                                     "ulang); lihat hasilnya di halaman Status.")
    return render(request, "terima.html", {"job": job, "imap": None, "limits": web.limits,
                                           "files": _verdicts(web.site, job)})


def _verdicts(site: Site, job: Job) -> list[dict[str, Any]]:
    received: Received | None = job.result
    if received is None:
        return []
    wanted = {sha for _, sha, _ in received.added} | {sha for _, sha in received.duplicates}
    stored: dict[str, Submission] = {s.sha256: s for s in history(Store(site.store_dir))
                                     if s.sha256 in wanted}
    rows: list[dict[str, Any]] = [
        {"name": name, "sha256": sha, "new": True, "submission": stored.get(sha)}
        for name, sha, _ in received.added]
    rows += [{"name": name, "sha256": sha, "new": False, "submission": stored.get(sha)}
             for name, sha in received.duplicates]
    rows += [{"name": source, "sha256": None, "new": False, "submission": None,
              "reason": reason} for source, reason in received.skipped]
    return rows


ROUTES: list[BaseRoute] = [
    Route("/terima", terima_form, methods=["GET"]),
    Route("/terima", terima_upload, methods=["POST"]),
    Route("/terima/imap", terima_imap, methods=["POST"]),
    Route("/terima/{ident}", terima_result, methods=["GET"]),
]
