"""Last year's value beside this year's, for the person who verifies a return.

For each unit, each indicator row of its return: its realisasi to the end of the period its
return reaches this year, and the same unit's realisasi of last year to the end of the same
period (matched by the indicator's stable key, `jabatan-id/indikator-id`). A change larger
than the indicator's `batas_perubahan` (the blueprint's, in percent of last year's value;
50 by default) is flagged for the verifier's attention, as is a value that was 0 last year and
is not now. Where last year has no value (a new unit, a new indicator, no returns), nothing is
compared and nothing flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iki_xlsx.blueprint.model import Blueprint, Indikator, Jabatan
from iki_xlsx.intake.status import status
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.rekap.figures import UnitFigure, unit_figures
from iki_xlsx.store.db import Store
from iki_xlsx.targets.model import indicator_keys
from iki_xlsx.years.figures import registered_blueprint

DEFAULT_LIMIT = 50.0  # percent of last year's value


@dataclass(frozen=True)
class YearChange:
    """One indicator row of a unit's return, this year beside last year."""

    key: str  # the indicator's stable key
    row_unit: str  # the unit the row is about (the unit, or a kelurahan an office row is about)
    jabatan: Jabatan | None
    indikator: Indikator
    this_year: float | None
    last_year: float | None
    limit: float  # percent

    @property
    def change(self) -> float | None:
        """The change from last year's value, in percent of it (None: not comparable)."""
        if self.this_year is None or self.last_year is None or self.last_year == 0:
            return None
        return (self.this_year - self.last_year) / abs(self.last_year) * 100

    @property
    def flagged(self) -> bool:
        if self.this_year is None or self.last_year is None:
            return False
        if self.last_year == 0:
            return self.this_year != 0
        change = self.change
        return change is not None and abs(change) > self.limit + 1e-9


@dataclass
class UnitChanges:
    """A unit's return this year beside last year, to the end of `period` (1-based)."""

    unit_kode: str
    period: int
    rows: list[YearChange] = field(default_factory=list)

    @property
    def flagged(self) -> list[YearChange]:
        return [row for row in self.rows if row.flagged]


@dataclass
class YearChanges:
    """Every unit's changes for one blueprint's year; `last_known` whether last year has
    returns to compare with."""

    blueprint: Blueprint
    periode: int
    last_known: bool
    units: dict[str, UnitChanges] = field(default_factory=dict)


def year_changes(store: Store, index: BlueprintIndex, bp_id: str, periode: int
                 ) -> YearChanges:
    """This year's returns of the blueprint beside last year's, unit by unit."""
    this_bp = registered_blueprint(store, index, bp_id, periode) or index.by_id[bp_id]
    this_year, reached = unit_figures(store, this_bp, periode)
    last_bp = _last_year_blueprint(store, index, bp_id, periode - 1)
    last_year: dict[str, list[UnitFigure]] = {}
    if last_bp is not None:
        last_year, _ = unit_figures(store, last_bp, periode - 1, reached)
    result = YearChanges(this_bp, periode, bool(last_year))
    keys = indicator_keys(this_bp)
    for unit, figures in this_year.items():
        before = {(f.key, f.row_unit): f.realisasi for f in last_year.get(unit, [])}
        changes = UnitChanges(unit, reached.get(unit, 0))
        for figure in figures:
            jab, ind = keys[figure.key]
            changes.rows.append(YearChange(
                figure.key, figure.row_unit, jab, ind, figure.realisasi,
                before.get((figure.key, figure.row_unit)),
                ind.batas_perubahan if ind.batas_perubahan is not None else DEFAULT_LIMIT))
        result.units[unit] = changes
    return result


def _last_year_blueprint(store: Store, index: BlueprintIndex, bp_id: str, tahun: int
                         ) -> Blueprint | None:
    """The blueprint last year's returns were made from: the version generated that year,
    else the current one when the store holds returns of that year."""
    registered = registered_blueprint(store, index, bp_id, tahun)
    if registered is not None:
        return registered
    held = any((p.blueprint, p.periode) == (bp_id, tahun) for p in status(store).periods)
    return index.by_id.get(bp_id) if held else None
