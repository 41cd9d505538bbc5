"""Runs under the system Python that has LibreOffice's `uno` module (not the project venv).

Usage: python3 _lo_worker.py REQUEST.json
REQUEST: {"port": int, "recalc": "never"|"always"|"both", "files": [path, ...],
          "cells": {path: [[sheet_name, ref], ...]}, "save_as": {path: out_path},
          "fill": {path: [[sheet_name, ref, value], ...]}, "pdf": {path: out_pdf},
          "fit": bool, "steps": {path: [[[[sheet_name, ref, value], ...], out_path], ...]}}
With "both", a file is opened without recalculation, its cells read, then everything is
recalculated (as Ctrl+Shift+F9 does) and the cells read again under "ulang:Sheet!A1": one
load for what a file shows as saved and what it shows recalculated.
Cells of "fill" are typed in (a number as a number, text as text) before the cells are read
and the file saved, as a user filling the workbook in Calc would.
Prints JSON: {path: {"sheet!ref": value}}; a value is a number, a string, or
{"error": code} for an error cell. With "fit" (an xlsx), "clipped:Sheet!A1" holds
[text, room, needed] (1/100 mm) for every text cell LibreOffice would show cut.
A text document (a .docx) is only exported to its "pdf", by Writer.
Each of a file's "steps" (after everything above) types its cells into the same open document
(a null value deletes what the cell held, as the Delete key does) and saves it as its
out_path: one load for a workbook kept open and saved at several points of the year.
"""

import json
import re
import sys
import time
import zipfile
from xml.etree import ElementTree

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

RECALC = {"always": 0, "never": 1, "both": 1}


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(port):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            return resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.25)


def set_recalc(ctx, mode):
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (prop("nodepath", "/org.openoffice.Office.Calc/Formula/Load"),))
    access.setPropertyValue("OOXMLRecalcMode", RECALC[mode])
    access.setPropertyValue("ODFRecalcMode", RECALC[mode])
    access.commitChanges()


def cell_value(cell):
    kind = cell.getType().value
    if kind == "EMPTY":
        return None
    if kind == "FORMULA":
        if cell.getError():
            return {"error": cell.getError()}
        result = cell.FormulaResultType2  # com.sun.star.sheet.FormulaResult: 1 value, 2 text
        if result == 2:
            return cell.getString()
        if result == 1:
            return cell.getValue()
        return cell.getString() or None
    if kind == "TEXT":
        return cell.getString()
    return cell.getValue()


CLEARED = 1 | 2 | 4  # com.sun.star.sheet.CellFlags VALUE | DATETIME | STRING: the Delete key


def type_in(sheets, cells):
    """Type each (sheet name, reference, value): a number as a number, text as text; None
    deletes what the cell held. Each call crosses the UNO bridge, so the cells of a row side
    by side are typed as one range (`setDataArray`: numbers as numbers, text as text, as
    typed one by one) and cells deleted side by side cleared as one."""
    by_sheet = {}
    for sheet_name, ref, value in cells:
        by_sheet.setdefault(sheet_name, {})[ref] = value
    for sheet_name, typed in by_sheet.items():
        sheet = sheets.getByName(sheet_name)  # each sheet looked up once
        at = {_position(ref): value for ref, value in typed.items()}
        if None in at:  # a reference that is not plain A1: one by one
            for ref, value in typed.items():
                _type_range(sheet.getCellRangeByName(ref), [value])
            continue
        runs = []  # (column, row, values) of cells side by side, typed or all deleted
        for c, r in sorted(at, key=lambda position: (position[1], position[0])):
            value = at[(c, r)]
            if runs and runs[-1][1] == r and runs[-1][0] + len(runs[-1][2]) == c and (
                    value is None) == (runs[-1][2][0] is None):
                runs[-1][2].append(value)
            else:
                runs.append((c, r, [value]))
        for c, r, values in runs:
            _type_range(sheet.getCellRangeByPosition(c, r, c + len(values) - 1, r), values)


