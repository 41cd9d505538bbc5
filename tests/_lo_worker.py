"""Runs under the system Python that has LibreOffice's `uno` module (not the project venv).

Usage: python3 _lo_worker.py REQUEST.json
REQUEST: {"port": int, "recalc": "never"|"always", "files": [path, ...],
          "cells": {path: [[sheet_name, ref], ...]}, "save_as": {path: out_path},
          "fill": {path: [[sheet_name, ref, value], ...]}, "pdf": {path: out_pdf},
          "fit": bool}
Cells of "fill" are typed in (a number as a number, text as text) before the cells are read
and the file saved, as a user filling the workbook in Calc would.
Prints JSON: {path: {"sheet!ref": value}}; a value is a number, a string, or
{"error": code} for an error cell. With "fit", "clipped:Sheet!A1" holds
[text, room, needed] (1/100 mm) for every text cell LibreOffice would show cut.
"""

import json
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

RECALC = {"always": 0, "never": 1}


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


FIT_TOLERANCE = 30  # 1/100 mm: 0.3 mm, under a pixel at 100 %
CHAR_PROPS = ("CharHeight", "CharWeight", "CharFontName", "IsTextWrapped", "ParaIndent")


def clipped_cells(doc):
    """Cells of visible sheets showing text (typed or computed) whose (merged) area is
    shorter than LibreOffice's own optimal height for it, or, unwrapped, narrower."""
    sheets = doc.getSheets()
    scratch_name = "__ukur__"
    sheets.insertNewByName(scratch_name, sheets.getCount())
    scratch = sheets.getByName(scratch_name)
    probe = scratch.getCellByPosition(0, 0)
    column = scratch.getColumns().getByIndex(0)
    row = scratch.getRows().getByIndex(0)
    needed_cache = {}
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
        for r, line in enumerate(formulas):
            for c, text in enumerate(line):
                if not text:
                    continue
                cell = sheet.getCellByPosition(c, r)
                if text.startswith("="):  # a formula: what it shows, when it is text
                    if cell.FormulaResultType2 != 2:
                        continue
                    text = cell.getString()
                    if not text:
                        continue
                merged = sheet.createCursorByRange(cell)
                merged.collapseToMergedArea()
                box = merged.getRangeAddress()
                columns = sheet.getColumns()
                rows = sheet.getRows()
                width = sum(columns.getByIndex(i).Width
                            for i in range(box.StartColumn, box.EndColumn + 1))
                height = sum(rows.getByIndex(i).Height
                             for i in range(box.StartRow, box.EndRow + 1))
                props = tuple(cell.getPropertyValue(name) for name in CHAR_PROPS)
                key = (text, width, props)
                if key not in needed_cache:
                    for name, value in zip(CHAR_PROPS, props, strict=True):
                        probe.setPropertyValue(name, value)
                    probe.setString(text)
                    column.Width = width
                    row.OptimalHeight = True
                    if props[3]:
                        needed_cache[key] = (row.Height, 0)
                    else:
                        column.OptimalWidth = True
                        needed_cache[key] = (row.Height, column.Width)
                need_height, need_width = needed_cache[key]
                name = cell.AbsoluteName.split(".")[-1].replace("$", "")
                too_wide = need_width > width + FIT_TOLERANCE and not right_is_free(
                    sheet, box, end.EndColumn)
                if need_height > height + FIT_TOLERANCE or too_wide:
                    found[f"clipped:{sheet.getName()}!{name}"] = [
                        text, [width, height], [need_width or width, need_height]]
    sheets.removeByName(scratch_name)
    return found


def right_is_free(sheet, box, last_column):
    """An unwrapped text may run into the next cell when that one is empty."""
    if box.EndColumn >= last_column:
        return True
    neighbour = sheet.getCellByPosition(box.EndColumn + 1, box.StartRow)
    return neighbour.getType().value == "EMPTY"


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    ctx = connect(request["port"])
    set_recalc(ctx, request["recalc"])
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    out = {}
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
        sheets = doc.getSheets()
        for sheet_name, ref, value in request.get("fill", {}).get(path, []):
            cell = sheets.getByName(sheet_name).getCellRangeByName(ref)
            if isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
        if request.get("fill", {}).get(path):
            doc.calculateAll()
        values = {}
        for sheet_name, ref in request.get("cells", {}).get(path, []):
            sheet = sheets.getByName(sheet_name)
            values[f"{sheet_name}!{ref}"] = cell_value(sheet.getCellRangeByName(ref))
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
            values.update(clipped_cells(doc))
        pdf = request.get("pdf", {}).get(path)
        if pdf:
            doc.storeToURL(uno.systemPathToFileUrl(pdf), (prop("FilterName", "calc_pdf_Export"),))
        target = request.get("save_as", {}).get(path)
        if target:
            doc.storeToURL(uno.systemPathToFileUrl(target),
                           (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
        out[path] = values
    print(json.dumps(out))


if __name__ == "__main__":
    main()
