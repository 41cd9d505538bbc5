"""Render a workbook plan with xlsxwriter: protected sheets, validated inputs, cached values.

The writer computes no positions: it draws what the plan says, with the values
`evaluate` computed, and writes to a temporary name before renaming into place.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import CATALOG
from iki_xlsx.plan import paging
from iki_xlsx.plan.carriers import MANIFEST_SHEET, properties
from iki_xlsx.plan.formula import sheet_prefix
from iki_xlsx.plan.manifest import Manifest
from iki_xlsx.plan.model import (
    Chart,
    InputRule,
    Role,
    SheetPlan,
    Table,
    WorkbookPlan,
    chart_corner,
    rowcol,
)
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.workbook.evaluate import CellKey, Value

MANIFEST_CHUNK = 30000
MANIFEST_MARK = "iki-xlsx manifest"

_BASE = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
_BORDER = {"border": 1, "border_color": "#9E9E9E"}
STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "valign": "vcenter"},
    "meta_label": {"bold": True},
    "meta_value": {"text_wrap": True},
    "header": {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "text_wrap": True,
               "align": "center", "valign": "vcenter", **_BORDER},
    "text": {"text_wrap": True, **_BORDER},
    "text_plain": {"text_wrap": True},
    "text_bold": {"text_wrap": True, "bold": True, **_BORDER},
    "text_center": {"text_wrap": True, "align": "center", **_BORDER},
    "realisasi_label": {"bold": True, "bg_color": "#E7EEF7", **_BORDER},
    "total_label": {"bold": True, "align": "right", "text_wrap": True},
    "fixed_number": {"num_format": "General", "align": "right", **_BORDER},
    "input_number": {"bg_color": "#FFF2CC", "locked": False, "num_format": "General",
                     **_BORDER},
    "input_text": {"bg_color": "#FFF2CC", "locked": False, "align": "center", **_BORDER},
    "legend_input": {"bg_color": "#FFF2CC", **_BORDER},
    "formula_number": {"bg_color": "#F2F2F2", "num_format": "General", **_BORDER},
    "formula_pct": {"bg_color": "#E7EEF7", "num_format": "#,##0.00", **_BORDER},
    "formula_text": {"bg_color": "#E7EEF7", "align": "center", **_BORDER},
    # the recap
    "block_title": {"bold": True, "font_size": 11, "text_wrap": True, "valign": "vcenter"},
    "number": {"num_format": "#,##0.##", **_BORDER},
    "pct": {"num_format": "#,##0.00", **_BORDER},
    "text_value": {"align": "center", **_BORDER},
    "total_unit": {"bold": True, "bg_color": "#DDEBF7", **_BORDER},
    "total_text": {"bold": True, "bg_color": "#DDEBF7", "align": "center", **_BORDER},
    "total_accepted": {"bold": True, "bg_color": "#DDEBF7", "align": "center",
                       "num_format": '0" diterima"', **_BORDER},
    "total_number": {"bold": True, "bg_color": "#DDEBF7", "num_format": "#,##0.##", **_BORDER},
    "total_pct": {"bold": True, "bg_color": "#DDEBF7", "num_format": "#,##0.00", **_BORDER},
    "data_text": {},
    "data_wrap": {"text_wrap": True, "valign": "top"},
    "data_value": {"num_format": "General", "align": "right"},
    "data_hash": {"font_name": "Consolas"},
    "data_hash_wrap": {"font_name": "Consolas", "text_wrap": True, "valign": "top"},
    "signer": {"bold": True, "underline": 1},
}

FLAG = {"bg_color": "#F8CBAD", "border": 2, "border_color": "#C00000"}

PROTECTION = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_columns": True,
    "format_rows": True,
}


@dataclass(frozen=True)
class Notes:
    """Checker remarks to draw on a copy sent back: per cell, and as a list on its own sheet."""

    cells: Mapping[CellKey, str]
    rows: Sequence[tuple[str, str, str, str]]  # code, sheet, cell, message


NOTES_SHEET = "Catatan Pemeriksaan"
NOTES_CODE = "CATATAN"


# xlsxwriter's Worksheet._prepare_formula (3.x) tries 29 substitutions on every formula, for
# Excel 365's dynamic-array functions that no plan writes: `\bANCHORARRAY\(` ... `\bXLOOKUP\(`
# and `\SINGLE\(` (sic: any character and "INGLE("). None can apply to a formula without any
# of these words and "(" in it, so such a formula is written as it is (its "=" taken off, as
# xlsxwriter does): the same bytes at a fraction of the cost.
_DYNAMIC_CALLS = tuple(name + "(" for name in (
    "ANCHORARRAY", "BYCOL", "BYROW", "CHOOSECOLS", "CHOOSEROWS", "DROP", "EXPAND", "FILTER",
    "HSTACK", "LAMBDA", "MAKEARRAY", "MAP", "RANDARRAY", "REDUCE", "SCAN", "INGLE", "SEQUENCE",
    "SORT", "SORTBY", "SWITCH", "TAKE", "TEXTSPLIT", "TOCOL", "TOROW", "UNIQUE", "VSTACK",
    "WRAPCOLS", "WRAPROWS", "XLOOKUP"))

# The cached values xlsxwriter writes as an error (`t="e"`) rather than as text
_ERROR_VALUES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))


def _plain_formula(formula: str) -> str | None:
    """The formula as xlsxwriter stores it (its "=" taken off), or None where xlsxwriter's own
    path must take it: an empty or array formula, or one naming a dynamic-array function."""
    if (not formula or (formula.startswith("{") and formula.endswith("}"))
            or any(call in formula for call in _DYNAMIC_CALLS)):
        return None
    return _stripped(formula)


def _stripped(formula: str) -> str:
    """The formula without a leading "{" and "=" and a trailing "}", as xlsxwriter's
    `_prepare_formula` takes them off."""
    if formula.startswith("{"):
        formula = formula[1:]
    if formula.startswith("="):
        formula = formula[1:]
    if formula.endswith("}"):
        formula = formula[:-1]
    return formula


_PREPARED: dict[str, str | None] = {}  # formula text -> `_plain_formula`, within a process
_PREPARED_KEPT = 1 << 16


@functools.lru_cache(maxsize=1 << 14)
def _validation_xml(rule: InputRule, row: int, col: int) -> str | None:
    """The `<dataValidation>` element of an input cell, as xlsxwriter's own `data_validation`
    and writer make it (None when xlsxwriter refuses it: the public path then says why)."""
    from xlsxwriter.worksheet import Worksheet

    scratch = Worksheet()
    if scratch.data_validation(row, col, row, col, _validation(rule)) != 0:
        return None
    scratch.fh = io.StringIO()
    scratch._write_data_validation(scratch.validations[0])
    return str(scratch.fh.getvalue())


@functools.lru_cache(maxsize=1 << 14)
def _merge_area(first_row: int, first_col: int, last_row: int, last_col: int
                ) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A merged range's A1 reference (as xlsxwriter's `xl_range`) and its cells."""
    from xlsxwriter.utility import xl_range

    return xl_range(first_row, first_col, last_row, last_col), tuple(
        (r, c) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1))


