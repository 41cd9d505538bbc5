"""Signing in and the web sessions that follow, kept on the server so that they end when they
should: signing out ends the session (a cookie replayed afterwards reads nothing), a password
change, a change of roles or a deactivation ends every session of that account at once
(`AccountBook.change`), and a session ends by itself after `idle` without a page or
`lifetime` in all.

Failed logins are limited per login and per address (`LoginPolicy`), counted in the store so
the limits hold across every web worker; a login that is over either limit is refused before
its password is hashed. Each failure asks the caller to wait (`SignInResult.delay`, doubling
with the login's failures), which a web server does without holding a thread.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from iki_xlsx.accounts.book import Account, AccountBook, normal_login, token_hash
from iki_xlsx.accounts.passwords import unusable_hash, verify_password
from iki_xlsx.accounts.roles import Access
from iki_xlsx.store.db import Store, utc_text

Clock = Callable[[], datetime.datetime]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed logins are allowed within `window`, per login and per address, and
    how long the answer to a failure waits (`delay` seconds, doubled for each earlier failure
    of the login within the window, at most `max_delay`)."""

    window: datetime.timedelta = datetime.timedelta(minutes=15)
    per_login: int = 5
    per_address: int = 20
    delay: float = 1.0
    max_delay: float = 8.0


@dataclass(frozen=True)
class SessionPolicy:
    lifetime: datetime.timedelta = datetime.timedelta(hours=12)
    idle: datetime.timedelta = datetime.timedelta(hours=2)
    touch: datetime.timedelta = datetime.timedelta(minutes=1)  # seen_at written at most this often


@dataclass(frozen=True)
class Principal:
    """Who is asking: an account signed in (its session), or the operator at the computer
    of a single office served to itself only (no account: `account_id` None)."""

    nama: str
    access: Access
    login: str | None = None
    account_id: int | None = None
    session_id: int | None = None


class SignInOutcome(StrEnum):
    OK = "ok"
    WRONG = "salah"  # unknown login, wrong password, or an inactive account: one answer
    BLOCKED = "dibatasi"  # too many failures of this login or from this address


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    delay: float = 0.0  # seconds to wait before answering
    token: str | None = None  # the new session's secret (for the cookie), when OK
    principal: Principal | None = None


class Sessions:
    """Sign-in and sessions over the accounts of `book`."""

    def __init__(self, book: AccountBook, *, login: LoginPolicy | None = None,
                 session: SessionPolicy | None = None, clock: Clock = _now) -> None:
        self.book = book
        self.login_policy = login or LoginPolicy()
        self.session_policy = session or SessionPolicy()
        self.clock = clock

    @property
    def store(self) -> Store:
        return self.book.store

    def sign_in(self, login: str, password: str, address: str) -> SignInResult:
        """Check a login (within the limits) and open a session when it is right. The
        password's hash is the slow part: call this off a server's event loop."""
        login = normal_login(login)[:64]
        now = self.clock()
        since = utc_text(now - self.login_policy.window)
        records = self.store.accounts
        by_login = records.failures(since, login=login)
        if (by_login >= self.login_policy.per_login
                or records.failures(since, address=address) >= self.login_policy.per_address):
            return SignInResult(SignInOutcome.BLOCKED, self._delay(by_login + 1))
        row = records.by_login(login)
        stored = row.password_hash if row is not None else unusable_hash()
        right = verify_password(password, stored)
        if row is None or not right or not row.active:
            records.failed_login(login, address, utc_text(now))
            records.prune_failures(utc_text(now - 2 * self.login_policy.window))
            return SignInResult(SignInOutcome.WRONG, self._delay(by_login + 1))
        records.forget_failures(login)
        account = Account.of(row)
        token = self.open(account, address)
        principal = self.principal(token)
        assert principal is not None
        return SignInResult(SignInOutcome.OK, token=token, principal=principal)

    def _delay(self, failures: int) -> float:
        policy = self.login_policy
        return min(policy.delay * float(2 ** min(max(failures - 1, 0), 16)), policy.max_delay)

    def open(self, account: Account, address: str | None) -> str:
        """A new session of `account`; its secret (kept by the browser, hashed here)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.store.accounts.open_session(account.id, token_hash(token), address, utc_text(now),
                                         utc_text(now + self.session_policy.lifetime))
        return token

    def principal(self, token: str | None) -> Principal | None:
        """Who holds the session `token` (None: no such session, or it ended or expired, or
        its account was deactivated)."""
        if not token or len(token) > 200 or not self.store.exists():
            return None
        now = self.clock()
        found = self.store.accounts.session(token_hash(token), utc_text(now))
        if found is None:
            return None
        if found.seen_at < utc_text(now - self.session_policy.idle):
            self.store.accounts.end_session_by_id(found.id, "menganggur", utc_text(now))
            return None
        if found.seen_at < utc_text(now - self.session_policy.touch):
            self.store.accounts.touch_session(found.id, utc_text(now))
        account = Account.of(found.account)
        return Principal(account.nama, account.access, account.login, account.id, found.id)

    def end(self, token: str | None, reason: str = "keluar") -> None:
        """Sign out: the session ends on the server (its cookie reads nothing afterwards)."""
        if token and len(token) <= 200 and self.store.exists():
            self.store.accounts.end_session(token_hash(token), reason, utc_text(self.clock()))
