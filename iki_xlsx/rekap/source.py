"""What the recap is made of, gathered from the store: units and their returns, accepted values,
files used, and who signs.
"""

from __future__ import annotations

from dataclasses import dataclass

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.dates import DEFAULT_ZONE, Zona
from iki_xlsx.core.states import Status
from iki_xlsx.core.units import Unit
from iki_xlsx.targets.model import TargetChoice
from iki_xlsx.workbook.evaluate import Value

KECAMATAN = "kecamatan"  # key of the kecamatan's row in every indicator block


@dataclass(frozen=True)
class Entry:
    """One accepted input value: whose, which plan key, where in the unit's file."""

    unit_kode: str
    key: str
    sheet: str  # sheet code in the unit's workbook
    cell: str
    value: Value
    sha256: str


@dataclass(frozen=True)
class Return:
    """One file a unit sent for this blueprint and period, as received and judged."""

    received: str  # ISO moment (UTC) the office received it
    filename: str
    state: Status  # a verdict, never NOT_RETURNED
    findings: int = 0  # of severity error
    sender: str | None = None


@dataclass(frozen=True)
class UnitReturn:
    """What the store knows of one unit for this blueprint and period: its state and every
    file it sent, in the order the office received them."""

    unit: Unit
    state: Status
    on_list: bool = True
    returns: tuple[Return, ...] = ()


@dataclass(frozen=True)
class UsedFile:
    """A file whose values the recap uses (the latest accepted one of its unit)."""

    unit_kode: str
    unit_nama: str
    filename: str
    sha256: str
    received: str
    sender: str | None = None
    subject: str | None = None
    versi: str | None = None  # of the blueprint the file was made from (None: not recorded)
    signed: str | None = None  # who verified and approved it, and when (None: nobody yet)


@dataclass(frozen=True)
class Pengesahan:
    """Where and by whom the recap is signed: the office's city and time zone, and the
    signatory (from the workspace's iki.toml)."""

    kota: str
    zona_waktu: Zona = DEFAULT_ZONE
    jabatan: str | None = None
    nama: str | None = None
    nip: str | None = None


@dataclass
class RekapSource:
    """Everything the recap shows, gathered from the store."""

    blueprint: Blueprint
    periode: int
    units: list[UnitReturn]
    entries: list[Entry]
    files: list[UsedFile]
    timeline: list[tuple[str, int, int]]  # local ISO date, files received that day, units
    # accepted by its end
    store: str
    created: str
    generator: str = ""
    pengesahan: Pengesahan | None = None
    targets: TargetChoice | None = None  # the office's target version measured against
    closing: str = "Belum disetujui (periode terbuka)"  # whether the year is closed, by whom

    def target_words(self) -> str:
        """Which targets the figures are measured against, as every sheet names them."""
        choice = self.targets or TargetChoice(None, len(self.blueprint.periods))
        return choice.words(self.blueprint.periods)

    @property
    def zona(self) -> str:
        return self.pengesahan.zona_waktu if self.pengesahan else DEFAULT_ZONE
