"""Who a returned workbook says it is: its manifest, checked against the known blueprints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..blueprint import Blueprint
from ..blueprint_index import BlueprintIndex
from ..plan import Manifest, ManifestError, Unit, WorkbookPlan, plan_workbook
from ..read import WorkbookData
from .result import FileResult, add

MIN_PERIODE, MAX_PERIODE = 1900, 9999  # a year; anything else is a forged manifest


@dataclass(frozen=True)
class Identity:
    """Who a workbook says it is, once its blueprint version is known to match."""

    bp: Blueprint
    digest: str
    unit: Unit
    periode: int
    units: tuple[Unit, ...]

    @property
    def layout(self) -> tuple[Any, ...]:
        """What the cells' places and formulas depend on (a plan's other cells differ only
        in the recipient's name in its meta rows; a test holds this)."""
        return (self.bp.id, self.digest, self.periode, self.unit.kantor, self.units)

    def plan(self) -> WorkbookPlan:
        return plan_workbook(self.bp, self.unit, self.periode, list(self.units))


def identify(result: FileResult, data: WorkbookData, index: BlueprintIndex) -> Identity | None:
    manifest = data.manifest
    if manifest is None:
        add(result, "unknown-workbook",
            "buku kerja ini tidak dibuat oleh iki-xlsx atau lembar manifesnya dihapus; "
            "gunakan berkas yang dikirim kecamatan")
        return None
    try:
        said = Manifest.from_dict(manifest)
        if not MIN_PERIODE <= said.periode <= MAX_PERIODE:
            raise ManifestError(f"periode {said.periode}")
    except ManifestError:
        add(result, "unknown-workbook", "manifes buku kerja rusak; gunakan berkas yang dikirim "
                                        "kecamatan")
        return None
    bp_id, versi, digest = said.blueprint_id, said.blueprint_versi, said.blueprint_hash
    unit, units, periode = said.unit, said.units, said.periode
    result.blueprint, result.unit, result.periode = bp_id, unit.nama, periode
    bp = index.by_id.get(bp_id)
    if bp is None:
        add(result, "unknown-workbook", f"blueprint '{bp_id}' tidak dikenal di kecamatan ini",
            expected=sorted(index.by_id), found=bp_id)
        return None
    if index.hashes[bp_id] != digest:
        add(result, "blueprint-mismatch",
            f"buku kerja dibuat dari blueprint '{bp_id}' versi {versi} yang berbeda dari versi "
            f"berlaku ({bp.versi}); isi ulang pada buku kerja terbaru dari kecamatan",
            expected={"versi": bp.versi, "hash": index.hashes[bp_id]},
            found={"versi": versi, "hash": digest})
        return None
    return Identity(bp, digest, unit, periode, units)
