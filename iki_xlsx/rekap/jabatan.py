"""The recap's jabatan sheets: per indicator a row per unit and the kecamatan total, live formulas
over the Data sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from iki_xlsx.blueprint.model import (
    AgregasiUnit,
    Blueprint,
    IkuIndikator,
    Indikator,
    Jabatan,
    Jenis,
    Pengisi,
    Polaritas,
    Tipe,
    Variabel,
)
from iki_xlsx.core.states import Status
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import (
    capaian_cap,
    office_unit,
    target_is_input,
    unit_realisasi,
    variable_label,
)
from iki_xlsx.plan.formula import (
    Formula,
    aggregate,
    average,
    capaian,
    copy_of,
    count_equal,
    mean_of,
    scale,
    share_meeting,
    sum_of,
)
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import Cell, Role, SheetPlan, meta_rows, ref, title_row
from iki_xlsx.plan.paging import DEFAULT_ROW_PT, PageFlow
from iki_xlsx.plan.textfit import span_px, text_height
from iki_xlsx.rekap.charts import segment_charts
from iki_xlsx.rekap.context import (
    BLOCK_HEADERS,
    COL_CAPAIAN,
    COL_KODE,
    COL_PREDIKAT,
    COL_REALISASI,
    COL_STATUS,
    COL_TARGET,
    COL_UNIT,
    COL_VAR,
    REPEATED_COLUMNS,
    Context,
    RowKey,
    footer_text,
    periode_text,
    returned_text,
)
from iki_xlsx.rekap.source import KECAMATAN


@dataclass(frozen=True)
class _Row:
    """A row of an indicator block: whose values, taken from which unit's file."""

    unit: Unit
    source_kode: str  # the unit whose file holds the values
    per_unit: str | None = None  # the kelurahan's kode, for values an office keeps per unit


def block_rows(ctx: Context, ind: Indikator) -> list[_Row]:
    if ind.pengisi is Pengisi.KELURAHAN:
        return [_Row(u, u.kode) for u in ctx.kelurahan]
    office = ctx.office or office_unit(ctx.bp)
    per_unit = all(v.agregasi_unit is AgregasiUnit.PER_UNIT for v in ind.variabel)
    if per_unit and ctx.kelurahan:
        return [_Row(u, office.kode, u.kode) for u in ctx.kelurahan]
    return [_Row(office, office.kode)]


def jabatan_sheet(ctx: Context, jab: Jabatan | None, name: str) -> SheetPlan:
    bp = ctx.bp
    shown: Sequence[Indikator] = jab.indikator if jab else (bp.iku.indikator if bp.iku else [])
    code = f"J-{jab.id}" if jab else "IKU"
    title = jab.nama if jab else (bp.iku.judul if bp.iku else "IKU")
    sheet = SheetPlan(code=code, name=name, kind="jabatan" if jab else "iku", title=title,
                      footer=footer_text(bp, name))
    widest = max(len(i.variabel) for i in shown)
    last_col = COL_VAR + widest - 1
    sheet.col_widths = [12, 28, 15, 11, 12, 11, 16, *([16.0] * widest)]
    heading = "REKAP INDIKATOR KINERJA INDIVIDU" if jab else "REKAP INDIKATOR KINERJA UTAMA"
    title_row(sheet, heading, last_col)
    meta = [("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
            ("Jabatan" if jab else "Tabel", title), ("Periode", periode_text(ctx)),
            ("Unit kembali", returned_text(ctx)), ("Target", ctx.source.target_words()),
            ("Cara membaca", "Nilai unit adalah nilai tahun berjalan dari lembar Data, s.d. "
             "periode terakhir yang terisi (per variabel: dijumlah, dirata-rata, atau nilai "
             "periode terakhir). Baris "
             "Kecamatan menjumlahkan nilai unit (atau merata-ratakan nilai indeks); persentase "
             "kecamatan = jumlah pembilang / jumlah penyebut x 100, bukan rata-rata persentase; "
             "indikator ambang dan daftar periksa menghitung unit yang memenuhi dibagi jumlah "
             "unit. Klik angka untuk melihat rumusnya.")]
    row = meta_rows(sheet, meta, last_col, sum(sheet.col_widths[2:]) * 1.1) + 1
    flow = PageFlow.for_columns(sheet.col_widths, REPEATED_COLUMNS[sheet.kind])
    flow.add(sum(_height(sheet, r) for r in range(row)))
    multi = [ind for ind in shown if len(block_rows(ctx, ind)) > 1]
    unit_capaian: dict[str, list[str]] = {}
    summary: dict[str, int] = {}
    if multi:  # its capaian formulas are written once the blocks are laid out
        row, summary = _unit_summary(ctx, sheet, row, flow)
    for number, ind in enumerate(shown, start=1):
        row = _block(ctx, sheet, number, ind, row, last_col, unit_capaian, flow)
    for kode, at in summary.items():
        sheet.cells.append(Cell(ref(at, COL_CAPAIAN), Role.FORMULA, f"unit@{kode}/capaian",
                                "pct", formula=average(unit_capaian.get(kode, []))))
    sheet.freeze = (0, COL_UNIT + 1)
    sheet.row_breaks = flow.breaks
    return sheet


def _height(sheet: SheetPlan, row: int) -> float:
    return sheet.row_heights.get(row, DEFAULT_ROW_PT)


def _table_header(sheet: SheetPlan, row: int, headers: Sequence[str], key: Callable[[int], str],
                  flow: PageFlow) -> int:
    """A table's header row; the next row."""
    for c, text in enumerate(headers):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL, key(c), "header", text))
    sheet.row_heights[row] = _header_height(headers)
    flow.add(sheet.row_heights[row])
    return row + 1


