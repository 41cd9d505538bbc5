"""The blueprint's rules between the variables of an indicator, checked per period."""

from __future__ import annotations

import re

from iki_xlsx.blueprint.expression import evaluate as evaluate_expression
from iki_xlsx.blueprint.model import Blueprint, Indikator, Jenis, Tipe, indicators
from iki_xlsx.check.result import TOLERANCE, FileResult, add
from iki_xlsx.check.values import PlanCells
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook.read import SheetData


def check_rules(result: FileResult, plan: WorkbookPlan, bp: Blueprint,
                 located: dict[str, SheetData], numbers: dict[str, float]) -> None:
    refs = PlanCells.of(plan).by_key
    for ind, period, keys, constants, rules in _rule_steps(bp, len(plan.periods)):
        values = {v: numbers[key] for v, key in keys.items() if key in numbers}
        for left, op, right, pesan, anchor in rules:
            try:
                a = evaluate_expression(left, {**values, **constants})
                b = evaluate_expression(right, {**values, **constants})
            except (KeyError, ZeroDivisionError):
                continue
            if not _holds(a, op, b):
                code, cell = refs[keys[anchor]]
                add(result, _violated(ind, pesan, plan.periods[period - 1]),
                    sheet=located[code].name, cell=cell.ref,
                    expected=f"{left} {op} {right}", found=f"{a:g} {op} {b:g}")


_Step = tuple[Indikator, int, dict[str, str], dict[str, float],
              list[tuple[str, str, str, str | None, str]]]
_STEPS: dict[tuple[int, int], tuple[Blueprint, list[_Step]]] = {}  # by id, the blueprint held


def _rule_steps(bp: Blueprint, periods: int) -> list[_Step]:
    """Per indicator and period: its variables' input keys, its constants and its rules;
    made once per blueprint and number of periods."""
    known = _STEPS.get((id(bp), periods))
    if known is not None and known[0] is bp:
        return known[1]
    if len(_STEPS) >= 16:
        _STEPS.pop(next(iter(_STEPS)))
    steps: list[_Step] = []
    for jab, ind in indicators(bp):
        scope = jab.id if jab else "iku"
        constants = ind.constants(1 / periods)  # a rule holds in each period
        rules = _rules(ind)
        if not rules:
            continue
        for p in range(1, periods + 1):
            keys = {v.id: str(PlanKey.input(scope, ind.id, v.id, p)) for v in ind.variabel}
            steps.append((ind, p, keys, constants, rules))
    _STEPS[(id(bp), periods)] = (bp, steps)
    return steps


def _violated(ind: Indikator, pesan: str | None, periode: str) -> Message:
    """What a broken rule says: the blueprint's own `pesan`, or (None) the ratio's."""
    if pesan is not None:
        return Code.RULE_VIOLATED.message(pesan=pesan, periode=periode)
    assert ind.pembilang is not None and ind.penyebut is not None
    return Code.RULE_VIOLATED.message("ratio", pembilang=ind.variable(ind.pembilang).label,
                                      penyebut=ind.variable(ind.penyebut).label,
                                      periode=periode)


def _rules(ind: Indikator) -> list[tuple[str, str, str, str | None, str]]:
    """(left, operator, right, the blueprint's message or None for the ratio, anchor)."""
    rules: list[tuple[str, str, str, str | None, str]] = []
    if ind.jenis is Jenis.PERSENTASE and ind.pembilang and ind.penyebut:
        rules.append((ind.pembilang, "<=", ind.penyebut, None, ind.pembilang))
    for rule in ind.aturan:
        names = [v.id for v in ind.variabel if re.search(rf"\b{v.id}\b", rule.kiri)]
        anchor = names[0] if names else ind.variabel[0].id
        rules.append((rule.kiri, rule.operator, rule.kanan, rule.pesan, anchor))
    return [r for r in rules if all(v.tipe is not Tipe.YA_TIDAK for v in ind.variabel)]


def _holds(a: float, op: str, b: float) -> bool:
    eps = TOLERANCE * max(1.0, abs(a), abs(b))
    return {"<=": a <= b + eps, "<": a < b, ">=": a >= b - eps, ">": a > b,
            "=": abs(a - b) <= eps, "<>": abs(a - b) > eps}[op]
