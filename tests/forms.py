"""Filling the office's forms (targets, last year's realisasi) as a clerk would, by the headers
the form shows: a test says what it types, never where the form keeps it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl

Typed = str | float | int | datetime.date | None


def fill_form(template: Path, out: Path, parts: Mapping[str, Typed] | None = None,
              rows: Mapping[str, Mapping[str, Typed]] | None = None, sheet: str | None = None,
              key_headers: tuple[str, ...] = ("Kunci",)) -> Path:
    """Copy `template` to `out` with the parts (Bagian -> Isi) and the rows (the row whose
    key columns read `key`, joined by '|' -> header -> value) typed in, saved by openpyxl."""
    book = openpyxl.load_workbook(template)
    if parts:
        ws = book["Versi"]
        labels = {str(row[0].value): row[1] for row in ws.iter_rows(min_row=2) if row[0].value}
        for label, value in parts.items():
            labels[label].value = value
    if rows:
        ws = book[sheet or book.sheetnames[2]]
        header = {str(c.value): c.column for c in ws[1] if c.value is not None}
        where: dict[str, int] = {}
        for row in ws.iter_rows(min_row=2):
            key = "|".join(str(row[header[h] - 1].value) for h in key_headers)
            where.setdefault(key, row[0].row)
        for key, values in rows.items():
            for column, value in values.items():
                ws.cell(where[key], header[column]).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def form_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """Every row of a form's table sheet as header -> value."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    header = [str(v) for v in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]
