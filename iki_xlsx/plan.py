"""The plan: where every cell of a workbook stands, computed once from the blueprint.

The writer renders a plan, the manifest stores it, the reader and the checker
look cells up in it, the recap follows its keys. Nobody else computes a position.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from . import __version__
from .blueprint import (
    AgregasiUnit,
    Blueprint,
    IkuIndikator,
    Indikator,
    Jabatan,
    Jenis,
    Pengisi,
    Polaritas,
    Tipe,
    Variabel,
    indicators,
)
from .errors import IkiError
from .formula import (
    Formula,
    aggregate,
    average,
    capaian,
    checklist,
    copy_of,
    general,
    meets,
    ratio,
    scale,
    share_meeting,
    sheet_prefix,
)
from .paging import FOOTER_SIZE, PageSetup, page_setup, row_height_list
from .textfit import text_height

MANIFEST_SHEET = "IKI_Manifest"
FORBIDDEN_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class Role(StrEnum):
    LABEL = "label"
    INPUT = "input"
    FORMULA = "formula"


@dataclass(frozen=True)
class Unit:
    """A recipient of a workbook: a kelurahan/desa, or the kecamatan office itself."""

    kode: str
    nama: str
    email: str | None = None
    kantor: bool = False


_PERIOD_PART = re.compile(r"p(\d+)")


@dataclass(frozen=True)
class PlanKey:
    """What an indicator cell of a form holds, by meaning: `scope/indikator/name[@unit][/part]`.

    `scope` is the jabatan id (or `iku`), `name` a variable id or one of the indicator's own
    rows (`target`, `realisasi`, `mutu`, `memenuhi`, `capaian`, `predikat`, `kolom`), `unit`
    the kelurahan a row an office keeps per unit is about, `part` the period (`p1`...), the
    annual column (`tahunan`), `label`, or a column. Input values are stored under these
    keys (`scope/ind/var[@unit]/pN` and `scope/ind/target`); this class is the only place
    that formats or parses them.
    """

    scope: str
    indikator: str
    name: str
    unit: str | None = None
    part: str | None = None

    @classmethod
    def input(cls, scope: str, indikator: str, variabel: str, period: int,
              unit: str | None = None) -> PlanKey:
        return cls(scope, indikator, variabel, unit, f"p{period}")

    @classmethod
    def target(cls, scope: str, indikator: str) -> PlanKey:
        return cls(scope, indikator, "target")

    @property
    def base(self) -> str:
        """`scope/indikator`: the indicator this cell belongs to."""
        return f"{self.scope}/{self.indikator}"

    @property
    def period(self) -> int | None:
        """The period number of a `pN` part, else None."""
        match = _PERIOD_PART.fullmatch(self.part or "")
        return int(match.group(1)) if match else None

    @property
    def is_target(self) -> bool:
        return self.name == "target" and self.part is None

    def row(self, name: str, part: str | None = None) -> PlanKey:
        """Another row of the same indicator (`target`, `realisasi`, `kolom`...)."""
        return PlanKey(self.scope, self.indikator, name, None, part)

    def at(self, part: str | None) -> PlanKey:
        """The same row, another part (`label`, `tahunan`, `p2`...)."""
        return PlanKey(self.scope, self.indikator, self.name, self.unit, part)

    def at_period(self, period: int) -> PlanKey:
        return self.at(f"p{period}")

    def format(self) -> str:
        name = self.name + (f"@{self.unit}" if self.unit is not None else "")
        return f"{self.base}/{name}" + (f"/{self.part}" if self.part is not None else "")

    def __str__(self) -> str:
        return self.format()

    @classmethod
    def parse(cls, text: str) -> PlanKey:
        """The key `text` formats; ValueError for text that is not an indicator cell's key."""
        parts = text.split("/")
        if len(parts) not in (3, 4) or not all(parts):
            raise ValueError(f"not a plan key: {text!r}")
        name, at, unit = parts[2].partition("@")
        if not name or (at and not unit):
            raise ValueError(f"not a plan key: {text!r}")
        return cls(parts[0], parts[1], name, unit if at else None,
                   parts[3] if len(parts) == 4 else None)

    @classmethod
    def try_parse(cls, text: str) -> PlanKey | None:
        try:
            return cls.parse(text)
        except ValueError:
            return None


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

    @property
    def defined_name(self) -> str:
        """Workbook-scoped name that follows the sheet through renames and moves."""
        return "IKI_" + re.sub(r"[^A-Za-z0-9_]", "_", self.code)

    def cell(self, key: str) -> Cell:
        return next(c for c in self.cells if c.key == key)


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
    jenis: str = "iki"  # iki: a form sent to a unit; rekap: the consolidated recap

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


# --- sheet names -----------------------------------------------------------------------------


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


