"""Blueprints as spreadsheets: the template to fill, reading it back, converting to and from YAML.

`write_blueprint_xlsx(bp, path)` writes a blueprint workbook (the empty template when `bp` is
None); `load_blueprint_xlsx(path)` reads one into the same model with the same rules as YAML,
every problem located at its cell (`FILE.xlsx:Indikator!F12: ...`), all at once. Reading is
bounded (file size, unpacked size, rows) and never evaluates anything in the file.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell

from iki_xlsx.blueprint.expression import number_literal
from iki_xlsx.blueprint.load import LoadResult, nearest, validate_data
from iki_xlsx.blueprint.model import DEFAULT_PREDIKAT, Blueprint, Jenis
from iki_xlsx.blueprint.patterns import find_pattern
from iki_xlsx.blueprint.sheets import (
    ATURAN,
    CHOICE_SHEET,
    CHOICES,
    IKU,
    IKU_MARK,
    INDIKATOR,
    JABATAN,
    KANTOR,
    SHEETS,
    SKALA,
    VARIABEL,
    Column,
    Kind,
    SheetSpec,
)
from iki_xlsx.blueprint.yamlsource import Place
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.errors import IkiError
from iki_xlsx.core.findings import Finding

Path_ = tuple[str | int, ...]
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
VALIDATED_ROWS = 1000  # drop-downs and input messages cover this many rows of each sheet
KINDS = frozenset(j.value for j in Jenis)


# --- writing ------------------------------------------------------------------------------------

def write_blueprint_xlsx(bp: Blueprint | None, path: Path) -> Path:
    """Write `bp` in the spreadsheet form (the empty template when None), atomically."""
    return atomic_write(path, lambda temporary: _write(bp, temporary))


def _write(bp: Blueprint | None, filename: str) -> None:
    workbook = xlsxwriter.Workbook(filename, {"strings_to_formulas": False,
                                              "strings_to_numbers": False,
                                              "strings_to_urls": False})
    workbook.set_properties({"title": "Blueprint IKI", "comments": "iki-xlsx blueprint"})
    formats = {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                       "bg_color": "#DDEBF7", "border": 1}),
        "cell": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "label": workbook.add_format({"bold": True, "valign": "top", "text_wrap": True}),
        "note": workbook.add_format({"italic": True, "font_color": "#595959", "text_wrap": True,
                                     "valign": "top"}),
    }
    _write_guide(workbook, formats)
    ranges = _write_choices(workbook)
    rows = _rows(bp) if bp is not None else _template_rows()
    _write_kantor(workbook, formats, rows.kantor, ranges)
    for spec in SHEETS[1:]:
        _write_table(workbook, formats, spec, rows.tables[spec.name], ranges)
    workbook.get_worksheet_by_name("Kantor").activate()
    workbook.close()


GUIDE = (
    "Blueprint IKI dalam bentuk lembar kerja",
    "",
    "Isi lembar-lembar berikut, satu baris per butir. Setiap kolom menampilkan pesan bantuan "
    "dengan contoh saat selnya dipilih; kolom pilihan memiliki daftar tarik-turun.",
    "1. Kantor: data keputusan (id, versi, nama, kantor, jenis unit, pembagian periode).",
    "2. Jabatan: satu baris per jabatan. Tugas dan fungsi: satu per baris di dalam sel "
    "(Alt+Enter; di LibreOffice Ctrl+Enter).",
    "3. Indikator: satu baris per indikator. Kolom A-D sama dengan tabel keputusan (Sasaran, "
    "Indikator, Formulasi perhitungan, Sumber data): tabel dari keputusan dapat ditempel "
    "langsung, lalu isi kolom Jabatan, Id, Satuan, Target dan Jenis / pola.",
    "4. Jenis / pola: pilih menurut makna, mis. 'persentase dua jumlah' (pembilang = variabel "
    "pertama, penyebut = variabel kedua) atau 'persentase desa/kelurahan yang memenuhi semua "
    "kriteria'; kolom lain yang diperlukan terisi sendiri.",
    "5. Variabel: satu baris per isian yang ditanyakan workbook, dengan Jabatan dan Indikator "
    "pemiliknya.",
    "6. Aturan (boleh kosong): pemeriksaan antarvariabel, mis. hadir <= undangan.",
    "7. Skala: predikat seluruh blueprint (Jabatan dan Indikator kosong) dan skala indikator "
    "jenis nilai, urut dari yang tertinggi.",
    "8. IKU (boleh kosong): tabel Indikator Kinerja Utama kantor; variabelnya di lembar "
    "Variabel dengan Jabatan = IKU.",
    "",
    "Periksa dengan: iki-xlsx blueprint check BERKAS.xlsx  (setiap kesalahan ditunjukkan "
    "dengan lembar dan selnya, mis. Indikator!F12).",
    "Ubah ke YAML bila perlu: iki-xlsx blueprint ubah BERKAS.xlsx -o BERKAS.yaml",
)


LINE_HEIGHT = 15  # points per line of Calibri 11
ROW_LINES = 5  # a table row shows at most this many lines, so a 768-pixel screen holds several


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (a generous estimate)."""
    per_line = max(int(width * 0.95) - 1, 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _fit_row(ws: Any, row: int, cells: list[tuple[str, float]], most: int = 27) -> None:
    """Set a row's height to show its wrapped text (up to `most` lines): office programs do
    not adjust it on opening."""
    lines = min(max((_lines(text, width) for text, width in cells if text), default=1), most)
    if lines > 1:
        ws.set_row(row, lines * LINE_HEIGHT)


def _page(ws: Any) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(0)


def _write_guide(workbook: Any, formats: dict[str, Any]) -> None:
    ws = workbook.add_worksheet("Petunjuk")
    ws.set_column(0, 0, 100, formats["cell"])
    ws.write_string(0, 0, GUIDE[0], formats["title"])
    ws.set_row(0, 22)
    for row, text in enumerate(GUIDE[1:], start=1):
        ws.write_string(row, 0, text, formats["cell"])
        _fit_row(ws, row, [(text, 100)])
    ws.hide_gridlines(2)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _write_choices(workbook: Any) -> dict[str, str]:
    """The drop-down lists on a hidden sheet; returns each list's absolute range."""
    ws = workbook.add_worksheet(CHOICE_SHEET)
    ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(CHOICES.items()):
        ws.write_string(0, col, name)
        for row, value in enumerate(values, start=1):
            ws.write_string(row, col, value)
        letter = xl_col_to_name(col)
        ranges[name] = f"={CHOICE_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    ws.hide()
    return ranges


def _prompt(column: Column) -> dict[str, Any]:
    return {"input_title": column.header[:32], "input_message": column.help[:255]}


def _validation(column: Column, ranges: dict[str, str]) -> dict[str, Any]:
    if column.choices is not None:
        return {"validate": "list", "source": ranges[column.choices], **_prompt(column),
                "error_title": "Pilihan tidak ada",
                "error_message": "Pilih salah satu nilai dari daftar tarik-turun."}
    if column.kind in (Kind.NUMBER, Kind.INTEGER):
        return {"validate": "integer" if column.kind is Kind.INTEGER else "decimal",
                "criteria": "between", "minimum": -1e15 if column.kind is Kind.NUMBER else 0,
                "maximum": 1e15 if column.kind is Kind.NUMBER else 100000, **_prompt(column),
                "error_title": "Harus angka",
                "error_message": "Ketik angka saja, tanpa huruf atau tanda kutip."}
    return {"validate": "any", **_prompt(column)}


def _write_kantor(workbook: Any, formats: dict[str, Any], values: dict[str, Any],
                  ranges: dict[str, str]) -> None:
    ws = workbook.add_worksheet(KANTOR.name)
    widths = (20, 55, 60)
    for col, (header, width) in enumerate(zip(("Bagian", "Isi", "Keterangan"), widths,
                                              strict=True)):
        ws.set_column(col, col, width)
        ws.write_string(0, col, header, formats["header"])
    for row, column in enumerate(KANTOR.columns, start=1):
        value = values.get(column.key)
        ws.write_string(row, 0, column.header, formats["label"])
        _write_cell(ws, row, 1, column, value, formats["cell"])
        ws.write_string(row, 2, column.help, formats["note"])
        ws.data_validation(row, 1, row, 1, _validation(column, ranges))
        _fit_row(ws, row, [(_shown(column, value), widths[1]), (column.help, widths[2])])
    ws.freeze_panes(1, 0)
    _page(ws)
    ws.fit_to_pages(1, 0)


def _write_table(workbook: Any, formats: dict[str, Any], spec: SheetSpec,
                 rows: list[dict[str, Any]], ranges: dict[str, str]) -> None:
    ws = workbook.add_worksheet(spec.name)
    for col, column in enumerate(spec.columns):
        ws.set_column(col, col, column.width)
        ws.write_string(0, col, column.header, formats["header"])
        ws.data_validation(1, col, VALIDATED_ROWS, col, _validation(column, ranges))
    for row, values in enumerate(rows, start=1):
        for col, column in enumerate(spec.columns):
            _write_cell(ws, row, col, column, values.get(column.key), formats["cell"])
        _fit_row(ws, row, [(_shown(c, values.get(c.key)), c.width) for c in spec.columns],
                 ROW_LINES)
    ws.freeze_panes(1, 0)
    ws.set_row(0, 2 * LINE_HEIGHT)  # headers such as "Agregasi periode" take two lines
    _page(ws)


def _write_cell(ws: Any, row: int, col: int, column: Column, value: Any, fmt: Any) -> None:
    if value is None or value == [] or value == {}:
        ws.write_blank(row, col, None, fmt)
    elif column.kind in (Kind.NUMBER, Kind.INTEGER):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, _shown(column, value), fmt)


