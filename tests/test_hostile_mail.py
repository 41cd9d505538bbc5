"""The e-mail loop turned against the office, against real servers on loopback (dovecot for
IMAP, aiosmtpd for SMTP) and the real CLI: a machine's message is never answered (no mail
loop), thirty copies of one unit's workbook cost the unit one answer, and `terima --imap
--balas` killed part-way is caught up by the next run with nothing answered twice."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import signal
import subprocess
import sys
import threading
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from iki_xlsx.store.db import Store
from iki_xlsx.workbook.read import read_workbook
from tests.cli import iki
from tests.conftest import ROOT
from tests.hostile import good_workbooks
from tests.mailservers import PASSWORD, Dovecot, Kotak, SmtpServer

OFFICE = "iki@kecamatan.example.id"
MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Twelve desa's filled returns, by kode ("01" .. "12")."""
    found: dict[str, Path] = {}
    for path in good_workbooks(tmp_path_factory.mktemp("kembali"), 13):
        manifest = read_workbook(path).manifest
        assert manifest is not None
        found[str(manifest["unit"]["kode"])] = path
    found.pop("kecamatan", None)
    assert sorted(found) == [f"{i:02d}" for i in range(1, 13)]
    return found


def address(kode: str) -> str:
    return f"desa{kode}@desa.example.id"


def units_csv(folder: Path) -> Path:
    path = folder / "unit.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kode", "nama", "email"])
        writer.writerows([f"{i:02d}", f"Desa Nomor {i}", address(f"{i:02d}")]
                         for i in range(1, 13))
    return path