def file_safe(text: str) -> str:
    """ASCII letters, digits and hyphens only: safe in an email attachment list."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


# --- columns of an indicator sheet -----------------------------------------------------------

# The first view of a jabatan sheet on a 1366x768 screen shows No, Indikator, Uraian,
# Satuan, Target, the period inputs, Tahunan, Capaian and Predikat; the decree's reference text
# (Sasaran, Formulasi, Sumber Data) follows to the right and prints on its own pages.
FIXED_COLUMNS = ("No", "Indikator", "Uraian", "Satuan", "Target")
FIXED_WIDTHS = (4, 28, 32, 9, 10)
COL_NO, COL_NAMA, COL_URAIAN, COL_SATUAN, COL_TARGET = range(5)
PERIOD_WIDTH = 12.0  # "C (Kurang Baik)", a grade shown per period, fits
RESULT_WIDTHS = (13.0, 10.0, 13.0)  # Tahunan, Capaian (%), Predikat
REFERENCE_COLUMNS = ("Sasaran / Kinerja Utama", "Formulasi Perhitungan", "Sumber Data")
REFERENCE_WIDTHS = (26.0, 60.0, 24.0)
HEADER_ROW = 5  # zero-based row of the table header: title and four meta rows above it
FIRST_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Columns:
    """Column indexes of the period-dependent part of an indicator table."""

    periods: tuple[int, ...]
    tahunan: int
    capaian: int
    predikat: int
    sasaran: int
    formulasi: int
    sumber: int

    @classmethod
    def for_periods(cls, count: int) -> Columns:
        first = len(FIXED_COLUMNS)
        after = first + count
        return cls(tuple(range(first, after)), after, after + 1, after + 2, after + 3,
                   after + 4, after + 5)

    @property
    def last(self) -> int:
        return self.sumber

    def widths(self) -> list[float]:
        return [*FIXED_WIDTHS, *([PERIOD_WIDTH] * len(self.periods)), *RESULT_WIDTHS,
                *REFERENCE_WIDTHS]

    def headers(self, periods: Sequence[str], periode: int) -> list[str]:
        return [*FIXED_COLUMNS, *periods, f"Tahunan {periode}", "Capaian (%)", "Predikat",
                *REFERENCE_COLUMNS]


def ref(row: int, col: int) -> str:
    return str(xl_rowcol_to_cell(row, col))


# --- building the plan -----------------------------------------------------------------------


def visible(ind: Indikator, unit: Unit) -> bool:
    """Whether this unit's workbook asks for the indicator."""
    return (ind.pengisi is Pengisi.KECAMATAN) == unit.kantor


OFFICE_KODE = "kecamatan"  # the kecamatan office's kode in every units list


def office_unit(bp: Blueprint) -> Unit:
    """The kecamatan office as a recipient of its own workbook."""
    return Unit(kode=OFFICE_KODE, nama=bp.kantor, kantor=True)


def expects_return(bp: Blueprint, unit: Unit) -> bool:
    """Whether the unit has anything to fill: a recipient whose workbook would have no input
    cell gets no workbook and is not waited for."""
    return any(visible(ind, unit) for _, ind in indicators(bp))


def target_is_input(ind: Indikator, unit: Unit) -> bool:
    """The target is typed in when the decree gives none, or when a kelurahan's own
    count cannot be measured against the whole kecamatan's target."""
    if ind.target is None:
        return True
    additive = ind.jenis in (Jenis.JUMLAH, Jenis.RUMUS) and ind.satuan.strip() != "%"
    return additive and not unit.kantor and ind.variabel[0].agregasi_unit is AgregasiUnit.JUMLAH


def plan_workbook(bp: Blueprint, unit: Unit, periode: int, units: Sequence[Unit]) -> WorkbookPlan:
    """Lay out the whole workbook for one unit and period."""
    taken = {"petunjuk", "ringkasan", MANIFEST_SHEET.lower()}
    cols = Columns.for_periods(len(bp.periods))
    indicator_sheets: list[SheetPlan] = []
    kelurahan = [u for u in units if not u.kantor]
    for jab in bp.jabatan:
        shown = [i for i in jab.indikator if visible(i, unit)]
        if shown:
            name = sheet_name(jab.singkatan or title_case(jab.nama), taken)
            indicator_sheets.append(_indicator_sheet(bp, unit, periode, cols, "J-" + jab.id,
                                                     name, jab, shown, kelurahan))
    if bp.iku is not None:
        shown_iku = [i for i in bp.iku.indikator if visible(i, unit)]
        if shown_iku:
            name = sheet_name("IKU", taken)
            indicator_sheets.append(_indicator_sheet(bp, unit, periode, cols, "IKU", name, None,
                                                     shown_iku, kelurahan))
    jabatan = [(s.name, bp.jabatan_by_id(s.code.removeprefix("J-"))) for s in indicator_sheets
               if s.kind == "jabatan"]
    sheets = [
        _petunjuk(bp, unit, periode, jabatan),
        _ringkasan(bp, unit, periode, indicator_sheets),
        *indicator_sheets,
    ]
    return WorkbookPlan(
        blueprint_id=bp.id,
        blueprint_versi=bp.versi,
        blueprint_hash=bp.content_hash(),
        kantor=bp.kantor,
        unit=unit,
        periode=periode,
        periods=bp.periods,
        units=list(units),
        sheets=sheets,
    )


