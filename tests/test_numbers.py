"""Numbers that are not numbers: NaN, +-Infinity and values outside Excel's range are
`invalid-input` wherever they appear; text is read by one Indonesian rule; JSON output is
strict; a stored value reads back the same way whatever SQLite or pandas hands over."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from iki_xlsx.blueprint.model import Blueprint, Tipe
from iki_xlsx.check import BlueprintIndex, check_file
from iki_xlsx.core.angka import parse_stored, parse_text, strict_json
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.store.db import as_text, from_store
from iki_xlsx.workbook.generate import recipients
from tests import mutate
from tests.cli import iki
from tests.conftest import UNITS, bundled

Place = tuple[Path, str, str, str]  # the sample-filled file, sheet name, cell, label


@pytest.fixture(scope="module")
def cells(blueprints: dict[str, Blueprint],
          generated: dict[tuple[str, bool], list[Path]]) -> dict[str, Place]:
    """A decimal input, a count and a target a kelurahan/desa types, in sample-filled files."""
    found: dict[str, Place] = {}
    for bp_id in ("iki-kecamatan-kota", "iki-kecamatan-jabung"):
        bp = blueprints[bp_id]
        everyone = recipients(bp, UNITS)
        plan = plan_workbook(bp, everyone[0], 2026, everyone)
        for sheet, cell in plan.input_cells():
            assert cell.rule is not None
            kind = "target" if cell.key.endswith("/target") else cell.rule.tipe
            if kind in ("target", Tipe.DESIMAL.value, Tipe.BULAT.value) and kind not in found:
                found[kind] = (generated[(bp_id, True)][0], sheet.name, cell.ref,
                               cell.rule.label)
    assert {"target", "desimal", "bulat"} <= set(found), found
    return found


def _invalid(path: Path, sheet: str, ref: str) -> list[str]:
    result = check_file(path, BlueprintIndex(bundled().values()))
    assert result.status == "needs-correction"
    return [f.message for f in result.findings
            if f.code == "invalid-input" and (f.sheet, f.cell) == (sheet, ref)]


@pytest.mark.parametrize(("kind", "stored"), [
    ("desimal", "NaN"), ("desimal", "INF"), ("target", "INF"), ("target", "-INF"),
    ("bulat", "3_1")])
def test_a_stored_number_that_is_no_number_is_invalid(
        tmp_path: Path, cells: dict[str, Place], kind: str, stored: str) -> None:
    filled, sheet, ref, label = cells[kind]
    changed = mutate.set_cell(filled, tmp_path / "x.xlsx", sheet, ref, number_text=stored)
    assert _invalid(changed, sheet, ref) == [
        f"{label}: '{stored}' bukan angka; ketik angka tanpa satuan (contoh 1234 atau 1234,5)"]


@pytest.mark.parametrize(("stored", "typed"), [
    ("1E+400", None), ("1.5E+308", None), ("-1E+308", None), (None, "1e308")])
def test_a_number_out_of_excels_range_is_named_as_such(
        tmp_path: Path, cells: dict[str, Place], stored: str | None, typed: str | None) -> None:
    filled, sheet, ref, label = cells["target"]
    changed = mutate.set_cell(filled, tmp_path / "x.xlsx", sheet, ref, number_text=stored,
                              value=typed)
    assert _invalid(changed, sheet, ref) == [
        f"{label}: '{stored or typed}' di luar jangkauan angka Excel (paling besar 9,99e307, "
        "positif atau negatif); ketik angka yang sebenarnya"]


@pytest.mark.parametrize("typed", ["3_1", "1e3", "12 orang", "NaN", "1 234", "１２"])
def test_text_that_is_not_a_number_by_the_rule_is_invalid(
        tmp_path: Path, cells: dict[str, Place], typed: str) -> None:
    filled, sheet, ref, label = cells["bulat"]
    changed = mutate.set_cell(filled, tmp_path / "x.xlsx", sheet, ref, value=typed)
    assert _invalid(changed, sheet, ref) == [
        f"{label}: '{typed}' bukan angka; ketik angka tanpa satuan (contoh 1234 atau 1234,5)"]


def test_a_number_typed_as_text_is_read_by_the_rule_and_reported(
        tmp_path: Path, cells: dict[str, Place]) -> None:
    filled, sheet, ref, label = cells["desimal"]
    changed = mutate.set_cell(filled, tmp_path / "x.xlsx", sheet, ref, value="1.234,5")
    assert _invalid(changed, sheet, ref) == [
        f"{label}: '1.234,5' tersimpan sebagai teks, bukan angka; hapus isinya lalu ketik "
        "ulang 1234,5 sebagai angka"]


@pytest.mark.parametrize(("text", "number"), [
    ("1.234,5", 1234.5), ("1234,5", 1234.5), ("1234.5", 1234.5), ("1.234", 1234.0),
    ("1.234.567", 1234567.0), ("-1.234,50", -1234.5), ("12", 12.0), (" 7,25 ", 7.25),
    ("3_1", None), ("1e3", None), ("12 orang", None), ("1 234", None), ("1,234,5", None),
    ("NaN", None), ("Infinity", None), ("٣", None), ("9" * 400, None)])
def test_the_one_indonesian_rule_for_numbers_typed_as_text(text: str,
                                                           number: float | None) -> None:
    assert parse_text(text) == number


def test_a_file_stores_numbers_as_xml_numbers_within_excel_range() -> None:
    assert [parse_stored(t) for t in ("12", "-1.5E-3", "9.99999999999999E+307", ".5")] == [
        12.0, -0.0015, 9.99999999999999e307, 0.5]
    assert [parse_stored(t) for t in ("NaN", "INF", "-inf", "1E+400", "1.5E+308", "3_1",
                                      "0x10", "")] == [None] * 8


def test_check_json_is_strict_json(tmp_path: Path, cells: dict[str, Place]) -> None:
    filled, sheet, ref, _ = cells["desimal"]
    changed = mutate.set_cell(filled, tmp_path / "nan.xlsx", sheet, ref, number_text="NaN")
    done = iki("check", "--json", str(changed))
    assert done.returncode == 1, done.stderr

    def refuse(name: str) -> Any:
        raise AssertionError(f"not JSON: {name}")

    (report,) = json.loads(done.stdout, parse_constant=refuse)
    assert {"code": "invalid-input", "found": "NaN"}.items() <= next(
        f for f in report["findings"] if f["cell"] == ref).items()
    assert strict_json({"a": [math.nan, math.inf, -math.inf, 1.5]}) == (
        '{"a": ["nan", "inf", "-inf", 1.5]}')


@pytest.mark.parametrize(("raw", "value"), [
    (None, None), (math.nan, None), (pd.NA, None), (math.inf, None), (12, 12.0), (1.5, 1.5),
    (True, True), ("teks", "teks"), (b"teks", "teks")])
def test_one_decoder_for_every_stored_value(raw: Any, value: Any) -> None:
    assert from_store(raw) == value


@pytest.mark.parametrize(("raw", "value"), [
    (None, None), (math.nan, None), ('"Ya"', "Ya"), ("12", 12.0), ("1.5", 1.5), ("true", True),
    ("null", None), ("NaN", None), ("Infinity", None), ('"=1+1"', "=1+1"), ("bukan json",
                                                                          "bukan json")])
def test_one_decoder_for_stored_cell_values(raw: Any, value: Any) -> None:
    assert from_store(raw, encoded=True) == value


def test_a_value_that_is_no_number_is_stored_as_null() -> None:
    assert [as_text(v) for v in (math.nan, math.inf, 1.5, "Ya", None)] == [
        None, None, "1.5", '"Ya"', None]
