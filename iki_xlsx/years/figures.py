"""A year's kecamatan figures, and two years side by side.

A year's figure of an indicator to the end of a period comes from the accepted returns in the
store when some return holds a value of that period, and otherwise from the figures the office
typed for that year (`impor-realisasi`), each marked with where it came from. Its target is the
office's target version in force at the end of the period; without one, the target the office
typed with last year's figures; without that, the recap's (the decree's, or the units' own).

Indicators are matched across years by their stable keys (`jabatan-id/indikator-id`): an
indicator of this year that last year did not have is new, one of last year that this year
dropped is dropped; neither shows as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from iki_xlsx.blueprint.model import Blueprint, Indikator, Jabatan
from iki_xlsx.core.dates import DEFAULT_ZONE
from iki_xlsx.plan.index import BlueprintIndex, blueprint_from_model
from iki_xlsx.rekap.figures import KecamatanFigure, kecamatan_figures
from iki_xlsx.store.db import Store
from iki_xlsx.targets.archive import versions as recorded_versions
from iki_xlsx.targets.model import TargetChoice, TargetVersion, choose, indicator_keys
from iki_xlsx.years.impor import RealisasiImport, latest_import


class Source(StrEnum):
    """Where a figure came from."""

    RETURNS = "workbook"  # the accepted returns in the store
    TYPED = "impor"  # typed by the office (impor-realisasi)
    NONE = ""  # no figure


class Presence(StrEnum):
    """An indicator across two years."""

    BOTH = "tetap"
    NEW = "baru"  # this year only
    DROPPED = "dihapus"  # last year only


@dataclass(frozen=True)
class Figure:
    """One indicator's kecamatan target and realisasi to the end of a period, and their
    sources."""

    target: float | None
    realisasi: float | None
    source: Source
    target_source: str  # "versi target", "diketik kantor", "keputusan/unit", ""


@dataclass(frozen=True)
class Row:
    """An indicator of a year: its jabatan (None: the IKU table) and its definition."""

    key: str
    jabatan: Jabatan | None
    indikator: Indikator


@dataclass
class YearFigures:
    """Every indicator of one blueprint's year, its figures to the end of `period`."""

    blueprint: Blueprint  # the version the year's workbooks were made from (or the current)
    tahun: int
    period: int
    rows: list[Row]
    figures: dict[str, Figure]
    targets: TargetChoice
    typed: RealisasiImport | None = None
    returned: bool = False  # the store holds returns of the year
    registered: bool = False  # the office generated this blueprint for the year
    persetujuan: str = ""  # whether the year is approved (closed), by whom and when

    @property
    def known(self) -> bool:
        """Whether anything is known of the year's indicators: workbooks generated or
        returned, or figures typed (else no indicator can be said new against it)."""
        return self.registered or self.returned or self.typed is not None


def registered_blueprint(store: Store, index: BlueprintIndex, bp_id: str,
                         tahun: int) -> Blueprint | None:
    """The blueprint version the office last generated workbooks from for the year (None:
    it generated none)."""
    if not store.exists():
        return None
    hashes = [g.blueprint_hash for g in store.registered()
              if g.blueprint == bp_id and g.periode == tahun]
    if not hashes:
        return None
    found = index.version(bp_id, hashes[-1])
    if found is not None:
        return found
    archived = {a.hash: a.model for a in store.archived_blueprints()}
    return blueprint_from_model(archived[hashes[-1]]) if hashes[-1] in archived else None


def year_figures(store: Store, index: BlueprintIndex, bp_id: str, tahun: int,
                 period: int | None = None, versions: Sequence[TargetVersion] | None = None,
                 zona: str = DEFAULT_ZONE) -> YearFigures:
    """The year's figures to the end of `period` (the whole year when None), and whether the
    year is approved (in the office's time `zona`)."""
    current = index.by_id[bp_id]
    registered = registered_blueprint(store, index, bp_id, tahun)
    bp = registered or current
    last = len(bp.periods)
    period = last if period is None else min(max(period, 1), last)
    mine = [v for v in (recorded_versions(store, bp_id, tahun) if versions is None else versions)
            if v.blueprint == bp_id and v.tahun == tahun]
    computed = kecamatan_figures(store, bp, tahun, period, mine)
    typed = latest_import(store, bp_id, tahun)
    rows = [Row(key, jab, ind) for key, (jab, ind) in indicator_keys(bp).items()]
    if typed is not None:
        known = _known_indicators(index, bp_id)
        extra = [Row(key, *known[key]) for key in typed.figures
                 if key in known and key not in {r.key for r in rows}]
        # no workbooks that year: its indicators are those the office typed figures of
        rows = rows + extra if registered or computed else [
            r for r in rows + extra if r.key in typed.figures]
    result = YearFigures(bp, tahun, period, rows, {}, choose(mine, bp, tahun, period), typed,
                         computed is not None, registered is not None)
    if computed is not None:
        from iki_xlsx.rekap.build import closing_text
        from iki_xlsx.signoff.ledger import Ledger

        result.persetujuan = closing_text(bp, Ledger.of(store, bp.id, tahun), zona)
    for row in rows:
        mine_figure = computed.figures.get(row.key) if computed is not None else None
        result.figures[row.key] = _figure(row.key, period, last, mine_figure, typed,
                                          result.targets)
    return result


def _known_indicators(index: BlueprintIndex, bp_id: str
                      ) -> dict[str, tuple[Jabatan | None, Indikator]]:
    """Every indicator of any known version of the blueprint (the current one first)."""
    known = dict(indicator_keys(index.by_id[bp_id]))
    for (found_id, _), version in index.versions.items():
        if found_id == bp_id:
            for key, pair in indicator_keys(version).items():
                known.setdefault(key, pair)
    return known


def _figure(key: str, period: int, last: int, computed: KecamatanFigure | None,
            typed: RealisasiImport | None, targets: TargetChoice) -> Figure:
    own = typed.figures.get(key) if typed is not None else None
    if computed is not None and computed.reported:
        realisasi, source = computed.realisasi, Source.RETURNS
    elif own is not None and own.realisasi[period - 1] is not None:
        realisasi, source = own.realisasi[period - 1], Source.TYPED
    else:
        realisasi, source = None, Source.NONE
    version_target = targets.kecamatan(key)
    if version_target is not None:
        return Figure(version_target, realisasi, source, "versi target")
    if own is not None and own.target is not None and period == last:
        return Figure(own.target, realisasi, source, "diketik kantor")
    if computed is not None and computed.target is not None:
        return Figure(computed.target, realisasi, source, "keputusan/unit")
    return Figure(None, realisasi, source, "")


@dataclass
class Comparison:
    """Two years side by side: each indicator of either year, with its presence."""

    previous: YearFigures
    current: YearFigures
    rows: list[tuple[Row, Presence]] = field(default_factory=list)


def compare(previous: YearFigures, current: YearFigures) -> Comparison:
    """Match the two years' indicators by their stable keys: this year's order first, then
    last year's dropped ones in their order."""
    result = Comparison(previous, current)
    before = {r.key for r in previous.rows}
    for row in current.rows:
        result.rows.append((row, Presence.BOTH if row.key in before or not previous.known
                            else Presence.NEW))
    now = {r.key for r in current.rows}
    for row in previous.rows:
        if row.key not in now and row.key in before:
            result.rows.append((row, Presence.DROPPED))
    return result