def _footer(unit: Unit, title: str, bp: Blueprint) -> str:
    def esc(text: str) -> str:
        return text.replace("&", "&&")

    size = f"&{FOOTER_SIZE}"
    return (f"&L{size}{esc(unit.nama)} — {esc(title)}&C{size}Halaman &P dari &N"
            f"&R{size}{esc(bp.id)} versi {esc(bp.versi)}")


def last_row(sheet: SheetPlan) -> int:
    """The lowest row a planned cell or merge reaches."""
    refs = [c.ref for c in sheet.cells] + [m.split(":")[1] for m in sheet.merges]
    last = max((xl_cell_to_rowcol(r)[0] for r in refs), default=0)
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
                            blocks=blocks, repeated_rows=sheet.repeat_rows)


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


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {item}" for item in items) if items else "-"


def _periode_text(bp: Blueprint, periode: int) -> str:
    return f"Tahun {periode} (realisasi per {str(bp.pembagian).replace('_', ' ')})"


@dataclass
class _Block:
    """Rows of one indicator while they are laid out."""

    number: int
    first_row: int
    realisasi_row: int = 0


def _indicator_sheet(
    bp: Blueprint,
    unit: Unit,
    periode: int,
    cols: Columns,
    code: str,
    name: str,
    jab: Jabatan | None,
    shown: Sequence[Indikator],
    kelurahan: Sequence[Unit],
) -> SheetPlan:
    """One jabatan (or the IKU table): a short frozen head (title, four facts, the column
    headers) so that the first indicator and its inputs show on the first screen."""
    title = jab.nama if jab else (bp.iku.judul if bp.iku else "IKU")
    sheet = SheetPlan(code=code, name=name, kind="jabatan" if jab else "iku", title=title,
                      footer=_footer(unit, name, bp))
    sheet.col_widths = cols.widths()
    title_row(sheet, "INDIKATOR KINERJA INDIVIDU" if jab else "INDIKATOR KINERJA UTAMA",
              cols.predikat)
    if jab:
        about = ("Jabatan", _jabatan_text(jab) + " — tugas dan fungsi: lihat lembar Petunjuk")
    else:
        source = f" (sumber: {bp.iku.sumber})" if bp.iku and bp.iku.sumber else ""
        about = ("Tabel", f"{title}{source}; penanggung jawab tercantum pada setiap indikator")
    meta_rows(sheet, [("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
                      ("Unit pengisi", unit.nama), about,
                      ("Periode", _periode_text(bp, periode))],
              cols.predikat, sheet.col_widths[2:cols.predikat + 1])
    headers = cols.headers(bp.periods, periode)
    for c, text in enumerate(headers):
        sheet.cells.append(Cell(ref(HEADER_ROW, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.row_heights[HEADER_ROW] = max(
        text_height(text, sheet.col_widths[c], bold=True) for c, text in enumerate(headers))
    sheet.freeze = (FIRST_ROW, COL_NAMA + 1)
    sheet.repeat_rows = (HEADER_ROW, HEADER_ROW)

    row = FIRST_ROW
    capaian_cells: list[str] = []
    blocks: list[tuple[int, int]] = []
    scope = jab.id if jab else "iku"
    for number, ind in enumerate(shown, start=1):
        block = _Block(number, row)
        row = _indicator_block(sheet, bp, unit, cols, scope, ind, block, kelurahan)
        blocks.append((block.first_row, row - 1))
        capaian_cells.append(ref(block.realisasi_row, cols.capaian))

    row += 1
    summary = f"{scope}/ringkasan"
    sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, f"{summary}/label", "total_label",
                            "Rata-rata capaian seluruh indikator (%)"))
    sheet.cells.append(Cell(ref(row, cols.capaian), Role.FORMULA, f"{summary}/capaian",
                            "formula_pct", formula=average(capaian_cells)))
    sheet.cells.append(Cell(ref(row, cols.predikat), Role.FORMULA, f"{summary}/predikat",
                            "formula_text", formula=scale(ref(row, cols.capaian), bp.predikat)))
    sheet.row_heights[row] = text_height("Rata-rata capaian seluruh indikator (%)",
                                         sheet.col_widths[COL_URAIAN], bold=True)
    blocks.append((row - 1, row))
    set_page(sheet, first_row=FIRST_ROW, repeat_cols=COL_NAMA + 1,
             column_breaks=[cols.sasaran], blocks=blocks)
    return sheet


def _jabatan_text(jab: Jabatan) -> str:
    holders = f" ({jab.jumlah_pemangku} pemangku jabatan)" if jab.jumlah_pemangku > 1 else ""
    return f"{jab.nama}{holders}"


def _indicator_block(
    sheet: SheetPlan,
    bp: Blueprint,
    unit: Unit,
    cols: Columns,
    scope: str,
    ind: Indikator,
    block: _Block,
    kelurahan: Sequence[Unit],
) -> int:
    """Lay out the rows of one indicator; returns the next free row."""
    def own(name: str, unit_kode: str | None = None) -> PlanKey:
        return PlanKey(scope, ind.id, name, unit_kode)

    row = block.first_row
    first_cell = len(sheet.cells)
    annual: dict[str, str] = {}
    period_cells: dict[str, list[str]] = {}
    per_unit_rows: dict[str, tuple[int, int]] = {}
    unit_row: dict[tuple[str, str], int] = {}
    for var in ind.variabel:
        rows_units: list[Unit | None] = [None]
        if var.agregasi_unit is AgregasiUnit.PER_UNIT and unit.kantor and kelurahan:
            rows_units = list(kelurahan)
        first_var_row = row
        for row_unit in rows_units:
            key = own(var.id, row_unit.kode if row_unit else None)
            label = var.label + (f" ({var.satuan})" if var.satuan else "")
            if row_unit is not None:
                label = f"{label} — {row_unit.nama}"
            sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(key.at("label")),
                                    "text", label))
            cells: list[str] = []
            for p, col in enumerate(cols.periods, start=1):
                cells.append(ref(row, col))
                sheet.cells.append(Cell(ref(row, col), Role.INPUT, str(key.at_period(p)),
                                        _input_style(var), rule=_rule(var)))
            sheet.cells.append(Cell(ref(row, cols.tahunan), Role.FORMULA, str(key.at("tahunan")),
                                    _value_style(var), formula=aggregate(var.period_rule, cells)))
            if row_unit is None:
                annual[var.id] = ref(row, cols.tahunan)
                period_cells[var.id] = cells
            else:
                unit_row[(var.id, row_unit.kode)] = row
            row += 1
        if rows_units != [None]:
            per_unit_rows[var.id] = (first_var_row, row - 1)

    if ind.jenis is Jenis.DAFTAR_PERIKSA and per_unit_rows:
        # one "meets every criterion" row per unit; realisasi counts the units that do
        first_meets = row
        for row_unit in kelurahan:
            key = own("memenuhi", row_unit.kode)
            sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(key.at("label")), "text",
                                    f"Memenuhi semua kriteria (100 = ya) — {row_unit.nama}"))
            for p, col in enumerate([*cols.periods, cols.tahunan], start=1):
                items = [ref(unit_row[(v.id, row_unit.kode)], col) for v in ind.variabel]
                part = "tahunan" if col == cols.tahunan else f"p{p}"
                sheet.cells.append(Cell(ref(row, col), Role.FORMULA, str(key.at(part)),
                                        "formula_pct", formula=checklist(items, True)))
            row += 1
        per_unit_rows = {"memenuhi": (first_meets, row - 1)}

    if ind.jenis is Jenis.NILAI and ind.skala:
        var = ind.variabel[0]
        sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(own("mutu").at("label")),
                                "text",
                                "Mutu / kategori nilai"))
        for p, col in enumerate([*cols.periods, cols.tahunan], start=1):
            source = annual[var.id] if col == cols.tahunan else period_cells[var.id][p - 1]
            part = "tahunan" if col == cols.tahunan else f"p{p}"
            sheet.cells.append(Cell(ref(row, col), Role.FORMULA, str(own("mutu").at(part)),
                                    "formula_text",
                                    formula=scale(source, ind.skala)))
        row += 1

    block.realisasi_row = row
    satuan = f" ({ind.satuan})" if ind.satuan else ""
    realisasi_style = "formula_pct" if ind.satuan.strip() == "%" else "formula_number"
    realisasi = own("realisasi")
    sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(realisasi.at("label")),
                            "realisasi_label", f"Realisasi{satuan}"))
    for p, col in enumerate(cols.periods, start=1):
        in_period = {name: cells[p - 1] for name, cells in period_cells.items()}
        sheet.cells.append(Cell(ref(row, col), Role.FORMULA, str(realisasi.at_period(p)),
                                realisasi_style,
                                formula=_realisasi(ind, in_period, per_unit_rows, col,
                                                   len(kelurahan), 1 / len(cols.periods))))
    sheet.cells.append(Cell(ref(row, cols.tahunan), Role.FORMULA, str(realisasi.at("tahunan")),
                            realisasi_style,
                            formula=_realisasi(ind, annual, per_unit_rows, cols.tahunan,
                                               len(kelurahan))))
    target_ref = ref(row, COL_TARGET)
    if target_is_input(ind, unit):
        sheet.cells.append(Cell(target_ref, Role.INPUT, str(own("target")), "input_number",
                                rule=InputRule("desimal", f"Target {ind.nama}", min=0,
                                               bantuan="Isi target tahunan sesuai Perjanjian "
                                                       "Kinerja.")))
    else:
        sheet.cells.append(Cell(target_ref, Role.LABEL, str(own("target")), "fixed_number",
                                ind.target))
    cap = capaian_cap(bp, ind)
    sheet.cells.append(Cell(ref(row, cols.capaian), Role.FORMULA, str(own("capaian")),
                            "formula_pct",
                            formula=capaian(ref(row, cols.tahunan), target_ref,
                                            ind.polaritas is Polaritas.TURUN, cap)))
    sheet.cells.append(Cell(ref(row, cols.predikat), Role.FORMULA, str(own("predikat")),
                            "formula_text", formula=scale(ref(row, cols.capaian), bp.predikat)))

    last = row
    formulasi = ind.formulasi + (f"\n\nAsumsi: {ind.asumsi}" if ind.asumsi else "")
    if isinstance(ind, IkuIndikator):
        formulasi += "\n\nPenanggung jawab: " + ", ".join(ind.penanggung_jawab)
    texts = [(COL_NO, str(block.number), "text_center"), (COL_NAMA, ind.nama, "text_bold"),
             (COL_SATUAN, ind.satuan, "text_center"), (cols.sasaran, ind.sasaran, "text"),
             (cols.formulasi, formulasi, "text"), (cols.sumber, ind.sumber_data, "text")]
    for col, text, style in texts:
        sheet.cells.append(Cell(ref(block.first_row, col), Role.LABEL,
                                str(PlanKey(scope, ind.id, "kolom", part=str(col))), style, text))
        sheet.merges.append(f"{ref(block.first_row, col)}:{ref(last, col)}")
    merged_need = max(text_height(text, sheet.col_widths[col], bold=style == "text_bold")
                      for col, text, style in texts)
    _fit_block_rows(sheet, first_cell, block.first_row, last, merged_need)
    return last + 1


