"""The recap's Status sheet (who returned what, and when) and Asal Data (every file used)."""

from __future__ import annotations

from collections.abc import Sequence

from iki_xlsx.core.dates import day_text, local_time, tanggal, waktu_dibuat
from iki_xlsx.core.states import Status
from iki_xlsx.plan.formula import count_equal
from iki_xlsx.plan.model import Cell, Role, SheetPlan, Table, meta_rows, ref, title_row
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.rekap.charts import bar_charts
from iki_xlsx.rekap.context import Context, footer_text, periode_text, wrap_rows
from iki_xlsx.rekap.source import Return, UnitReturn

STATUS_HEADERS = ("No", "Kode", "Unit", "Status", "Kiriman ke", "Diterima", "Berkas",
                  "Hasil pemeriksaan", "Temuan", "Pengirim")
STATUS_WIDTHS = (5, 12, 24, 15, 8, 21, 30, 15, 8, 24)
STATUS_STATE_COL = STATUS_HEADERS.index("Status")  # the unit's state: one cell per unit
TIMELINE_HEADERS = ("Tanggal", "Berkas masuk", "Unit diterima (kumulatif)")
TIMELINE_COL = len(STATUS_HEADERS) + 1
COLUMN_BREAKS = {"status": [TIMELINE_COL]}  # the returns on one page wide, the timeline next


def status_sheet(ctx: Context) -> SheetPlan:
    """Who returned and who is missing, with totals as formulas, every return of each unit
    (so corrections show), and returns over time."""
    bp = ctx.bp
    sheet = SheetPlan(code="STATUS", name="Status", kind="status", title="Status Pengembalian",
                      footer=footer_text(bp, "Status"))
    sheet.col_widths = [*STATUS_WIDTHS, 3, 17, 12, 14]
    last = len(STATUS_HEADERS) - 1
    title_row(sheet, "STATUS PENGEMBALIAN LEMBAR KERJA", last)
    row = meta_rows(sheet, [("Periode", periode_text(ctx)),
                        ("Keputusan IKI", f"{bp.id} versi {bp.versi}")], last,
                    sheet.col_widths[2:last + 1]) + 1
    counted = sheet_states(ctx)
    header = row + len(counted) + 2
    first = header + 1
    units = ctx.source.units
    end = first + max(sum(max(len(u.returns), 1) for u in units), 1) - 1
    states = f"{ref(first, STATUS_STATE_COL)}:{ref(end, STATUS_STATE_COL)}"
    for i, state in enumerate(counted):
        word = state.label
        sheet.cells.append(Cell(ref(row + i, 1), Role.LABEL, f"jumlah/{i}/label", "meta_label",
                                word[:1].upper() + word[1:]))
        sheet.merges.append(f"{ref(row + i, 1)}:{ref(row + i, 2)}")
        sheet.cells.append(Cell(ref(row + i, 3), Role.FORMULA, f"jumlah/{i}", "number",
                                formula=count_equal(states, word)))
    total_row = row + len(counted)
    sheet.cells.append(Cell(ref(total_row, 1), Role.LABEL, "jumlah/unit/label", "meta_label",
                            "Jumlah unit pada daftar"))
    sheet.merges.append(f"{ref(total_row, 1)}:{ref(total_row, 2)}")
    sheet.cells.append(Cell(ref(total_row, 3), Role.LABEL, "jumlah/unit", "number",
                            float(len(ctx.states))))
    for c, text in enumerate(STATUS_HEADERS):
        sheet.cells.append(Cell(ref(header, c), Role.LABEL, f"kepala/{c}", "header",
                                f"Diterima ({ctx.source.zona})" if text == "Diterima" else text))
    sheet.row_heights[header] = 30
    r = first
    for number, item in enumerate(units, start=1):
        r = _unit_returns(ctx, sheet, number, item, r)
    sheet.freeze = (first, 0)
    sheet.repeat_rows = (header, header)
    _timeline(ctx, sheet, header)
    return sheet


def sheet_states(ctx: Context) -> tuple[Status, ...]:
    """The states the totals count: a check's verdicts and `belum kembali` (keys jumlah/0 to
    jumlah/3), then sign-off's states when a unit holds one."""
    held = {u.state for u in ctx.source.units}
    signed = tuple(s for s in (Status.VERIFIED, Status.RETURNED, Status.APPROVED) if s in held)
    return (Status.OK, Status.NEEDS_CORRECTION, Status.REJECTED, Status.NOT_RETURNED, *signed)


def _unit_returns(ctx: Context, sheet: SheetPlan, number: int, item: UnitReturn,
                  row: int) -> int:
    """A unit's rows on the Status sheet: its state once (the totals count units), beside
    each file it sent, oldest first; the next free row."""
    state = item.state.label if item.on_list else f"{item.state.label} (di luar daftar)"
    key = f"unit@{item.unit.kode}"
    own = ((str(number), "text_center"), (item.unit.kode, "text"), (item.unit.nama, "text"),
           (state, "text_center"))
    returns: Sequence[Return | None] = item.returns or (None,)
    for i, sent in enumerate(returns):
        at = row + i
        cells = [*(own if i == 0 else [(None, style) for _, style in own]),
                 *_return_cells(sent, i + 1, ctx.source.zona)]
        for c, (value, style) in enumerate(cells):
            sheet.cells.append(Cell(ref(at, c), Role.LABEL, f"{key}/{i}/{c}", style, value))
        sheet.row_heights[at] = max(text_height(str(value or ""), STATUS_WIDTHS[c])
                                    for c, (value, style) in enumerate(cells)
                                    if style == "text")
    return row + len(returns)


