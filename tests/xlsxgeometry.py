"""What a written xlsx tells a client about its geometry, read from the XML itself: column
widths, row heights, frozen panes, merges, unlocked (input) cells, validations, page breaks,
charts, print areas."""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
SCREEN_W, SCREEN_H = 1250, 500  # LibreOffice/Excel grid at 100 % on a 1366x768 screen
LIBREOFFICE_PX_PER_WIDTH = 5.57 * 4 / 3


@dataclass
class Validation:
    ref: str
    title: str
    prompt: str


@dataclass
class Chart:
    """A chart drawn on a sheet: its title, its kind (the first chart of its plot area, e.g.
    barChart) and bar direction, the categories of its first series (a reference), the rows
    its anchor spans and the column holding its right edge (from 0: the anchor's `to`)."""

    title: str
    kind: str
    bar_dir: str
    categories: str
    top: int
    bottom: int
    right: int


@dataclass
class SheetGeometry:
    name: str
    widths: dict[int, float] = field(default_factory=dict)  # stored widths by column
    default_width: float = 8.43
    heights: dict[int, float] = field(default_factory=dict)
    default_height: float = 15.0
    frozen: tuple[int, int] = (0, 0)  # rows, columns
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    unlocked: set[tuple[int, int]] = field(default_factory=set)
    values: dict[tuple[int, int], str] = field(default_factory=dict)  # shared strings
    validations: list[Validation] = field(default_factory=list)
    row_breaks: list[int] = field(default_factory=list)
    scale: int = 100
    fit_to_width: bool = False
    print_titles: str = ""
    charts: list[Chart] = field(default_factory=list)
    state: str = "visible"  # hidden, veryHidden
    dimension: str = ""  # the <dimension> ref: A1:N23
    print_area: str = ""
    print_order: tuple[str, ...] = ()  # "area", "titles", as xl/workbook.xml names them

    def col_px(self, col: int) -> float:
        """On screen at 100 %, in the wider of the two clients: LibreOffice draws a unit of
        stored width as 5.57 pt (7.43 px), Excel as 7 px."""
        return LIBREOFFICE_PX_PER_WIDTH * self.widths.get(col, self.default_width)

    def row_px(self, row: int) -> float:
        return self.heights.get(row, self.default_height) * 4 / 3

    def right_px(self, col: int) -> float:
        """Right edge of `col` at the first view (nothing scrolled)."""
        return sum(self.col_px(c) for c in range(col + 1))

    def bottom_px(self, row: int) -> float:
        return sum(self.row_px(r) for r in range(row + 1))

    def merge_at(self, row: int, col: int) -> tuple[int, int, int, int]:
        return next((m for m in self.merges if m[0] == row and m[1] == col), (row, col, row, col))


def read_geometry(path: Path) -> dict[str, SheetGeometry]:
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        strings = _shared_strings(archive)
        unlocked_styles = _unlocked_styles(archive)
        names = [d for d in workbook.iter(f"{{{NS['m']}}}definedName")
                 if d.get("name") in ("_xlnm.Print_Area", "_xlnm.Print_Titles")]
        sheets: dict[str, SheetGeometry] = {}
        for index, sheet in enumerate(workbook.iter(f"{{{NS['m']}}}sheet")):
            target = str(targets[sheet.get(REL)]).lstrip("/").removeprefix("xl/")
            root = ElementTree.fromstring(archive.read("xl/" + target))
            geometry = _sheet(str(sheet.get("name")), root, strings, unlocked_styles)
            mine = [d for d in names if d.get("localSheetId") == str(index)]
            printed = {str(d.get("name")): d.text or "" for d in mine}
            geometry.print_titles = printed.get("_xlnm.Print_Titles", "")
            geometry.print_area = printed.get("_xlnm.Print_Area", "")
            geometry.print_order = tuple(str(d.get("name")).removeprefix("_xlnm.Print_").lower()
                                         for d in mine)
            geometry.state = str(sheet.get("state", "visible"))
            dimension = root.find("m:dimension", NS)
            geometry.dimension = "" if dimension is None else str(dimension.get("ref"))
            geometry.charts = _charts(archive, "xl/" + target, root)
            sheets[geometry.name] = geometry
    return sheets


def _related(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """The parts `part` refers to, by relationship id, as paths inside the archive."""
    folder, name = posixpath.split(part)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in archive.namelist():
        return {}
    return {str(r.get("Id")): posixpath.normpath(posixpath.join(folder, str(r.get("Target"))))
            for r in ElementTree.fromstring(archive.read(rels))}


def _charts(archive: zipfile.ZipFile, part: str, root: ElementTree.Element) -> list[Chart]:
    """The sheet's charts, in the order of its drawing's anchors."""
    drawing = root.find("m:drawing", NS)
    if drawing is None:
        return []
    drawing_part = _related(archive, part)[str(drawing.get(REL))]
    chart_parts = _related(archive, drawing_part)
    charts = []
    for anchor in ElementTree.fromstring(archive.read(drawing_part)):
        reference = anchor.find(".//c:chart", NS)
        if reference is None:
            continue
        chart = ElementTree.fromstring(archive.read(chart_parts[str(reference.get(REL))]))
        plot = chart.find(".//c:plotArea", NS)
        assert plot is not None
        kind = next(e for e in plot if e.tag.endswith("Chart"))
        bar_dir = kind.find("c:barDir", NS)
        title = chart.find("c:chart/c:title", NS)
        categories = kind.find("c:ser/c:cat/c:strRef/c:f", NS)
        charts.append(Chart(
            "".join(t.text or "" for t in title.iter(f"{{{NS['a']}}}t")) if title is not None
            else "",
            kind.tag.rsplit("}", 1)[1], "" if bar_dir is None else str(bar_dir.get("val")),
            "" if categories is None else categories.text or "",
            int(anchor.findtext("xdr:from/xdr:row", "0", NS)),
            int(anchor.findtext("xdr:to/xdr:row", "0", NS)),
            int(anchor.findtext("xdr:to/xdr:col", "0", NS))))
    return charts


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
            for si in root.findall("m:si", NS)]


