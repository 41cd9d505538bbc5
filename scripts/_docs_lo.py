"""Runs under the system Python with LibreOffice's `uno` (see make-docs-images.sh).

Usage: python3 _docs_lo.py PORT WORKBOOK SHEET LAST_COLUMN ROWS OUT.pdf
Exports what a clerk sees first on SHEET (columns A..LAST_COLUMN, the first ROWS rows) as one
PDF page at 100 %, without header or footer.
"""

import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.table import CellRangeAddress  # type: ignore[import-not-found]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    port, path, sheet_name, last_col, rows, out = sys.argv[1:]
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = None
    for _ in range(20):
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                           (prop("Hidden", True),))
        if doc is not None:
            break
        time.sleep(0.5)
    sheets = doc.getSheets()
    for name in list(sheets.getElementNames()):
        if name != sheet_name:
            sheets.removeByName(name)
    sheet = sheets.getByName(sheet_name)
    area = CellRangeAddress()
    area.Sheet, area.StartColumn, area.StartRow = 0, 0, 0
    area.EndColumn, area.EndRow = int(last_col), int(rows) - 1
    sheet.setPrintAreas((area,))
    sheet.setTitleRows(CellRangeAddress())
    style = doc.getStyleFamilies().getByName("PageStyles").getByName(sheet.PageStyle)
    style.HeaderIsOn = False
    style.FooterIsOn = False
    style.PageScale = 100
    style.ScaleToPagesX = 0
    style.ScaleToPagesY = 0
    style.IsLandscape = True
    style.Width, style.Height = 36000, 21000  # a page as large as the screen's grid
    for side in ("LeftMargin", "RightMargin", "TopMargin", "BottomMargin"):
        setattr(style, side, 200)
    sheet.removeAllManualPageBreaks()
    doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", "calc_pdf_Export"),))
    doc.close(True)


if __name__ == "__main__":
    main()
