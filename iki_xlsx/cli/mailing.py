"""The mail options of `kirim` and `terima --balas`, turned into the service's settings: the
options say what they say, the workspace's `[smtp]`/`[imap]` the rest (service.settings), and
a password comes from the environment or is asked for, never from the command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from iki_xlsx.cli.common import fail_usage

if TYPE_CHECKING:
    from iki_xlsx.mail.outbox import Smtp
    from iki_xlsx.service.office import Office
    from iki_xlsx.service.settings import PasswordFor, Security, SmtpChoice


def asked(variable: str, label: str) -> PasswordFor:
    """A password from the environment variable, else asked for (hidden) when there is a
    terminal to ask at; without one, a refusal that names the variable (exit 2)."""

    def password(user: str) -> str:
        if os.environ.get(variable):
            return os.environ[variable]
        if not sys.stdin.isatty():  # no one to ask (a pipe, cron): never an echoing prompt
            fail_usage(f"kata sandi {label} untuk {user} belum ada: setel variabel {variable}, "
                       "atau jalankan perintah ini di terminal agar kata sandi ditanyakan")
        return str(click.prompt(f"Kata sandi {label} untuk {user}", hide_input=True, err=True))

    return password


def smtp_choice(host: str | None, starttls: bool, use_ssl: bool, user: str | None,
                cafile: Path | None, sender: str | None, prefix: str = "--") -> SmtpChoice:
    """What the options say about SMTP; contradictions are refused (exit 2)."""
    from iki_xlsx.service.settings import SmtpChoice

    if starttls and use_ssl:
        fail_usage(f"pilih salah satu: {prefix}starttls atau {prefix}ssl")
    if user and host is not None and not (starttls or use_ssl):
        fail_usage(f"{prefix}user memerlukan {prefix}starttls atau {prefix}ssl agar kata sandi "
                   "tidak terkirim tanpa enkripsi")
    security: Security | None = "ssl" if use_ssl else "starttls" if starttls else None
    return SmtpChoice(host, security, user, cafile, sender)


def smtp_settings(choice: SmtpChoice, office: Office) -> Smtp | None:
    """The SMTP server to send with (the password asked for when there is a user), or None
    when neither the options nor the workspace name one."""
    from iki_xlsx.mail.outbox import PASSWORD_ENV
    from iki_xlsx.service.settings import smtp_settings as resolve

    return resolve(choice, office.config, asked(PASSWORD_ENV, "SMTP"))


def sender(choice: SmtpChoice, office: Office) -> str:
    """The From address, or a refusal (exit 2)."""
    from iki_xlsx.service.settings import sender_address

    chosen = sender_address(choice, office.config)
    if chosen is None:
        fail_usage("sebutkan alamat pengirim yang sah dengan --from")
    return chosen
