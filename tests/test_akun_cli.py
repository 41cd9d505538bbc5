"""The command line of a kabupaten's server (issue 24): `init --kabupaten`, `kantor`, `akun`
and `--kantor KODE` on an office's commands, run in-process as a user types them. A password
is read from stdin or a terminal, never an argument, and is never found in a file or line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iki_xlsx.accounts.passwords import verify_password
from iki_xlsx.service.site import Site
from tests.cli import iki

SANDI = "sandi-admin-77"


@pytest.fixture
def kabupaten(tmp_path: Path) -> Path:
    root = tmp_path / "malang"
    made = iki("init", "--kabupaten", root)
    assert made.returncode == 0, made.stderr
    assert f"Ruang kerja kabupaten siap di {root}." in made.stdout
    for kode, nama in (("3507010", "Kecamatan Jabung"), ("3507020", "Kecamatan Tumpang")):
        added = iki("kantor", "tambah", kode, "--nama", nama, cwd=root)
        assert added.returncode == 0, added.stderr
    return root


def test_an_office_command_in_a_kabupaten_names_its_office(kabupaten: Path) -> None:
    missing = iki("status", cwd=kabupaten)
    assert missing.returncode == 2
    assert missing.stderr == (f"Kesalahan: {kabupaten} adalah ruang kerja kabupaten; sebutkan "
                              "kantornya dengan --kantor KODE (kantor yang ada: 3507010, "
                              "3507020)\n")
    unknown = iki("--kantor", "../3507010", "status", cwd=kabupaten)
    assert unknown.returncode == 2
    assert unknown.stderr == ("Kesalahan: kantor '../3507010' tidak ada di kantor.csv (kantor "
                              "yang ada: 3507010, 3507020)\n")
    made = iki("--kantor", "3507020", "buat", "iki-kecamatan-kota", "--periode", "2026",
               cwd=kabupaten)
    assert made.returncode in (0, 1), made.stderr
    assert (kabupaten / "kantor" / "3507020" / "keluaran").is_dir()
    assert not list((kabupaten / "kantor" / "3507010" / "keluaran").rglob("*.xlsx"))
    assert list((kabupaten / "kantor" / "3507020" / "keluaran").rglob("*.xlsx"))


def test_kantor_is_refused_outside_a_kabupaten(tmp_path: Path) -> None:
    assert iki("init", tmp_path / "kec").returncode == 0
    refused = iki("--kantor", "3507010", "status", cwd=tmp_path / "kec")
    assert refused.returncode == 2
    assert refused.stderr.startswith("Kesalahan: --kantor hanya untuk ruang kerja kabupaten")


def test_accounts_are_added_changed_and_deactivated_without_a_password_anywhere(
        kabupaten: Path) -> None:
    added = iki("akun", "tambah", "admin", "--nama", "Admin Kabupaten", "--peran", "admin",
                "--sandi-stdin", cwd=kabupaten, input=SANDI + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "Akun admin (Admin Kabupaten) dibuat: admin kabupaten.\n"
    operator = iki("akun", "tambah", "Budi", "--nama", "Budi Santoso", "--peran",
                   "operator:3507010", "--sandi-stdin", cwd=kabupaten, input="sandi-budi-11\n")
    assert operator.stdout == "Akun budi (Budi Santoso) dibuat: operator Kecamatan Jabung.\n"
    no_terminal = iki("akun", "tambah", "sri", "--nama", "Sri", "--peran", "pemeriksa",
                      cwd=kabupaten)
    assert no_terminal.returncode == 2
    assert "--sandi-stdin" in no_terminal.stderr
    wrong_office = iki("akun", "tambah", "sri", "--nama", "Sri", "--peran", "operator",
                       "--sandi-stdin", cwd=kabupaten, input="sandi-sri-123\n")
    assert wrong_office.returncode == 2
    assert wrong_office.stderr == ("Kesalahan: peran operator diberikan untuk satu kantor; "
                                   "tulis operator:KODE (kode dari kantor.csv)\n")
    moved = iki("akun", "ubah", "budi", "--peran", "operator:3507020", cwd=kabupaten)
    assert moved.stdout == ("Akun budi (Budi Santoso) diubah: operator Kecamatan Tumpang; "
                            "semua sesinya diakhiri.\n")
    assert iki("akun", "nonaktifkan", "budi", cwd=kabupaten).returncode == 0
    listed = iki("akun", "daftar", cwd=kabupaten)
    assert listed.stdout == ("admin  Admin Kabupaten  admin kabupaten\n"
                             "budi  Budi Santoso  operator Kecamatan Tumpang [nonaktif]\n")
    as_json = json.loads(iki("akun", "daftar", "--json", cwd=kabupaten).stdout)
    assert [(a["login"], a["aktif"], a["peran"]) for a in as_json] == [
        ("admin", True, ["admin:semua"]), ("budi", False, ["operator:3507020"])]
    book = Site.at(kabupaten).accounts()
    admin = book.store.accounts.by_login("admin")
    assert admin is not None and verify_password(SANDI, admin.password_hash)
    for path in kabupaten.rglob("*"):
        if path.is_file():
            assert SANDI.encode() not in path.read_bytes(), path


def test_an_api_token_is_shown_once_and_revoked(kabupaten: Path) -> None:
    iki("akun", "tambah", "inspektorat", "--nama", "Inspektorat", "--peran", "pemeriksa",
        "--sandi-stdin", cwd=kabupaten, input="sandi-insp-99\n")
    made = iki("akun", "token", "buat", "inspektorat", "--label", "e-SAKIP", cwd=kabupaten)
    assert made.returncode == 0
    secret = made.stdout.splitlines()[1]
    assert secret.startswith("iki_")
    book = Site.at(kabupaten).accounts()
    owner = book.token_account(secret)
    assert owner is not None and owner.login == "inspektorat"
    listed = iki("akun", "token", "daftar", cwd=kabupaten).stdout
    assert "inspektorat  e-SAKIP" in listed and secret not in listed
    assert iki("akun", "token", "cabut", "1", cwd=kabupaten).stdout == "Token API 1 dicabut.\n"
    assert book.token_account(secret) is None


def test_a_new_password_from_stdin_ends_the_sessions_and_signs_in(kabupaten: Path) -> None:
    from iki_xlsx.accounts.sessions import SignInOutcome

    iki("akun", "tambah", "admin", "--nama", "Admin", "--peran", "admin", "--sandi-stdin",
        cwd=kabupaten, input=SANDI + "\n")
    sessions = Site.at(kabupaten).sessions()
    opened = sessions.sign_in("admin", SANDI, "127.0.0.1")
    assert opened.outcome is SignInOutcome.OK and sessions.principal(opened.token) is not None
    short = iki("akun", "ubah", "admin", "--sandi-stdin", cwd=kabupaten, input="pendek\n")
    assert short.returncode == 2
    assert short.stderr == "Kesalahan: kata sandi minimal 8 karakter\n"
    changed = iki("akun", "ubah", "admin", "--sandi-stdin", cwd=kabupaten,
                  input="sandi-baru-2027\n")
    assert changed.stdout == "Akun admin (Admin) diubah: admin kabupaten; semua sesinya diakhiri.\n"
    assert sessions.principal(opened.token) is None
    assert sessions.sign_in("admin", SANDI, "127.0.0.1").outcome is SignInOutcome.WRONG
    assert sessions.sign_in("admin", "sandi-baru-2027", "127.0.0.1").outcome is SignInOutcome.OK
