"""kirim: every unit gets its own workbook through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import csv
import email
import email.policy
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.mail.kirim import LOG_NAME, match_workbooks, read_log
from iki_xlsx.workbook.generate import generate
from iki_xlsx.workbook.read import read_workbook
from tests.cli import Ran, iki
from tests.conftest import ROOT
from tests.mailservers import PASSWORD, Kotak, SmtpServer

UNITS = [Unit(f"35073010{i:02d}", f"Desa Uji {i}", f"desa{i:02d}@desa.example.id")
         for i in range(1, 21)]
SENDER = "iki@kecamatan.example.id"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory,
              blueprints: dict[str, Blueprint]) -> Path:
    folder = tmp_path_factory.mktemp("kirim")
    result = generate(blueprints["iku-kecamatan"], UNITS, 2026, folder)
    assert result.ok
    return folder


def units_csv(folder: Path, units: list[Unit] = UNITS) -> Path:
    path = folder / "unit.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kode", "nama", "email"])
        writer.writerows([u.kode, u.nama, u.email or ""] for u in units)
    return path


def copy_of(workbooks: Path, target: Path) -> Path:
    target.mkdir()
    for path in workbooks.glob("*.xlsx"):
        (target / path.name).write_bytes(path.read_bytes())
    return target


def run(*args: str, env: dict[str, str] | None = None) -> Ran:
    return iki("kirim", *args, cwd=ROOT, env=env)


def kirim(folder: Path, units: Path, port: int, *extra: str) -> Ran:
    return run(str(folder), "--units", str(units), "--smtp", f"127.0.0.1:{port}",
               "--from", SENDER, "--batas", "2027-01-31", "--jeda", "0", *extra)


def attached_unit(message: EmailMessage, tmp_path: Path) -> list[str]:
    """The unit codes named by the manifests of the message's attachments."""
    codes = []
    for i, part in enumerate(message.iter_attachments()):
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        path = tmp_path / f"lampiran-{i}-{part.get_filename()}"
        path.write_bytes(payload)
        manifest = read_workbook(path).manifest
        assert manifest is not None
        codes.append(str(manifest["unit"]["kode"]))
    return codes


def by_address() -> dict[str, str]:
    return {str(u.email): u.kode for u in UNITS}


def test_twenty_units_each_get_their_own_workbook_once(tmp_path: Path, workbooks: Path,
                                                       smtp: SmtpServer) -> None:
    folder = copy_of(workbooks, tmp_path / "kirim")
    one, two = sorted(folder.glob("IKI_2026_3507301001_*")), sorted(folder.glob("IKI_2026_35073"
                                                                               "01002_*"))
    # swap two file names: the manifest inside, not the name, decides the recipient
    one[0].rename(folder / "tukar.tmp")
    two[0].rename(one[0])
    (folder / "tukar.tmp").rename(two[0])
    handler, server = smtp.handler, smtp
    done = kirim(folder, units_csv(tmp_path), server.port)
    assert done.returncode == 0, done.stderr
    assert len(handler.messages) == 20
    for recipients, message in handler.messages:
        assert recipients == [message["To"]]
        assert attached_unit(message, tmp_path) == [by_address()[recipients[0]]]
        assert message["From"] == SENDER
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert "31 Januari 2027" in text and "balas surel ini" in text.lower()
        assert "2026" in str(message["Subject"])
    log = read_log(folder / LOG_NAME)
    assert sorted(r["email"] for r in log) == sorted(by_address())
    assert all(r["hasil"] == "terkirim" and r["message_id"] and len(r["sha256"]) == 64
               for r in log)

    again = kirim(folder, units_csv(tmp_path), server.port)
    assert again.returncode == 0, again.stderr
    assert len(handler.messages) == 20
    assert "20 sudah terkirim" in again.stdout

    forced = kirim(folder, units_csv(tmp_path), server.port, "--ulang")
    assert forced.returncode == 0, forced.stderr
    assert len(handler.messages) == 40
    assert len(read_log(folder / LOG_NAME)) == 40


