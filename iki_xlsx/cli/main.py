"""The `iki-xlsx` command: the group and its commands, one module each (parse, call the
office's service, print, exit).

Exit codes: 0 ok, 1 findings, 2 usage.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import click

from iki_xlsx import __version__
from iki_xlsx.cli.bahasa import VOCABULARY, Group, in_bahasa, indonesian_metavars, install

install()  # Click's own messages in Bahasa Indonesia, before any option is declared

# Every command by the name a user types (module:attribute in iki_xlsx.cli). A command's
# module, and what it imports, is loaded only when that command runs or help lists it:
# `periksa` does not pay for the web app, the mail or the documents.
COMMANDS = {
    "init": "init:init", "blueprint": "blueprint:blueprint", "buat": "generate:generate",
    "periksa": "check:check", "terima": "collect:collect", "kirim": "send:kirim",
    "status": "status:status", "rekap": "recap:rekap",
    "rekap-kabupaten": "rollup:rekap_kabupaten", "demo": "demo:demo", "web": "web:web",
    "simpan": "simpan:simpan", "akun": "akun:akun", "kantor": "kantor:kantor",
    "target": "tahun:target", "impor-realisasi": "tahun:impor_realisasi",
    "dokumen": "tahun:dokumen", "ekspor-skp": "tahun:ekspor_skp",
    "verifikasi": "signoff:verifikasi", "kembalikan": "signoff:kembalikan",
    "setujui": "signoff:setujui", "buka": "signoff:buka", "audit": "signoff:audit",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name, each imported (and put in Bahasa Indonesia) the first time
    it is asked for; listing the names imports nothing."""

    def __init__(self, where: dict[str, str]) -> None:
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attribute = self._where[name].split(":")
            command = getattr(importlib.import_module(f"iki_xlsx.cli.{module}"), attribute)
            assert isinstance(command, click.Command), self._where[name]
            command.name = name  # the Indonesian name (the English one stays an alias)
            in_bahasa(command)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command
        self._where.setdefault(name, "")

    def __delitem__(self, name: str) -> None:
        self._loaded.pop(name, None)
        del self._where[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


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


main.commands = LazyCommands(COMMANDS)
main.aliases = {english: indo for indo, english in VOCABULARY.items() if indo in COMMANDS}
indonesian_metavars(main)