def _type_range(area, values):
    if values[0] is None:
        area.clearContents(CLEARED)
    else:
        area.setDataArray((tuple(v if isinstance(v, str) else float(v) for v in values),))


FORMULA_ERROR = 4  # com.sun.star.sheet.FormulaResult.ERROR
PLAIN_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


def read_cells(sheets, cells, prefix):
    """The cells' values as `cell_value` reads them, a sheet's in bulk: each call crosses the
    UNO bridge, so a sheet's area is read as two arrays (what each cell holds, what it shows),
    and only cells showing an error are read one by one (for their error code)."""
    values = {}
    by_sheet = {}
    for sheet_name, ref in cells:
        by_sheet.setdefault(sheet_name, []).append(ref)
    for sheet_name, refs in by_sheet.items():
        sheet = sheets.getByName(sheet_name)
        at = {ref: _position(ref) for ref in refs}
        if None in at.values():  # a reference that is not plain A1: one by one
            for ref in refs:
                values[f"{prefix}{sheet_name}!{ref}"] = cell_value(sheet.getCellRangeByName(ref))
            continue
        area = sheet.getCellRangeByPosition(0, 0, max(c for c, _ in at.values()),
                                            max(r for _, r in at.values()))
        held, shown = area.getFormulaArray(), area.getDataArray()
        errors = set()
        for address in sheet.queryFormulaCells(FORMULA_ERROR).getRangeAddresses():
            errors.update((c, r) for c in range(address.StartColumn, address.EndColumn + 1)
                          for r in range(address.StartRow, address.EndRow + 1))
        for ref, (c, r) in at.items():
            if (c, r) in errors:
                value = cell_value(sheet.getCellByPosition(c, r))
            elif held[r][c] == "":
                value = None  # an empty cell
            else:
                value = shown[r][c]
            values[f"{prefix}{sheet_name}!{ref}"] = value
    return values


def _position(ref):
    """(column, row) of a plain reference such as "AB12", from 0; None for any other."""
    match = PLAIN_REF.fullmatch(ref)
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return column - 1, int(match.group(2)) - 1


FIT_TOLERANCE = 30  # 1/100 mm: 0.3 mm, under a pixel at 100 %
CHAR_PROPS = ("CharHeight", "CharWeight", "CharFontName", "IsTextWrapped", "ParaIndent")


def clipped_cells(doc, path, needed_cache):
    """Cells of visible sheets showing text (typed or computed) whose (merged) area is
    shorter than LibreOffice's own optimal height for it, or, unwrapped, narrower.

    Each call crosses the UNO bridge, and a call that hands back an object (a cell, a row, a
    range) costs ten of one that reads a value, so LibreOffice is asked only what it alone
    knows, and each thing once: what a sheet holds and shows (its formulas and shown values,
    two arrays); the character properties of each cell format holding text, once per
    document; the width of each column and the height of each row under text, once per size
    the file gives them (a column's width, a row's custom height: the same in every sheet of
    the document) and for the others once per sheet; what a text needs, once per request
    (`needed_cache`, by text, width and character properties: the workbooks of one request
    share most of their texts), in a scratch sheet of the document at hand. Which format a
    cell has, and which cells are merged with it, the xlsx itself says (`_file_layout`)."""
    layout = _file_layout(path)
    sheets = doc.getSheets()
    formats, widths, heights = {}, {}, {}  # read from LibreOffice, once per document
    shown_texts = []  # (where, text, width, height, props, may run into the next cell)
    for index in range(sheets.getCount()):
        sheet = sheets.getByIndex(index)
        if not sheet.IsVisible:
            continue
        sheet_name = sheet.getName()
        in_file = layout[sheet_name]
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        area = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
        formulas = area.getFormulaArray()
        shown = area.getDataArray()  # a formula's result: text, or a number
        columns, rows = sheet.getColumns(), sheet.getRows()
        texts = {}
        filled = set()  # every cell that holds something, text or not
        for r, line in enumerate(formulas):
            for c, text in enumerate(line):
                if text:
                    filled.add((c, r))
                if text.startswith("="):  # a formula: what it shows, when it is text
                    text = shown[r][c]
                    if not isinstance(text, str):
                        continue
                if text:
                    texts[(c, r)] = text
        for (c, r), text in texts.items():
            style = in_file.styles.get((c, r), 0)
            if style not in formats:  # read at the format's first text cell
                formats[style] = tuple(
                    sheet.getCellByPosition(c, r).getPropertyValues(CHAR_PROPS))
            span_columns, span_rows = in_file.spans.get((c, r), (0, 0))
            last_column, last_row = c + span_columns, r + span_rows
            width = sum(_size(widths, columns, "Width", i, in_file.columns.get(i), sheet_name)
                        for i in range(c, last_column + 1))
            height = sum(_size(heights, rows, "Height", i, in_file.rows.get(i), sheet_name)
                         for i in range(r, last_row + 1))
            shown_texts.append((f"{sheet_name}!{_column_name(c)}{r + 1}", text, width, height,
                                formats[style], _right_is_free(filled, last_column, r,
                                                               end.EndColumn)))
    _measure(sheets, {(text, width, props) for _, text, width, _, props, _ in shown_texts},
             needed_cache)
    found = {}
    for where, text, width, height, props, runs_on in shown_texts:
        need_height, need_width = needed_cache[(text, width, props)]
        too_wide = need_width > width + FIT_TOLERANCE and not runs_on
        if need_height > height + FIT_TOLERANCE or too_wide:
            found[f"clipped:{where}"] = [text, [width, height], [need_width or width,
                                                                 need_height]]
    return found


