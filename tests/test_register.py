"""The register is the only source of expected units, addresses and blueprint versions; a
returned file can only speak for itself. Real files, real emails, a real store."""

from __future__ import annotations

from email.message import EmailMessage
from hashlib import sha256
from pathlib import Path

import openpyxl
import pytest

from iki_xlsx.blueprint.load import load_blueprint_text
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex, check_file
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.intake.status import status
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.rekap.build import tidy_values, write_rekap
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.workbook.generate import generate, recipients, write_filled
from tests import mutate
from tests.cli import Ran, iki
from tests.conftest import BLUEPRINTS, registered_store

BP = "iki-kecamatan-jabung"
UNITS = [Unit("01", "Desa Satu", "satu@desa.example.id"),
         Unit("02", "Desa Dua", "dua@desa.example.id"),
         Unit("03", "Desa Tiga", "tiga@desa.example.id")]
MIME = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def eml(folder: Path, name: str, sender: str, attachment: Path, date: str) -> Path:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"] = (sender, "kecamatan@example.id",
                                                           f"IKI {name}", date)
    msg.set_content("Terlampir.")
    msg.add_attachment(attachment.read_bytes(), maintype=MIME[0], subtype=MIME[1],
                       filename=attachment.name)
    path = folder / f"{name}.eml"
    path.write_bytes(bytes(msg))
    return path


def number_key(bp: Blueprint, unit: Unit, everyone: list[Unit]) -> str:
    plan = plan_workbook(bp, unit, 2026, everyone)
    return next(c.key for _, c in plan.input_cells()
                if c.rule is not None and c.rule.tipe == "bulat")


def expected(store: Store) -> list[tuple[str, str, str | None]]:
    with store.connect():
        return [(u.kode, u.nama, u.email) for u in store.expected_units(BP, 2026)]


def test_a_forged_first_return_changes_no_expected_unit_and_no_address(
        tmp_path: Path, blueprints: dict[str, Blueprint],
        database: PostgresLocation | None) -> None:
    bp = blueprints[BP]
    store = registered_store(tmp_path, bp, UNITS, database=database)
    before = expected(store)
    assert [k for k, _, _ in before] == ["01", "02", "03", "kecamatan"]
    forged_list = [Unit("01", "Desa Satu", "penipu@jahat.example.com"),
                   Unit("02", "Desa Dua", "penipu@jahat.example.com")]  # 03 left out
    crowd = [Unit(f"9{i:04d}", f"Desa Palsu {i}", f"palsu{i}@jahat.example.com")
             for i in range(5000)]
    forged = tmp_path / "palsu"
    files = [
        # a fake units list and fake addresses (its manifest disagrees with the register)
        write_filled(bp, forged_list[0], recipients(bp, forged_list), 2026,
                     forged / "daftar.xlsx"),
        # the same, with a negative count too
        write_filled(bp, forged_list[1], recipients(bp, forged_list), 2026,
                     forged / "ditolak.xlsx",
                     {number_key(bp, forged_list[1], recipients(bp, forged_list)): -7}),
        # listing 5,000 units
        write_filled(bp, UNITS[0], recipients(bp, crowd), 2026, forged / "lima-ribu.xlsx"),
    ]
    mail = eml(tmp_path, "palsu", "penipu@jahat.example.com", files[0],
               "Mon, 5 Oct 2026 09:00:00 +0700")
    taken = collect([mail, *files[1:]], store, BlueprintIndex([bp]))
    # each refused with its own finding: the manifest is not what the office generated
    assert [status for _, _, status in taken.added] == ["rejected"] * 3
    assert [taken.findings[sha][0].code for _, sha, _ in taken.added] == [
        "manifest-mismatch", "manifest-mismatch", "manifest-malformed"]  # 01 not in its list
    assert expected(store) == before
    period = status(store).periods[0]
    assert [(u.kode, u.on_list) for u in period.units] == [
        ("01", True), ("02", True), ("03", True), ("kecamatan", True)]
    assert [u.state.label for u in period.units] == ["ditolak", "ditolak", "belum kembali",
                                               "belum kembali"]
    assert store.findings(code="sender-mismatch") == []  # refused before any address counts
    recap = write_rekap(store, BlueprintIndex([bp]), tmp_path / "rekap.xlsx")
    assert recap.units_listed == 4


