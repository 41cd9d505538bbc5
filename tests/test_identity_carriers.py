"""A return is identified by whichever identity carrier survives another client: the manifest
sheet in any state; else the custom document properties; else, in a workspace, the visible
header cells and the workbook-scoped sheet names matched against the register. The plan always
comes from the office's blueprint. Each carrier is removed in turn to show what is still
identified, outside a workspace and inside one."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex, FileResult, check_file
from iki_xlsx.intake.collect import collect
from iki_xlsx.intake.status import status
from iki_xlsx.plan.carriers import MANIFEST_SHEET
from iki_xlsx.plan.register import register_index
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate
from tests import mutate
from tests.conftest import UNITS

BP = "iki-kecamatan-jabung"
BY_PROPERTIES = ("manifest-missing", "lembar manifes hilang (aplikasi lain membuangnya); buku "
                 "kerja dikenali dari properti dokumen dan diperiksa terhadap blueprint "
                 f"'{BP}' versi 1 milik kecamatan")
BY_HEADERS = ("manifest-missing", "lembar manifes hilang (aplikasi lain membuangnya); buku "
              "kerja dikenali dari sel kepala lembar dan nama lembar dan diperiksa terhadap "
              f"blueprint '{BP}' versi 1 milik kecamatan")
NOT_IKI = ("unknown-workbook", "buku kerja ini tidak dibuat oleh iki-xlsx, atau lembar manifes "
           "dan properti dokumennya hilang (aplikasi lain membuangnya) dan sel kepalanya tidak "
           "cocok dengan workbook yang dibuat kecamatan; gunakan berkas yang dikirim kecamatan")
OFFICE_NEEDS_LIST = (
    "unknown-workbook", "lembar manifes workbook kantor kecamatan hilang (aplikasi lain "
    "membuangnya), sedangkan daftar kelurahan/desa yang menjadi tata letaknya hanya ada di sana "
    "atau di daftar kecamatan; periksa di dalam ruang kerja kecamatan, atau isi ulang pada "
    "workbook asli dengan Excel atau LibreOffice")


def _state(state: str) -> Callable[[str, str], str]:
    """The manifest sheet's visibility as another client saves it ("" = visible)."""
    def change(name: str, text: str) -> str:
        if name != "xl/workbook.xml":
            return text
        return re.sub(rf'(<sheet name="{MANIFEST_SHEET}"[^>]*?) state="\w+"',
                      rf'\1{f" state={chr(34)}{state}{chr(34)}" if state else ""}', text)
    return change


def _no_properties(name: str, text: str) -> str | None:
    """Drop the custom document properties and every reference to them."""
    if name == "docProps/custom.xml":
        return None
    if name in ("[Content_Types].xml", "_rels/.rels"):
        return re.sub(r"<(Override|Relationship)[^>]*custom[^>]*/>", "", text)
    return text


def _without_manifest(source: Path, target: Path) -> Path:
    return mutate.delete_sheet(source, target, MANIFEST_SHEET)


def _carriers(path: Path) -> tuple[bool, bool]:
    """Whether the file still has its manifest sheet and its custom properties."""
    with zipfile.ZipFile(path) as archive:
        return (MANIFEST_SHEET in archive.read("xl/workbook.xml").decode(),
                "docProps/custom.xml" in archive.namelist())


@pytest.fixture(scope="module")
def bp(blueprints: dict[str, Blueprint]) -> Blueprint:
    return blueprints[BP]


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory, bp: Blueprint) -> tuple[Store, list[Path]]:
    """Filled returns of two desa and the office, generated in a workspace's store."""
    folder = tmp_path_factory.mktemp("pembawa")
    store = Store(folder / "simpan")
    made = generate(bp, UNITS, 2026, folder / "isi", sample=True, register=store)
    assert made.ok
    return store, made.files


@pytest.fixture(scope="module")
def stripped(tmp_path_factory: pytest.TempPathFactory,
             returns: tuple[Store, list[Path]]) -> dict[str, Path]:
    """The first desa's return and the office's, with each carrier removed in turn."""
    folder = tmp_path_factory.mktemp("dilucuti")
    desa, office = returns[1][0], returns[1][-1]
    files = {"tanpa-properti": mutate.rewrite(desa, folder / "tanpa-properti.xlsx",
                                              _no_properties)}
    files["tanpa-manifes"] = _without_manifest(desa, folder / "tanpa-manifes.xlsx")
    files["tanpa-keduanya"] = _without_manifest(files["tanpa-properti"],
                                                folder / "tanpa-keduanya.xlsx")
    files["kantor-tanpa-manifes"] = _without_manifest(office, folder / "kantor.xlsx")
    no_props = mutate.rewrite(office, folder / "kantor-tanpa-properti.xlsx", _no_properties)
    files["kantor-tanpa-keduanya"] = _without_manifest(no_props, folder / "kantor-0.xlsx")
    assert _carriers(files["tanpa-properti"]) == (True, False)
    assert _carriers(files["tanpa-manifes"]) == (False, True)
    assert _carriers(files["tanpa-keduanya"]) == (False, False)
    return files


