"""People in the web app (issue 24): signing in by account, sessions that end at once, login
limits per account and per address, the admin's account pages, a single office's role
passwords carried over, and a kabupaten's offices kept apart: every route of the app (found by
walking `app.routes`, so a new route is covered by itself) refuses an operator of office A
anything of office B, by B's URL or by B's ids under A's."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient

from iki_xlsx.accounts.passwords import hash_password
from iki_xlsx.accounts.roles import Grant, Role
from iki_xlsx.accounts.sessions import LoginPolicy
from iki_xlsx.audit.trail import AuditTrail
from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.service.kabupaten import add_office, init_kabupaten, load_kabupaten
from iki_xlsx.service.office import Office
from iki_xlsx.service.site import Site as Served
from iki_xlsx.store.audit import AuditFilter
from iki_xlsx.web import create_app, open_site
from iki_xlsx.web.app import Web
from tests.webspace import blueprint_file, csrf_in, make_returns, make_workspace

BASE = "http://127.0.0.1:8000"

SANDI = {"admin": "sandi-admin-123", "budi": "sandi-budi-123", "sri": "sandi-sri-1234",
         "operator": "sandi-operator-1"}
A, B = "3507010", "3507020"


def client_for(root: Path, **options: object) -> TestClient:
    options.setdefault("login_policy", LoginPolicy(delay=0.0))
    return TestClient(create_app(open_site(root) if not (root / "kantor.csv").exists()
                                 else _kabupaten_site(root), login_required=True,
                                 host="192.0.2.10", **options),  # type: ignore[arg-type]
                      base_url=BASE)


def _kabupaten_site(root: Path) -> object:
    from iki_xlsx.web.site import Site

    return Site(root.resolve())


def sign_in(client: TestClient, login: str, password: str | None = None) -> int:
    form = {"csrf": csrf_in(client.get("/masuk").text), "nama_masuk": login,
            "sandi": SANDI[login] if password is None else password, "lanjut": "/"}
    return client.post("/masuk", data=form, follow_redirects=False).status_code


def csrf(client: TestClient, path: str = "/akun-saya") -> str:
    return csrf_in(client.get(path).text)


# --- a single office -----------------------------------------------------------------------------


@pytest.fixture
def office(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "kecamatan")
    (root / "web-sandi.json").write_text(json.dumps(
        {"operator": hash_password(SANDI["operator"])}), encoding="utf-8")
    book = Served.at(root).accounts()  # the first release's role password carried over
    book.add("admin", "Admin Kecamatan", SANDI["admin"], [Grant(Role.ADMIN)])
    return root


def test_a_deactivated_account_is_signed_out_at_once(office: Path) -> None:
    with client_for(office) as client:
        assert sign_in(client, "operator") == 303
        assert client.get("/status").status_code == 200
        Served.at(office).accounts().deactivate("operator")
        gone = client.get("/status", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/masuk")
        assert sign_in(client, "operator") == 401


def test_the_admin_adds_an_account_who_then_works_and_no_page_shows_a_password(
        office: Path) -> None:
    with client_for(office) as admin, client_for(office) as sri:
        assert sign_in(admin, "admin") == 303
        form = {"csrf": csrf(admin, "/akun"), "nama_masuk": "sri", "nama": "Sri Wahyuni",
                "peran_baru": "operator", "sandi_baru": SANDI["sri"],
                "sandi_ulang": SANDI["sri"]}
        made = admin.post("/akun", data=form)
        assert made.status_code == 200 and "Sri Wahyuni" in made.text
        assert SANDI["sri"] not in made.text
        twice = admin.post("/akun", data=form)
        assert twice.status_code == 400
        assert "nama masuk &#39;sri&#39; sudah dipakai" in twice.text
        assert SANDI["sri"] not in twice.text
        assert sign_in(sri, "sri") == 303
        assert 'action="/terima"' in sri.get("/terima").text
        units = (office / "unit.csv").read_text(encoding="utf-8")
        saved = sri.post("/pengaturan/unit", data={"csrf": csrf(sri, "/pengaturan"),
                                                   "unit": units}, follow_redirects=False)
        assert saved.status_code == 303
        assert sri.get("/akun").status_code == 403  # an operator manages no account
        off = admin.post("/akun/sri/aktif", data={"csrf": csrf(admin, "/akun"), "aktif": "0"})
        assert "Akun dinonaktifkan" in off.text
        assert sri.get("/terima", follow_redirects=False).status_code == 303
    trail = AuditTrail(Served.at(office).accounts_store())
    settings = trail.entries(AuditFilter(jenis="pengaturan"))
    assert [(e.who, e.row.asal) for e in settings] == [("Sri Wahyuni (sri)", "web testclient")]
    changes = trail.entries(AuditFilter(jenis="akun"))
    assert [(e.who, e.row.asal, e.summary) for e in changes][-2:] == [
        ("Admin Kecamatan (admin)", "web testclient", "Akun sri (Sri Wahyuni) dibuat: operator"),
        ("Admin Kecamatan (admin)", "web testclient", "Akun sri diubah: aktif (nonaktif)")]
    for path in office.rglob("*"):
        if path.is_file():
            assert SANDI["sri"].encode() not in path.read_bytes(), path


def test_logins_are_limited_per_account_and_per_address(office: Path) -> None:
    policy = LoginPolicy(delay=0.0, per_login=3, per_address=4)
    with client_for(office, login_policy=policy) as client:
        assert [sign_in(client, "operator", f"salah-{i}") for i in range(4)] == [401] * 3 + [429]
        assert sign_in(client, "operator") == 429  # even the right password, for a while
        assert sign_in(client, "admin", "salah-lagi") == 401  # another account: its own count
        assert sign_in(client, "admin") == 429  # but this address is over its limit now
        page = client.get("/masuk").text
        assert "sandi-" not in page


def test_signing_out_ends_the_session_on_the_server(office: Path) -> None:
    with client_for(office) as client:
        assert sign_in(client, "admin") == 303
        cookie = client.cookies.get("iki_sesi")
        assert client.post("/keluar", data={"csrf": csrf(client)},
                           follow_redirects=False).status_code == 303
        client.cookies.set("iki_sesi", cookie or "")  # the old cookie replayed
        assert client.get("/akun", follow_redirects=False).status_code == 303


# --- a kabupaten: nothing crosses offices --------------------------------------------------------


@dataclass
class Kabupaten:
    root: Path
    sha256: str  # a return stored in office B
    unit: str  # a unit only office B lists
    output: str  # an output id of office B


@pytest.fixture(scope="module")
def kabupaten(tmp_path_factory: pytest.TempPathFactory) -> Kabupaten:
    root = tmp_path_factory.mktemp("kab") / "malang"
    assert init_kabupaten(root).ok
    (root / "iki.toml").write_text('kabupaten = "Kabupaten Malang"\nwilayah = "Provinsi Jawa '
                                   'Timur"\nkota = "Kepanjen"\nzona_waktu = "WIB"\n',
                                   encoding="utf-8")
    for kode in (A, B):
        make_workspace(root / "kantor" / kode)
        add_office(load_kabupaten(root), kode, None)
    (root / "kantor" / A / "unit.csv").write_text("kode,nama\n3507020001,Desa Lain\n",
                                                  encoding="utf-8")
    returns = make_returns(load_blueprint(blueprint_file()).blueprint,
                           tmp_path_factory.mktemp("kiriman"))
    office_b = Office.open(load_kabupaten(root).workspace(B))
    collected = office_b.collect([returns.filled[0]])
    sha256 = collected.added[0][1]
    output = root / "kantor" / B / "keluaran" / "rekap" / "rekap-b.xlsx"
    output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(returns.filled[1], output)
    from iki_xlsx.web.files import output_id
    from iki_xlsx.web.site import Site

    book = Served.at(root).accounts()
    book.add("admin", "Admin Kabupaten", SANDI["admin"], [Grant(Role.ADMIN)])
    book.add("budi", "Budi", SANDI["budi"], [Grant(Role.OPERATOR, A)])
    return Kabupaten(root, sha256, "3507010001",
                     output_id(Site(root / "kantor" / B), output))


def every_route(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str, bool]]:
    """(method, path, under an office) of every route, through the mounts."""
    for route in routes:
        if isinstance(route, Mount):
            office = "{kantor}" in route.path
            for method, path, inner in every_route(route.routes, prefix + route.path):
                yield method, path, office or inner
        elif isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield method, prefix + route.path, False


def filled(path: str, kode: str, data: Kabupaten, job: str) -> str:
    values = {"kantor": kode, "sha256": data.sha256, "kode": data.unit, "login": "admin",
              "ident": job if "/tugas/" in path or "/terima/" in path else data.output}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.fixture(scope="module")
def as_budi(kabupaten: Kabupaten) -> Iterator[tuple[TestClient, str]]:
    secret = Served.at(kabupaten.root).accounts().issue_token("budi", "alat budi").secret
    with client_for(kabupaten.root) as client:
        assert sign_in(client, "budi") == 303
        client.headers["Authorization"] = f"Bearer {secret}"  # the API's routes too
        web: Web = client.app.state.web  # type: ignore[attr-defined]
        office_b = web.for_office(B)
        assert office_b is not None
        job = office_b.jobs.start("rekap/b", "Rekap B", lambda job: None)
        yield client, job.id


def test_the_operator_of_one_office_opens_only_that_office(
        kabupaten: Kabupaten, as_budi: tuple[TestClient, str]) -> None:
    client, _ = as_budi
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == f"/kantor/{A}/"
    assert client.get(f"/kantor/{A}/status").status_code == 200
    assert client.get("/kantor/../etc/status").status_code == 404
    assert client.get("/kantor/9999999/status").status_code == 404


def test_every_route_refuses_an_operator_of_office_a_what_is_office_b(
        kabupaten: Kabupaten, as_budi: tuple[TestClient, str]) -> None:
    client, job = as_budi
    token = csrf(client)
    routes = list(every_route(client.app.routes))  # type: ignore[attr-defined]
    office_routes = [(m, p) for m, p, office in routes if office]
    assert len(office_routes) >= 20, office_routes  # the whole office app is mounted
    for method, path in office_routes:
        for kode in (B, A):  # B's URL; then A's own URL with B's ids
            url = filled(path, kode, kabupaten, job)
            form = {"csrf": token, "blueprint": "iki-kecamatan-jabung", "periode": "2026",
                    "pilihan": "iki-kecamatan-jabung|2026", "sandi": "x"}
            response = (client.get(url, follow_redirects=False) if method == "GET"
                        else client.post(url, data=form, follow_redirects=False))
            body = response.content
            assert kabupaten.sha256.encode() not in body or (kode == A and "{sha256}" not in path)
            if kode == B:
                assert response.status_code == 403, (method, url, response.status_code)
                assert "tidak berhak" in response.text
            elif any(name in path for name in ("{sha256}", "{ident}", "{kode}")):
                assert response.status_code == 404, (method, url, response.status_code)
    for method, path, office in routes:
        if not office and path.startswith("/akun") and path != "/akun-saya":
            url = filled(path, A, kabupaten, job)
            response = (client.get(url) if method == "GET"
                        else client.post(url, data={"csrf": token}))
            assert response.status_code == 403, (method, url)


def test_the_api_reads_with_a_token_within_the_same_boundaries(kabupaten: Kabupaten) -> None:
    book = Served.at(kabupaten.root).accounts()
    inspektorat = book.issue_token("admin", "Inspektorat").secret
    operator = book.issue_token("budi", "e-SAKIP kecamatan").secret
    with client_for(kabupaten.root) as client:
        def get(path: str, secret: str | None) -> tuple[int, object]:
            headers = {} if secret is None else {"Authorization": f"Bearer {secret}"}
            response = client.get(path, headers=headers)
            return response.status_code, (response.json() if "json" in
                                           response.headers["content-type"] else response.text)

        assert get("/api/v1/kantor", None)[0] == 401
        assert get("/api/v1/kantor", "iki_bukan-token")[0] == 401
        assert get("/api/v1/kantor", inspektorat) == (200, [
            {"kode": A, "nama": "Kecamatan Jabung"}, {"kode": B, "nama": "Kecamatan Jabung"}])
        assert get("/api/v1/kantor", operator) == (200, [{"kode": A, "nama": "Kecamatan Jabung"}])
        code, rows = get(f"/api/v1/kantor/{B}/status?periode=2026", inspektorat)
        assert code == 200 and isinstance(rows, list)
        accepted = [r for r in rows if r["sha256_diterima"] == kabupaten.sha256]
        assert len(accepted) == 1 and accepted[0]["keadaan"] == "ok"
        assert get(f"/api/v1/kantor/{B}/status", operator)[0] == 403
        assert get(f"/api/v1/kantor/{A}/status?periode=20x6", operator)[0] == 400
        code, values = get(f"/api/v1/kantor/{B}/nilai?periode=2026", inspektorat)
        assert code == 200 and isinstance(values, list) and values
        assert {v["sha256"] for v in values} == {kabupaten.sha256}
        code, text = get(f"/api/v1/kantor/{B}/unit?format=csv", inspektorat)
        assert code == 200 and isinstance(text, str)
        assert text.startswith("\ufeffkode,nama\r\n3507010001,Desa Sukolilo\r\n")
        code, listed = get(f"/api/v1/kantor/{B}/dokumen", inspektorat)
        assert code == 200 and listed == [{"id": kabupaten.output, "nama": "rekap-b.xlsx",
                                           "folder": "rekap", "ukuran": listed[0]["ukuran"]}]
        download = client.get(f"/api/v1/kantor/{B}/dokumen/{kabupaten.output}",
                              headers={"Authorization": f"Bearer {inspektorat}"})
        assert download.status_code == 200 and download.content[:2] == b"PK"
        book.revoke_token(book.tokens("admin")[-1].id)
        assert get("/api/v1/kantor", inspektorat)[0] == 401
