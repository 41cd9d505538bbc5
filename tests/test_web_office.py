"""The operator's whole job in the web app (issue 28), through Starlette's test client on a
real workspace, store, SMTP server and files: the signed recap, a mail server that cannot be
reached, the files no unit can be named for, and the office's setup and settings."""

from __future__ import annotations

import io
import re
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.rekap.summary import DASAR_MISSING
from iki_xlsx.web import create_app, open_site
from iki_xlsx.web.app import Web
from tests.cli import iki
from tests.mailservers import PASSWORD as IMAP_PASSWORD
from tests.mailservers import Dovecot, SmtpServer
from tests.webspace import (
    BLUEPRINT,
    PERIODE,
    Returns,
    csrf_in,
    make_returns,
    make_workspace,
)

BASE = "http://127.0.0.1:8000"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGNER = '\n[penandatangan]\nnama = "Drs. Ahmad Fauzi"\nnip = "197001011995031002"\n' \
         'jabatan = "Camat Jabung"\n'


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory,
            blueprints: dict[str, Blueprint]) -> Returns:
    return make_returns(blueprints[BLUEPRINT], tmp_path_factory.mktemp("kembali"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ruang")


def client_for(root: Path) -> TestClient:
    return TestClient(create_app(open_site(root)), base_url=BASE)


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with client_for(root) as client:
        yield client


def web_of(client: TestClient) -> Web:
    web: Web = client.app.state.web  # type: ignore[attr-defined]
    return web


def token(client: TestClient, page: str = "/terima") -> str:
    return csrf_in(client.get(page).text)


def upload(client: TestClient, files: list[tuple[str, bytes]]) -> None:
    response = client.post("/terima", data={"csrf": token(client)}, files=[
        ("berkas", (name, data, XLSX)) for name, data in files], follow_redirects=False)
    assert response.status_code == 303, response.text
    job = web_of(client).jobs.wait(response.headers["location"].rsplit("/", 1)[1], 300)
    assert job is not None and job.state == "selesai", job and job.error


def finish(client: TestClient, prefix: str) -> None:
    job = web_of(client).jobs.latest(prefix)
    assert job is not None
    done = web_of(client).jobs.wait(job.id, timeout=300)
    assert done is not None and done.state == "selesai", done.error


def ringkasan_texts(data: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Ringkasan"]
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the recap ----------------------------------------------------------------------------------


def test_the_web_recap_is_the_signed_recap_of_the_command_line(root: Path,
                                                              returns: Returns) -> None:
    (root / "iki.toml").write_text((root / "iki.toml").read_text() + SIGNER)
    with client_for(root) as client:
        upload(client, [(f.name, f.read_bytes()) for f in returns.filled])
        client.post("/rekap", data={"csrf": token(client, "/rekap"),
                                    "pilihan": f"{BLUEPRINT}|{PERIODE}"})
        finish(client, "rekap/")
        page = client.get("/rekap").text
        link = re.search(r'href="(/unduh/[0-9a-f]{20})">Unduh XLSX<', page)
        assert link is not None
        web_recap = ringkasan_texts(client.get(link.group(1)).content)
    assert "Camat Jabung, Drs. Ahmad Fauzi (NIP 197001011995031002), di Malang" in page
    cli = iki("rekap", "--periode", str(PERIODE), "-o", root / "cli.xlsx", cwd=root)
    assert cli.returncode == 0, cli.stderr
    cli_recap = ringkasan_texts((root / "cli.xlsx").read_bytes())
    for text in ("Drs. Ahmad Fauzi", "NIP 197001011995031002", "Camat Jabung"):
        assert any(text in cell for cell in web_recap), text
    assert any(cell.startswith("Malang, ") for cell in web_recap)
    # what may differ: the "Dibuat" cell, and the minute the recap was made (the two recaps
    # may fall either side of a minute's turn)
    def kept(cells: list[str]) -> list[str]:
        return [re.sub(r"pukul \d\d\.\d\d ", "pukul --.-- ", c) for c in cells
                if not c.startswith("Dibuat")]

    assert any(re.search(r"pukul \d\d\.\d\d WIB", c) for c in web_recap), web_recap
    assert kept(web_recap) == kept(cli_recap)


def test_a_blueprint_without_dasar_says_so_where_the_dasar_stands(
        root: Path, returns: Returns) -> None:
    path = root / "blueprints" / f"{BLUEPRINT}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^dasar:.*\n(  .*\n)*", "", text, count=1), encoding="utf-8")
    assert "\ndasar:" not in path.read_text(encoding="utf-8")
    with client_for(root) as client:
        upload(client, [(f.name, f.read_bytes()) for f in returns.filled])
        client.post("/rekap", data={"csrf": token(client, "/rekap"),
                                    "pilihan": f"{BLUEPRINT}|{PERIODE}"})
        finish(client, "rekap/")
        page = client.get("/rekap").text
        link = re.search(r'href="(/unduh/[0-9a-f]{20})">Unduh XLSX<', page)
        assert link is not None
        texts = ringkasan_texts(client.get(link.group(1)).content)
    assert DASAR_MISSING in page
    assert texts[texts.index("Dasar") + 1] == DASAR_MISSING
    assert "belum ada penandatangan" in page  # this workspace names no signatory


# --- the mail server ----------------------------------------------------------------------------


def test_an_unreachable_mail_server_is_said_once_naming_its_host(root: Path) -> None:
    host = f"127.0.0.1:{closed_port()}"
    (root / "iki.toml").write_text((root / "iki.toml").read_text() + f'\n[smtp]\nhost = "{host}"'
                                   '\nkeamanan = "tanpa"\npengirim = "kecamatan@example.id"\n')
    with client_for(root) as client:
        csrf = token(client, "/buat")
        client.post("/buat", data={"csrf": csrf, "blueprint": BLUEPRINT, "periode": "2026"})
        finish(client, "buat/")
        client.post("/kirim", data={"csrf": csrf, "blueprint": BLUEPRINT, "periode": "2026"})
        finish(client, "kirim/")
        page = client.get("/buat").text
    said = re.findall(r"server surel ([^ ]+ \(bagian \[smtp\] iki.toml\)) tidak dapat dipakai",
                      page)
    assert said == [f"{host} (bagian [smtp] iki.toml)"]
    assert "server tidak dapat dihubungi" in page and "belum ada surel yang dikirim" in page
    assert "gagal mengirim" not in page and "<td>gagal</td>" not in page


# --- files no unit can be named for -------------------------------------------------------------


def ods_bytes() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return data.getvalue()


def test_a_rejected_ods_shows_on_status_and_home(client: TestClient, returns: Returns) -> None:
    upload(client, [("IKI_2026_Sukolilo.ods", ods_bytes()),
                    (returns.filled[0].name, returns.filled[0].read_bytes())])
    for page in ("/", "/status"):
        text = client.get(page).text
        assert "Berkas tanpa unit" in text, page
        assert "1 ditolak</span>" in text and "IKI_2026_Sukolilo.ods" in text, page
    cli = iki("status", cwd=client.app.state.web.site.root)  # type: ignore[attr-defined]
    assert "tidak teridentifikasi: IKI_2026_Sukolilo.ods (ditolak)" in cli.stdout


# --- the office set up and edited in the browser -------------------------------------------------

OFFICE = {"kantor": "Kecamatan Klojen", "wilayah": "Kota Malang, Provinsi Jawa Timur",
          "kota": "Malang", "zona_waktu": "WIB", "batas": "2027-01-31",
          "penandatangan.nama": "Drs. Ahmad Fauzi", "penandatangan.nip": "197001011995031002",
          "penandatangan.jabatan": "Camat Klojen", "smtp.host": "smtp.malangkota.go.id",
          "smtp.user": "klojen@malangkota.go.id", "smtp.keamanan": "starttls",
          "smtp.pengirim": "", "imap.host": "imap.malangkota.go.id",
          "imap.user": "klojen@malangkota.go.id", "imap.folder": "INBOX"}
UNITS_TEXT = "kode,nama,email\n3573010001,Kelurahan Klojen,klojen@kel.example.id\n" \
             "3573010002,Kelurahan Rampal Celaket,rampal@kel.example.id\n"


def test_an_empty_folder_is_set_up_in_the_browser(tmp_path: Path) -> None:
    from iki_xlsx.accounts.roles import Action
    from iki_xlsx.service.site import Site as Served
    from iki_xlsx.service.workspace import load_workspace
    from iki_xlsx.web.site import Site

    root = tmp_path / "kantor"
    root.mkdir()
    with TestClient(create_app(Site(root)), base_url=BASE) as client:
        first = client.get("/status", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/siapkan"
        form = client.get("/siapkan").text
        assert "Selamat datang" in form and "Pengaturan</a>" not in form  # no menu yet
        bad = client.post("/siapkan", data=OFFICE | {
            "csrf": csrf_in(form), "zona_waktu": "GMT", "sandi": "sandi-operator-1",
            "sandi2": "sandi-operator-1",
            "unit": UNITS_TEXT + "3573010001,Kelurahan Dua,dua@kel.example.id\n"})
        assert bad.status_code == 422
        assert "iki.toml:" in bad.text and "zona_waktu" in bad.text
        assert "unit.csv:4" in bad.text  # the duplicate kode, where it stands
        assert not (root / "iki.toml").exists() and not (root / "unit.csv").exists()
        done = client.post("/siapkan", data=OFFICE | {
            "csrf": csrf_in(form), "unit": UNITS_TEXT, "sandi": "sandi-operator-1",
            "sandi2": "sandi-operator-1"}, follow_redirects=False)
        assert done.status_code == 303, done.text
        home = client.get("/").text
        assert "Kecamatan Klojen" in home and "2 unit di daftar unit" in home
    ws = load_workspace(root)
    assert ws.config.penandatangan is not None and ws.config.penandatangan.nip == \
        "197001011995031002"
    assert str(ws.config.batas) == "2027-01-31" and ws.config.smtp is not None
    assert [u.kode for u in ws.units] == ["3573010001", "3573010002"]
    assert (root / "blueprints" / "iki-kecamatan-kota.yaml").is_file()  # as init lays it out
    signed = Served.at(root).sessions().sign_in("operator", "sandi-operator-1", "127.0.0.1")
    assert signed.token is not None  # the first operator's account signs in
    assert Served.at(root).accounts().get("operator").access.can(Action.CHANGE, None)
    assert "sandi-operator-1" not in (root / "iki.toml").read_text()
    status = iki("status", cwd=root)  # the command line reads what the browser wrote
    assert status.returncode == 0, status.stderr


def test_settings_and_units_are_checked_as_the_command_line_checks_them(
        client: TestClient, root: Path) -> None:
    page = client.get("/pengaturan").text
    assert 'value="Kecamatan Jabung"' in page and "3507010001,Desa Sukolilo" in page
    before = (root / "iki.toml").read_text()
    bad = client.post("/pengaturan", data=OFFICE | {"csrf": csrf_in(page), "kota": "",
                                                    "batas": "31-01-2027"})
    assert bad.status_code == 422
    said = re.findall(r'<span class="letak">(iki\.toml:\d+)</span> ([^<]+)</li>', bad.text)
    assert [(where, "kota" in text or "batas" in text) for where, text in said] == \
        [("iki.toml:1", True), ("iki.toml:7", True)], said  # as the CLI locates them
    assert (root / "iki.toml").read_text() == before  # nothing written
    saved = client.post("/pengaturan", data=OFFICE | {"csrf": csrf_in(page)},
                        follow_redirects=False)
    assert saved.status_code == 303
    assert 'value="Kecamatan Klojen"' in client.get("/pengaturan").text
    assert client.get("/").text.count("Kecamatan Klojen") >= 1
    units_before = (root / "unit.csv").read_text()
    wrong = client.post("/pengaturan/unit", data={
        "csrf": csrf_in(page), "unit": "kode,nama,email\n3507010001,Desa Sukolilo,a@desa.id\n"
                                       "3507010001,Desa Dua,b@desa.id\n"})
    assert wrong.status_code == 422 and "unit.csv:3" in wrong.text
    assert (root / "unit.csv").read_text() == units_before
    cli = iki("--ruang", root, "status")
    assert "unit.csv" not in cli.stderr
    right = client.post("/pengaturan/unit", data={"csrf": csrf_in(page), "unit": UNITS_TEXT},
                        follow_redirects=False)
    assert right.status_code == 303 and (root / "unit.csv").read_text() == UNITS_TEXT
    assert 'href="/akun-saya"' in client.get("/pengaturan").text  # passwords: accounts' pages
    from iki_xlsx.audit.trail import AuditTrail
    from iki_xlsx.store.db import Store

    said = [e.summary for e in AuditTrail(Store(root / "simpan")).entries()]
    assert "Pengaturan kantor (iki.toml) diubah" in said
    assert "Daftar unit (unit.csv) diubah: 2 unit" in said


# --- blueprints ---------------------------------------------------------------------------------


def test_a_blueprint_shows_its_indicators_its_template_downloads_and_it_is_archived(
        client: TestClient, root: Path, blueprints: dict[str, Blueprint]) -> None:
    bp = blueprints[BLUEPRINT]
    listing = client.get("/blueprint").text
    assert f'href="/blueprint/{BLUEPRINT}"' in listing
    shown = client.get(f"/blueprint/{BLUEPRINT}").text
    first = bp.jabatan[0]
    assert first.nama in shown and first.indikator[0].nama in shown
    assert shown.count("<tr><td data-label=\"No\">") == sum(len(j.indikator) for j in bp.jabatan)
    template = client.get("/blueprint/templat")
    assert template.status_code == 200
    assert "templat-blueprint.xlsx" in template.headers["content-disposition"]
    assert "Petunjuk" in openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames
    assert not list((root / "keluaran").rglob("templat-blueprint.xlsx"))  # nothing left behind
    archived = client.post("/blueprint/arsipkan", data={"csrf": csrf_in(listing),
                                                        "blueprint": BLUEPRINT})
    assert archived.status_code == 200 and "dipindahkan ke folder arsip-blueprint" in archived.text
    assert not (root / "blueprints" / f"{BLUEPRINT}.yaml").exists()
    kept = list((root / "arsip-blueprint").glob(f"{BLUEPRINT}-*.yaml"))
    assert len(kept) == 1 and f"id: {BLUEPRINT}" in kept[0].read_text(encoding="utf-8")
    assert "Belum ada blueprint" in client.get("/").text
    from iki_xlsx.audit.trail import AuditTrail
    from iki_xlsx.store.db import Store

    assert any(f"Blueprint {BLUEPRINT} versi" in e.summary and "diarsipkan" in e.summary
               for e in AuditTrail(Store(root / "simpan")).entries())
    again = client.post("/blueprint/arsipkan", data={"csrf": csrf_in(listing),
                                                     "blueprint": BLUEPRINT})
    assert again.status_code == 404


# --- answers, corrections and reminders ---------------------------------------------------------


def with_smtp(root: Path, port: int) -> None:
    (root / "iki.toml").write_text((root / "iki.toml").read_text() + f'\n[smtp]\nhost = '
                                   f'"127.0.0.1:{port}"\nkeamanan = "tanpa"\n'
                                   'pengirim = "kecamatan@example.id"\n')


def attachments(message: object) -> list[str]:
    return [part.get_filename() or "" for part in message.iter_attachments()]  # type: ignore[attr-defined]


def test_corrections_and_reminders_go_out_from_the_status_page(
        root: Path, returns: Returns, smtp: SmtpServer) -> None:
    with_smtp(root, smtp.port)
    with client_for(root) as client:
        csrf = token(client, "/buat")
        client.post("/buat", data={"csrf": csrf, "blueprint": BLUEPRINT, "periode": "2026"})
        finish(client, "buat/")
        upload(client, [(f.name, f.read_bytes()) for f in [returns.mistaken,
                                                              *returns.filled[1:]]])
        status = client.get("/status").text
        assert "Kirim catatan perbaikan" in status and "Kirim pengingat" in status
        client.post("/surel/perbaikan", data={"csrf": csrf})
        finish(client, "surel/perbaikan")
        after_corrections = client.get("/status").text
        client.post("/surel/pengingat", data={"csrf": csrf, "pilihan": f"{BLUEPRINT}|{PERIODE}"})
        finish(client, "surel/pengingat")
        after_reminders = client.get("/status").text
    sent = [(to[0], message) for to, message in smtp.handler.messages]
    assert [to for to, _ in sent] == [returns.unit.email, returns.unit.email]
    correction, reminder = (message for _, message in sent)
    assert any("catatan" in name.lower() for name in attachments(correction))
    assert attachments(reminder) and "IKI_2026_" in attachments(reminder)[0]
    assert "terkirim" in after_corrections and returns.unit.nama in after_corrections
    assert "terkirim" in after_reminders


def test_a_fetch_from_the_mailbox_answers_each_new_return(
        root: Path, returns: Returns, dovecot: Dovecot, smtp: SmtpServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from email.message import EmailMessage

    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))
    user = dovecot.mailbox("balas")
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = (returns.unit.email, "iki@kecamatan.example.id",
                                                 "IKI kami")
    mail["Message-ID"] = "<kiriman-1@desa.example.id>"
    mail.set_content("Terlampir.")
    mail.add_attachment(returns.mistaken.read_bytes(), maintype="application",
                        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        filename=returns.mistaken.name)
    dovecot.deliver(user, bytes(mail))
    with_smtp(root, smtp.port)
    (root / "iki.toml").write_text((root / "iki.toml").read_text() + f'\n[imap]\nhost = '
                                   f'"127.0.0.1:{dovecot.port}"\nuser = "{user}"\n')
    with client_for(root) as client:
        form = client.get("/terima").text
        assert 'name="balas"' in form
        done = client.post("/terima/imap", data={"csrf": csrf_in(form), "sandi": IMAP_PASSWORD,
                                                 "balas": "1"}, follow_redirects=False)
        job = web_of(client).jobs.wait(done.headers["location"].rsplit("/", 1)[1], 120)
        assert job is not None and job.state == "selesai", job and job.error
        page = client.get(done.headers["location"]).text
    assert "Balasan ke unit" in page and "terkirim" in page
    assert [to[0] for to, _ in smtp.handler.messages] == [returns.unit.email]
    answer = smtp.handler.messages[0][1]
    assert answer["In-Reply-To"] == "<kiriman-1@desa.example.id>"  # the correction, answered
    assert any("catatan" in name.lower() for name in attachments(answer))


def test_mail_sections_left_empty_in_the_form_are_left_out() -> None:
    from iki_xlsx.service.setup import check_settings, settings_text

    fields = {"kantor": "Kecamatan Klojen", "wilayah": "Kota Malang", "kota": "Malang",
              "zona_waktu": "WIB", "smtp.keamanan": "starttls", "imap.folder": "INBOX"}
    text = settings_text(fields)
    assert "[smtp]" not in text and "[imap]" not in text and check_settings(text) == []
    assert "[smtp]" in settings_text(fields | {"smtp.host": "smtp.example.id"})


def test_settings_with_errors_are_fixed_in_the_browser(root: Path) -> None:
    from iki_xlsx.core.errors import IkiError
    from iki_xlsx.web.site import Site

    config = root / "iki.toml"
    config.write_text(config.read_text().replace('zona_waktu = "WIB"', 'zona_waktu = "GMT"'))
    assert iki("--ruang", root, "status").returncode == 2  # the command line refuses it
    with TestClient(create_app(Site(root)), base_url=BASE) as client:
        home = client.get("/").text
        assert "zona_waktu" in home
        page = client.get("/pengaturan").text
        assert "Ruang kerja belum dapat dipakai" in page and "iki.toml:4" in page
        fixed = client.post("/pengaturan", data=OFFICE | {"csrf": csrf_in(page)},
                            follow_redirects=False)
        assert fixed.status_code == 303
        assert "Ruang kerja belum dapat dipakai" not in client.get("/pengaturan").text
    assert iki("--ruang", root, "status").returncode == 0
    (root / "kantor.csv").write_text("kode,nama\n")  # a kabupaten's folder is never served so
    config.write_text("kabupaten = [\n")
    with pytest.raises(IkiError):
        create_app(Site(root))
