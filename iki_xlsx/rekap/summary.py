"""The recap's Ringkasan: the kecamatan's figure per indicator, where its target comes from, and
the signature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from iki_xlsx.blueprint.model import IkuIndikator, Indikator
from iki_xlsx.core.dates import local_time, tanggal, waktu_dibuat
from iki_xlsx.plan.formula import copy_of, mean_of, sheet_prefix, sum_of
from iki_xlsx.plan.model import (
    Cell,
    Role,
    SheetPlan,
    WorkbookPlan,
    meta_rows,
    ref,
    rowcol,
    title_row,
)
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.rekap.context import Context, footer_text, periode_text, returned_text
from iki_xlsx.rekap.jabatan import block_rows, realisasi_style, row_key, scope_of, target_source
from iki_xlsx.rekap.source import KECAMATAN, RekapSource
from iki_xlsx.workbook.evaluate import CellKey, Value

ROW_KEY = "ringkasan"  # every cell of an indicator's row: ringkasan/<scope>/<indikator>/<part>
# where a blueprint without `dasar` would have its decree: said, never left out silently
DASAR_MISSING = ("tidak tercantum: blueprint ini tidak memuat dasar keputusannya (isi `dasar` "
                 "di blueprint, misalnya nomor dan tanggal keputusan camat)")
RINGKASAN_HEADERS = ("No", "Jabatan / Penanggung jawab", "Indikator", "Satuan", "Target",
                     "Asal target", "Target dari unit", "Realisasi kecamatan", "Capaian (%)",
                     "Predikat")


def ringkasan_sheet(ctx: Context, jabatan_sheets: Sequence[SheetPlan]) -> SheetPlan:
    """The kecamatan's realisasi of every indicator, pointing at the jabatan sheets."""
    bp = ctx.bp
    sheet = SheetPlan(code="RINGKASAN", name="Ringkasan", kind="ringkasan",
                      title="Ringkasan Rekap", footer=footer_text(bp, "Ringkasan"))
    sheet.col_widths = [5, 24, 38, 9, 9, 16, 10, 13, 11, 16]  # one A4 page wide
    last = len(RINGKASAN_HEADERS) - 1
    title_row(sheet, f"REKAP CAPAIAN INDIKATOR KINERJA — {bp.kantor.upper()}", last)
    opening = [("Dasar", bp.dasar or DASAR_MISSING),
                ("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
                ("Periode", periode_text(ctx)),
                ("Keputusan IKI", f"{bp.nama} — {bp.id} versi {bp.versi}"),
                ("Unit kembali", returned_text(ctx)),
                ("Target", ctx.source.target_words()),
                ("Dibuat", waktu_dibuat(ctx.source.created, ctx.source.zona))]
    row = meta_rows(sheet, opening, last, sheet.col_widths[2:]) + 1
    for c, text in enumerate(RINGKASAN_HEADERS):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.row_heights[row] = 30
    sheet.freeze = (row + 1, 0)
    sheet.repeat_rows = (row, row)
    row += 1
    number = 0
    by_code = {s.code: s for s in jabatan_sheets}
    owners = [(f"J-{j.id}", j.nama, j.indikator) for j in bp.jabatan if j.indikator]
    if bp.iku is not None:
        owners.append(("IKU", "", list(bp.iku.indikator)))
    for code, owner, shown in owners:
        source = by_code[code]
        quoted = sheet_prefix(source.name)
        scope = scope_of(code)
        for ind in shown:
            number += 1
            total = row_key(scope, ind.id, KECAMATAN)  # the total row, or the office's only row
            who = ", ".join(ind.penanggung_jawab) if isinstance(ind, IkuIndikator) else owner
            key = f"{ROW_KEY}/{scope}/{ind.id}"  # as on the unit workbooks' Ringkasan
            for col, value, style in ((0, str(number), "text_center"), (1, who, "text"),
                                      (2, ind.nama, "text"), (3, ind.satuan, "text_center")):
                sheet.cells.append(Cell(ref(row, col), Role.LABEL, f"{key}/{col}", style, value))
            for col, part, style in ((4, "target", "number"), (7, "realisasi",
                                                               realisasi_style(ind)),
                                     (8, "capaian", "pct"), (9, "predikat", "text_value")):
                target = source.cell(total(part))
                sheet.cells.append(Cell(ref(row, col), Role.FORMULA, f"{key}/{part}", style,
                                        formula=copy_of(quoted + target.ref)))
            _target_source_cells(ctx, sheet, ind, key, row, source)
            sheet.row_heights[row] = max(text_height(ind.nama, sheet.col_widths[2]),
                                         text_height(who, sheet.col_widths[1]))
            row += 1
    if ctx.source.pengesahan is not None:
        _signature(sheet, ctx.source, row + 1)
    return sheet


def summary_table(plan: WorkbookPlan, values: Mapping[CellKey, Value]) -> list[list[Value]]:
    """The Ringkasan table as the recap shows it, as data: one row per indicator in the
    columns of `RINGKASAN_HEADERS`, each formula cell with the value written as its cache."""
    sheet = next((s for s in plan.sheets if s.kind == "ringkasan"), None)
    if sheet is None:
        return []
    rows: dict[int, list[Value]] = {}
    for cell in sheet.cells:
        if not cell.key.startswith(f"{ROW_KEY}/"):
            continue
        row, col = rowcol(cell.ref)
        line = rows.setdefault(row, [None] * len(RINGKASAN_HEADERS))
        line[col] = values.get((sheet.code, cell.ref)) if cell.role is Role.FORMULA \
            else cell.value
    return [rows[row] for row in sorted(rows)]


def _signature(sheet: SheetPlan, source: RekapSource, row: int) -> None:
    """'Malang, 25 November 2026', the signatory's office, room to sign, name and NIP, at the
    right of the page."""
    sign = source.pengesahan
    assert sign is not None
    place = f"{sign.kota}, {tanggal(local_time(source.created, sign.zona_waktu))}"
    lines = [("tempat-tanggal", place, "text_plain"),
             ("jabatan", f"{sign.jabatan}," if sign.jabatan else "", "text_plain"),
             ("ruang-tanda-tangan", "", "text_plain"), ("nama", sign.nama or "", "signer"),
             ("nip", f"NIP {sign.nip}" if sign.nip else "", "text_plain")]
    first_col, last_col = 5, len(sheet.col_widths) - 1
    for i, (name, text, style) in enumerate(lines):
        at = row + i
        sheet.cells.append(Cell(ref(at, first_col), Role.LABEL, f"pengesahan/{name}", style,
                                text))
        sheet.merges.append(f"{ref(at, first_col)}:{ref(at, last_col)}")
        sheet.row_heights[at] = 48.0 if name == "ruang-tanda-tangan" else text_height(
            text, sheet.col_widths[first_col:], bold=style == "signer")


def _target_source_cells(ctx: Context, sheet: SheetPlan, ind: Indikator, key: str, row: int,
                         source: SheetPlan) -> None:
    """Beside the kecamatan's target: where it comes from, and the units' own targets added
    up (or averaged) when they type one, so both show when the decree also gives one."""
    words, combine = target_source(ctx, scope_of(source.code), ind)
    sheet.cells.append(Cell(ref(row, 5), Role.LABEL, f"{key}/asal_target", "text", words))
    at = ref(row, 6)
    rows = block_rows(ctx, ind)
    if combine is None:
        sheet.cells.append(Cell(at, Role.LABEL, f"{key}/target_unit", "number"))
        return
    first = source.cell(row_key(scope_of(source.code), ind.id, rows[0].unit.kode)("target")).ref
    last = source.cell(row_key(scope_of(source.code), ind.id, rows[-1].unit.kode)("target")).ref
    column = sheet_prefix(source.name) + f"{first}:{last}"
    sheet.cells.append(Cell(at, Role.FORMULA, f"{key}/target_unit", "number",
                            formula=sum_of(column) if combine == "jumlah" else mean_of(column)))
