"""Many offices on one server (issue 24 item 2): a kabupaten workspace with kantor.csv and each
office in kantor/KODE laid out exactly as a single-office workspace; an office opened only by
its listed kode, never sharing a store with another; a single office's two role passwords
carried over as accounts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from iki_xlsx.accounts.passwords import hash_password
from iki_xlsx.accounts.roles import ALL, Grant, Role
from iki_xlsx.accounts.sessions import SignInOutcome
from iki_xlsx.core.errors import UsageError
from iki_xlsx.service.kabupaten import (
    add_office,
    init_kabupaten,
    load_kabupaten,
)
from iki_xlsx.service.site import Site
from iki_xlsx.service.workspace import WorkspaceError, init_workspace, load_workspace

KABUPATEN = """\
kabupaten = "Kabupaten Malang"
wilayah = "Provinsi Jawa Timur"
kota = "Kepanjen"
zona_waktu = "WIB"
"""


@pytest.fixture
def kabupaten_root(tmp_path: Path) -> Path:
    root = tmp_path / "malang"
    made = init_kabupaten(root)
    assert made.ok, made.findings
    assert sorted(p.name for p in made.created) == ["iki.toml", "kantor.csv"]
    (root / "iki.toml").write_text(KABUPATEN, encoding="utf-8")
    return root


def test_a_new_kabupaten_has_no_office_yet_and_loads(tmp_path: Path) -> None:
    root = tmp_path / "kab"
    assert init_kabupaten(root).ok
    kabupaten = load_kabupaten(root)
    assert kabupaten.config.kabupaten == "Kabupaten Contoh" and kabupaten.offices == []
    assert (root / "kantor").is_dir() and (root / "simpan").is_dir()
    assert not init_kabupaten(root).ok  # never overwritten


def test_an_office_added_is_a_workspace_of_its_own(kabupaten_root: Path) -> None:
    kabupaten = load_kabupaten(kabupaten_root)
    added = add_office(kabupaten, "3507010", "Kecamatan Jabung")
    assert added.created and added.kantor.root == kabupaten_root / "kantor" / "3507010"
    kabupaten = load_kabupaten(kabupaten_root)
    assert [(k.kode, k.nama) for k in kabupaten.offices] == [("3507010", "Kecamatan Jabung")]
    office = kabupaten.workspace("3507010")
    assert office.config.kantor == "Kecamatan Jabung"
    assert office.config.wilayah == "Kabupaten Malang, Provinsi Jawa Timur"
    assert (office.config.kota, office.config.zona_waktu) == ("Kepanjen", "WIB")
    assert office.store_dir == kabupaten_root / "kantor" / "3507010" / "simpan"
    assert load_workspace(added.kantor.root).root == office.root  # the same folder, alone


def test_an_office_copied_in_is_listed_with_its_own_name(kabupaten_root: Path,
                                                         tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    assert init_workspace(laptop).ok
    config = laptop / "iki.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'kantor = "Kecamatan Contoh"', 'kantor = "Kecamatan Tumpang"'), encoding="utf-8")
    shutil.copytree(laptop, kabupaten_root / "kantor" / "3507020")
    added = add_office(load_kabupaten(kabupaten_root), "3507020", None)
    assert not added.created and added.kantor.nama == "Kecamatan Tumpang"
    assert "3507020,Kecamatan Tumpang" in (kabupaten_root / "kantor.csv").read_text()


@pytest.mark.parametrize("kode", ["../luar", "35 07", ".tersembunyi", "a" * 41, "x."])
def test_a_kode_that_cannot_be_a_folder_is_refused(kabupaten_root: Path, kode: str) -> None:
    with pytest.raises(UsageError, match="tidak dapat menjadi nama folder"):
        add_office(load_kabupaten(kabupaten_root), kode, "Kecamatan X")
    assert load_kabupaten(kabupaten_root).offices == []


def test_an_office_is_opened_only_by_its_listed_kode(kabupaten_root: Path) -> None:
    kabupaten = load_kabupaten(kabupaten_root)
    add_office(kabupaten, "3507010", "Kecamatan Jabung")
    kabupaten = load_kabupaten(kabupaten_root)
    for asked in ("../3507010", "3507010/..", "kantor/3507010", "3507099", ""):
        with pytest.raises(UsageError, match=r"tidak ada di kantor\.csv"):
            kabupaten.workspace(asked)


def test_a_bad_kode_in_kantor_csv_is_named_at_load(kabupaten_root: Path) -> None:
    (kabupaten_root / "kantor.csv").write_text("kode,nama\n../x,Kecamatan Luar\n")
    with pytest.raises(WorkspaceError) as refused:
        load_kabupaten(kabupaten_root)
    [finding] = refused.value.findings
    assert finding.code == "kantor-invalid" and finding.file == "kantor.csv"


def test_two_offices_on_one_store_are_refused(kabupaten_root: Path) -> None:
    kabupaten = load_kabupaten(kabupaten_root)
    for kode in ("3507010", "3507020"):
        add_office(kabupaten, kode, f"Kecamatan {kode}")
        kabupaten = load_kabupaten(kabupaten_root)
        with (kabupaten_root / "kantor" / kode / "iki.toml").open("a") as config:
            config.write('\n[basis_data]\nurl = "postgresql://iki@localhost:5432/iki"\n'
                         'skema = "kec_bersama"\n'
                         f'berkas = "/var/lib/iki-xlsx/{kode}"\n')
    with pytest.raises(WorkspaceError) as refused:
        kabupaten.workspace("3507020")
    [finding] = refused.value.findings
    assert finding.code == "kantor-invalid"
    assert "kantor 3507020 memakai penyimpanan yang sama dengan kantor 3507010" in finding.message


def test_an_office_folder_is_no_single_office_for_accounts(kabupaten_root: Path) -> None:
    add_office(load_kabupaten(kabupaten_root), "3507010", "Kecamatan Jabung")
    with pytest.raises(WorkspaceError) as refused:
        Site.at(kabupaten_root / "kantor" / "3507010")
    assert refused.value.findings[0].message.startswith(
        f"{(kabupaten_root / 'kantor' / '3507010').resolve()} adalah kantor 3507010 di ruang "
        "kerja kabupaten")
    with pytest.raises(WorkspaceError) as kabupaten:
        load_workspace(kabupaten_root)
    assert kabupaten.value.findings[0].code == "workspace-kabupaten"


def test_the_kabupaten_keeps_the_accounts_of_every_office(kabupaten_root: Path) -> None:
    add_office(load_kabupaten(kabupaten_root), "3507010", "Kecamatan Jabung")
    site = Site.at(kabupaten_root)
    assert site.kabupaten_kind and site.office_kodes() == ["3507010"]
    site.accounts().add("sari", "Sari", "sandi-sari-1", [Grant(Role.OPERATOR, "3507010")])
    assert (kabupaten_root / "simpan" / "iki.sqlite").is_file()
    assert not (kabupaten_root / "kantor" / "3507010" / "simpan" / "iki.sqlite").exists()
    assert [a.login for a in Site.at(kabupaten_root).accounts().all()] == ["sari"]


def test_the_two_role_passwords_become_two_accounts(tmp_path: Path) -> None:
    root = tmp_path / "kantor"
    assert init_workspace(root).ok
    (root / "web-sandi.json").write_text(json.dumps(
        {"operator": hash_password("sandi-operator-lama"),
         "pemeriksa": hash_password("sandi-pemeriksa-lama")}), encoding="utf-8")
    site = Site.at(root)
    accounts = site.accounts()
    assert [(a.login, a.nama, a.grants) for a in accounts.all()] == [
        ("operator", "Operator", (Grant(Role.OPERATOR, ALL),)),
        ("pemeriksa", "Pemeriksa", (Grant(Role.PEMERIKSA, ALL),))]
    assert not (root / "web-sandi.json").exists()
    signed = site.sessions().sign_in("operator", "sandi-operator-lama", "127.0.0.1")
    assert signed.outcome == SignInOutcome.OK
    assert len(site.accounts().all()) == 2  # once only
