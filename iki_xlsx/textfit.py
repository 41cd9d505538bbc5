"""How much room text needs in a cell: Calibri's widths (from its metric twin Carlito),
wrapped at spaces as spreadsheet clients wrap, so rows are planned tall enough and nothing is
clipped on screen or paper.

Column widths are the ones the plan gives xlsxwriter (characters of the default font); a
client shows a column of width w as about 7w + 5 pixels at 100 %.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._carlito_widths import BOLD, LINE_UNITS, REGULAR, UNITS_PER_EM

FONT_SIZE = 10.0  # pt, the body font of every sheet
PX_PER_PT = 4 / 3
CELL_PADDING_PX = 8  # what clients leave between the grid line and wrapped text, both sides
ROW_PADDING_PT = 4.0  # above and below the lines of a wrapped cell
MIN_ROW_PT = 15.0
_FALLBACK = REGULAR[ord("m")]  # an unknown character counts as a wide one


def column_px(width: float) -> float:
    """Pixels a column of (xlsxwriter) width `width` takes on screen at 100 %."""
    return float(int(width * 7 + 0.5) + 5) if width >= 1 else float(int(width * 12 + 0.5))


def span_px(widths: float | Sequence[float]) -> float:
    """Pixels of one column or of several merged ones."""
    if isinstance(widths, int | float):
        return column_px(widths)
    return sum(column_px(w) for w in widths)


def text_pt(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of one line of `text` in points."""
    table = BOLD if bold else REGULAR
    return sum(table.get(ord(ch), _FALLBACK) for ch in text) * size / UNITS_PER_EM


def line_count(text: str, width_pt: float, size: float = FONT_SIZE, bold: bool = False) -> int:
    """Lines `text` takes when wrapped at spaces into `width_pt` (explicit line breaks kept;
    a word longer than a line is broken where it must be)."""
    space = text_pt(" ", size, bold)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            width = text_pt(word, size, bold)
            if used and used + space + width <= width_pt:
                used += space + width
                continue
            if used:
                lines += 1
            while width > width_pt:  # a long word runs over several lines
                lines += 1
                width -= width_pt
            used = width
    return lines


def line_pt(size: float = FONT_SIZE) -> float:
    """Height of one line of text in points."""
    return size * LINE_UNITS / UNITS_PER_EM


def text_height(text: str, widths: float | Sequence[float], size: float = FONT_SIZE,
                bold: bool = False) -> float:
    """Row height (pt) that shows all of `text` wrapped in a column (or merged columns) of
    the given width(s)."""
    usable_pt = (span_px(widths) - CELL_PADDING_PX) / PX_PER_PT
    lines = line_count(text, usable_pt, size, bold)
    return max(MIN_ROW_PT, round(lines * line_pt(size) + ROW_PADDING_PT + 0.49, 0))
