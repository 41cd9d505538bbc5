"""`iki-xlsx terima SOURCE... | --imap`: returns kept, checked and recorded; `--balas` answers
each new one."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from iki_xlsx.cli import show
from iki_xlsx.cli.common import (
    blueprints_option,
    fail_usage,
    files_in,
    office,
    progress,
    sources_exist,
    store_option,
    workspace,
)
from iki_xlsx.cli.mailing import asked, sender, smtp_choice, smtp_settings
from iki_xlsx.cli.terminal import error_line

if TYPE_CHECKING:
    from iki_xlsx.mail.replies import Replier
    from iki_xlsx.service.office import Office


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@store_option
@blueprints_option
@click.option("--imap", "imap_at", metavar="HOST[:PORT]",
              help="Ambil dari kotak surat IMAP (TLS, port 993); surel tidak diubah.")
@click.option("--user", metavar="NAMA",
              help="Pengguna IMAP (kata sandi dari IKI_IMAP_PASSWORD atau ditanyakan).")
@click.option("--folder", default="INBOX", show_default=True, metavar="NAMA",
              help="Folder IMAP.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Hanya pesan sejak tanggal ini (tahun-bulan-hari, misalnya 2026-10-01).")
@click.option("--cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sertifikat CA untuk memverifikasi server (bawaan: CA sistem).")
@click.option("--balas", is_flag=True,
              help="Balas tiap kiriman baru sekali: diterima, perlu perbaikan (dengan salinan "
                   "bercatatan) atau ditolak (dengan alasannya).")
@click.option("--units", "units_csv", type=click.Path(path_type=Path), metavar="BERKAS",
              help="CSV daftar unit (kode, nama, email): alamat balasan (bawaan: unit.csv ruang "
                   "kerja, selain itu daftar unit yang tercatat di penyimpanan).")
@click.option("--smtp", "smtp_at", metavar="HOST[:PORT]",
              help="Server SMTP untuk --balas (bawaan: [smtp] ruang kerja).")
@click.option("--smtp-starttls", "starttls", is_flag=True, help="SMTP dengan STARTTLS.")
@click.option("--smtp-ssl", "use_ssl", is_flag=True, help="SMTP dengan TLS sejak awal.")
@click.option("--smtp-user", "smtp_user", metavar="NAMA",
              help="Pengguna SMTP (kata sandi dari IKI_SMTP_PASSWORD atau ditanyakan).")
@click.option("--smtp-cafile", "smtp_cafile",
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sertifikat CA untuk server SMTP.")
@click.option("--from", "from_address", metavar="ALAMAT", help="Alamat pengirim balasan.")
@click.option("--templat-folder", "templat_folder",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder templat pengganti: diterima.txt, perbaikan.txt, ditolak.txt (bawaan: "
                   "templat/ ruang kerja).")
def collect(sources: tuple[Path, ...], store_dir: Path | None, blueprint_dir: Path | None,
            imap_at: str | None, user: str | None, folder: str, since: Any,
            cafile: Path | None, balas: bool, units_csv: Path | None, smtp_at: str | None,
            starttls: bool, use_ssl: bool, smtp_user: str | None, smtp_cafile: Path | None,
            from_address: str | None, templat_folder: Path | None) -> None:
    """Simpan dan periksa workbook dari berkas, folder, .zip, .eml, .mbox atau IMAP."""
    from iki_xlsx.cli.rollup import kabupaten_root, receive
    from iki_xlsx.core.errors import ImapError, StoreError
    from iki_xlsx.core.states import Status
    from iki_xlsx.mail.imap import PASSWORD_ENV
    from iki_xlsx.service.settings import ImapChoice, imap_account, no_password

    kabupaten = kabupaten_root() if store_dir is None else None
    if kabupaten is not None:  # a kabupaten takes the recap files its offices send
        if not sources:
            fail_usage("di ruang kerja kabupaten, sebutkan berkas rekap kecamatan yang "
                       "diterima: iki-xlsx terima BERKAS...")
        sources_exist(sources)
        receive(kabupaten, sources)
    here = office(workspace(), store_dir=store_dir, blueprint_dir=blueprint_dir,
                  units_csv=units_csv)
    here.store  # noqa: B018 - refused (usage) before anything else when there is none
    sources_exist(sources)
    choice = ImapChoice(imap_at, user, None if folder == "INBOX" else folder, cafile)
    from_workspace = not sources and imap_at is None and here.config is not None \
        and here.config.imap is not None
    if from_workspace:
        imap_at = here.config.imap.host if here.config and here.config.imap else None
    if not sources and not imap_at:
        fail_usage("sebutkan berkas atau folder yang diterima (iki-xlsx terima BERKAS...), "
                   "atau --imap HOST[:PORT] untuk mengambil dari kotak surat (di ruang kerja: "
                   "bagian [imap] iki.toml)")
    if sources and imap_at:
        fail_usage("sebutkan BERKAS... atau --imap HOST[:PORT], bukan keduanya")
    account = None
    if imap_at:
        mailbox = imap_account(choice, here.config, no_password)
        if mailbox is None:
            fail_usage("--imap memerlukan --user")
        if from_workspace:  # say what is about to happen before asking a password
            click.echo(f"Mengambil lampiran dari kotak surat {mailbox.host} (pengguna "
                       f"{mailbox.user}, folder {mailbox.folder}) sesuai [imap] di iki.toml; "
                       "untuk berkas, sebutkan berkasnya: iki-xlsx terima BERKAS...", err=True)
        account = replace(mailbox, password=asked(PASSWORD_ENV, "IMAP")(mailbox.user) or "")
    replier = _replier(here, balas, smtp_at, starttls, use_ssl, smtp_user, smtp_cafile,
                       from_address, templat_folder)
    answered_ok = True
    try:
        if account is not None:
            with progress(None, "Menerima lampiran") as step:
                result = here.collect_imap(account, since=since.date() if since else None,
                                           progress=step, answer=replier is not None)
        else:
            with progress(files_in(sources), "Menerima workbook") as step:
                result = here.collect(list(sources), progress=step,
                                      answer=replier is not None)
        show.collected(result)
        if replier is not None:
            with progress(None, "Mengirim balasan") as step:
                replies = here.answer(result, replier, progress=step)
            show.replies(replies)
            answered_ok = replies.ok
    except (StoreError, ImapError) as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    not_ok = any(state is not Status.OK for _, _, state in result.added)
    sys.exit(1 if not_ok or not answered_ok else 0)


def _replier(here: Office, balas: bool, smtp_at: str | None, starttls: bool, use_ssl: bool,
             user: str | None, cafile: Path | None, from_address: str | None,
             templat_folder: Path | None) -> Replier | None:
    """With --balas, who answers the returns: SMTP from the options, else the workspace."""
    from iki_xlsx.service.settings import Mailing

    if not balas:
        return None
    choice = smtp_choice(smtp_at, starttls, use_ssl, user, cafile, from_address, "--smtp-")
    smtp = smtp_settings(choice, here)
    if smtp is None:
        fail_usage("--balas memerlukan --smtp HOST[:PORT] (atau [smtp] di iki.toml)")
    return here.replier(Mailing(sender(choice, here), smtp=smtp, templates=templat_folder))
