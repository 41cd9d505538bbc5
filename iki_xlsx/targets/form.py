"""Spreadsheets the office fills for itself (targets, last year's realisasi): writing the form,
and reading it back with every problem at its cell (`FILE.xlsx:Target!H5: message`).

A form has a Petunjuk sheet, a sheet of parts (Bagian | Isi | Keterangan, such as the year and
the kind of version) and table sheets, one row per item, whose columns are found by their header
text. Reading is bounded like a blueprint workbook (file size, unpacked size, rows) and never
evaluates anything in the file: a formula where a number is wanted is refused.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from iki_xlsx.core import periode
from iki_xlsx.core.angka import in_range, parse_text
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.errors import IkiError
from iki_xlsx.core.findings import Code, Finding, Message, os_reason

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20000
MAX_COLUMNS = 40
PARTS_SHEET = "Versi"

# --- writing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FormColumn:
    """A column of a table sheet: its header, width, whether the office types in it, and the
    input message (with an example) shown when a cell of it is selected."""

    header: str
    width: float
    input: bool = False
    number: bool = False
    help: str = ""


@dataclass(frozen=True)
class FormPart:
    """One row of the parts sheet: Bagian, Isi (the value), Keterangan."""

    label: str
    value: str | float | datetime.date | None
    help: str
    input: bool = False
    choices: tuple[str, ...] = ()
    date: bool = False


@dataclass
class FormSheet:
    """A table sheet to write: columns and rows of values (numbers or text)."""

    name: str
    columns: Sequence[FormColumn]
    rows: list[list[str | float | None]] = field(default_factory=list)


_BASE = {"font_name": "Calibri", "font_size": 10, "valign": "top", "text_wrap": True}
_BORDER = {"border": 1, "border_color": "#9E9E9E"}
_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "text_wrap": False},
    "text": {},
    "header": {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "align": "center",
               "valign": "vcenter", **_BORDER},
    "label": {"bold": True, **_BORDER},
    "fixed": {"bg_color": "#F2F2F2", **_BORDER},
    "input": {"bg_color": "#FFF2CC", "locked": False, **_BORDER},
    "input_date": {"bg_color": "#FFF2CC", "locked": False, "num_format": "dd-mm-yyyy",
                   **_BORDER},
    "note": {"italic": True, "font_color": "#595959", **_BORDER},
}


def write_form(path: Path, title: str, guide: Sequence[str], parts: Sequence[FormPart],
               sheets: Sequence[FormSheet]) -> Path:
    """Write a form atomically: Petunjuk, the parts sheet, then the table sheets. Only the
    yellow cells are unlocked (protection without a password, a guide and not security)."""
    return atomic_write(path, lambda temporary: _write(temporary, title, guide, parts, sheets))


def _write(filename: str, title: str, guide: Sequence[str], parts: Sequence[FormPart],
           sheets: Sequence[FormSheet]) -> None:
    book = xlsxwriter.Workbook(filename, {"strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties({"title": title, "comments": "iki-xlsx formulir kantor"})
    formats = {name: book.add_format({**_BASE, **spec}) for name, spec in _FORMATS.items()}
    _write_guide(book, formats, title, guide)
    _write_parts(book, formats, parts)
    for sheet in sheets:
        _write_table(book, formats, sheet)
    book.get_worksheet_by_name(PARTS_SHEET).activate()
    book.close()


def _page(ws: Any, landscape: bool = True) -> None:
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _lines(text: str, width: float) -> int:
    per_line = max(int(width * 1.05) - 1, 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _write_guide(book: Any, formats: dict[str, Any], title: str, guide: Sequence[str]) -> None:
    ws = book.add_worksheet("Petunjuk")
    ws.set_column(0, 0, 110)
    ws.write_string(0, 0, title, formats["title"])
    ws.set_row(0, 22)
    for row, text in enumerate(guide, start=1):
        ws.write_string(row, 0, text, formats["text"])
        ws.set_row(row, 14 * _lines(text, 110))
    ws.hide_gridlines(2)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    _page(ws, landscape=False)


def _write_parts(book: Any, formats: dict[str, Any], parts: Sequence[FormPart]) -> None:
    ws = book.add_worksheet(PARTS_SHEET)
    widths = (18, 40, 70)
    for col, (header, width) in enumerate(zip(("Bagian", "Isi", "Keterangan"), widths,
                                              strict=True)):
        ws.set_column(col, col, width)
        ws.write_string(0, col, header, formats["header"])
    for row, part in enumerate(parts, start=1):
        ws.write_string(row, 0, part.label, formats["label"])
        style = ("input_date" if part.date else "input") if part.input else "fixed"
        _write_value(ws, row, 1, part.value, formats[style])
        ws.write_string(row, 2, part.help, formats["note"])
        ws.set_row(row, 14 * max(_lines(part.help, widths[2]), 1))
        if part.input:
            ws.data_validation(row, 1, row, 1, _part_validation(part))
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True,
                    "format_columns": True, "format_rows": True})
    _page(ws)


def _part_validation(part: FormPart) -> dict[str, Any]:
    prompt = {"input_title": part.label[:32], "input_message": part.help[:255]}
    if part.choices:
        return {"validate": "list", "source": list(part.choices), **prompt,
                "error_title": "Pilihan tidak ada",
                "error_message": "Pilih salah satu: " + ", ".join(part.choices) + "."}
    if part.date:
        return {"validate": "date", "criteria": "between",
                "minimum": datetime.date(periode.FIRST, 1, 1),
                "maximum": datetime.date(periode.LAST, 12, 31), **prompt,
                "error_title": "Bukan tanggal",
                "error_message": "Ketik tanggal, misalnya 15-08-2026 (hari-bulan-tahun)."}
    return {"validate": "any", **prompt}


def _write_table(book: Any, formats: dict[str, Any], sheet: FormSheet) -> None:
    ws = book.add_worksheet(sheet.name)
    for col, column in enumerate(sheet.columns):
        ws.set_column(col, col, column.width)
        ws.write_string(0, col, column.header, formats["header"])
    ws.set_row(0, 14 * max(_lines(c.header, c.width) for c in sheet.columns) + 4)
    for row, values in enumerate(sheet.rows, start=1):
        lines = 1
        for col, (column, value) in enumerate(zip(sheet.columns, values, strict=True)):
            _write_value(ws, row, col, value, formats["input" if column.input else "fixed"])
            if isinstance(value, str):
                lines = max(lines, _lines(value, column.width))
        ws.set_row(row, 14 * min(lines, 6))
    last = max(len(sheet.rows), 1)
    for col, column in enumerate(sheet.columns):
        if column.input and column.number:
            ws.data_validation(1, col, last, col, {
                "validate": "decimal", "criteria": ">=", "value": 0,
                "input_title": column.header[:32], "input_message": column.help[:255],
                "error_title": "Harus angka",
                "error_message": "Ketik angka 0 atau lebih, tanpa satuan dan tanpa titik "
                                 "ribuan."})
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True,
                    "format_columns": True, "format_rows": True, "autofilter": True})
    ws.autofilter(0, 0, last, len(sheet.columns) - 1)
    _page(ws)


def _write_value(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), fmt)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


# --- reading ------------------------------------------------------------------------------------

class Refused(IkiError):
    """A file that is not read at all (too big, not an xlsx, missing): what to say."""

    def __init__(self, said: Message) -> None:
        super().__init__(said.text)
        self.said = said


def open_form(path: Path) -> Any:
    """The workbook, read-only and bounded; `Refused` with the reason in Bahasa Indonesia."""
    import openpyxl

    unreadable = Code.FORM_UNREADABLE
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Refused(unreadable.message("too-big", ukuran=size // 1024,
                                             batas=MAX_FILE_BYTES // 1024 // 1024))
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise Refused(unreadable.message("too-big-unpacked",
                                             batas=MAX_UNPACKED_BYTES // 1024 // 1024))
        return openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except FileNotFoundError:
        raise Refused(unreadable.message("missing")) from None
    except IsADirectoryError:
        raise Refused(unreadable.message("folder")) from None
    except Refused:
        raise
    except Exception:  # zipfile, XML and openpyxl errors: the file is not a workbook we read
        raise Refused(unreadable.message("not-xlsx")) from None


@dataclass(frozen=True)
class FormCell:
    """A value read from a form with its place (sheet, cell)."""

    value: Any
    sheet: str
    cell: str


@dataclass(frozen=True)
class FormRow:
    """A row of a table sheet: its number (1-based, as the sheet shows it) and its cells by
    header (every known column, empty cells holding None)."""

    number: int
    cells: dict[str, FormCell]

    def __getitem__(self, header: str) -> FormCell:
        return self.cells[header]

    def empty(self, headers: Sequence[str]) -> bool:
        return all(_blank(self.cells[h].value) for h in headers if h in self.cells)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_NUMERIC = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def read_bytes(path: Path, reader: FormReader) -> tuple[bytes, Any]:
    """The file's bytes and its workbook opened for reading; (b"", None) with a finding when
    it cannot be read."""
    try:
        data = path.read_bytes() if path.is_file() else b""
        return data, open_form(path)
    except Refused as exc:
        reader.findings.append(Finding.of(exc.said, file=reader.shown))
    except OSError as exc:
        reader.findings.append(Finding.of(Code.FORM_UNREADABLE.message(alasan=os_reason(exc)),
                                          file=reader.shown))
    return b"", None


class FormReader:
    """Reads a form's sheets, collecting one located finding per problem."""

    def __init__(self, shown: str, template_hint: str) -> None:
        self.shown = shown
        self.template_hint = template_hint  # how to get a fresh form, said with sheet errors
        self.findings: list[Finding] = []

    def problem(self, where: FormCell | tuple[str, str], said: Message) -> None:
        sheet, cell = (where.sheet, where.cell) if isinstance(where, FormCell) else where
        self.findings.append(Finding.of(said, file=self.shown, sheet=sheet, cell=cell))

    def sheets_present(self, book: Any, names: Sequence[str]) -> bool:
        """Whether the form has these sheets; one finding naming every missing one."""
        missing = [n for n in names if n not in book.sheetnames]
        if missing:
            listed = " dan ".join(f"'{n}'" for n in missing)
            self.problem((missing[0], "A1"), Code.FORM_SHEET_MISSING.message(
                lembar=listed, cara=self.template_hint))
        return not missing

    def parts(self, ws: Any, labels: Sequence[str]) -> dict[str, FormCell]:
        """The parts sheet: the Isi cell of each known Bagian (missing ones point at A1)."""
        found: dict[str, FormCell] = {}
        for number, row in enumerate(ws.iter_rows(min_row=2, max_row=200, max_col=2), start=2):
            label = row[0].value if row else None
            if label is None:
                continue
            normal = _normal(str(label))
            for wanted in labels:
                if _normal(wanted) == normal and wanted not in found:
                    value = row[1].value if len(row) > 1 else None
                    if len(row) > 1 and getattr(row[1], "data_type", None) == "f":
                        value = _Formula(str(value))
                    found[wanted] = FormCell(value, ws.title, f"B{number}")
        for wanted in labels:
            if wanted not in found:
                self.problem((ws.title, "A1"), Code.FORM_SHEET_MISSING.message(
                    "part", bagian=wanted, lembar=ws.title, cara=self.template_hint))
        return found

    def table(self, ws: Any, headers: Sequence[str]) -> Iterator[FormRow] | None:
        """The rows of a table sheet whose columns are found by header; None (with one
        finding) when a column is missing."""
        rows = ws.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS)
        header = next(rows, ())
        where: dict[str, int] = {}
        for index, cell in enumerate(header):
            if cell.value is None:
                continue
            normal = _normal(str(cell.value))
            for wanted in headers:
                if _normal(wanted) == normal:
                    where.setdefault(wanted, index)
        missing = [h for h in headers if h not in where]
        if missing:
            listed = ", ".join(f"'{h}'" for h in missing)
            self.problem((ws.title, "A1"), Code.FORM_SHEET_MISSING.message(
                "columns", kolom=listed, lembar=ws.title, cara=self.template_hint))
            return None
        return self._rows(ws.title, rows, where)

    @staticmethod
    def _rows(title: str, rows: Any, where: dict[str, int]) -> Iterator[FormRow]:
        for number, cells in enumerate(rows, start=2):
            values: dict[str, FormCell] = {}
            for header, index in where.items():
                cell = cells[index] if index < len(cells) else None
                value = cell.value if cell is not None else None
                if cell is not None and getattr(cell, "data_type", None) == "f":
                    value = _Formula(str(value))
                values[header] = FormCell(value, title, str(xl_rowcol_to_cell(number - 1,
                                                                               index)))
            yield FormRow(number, values)

    # --- values ---

    def number(self, cell: FormCell, what: str) -> float | None:
        """A number the office typed (None, with a finding, when it is not one; None without
        one when the cell is empty)."""
        value = cell.value
        invalid = Code.FORM_INVALID_VALUE
        if _blank(value):
            return None
        if isinstance(value, _Formula):
            self.problem(cell, invalid.message("formula", kolom=what, rumus=value.text))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            text = _printable(str(value).strip())
            variant = ("text-number" if parse_text(text) is not None or _NUMERIC.match(text)
                       else "not-number")
            self.problem(cell, invalid.message(variant, kolom=what, nilai=text))
            return None
        number = float(value)
        if not in_range(number):
            self.problem(cell, invalid.message("out-of-range", kolom=what))
            return None
        if number < 0:
            self.problem(cell, invalid.message("negative", kolom=what, nilai=_shown(number)))
            return None
        return number

    def text(self, cell: FormCell | None, what: str, required: bool = True) -> str | None:
        value = None if cell is None else cell.value
        if cell is None or _blank(value):
            if required and cell is not None:
                self.problem(cell, Code.FORM_INVALID_VALUE.message("required", kolom=what))
            return None
        if isinstance(value, _Formula):
            self.problem(cell, Code.FORM_INVALID_VALUE.message("formula", kolom=what,
                                                               rumus=value.text))
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()[:10]
        return str(value).strip()

    def year(self, cell: FormCell | None, expected: int | None = None) -> int | None:
        """A year from 2000 to 2100 (and `expected`, when the command names one)."""
        if cell is None:
            return None
        value = cell.value
        text = (str(int(value)) if isinstance(value, int | float) and not isinstance(value, bool)
                and float(value).is_integer() else str(value if value is not None else ""))
        year = periode.parse_year(text)
        if year is None:
            self.problem(cell, Code.FORM_YEAR_INVALID.message(nilai=_printable(text.strip())))
            return None
        if expected is not None and year != expected:
            self.problem(cell, Code.FORM_YEAR_INVALID.message("other-year", tahun=year,
                                                              diminta=expected))
            return None
        return year

    def date(self, cell: FormCell | None, what: str) -> datetime.date | None:
        """A date cell, or a date typed as text (15-08-2026, 15/08/2026 or 2026-08-15)."""
        if cell is None:
            return None
        value = cell.value
        if _blank(value):
            self.problem(cell, Code.FORM_INVALID_VALUE.message("date-required", kolom=what))
            return None
        if isinstance(value, datetime.datetime):
            found: datetime.date | None = value.date()
        elif isinstance(value, datetime.date):
            found = value
        else:
            found = _parse_date(str(value).strip())
        if found is None or not periode.valid(found.year):
            self.problem(cell, Code.FORM_INVALID_VALUE.message(
                "not-date", kolom=what, nilai=_printable(str(value))))
            return None
        return found

    def choice(self, cell: FormCell | None, what: str, choices: Sequence[str]) -> str | None:
        text = self.text(cell, what)
        if text is None or cell is None:
            return None
        for choice in choices:
            if text.lower() == choice.lower():
                return choice
        self.problem(cell, Code.FORM_INVALID_VALUE.message(
            "choice", kolom=what, nilai=_printable(text), pilihan=" atau ".join(choices)))
        return None


def _printable(text: str) -> str:
    """Text from a cell as a message shows it: control characters as '?', at most 40."""
    return "".join(c if c.isprintable() else "?" for c in text)[:40]


@dataclass(frozen=True)
class _Formula:
    """A formula found where a value is wanted (never evaluated)."""

    text: str


def _parse_date(text: str) -> datetime.date | None:
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _shown(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def shown_number(number: float) -> str:
    """A number as a message shows it (decimal comma)."""
    return _shown(number)
