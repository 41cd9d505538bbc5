"""Capaian stays within [0, batas] for both polarities and a zero target; a predikat between
two integer bands follows the scale's `min` rule (blueprints/README.md, "Targets and capaian")."""

from __future__ import annotations

from typing import Any

import pytest

from iki_xlsx.blueprint.model import Tingkat
from iki_xlsx.plan.formula import capaian, scale
from iki_xlsx.workbook.evaluate import evaluate_formula

ONE = ((1, 1),)


def _capaian(realisasi: float, target: float, lower: bool, cap: float | None) -> Any:
    values = {"A1": realisasi, "B1": target}
    return evaluate_formula(capaian("A1", "B1", lower, cap), lambda ref: [values[ref]],
                            ONE * 2)


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("cap", [None, 120.0])
@pytest.mark.parametrize("target", [0.0, 10.0, 100.0])
@pytest.mark.parametrize("realisasi", [0.0, 5.0, 10.0, 2041.0, 1e12])
def test_capaian_stays_between_zero_and_the_limit(realisasi: float, target: float, lower: bool,
                                                  cap: float | None) -> None:
    shown = _capaian(realisasi, target, lower, cap)
    if target == 0:
        expected: Any = (100.0 if realisasi == 0 else 0.0) if lower else ""
    else:
        raw = (2 * target - realisasi) / target * 100 if lower else realisasi / target * 100
        expected = min(max(raw, 0.0), cap) if cap is not None else max(raw, 0.0)
    assert shown == (pytest.approx(expected) if expected != "" else "")
    if shown != "":
        assert 0 <= float(shown) <= (cap if cap is not None else float("inf"))


def test_the_issue_case_a_decreasing_count_against_the_decree_target_is_zero_not_negative(
        ) -> None:
    # target 10 (turun), the desa's realisasi adding up to 2,041: (20 - 2041) / 10 < 0
    assert _capaian(2041.0, 10.0, True, None) == 0


DECREE_SCALE = [Tingkat(min=91, label="Sangat Baik"), Tingkat(min=76, label="Baik"),
                Tingkat(min=66, label="Cukup"), Tingkat(min=51, label="Kurang"),
                Tingkat(min=0, label="Sangat Kurang")]


@pytest.mark.parametrize(("value", "label"), [
    (90.5, "Baik"), (90.99, "Baik"), (91.0, "Sangat Baik"), (75.5, "Cukup"), (76.0, "Baik"),
    (0.0, "Sangat Kurang")])
def test_a_value_between_two_integer_bands_falls_in_the_lower_one(value: float,
                                                                 label: str) -> None:
    shown = evaluate_formula(scale("A1", DECREE_SCALE), lambda _: [value], ONE)
    assert shown == label


def test_a_lower_edge_written_below_the_integer_rounds_up() -> None:
    steps = [Tingkat(min=90.01, label="Sangat Baik"), Tingkat(min=0, label="Baik")]
    assert evaluate_formula(scale("A1", steps), lambda _: [90.5], ONE) == "Sangat Baik"
