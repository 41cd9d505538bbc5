"""The spreadsheet form of a blueprint: its sheets and columns, shared by writer and reader.

One sheet per part of a blueprint, one row per item, columns in Bahasa Indonesia. The
Indikator sheet starts with the columns of the decree table (Sasaran, Indikator, Formulasi
perhitungan, Sumber data) so a table copied from the decree pastes straight in. Every column
says what it holds in an input message with an example (Excel limits: title 32 characters,
message 255).

The sheets and their columns are data: `blueprint_sheets.yaml` beside this module (its header
says what each key means); this module holds what they are made of and the closed choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from iki_xlsx.blueprint.model import (
    AgregasiPeriode,
    AgregasiUnit,
    Jenis,
    Pembagian,
    Pengisi,
    Polaritas,
    Tipe,
)
from iki_xlsx.blueprint.patterns import PATTERNS


class Kind(StrEnum):
    """What a cell holds and how the reader turns it into blueprint data."""

    TEXT = "text"  # a string (numbers typed in it become their text)
    BLANK_TEXT = "blank_text"  # a string that may be empty ("" when the cell is empty)
    NUMBER = "number"
    INTEGER = "integer"
    YES_NO = "yes_no"  # Ya / Tidak -> True / False
    LINES = "lines"  # a list, one item per line of the cell
    CONSTANTS = "constants"  # `nama = angka`, one per line
    CHOICE = "choice"  # one of a closed list (a drop-down)


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # dotted for nested keys: ambang.nilai
    kind: Kind
    help: str  # the input message, with an example
    width: float = 16
    choices: str | None = None  # name of a list on the Pilihan sheet


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    title: str  # one line saying what a row is

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


# Closed choices, each a drop-down; the lists live on the hidden sheet Pilihan.
JENIS_POLA = tuple(p.phrase for p in PATTERNS) + tuple(j.value for j in Jenis)
CHOICES: dict[str, tuple[str, ...]] = {
    "jenis": JENIS_POLA,
    "polaritas": tuple(p.value for p in Polaritas),
    "tipe": tuple(t.value for t in Tipe),
    "agregasi_periode": tuple(a.value for a in AgregasiPeriode),
    "agregasi_unit": tuple(a.value for a in AgregasiUnit),
    "pengisi": tuple(p.value for p in Pengisi),
    "hitung": ("jumlah", "semua"),
    "ambang_operator": (">=", ">", "<=", "<"),
    "operator": ("<=", "<", ">=", ">", "=", "<>"),
    "ya_tidak": ("Ya", "Tidak"),
    "jenis_unit": ("kelurahan", "desa"),
    "pembagian": tuple(p.value for p in Pembagian),
}

SHEETS_FILE = Path(__file__).with_name("sheets.yaml")


def _column(entry: dict[str, Any]) -> Column:
    """One column of `blueprint_sheets.yaml` (a key `Column` does not have fails at import)."""
    return Column(**{**entry, "kind": Kind(entry["kind"])})


def _columns(items: list[Any]) -> tuple[Column, ...]:
    """A sheet's columns: each item one column, or a group (a list of columns) in its place."""
    return tuple(_column(entry) for item in items
                 for entry in (item if isinstance(item, list) else [item]))


def _sheets() -> tuple[SheetSpec, ...]:
    data = yaml.safe_load(SHEETS_FILE.read_text(encoding="utf-8"))
    return tuple(SheetSpec(sheet["name"], _columns(sheet["columns"]), sheet["title"])
                 for sheet in data["sheets"])


SHEETS = _sheets()
KANTOR, JABATAN, INDIKATOR, VARIABEL, ATURAN, SKALA, IKU = SHEETS
assert [s.name for s in SHEETS] == [
    "Kantor", "Jabatan", "Indikator", "Variabel", "Aturan", "Skala", "IKU"], "sheets reordered"
IKU_MARK = "IKU"
CHOICE_SHEET = "Pilihan"
