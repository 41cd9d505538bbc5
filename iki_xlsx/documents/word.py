"""A document as a Word file (python-docx), on A4 for Word and LibreOffice Writer alike.

Every measure is fixed so that both programs lay it out the same: Arial (Liberation Sans on
Linux, metric-compatible), body 11 pt and tables 9 pt (never below 8 pt on paper), fixed table
layouts whose columns add up to the text width or less, header rows repeated on every page,
rows that never split across pages, and the kop surat as a borderless table over a double rule.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell  # a cell of its table, made from its XML element
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.documents.model import (
    DocTable,
    Document,
    Letterhead,
    Parties,
    Section,
    Shown,
    Signatures,
    Text,
)
from iki_xlsx.workbook.evaluate import Value

FONT = "Arial"
BODY_PT = 11
TABLE_PT = 9
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGIN_LEFT_CM, MARGIN_RIGHT_CM, MARGIN_TOP_CM, MARGIN_BOTTOM_CM = 2.5, 2.0, 2.0, 2.0
HEADER_FILL = "D9E2F3"
STRONG_FILL = "EDEDED"
EMPTY = "–"
TWIPS_PER_CM = 1440 / 2.54
STYLES: dict[str, tuple[int, bool, WD_ALIGN_PARAGRAPH]] = {
    "title": (13, True, WD_ALIGN_PARAGRAPH.CENTER),
    "subtitle": (12, True, WD_ALIGN_PARAGRAPH.CENTER),
    "heading": (11, True, WD_ALIGN_PARAGRAPH.LEFT),
    "body": (BODY_PT, False, WD_ALIGN_PARAGRAPH.JUSTIFY),
    "center": (BODY_PT, False, WD_ALIGN_PARAGRAPH.CENTER),
    "right": (BODY_PT, False, WD_ALIGN_PARAGRAPH.RIGHT),
    "note": (TABLE_PT, False, WD_ALIGN_PARAGRAPH.LEFT),
}


def text_width_cm(landscape: bool) -> float:
    """The width between the margins."""
    return (PAGE_HEIGHT_CM if landscape else PAGE_WIDTH_CM) - MARGIN_LEFT_CM - MARGIN_RIGHT_CM


def shown_number(value: Value, kind: str) -> str:
    """A number as an Indonesian reader writes it: 1.234,5 (capaian with two decimals)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not math.isfinite(value):
        return EMPTY
    text = f"{value:,.2f}" if kind == "pct" else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def write_docx(document: Document, shown: Shown, path: Path) -> Path:
    """Write the document as a .docx, atomically."""
    return atomic_write(path, lambda temporary: _render(document, shown).save(temporary))


def _render(document: Document, shown: Shown) -> Any:
    doc = new_document()
    _base_style(doc)
    props = doc.core_properties
    props.title = document.title
    props.author = document.kantor
    props.subject = document.about[:255]
    props.comments = document.about
    for number, section in enumerate(document.sections):
        page = doc.sections[0] if number == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _page(page, section.landscape)
        _blocks(doc, section, shown)
    return doc