def _summary(result: FileResult) -> tuple[str, str | None, list[tuple[str, str]]]:
    return str(result.status), result.unit, [(f.code, f.message) for f in result.findings]


def test_the_manifest_sheet_counts_in_any_state(tmp_path: Path, bp: Blueprint,
                                                returns: tuple[Store, list[Path]]) -> None:
    desa = returns[1][0]
    with zipfile.ZipFile(desa) as archive:
        assert 'state="veryHidden"' in archive.read("xl/workbook.xml").decode()
    for state in ("hidden", ""):
        changed = mutate.rewrite(desa, tmp_path / f"{state or 'visible'}.xlsx", _state(state))
        assert _summary(check_file(changed, BlueprintIndex([bp]))) == (
            "ok", "Desa Sukamaju", []), state


def test_outside_a_workspace_each_carrier_removed_in_turn(bp: Blueprint,
                                                          stripped: dict[str, Path]) -> None:
    index = BlueprintIndex([bp])  # no register: only what the file carries
    seen = {name: _summary(check_file(path, index)) for name, path in stripped.items()}
    assert seen == {
        "tanpa-properti": ("ok", "Desa Sukamaju", []),
        "tanpa-manifes": ("ok", "Desa Sukamaju", [BY_PROPERTIES]),
        "tanpa-keduanya": ("rejected", None, [NOT_IKI]),
        # the office's layout has a row per desa: only its manifest or the register lists them
        "kantor-tanpa-manifes": ("rejected", bp.kantor, [OFFICE_NEEDS_LIST]),
        "kantor-tanpa-keduanya": ("rejected", None, [NOT_IKI]),
    }


def test_in_a_workspace_the_register_identifies_what_the_file_lost(
        bp: Blueprint, returns: tuple[Store, list[Path]], stripped: dict[str, Path]) -> None:
    index = register_index(returns[0], [bp])
    seen = {name: _summary(check_file(path, index)) for name, path in stripped.items()}
    assert seen == {
        "tanpa-properti": ("ok", "Desa Sukamaju", []),
        "tanpa-manifes": ("ok", "Desa Sukamaju", [BY_PROPERTIES]),
        "tanpa-keduanya": ("ok", "Desa Sukamaju", [BY_HEADERS]),
        "kantor-tanpa-manifes": ("ok", bp.kantor, [BY_PROPERTIES]),
        "kantor-tanpa-keduanya": ("ok", bp.kantor, [BY_HEADERS]),
    }


def test_headers_alone_never_pick_a_unit_the_register_does_not_know(
        tmp_path: Path, bp: Blueprint, returns: tuple[Store, list[Path]],
        stripped: dict[str, Path]) -> None:
    """A file without manifest and properties whose header names another desa, or another
    year, is not taken for anyone."""
    index = register_index(returns[0], [bp])
    renamed = mutate.rewrite(stripped["tanpa-keduanya"], tmp_path / "lain.xlsx",
                             lambda name, text: text.replace("Desa Sukamaju", "Desa Lain"))
    assert _summary(check_file(renamed, index)) == ("rejected", None, [NOT_IKI])
    other_year = mutate.rewrite(stripped["tanpa-keduanya"], tmp_path / "tahun.xlsx",
                                lambda name, text: text.replace("Tahun 2026", "Tahun 2025"))
    assert _summary(check_file(other_year, index)) == ("rejected", None, [NOT_IKI])


def test_a_return_without_its_manifest_still_counts_for_its_unit(
        tmp_path: Path, bp: Blueprint, returns: tuple[Store, list[Path]]) -> None:
    store = Store(tmp_path / "simpan")
    made = generate(bp, UNITS, 2026, tmp_path / "isi", sample=True, register=store)
    second = _without_manifest(made.files[1], tmp_path / "desa-dua.xlsx")
    assert [s for _, _, s in collect([second], store, BlueprintIndex([bp])).added] == ["ok"]
    (period,) = status(store).periods
    assert {u.kode: u.state.label for u in period.units} == {
        "3507301001": "belum kembali", "3507301002": "diterima", "kecamatan": "belum kembali"}
