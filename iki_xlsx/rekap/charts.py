"""The recap's bar charts: at most 20 categories each, every label legible in print, each whole on
a page.
"""

from __future__ import annotations

from collections.abc import Sequence

from iki_xlsx.plan.model import ROW_PX, Chart, SheetPlan, ref, rowcol
from iki_xlsx.plan.paging import DEFAULT_ROW_PT, PageFlow
from iki_xlsx.rekap.context import absolute

BARS_PER_CHART = 20  # categories on one chart: each labelled, the chart whole on a page
BAR_PX = 22  # height per category and series
CHART_FRAME_PX = 110  # title, value axis, its labels and title, legend


def bar_groups(count: int, series: int) -> list[tuple[int, int, int]]:
    """`count` categories split evenly over as few charts as hold BARS_PER_CHART each:
    (first, last) category index and the chart's height in px, per chart."""
    charts = max(1, -(-count // BARS_PER_CHART))
    size = max(1, -(-count // charts))
    return [(start, min(start + size, count) - 1,
             CHART_FRAME_PX + BAR_PX * series * (min(start + size, count) - start))
            for start in range(0, count, size)]


def chart_rows(height: int) -> int:
    """Default rows a chart of `height` px covers, and one whole row under it (a chart that
    ends exactly on a row's edge still leaves the next row free): the rows from its anchor's
    down to the one holding its bottom edge (`chart_corner`'s on default rows), and one."""
    return height // ROW_PX + 2


def bar_charts(sheet: SheetPlan, title: str, categories: tuple[int, int, int],
               series: Sequence[tuple[str, int]], row: int, col: int, width: int,
               value_title: str) -> int:
    """Horizontal bar charts over the sheet's rows `first..last` (`categories`: first row,
    label column, last row), stacked down from (`row`, `col`), so that every category is
    labelled however many there are; the next free row."""
    first, label_col, last = categories
    return segment_charts(sheet, title, [(first, last)], label_col, series, row, col, width,
                          value_title)


def segment_charts(sheet: SheetPlan, title: str, segments: Sequence[tuple[int, int]],
                   label_col: int, series: Sequence[tuple[str, int]], row: int, col: int,
                   width: int, value_title: str, flow: PageFlow | None = None) -> int:
    """Bar charts over runs of category rows (`segments`, first and last row each: a table's
    rows page by page), at most BARS_PER_CHART categories a chart and none across two runs,
    stacked down from (`row`, `col`); with a `flow`, each chart (and the free row above it)
    whole on a page. Charts that split one table share their value axis (`scale_cells`).
    The next free row."""
    groups = [(first + start, first + end, height) for first, last in segments
              for start, end, height in bar_groups(last - first + 1, len(series))]
    scale = tuple(ref(r, c) for first, last in segments for r in range(first, last + 1)
                  for _, c in series) if len(groups) > 1 else ()
    for i, (top, bottom, height) in enumerate(groups, start=1):
        part = f" ({i} dari {len(groups)})" if len(groups) > 1 else ""
        if flow is not None:
            span = chart_rows(height) * DEFAULT_ROW_PT
            if not flow.fits(span):
                flow.new_page(row - 1)
            flow.add(span)
        sheet.charts.append(Chart(
            kind="bar", title=title + part,
            categories=absolute(sheet.name, top, label_col, bottom),
            series=tuple((name, absolute(sheet.name, top, c, bottom)) for name, c in series),
            anchor=ref(row, col), value_title=value_title, width=width, height=height,
            scale_cells=scale))
        row += chart_rows(height)
    return row


def chart_span(chart: Chart) -> tuple[int, int]:
    """The rows a chart covers with the free row above it: kept on one page, so a page
    breaks above a chart, not through it."""
    row, _ = rowcol(chart.anchor)
    return row - 1, row + chart_rows(chart.height) - 2
