"""The office's targets for a year, with versions: what a Perjanjian Kinerja promises.

A target version is the office's own record (never a unit's word): for one blueprint and year,
its kind (`murni` when the budget is adopted, `perubahan` when it is revised), the date it was
set, the reason, and per indicator the annual target and the target of each period (triwulan,
semester). The kecamatan's targets come first; where the decree has each unit type its own
target, the office may fix each unit's too.

How the period targets are typed follows the indicator's aggregation over the year:

- an indicator whose realisasi adds up over the year (a count summed period by period) takes
  its target **per period** ("per triwulan"): the target to date is the sum of the periods so
  far, and the periods add up to the annual target;
- every other indicator (a percentage, an index, the last value of the year) takes its target
  **to date** ("kumulatif"): the level to reach by the end of the period, the last period's
  being the annual target.

Capaian of a period is measured against the target to date of the version in force at the end
of that period; the year against the version in force at the year's end (`in_force`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from iki_xlsx.blueprint.model import (
    AgregasiPeriode,
    Blueprint,
    Indikator,
    Jabatan,
    Jenis,
    Pembagian,
    indicators,
)
from iki_xlsx.core.dates import tanggal

# the last day of each period, by the blueprint's division of the year: (month, day)
PERIOD_ENDS: dict[Pembagian, tuple[tuple[int, int], ...]] = {
    Pembagian.TRIWULAN: ((3, 31), (6, 30), (9, 30), (12, 31)),
    Pembagian.SEMESTER: ((6, 30), (12, 31)),
    Pembagian.TAHUNAN: ((12, 31),),
}


class KindOfVersion(StrEnum):
    """A Perjanjian Kinerja's kind: made when the budget is adopted, or when it is revised."""

    MURNI = "murni"
    PERUBAHAN = "perubahan"


class Typing(StrEnum):
    """How an indicator's period targets are typed (see the module's docstring)."""

    PER_PERIOD = "per_periode"
    TO_DATE = "kumulatif"

    def words(self, pembagian: Pembagian) -> str:
        """How the template names it: "per triwulan (dijumlah)" or "kumulatif (s.d. ...)"."""
        period = {Pembagian.TRIWULAN: "triwulan", Pembagian.SEMESTER: "semester",
                  Pembagian.TAHUNAN: "tahun"}[pembagian]
        if self is Typing.PER_PERIOD:
            return f"per {period} (dijumlah)"
        return f"kumulatif (s.d. {period})"


def key_of(jab: Jabatan | None, ind: Indikator) -> str:
    """An indicator's stable key across versions and years: `jabatan-id/indikator-id`, or
    `iku/indikator-id` for the office's IKU table (the scope and id of its plan keys)."""
    return f"{jab.id if jab else 'iku'}/{ind.id}"


def indicator_keys(bp: Blueprint) -> dict[str, tuple[Jabatan | None, Indikator]]:
    """Every indicator of the blueprint by its stable key."""
    return {key_of(jab, ind): (jab, ind) for jab, ind in indicators(bp)}


def accumulates(ind: Indikator) -> bool:
    """Whether the indicator's realisasi adds up over the year: a count (not a percentage)
    computed from at least one variable summed period by period."""
    return (ind.jenis in (Jenis.JUMLAH, Jenis.RUMUS) and ind.satuan.strip() != "%"
            and any(v.period_rule is AgregasiPeriode.JUMLAH for v in ind.variabel))


def typing_of(ind: Indikator) -> Typing:
    return Typing.PER_PERIOD if accumulates(ind) else Typing.TO_DATE


def period_end(tahun: int, pembagian: Pembagian, period: int) -> datetime.date:
    """The last day of `period` (1-based) of the year."""
    month, day = PERIOD_ENDS[pembagian][period - 1]
    return datetime.date(tahun, month, day)


