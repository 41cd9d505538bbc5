"""`iki-xlsx simpan pindah --ke postgresql://...`: the office's SQLite store moved onto a
PostgreSQL server, verified file by file and row by row (the library: `store.move`).

Exit codes: 0 moved and verified, 1 moved with raw files missing or damaged, or not moved
because a row would change (or the server cannot be used), 2 usage (a URL with a password,
a target that holds anything, no store)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from iki_xlsx.cli.bahasa import Group
from iki_xlsx.cli.terminal import error_line
from iki_xlsx.core.progress import Progress, no_progress


@click.group(cls=Group)
def simpan() -> None:
    """Penyimpanan: pindahkan ke server PostgreSQL."""


@simpan.command()
@click.option("--ke", "url", required=True, metavar="URL",
              help="Basis data tujuan, postgresql://pengguna@host:port/nama (tanpa kata sandi: "
                   "IKI_DB_PASSWORD atau .pgpass).")
@click.option("--skema", default="public", show_default=True, metavar="NAMA",
              help="Skema PostgreSQL untuk tabel kantor ini (satu skema per kantor).")
@click.option("--berkas", "raw_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, metavar="FOLDER",
              help="Folder berkas asli di server (bawaan: simpan/berkas yang sama).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, metavar="FOLDER",
              help="Folder penyimpanan SQLite yang dipindahkan (bawaan: simpan/ ruang kerja).")
def pindah(url: str, skema: str, raw_dir: Path | None, store_dir: Path | None) -> None:
    """Pindahkan penyimpanan SQLite kantor ke server PostgreSQL (diperiksa per berkas dan per
    baris; tujuan harus kosong)."""
    from iki_xlsx.core.errors import UsageError
    from iki_xlsx.store.db import Store
    from iki_xlsx.store.location import LocationError, parse_location
    from iki_xlsx.store.move import move_steps, move_store

    try:
        location = parse_location(url, skema)
    except LocationError as exc:
        _fail_usage(str(exc))
    source_dir = store_dir or _workspace_store()
    source = Store(source_dir)
    if not source.exists():
        _fail_usage(f"penyimpanan {source_dir} belum ada; tidak ada yang dipindahkan")
    target = Store(source_dir, database=location, raw=raw_dir or source.raw)
    try:
        with _progress(move_steps(source)) as step:
            result = move_store(source, target, step)
    except UsageError as exc:
        _fail_usage(str(exc))
    for table in result.tables:
        if not table.same:
            click.echo(error_line(f"tabel {table.name} baris ke-{table.first_difference} "
                                  f"berbeda di server; tidak ada baris yang dipindahkan"),
                       err=True)
    for sha in result.missing:
        click.echo(f"Peringatan: berkas asli {sha[:12]} hilang dari {source_dir}; barisnya "
                   "tetap dipindahkan (terima lagi berkas yang sama untuk memulihkannya)")
    for sha in result.damaged:
        click.echo(f"Peringatan: berkas asli {sha[:12]} di {source_dir} tidak sesuai hash-nya; "
                   "tidak disalin (terima lagi berkas yang sama untuk memulihkannya)")
    if not result.committed:
        sys.exit(1)
    click.echo(f"dipindahkan ke {result.target}: {result.files} berkas asli di {result.raw} "
               f"(diperiksa hash-nya), {result.rows} baris dari {len(result.tables)} tabel "
               "(diperiksa per baris)")
    click.echo(f"Penyimpanan SQLite {source_dir / 'iki.sqlite'} tidak diubah; simpan sebagai "
               "cadangan. Agar ruang kerja memakai server, tulis di iki.toml:")
    click.echo("[basis_data]")
    click.echo(f'url = "{url}"')
    if skema != "public":
        click.echo(f'skema = "{skema}"')
    if raw_dir is not None:
        click.echo(f'berkas = "{raw_dir.resolve()}"')
    sys.exit(0 if result.ok else 1)


def _workspace_store() -> Path:
    from iki_xlsx.cli.common import chosen_workspace
    from iki_xlsx.service.workspace import WorkspaceError

    try:
        ws = chosen_workspace()
    except WorkspaceError as exc:
        for finding in exc.findings:
            click.echo(error_line(finding.one_line()), err=True)
        _fail_usage("ruang kerja tidak dapat dipakai; perbaiki kesalahan di atas")
    if ws is None:
        _fail_usage("sebutkan --store FOLDER, atau jalankan perintah di dalam ruang kerja")
    if ws.config.basis_data is not None:
        _fail_usage("ruang kerja ini sudah memakai basis data server ([basis_data] di "
                    "iki.toml); tidak ada yang dipindahkan")
    return ws.store_dir


@contextmanager
def _progress(total: int) -> Iterator[Progress]:
    """A bar on stderr when it is a terminal; silent otherwise (pipes, logs, tests)."""
    terminal = getattr(sys.stderr, "stream", sys.stderr)
    if not terminal.isatty():
        yield no_progress
        return
    with click.progressbar(length=total, label="memindahkan", file=terminal,
                           show_pos=True) as bar:
        yield bar.update


def _fail_usage(message: str) -> NoReturn:
    click.echo(error_line(message), err=True)
    sys.exit(2)