def _heading(sheet: SheetPlan, row: int, key: str, text: str, last_col: int,
             flow: PageFlow) -> int:
    """A table's heading ("2. Indikator ..."), merged across the table; the next row."""
    sheet.cells.append(Cell(ref(row, 0), Role.LABEL, key, "block_title", text))
    sheet.merges.append(f"{ref(row, 0)}:{ref(row, last_col)}")
    sheet.row_heights[row] = text_height(text, sheet.col_widths[:last_col + 1], bold=True)
    flow.add(sheet.row_heights[row])
    return row + 1


@dataclass
class _Continued:
    """How a table goes on over a page break: its heading (with "(lanjutan)") and its header
    row again, under keys of their own (`title_key(page)`, `header_key(page, column)`)."""

    title: str
    headers: Sequence[str]
    title_key: Callable[[int], str]
    header_key: Callable[[int, int], str]
    last_col: int
    pages: int = 0

    def height(self, sheet: SheetPlan) -> float:
        return (text_height(self.title, sheet.col_widths[:self.last_col + 1], bold=True)
                + _header_height(self.headers))

    def row(self, sheet: SheetPlan, row: int, flow: PageFlow) -> int:
        """Where the table's next row goes: `row`, or on a new page after the heading and
        header row again."""
        if flow.fits(DEFAULT_ROW_PT):
            return row
        flow.new_page(row)
        self.pages += 1
        page = self.pages
        row = _heading(sheet, row, self.title_key(page), f"{self.title} (lanjutan)",
                       self.last_col, flow)
        return _table_header(sheet, row, self.headers, lambda c: self.header_key(page, c),
                             flow)


def _header_height(headers: Sequence[str]) -> float:
    return max([30.0, *(text_height(h, 16) for h in headers[COL_VAR:])])


def _keep_together(flow: PageFlow, row: int, head: float, rows: int) -> None:
    """A table starts on a new page unless it fits here whole, or (longer than a page) its
    heading and first rows fit here."""
    whole = head + rows * DEFAULT_ROW_PT
    if flow.fits(whole):
        return
    if whole <= flow.room or not flow.fits(head + min(rows, 3) * DEFAULT_ROW_PT):
        flow.new_page(row)


def row_key(scope: str, indikator: str, unit: str) -> RowKey:
    """The plan keys of one row of an indicator block on a recap sheet, by column name (a
    variable id, `kode`, `unit`, `status`, `target`, `realisasi`, `capaian`, `predikat`):
    `scope/indikator/name@unit`, `unit` a unit's kode or `kecamatan` (the total row, or the
    office's only row)."""
    return lambda name: PlanKey.formatted(scope, indikator, name, unit)


