"""The terminal in Bahasa Indonesia: Click's own messages (usage errors, help headings) in
Indonesian, command names in the project's vocabulary with the English names kept as aliases,
and metavars a user can read.

Click marks every message it prints with gettext; `install()` gives those modules a
translation of their own instead of the process-wide gettext domain.
"""

from __future__ import annotations

import errno
import importlib
import sys
from typing import Any

import click

from iki_xlsx.cli.startup import pause, started, starts_up_itself

# Indonesian command name -> the English name kept as an alias (COORDINATION.md vocabulary)
VOCABULARY = {"buat": "generate", "periksa": "check", "terima": "collect", "daftar": "list"}

MESSAGES = {
    "Usage:": "Penggunaan:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen",
    "Show this message and exit.": "Tampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "%(prog)s, version %(version)s": "%(prog)s, versi %(version)s",
    "Error: {message}": "Kesalahan: {message}",
    "Try '{command} {option}' for help.": "Coba '{command} {option}' untuk bantuan.",
    "Missing {param_type}": "Belum ada {param_type}",
    "Missing argument": "Belum ada argumen",
    "Missing option": "Belum ada opsi",
    "Missing parameter": "Belum ada parameter",
    "Missing command.": "Perintah belum diberikan.",
    "Missing parameter: {param_name}": "Belum ada parameter: {param_name}",
    "argument": "argumen",
    "option": "opsi",
    "parameter": "parameter",
    "No such command {name!r}.": "Tidak ada perintah {name!r}.",
    "No such option {name!r}.": "Tidak ada opsi {name!r}.",
    "No such option: {name}": "Tidak ada opsi: {name}",
    "Did you mean {possibility}?": "Maksud Anda {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Maksud Anda salah satu dari: {possibilities}?)",
    "Got unexpected extra argument ({args})": "Ada argumen lebih yang tidak dikenal ({args})",
    "Got unexpected extra arguments ({args})": "Ada argumen lebih yang tidak dikenal ({args})",
    "Option {name!r} does not take a value.": "Opsi {name!r} tidak menerima nilai.",
    "Option {name!r} requires an argument.": "Opsi {name!r} memerlukan nilai.",
    "Option {name!r} requires {nargs} arguments.": "Opsi {name!r} memerlukan {nargs} nilai.",
    "Argument {name!r} takes {nargs} values.": "Argumen {name!r} memerlukan {nargs} nilai.",
    "Takes {nargs} values but 1 was given.": "Memerlukan {nargs} nilai, diberikan 1.",
    "Takes {nargs} values but {len} were given.": "Memerlukan {nargs} nilai, diberikan {len}.",
    "Invalid value for {param_hint}: {message}": "Nilai tidak sah untuk {param_hint}: {message}",
    "Invalid value: {message}": "Nilai tidak sah: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan bilangan yang sah.",
    "{value} is not in the range {range}.": "{value} tidak dalam rentang {range}.",
    "{value!r} is not one of {choices}.": "{value!r} bukan salah satu dari {choices}.",
    "{value!r} is not {choice}.": "{value!r} bukan {choice}.",
    # the CLI's dates are all tahun-bulan-hari (click.DateTime(formats=["%Y-%m-%d"]))
    "{value!r} does not match the format {format}.":
        "{value!r} bukan tanggal tahun-bulan-hari (misalnya 2026-12-31).",
    "{value!r} does not match the formats {formats}.":
        "{value!r} bukan tanggal tahun-bulan-hari (misalnya 2026-12-31).",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} bukan nilai ya/tidak yang sah. Yang dikenal: {states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas, bukan folder.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah folder, bukan berkas.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak dapat dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak dapat ditulis.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} tidak dapat dijalankan.",
    "file": "Berkas",
    "directory": "Folder",
    "path": "Path",
    "Could not open file {filename!r}: {message}":
        "Berkas {filename!r} tidak dapat dibuka: {message}",
    "Aborted!": "Dibatalkan.",
    "Error: invalid input": "Kesalahan: isian tidak sah",
    "Error: The two entered values do not match.": "Kesalahan: kedua isian tidak sama.",
    "Repeat for confirmation": "Ulangi untuk konfirmasi",
    "default: {default}": "bawaan: {default}",
    "required": "wajib",
    "env var: {var}": "variabel lingkungan: {var}",
    "Choose from:\n\t{choices}": "Pilih dari:\n\t{choices}",
    "Do you want to continue?": "Lanjutkan?",
    "Press any key to continue...": "Tekan sembarang tombol untuk melanjutkan...",
    "{len_type} values are required, but {len_value} was given.":
        "Diperlukan {len_type} nilai, diberikan {len_value}.",
    "{len_type} values are required, but {len_value} were given.":
        "Diperlukan {len_type} nilai, diberikan {len_value}.",
}

