"""A document the office signs or files, as data: sections of text, parties, signatures and
tables, drawn by two renderers (`word` for the Word document, `workbook` for the workbook).

A table's computed cells (capaian, predikat, averages, counts) are formulas over other cells,
planned once: `evaluate` lays the tables out as the sheets of a workbook plan and computes
every formula with the `formulas` engine, so the workbook keeps them live (with the computed
values cached) and the Word document prints the very same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from iki_xlsx.plan.formula import Formula, sheet_prefix
from iki_xlsx.workbook.evaluate import Value

Kind = str  # a column's kind: text | center | number | pct


@dataclass(frozen=True)
class Column:
    """A table column: its header, its width on paper (cm; the workbook column is as wide) and
    how its values show (text, center, number, pct)."""

    header: str
    width: float
    kind: Kind = "text"


SATUAN_CM = 2.3  # the longest unit word of the bundled blueprints, 'pelanggaran', unbroken at 9 pt


def satuan_column() -> Column:
    """The Satuan column of every document's table, wide enough that no unit word breaks."""
    return Column("Satuan", SATUAN_CM, "center")


@dataclass(frozen=True)
class At:
    """A cell of a table's body: its row (0-based among the body rows), its column, and its
    table (None: the table of the cell that refers to it)."""

    row: int
    col: int
    table: str | None = None


@dataclass(frozen=True)
class Span:
    """A column range of a table's body, rows `first` to `last` (0-based, inclusive)."""

    col: int
    first: int
    last: int
    table: str | None = None


Reference = At | Span


@dataclass(frozen=True)
class Computed:
    """A cell computed by a formula: `make` builds it from the references of `over`."""

    make: Callable[..., Formula]
    over: tuple[Reference, ...]


@dataclass(frozen=True)
class TableCell:
    """One cell of a table's body: a value or a computation; `span` rows merged downwards
    from here (a sasaran over its indicators; 0 for a cell such a merge covers); `strong`
    for a total row."""

    value: str | float | None = None
    computed: Computed | None = None
    span: int = 1
    strong: bool = False


@dataclass
class DocTable:
    """A table with its caption: `code` names its workbook sheet (`name`); `groups`, when
    given, is a header row over the column headers ((text, columns spanned), ...)."""

    code: str
    name: str
    title: str
    columns: Sequence[Column]
    rows: list[list[TableCell]] = field(default_factory=list)
    groups: Sequence[tuple[str, int]] = ()
    notes: Sequence[str] = ()

    @property
    def width(self) -> float:
        return sum(c.width for c in self.columns)


@dataclass(frozen=True)
class Text:
    """A paragraph: style title | subtitle | heading | body | center | note | right."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Parties:
    """Label : value lines (who signs, with name and office)."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class SignBlock:
    """One signature: the lines above the space to sign, the name, the NIP."""

    above: Sequence[str]
    nama: str
    nip: str | None = None


@dataclass(frozen=True)
class Signatures:
    """Signature blocks side by side (the second party left, the first right, as signed)."""

    blocks: Sequence[SignBlock]


@dataclass(frozen=True)
class Letterhead:
    """The office's kop surat: its lines (the first ones larger) and an optional logo."""

    lines: Sequence[str]
    logo: Path | None = None


Block = Text | DocTable | Parties | Signatures | Letterhead


@dataclass
class Section:
    """Pages of one orientation; a new section starts on a new page."""

    blocks: list[Block]
    landscape: bool = False


@dataclass
class Document:
    """A document: its file stem, title (the file's properties say it), what it names as its
    source (the target version, the data used), its sections, and the year it is of."""

    stem: str
    title: str
    kantor: str
    tahun: int
    about: str
    sections: list[Section]
    blueprint: str = ""
    versi: str = ""
    blueprint_hash: str = ""

    @property
    def tables(self) -> list[DocTable]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, DocTable)]


# --- where each table cell stands in the workbook ------------------------------------------------

CAPTION_ROW = 0


def header_row(table: DocTable) -> int:
    """The row of the column headers (a group row above it when the table has one)."""
    return CAPTION_ROW + 2 + (1 if table.groups else 0)


def body_row(table: DocTable, row: int) -> int:
    return header_row(table) + 1 + row


def cell_ref(table: DocTable, row: int, col: int) -> str:
    return str(xl_rowcol_to_cell(body_row(table, row), col))


@dataclass
class Shown:
    """What every table cell shows once computed: by (table code, body row, column)."""

    values: dict[tuple[str, int, int], Value] = field(default_factory=dict)

    def __call__(self, table: DocTable, row: int, col: int) -> Value:
        return self.values.get((table.code, row, col))


def resolve(reference: Reference, table: DocTable, tables: Mapping[str, DocTable]) -> str:
    """A reference as a formula writes it (sheet-qualified when in another table)."""
    other = tables[reference.table] if reference.table else table
    prefix = "" if other is table else sheet_prefix(other.name)
    if isinstance(reference, At):
        return prefix + cell_ref(other, reference.row, reference.col)
    first = cell_ref(other, reference.first, reference.col)
    last = cell_ref(other, reference.last, reference.col)
    return f"{prefix}{first}:{last}"


def formula_of(computed: Computed, table: DocTable, tables: Mapping[str, DocTable]) -> Formula:
    return computed.make(*(resolve(r, table, tables) for r in computed.over))


def every_cell(table: DocTable) -> Sequence[tuple[int, int, TableCell]]:
    return [(r, c, cell) for r, row in enumerate(table.rows) for c, cell in enumerate(row)]
