"""`iki-xlsx kirim`: every unit its own workbook by e-mail; `--perbaikan` the annotated copies
of returns that need correction; `--pengingat` reminders to units without an accepted return."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from iki_xlsx.cli import show
from iki_xlsx.cli.common import fail_usage, office, print_findings, progress, workspace
from iki_xlsx.cli.mailing import sender, smtp_choice, smtp_settings
from iki_xlsx.cli.terminal import error_line

if TYPE_CHECKING:
    from iki_xlsx.service.office import Office
    from iki_xlsx.service.settings import Mailing


@click.command()
@click.argument("workbook_dir", required=False,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--units", "units_csv", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS",
              help="CSV daftar unit: kolom kode, nama, email (bawaan: unit.csv ruang kerja).")
@click.option("--smtp", "smtp_at", metavar="HOST[:PORT]", help="Server SMTP.")
@click.option("--starttls", is_flag=True, help="Naikkan koneksi ke TLS (STARTTLS, port 587).")
@click.option("--ssl", "use_ssl", is_flag=True, help="TLS sejak awal (port 465).")
@click.option("--cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sertifikat CA untuk memverifikasi server (bawaan: CA sistem).")
@click.option("--user", metavar="NAMA",
              help="Nama pengguna SMTP (kata sandi dari IKI_SMTP_PASSWORD atau ditanyakan).")
@click.option("--from", "from_address", metavar="ALAMAT",
              help="Alamat pengirim (bawaan: --user bila berupa alamat).")
@click.option("--template", "template_file", type=click.Path(path_type=Path),
              metavar="BERKAS",
              help="Templat subjek dan isi surel (bawaan: templat bawaan).")
@click.option("--batas", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Batas waktu pengembalian, tahun-bulan-hari, misalnya 2026-12-31 (bawaan: "
                   "batas di iki.toml).")
@click.option("--dry-run", "dry_run", type=click.Path(path_type=Path, file_okay=False),
              help="Tulis berkas .eml ke folder ini, jangan mengirim.")
@click.option("--log", "log_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Catatan pengiriman (bawaan: kirim-log.jsonl di folder penyimpanan bila "
                   "--store atau ruang kerja, selain itu di FOLDER workbook).")
@click.option("--ulang", is_flag=True, help="Kirim lagi yang sudah pernah terkirim.")
@click.option("--percobaan", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Percobaan per surel.")
@click.option("--jeda", type=click.FloatRange(0), default=5.0, show_default=True,
              help="Detik menunggu sebelum percobaan kedua (berlipat dua tiap kali).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder penyimpanan (bawaan: simpan/ ruang kerja); perlu untuk "
                                 "--perbaikan dan --pengingat.")
@click.option("--perbaikan", is_flag=True,
              help="Kirim salinan bercatatan ke tiap unit yang kiriman terakhirnya perlu "
                   "perbaikan (sekali per kiriman).")
@click.option("--pengingat", is_flag=True,
              help="Ingatkan tiap unit yang belum punya kiriman diterima, dengan workbooknya "
                   "(paling banyak sekali sehari).")
@click.option("--templat-folder", "templat_folder",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder templat pengganti: diterima.txt, perbaikan.txt, ditolak.txt, "
                   "pengingat.txt (bawaan: templat/ ruang kerja).")
@click.option("--blueprints", "blueprint_dir", type=click.Path(path_type=Path), default=None,
              help="Folder blueprint (bawaan: blueprints/ ruang kerja atau bawaan).")
def kirim(workbook_dir: Path | None, units_csv: Path | None, smtp_at: str | None,
          starttls: bool, use_ssl: bool, cafile: Path | None, user: str | None,
          from_address: str | None, template_file: Path | None, batas: Any, dry_run: Path | None,
          log_path: Path | None, ulang: bool, percobaan: int, jeda: float,
          store_dir: Path | None, perbaikan: bool, pengingat: bool,
          templat_folder: Path | None, blueprint_dir: Path | None) -> None:
    """Kirim workbook tiap unit ke alamat emailnya (satu surel, satu lampiran per unit).

    Dengan --perbaikan: salinan bercatatan bagi unit yang perlu memperbaiki kirimannya.
    Dengan --pengingat: pengingat bagi unit yang belum punya kiriman diterima.
    """
    from iki_xlsx.mail.outbox import Retry
    from iki_xlsx.service.settings import Mailing

    ws = workspace()
    if perbaikan and pengingat:
        fail_usage("pilih salah satu: --perbaikan atau --pengingat")
    if units_csv is None and ws is None and not perbaikan:
        fail_usage("sebutkan --units BERKAS.csv, atau jalankan di dalam ruang kerja")
    if workbook_dir is None and not perbaikan:
        fail_usage("sebutkan FOLDER, folder workbook yang dikirim")
    choice = smtp_choice(smtp_at, starttls, use_ssl, user, cafile, from_address)
    here = office(ws, store_dir=store_dir, blueprint_dir=blueprint_dir, units_csv=units_csv)
    workspace_smtp = here.config is not None and here.config.smtp is not None
    if smtp_at is None and dry_run is None and not workspace_smtp:
        fail_usage("sebutkan --smtp HOST[:PORT] atau --dry-run FOLDER")
    address = sender(choice, here)
    if (perbaikan or pengingat) and here.store_dir is None:
        fail_usage("--perbaikan dan --pengingat memerlukan --store FOLDER (atau ruang kerja)")
    smtp = smtp_settings(choice, here) if dry_run is None else None
    mailing = Mailing(address, smtp=smtp, dry_run=dry_run, log=log_path,
                      retry=Retry(percobaan, jeda), ulang=ulang, templates=templat_folder,
                      batas=batas.date() if batas else None)
    if perbaikan or pengingat:
        _answers(here, mailing, workbook_dir if pengingat else None)
    assert workbook_dir is not None
    with progress(None, "Mengirim surel") as step:
        result = here.send_workbooks(workbook_dir, mailing, template=template_file,
                                     progress=step)
    print_findings(result.findings)
    show.deliveries(result.deliveries)
    sys.exit(0 if result.ok else 1)


def _answers(here: Office, mailing: Mailing, reminders_of: Path | None) -> None:
    """--perbaikan (no folder) or --pengingat (the workbooks' folder): sent, shown, exit."""
    from iki_xlsx.core.errors import StoreError

    replier = here.replier(mailing)
    label = "Mengirim pengingat" if reminders_of is not None else "Mengirim permintaan perbaikan"
    try:
        with progress(None, label) as step:
            if reminders_of is None:
                result = here.send_corrections(replier, progress=step)
            else:
                result = here.send_reminders(reminders_of, replier, mailing, progress=step)
    except StoreError as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    print_findings(result.findings)
    show.deliveries(result.deliveries)
    sys.exit(0 if result.ok else 1)
