"""Where a server store is: a PostgreSQL URL without its password, and the schema.

`[basis_data] url = "postgresql://user@host:port/db"` in iki.toml names the server; the
password never is in a file the office shares: it comes from `IKI_DB_PASSWORD` or from the
user's own `~/.pgpass` (libpq reads it). A URL that carries a password is refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from iki_xlsx.core.errors import UsageError

PASSWORD_VARIABLE = "IKI_DB_PASSWORD"
SCHEMES = ("postgresql", "postgres")
DEFAULT_SCHEMA = "public"
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class LocationError(UsageError, ValueError):
    """A database URL or schema that cannot be used (the message is Indonesian; a ValueError
    too, so that iki.toml's validation says it at its line)."""


@dataclass(frozen=True)
class PostgresLocation:
    """A PostgreSQL database and the schema the store's tables live in."""

    url: str  # postgresql://user@host:port/db[?sslmode=...], never with a password
    schema: str = DEFAULT_SCHEMA
    password: str | None = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        """user@host:port/db (and the schema, when not the default), for messages."""
        parts = urlsplit(self.url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
        user = f"{unquote(parts.username)}@" if parts.username else ""
        where = f"{user}{host}:{port}/{self.database}"
        return where if self.schema == DEFAULT_SCHEMA else f"{where} (skema {self.schema})"

    @property
    def database(self) -> str:
        return unquote(urlsplit(self.url).path.lstrip("/")) or "postgres"


def is_database_url(text: str) -> bool:
    return urlsplit(text).scheme in SCHEMES


def parse_location(url: str, schema: str = DEFAULT_SCHEMA,
                   password: str | None = None) -> PostgresLocation:
    """The location named by `url`; the password from `password`, else `IKI_DB_PASSWORD`
    (else libpq's `.pgpass`). Raises `LocationError` for a URL that is not PostgreSQL's,
    that carries a password, or a schema name that is not a plain lower-case name."""
    check_url(url)
    check_schema(schema)
    given = password if password is not None else os.environ.get(PASSWORD_VARIABLE) or None
    return PostgresLocation(url, schema, given)


def check_url(url: str) -> str:
    """`url` when it names a PostgreSQL database without a password; else `LocationError`."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        raise LocationError(f"alamat basis data tidak sah: {_shown(url)}") from None
    if parts.scheme not in SCHEMES:
        raise LocationError(f"alamat basis data harus diawali postgresql:// "
                            f"(tertulis: {_shown(url)})")
    if parts.password is not None or any(key == "password" for key, _ in parse_qsl(parts.query)):
        raise LocationError("alamat basis data memuat kata sandi; hapus sandinya dari alamat "
                            f"dan berikan lewat {PASSWORD_VARIABLE} atau berkas .pgpass")
    return url


def check_schema(schema: str) -> str:
    """`schema` when it is a plain lower-case name; else `LocationError`."""
    if not _SCHEMA_NAME.fullmatch(schema):
        raise LocationError(f"nama skema basis data '{schema[:70]}' tidak sah; pakai huruf "
                            "kecil, angka dan garis bawah, diawali huruf")
    return schema


def _shown(url: str) -> str:
    """A URL as it may be shown: any password in it replaced by ***."""
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)
