"""`iki-xlsx init DIR`: a new workspace; `init --kabupaten DIR`: a kabupaten's, for many
offices on one server."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli.common import print_findings


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--kabupaten", "kabupaten", is_flag=True,
              help="Buat ruang kerja kabupaten: banyak kantor kecamatan di satu server "
                   "(iki.toml kabupaten, kantor.csv, kantor/).")
def init(folder: Path, kabupaten: bool) -> None:
    """Buat ruang kerja: iki.toml, unit.csv, blueprints/ (blueprint bawaan), simpan/, keluaran/."""
    if kabupaten:
        _init_kabupaten(folder)
    from iki_xlsx.service.workspace import init_workspace

    result = init_workspace(folder)
    if not result.ok:
        print_findings(result.findings)
        sys.exit(2)
    for path in result.created:
        click.echo(f"dibuat: {path}")
    click.echo(f"Ruang kerja siap di {folder}. Ubah iki.toml dan unit.csv sesuai kantor Anda, "
               "lalu jalankan perintah dari dalam folder itu (atau dengan --ruang).")


def _init_kabupaten(folder: Path) -> None:
    from iki_xlsx.service.kabupaten import init_kabupaten

    result = init_kabupaten(folder)
    if not result.ok:
        print_findings(result.findings)
        sys.exit(2)
    for path in result.created:
        click.echo(f"dibuat: {path}")
    click.echo(f"Ruang kerja kabupaten siap di {folder}. Ubah iki.toml, tambah kantor dengan "
               "iki-xlsx kantor tambah KODE --nama NAMA, lalu buat akun admin pertama: "
               "iki-xlsx akun tambah NAMA_MASUK --nama NAMA --peran admin")
    sys.exit(0)
