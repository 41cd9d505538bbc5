"""Who a returned workbook says it is: its manifest, checked against the known blueprints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..blueprint import Blueprint
from ..blueprint_index import BlueprintIndex
from ..plan import Unit, WorkbookPlan, plan_workbook
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
        bp_id = str(manifest["blueprint"]["id"])
        versi = str(manifest["blueprint"]["versi"])
        digest = str(manifest["blueprint"]["hash"])
        unit_data = manifest["unit"]
        unit = Unit(kode=str(unit_data["kode"]), nama=str(unit_data["nama"]),
                    kantor=bool(unit_data["kantor"]))
        units = [Unit(kode=str(u["kode"]), nama=str(u["nama"]), kantor=bool(u["kantor"]),
                      email=str(u["email"]) if u.get("email") else None)
                 for u in manifest["units"]]
        periode = int(manifest["periode"])
        if not MIN_PERIODE <= periode <= MAX_PERIODE:
            raise ValueError(periode)
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
        add(result, "unknown-workbook", "manifes buku kerja rusak; gunakan berkas yang dikirim "
                                        "kecamatan")
        return None
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
    return Identity(bp, digest, unit, periode, tuple(units))