def _base_style(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _page(section: Any, landscape: bool) -> None:
    width, height = (PAGE_HEIGHT_CM, PAGE_WIDTH_CM) if landscape else (PAGE_WIDTH_CM,
                                                                       PAGE_HEIGHT_CM)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(width), Cm(height)
    section.left_margin, section.right_margin = Cm(MARGIN_LEFT_CM), Cm(MARGIN_RIGHT_CM)
    section.top_margin, section.bottom_margin = Cm(MARGIN_TOP_CM), Cm(MARGIN_BOTTOM_CM)
    section.header_distance = section.footer_distance = Cm(1.0)


def _blocks(doc: Any, section: Section, shown: Shown) -> None:
    width = text_width_cm(section.landscape)
    for block in section.blocks:
        if isinstance(block, Text):
            _paragraph(doc, block)
        elif isinstance(block, Letterhead):
            _letterhead(doc, block, width)
        elif isinstance(block, Parties):
            _parties(doc, block)
        elif isinstance(block, Signatures):
            _signatures(doc, block, width)
        else:
            _table(doc, block, shown, width)


def _paragraph(doc: Any, block: Text) -> Any:
    size, bold, align = STYLES[block.style]
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(6 if block.style in ("body", "note") else 3)
    for number, line in enumerate(block.text.split("\n")):
        if number:
            paragraph.runs[-1].add_break()
        _run(paragraph, line, size, bold)
    return paragraph


def _run(paragraph: Any, text: str, size: float = TABLE_PT, bold: bool = False,
         underline: bool = False) -> Any:
    """A run of `text` in its size, bold or not, underlined or not."""
    return Run(_add_run(paragraph._p, text, size, bold, underline), paragraph)


def _add_run(p: Any, text: str, size: float, bold: bool, underline: bool) -> Any:
    """The `w:r` of `text` appended to the paragraph element `p`: the run and its properties
    made once per kind by python-docx and copied (a document has thousands of table runs, and
    python-docx's setters walk the schema at every call, its text setter the text a character
    at a time), the XML python-docx writes."""
    r = deepcopy(_empty_run(size, bold, underline))
    p.append(r)
    if not text:
        return r
    if not BREAKS.isdisjoint(text):
        r.text = text  # python-docx's: tabs and line breaks as their elements
        return r
    t = r.makeelement(W_T)
    t.text = text
    if len(text.strip()) < len(text):  # as python-docx's `add_t`
        t.set(XML_SPACE, "preserve")
    r.append(t)
    return r


BREAKS = frozenset("\t\r\n")  # the characters python-docx writes as elements of their own
W_T, W_P, XML_SPACE = qn("w:t"), qn("w:p"), qn("xml:space")


@functools.cache
def _empty_run(size: float, bold: bool, underline: bool) -> Any:
    """The `w:r` python-docx writes for a run of this size, bold and underline, no text yet."""
    run = new_document().add_paragraph().add_run()
    run.font.size = Pt(size)
    run.bold = bold
    run.underline = underline
    return run._r


@functools.cache
def _aligned(align: WD_ALIGN_PARAGRAPH) -> Any:
    """The `w:pPr` python-docx writes for a paragraph given only its alignment."""
    paragraph = new_document().add_paragraph()
    paragraph.alignment = align
    return paragraph._p.pPr


# --- tables -----------------------------------------------------------------------------------


def _fixed(table: Any, widths: Sequence[float]) -> None:
    """A table whose columns keep their widths (Word and Writer both honour a fixed layout
    with the grid and every cell's width given)."""
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/> in its place
    total = table._tbl.tblPr.find(qn("w:tblW"))  # every new table has one, in schema order
    total.set(qn("w:w"), str(round(sum(widths) * TWIPS_PER_CM)))
    total.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    twips = [str(Cm(width).twips) for width in widths]  # as python-docx's `cell.width`
    for tr in table._tbl.tr_lst:
        for tc, w in zip(tr.tc_lst, twips, strict=True):
            # a new table's every cell has its w:tcPr/w:tcW of type dxa, its width to set
            tc.tcPr.find(W_TCW).set(W_W, w)


W_TCW, W_W = qn("w:tcW"), qn("w:w")


def _row_flags(tr: Any, header: bool = False) -> None:
    """A row that never splits across pages; a header row repeated on every page."""
    if tr.trPr is None:  # a new row: the properties made once and copied
        tr.insert(0, deepcopy(_row_properties(header)))
        return
    _add_row_flags(tr.trPr, header)


@functools.cache
def _row_properties(header: bool) -> Any:
    properties = OxmlElement("w:trPr")
    _add_row_flags(properties, header)
    return properties


def _add_row_flags(properties: Any, header: bool) -> None:
    keep = OxmlElement("w:cantSplit")
    keep.set(qn("w:val"), "true")
    properties.append(keep)
    if header:
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)