def scope_of(sheet_code: str) -> str:
    """The scope of the plan keys shown on a recap sheet: its jabatan id, or `iku`."""
    return sheet_code.removeprefix("J-") if sheet_code != "IKU" else "iku"


def _block(ctx: Context, sheet: SheetPlan, number: int, ind: Indikator, row: int,
           last_col: int, unit_capaian: dict[str, list[str]], flow: PageFlow) -> int:
    """Lay out one indicator: heading, one row per unit, the kecamatan row; next free row.
    Over a page break the rows go on under the heading and header row again."""
    scope = scope_of(sheet.code)
    rows = block_rows(ctx, ind)
    title = f"{number}. {ind.nama}"
    about = (f"Formulasi: {ind.formulasi}\nSatuan: {ind.satuan}. Target: "
             f"{_num_text(ind.target) if ind.target is not None else 'diisi unit'} "
             f"(target kecamatan: {target_source(ctx, scope, ind)[0]}). "
             f"Sumber data: {ind.sumber_data}. Diisi oleh: {filled_by(ctx.bp, ind)}.")
    if isinstance(ind, IkuIndikator):
        about += "\nPenanggung jawab: " + ", ".join(ind.penanggung_jawab)
    headers = [*BLOCK_HEADERS, *[variable_label(v) for v in ind.variabel]]
    by_units = not (len(rows) == 1 and rows[0].unit.kantor)  # else the office's only row
    continued = _Continued(
        title, headers, lambda page: str(PlanKey(scope, ind.id, "lanjutan", part=str(page))),
        lambda page, c: str(PlanKey(scope, ind.id, f"lanjutan-{page}-kepala", part=str(c))),
        last_col)
    widths = sheet.col_widths[:last_col + 1]
    head = (text_height(title, widths, bold=True) + text_height(about, widths)
            + continued.height(sheet) - text_height(title, widths, bold=True))
    _keep_together(flow, row, head, len(rows) + by_units)
    row = _heading(sheet, row, str(PlanKey(scope, ind.id, "judul")), title, last_col, flow)
    sheet.cells.append(Cell(ref(row, 0), Role.LABEL, str(PlanKey(scope, ind.id, "keterangan")),
                            "text_plain", about))
    sheet.merges.append(f"{ref(row, 0)}:{ref(row, last_col)}")
    sheet.row_heights[row] = text_height(about, widths)
    flow.add(sheet.row_heights[row])
    row += 1
    row = _table_header(sheet, row, headers,
                        lambda c: str(PlanKey(scope, ind.id, "kepala", part=str(c))), flow)
    first = row
    for r in rows:
        row = continued.row(sheet, row, flow)
        key = row_key(scope, ind.id, KECAMATAN if r.unit.kantor else r.unit.kode)
        _unit_row(ctx, sheet, ind, key, r, row)
        if by_units:
            unit_capaian.setdefault(r.unit.kode, []).append(ref(row, COL_CAPAIAN))
        flow.add(DEFAULT_ROW_PT)
        row += 1
    if by_units:
        row = continued.row(sheet, row, flow)
        _total_row(ctx, sheet, ind, first, row - 1, row, len(rows))
        flow.add(DEFAULT_ROW_PT)
        row += 1
    _gap(flow, row)
    return row + 1


def _gap(flow: PageFlow, row: int) -> None:
    """The empty row under a table: at the end of its page, or topping the next."""
    if not flow.fits(DEFAULT_ROW_PT):
        flow.new_page(row)
    flow.add(DEFAULT_ROW_PT)


def filled_by(bp: Blueprint, ind: Indikator) -> str:
    """Who fills an indicator, as the decree calls its units: "desa" or "kelurahan" (the
    blueprint's `jenis_unit`), or "kecamatan"."""
    return bp.jenis_unit if ind.pengisi is Pengisi.KELURAHAN else "kecamatan"


