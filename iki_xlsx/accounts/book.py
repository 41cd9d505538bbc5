"""The accounts of a workspace, managed: add, change, deactivate, list; API tokens.

`AccountBook(store, offices)` works on the store the accounts live in (a single office's own
store, or the kabupaten's) with the offices a grant may name (`offices` None: a single-office
workspace). Every refusal is an `AccountError` whose Indonesian message says what to fix; a
password is never part of a message, a result or a record (only its slow hash is kept).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from iki_xlsx.accounts.passwords import PasswordError, check_password, hash_password
from iki_xlsx.accounts.roles import (
    RULES,
    Access,
    Action,
    Grant,
    GrantError,
    check_grants,
    grants_of,
)
from iki_xlsx.core.errors import UsageError
from iki_xlsx.store.accounts import AccountRow, TokenRow
from iki_xlsx.store.db import Store, utc_text

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MAX_NAME = 100
TOKEN_PREFIX = "iki_"  # an API token is recognisable as one (in a leak report, a log filter)


Changed = Callable[[str, dict[str, object]], None]  # an account change said: summary, details


class AccountError(UsageError):
    """An account change the rules refuse, or an account that does not exist."""


@dataclass(frozen=True)
class Account:
    """A person's account as pages and lines show it (never with its hash)."""

    id: int
    login: str
    nama: str
    aktif: bool
    grants: tuple[Grant, ...]
    dibuat: str
    diubah: str

    @property
    def access(self) -> Access:
        return Access(frozenset(self.grants)) if self.aktif else Access(frozenset())

    @classmethod
    def of(cls, row: AccountRow) -> Account:
        return cls(row.id, row.login, row.name, row.active, tuple(sorted(grants_of(row.roles))),
                   row.created_at, row.changed_at)


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: `secret` is shown once, to be copied; the store keeps its hash."""

    id: int
    label: str
    secret: str


def token_hash(secret: str) -> str:
    """How a session or API token is kept: its SHA-256 (it is random and long)."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def normal_login(text: str) -> str:
    """A login as it is kept: trimmed, lower case."""
    return text.strip().lower()


def check_login(text: str) -> str:
    login = normal_login(text)
    if not LOGIN_PATTERN.fullmatch(login):
        raise AccountError("nama masuk 2 sampai 32 karakter: huruf kecil, angka, titik, garis "
                           "bawah atau tanda minus, diawali huruf atau angka")
    return login


def check_name(text: str) -> str:
    name = unicodedata.normalize("NFC", text.strip())
    if not name:
        raise AccountError("nama orang pemilik akun wajib diisi")
    if len(name) > MAX_NAME:
        raise AccountError(f"nama paling panjang {MAX_NAME} karakter")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise AccountError("nama tidak boleh memuat karakter kendali")
    return name