def _fit_block_rows(sheet: SheetPlan, first_cell: int, first: int, last: int,
                    merged_need: float) -> None:
    """Each row tall enough for its Uraian label; the rows together tall enough for the
    block's merged texts (any shortfall shared by the rows)."""
    need = {r: 15.0 for r in range(first, last + 1)}
    width = sheet.col_widths[COL_URAIAN]
    for cell in sheet.cells[first_cell:]:
        row, col = xl_cell_to_rowcol(cell.ref)
        if col == COL_URAIAN and isinstance(cell.value, str):
            bold = cell.style in ("realisasi_label", "text_bold")
            need[row] = max(need[row], text_height(cell.value, width, bold=bold))
    shortfall = merged_need - sum(need.values())
    extra = round(shortfall / len(need) + 0.49, 0) if shortfall > 0 else 0.0
    for r, height in need.items():
        sheet.row_heights[r] = height + extra


def _realisasi(
    ind: Indikator,
    cells: dict[str, str],
    per_unit_rows: dict[str, tuple[int, int]],
    col: int,
    unit_count: int,
    share: float = 1.0,
) -> Formula:
    """Realisasi formula of an indicator over the cells of one period (`share` of the year)
    or the year; an indicator judged per unit counts the unit rows that meet it."""
    if ind.jenis is Jenis.AMBANG and ind.ambang and ind.ambang.variabel in per_unit_rows:
        first, last = per_unit_rows[ind.ambang.variabel]
        column = f"{ref(first, col)}:{ref(last, col)}"
        return share_meeting(column, unit_count, ind.ambang.operator, ind.ambang.nilai)
    if ind.jenis is Jenis.DAFTAR_PERIKSA and per_unit_rows:  # share meeting every criterion
        first, last = per_unit_rows["memenuhi"]
        return share_meeting(f"{ref(first, col)}:{ref(last, col)}", unit_count, ">=", 100)
    return unit_realisasi(ind, cells, share)


