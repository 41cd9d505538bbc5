"""The store's records of people: accounts, their roles per office, web sessions, API tokens
and failed logins (migration 7). Every statement about them is here; `accounts/` (the rules:
who may do what, how a password is hashed, how long a session lasts) calls these.

The store keeps only what cannot be turned back into a secret: a password's slow hash, and a
session's or token's SHA-256 (they are random and long, so a fast hash is enough). Times are
the store's UTC text (`utc_text`), compared as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from iki_xlsx.store.sql import Database

if TYPE_CHECKING:
    from iki_xlsx.store.db import Store


@dataclass(frozen=True)
class AccountRow:
    """An account as stored; `roles` are (role, kantor) pairs, sorted."""

    id: int
    login: str
    name: str
    password_hash: str
    active: bool
    created_at: str
    changed_at: str
    roles: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SessionRow:
    """A web session that has not ended, with its account."""

    id: int
    account: AccountRow
    started_at: str
    seen_at: str
    expires_at: str


@dataclass(frozen=True)
class TokenRow:
    """An API token as stored (never the token itself)."""

    id: int
    account_id: int
    label: str
    created_at: str
    used_at: str | None
    revoked_at: str | None


_ACCOUNT = "a.id, a.login, a.name, a.password_hash, a.active, a.created_at, a.changed_at"


class AccountRecords:
    """The account tables of one store (`store.accounts`)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # --- accounts and roles ---

    def add(self, login: str, name: str, password_hash: str,
            roles: Iterable[tuple[str, str]]) -> int | None:
        """A new account with its roles, in one transaction; None when the login is taken."""
        with self._store.transaction(), self._store.sql() as db:
            made = db.value("INSERT INTO account (login, name, password_hash) VALUES (?,?,?)"
                            " ON CONFLICT (login) DO NOTHING RETURNING id",
                            (login, name, password_hash))
            if made is None:
                return None
            self._set_roles(db, int(made), roles)
            return int(made)

    def change(self, account_id: int, *, name: str | None = None,
               password_hash: str | None = None, active: bool | None = None,
               roles: Iterable[tuple[str, str]] | None = None,
               end_sessions: str | None = None, now: str) -> None:
        """Change an account in one transaction; with `end_sessions` (the reason) its web
        sessions end in the same transaction, so none outlives the change."""
        changes = [(column, value) for column, value in
                   (("name", name), ("password_hash", password_hash),
                    ("active", None if active is None else int(active)))
                   if value is not None]
        with self._store.transaction(), self._store.sql() as db:
            sets = ", ".join(f"{column} = ?" for column, _ in changes)
            db.run(f"UPDATE account SET {sets + ', ' if sets else ''}changed_at = ? "
                   "WHERE id = ?", [*(value for _, value in changes), now, account_id])
            if roles is not None:
                db.run("DELETE FROM account_role WHERE account_id = ?", (account_id,))
                self._set_roles(db, account_id, roles)
            if end_sessions is not None:
                db.run("UPDATE web_session SET ended_at = ?, end_reason = ? "
                       "WHERE account_id = ? AND ended_at IS NULL",
                       (now, end_sessions, account_id))

    @staticmethod
    def _set_roles(db: Database, account_id: int, roles: Iterable[tuple[str, str]]) -> None:
        db.many("INSERT INTO account_role (account_id, role, kantor) VALUES (?,?,?)"
                " ON CONFLICT DO NOTHING",
                [(account_id, role, kantor) for role, kantor in roles])

    def all(self) -> list[AccountRow]:
        """Every account, by login."""
        with self._store.sql() as db:
            roles = self._roles(db)
            return [self._row(row, roles) for row in db.rows(
                f"SELECT {_ACCOUNT} FROM account a ORDER BY a.login")]

    def by_login(self, login: str) -> AccountRow | None:
        with self._store.sql() as db:
            row = db.one(f"SELECT {_ACCOUNT} FROM account a WHERE a.login = ?", (login,))
            return None if row is None else self._row(row, self._roles(db, int(row[0])))

    def by_id(self, account_id: int) -> AccountRow | None:
        with self._store.sql() as db:
            row = db.one(f"SELECT {_ACCOUNT} FROM account a WHERE a.id = ?", (account_id,))
            return None if row is None else self._row(row, self._roles(db, account_id))

    def count(self) -> int:
        with self._store.sql() as db:
            return int(db.value("SELECT COUNT(*) FROM account"))

    @staticmethod
    def _roles(db: Database, account_id: int | None = None
               ) -> dict[int, tuple[tuple[str, str], ...]]:
        where, params = ("WHERE account_id = ?", (account_id,)) if account_id is not None \
            else ("", ())
        found: dict[int, list[tuple[str, str]]] = {}
        for owner, role, kantor in db.rows(
                f"SELECT account_id, role, kantor FROM account_role {where} "
                "ORDER BY account_id, role, kantor", params):
            found.setdefault(int(owner), []).append((str(role), str(kantor)))
        return {owner: tuple(pairs) for owner, pairs in found.items()}

    @staticmethod
    def _row(row: tuple[object, ...], roles: dict[int, tuple[tuple[str, str], ...]]
             ) -> AccountRow:
        ident, login, name, password_hash, active, created, changed = row
        assert isinstance(ident, int)
        return AccountRow(ident, str(login), str(name), str(password_hash), bool(active),
                          str(created), str(changed), roles.get(ident, ()))

    # --- web sessions ---

    def open_session(self, account_id: int, token_hash: str, address: str | None,
                     now: str, expires_at: str) -> None:
        with self._store.sql() as db:
            db.run("INSERT INTO web_session (token_hash, account_id, address, started_at,"
                   " seen_at, expires_at) VALUES (?,?,?,?,?,?)",
                   (token_hash, account_id, address, now, now, expires_at))

    def session(self, token_hash: str, now: str) -> SessionRow | None:
        """The session of this token, when it has neither ended nor expired, and its account
        is active."""
        with self._store.sql() as db:
            row = db.one(
                f"SELECT s.id, s.started_at, s.seen_at, s.expires_at, {_ACCOUNT} "
                "FROM web_session s JOIN account a ON a.id = s.account_id "
                "WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? "
                "AND a.active = 1", (token_hash, now))
            if row is None:
                return None
            account = self._row(row[4:], self._roles(db, int(row[4])))
        return SessionRow(int(row[0]), account, str(row[1]), str(row[2]), str(row[3]))

    def touch_session(self, session_id: int, now: str) -> None:
        with self._store.sql() as db:
            db.run("UPDATE web_session SET seen_at = ? WHERE id = ?", (now, session_id))

    def end_session(self, token_hash: str, reason: str, now: str) -> None:
        with self._store.sql() as db:
            db.run("UPDATE web_session SET ended_at = ?, end_reason = ? "
                   "WHERE token_hash = ? AND ended_at IS NULL", (now, reason, token_hash))

    def end_session_by_id(self, session_id: int, reason: str, now: str) -> None:
        with self._store.sql() as db:
            db.run("UPDATE web_session SET ended_at = ?, end_reason = ? "
                   "WHERE id = ? AND ended_at IS NULL", (now, reason, session_id))

    def open_sessions(self, account_id: int, now: str) -> int:
        """How many of the account's sessions are open now."""
        with self._store.sql() as db:
            return int(db.value("SELECT COUNT(*) FROM web_session WHERE account_id = ? AND "
                                "ended_at IS NULL AND expires_at > ?", (account_id, now)))

    # --- API tokens ---

    def add_token(self, account_id: int, token_hash: str, label: str) -> int:
        with self._store.sql() as db:
            return int(db.value("INSERT INTO api_token (account_id, token_hash, label) "
                                "VALUES (?,?,?) RETURNING id", (account_id, token_hash, label)))

    def tokens(self, account_id: int | None = None) -> list[TokenRow]:
        where, params = ("WHERE account_id = ?", (account_id,)) if account_id is not None \
            else ("", ())
        with self._store.sql() as db:
            return [TokenRow(int(i), int(a), str(label), str(created), used, revoked)
                    for i, a, label, created, used, revoked in db.rows(
                        "SELECT id, account_id, label, created_at, used_at, revoked_at "
                        f"FROM api_token {where} ORDER BY id", params)]

    def token_account(self, token_hash: str, now: str) -> AccountRow | None:
        """The active account of a token that was not revoked (and the token marked used)."""
        with self._store.sql() as db:
            row = db.one(f"SELECT t.id, {_ACCOUNT} FROM api_token t "
                         "JOIN account a ON a.id = t.account_id "
                         "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.active = 1",
                         (token_hash,))
            if row is None:
                return None
            db.run("UPDATE api_token SET used_at = ? WHERE id = ?", (now, row[0]))
            return self._row(row[1:], self._roles(db, int(row[1])))

    def revoke_token(self, token_id: int, now: str) -> bool:
        """Revoke a token; whether one was in force."""
        with self._store.sql() as db:
            found = db.value("UPDATE api_token SET revoked_at = ? WHERE id = ? AND "
                             "revoked_at IS NULL RETURNING id", (now, token_id))
            return found is not None

    # --- failed logins ---

    def failed_login(self, login: str, address: str, now: str) -> None:
        with self._store.sql() as db:
            db.run("INSERT INTO login_failure (login, address, failed_at) VALUES (?,?,?)",
                   (login, address, now))

    def failures(self, since: str, *, login: str | None = None,
                 address: str | None = None) -> int:
        """Failed logins at or after `since`, of one login or from one address."""
        column, value = ("login", login) if login is not None else ("address", address)
        with self._store.sql() as db:
            return int(db.value(f"SELECT COUNT(*) FROM login_failure WHERE {column} = ? "
                                "AND failed_at >= ?", (value, since)))

    def forget_failures(self, login: str) -> None:
        """A login that succeeded starts its count again (its address's count stays)."""
        with self._store.sql() as db:
            db.run("DELETE FROM login_failure WHERE login = ?", (login,))

    def prune_failures(self, before: str) -> None:
        with self._store.sql() as db:
            db.run("DELETE FROM login_failure WHERE failed_at < ?", (before,))
