"""What every document says of the office: its name and region, the place it signs at, its kop
surat, and the parties who sign (from the workspace's iki.toml, never from a returned file);
and the indicators a document lists, grouped by sasaran."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iki_xlsx.blueprint.model import Blueprint, Indikator, Jabatan, indicators
from iki_xlsx.documents.model import Letterhead, SignBlock
from iki_xlsx.targets.model import key_of


@dataclass(frozen=True)
class Person:
    """Someone who signs: name, office held, NIP when there is one."""

    nama: str
    jabatan: str
    nip: str | None = None

    def block(self, *above: str) -> SignBlock:
        return SignBlock([*above, f"{self.jabatan},"], self.nama, self.nip)


@dataclass(frozen=True)
class Office:
    """The office as its documents name it."""

    kantor: str
    wilayah: str
    kota: str
    letterhead: Letterhead
    first: Person | None = None  # the camat (the workspace's penandatangan)
    second: Person | None = None  # the camat's superior (the bupati or wali kota)


def default_letterhead(kantor: str, wilayah: str) -> Letterhead:
    """A kop surat from the office's name when iki.toml gives none."""
    region = wilayah.split(",")[0].strip()
    return Letterhead([f"PEMERINTAH {region.upper()}", kantor.upper()])


@dataclass(frozen=True)
class Listed:
    """An indicator as a document lists it."""

    key: str
    jabatan: Jabatan | None
    indikator: Indikator


def office_indicators(bp: Blueprint) -> list[Listed]:
    """The indicators of the office's own performance: its IKU table when the blueprint has
    one, else every indicator of every jabatan."""
    if bp.iku is not None:
        return [Listed(key_of(None, ind), None, ind) for ind in bp.iku.indikator]
    return [Listed(key_of(jab, ind), jab, ind) for jab, ind in indicators(bp)]


def by_sasaran(items: Sequence[Listed]) -> list[tuple[str, list[Listed]]]:
    """The items grouped by sasaran, in the order each sasaran first appears."""
    groups: dict[str, list[Listed]] = {}
    for item in items:
        groups.setdefault(item.indikator.sasaran.strip(), []).append(item)
    return list(groups.items())