def _return_cells(sent: Return | None, number: int, zona: str
                  ) -> tuple[tuple[str | float | None, str], ...]:
    """One return's cells on the Status sheet (empty for a unit that sent nothing)."""
    if sent is None:
        return ((None, "text_center"), (None, "text_center"), (None, "text"),
                (None, "text_center"), (None, "number"), (None, "text"))
    return ((str(number), "text_center"), (_received_text(sent.received, zona), "text_center"),
            (sent.filename, "text"), (sent.state.label, "text_center"),
            (float(sent.findings), "number"), (sent.sender, "text"))


def _received_text(moment: str, zona: str) -> str:
    """'25 November 2026 01.40': when a file came, in the office's time zone (as stored
    when the store holds no moment it can read)."""
    try:
        local = local_time(moment, zona)
    except ValueError:
        return moment
    return f"{tanggal(local)} {local.hour:02d}.{local.minute:02d}"


def _timeline(ctx: Context, sheet: SheetPlan, header: int) -> None:
    for c, text in enumerate(TIMELINE_HEADERS):
        sheet.cells.append(Cell(ref(header, TIMELINE_COL + c), Role.LABEL, f"waktu/kepala/{c}",
                                "header", text))
    timeline = ctx.source.timeline
    for i, (day, received, accepted) in enumerate(timeline):
        r = header + 1 + i
        cells: tuple[tuple[str | float, str], ...] = (
            (day_text(day), "text_center"), (float(received), "number"),
            (float(accepted), "number"))
        for c, (value, style) in enumerate(cells):
            sheet.cells.append(Cell(ref(r, TIMELINE_COL + c), Role.LABEL, f"waktu/{i}/{c}",
                                    style, value))
    if timeline:
        last = header + len(timeline)
        bar_charts(sheet, "Pengembalian lembar kerja dari waktu ke waktu",
                    (header + 1, TIMELINE_COL, last),
                    (("Berkas masuk", TIMELINE_COL + 1),
                     ("Unit diterima (kumulatif)", TIMELINE_COL + 2)),
                    last + 2, TIMELINE_COL, 560, "Jumlah")


ASAL_HEADERS = ("No", "Kode", "Unit", "Berkas", "SHA-256", "Diterima", "Pengirim", "Subjek",
                "Versi blueprint", "Verifikasi dan persetujuan")
# one page wide at a legible scale: texts wrap, the SHA-256 in two lines
ASAL_WIDTHS = (4.0, 11.0, 14.0, 18.0, 40.0, 12.0, 14.0, 12.0, 9.0, 18.0)


def asal_sheet(ctx: Context) -> SheetPlan:
    """Provenance: where the recap comes from, and every file whose values it uses."""
    bp = ctx.bp
    source = ctx.source
    sheet = SheetPlan(code="ASAL", name="Asal Data", kind="asal", title="Asal Data",
                      footer=footer_text(bp, "Asal Data"))
    sheet.col_widths = list(ASAL_WIDTHS)
    last = len(ASAL_HEADERS) - 1
    title_row(sheet, "ASAL DATA REKAP", last)
    row = meta_rows(sheet, [
        ("Dibuat", waktu_dibuat(source.created, source.zona)),
        ("Dibuat oleh", source.generator or "iki-xlsx"),
        ("Penyimpanan", source.store),
        ("Keputusan IKI", f"{bp.id} versi {bp.versi}, hash {bp.content_hash()}"),
        ("Periode", periode_text(ctx)),
        ("Target", source.target_words()),
        ("Persetujuan", source.closing),
        ("Berkas dipakai", f"{len(source.files)} berkas (kiriman diterima terakhir tiap unit"
                           + ("; periode yang ditutup: kiriman yang disetujui)"
                              if source.closing.startswith("Disetujui") else ")")),
        ("Keterangan", "Berkas asli tersimpan utuh di penyimpanan pada berkas/<dua huruf awal "
                       "SHA-256>/<SHA-256>. Nilai pada lembar Data diambil dari berkas-berkas "
                       "ini; rumus pada lembar jabatan dihitung ulang dari lembar Data."),
    ], last, sheet.col_widths[2:last + 1]) + 1
    for c, text in enumerate(ASAL_HEADERS):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL, f"kepala/{c}", "header",
                                f"Diterima ({source.zona})" if text == "Diterima" else text))
    rows = [(str(i), f.unit_kode, f.unit_nama, f.filename, f.sha256,
             _received_text(f.received, source.zona), f.sender,
             f.subject, f.versi, f.signed or "-") for i, f in enumerate(source.files, start=1)]
    sheet.table = Table(row + 1, 0, rows, ("data_text", "data_text", "data_wrap", "data_wrap",
                                           "data_hash_wrap", "data_wrap", "data_wrap",
                                           "data_wrap", "data_text", "data_wrap"))
    sheet.freeze = (row + 1, 0)
    sheet.repeat_rows = (row, row)
    wrap_rows(sheet, row)
    return sheet
