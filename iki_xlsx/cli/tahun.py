"""The performance year's commands: `target templat|catat|daftar`, `impor-realisasi`,
`dokumen pk|pengukuran|lkjip` and `ekspor-skp`. Each parses, asks the office's performance
year (`service.performance`), prints, exits: 0 done, 1 findings (a PK without a recorded
version), 2 usage (outside a workspace, an unknown blueprint, a bad year or period, a form with
errors: nothing recorded)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from iki_xlsx.cli.bahasa import Group
from iki_xlsx.cli.terminal import error_line, finding_line

if TYPE_CHECKING:
    from iki_xlsx.core.findings import Finding
    from iki_xlsx.documents.make import Made
    from iki_xlsx.service.performance import PerformanceYear

F = TypeVar("F", bound=Callable[..., Any])

BLUEPRINT = click.option("--blueprint", "blueprint_id", default=None, metavar="ID",
                         help="Id blueprint (perlu bila ruang kerja berisi beberapa).")
OVERWRITE = click.option("--timpa", is_flag=True,
                         help="Timpa berkas yang sudah ada (bawaan: menolak).")
DOCUMENTS = click.option("-o", "--output", "output", type=click.Path(path_type=Path),
                         default=None, metavar="FOLDER",
                         help="Folder dokumen (bawaan: keluaran/dokumen/ ruang kerja).")


def year(help_text: str, *, required: bool = True, name: str = "--tahun") -> Callable[[F], F]:
    """A year option checked by the one year rule (core.periode): else one line, exit 2."""
    return click.option(name, "tahun", required=required, metavar="TAHUN", help=help_text,
                        callback=lambda _c, _p, value: _year(value, name))


def _year(text: str | None, name: str) -> int | None:
    from iki_xlsx.core.periode import parse_year, refusal

    if text is None:
        return None
    found = parse_year(text)
    if found is None:
        _fail_usage(refusal(text, name))
    return found


def _fail_usage(message: str) -> NoReturn:
    click.echo(error_line(message), err=True)
    sys.exit(2)


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        click.echo(finding_line(finding), err=True)


@contextmanager
def _office() -> Iterator[PerformanceYear]:
    """The workspace's performance year; a refusal of the request as given exits 2."""
    from iki_xlsx.cli.common import chosen_workspace
    from iki_xlsx.core.errors import UsageError
    from iki_xlsx.service.performance import PerformanceYear
    from iki_xlsx.service.workspace import WorkspaceError

    try:
        ws = chosen_workspace()
    except WorkspaceError as exc:
        _print_findings(exc.findings)
        _fail_usage("ruang kerja tidak dapat dipakai; perbaiki kesalahan di atas")
    try:
        yield PerformanceYear.of(ws)
    except UsageError as exc:
        _fail_usage(str(exc))


