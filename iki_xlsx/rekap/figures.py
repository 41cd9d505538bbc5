"""The kecamatan's figures of every indicator up to a period, as the recap computes them.

The documents of the performance year (the quarter's measurement, the LKjIP tables, the SKP
export) need the kecamatan's target, realisasi and capaian to the end of a period. They are
taken from the recap's own plan, built from the values returned up to that period and
evaluated by the same engine, so a document and the recap never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from iki_xlsx.blueprint.model import Blueprint, indicators
from iki_xlsx.intake.status import status
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.rekap.build import gather
from iki_xlsx.rekap.jabatan import row_key
from iki_xlsx.rekap.layout import plan_rekap
from iki_xlsx.rekap.source import KECAMATAN, Entry
from iki_xlsx.store.db import Store
from iki_xlsx.targets.model import TargetChoice, TargetVersion, choose, key_of
from iki_xlsx.workbook.evaluate import Batch, CellKey, Value


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
    values = Batch(plan).evaluate([inputs])[0]
    reported = {_base(e) for e in kept if _period_of(e) == period and e.value not in (None, "")}
    figures: dict[str, KecamatanFigure] = {}
    for jab, ind in indicators(bp):
        code = f"J-{jab.id}" if jab else "IKU"
        cell = row_key(jab.id if jab else "iku", ind.id, KECAMATAN)
        shown = {part: _shown(plan, values, code, cell(part))
                 for part in ("target", "realisasi", "capaian", "predikat")}
        key = key_of(jab, ind)
        figures[key] = KecamatanFigure(_number(shown["target"]), _number(shown["realisasi"]),
                                       _number(shown["capaian"]), _text(shown["predikat"]),
                                       key in reported)
    return PeriodFigures(period, figures, choice)


def _shown(plan: WorkbookPlan, values: Mapping[CellKey, Value], code: str, key: str) -> Value:
    """What a cell of the recap shows: its computed value, or a plain cell's value."""
    planned = plan.sheet(code).cell(key)
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
