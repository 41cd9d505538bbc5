"""`iki-xlsx demo`: the main job end to end on the bundled default blueprint."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli import show
from iki_xlsx.cli.common import counts, print_findings


@click.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Folder ruang kerja demo (bawaan: output/demo).")
def demo(out_dir: Path | None) -> None:
    """Jalankan alur utama pada blueprint bawaan di ruang kerja (bawaan: output/demo): buat,
    isi, kumpulkan, status, rekap."""
    from iki_xlsx.core.codes import Code
    from iki_xlsx.service.demo import DEFAULT_BLUEPRINT, MISTAKE, default_out_dir, run_demo

    result = run_demo(out_dir or default_out_dir())
    print_findings(result.blueprints.findings + result.findings)
    if result.workspace is None and any(f.code == Code.WORKSPACE_DEMO for f in result.findings):
        sys.exit(2)  # refused before anything was written
    if result.workspace is not None:
        click.echo(f"Ruang kerja: {result.workspace.root}")
    for loaded in result.blueprints.results:
        if loaded.blueprint is not None:
            click.echo(f"Blueprint {loaded.blueprint.id}: {counts(loaded.blueprint)} — sah")
    made = (("kosong untuk dikirim", result.blank.files, result.blank.findings)
            if result.blank is not None else None,
            ("terisi contoh", result.filled.files, result.filled.findings)
            if result.filled is not None else None)
    for label, files, findings in (m for m in made if m is not None):
        print_findings(findings)
        if files:
            click.echo(f"{len(files)} workbook {label} ({DEFAULT_BLUEPRINT}): {files[0].parent}")
    if result.mistaken is not None:
        click.echo(f"Kiriman keliru (isian '{MISTAKE}'): {result.mistaken.file}: "
                   f"{result.mistaken.status.label.upper()}")
        if result.mistaken.annotated:
            click.echo(f"  salinan bercatatan untuk dikirim kembali: {result.mistaken.annotated}")
    for collected in result.collected:
        show.collected(collected)
    if result.status is not None:
        show.status(result.status)
    if result.rekap is not None:
        print_findings(result.rekap.findings)
        show.recap(result.rekap)
    sys.exit(0 if result.ok else 1)
