"""What a server (or the command line) works in: a single office's workspace, or a kabupaten's
with many offices. Both keep their accounts in a store (`accounts/`): a single office in its
own store, a kabupaten in the kabupaten's; grants name the kabupaten's offices (kantor.csv).

`Site.at(root)` reads the folder afresh (the office may edit its files while a server runs).
A single-office workspace of an earlier release had two role passwords in `web-sandi.json`:
the first time its accounts are opened they become two accounts, `operator` and
`pemeriksa`, with the same password hashes, and the file is removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.accounts.book import AccountBook, AccountError, Changed
from iki_xlsx.accounts.passwords import is_password_hash
from iki_xlsx.accounts.roles import Grant, Role
from iki_xlsx.accounts.sessions import LoginPolicy, SessionPolicy, Sessions
from iki_xlsx.audit.kinds import AuditKind
from iki_xlsx.audit.trail import Actor, AuditTrail
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding
from iki_xlsx.service.kabupaten import Kabupaten, find_kabupaten_of, load_kabupaten
from iki_xlsx.service.workspace import (
    Workspace,
    WorkspaceError,
    WorkspacePaths,
    is_kabupaten,
    load_workspace,
)
from iki_xlsx.store.db import Store

ROLE_PASSWORDS = "web-sandi.json"  # an earlier release's two role passwords (hashes)
MAX_ROLE_PASSWORDS_BYTES = 64 * 1024
_CARRIED = {Role.OPERATOR: "Operator", Role.PEMERIKSA: "Pemeriksa"}


@dataclass(frozen=True)
class Site:
    """A workspace folder served as a whole: one office, or a kabupaten's offices."""

    root: Path
    kabupaten_kind: bool

    @classmethod
    def at(cls, root: Path) -> Site:
        """The site at `root`; `WorkspaceError` when its settings cannot be used, or when it is
        an office folder of a kabupaten (whose accounts and web app are the kabupaten's)."""
        root = root.resolve()
        if is_kabupaten(root):
            load_kabupaten(root)
            return cls(root, True)
        inside = find_kabupaten_of(root)
        if inside is not None:
            kabupaten, kode = inside
            raise WorkspaceError([Finding.of(Code.WORKSPACE_KABUPATEN.message(
                "inside", folder=root, kode=kode, kabupaten=kabupaten))])
        load_workspace(root)
        return cls(root, False)

    # --- what it holds ---

    def kabupaten(self) -> Kabupaten:
        """The kabupaten's settings and offices, read afresh (a kabupaten site only)."""
        assert self.kabupaten_kind
        return load_kabupaten(self.root)

    def workspace(self) -> Workspace:
        """The single office's workspace, read afresh (a single-office site only)."""
        assert not self.kabupaten_kind
        return load_workspace(self.root)

    def office_kodes(self) -> list[str] | None:
        """The kabupaten's office kodes (None: a single office)."""
        return self.kabupaten().kodes if self.kabupaten_kind else None

    def office_names(self) -> dict[str, str] | None:
        return self.kabupaten().names if self.kabupaten_kind else None

    def title(self) -> str:
        """The kabupaten's or the office's name."""
        try:
            return (self.kabupaten().config.kabupaten if self.kabupaten_kind
                    else self.workspace().config.kantor)
        except WorkspaceError:
            return self.root.name

    # --- accounts ---

    def accounts_store(self) -> Store:
        """The store the accounts live in: the kabupaten's, or the single office's own."""
        if self.kabupaten_kind:
            return self.kabupaten().store()
        return self.workspace().store()

    def accounts(self, actor: Actor | None = None) -> AccountBook:
        """The site's accounts (an earlier release's role passwords carried over first); each
        change recorded in the audit trail as `actor` (None: the computer's user)."""
        store = self.accounts_store()
        book = AccountBook(store, self.office_kodes(),
                           changed=account_changes(store, actor or Actor.computer()))
        if not self.kabupaten_kind:
            carry_over_role_passwords(self.root, book)
        return book

    def sessions(self, login: LoginPolicy | None = None,
                 session: SessionPolicy | None = None) -> Sessions:
        return Sessions(self.accounts(), login=login, session=session)

    def record_sign_in(self, login: str, nama: str | None, address: str, ok: bool,
                       why: str = "") -> None:
        """A login, successful or failed, into the audit trail of the store the accounts
        live in (the login as typed, cut short, for a failure)."""
        typed = " ".join(login.split())[:64]
        actor = Actor(typed or None, nama, f"web {address}")
        AuditTrail(self.accounts_store()).record(
            actor, AuditKind.SIGN_IN if ok else AuditKind.SIGN_IN_FAILED,
            f"{nama or typed} masuk" if ok else f"Gagal masuk sebagai '{typed}': {why}")


def carry_over_role_passwords(root: Path, book: AccountBook) -> list[str]:
    """An earlier release's `web-sandi.json` as accounts `operator` and `pemeriksa` (their
    password hashes as they were, so the same passwords sign in), then the file removed.
    A login already taken is left as it is. The logins carried over."""
    path = WorkspacePaths(root).root / ROLE_PASSWORDS
    hashes = read_role_passwords(path)
    if hashes is None:
        return []
    carried = []
    for role, password_hash in hashes.items():
        if book.find(role.value) is None:
            try:
                book.adopt(role.value, _CARRIED[role], password_hash, [Grant(role)])
            except AccountError:
                continue
            carried.append(role.value)
    path.unlink(missing_ok=True)
    return carried


def read_role_passwords(path: Path) -> dict[Role, str] | None:
    """The role hashes of a `web-sandi.json` (None: there is none); bounded, and anything but
    the file the earlier release wrote gives no hash."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_ROLE_PASSWORDS_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        data = json.loads(raw) if len(raw) <= MAX_ROLE_PASSWORDS_BYTES else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return {}
    return {Role(role): text for role, text in data.items()
            if role in _CARRIED and isinstance(text, str) and is_password_hash(text)}


def account_changes(store: Store, actor: Actor) -> Changed:
    """What records an account change, as `actor`, in the audit trail of the store the
    accounts live in."""

    def record(summary: str, details: dict[str, object]) -> None:
        AuditTrail(store).record(actor, AuditKind.ACCOUNT, summary, details=details)

    return record
