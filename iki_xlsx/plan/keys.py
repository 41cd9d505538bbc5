"""Typed plan keys: every cell's key is `scope/indikator/name[@unit][/part]`, formatted and parsed
only here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_PERIOD_PART = re.compile(r"p(\d+)")
_KEYS_KEPT = 1 << 16  # keys parsed and periods read, kept within a process: every form of a
# layout, and every unit's row of a recap, holds the same keys


@dataclass(frozen=True)
class PlanKey:
    """What an indicator cell of a form holds, by meaning: `scope/indikator/name[@unit][/part]`.

    `scope` is the jabatan id (or `iku`), `name` a variable id or one of the indicator's own
    rows (`target`, `realisasi`, `mutu`, `memenuhi`, `capaian`, `predikat`, `kolom`), `unit`
    the kelurahan a row an office keeps per unit is about, `part` the period (`p1`...), the
    annual column (`tahunan`), `label`, or a column. Input values are stored under these
    keys (`scope/ind/var[@unit]/pN` and `scope/ind/target`); this class is the only place
    that formats or parses them.
    """

    scope: str
    indikator: str
    name: str
    unit: str | None = None
    part: str | None = None

    @classmethod
    def input(cls, scope: str, indikator: str, variabel: str, period: int,
              unit: str | None = None) -> PlanKey:
        return cls(scope, indikator, variabel, unit, PlanKey.period_part(period))

    @staticmethod
    def period_part(period: int) -> str:
        """The part of a period's cell: `p1`, `p2`..."""
        return f"p{period}"

    @classmethod
    def target(cls, scope: str, indikator: str) -> PlanKey:
        return cls(scope, indikator, "target")

    @property
    def base(self) -> str:
        """`scope/indikator`: the indicator this cell belongs to."""
        return f"{self.scope}/{self.indikator}"

    @property
    def period(self) -> int | None:
        """The period number of a `pN` part, else None."""
        return _period(self.part)

    @property
    def is_target(self) -> bool:
        return self.name == "target" and self.part is None

    def row(self, name: str, part: str | None = None) -> PlanKey:
        """Another row of the same indicator (`target`, `realisasi`, `kolom`...)."""
        return PlanKey(self.scope, self.indikator, name, None, part)

    def at(self, part: str | None) -> PlanKey:
        """The same row, another part (`label`, `tahunan`, `p2`...)."""
        return PlanKey(self.scope, self.indikator, self.name, self.unit, part)

    def at_period(self, period: int) -> PlanKey:
        return self.at(PlanKey.period_part(period))

    def format(self) -> str:
        return PlanKey.formatted(self.scope, self.indikator, self.name, self.unit, self.part)

    @staticmethod
    def formatted(scope: str, indikator: str, name: str, unit: str | None = None,
                  part: str | None = None) -> str:
        """`str(PlanKey(scope, indikator, name, unit, part))`, without making the key (a
        recap formats one for every cell of every unit's rows)."""
        return (f"{scope}/{indikator}/{name}" + (f"@{unit}" if unit is not None else "")
                + (f"/{part}" if part is not None else ""))

    def __str__(self) -> str:
        return self.format()

    @classmethod
    def parse(cls, text: str) -> PlanKey:
        """The key `text` formats; ValueError for text that is not an indicator cell's key."""
        key = _parsed(text)
        if key is None:
            raise ValueError(f"not a plan key: {text!r}")
        return key

    @classmethod
    def try_parse(cls, text: str) -> PlanKey | None:
        return _parsed(text)


@lru_cache(maxsize=_KEYS_KEPT)  # a key is frozen: one parse serves every reader
def _parsed(text: str) -> PlanKey | None:
    """The key `text` formats, None for text that is not an indicator cell's key."""
    parts = text.split("/")
    if len(parts) not in (3, 4) or not all(parts):
        return None
    name, at, unit = parts[2].partition("@")
    if not name or (at and not unit):
        return None
    return PlanKey(parts[0], parts[1], name, unit if at else None,
                   parts[3] if len(parts) == 4 else None)


@lru_cache(maxsize=256)
def _period(part: str | None) -> int | None:
    match = _PERIOD_PART.fullmatch(part or "")
    return int(match.group(1)) if match else None