def _size(known, items, size, index, sized, sheet_name):
    """LibreOffice's `size` (Width or Height) of column or row `index`, read once for each
    size the file gives (`sized`: the same in every sheet of the document), and once per
    sheet for a column or row whose size LibreOffice works out itself (`sized` None)."""
    key = sized if sized is not None else (sheet_name, index)
    if key not in known:
        known[key] = getattr(items.getByIndex(index), size)
    return known[key]


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class FileSheet:
    """What an xlsx sheet itself says about its cells: each cell's format (its index in the
    workbook's cellXfs), each merge's extra columns and rows by its first cell, and the size
    the file fixes for a column (its width) or a row (a custom height), as a key whose equal
    sizes LibreOffice reads alike."""

    def __init__(self, root):
        self.styles, self.spans, self.columns, self.rows = {}, {}, {}, {}
        for col in root.iter(MAIN + "col"):
            sized = ("column", col.get("width"), col.get("customWidth"), col.get("hidden"))
            for c in range(int(col.get("min")) - 1, int(col.get("max"))):
                self.columns[c] = sized
        for line in root.iter(MAIN + "row"):
            r = int(line.get("r")) - 1
            if line.get("customHeight") in ("1", "true"):
                self.rows[r] = ("row", line.get("ht"), line.get("hidden"))
            for cell in line.iter(MAIN + "c"):
                self.styles[_position(cell.get("r"))] = int(cell.get("s", "0"))
        for merge in root.iter(MAIN + "mergeCell"):
            first, last = (_position(ref) for ref in merge.get("ref").split(":"))
            self.spans[first] = (last[0] - first[0], last[1] - first[1])


def _file_layout(path):
    """Each sheet of the xlsx at `path` as it says itself (`FileSheet`), by sheet name."""
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in relations}
        sheets = {}
        for sheet in workbook.iter(MAIN + "sheet"):
            target = targets[sheet.get(REL_ID)].lstrip("/").removeprefix("xl/")
            root = ElementTree.fromstring(archive.read("xl/" + target))
            sheets[sheet.get("name")] = FileSheet(root)
    return sheets


