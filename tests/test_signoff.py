"""Sign-off (issue 26) through the command line: a return verified, another sent back with a
comment, the period approved (closed) and reopened with a reason, each step as the account
named by --akun and each in the audit export with that person; a role without the right is
refused on every step; an entry altered or deleted directly in the database (SQLite and
PostgreSQL) is named by `audit periksa`."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import docx
import openpyxl
import pytest
from httpx import Response
from starlette.testclient import TestClient

from iki_xlsx.accounts.book import AccountBook
from iki_xlsx.accounts.roles import Grant, Role
from iki_xlsx.accounts.sessions import LoginPolicy
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.service.workspace import load_workspace
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.store.location import PASSWORD_VARIABLE
from iki_xlsx.web import create_app, open_site
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.generate import generate, recipients, write_filled
from tests.cli import Ran, iki
from tests.shared import built_once
from tests.test_audit import tamper
from tests.webspace import BLUEPRINT, PERIODE, UNITS, csrf_in, make_returns, make_workspace

PASSWORD = "sandi-yang-panjang-2026"
PEOPLE = {"sari": ("Sari Wulandari", Role.OPERATOR), "camat": ("Drs. Bambang", Role.PENYETUJU),
          "inspektur": ("Ir. Wati", Role.PEMERIKSA)}
SATU, DUA, TIGA = (u.kode for u in UNITS)
KECAMATAN = "kecamatan"  # the office's own workbook
LAST_YEAR = PERIODE - 1


def ran(root: Path, *args: str, env: dict[str, str | None] | None = None) -> Ran:
    return iki("--ruang", str(root), *args, env=env)


def add_people(store: Store) -> None:
    book = AccountBook(store)
    for login, (nama, role) in PEOPLE.items():
        book.add(login, nama, PASSWORD, [Grant(role)])


def build_office(folder: Path, blueprints: dict[str, Blueprint]) -> None:
    """A workspace with the workbooks made and every unit's correct return received, last
    year's (the same sample values) and this year's."""
    root = make_workspace(folder / "ruang")
    bp = blueprints[BLUEPRINT]
    assert ran(root, "buat", BLUEPRINT, "--periode", str(LAST_YEAR)).returncode == 0
    assert ran(root, "buat", BLUEPRINT, "--periode", str(PERIODE)).returncode == 0
    last = generate(bp, UNITS, LAST_YEAR, folder / "kembali-lalu", sample=True).files
    returns = make_returns(bp, folder / "kembali")
    taken = ran(root, "terima", *(str(p) for p in [*last, *returns.filled]))
    assert taken.returncode == 0, taken.stdout + taken.stderr


@pytest.fixture
def office(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
           blueprints: dict[str, Blueprint]) -> Path:
    """A fresh copy of the shared office, with its three people's accounts."""
    built = built_once(tmp_path_factory, "signoff-kantor",
                       lambda folder: build_office(folder, blueprints))
    root = tmp_path / "ruang"
    shutil.copytree(built / "ruang", root)
    add_people(load_workspace(root).store())
    return root


def audit_rows(root: Path, *args: str) -> list[dict[str, str]]:
    out = root / "audit.csv"
    done = ran(root, "audit", "ekspor", "--keluaran", str(out), *args)
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


