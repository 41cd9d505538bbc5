"""The kecamatan's figures of every indicator up to a period, as the recap computes them.

The documents of the performance year (the quarter's measurement, the LKjIP tables, the SKP
export) need the kecamatan's target, realisasi and capaian to the end of a period. They are
taken from the recap's own plan, built from the values returned up to that period and
evaluated by the same engine, so a document and the recap never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from iki_xlsx.blueprint.model import Blueprint, Indikator, Jabatan, Pengisi, indicators
from iki_xlsx.intake.status import status
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import Cell
from iki_xlsx.rekap.build import gather
from iki_xlsx.rekap.jabatan import row_key
from iki_xlsx.rekap.layout import plan_rekap
from iki_xlsx.rekap.source import KECAMATAN, Entry
from iki_xlsx.store.db import Store
from iki_xlsx.targets.model import TargetChoice, TargetVersion, choose, key_of
from iki_xlsx.workbook.evaluate import Batch, CellKey, Value, formula_order

PARTS = ("target", "realisasi", "capaian", "predikat")  # a kecamatan row's figures


@dataclass(frozen=True)
class KecamatanFigure:
    """One indicator's kecamatan figures to the end of a period (None: blank in the recap),
    and whether any return holds a value of that period itself."""

    target: float | None
    realisasi: float | None
    capaian: float | None
    predikat: str | None
    reported: bool


@dataclass(frozen=True)
class PeriodFigures:
    """Every indicator's figures (by stable key) to the end of `period`, and the targets they
    were measured against."""

    period: int
    figures: dict[str, KecamatanFigure]
    targets: TargetChoice


def kecamatan_figures(store: Store, bp: Blueprint, periode: int, period: int,
                      targets: Sequence[TargetVersion] = ()) -> PeriodFigures | None:
    """The kecamatan's figures of `bp` in year `periode` to the end of `period` (1-based),
    from the accepted returns, measured against the version in force at the end of that
    period (the blueprint's targets without one); None when the store holds nothing of that
    blueprint and year."""
    found = next((p for p in status(store).periods
                  if (p.blueprint, p.periode) == (bp.id, periode)), None)
    if found is None:
        return None
    source, _ = gather(store, bp, found, named=False)
    kept = [e for e in source.entries if _period_of(e) is None or (_period_of(e) or 0) <= period]
    choice = choose(targets, bp, periode, period)
    source = replace(source, entries=kept,
                     targets=choice if choice.version is not None else None)
    plan, inputs = plan_rekap(source)
    rows = {key_of(jab, ind): (f"J-{jab.id}" if jab else "IKU",
                               row_key(jab.id if jab else "iku", ind.id, KECAMATAN))
            for jab, ind in indicators(bp)}
    by_key = {code: plan.sheet(code).cells_by_key() for code, _ in rows.values()}
    planned = {(code, cell(part)): by_key[code][cell(part)]
               for code, cell in rows.values() for part in PARTS}
    # only the kecamatan rows' figures are computed, and the cells they read: a third to a
    # half of the recap's formulas (its other rows, sheets and totals are not read here)
    wanted = [(code, c.ref) for (code, _), c in planned.items() if c.formula is not None]
    values = Batch(plan, formula_order(plan, wanted)).evaluate([inputs])[0]
    reported = {_base(e) for e in kept if _period_of(e) == period and e.value not in (None, "")}
    figures: dict[str, KecamatanFigure] = {}
    for key, (code, cell) in rows.items():
        shown = {part: _shown(planned[(code, cell(part))], values, code) for part in PARTS}
        figures[key] = KecamatanFigure(_number(shown["target"]), _number(shown["realisasi"]),
                                       _number(shown["capaian"]), _text(shown["predikat"]),
                                       key in reported)
    return PeriodFigures(period, figures, choice)


def _shown(planned: Cell, values: Mapping[CellKey, Value], code: str) -> Value:
    """What a cell of the recap (on sheet `code`) shows: its computed value, or a plain
    cell's value."""
    if planned.formula is None:
        return planned.value
    return values.get((code, planned.ref))


def _period_of(entry: Entry) -> int | None:
    key = PlanKey.try_parse(entry.key)
    return None if key is None else key.period


def _base(entry: Entry) -> str:
    key = PlanKey.try_parse(entry.key)
    return "" if key is None else f"{key.scope}/{key.indikator}"


def _number(value: Value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(value: Value) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class UnitFigure:
    """One indicator row of a unit's return in the recap: the indicator's stable key, the
    unit the row is about (itself, or the kelurahan a value the office keeps per unit is
    about) and its realisasi to the end of the period compared (None: blank)."""

    key: str
    row_unit: str
    realisasi: float | None


def unit_figures(store: Store, bp: Blueprint, periode: int,
                 reach: Mapping[str, int] | None = None
                 ) -> tuple[dict[str, list[UnitFigure]], dict[str, int]]:
    """Each unit's realisasi per indicator row, as the recap computes it from the values that
    count (a closed period's approved ones), each unit's values cut at the end of its `reach`
    (the unit's kode -> a period; absent: every period); and how far each unit's values
    reach (the last period with a value). Units by kode, the office as `kecamatan`."""
    found = next((p for p in status(store).periods
                  if (p.blueprint, p.periode) == (bp.id, periode)), None)
    if found is None:
        return {}, {}
    source, _ = gather(store, bp, found, named=False)
    reached: dict[str, int] = {}
    for e in source.entries:
        if e.value not in (None, "") and (period := _period_of(e)) is not None:
            reached[e.unit_kode] = max(reached.get(e.unit_kode, 0), period)
    limits = reach or {}
    kept = [e for e in source.entries
            if e.unit_kode not in limits or (_period_of(e) or 0) <= limits[e.unit_kode]]
    plan, inputs = plan_rekap(replace(source, entries=kept))
    values = Batch(plan).evaluate([inputs])[0]
    office = next((u.unit.kode for u in source.units if u.unit.kantor), KECAMATAN)
    kelurahan = [u.unit.kode for u in source.units if u.on_list and not u.unit.kantor]
    rows: dict[str, list[UnitFigure]] = {}
    for jab, ind in indicators(bp):
        code = f"J-{jab.id}" if jab else "IKU"
        block = _Block(code, {c.key: c for c in plan.sheet(code).cells}, values,
                       row_key_of(jab, ind))
        key = key_of(jab, ind)
        if ind.pengisi is Pengisi.KELURAHAN:
            for kode in kelurahan:
                if block.has(kode):
                    rows.setdefault(kode, []).append(UnitFigure(key, kode, block.realisasi(kode)))
            continue
        about = [kode for kode in kelurahan if block.has(kode)] or \
            ([KECAMATAN] if block.has(KECAMATAN) else [])
        rows.setdefault(office, []).extend(
            UnitFigure(key, office if kode == KECAMATAN else kode, block.realisasi(kode))
            for kode in about)
    return rows, reached


def row_key_of(jab: Jabatan | None, ind: Indikator) -> Callable[[str], str]:
    """The key of an indicator block's realisasi in the row of a unit (by kode)."""
    return lambda unit: row_key(jab.id if jab else "iku", ind.id, unit)("realisasi")


@dataclass(frozen=True)
class _Block:
    """An indicator block of a computed recap sheet, read row by row."""

    code: str
    cells: Mapping[str, Cell]
    values: Mapping[CellKey, Value]
    realisasi_key: Callable[[str], str]

    def has(self, unit: str) -> bool:
        return self.realisasi_key(unit) in self.cells

    def realisasi(self, unit: str) -> float | None:
        found = self.cells[self.realisasi_key(unit)]
        return _number(self.values.get((self.code, found.ref)) if found.formula is not None
                       else found.value)
