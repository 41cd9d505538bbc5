"""What every command shares: the workspace and office it works in, refusals (exit 2), the
options several commands take, progress bars, and the findings' lines.

Importing this module first puts Click's own messages in Bahasa Indonesia before any option
is declared (`bahasa.install`).
"""

from __future__ import annotations

import datetime
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from iki_xlsx.cli.bahasa import install
from iki_xlsx.cli.terminal import error_line, finding_line
from iki_xlsx.core.findings import Finding

install()  # Click's own messages in Bahasa Indonesia, before any option is declared

if TYPE_CHECKING:
    from iki_xlsx.blueprint.model import Blueprint
    from iki_xlsx.core.progress import Progress
    from iki_xlsx.service.office import Office
    from iki_xlsx.service.site import Site
    from iki_xlsx.service.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

# options several commands share, declared once
json_option = click.option("--json", "as_json", is_flag=True, help="Cetak satu dokumen JSON.")
blueprints_option = click.option(
    "--blueprints", "blueprint_dir", type=click.Path(path_type=Path), default=None,
    metavar="FOLDER", help="Folder blueprint (bawaan: blueprints/ bawaan).")
store_option = click.option(
    "--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="FOLDER",
    help="Folder penyimpanan (SQLite dan berkas asli; bawaan: simpan/ ruang kerja).")


def periode_option(help_text: str) -> Callable[[F], F]:
    """`--periode TAHUN`, checked by the one year rule (core.periode)."""
    return click.option("--periode", default=None, callback=lambda _c, _p, v: periode(v),
                        metavar="TAHUN", help=help_text)


def print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        click.echo(finding_line(finding), err=True)


def fail_usage(message: str) -> NoReturn:
    """A refusal of the request as given: one `Kesalahan: ` line, exit 2."""
    click.echo(error_line(message), err=True)
    sys.exit(2)


def workspace() -> Workspace | None:
    """The workspace named by `--ruang`, else the one holding the current folder, else None;
    in a kabupaten's workspace, the office `--kantor` names.

    A workspace whose iki.toml or unit.csv is invalid stops the command (exit 2), one line per
    error."""
    from iki_xlsx.service.workspace import WorkspaceError

    try:
        return chosen_workspace()
    except WorkspaceError as exc:
        print_findings(exc.findings)
        fail_usage("ruang kerja tidak dapat dipakai; perbaiki kesalahan di atas")


def chosen_workspace() -> Workspace | None:
    """The workspace the command works in (see `workspace`), raising `WorkspaceError` for one
    that cannot be used; `--kantor` missing in a kabupaten's workspace, naming an office
    kantor.csv does not list, or given outside a kabupaten's is a usage error (exit 2)."""
    from iki_xlsx.service.workspace import is_kabupaten, load_workspace

    root = _root()
    kode = _kantor()
    if root is None or not is_kabupaten(root):
        if kode is not None:
            fail_usage("--kantor hanya untuk ruang kerja kabupaten (berisi kantor.csv); ruang "
                       "kerja ini satu kantor, jalankan tanpa --kantor")
        return None if root is None else load_workspace(root)
    from iki_xlsx.core.errors import UsageError
    from iki_xlsx.service.kabupaten import load_kabupaten  # a kabupaten's workspace only

    if kode is None:
        kabupaten = load_kabupaten(root)
        shown = (", ".join(kabupaten.kodes[:10])
                 or "belum ada; tambah dengan: iki-xlsx kantor tambah KODE --nama NAMA")
        fail_usage(f"{root} adalah ruang kerja kabupaten; sebutkan kantornya dengan --kantor "
                   f"KODE (kantor yang ada: {shown})")
    try:
        return load_kabupaten(root).workspace(kode)
    except UsageError as exc:
        fail_usage(str(exc))


def _root() -> Path | None:
    """The workspace folder `--ruang` names, else the nearest one holding the current folder."""
    from iki_xlsx.service.workspace import find_root

    explicit = click.get_current_context().find_root().params.get("ruang")
    return Path(explicit) if explicit else find_root(Path.cwd())


def _kantor() -> str | None:
    kode = click.get_current_context().find_root().params.get("kantor")
    return kode if isinstance(kode, str) else None


