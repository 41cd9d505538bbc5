"""The recap's shared layout: column positions, headers, footers and the lookups every sheet uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from xlsxwriter.utility import xl_range_abs

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.states import Status
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.formula import sheet_prefix
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import SheetPlan, ref
from iki_xlsx.plan.paging import FOOTER_SIZE
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.rekap.source import RekapSource

COL_KODE, COL_UNIT, COL_STATUS, COL_TARGET, COL_REALISASI, COL_CAPAIAN, COL_PREDIKAT = range(7)
COL_VAR = 7
BLOCK_HEADERS = ("Kode", "Unit", "Status", "Target", "Realisasi", "Capaian (%)", "Predikat")
DATA_HEADERS = ("Kode unit", "Unit", "Jabatan", "Indikator", "Variabel", "Untuk unit",
                "Periode", "Nilai", "Lembar", "Sel", "SHA-256 berkas (awal)")
DATA_STYLES = ("data_text", "data_wrap", "data_wrap", "data_wrap", "data_wrap", "data_wrap",
               "data_wrap", "data_value", "data_wrap", "data_text", "data_hash")
# one page wide at a legible scale (no strips of columns): long texts wrap
DATA_WIDTHS = (11.0, 16.0, 18.0, 27.0, 25.0, 11.0, 10.0, 9.0, 13.0, 6.0, 18.0)
DATA_HASH_DIGITS = 16  # of the file's SHA-256 on the Data sheet; Asal Data has it whole
DATA_HEADER_ROW = 3
REPEATED_COLUMNS = {"jabatan": COL_UNIT + 1, "iku": COL_UNIT + 1, "data": 2}  # on every page
DATA_VALUE_COL = DATA_HEADERS.index("Nilai")


@dataclass
class Context:
    """Shared lookups while the recap is laid out."""

    source: RekapSource
    kelurahan: list[Unit]
    office: Unit | None
    states: dict[str, Status]  # of the units on the list, by kode
    data_ref: dict[tuple[str, str], str] = field(default_factory=dict)  # set from data_sheet

    @property
    def bp(self) -> Blueprint:
        return self.source.blueprint

    @property
    def listed(self) -> list[Unit]:
        """The units on the list: the kelurahan, then the office."""
        return [*self.kelurahan, *([self.office] if self.office else [])]

    @cached_property
    def periods_reached(self) -> int:
        """`reached(source)`, once for every sheet of the recap (it reads every entry)."""
        return reached(self.source)


def absolute(name: str, first_row: int, col: int, last_row: int, last_col: int | None = None
              ) -> str:
    cells = str(xl_range_abs(first_row, col, last_row, col if last_col is None else last_col))
    return "=" + sheet_prefix(name) + cells


def footer_text(bp: Blueprint, title: str) -> str:
    size = f"&{FOOTER_SIZE}"
    return (f"&L{size}Rekap {bp.kantor.replace('&', '&&')} — {title.replace('&', '&&')}"
            f"&C{size}Halaman &P dari &N&R{size}" + f"{bp.id} versi {bp.versi}".replace("&", "&&"))


def reached(source: RekapSource) -> int:
    """How far the year has reached: the last period (1-based) with any accepted value of a
    unit on the list; 0 when nothing has been filled."""
    listed = {r.unit.kode for r in source.units if r.on_list}
    filled = [key.period for e in source.entries
              if e.unit_kode in listed and e.value is not None and e.value != ""
              and (key := PlanKey.try_parse(e.key)) is not None and key.period is not None]
    return max(filled, default=0)


def reached_text(bp: Blueprint, periods: int) -> str:
    """"s.d. TW II": the figures are to date, up to the last period filled."""
    if periods == 0:
        return "belum ada isian periode mana pun"
    if periods >= len(bp.periods):
        return f"setahun penuh (s.d. {bp.periods[-1]})"
    return f"s.d. {bp.periods[periods - 1]}"


def periode_text(ctx: Context) -> str:
    return (f"Tahun {ctx.source.periode} ({', '.join(ctx.bp.periods)}); data "
            f"{reached_text(ctx.bp, ctx.periods_reached)}")


def returned_text(ctx: Context) -> str:
    accepted = sum(1 for state in ctx.states.values() if state.accepted)
    return f"{accepted} dari {len(ctx.states)} unit diterima"


WRAPPED = {"data_wrap": 1.0, "data_hash_wrap": 1.2}  # wrapping styles: width factor of the
# font against Calibri's (Consolas is wider)


def wrap_rows(sheet: SheetPlan, header_row: int) -> None:
    """Every row of a table as tall as its longest wrapped text (columns keep their planned
    widths, so the table prints one page wide), its header row too."""
    table = sheet.table
    assert table is not None
    widths = sheet.col_widths[table.first_col:table.first_col + len(table.styles)]
    wrapped = [i for i, style in enumerate(table.styles) if style in WRAPPED]
    heights: dict[tuple[str, float], float] = {}

    def height(text: str, width: float) -> float:
        if (text, width) not in heights:
            heights[(text, width)] = text_height(text, width)
        return heights[(text, width)]

    for r, values in enumerate(table.rows):
        need = max((height(str(values[i]), widths[i] / WRAPPED[table.styles[i]])
                    for i in wrapped
                    if values[i] not in (None, "")), default=0.0)
        if need > 15.0:
            sheet.row_heights[table.first_row + r] = need
    headers = {c.ref: str(c.value) for c in sheet.cells}
    sheet.row_heights[header_row] = max(
        [sheet.row_heights.get(header_row, 15.0),
         *(text_height(headers.get(ref(header_row, table.first_col + i), ""), w, bold=True)
           for i, w in enumerate(widths))])


RowKey = Callable[[str], str]
