"""Real mail servers on loopback for the tests: aiosmtpd (SMTP) and Debian's dovecot (IMAP).

Both are started by the tests themselves on free ports; nothing leaves the machine.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "rahasia-uji"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made now (openssl CLI)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass
class Kotak:
    """An aiosmtpd handler keeping every message; it can refuse or delay recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550, permanently
    busy: dict[str, int] = field(default_factory=dict)  # address -> times to answer 451

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 Kotak surat tidak ada"
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "451 4.3.0 Coba lagi nanti"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  data: Any) -> AuthResult:
    ok = (isinstance(data, LoginPassword) and data.login == b"kecamatan"
          and data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


class SmtpServer:
    """aiosmtpd on a free loopback port; with `tls`, STARTTLS and login are required."""

    def __init__(self, handler: Kotak, tls: tuple[Path, Path] | None = None,
                 host: str = "127.0.0.1") -> None:
        self.handler = handler
        self.certificate = tls[0] if tls is not None else None
        self.port = free_port(host)
        options: dict[str, Any] = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            options = {"tls_context": context, "require_starttls": True,
                       "authenticator": _authenticate, "auth_require_tls": True}
        self.controller = Controller(handler, hostname=host, port=self.port, **options)

    def use(self, handler: Kotak) -> None:
        """From the next connection on, `handler` answers (a fresh mailbag for a new test)."""
        self.handler = handler
        self.controller.handler = handler

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()


# --- IMAP ---------------------------------------------------------------------------------------

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
default_internal_user = {system_user}
default_internal_group = {system_group}
default_login_user = {system_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """Dovecot in a temporary folder on a free loopback port, IMAPS with the given certificate
    (and key), or one made for it. Any user logs in with PASSWORD; `mailbox` names a user no
    other test has used, so tests sharing the server never see each other's messages.

    Run by a normal user, everything runs as that user. Run by root, dovecot refuses root for
    login and mail processes, so those run as `nobody` and the mail folder belongs to it.
    """

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        if not Path(DOVECOT).exists():
            pytest.fail("dovecot is not installed (Debian package dovecot-imapd); "
                        "scripts/test.sh installs it", pytrace=False)
        self.root = Path(tempfile.mkdtemp(prefix="iki-dovecot-"))
        self.root.chmod(0o755)  # the mail processes may run as another user
        self.port = free_port()
        self.cert, self.key = tls if tls is not None else certificate(self.root)
        self.users: set[str] = set()
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self.uid, self.gid = nobody.pw_uid, nobody.pw_gid
            user, group = "nobody", _group_name(nobody.pw_gid)
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            user, group = pwd.getpwuid(self.uid).pw_name, _group_name(self.gid)
        (self.root / "mail").mkdir()
        os.chown(self.root / "mail", self.uid, self.gid)
        (self.root / "dovecot.conf").write_text(CONFIG.format(
            root=self.root, cert=self.cert, key=self.key, system_user=user, system_group=group,
            password=PASSWORD, uid=self.uid, gid=self.gid, port=self.port))

    def start(self) -> Dovecot:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(200):  # readiness, not a timing assumption: wait until it listens
            if self.process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        output = self.process.stdout.read().decode() if self.process.poll() is not None and \
            self.process.stdout else ""
        self.stop()
        pytest.fail(f"dovecot did not start: {output}\n{self.log()}", pytrace=False)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def mailbox(self, name: str) -> str:
        """A user named after `name` whose mailbox no one has used yet on this server."""
        user, n = name, 1
        while user in self.users or (self.root / "mail" / user).exists():
            n += 1
            user = f"{name}{n}"
        self.users.add(user)
        return user

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        base = self.root / "mail" / user
        return base if folder == "INBOX" else base / f".{folder}"

    def deliver(self, user: str, message: bytes, flags: str = "", folder: str = "INBOX") -> Path:
        """Put a message straight into the maildir (cur/, with its flags), as a MDA would."""
        box = self.maildir(user, folder)
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        count = sum(1 for _ in (box / "cur").iterdir())
        path = box / "cur" / f"{1_800_000_000 + count}.M{count}P{os.getpid()}.uji:2,{flags}"
        path.write_bytes(message)
        for item in (self.root / "mail", *(self.root / "mail").rglob("*")):
            os.chown(item, self.uid, self.gid)
        return path

    def snapshot(self, user: str) -> dict[str, bytes]:
        """Every message file (name with its flags, and contents) of a user's maildir."""
        base = self.root / "mail" / user
        return {str(p.relative_to(base)): p.read_bytes() for p in base.rglob("*")
                if p.is_file() and p.parent.name in ("cur", "new", "tmp")}


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
