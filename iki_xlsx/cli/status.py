"""`iki-xlsx status`: who returned what; `--riwayat`/`--unit` every file and message."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli import show
from iki_xlsx.cli.common import json_option, office, store_option, workspace
from iki_xlsx.cli.terminal import error_line


@click.command()
@store_option
@json_option
@click.option("--riwayat", is_flag=True,
              help="Tampilkan setiap kiriman (berkas, pengirim, waktu, status, temuan).")
@click.option("--unit", "unit_kode", default=None, metavar="KODE",
              help="Riwayat satu unit saja (kode).")
def status(store_dir: Path | None, as_json: bool, riwayat: bool, unit_kode: str | None) -> None:
    """Tampilkan unit yang sudah dan belum mengembalikan workbook, atau riwayat kiriman."""
    from iki_xlsx.core.angka import strict_json
    from iki_xlsx.core.errors import StoreError

    here = office(workspace(), store_dir=store_dir)
    here.records()  # refused (usage) while nothing was ever collected
    try:
        if riwayat or unit_kode:
            show.history(here.history(unit_kode), as_json, unit_kode, here.zona)
            sys.exit(0)
        report = here.status()
    except StoreError as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    if as_json:
        click.echo(strict_json(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        show.status(report)
    sys.exit(0)
