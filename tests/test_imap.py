"""collect --imap against a real dovecot (IMAPS on loopback, certificate made for the test)."""

from __future__ import annotations

import json
import sqlite3
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.mail.imap import ImapAccount, collect_imap
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate
from tests.cli import Ran, iki
from tests.conftest import ROOT, registered_store
from tests.mailservers import PASSWORD, Dovecot

UNITS = [Unit("01", "Desa Satu", "satu@desa.example.id"),
         Unit("02", "Desa Dua", "dua@desa.example.id"),
         Unit("03", "Desa Tiga", "tiga@desa.example.id")]
MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory,
              blueprints: dict[str, Blueprint]) -> list[Path]:
    folder = tmp_path_factory.mktemp("kembali")
    return generate(blueprints["iki-kecamatan-jabung"], UNITS, 2026, folder, sample=True).files


def message(sender: str, subject: str, attachments: list[Path], day: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "iki@kecamatan.example.id", subject
    msg["Date"] = f"Mon, {day} Oct 2026 09:00:00 +0700"
    msg["Message-ID"] = f"<uji-{day}@desa.example.id>"
    msg.set_content("Terlampir IKI kami.")
    for path in attachments:
        kind = MIME if path.suffix == ".xlsx" else ("application", "pdf")
        msg.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1],
                           filename=path.name)
    return bytes(msg)


def collect(dovecot: Dovecot, store: Path, user: str, *extra: str,
            password: str = PASSWORD) -> Ran:
    return iki("collect", "--imap", f"127.0.0.1:{dovecot.port}", "--user", user, "--store",
               str(store), *extra, cwd=ROOT, env={"IKI_IMAP_PASSWORD": password})


def test_returns_are_collected_once_and_the_mailbox_is_unchanged(
        tmp_path: Path, dovecot: Dovecot, workbooks: list[Path],
        blueprints: dict[str, Blueprint]) -> None:
    satu, dua, tiga, kantor = workbooks
    foreign = tmp_path / "anggaran.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "bukan IKI"
    book.save(foreign)
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    user = dovecot.mailbox("kecamatan")
    dovecot.deliver(user, message("satu@desa.example.id", "IKI Desa Satu", [satu], 5), "S")
    dovecot.deliver(user, message("Dua <dua@desa.example.id>", "IKI dua berkas", [dua, kantor],
                                  6))
    dovecot.deliver(user, message("satu@desa.example.id", "Lupa lampiran", [], 7))
    dovecot.deliver(user, message("dua@desa.example.id", "Berkas lain", [foreign, pdf], 8))
    dovecot.deliver(user, message("orang.lain@surel.example.com", "IKI Tiga", [tiga], 9))
    before = dovecot.snapshot(user)
    store = registered_store(tmp_path, blueprints["iki-kecamatan-jabung"], UNITS).folder
    cafile = ("--cafile", str(dovecot.cert))

    first = collect(dovecot, store, user, *cafile)
    assert first.returncode == 1, first.stderr  # the foreign workbook is not ok
    assert "5 baru, 0 sudah ada" in first.stdout
    assert "pesan tanpa lampiran workbook" in first.stdout
    with sqlite3.connect(store / "iki.sqlite") as db:
        rows = db.execute("SELECT filename, sender, subject, received_at, status, unit_kode "
                          "FROM submission ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (satu.name, "satu@desa.example.id", "IKI Desa Satu"),
        (dua.name, "dua@desa.example.id", "IKI dua berkas"),
        (kantor.name, "dua@desa.example.id", "IKI dua berkas"),
        ("anggaran.xlsx", "dua@desa.example.id", "Berkas lain"),
        (tiga.name, "orang.lain@surel.example.com", "IKI Tiga")]
    assert rows[0][3] == "2026-10-05T09:00:00+07:00"
    assert [r[4] for r in rows] == ["ok", "ok", "ok", "rejected", "ok"]

    second = collect(dovecot, store, user, *cafile)
    assert second.returncode == 0, second.stderr
    assert "0 baru, 0 sudah ada, 0 dilewati" in second.stdout
    assert dovecot.snapshot(user) == before  # same files, same flags (:2,S and :2,)

    status = iki("status", "--store", str(store), "--json", cwd=ROOT)
    units = {u["kode"]: u for p in json.loads(status.stdout)["periods"] for u in p["units"]}
    assert [w["code"] for w in units["03"]["warnings"]] == ["sender-mismatch"]
    assert "orang.lain@surel.example.com" in units["03"]["warnings"][0]["message"]
    assert units["01"]["warnings"] == [] and units["02"]["warnings"] == []
    assert units["03"]["state"] == "diterima"  # a warning, not a rejection
    text = iki("status", "--store", str(store), cwd=ROOT).stdout
    warned = [line for line in text.splitlines() if line.startswith("    Peringatan: ")]
    assert len(warned) == 1 and warned[0].startswith(
        "    Peringatan: workbook Desa Tiga dikirim dari orang.lain@surel.example.com")
    assert warned[0].endswith(" [sender-mismatch]")

    dovecot.deliver(user, message("tiga@desa.example.id", "IKI Tiga dari alamatnya",
                                  [tiga], 10))
    third = collect(dovecot, store, user, *cafile)
    assert "0 baru, 1 sudah ada, 0 dilewati" in third.stdout  # one new message, same file


