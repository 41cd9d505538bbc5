"""The office's mail settings, resolved once: what a face was told (command options, a form)
over what the workspace's `iki.toml` says, with its ports and its password.

A password never comes from a file: the face passes a `PasswordFor` (the command line reads
the environment or asks; the web app takes the form's field or the environment).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from iki_xlsx.core.errors import UsageError
from iki_xlsx.mail.outbox import DEFAULT_RETRY, Retry, Smtp, valid_address
from iki_xlsx.service.workspace import Config

if TYPE_CHECKING:
    from iki_xlsx.mail.imap import ImapAccount  # IMAP (ssl, the intake): where it is used

Security = Literal["none", "starttls", "ssl"]
PasswordFor = Callable[[str], str | None]  # the user name -> the password (None: none)
SMTP_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "ssl": 465}
IMAP_PORT = 993
KEAMANAN: dict[str, Security] = {"starttls": "starttls", "ssl": "ssl", "tanpa": "none"}


def no_password(_: str) -> None:
    """For a face that has no password to give."""


def host_port(text: str, default: int) -> tuple[str, int]:
    """`host`, `host:port`, `v6::addr`, `[v6::addr]` or `[v6::addr]:port`: the host and port.

    Raises `UsageError` for a port that is not a number from 1 to 65535."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
        if rest and port is None:
            raise UsageError(f"port tidak sah: '{text}'")
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:  # a name, or an IPv6 address without brackets (no port can follow it)
        host, port = text, None
    if port is None:
        return host, default
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise UsageError(f"port tidak sah: '{text}'")
    return host, int(port)


@dataclass(frozen=True)
class SmtpChoice:
    """What the face was told about SMTP; what it leaves out, the workspace's `[smtp]` says."""

    host: str | None = None  # HOST[:PORT]
    security: Security | None = None
    user: str | None = None
    cafile: Path | None = None
    sender: str | None = None  # the From address


def smtp_settings(choice: SmtpChoice, config: Config | None,
                  password: PasswordFor) -> Smtp | None:
    """Where and how to send, or None when neither the face nor the workspace names a server.

    A host given by the face stands alone (its security and user are the face's); without
    one, the workspace's `[smtp]` gives host, security and user, the face's choices winning."""
    workspace = config.smtp if config is not None else None
    if choice.host is not None:
        host_text, security, user = choice.host, choice.security or "none", choice.user
    elif workspace is not None:
        host_text = workspace.host
        security = choice.security or KEAMANAN[workspace.keamanan]
        user = choice.user or workspace.user
    else:
        return None
    if user and security == "none":
        raise UsageError(f"pengguna SMTP {user} memerlukan STARTTLS atau SSL (keamanan di [smtp] "
                         "iki.toml) agar kata sandi tidak terkirim tanpa enkripsi")
    host, port = host_port(host_text, SMTP_PORTS[security])
    return Smtp(host, port, security, user, password(user) if user else None, choice.cafile)


def sender_address(choice: SmtpChoice, config: Config | None) -> str | None:
    """The From address: the face's, else the workspace's `pengirim`, else the SMTP user when
    it is an address; None when that is not a valid address."""
    workspace = config.smtp if config is not None else None
    user = choice.user or (workspace.user if workspace is not None and choice.host is None
                           else None)
    chosen = choice.sender or (workspace.pengirim if workspace is not None else None) \
        or (user if user and "@" in user else None)
    return chosen if chosen and valid_address(chosen) else None


@dataclass(frozen=True)
class ImapChoice:
    """What the face was told about the mailbox; the rest comes from the workspace's `[imap]`."""

    host: str | None = None  # HOST[:PORT]
    user: str | None = None
    folder: str | None = None
    cafile: Path | None = None


def imap_account(choice: ImapChoice, config: Config | None,
                 password: PasswordFor) -> ImapAccount | None:
    """The mailbox to read, or None when neither the face nor the workspace names one (or it
    has no user)."""
    from iki_xlsx.mail.imap import ImapAccount

    workspace = config.imap if config is not None else None
    host_text = choice.host or (workspace.host if workspace is not None else None)
    user = choice.user or (workspace.user if workspace is not None else None)
    if host_text is None or not user:
        return None
    folder = choice.folder or (workspace.folder if workspace is not None else "INBOX")
    host, port = host_port(host_text, IMAP_PORT)
    return ImapAccount(host, port, user, password(user) or "", folder, choice.cafile)


@dataclass(frozen=True)
class Mailing:
    """How the messages of one run go out: by SMTP, or written as `.eml` files (`dry_run`)."""

    sender: str
    smtp: Smtp | None = None
    dry_run: Path | None = None
    log: Path | None = None  # the send log (default: the store's kirim-log.jsonl)
    retry: Retry = DEFAULT_RETRY
    ulang: bool = False  # send again what was sent before
    templates: Path | None = None  # the office's own e-mail texts (default: templat/)
    batas: datetime.date | None = None  # the returns' deadline (default: iki.toml's)