def unit_realisasi(ind: Indikator, cells: Mapping[str, str], share: float = 1.0) -> Formula:
    """Realisasi of one unit from its variables' cells (`cells` by variable id), in a column
    covering `share` of the year (constants `per: tahun` are scaled to it)."""
    if ind.jenis is Jenis.PERSENTASE:
        assert ind.pembilang and ind.penyebut
        return ratio(cells[ind.pembilang], cells[ind.penyebut])
    if ind.jenis in (Jenis.JUMLAH, Jenis.NILAI):
        return copy_of(cells[ind.variabel[0].id])
    if ind.jenis is Jenis.RUMUS:
        assert ind.rumus is not None
        return general(ind.rumus, ind.constants(share), dict(cells))
    if ind.jenis is Jenis.AMBANG:
        assert ind.ambang is not None
        return meets(cells[ind.ambang.variabel], ind.ambang.operator, ind.ambang.nilai)
    return checklist([cells[v.id] for v in ind.variabel], ind.hitung == "semua")


def capaian_cap(bp: Blueprint, ind: Indikator) -> float | None:
    """The highest capaian the indicator may show: its own limit, else the blueprint's."""
    return ind.batas_capaian if ind.batas_capaian is not None else bp.batas_capaian


def _input_style(var: Variabel) -> str:
    return "input_text" if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN) else "input_number"