_PLANNED_XML = "iki-xlsx planned element"  # a validation entry holding its element, written


@functools.cache
def _worksheet_class(public: bool = False) -> type:
    """xlsxwriter's Worksheet with the writer's four ways in, `plan_value`, `plan_formula`,
    `plan_merge` and `plan_validation`.

    With `public`, each goes through xlsxwriter's public methods (`write_number` ...,
    `write_formula`, `merge_range`, `data_validation`), and the sheet is written by
    xlsxwriter alone: what the plan writer must equal part by part (tests/test_generate.py).
    Without it (what the writer uses), they put into the worksheet's table what those methods
    would put there, without their checks for what a plan never holds (A1 arguments,
    constant-memory mode, a second look for dynamic-array functions), and the cells, rows and
    validations are written to XML by a loop of this module's own that falls back to
    xlsxwriter's for anything else (comments, array formulas, rich strings, dates, errors).
    The same bytes at less cost (measured in the commits that made it): every workbook of a
    generation is mostly cells, and nearly every test writes workbooks.
    """
    from xlsxwriter.utility import xl_col_to_name
    from xlsxwriter.worksheet import (
        CellBlankTuple,
        CellBooleanTuple,
        CellFormulaTuple,
        CellNumberTuple,
        CellStringTuple,
        Worksheet,
    )

    class PublicWorksheet(Worksheet):  # type: ignore[misc]
        def plan_value(self, row: int, col: int, value: Value, fmt: Any) -> None:
            if value is None or value == "":
                self.write_blank(row, col, None, fmt)
            elif isinstance(value, bool):
                self.write_boolean(row, col, value, fmt)
            elif isinstance(value, int | float):
                self.write_number(row, col, value, fmt)
            else:
                self.write_string(row, col, str(value), fmt)

        def plan_formula(self, row: int, col: int, formula: str, fmt: Any,
                         cached: str | float | bool) -> None:
            self.write_formula(row, col, formula, fmt, cached)

        def plan_merge(self, first_row: int, first_col: int, last_row: int, last_col: int,
                       fmt: Any) -> None:
            self.merge_range(first_row, first_col, last_row, last_col, "", fmt)

        def plan_validation(self, row: int, col: int, rule: InputRule) -> None:
            self.data_validation(row, col, row, col, _validation(rule))

        def plan_rows(self, first_row: int, first_col: int,
                      rows: Sequence[Sequence[Value]], formats: Sequence[Any]) -> None:
            """A table's values, row by row, each column in its own format."""
            for r, values in enumerate(rows, start=first_row):
                for c, value in enumerate(values):
                    self.plan_value(r, first_col + c, value, formats[c])

    if public:
        return PublicWorksheet

    class PlanWorksheet(PublicWorksheet):
        def _prepare_formula(self, formula: str, expand_future_functions: bool = False
                             ) -> str:
            if (self.use_future_functions or expand_future_functions
                    or any(call in formula for call in _DYNAMIC_CALLS)):
                return str(super()._prepare_formula(formula, expand_future_functions))
            return _stripped(formula)

        def plan_value(self, row: int, col: int, value: Value, fmt: Any) -> None:
            blank = value is None or value == ""
            if ((blank and fmt is None) or self.constant_memory
                    or (isinstance(value, float) and not math.isfinite(value))
                    or (isinstance(value, str) and len(value) > self.xls_strmax // 2)
                    or self._check_dimensions(row, col)):
                super().plan_value(row, col, value, fmt)  # nothing, an error, a cut string
                return
            if blank:
                cell: tuple[Any, ...] = CellBlankTuple(fmt)
            elif value.__class__ is bool:
                cell = CellBooleanTuple(1 if value else 0, fmt)
            elif isinstance(value, int | float):
                cell = CellNumberTuple(value, fmt)
            else:  # text no longer than xlsxwriter keeps (a longer one went its way above)
                cell = CellStringTuple(self.str_table._get_shared_string_index(str(value)), fmt)
            self.table[row][col] = cell

        def plan_formula(self, row: int, col: int, formula: str, fmt: Any,
                         cached: str | float | bool) -> None:
            try:
                prepared = _PREPARED[formula]
            except KeyError:
                if len(_PREPARED) >= _PREPARED_KEPT:
                    _PREPARED.clear()
                prepared = _PREPARED[formula] = _plain_formula(formula)
            if (prepared is None or self.use_future_functions or self.constant_memory
                    or self._check_dimensions(row, col)):
                super().plan_formula(row, col, formula, fmt, cached)
                return
            self.table[row][col] = CellFormulaTuple(prepared, fmt, cached)

        def plan_merge(self, first_row: int, first_col: int, last_row: int, last_col: int,
                       fmt: Any) -> None:
            cell_range, spots = _merge_area(first_row, first_col, last_row, last_col)
            if (len(spots) < 2 or self.constant_memory
                    or not self.merged_cells.keys().isdisjoint(spots)
                    or (self.table_cells and not self.table_cells.keys().isdisjoint(spots))
                    or self._check_dimensions(first_row, first_col)
                    or self._check_dimensions(last_row, last_col)):
                super().plan_merge(first_row, first_col, last_row, last_col, fmt)
                return
            self.merged_cells.update(dict.fromkeys(spots, cell_range))
            self.merge.append([first_row, first_col, last_row, last_col])
            if fmt is not None:
                blank = CellBlankTuple(fmt)
                table = self.table
                for r, c in spots:
                    table[r][c] = blank

        def plan_rows(self, first_row: int, first_col: int,
                      rows: Sequence[Sequence[Value]], formats: Sequence[Any]) -> None:
            widest = max((len(values) for values in rows), default=0)
            if (self.constant_memory or not widest or widest > len(formats) or first_row < 0
                    or first_col < 0 or first_row + len(rows) > self.xls_rowmax
                    or first_col + widest > self.xls_colmax):
                super().plan_rows(first_row, first_col, rows, formats)
                return
            table, shared = self.table, self.str_table._get_shared_string_index
            longest = self.xls_strmax // 2
            blanks = [None if fmt is None else CellBlankTuple(fmt) for fmt in formats]
            columns = range(first_col, first_col + widest)
            used: set[int] = set()  # the columns and rows written (a blank without a format
            top = bottom = -1  # is not written)
            for r, values in enumerate(rows, start=first_row):
                cells = table[r]
                for c, value, fmt, blank in zip(columns, values, formats, blanks, strict=False):
                    if value is None:
                        if blank is None:
                            continue
                        cells[c] = blank
                    elif isinstance(value, str):
                        if not value:
                            if blank is None:
                                continue
                            cells[c] = blank
                        elif len(value) > longest:
                            self.plan_value(r, c, value, fmt)
                        else:
                            cells[c] = CellStringTuple(shared(value), fmt)
                    elif value.__class__ in (int, float) and math.isfinite(value):
                        cells[c] = CellNumberTuple(value, fmt)
                    else:  # a flag, a number of another type, not finite: as one cell
                        self.plan_value(r, c, value, fmt)
                    used.add(c)
                    if top < 0:
                        top = r
                    bottom = r
                if not cells:
                    del table[r]  # a row nothing was written in has no entry
            if used:
                self._check_dimensions(top, min(used))
                self._check_dimensions(bottom, max(used))

        def _write_merge_cell(self, merged_range: list[int]) -> None:
            self.fh.write(f'<mergeCell ref="{_merge_area(*merged_range)[0]}"/>')

        def plan_validation(self, row: int, col: int, rule: InputRule) -> None:
            xml = _validation_xml(rule, row, col)
            if xml is None:
                super().plan_validation(row, col, rule)
                return
            self.validations.append({_PLANNED_XML: xml})

        def _write_data_validation(self, options: dict[str, Any]) -> None:
            xml = options.get(_PLANNED_XML)
            if xml is None:
                super()._write_data_validation(options)
            else:
                self.fh.write(xml)

        def _write_rows(self) -> None:
            if self.comments or self.constant_memory:
                super()._write_rows()
                return
            self._calculate_spans()
            write = self.fh.write
            escape = self._escape_data
            table, row_info, spans = self.table, self.row_info, self.row_spans
            styles: dict[int, str] = {}  # id(format) -> its ` s="n"`
            names: dict[int, str] = {}
            for row in range(self.dim_rowmin, self.dim_rowmax + 1):
                cells = table.get(row)
                info = row_info.get(row)
                if not cells:
                    if info is not None:
                        self._write_row(row, spans.get(row // 16), info, empty_row=True)
                    continue
                self._write_row(row, spans.get(row // 16), info)
                number = str(row + 1)
                for col in sorted(cells):
                    cell = cells[col]
                    kind = cell.__class__
                    if kind not in (CellNumberTuple, CellStringTuple, CellFormulaTuple,
                                    CellBlankTuple, CellBooleanTuple):
                        self._write_cell(row, col, cell)
                        continue
                    name = names.get(col)
                    if name is None:
                        name = names[col] = xl_col_to_name(col)
                    fmt = cell.format
                    if fmt is not None:
                        style = styles.get(id(fmt))
                        if style is None:
                            style = styles[id(fmt)] = f' s="{fmt._get_xf_index()}"'
                    else:
                        style = self._plan_default_style(row, col)
                    if kind is CellNumberTuple:
                        write(f'<c r="{name}{number}"{style}><v>{cell.number:.16G}</v></c>')
                    elif kind is CellStringTuple:
                        write(f'<c r="{name}{number}"{style} t="s"><v>{cell.string}</v></c>')
                    elif kind is CellFormulaTuple:
                        value = cell.value
                        typed = ""
                        if isinstance(value, bool):
                            typed, value = ' t="b"', 1 if value else 0
                        elif isinstance(value, str):
                            if value in _ERROR_VALUES:
                                typed = ' t="e"'
                            elif value:
                                typed = ' t="str"'
                            value = escape(value)
                        write(f'<c r="{name}{number}"{style}{typed}><f>{escape(cell.formula)}'
                              f'</f><v>{value}</v></c>')
                    elif kind is CellBlankTuple:
                        write(f'<c r="{name}{number}"{style}/>')
                    else:
                        write(f'<c r="{name}{number}"{style} t="b"><v>{cell.boolean}</v></c>')
                write("</row>")

        def _calculate_spans(self) -> None:
            """The `spans` of each block of 16 rows, as xlsxwriter's (which looks at every
            column of every row), from the columns each row holds."""
            if self.comments:
                super()._calculate_spans()
                return
            spans: dict[int, str] = {}
            low = high = -1
            table, last = self.table, self.dim_rowmax
            for row in range(self.dim_rowmin, last + 1):
                cells = table.get(row)
                if cells:
                    lowest, highest = min(cells), max(cells)
                    if low < 0:
                        low, high = lowest, highest
                    else:
                        low, high = min(low, lowest), max(high, highest)
                if low >= 0 and ((row + 1) % 16 == 0 or row == last):
                    spans[row // 16] = f"{low + 1}:{high + 1}"
                    low = -1
            self.row_spans = spans

        def _plan_default_style(self, row: int, col: int) -> str:
            """The ` s="n"` of a cell without a format: its row's, else its column's, as
            xlsxwriter's `_write_cell` takes it."""
            info = self.row_info.get(row)
            if info is not None and info.row_format:
                return f' s="{info.row_format._get_xf_index()}"'
            column = self.col_info.get(col)
            if column is not None and column.column_format is not None:
                return f' s="{column.column_format._get_xf_index()}"'
            return ""

    return PlanWorksheet


def write_workbook(plan: WorkbookPlan, values: Mapping[CellKey, Value],
                   inputs: Mapping[CellKey, Value], path: Path,
                   notes: Notes | None = None) -> Path:
    """Write `plan` to `path` atomically; `values` are the formula results to cache.

    With `notes`, the flagged cells are highlighted with a comment and a sheet lists them.
    """
    return atomic_write(path, lambda temporary: _render(plan, values, inputs, temporary, notes))


def _render(plan: WorkbookPlan, values: Mapping[CellKey, Value],
            inputs: Mapping[CellKey, Value], filename: str, notes: Notes | None,
            public: bool = False) -> None:
    """The workbook of `plan` into `filename` (`public`: through xlsxwriter's public methods
    alone, `_worksheet_class`)."""
    import xlsxwriter  # only where a file is written (a check that writes none never loads it)

    workbook = xlsxwriter.Workbook(filename, {"strings_to_formulas": False,
                                              "strings_to_urls": False, "in_memory": True})
    workbook.worksheet_class = _worksheet_class(public)
    recap = plan.jenis != "iki"  # a recap or a document: read by people, never a form
    workbook.set_properties({
        "created": datetime.datetime(plan.periode, 1, 1),  # reproducible files for one period
        "title": plan.title or (f"Rekap IKI {plan.kantor} {plan.periode}" if recap
                                else f"IKI {plan.unit.nama} {plan.periode}"),
        "subject": f"Indikator Kinerja Individu — {plan.kantor}",
        "author": plan.kantor,
        "company": plan.kantor,
        "comments": f"Dibuat oleh {plan.generator} dari blueprint {plan.blueprint_id} "
                    f"versi {plan.blueprint_versi}",
    })
    for name, value in properties(plan).items():
        workbook.set_custom_property(name, value)
    formats = {name: workbook.add_format({**_BASE, **spec}) for name, spec in STYLES.items()}
    # the flagged cells of an annotated copy (a format no cell uses is not written at all)
    flagged = ({name: workbook.add_format({**_BASE, **spec, **FLAG})
                for name, spec in STYLES.items()} if notes is not None else {})
    if notes is not None:
        _render_notes(workbook, notes, formats)
    for sheet in plan.sheets:
        _render_sheet(workbook, sheet, formats, values, inputs,
                      notes.cells if notes else {}, flagged)
    if not recap:  # only a form is checked back, by its manifest
        _render_manifest(workbook, plan)
    if notes is None:
        workbook.worksheets()[0].activate()
    workbook.close()


@functools.lru_cache(maxsize=1 << 14)
def _merge_span(merge: str) -> tuple[str, int, int, int, int]:
    """A merge's top-left reference and its first and last row and column."""
    top, bottom = merge.split(":")
    return (top, *rowcol(top), *rowcol(bottom))


def _render_sheet(workbook: Any, sheet: SheetPlan, formats: Mapping[str, Any],
                  values: Mapping[CellKey, Value], inputs: Mapping[CellKey, Value],
                  remarks: Mapping[CellKey, str], flagged: Mapping[str, Any]) -> None:
    ws = workbook.add_worksheet(sheet.name)
    for col, width in enumerate(sheet.col_widths):
        ws.set_column(col, col, width)
    for row, height in sheet.row_heights.items():
        ws.set_row(row, height)
    code = sheet.code
    spans = [_merge_span(merge) for merge in sheet.merges]
    tops = {span[0]: span for span in spans}
    top_cells = {c.ref: c for c in sheet.cells if c.ref in tops} if tops else {}
    for top, first_row, first_col, last_row, last_col in spans:
        cell = top_cells[top]
        ws.plan_merge(first_row, first_col, last_row, last_col, formats[cell.style])
        ws.plan_value(first_row, first_col, cell.value, formats[cell.style])
    plan_value, plan_formula, plan_validation = ws.plan_value, ws.plan_formula, ws.plan_validation
    formula_role, input_role = Role.FORMULA, Role.INPUT
    for cell in sheet.cells:
        at = cell.ref
        if at in tops:
            continue
        row, col = rowcol(at)
        fmt = formats[cell.style]
        if remarks:
            remark = remarks.get((code, at))
            if remark:
                fmt = flagged[cell.style]
                ws.write_comment(row, col, remark, {"author": "Pemeriksa IKI", "x_scale": 2,
                                                    "y_scale": 1.5})
        role = cell.role
        if role is formula_role:
            assert cell.formula is not None
            plan_formula(row, col, cell.formula.text, fmt, _cached(values.get((code, at))))
        elif role is input_role:
            plan_value(row, col, inputs.get((code, at)), fmt)
            assert cell.rule is not None
            plan_validation(row, col, cell.rule)
        else:
            plan_value(row, col, cell.value, fmt)
    if sheet.table is not None:
        _render_table(ws, sheet.table, formats)
    shown = _shown_numbers(sheet, values) if any(c.scale_cells for c in sheet.charts) else {}
    for chart in sheet.charts:
        _render_chart(workbook, ws, chart, shown)
    if sheet.autofilter:
        ws.autofilter(sheet.autofilter)
    ws.protect("", {**PROTECTION, "autofilter": True, "sort": True} if sheet.autofilter
               else PROTECTION)
    _page_setup(ws, sheet)
    if sheet.freeze != (0, 0):
        ws.freeze_panes(*sheet.freeze)
    workbook.define_name(sheet.defined_name, "=" + _absolute(sheet.name))


def _page_setup(ws: Any, sheet: SheetPlan) -> None:
    """A4 landscape at the plan's scale, with its breaks and repeated rows and columns."""
    page = sheet.page
    ws.set_landscape()
    ws.set_paper(paging.PAPER_A4)
    ws.set_print_scale(page.scale)
    ws.set_margins(left=paging.MARGIN_SIDE_IN, right=paging.MARGIN_SIDE_IN,
                   top=paging.MARGIN_TOP_IN, bottom=paging.MARGIN_BOTTOM_IN)
    ws.set_footer(sheet.footer, {"margin": 0.3})
    if page.row_breaks:
        ws.set_h_pagebreaks(page.row_breaks)
    if page.col_breaks:
        ws.set_v_pagebreaks(page.col_breaks)
    if sheet.repeat_rows:
        ws.repeat_rows(*sheet.repeat_rows)
    if page.repeat_cols:
        ws.repeat_columns(*page.repeat_cols)
    corners = [chart_corner(chart, sheet.col_widths, sheet.row_heights)
               for chart in sheet.charts]
    if ws.dim_rowmax is not None or corners:
        # The cells' own extent and every chart's (the cell holding its bottom-right corner)
        # as the print area: what LibreOffice and Excel print without one, so the pages are
        # the same. LibreOffice reads the defined names before the sheets, while every sheet
        # is empty and shares one page style; each of the four setters a sheet's print titles
        # become lays out again the page breaks of every sheet whose repeated rows/columns
        # that changed, down to row 1,048,576 unless the sheet has a print area
        # (ScTableSheetObj::setTitleRows and co. -> ScPrintFunc::UpdatePages ->
        # ScTable::UpdatePageBreaks): seconds of load time. xlsxwriter writes the areas
        # before the titles, so each layout stops at the cells and charts. The very hidden
        # manifest sheet gets none: LibreOffice prints a hidden sheet that has a print area
        # (Excel does not).
        ws.print_area(0, 0, max([ws.dim_rowmax or 0] + [row for row, _ in corners]),
                      max([ws.dim_colmax or 0] + [col for _, col in corners]))


def _render_table(ws: Any, table: Table, formats: Mapping[str, Any]) -> None:
    styles = [formats[name] for name in table.styles]
    ws.plan_rows(table.first_row, table.first_col, table.rows, styles)


def _shown_numbers(sheet: SheetPlan, values: Mapping[CellKey, Value]) -> dict[str, float]:
    """The numbers the sheet's cells show (a formula's cached value), by cell reference."""
    shown: dict[str, float] = {}
    for cell in sheet.cells:
        value = values.get((sheet.code, cell.ref)) if cell.role is Role.FORMULA else cell.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown[cell.ref] = float(value)
    return shown


def axis_end(largest: float) -> tuple[float, float]:
    """A round end at or above `largest` for a value axis from 0, and its step (at most ten
    steps of 1, 2 or 5 times a power of ten)."""
    magnitude = 10.0 ** math.floor(math.log10(largest))
    step = next(m * magnitude for m in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
                if largest / (m * magnitude) <= 10)
    return math.ceil(largest / step - 1e-9) * step, step


def _render_chart(workbook: Any, ws: Any, chart: Chart, shown: Mapping[str, float]) -> None:
    """Fixed 10 pt labels, never rotated (LibreOffice prints rotated labels at a size its own
    measure makes illegible), so at a print scale of 80 % or more they stay 8 pt on paper.
    Charts that split one table end their value axis at one round number (`scale_cells`)."""
    drawn = workbook.add_chart({"type": chart.kind})
    for name, values in chart.series:
        drawn.add_series({"name": name, "categories": chart.categories, "values": values,
                          "gap": 60})
    font = {"size": 10, "rotation": 0}
    drawn.set_title({"name": chart.title, "name_font": {"size": 11}})
    drawn.set_legend({"none": len(chart.series) == 1, "position": "bottom", "font": font})
    value_axis = {"num_font": font, "name_font": {**font, "bold": False}, "min": 0,
              **({"name": chart.value_title} if chart.value_title else {})}
    largest = max((shown[r] for r in chart.scale_cells if r in shown), default=0.0)
    if largest > 0:
        end, step = axis_end(largest)
        value_axis |= {"max": end, "major_unit": step}
    if chart.kind == "bar":  # categories top to bottom in the sheet's order, values below
        drawn.set_x_axis(value_axis)
        drawn.set_y_axis({"num_font": font, "reverse": True, "crossing": "max"})
    else:
        drawn.set_x_axis({"num_font": font})
        drawn.set_y_axis(value_axis)
    drawn.set_size({"width": chart.width, "height": chart.height})
    ws.insert_chart(chart.anchor, drawn)


def _absolute(sheet_name: str) -> str:
    return sheet_prefix(sheet_name) + "$A$1"


def _cached(value: Value) -> str | float | bool:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return str(value)


TITLE_LIMIT = 32  # Excel's limit on a validation prompt's title
MESSAGE_LIMIT = 255
DECIMAL_HINT = ("Desimal: pakai koma (83,5) bila Excel/LibreOffice berbahasa Indonesia, titik "
                "(83.5) bila berbahasa Inggris.")


def prompt_title(label: str) -> str:
    """The label cut at a word to fit Excel's 32 characters, with an ellipsis when cut."""
    if len(label) <= TITLE_LIMIT:
        return label
    words = label.split()
    title = ""
    for word in words:
        if len(title) + len(word) + (1 if title else 0) > TITLE_LIMIT - 1:
            break
        title = f"{title} {word}" if title else word
    return (title or label[:TITLE_LIMIT - 1]).rstrip(" ,;:-—(") + "…"


def _validation(rule: InputRule) -> dict[str, Any]:
    """Excel data validation for an input, with messages in Bahasa Indonesia: the full label,
    what is accepted, how to type a decimal, and whether the cell may stay empty."""
    spec: dict[str, Any] = {"input_title": prompt_title(rule.label),
                            "error_title": "Isian tidak sah", "error_type": "stop",
                            "ignore_blank": True}
    decimal = False
    if rule.tipe in ("ya_tidak", "pilihan"):
        spec.update(validate="list", source=list(rule.choices))
        accepted = "Pilih dari daftar: " + _either(rule.choices) + "."
        spec["error_message"] = "Pilih salah satu: " + _either(rule.choices) + "."
    else:
        kind = "integer" if rule.tipe == "bulat" else "decimal"
        decimal = kind == "decimal"
        spec["validate"] = kind
        what = "bilangan bulat" if kind == "integer" else "angka"
        if rule.min is not None and rule.max is not None:
            spec.update(criteria="between", minimum=rule.min, maximum=rule.max)
            accepted = f"Isi {what} dari {_n(rule.min)} sampai {_n(rule.max)}."
        elif rule.min is not None:
            spec.update(criteria=">=", value=rule.min)
            accepted = f"Isi {what} paling kecil {_n(rule.min)}."
        else:
            spec.update(criteria="<=", value=rule.max if rule.max is not None else 10**12)
            accepted = f"Isi {what}."
        spec["error_message"] = (accepted + " Tanpa titik ribuan dan tanpa satuan."
                                 + (" " + DECIMAL_HINT if decimal else ""))
    required = _required(rule)
    fixed = " ".join([accepted, *([DECIMAL_HINT] if decimal else []), required])
    label = rule.label.rstrip(".") + "."
    message = " ".join([label, *([rule.bantuan] if rule.bantuan else []), fixed])
    if len(message) > MESSAGE_LIMIT:  # the help text goes first, then the label is cut
        message = f"{label} {fixed}"
    if len(message) > MESSAGE_LIMIT:
        room = MESSAGE_LIMIT - len(fixed) - 2
        message = f"{label[:room].rsplit(' ', 1)[0]}… {fixed}"
    spec["input_message"] = message
    spec["error_message"] = spec["error_message"][:MESSAGE_LIMIT]
    return spec


def _required(rule: InputRule) -> str:
    """When the cell must be filled: a period's input only once that period (or a later one)
    is reported, as the checker judges (`missing-required`)."""
    if not rule.wajib:
        return "Boleh dikosongkan."
    if rule.periode is None:
        return "Wajib diisi."
    if rule.last_period:
        return f"Wajib diisi bila melaporkan {rule.periode}."
    return f"Wajib diisi bila melaporkan {rule.periode} atau periode sesudahnya."


def _either(choices: Sequence[str]) -> str:
    return ", ".join(choices[:-1]) + " atau " + choices[-1] if len(choices) > 1 else choices[0]


def _n(value: float) -> str:
    return f"{value:g}"


# no finding code: codes are for the operator and the log, the clerk reads words
NOTES_WIDTHS = (4.0, 26.0, 24.0, 7.0, 88.0)
NOTES_HEADERS = ("No", "Jenis temuan", "Lembar", "Sel", "Keterangan dan cara memperbaiki")
NOTES_STEPS = (
    "Berkas ini dikembalikan karena ada isian yang perlu diperbaiki. Daftar di bawah menyebut "
    "lembar, sel dan cara memperbaikinya; klik alamat sel untuk langsung menuju sel itu (sel "
    "yang perlu diperbaiki ditandai merah).",
    "Ubah hanya sel berwarna KUNING. Sel lain terkunci dan dihitung otomatis.",
    "Setelah semua diperbaiki, simpan berkas ini (format .xlsx) lalu kirim kembali sebagai "
    "lampiran email ke kecamatan, seperti pengiriman pertama.",
)


def _render_notes(workbook: Any, notes: Notes, formats: Mapping[str, Any]) -> None:
    """The checker's findings as a list, first sheet of an annotated copy: what to do, then
    per finding its kind, sheet, a link to the cell and the full message; A4 landscape."""
    ws = workbook.add_worksheet(NOTES_SHEET)
    last = len(NOTES_WIDTHS) - 1
    for col, width in enumerate(NOTES_WIDTHS):
        ws.set_column(col, col, width)
    heights = [24.0]
    ws.merge_range(0, 0, 0, last, "CATATAN PEMERIKSAAN", formats["title"])
    for i, step in enumerate(NOTES_STEPS, start=1):
        ws.merge_range(i, 0, i, last, f"{i}. {step}", formats["text_plain"])
        heights.append(text_height(f"{i}. {step}", NOTES_WIDTHS))
    heights.append(8.0)
    header = len(heights)
    for col, text in enumerate(NOTES_HEADERS):
        ws.write_string(header, col, text, formats["header"])
    heights.append(max(text_height(t, w, bold=True) for t, w in zip(NOTES_HEADERS,
                                                                      NOTES_WIDTHS, strict=True)))
    link = workbook.add_format({**_BASE, **_BORDER, "font_color": "#0563C1", "underline": 1,
                                "align": "center"})
    for number, (code, sheet, cell, message) in enumerate(notes.rows, start=1):
        row = len(heights)
        kind = CATALOG[code].title if code in CATALOG else code
        texts = (str(number), kind, sheet, cell, message)
        for col, text in enumerate(texts):
            if col == 3 and sheet and cell:
                target = "internal:" + sheet_prefix(sheet) + cell
                ws.write_url(row, col, target, link, string=cell,
                             tip=f"Menuju sel {cell} pada lembar {sheet}")
            else:
                ws.write_string(row, col, text,
                                formats["text_center" if col in (0, 3) else "text"])
        heights.append(max(text_height(t, w) for t, w in zip(texts, NOTES_WIDTHS, strict=True)))
    for row, height in enumerate(heights):
        ws.set_row(row, height)
    sheet_plan = SheetPlan(code=NOTES_CODE, name=NOTES_SHEET, kind="catatan", title=NOTES_SHEET,
                           col_widths=list(NOTES_WIDTHS), repeat_rows=(header, header),
                           footer=f"&L&{paging.FOOTER_SIZE}{NOTES_SHEET}"
                                  f"&C&{paging.FOOTER_SIZE}Halaman &P dari &N")
    sheet_plan.page = paging.page_setup(list(NOTES_WIDTHS), heights, first_row=header + 1,
                                        repeated_rows=(header, header))
    _page_setup(ws, sheet_plan)
    ws.protect("", PROTECTION)
    ws.activate()
    workbook.define_name("IKI_" + NOTES_CODE, "=" + _absolute(NOTES_SHEET))


def _render_manifest(workbook: Any, plan: WorkbookPlan) -> None:
    """A very hidden sheet holding the plan as JSON, in chunks that fit a cell."""
    ws = workbook.add_worksheet(MANIFEST_SHEET)
    text = json.dumps(Manifest.of_plan(plan).to_dict(), ensure_ascii=False, separators=(",", ":"))
    ws.write_string(0, 0, MANIFEST_MARK)
    for i in range(0, len(text), MANIFEST_CHUNK):
        ws.write_string(1 + i // MANIFEST_CHUNK, 0, text[i:i + MANIFEST_CHUNK])
    ws.protect("", {})
    ws.very_hidden()
