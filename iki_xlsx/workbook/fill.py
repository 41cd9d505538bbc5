"""Plausible, reproducible sample inputs for a workbook plan (samples, demo, tests)."""

from __future__ import annotations

import random
import zlib

from iki_xlsx.blueprint import expression
from iki_xlsx.blueprint.model import Blueprint, Indikator, Jenis, Tipe, Variabel, indicators
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook.evaluate import CellKey, Value


def sample_inputs(bp: Blueprint, plan: WorkbookPlan, seed: int = 0) -> dict[CellKey, Value]:
    """Values for every input cell of the plan, respecting bounds, ratios and rules."""
    rng = random.Random(zlib.crc32(f"{plan.unit.kode}:{plan.periode}:{seed}".encode()))
    by_key = {cell.key: (sheet.code, cell.ref) for sheet, cell in plan.input_cells()}
    # the unit rows of each indicator: "" for its own row, a kode for a row per kelurahan
    suffixes: dict[str, set[str]] = {}
    for parsed in map(PlanKey.parse, by_key):
        if parsed.period is not None:
            suffixes.setdefault(parsed.base, set()).add(parsed.unit or "")
    values: dict[CellKey, Value] = {}
    for jab, ind in indicators(bp):
        scope = jab.id if jab else "iku"
        for suffix in sorted(suffixes.get(f"{scope}/{ind.id}", ())):
            for p in range(1, len(plan.periods) + 1):
                row = _indicator_values(ind, rng, 1 / len(plan.periods))
                for var_id, value in row.items():
                    key = str(PlanKey.input(scope, ind.id, var_id, p, suffix or None))
                    if key in by_key:
                        values[by_key[key]] = value
        target_key = str(PlanKey.target(scope, ind.id))
        if target_key in by_key:
            values[by_key[target_key]] = _target(ind, rng, len(plan.periods))
    return values


def _indicator_values(ind: Indikator, rng: random.Random, share: float) -> dict[str, Value]:
    for _ in range(200):
        row = _draw(ind, rng)
        if _rules_hold(ind, row, share):
            return row
    return {v.id: None for v in ind.variabel}


def _draw(ind: Indikator, rng: random.Random) -> dict[str, Value]:
    if ind.jenis is Jenis.PERSENTASE:
        assert ind.pembilang and ind.penyebut
        den_var = ind.variable(ind.penyebut)
        den = _number(den_var, rng, 8, 60)
        assert isinstance(den, int | float)
        num = _scaled(ind.variable(ind.pembilang), den * rng.uniform(0.6, 1.0))
        return {ind.penyebut: den, ind.pembilang: num}
    if ind.jenis is Jenis.DAFTAR_PERIKSA:
        return {v.id: ("Ya" if rng.random() < 0.85 else "Tidak") for v in ind.variabel}
    if ind.jenis in (Jenis.NILAI, Jenis.AMBANG):
        var = ind.variabel[0]
        low, high = var.bounds
        low = max(low or 0, 60.0)
        high = min(high if high is not None else 100.0, 98.0)
        return {var.id: round(rng.uniform(low, high), 2)}
    if ind.jenis is Jenis.RUMUS:
        return {v.id: _rumus_value(v, rng) for v in ind.variabel}
    return {v.id: _number(v, rng, 1, 30) for v in ind.variabel}


def _rumus_value(var: Variabel, rng: random.Random) -> Value:
    name = var.id
    if "hari_kerja" in name:
        return 60
    if "tidak_masuk" in name or "absen" in name:
        return _number(var, rng, 0, 40)
    return _number(var, rng, 10, 40)


def _number(var: Variabel, rng: random.Random, low: float, high: float) -> Value:
    if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN):
        return rng.choice(var.choices)
    lo, hi = var.bounds
    low = max(low, lo if lo is not None else low)
    high = min(high, hi if hi is not None else high)
    high = max(high, low)
    if var.tipe is Tipe.BULAT:
        return rng.randint(int(low), int(high))
    return round(rng.uniform(low, high), 2)


def _scaled(var: Variabel, value: float) -> Value:
    return int(value) if var.tipe is Tipe.BULAT else round(value, 2)


def _rules_hold(ind: Indikator, row: dict[str, Value], share: float) -> bool:
    numbers = {k: float(v) for k, v in row.items() if isinstance(v, int | float)}
    numbers.update(ind.constants(share))
    for rule in ind.aturan:
        try:
            left = expression.evaluate(rule.kiri, numbers)
            right = expression.evaluate(rule.kanan, numbers)
        except (KeyError, ZeroDivisionError):
            return False
        if not _compare(left, rule.operator, right):
            return False
    return True


def _compare(left: float, operator: str, right: float) -> bool:
    return {
        "<=": left <= right, "<": left < right, ">=": left >= right, ">": left > right,
        "=": abs(left - right) < 1e-9, "<>": abs(left - right) >= 1e-9,
    }[operator]


def _target(ind: Indikator, rng: random.Random, periods: int) -> Value:
    if ind.satuan.strip() == "%":
        return 100
    return rng.randint(12, 20) * periods  # near what the sample counts add up to
