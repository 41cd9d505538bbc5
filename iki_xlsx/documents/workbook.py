"""A document's tables as a workbook: one protected sheet per table, computed cells as live
formulas with their values cached, printed on A4 like every workbook of the tool.

`evaluate` plans the sheets and computes them once; the Word document shows the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from iki_xlsx.core.units import Unit
from iki_xlsx.documents.model import (
    CAPTION_ROW,
    DocTable,
    Document,
    Shown,
    body_row,
    every_cell,
    formula_of,
    header_row,
)
from iki_xlsx.plan.model import Cell, Role, SheetPlan, WorkbookPlan, ref, set_page
from iki_xlsx.plan.paging import printable_height_pt
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.workbook.evaluate import Batch, CellKey, Value
from iki_xlsx.workbook.write import write_workbook

CHARS_PER_CM = 5.2  # a workbook column's width unit (Calibri's digit) per centimetre
STYLE = {"text": "text", "center": "text_center", "number": "number", "pct": "pct"}
STRONG = {"text": "total_unit", "center": "total_text", "number": "total_number",
          "pct": "total_pct"}


def _sheet(table: DocTable, tables: Mapping[str, DocTable], footer: str) -> SheetPlan:
    sheet = SheetPlan(code=table.code, name=table.name, kind="dokumen", title=table.title,
                      footer=footer)
    sheet.col_widths = [round(c.width * CHARS_PER_CM, 1) for c in table.columns]
    last = len(table.columns) - 1
    sheet.cells.append(Cell(ref(CAPTION_ROW, 0), Role.LABEL, "judul", "block_title",
                            table.title))
    sheet.merges.append(f"{ref(CAPTION_ROW, 0)}:{ref(CAPTION_ROW, last)}")
    sheet.row_heights[CAPTION_ROW] = text_height(table.title, sheet.col_widths, 11, bold=True)
    head = header_row(table)
    alone: set[int] = set()  # columns without a group: their header spans both header rows
    col = 0
    for number, (text, span) in enumerate(table.groups):
        if span == 1 and not text:
            alone.add(col)
        else:
            sheet.cells.append(Cell(ref(head - 1, col), Role.LABEL, f"kelompok/{number}",
                                    "header", text))
            if span > 1:
                sheet.merges.append(f"{ref(head - 1, col)}:{ref(head - 1, col + span - 1)}")
        col += span
    for col, column in enumerate(table.columns):
        top = head - 1 if col in alone else head
        sheet.cells.append(Cell(ref(top, col), Role.LABEL, f"kepala/{col}", "header",
                                column.header))
        if col in alone:
            sheet.merges.append(f"{ref(top, col)}:{ref(head, col)}")
    sheet.row_heights[head] = max(text_height(c.header, sheet.col_widths[i], bold=True)
                                  for i, c in enumerate(table.columns))
    heights: dict[int, float] = {}
    spans: list[tuple[int, int, int, str]] = []  # cells merged down: row, column, rows, text
    for r, c, cell in every_cell(table):
        if cell.span == 0:
            continue  # under a cell merged down from above
        at = body_row(table, r)
        kind = table.columns[c].kind
        style = (STRONG if cell.strong else STYLE)[kind]
        key = f"baris/{r}/{c}"
        if cell.computed is not None:
            sheet.cells.append(Cell(ref(at, c), Role.FORMULA, key, style,
                                    formula=formula_of(cell.computed, table, tables)))
        else:
            sheet.cells.append(Cell(ref(at, c), Role.LABEL, key, style, cell.value))
        if cell.span > 1:
            spans.append((at, c, cell.span, str(cell.value or "")))
        elif isinstance(cell.value, str):
            heights[at] = max(heights.get(at, 15.0),
                              text_height(cell.value, sheet.col_widths[c], bold=cell.strong))
    blocks = _merged(sheet, spans, heights)
    sheet.row_heights.update(heights)
    below = body_row(table, len(table.rows)) + 1
    for n, note in enumerate(table.notes):
        sheet.cells.append(Cell(ref(below + n, 0), Role.LABEL, f"catatan/{n}", "text_plain",
                                note))
        sheet.merges.append(f"{ref(below + n, 0)}:{ref(below + n, last)}")
        sheet.row_heights[below + n] = text_height(note, sheet.col_widths)
    sheet.freeze = (head + 1, 0)
    sheet.repeat_rows = (head - (1 if table.groups else 0), head)
    set_page(sheet, first_row=head + 1, blocks=blocks)
    return sheet


def _merged(sheet: SheetPlan, spans: list[tuple[int, int, int, str]],
            heights: dict[int, float]) -> list[tuple[int, int]]:
    """Merge each cell spanning rows (a sasaran over its indicators) and keep its rows on one
    printed page; a span taller than a page is not merged, its text standing in its first row
    (a merged cell cut by a page break prints its text on the page before only)."""
    blocks = []
    room = printable_height_pt() - 60  # the repeated header rows
    for at, col, rows, text in spans:
        own = text_height(text, sheet.col_widths[col])
        need = sum(heights.get(r, 15.0) for r in range(at, at + rows))
        if max(need, own) <= room:
            sheet.merges.append(f"{ref(at, col)}:{ref(at + rows - 1, col)}")
            if own > need:  # the rows share what the text needs beyond them
                for r in range(at, at + rows):
                    heights[r] = heights.get(r, 15.0) + (own - need) / rows
            blocks.append((at, at + rows - 1))
        else:
            heights[at] = max(heights.get(at, 15.0), own)
    return blocks


def plan_document(document: Document) -> WorkbookPlan:
    """The document's tables as the sheets of one workbook plan."""
    tables = {t.code: t for t in document.tables}
    footer = (f"&L&8{document.title.replace('&', '&&')} — {document.kantor.replace('&', '&&')}"
              "&R&8Halaman &P dari &N")
    sheets = [_sheet(t, tables, footer) for t in document.tables]
    office = Unit("kecamatan", document.kantor, kantor=True)
    return WorkbookPlan(blueprint_id=document.blueprint, blueprint_versi=document.versi,
                        blueprint_hash=document.blueprint_hash, kantor=document.kantor,
                        unit=office, periode=document.tahun, periods=(), units=[office],
                        sheets=sheets, jenis="dokumen", title=document.title)


def evaluate(document: Document) -> tuple[WorkbookPlan, dict[CellKey, Value], Shown]:
    """Plan the document's workbook and compute it: the plan, its cell values (formulas and
    plain cells), and what every table cell shows."""
    plan = plan_document(document)
    inputs: dict[CellKey, Value] = {}
    for sheet in plan.sheets:
        for cell in sheet.cells:
            if cell.role is Role.LABEL and cell.value is not None:
                inputs[(sheet.code, cell.ref)] = cell.value
    values = {**inputs, **Batch(plan).evaluate([inputs])[0]}
    shown = Shown()
    for table in document.tables:
        for r, c, _ in every_cell(table):
            shown.values[(table.code, r, c)] = values.get((table.code, ref(body_row(table, r),
                                                                          c)))
    return plan, values, shown


def write_document_workbook(plan: WorkbookPlan, values: Mapping[CellKey, Value],
                            path: Path) -> Path:
    """Write the planned workbook atomically, every formula with its computed value."""
    return write_workbook(plan, values, {}, path)
