"""`iki-xlsx buat BLUEPRINT`: the workbooks to send, recorded in the register."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli.common import (
    fail_usage,
    office,
    periode_option,
    print_findings,
    progress,
    this_year,
    workspace,
)


@click.command()
@click.argument("blueprint_name", metavar="BLUEPRINT")
@click.option("--unit", "unit_names", multiple=True, metavar="NAMA",
              help="Nama kelurahan/desa (boleh berulang).")
@click.option("--units", "units_csv", type=click.Path(path_type=Path), metavar="BERKAS",
              help="CSV daftar unit: kolom kode, nama (dan email).")
@periode_option("Tahun periode, empat angka 2000-2100 (bawaan: tahun ini).")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER",
              help="Folder keluaran (bawaan di ruang kerja: keluaran/kirim/BLUEPRINT-PERIODE).")
@click.option("--isi-contoh", "sample", is_flag=True,
              help="Isi sel isian dengan nilai contoh yang dapat diulang (untuk samples/).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER",
              help="Folder penyimpanan yang mencatat setiap workbook yang dibuat (register), "
                   "agar terima memeriksa kiriman terhadapnya (bawaan: simpan/ ruang kerja).")
def generate(blueprint_name: str, unit_names: tuple[str, ...], units_csv: Path | None,
             periode: int | None, out_dir: Path | None, sample: bool,
             store_dir: Path | None) -> None:
    """Buat satu workbook per kelurahan/desa dan satu untuk kantor kecamatan."""
    from iki_xlsx.core.errors import StoreBroken
    from iki_xlsx.core.units import Unit, file_safe

    ws = workspace()
    if out_dir is None and ws is None:
        fail_usage("sebutkan -o FOLDER, atau jalankan di dalam ruang kerja")
    here = office(ws, store_dir=store_dir, units_csv=units_csv)
    bp, findings = here.find_blueprint(blueprint_name)
    if bp is None:
        print_findings(findings)
        sys.exit(1)
    units = list(here.units or []) if units_csv is not None or not unit_names else []
    units += [Unit(kode=file_safe(n).lower() or "unit", nama=n) for n in unit_names]
    if not units:
        click.echo("Catatan: tidak ada kelurahan/desa; hanya workbook kantor kecamatan yang "
                   "dibuat. Sebutkan unit dengan --unit NAMA (boleh berulang) atau --units "
                   "DAFTAR.csv, atau isi unit.csv ruang kerja.", err=True)
    year = periode if periode is not None else this_year()
    try:
        with progress(len(here.recipients(bp, units)), "Membuat workbook") as step:
            result = here.generate(bp, year, units=units, out_dir=out_dir, name=blueprint_name,
                                   sample=sample, progress=step)
    except StoreBroken as exc:
        fail_usage(str(exc))
    print_findings(result.findings)
    for path in result.files:
        click.echo(str(path))
    for unit in result.skipped:
        click.echo(f"Tidak dibuat untuk {unit.nama} ({unit.kode}): tidak ada yang perlu diisi "
                   "unit ini pada blueprint ini, jadi tidak dikirim dan tidak ditunggu kembali")
    if result.ok:
        click.echo(f"{len(result.files)} workbook ditulis ke {result.folder}")
    sys.exit(0 if result.ok else 1)