def _num_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _unit_row(ctx: Context, sheet: SheetPlan, ind: Indikator, key: RowKey, r: _Row,
              row: int) -> None:
    """One unit's annual values, recomputed from its period values on the Data sheet."""
    bp = ctx.bp
    single = r.unit.kantor
    sheet.cells.append(Cell(ref(row, COL_KODE), Role.LABEL, key("kode"), "text",
                            r.unit.kode))
    sheet.cells.append(Cell(ref(row, COL_UNIT), Role.LABEL, key("unit"),
                            "total_unit" if single else "text",
                            "Kecamatan (diisi kantor)" if single else r.unit.nama))
    sheet.cells.append(Cell(ref(row, COL_STATUS), Role.LABEL, key("status"), "text_center",
                            ctx.states.get(r.source_kode, Status.NOT_RETURNED).label))
    cells: dict[str, str] = {}
    scope = scope_of(sheet.code)
    for i, var in enumerate(ind.variabel):
        at = ref(row, COL_VAR + i)
        cells[var.id] = at
        sources = [ctx.data_ref.get((r.source_kode, PlanKey.formatted(
                       scope, ind.id, var.id, r.per_unit, PlanKey.period_part(p))))
                   for p in range(1, len(bp.periods) + 1)]
        found = [s for s in sources if s is not None]
        style = "text_value" if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN) else "number"
        if found:
            sheet.cells.append(Cell(at, Role.FORMULA, key(var.id), style,
                                    formula=aggregate(var.period_rule, found)))
        else:
            sheet.cells.append(Cell(at, Role.LABEL, key(var.id), style))
    target_at = ref(row, COL_TARGET)
    target_source = ctx.data_ref.get((r.source_kode, str(PlanKey.target(scope, ind.id))))
    fixed = _office_target(ctx, sheet, ind, r)
    if fixed is not None:
        sheet.cells.append(Cell(target_at, Role.LABEL, key("target"), "number", fixed))
    elif target_is_input(ind, r.unit) and r.per_unit is None:
        if target_source:
            sheet.cells.append(Cell(target_at, Role.FORMULA, key("target"), "number",
                                    formula=copy_of(target_source)))
        else:
            sheet.cells.append(Cell(target_at, Role.LABEL, key("target"), "number"))
    else:
        sheet.cells.append(Cell(target_at, Role.LABEL, key("target"), "number", ind.target))
    realisasi_at = ref(row, COL_REALISASI)
    sheet.cells.append(Cell(realisasi_at, Role.FORMULA, key("realisasi"),
                            realisasi_style(ind), formula=unit_realisasi(ind, cells)))
    _capaian_predikat(bp, sheet, ind, key, row, realisasi_at, target_at)


def _total_row(ctx: Context, sheet: SheetPlan, ind: Indikator, first: int, last: int,
               row: int, count: int) -> None:
    """The kecamatan: each variable aggregated over the units by its rule, then realisasi.
    The units' rows are `first..last` (with the heading and header rows of its continuation
    pages among them: text, which COUNT, SUM, AVERAGE and COUNTIF pass over)."""
    key = row_key(scope_of(sheet.code), ind.id, KECAMATAN)
    sheet.cells.append(Cell(ref(row, COL_KODE), Role.LABEL, key("kode"), "total_text", ""))
    sheet.cells.append(Cell(ref(row, COL_UNIT), Role.LABEL, key("unit"), "total_unit",
                            f"Kecamatan ({count} unit)"))
    sheet.cells.append(Cell(ref(row, COL_STATUS), Role.FORMULA, key("status"),
                            "total_accepted", formula=count_equal(
                                f"{ref(first, COL_STATUS)}:{ref(last, COL_STATUS)}",
                                Status.OK.label)))
    cells: dict[str, str] = {}
    for i, var in enumerate(ind.variabel):
        col = COL_VAR + i
        at = ref(row, col)
        cells[var.id] = at
        column = f"{ref(first, col)}:{ref(last, col)}"
        total = _variable_total(var, column)
        if total is None:
            sheet.cells.append(Cell(at, Role.LABEL, key(var.id), "total_text"))
        else:
            sheet.cells.append(Cell(at, Role.FORMULA, key(var.id), "total_number",
                                    formula=total))
    target_at = ref(row, COL_TARGET)
    targets = f"{ref(first, COL_TARGET)}:{ref(last, COL_TARGET)}"
    fixed = _version_target(ctx, sheet, ind)
    if fixed is not None:
        sheet.cells.append(Cell(target_at, Role.LABEL, key("target"), "total_number", fixed))
    elif ind.target is not None:
        sheet.cells.append(Cell(target_at, Role.LABEL, key("target"), "total_number",
                                ind.target))
    elif _additive(ind):
        sheet.cells.append(Cell(target_at, Role.FORMULA, key("target"), "total_number",
                                formula=sum_of(targets)))
    else:
        sheet.cells.append(Cell(target_at, Role.FORMULA, key("target"), "total_number",
                                formula=mean_of(targets)))
    realisasi_at = ref(row, COL_REALISASI)
    realisasi = f"{ref(first, COL_REALISASI)}:{ref(last, COL_REALISASI)}"
    sheet.cells.append(Cell(realisasi_at, Role.FORMULA, key("realisasi"), "total_pct",
                            formula=_total_realisasi(ind, cells, realisasi, first, last,
                                                     count)))
    _capaian_predikat(ctx.bp, sheet, ind, key, row, realisasi_at, target_at, total=True)