def _shown(column: Column, value: Any) -> str:
    """The text a cell shows for a value (numbers as Python writes them)."""
    if value is None:
        return ""
    if column.kind is Kind.YES_NO:
        return "Ya" if value else "Tidak"
    if column.kind is Kind.LINES:
        return "\n".join(value)
    if column.kind is Kind.CONSTANTS:
        return "\n".join(_constant_line(k, v) for k, v in value.items())
    return str(value)


def _constant_line(name: str, value: Any) -> str:
    """`hari_kerja = 240`, or `hari_kerja = 240 per tahun` for a constant stated per year."""
    if isinstance(value, dict):
        per = " per tahun" if value.get("per") == "tahun" else ""
        return f"{name} = {number_literal(value['nilai'])}{per}"
    return f"{name} = {number_literal(value)}"


@dataclass
class Rows:
    """A blueprint laid out as spreadsheet rows: Kantor values and one row list per sheet."""

    kantor: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {spec.name: [] for spec in SHEETS[1:]})


def _template_rows() -> Rows:
    rows = Rows({"versi": "1", "jenis_unit": "kelurahan", "pembagian": "triwulan"})
    rows.tables["Skala"] = [{"min": t.min, "label": t.label} for t in DEFAULT_PREDIKAT]
    return rows


def _rows(bp: Blueprint) -> Rows:
    data = bp.model_dump(mode="json")
    iku = data.pop("iku")
    jabatan = data.pop("jabatan")
    rows = Rows({k: v for k, v in data.items() if k != "predikat"})
    if iku is not None:
        rows.kantor["iku.sumber"], rows.kantor["iku.judul"] = iku["sumber"], iku["judul"]
    rows.tables["Skala"] = [dict(t) for t in data["predikat"]]
    for jab in jabatan:
        rows.tables["Jabatan"].append({k: v for k, v in jab.items() if k != "indikator"})
        for ind in jab["indikator"]:
            _indicator_rows(rows, "Indikator", jab["id"], ind)
    for ind in (iku or {}).get("indikator", []):
        _indicator_rows(rows, "IKU", IKU_MARK, ind)
    return rows