def message(sender: str, number: int, attachments: list[tuple[str, bytes]],
            headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, OFFICE, f"IKI {number}"
    msg["Date"] = "Mon, 5 Oct 2026 09:00:00 +0700"
    msg["Message-ID"] = f"<pesan-{number}@desa.example.id>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content("Terlampir." if attachments else "Saya sedang cuti sampai 12 Oktober.")
    for name, data in attachments:
        msg.add_attachment(data, maintype=MIME[0], subtype=MIME[1], filename=name)
    return bytes(msg)


DSN = (f"From: {address('06')}\r\nTo: {OFFICE}\r\nSubject: Undelivered Mail\r\n"
       "Message-ID: <dsn-6@desa.example.id>\r\nMIME-Version: 1.0\r\n"
       'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
       "--b\r\nContent-Type: text/plain\r\n\r\nPesan tidak dapat dikirim.\r\n"
       "--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n"
       "--b--\r\n").encode()


def take(dovecot: Dovecot, user: str, store: Path, units: Path, smtp: SmtpServer,
         ) -> subprocess.Popen[str]:
    """`terima --imap ... --balas` as a real process: the run the killed-run test kills."""
    env = {**os.environ, "IKI_IMAP_PASSWORD": PASSWORD}
    return subprocess.Popen(
        [sys.executable, "-m", "iki_xlsx", "terima", "--imap", f"127.0.0.1:{dovecot.port}",
         "--user", user, "--cafile", str(dovecot.cert), "--store", str(store), "--units",
         str(units), "--balas", "--smtp", f"127.0.0.1:{smtp.port}", "--from", OFFICE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def taken(dovecot: Dovecot, user: str, store: Path, units: Path,
          smtp: SmtpServer) -> tuple[int, str, str]:
    """The same `terima --imap ... --balas` run in this process (`take` starts a process only
    for the run a test kills): its exit code, stdout and stderr."""
    done = iki("terima", "--imap", f"127.0.0.1:{dovecot.port}", "--user", user, "--cafile",
               str(dovecot.cert), "--store", str(store), "--units", str(units), "--balas",
               "--smtp", f"127.0.0.1:{smtp.port}", "--from", OFFICE, cwd=ROOT,
               env={"IKI_IMAP_PASSWORD": PASSWORD})
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def near_copy(source: Path, target: Path, number: int) -> Path:
    """The same workbook with another zip comment: other bytes, the same content."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.comment = f"salinan {number}".encode()
    return target


def test_a_machines_message_is_never_answered(dovecot: Dovecot, returns: dict[str, Path],
                                              tmp_path: Path, smtp_server: SmtpServer) -> None:
    user, units, store = dovecot.mailbox("kantor-mesin"), units_csv(tmp_path), \
        tmp_path / "simpan"
    good = returns["01"]
    dovecot.deliver(user, message(address("01"), 1, [], {"Auto-Submitted": "auto-replied"}))
    dovecot.deliver(user, message(address("02"), 2, [], {"X-Auto-Response-Suppress": "All",
                                                         "Precedence": "auto_reply"}))
    dovecot.deliver(user, message(address("03"), 3, [], {"Return-Path": "<>"}))
    dovecot.deliver(user, message(address("04"), 4, [(good.name, good.read_bytes())],
                                  {"List-Id": "<iki.desa.example.id>"}))
    dovecot.deliver(user, message("MAILER-DAEMON@desa.example.id", 5, []))
    dovecot.deliver(user, DSN)
    handler = Kotak()
    smtp_server.use(handler)
    with contextlib.nullcontext(smtp_server) as smtp:
        code, out, _ = taken(dovecot, user, store, units, smtp)
        again = taken(dovecot, user, store, units, smtp)
    assert code == 0, out
    assert handler.messages == []  # not one answer: no mail loop
    lines = out.splitlines()
    assert lines[0].startswith(f"baru: {good.name} ") and lines[0].endswith("DITERIMA")
    said = [line for line in lines if line.startswith("tidak dibalas: ")]
    mailbox = said[0].split(";UID=")[0].removeprefix("tidak dibalas: ")
    assert said == [
        f"tidak dibalas: {what}: dikirim oleh mesin ({why}); tidak dibalas" for what, why in (
            (f"{mailbox};UID=1", "Auto-Submitted: auto-replied"),
            (f"{mailbox};UID=2", "Precedence: auto_reply"),
            (f"{mailbox};UID=3", "Return-Path: <>"), (good.name, "List-Id"),
            (f"{mailbox};UID=5", "MAILER-DAEMON@desa.example.id"),
            (f"{mailbox};UID=6", "laporan pengiriman (DSN)"))]
    assert again[0] == 0 and "0 baru" in again[1]


class Stalling(Kotak):
    """Accepts `accept` messages, then holds the next DATA unanswered until released."""

    def __init__(self, accept: int) -> None:
        super().__init__()
        self.accept = accept
        self.stalled = threading.Event()
        self.release: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if len(self.messages) >= self.accept:
            self.loop, self.release = asyncio.get_running_loop(), asyncio.Event()
            self.stalled.set()
            await self.release.wait()
            return "451 4.3.0 Coba lagi nanti"
        return await super().handle_DATA(server, session, envelope)

    def free(self) -> None:
        self.accept = 10**6
        if self.loop is not None and self.release is not None:
            self.loop.call_soon_threadsafe(self.release.set)


def test_a_killed_run_is_caught_up_and_nothing_answered_twice(
        dovecot: Dovecot, returns: dict[str, Path], tmp_path: Path,
        smtp_server: SmtpServer) -> None:
    user, units, store = dovecot.mailbox("kantor-terputus"), units_csv(tmp_path), \
        tmp_path / "simpan"
    for number, (kode, path) in enumerate(sorted(returns.items()), start=1):
        dovecot.deliver(user, message(address(kode), number, [(path.name, path.read_bytes())]))
    handler = Stalling(accept=4)
    smtp_server.use(handler)
    with contextlib.nullcontext(smtp_server) as smtp:
        first = take(dovecot, user, store, units, smtp)
        assert handler.stalled.wait(timeout=600)  # the fifth answer is being sent
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
        handler.free()
        assert len(handler.messages) == 4
        code, out, _ = taken(dovecot, user, store, units, smtp)
        assert code == 0, out
        code, again, _ = taken(dovecot, user, store, units, smtp)
    assert code == 0 and again.splitlines()[-1] == "0 baru, 0 sudah ada, 0 dilewati"
    answered = sorted(to for recipients, _ in handler.messages for to in recipients)
    assert answered == sorted(address(kode) for kode in returns)  # each unit once
    assert all(str(m["Subject"]).startswith("Re: [IKI 2026] Diterima: ")
               for _, m in handler.messages)
    assert Store(store).owed_answers() == []


def test_thirty_copies_cost_the_unit_one_answer(dovecot: Dovecot, returns: dict[str, Path],
                                                tmp_path: Path, smtp_server: SmtpServer) -> None:
    user, units, store = dovecot.mailbox("kantor-salinan"), units_csv(tmp_path), \
        tmp_path / "simpan"
    good = returns["07"]
    copies = [near_copy(good, tmp_path / f"salinan-{i:02d}.xlsx", i) for i in range(30)]
    dovecot.deliver(user, message("orang.lain@surel.example.com", 1,
                                  [(p.name, p.read_bytes()) for p in copies]))
    more = [near_copy(good, tmp_path / f"lagi-{i:02d}.xlsx", 100 + i) for i in range(5)]
    handler = Kotak()
    smtp_server.use(handler)
    with contextlib.nullcontext(smtp_server) as smtp:
        code, out, _ = taken(dovecot, user, store, units, smtp)
        assert code == 0, out
        assert "30 baru, 0 sudah ada, 0 dilewati" in out
        assert [to for to, _ in handler.messages] == [[address("07")]]
        dovecot.deliver(user, message(address("07"), 2, [(p.name, p.read_bytes())
                                                         for p in more]))
        code, out, _ = taken(dovecot, user, store, units, smtp)
    assert code == 0 and "5 baru" in out
    assert len(handler.messages) == 1  # the same verdict the same day: not again
    assert "sudah menerima balasan diterima hari ini" in out
    assert Store(store).owed_answers() == []
