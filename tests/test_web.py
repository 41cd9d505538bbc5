"""The web app through Starlette's test client: every page, role and refusal, on a real
workspace, store and files (the jobs run for real in the app's background threads)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from iki_xlsx.accounts.sessions import LoginPolicy, SignInOutcome
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.service.site import Site as Served
from iki_xlsx.web import create_app, open_site
from iki_xlsx.web.app import Web
from iki_xlsx.web.jobs import Jobs
from iki_xlsx.web.security import Passwords, verify_password
from iki_xlsx.web.upload import UploadLimits
from tests.cli import Ran, iki
from tests.mailservers import PASSWORD as IMAP_PASSWORD
from tests.mailservers import Dovecot, SmtpServer
from tests.webspace import (
    BLUEPRINT,
    MISTAKE,
    PERIODE,
    UNITS,
    Returns,
    blueprint_file,
    csrf_in,
    make_returns,
    make_workspace,
)

BASE = "http://127.0.0.1:8000"
PAGES = ["/", "/blueprint", "/buat", "/terima", "/status", "/rekap"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory,
            blueprints: dict[str, Blueprint]) -> Returns:
    return make_returns(blueprints[BLUEPRINT], tmp_path_factory.mktemp("kembali"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ruang")


def client_for(root: Path, **options: object) -> TestClient:
    app = create_app(open_site(root), **options)  # type: ignore[arg-type]
    return TestClient(app, base_url=BASE)


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with client_for(root) as client:
        yield client


def web_of(client: TestClient) -> Web:
    web: Web = client.app.state.web  # type: ignore[attr-defined]
    return web


def token(client: TestClient, page: str = "/terima") -> str:
    return csrf_in(client.get(page).text)


def upload(client: TestClient, files: list[Path], csrf: str | None = None) -> str:
    """Upload `files` on Terima; the id of the job checking them, finished."""
    response = client.post("/terima", data={"csrf": csrf or token(client)}, files=[
        ("berkas", (f.name, f.read_bytes(), XLSX)) for f in files], follow_redirects=False)
    assert response.status_code == 303, response.text
    job_id = response.headers["location"].rsplit("/", 1)[1]
    job = web_of(client).jobs.wait(job_id, timeout=300)
    assert job is not None and job.state == "selesai", job and job.error
    return job_id


def stored_count(root: Path) -> int:
    folder = root / "simpan" / "berkas"
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


# --- pages and security defaults ---------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_answers_in_indonesian_with_security_headers(client: TestClient,
                                                                page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text and " style=" not in response.text
    assert 'href="http' not in response.text and 'src="http' not in response.text  # no CDN


def test_session_cookie_is_signed_httponly_and_samesite_strict(client: TestClient) -> None:
    page = client.get("/buat")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("iki_sesi=") and "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    value = cookie.split(";")[0].split("=", 1)[1]
    client.cookies.set("iki_sesi", value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB"))
    forged = client.post("/buat", data={"csrf": csrf_in(page.text), "blueprint": BLUEPRINT,
                                        "periode": "2026"})
    assert forged.status_code == 403  # a cookie whose signature fails is no session at all


def test_a_foreign_host_header_is_refused(root: Path) -> None:
    with TestClient(create_app(open_site(root)), base_url="http://rebind.example:8000") as c:
        response = c.get("/status")
    assert response.status_code == 400
    assert "host tidak dikenal" in response.text


@pytest.mark.parametrize(("path", "form"), [
    ("/buat", {"blueprint": BLUEPRINT, "periode": "2026"}),
    ("/rekap", {"pilihan": f"{BLUEPRINT}|2026"}),
    ("/terima/imap", {"sandi": "x"}),
    ("/keluar", {}),
])
def test_a_form_without_the_csrf_token_is_refused(client: TestClient, path: str,
                                                 form: dict[str, str]) -> None:
    client.get("/")
    missing = client.post(path, data=form)
    wrong = client.post(path, data=form | {"csrf": "bukan-token"})
    for response in (missing, wrong):
        assert response.status_code == 403
        assert "Formulir kedaluwarsa" in response.text
    assert web_of(client).jobs.latest("") is None


def test_an_upload_without_the_csrf_token_writes_nothing(client: TestClient, root: Path,
                                                         returns: Returns) -> None:
    client.get("/terima")
    response = client.post("/terima", files=[("berkas", ("a.xlsx", returns.filled[0]
                                                          .read_bytes(), XLSX))])
    assert response.status_code == 403
    assert stored_count(root) == 0 and not any((root / "simpan" / ".unggah").glob("*/*"))


def test_an_oversized_upload_is_refused_and_nothing_is_stored(root: Path,
                                                              returns: Returns) -> None:
    limit = returns.filled[0].stat().st_size - 1
    with client_for(root, limits=UploadLimits(file_bytes=limit)) as client:
        response = client.post("/terima", data={"csrf": token(client)}, files=[
            ("berkas", (returns.filled[0].name, returns.filled[0].read_bytes(), XLSX))])
    assert response.status_code == 413
    assert "terlalu besar" in response.text
    assert stored_count(root) == 0 and not any((root / "simpan" / ".unggah").glob("*/*"))


@pytest.mark.parametrize("path", [
    "/berkas/..%2F..%2F..%2Fetc%2Fpasswd", "/berkas/%2Fetc%2Fpasswd", "/unduh/..%2Fiki.toml",
    "/unduh/iki.toml", "/berkas/" + "0" * 64, "/berkas/" + "0" * 64 + "/catatan",
    "/statis/..%2F..%2Fcli.py"])
def test_a_path_in_a_download_request_gets_nothing(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "kantor" not in response.text and "import" not in response.text


# --- receiving, status and downloads -----------------------------------------------------------


def test_upload_gives_each_file_its_verdict_status_and_downloads(
        client: TestClient, root: Path, returns: Returns) -> None:
    job_id = upload(client, [returns.mistaken, *returns.filled[1:]])
    page = client.get(f"/terima/{job_id}").text
    assert page.count("perlu perbaikan") == 1 and page.count(">diterima<") == 3
    assert f"&#39;{MISTAKE}&#39; bukan angka" in page  # the finding says what was typed
    assert "Isian tidak sah" in page  # the catalog's title of invalid-input
    assert "/catatan" in page

    status = client.get("/status").text
    assert "1 perlu perbaikan" in status and "3 diterima" in status
    listed = re.findall(r"<td data-label=\"Kode\">(\d{10})</td>", status)
    assert [kode for kode in listed if kode in {u.kode for u in UNITS}] == [u.kode for u in UNITS]
    only = client.get(f"/status?blueprint={BLUEPRINT}&periode={PERIODE}"
                      "&keadaan=perlu+perbaikan").text
    assert re.findall(r"<td data-label=\"Kode\">(\d{10})</td>", only) == [returns.unit.kode]

    unit_page = client.get(f"/status/unit/{returns.unit.kode}?blueprint={BLUEPRINT}"
                           f"&periode={PERIODE}").text
    sha = re.search(r'class="sidik">([0-9a-f]{64})<', unit_page)
    assert sha is not None
    raw = client.get(f"/berkas/{sha.group(1)}")
    assert raw.status_code == 200 and raw.content == returns.mistaken.read_bytes()
    annotated = client.get(f"/berkas/{sha.group(1)}/catatan")
    assert annotated.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(annotated.content))
    assert book.sheetnames[0] == "Catatan Pemeriksaan"

    correction = upload(client, [returns.filled[0]])
    assert "diterima" in client.get(f"/terima/{correction}").text
    after = client.get("/status").text
    assert "4 diterima" in after and "0 perlu perbaikan" in after
    again = upload(client, [returns.filled[0]])
    assert "sudah pernah diterima" in client.get(f"/terima/{again}").text


def test_a_zip_and_a_non_workbook_in_one_upload(client: TestClient, returns: Returns,
                                                tmp_path: Path) -> None:
    archive = tmp_path / "kiriman.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(returns.filled[1], returns.filled[1].name)
    note = tmp_path / "catatan.txt"
    note.write_text("bukan workbook")
    page = client.get(f"/terima/{upload(client, [archive, note])}").text
    # the note is no workbook: still kept and recorded, as refused, under its name
    assert ">diterima<" in page and ">ditolak<" in page and "catatan.txt" in page
    assert "/simpan/" not in page  # the server's folders are not shown


# --- generate, recap, blueprints ---------------------------------------------------------------


def test_generate_then_download_the_zip(client: TestClient) -> None:
    form = {"csrf": token(client, "/buat"), "blueprint": BLUEPRINT, "periode": "2026"}
    assert client.post("/buat", data=form, follow_redirects=False).status_code == 303
    client.post("/buat", data=form, follow_redirects=False)  # a second click: the same job
    jobs = web_of(client).jobs
    job = jobs.latest("buat/")
    assert job is not None
    jobs.wait(job.id, timeout=300)
    assert [j.key for j in jobs._jobs.values()].count(f"buat/{BLUEPRINT}/2026") <= 2
    page = client.get("/buat").text
    assert "4 workbook dibuat" in page
    link = re.search(r'href="(/unduh/[0-9a-f]{20})">Unduh semua', page)
    assert link is not None
    bundle = zipfile.ZipFile(io.BytesIO(client.get(link.group(1)).content))
    assert len(bundle.namelist()) == 4
    assert all(name.startswith("IKI_2026_") for name in bundle.namelist())


def test_send_reports_a_result_per_unit(root: Path, smtp: SmtpServer) -> None:
    server = smtp
    server.handler.refuse.add(UNITS[1].email or "")
    config = (root / "iki.toml").read_text()
    (root / "iki.toml").write_text(config + f'\n[smtp]\nhost = "127.0.0.1:{server.port}"\n'
                                   'keamanan = "tanpa"\npengirim = "kecamatan@example.id"\n')
    with client_for(root) as client:
        csrf = token(client, "/buat")
        client.post("/buat", data={"csrf": csrf, "blueprint": BLUEPRINT, "periode": "2026"})
        jobs = web_of(client).jobs
        made = jobs.latest("buat/")
        assert made is not None and jobs.wait(made.id, timeout=300) is not None
        assert "Kirim ke setiap unit" in client.get("/buat").text
        client.post("/kirim", data={"csrf": csrf, "blueprint": BLUEPRINT, "periode": "2026"})
        sent = jobs.latest("kirim/")
        assert sent is not None
        jobs.wait(sent.id, timeout=120)
        page = client.get("/buat").text
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>[^<]+</td><td>(\w+)</td>",
                      page)
    assert sorted(rows) == sorted([(UNITS[0].nama, UNITS[0].email, "terkirim"),
                                   (UNITS[1].nama, UNITS[1].email, "gagal"),
                                   (UNITS[2].nama, UNITS[2].email, "terkirim")])
    assert sorted(to[0] for to, _ in server.handler.messages) == \
        sorted([UNITS[0].email, UNITS[2].email])
    assert "sandi" not in (root / "iki.toml").read_text()


def test_fetch_from_the_imap_mailbox(root: Path, returns: Returns, dovecot: Dovecot,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from email.message import EmailMessage

    server, user = dovecot, dovecot.mailbox("kecamatan")
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))  # trust the test server's own
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = (UNITS[0].email, "iki@kecamatan.example.id",
                                                 "IKI kami")
    mail.set_content("Terlampir.")
    mail.add_attachment(returns.filled[0].read_bytes(), maintype="application",
                        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        filename=returns.filled[0].name)
    server.deliver(user, bytes(mail))
    config = (root / "iki.toml").read_text()
    (root / "iki.toml").write_text(config + f'\n[imap]\nhost = "127.0.0.1:{server.port}"\n'
                                   f'user = "{user}"\n')
    with client_for(root) as client:
        form = {"csrf": token(client), "sandi": "bukan-sandinya"}
        wrong = client.post("/terima/imap", data=form, follow_redirects=False)
        failed = web_of(client).jobs.wait(wrong.headers["location"].rsplit("/", 1)[1])
        assert failed is not None and failed.state == "gagal"
        assert f"login IMAP untuk {user} ditolak" in client.get(
            wrong.headers["location"]).text
        right = client.post("/terima/imap", data=form | {"sandi": IMAP_PASSWORD},
                            follow_redirects=False)
        job = web_of(client).jobs.wait(right.headers["location"].rsplit("/", 1)[1], 120)
        assert job is not None and job.state == "selesai", job and job.error
        page = client.get(right.headers["location"]).text
    assert returns.filled[0].name in page and ">diterima<" in page


def test_recap_is_built_shown_and_downloaded(client: TestClient, returns: Returns) -> None:
    upload(client, returns.filled)
    client.post("/rekap", data={"csrf": token(client, "/rekap"),
                                "pilihan": f"{BLUEPRINT}|{PERIODE}"})
    job = web_of(client).jobs.latest("rekap/")
    assert job is not None
    web_of(client).jobs.wait(job.id, timeout=300)
    page = client.get("/rekap").text
    assert "Realisasi kecamatan" in page and "<ol class=\"grafik\"" in page
    links = dict((kind, href) for href, kind in
                 re.findall(r'href="(/unduh/[0-9a-f]{20})">Unduh (\w+)<', page))
    assert set(links) == {"XLSX", "CSV", "PARQUET"}
    book = openpyxl.load_workbook(io.BytesIO(client.get(links["XLSX"]).content))
    assert "Ringkasan" in book.sheetnames
    assert "unit_kode" in client.get(links["CSV"]).content.decode("utf-8-sig").splitlines()[0]


def test_an_invalid_blueprint_replaces_nothing(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ruang", with_blueprint=False)
    with client_for(root) as client:
        csrf = token(client, "/blueprint")
        bad = client.post("/blueprint", data={"csrf": csrf}, files=[
            ("berkas", ("salah.yaml", b"id: x\njabatan: 5\n", "text/yaml"))])
        assert bad.status_code == 422 and "tidak disimpan" in bad.text
        assert "salah.yaml:" in bad.text
        assert not (root / "blueprints").exists() or not any((root / "blueprints").iterdir())
        good = client.post("/blueprint", data={"csrf": csrf}, files=[
            ("berkas", ("baru.yaml", blueprint_file().read_bytes(), "text/yaml"))])
        assert good.status_code == 200 and "sah dan disimpan" in good.text
    assert (root / "blueprints" / f"{BLUEPRINT}.yaml").read_bytes() == \
        blueprint_file().read_bytes()


def test_a_spreadsheet_blueprint_is_taken_too(tmp_path: Path,
                                              blueprints: dict[str, Blueprint]) -> None:
    from iki_xlsx.blueprint.xlsx import write_blueprint_xlsx

    sheet = write_blueprint_xlsx(blueprints[BLUEPRINT], tmp_path / "dari-excel.xlsx")
    root = make_workspace(tmp_path / "ruang", with_blueprint=False)
    with client_for(root) as client:
        csrf = token(client, "/blueprint")
        good = client.post("/blueprint", data={"csrf": csrf}, files=[
            ("berkas", ("dari-excel.xlsx", sheet.read_bytes(), XLSX))])
        assert good.status_code == 200 and "sah dan disimpan" in good.text
        broken = client.post("/blueprint", data={"csrf": csrf}, files=[
            ("berkas", ("rusak.xlsx", b"PK bukan lembar kerja", XLSX))])
        assert broken.status_code == 422 and "rusak.xlsx" in broken.text
        assert "/.unggah/" not in broken.text  # the server's scratch folder is not shown
    assert [p.name for p in (root / "blueprints").iterdir()] == [f"{BLUEPRINT}.xlsx"]


def test_each_kind_of_upload_has_collects_limit(root: Path, returns: Returns,
                                                tmp_path: Path) -> None:
    limits = UploadLimits(file_bytes=10, message_bytes=10, archive_bytes=10**6)
    archive = tmp_path / "kiriman.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(returns.filled[1], returns.filled[1].name)
    with client_for(root, limits=limits) as client:
        csrf = token(client)
        taken = client.post("/terima", data={"csrf": csrf}, files=[
            ("berkas", ("kiriman.zip", archive.read_bytes(), "application/zip"))],
            follow_redirects=False)
        refused = client.post("/terima", data={"csrf": csrf}, files=[
            ("berkas", ("surat.eml", b"From: a@b\r\n\r\n" + b"x" * 20, "message/rfc822"))])
    assert taken.status_code == 303
    assert refused.status_code == 413 and "surat.eml terlalu besar" in refused.text


# --- login and roles ---------------------------------------------------------------------------


@pytest.fixture
def guarded(root: Path) -> Iterator[TestClient]:
    Passwords(root).set("operator", "sandi-operator-1")
    Passwords(root).set("pemeriksa", "sandi-pemeriksa-1")
    with client_for(root, login_required=True, host="192.0.2.10",
                    login_policy=LoginPolicy(delay=0.0)) as client:
        yield client


def sign_in(client: TestClient, login: str, password: str) -> int:
    """Sign in as the account `login` (the first release's role passwords became the accounts
    `operator` and `pemeriksa` on upgrade)."""
    form = {"csrf": token(client, "/masuk"), "nama_masuk": login, "sandi": password,
            "lanjut": "/"}
    return client.post("/masuk", data=form, follow_redirects=False).status_code


@pytest.mark.parametrize("page", [*PAGES, "/status/unit/x", "/berkas/" + "a" * 64])
def test_without_login_every_page_sends_to_the_login(guarded: TestClient, page: str) -> None:
    response = guarded.get(page, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/masuk")


def test_without_login_a_form_is_refused(guarded: TestClient) -> None:
    csrf = token(guarded, "/masuk")
    response = guarded.post("/buat", data={"csrf": csrf, "blueprint": BLUEPRINT,
                                           "periode": "2026"})
    assert response.status_code == 401


def test_passwords_are_stored_as_scrypt_hashes_only(root: Path) -> None:
    Passwords(root).set("operator", "rahasia-kantor")
    text = (root / "web-sandi.json").read_text()
    assert "rahasia-kantor" not in text and text.count("scrypt$") == 1
    assert (root / "web-sandi.json").stat().st_mode & 0o077 == 0
    assert verify_password("rahasia-kantor", Passwords(root).hashes()["operator"])
    assert not verify_password("rahasia-kantoR", Passwords(root).hashes()["operator"])


def test_login_is_rate_limited(guarded: TestClient) -> None:
    codes = [sign_in(guarded, "operator", f"salah-{i}") for i in range(6)]
    assert codes == [401] * 5 + [429]
    assert sign_in(guarded, "operator", "sandi-operator-1") == 429  # even the right one, now


def test_the_operator_signs_in_and_works(guarded: TestClient) -> None:
    assert sign_in(guarded, "operator", "sandi-operator-1") == 303
    assert guarded.get("/terima").status_code == 200
    assert 'action="/terima"' in guarded.get("/terima").text
    form = {"csrf": token(guarded, "/buat"), "blueprint": BLUEPRINT, "periode": "2026"}
    assert guarded.post("/buat", data=form, follow_redirects=False).status_code == 303


def test_the_pemeriksa_reads_and_downloads_but_changes_nothing(
        guarded: TestClient, root: Path, returns: Returns) -> None:
    assert sign_in(guarded, "pemeriksa", "sandi-pemeriksa-1") == 303
    for page in PAGES:
        response = guarded.get(page)
        assert response.status_code == 200 and "pemeriksa" in response.text
        assert 'enctype="multipart/form-data"' not in response.text
    csrf = token(guarded, "/status")
    refused = [
        guarded.post("/buat", data={"csrf": csrf, "blueprint": BLUEPRINT, "periode": "2026"}),
        guarded.post("/rekap", data={"csrf": csrf, "pilihan": f"{BLUEPRINT}|2026"}),
        guarded.post("/terima/imap", data={"csrf": csrf, "sandi": "x"}),
        guarded.post("/terima", data={"csrf": csrf}, files=[
            ("berkas", ("a.xlsx", returns.filled[0].read_bytes(), XLSX))]),
        guarded.post("/blueprint", data={"csrf": csrf}, files=[
            ("berkas", ("b.yaml", blueprint_file().read_bytes(), "text/yaml"))]),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert all("Peran pemeriksa hanya dapat melihat" in r.text for r in refused)
    assert stored_count(root) == 0 and web_of(guarded).jobs.latest("") is None


def test_login_only_returns_to_a_page_of_this_site(guarded: TestClient) -> None:
    form = {"csrf": token(guarded, "/masuk"), "nama_masuk": "operator",
            "sandi": "sandi-operator-1", "lanjut": "//jahat.example/"}
    response = guarded.post("/masuk", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"


# --- jobs and the command line -----------------------------------------------------------------


def test_a_running_job_is_not_started_twice() -> None:
    import threading

    release = threading.Event()
    jobs = Jobs()
    first = jobs.start("buat/x/2026", "Membuat", lambda job: release.wait(10))
    second = jobs.start("buat/x/2026", "Membuat", lambda job: release.wait(10))
    assert second is first
    release.set()
    jobs.wait(first.id)
    assert jobs.start("buat/x/2026", "Membuat", lambda job: None) is not first


def run_cli(*args: str, cwd: Path, stdin: str = "") -> Ran:
    return iki("web", *args, cwd=cwd, input=stdin)


def test_cli_refuses_a_network_host_without_passwords_and_sets_them(root: Path) -> None:
    refused = run_cli("--host", "192.0.2.10", cwd=root)
    assert refused.returncode == 2
    assert refused.stderr.startswith("Kesalahan: --host 192.0.2.10 membuka aplikasi")
    assert "buat dulu akun yang dapat bekerja: iki-xlsx akun tambah" in refused.stderr
    mismatch = run_cli("--atur-sandi", "operator", cwd=root, stdin="sandi-satu-1\nsandi-dua-22\n")
    assert mismatch.returncode == 2 and "tidak sama" in mismatch.stderr
    short = run_cli("--atur-sandi", "pemeriksa", cwd=root, stdin="pendek\npendek\n")
    assert short.returncode == 2 and "minimal 8" in short.stderr
    done = run_cli("--atur-sandi", "operator", cwd=root,
                   stdin="sandi-operator-1\nsandi-operator-1\n")
    assert done.returncode == 0 and "hash scrypt" in done.stdout
    signed = Served.at(root).sessions().sign_in("operator", "sandi-operator-1", "127.0.0.1")
    assert signed.outcome is SignInOutcome.OK
    outside = run_cli("--atur-sandi", "operator", cwd=root.parent)  # set up in a browser first
    assert outside.returncode == 2 and "belum ada ruang kerja di" in outside.stderr
    network = run_cli("--host", "192.0.2.10", cwd=root.parent)
    assert network.returncode == 2 and "siapkan kantor di peramban" in network.stderr
