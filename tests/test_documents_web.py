"""The web app offers the performance year's documents: the Dokumen page lists each year's
documents and the recorded target versions and typed figures; the operator and the pemeriksa
download each one (Word, workbook, CSV), made on request and never kept; bad requests and a
PK without a recorded version are refused in Indonesian."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from starlette.testclient import TestClient

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.web import create_app, open_site
from iki_xlsx.web.security import Passwords
from tests.conftest import BLUEPRINTS
from tests.webspace import csrf_in, office_config
from tests.yearly import UNITS, two_years

BP = "iku-kecamatan"
BASE = "http://192.0.2.10:8000"
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def ruang(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint]) -> Path:
    """A workspace with two years of the IKU blueprint, 2026's targets recorded."""
    root = tmp_path_factory.mktemp("web-tahun") / "ruang"
    root.mkdir()
    (root / "iki.toml").write_text(
        office_config("Kecamatan Contoh", "Kabupaten Contoh", "Contoh")
        + '\n[penandatangan]\nnama = "Nama Camat"\njabatan = "Camat Contoh"\n'
        '\n[pihak_kedua]\nnama = "Nama Bupati"\njabatan = "Bupati Contoh"\n', encoding="utf-8")
    (root / "unit.csv").write_text("kode,nama\n" + "".join(f"{u.kode},{u.nama}\n"
                                                          for u in UNITS), encoding="utf-8")
    (root / "blueprints").mkdir()
    shutil.copyfile(BLUEPRINTS / f"{BP}.yaml", root / "blueprints" / f"{BP}.yaml")
    two_years(blueprints[BP], root, blueprints)  # its murni and perubahan recorded
    return root


@pytest.fixture
def signed(ruang: Path) -> Iterator[dict[str, TestClient]]:
    """An operator and a pemeriksa, each signed in on a server that asks for a login."""
    Passwords(ruang).set("operator", "sandi-operator-1")
    Passwords(ruang).set("pemeriksa", "sandi-pemeriksa-1")
    clients = {}
    for role, password in (("operator", "sandi-operator-1"), ("pemeriksa", "sandi-pemeriksa-1")):
        client = TestClient(create_app(open_site(ruang), login_required=True,
                                       host="192.0.2.10"), base_url=BASE)
        client.__enter__()
        csrf = csrf_in(client.get("/masuk").text)
        done = client.post("/masuk", data={"csrf": csrf, "nama_masuk": role, "sandi": password,
                                           "lanjut": "/"}, follow_redirects=False)
        assert done.status_code == 303
        clients[role] = client
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def test_both_roles_download_every_document_made_on_request(signed: dict[str, TestClient],
                                                            ruang: Path) -> None:
    kept = sorted(p for p in (ruang / "keluaran").rglob("*")) if (ruang / "keluaran").exists() \
        else []
    for role, client in signed.items():
        page = client.get("/dokumen")
        assert page.status_code == 200
        assert "PK murni 2026 (5 Januari 2026)" in page.text and "Dokumen kinerja" in page.text
        assert "realisasi-2025.xlsx" in page.text
        pk = client.get(f"/dokumen/unduh?jenis=pk&blueprint={BP}&tahun=2026&format=docx")
        assert pk.status_code == 200 and pk.headers["content-type"] == WORD, role
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(pk.content)).paragraphs)
        assert "PERJANJIAN KINERJA TAHUN 2026" in text and "PK murni 2026" in text
        lkjip = client.get(f"/dokumen/unduh?jenis=lkjip&blueprint={BP}&tahun=2026&format=xlsx")
        assert lkjip.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(lkjip.content))
        assert "Tabel 3.2" in book.sheetnames
        measured = client.get(f"/dokumen/unduh?jenis=pengukuran&blueprint={BP}&tahun=2026"
                              "&tw=2&format=docx")
        assert measured.status_code == 200
        skp = client.get(f"/dokumen/unduh?jenis=skp&blueprint={BP}&tahun=2026&format=csv")
        assert skp.status_code == 200 and skp.content.startswith(b"\xef\xbb\xbftahun,periode")
    after = sorted(p for p in (ruang / "keluaran").rglob("*")) if (ruang / "keluaran").exists() \
        else []
    assert after == kept  # nothing made on the server's disk


@pytest.mark.parametrize(("query", "status", "words"), [
    ("jenis=pk&blueprint=iku-kecamatan&tahun=2025&format=docx", 404,
     "belum ada versi target murni tahun 2025"),
    ("jenis=rahasia&blueprint=iku-kecamatan&tahun=2026&format=docx", 400,
     "Jenis dokumen atau formatnya tidak dikenal"),
    ("jenis=pk&blueprint=iku-kecamatan&tahun=2026&format=csv", 400,
     "Jenis dokumen atau formatnya tidak dikenal"),
    ("jenis=pk&blueprint=../iki.toml&tahun=2026&format=docx", 400,
     "Pilih blueprint dan tahun yang ada"),
    ("jenis=pengukuran&blueprint=iku-kecamatan&tahun=2026&tw=7&format=docx", 400,
     "Pilih triwulan yang ada"),
    ("jenis=lkjip&blueprint=iku-kecamatan&tahun=26&format=docx", 400,
     "Pilih blueprint dan tahun yang ada"),
])
def test_a_bad_request_is_refused_in_indonesian(signed: dict[str, TestClient], query: str,
                                                status: int, words: str) -> None:
    response = signed["pemeriksa"].get(f"/dokumen/unduh?{query}")
    assert response.status_code == status and words in response.text


def test_without_login_the_documents_send_to_the_login(ruang: Path) -> None:
    Passwords(ruang).set("operator", "sandi-operator-1")
    with TestClient(create_app(open_site(ruang), login_required=True, host="192.0.2.10"),
                    base_url=BASE) as client:
        for page in ("/dokumen", f"/dokumen/unduh?jenis=pk&blueprint={BP}&tahun=2026"
                                 "&format=docx"):
            response = client.get(page, follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/masuk")