def test_the_later_file_counts_whatever_date_its_email_claims(
        tmp_path: Path, blueprints: dict[str, Blueprint],
        database: PostgresLocation | None) -> None:
    bp = blueprints[BP]
    store = registered_store(tmp_path, bp, UNITS, database=database)
    everyone = recipients(bp, UNITS)
    key = number_key(bp, UNITS[0], everyone)
    old = write_filled(bp, UNITS[0], everyone, 2026, tmp_path / "a" / "IKI.xlsx", {key: 11})
    new = write_filled(bp, UNITS[0], everyone, 2026, tmp_path / "b" / "IKI.xlsx", {key: 22})
    first = eml(tmp_path, "masa-depan", "satu@desa.example.id", old,
                "Fri, 1 Jan 2099 09:00:00 +0700")
    second = eml(tmp_path, "ralat", "satu@desa.example.id", new,
                 "Mon, 5 Oct 2026 09:00:00 +0700")
    collect([first], store, BlueprintIndex([bp]))
    collect([second], store, BlueprintIndex([bp]))
    satu = status(store).periods[0].units[0]
    assert satu.submissions == 2
    assert satu.accepted_sha256 == mutate_sha(new)
    values = tidy_values(store, 2026)
    mine = values[(values["unit_kode"] == "01") & (values["kunci"] == key)]
    assert list(mine["nilai"]) == [22]
    with store.connect():
        shown = [s.received_at for s in store.submissions("01")]
    assert shown == ["2099-01-01T09:00:00+07:00", "2026-10-05T09:00:00+07:00"]  # kept
    # ...but never taken for the time the office received it: the recap dates both files by
    # the store's clock, on the Status and Asal Data sheets and in the returns-per-day table
    recap = write_rekap(store, BlueprintIndex([bp]), tmp_path / "rekap.xlsx")
    assert recap.path is not None and recap.plan is not None
    book = openpyxl.load_workbook(recap.path, data_only=True)
    texts = [str(v) for sheet in ("Status", "Asal Data") for row in book[sheet].iter_rows(
        values_only=True) for v in row if v is not None]
    assert not [t for t in texts if "2099" in t]