def test_a_refused_recipient_is_reported_and_the_others_arrive(tmp_path: Path,
                                                              workbooks: Path,
                                                              smtp: SmtpServer) -> None:
    folder = copy_of(workbooks, tmp_path / "kirim")
    refused = str(UNITS[6].email)
    handler, server = smtp.handler, smtp
    handler.refuse.add(refused)
    done = kirim(folder, units_csv(tmp_path), server.port)
    assert done.returncode == 1
    assert f"gagal mengirim ke {UNITS[6].nama} <{refused}>" in done.stderr
    assert "550" in done.stderr
    assert sorted(r for r, _ in handler.messages) == sorted(
        [a] for a in by_address() if a != refused)
    results = {r["email"]: r["hasil"] for r in read_log(folder / LOG_NAME)}
    assert results[refused] == "gagal"
    # once the address is fixed on the server side, a second run sends only the missing one
    handler.refuse.clear()
    again = kirim(folder, units_csv(tmp_path), server.port)
    assert again.returncode == 0, again.stderr
    assert [r for r, _ in handler.messages[19:]] == [[refused]]


def test_a_busy_server_is_retried_with_backoff(tmp_path: Path, workbooks: Path,
                                               smtp: SmtpServer) -> None:
    folder = copy_of(workbooks, tmp_path / "kirim")
    handler, server = smtp.handler, smtp
    handler.busy.update({str(UNITS[0].email): 2, str(UNITS[1].email): 5})
    done = kirim(folder, units_csv(tmp_path), server.port, "--percobaan", "3")
    assert done.returncode == 1
    received = [r[0] for r, _ in handler.messages]
    assert UNITS[0].email in received  # third attempt went through
    assert UNITS[1].email not in received and len(received) == 19
    assert "451" in done.stderr


def test_a_server_that_is_down_is_said_once_then_a_rerun_sends_them(
        tmp_path: Path, workbooks: Path) -> None:
    folder = copy_of(workbooks, tmp_path / "kirim")
    handler = Kotak()
    server = SmtpServer(handler)
    down = kirim(folder, units_csv(tmp_path), server.port, "--percobaan", "2")
    assert down.returncode == 1
    said = [line for line in down.stderr.splitlines() if "tidak dapat dipakai" in line]
    assert len(said) == 1 and "server tidak dapat dihubungi" in said[0], down.stderr
    assert f"127.0.0.1:{server.port}" in said[0] and "belum ada surel yang dikirim" in said[0]
    assert "gagal mengirim" not in down.stderr  # no message was tried, none listed
    with server:
        up = kirim(folder, units_csv(tmp_path), server.port)
    assert up.returncode == 0, up.stderr
    assert len(handler.messages) == 20


def test_dry_run_writes_twenty_eml_files(tmp_path: Path, workbooks: Path) -> None:
    folder = copy_of(workbooks, tmp_path / "kirim")
    out = tmp_path / "eml"
    done = run(str(folder), "--units", str(units_csv(tmp_path)), "--from", SENDER,
               "--dry-run", str(out))
    assert done.returncode == 0, done.stderr
    files = sorted(out.glob("*.eml"))
    assert len(files) == 20
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        assert attached_unit(message, tmp_path) == [by_address()[str(message["To"])]]
        assert message["Message-ID"] and message["Subject"]
    assert not (folder / LOG_NAME).exists() or read_log(folder / LOG_NAME) == []


def test_units_without_workbook_or_address_are_findings(tmp_path: Path,
                                                        workbooks: Path) -> None:
    folder = copy_of(workbooks, tmp_path / "kirim")
    units = [*UNITS[:3], Unit(UNITS[3].kode, UNITS[3].nama, None),
             Unit(UNITS[4].kode, UNITS[4].nama, "bukan alamat, x@y.id"),
             Unit(UNITS[5].kode, "Desa Lain", str(UNITS[5].email)),
             Unit(UNITS[6].kode, UNITS[6].nama, "baru@desa.example.id"),
             Unit("9999999999", "Desa Tanpa Berkas", "tanpa@desa.example.id")]
    out = tmp_path / "eml"
    done = run(str(folder), "--units", str(units_csv(tmp_path, units)), "--from", SENDER,
               "--dry-run", str(out))
    assert done.returncode == 1
    assert "Desa Uji 4 (kode 3507301004) tidak memiliki alamat email" in done.stderr
    assert "alamat email Desa Uji 5 (kode 3507301005) tidak sah" in done.stderr
    assert "daftar unit menyebut 'Desa Lain'" in done.stderr
    assert "tidak ada workbook untuk Desa Tanpa Berkas" in done.stderr
    assert "di daftar unit (baru@desa.example.id) berbeda dari yang tercatat di workbook " \
           "(desa07@desa.example.id)" in done.stderr  # a warning: it is still written
    assert len(list(out.glob("*.eml"))) == 4


