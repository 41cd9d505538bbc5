"""`iki-xlsx periksa FILE...`: returned workbooks checked again, nothing kept."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli.common import (
    blueprints_option,
    json_option,
    office,
    progress,
    sources_exist,
    workspace,
    writable_folder,
)
from iki_xlsx.cli.startup import own_start_up, started
from iki_xlsx.cli.terminal import returned_finding_line


@own_start_up
@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@blueprints_option
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Tulis salinan bercatatan untuk berkas yang perlu diperbaiki.")
def check(files: tuple[Path, ...], as_json: bool, blueprint_dir: Path | None,
          annotate_dir: Path | None) -> None:
    """Periksa ulang workbook yang dikembalikan; keluar 1 bila ada yang tidak diterima."""
    from iki_xlsx.core.angka import strict_json

    sources_exist(files)
    if annotate_dir is not None:
        writable_folder(annotate_dir, "--annotate")
    here = office(workspace(), blueprint_dir=blueprint_dir)
    started("iki_xlsx.check")  # the office open, the checker imported: the files are read
    # with the collector at work
    with progress(len(files), "Memeriksa workbook") as step:
        report = here.check(files, annotate_dir=annotate_dir, progress=step)
    if as_json:
        click.echo(strict_json([f.to_dict() for f in report.files], ensure_ascii=False, indent=2,
                               default=str))
    else:
        for result in report.files:
            who = f" — {result.unit}, {result.periode}" if result.unit else ""
            click.echo(f"{result.file}: {result.status.label.upper()}{who} "
                       f"({len(result.findings)} temuan)")
            for finding in result.findings:
                click.echo(returned_finding_line(finding.code, finding.severity, finding.sheet,
                                                 finding.cell, finding.message))
            if result.annotated:
                click.echo(f"  salinan bercatatan: {result.annotated}")
    sys.exit(0 if report.ok else 1)