def _as_typed(path: Path) -> str:
    """A written file as the operator types it where they stand: relative to the current
    folder when it lies beneath it (keluaran/formulir/...), else whole; quoted when it holds a
    space. The bare file name was not found from the workspace's own folder."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(path)
    return f'"{shown}"' if " " in shown else shown


# --- targets --------------------------------------------------------------------------------


@click.group(cls=Group)
def target() -> None:
    """Target kinerja kantor per tahun: formulir, versi (murni, perubahan), daftar versi."""


@target.command("templat")
@year("Tahun target, empat angka 2000-2100.")
@BLUEPRINT
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS", help="Berkas formulir .xlsx (bawaan: keluaran/formulir/"
                                     "target_BLUEPRINT_TAHUN.xlsx).")
@OVERWRITE
def target_templat(tahun: int, blueprint_id: str | None, output: Path | None,
                   timpa: bool) -> None:
    """Tulis formulir target tahun itu (berisi versi terakhir bila sudah ada)."""
    with _office() as office:
        written = office.target_form(tahun, bp_id=blueprint_id, out=output, overwrite=timpa)
    click.echo(f"formulir target ditulis: {written}")
    click.echo(f"isi lembar Versi dan Target, simpan, lalu catat dengan: iki-xlsx target catat "
               f"{_as_typed(written)}")


@target.command("catat")
@click.argument("path", type=click.Path(path_type=Path), metavar="BERKAS")
def target_catat(path: Path) -> None:
    """Periksa formulir target yang sudah diisi, lalu catat sebagai versi target."""
    with _office() as office:
        recorded = office.record_target(path)
    if not recorded.ok or recorded.version is None:
        _print_findings(recorded.findings)  # nothing recorded: one line per problem
        sys.exit(2)
    version = recorded.version
    state = "dicatat" if recorded.new else "sudah tercatat sebelumnya"
    click.echo(f"{version.name} ({version.blueprint}): {state}; {len(version.kecamatan)} "
               f"target kecamatan, {len(version.units)} target unit; SHA-256 {version.sha256}")


@target.command("daftar")
@year("Tahun yang ditampilkan (bawaan: semua).", required=False)
@BLUEPRINT
def target_daftar(tahun: int | None, blueprint_id: str | None) -> None:
    """Tampilkan versi target yang tercatat, urut waktu pencatatan."""
    with _office() as office:
        found = office.target_versions(tahun, blueprint_id)
    if not found:
        click.echo("belum ada versi target tercatat")
    for version in found:
        click.echo(f"{version.blueprint} {version.tahun}: {version.name}; alasan: "
                   f"{version.alasan}; berkas {version.filename} ({version.sha256[:16]})")


# --- last year's figures --------------------------------------------------------------------


@click.command("impor-realisasi")
@click.argument("path", type=click.Path(path_type=Path), required=False, metavar="BERKAS")
@year("Tahun realisasi yang diketik, empat angka 2000-2100.")
@click.option("--templat", "template", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS", help="Tulis formulir untuk mengetik realisasi tahun itu.")
@BLUEPRINT
@OVERWRITE
def impor_realisasi(path: Path | None, tahun: int, template: Path | None,
                    blueprint_id: str | None, timpa: bool) -> None:
    """Catat realisasi kecamatan suatu tahun yang diketik kantor (atau tulis formulirnya)."""
    if (path is None) == (template is None):
        _fail_usage("sebutkan berkas realisasi yang sudah diisi, atau --templat BERKAS untuk "
                    "formulirnya (salah satu)")
    with _office() as office:
        if template is not None:
            written = office.realisasi_form(tahun, bp_id=blueprint_id, out=template,
                                            overwrite=timpa)
            click.echo(f"formulir realisasi {tahun} ditulis: {written}")
            click.echo(f"isi lembar Realisasi, simpan, lalu catat dengan: iki-xlsx "
                       f"impor-realisasi {_as_typed(written)} --tahun {tahun}")
            return
        assert path is not None
        recorded = office.import_realisasi(path, tahun)
    if not recorded.ok or recorded.imported is None:
        _print_findings(recorded.findings)  # nothing recorded: one line per problem
        sys.exit(2)
    figures = recorded.imported
    state = "dicatat" if recorded.new else "sudah tercatat sebelumnya"
    click.echo(f"realisasi {figures.tahun} ({figures.blueprint}) diketik kantor: {state}; "
               f"{len(figures.figures)} indikator; SHA-256 {figures.sha256}")


# --- the documents ------------------------------------------------------------------------


@click.group(cls=Group)
def dokumen() -> None:
    """Dokumen kinerja kantor: Perjanjian Kinerja, pengukuran kinerja, tabel LKjIP Bab III."""


def _written(made: Made) -> NoReturn:
    _print_findings(made.findings)
    for path in made.files:
        click.echo(f"ditulis: {path}")
    sys.exit(0 if made.ok else 1)


@dokumen.command("pk")
@year("Tahun Perjanjian Kinerja, empat angka 2000-2100.")
@click.option("--perubahan", is_flag=True,
              help="PK perubahan (dari versi target perubahan yang terakhir).")
@BLUEPRINT
@DOCUMENTS
def dokumen_pk(tahun: int, perubahan: bool, blueprint_id: str | None,
               output: Path | None) -> None:
    """Perjanjian Kinerja: pernyataan dan lampiran target TW I-IV (Word dan xlsx)."""
    with _office() as office:
        made = office.document("pk", tahun, perubahan=perubahan, bp_id=blueprint_id,
                               out=output)
    _written(made)


@dokumen.command("pengukuran")
@year("Tahun yang diukur, empat angka 2000-2100.", name="--periode")
@click.option("--tw", "period", type=int, required=True, metavar="N",
              help="Triwulan yang diukur (1-4; semester 1-2).")
@BLUEPRINT
@DOCUMENTS
def dokumen_pengukuran(tahun: int, period: int, blueprint_id: str | None,
                       output: Path | None) -> None:
    """Pengukuran kinerja satu triwulan, s.d. triwulan itu (Word dan xlsx)."""
    with _office() as office:
        made = office.document("pengukuran", tahun, period=period, bp_id=blueprint_id,
                               out=output)
    _written(made)


@dokumen.command("lkjip")
@year("Tahun laporan, empat angka 2000-2100.")
@BLUEPRINT
@DOCUMENTS
def dokumen_lkjip(tahun: int, blueprint_id: str | None, output: Path | None) -> None:
    """Tabel LKjIP Bab III: satu tahun, dua tahun, per sasaran, Renstra, skala (Word, xlsx)."""
    with _office() as office:
        made = office.document("lkjip", tahun, bp_id=blueprint_id, out=output)
    _written(made)


@click.command("ekspor-skp")
@year("Tahun yang diekspor, empat angka 2000-2100.")
@click.option("--tw", "period", type=int, default=None, metavar="N",
              help="Hanya triwulan ini (bawaan: setiap triwulan tahun itu).")
@BLUEPRINT
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS", help="Berkas CSV (bawaan: keluaran/dokumen/"
                                     "skp_BLUEPRINT_TAHUN.csv).")
def ekspor_skp(tahun: int, period: int | None, blueprint_id: str | None,
               output: Path | None) -> None:
    """Ekspor CSV untuk SKP/e-Kinerja: per jabatan dan triwulan, target, realisasi, capaian."""
    with _office() as office:
        exported = office.export_skp(tahun, period=period, bp_id=blueprint_id, out=output)
    click.echo(f"ditulis: {exported.path} ({exported.rows} baris)")
