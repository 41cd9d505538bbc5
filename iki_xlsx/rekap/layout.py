"""The recap's plan: where every cell of the consolidated workbook stands.

Built once from the blueprint, the units list and the accepted values of a store.
The writer draws it, `evaluate` computes its cached values, tests look cells up in it.

Sheets: Ringkasan (the kecamatan's realisasi per indicator), Status (who returned),
one sheet per jabatan (and the IKU table) with a row per unit and the kecamatan
total, Data (every accepted input value, traced to its file) and Asal Data
(provenance). Every figure on a jabatan sheet is a live formula over the Data sheet.
"""

from __future__ import annotations

from iki_xlsx.plan.build import office_unit
from iki_xlsx.plan.carriers import MANIFEST_SHEET
from iki_xlsx.plan.model import Role, WorkbookPlan, last_row, ref, set_page, sheet_name, title_case
from iki_xlsx.rekap.charts import chart_span
from iki_xlsx.rekap.context import DATA_VALUE_COL, REPEATED_COLUMNS, Context
from iki_xlsx.rekap.data_sheet import data_sheet
from iki_xlsx.rekap.jabatan import jabatan_sheet
from iki_xlsx.rekap.source import RekapSource
from iki_xlsx.rekap.status_sheets import COLUMN_BREAKS, asal_sheet, status_sheet
from iki_xlsx.rekap.summary import ringkasan_sheet
from iki_xlsx.workbook.evaluate import CellKey, Value

# --- layout constants ------------------------------------------------------------------------





def plan_rekap(source: RekapSource) -> tuple[WorkbookPlan, dict[CellKey, Value]]:
    """The recap workbook's plan and the values of its plain cells (for `evaluate_plan`)."""
    listed = [r.unit for r in source.units if r.on_list]
    ctx = Context(source, [u for u in listed if not u.kantor],
                   next((u for u in listed if u.kantor), None),
                   {r.unit.kode: r.state for r in source.units if r.on_list})
    taken = {"ringkasan", "status", "data", "asal data", MANIFEST_SHEET.lower()}
    data, ctx.data_ref = data_sheet(ctx)
    jabatan_sheets = [jabatan_sheet(ctx, jab, sheet_name(jab.singkatan or title_case(jab.nama),
                                                          taken))
                      for jab in ctx.bp.jabatan if jab.indikator]
    if ctx.bp.iku is not None:
        jabatan_sheets.append(jabatan_sheet(ctx, None, sheet_name("IKU", taken)))
    sheets = [ringkasan_sheet(ctx, jabatan_sheets), status_sheet(ctx), *jabatan_sheets, data,
              asal_sheet(ctx)]
    for sheet in sheets:
        first = sheet.repeat_rows[1] + 1 if sheet.repeat_rows else 0
        # the signature block and the last two indicators print on one page
        signed = [(last_row(sheet) - 8, last_row(sheet))] if sheet.kind == "ringkasan" else []
        set_page(sheet, first_row=first, repeat_cols=REPEATED_COLUMNS.get(sheet.kind, 0),
                 column_breaks=COLUMN_BREAKS.get(sheet.kind),
                 blocks=signed + [chart_span(chart) for chart in sheet.charts])
    office = ctx.office or office_unit(ctx.bp)
    plan = WorkbookPlan(blueprint_id=ctx.bp.id, blueprint_versi=ctx.bp.versi,
                        blueprint_hash=ctx.bp.content_hash(), kantor=ctx.bp.kantor, unit=office,
                        periode=source.periode, periods=ctx.bp.periods, units=listed,
                        sheets=sheets, jenis="rekap")
    if source.generator:
        plan.generator = source.generator
    values: dict[CellKey, Value] = {}
    for sheet in sheets:
        for cell in sheet.cells:
            if cell.role is Role.LABEL and cell.value is not None:
                values[(sheet.code, cell.ref)] = cell.value
        if sheet.table is not None and sheet.code == "DATA":
            for i, row in enumerate(sheet.table.rows):
                values[(sheet.code, ref(sheet.table.first_row + i, DATA_VALUE_COL))] = (
                    row[DATA_VALUE_COL])
    return plan, values














# --- Data ------------------------------------------------------------------------------------














# --- jabatan sheets --------------------------------------------------------------------------


































# --- charts ----------------------------------------------------------------------------------











# --- Ringkasan, Status, Asal Data ------------------------------------------------------------



