def _version_target(ctx: Context, sheet: SheetPlan, ind: Indikator) -> float | None:
    """The kecamatan's target to date from the office's target version (None: none set)."""
    choice = ctx.source.targets
    return None if choice is None else choice.kecamatan(f"{scope_of(sheet.code)}/{ind.id}")


def _office_target(ctx: Context, sheet: SheetPlan, ind: Indikator, r: _Row) -> float | None:
    """A row's target fixed by the office's target version: the kecamatan's for the office's
    only row, a unit's own for a unit's row (None: the version does not set it)."""
    choice = ctx.source.targets
    if choice is None or r.per_unit is not None:
        return None
    if r.unit.kantor:
        return _version_target(ctx, sheet, ind)
    return choice.unit(f"{scope_of(sheet.code)}/{ind.id}", r.unit.kode)


def _additive(ind: Indikator) -> bool:
    """Targets that add up over units (counts), as opposed to indexes and percentages."""
    return (ind.jenis in (Jenis.JUMLAH, Jenis.RUMUS) and ind.satuan.strip() != "%"
            and ind.variabel[0].agregasi_unit is AgregasiUnit.JUMLAH)


def _variable_total(var: Variabel, column: str) -> Formula | None:
    if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN):
        return count_equal(column, var.choices[0]) if var.choices else None
    if var.agregasi_unit is AgregasiUnit.JUMLAH:
        return sum_of(column)
    if var.agregasi_unit is AgregasiUnit.RATA_RATA:
        return mean_of(column)
    return None  # judged per unit: the realisasi counts the units that meet it


def _total_realisasi(ind: Indikator, cells: Mapping[str, str], realisasi: str, first: int,
                     last: int, count: int) -> Formula:
    """The kecamatan's realisasi: from the totals, or counting the units that meet."""
    if ind.jenis is Jenis.AMBANG:
        assert ind.ambang is not None
        col = COL_VAR + [v.id for v in ind.variabel].index(ind.ambang.variabel)
        column = f"{ref(first, col)}:{ref(last, col)}"
        return share_meeting(column, count, ind.ambang.operator, ind.ambang.nilai)
    if ind.jenis is Jenis.DAFTAR_PERIKSA:
        if ind.hitung == "semua":
            return share_meeting(realisasi, count, ">=", 100)
        return mean_of(realisasi)
    return unit_realisasi(ind, cells)


def realisasi_style(ind: Indikator) -> str:
    return "pct" if ind.satuan.strip() == "%" else "number"


