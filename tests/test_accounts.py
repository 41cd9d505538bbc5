"""A person per account (issue 24 item 3) and sessions that end (issue 29), as the library
does them, on SQLite and on a real PostgreSQL server: accounts with a slow hash only, roles
per office checked against the kabupaten's offices, sign-in within limits per login and per
address, sessions ended by signing out, a password change, a change of roles or
deactivation, idle sessions ending by themselves, API tokens that can be revoked."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from iki_xlsx.accounts.book import AccountBook, AccountError
from iki_xlsx.accounts.passwords import verify_password
from iki_xlsx.accounts.roles import ALL, Access, Action, Grant, Role, parse_grant
from iki_xlsx.accounts.sessions import LoginPolicy, Sessions, SignInOutcome
from iki_xlsx.core.errors import UsageError
from iki_xlsx.store.db import PostgresLocation, Store
from tests.conftest import new_store
from tests.test_store import V1

OFFICES = ["3507010", "3507020"]
SANDI = "rahasia-desa-7"  # the password typed in these tests: never found in a file


def book_in(tmp_path: Path, database: PostgresLocation | None,
            offices: list[str] | None = OFFICES) -> AccountBook:
    return AccountBook(new_store(tmp_path, database), offices)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 4, 1, 8, 0, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


def sessions_of(book: AccountBook, clock: Clock | None = None,
                **policy: object) -> Sessions:
    limits = LoginPolicy(delay=0.5, max_delay=4.0, **policy)  # type: ignore[arg-type]
    return Sessions(book, login=limits, clock=clock or Clock())


def test_an_account_keeps_its_roles_and_only_a_slow_hash(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    book = book_in(tmp_path, database)
    made = book.add("Sari", "Sari Wulandari", SANDI,
                    [parse_grant("operator:3507010"), parse_grant("pemeriksa:semua")])
    assert (made.login, made.nama, made.aktif) == ("sari", "Sari Wulandari", True)
    assert made.grants == (Grant(Role.OPERATOR, "3507010"), Grant(Role.PEMERIKSA, ALL))
    assert made.access.can(Action.CHANGE, "3507010")
    assert not made.access.can(Action.CHANGE, "3507020")
    assert made.access.can(Action.READ, "3507020") and not made.access.can(Action.MANAGE)
    stored = book.store.accounts.by_login("sari")
    assert stored is not None and stored.password_hash.startswith("scrypt$16384$8$1$")
    assert verify_password(SANDI, stored.password_hash)
    assert [a.login for a in book.all()] == ["sari"]
    if database is None:
        assert SANDI.encode() not in b"".join(
            p.read_bytes() for p in (tmp_path / "simpan").iterdir() if p.is_file())


@pytest.mark.parametrize(("grant", "offices", "said"), [
    ("operator", OFFICES, "peran operator diberikan untuk satu kantor"),
    ("operator:semua", OFFICES, "peran operator diberikan untuk satu kantor"),
    ("admin:3507010", OFFICES, "peran admin kabupaten berlaku untuk semua kantor"),
    ("pemeriksa:3507099", OFFICES, "kantor 3507099 tidak ada di kantor.csv"),
    ("operator:3507010", None, "ruang kerja ini satu kantor"),
    ("bupati", OFFICES, "peran 'bupati' tidak dikenal (pilih: operator, penyetuju, "
                        "pemeriksa, admin)"),
    ("penyetuju:semua", OFFICES, "peran penyetuju diberikan untuk satu kantor"),
])
def test_a_grant_the_workspace_cannot_have_is_refused(
        tmp_path: Path, grant: str, offices: list[str] | None, said: str) -> None:
    book = book_in(tmp_path, None, offices)
    with pytest.raises(UsageError) as refused:
        book.add("budi", "Budi", SANDI, [parse_grant(grant)])
    assert said in str(refused.value)
    assert not book.exists()


@pytest.mark.parametrize(("login", "password", "said"), [
    ("b", SANDI, "nama masuk 2 sampai 32 karakter"),
    ("budi santoso", SANDI, "nama masuk 2 sampai 32 karakter"),
    ("budi", "pendek", "kata sandi minimal 8 karakter"),
    ("budi12345", "BUDI12345", "kata sandi tidak boleh sama dengan nama masuknya"),
    ("budi", "x" * 300, "kata sandi paling panjang 256 karakter"),
])
def test_a_login_or_password_the_rules_refuse(tmp_path: Path, login: str, password: str,
                                              said: str) -> None:
    book = book_in(tmp_path, None, None)
    with pytest.raises(AccountError) as refused:
        book.add(login, "Budi", password, [Grant(Role.OPERATOR)])
    assert said in str(refused.value) and password not in str(refused.value)


def test_a_login_is_taken_once(tmp_path: Path, database: PostgresLocation | None) -> None:
    book = book_in(tmp_path, database, None)
    book.add("budi", "Budi", SANDI, [Grant(Role.OPERATOR)])
    with pytest.raises(AccountError, match="nama masuk 'budi' sudah dipakai"):
        book.add("BUDI", "Budi Lain", SANDI, [Grant(Role.PEMERIKSA)])
    assert [(a.login, a.nama) for a in book.all()] == [("budi", "Budi")]


def test_signing_in_opens_a_session_and_signing_out_ends_it(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    book = book_in(tmp_path, database)
    book.add("sari", "Sari", SANDI, [parse_grant("operator:3507010")])
    sessions = sessions_of(book)
    done = sessions.sign_in(" Sari ", SANDI, "10.0.0.5")
    assert done.outcome == SignInOutcome.OK and done.token and done.principal
    assert done.principal.login == "sari"
    assert sessions.principal(done.token) == done.principal
    sessions.end(done.token)
    assert sessions.principal(done.token) is None  # the same cookie, replayed, reads nothing
    assert sessions.principal("bukan-token") is None and sessions.principal(None) is None


@pytest.mark.parametrize("change", ["password", "deactivate", "roles"])
def test_a_change_to_the_account_ends_its_sessions_at_once(
        tmp_path: Path, database: PostgresLocation | None, change: str) -> None:
    book = book_in(tmp_path, database)
    book.add("sari", "Sari", SANDI, [parse_grant("operator:3507010")])
    book.add("budi", "Budi", SANDI, [parse_grant("pemeriksa:semua")])
    sessions = sessions_of(book)
    first = sessions.sign_in("sari", SANDI, "10.0.0.5").token
    second = sessions.sign_in("sari", SANDI, "10.0.0.6").token
    other = sessions.sign_in("budi", SANDI, "10.0.0.7").token
    if change == "password":
        book.change("sari", password="sandi-baru-2026")
    elif change == "deactivate":
        book.deactivate("sari")
    else:
        book.change("sari", grants=[parse_grant("operator:3507020")])
    assert sessions.principal(first) is None and sessions.principal(second) is None
    assert sessions.principal(other) is not None  # another account's session goes on
    after = sessions.sign_in("sari", "sandi-baru-2026" if change == "password" else SANDI,
                             "10.0.0.5")
    assert after.outcome == (SignInOutcome.WRONG if change == "deactivate"
                             else SignInOutcome.OK)


def test_a_name_change_keeps_the_session(tmp_path: Path) -> None:
    book = book_in(tmp_path, None)
    book.add("sari", "Sari", SANDI, [parse_grant("operator:3507010")])
    sessions = sessions_of(book)
    token = sessions.sign_in("sari", SANDI, "10.0.0.5").token
    book.change("sari", nama="Sari Wulandari", grants=[parse_grant("operator:3507010")])
    found = sessions.principal(token)
    assert found is not None and found.nama == "Sari Wulandari"


def test_failed_logins_are_limited_per_login_with_a_growing_delay(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    book = book_in(tmp_path, database)
    book.add("sari", "Sari", SANDI, [parse_grant("operator:3507010")])
    clock = Clock()
    sessions = sessions_of(book, clock, per_login=3)
    wrong = [sessions.sign_in("sari", "salah-sandi", f"10.0.0.{n}") for n in range(3)]
    assert [(r.outcome, r.delay) for r in wrong] == [(SignInOutcome.WRONG, 0.5),
                                                     (SignInOutcome.WRONG, 1.0),
                                                     (SignInOutcome.WRONG, 2.0)]
    blocked = sessions.sign_in("sari", SANDI, "10.0.0.9")  # the right password, too late
    assert (blocked.outcome, blocked.token, blocked.delay) == (SignInOutcome.BLOCKED, None, 4.0)
    clock.advance(minutes=16)
    assert sessions.sign_in("sari", SANDI, "10.0.0.9").outcome == SignInOutcome.OK


def test_failed_logins_are_limited_per_address_whatever_the_login(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    book = book_in(tmp_path, database)
    book.add("sari", "Sari", SANDI, [parse_grant("operator:3507010")])
    sessions = sessions_of(book, per_address=4)
    for n in range(4):
        assert sessions.sign_in(f"tamu{n}", SANDI, "10.9.9.9").outcome == SignInOutcome.WRONG
    assert sessions.sign_in("sari", SANDI, "10.9.9.9").outcome == SignInOutcome.BLOCKED
    assert sessions.sign_in("sari", SANDI, "10.0.0.1").outcome == SignInOutcome.OK


def test_a_success_starts_the_logins_count_again(tmp_path: Path) -> None:
    book = book_in(tmp_path, None)
    book.add("sari", "Sari", SANDI, [parse_grant("operator:3507010")])
    sessions = sessions_of(book, per_login=3)
    for _ in range(2):
        sessions.sign_in("sari", "salah-sandi", "10.0.0.1")
    assert sessions.sign_in("sari", SANDI, "10.0.0.1").outcome == SignInOutcome.OK
    assert sessions.sign_in("sari", "salah-sandi", "10.0.0.1").delay == 0.5


def test_an_idle_or_old_session_ends_by_itself(tmp_path: Path) -> None:
    book = book_in(tmp_path, None)
    book.add("sari", "Sari", SANDI, [parse_grant("operator:3507010")])
    clock = Clock()
    sessions = sessions_of(book, clock)
    idle = sessions.sign_in("sari", SANDI, "10.0.0.1").token
    busy = sessions.sign_in("sari", SANDI, "10.0.0.1").token
    for _ in range(11):  # a page every hour: never idle for two
        clock.advance(hours=1)
        assert sessions.principal(busy) is not None
    assert sessions.principal(idle) is None  # idle more than two hours
    clock.advance(hours=1, minutes=1)
    assert sessions.principal(busy) is None  # twelve hours in all


def test_an_api_token_is_kept_as_a_hash_and_can_be_revoked(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    book = book_in(tmp_path, database)
    book.add("esakip", "e-SAKIP Kabupaten", SANDI, [parse_grant("pemeriksa:semua")])
    issued = book.issue_token("esakip", "e-SAKIP")
    assert issued.secret.startswith("iki_") and len(issued.secret) > 40
    found = book.token_account(issued.secret)
    assert found is not None and found.login == "esakip"
    assert book.token_account(issued.secret[:-1] + "x") is None
    [row] = book.tokens("esakip")
    assert row.used_at is not None and issued.secret not in repr(row)
    book.revoke_token(issued.id, "esakip")
    assert book.token_account(issued.secret) is None
    with pytest.raises(AccountError, match="sudah dicabut"):
        book.revoke_token(issued.id)
    again = book.issue_token("esakip", "")
    book.deactivate("esakip")
    assert book.token_account(again.secret) is None  # an inactive account's token reads nothing


def test_a_role_this_release_does_not_know_gives_no_right(tmp_path: Path) -> None:
    book = book_in(tmp_path, None)
    made = book.add("sari", "Sari", SANDI, [parse_grant("pemeriksa:3507010")])
    with book.store.sql() as db:
        db.run("INSERT INTO account_role (account_id, role, kantor) VALUES (?,?,?)",
               (made.id, "bupati", ALL))
    found = book.get("sari")
    assert found.grants == (Grant(Role.PEMERIKSA, "3507010"),)
    assert not found.access.can(Action.CHANGE, "3507010")


def test_an_upgraded_first_release_store_keeps_accounts(tmp_path: Path) -> None:
    folder = tmp_path / "simpan"
    shutil.copytree(V1, folder)
    book = AccountBook(Store(folder))
    book.add("operator", "Operator", SANDI, [Grant(Role.OPERATOR)])
    assert [a.login for a in AccountBook(Store(folder)).all()] == ["operator"]


def test_the_verifier_and_the_approver_of_sign_off_are_apart() -> None:
    """Issue 26: an operator verifies a return or sends it back, a penyetuju approves (closes)
    and reopens a period; neither does the other's step, and a pemeriksa does neither."""
    operator = Grant(Role.OPERATOR, "3507010")
    penyetuju = Grant(Role.PENYETUJU, "3507010")
    pemeriksa = Grant(Role.PEMERIKSA, ALL)
    steps = {grant.role: {action for action in Action
                          if Access(frozenset({grant})).can(action, "3507010")}
             for grant in (operator, penyetuju, pemeriksa)}
    assert steps[Role.OPERATOR] == {Action.READ, Action.CHANGE, Action.VERIFY}
    assert steps[Role.PENYETUJU] == {Action.READ, Action.APPROVE}
    assert steps[Role.PEMERIKSA] == {Action.READ}
    assert not Access(frozenset({penyetuju})).can(Action.APPROVE, "3507020")
