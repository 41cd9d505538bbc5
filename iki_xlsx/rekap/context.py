"""The recap's shared layout: column positions, headers, footers and the lookups every sheet uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_range_abs

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.states import Status
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.formula import sheet_prefix
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import SheetPlan, ref
from iki_xlsx.plan.paging import FOOTER_SIZE
from iki_xlsx.plan.textfit import CELL_PADDING_PX, PX_PER_PT, text_height, text_pt
from iki_xlsx.rekap.source import RekapSource

COL_KODE, COL_UNIT, COL_STATUS, COL_TARGET, COL_REALISASI, COL_CAPAIAN, COL_PREDIKAT = range(7)
COL_VAR = 7
BLOCK_HEADERS = ("Kode", "Unit", "Status", "Target", "Realisasi", "Capaian (%)", "Predikat")
DATA_HEADERS = ("Kode unit", "Unit", "Jabatan", "Indikator", "Variabel", "Untuk unit",
                "Periode", "Nilai", "Lembar", "Sel", "SHA-256 berkas")
DATA_STYLES = ("data_text", "data_text", "data_text", "data_text", "data_text", "data_text",
               "data_text", "data_value", "data_text", "data_text", "data_hash")
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
            f"{reached_text(ctx.bp, reached(ctx.source))}")


def returned_text(ctx: Context) -> str:
    accepted = sum(1 for state in ctx.states.values() if state is Status.OK)
    return f"{accepted} dari {len(ctx.states)} unit diterima"


def fit_columns(sheet: SheetPlan, header_row: int) -> None:
    """A table's columns as wide as their longest text and its header row tall enough for
    its wrapped headers, so no name, file or sheet is cut."""
    table = sheet.table
    assert table is not None
    headers = {c.ref: str(c.value) for c in sheet.cells}
    heights = [sheet.row_heights.get(header_row, 15.0)]
    for i, style in enumerate(table.styles):
        col = table.first_col + i
        widest = max((text_pt(str(r[i])) for r in table.rows if r[i] is not None), default=0.0)
        if style == "data_hash":  # Consolas is wider than Calibri
            widest *= 1.2
        need = (widest * PX_PER_PT + CELL_PADDING_PX - 5) / 7
        sheet.col_widths[col] = max(sheet.col_widths[col], min(round(need + 0.5), 160))
        header = headers.get(ref(header_row, col), "")
        heights.append(text_height(header, sheet.col_widths[col], bold=True))
    sheet.row_heights[header_row] = max(heights)


RowKey = Callable[[str], str]