def _unlocked_styles(archive: zipfile.ZipFile) -> set[int]:
    root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    xfs = root.find("m:cellXfs", NS)
    assert xfs is not None
    result = set()
    for i, xf in enumerate(xfs.findall("m:xf", NS)):
        protection = xf.find("m:protection", NS)
        if protection is not None and protection.get("locked") == "0":
            result.add(i)
    return result


ROW, CELL, VALUE = (f"{{{NS['m']}}}{tag}" for tag in ("row", "c", "v"))
PLAIN_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


@functools.cache
def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _rowcol(ref: str) -> tuple[int, int]:
    """(row, column) from 0 of a cell's own reference ("AB12"), as xl_cell_to_rowcol reads
    it, a little faster."""
    match = PLAIN_REF.fullmatch(ref)
    if match is None:
        return xl_cell_to_rowcol(ref)
    return int(match.group(2)) - 1, _column_index(match.group(1))


def _sheet(name: str, root: ElementTree.Element, strings: list[str],
           unlocked_styles: set[int]) -> SheetGeometry:
    g = SheetGeometry(name)
    fmt = root.find("m:sheetFormatPr", NS)
    if fmt is not None:
        g.default_height = float(fmt.get("defaultRowHeight", "15"))
    for col in root.iter(f"{{{NS['m']}}}col"):
        for c in range(int(col.get("min", "1")) - 1, int(col.get("max", "1"))):
            g.widths[c] = float(col.get("width", "8.43"))
    for row in root.iter(ROW):
        r = int(row.get("r", "1")) - 1
        if row.get("ht"):
            g.heights[r] = float(row.get("ht", "15"))
        for cell in row:  # its cells, walked directly: a recap holds hundreds of thousands
            if cell.tag != CELL:
                continue
            unlocked = int(cell.get("s", "0")) in unlocked_styles
            shared = cell.get("t") == "s"
            if not unlocked and not shared:
                continue
            rc = _rowcol(str(cell.get("r")))
            if unlocked:
                g.unlocked.add(rc)
            v = next((child for child in cell if child.tag == VALUE), None)
            if shared and v is not None and v.text is not None:
                g.values[rc] = strings[int(v.text)]
    pane = root.find(".//m:pane", NS)
    if pane is not None and pane.get("state") == "frozen":
        g.frozen = (int(float(pane.get("ySplit", "0"))), int(float(pane.get("xSplit", "0"))))
    for merge in root.iter(f"{{{NS['m']}}}mergeCell"):
        first, last = str(merge.get("ref")).split(":")
        g.merges.append((*xl_cell_to_rowcol(first), *xl_cell_to_rowcol(last)))
    for dv in root.iter(f"{{{NS['m']}}}dataValidation"):
        g.validations.append(Validation(str(dv.get("sqref")), dv.get("promptTitle", ""),
                                        dv.get("prompt", "")))
    breaks = root.find("m:rowBreaks", NS)
    if breaks is not None:
        g.row_breaks = [int(b.get("id", "0")) for b in breaks.findall("m:brk", NS)]
    setup = root.find("m:pageSetup", NS)
    if setup is not None:
        g.scale = int(setup.get("scale", "100"))
    props = root.find("m:sheetPr/m:pageSetUpPr", NS)
    g.fit_to_width = props is not None and props.get("fitToPage") == "1"
    return g


def cell_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class PrintNames:
    """A sheet's print names as xl/workbook.xml holds them: its state, the order of its
    "area" and "titles" names, its print area, its dimension and the cell holding the
    bottom-right corner of its cells and charts together (from 0)."""

    name: str
    state: str
    order: tuple[str, ...]
    area: str
    dimension: str
    corner: tuple[int, int]
    charts: int
    beside_cells: bool  # a chart reaches past the cells' own extent

    def problem(self) -> str:
        """What is wrong with the sheet's print area, or "": a visible sheet prints exactly its
        cells and charts, its area named before its titles; a hidden one has none
        (LibreOffice would print it)."""
        if self.state != "visible":
            return f"hidden sheet with a print area {self.area}" if self.area else ""
        if not self.dimension.startswith("A1"):
            return f"cells not from A1: {self.dimension}"
        wanted = "!$A$1:" + xl_rowcol_to_cell(*self.corner, True, True)
        if not self.area.endswith(wanted):
            return f"print area {self.area!r}, not ...{wanted}"
        return "" if self.order[:1] == ("area",) else f"print names in order {self.order}"


def print_names(path: Path) -> list[PrintNames]:
    """Every sheet's print names, in the workbook's order."""
    found = []
    for sheet in read_geometry(path).values():
        extent = sheet.dimension
        cells = xl_cell_to_rowcol(extent.partition(":")[2] or extent) if extent else (0, 0)
        corner = (max([cells[0]] + [c.bottom for c in sheet.charts]),
                  max([cells[1]] + [c.right for c in sheet.charts]))
        found.append(PrintNames(sheet.name, sheet.state, sheet.print_order, sheet.print_area,
                                extent, corner, len(sheet.charts), corner != cells))
    return found