@dataclass(frozen=True)
class Target:
    """One indicator's targets in a version: the annual target and one per period, as typed
    (per period or to date, see `Typing`)."""

    tahunan: float
    periods: tuple[float, ...]
    typing: Typing

    def to_date(self, period: int) -> float:
        """The target to reach by the end of `period` (1-based; the last one is the year)."""
        if period >= len(self.periods):
            return self.tahunan
        if self.typing is Typing.PER_PERIOD:
            return float(sum(self.periods[:period]))
        return self.periods[period - 1]

    def to_dict(self) -> dict[str, Any]:
        return {"tahunan": self.tahunan, "periode": list(self.periods),
                "cara": str(self.typing)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Target:
        return cls(float(data["tahunan"]), tuple(float(v) for v in data["periode"]),
                   Typing(data["cara"]))


@dataclass(frozen=True)
class TargetVersion:
    """One version of a year's targets, as the office set it.

    `kecamatan` holds the office's targets by indicator key; `units` a unit's own target by
    (indicator key, unit kode). `sha256`, `filename` and `urutan` (the store's sequence) say
    which archived file it is; a version read but not yet recorded has `urutan` 0."""

    blueprint: str
    tahun: int
    jenis: KindOfVersion
    tanggal: datetime.date
    alasan: str
    kecamatan: Mapping[str, Target] = field(default_factory=dict)
    units: Mapping[tuple[str, str], Target] = field(default_factory=dict)
    sha256: str = ""
    filename: str = ""
    urutan: int = 0

    def target(self, key: str, unit: str | None = None) -> Target | None:
        """The kecamatan's target of an indicator, or one unit's (None: not set here)."""
        return self.kecamatan.get(key) if unit is None else self.units.get((key, unit))

    @property
    def name(self) -> str:
        """How documents name the version: "PK murni 2026 (5 Januari 2026)"."""
        return f"PK {self.jenis} {self.tahun} ({tanggal(self.tanggal)})"

    def model_json(self) -> str:
        """The version as the store keeps it (the file's bytes are kept beside it)."""
        return json.dumps({
            "blueprint": self.blueprint, "tahun": self.tahun, "jenis": str(self.jenis),
            "tanggal": self.tanggal.isoformat(), "alasan": self.alasan,
            "kecamatan": {k: t.to_dict() for k, t in sorted(self.kecamatan.items())},
            "unit": [{"indikator": k, "unit": u, **t.to_dict()}
                     for (k, u), t in sorted(self.units.items())],
        }, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, sha256: str = "", filename: str = "",
                  urutan: int = 0) -> TargetVersion:
        data = json.loads(text)
        return cls(data["blueprint"], int(data["tahun"]), KindOfVersion(data["jenis"]),
                   datetime.date.fromisoformat(data["tanggal"]), data["alasan"],
                   {k: Target.from_dict(t) for k, t in data["kecamatan"].items()},
                   {(u["indikator"], u["unit"]): Target.from_dict(u) for u in data["unit"]},
                   sha256, filename, urutan)


def in_force(versions: Iterable[TargetVersion], day: datetime.date) -> TargetVersion | None:
    """The version in force on `day`: the latest set on or before it (by its date, then by the
    store's sequence); before the first version's date, the first version."""
    ordered = sorted(versions, key=lambda v: (v.tanggal, v.urutan))
    if not ordered:
        return None
    before = [v for v in ordered if v.tanggal <= day]
    return before[-1] if before else ordered[0]


@dataclass(frozen=True)
class TargetChoice:
    """The targets a figure is measured against: the version in force at the end of the
    period reached (None: the blueprint's own targets, no version recorded for the year)."""

    version: TargetVersion | None
    period: int  # 1-based; the number of periods means the whole year

    def kecamatan(self, key: str) -> float | None:
        if self.version is None:
            return None
        found = self.version.target(key)
        return None if found is None else found.to_date(self.period)

    def unit(self, key: str, unit: str) -> float | None:
        if self.version is None:
            return None
        found = self.version.target(key, unit)
        return None if found is None else found.to_date(self.period)

    def words(self, periods: Sequence[str]) -> str:
        """The version named as every recap and document names it."""
        if self.version is None:
            return "target dari keputusan IKI (blueprint); belum ada versi target tercatat"
        reach = ("tahunan" if self.period >= len(periods)
                 else f"s.d. {periods[self.period - 1]}")
        return (f"{self.version.name}, target {reach}; alasan: {self.version.alasan}; "
                f"berkas {self.version.filename} (SHA-256 {self.version.sha256[:12]})")


def choose(versions: Sequence[TargetVersion], bp: Blueprint, tahun: int,
           period: int) -> TargetChoice:
    """The targets of `period` (1-based; 0 when nothing is filled yet counts as the year) of
    the year: the version in force at the end of that period."""
    last = len(bp.periods)
    reach = last if period <= 0 else min(period, last)
    mine = [v for v in versions if v.blueprint == bp.id and v.tahun == tahun]
    return TargetChoice(in_force(mine, period_end(tahun, bp.pembagian, reach)), reach)