def _capaian_predikat(bp: Blueprint, sheet: SheetPlan, ind: Indikator, key: RowKey, row: int,
                      realisasi_at: str, target_at: str, total: bool = False) -> None:
    cap = capaian_cap(bp, ind)
    capaian_at = ref(row, COL_CAPAIAN)
    sheet.cells.append(Cell(capaian_at, Role.FORMULA, key("capaian"),
                            "total_pct" if total else "pct",
                            formula=capaian(realisasi_at, target_at,
                                            ind.polaritas is Polaritas.TURUN, cap)))
    sheet.cells.append(Cell(ref(row, COL_PREDIKAT), Role.FORMULA, key("predikat"),
                            "total_text" if total else "text_value",
                            formula=scale(capaian_at, bp.predikat)))


def _unit_summary(ctx: Context, sheet: SheetPlan, row: int, flow: PageFlow
                  ) -> tuple[int, dict[str, int]]:
    """Each unit's mean capaian over the jabatan's unit-level indicators (its formula is
    written once the blocks are laid out), and its bar charts; the next free row and each
    unit's row."""
    title = ("Ringkasan capaian per unit (rata-rata capaian indikator yang diisi per unit)")
    headers = ("Kode", "Unit", "Status", "", "", "Capaian (%)", "Predikat")
    continued = _Continued(title, headers, lambda page: f"unit/lanjutan/{page}",
                           lambda page, c: f"unit/lanjutan/{page}/kepala/{c}", COL_PREDIKAT)
    _keep_together(flow, row, continued.height(sheet), len(ctx.kelurahan))
    row = _heading(sheet, row, "unit/judul", title, COL_PREDIKAT, flow)
    row = _table_header(sheet, row, headers, lambda c: f"unit/kepala/{c}", flow)
    at: dict[str, int] = {}
    segments: list[tuple[int, int]] = []  # the unit rows of each page: one chart group each
    for unit in ctx.kelurahan:
        next_row = continued.row(sheet, row, flow)
        if next_row != row or not segments:
            segments.append((next_row, next_row))
        row = next_row
        segments[-1] = (segments[-1][0], row)
        key = f"unit@{unit.kode}"
        at[unit.kode] = row
        sheet.cells.append(Cell(ref(row, COL_KODE), Role.LABEL, f"{key}/kode", "text",
                                unit.kode))
        sheet.cells.append(Cell(ref(row, COL_UNIT), Role.LABEL, f"{key}/unit", "text",
                                unit.nama))
        sheet.cells.append(Cell(ref(row, COL_STATUS), Role.LABEL, f"{key}/status",
                                "text_center",
                                ctx.states.get(unit.kode, Status.NOT_RETURNED).label))
        sheet.cells.append(Cell(ref(row, COL_PREDIKAT), Role.FORMULA, f"{key}/predikat",
                                "text_value",
                                formula=scale(ref(row, COL_CAPAIAN), ctx.bp.predikat)))
        flow.add(DEFAULT_ROW_PT)
        row += 1
    row = segment_charts(sheet, f"Capaian per unit — {sheet.title}"[:100], segments,
                         COL_UNIT, (("Capaian (%)", COL_CAPAIAN),), row + 1, 0,
                         int(span_px(sheet.col_widths[:COL_PREDIKAT + 1])) - 10,
                         "Capaian (%)", flow)
    _gap(flow, row - 1)  # the row under the last chart
    return row, at


def target_source(ctx: Context, scope: str, ind: Indikator) -> tuple[str, str | None]:
    """Where the kecamatan's target comes from (in words), and how the units' own targets
    add up when they type one ("jumlah" or "rata_rata"; None when they do not)."""
    rows = block_rows(ctx, ind)
    if ctx.source.targets is not None and ctx.source.targets.kecamatan(
            f"{scope}/{ind.id}") is not None:
        return "versi target kantor", None
    typed = any(target_is_input(ind, r.unit) and r.per_unit is None for r in rows)
    combine = ("jumlah" if _additive(ind) else "rata_rata") if typed and len(rows) > 1 else None
    if ind.target is not None:
        return ("keputusan; unit juga mengisi target sendiri" if combine else "keputusan"), combine
    if combine is None:
        return ("diisi kantor" if typed else "tidak ada"), None
    return ("jumlah target unit" if combine == "jumlah" else "rata-rata target unit"), combine