def _value_style(var: Variabel) -> str:
    return "formula_text" if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN) else "formula_number"


def _rule(var: Variabel) -> InputRule:
    low, high = var.bounds
    return InputRule(str(var.tipe), var.label, low, high, tuple(var.choices), var.wajib,
                     var.bantuan)


# --- cover and summary sheets ----------------------------------------------------------------

PETUNJUK_LINES = (
    "Lembar kerja ini berisi Indikator Kinerja Individu (IKI) yang harus diisi untuk periode "
    "di atas. Setiap jabatan memiliki lembar sendiri.",
    "1. Isilah hanya sel berwarna KUNING. Sel lain terkunci dan berisi rumus atau keterangan.",
    "2. Isi angka per periode (triwulan/semester) pada baris variabel. Realisasi, capaian dan "
    "predikat dihitung otomatis oleh rumus.",
    "3. Ketik angka tanpa titik ribuan dan tanpa satuan (contoh: 1250, bukan 1.250 orang). "
    "Untuk pilihan Ya/Tidak gunakan daftar pilihan pada sel.",
    "   Angka desimal mengikuti bahasa komputer Anda. Bila Excel/LibreOffice berbahasa "
    "Indonesia, pakai koma: 83,5. Bila berbahasa Inggris, pakai titik: 83.5. Bila isian "
    "desimal ditolak, coba tanda pemisah yang lain.",
    "4. Jangan menempel (paste) data dari berkas lain ke sel isian: tempelan dapat melewati "
    "pemeriksaan isian. Ketik nilainya langsung.",
    "5. Jangan mengganti nama lembar, menambah atau menghapus baris dan kolom. Perlindungan "
    "lembar hanya membantu pengisian; seluruh isian dan rumus diperiksa ulang oleh kecamatan.",
    "6. Simpan berkas dalam format .xlsx dan kirim kembali sebagai lampiran email ke kecamatan. "
    "Berkas yang perlu diperbaiki akan dikirim kembali dengan catatan pemeriksaan.",
    "7. Lembar Ringkasan menampilkan realisasi, capaian dan predikat semua indikator.",
)