def test_a_workbook_whose_carriers_disagree_or_that_is_none_is_not_sent(
        tmp_path: Path, workbooks: Path) -> None:
    """kirim reads a workbook's identity through the checker's carriers (plan/carriers.py):
    a document property edited to another unit, or a header cell, stops that workbook; a file
    that is no workbook at all is a warning; the others are matched."""
    folder = copy_of(workbooks, tmp_path / "kirim")
    edited = sorted(folder.glob("*.xlsx"))[0]
    with zipfile.ZipFile(edited) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    custom = parts["docProps/custom.xml"].decode("utf-8")
    assert "Desa Uji 1<" in custom
    parts["docProps/custom.xml"] = custom.replace("Desa Uji 1<", "Desa Uji 9<").encode()
    with zipfile.ZipFile(edited, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    (folder / "catatan.xlsx").write_text("bukan workbook", encoding="utf-8")
    jobs, findings = match_workbooks(UNITS, folder)
    said = {(str(f.code), f.severity.value, Path(f.file or "").name): f.message
            for f in findings}
    assert said[("identity-mismatch", "error", edited.name)] == (
        "manifes workbook ini berbeda dari properti dokumen iki_unit_nama (nama unit "
        "'Desa Uji 9'); buat ulang workbook ini, tidak dikirim")
    assert said[("unknown-workbook", "warning", "catatan.xlsx")] == (
        "berkas bukan workbook iki-xlsx yang utuh; tidak dikirim")
    assert sorted(j.unit.kode for j in jobs) == sorted(u.kode for u in UNITS[1:])


def test_custom_template_and_starttls_login(tmp_path: Path, workbooks: Path,
                                            smtp_tls: SmtpServer) -> None:
    folder = copy_of(workbooks, tmp_path / "kirim")
    template = tmp_path / "templat.txt"
    template.write_text("Subjek: IKI $periode untuk $kode\n\nHalo $nama, batas $batas.\n",
                        encoding="utf-8")
    handler, server, cert = smtp_tls.handler, smtp_tls, smtp_tls.certificate
    env = {"IKI_SMTP_PASSWORD": PASSWORD}
    args = [str(folder), "--units", str(units_csv(tmp_path, UNITS[:2])),
            "--smtp", f"127.0.0.1:{server.port}", "--starttls", "--cafile", str(cert),
            "--user", "kecamatan", "--from", SENDER, "--template", str(template)]
    done = run(*args, env=env)
    assert done.returncode == 0, done.stderr
    wrong = run(*args, "--ulang", env={**env, "IKI_SMTP_PASSWORD": "salah"})
    assert wrong.returncode == 1
    assert wrong.stderr.count("login SMTP ditolak (535") == 1  # said once, nothing tried
    assert "belum ada surel yang dikirim" in wrong.stderr
    untrusted = run(*[a for a in args if a not in ("--cafile", str(cert))], "--ulang",
                    env=env)
    assert untrusted.returncode == 1 and "TLS" in untrusted.stderr
    assert [str(m["Subject"]) for _, m in handler.messages] == [
        f"IKI 2026 untuk {u.kode}" for u in UNITS[:2]]
    body = handler.messages[0][1].get_body(("plain",))
    assert body is not None
    assert body.get_content().strip() == ("Halo Desa Uji 1, batas sesuai jadwal yang "
                                           "ditetapkan kecamatan.")


def test_password_never_on_the_command_line(tmp_path: Path) -> None:
    done = run(str(tmp_path), "--units", "x.csv", "--smtp", "h", "--password", "x")
    assert done.returncode == 2
    plain = run(str(tmp_path), "--units", "x.csv", "--smtp", "h", "--user", "u@x.id")
    assert plain.returncode == 2 and "--starttls" in plain.stderr
