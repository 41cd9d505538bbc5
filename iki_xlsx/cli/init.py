"""`iki-xlsx init DIR`: a new workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli.common import print_findings


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def init(folder: Path) -> None:
    """Buat ruang kerja: iki.toml, unit.csv, blueprints/ (blueprint bawaan), simpan/, keluaran/."""
    from iki_xlsx.service.workspace import init_workspace

    result = init_workspace(folder)
    if not result.ok:
        print_findings(result.findings)
        sys.exit(2)
    for path in result.created:
        click.echo(f"dibuat: {path}")
    click.echo(f"Ruang kerja siap di {folder}. Ubah iki.toml dan unit.csv sesuai kantor Anda, "
               "lalu jalankan perintah dari dalam folder itu (atau dengan --ruang).")