def _measure(sheets, wanted, needed_cache):
    """LibreOffice's own optimal (height, width) of each (text, width, character properties)
    of `wanted` not yet in `needed_cache`, into it: the text typed into a cell `width` wide
    with those properties (width 0: a wrapped text never needs more width), in a scratch
    sheet of the document at hand. Measured in order of properties and width, so each is
    set once for all the texts that share it. The scratch row keeps LibreOffice's optimal
    height (no height is ever set on it), so typing a text in sizes the row to it: asking
    for its optimal height again gave the same heights on all 1,933 texts of test_layout's
    workbooks, for a third more of the measuring's work."""
    pending = sorted(wanted - needed_cache.keys(), key=lambda k: (repr(k[2]), k[1], k[0]))
    if not pending:
        return
    scratch_name = "__ukur__"
    sheets.insertNewByName(scratch_name, sheets.getCount())
    scratch = sheets.getByName(scratch_name)
    probe = scratch.getCellByPosition(0, 0)
    column = scratch.getColumns().getByIndex(0)
    row = scratch.getRows().getByIndex(0)
    props_set = width_set = None
    for text, width, props in pending:
        if props != props_set:
            probe.setPropertyValues(CHAR_PROPS, props)
            props_set = props
        if width != width_set:
            column.Width = width
            width_set = width
        probe.setString(text)  # LibreOffice sizes the row to it (its height was never set)
        if props[3]:
            needed_cache[(text, width, props)] = (row.Height, 0)
            continue
        column.OptimalWidth = True
        needed_cache[(text, width, props)] = (row.Height, column.Width)
        width_set = None  # the column now has the text's width
    sheets.removeByName(scratch_name)


def _right_is_free(filled, last_column, r, end_column):
    """An unwrapped text may run into the next cell when that one is empty."""
    return last_column >= end_column or (last_column + 1, r) not in filled


def _column_name(index):
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    ctx = connect(request["port"])
    set_recalc(ctx, request["recalc"])
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    out = {}
    needed = {}  # (text, width, properties): (height, width) it needs
    for path in request["files"]:
        url = uno.systemPathToFileUrl(path)
        doc = None
        for _ in range(20):  # a freshly started office may refuse the first loads
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            if doc is not None:
                break
            time.sleep(0.5)
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {path}")
        if not hasattr(doc, "getSheets"):  # a text document (Word): only printed, in Writer
            pdf = request.get("pdf", {}).get(path)
            if pdf:
                doc.storeToURL(uno.systemPathToFileUrl(pdf),
                               (prop("FilterName", "writer_pdf_Export"),))
            doc.close(True)
            out[path] = {}
            continue
        sheets = doc.getSheets()
        type_in(sheets, request.get("fill", {}).get(path, []))
        if request.get("fill", {}).get(path):
            doc.calculateAll()
        cells = request.get("cells", {}).get(path, [])
        values = read_cells(sheets, cells, "")
        if request["recalc"] == "both":
            doc.calculateAll()
            values.update(read_cells(sheets, cells, "ulang:"))
        if request.get("annotations"):
            for index in range(sheets.getCount()):
                sheet = sheets.getByIndex(index)
                notes = sheet.getAnnotations()
                for n in range(notes.getCount()):
                    note = notes.getByIndex(n)
                    address = note.getPosition()
                    cell = sheet.getCellByPosition(address.Column, address.Row)
                    ref = cell.AbsoluteName.split(".")[-1].replace("$", "")
                    values[f"catatan:{sheet.getName()}!{ref}"] = note.getString()
        if request.get("fit"):
            values.update(clipped_cells(doc, path, needed))
        pdf = request.get("pdf", {}).get(path)
        if pdf:
            doc.storeToURL(uno.systemPathToFileUrl(pdf), (prop("FilterName", "calc_pdf_Export"),))
        target = request.get("save_as", {}).get(path)
        if target:
            doc.storeToURL(uno.systemPathToFileUrl(target),
                           (prop("FilterName", "Calc MS Excel 2007 XML"),))
        for typed, step_target in request.get("steps", {}).get(path, []):
            type_in(sheets, typed)
            doc.calculateAll()
            doc.storeToURL(uno.systemPathToFileUrl(step_target),
                           (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
        out[path] = values
    print(json.dumps(out))


if __name__ == "__main__":
    main()
