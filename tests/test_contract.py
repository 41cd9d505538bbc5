"""The contract types every reader shares: the plan key of a cell and the manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from iki_xlsx.blueprint.load import load_blueprint_text
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.formula import sheet_prefix, unquote_sheet
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.manifest import Manifest, ManifestError
from iki_xlsx.workbook.generate import recipients
from iki_xlsx.workbook.read import read_workbook
from tests.conftest import PER_UNIT_YAML, UNITS


def test_every_key_of_every_bundled_plan_parses_back_to_itself(
        blueprints: dict[str, Blueprint]) -> None:
    per_unit = load_blueprint_text(PER_UNIT_YAML, "per-unit.yaml").blueprint
    assert per_unit is not None
    seen_unit_rows = 0
    for bp in [*blueprints.values(), per_unit]:
        everyone = recipients(bp, UNITS)
        for unit in everyone:
            plan = plan_workbook(bp, unit, 2026, everyone)
            for _, cell in plan.input_cells():
                key = PlanKey.parse(cell.key)
                assert key.format() == cell.key
                assert key.period is not None or key.is_target, cell.key
                seen_unit_rows += key.unit is not None
    assert seen_unit_rows > 0  # an office's per-kelurahan rows are among them


@pytest.mark.parametrize(("text", "expected"), [
    ("camat/ikm-75/nilai_ikm@01/p3", PlanKey("camat", "ikm-75", "nilai_ikm", "01", "p3")),
    ("iku/iku-1/target", PlanKey("iku", "iku-1", "target")),
    ("sekcam/ind/realisasi/tahunan", PlanKey("sekcam", "ind", "realisasi", None, "tahunan")),
])
def test_plan_key_parses_and_formats(text: str, expected: PlanKey) -> None:
    assert PlanKey.parse(text) == expected
    assert str(expected) == text
    assert PlanKey.input("camat", "ikm-75", "nilai_ikm", 3, "01") == PlanKey.parse(
        "camat/ikm-75/nilai_ikm@01/p3")


@pytest.mark.parametrize("text", ["kepala/3", "a/b/c/d/e", "a//c", "a/b/@x/p1", "a/b/c@/p1"])
def test_what_is_not_a_plan_key_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        PlanKey.parse(text)
    assert PlanKey.try_parse(text) is None


def test_manifest_read_from_a_generated_file_is_the_plan_s(
        generated: dict[tuple[str, bool], list[Path]], blueprints: dict[str, Blueprint]) -> None:
    path = generated[("iki-kecamatan-kota", False)][0]
    data = read_workbook(path).manifest
    manifest = Manifest.from_dict(data)
    assert manifest.to_dict() == data  # the JSON form is exactly what was written
    bp = blueprints["iki-kecamatan-kota"]
    everyone = recipients(bp, UNITS)
    unit = next(u for u in everyone if u.kode == manifest.unit.kode)
    assert manifest == Manifest.of_plan(plan_workbook(bp, unit, 2026, everyone))


@pytest.mark.parametrize("broken", [
    {}, {"blueprint": {"id": "x"}}, "not a mapping",
    {"blueprint": {"id": "a", "versi": "1", "hash": "h"}, "kantor": "K", "periode": "dua",
     "unit": {"kode": "01", "nama": "Satu", "kantor": False}, "units": []},
])
def test_a_malformed_manifest_is_a_manifest_error(broken: object) -> None:
    with pytest.raises(ManifestError):
        Manifest.from_dict(broken)


@pytest.mark.parametrize("name", ["Data", "Camat (1)", "It's", "''"])
def test_a_sheet_name_survives_quoting_for_a_formula(name: str) -> None:
    written = sheet_prefix(name)
    assert written.startswith("'") and written.endswith("'!")
    assert unquote_sheet(written.removesuffix("!")) == name
