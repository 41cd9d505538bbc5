"""What keeps the web app the office's own: passwords, roles, CSRF tokens, the Host header,
login rate limits and the response headers every page carries."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from iki_xlsx.core.atomic import atomic_write

ROLES = ("operator", "pemeriksa")  # operator: everything; pemeriksa: read and download only
PASSWORDS_NAME = "web-sandi.json"
MAX_PASSWORDS_BYTES = 64 * 1024
SECRET_NAME = "web-rahasia"  # the key that signs session cookies, shared by every worker
MIN_PASSWORD = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # RFC 7914's interactive-login parameters
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           "img-src 'self'; connect-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, hex; only this is ever stored."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


class Passwords:
    """The roles' password hashes, in one file of the workspace readable by its owner only."""

    def __init__(self, root: Path) -> None:
        self.path = root / PASSWORDS_NAME

    def hashes(self) -> dict[str, str]:
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_PASSWORDS_BYTES + 1)
            if len(raw) > MAX_PASSWORDS_BYTES:
                return {}  # two hashes are a few hundred bytes: not the file this tool wrote
            data = json.loads(raw)
        except (OSError, ValueError, RecursionError):
            return {}
        return {role: text for role, text in data.items()
                if role in ROLES and isinstance(text, str)} if isinstance(data, dict) else {}

    def set(self, role: str, password: str) -> None:
        if role not in ROLES:
            raise ValueError(f"peran '{role}' tidak dikenal (pilih: {', '.join(ROLES)})")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"kata sandi minimal {MIN_PASSWORD} karakter")
        hashes = self.hashes() | {role: hash_password(password)}
        text = json.dumps(hashes, indent=2) + "\n"

        def write(temporary: str) -> None:
            os.chmod(temporary, 0o600)
            Path(temporary).write_text(text, encoding="utf-8")

        atomic_write(self.path, write)

    def check(self, role: str, password: str) -> bool:
        stored = self.hashes().get(role)
        return stored is not None and verify_password(password, stored)


def session_secret(root: Path) -> str:
    """The key that signs the workspace's session cookies: made once (readable by its owner
    only) and shared by every process serving the workspace, so a login holds whichever
    worker behind the reverse proxy answers, and across restarts."""
    path = root / SECRET_NAME
    for _ in range(2):
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = ""
        if len(text) >= 32:
            return text
        made = root / f".{SECRET_NAME}-{secrets.token_hex(8)}"
        made.write_text(secrets.token_urlsafe(48) + "\n", encoding="ascii")
        os.chmod(made, 0o600)
        try:
            os.link(made, path)  # whole or not at all; a worker that made one first wins
        except FileExistsError:
            pass
        finally:
            made.unlink()
    raise OSError(f"{path} tidak berisi kunci sesi yang sah; hapus berkas itu")


@dataclass
class LoginLimiter:
    """At most `attempts` failed logins per client within `window` seconds."""

    attempts: int = 5
    window: float = 300.0
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self.failures.setdefault(client, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        return len(self._recent(client, time.monotonic())) >= self.attempts

    def failed(self, client: str) -> None:
        self._recent(client, time.monotonic()).append(time.monotonic())

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)


_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]{2,45})\]|(?P<name>[a-z0-9](?:[a-z0-9.-]{0,251}"
                   r"[a-z0-9])?))(?::(?P<port>[0-9]{1,5}))?")


def parse_host(text: str) -> tuple[str, int | None] | None:
    """(host, port) of a Host header (`name`, `name:port`, `[v6]:port`), lower-case, or None
    when it is not one: anything after the port (`127.0.0.1:8000@evil.example`), a second
    port, user information, a path or a port out of range."""
    found = _HOST.fullmatch(text.strip().lower())
    if found is None:
        return None
    port = int(found["port"]) if found["port"] else None
    if port is not None and not 0 < port < 65536:
        return None
    if found["v6"]:
        try:
            ipaddress.IPv6Address(found["v6"])
        except ValueError:
            return None
        return f"[{found['v6']}]", port
    return found["name"], port


@dataclass(frozen=True)
class HostRule:
    """The Host headers a server answers: `names` at the port it listens on (a name of
    `proxied` also without a port, as a reverse proxy on the default port sends it)."""

    names: frozenset[str]
    proxied: frozenset[tuple[str, int | None]] = frozenset()

    def accepts(self, header: str, server_port: int | None, default_port: int) -> bool:
        parsed = parse_host(header)
        if parsed is None:
            return False
        name, port = parsed
        if (name, port) in self.proxied or ((name, None) in self.proxied
                                             and port in (None, server_port)):
            return True
        if name not in self.names:
            return False
        return server_port is None or (port if port is not None else default_port) == server_port


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))