def _petunjuk(bp: Blueprint, unit: Unit, periode: int,
              jabatan: Sequence[tuple[str, Jabatan]]) -> SheetPlan:
    sheet = SheetPlan(code="PETUNJUK", name="Petunjuk", kind="petunjuk",
                      title="Petunjuk Pengisian", footer=_footer(unit, "Petunjuk", bp))
    sheet.col_widths = [4, 22, 96]
    title_row(sheet, "PETUNJUK PENGISIAN LEMBAR KERJA IKI", 2)
    meta = [("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
            ("Unit pengisi", unit.nama + (f" (kode {unit.kode})" if unit.kode else "")),
            ("Periode", _periode_text(bp, periode)),
            ("Blueprint", f"{bp.nama} — {bp.id} versi {bp.versi}")]
    if bp.dasar:
        meta.append(("Dasar", bp.dasar))
    for r, (label, value) in enumerate(meta, start=1):
        sheet.cells.append(Cell(ref(r, 1), Role.LABEL, f"meta/{r}", "meta_label", label))
        sheet.cells.append(Cell(ref(r, 2), Role.LABEL, f"meta/{r}/nilai", "meta_value", value))
        sheet.row_heights[r] = text_height(value, sheet.col_widths[2])
    start = len(meta) + 2
    for i, text in enumerate(PETUNJUK_LINES):
        sheet.cells.append(Cell(ref(start + i, 1), Role.LABEL, f"petunjuk/{i}", "text_plain",
                                text))
        sheet.merges.append(f"{ref(start + i, 1)}:{ref(start + i, 2)}")
        sheet.row_heights[start + i] = text_height(text, sheet.col_widths[1:])
    legend = start + len(PETUNJUK_LINES) + 1
    sheet.cells.append(Cell(ref(legend, 1), Role.LABEL, "legenda/isian", "legend_input",
                            "Sel isian"))
    sheet.cells.append(Cell(ref(legend, 2), Role.LABEL, "legenda/isian/teks", "text_plain",
                            "Diisi oleh unit pengisi."))
    sheet.cells.append(Cell(ref(legend + 1, 1), Role.LABEL, "legenda/rumus", "formula_text",
                            "Sel rumus"))
    sheet.cells.append(Cell(ref(legend + 1, 2), Role.LABEL, "legenda/rumus/teks", "text_plain",
                            "Dihitung otomatis; klik sel untuk melihat rumusnya."))
    blocks = _tugas_fungsi(sheet, jabatan, legend + 3)
    set_page(sheet, first_row=legend + 3, blocks=blocks)
    return sheet


def _tugas_fungsi(sheet: SheetPlan, jabatan: Sequence[tuple[str, Jabatan]],
                  row: int) -> list[tuple[int, int]]:
    """The decree's tugas and fungsi of every jabatan in the workbook, under the instructions
    (kept off the jabatan sheets so their first screen shows the inputs)."""
    if not jabatan:
        return []
    sheet.cells.append(Cell(ref(row, 1), Role.LABEL, "tugas-fungsi/judul", "block_title",
                            "TUGAS DAN FUNGSI JABATAN"))
    sheet.merges.append(f"{ref(row, 1)}:{ref(row, 2)}")
    sheet.row_heights[row] = 20
    row += 1
    blocks = []
    for i, (name, jab) in enumerate(jabatan):
        first = row - 1 if i == 0 else row  # the section title stays with the first jabatan
        heading = f"{_jabatan_text(jab)} (lembar {name})"
        sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"tugas-fungsi/{jab.id}",
                                "realisasi_label", heading))
        sheet.merges.append(f"{ref(row, 1)}:{ref(row, 2)}")
        sheet.row_heights[row] = text_height(heading, sheet.col_widths[1:], bold=True)
        for label, items in (("Tugas", jab.tugas), ("Fungsi", jab.fungsi)):
            row += 1
            text = _bullets(items)
            sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"tugas-fungsi/{jab.id}/{label}",
                                    "text_bold", label))
            sheet.cells.append(Cell(ref(row, 2), Role.LABEL,
                                    f"tugas-fungsi/{jab.id}/{label}/isi", "text", text))
            sheet.row_heights[row] = text_height(text, sheet.col_widths[2])
        blocks.append((first, row))
        row += 2
    return blocks


RINGKASAN_HEADERS = ("No", "Jabatan", "Indikator", "Satuan", "Target", "Realisasi",
                     "Capaian (%)", "Predikat")


