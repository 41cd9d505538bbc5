"""The `iki-xlsx` command: the group and its commands, one module each (parse, call the
office's service, print, exit).

Exit codes: 0 ok, 1 findings, 2 usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from iki_xlsx import __version__
from iki_xlsx.cli import (
    akun,
    blueprint,
    check,
    collect,
    demo,
    generate,
    init,
    kantor,
    recap,
    rollup,
    send,
    signoff,
    simpan,
    status,
    tahun,
    web,
)
from iki_xlsx.cli.bahasa import Group, apply_vocabulary


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iki-xlsx")
@click.option("--ruang", "ruang", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder ruang kerja (bawaan: dicari dari folder ini ke atas, "
                                 "seperti git).")
@click.option("--kantor", "kantor", default=None, metavar="KODE",
              help="Kantor kecamatan yang dikerjakan, di ruang kerja kabupaten (kode dari "
                   "kantor.csv).")
def main(ruang: Path | None, kantor: str | None) -> None:
    """iki-xlsx: lembar kerja Indikator Kinerja Individu (IKI) untuk kantor kecamatan."""
    from iki_xlsx.cli.terminal import EscapingStream

    # text from returned files and e-mails (names, subjects) reaches the terminal escaped
    if not isinstance(sys.stdout, EscapingStream):
        sys.stdout = EscapingStream(sys.stdout)
    if not isinstance(sys.stderr, EscapingStream):
        sys.stderr = EscapingStream(sys.stderr)


for command in (init.init, blueprint.blueprint, generate.generate, check.check,
                collect.collect, send.kirim, status.status, recap.rekap,
                rollup.rekap_kabupaten, demo.demo, web.web,
                simpan.simpan, akun.akun, kantor.kantor, *tahun.COMMANDS,
                *signoff.COMMANDS):
    main.add_command(command)
apply_vocabulary(main)
