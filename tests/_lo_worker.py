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
{"error": code} for an error cell. With "fit", "clipped:Sheet!A1" holds
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


def clipped_cells(doc, needed_cache):
    """Cells of visible sheets showing text (typed or computed) whose (merged) area is
    shorter than LibreOffice's own optimal height for it, or, unwrapped, narrower.

    Each call crosses the UNO bridge, so what a sheet holds is read in bulk: its formulas and
    shown values as two arrays, the column widths and row heights under its text, its cells
    grouped by identical format (LibreOffice's unique format ranges: the same character
    properties, and the same merge, since a merge is part of a cell's format), one group's
    properties and merge span read once. What a text needs is measured once per request
    (`needed_cache`, by text, width and character properties: the workbooks of one request
    share most of their texts), in a scratch sheet of the document at hand."""
    sheets = doc.getSheets()
    scratch_name = "__ukur__"
    sheets.insertNewByName(scratch_name, sheets.getCount())
    scratch = sheets.getByName(scratch_name)
    probe = scratch.getCellByPosition(0, 0)
    column = scratch.getColumns().getByIndex(0)
    row = scratch.getRows().getByIndex(0)
    found = {}
    for index in range(sheets.getCount() - 1):
        sheet = sheets.getByIndex(index)
        if not sheet.IsVisible:
            continue
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        area = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
        formulas = area.getFormulaArray()
        shown = area.getDataArray()  # a formula's result: text, or a number
        columns, rows = sheet.getColumns(), sheet.getRows()
        widths, heights = {}, {}  # read as a text cell needs them, once each
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
        sheet_name = sheet.getName()
        for group in _format_groups(area):
            props, span = None, None
            for address in group.getRangeAddresses():
                for r in range(address.StartRow, address.EndRow + 1):
                    for c in range(address.StartColumn, address.EndColumn + 1):
                        text = texts.get((c, r))
                        if text is None:
                            continue
                        if props is None:  # the group's, read at its first text cell
                            cell = sheet.getCellByPosition(c, r)
                            props = tuple(cell.getPropertyValues(CHAR_PROPS))
                            merged = sheet.createCursorByRange(cell)
                            merged.collapseToMergedArea()
                            box = merged.getRangeAddress()
                            span = (box.EndColumn - box.StartColumn, box.EndRow - box.StartRow)
                        last_column, last_row = c + span[0], r + span[1]
                        width = sum(_extent(widths, columns, c, last_column, "Width"))
                        height = sum(_extent(heights, rows, r, last_row, "Height"))
                        key = (text, width, props)
                        if key not in needed_cache:
                            needed_cache[key] = _needed(probe, column, row, text, width, props)
                        need_height, need_width = needed_cache[key]
                        too_wide = need_width > width + FIT_TOLERANCE and not _right_is_free(
                            filled, last_column, r, end.EndColumn)
                        if need_height > height + FIT_TOLERANCE or too_wide:
                            found[f"clipped:{sheet_name}!{_column_name(c)}{r + 1}"] = [
                                text, [width, height], [need_width or width, need_height]]
    sheets.removeByName(scratch_name)
    return found


def _format_groups(area):
    groups = area.getUniqueCellFormatRanges()
    return [groups.getByIndex(i) for i in range(groups.getCount())]


def _needed(probe, column, row, text, width, props):
    """LibreOffice's own optimal (height, width) of `text` in a cell `width` wide with the
    character properties `props` (width 0: a wrapped text never needs more width)."""
    probe.setPropertyValues(CHAR_PROPS, props)
    probe.setString(text)
    column.Width = width
    row.OptimalHeight = True
    if props[3]:
        return row.Height, 0
    column.OptimalWidth = True
    return row.Height, column.Width


def _right_is_free(filled, last_column, r, end_column):
    """An unwrapped text may run into the next cell when that one is empty."""
    return last_column >= end_column or (last_column + 1, r) not in filled


def _extent(sizes, items, first, last, size):
    """The sizes (`size`: Width or Height) of columns or rows first..last, each read once per
    sheet (into `sizes`), and only those of cells that show text."""
    for i in range(first, last + 1):
        if i not in sizes:
            sizes[i] = getattr(items.getByIndex(i), size)
    return [sizes[i] for i in range(first, last + 1)]


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
            values.update(clipped_cells(doc, needed))
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
