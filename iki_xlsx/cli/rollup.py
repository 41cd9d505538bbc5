"""`iki-xlsx rekap-kabupaten --periode TAHUN [--tw N]`: the kabupaten's roll-up of every
kecamatan; and `terima BERKAS...` in a kabupaten's workspace: the recap files offices send."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx.cli.common import fail_usage, periode_option, print_findings
from iki_xlsx.cli.terminal import returned_finding_line


def kabupaten_root() -> Path | None:
    """The kabupaten workspace the command works in as the kabupaten itself: `--ruang`, else
    the nearest workspace from this folder upward, when it is a kabupaten's and `--kantor`
    names none of its offices (None otherwise)."""
    from iki_xlsx.cli.common import _kantor, _root
    from iki_xlsx.service.workspace import is_kabupaten

    root = _root()
    if root is None or _kantor() is not None or not is_kabupaten(root):
        return None
    return root


def _rollup(root: Path):  # type: ignore[no-untyped-def]
    from iki_xlsx.service.kabupaten import load_kabupaten
    from iki_xlsx.service.rollup import KabupatenRollup
    from iki_xlsx.service.workspace import WorkspaceError

    try:
        return KabupatenRollup(load_kabupaten(root))
    except WorkspaceError as exc:
        print_findings(exc.findings)
        fail_usage("ruang kerja kabupaten tidak dapat dipakai; perbaiki kesalahan di atas")


def receive(root: Path, sources: tuple[Path, ...]) -> None:
    """`terima BERKAS...` in a kabupaten: each recap file kept, judged and said; exit 1 when
    one is not accepted."""
    rollup = _rollup(root)
    files = []
    for source in sources:
        paths = sorted(p for p in source.rglob("*.xlsx")) if source.is_dir() else [source]
        for path in paths:
            try:
                files.append((path.name, path.read_bytes()))
            except OSError as exc:
                click.echo(f"dilewati: {path}: {exc.strerror}")
    received = rollup.receive(files)
    for item in received:
        checked = item.checked
        who = f" kantor {checked.kode}" if checked.kode else ""
        click.echo(f"{'baru' if item.new else 'sudah ada'}: {item.filename} "
                   f"({item.sha256[:12]}){who} {checked.status.label.upper()}")
        for finding in checked.findings[:20]:
            click.echo(returned_finding_line(finding.code, finding.severity, finding.sheet,
                                             finding.cell, finding.message))
        if len(checked.findings) > 20:
            click.echo(f"  ... dan {len(checked.findings) - 20} temuan lain")
    from iki_xlsx.core.states import Status

    sys.exit(0 if all(r.checked.status is Status.OK for r in received) else 1)


@click.command("rekap-kabupaten")
@periode_option("Tahun yang direkap, empat angka 2000-2100.")
@click.option("--tw", type=click.IntRange(1, 4), default=None, metavar="N",
              help="Rekap sampai akhir triwulan N (bawaan: setahun).")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS", help="Berkas .xlsx yang ditulis (bawaan: keluaran/"
                                     "rekap-kabupaten/ ruang kerja kabupaten).")
def rekap_kabupaten(periode: int | None, tw: int | None, output: Path | None) -> None:
    """Tulis rekap kabupaten: setiap kecamatan dari server atau dari berkas rekapnya."""
    root = kabupaten_root()
    if root is None:
        fail_usage("rekap-kabupaten dijalankan di ruang kerja kabupaten (buat dengan: "
                   "iki-xlsx init --kabupaten FOLDER), atau sebutkan --ruang FOLDER")
    if periode is None:
        fail_usage("sebutkan --periode TAHUN, misalnya --periode 2026")
    if output is not None and output.suffix.lower() != ".xlsx":
        fail_usage("berkas rekap harus berakhiran .xlsx")
    result = _rollup(root).rollup(periode, tw, output)
    source = result.source
    assert source is not None
    late = [f for f in source.figures.values() if f.late]
    click.echo(f"rekap kabupaten ditulis: {result.path}")
    click.echo(f"{len(source.figures)} dari {len(source.offices)} kecamatan mempunyai data "
               f"s.d. {source.period_label}; {len(source.refused)} berkas rekap ditolak")
    for office in late:
        periods = office.blueprint.periods
        reach = periods[office.reached - 1] if office.reached else "belum ada"
        click.echo(f"terlambat: kantor {office.kode} ({office.nama}) data s.d. {reach}")
    for refused in source.refused:
        first = refused.findings[0].message if refused.findings else ""
        click.echo(f"ditolak: {refused.filename}: {first}")
    print_findings(result.findings)
    sys.exit(0 if result.ok else 1)
