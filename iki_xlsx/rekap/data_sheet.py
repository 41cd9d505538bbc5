"""The recap's Data sheet: every accepted input value, traced to its unit, sheet, cell and file."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import sheet_names
from iki_xlsx.plan.formula import sheet_prefix
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import Cell, Role, SheetPlan, Table, ref, title_row
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.rekap.context import (
    DATA_HASH_DIGITS,
    DATA_HEADER_ROW,
    DATA_HEADERS,
    DATA_STYLES,
    DATA_VALUE_COL,
    DATA_WIDTHS,
    Context,
    footer_text,
    wrap_rows,
)


def data_sheet(ctx: Context) -> tuple[SheetPlan, dict[tuple[str, str], str]]:
    """Every accepted value, one row each, ordered as in the units' own workbooks; and where
    each (unit, plan key) value stands, as a reference for the jabatan sheets' formulas."""
    bp = ctx.bp
    sheet = SheetPlan(code="DATA", name="Data", kind="data", title="Data",
                      footer=footer_text(bp, "Data"))
    sheet.col_widths = list(DATA_WIDTHS)
    last = len(DATA_HEADERS) - 1
    title_row(sheet, "DATA ISIAN YANG DITERIMA", last)
    about = ("Setiap baris adalah satu sel isian yang terisi pada lembar kerja yang diterima "
             "(sel yang dibiarkan kosong tidak dicantumkan); Lembar dan Sel menunjuk tempatnya "
             f"di berkas unit, SHA-256 ({DATA_HASH_DIGITS} digit awal; lengkapnya di lembar "
             "Asal Data) menunjuk berkas asli di penyimpanan. Lembar ini hanya berisi nilai, "
             "bukan rumus.")
    sheet.cells.append(Cell(ref(1, 0), Role.LABEL, "keterangan", "text_plain", about))
    sheet.merges.append(f"{ref(1, 0)}:{ref(1, last)}")
    sheet.row_heights[1] = text_height(about, sheet.col_widths)
    for c, text in enumerate(DATA_HEADERS):
        sheet.cells.append(Cell(ref(DATA_HEADER_ROW, c), Role.LABEL, f"kepala/{c}", "header",
                                text))
    names = _sheet_names(ctx)
    order = {u.kode: i for i, u in enumerate(ctx.listed)}
    sheet_order = {code: i for i, code in enumerate(
        [f"J-{j.id}" for j in bp.jabatan] + ["IKU"])}
    entries = sorted((e for e in ctx.source.entries
                      if e.unit_kode in order and e.value not in (None, "")),
                     key=lambda e: (order[e.unit_kode], sheet_order.get(e.sheet, 99),
                                    _row_col(e.cell)))
    units = {u.kode: u for u in ctx.listed}
    labels = _labels(bp)
    rows: list[tuple[str | float | None, ...]] = []
    where: dict[tuple[str, str], str] = {}
    first = DATA_HEADER_ROW + 1
    described: dict[str, tuple[str, str, str, str, str]] = {}  # every unit holds the same keys
    for i, entry in enumerate(entries):
        said = described.get(entry.key)
        if said is None:
            said = described[entry.key] = _describe(entry.key, labels, units, bp)
        jabatan, indikator, variabel, untuk, periode = said
        value = entry.value if not isinstance(entry.value, bool) else str(entry.value)
        rows.append((entry.unit_kode, units[entry.unit_kode].nama, jabatan, indikator,
                     variabel, untuk, periode, value,
                     names.get(entry.unit_kode, {}).get(entry.sheet, entry.sheet), entry.cell,
                     entry.sha256[:DATA_HASH_DIGITS]))
        where[(entry.unit_kode, entry.key)] = sheet_prefix(sheet.name) + ref(first + i,
                                                                       DATA_VALUE_COL)
    sheet.table = Table(first, 0, rows, DATA_STYLES)
    sheet.freeze = (first, 2)
    sheet.repeat_rows = (DATA_HEADER_ROW, DATA_HEADER_ROW)
    sheet.autofilter = f"{ref(DATA_HEADER_ROW, 0)}:{ref(first + max(len(rows), 1) - 1, last)}"
    wrap_rows(sheet, DATA_HEADER_ROW)
    return sheet, where


@lru_cache(maxsize=1 << 14)  # the same cells in every unit's workbook
def _row_col(cell: str) -> tuple[int, str]:
    match = re.match(r"([A-Z]+)(\d+)", cell)
    if match is None:
        return (0, cell)
    return (int(match.group(2)), match.group(1).rjust(3))


def _sheet_names(ctx: Context) -> dict[str, dict[str, str]]:
    return unit_sheet_names(ctx.bp, ctx.source.periode, ctx.listed)


def unit_sheet_names(bp: Blueprint, periode: int, units: Sequence[Unit]
                     ) -> dict[str, dict[str, str]]:
    """Per unit kode, the sheet names by code in that unit's own workbook, as its plan names
    them (the same for every kelurahan; `periode` does not change them)."""
    result: dict[str, dict[str, str]] = {}
    cache: dict[bool, dict[str, str]] = {}
    for unit in units:
        if unit.kantor not in cache:
            cache[unit.kantor] = sheet_names(bp, unit)
        result[unit.kode] = cache[unit.kantor]
    return result


def _labels(bp: Blueprint) -> dict[tuple[str, str], tuple[str, str, dict[str, str]]]:
    """Per `scope/indikator`: jabatan name, indicator name, variable labels."""
    result: dict[tuple[str, str], tuple[str, str, dict[str, str]]] = {}
    for jab in bp.jabatan:
        for ind in jab.indikator:
            result[(jab.id, ind.id)] = (jab.nama, ind.nama,
                                           {v.id: v.label for v in ind.variabel})
    if bp.iku is not None:
        for iku in bp.iku.indikator:
            result[("iku", iku.id)] = ("IKU", iku.nama, {v.id: v.label for v in iku.variabel})
    return result


def _describe(key: str, labels: Mapping[tuple[str, str], tuple[str, str, dict[str, str]]],
              units: Mapping[str, Unit], bp: Blueprint) -> tuple[str, str, str, str, str]:
    parsed = PlanKey.try_parse(key)
    if parsed is None or not (parsed.is_target or parsed.period is not None):
        return ("", "", key, "", "")
    jabatan, indikator, variables = labels.get((parsed.scope, parsed.indikator),
                                               ("", parsed.indikator, {}))
    if parsed.period is None:
        return (jabatan, indikator, "Target", "", "")
    shown_unit = units.get(parsed.unit or "")
    untuk = shown_unit.nama if shown_unit is not None else (parsed.unit or "")
    p = parsed.period
    periode = bp.periods[p - 1] if p <= len(bp.periods) else f"p{p}"
    return (jabatan, indikator, variables.get(parsed.name, parsed.name), untuk, periode)
