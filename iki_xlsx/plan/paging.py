"""Print layout of a planned sheet on A4 landscape: a fixed scale that keeps body text at
least 8 pt on paper, column pages with the key columns repeated, and page breaks between
blocks (indicators, units) rather than through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from iki_xlsx.plan.textfit import FONT_SIZE, column_px

PAPER_A4 = 9
PAGE_WIDTH_PT = 842.0  # A4 landscape
PAGE_HEIGHT_PT = 595.0
MARGIN_SIDE_IN = 0.4
MARGIN_TOP_IN = 0.5
MARGIN_BOTTOM_IN = 0.7
FOOTER_SIZE = 9  # pt before scaling: 7.2 pt on paper at 80 %
MIN_BODY_PT = 8.0
MIN_SCALE = int(-(-MIN_BODY_PT * 100 // FONT_SIZE))  # 80 %
FOOTER_ROOM_PT = 36.0  # header and footer lines, and what clients keep around them
DEFAULT_ROW_PT = 15.0


@dataclass
class PageSetup:
    """What the writer sets on a worksheet for printing."""

    scale: int = 100
    col_breaks: list[int] = field(default_factory=list)  # first column of each new page
    row_breaks: list[int] = field(default_factory=list)  # first row of each new page
    repeat_cols: tuple[int, int] | None = None


def printable_width_pt() -> float:
    return PAGE_WIDTH_PT - 2 * MARGIN_SIDE_IN * 72


def printable_height_pt() -> float:
    return PAGE_HEIGHT_PT - (MARGIN_TOP_IN + MARGIN_BOTTOM_IN) * 72 - FOOTER_ROOM_PT


def _width_pt(widths: Sequence[float]) -> float:
    """Printed width before scaling: the wider of Excel's pixels and LibreOffice's measure
    (the stored width, padding included, in Carlito 11 digits of 5.57 pt)."""
    return sum(max(column_px(w) * 0.75, (w + 5 / 7) * 5.57) for w in widths)


def column_pages(widths: Sequence[float], repeat: int, scale: int) -> list[int]:
    """First column of every page after the first when columns are packed greedily at
    `scale`, the first `repeat` columns printed again on each page."""
    room = printable_width_pt() * 100 / scale
    kept = _width_pt(widths[:repeat])
    breaks: list[int] = []
    used = _width_pt(widths[:repeat])
    for col in range(repeat, len(widths)):
        width = _width_pt(widths[col:col + 1])
        if used + width > room and col > repeat and (not breaks or breaks[-1] != col):
            breaks.append(col)
            used = kept
        used += width
    return breaks


def fit_scale(widths: Sequence[float], breaks: Sequence[int], repeat: int) -> int:
    """The largest scale (<= 100 %) at which every column page fits the paper's width."""
    starts = [0, *breaks]
    ends = [*breaks, len(widths)]
    widest = 0.0
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        widest = max(widest, _width_pt(widths[start:end]) + (_width_pt(widths[:repeat]) if i
                                                              else 0.0))
    return min(100, int(printable_width_pt() * 100 / widest)) if widest else 100


def row_pages(heights: Sequence[float], first: int, blocks: Sequence[tuple[int, int]],
              scale: int, repeated_pt: float) -> list[int]:
    """Page breaks (first row of each new page) that fall between `blocks` (row spans kept
    together when they fit a page); rows before `first` open the first page, and the
    repeated header rows (`repeated_pt`) top every page."""
    room = printable_height_pt() * 100 / scale
    used = sum(heights[:first])
    breaks: list[int] = []
    spans = sorted(blocks)
    covered = {r for a, b in spans for r in range(a, b + 1)}
    spans += [(r, r) for r in range(first, len(heights)) if r not in covered]
    for start, end in sorted(spans):
        height = sum(heights[start:end + 1])
        if used + height <= room:
            used += height
            continue
        if used > repeated_pt:
            breaks.append(start)
            used = repeated_pt
        for row in range(start, end + 1):  # a block taller than a page breaks between rows
            if used + heights[row] > room and used > repeated_pt:
                breaks.append(row)
                used = repeated_pt
            used += heights[row]
    return breaks


@dataclass
class PageFlow:
    """Rows flowing down printed pages, for a layout that places its own page breaks: a
    table that goes on over a break repeats its heading and header row on the next page,
    which one set of print titles per sheet cannot do for tables of different columns."""

    room: float  # pt of rows one page holds (unscaled)
    used: float = 0.0
    breaks: list[int] = field(default_factory=list)

    @classmethod
    def for_columns(cls, widths: Sequence[float], repeat_cols: int = 0,
                    column_breaks: Sequence[int] | None = None) -> PageFlow:
        """The flow of a sheet whose columns print as `page_setup` lays them out."""
        scale = page_setup(widths, [], repeat_cols=repeat_cols,
                           column_breaks=column_breaks).scale
        return cls(printable_height_pt() * 100 / scale)

    def fits(self, height: float) -> bool:
        return self.used + height <= self.room

    def add(self, height: float) -> None:
        self.used += height

    def new_page(self, row: int) -> None:
        """The next rows start a page at `row` (nothing to break on an empty page)."""
        if self.used > 0:
            self.breaks.append(row)
            self.used = 0.0


def page_setup(widths: Sequence[float], heights: Sequence[float], *, first_row: int = 0,
               repeat_cols: int = 0, column_breaks: Sequence[int] | None = None,
               blocks: Sequence[tuple[int, int]] = (), repeated_rows: tuple[int, int] | None
               = None, row_breaks: Sequence[int] | None = None) -> PageSetup:
    """Scale and breaks for a sheet: given `column_breaks`, or columns packed at 100 % when
    they do not fit one page at a legible scale; rows broken between `blocks`, or at the
    `row_breaks` a layout placed itself (a `PageFlow`)."""
    breaks = list(column_breaks or [])
    scale = fit_scale(widths, breaks, repeat_cols)
    if scale < MIN_SCALE:
        scale = 90
        breaks = column_pages(widths, repeat_cols, scale)
        scale = max(MIN_SCALE, fit_scale(widths, breaks, repeat_cols))
    repeated_pt = (sum(heights[repeated_rows[0]:repeated_rows[1] + 1]) if repeated_rows
                   else 0.0)
    rows = (list(row_breaks) if row_breaks is not None
            else row_pages(heights, first_row, blocks, scale, repeated_pt))
    return PageSetup(scale=scale, col_breaks=breaks, row_breaks=rows,
                     repeat_cols=(0, repeat_cols - 1) if repeat_cols and breaks else None)


def row_height_list(row_heights: dict[int, float], last_row: int) -> list[float]:
    """Every row's height up to `last_row`, default rows included."""
    return [row_heights.get(r, DEFAULT_ROW_PT) for r in range(last_row + 1)]
