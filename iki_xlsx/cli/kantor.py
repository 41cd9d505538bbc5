"""`iki-xlsx kantor tambah|daftar`: the offices of a kabupaten's workspace (kantor.csv, and
each office's own workspace in kantor/KODE)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from iki_xlsx.cli.bahasa import Group
from iki_xlsx.cli.common import fail_usage, json_option, site

if TYPE_CHECKING:
    from iki_xlsx.service.site import Site


@click.group(cls=Group)
def kantor() -> None:
    """Kantor kecamatan di ruang kerja kabupaten: tambah, daftar."""


@kantor.command()
@click.argument("kode", metavar="KODE")
@click.option("--nama", default=None, metavar="NAMA",
              help="Nama kantor (misalnya \"Kecamatan Jabung\"); tidak perlu bila ruang kerja "
                   "kantor itu sudah disalin ke kantor/KODE.")
def tambah(kode: str, nama: str | None) -> None:
    """Tambah kantor: buat ruang kerjanya di kantor/KODE (atau pakai ruang kerja yang sudah
    disalin ke sana) dan catat di kantor.csv."""
    from iki_xlsx.core.errors import UsageError
    from iki_xlsx.service.kabupaten import add_office

    here = _kabupaten_site()
    try:
        added = add_office(here.kabupaten(), kode, nama)
    except UsageError as exc:
        fail_usage(str(exc))
    office = added.kantor
    if added.created:
        click.echo(f"Kantor {office.kode} ({office.nama}) ditambahkan; ruang kerjanya dibuat di "
                   f"{office.root}. Ubah iki.toml dan unit.csv di sana (atau lewat aplikasi "
                   "web), lalu beri operatornya akun: iki-xlsx akun tambah NAMA_MASUK --nama "
                   f"NAMA --peran operator:{office.kode}")
    else:
        click.echo(f"Kantor {office.kode} ({office.nama}) ditambahkan dengan ruang kerja yang "
                   f"sudah ada di {office.root}.")
    sys.exit(0)


@kantor.command()
@json_option
def daftar(as_json: bool) -> None:
    """Daftar kantor di kantor.csv, dan apakah ruang kerjanya siap."""
    import json

    offices = _kabupaten_site().kabupaten().offices
    if as_json:
        click.echo(json.dumps([{"kode": o.kode, "nama": o.nama, "siap": o.ready}
                               for o in offices], ensure_ascii=False, indent=2))
        sys.exit(0)
    if not offices:
        click.echo("Belum ada kantor. Tambah dengan: iki-xlsx kantor tambah KODE --nama NAMA")
    for office in offices:
        click.echo(f"{office.kode}  {office.nama}"
                   + ("" if office.ready else "  [ruang kerja belum ada]"))
    sys.exit(0)


def _kabupaten_site() -> Site:
    here = site()
    if not here.kabupaten_kind:
        fail_usage("ruang kerja ini satu kantor; kantor dikelola di ruang kerja kabupaten "
                   "(buat dengan: iki-xlsx init --kabupaten FOLDER)")
    return here
