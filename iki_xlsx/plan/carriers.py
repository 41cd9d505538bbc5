"""The identity carriers: where a generated workbook says what it is and whom it is for.

A workbook carries its identity three times, because each client keeps a different part of a
file:

- the manifest sheet (`MANIFEST_SHEET`, very hidden; its JSON form is `plan/manifest.py`'s);
- the custom document properties (`Property`), kept by clients that drop a very hidden sheet;
- the visible header rows of the sheets (`UNIT_LABEL`, `PERIODE_LABEL` in `HEADER_ROWS`),
  kept by nearly every client and matched against the register when the others are gone.

This module names them for every reader and writer: `workbook/write.py` writes the sheet and
the properties, `plan/build.py` and `plan/cover.py` lay out the header rows, the checker
(`check/identity.py`) and kirim (`mail/kirim.py`) read what each carrier claims and where the
carriers disagree (`disagreements`). A periode is a year by the one rule of `core/periode.py`
wherever it is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core import periode as periode_rule
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.model import WorkbookPlan

MANIFEST_SHEET = "IKI_Manifest"


class Property(StrEnum):
    """The custom document properties a generated workbook carries (`iki_jenis` only on a
    recap, which is read by people, never identified)."""

    BLUEPRINT = "iki_blueprint"
    VERSI = "iki_blueprint_versi"
    HASH = "iki_blueprint_hash"
    UNIT_KODE = "iki_unit_kode"
    UNIT_NAMA = "iki_unit_nama"
    PERIODE = "iki_periode"
    GENERATOR = "iki_generator"
    JENIS = "iki_jenis"


# the properties that identify a workbook on their own (when the manifest sheet is gone)
IDENTIFYING = (Property.BLUEPRINT, Property.VERSI, Property.HASH, Property.UNIT_KODE,
               Property.UNIT_NAMA, Property.PERIODE)


class Field(StrEnum):
    """A part of a workbook's identity, in the words a finding names it."""

    BLUEPRINT = "blueprint"
    HASH = "hash blueprint"
    UNIT_KODE = "kode unit"
    UNIT_NAMA = "nama unit"
    PERIODE = "periode"


_PROPERTY_OF = {Field.BLUEPRINT: Property.BLUEPRINT, Field.HASH: Property.HASH,
                Field.UNIT_KODE: Property.UNIT_KODE, Field.UNIT_NAMA: Property.UNIT_NAMA,
                Field.PERIODE: Property.PERIODE}


class Carrier(StrEnum):
    """Where an identity was read, in the words a finding names it."""

    MANIFEST = "manifes"
    PROPERTIES = "properti dokumen"
    HEADERS = "sel kepala lembar dan nama lembar"


UNIT_LABEL = "Unit pengisi"
PERIODE_LABEL = "Periode"
HEADER_ROWS = range(2, 8)  # sheet rows (1-based) of the header facts: label in A or B, value C
_HEADER_YEAR = re.compile(r"^Tahun (\d{4})\b")
_HEADER_KODE = re.compile(r"\(kode ([^)]*)\)$")


def valid_periode(year: int) -> bool:
    """A year a workbook can be for (the one rule of `core/periode.py`)."""
    return periode_rule.valid(year)


def properties(plan: WorkbookPlan) -> dict[str, str]:
    """The custom document properties of a workbook of `plan` (a form's `jenis` is not
    written)."""
    written: dict[str, str] = {
        Property.BLUEPRINT: plan.blueprint_id, Property.VERSI: plan.blueprint_versi,
        Property.HASH: plan.blueprint_hash, Property.UNIT_KODE: plan.unit.kode,
        Property.UNIT_NAMA: plan.unit.nama, Property.PERIODE: str(plan.periode),
        Property.GENERATOR: plan.generator,
    }
    return written | ({Property.JENIS: plan.jenis} if plan.jenis != "iki" else {})


def periode_text(bp: Blueprint, periode: int) -> str:
    """The header's periode: 'Tahun 2026 (realisasi per triwulan)' (its year is read back)."""
    if len(bp.periods) == 1:
        return f"Tahun {periode} (realisasi tahunan)"
    return f"Tahun {periode} (realisasi per {str(bp.pembagian).replace('_', ' ')})"


def unit_text(unit: Unit, *, with_kode: bool = False) -> str:
    """The header's unit: its name, and '(kode 01)' after it where the kode is shown (read
    back too)."""
    return unit.nama + (f" (kode {unit.kode})" if with_kode and unit.kode else "")


@dataclass(frozen=True)
class Said:
    """What one carrier says of one part of the identity, and where it says it."""

    field: Field
    where: str
    value: str


class SheetCells(Protocol):
    """A sheet as read: the value of a cell by its reference."""

    def value(self, ref: str) -> Any: ...


def property_claims(props: Mapping[str, Any]) -> list[Said]:
    """What the custom document properties that survived say."""
    return [Said(field, f"{Carrier.PROPERTIES} {name}", str(props[name]).strip())
            for field, name in _PROPERTY_OF.items() if name in props]


def header_claims(sheets: Mapping[str, SheetCells]) -> list[Said]:
    """Unit and year as the sheets' visible header rows show them."""
    found: list[Said] = []
    for name, sheet in sheets.items():
        for row in HEADER_ROWS:
            label = sheet.value(f"A{row}") or sheet.value(f"B{row}")
            value = sheet.value(f"C{row}")
            if not isinstance(value, str):
                continue
            where = f"kepala lembar {name}!C{row}"
            if label == UNIT_LABEL:
                kode = _HEADER_KODE.search(value)
                if kode:
                    found.append(Said(Field.UNIT_KODE, where, kode.group(1)))
                    value = value[:kode.start()].rstrip()
                found.append(Said(Field.UNIT_NAMA, where, value))
            elif label == PERIODE_LABEL:
                year = _HEADER_YEAR.match(value)
                found.append(Said(Field.PERIODE, where, year.group(1) if year else value))
    return found


def identity(blueprint: str, digest: str, unit: Unit, periode: int) -> dict[Field, str]:
    """The parts of an identity as the carriers write them."""
    return {Field.BLUEPRINT: blueprint, Field.HASH: digest, Field.UNIT_KODE: unit.kode,
            Field.UNIT_NAMA: unit.nama, Field.PERIODE: str(periode)}


def disagreements(claimed: Mapping[Field, str], props: Mapping[str, Any],
                  sheets: Mapping[str, SheetCells]) -> list[Said]:
    """Where the other carriers that survived (a client may drop some) say otherwise than
    `claimed` (one carrier's identity)."""
    said = property_claims(props) + header_claims(sheets)
    return [s for s in said if s.value != claimed[s.field]]