# the order OOXML's schema gives these properties (Word refuses a file with them out of order)
TC_PR_ORDER = ("tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
               "textDirection", "tcFitText", "vAlign", "hideMark")
P_PR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
              "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
              "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
              "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange")


def _insert(parent: Any, child: Any, order: Sequence[str]) -> None:
    """Put `child` among `parent`'s children where the schema's `order` wants it."""
    name = child.tag.split("}")[1]
    later = order[order.index(name) + 1:]
    for existing in parent:
        if existing.tag.split("}")[1] in later:
            existing.addprevious(child)
            return
    parent.append(child)


def _fill(cell: Any, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    _insert(cell._tc.get_or_add_tcPr(), shading, TC_PR_ORDER)


def _cell_text(cell: Any, text: str, align: WD_ALIGN_PARAGRAPH, bold: bool = False,
               size: float = TABLE_PT) -> None:
    p = cell._tc.find(W_P)  # python-docx's `cell.paragraphs[0]`
    for number, line in enumerate(text.split("\n")):
        if number:
            p = cell.add_paragraph()._p
        if len(p) == 0:  # a new paragraph: its alignment is its only property
            p.insert(0, deepcopy(_aligned(align)))
        else:
            Paragraph(p, cell).alignment = align
        _add_run(p, line, size, bold, False)


ALIGN = {"text": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "number": WD_ALIGN_PARAGRAPH.RIGHT, "pct": WD_ALIGN_PARAGRAPH.RIGHT}


def _cells(table: Any) -> list[list[Any]]:
    """Every cell of a table not yet merged, by row and column, read once from its XML
    (python-docx's `table.cell` walks the whole table at every call)."""
    return [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def _merge_down(cells: list[list[Any]], top: int, col: int, rows: int) -> None:
    """Merge `rows` cells of a column from row `top` down (the text stays in the first)."""
    cells[top][col]._tc.vMerge = "restart"
    for row in range(top + 1, top + rows):
        cells[row][col]._tc.vMerge = "continue"


def _merge_across(cells: list[list[Any]], row: int, col: int, span: int) -> None:
    """Merge `span` cells of a row from column `col` rightwards (before any other merge of
    that row, so the columns still match the cells)."""
    first = cells[row][col]._tc
    width = first.tcPr.tcW.w if first.tcPr is not None and first.tcPr.tcW is not None else None
    for other in cells[row][col + 1:col + span]:
        if width is not None and other._tc.tcPr is not None and other._tc.tcPr.tcW is not None:
            width += other._tc.tcPr.tcW.w
        other._tc.getparent().remove(other._tc)
    first.grid_span = span
    if width is not None:
        first.tcPr.tcW.w = width


def _table(doc: Any, block: DocTable, shown: Shown, width: float) -> None:
    caption = _paragraph(doc, Text(block.title, "heading"))
    caption.paragraph_format.keep_with_next = True
    widths = _scaled([c.width for c in block.columns], width)
    header_rows = 2 if block.groups else 1
    table = doc.add_table(rows=header_rows + len(block.rows), cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed(table, widths)
    cells = _cells(table)
    rows = table._tbl.tr_lst
    for number in range(header_rows):
        _row_flags(rows[number], header=True)
        for cell in cells[number]:
            _fill(cell, HEADER_FILL)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for col, column in enumerate(block.columns):
        if block.groups and _alone(block.groups, col):
            _cell_text(cells[0][col], column.header, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
            _merge_down(cells, 0, col, 2)
        else:
            _cell_text(cells[header_rows - 1][col], column.header, WD_ALIGN_PARAGRAPH.CENTER,
                       bold=True)
    for r, row in enumerate(block.rows):
        _row_flags(rows[header_rows + r])
        for c, item in enumerate(row):
            if item.span == 0:
                continue  # covered by a cell merged down from above
            kind = block.columns[c].kind
            value = shown(block, r, c) if item.computed is not None else item.value
            target = cells[header_rows + r][c]
            if item.span > 1:
                _merge_down(cells, header_rows + r, c, item.span)
            text = (value if isinstance(value, str) and value else
                    shown_number(value, kind) if not isinstance(value, str) else EMPTY)
            _cell_text(target, text, ALIGN[kind], bold=item.strong)
            if item.strong:
                _fill(target, STRONG_FILL)
    if block.groups:  # last: it takes cells out of the first row
        col = len(block.columns)
        for text, span in reversed(block.groups):
            col -= span
            if span > 1 or text:
                _cell_text(cells[0][col], text, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
                if span > 1:
                    _merge_across(cells, 0, col, span)
    for note in block.notes:
        paragraph = _paragraph(doc, Text(note, "note"))
        paragraph.paragraph_format.space_before = Pt(3)
    doc.add_paragraph().paragraph_format.space_after = Pt(6)


def _alone(groups: Sequence[tuple[str, int]], col: int) -> bool:
    """Whether column `col` stands under a group of its own with no text (its header then
    spans both header rows)."""
    start = 0
    for text, span in groups:
        if start <= col < start + span:
            return span == 1 and not text
        start += span
    return False


def _scaled(widths: Sequence[float], room: float) -> list[float]:
    """Column widths that fit between the margins (shrunk proportionally when wider)."""
    total = sum(widths)
    factor = min(1.0, room / total) if total else 1.0
    return [w * factor for w in widths]


# --- parties, signatures, letterhead ---------------------------------------------------------


def _borderless(doc: Any, rows: int, widths: Sequence[float]) -> Any:
    table = doc.add_table(rows=rows, cols=len(widths))
    _fixed(table, widths)
    return table


def _parties(doc: Any, block: Parties) -> None:
    table = _borderless(doc, len(block.rows), [3.2, 0.5, 12.0])
    for number, (label, value) in enumerate(block.rows):
        cells = table.rows[number].cells
        _cell_text(cells[0], label, WD_ALIGN_PARAGRAPH.LEFT, size=BODY_PT)
        _cell_text(cells[1], ":", WD_ALIGN_PARAGRAPH.LEFT, size=BODY_PT)
        _cell_text(cells[2], value, WD_ALIGN_PARAGRAPH.LEFT, size=BODY_PT)
    doc.add_paragraph().paragraph_format.space_after = Pt(6)


def _signatures(doc: Any, block: Signatures, width: float) -> None:
    count = len(block.blocks)
    table = _borderless(doc, 1, [width / count] * count)
    _row_flags(table.rows[0]._tr)
    for cell, sign in zip(table.rows[0].cells, block.blocks, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for number, line in enumerate(sign.above):
            if number:
                paragraph = cell.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, line, BODY_PT)
        for _ in range(4):
            cell.add_paragraph()
        name = cell.add_paragraph()
        name.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(name, sign.nama, BODY_PT, bold=True, underline=True)
        if sign.nip:
            nip = cell.add_paragraph()
            nip.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(nip, f"NIP {sign.nip}", BODY_PT)


def _letterhead(doc: Any, block: Letterhead, width: float) -> None:
    logo = 2.4 if block.logo is not None else 0.0
    widths = [logo, width - 2 * logo, logo] if logo else [width]
    table = _borderless(doc, 1, widths)
    cells = table.rows[0].cells
    text_cell = cells[1] if logo else cells[0]
    if block.logo is not None:
        picture = cells[0].paragraphs[0]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(str(block.logo), height=Cm(2.2))
        cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    text_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for number, line in enumerate(block.lines):
        paragraph = text_cell.paragraphs[0] if number == 0 else text_cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = 14 if number < 2 else (BODY_PT if number == 2 else 9)
        _run(paragraph, line, size, bold=number < 2)
    rule = doc.add_paragraph()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "thickThinSmallGap"), ("w:sz", "24"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    _insert(rule._p.get_or_add_pPr(), borders, P_PR_ORDER)
    rule.paragraph_format.space_after = Pt(12)

