"""Sign-off from the command line: `verifikasi`, `kembalikan`, `setujui`, `buka` (each as the
workspace account `--akun`), and `audit periksa` / `audit ekspor`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli.bahasa import Group
from iki_xlsx.cli.common import office, periode_option, store_option, workspace

akun_option = click.option("--akun", "login", default=None, metavar="NAMA_MASUK",
                           help="Akun ruang kerja yang mengambil langkah ini (wajib).")
blueprint_option = click.option("--blueprint", "blueprint", default=None, metavar="ID",
                                help="Blueprint (bila tahun itu punya lebih dari satu).")
tw_option = click.option("--tw", "tw", type=int, default=None, metavar="N",
                         help="Sampai periode ke-N (TW I = 1); bawaan: setahun.")


def _year(value: int | None) -> int:
    if value is None:
        from iki_xlsx.cli.common import fail_usage

        fail_usage("sebutkan tahunnya dengan --periode TAHUN")
    return value


@click.command()
@click.argument("kode")
@periode_option("Tahun isian yang diverifikasi (wajib).")
@click.option("--catatan", default=None, metavar="TEKS", help="Catatan bukti (opsional).")
@akun_option
@blueprint_option
@store_option
def verifikasi(kode: str, periode: int | None, catatan: str | None, login: str | None,
               blueprint: str | None, store_dir: Path | None) -> None:
    """Nyatakan isian terakhir yang diterima dari unit KODE sesuai dengan sumber datanya."""
    from iki_xlsx.service.signing import command_line_origin

    here = office(workspace(), store_dir=store_dir)
    person = here.person(login, command_line_origin())
    done = here.verify(person, kode, _year(periode), blueprint=blueprint, catatan=catatan)
    click.echo(done.summary + ".")
    sys.exit(0)


@click.command()
@click.argument("kode")
@periode_option("Tahun isian yang dikembalikan (wajib).")
@click.option("--catatan", default=None, metavar="TEKS",
              help="Apa yang harus diperbaiki (wajib; masuk ke e-mail perbaikan dan salinan "
                   "bercatatan).")
@akun_option
@blueprint_option
@store_option
def kembalikan(kode: str, periode: int | None, catatan: str | None, login: str | None,
               blueprint: str | None, store_dir: Path | None) -> None:
    """Kembalikan isian unit KODE dengan catatan perbaikan."""
    from iki_xlsx.service.signing import command_line_origin

    here = office(workspace(), store_dir=store_dir)
    person = here.person(login, command_line_origin())
    done = here.send_back(person, kode, _year(periode), catatan or "", blueprint=blueprint)
    click.echo(done.summary + ".")
    sys.exit(0)


@click.command()
@periode_option("Tahun yang disetujui (wajib).")
@tw_option
@akun_option
@blueprint_option
@store_option
def setujui(periode: int | None, tw: int | None, login: str | None, blueprint: str | None,
            store_dir: Path | None) -> None:
    """Setujui periode (menutupnya): isian yang terverifikasi menjadi angka resmi kantor."""
    from iki_xlsx.service.signing import command_line_origin

    here = office(workspace(), store_dir=store_dir)
    person = here.person(login, command_line_origin())
    done = here.approve(person, _year(periode), tw=tw, blueprint=blueprint)
    click.echo(done.summary + ".")
    for unit in done.left_out:
        click.echo(f"  tidak ikut disetujui: {unit.kode} {unit.nama} ({unit.state.label})")
    sys.exit(0)


@click.command()
@periode_option("Tahun yang dibuka kembali (wajib).")
@tw_option
@click.option("--alasan", default=None, metavar="TEKS", help="Alasan membuka kembali (wajib).")
@akun_option
@blueprint_option
@store_option
def buka(periode: int | None, tw: int | None, alasan: str | None, login: str | None,
         blueprint: str | None, store_dir: Path | None) -> None:
    """Buka kembali periode yang sudah disetujui, dengan alasan (mulai --tw N; bawaan: TW I)."""
    from iki_xlsx.service.signing import command_line_origin

    here = office(workspace(), store_dir=store_dir)
    person = here.person(login, command_line_origin())
    done = here.reopen(person, _year(periode), alasan or "", tw=tw, blueprint=blueprint)
    click.echo(done.summary + ".")
    sys.exit(0)


@click.group(cls=Group)
def audit() -> None:
    """Catatan audit: siapa melakukan apa, kapan, dari mana."""


@audit.command()
@store_option
def periksa(store_dir: Path | None) -> None:
    """Periksa rantai catatan audit; sebutkan entri pertama yang rusak (kode keluar 1)."""
    here = office(workspace(), store_dir=store_dir)
    here.records()
    report = here.audit_check()
    if report.ok:
        click.echo(f"Catatan audit utuh: {report.entries} entri.")
        if report.last_hash:
            click.echo(f"Hash terakhir (catat untuk pemeriksaan berikutnya): {report.last_hash}")
        sys.exit(0)
    click.echo(f"Catatan audit rusak pada entri {report.broken_at}: {report.reason}.")
    if report.broken is not None:
        from iki_xlsx.audit.trail import Entry

        entry = Entry.of(report.broken)
        click.echo(f"  entri {report.broken_at}: {entry.when(here.zona)} {entry.kind_label} "
                   f"oleh {entry.who}: {entry.summary}")
    sys.exit(1)


@audit.command()
@click.option("--keluaran", "out", type=click.Path(path_type=Path, dir_okay=False),
              default=None, metavar="BERKAS", help="Berkas CSV (bawaan: keluaran/audit.csv).")
@click.option("--unit", "unit_kode", default=None, metavar="KODE", help="Satu unit saja.")
@periode_option("Satu tahun saja.")
@click.option("--akun", "login", default=None, metavar="NAMA_MASUK",
              help="Langkah satu orang saja.")
@click.option("--jenis", default=None, metavar="JENIS", help="Satu jenis langkah saja.")
@store_option
def ekspor(out: Path | None, unit_kode: str | None, periode: int | None, login: str | None,
           jenis: str | None, store_dir: Path | None) -> None:
    """Tulis catatan audit sebagai CSV (dapat dibuka di Excel)."""
    from iki_xlsx.audit.kinds import AuditKind
    from iki_xlsx.cli.common import fail_usage
    from iki_xlsx.store.audit import AuditFilter

    here = office(workspace(), store_dir=store_dir)
    here.records()
    kind = None
    if jenis is not None:
        kind = AuditKind.named(jenis)
        if kind is None:
            fail_usage(f"jenis '{jenis[:40]}' tidak dikenal (pilih: "
                       f"{', '.join(k.value for k in AuditKind)})")
    if out is None:
        if here.outputs is None:
            fail_usage("sebutkan berkas CSV dengan --keluaran")
        out = here.outputs.root / "audit.csv"
    wanted = AuditFilter(unit_kode, periode, login, None if kind is None else str(kind))
    written = here.audit_export(out, wanted)
    click.echo(f"Catatan audit ditulis ke {written} ({len(here.audit_entries(wanted))} entri).")
    sys.exit(0)
