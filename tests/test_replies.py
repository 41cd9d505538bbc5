"""The e-mail loop closed against real servers on loopback: aiosmtpd (SMTP) and dovecot (IMAP).

kirim sends the workbooks; the units answer into the office's mailbox; collect --imap --balas
answers each return; the unit that must correct gets its annotated copy, resends, and is
accepted; kirim --pengingat reminds only the unit still missing; a second run of every command
sends nothing new.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import shutil
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate
from iki_xlsx.workbook.read import read_workbook
from tests import mutate
from tests.cli import Ran
from tests.cli import iki as run_iki
from tests.conftest import ROOT
from tests.mailservers import PASSWORD, Dovecot, SmtpServer

UNITS = [Unit("01", "Desa Satu", "satu@desa.example.id"),
         Unit("02", "Desa Dua", "dua@desa.example.id"),
         Unit("03", "Desa Tiga", "tiga@desa.example.id"),
         Unit("04", "Desa Empat", "empat@desa.example.id")]
OFFICE = "iki@kecamatan.example.id"
BLUEPRINT = "iki-kecamatan-jabung"
MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture
def books(tmp_path: Path, blueprints: dict[str, Blueprint]) -> tuple[Path, dict[str, Path]]:
    """The blank workbooks kirim sends (recorded in the store's register), and each unit's
    filled copy (by kode)."""
    blank = tmp_path / "kirim"
    assert generate(blueprints[BLUEPRINT], UNITS, 2026, blank,
                    register=Store(tmp_path / "simpan")).ok
    filled = generate(blueprints[BLUEPRINT], UNITS, 2026, tmp_path / "isi", sample=True)
    by_kode = {}
    for path in filled.files:
        manifest = read_workbook(path).manifest
        assert manifest is not None
        by_kode[str(manifest["unit"]["kode"])] = path
    return blank, by_kode


def units_csv(folder: Path) -> Path:
    path = folder / "unit.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kode", "nama", "email"])
        writer.writerows([u.kode, u.nama, u.email] for u in UNITS)
    return path


def iki(*args: str, password: str = PASSWORD) -> Ran:
    return run_iki(*args, cwd=ROOT, env={"IKI_IMAP_PASSWORD": password})


def reply(sender: str, answering: EmailMessage | None, attachments: list[Path],
          number: int) -> bytes:
    """What a unit's clerk sends back: a reply to the office's message with files attached."""
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, OFFICE
    msg["Subject"] = f"Re: {answering['Subject']}" if answering else "IKI kami"
    msg["Date"] = f"Mon, {number} Oct 2026 09:00:00 +0700"
    msg["Message-ID"] = f"<balasan-{number}@desa.example.id>"
    if answering is not None:
        msg["In-Reply-To"] = str(answering["Message-ID"])
    msg.set_content("Terlampir.")
    for path in attachments:
        kind = MIME if path.suffix == ".xlsx" else ("application", "pdf")
        msg.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1],
                           filename=path.name)
    return bytes(msg)


def with_mistake(source: Path, target: Path) -> tuple[Path, str, str]:
    """The file with one input made negative: its path, the sheet and the cell."""
    sheet = openpyxl.load_workbook(source).worksheets[2]
    cell = next(c for row in sheet.iter_rows() for c in row
                if isinstance(c.value, int | float) and not c.protection.locked)
    return (mutate.set_cell(source, target, sheet.title, cell.coordinate, value=-2.0),
            sheet.title, cell.coordinate)


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_whole_cycle_by_email(tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer,
                                  books: tuple[Path, dict[str, Path]]) -> None:
    blank, filled = books
    store, units = tmp_path / "simpan", units_csv(tmp_path)
    wrong, pdf = "pribadi@surel.example.com", tmp_path / "pindaian.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    mistaken, sheet, cell = with_mistake(filled["02"], tmp_path / filled["02"].name)
    handler, mailbox = smtp.handler, dovecot.mailbox("kecamatan")
    mail = ("--smtp", f"127.0.0.1:{smtp.port}", "--from", OFFICE)
    send = ("kirim", str(blank), "--units", str(units), "--store", str(store), *mail,
            "--jeda", "0")
    take = ("collect", "--imap", f"127.0.0.1:{dovecot.port}", "--user", mailbox,
            "--cafile", str(dovecot.cert), "--store", str(store), "--balas", *mail)
    remind = (*send, "--pengingat", "--batas", "2026-11-30")
    correct = ("kirim", "--store", str(store), "--units", str(units), "--perbaikan", *mail)

    sent = iki(*send)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.splitlines()[-1] == "4 terkirim"
    original = {str(m["X-IKI-Unit"]): m for _, m in handler.messages}
    assert sorted(original) == ["01", "02", "03", "04"]

    dovecot.deliver(mailbox, reply("satu@desa.example.id", original["01"],
                                   [filled["01"]], 1))
    dovecot.deliver(mailbox, reply("dua@desa.example.id", original["02"], [mistaken], 2))
    dovecot.deliver(mailbox, reply(wrong, None, [filled["03"]], 3))
    dovecot.deliver(mailbox, reply("empat@desa.example.id", original["04"], [pdf], 4))
    taken = iki(*take)
    assert taken.returncode == 1, taken.stderr  # Desa Dua needs correction
    assert "3 baru, 0 sudah ada, 1 dilewati" in taken.stdout
    answers = {recipients[0]: m for recipients, m in handler.messages[4:]}
    assert len(handler.messages) == 8 and len(answers) == 4
    assert wrong not in answers  # the unit's registered address, not the stranger

    satu = answers["satu@desa.example.id"]
    assert str(satu["Subject"]) == "Re: [IKI 2026] Diterima: Desa Satu"
    assert (satu["In-Reply-To"], satu["References"]) == ("<balasan-1@desa.example.id>",) * 2
    assert (satu["X-IKI-Unit"], satu["X-IKI-Periode"], satu["X-IKI-SHA256"]) == (
        "01", "2026", sha(filled["01"]))
    assert sha(filled["01"]) in body(satu) and not list(satu.iter_attachments())

    dua = answers["dua@desa.example.id"]
    assert str(dua["Subject"]) == "Re: [IKI 2026] Perlu perbaikan: Desa Dua"
    assert dua["In-Reply-To"] == "<balasan-2@desa.example.id>"
    assert f'Lembar "{sheet}", sel {cell}: ' in body(dua) and "paling kecil 0" in body(dua)
    [annotated] = list(dua.iter_attachments())
    copy = tmp_path / str(annotated.get_filename())
    payload = annotated.get_payload(decode=True)
    assert isinstance(payload, bytes)
    copy.write_bytes(payload)
    assert copy.name == f"{mistaken.stem}_catatan.xlsx" and copy.name in body(dua)
    manifest = read_workbook(copy).manifest
    assert manifest is not None and manifest["unit"]["kode"] == "02"
    marked = openpyxl.load_workbook(copy)[sheet][cell].comment
    assert marked is not None and "paling kecil 0" in marked.text

    tiga = answers["tiga@desa.example.id"]
    assert str(tiga["Subject"]) == "Re: [IKI 2026] Diterima: Desa Tiga"
    assert f"dikirim dari {wrong}" in body(tiga)  # the sender-mismatch warning, told
    assert tiga["In-Reply-To"] == "<balasan-3@desa.example.id>"

    empat = answers["empat@desa.example.id"]
    assert str(empat["Subject"]).endswith("Ditolak: Desa Empat")
    assert "pindaian.pdf" in body(empat) and "workbook IKI (.xlsx)" in body(empat)
    assert empat["In-Reply-To"] == "<balasan-4@desa.example.id>"

    status = json.loads(iki("status", "--store", str(store), "--json").stdout)
    states = {u["kode"]: u for p in status["periods"] for u in p["units"]}
    assert [w["code"] for w in states["03"]["warnings"]] == ["sender-mismatch"]

    assert iki(*correct).stdout.splitlines()[-1] == "1 sudah terkirim"  # went as the receipt
    assert len(handler.messages) == 8

    dovecot.deliver(mailbox, reply("dua@desa.example.id", dua, [filled["02"]], 5))
    again = iki(*take)
    assert again.returncode == 0, again.stderr
    assert "1 baru, 0 sudah ada, 0 dilewati" in again.stdout
    [(to, accepted)] = handler.messages[8:]
    assert to == ["dua@desa.example.id"]
    assert str(accepted["Subject"]) == "Re: [IKI 2026] Diterima: Desa Dua"
    assert accepted["In-Reply-To"] == "<balasan-5@desa.example.id>"

    reminded = iki(*remind)
    assert reminded.returncode == 0, reminded.stderr
    [(to, reminder)] = handler.messages[9:]
    assert to == ["empat@desa.example.id"]
    assert str(reminder["In-Reply-To"]).strip() == original["04"]["Message-ID"]  # folded
    assert "30 November 2026" in body(reminder)
    [attached] = list(reminder.iter_attachments())
    assert attached.get_payload(decode=True) == next(
        p for p in blank.glob("*.xlsx") if "04" in p.name).read_bytes()

    for command in (send, take, correct, remind):
        rerun = iki(*command)
        assert rerun.returncode == 0, (command, rerun.stderr)
    assert len(handler.messages) == 10  # nothing new

    history = iki("status", "--store", str(store), "--riwayat")
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert sum(" workbook ke " in line for line in lines) == 4
    assert sum("tanda terima diterima ke " in line for line in lines) == 3
    assert any("permintaan perbaikan ke Desa Dua <dua@desa.example.id>" in line
               for line in lines)
    assert any("pengingat ke Desa Empat <empat@desa.example.id>: " in line and
               line.endswith("TERKIRIM") for line in lines)


def test_kirim_perbaikan_sends_the_annotated_copy_once(tmp_path: Path, smtp: SmtpServer,
                                                       books: tuple[Path, dict[str, Path]]
                                                       ) -> None:
    """A return collected from a saved e-mail without --balas: kirim --perbaikan answers it
    (written as .eml first with --dry-run, which logs nothing), once."""
    _, filled = books
    store, units = tmp_path / "simpan", units_csv(tmp_path)
    mistaken, sheet, cell = with_mistake(filled["02"], tmp_path / filled["02"].name)
    saved = tmp_path / "dua.eml"
    saved.write_bytes(reply("dua@desa.example.id", None, [mistaken], 7))
    assert iki("collect", str(saved), "--store", str(store)).returncode == 1
    correct = ("kirim", "--perbaikan", "--store", str(store), "--units", str(units),
               "--from", OFFICE)

    drafts = tmp_path / "draf"
    written = iki(*correct, "--dry-run", str(drafts))
    assert written.returncode == 0, written.stderr
    [draft] = drafts.glob("*.eml")
    assert draft.name.startswith("perbaikan-02-")
    assert not (store / "kirim-log.jsonl").exists()

    handler = smtp.handler
    sent = iki(*correct, "--smtp", f"127.0.0.1:{smtp.port}")
    assert sent.returncode == 0, sent.stderr
    again = iki(*correct, "--smtp", f"127.0.0.1:{smtp.port}")
    assert again.stdout.splitlines()[-1] == "1 sudah terkirim"
    [(to, message)] = handler.messages
    assert to == ["dua@desa.example.id"]
    assert message["In-Reply-To"] == "<balasan-7@desa.example.id>"
    assert message["X-IKI-SHA256"] == sha(mistaken)
    assert f'Lembar "{sheet}", sel {cell}: ' in body(message)
    [annotated] = list(message.iter_attachments())
    assert annotated.get_filename() == f"{mistaken.stem}_catatan.xlsx"


def test_a_store_of_the_first_release_answers_without_threading(tmp_path: Path) -> None:
    """Migration 3 adds the Message-ID column; returns collected before it have none, so
    their answers carry no In-Reply-To rather than failing."""
    from iki_xlsx.intake.status import history
    from iki_xlsx.mail.replies import stored_return
    from iki_xlsx.store.db import MIGRATIONS

    folder = tmp_path / "simpan"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "store-v1", folder)
    store = Store(folder)
    returns = [stored_return(store, item.sha256) for item in history(store)]
    assert store.schema_version() == len(MIGRATIONS) >= 3
    assert returns and all(r is not None and r.message_id is None for r in returns)


def test_the_deadline_can_come_from_iki_toml(tmp_path: Path) -> None:
    from iki_xlsx.service.workspace import CONFIG_TEMPLATE, read_config

    path = tmp_path / "iki.toml"
    path.write_text(CONFIG_TEMPLATE.replace("# batas = 2027-01-31", "batas = 2027-01-31"),
                    encoding="utf-8")
    config, findings = read_config(path)
    assert findings == [] and config is not None
    assert config.batas == datetime.date(2027, 1, 31)
    path.write_text(CONFIG_TEMPLATE.replace("# batas = 2027-01-31", 'batas = "besok"'),
                    encoding="utf-8")
    config, findings = read_config(path)
    assert config is None and [f.line for f in findings] == [
        CONFIG_TEMPLATE.splitlines().index("# batas = 2027-01-31") + 1]


def test_a_receipt_that_failed_is_sent_by_the_next_collect(tmp_path: Path, smtp: SmtpServer,
                                                           books: tuple[Path, dict[str, Path]]
                                                           ) -> None:
    """The unit's mail server refuses the receipt (550): the return is still stored and the
    failure reported; the next `terima --balas`, with nothing new to take, sends that receipt
    once, and the one after sends nothing."""
    _, filled = books
    store, units = tmp_path / "simpan", units_csv(tmp_path)
    saved = tmp_path / "satu.eml"
    saved.write_bytes(reply("satu@desa.example.id", None, [filled["01"]], 3))
    handler = smtp.handler
    handler.refuse.add("satu@desa.example.id")
    take = ("collect", str(saved), "--store", str(store), "--units", str(units), "--balas",
            "--smtp", f"127.0.0.1:{smtp.port}", "--from", OFFICE)
    first = iki(*take)
    assert first.returncode == 1
    assert first.stderr.splitlines() == [
        f"Kesalahan: {filled['01'].name}: gagal mengirim ke Desa Satu "
        "<satu@desa.example.id>: penerima ditolak server (550 5.1.1 Kotak surat tidak ada)"]
    assert handler.messages == []
    handler.refuse.clear()
    second = iki(*take)
    assert second.returncode == 0, second.stderr
    third = iki(*take)
    assert third.returncode == 0, third.stderr
    [(to, message)] = handler.messages
    assert to == ["satu@desa.example.id"]
    assert message["X-IKI-SHA256"] == sha(filled["01"])
    assert message["In-Reply-To"] == "<balasan-3@desa.example.id>"
    assert "1 baru" not in second.stdout and "0 baru, 1 sudah ada" in second.stdout