def _ringkasan(
    bp: Blueprint, unit: Unit, periode: int, indicator_sheets: Sequence[SheetPlan]
) -> SheetPlan:
    sheet = SheetPlan(code="RINGKASAN", name="Ringkasan", kind="ringkasan",
                      title="Ringkasan Capaian", footer=_footer(unit, "Ringkasan", bp))
    sheet.col_widths = [4, 30, 46, 9, 10, 11, 10, 13]
    last_col = len(RINGKASAN_HEADERS) - 1
    title_row(sheet, "RINGKASAN CAPAIAN INDIKATOR KINERJA", last_col)
    meta_rows(sheet, [("Kantor", bp.kantor), ("Unit pengisi", unit.nama),
                       ("Periode", _periode_text(bp, periode))], last_col,
              sheet.col_widths[2:])
    header_row = 5
    for c, text in enumerate(RINGKASAN_HEADERS):
        sheet.cells.append(Cell(ref(header_row, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.freeze = (header_row + 1, 0)
    sheet.repeat_rows = (header_row, header_row)
    row = header_row + 1
    number = 0
    for source in indicator_sheets:
        quoted = sheet_prefix(source.name)
        for cell in source.cells:
            found = PlanKey.try_parse(cell.key)
            if found is None or (found.name, found.part) != ("realisasi", "label"):
                continue
            number += 1
            name_cell = source.cell(str(found.row("kolom", str(COL_NAMA))))
            satuan_cell = source.cell(str(found.row("kolom", str(COL_SATUAN))))
            key = f"ringkasan/{found.base}"
            sheet.cells.append(Cell(ref(row, 0), Role.LABEL, f"{key}/no", "text_center",
                                    str(number)))
            sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"{key}/jabatan", "text",
                                    source.title))
            sheet.cells.append(Cell(ref(row, 2), Role.LABEL, f"{key}/indikator", "text",
                                    name_cell.value))
            sheet.cells.append(Cell(ref(row, 3), Role.LABEL, f"{key}/satuan", "text_center",
                                    satuan_cell.value))
            realisasi_style = source.cell(str(found.row("realisasi", "tahunan"))).style
            for col, shown, style in ((4, found.row("target"), "formula_number"),
                                      (5, found.row("realisasi", "tahunan"), realisasi_style),
                                      (6, found.row("capaian"), "formula_pct"),
                                      (7, found.row("predikat"), "formula_text")):
                target = source.cell(str(shown))
                part = shown.name + (f"/{shown.part}" if shown.part else "")
                sheet.cells.append(Cell(ref(row, col), Role.FORMULA, f"{key}/{part}", style,
                                        formula=copy_of(quoted + target.ref)))
            sheet.row_heights[row] = max(text_height(str(name_cell.value), sheet.col_widths[2]),
                                         text_height(source.title, sheet.col_widths[1]))
            row += 1
    set_page(sheet, first_row=header_row + 1)
    return sheet


class ManifestError(IkiError, ValueError):
    """A manifest that does not have the form `Manifest.to_dict` writes."""


@dataclass(frozen=True)
class ManifestSheet:
    """Where a sheet's inputs and formulas are, as the manifest records them."""

    code: str
    name: str
    kind: str
    defined_name: str
    inputs: tuple[tuple[str, str], ...]  # ref, key
    formulas: tuple[tuple[str, str, str], ...]  # ref, key, formula text


@dataclass(frozen=True)
class Manifest:
    """What a generated workbook says about itself (its hidden `IKI_Manifest` sheet): the
    blueprint version, the recipient, the periode and the units list, and where every input
    and formula is. `to_dict` is the JSON form written; `from_dict` the only reader."""

    generator: str
    blueprint_id: str
    blueprint_versi: str
    blueprint_hash: str
    kantor: str
    unit: Unit  # without its e-mail address (the units list carries those)
    periode: int
    periods: tuple[str, ...]
    units: tuple[Unit, ...]
    sheets: tuple[ManifestSheet, ...] = ()
    format: int = 1

    @classmethod
    def of_plan(cls, plan: WorkbookPlan) -> Manifest:
        return cls(
            generator=plan.generator, blueprint_id=plan.blueprint_id,
            blueprint_versi=plan.blueprint_versi, blueprint_hash=plan.blueprint_hash,
            kantor=plan.kantor, unit=Unit(plan.unit.kode, plan.unit.nama, None, plan.unit.kantor),
            periode=plan.periode, periods=tuple(plan.periods), units=tuple(plan.units),
            sheets=tuple(ManifestSheet(
                s.code, s.name, s.kind, s.defined_name,
                tuple((c.ref, c.key) for c in s.cells if c.role is Role.INPUT),
                tuple((c.ref, c.key, c.formula.text) for c in s.cells
                      if c.role is Role.FORMULA and c.formula is not None))
                for s in plan.sheets))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "generator": self.generator,
            "blueprint": {"id": self.blueprint_id, "versi": self.blueprint_versi,
                          "hash": self.blueprint_hash},
            "kantor": self.kantor,
            "unit": {"kode": self.unit.kode, "nama": self.unit.nama, "kantor": self.unit.kantor},
            "periode": self.periode,
            "periods": list(self.periods),
            "units": [{"kode": u.kode, "nama": u.nama, "email": u.email, "kantor": u.kantor}
                      for u in self.units],
            "sheets": [
                {
                    "code": s.code,
                    "name": s.name,
                    "kind": s.kind,
                    "defined_name": s.defined_name,
                    "inputs": [list(i) for i in s.inputs],
                    "formulas": [list(f) for f in s.formulas],
                }
                for s in self.sheets
            ],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        """The manifest `data` holds; `ManifestError` when a part is missing or of the wrong
        type (a file's manifest is never trusted to be well formed)."""
        try:
            blueprint, unit = data["blueprint"], data["unit"]
            return cls(
                generator=str(data.get("generator", "")),
                blueprint_id=str(blueprint["id"]), blueprint_versi=str(blueprint["versi"]),
                blueprint_hash=str(blueprint["hash"]), kantor=str(data["kantor"]),
                unit=Unit(str(unit["kode"]), str(unit["nama"]), None, bool(unit["kantor"])),
                periode=int(data["periode"]),
                periods=tuple(str(p) for p in data.get("periods", [])),
                units=tuple(Unit(str(u["kode"]), str(u["nama"]),
                                 str(u["email"]) if u.get("email") else None, bool(u["kantor"]))
                            for u in data["units"]),
                sheets=tuple(ManifestSheet(
                    str(s["code"]), str(s["name"]), str(s["kind"]), str(s["defined_name"]),
                    tuple((str(r), str(k)) for r, k in s["inputs"]),
                    tuple((str(r), str(k), str(f)) for r, k, f in s["formulas"]))
                    for s in data.get("sheets", [])),
                format=int(data.get("format", 1)))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ManifestError(f"manifest malformed: {exc!r}") from None
