"""Who a returned workbook says it is: its manifest, checked against the known blueprints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..blueprint import Blueprint
from ..blueprint_index import BlueprintIndex
from ..codes import (
    IDENTITY_MISMATCH,
    PERIOD_NOT_REGISTERED,
    UNIT_NOT_REGISTERED,
    VERSION_NOT_REGISTERED,
)
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
    """Who the file says it is (its manifest), cross-checked with its other identity carriers
    and, in a workspace, with the register: the plan comes from the office's own records."""
    claimed = _manifest(result, data)
    if claimed is None:
        return None
    bp_id, versi, digest, unit, units, periode = claimed
    result.blueprint, result.unit, result.periode = bp_id, unit.nama, periode
    result.unit_kode, result.blueprint_hash, result.blueprint_versi = unit.kode, digest, versi
    if not _carriers_agree(result, data, bp_id, digest, unit, periode):
        return None
    if bp_id not in index.by_id:
        add(result, "unknown-workbook", f"blueprint '{bp_id}' tidak dikenal di kecamatan ini",
            expected=sorted(index.by_id), found=bp_id)
        return None
    if index.register is not None:
        registered = _registered(result, index, bp_id, digest, versi, unit, periode)
        if registered is None:
            return None
        unit, units = registered[0], list(registered[1])
    bp = index.version(bp_id, digest)
    if bp is None:
        current = index.by_id[bp_id]
        add(result, "blueprint-mismatch",
            f"buku kerja dibuat dari blueprint '{bp_id}' versi {versi} yang berbeda dari versi "
            f"berlaku ({current.versi}) dan tidak ada di arsip kecamatan; isi ulang pada buku "
            "kerja terbaru dari kecamatan",
            expected={"versi": current.versi, "hash": index.hashes[bp_id]},
            found={"versi": versi, "hash": digest})
        return None
    result.unit = unit.nama
    return Identity(bp, digest, unit, periode, tuple(units))


Claimed = tuple[str, str, str, Unit, list[Unit], int]


def _manifest(result: FileResult, data: WorkbookData) -> Claimed | None:
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
    return (said.blueprint_id, said.blueprint_versi, said.blueprint_hash, said.unit,
            list(said.units), said.periode)


_HEADER_YEAR = re.compile(r"^Tahun (\d{4})\b")
_HEADER_KODE = re.compile(r"\(kode ([^)]*)\)$")


def _carriers_agree(result: FileResult, data: WorkbookData, bp_id: str, digest: str,
                    unit: Unit, periode: int) -> bool:
    """The manifest against the custom document properties and the visible header cells
    (those that survive: a client may drop properties); any disagreement rejects the file."""
    claims = {"blueprint": bp_id, "hash blueprint": digest, "kode unit": unit.kode,
              "nama unit": unit.nama, "periode": str(periode)}
    found: list[tuple[str, str, str]] = []  # what, where, value
    properties = data.custom_properties
    for what, name in (("blueprint", "iki_blueprint"), ("hash blueprint", "iki_blueprint_hash"),
                       ("kode unit", "iki_unit_kode"), ("nama unit", "iki_unit_nama"),
                       ("periode", "iki_periode")):
        if name in properties:
            found.append((what, f"properti dokumen {name}", str(properties[name]).strip()))
    found += _header_claims(data)
    differing = [(what, where, value) for what, where, value in found if value != claims[what]]
    for what, where, value in differing:
        add(result, str(IDENTITY_MISMATCH),
            f"identitas buku kerja tidak konsisten: {what} di manifes '{claims[what]}', di "
            f"{where} '{value}'; buku kerja ini telah diubah, kirim ulang dari berkas asli "
            "yang dikirim kecamatan", expected=claims[what], found=value)
    return not differing


def _header_claims(data: WorkbookData) -> list[tuple[str, str, str]]:
    """Unit and year as the sheets' visible header rows show them (label in A or B, value
    in C, rows 2 to 7)."""
    found: list[tuple[str, str, str]] = []
    for name, sheet in data.sheets.items():
        for row in range(2, 8):
            label = sheet.value(f"A{row}") or sheet.value(f"B{row}")
            value = sheet.value(f"C{row}")
            if not isinstance(value, str):
                continue
            where = f"kepala lembar {name}!C{row}"
            if label == "Unit pengisi":
                kode = _HEADER_KODE.search(value)
                if kode:
                    found.append(("kode unit", where, kode.group(1)))
                    value = value[:kode.start()].rstrip()
                found.append(("nama unit", where, value))
            elif label == "Periode":
                year = _HEADER_YEAR.match(value)
                found.append(("periode", where, year.group(1) if year else value))
    return found


def _registered(result: FileResult, index: BlueprintIndex, bp_id: str, digest: str, versi: str,
                unit: Unit, periode: int) -> tuple[Unit, tuple[Unit, ...]] | None:
    """The unit and units list the register holds for this return, or a rejecting finding."""
    assert index.register is not None
    entry = index.register.get((bp_id, periode))
    if entry is None:
        known = sorted(p for b, p in index.register if b == bp_id)
        add(result, str(PERIOD_NOT_REGISTERED),
            f"kecamatan tidak pernah membuat buku kerja '{bp_id}' untuk periode {periode}"
            + (f" (periode yang dibuat: {', '.join(map(str, known))})" if known else "")
            + "; gunakan buku kerja yang dikirim kecamatan untuk periode yang benar",
            expected=known, found=periode)
        return None
    if unit.kode not in entry.units:
        add(result, str(UNIT_NOT_REGISTERED),
            f"unit berkode {unit.kode} ('{unit.nama}') tidak ada di daftar unit yang dikirimi "
            f"buku kerja '{bp_id}' periode {periode}; hubungi kecamatan bila unit ini "
            "seharusnya ada di unit.csv", found=unit.kode)
        return None
    layout = entry.layouts.get((unit.kode, digest))
    if layout is None:
        made = ", ".join(f"versi {v}" for v in sorted(set(entry.versions.values())))
        add(result, str(VERSION_NOT_REGISTERED),
            f"buku kerja dibuat dari blueprint '{bp_id}' versi {versi}, tetapi kecamatan "
            f"mengirim unit ini buku kerja periode {periode} dari {made}; isi ulang pada buku "
            "kerja yang dikirim kecamatan", expected=sorted(entry.versions.values()),
            found=versi)
        return None
    return entry.units[unit.kode], layout
