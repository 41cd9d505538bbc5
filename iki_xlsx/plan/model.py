"""The plan's data: sheets, cells, tables, charts and the helpers that place cells on a sheet."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from iki_xlsx import __version__
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.formula import Formula, column_letters, column_number
from iki_xlsx.plan.paging import DEFAULT_ROW_PT, PageSetup, page_setup, row_height_list
from iki_xlsx.plan.textfit import DEFAULT_COL_WIDTH, column_px, row_px, text_height

FORBIDDEN_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")  # A1 or $A$1 (xlsxwriter's, not imported:
# a plan is also made where nothing is written, as when one file is checked)


class Role(StrEnum):
    LABEL = "label"
    INPUT = "input"
    FORMULA = "formula"


@dataclass(frozen=True)
class InputRule:
    """What an input cell accepts (mirrors the blueprint variable or the target)."""

    tipe: str
    label: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    wajib: bool = True
    bantuan: str | None = None
    periode: str | None = None  # the period a period input reports (None: the target, or a
    # blueprint of one yearly period): a required input is due once this period is reported
    last_period: bool = True


@dataclass(frozen=True)
class Cell:
    """One planned cell. `key` names what it holds, stable across layouts."""

    ref: str
    role: Role
    key: str
    style: str
    value: str | float | None = None
    formula: Formula | None = None
    rule: InputRule | None = None


@dataclass(frozen=True)
class Table:
    """A block of plain values (the recap's data sheet), one style per column.

    Values are written as numbers or as text, never as formulas.
    """

    first_row: int
    first_col: int
    rows: Sequence[Sequence[str | float | None]]
    styles: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    """A chart over planned cells: categories and series are absolute sheet ranges."""

    kind: str  # column | bar (horizontal: categories down, values across) | line
    title: str
    categories: str
    series: tuple[tuple[str, str], ...]  # (name, values range)
    anchor: str
    value_title: str = ""  # the value axis's title
    width: int = 640
    height: int = 320
    # cells of the sheet whose largest value sets the value axis's end: the charts that split
    # one table share it, so a bar's length means the same on each of them
    scale_cells: tuple[str, ...] = ()


ROW_PX = row_px(DEFAULT_ROW_PT)  # a row of the default height: 20 px


def chart_corner(chart: Chart, col_widths: Sequence[float],
                 row_heights: Mapping[int, float]) -> tuple[int, int]:
    """The cell holding a chart's bottom-right corner, zero-based (row, column): its width in
    px laid across the columns from its anchor's, its height down the rows, as xlsxwriter
    anchors it (a corner exactly on a cell's edge is in the next cell)."""
    row, col = rowcol(chart.anchor)
    width, height = float(chart.width), float(chart.height)
    while width >= (px := column_px(col_widths[col] if col < len(col_widths)
                                    else DEFAULT_COL_WIDTH)):
        width -= px
        col += 1
    while height >= (px := row_px(row_heights.get(row, DEFAULT_ROW_PT))):
        height -= px
        row += 1
    return row, col


@dataclass
class SheetPlan:
    """One worksheet: its stable code, name, cells, merges and page set-up."""

    code: str
    name: str
    kind: str  # petunjuk | ringkasan | jabatan | iku | rekap kinds (data, status, asal)
    title: str
    cells: list[Cell] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    col_widths: list[float] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] = (0, 0)
    repeat_rows: tuple[int, int] | None = None
    footer: str = ""
    table: Table | None = None
    charts: list[Chart] = field(default_factory=list)
    autofilter: str | None = None
    page: PageSetup = field(default_factory=PageSetup)
    row_breaks: list[int] | None = None  # page breaks the layout placed itself (PageFlow)

    @property
    def defined_name(self) -> str:
        """Workbook-scoped name that follows the sheet through renames and moves."""
        return defined_name(self.code)

    def cell(self, key: str) -> Cell:
        return next(c for c in self.cells if c.key == key)

    def cells_by_key(self) -> dict[str, Cell]:
        """The sheet's cells by plan key, the first of a key as `cell` finds it: for a reader
        looking up many keys (`cell` scans the sheet for each)."""
        found: dict[str, Cell] = {}
        for cell in self.cells:
            found.setdefault(cell.key, cell)
        return found


@dataclass
class WorkbookPlan:
    """Everything a workbook for one unit and one period contains."""

    blueprint_id: str
    blueprint_versi: str
    blueprint_hash: str
    kantor: str
    unit: Unit
    periode: int
    periods: tuple[str, ...]
    units: list[Unit]
    sheets: list[SheetPlan]
    generator: str = f"iki-xlsx {__version__}"
    jenis: str = "iki"  # iki: a form sent to a unit; rekap: the recap; dokumen: a document
    title: str | None = None  # the file's title property (by default said from the kind)

    def sheet(self, code: str) -> SheetPlan:
        return next(s for s in self.sheets if s.code == code)

    def formula_cells(self) -> Iterable[tuple[SheetPlan, Cell]]:
        for sheet in self.sheets:
            for cell in sheet.cells:
                if cell.role is Role.FORMULA:
                    yield sheet, cell

    def input_cells(self) -> Iterable[tuple[SheetPlan, Cell]]:
        for sheet in self.sheets:
            for cell in sheet.cells:
                if cell.role is Role.INPUT:
                    yield sheet, cell


def defined_name(code: str) -> str:
    """The workbook-scoped name of the sheet with this code (`SheetPlan.defined_name`)."""
    return "IKI_" + re.sub(r"[^A-Za-z0-9_]", "_", code)


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (<= 31 characters, none of []:*?/\\)."""
    clean = FORBIDDEN_SHEET_CHARS.sub(" ", text)
    clean = re.sub(r"\s+", " ", clean).strip().strip("'") or "Lembar"
    candidate = _shorten(clean, 31)
    n = 2
    while candidate.lower() in taken or candidate.lower() == "history":
        suffix = f" ({n})"
        candidate = _shorten(clean, 31 - len(suffix)) + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (cut if len(cut) >= limit // 2 else text[:limit]).strip()


def title_case(text: str) -> str:
    """Title case that keeps short connecting words lower case."""
    small = {"dan", "di", "ke", "dari", "yang", "untuk", "atau", "pada"}
    words = text.split()

    def fix(i: int, word: str) -> str:
        if word.isupper() and len(word) <= 4:
            return word
        return word.lower() if i and word.lower() in small else word.capitalize()

    return " ".join(fix(i, w) for i, w in enumerate(words))


@lru_cache(maxsize=65536)  # pure, and asked for the same cells in every workbook of a layout
def ref(row: int, col: int) -> str:
    """The A1 reference of zero-based `row` and `col`."""
    return f"{column_letters(col + 1)}{row + 1}"


@lru_cache(maxsize=65536)
def rowcol(cell: str) -> tuple[int, int]:
    """Zero-based (row, column) of the A1 reference `cell` ((0, 0) for none, as xlsxwriter)."""
    found = CELL_REF.match(cell)
    if found is None:
        return 0, 0
    return int(found.group(2)) - 1, column_number(found.group(1)) - 1


def last_row(sheet: SheetPlan) -> int:
    """The lowest row a planned cell or merge reaches."""
    refs = [c.ref for c in sheet.cells] + [m.split(":")[1] for m in sheet.merges]
    last = max((rowcol(r)[0] for r in refs), default=0)
    if sheet.table is not None:
        last = max(last, sheet.table.first_row + len(sheet.table.rows) - 1)
    return last


def set_page(sheet: SheetPlan, *, first_row: int = 0, repeat_cols: int = 0,
             column_breaks: Sequence[int] | None = None,
             blocks: Sequence[tuple[int, int]] = ()) -> None:
    """Compute the sheet's print layout from its planned widths and heights."""
    heights = row_height_list(sheet.row_heights, last_row(sheet))
    sheet.page = page_setup(sheet.col_widths, heights, first_row=first_row,
                            repeat_cols=repeat_cols, column_breaks=column_breaks,
                            blocks=blocks, repeated_rows=sheet.repeat_rows,
                            row_breaks=sheet.row_breaks)


def meta_rows(sheet: SheetPlan, rows: Sequence[tuple[str, str]], last_col: int,
              width: float | Sequence[float], start: int = 1) -> int:
    """Label/value rows under the title: label in A:B, value merged across the rest.

    Returns the next free row."""
    for r, (label, value) in enumerate(rows, start=start):
        sheet.cells.append(Cell(ref(r, 0), Role.LABEL, f"meta/{r}", "meta_label", label))
        sheet.merges.append(f"{ref(r, 0)}:{ref(r, 1)}")
        sheet.cells.append(Cell(ref(r, 2), Role.LABEL, f"meta/{r}/nilai", "meta_value", value))
        sheet.merges.append(f"{ref(r, 2)}:{ref(r, last_col)}")
        sheet.row_heights[r] = text_height(value, width)
    return start + len(rows)


def title_row(sheet: SheetPlan, text: str, last_col: int) -> None:
    sheet.cells.append(Cell(ref(0, 0), Role.LABEL, "judul", "title", text))
    sheet.merges.append(f"{ref(0, 0)}:{ref(0, last_col)}")
    sheet.row_heights[0] = max(24.0, text_height(text, sheet.col_widths[:last_col + 1], 14,
                                                 bold=True))