def test_verify_send_back_approve_and_reopen_as_the_people_named(office: Path) -> None:
    year = ("--periode", str(PERIODE))
    verified = ran(office, "verifikasi", SATU, *year, "--catatan", "cocok dengan buku register",
                   "--akun", "sari")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout == (f"Isian {UNITS[0].nama} ({SATU}) diverifikasi: cocok dengan "
                               "buku register.\n")
    back = ran(office, "kembalikan", DUA, *year, "--catatan", "daftar hadir belum dilampirkan",
               "--akun", "sari")
    assert back.returncode == 0, back.stderr
    states = {u["kode"]: u["state"] for u in _units(office)}
    assert states == {SATU: "diverifikasi", DUA: "dikembalikan", TIGA: "diterima",
                      KECAMATAN: "diterima"}
    mailed = ran(office, "kirim", "--perbaikan", "--dry-run", str(office / "eml"),
                 "--from", "kecamatan@example.id")
    assert mailed.returncode == 0, mailed.stdout + mailed.stderr
    [eml] = list((office / "eml").glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == UNITS[1].email
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "1. Catatan Sari Wulandari (sari): daftar hadir belum dilampirkan" in text
    [attached] = list(message.iter_attachments())
    data = attached.get_payload(decode=True)
    assert isinstance(data, bytes)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        notes = [tuple(r) for r in book["Catatan Pemeriksaan"].iter_rows(values_only=True)]
    finally:
        book.close()
    assert any("Catatan Sari Wulandari (sari): daftar hadir belum dilampirkan" in str(cell)
               for row in notes for cell in row), notes

    approved = ran(office, "setujui", *year, "--tw", "1", "--akun", "camat")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.splitlines() == [
        f"Periode {PERIODE} sampai TW I ({BLUEPRINT}) disetujui dan ditutup: 1 dari 4 unit; tanpa "
        f"isian terverifikasi: {DUA}, {TIGA}, {KECAMATAN}.",
        f"  tidak ikut disetujui: {DUA} {UNITS[1].nama} (dikembalikan)",
        f"  tidak ikut disetujui: {TIGA} {UNITS[2].nama} (diterima)",
        f"  tidak ikut disetujui: {KECAMATAN} Kecamatan Jabung (diterima)"]
    period = _period(office)
    assert period["closed_through"] == 1 and period["closed_by"]["login"] == "camat"
    assert {u["kode"]: u["state"] for u in period["units"]}[SATU] == "disetujui"
    again = ran(office, "verifikasi", SATU, *year, "--akun", "sari")
    assert again.returncode == 2
    assert "sudah disetujui" in again.stderr

    no_reason = ran(office, "buka", *year, "--akun", "camat")
    assert no_reason.returncode == 2 and "alasan wajib diisi" in no_reason.stderr
    reopened = ran(office, "buka", *year, "--alasan", "koreksi data posyandu", "--akun", "camat")
    assert reopened.returncode == 0, reopened.stderr
    assert reopened.stdout == (f"Periode {PERIODE} ({BLUEPRINT}) dibuka kembali mulai TW I: "
                               "koreksi data posyandu.\n")
    assert _period(office)["closed_through"] == 0

    rows = audit_rows(office)
    steps = [(r["jenis"], r["login"], r["unit"]) for r in rows if r["login"]]
    assert steps == [("diverifikasi", "sari", SATU), ("dikembalikan", "sari", DUA),
                     ("periode disetujui", "camat", ""), ("periode dibuka kembali", "camat", "")]
    assert [r["nama"] for r in rows if r["login"]] == ["Sari Wulandari", "Sari Wulandari",
                                                       "Drs. Bambang", "Drs. Bambang"]
    assert all(r["asal"].startswith("baris perintah ") for r in rows if r["login"])
    assert "daftar hadir belum dilampirkan" in [r for r in rows if r["login"]][1]["ringkasan"]
    by_system = {(r["jenis"], r["periode"]) for r in rows if r["nama"] == "sistem"}
    assert {("workbook dibuat", str(PERIODE)), ("isian diterima", str(PERIODE)),
            ("workbook dibuat", str(LAST_YEAR))} <= by_system
    by_camat = audit_rows(office, "--akun", "camat")
    assert [r["jenis"] for r in by_camat] == ["periode disetujui", "periode dibuka kembali"]
    of_dua = audit_rows(office, "--unit", DUA)
    assert {r["unit"] for r in of_dua} == {DUA}
    assert [r["jenis"] for r in of_dua] == ["isian diterima", "isian diterima", "dikembalikan"]
    checked = ran(office, "audit", "periksa")
    assert checked.returncode == 0 and checked.stdout.startswith("Catatan audit utuh: ")


def test_a_role_without_the_right_is_refused_on_every_step(office: Path) -> None:
    year = ("--periode", str(PERIODE))
    steps = {
        "verifikasi": ("verifikasi", SATU, *year),
        "kembalikan": ("kembalikan", SATU, *year, "--catatan", "x"),
        "setujui": ("setujui", *year),
        "buka": ("buka", *year, "--alasan", "x"),
    }
    allowed = {"verifikasi": "sari", "kembalikan": "sari", "setujui": "camat", "buka": "camat"}
    for name, args in steps.items():
        for login in PEOPLE:
            if login == allowed[name]:
                continue
            refused = ran(office, *args, "--akun", login)
            assert refused.returncode == 2, (name, login, refused.stdout)
            assert "tidak berhak" in refused.stderr, (name, login, refused.stderr)
    nobody = ran(office, "verifikasi", SATU, *year)
    assert nobody.returncode == 2 and "--akun" in nobody.stderr
    unknown = ran(office, "verifikasi", SATU, *year, "--akun", "siapa")
    assert unknown.returncode == 2 and "akun 'siapa' tidak ada" in unknown.stderr
    assert [r for r in audit_rows(office) if r["login"]] == []  # nothing was done


def test_audit_periksa_names_the_entry_deleted_or_altered_in_the_database(
        tmp_path: Path, blueprints: dict[str, Blueprint], database: PostgresLocation | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_workspace(tmp_path / "ruang")
    if database is not None:
        with (root / "iki.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[basis_data]\nurl = "{database.url}"\nskema = "{database.schema}"\n')
        monkeypatch.setenv(PASSWORD_VARIABLE, str(database.password))
    assert ran(root, "buat", BLUEPRINT, "--periode", str(PERIODE)).returncode == 0
    returns = make_returns(blueprints[BLUEPRINT], tmp_path / "kembali")
    assert ran(root, "terima", *(str(p) for p in returns.filled)).returncode == 0
    store = load_workspace(root).store()
    assert store.kind == ("sqlite" if database is None else "postgresql")
    add_people(store)
    for kode in (SATU, DUA, TIGA):
        done = ran(root, "verifikasi", kode, "--periode", str(PERIODE), "--akun", "sari")
        assert done.returncode == 0, done.stderr
    before = ran(root, "audit", "periksa")
    assert before.returncode == 0, before.stdout + before.stderr
    verified = {e.unit_kode: e.id for e in store.audit.entries() if e.login == "sari"}
    tamper(store, f"DELETE FROM audit WHERE id = {verified[TIGA]}")  # the last one
    deleted = ran(root, "audit", "periksa")
    assert deleted.returncode == 1, deleted.stdout + deleted.stderr
    assert deleted.stdout.splitlines()[0] == (
        f"Catatan audit rusak pada entri {verified[TIGA]}: entri {verified[TIGA]} dihapus "
        f"(catatan terakhir yang ditulis adalah entri {verified[TIGA]}).")
    tamper(store, f"UPDATE audit SET login = 'camat' WHERE id = {verified[SATU]}")
    altered = ran(root, "audit", "periksa")
    assert altered.returncode == 1
    assert altered.stdout.splitlines() == [
        f"Catatan audit rusak pada entri {verified[SATU]}: isi entri diubah setelah dicatat "
        "(hashnya tidak cocok).",
        f"  entri {verified[SATU]}: " + altered.stdout.splitlines()[1].split(": ", 1)[1]]
    assert f"oleh Sari Wulandari (camat): Isian {UNITS[0].nama} ({SATU}) diverifikasi" in \
        altered.stdout


def _status(root: Path) -> dict[str, object]:
    import json

    done = ran(root, "status", "--json")
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def _period(root: Path) -> dict[str, object] | object:
    periods = _status(root)["periods"]
    assert isinstance(periods, list)
    return next(p for p in periods if p["blueprint"] == BLUEPRINT and p["periode"] == PERIODE)


def _units(root: Path) -> list[dict[str, str]]:
    period = _period(root)
    assert isinstance(period, dict)
    units: list[dict[str, str]] = period["units"]
    return units


def correction_of(bp: Blueprint, folder: Path) -> tuple[Path, str, float]:
    """Desa Sukolilo's return sent again with one TW I count raised by 5: the file, the
    value's plan key, and the value it had."""
    everyone = recipients(bp, UNITS)
    plan = plan_workbook(bp, UNITS[0], PERIODE, everyone)
    where = {(s.code, c.ref): c.key for s, c in plan.input_cells()}
    typed = {where[at]: value for at, value in sample_inputs(bp, plan).items()}
    key, before = next((k, v) for k, v in typed.items() if PlanKey.parse(k).period == 1
                       and PlanKey.parse(k).name == "kegiatan" and isinstance(v, int))
    path = write_filled(bp, UNITS[0], everyone, PERIODE, folder / f"{SATU}-perbaikan.xlsx",
                        {key: before + 5})
    return path, key, float(before)


def recap_values(root: Path, folder: Path) -> tuple[dict[str, float], list[tuple[object, ...]]]:
    """Desa Sukolilo's values in the recap (by plan key) and the rows of its Asal Data."""
    done = ran(root, "rekap", "--periode", str(PERIODE), "-o", str(folder / "rekap.xlsx"),
               "--csv", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    values = {}
    for path in folder.glob("*.csv"):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            if row["unit_kode"] == SATU and row["nilai"] not in ("", None):
                try:
                    values[row["kunci"]] = float(row["nilai"])
                except ValueError:
                    continue
    book = openpyxl.load_workbook(folder / "rekap.xlsx", read_only=True)
    try:
        asal = [tuple(row) for row in book["Asal Data"].iter_rows(values_only=True)]
    finally:
        book.close()
    return values, asal


def test_a_correction_after_approval_changes_nothing_until_the_period_is_reopened(
        office: Path, tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    year = ("--periode", str(PERIODE))
    assert ran(office, "verifikasi", SATU, *year, "--akun", "sari").returncode == 0
    assert ran(office, "setujui", *year, "--tw", "1", "--akun", "camat").returncode == 0
    correction, key, before = correction_of(blueprints[BLUEPRINT], tmp_path)
    taken = ran(office, "terima", str(correction))
    assert taken.returncode == 0, taken.stdout + taken.stderr
    unit = next(u for u in _units(office) if u["kode"] == SATU)
    assert (unit["state"], unit["late"]) == ("diterima", True)  # kept, checked and shown
    received = audit_rows(office, "--jenis", "terima", "--unit", SATU)
    assert received[-1]["ringkasan"] == f"Berkas {correction.name} diterima: diterima"
    assert received[-1]["nama"] == "sistem" and received[-1]["periode"] == str(PERIODE)

    closed, asal = recap_values(office, tmp_path / "ditutup")
    assert closed[key] == before  # the approved return's value, not the correction's
    labels = {row[0]: row[2] for row in asal if row[0]}
    assert str(labels["Persetujuan"]).startswith(
        "Disetujui dan ditutup sampai TW I oleh Drs. Bambang (camat), ")
    signed = {row[3]: row[9] for row in asal if row[1] == SATU}
    assert len(signed) == 2  # the approved file (TW I) and the correction (later periods)
    approved_file = next(name for name in signed if "perbaikan" not in str(name))
    assert str(signed[approved_file]).startswith("diverifikasi Sari Wulandari (sari), ")
    assert "; disetujui Drs. Bambang (camat), " in str(signed[approved_file])
    assert signed[correction.name] == "-"
    measured = ran(office, "dokumen", "pengukuran", "--periode", str(PERIODE), "--tw", "1")
    assert measured.returncode == 0, measured.stdout + measured.stderr
    made = office / "keluaran" / "dokumen" / f"pengukuran_{BLUEPRINT}_{PERIODE}_twi.docx"
    said = [p.text for p in docx.Document(str(made)).paragraphs if "Persetujuan" in p.text]
    assert len(said) == 1 and said[0].startswith(
        f"Persetujuan {PERIODE}: Disetujui dan ditutup sampai TW I oleh Drs. Bambang (camat), ")

    reopened = ran(office, "buka", *year, "--alasan", "perbaikan kegiatan linmas",
                   "--akun", "camat")
    assert reopened.returncode == 0, reopened.stderr
    opened, asal = recap_values(office, tmp_path / "dibuka")
    assert opened[key] == before + 5  # now the correction counts
    labels = {row[0]: row[2] for row in asal if row[0]}
    assert str(labels["Persetujuan"]).startswith(
        "Belum disetujui: dibuka kembali oleh Drs. Bambang (camat), ")
    assert str(labels["Persetujuan"]).endswith("alasan: perbaikan kegiatan linmas")


def changed_return(bp: Blueprint, folder: Path, unit_index: int,
                   scale: dict[str, float]) -> Path:
    """A unit's return of this year with every period's value of some variables scaled
    (by `indikator/variabel` of the jabatan's key)."""
    everyone = recipients(bp, UNITS)
    unit = UNITS[unit_index]
    plan = plan_workbook(bp, unit, PERIODE, everyone)
    where = {(s.code, c.ref): c.key for s, c in plan.input_cells()}
    typed = {where[at]: value for at, value in sample_inputs(bp, plan).items()}
    changes: dict[str, object] = {}
    for key, value in typed.items():
        parsed = PlanKey.parse(key)
        factor = scale.get(f"{parsed.indikator}/{parsed.name}")
        if factor is not None and isinstance(value, int):
            changes[key] = round(value * factor)
    assert changes, scale
    return write_filled(bp, unit, everyone, PERIODE, folder / f"{unit.kode}-ubah.xlsx",
                        changes)  # type: ignore[arg-type]


TENFOLD = {"pembinaan-linmas/kegiatan": 10.0}  # ten times last year's
WITHIN = {"monitoring-siskamling/kegiatan": 1.2}  # 20 %, within the default 50 %


def test_a_value_ten_times_last_years_is_flagged_one_within_the_limit_is_not(
        office: Path, tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    bp = blueprints[BLUEPRINT]
    changed = changed_return(bp, tmp_path, 2, TENFOLD | WITHIN)
    assert ran(office, "terima", str(changed)).returncode == 0
    from iki_xlsx.service.office import Office

    found = Office.at(office)[0].year_changes(BLUEPRINT, PERIODE)
    assert found.last_known
    rows = {r.indikator.id: r for r in found.units[TIGA].rows}
    tenfold, within = rows["pembinaan-linmas"], rows["monitoring-siskamling"]
    assert tenfold.last_year and tenfold.this_year and tenfold.this_year > tenfold.last_year
    assert tenfold.flagged and (tenfold.change or 0) > tenfold.limit == 50
    ten_times = replace(tenfold, this_year=10 * tenfold.last_year)
    assert ten_times.flagged and round(ten_times.change or 0) == 900
    assert not replace(tenfold, this_year=1.4 * tenfold.last_year).flagged
    assert replace(tenfold, this_year=1.4 * tenfold.last_year, limit=30).flagged
    assert within.last_year and not within.flagged and 0 < (within.change or 0) <= 50
    assert [r.indikator.id for r in found.units[TIGA].flagged] == ["pembinaan-linmas"]


def web_client(root: Path) -> TestClient:
    return TestClient(create_app(open_site(root), login_required=True, host="192.0.2.10",
                                 login_policy=LoginPolicy(delay=0.0)),
                      base_url="http://127.0.0.1:8000")


def sign_in(client: TestClient, login: str) -> None:
    form = {"csrf": csrf_in(client.get("/masuk").text), "nama_masuk": login,
            "sandi": PASSWORD, "lanjut": "/"}
    assert client.post("/masuk", data=form, follow_redirects=False).status_code == 303


def web_step(client: TestClient, langkah: str, **fields: str) -> Response:
    form = {"csrf": csrf_in(client.get("/akun-saya").text), "langkah": langkah,
            "blueprint": BLUEPRINT, "periode": str(PERIODE), **fields}
    return client.post("/verifikasi", data=form, follow_redirects=False)


def test_the_verifier_page_steps_and_the_audit_view_by_role(office: Path) -> None:
    with web_client(office) as client:
        wrong = {"csrf": csrf_in(client.get("/masuk").text), "nama_masuk": "sari",
                 "sandi": "bukan-sandinya", "lanjut": "/"}
        assert client.post("/masuk", data=wrong, follow_redirects=False).status_code == 401
        sign_in(client, "sari")
        page = client.get(f"/verifikasi?pilihan={BLUEPRINT}|{PERIODE}")
        assert page.status_code == 200
        assert "Belum disetujui: periode terbuka." in page.text
        assert page.text.count('value="verifikasi"') == 4 and "Setujui dan tutup" not in page.text
        assert web_step(client, "verifikasi", kode=SATU, catatan="sesuai notulen").status_code \
            == 303
        assert web_step(client, "kembalikan", kode=DUA, catatan="lampirkan daftar hadir"
                        ).status_code == 303
        refused = web_step(client, "setujui", tw="1")
        assert refused.status_code == 403 and "tidak berhak menyetujui" in refused.text
        page = client.get(f"/verifikasi?pilihan={BLUEPRINT}|{PERIODE}").text
        assert "sesuai notulen" in page and "Sari Wulandari (sari)" in page
    with web_client(office) as client:
        sign_in(client, "camat")
        refused = web_step(client, "verifikasi", kode=TIGA)
        assert refused.status_code == 403 and "tidak berhak memverifikasi" in refused.text
        assert web_step(client, "setujui", tw="1").status_code == 303
        page = client.get(f"/verifikasi?pilihan={BLUEPRINT}|{PERIODE}").text
        assert "Periode disetujui dan ditutup sampai <strong>TW I</strong> oleh Drs. Bambang " \
               "(camat)" in page
        assert "Buka kembali" in page
    with web_client(office) as client:
        sign_in(client, "inspektur")
        for langkah, fields in (("verifikasi", {"kode": TIGA}),
                                ("kembalikan", {"kode": TIGA, "catatan": "x"}),
                                ("setujui", {}), ("buka", {"alasan": "x"})):
            refused = web_step(client, langkah, **fields)
            assert refused.status_code == 403, (langkah, refused.text)
        page = client.get("/audit?akun=sari").text
        assert page.count("Sari Wulandari (sari)") >= 2 and "Drs. Bambang (camat)</td>" not in page
        exported = client.get("/audit.csv?jenis=setujui")
        assert exported.status_code == 200
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert [(r["login"], r["jenis"]) for r in rows] == [("camat", "periode disetujui")]
        assert rows[0]["asal"].startswith("web ")
        logins = client.get("/audit?jenis=masuk").text
        assert "Sari Wulandari masuk" in logins and "Drs. Bambang masuk" in logins
        failed = client.get("/audit?jenis=masuk-gagal").text
        assert "Gagal masuk sebagai &#39;sari&#39;: sandi atau nama salah" in failed


def test_account_changes_are_in_the_audit_without_a_password(office: Path) -> None:
    added = iki("--ruang", str(office), "akun", "tambah", "budi", "--nama", "Budi Santoso",
                "--peran", "operator", "--sandi-stdin", input="sandi-budi-rahasia-11\n")
    assert added.returncode == 0, added.stderr
    changed = iki("--ruang", str(office), "akun", "ubah", "budi", "--sandi-stdin",
                  input="sandi-budi-rahasia-22\n")
    assert changed.returncode == 0, changed.stderr
    rows = audit_rows(office, "--jenis", "akun")
    assert [r["ringkasan"] for r in rows] == ["Akun budi (Budi Santoso) dibuat: operator",
                                              "Akun budi diubah: sandi"]
    assert "rahasia" not in (office / "audit.csv").read_text(encoding="utf-8-sig")