class AccountBook:
    """The accounts in `store`; grants may name `offices` (None: a single-office workspace)."""

    def __init__(self, store: Store, offices: Sequence[str] | None = None,
                 changed: Changed | None = None) -> None:
        self.store = store
        self.offices = None if offices is None else list(offices)
        self.changed = changed  # told of every change (the service records it in the audit)

    def _audited(self, summary: str, details: dict[str, object] | None = None) -> None:
        """Say an account change (never a password or a token's secret) to `changed`."""
        if self.changed is not None:
            self.changed(summary, details or {})

    # --- reading ---

    def all(self) -> list[Account]:
        return [Account.of(row) for row in self.store.accounts.all()]

    def find(self, login: str) -> Account | None:
        row = self.store.accounts.by_login(normal_login(login))
        return None if row is None else Account.of(row)

    def get(self, login: str) -> Account:
        found = self.find(login)
        if found is None:
            raise AccountError(f"akun '{normal_login(login)[:40]}' tidak ada (lihat: iki-xlsx "
                               "akun daftar)")
        return found

    def by_id(self, account_id: int) -> Account | None:
        row = self.store.accounts.by_id(account_id)
        return None if row is None else Account.of(row)

    def exists(self) -> bool:
        """Whether any account was ever made (a store that holds none is not created)."""
        return self.store.exists() and self.store.accounts.count() > 0

    def can_work_alone(self) -> bool:
        """Whether an active account may change or manage something: the web app can then
        be opened to a network (else nobody could do anything there)."""
        working = {Action.CHANGE, Action.MANAGE}
        return self.store.exists() and any(
            a.aktif and RULES[g.role].actions & working for a in self.all() for g in a.grants)

    # --- changing ---

    def add(self, login: str, nama: str, password: str, grants: Iterable[Grant]) -> Account:
        login = check_login(login)
        return self.adopt(login, nama, self._hash(password, login), grants)

    def adopt(self, login: str, nama: str, password_hash: str,
              grants: Iterable[Grant]) -> Account:
        """An account whose password is already a hash (carried over from web-sandi.json)."""
        login = check_login(login)
        made = self.store.accounts.add(login, check_name(nama), password_hash,
                                       [(g.role.value, g.kantor) for g in self._grants(grants)])
        if made is None:
            raise AccountError(f"nama masuk '{login}' sudah dipakai; pilih nama lain atau ubah "
                               "akun itu")
        account = self.get(login)
        self._audited(f"Akun {login} ({account.nama}) dibuat: "
                      f"{', '.join(g.label() for g in account.grants)}")
        return account

    def change(self, login: str, *, nama: str | None = None, password: str | None = None,
               grants: Iterable[Grant] | None = None, aktif: bool | None = None) -> Account:
        """Change an account. A new password or deactivation ends its web sessions at once
        (in the same transaction); so does a change of roles (a page open with the old ones
        must not go on)."""
        account = self.get(login)
        checked = None if grants is None else self._grants(grants)
        ends = (password is not None or aktif is False
                or (checked is not None and tuple(checked) != account.grants))
        reason = ("sandi diubah" if password is not None else
                  "dinonaktifkan" if aktif is False else "peran diubah")
        self.store.accounts.change(
            account.id, name=None if nama is None else check_name(nama),
            password_hash=None if password is None else self._hash(password, account.login),
            active=aktif,
            roles=None if checked is None else [(g.role.value, g.kantor) for g in checked],
            end_sessions=reason if ends else None, now=utc_text())
        changed = self.get(login)
        what = [word for word, given in (("nama", nama), ("sandi", password),
                                         ("peran", grants), ("aktif", aktif))
                if given is not None]
        self._audited(f"Akun {account.login} diubah: {', '.join(what) or 'tidak ada'}"
                      + ("" if changed.aktif else " (nonaktif)"),
                      {"peran": [g.text() for g in changed.grants]})
        return changed

    def deactivate(self, login: str) -> Account:
        return self.change(login, aktif=False)

    def _grants(self, grants: Iterable[Grant]) -> list[Grant]:
        try:
            return check_grants(grants, self.offices)
        except GrantError as exc:
            raise AccountError(str(exc)) from None

    @staticmethod
    def _hash(password: str, login: str) -> str:
        try:
            return hash_password(check_password(password, login))
        except PasswordError as exc:
            raise AccountError(str(exc)) from None

    # --- API tokens ---

    def issue_token(self, login: str, label: str) -> IssuedToken:
        """A new API token for an active account; its secret is returned once."""
        account = self.get(login)
        if not account.aktif:
            raise AccountError(f"akun '{account.login}' nonaktif; token tidak dibuat")
        label = check_name(label) if label.strip() else "API"
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        made = self.store.accounts.add_token(account.id, token_hash(secret), label)
        self._audited(f"Token API {made} ({label}) dibuat untuk akun {account.login}")
        return IssuedToken(made, label, secret)

    def tokens(self, login: str | None = None) -> list[TokenRow]:
        account = None if login is None else self.get(login)
        return self.store.accounts.tokens(None if account is None else account.id)

    def revoke_token(self, token_id: int, login: str | None = None) -> None:
        """Revoke a token (of `login`, when given: a token of another account is not found)."""
        owned = {t.id: t for t in self.tokens(login)}
        if token_id not in owned or owned[token_id].revoked_at is not None:
            raise AccountError(f"token {token_id} tidak ada atau sudah dicabut")
        self.store.accounts.revoke_token(token_id, utc_text())
        self._audited(f"Token API {token_id} dicabut")

    def token_account(self, secret: str) -> Account | None:
        """The active account an API token belongs to (None: unknown, revoked, inactive)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200 or not self.store.exists():
            return None
        row = self.store.accounts.token_account(token_hash(secret), utc_text())
        return None if row is None else Account.of(row)
