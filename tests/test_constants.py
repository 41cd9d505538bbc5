"""A constant stated per year (`per: tahun`): scaled to a period's share of the year in a
period column, the year's value in the annual column, so the attendance rate of 002 is the
same whether typed quarter by quarter or for the year at once."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex, check_file
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.workbook.generate import recipients, write_filled
from tests.conftest import BLUEPRINTS

RATE = "kehadiran-pns"
UNITS = [Unit("01", "Desa Satu")]


def _blueprint(path: Path) -> Blueprint:
    loaded = load_blueprint(path)
    assert loaded.blueprint is not None, [f.one_line() for f in loaded.findings]
    return loaded.blueprint


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Blueprint, Blueprint]:
    """The Jabung decree by triwulan (as bundled) and the same decree for the year at once."""
    folder = tmp_path_factory.mktemp("konstanta")
    text = (BLUEPRINTS / "iki-kecamatan-jabung.yaml").read_text(encoding="utf-8")
    assert "\npembagian: triwulan\n" in text
    yearly = folder / "tahunan.yaml"
    yearly.write_text(text.replace("\npembagian: triwulan\n", "\npembagian: tahunan\n"),
                      encoding="utf-8")
    return _blueprint(BLUEPRINTS / "iki-kecamatan-jabung.yaml"), _blueprint(yearly)


def _rate(bp: Blueprint, folder: Path, absent: list[int], staff: int) -> dict[str, float]:
    """The office's workbook with `absent` days per period: the rate per period and annual."""
    everyone = recipients(bp, UNITS)
    office = everyone[-1]
    base = next(f"{j.id}/{RATE}" for j in bp.jabatan for i in j.indikator
                if i.id == RATE and "Persentase" in i.nama)
    changes: dict[str, float | str | bool | None] = {}
    for p, days in enumerate(absent, start=1):
        changes[f"{base}/pegawai/p{p}"] = staff
        changes[f"{base}/hari_tidak_masuk/p{p}"] = days
    path = write_filled(bp, office, everyone, 2026, folder / f"{bp.pembagian}.xlsx", changes)
    result = check_file(path, BlueprintIndex([bp]))
    assert result.status == "ok", [f.one_line() for f in result.findings]
    plan = plan_workbook(bp, office, 2026, everyone)
    sheet = next(s for s in plan.sheets if any(c.key == f"{base}/realisasi/tahunan"
                                               for c in s.cells))
    book = openpyxl.load_workbook(path, data_only=True)[sheet.name]
    keys = {c.key: c.ref for c in sheet.cells}
    shown = {"tahunan": book[keys[f"{base}/realisasi/tahunan"]].value}
    for p in range(1, len(absent) + 1):
        shown[f"p{p}"] = book[keys[f"{base}/realisasi/p{p}"]].value
    return shown


def test_the_annual_attendance_is_the_same_by_quarter_or_for_the_year(
        both: tuple[Blueprint, Blueprint], tmp_path: Path) -> None:
    quarterly, yearly = both
    by_quarter = _rate(quarterly, tmp_path, [5, 6, 7, 8], staff=10)
    for_year = _rate(yearly, tmp_path, [26], staff=10)
    annual = (10 * 240 - 26) / (10 * 240) * 100
    assert by_quarter["tahunan"] == pytest.approx(annual)
    assert for_year["tahunan"] == pytest.approx(annual)
    assert for_year["p1"] == pytest.approx(annual)
    # a quarter is measured against its own 60 days, not the year's 240
    assert by_quarter["p1"] == pytest.approx((10 * 60 - 5) / (10 * 60) * 100)
    assert by_quarter["p4"] == pytest.approx((10 * 60 - 8) / (10 * 60) * 100)


def test_a_quarter_may_not_count_more_absence_than_its_own_days(
        both: tuple[Blueprint, Blueprint], tmp_path: Path) -> None:
    """The blueprint's rule (absence <= staff x working days) uses the quarter's 60 days."""
    quarterly, _ = both
    everyone = recipients(quarterly, UNITS)
    base = next(f"{j.id}/{RATE}" for j in quarterly.jabatan for i in j.indikator
                if i.id == RATE and "Persentase" in i.nama)
    path = write_filled(quarterly, everyone[-1], everyone, 2026, tmp_path / "lebih.xlsx",
                        {f"{base}/pegawai/p1": 2, f"{base}/hari_tidak_masuk/p1": 121})
    result = check_file(path, BlueprintIndex([quarterly]))
    violated = [f for f in result.findings if f.code == "rule-violated"]
    assert [f.found for f in violated if "TW I)" in f.message] == ["121 <= 120"]