def mutate_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_units_with_the_same_name_keep_their_own_kode(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    bp = blueprints[BP]
    twins = [Unit("3507301001", "Desa Sukamaju", "a@desa.example.id"),
             Unit("3507302001", "Desa Sukamaju", "b@desa.example.id")]
    store = registered_store(tmp_path, bp, twins)
    everyone = recipients(bp, twins)
    key = number_key(bp, twins[0], everyone)
    files = [write_filled(bp, unit, everyone, 2026, tmp_path / "kembali" / f"{unit.kode}.xlsx",
                          {key: value}) for unit, value in zip(twins, (5, 9), strict=True)]
    collect(files, store, BlueprintIndex([bp]))
    period = status(store).periods[0]
    assert [(u.kode, u.nama, u.state.label) for u in period.units[:2]] == [
        ("3507301001", "Desa Sukamaju", "diterima"), ("3507302001", "Desa Sukamaju", "diterima")]
    values = tidy_values(store, 2026)
    assert {k: list(values[(values["unit_kode"] == k) & (values["kunci"] == key)]["nilai"])
            for k in ("3507301001", "3507302001")} == {"3507301001": [5], "3507302001": [9]}
    recap = write_rekap(store, BlueprintIndex([bp]), tmp_path / "rekap.xlsx")
    assert recap.ok and recap.units_accepted == 2 and recap.units_listed == 3


def edit_manifest(source: Path, target: Path, old: str, new: str) -> Path:
    """The manifest's JSON edited in place, as a person with a zip tool and an editor would."""
    edited: list[str] = []

    def change(name: str, text: str) -> str:
        if name == "xl/sharedStrings.xml" and old in text:
            edited.append(name)
            return text.replace(old, new, 1)
        return text
    mutate.rewrite(source, target, change)
    assert edited == ["xl/sharedStrings.xml"]
    return target


@pytest.mark.parametrize(("old", "new", "what"), [
    ('"unit":{"kode":"01","nama":"Desa Satu"', '"unit":{"kode":"02","nama":"Desa Dua"',
     "kode unit"),
    ('"periode":2026', '"periode":2027', "periode"),
])
def test_a_manifest_edited_to_another_unit_or_year_is_a_finding(
        tmp_path: Path, blueprints: dict[str, Blueprint], old: str, new: str,
        what: str) -> None:
    bp = blueprints[BP]
    everyone = recipients(bp, UNITS)
    genuine = write_filled(bp, UNITS[0], everyone, 2026, tmp_path / "asli.xlsx")
    edited = edit_manifest(genuine, tmp_path / "diubah.xlsx", old, new)
    for index in (BlueprintIndex([bp]),  # outside a workspace too
                  BlueprintIndex([bp], register={})):
        result = check_file(edited, index)
        assert str(result.status) == "rejected"
        codes = {f.code for f in result.findings}
        assert codes == {"identity-mismatch"}
        messages = [f.message for f in result.findings]
        assert any(m.startswith(f"identitas buku kerja tidak konsisten: {what} di manifes ")
                   for m in messages), messages
    store = registered_store(tmp_path, bp, UNITS)
    assert [s for _, _, s in collect([edited], store, BlueprintIndex([bp])).added] == ["rejected"]
    assert store.raw_path(mutate_sha(edited)).read_bytes() == edited.read_bytes()


def test_a_return_from_version_1_after_version_2_was_generated(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    v1 = blueprints[BP]
    text = (BLUEPRINTS / f"{BP}.yaml").read_text(encoding="utf-8")
    old_name = "Persentase Tingkat Kehadiran PNS lingkup Kecamatan"
    assert old_name in text
    fixed = text.replace('versi: "1"', 'versi: "2"').replace(
        old_name, "Persentase tingkat kehadiran PNS lingkup kecamatan")
    v2 = load_blueprint_text(fixed, "v2.yaml").blueprint
    assert v2 is not None and v2.content_hash() != v1.content_hash()
    store = Store(tmp_path / "simpan")
    assert generate(v1, UNITS, 2026, tmp_path / "v1", register=store).ok
    assert generate(v2, UNITS, 2026, tmp_path / "v2", register=store).ok
    everyone = recipients(v1, UNITS)
    from_v1 = write_filled(v1, UNITS[0], everyone, 2026, tmp_path / "kembali" / "satu.xlsx")
    from_v2 = write_filled(v2, UNITS[1], everyone, 2026, tmp_path / "kembali" / "dua.xlsx")
    office = BlueprintIndex([v2])  # the office's blueprints folder now holds version 2 only
    # checked against version 1: its label is the old one, which version 2 would call a change
    assert str(check_file(from_v1, office).status) == "rejected"
    taken = collect([from_v1, from_v2], store, office)
    assert [s for _, _, s in taken.added] == ["ok", "ok"]
    with store.connect():
        assert [(s.unit_kode, s.errors) for s in store.submissions()] == [("01", 0), ("02", 0)]
    recap = write_rekap(store, office, tmp_path / "rekap.xlsx")
    assert recap.ok and recap.units_accepted == 2
    values = tidy_values(store, 2026)
    assert set(values["unit_kode"]) == {"01", "02"}
    import openpyxl

    asal = openpyxl.load_workbook(tmp_path / "rekap.xlsx")["Asal Data"]
    versions = {row[1]: row[8] for row in asal.iter_rows(values_only=True)
                if row[1] in ("01", "02")}
    assert versions == {"01": "1", "02": "2"}


def test_a_version_never_sent_is_named_with_both_versions(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    v1 = blueprints[BP]
    text = (BLUEPRINTS / f"{BP}.yaml").read_text(encoding="utf-8")
    v3 = load_blueprint_text(text.replace('versi: "1"', 'versi: "3"'), "v3.yaml").blueprint
    assert v3 is not None
    store = registered_store(tmp_path, v1, UNITS)
    stray = write_filled(v3, UNITS[0], recipients(v3, UNITS), 2026, tmp_path / "v3.xlsx")
    collect([stray], store, BlueprintIndex([v3, v1]))
    found = store.findings()
    assert [f.code for f in found] == ["version-not-registered"]
    assert found[0].message == (
        "buku kerja dibuat dari blueprint 'iki-kecamatan-jabung' versi 3, tetapi kecamatan "
        "mengirim unit ini buku kerja periode 2026 dari versi 1; isi ulang pada buku kerja "
        "yang dikirim kecamatan")


def test_blueprint_check_warns_when_a_sent_versi_changed(tmp_path: Path) -> None:
    root = tmp_path / "kantor"
    assert iki("init", str(root)).returncode == 0
    (root / "unit.csv").write_text("kode,nama,email\n01,Desa Satu,satu@desa.example.id\n",
                                   encoding="utf-8")
    source = root / "blueprints" / "iki-kecamatan-kota.yaml"
    made = iki("generate", "iki-kecamatan-kota", "--periode", "2026", cwd=root)
    assert made.returncode == 0, made.stderr
    source.write_text(source.read_text(encoding="utf-8").replace(
        "nama: Camat\n", "nama: Camat Kecamatan\n", 1), encoding="utf-8")
    checked = iki("blueprint", "check", cwd=root)
    assert checked.returncode == 0, checked.stderr
    lines = checked.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Peringatan: {source}: isi blueprint "
                                                   "'iki-kecamatan-kota' versi 1 berbeda dari "
                                                   "versi 1 yang sudah dipakai membuat workbook")
    assert lines[0].endswith("naikkan `versi` (misalnya menjadi \"2\") sebelum membuat workbook "
                             "lagi, agar kiriman dari kedua versi dapat dibedakan")


def test_buat_with_a_store_outside_a_workspace_keeps_a_register(tmp_path: Path) -> None:
    """Outside a workspace, `buat --store` records the workbooks like a workspace does: status
    waits for exactly those units, and a return of a unit not generated is refused."""
    def here(*args: str) -> Ran:
        return iki(*args, cwd=tmp_path)

    store = tmp_path / "simpan"
    made = here("buat", str(BLUEPRINTS / "iku-kecamatan.yaml"), "--unit", "Desa Satu",
               "--periode", "2026", "-o", str(tmp_path / "kirim"), "--store", str(store))
    assert made.returncode == 0, made.stderr
    shown = here("status", "--store", str(store))
    assert shown.returncode == 0, shown.stderr
    assert "  Desa Satu: belum kembali" in shown.stdout.splitlines()
    other = tmp_path / "lain"
    assert here("buat", str(BLUEPRINTS / "iku-kecamatan.yaml"), "--unit", "Desa Lain",
               "--periode", "2026", "-o", str(other), "--isi-contoh").returncode == 0
    [foreign] = [p for p in other.glob("*.xlsx") if "Desa-Lain" in p.name]
    taken = here("terima", str(foreign), "--store", str(store))
    assert taken.returncode == 1
    assert taken.stdout.splitlines()[0] == (
        f"baru: {foreign.name} ({sha256(foreign.read_bytes()).hexdigest()[:12]}) DITOLAK")
    assert taken.stdout.splitlines()[1] == (
        "  Kesalahan: unit berkode desa-lain ('Desa Lain') tidak ada di daftar unit yang "
        "dikirimi buku kerja 'iku-kecamatan' periode 2026; hubungi kecamatan bila unit ini "
        "seharusnya ada di unit.csv [unit-not-registered]")
