"""The words on the clerk's sheet: a yearly decree names its one input and its result once
each, a label carries its unit once, the header shows no internal source id, and the prompt of
a period's input says it is due only once that period is reported."""

from __future__ import annotations

from pathlib import Path

from iki_xlsx.blueprint.load import load_blueprint_text
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.columns import HEADER_ROW
from iki_xlsx.plan.model import SheetPlan, WorkbookPlan
from iki_xlsx.workbook.generate import generate, recipients

from .conftest import PER_UNIT_YAML
from .xlsxgeometry import read_geometry

UNITS = [Unit("01", "Kelurahan Satu"), Unit("02", "Kelurahan Dua")]


def texts(plan: WorkbookPlan) -> list[str]:
    return [str(c.value) for s in plan.sheets for c in s.cells if isinstance(c.value, str)]


def jabatan_sheets(plan: WorkbookPlan) -> list[SheetPlan]:
    return [s for s in plan.sheets if s.kind in ("jabatan", "iku")]


def header(sheet: SheetPlan) -> list[str]:
    row = [c for c in sheet.cells if c.key.startswith("kepala/")]
    assert all(c.ref.endswith(str(HEADER_ROW + 1)) for c in row)
    return [str(c.value) for c in row]


def test_a_yearly_decree_names_its_input_and_its_result_once() -> None:
    yearly = load_blueprint_text(PER_UNIT_YAML.replace("nama: Contoh\n",
                                                       "nama: Contoh\npembagian: tahunan\n"),
                                 "tahunan.yaml").blueprint
    assert yearly is not None and yearly.periods == ("Tahunan",)
    everyone = recipients(yearly, UNITS)
    plan = plan_workbook(yearly, everyone[-1], 2026, everyone)
    shown = header(jabatan_sheets(plan)[0])
    assert shown[5:7] == ["Isian 2026", "Realisasi 2026"]
    assert not any("Tahunan" in h for h in shown)
    words = "\n".join(texts(plan))
    assert "Tahun 2026 (realisasi tahunan)" in words and "per tahunan" not in words


def test_a_label_carries_its_unit_once(blueprints: dict[str, Blueprint]) -> None:
    for bp in blueprints.values():
        everyone = recipients(bp, UNITS)
        for unit in everyone:
            doubled = [t for t in texts(plan_workbook(bp, unit, 2026, everyone))
                       if "(hari orang) (hari orang)" in t]
            assert doubled == [], bp.id
    jabung = blueprints["iki-kecamatan-jabung"]
    everyone = recipients(jabung, UNITS)
    assert any(t.endswith("seluruh PNS (hari orang)") for t in texts(plan_workbook(
        jabung, everyone[-1], 2026, everyone)))


def test_the_header_shows_no_internal_source_id(blueprints: dict[str, Blueprint]) -> None:
    for bp in blueprints.values():
        everyone = recipients(bp, UNITS)
        for unit in everyone:
            plan = plan_workbook(bp, unit, 2026, everyone)
            assert not [t for t in texts(plan) if "sumber:" in t or ".txt" in t], bp.id


def test_a_period_input_is_due_once_its_period_is_reported(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    made = generate(blueprints["iku-kecamatan"], UNITS, 2026, tmp_path)
    prompts = [v.prompt for sheet in read_geometry(made.files[0]).values()
               for v in sheet.validations]
    assert any(p.endswith("Wajib diisi bila melaporkan TW I atau periode sesudahnya.")
               for p in prompts)
    assert any(p.endswith("Wajib diisi bila melaporkan TW II atau periode sesudahnya.")
               for p in prompts)
    assert any(p.endswith("Wajib diisi bila melaporkan TW IV.") for p in prompts)
    assert not any(p.endswith("Wajib diisi.") and "Target" not in p for p in prompts)