def site() -> Site:
    """The site the command manages (accounts, offices): the kabupaten's workspace, or the
    single office's; none found is a usage error."""
    from iki_xlsx.service.site import Site
    from iki_xlsx.service.workspace import WorkspaceError

    root = _root()
    if root is None:
        fail_usage("ruang kerja tidak ditemukan; jalankan di folder ruang kerja (berisi "
                   "iki.toml) atau dengan iki-xlsx --ruang FOLDER")
    try:
        return Site.at(root)
    except WorkspaceError as exc:
        print_findings(exc.findings)
        fail_usage("ruang kerja tidak dapat dipakai; perbaiki kesalahan di atas")


def office(ws: Workspace | None, *, store_dir: Path | None = None,
           blueprint_dir: Path | None = None, units_csv: Path | None = None) -> Office:
    """The office of the workspace (or of none), the folders given on the command line
    winning. A units list with errors raises `OfficeFindings` (one line each, exit 1);
    `--blueprints` naming no folder is a usage error, not a reason to call every return an
    unknown blueprint."""
    from iki_xlsx.service.office import Office

    if blueprint_dir is not None and not blueprint_dir.is_dir():
        why = "bukan folder" if blueprint_dir.exists() else "tidak ada"
        fail_usage(f"folder blueprint {blueprint_dir} {why}; sebutkan folder yang berisi "
                   "blueprint dengan --blueprints")

    return Office.open(ws, store_dir=store_dir, blueprints_dir=blueprint_dir,
                       units_csv=units_csv)


def periode(text: str | None) -> int | None:
    """--periode by the one year rule (core.periode): else one line and exit 2."""
    from iki_xlsx.core.periode import parse_year, refusal

    if text is None:
        return None
    year = parse_year(text)
    if year is None:
        fail_usage(refusal(text))
    return year


def this_year() -> int:
    return datetime.date.today().year


def writable_folder(folder: Path, option: str) -> None:
    """Refuse (exit 2) an output folder that cannot be made or written, before any work."""
    from iki_xlsx.core.atomic import probe_folder
    from iki_xlsx.core.findings import os_reason

    try:
        probe_folder(folder)
    except OSError as exc:
        fail_usage(f"folder {option} {folder} tidak dapat ditulis ({os_reason(exc)}); "
                   "pilih folder lain")


def sources_exist(sources: tuple[Path, ...]) -> None:
    """Refuse (exit 2, one line) when a file or folder named on the command line is not there."""
    missing = [str(source) for source in sources if not source.exists()]
    if missing:
        fail_usage("sumber tidak ada: " + ", ".join(missing))


@contextmanager
def progress(total: int | None, label: str) -> Iterator[Progress]:
    """A progress bar on stderr when it is a terminal; silent otherwise (pipes, logs, tests).

    Yields the callable a library function takes as `progress`. With `total` None the bar
    counts what is done without an end."""
    from iki_xlsx.core.progress import no_progress

    terminal = getattr(sys.stderr, "stream", sys.stderr)  # the bar's \r and codes, unescaped
    if not terminal.isatty():
        yield no_progress
        return
    with click.progressbar(itertools.count() if total is None else None, length=total,
                           label=label, file=terminal, show_pos=True) as bar:
        def update(done: int) -> None:
            if bar.length is not None and bar.pos + done > bar.length:
                bar.length = bar.pos + done  # more than counted: a zip or an e-mail
            bar.update(done)

        yield update


def files_in(sources: Sequence[Path]) -> int:
    """The files named or inside the folders named: the bar's total for `terima` (a file
    that holds several workbooks, a zip or an e-mail, makes the total grow as they come)."""
    count = 0
    for source in sources:
        try:
            count += (sum(1 for p in source.rglob("*") if p.is_file()) if source.is_dir()
                      else 1)
        except OSError:
            count += 1
    return count


def counts(bp: Blueprint) -> str:
    """`20 jabatan, 107 indikator` (and `, 6 IKU` when the blueprint has an IKU table)."""
    n_ind = sum(len(j.indikator) for j in bp.jabatan)
    n_iku = len(bp.iku.indikator) if bp.iku else 0
    return f"{len(bp.jabatan)} jabatan, {n_ind} indikator" + (f", {n_iku} IKU" if n_iku else "")
