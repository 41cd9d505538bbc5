"""`iki-xlsx blueprint periksa|daftar|templat|ubah`: the office's blueprints."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from iki_xlsx.cli.bahasa import Group
from iki_xlsx.cli.common import (
    counts,
    fail_usage,
    json_option,
    office,
    print_findings,
    workspace,
)

if TYPE_CHECKING:
    from iki_xlsx.service.office import Office

OVERWRITE = click.option("--timpa", is_flag=True,
                         help="Timpa berkas hasil yang sudah ada (bawaan: menolak).")


@click.group(cls=Group)
def blueprint() -> None:
    """Periksa, tampilkan, buat dan ubah blueprint (keputusan IKI dalam YAML atau lembar kerja)."""


def _blueprint_paths(paths: tuple[Path, ...], here: Office) -> tuple[Path, ...]:
    """The paths given (a blueprint's id stands for its file, as `buat` accepts it), else the
    workspace's blueprints."""
    if paths:
        return tuple(here.blueprint_file(p) for p in paths)
    if here.workspace is None:
        fail_usage("sebutkan berkas blueprint, atau jalankan di dalam ruang kerja")
    return tuple(here.blueprint_files())


@blueprint.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def blueprint_check(paths: tuple[Path, ...]) -> None:
    """Validasi blueprint (bawaan: blueprints/ ruang kerja); keluar 1 bila ada kesalahan."""
    here = office(workspace())
    checked = here.check_blueprints(_blueprint_paths(paths, here))
    print_findings(checked.report.findings)
    print_findings(checked.conflicts)
    for result in checked.report.results:
        if result.ok and result.blueprint is not None:
            click.echo(f"{result.path}: sah ({counts(result.blueprint)})")
    sys.exit(0 if checked.ok else 1)


@blueprint.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
def blueprint_list(paths: tuple[Path, ...], as_json: bool) -> None:
    """Tampilkan jabatan, indikator, jenis dan variabel."""
    from iki_xlsx.blueprint.catalog import describe
    from iki_xlsx.core.angka import strict_json

    here = office(workspace())
    report = here.check_blueprints(_blueprint_paths(paths, here)).report
    print_findings(report.findings)
    described = [describe(r.blueprint, r.path) for r in report.results if r.blueprint]
    if as_json:
        jabatan = [j for d in described for j in d["jabatan"]]
        click.echo(strict_json({"blueprints": described, "jabatan": jabatan},
                               ensure_ascii=False, indent=2))
    else:
        for d in described:
            click.echo(f"{d['id']} (versi {d['versi']}): {d['nama']}")
            for jab in d["jabatan"]:
                click.echo(f"  {jab['nama']} [{jab['id']}] x{jab['jumlah_pemangku']}")
                for ind in jab["indikator"]:
                    names = ", ".join(v["id"] for v in ind["variabel"])
                    click.echo(f"    - {ind['nama']} ({ind['jenis']}; {names})")
            for iku in d["iku"]:
                click.echo(f"  IKU: {iku['nama']} ({iku['jenis']}) "
                           f"- {', '.join(iku['penanggung_jawab'])}")
    sys.exit(0 if report.ok else 1)


def _writable(output: Path, overwrite: bool) -> None:
    """Refuse to replace a file unless asked: a hand-written YAML loses its comments."""
    from iki_xlsx.core.findings import os_reason

    try:
        exists = output.exists()
    except OSError as exc:  # a name too long, a folder that cannot be entered
        fail_usage(f"{output} tidak dapat ditulis ({os_reason(exc)})")
    if exists and not overwrite:
        fail_usage(f"{output} sudah ada; pakai --timpa untuk menimpanya")


def _write_or_refuse(write: Callable[[], object], output: Path) -> None:
    from iki_xlsx.core.findings import os_reason

    try:
        write()
    except OSError as exc:
        fail_usage(f"{output} tidak dapat ditulis ({os_reason(exc)})")


@blueprint.command("templat")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True,
              metavar="BERKAS", help="Berkas .xlsx yang ditulis.")
@OVERWRITE
def blueprint_template(output: Path, timpa: bool) -> None:
    """Tulis lembar kerja blueprint kosong untuk diisi (Petunjuk, Kantor, Jabatan, ...)."""
    if output.suffix.lower() != ".xlsx":
        fail_usage("berkas templat harus berakhiran .xlsx")
    _writable(output, timpa)
    here = office(None)
    _write_or_refuse(lambda: here.write_blueprint_template(output), output)
    click.echo(f"Templat blueprint ditulis: {output}")


@blueprint.command("ubah")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True,
              metavar="BERKAS", help="Berkas hasil: .xlsx dari YAML, atau .yaml dari .xlsx.")
@OVERWRITE
def blueprint_convert(source: Path, output: Path, timpa: bool) -> None:
    """Ubah blueprint YAML (berkas atau id) menjadi lembar kerja .xlsx, atau sebaliknya."""
    from iki_xlsx.blueprint.load import load_blueprint

    if output.suffix.lower() not in (".xlsx", ".yaml", ".yml"):
        fail_usage("berkas hasil harus berakhiran .xlsx, .yaml atau .yml")
    _writable(output, timpa)
    here = office(workspace())
    source = here.blueprint_file(source)  # a blueprint's id stands for its file here too
    loaded = load_blueprint(source)
    print_findings(loaded.findings)
    if loaded.blueprint is None or not loaded.ok:
        sys.exit(1)
    bp = loaded.blueprint
    _write_or_refuse(lambda: here.convert_blueprint(bp, output), output)
    click.echo(f"{source} -> {output} ({counts(bp)})")