def _indicator_rows(rows: Rows, sheet: str, owner: str, ind: dict[str, Any]) -> None:
    ref = {"@jabatan": owner, "@indikator": ind["id"]}
    nested = ("ambang", "renstra")
    flat = {k: v for k, v in ind.items() if k not in ("variabel", "aturan", "skala", *nested)}
    for part in nested:
        for key, value in (ind.get(part) or {}).items():
            flat[f"{part}.{key}"] = value
    rows.tables[sheet].append({**flat, "@jabatan": owner})
    rows.tables["Variabel"] += [{**ref, **var} for var in ind["variabel"]]
    rows.tables["Aturan"] += [{**ref, **rule} for rule in ind["aturan"]]
    rows.tables["Skala"] += [{**ref, **step} for step in ind["skala"] or []]


# --- reading ------------------------------------------------------------------------------------

@dataclass
class CellMap:
    """Where each data path of a blueprint read from a workbook stands: a sheet and a cell."""

    rows: dict[Path_, tuple[SheetSpec, int]] = field(default_factory=dict)
    columns: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> key -> column
    cells: dict[Path_, tuple[str, str]] = field(default_factory=dict)

    def locate(self, path: Path_, *, key: bool = False) -> Place:
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.cells:
                sheet, cell = self.cells[prefix]
                return Place(sheet=sheet, cell=cell)
            if prefix in self.rows:
                spec, row = self.rows[prefix]
                return Place(sheet=spec.name, cell=xl_rowcol_to_cell(
                    row, self._column(spec.name, path[end:])))
        return Place(sheet=KANTOR.name, cell="B2")

    def _column(self, sheet: str, rest: Path_) -> int:
        known = self.columns.get(sheet, {})
        names = ["jenis" if step == "pola" else str(step) for step in rest
                 if isinstance(step, str)]  # a pattern is chosen in the Jenis / pola column
        for count in range(len(names), 0, -1):
            dotted = ".".join(names[:count])
            if dotted in known:
                return known[dotted]
        return 0

    def term(self, path: Path_) -> str:
        """`kolom 'Satuan'` (or `bagian 'Versi'` on the Kantor sheet) for a data path."""
        place = self.locate(path, key=True)
        dotted = ".".join(str(step) for step in path if isinstance(step, str))
        if place.sheet == KANTOR.name:
            column = KANTOR.column(dotted)
            return f"bagian '{column.header}'" if column else f"kunci '{path[-1]}'"
        spec = next((s for s in SHEETS if s.name == place.sheet), None)
        _, index = xl_cell_to_rowcol(place.cell or "A1")
        keys = [k for k, i in self.columns.get(place.sheet or "", {}).items() if i == index]
        column = spec.column(keys[0]) if spec is not None and keys else None
        if column is not None and dotted.endswith(column.key.split(".")[-1]):
            return f"kolom '{column.header}'"
        return f"kunci '{path[-1]}'"