METAVARS = {"INTEGER": "BILANGAN", "TEXT": "TEKS", "PATH": "LOKASI", "FILE": "BERKAS",
            "DIRECTORY": "FOLDER", "FLOAT": "ANGKA", "BOOLEAN": "YA/TIDAK",
            "INTEGER RANGE": "BILANGAN", "FLOAT RANGE": "ANGKA"}
ARGUMENT_NAMES = {"files": "BERKAS", "sources": "SUMBER", "source": "SUMBER",
                  "workbook_dir": "FOLDER", "paths": "LOKASI", "folder": "FOLDER"}
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui",
                 "utils")


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


def install() -> None:
    """Give Click's modules the Indonesian translation (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            setattr(module, "_", translate)  # noqa: B010 (a module global, by name)
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", translate_plural)  # noqa: B010


class Group(click.Group):
    """A command group whose commands also answer to their English names, and whose commands
    never end in a traceback for a refusal no command explained: an OSError is one
    `Kesalahan: PATH: why` line, a library error (`IkiError`, said in Bahasa Indonesia) one
    `Kesalahan: ...` line; both exit 1. The service's refusal of a request as given
    (`UsageError`) exits 2, its stopping findings (`OfficeFindings`) are one line each, exit 1."""

    aliases: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPSI]")
        kwargs.setdefault("subcommand_metavar", "PERINTAH [ARG]...")
        super().__init__(*args, **kwargs)
        self.aliases = {}

    def invoke(self, ctx: click.Context) -> Any:
        from iki_xlsx.cli.terminal import error_line, finding_line, os_error_line
        from iki_xlsx.core.errors import IkiError, UsageError
        from iki_xlsx.service.context import OfficeFindings

        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (`| head`): Click's own case
                raise
            click.echo(os_error_line(exc), err=True)
            sys.exit(1)
        except UsageError as exc:  # the request as given cannot be carried out
            click.echo(error_line(str(exc)), err=True)
            sys.exit(2)
        except OfficeFindings as exc:  # findings that stop the command, one line each
            for finding in exc.findings:
                click.echo(finding_line(finding), err=True)
            sys.exit(1)
        except IkiError as exc:
            click.echo(error_line(str(exc)), err=True)
            sys.exit(1)

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        if args is None:  # the process's own command line: its start-up is this command's
            pause()
        return super().main(args, *rest, **kwargs)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[
            str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if not starts_up_itself(command):
            started()
        return name, command, rest

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        english = {indo: en for en, indo in self.aliases.items()}
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            shown = f"{name} ({english[name]})" if name in english else name
            rows.append((shown, command.get_short_help_str(limit=150)))
        if rows:
            with formatter.section(translate("Commands")):
                formatter.write_dl(rows)


def apply_vocabulary(group: click.Group) -> None:
    """Rename commands to their Indonesian names (English kept as alias), through nested
    groups, and give every command Indonesian metavars."""
    if isinstance(group, Group):
        for indo, english in VOCABULARY.items():
            command = group.commands.pop(english, None)
            if command is not None:
                command.name = indo
                group.commands[indo] = command
                group.aliases[english] = indo
    indonesian_metavars(group)
    for command in group.commands.values():
        in_bahasa(command)


def in_bahasa(command: click.Command) -> None:
    """One command (a group with its commands) in the project's vocabulary."""
    if isinstance(command, click.Group):
        apply_vocabulary(command)
    else:
        indonesian_metavars(command)


def indonesian_metavars(command: click.Command) -> None:
    command.options_metavar = "[OPSI]"
    for param in command.params:
        if isinstance(param, click.Argument) and param.name in ARGUMENT_NAMES:
            shown = ARGUMENT_NAMES[param.name] + ("..." if param.nargs != 1 else "")
            param.metavar = shown if param.required else f"[{shown}]"
        if param.metavar is None and isinstance(param.type, click.DateTime):
            param.metavar = "TTTT-BB-HH"  # tahun-bulan-hari, not strftime's %Y-%m-%d
        if param.metavar is None and isinstance(param, click.Option) and not param.is_flag:
            original = param.type.name.upper()
            if isinstance(param.type, click.Path):
                original = ("DIRECTORY" if not param.type.file_okay else
                            "FILE" if not param.type.dir_okay else "PATH")
            if original in METAVARS:
                param.metavar = METAVARS[original]
