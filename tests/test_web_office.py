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
    made = [c for c in web_recap if c.startswith("Dibuat")]  # the one cell that may differ
    assert [c for c in web_recap if c not in made] == \
        [c for c in cli_recap if not c.startswith("Dibuat")]


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