class _Refused(IkiError):
    """A workbook that is not read at all (too big, not an xlsx); `said` says why."""

    def __init__(self, said: Message) -> None:
        super().__init__(said.text)
        self.said = said


def load_blueprint_xlsx(path: Path) -> LoadResult:
    """Read and validate a blueprint workbook; never raises for a bad file."""
    shown = str(path)
    try:
        book = _open(path)
    except _Refused as exc:
        return LoadResult(shown, None, [Finding.of(exc.said, file=shown)])
    reader = _Reader(shown)
    try:
        data = reader.read(book)
    finally:
        book.close()
    if reader.structural:  # sheets or columns missing: every row would repeat the same finding
        return LoadResult(shown, None, reader.findings)
    result = validate_data(data, reader.cells, shown)
    seen = {(f.sheet, f.cell) for f in reader.findings}
    findings = reader.findings + [f for f in result.findings if (f.sheet, f.cell) not in seen]
    return LoadResult(shown, result.blueprint if not reader.findings else None, findings)


def _open(path: Path) -> Any:
    import openpyxl

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Refused(Code.BLUEPRINT_UNREADABLE.message(
                "too-big", ukuran=size // 1024, batas=MAX_FILE_BYTES // 1024 // 1024))
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise _Refused(Code.BLUEPRINT_UNREADABLE.message("inflated"))
        return openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except FileNotFoundError:
        raise _Refused(Code.BLUEPRINT_NOT_FOUND.message()) from None
    except _Refused:
        raise
    except Exception:  # zipfile, XML and openpyxl errors: the file is not a workbook we read
        raise _Refused(Code.BLUEPRINT_UNREADABLE.message("not-xlsx")) from None


@dataclass
class _Cell:
    value: Any
    place: tuple[str, str]


class _Reader:
    """Turns the sheets into blueprint data, remembering each value's cell."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.cells = CellMap()
        self.findings: list[Finding] = []
        self.structural = False

    def problem(self, place: tuple[str, str], said: Message) -> None:
        self.findings.append(Finding.of(said, file=self.shown, sheet=place[0], cell=place[1]))

    def read(self, book: Any) -> dict[str, Any]:
        names = set(book.sheetnames)
        for spec in SHEETS:
            if spec.name not in names:
                self.problem((spec.name, "A1"),
                             Code.BLUEPRINT_MISSING_KEY.message("sheet", lembar=spec.name))
                self.structural = True
        data = self._kantor(book[KANTOR.name]) if KANTOR.name in names else {}
        tables = {spec.name: list(self._table(book[spec.name], spec)) if spec.name in names
                  else [] for spec in SHEETS[1:]}
        self._assemble(data, tables)
        return data

    def _kantor(self, ws: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        by_header = {_normal(c.header): c for c in KANTOR.columns}
        for number, row in enumerate(ws.iter_rows(min_row=2, max_row=MAX_ROWS, max_col=2),
                                     start=2):
            label = row[0].value if row else None
            if label is None:
                continue
            column = by_header.get(_normal(str(label)))
            if column is None:
                near = nearest(_normal(str(label)), list(by_header))
                self.problem((KANTOR.name, f"A{number}"), _unknown(
                    f"bagian '{label}'", by_header[near[0]].header if near else None))
                continue
            place = (KANTOR.name, f"B{number}")
            path = tuple(column.key.split("."))
            self.cells.cells[path] = place
            cell = row[1] if len(row) > 1 else None
            value = self._value(cell, column, place) if cell is not None else None
            if value is not None:
                _put(data, path, value)
        self.cells.cells[("iku", "indikator")] = (IKU.name, "A2")
        for column in KANTOR.columns:  # parts missing from the sheet point at its first cell
            self.cells.cells.setdefault(tuple(column.key.split(".")), (KANTOR.name, "B2"))
        return data

    def _table(self, ws: Any, spec: SheetSpec) -> Iterator[tuple[int, dict[str, _Cell]]]:
        """(0-based row, values by key) of every row with something in it."""
        rows = ws.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS)
        columns = self._header(spec, next(rows, ()))
        self.cells.columns[spec.name] = {c.key: i for i, c in columns.items()}
        for row, cells in enumerate(rows, start=1):
            values: dict[str, _Cell] = {}
            for index, column in columns.items():
                if index < len(cells):
                    place = (spec.name, xl_rowcol_to_cell(row, index))
                    value = self._value(cells[index], column, place)
                    if value is not None:
                        values[column.key] = _Cell(value, place)
            if values:
                yield row, values

    def _header(self, spec: SheetSpec, header: Any) -> dict[int, Column]:
        known = {_normal(c.header): c for c in spec.columns}
        columns: dict[int, Column] = {}
        for index, cell in enumerate(header):
            if cell.value is None:
                continue
            column = known.get(_normal(str(cell.value)))
            if column is None:
                near = nearest(_normal(str(cell.value)), list(known))
                self.problem((spec.name, xl_rowcol_to_cell(0, index)), _unknown(
                    f"kolom '{cell.value}'", known[near[0]].header if near else None))
                self.structural = True
            else:
                columns[index] = column
        return columns

    def _value(self, cell: Any, column: Column, place: tuple[str, str]) -> Any:
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if getattr(cell, "data_type", None) == "f":
            self.problem(place, Code.BLUEPRINT_INVALID_VALUE.message("cell-formula",
                                                                     kolom=column.header))
            return None
        return self._convert(value, column, place)

    def _convert(self, value: Any, column: Column, place: tuple[str, str]) -> Any:
        kind = column.kind
        if kind in (Kind.NUMBER, Kind.INTEGER):
            if isinstance(value, bool) or not isinstance(value, int | float):
                text = str(value).strip()
                self.problem(place, Code.BLUEPRINT_INVALID_VALUE.message(
                    "cell-number-as-text" if _looks_numeric(text) else "cell-not-number",
                    kolom=column.header, isi=text))
                return None
            if kind is Kind.INTEGER and float(value).is_integer():
                return int(value)
            return value
        text = _text(value)
        if kind is Kind.YES_NO:
            answer = {"ya": True, "tidak": False, "true": True, "false": False}.get(text.lower())
            if answer is None:
                self.problem(place, Code.BLUEPRINT_INVALID_VALUE.message(
                    "cell-yes-no", kolom=column.header, isi=text))
            return answer
        if kind is Kind.LINES:
            return [line.strip() for line in text.splitlines() if line.strip()]
        if kind is Kind.CONSTANTS:
            return self._constants(text, column, place)
        return text.strip() if kind is not Kind.BLANK_TEXT else text

    def _constants(self, text: str, column: Column, place: tuple[str, str]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for line in filter(None, (line.strip() for line in text.splitlines())):
            name, sep, number = line.replace(":", "=").partition("=")
            number, per, rest = number.strip().partition(" per tahun")
            if not sep or not _looks_numeric(number.strip()) or rest:
                self.problem(place, Code.BLUEPRINT_INVALID_VALUE.message(
                    "cell-constant", kolom=column.header, baris=line))
                continue
            value = float(number.strip().replace(",", "."))
            result[name.strip()] = {"nilai": value, "per": "tahun"} if per else value
        return result

    # --- putting the rows together -------------------------------------------------------------

    def _assemble(self, data: dict[str, Any], tables: dict[str, list[tuple[int, dict[str, _Cell]]]]
                  ) -> None:
        owners: dict[str, Path_] = {}
        jabatan: list[dict[str, Any]] = []
        for row, cells in tables["Jabatan"]:
            path: Path_ = ("jabatan", len(jabatan))
            self.cells.rows[path] = (JABATAN, row)
            jabatan.append({**_plain(cells), "indikator": []})
            owners.setdefault(str(jabatan[-1].get("id")), path)
        if jabatan:
            data["jabatan"] = jabatan
        indicators: dict[tuple[str, str], dict[str, Any]] = {}
        for row, cells in tables["Indikator"]:
            owner = cells.pop("@jabatan", None)
            if owner is None or str(owner.value) not in owners:
                where = owner.place if owner else (INDIKATOR.name, xl_rowcol_to_cell(
                    row, self.cells.columns[INDIKATOR.name].get("@jabatan", 0)))
                self.problem(where, Code.BLUEPRINT_UNKNOWN_JABATAN.message(
                    "sheet", jabatan=owner.value) if owner else
                    Code.BLUEPRINT_UNKNOWN_JABATAN.message("sheet-empty"))
                continue
            parent = owners[str(owner.value)]
            items = jabatan[int(parent[1])]["indikator"]
            self._indicator(items, (*parent, "indikator"), INDIKATOR, row, cells, indicators,
                            str(owner.value))
        iku_rows = tables["IKU"]
        if iku_rows or "iku" in data:
            iku = data.setdefault("iku", {})
            items = iku.setdefault("indikator", [])
            for row, cells in iku_rows:
                cells.pop("@jabatan", None)
                self._indicator(items, ("iku", "indikator"), IKU, row, cells, indicators,
                                IKU_MARK)
        self._attach(data, tables, indicators)

    def _indicator(self, items: list[dict[str, Any]], base: Path_, spec: SheetSpec, row: int,
                   cells: dict[str, _Cell], indicators: dict[tuple[str, str], dict[str, Any]],
                   owner: str) -> None:
        path = (*base, len(items))
        self.cells.rows[path] = (spec, row)
        item: dict[str, Any] = {}
        for key, cell in cells.items():
            if key == "jenis":
                self._kind(item, cell)
            else:
                _put(item, tuple(key.split(".")), cell.value)
        for column in spec.columns:
            if column.kind is Kind.BLANK_TEXT:
                item.setdefault(column.key, "")  # an empty cell is the decree's empty column
        item.setdefault("variabel", [])
        first = indicators.get((owner, str(item.get("id"))))
        if first is not None:  # rows of the Variabel sheet could not tell the two apart
            spec_name, first_row = self.cells.rows[first["path"]]
            where = xl_rowcol_to_cell(first_row, self.cells.columns[spec.name].get("id", 0))
            self.problem(cells["id"].place, Code.BLUEPRINT_DUPLICATE_ID.message(
                "first", apa="indikator", id=item["id"], pertama=f"{spec_name.name}!{where}"))
            return
        items.append(item)
        indicators[(owner, str(item.get("id")))] = {"item": item, "path": path}

    def _kind(self, item: dict[str, Any], cell: _Cell) -> None:
        text = str(cell.value)
        if text in KINDS:
            item["jenis"] = text
        elif find_pattern(text) is not None:
            item["pola"] = text
        else:
            self.problem(cell.place, Code.BLUEPRINT_INVALID_VALUE.message("cell-kind", isi=text))

    def _attach(self, data: dict[str, Any], tables: dict[str, list[tuple[int, dict[str, _Cell]]]],
                indicators: dict[tuple[str, str], dict[str, Any]]) -> None:
        for spec, key in ((VARIABEL, "variabel"), (ATURAN, "aturan"), (SKALA, "skala")):
            for row, cells in tables[spec.name]:
                owner, ident = cells.pop("@jabatan", None), cells.pop("@indikator", None)
                if spec is SKALA and owner is None and ident is None:
                    steps = data.setdefault("predikat", [])
                    self.cells.rows[("predikat", len(steps))] = (spec, row)
                    steps.append(_plain(cells))
                    continue
                found = indicators.get((str(owner.value) if owner else "",
                                        str(ident.value) if ident else ""))
                if found is None:
                    self._orphan(spec, row, owner, ident)
                    continue
                items = found["item"].setdefault(key, [])
                self.cells.rows[(*found["path"], key, len(items))] = (spec, row)
                items.append(_plain(cells))

    def _orphan(self, spec: SheetSpec, row: int, owner: _Cell | None,
                ident: _Cell | None) -> None:
        cell = ident or owner
        place = cell.place if cell else (spec.name, xl_rowcol_to_cell(row, 0))
        self.problem(place, Code.BLUEPRINT_UNKNOWN_INDICATOR.message(
            jabatan=owner.value if owner else "", indikator=ident.value if ident else ""))


def _unknown(term: str, near: str | None) -> Message:
    """A section or column the form does not know, with the nearest one it does."""
    if near is None:
        return Code.BLUEPRINT_UNKNOWN_KEY.message(istilah=term)
    return Code.BLUEPRINT_UNKNOWN_KEY.message("near", istilah=term, usulan=near)


def _plain(cells: dict[str, _Cell]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, cell in cells.items():
        _put(result, tuple(key.split(".")), cell.value)
    return result


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for step in path[:-1]:
        target = target.setdefault(step, {})
    target[path[-1]] = value


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


_NUMERIC = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _looks_numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- converting ---------------------------------------------------------------------------------

def blueprint_yaml(bp: Blueprint) -> str:
    """The blueprint as YAML text (defaults left out), which loads back to the same model."""
    data = bp.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(_tidy(data), allow_unicode=True, sort_keys=False, width=100)


def _tidy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def convert_blueprint(bp: Blueprint, output: Path) -> Path:
    """Write `bp` as a workbook (.xlsx) or as YAML (.yaml/.yml), atomically."""
    if output.suffix.lower() == ".xlsx":
        return write_blueprint_xlsx(bp, output)
    text = blueprint_yaml(bp)
    return atomic_write(output, lambda temporary: Path(temporary).write_text(text,
                                                                            encoding="utf-8"))
