"""Passwords: checked against the rules, kept only as a slow hash (scrypt, RFC 7914's
interactive-login parameters: about 16 MB and a tenth of a second or more per try), compared
in constant time. The password itself is never written anywhere."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from iki_xlsx.core.errors import UsageError

MIN_PASSWORD = 8
MAX_PASSWORD = 256  # a longer one is refused before it is hashed
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class PasswordError(UsageError, ValueError):
    """A password the rules refuse (the message is Indonesian and never quotes it)."""


def check_password(password: str, login: str | None = None) -> str:
    """`password` when the rules take it; else `PasswordError`."""
    if len(password) < MIN_PASSWORD:
        raise PasswordError(f"kata sandi minimal {MIN_PASSWORD} karakter")
    if len(password) > MAX_PASSWORD:
        raise PasswordError(f"kata sandi paling panjang {MAX_PASSWORD} karakter")
    if login is not None and password.strip().lower() == login.lower():
        raise PasswordError("kata sandi tidak boleh sama dengan nama masuknya")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise PasswordError("kata sandi tidak boleh memuat karakter kendali")
    return password


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` (hex): the only form a password is kept in."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from (False for anything malformed,
    and for a password too long to be one this tool accepted)."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt" or int(n) > 2**20 or int(r) > 32 or int(p) > 4:
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected) // 2, maxmem=2**26)
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def is_password_hash(text: str) -> bool:
    """Whether `text` has the form `hash_password` writes (for hashes carried over)."""
    parts = text.split("$")
    return len(parts) == 6 and parts[0] == "scrypt" and all(parts[1:])


@functools.cache
def unusable_hash() -> str:
    """A hash of nothing anybody types, verified when a login is unknown: a wrong login costs
    the same time as a wrong password, so timing does not tell which logins exist (made once,
    when first needed: importing this module costs nothing)."""
    return hash_password(secrets.token_urlsafe(32))
