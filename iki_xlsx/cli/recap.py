"""`iki-xlsx rekap`: the recap workbook of one blueprint and period, and its value tables."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli import show
from iki_xlsx.cli.common import (
    blueprints_option,
    fail_usage,
    office,
    periode_option,
    print_findings,
    progress,
    store_option,
    workspace,
)
from iki_xlsx.cli.terminal import error_line


@click.command()
@store_option
@periode_option("Tahun periode yang direkap, empat angka 2000-2100.")
@click.option("--blueprint", "blueprint_id", default=None, metavar="ID",
              help="Id blueprint yang direkap (perlu bila penyimpanan berisi beberapa).")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS", help="Berkas rekap .xlsx yang ditulis (bawaan di ruang kerja: "
                   "keluaran/rekap/rekap_BLUEPRINT_PERIODE_CAKUPAN.xlsx, misalnya "
                   "rekap_iki-kecamatan-kota_2026_sd-TW-I.xlsx).")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Folder untuk tabel nilai dalam CSV.")
@click.option("--parquet", "parquet_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Folder untuk tabel nilai dalam Parquet.")
@click.option("--untuk-kabupaten", "untuk_kabupaten", is_flag=True,
              help="Tulis rekap untuk dikirim ke kabupaten (identitas kantor dari [induk] "
                   "iki.toml dan kunci setiap baris Data).")
@blueprints_option
def rekap(store_dir: Path | None, periode: int | None, blueprint_id: str | None,
          output: Path | None, csv_dir: Path | None, parquet_dir: Path | None,
          untuk_kabupaten: bool, blueprint_dir: Path | None) -> None:
    """Tulis rekap kecamatan dari workbook yang diterima (xlsx, dan CSV/Parquet bila diminta)."""
    from iki_xlsx.core.errors import StoreError
    from iki_xlsx.rekap.build import rekap_steps

    ws = workspace()
    here = office(ws, store_dir=store_dir, blueprint_dir=blueprint_dir)
    here.records()  # refused (usage) while nothing was ever collected
    if output is None and ws is None:
        fail_usage("sebutkan -o BERKAS.xlsx, atau jalankan di dalam ruang kerja")
    if output is not None and output.suffix.lower() != ".xlsx":
        fail_usage("berkas rekap harus berakhiran .xlsx")
    try:
        with progress(rekap_steps(csv_dir, parquet_dir), "Menyusun rekap") as step:
            result = here.recap(blueprint=blueprint_id, periode=periode, out=output,
                                csv_dir=csv_dir, parquet_dir=parquet_dir, progress=step,
                                untuk_kabupaten=untuk_kabupaten)
    except StoreError as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    if result.choices:
        print_findings(result.findings)
        for bp_id, year in result.choices:
            click.echo(f"  --blueprint {bp_id} --periode {year}", err=True)
        sys.exit(2)
    show.recap(result)
    print_findings(result.findings)
    sys.exit(0 if result.ok else 1)
