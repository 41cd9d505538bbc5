"""`iki-xlsx akun tambah|ubah|nonaktifkan|daftar` and `akun token buat|daftar|cabut`: the
people who may use the web app and the API, in the workspace's accounts (a single office's,
or the kabupaten's for all its offices).

A password is typed at a prompt that does not echo it (twice), or read from the first line of
standard input with `--sandi-stdin`; it is never an option's value (it would stay in the
shell's history and the process list) and never printed. Exit codes: 0 done, 2 refused.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from iki_xlsx.cli.bahasa import Group
from iki_xlsx.cli.common import fail_usage, json_option, site

if TYPE_CHECKING:
    from iki_xlsx.accounts.book import Account, AccountBook
    from iki_xlsx.accounts.roles import Grant

T = TypeVar("T")

_ROLE_HELP = ("PERAN atau PERAN:KANTOR, boleh berulang: operator:KODE (mengerjakan satu kantor), "
              "pemeriksa atau pemeriksa:KODE (melihat dan mengunduh), admin (admin kabupaten: "
              "melihat semua, mengelola akun dan kantor). Di ruang kerja satu kantor tanpa "
              ":KODE.")


@click.group(cls=Group)
def akun() -> None:
    """Akun orang yang memakai aplikasi web dan API: tambah, ubah, nonaktifkan, daftar."""


@akun.command()
@click.argument("login", metavar="NAMA_MASUK")
@click.option("--nama", required=True, metavar="NAMA", help="Nama orang pemilik akun.")
@click.option("--peran", "roles", multiple=True, required=True, metavar="PERAN[:KANTOR]",
              help=_ROLE_HELP)
@click.option("--sandi-stdin", "from_stdin", is_flag=True,
              help="Baca kata sandi dari baris pertama masukan standar (untuk skrip).")
def tambah(login: str, nama: str, roles: tuple[str, ...], from_stdin: bool) -> None:
    """Tambah akun; kata sandinya ditanyakan (tidak tampil saat diketik)."""
    book = _book()
    grants = _grants(roles)
    password = _password(f"Kata sandi untuk {login.strip().lower()}", from_stdin)
    made = _done(lambda: book.add(login, nama, password, grants))
    click.echo(f"Akun {made.login} ({made.nama}) dibuat: {_roles(made, book)}.")
    sys.exit(0)


@akun.command()
@click.argument("login", metavar="NAMA_MASUK")
@click.option("--nama", default=None, metavar="NAMA", help="Nama baru.")
@click.option("--peran", "roles", multiple=True, metavar="PERAN[:KANTOR]",
              help="Peran baru, menggantikan semua peran lama. " + _ROLE_HELP)
@click.option("--sandi", "new_password", is_flag=True,
              help="Ganti kata sandi (ditanyakan); semua sesi akun ini berakhir.")
@click.option("--sandi-stdin", "from_stdin", is_flag=True,
              help="Ganti kata sandi dengan baris pertama masukan standar.")
@click.option("--aktifkan", is_flag=True, help="Aktifkan lagi akun yang dinonaktifkan.")
def ubah(login: str, nama: str | None, roles: tuple[str, ...], new_password: bool,
         from_stdin: bool, aktifkan: bool) -> None:
    """Ubah nama, peran atau kata sandi akun. Kata sandi atau peran yang diubah mengakhiri
    semua sesi akun itu seketika."""
    book = _book()
    if nama is None and not roles and not (new_password or from_stdin) and not aktifkan:
        fail_usage("sebutkan yang diubah: --nama, --peran, --sandi atau --aktifkan")
    grants = _grants(roles) if roles else None
    password = (_password(f"Kata sandi baru untuk {login.strip().lower()}", from_stdin)
                if new_password or from_stdin else None)
    before = _done(lambda: book.get(login))
    changed = _done(lambda: book.change(login, nama=nama, password=password, grants=grants,
                                        aktif=True if aktifkan else None))
    ended = password is not None or (grants is not None and changed.grants != before.grants)
    click.echo(f"Akun {changed.login} ({changed.nama}) diubah: {_roles(changed, book)}"
               + ("; semua sesinya diakhiri." if ended else "."))
    sys.exit(0)


@akun.command()
@click.argument("login", metavar="NAMA_MASUK")
def nonaktifkan(login: str) -> None:
    """Nonaktifkan akun: tidak dapat masuk lagi, sesinya dan token API-nya berhenti seketika
    (riwayatnya tetap)."""
    book = _book()
    done = _done(lambda: book.deactivate(login))
    click.echo(f"Akun {done.login} ({done.nama}) dinonaktifkan; sesinya dan token API-nya "
               "berhenti seketika.")
    sys.exit(0)


@akun.command()
@json_option
def daftar(as_json: bool) -> None:
    """Daftar akun: nama masuk, nama, peran, aktif atau tidak."""
    import json

    book = _book()
    accounts = book.all() if book.exists() else []
    if as_json:
        click.echo(json.dumps([{"login": a.login, "nama": a.nama, "aktif": a.aktif,
                                "peran": [g.text() for g in a.grants], "dibuat": a.dibuat,
                                "diubah": a.diubah} for a in accounts],
                              ensure_ascii=False, indent=2))
        sys.exit(0)
    if not accounts:
        click.echo("Belum ada akun. Tambah dengan: iki-xlsx akun tambah NAMA_MASUK --nama NAMA "
                   "--peran PERAN")
        sys.exit(0)
    for account in accounts:
        state = "" if account.aktif else " [nonaktif]"
        click.echo(f"{account.login}  {account.nama}  {_roles(account, book)}{state}")
    sys.exit(0)


@akun.group(cls=Group)
def token() -> None:
    """Token API (hanya membaca): buat, daftar, cabut."""


@token.command("buat")
@click.argument("login", metavar="NAMA_MASUK")
@click.option("--label", default="API", show_default=True, metavar="TEKS",
              help="Untuk apa token ini (misalnya e-SAKIP).")
def token_buat(login: str, label: str) -> None:
    """Buat token API untuk akun; token hanya ditampilkan sekali ini."""
    book = _book()
    issued = _done(lambda: book.issue_token(login, label))
    click.echo(f"Token API {issued.id} ({issued.label}) untuk {login.strip().lower()}:")
    click.echo(issued.secret)
    click.echo("Salin sekarang: token ini tidak dapat ditampilkan lagi (yang disimpan hanya "
               "hash-nya). Kirim di kepala permintaan: Authorization: Bearer TOKEN")
    sys.exit(0)


@token.command("daftar")
@click.argument("login", metavar="NAMA_MASUK", required=False)
def token_daftar(login: str | None) -> None:
    """Daftar token API (semua, atau milik satu akun)."""
    book = _book()
    owners = {a.id: a.login for a in book.all()} if book.exists() else {}
    tokens = _done(lambda: book.tokens(login)) if book.exists() else []
    if not tokens:
        click.echo("Belum ada token API.")
    for row in tokens:
        state = f"dicabut {row.revoked_at}" if row.revoked_at else \
            f"terakhir dipakai {row.used_at}" if row.used_at else "belum dipakai"
        click.echo(f"{row.id}  {owners.get(row.account_id, '?')}  {row.label}  dibuat "
                   f"{row.created_at}  {state}")
    sys.exit(0)


@token.command("cabut")
@click.argument("ident", metavar="ID", type=int)
def token_cabut(ident: int) -> None:
    """Cabut token API: permintaan dengan token itu ditolak seketika."""
    book = _book()
    _done(lambda: book.revoke_token(ident))
    click.echo(f"Token API {ident} dicabut.")
    sys.exit(0)


# --- shared ---


def _book() -> AccountBook:
    from iki_xlsx.core.errors import StoreError

    try:
        return site().accounts()
    except StoreError as exc:
        fail_usage(str(exc))


def _grants(texts: tuple[str, ...]) -> list[Grant]:
    from iki_xlsx.accounts.roles import GrantError, parse_grant

    try:
        return [parse_grant(text) for text in texts]
    except GrantError as exc:
        fail_usage(str(exc))


def _done(work: Callable[[], T]) -> T:
    from iki_xlsx.core.errors import StoreError, UsageError

    try:
        return work()
    except (UsageError, StoreError) as exc:
        fail_usage(str(exc))


def _roles(account: Account, book: AccountBook) -> str:
    """The account's roles as people read them (offices by name in a kabupaten)."""
    names = None if book.offices is None else site().office_names()
    return ", ".join(g.label(names) for g in account.grants) or "tanpa peran"


def _password(prompt: str, from_stdin: bool) -> str:
    """A password from the first line of standard input, or typed twice at a prompt that does
    not echo it; with no terminal to ask on, a usage error (never an echoing prompt)."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            fail_usage("--sandi-stdin: masukan standar kosong")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        fail_usage("tidak ada terminal untuk menanyakan kata sandi; berikan lewat masukan "
                   "standar dengan --sandi-stdin")
    first = click.prompt(prompt, hide_input=True, prompt_suffix=": ")
    if click.prompt("Ulangi kata sandi", hide_input=True, prompt_suffix=": ") != first:
        fail_usage("kedua kata sandi tidak sama; tidak ada yang diubah")
    return str(first)