def test_verification_is_never_skipped_and_a_bad_login_is_clear(tmp_path: Path,
                                                                dovecot: Dovecot) -> None:
    user = dovecot.mailbox("kecamatan")
    untrusted = collect(dovecot, tmp_path / "simpan", user)
    assert untrusted.returncode == 1
    assert "koneksi TLS" in untrusted.stderr
    wrong = collect(dovecot, tmp_path / "simpan", user, "--cafile", str(dovecot.cert),
                    password="salah")
    assert wrong.returncode == 1 and f"login IMAP untuk {user} ditolak" in wrong.stderr


def test_collect_needs_sources_or_imap(tmp_path: Path) -> None:
    done = iki("collect", "--store", str(tmp_path), cwd=ROOT)
    assert done.returncode == 2


def test_since_limits_the_search_by_arrival_date(tmp_path: Path, dovecot: Dovecot,
                                                 workbooks: list[Path]) -> None:
    user = dovecot.mailbox("arsip")
    dovecot.deliver(user, message("satu@desa.example.id", "IKI", [workbooks[0]], 11))
    later = collect(dovecot, tmp_path / "simpan", user, "--cafile", str(dovecot.cert),
                    "--since", "2099-01-01")
    assert later.returncode == 0 and "0 baru, 0 sudah ada, 0 dilewati" in later.stdout
    today = collect(dovecot, tmp_path / "simpan", user, "--cafile", str(dovecot.cert),
                    "--since", "2000-01-01")
    assert today.returncode == 0 and "1 baru" in today.stdout


def test_a_message_over_the_limit_is_never_fetched_and_is_taken(
        tmp_path: Path, dovecot: Dovecot, workbooks: list[Path],
        blueprints: dict[str, Blueprint]) -> None:
    """The server's stated size decides before the body is fetched: a message over the limit
    is reported and remembered as taken; the small one beside it is collected as usual."""
    user = dovecot.mailbox("besar")
    dovecot.deliver(user, message("satu@desa.example.id", "IKI besar", [workbooks[0]] * 3, 12))
    dovecot.deliver(user, message("dua@desa.example.id", "IKI kecil", [workbooks[1]], 13))
    sizes = sorted(len(message("x@y.id", "IKI", [w] * n, 1)) for w, n in
                   ((workbooks[0], 3), (workbooks[1], 1)))
    limit = (sizes[0] + sizes[1]) // 2  # between the small and the big message
    store = Store(tmp_path / "simpan")
    account = ImapAccount("127.0.0.1", dovecot.port, user, PASSWORD, cafile=dovecot.cert)
    index = BlueprintIndex(blueprints.values())
    steps: list[int] = []  # the progress the CLI shows as a bar: one per attachment taken
    first = collect_imap(account, store, index, max_message_bytes=limit, progress=steps.append)
    assert [name for name, _, _ in first.added] == [workbooks[1].name] and steps == [1]
    assert len(first.skipped) == 1
    source, reason = first.skipped[0]
    assert source.endswith(";UID=1") and reason.startswith("terlalu besar (") \
        and reason.endswith("tidak dibaca")
    again = collect_imap(account, store, index, max_message_bytes=limit)
    assert (again.added, again.skipped, again.duplicates) == ([], [], [])
