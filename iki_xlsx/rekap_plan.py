"""The recap's plan: where every cell of the consolidated workbook stands.

Built once from the blueprint, the units list and the accepted values of a store.
The writer draws it, `evaluate` computes its cached values, tests look cells up in it.

Sheets: Ringkasan (the kecamatan's realisasi per indicator), Status (who returned),
one sheet per jabatan (and the IKU table) with a row per unit and the kecamatan
total, Data (every accepted input value, traced to its file) and Asal Data
(provenance). Every figure on a jabatan sheet is a live formula over the Data sheet.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_cell_to_rowcol, xl_range_abs

from .blueprint import (
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
from .evaluate import CellKey, Value
from .formula import (
    Formula,
    aggregate,
    average,
    capaian,
    copy_of,
    count_equal,
    mean_of,
    scale,
    share_meeting,
    sheet_prefix,
    sum_of,
)
from .paging import FOOTER_SIZE
from .plan import (
    MANIFEST_SHEET,
    Cell,
    Chart,
    PlanKey,
    Role,
    SheetPlan,
    Table,
    Unit,
    WorkbookPlan,
    capaian_cap,
    last_row,
    meta_rows,
    office_unit,
    plan_workbook,
    ref,
    set_page,
    sheet_name,
    target_is_input,
    title_case,
    title_row,
    unit_realisasi,
)
from .textfit import CELL_PADDING_PX, PX_PER_PT, span_px, text_height, text_pt

KECAMATAN = "kecamatan"  # key of the kecamatan's row in every indicator block
STATE_ACCEPTED = "diterima"
STATES = ("diterima", "perlu perbaikan", "ditolak", "belum kembali")


@dataclass(frozen=True)
class Entry:
    """One accepted input value: whose, which plan key, where in the unit's file."""

    unit_kode: str
    key: str
    sheet: str  # sheet code in the unit's workbook
    cell: str
    value: Value
    sha256: str


@dataclass(frozen=True)
class Return:
    """One file a unit sent for this blueprint and period, as received and judged."""

    received: str  # ISO moment (UTC) the office received it
    filename: str
    state: str  # one of STATES but the last
    findings: int = 0  # of severity error
    sender: str | None = None


@dataclass(frozen=True)
class UnitReturn:
    """What the store knows of one unit for this blueprint and period: its state and every
    file it sent, in the order the office received them."""

    unit: Unit
    state: str  # one of STATES
    on_list: bool = True
    returns: tuple[Return, ...] = ()


@dataclass(frozen=True)
class UsedFile:
    """A file whose values the recap uses (the latest accepted one of its unit)."""

    unit_kode: str
    unit_nama: str
    filename: str
    sha256: str
    received: str
    sender: str | None = None
    subject: str | None = None
    versi: str | None = None  # of the blueprint the file was made from (None: not recorded)


ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}  # hours ahead of UTC
DEFAULT_ZONE = "WIB"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


@dataclass(frozen=True)
class Pengesahan:
    """Where and by whom the recap is signed: the office's city and time zone, and the
    signatory (from the workspace's iki.toml)."""

    kota: str
    zona_waktu: str = DEFAULT_ZONE  # WIB | WITA | WIT
    jabatan: str | None = None
    nama: str | None = None
    nip: str | None = None


def local_time(moment: str, zona: str) -> datetime.datetime:
    """An ISO moment (UTC) in the office's time zone."""
    parsed = datetime.datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.timezone(datetime.timedelta(hours=ZONES[zona])))


def tanggal(moment: datetime.date) -> str:
    """'25 November 2026'."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def local_day(moment: str, zona: str) -> str:
    """The ISO date of an ISO moment (UTC) in the office's time zone (the moment's own date
    when it cannot be read)."""
    try:
        return local_time(moment, zona).date().isoformat()
    except ValueError:
        return moment[:10]


def _day_text(day: str) -> str:
    """'25 November 2026' for an ISO date."""
    try:
        return tanggal(datetime.date.fromisoformat(day))
    except ValueError:
        return day


def waktu_dibuat(moment: str, zona: str) -> str:
    """'25 November 2026 pukul 01.40 WIB'."""
    local = local_time(moment, zona)
    return f"{tanggal(local)} pukul {local.hour:02d}.{local.minute:02d} {zona}"


@dataclass
class RekapSource:
    """Everything the recap shows, gathered from the store."""

    blueprint: Blueprint
    periode: int
    units: list[UnitReturn]
    entries: list[Entry]
    files: list[UsedFile]
    timeline: list[tuple[str, int, int]]  # local ISO date, files received that day, units
    # accepted by its end
    store: str
    created: str
    generator: str = ""
    pengesahan: Pengesahan | None = None

    @property
    def zona(self) -> str:
        return self.pengesahan.zona_waktu if self.pengesahan else DEFAULT_ZONE


# --- layout constants ------------------------------------------------------------------------

COL_KODE, COL_UNIT, COL_STATUS, COL_TARGET, COL_REALISASI, COL_CAPAIAN, COL_PREDIKAT = range(7)
COL_VAR = 7
BLOCK_HEADERS = ("Kode", "Unit", "Status", "Target", "Realisasi", "Capaian (%)", "Predikat")
DATA_HEADERS = ("Kode unit", "Unit", "Jabatan", "Indikator", "Variabel", "Untuk unit",
                "Periode", "Nilai", "Lembar", "Sel", "SHA-256 berkas")
DATA_STYLES = ("data_text", "data_text", "data_text", "data_text", "data_text", "data_text",
               "data_text", "data_value", "data_text", "data_text", "data_hash")
DATA_HEADER_ROW = 3
REPEATED_COLUMNS = {"jabatan": COL_UNIT + 1, "iku": COL_UNIT + 1, "data": 2}  # on every page
DATA_VALUE_COL = DATA_HEADERS.index("Nilai")


@dataclass
class _Context:
    """Shared lookups while the recap is laid out."""

    source: RekapSource
    kelurahan: list[Unit]
    office: Unit | None
    states: dict[str, str]
    data_ref: dict[tuple[str, str], str] = field(default_factory=dict)  # set from _data_sheet

    @property
    def bp(self) -> Blueprint:
        return self.source.blueprint

    @property
    def listed(self) -> list[Unit]:
        """The units on the list: the kelurahan, then the office."""
        return [*self.kelurahan, *([self.office] if self.office else [])]


def plan_rekap(source: RekapSource) -> tuple[WorkbookPlan, dict[CellKey, Value]]:
    """The recap workbook's plan and the values of its plain cells (for `evaluate_plan`)."""
    listed = [r.unit for r in source.units if r.on_list]
    ctx = _Context(source, [u for u in listed if not u.kantor],
                   next((u for u in listed if u.kantor), None),
                   {r.unit.kode: r.state for r in source.units if r.on_list})
    taken = {"ringkasan", "status", "data", "asal data", MANIFEST_SHEET.lower()}
    data, ctx.data_ref = _data_sheet(ctx)
    jabatan_sheets = [_jabatan_sheet(ctx, jab, sheet_name(jab.singkatan or title_case(jab.nama),
                                                          taken))
                      for jab in ctx.bp.jabatan if jab.indikator]
    if ctx.bp.iku is not None:
        jabatan_sheets.append(_jabatan_sheet(ctx, None, sheet_name("IKU", taken)))
    sheets = [_ringkasan(ctx, jabatan_sheets), _status(ctx), *jabatan_sheets, data,
              _asal(ctx)]
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


def _absolute(name: str, first_row: int, col: int, last_row: int, last_col: int | None = None
              ) -> str:
    cells = str(xl_range_abs(first_row, col, last_row, col if last_col is None else last_col))
    return "=" + sheet_prefix(name) + cells


def _footer(bp: Blueprint, title: str) -> str:
    size = f"&{FOOTER_SIZE}"
    return (f"&L{size}Rekap {bp.kantor.replace('&', '&&')} — {title.replace('&', '&&')}"
            f"&C{size}Halaman &P dari &N&R{size}" + f"{bp.id} versi {bp.versi}".replace("&", "&&"))


def reached(source: RekapSource) -> int:
    """How far the year has reached: the last period (1-based) with any accepted value of a
    unit on the list; 0 when nothing has been filled."""
    listed = {r.unit.kode for r in source.units if r.on_list}
    filled = [key.period for e in source.entries
              if e.unit_kode in listed and e.value is not None and e.value != ""
              and (key := PlanKey.try_parse(e.key)) is not None and key.period is not None]
    return max(filled, default=0)


def reached_text(bp: Blueprint, periods: int) -> str:
    """"s.d. TW II": the figures are to date, up to the last period filled."""
    if periods == 0:
        return "belum ada isian periode mana pun"
    if periods >= len(bp.periods):
        return f"setahun penuh (s.d. {bp.periods[-1]})"
    return f"s.d. {bp.periods[periods - 1]}"


def _periode_text(ctx: _Context) -> str:
    return (f"Tahun {ctx.source.periode} ({', '.join(ctx.bp.periods)}); data "
            f"{reached_text(ctx.bp, reached(ctx.source))}")


def _returned_text(ctx: _Context) -> str:
    accepted = sum(1 for state in ctx.states.values() if state == STATE_ACCEPTED)
    return f"{accepted} dari {len(ctx.states)} unit diterima"


# --- Data ------------------------------------------------------------------------------------


def _data_sheet(ctx: _Context) -> tuple[SheetPlan, dict[tuple[str, str], str]]:
    """Every accepted value, one row each, ordered as in the units' own workbooks; and where
    each (unit, plan key) value stands, as a reference for the jabatan sheets' formulas."""
    bp = ctx.bp
    sheet = SheetPlan(code="DATA", name="Data", kind="data", title="Data",
                      footer=_footer(bp, "Data"))
    sheet.col_widths = [12, 24, 26, 40, 40, 18, 10, 12, 20, 8, 66]
    last = len(DATA_HEADERS) - 1
    title_row(sheet, "DATA ISIAN YANG DITERIMA", last)
    sheet.cells.append(Cell(ref(1, 0), Role.LABEL, "keterangan", "text_plain",
                            "Setiap baris adalah satu sel isian dari lembar kerja yang diterima; "
                            "Lembar dan Sel menunjuk tempatnya di berkas unit, SHA-256 menunjuk "
                            "berkas asli di penyimpanan. Lembar ini hanya berisi nilai, "
                            "bukan rumus."))
    sheet.merges.append(f"{ref(1, 0)}:{ref(1, last)}")
    sheet.row_heights[1] = 30
    for c, text in enumerate(DATA_HEADERS):
        sheet.cells.append(Cell(ref(DATA_HEADER_ROW, c), Role.LABEL, f"kepala/{c}", "header",
                                text))
    names = _sheet_names(ctx)
    order = {u.kode: i for i, u in enumerate(ctx.listed)}
    sheet_order = {code: i for i, code in enumerate(
        [f"J-{j.id}" for j in bp.jabatan] + ["IKU"])}
    entries = sorted((e for e in ctx.source.entries if e.unit_kode in order),
                     key=lambda e: (order[e.unit_kode], sheet_order.get(e.sheet, 99),
                                    _row_col(e.cell)))
    units = {u.kode: u for u in ctx.listed}
    labels = _labels(bp)
    rows: list[tuple[str | float | None, ...]] = []
    where: dict[tuple[str, str], str] = {}
    first = DATA_HEADER_ROW + 1
    for i, entry in enumerate(entries):
        jabatan, indikator, variabel, untuk, periode = _describe(entry.key, labels, units, bp)
        value = entry.value if not isinstance(entry.value, bool) else str(entry.value)
        rows.append((entry.unit_kode, units[entry.unit_kode].nama, jabatan, indikator,
                     variabel, untuk, periode, value,
                     names.get(entry.unit_kode, {}).get(entry.sheet, entry.sheet), entry.cell,
                     entry.sha256))
        where[(entry.unit_kode, entry.key)] = sheet_prefix(sheet.name) + ref(first + i,
                                                                       DATA_VALUE_COL)
    sheet.table = Table(first, 0, rows, DATA_STYLES)
    sheet.freeze = (first, 2)
    sheet.repeat_rows = (DATA_HEADER_ROW, DATA_HEADER_ROW)
    sheet.autofilter = f"{ref(DATA_HEADER_ROW, 0)}:{ref(first + max(len(rows), 1) - 1, last)}"
    _fit_columns(sheet, DATA_HEADER_ROW)
    return sheet, where


def _row_col(cell: str) -> tuple[int, str]:
    match = re.match(r"([A-Z]+)(\d+)", cell)
    if match is None:
        return (0, cell)
    return (int(match.group(2)), match.group(1).rjust(3))


def _sheet_names(ctx: _Context) -> dict[str, dict[str, str]]:
    return unit_sheet_names(ctx.bp, ctx.source.periode, ctx.listed)


def unit_sheet_names(bp: Blueprint, periode: int, units: Sequence[Unit]
                     ) -> dict[str, dict[str, str]]:
    """Per unit kode, the sheet names by code in that unit's own workbook, from its plan
    (the same for every kelurahan)."""
    result: dict[str, dict[str, str]] = {}
    cache: dict[bool, dict[str, str]] = {}
    for unit in units:
        if unit.kantor not in cache:
            plan = plan_workbook(bp, unit, periode, units)
            cache[unit.kantor] = {s.code: s.name for s in plan.sheets}
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


# --- jabatan sheets --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """A row of an indicator block: whose values, taken from which unit's file."""

    unit: Unit
    source_kode: str  # the unit whose file holds the values
    per_unit: str | None = None  # the kelurahan's kode, for values an office keeps per unit


def _block_rows(ctx: _Context, ind: Indikator) -> list[_Row]:
    if ind.pengisi is Pengisi.KELURAHAN:
        return [_Row(u, u.kode) for u in ctx.kelurahan]
    office = ctx.office or office_unit(ctx.bp)
    per_unit = all(v.agregasi_unit is AgregasiUnit.PER_UNIT for v in ind.variabel)
    if per_unit and ctx.kelurahan:
        return [_Row(u, office.kode, u.kode) for u in ctx.kelurahan]
    return [_Row(office, office.kode)]


def _jabatan_sheet(ctx: _Context, jab: Jabatan | None, name: str) -> SheetPlan:
    bp = ctx.bp
    shown: Sequence[Indikator] = jab.indikator if jab else (bp.iku.indikator if bp.iku else [])
    code = f"J-{jab.id}" if jab else "IKU"
    title = jab.nama if jab else (bp.iku.judul if bp.iku else "IKU")
    sheet = SheetPlan(code=code, name=name, kind="jabatan" if jab else "iku", title=title,
                      footer=_footer(bp, name))
    widest = max(len(i.variabel) for i in shown)
    last_col = COL_VAR + widest - 1
    sheet.col_widths = [12, 28, 15, 11, 12, 11, 16, *([16.0] * widest)]
    heading = "REKAP INDIKATOR KINERJA INDIVIDU" if jab else "REKAP INDIKATOR KINERJA UTAMA"
    title_row(sheet, heading, last_col)
    meta = [("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
            ("Jabatan" if jab else "Tabel", title), ("Periode", _periode_text(ctx)),
            ("Unit kembali", _returned_text(ctx)),
            ("Cara membaca", "Nilai unit adalah nilai tahun berjalan dari lembar Data, s.d. "
             "periode terakhir yang terisi (per variabel: dijumlah, dirata-rata, atau nilai "
             "periode terakhir). Baris "
             "Kecamatan menjumlahkan nilai unit (atau merata-ratakan nilai indeks); persentase "
             "kecamatan = jumlah pembilang / jumlah penyebut x 100, bukan rata-rata persentase; "
             "indikator ambang dan daftar periksa menghitung unit yang memenuhi dibagi jumlah "
             "unit. Klik angka untuk melihat rumusnya.")]
    row = meta_rows(sheet, meta, last_col, sum(sheet.col_widths[2:]) * 1.1) + 1
    multi = [ind for ind in shown if len(_block_rows(ctx, ind)) > 1]
    summary_row = row
    unit_capaian: dict[str, list[str]] = {}
    if multi:  # the per-unit summary is laid out once blocks are known
        row += 3 + len(ctx.kelurahan) + sum(_chart_rows(h) for _, _, h in
                                            _bar_groups(len(ctx.kelurahan), 1))
    for number, ind in enumerate(shown, start=1):
        row = _block(ctx, sheet, number, ind, row, last_col, unit_capaian)
    if multi:
        _unit_summary(ctx, sheet, summary_row, unit_capaian)
    sheet.freeze = (0, COL_UNIT + 1)
    return sheet


RowKey = Callable[[str], str]


def row_key(scope: str, indikator: str, unit: str) -> RowKey:
    """The plan keys of one row of an indicator block on a recap sheet, by column name (a
    variable id, `kode`, `unit`, `status`, `target`, `realisasi`, `capaian`, `predikat`):
    `scope/indikator/name@unit`, `unit` a unit's kode or `kecamatan` (the total row, or the
    office's only row)."""
    return lambda name: str(PlanKey(scope, indikator, name, unit))


def _scope(sheet_code: str) -> str:
    """The scope of the plan keys shown on a recap sheet: its jabatan id, or `iku`."""
    return sheet_code.removeprefix("J-") if sheet_code != "IKU" else "iku"


def _block(ctx: _Context, sheet: SheetPlan, number: int, ind: Indikator, row: int,
           last_col: int, unit_capaian: dict[str, list[str]]) -> int:
    """Lay out one indicator: heading, one row per unit, the kecamatan row; next free row."""
    scope = _scope(sheet.code)
    rows = _block_rows(ctx, ind)
    sheet.cells.append(Cell(ref(row, 0), Role.LABEL, str(PlanKey(scope, ind.id, "judul")),
                            "block_title",
                            f"{number}. {ind.nama}"))
    sheet.merges.append(f"{ref(row, 0)}:{ref(row, last_col)}")
    sheet.row_heights[row] = text_height(f"{number}. {ind.nama}", sheet.col_widths[:last_col + 1],
                                         bold=True)
    row += 1
    about = (f"Formulasi: {ind.formulasi}\nSatuan: {ind.satuan}. Target: "
             f"{_num_text(ind.target) if ind.target is not None else 'diisi unit'} "
             f"(target kecamatan: {target_source(ctx, ind)[0]}). "
             f"Sumber data: {ind.sumber_data}. Diisi oleh: {ind.pengisi}.")
    if isinstance(ind, IkuIndikator):
        about += "\nPenanggung jawab: " + ", ".join(ind.penanggung_jawab)
    sheet.cells.append(Cell(ref(row, 0), Role.LABEL, str(PlanKey(scope, ind.id, "keterangan")),
                            "text_plain", about))
    sheet.merges.append(f"{ref(row, 0)}:{ref(row, last_col)}")
    sheet.row_heights[row] = text_height(about, sheet.col_widths[:last_col + 1])
    row += 1
    headers = [*BLOCK_HEADERS, *[v.label + (f" ({v.satuan})" if v.satuan else "")
                                 for v in ind.variabel]]
    for c, text in enumerate(headers):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL,
                                str(PlanKey(scope, ind.id, "kepala", part=str(c))), "header",
                                text))
    sheet.row_heights[row] = max(30.0, max(text_height(h, 16) for h in headers[COL_VAR:]))
    row += 1
    first = row
    by_units = not (len(rows) == 1 and rows[0].unit.kantor)  # else the office's only row
    for r in rows:
        key = row_key(scope, ind.id, KECAMATAN if r.unit.kantor else r.unit.kode)
        _unit_row(ctx, sheet, ind, key, r, row)
        if by_units:
            unit_capaian.setdefault(r.unit.kode, []).append(ref(row, COL_CAPAIAN))
        row += 1
    if by_units:
        _total_row(ctx, sheet, ind, first, row - 1, row)
        row += 1
    return row + 1


def _num_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _unit_row(ctx: _Context, sheet: SheetPlan, ind: Indikator, key: RowKey, r: _Row,
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
                            ctx.states.get(r.source_kode, "belum kembali")))
    cells: dict[str, str] = {}
    for i, var in enumerate(ind.variabel):
        at = ref(row, COL_VAR + i)
        cells[var.id] = at
        sources = [ctx.data_ref.get((r.source_kode, str(PlanKey.input(
                       _scope(sheet.code), ind.id, var.id, p, r.per_unit))))
                   for p in range(1, len(bp.periods) + 1)]
        found = [s for s in sources if s is not None]
        style = "text_value" if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN) else "number"
        if found:
            sheet.cells.append(Cell(at, Role.FORMULA, key(var.id), style,
                                    formula=aggregate(var.period_rule, found)))
        else:
            sheet.cells.append(Cell(at, Role.LABEL, key(var.id), style))
    target_at = ref(row, COL_TARGET)
    target_source = ctx.data_ref.get((r.source_kode,
                                      str(PlanKey.target(_scope(sheet.code), ind.id))))
    if target_is_input(ind, r.unit) and r.per_unit is None:
        if target_source:
            sheet.cells.append(Cell(target_at, Role.FORMULA, key("target"), "number",
                                    formula=copy_of(target_source)))
        else:
            sheet.cells.append(Cell(target_at, Role.LABEL, key("target"), "number"))
    else:
        sheet.cells.append(Cell(target_at, Role.LABEL, key("target"), "number", ind.target))
    realisasi_at = ref(row, COL_REALISASI)
    sheet.cells.append(Cell(realisasi_at, Role.FORMULA, key("realisasi"),
                            _realisasi_style(ind), formula=unit_realisasi(ind, cells)))
    _capaian_predikat(bp, sheet, ind, key, row, realisasi_at, target_at)


def _total_row(ctx: _Context, sheet: SheetPlan, ind: Indikator, first: int, last: int,
               row: int) -> None:
    """The kecamatan: each variable aggregated over the units by its rule, then realisasi."""
    key = row_key(_scope(sheet.code), ind.id, KECAMATAN)
    count = last - first + 1
    sheet.cells.append(Cell(ref(row, COL_KODE), Role.LABEL, key("kode"), "total_text", ""))
    sheet.cells.append(Cell(ref(row, COL_UNIT), Role.LABEL, key("unit"), "total_unit",
                            f"Kecamatan ({count} unit)"))
    sheet.cells.append(Cell(ref(row, COL_STATUS), Role.FORMULA, key("status"),
                            "total_accepted", formula=count_equal(
                                f"{ref(first, COL_STATUS)}:{ref(last, COL_STATUS)}",
                                STATE_ACCEPTED)))
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
    if ind.target is not None:
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


def _realisasi_style(ind: Indikator) -> str:
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


def _unit_summary(ctx: _Context, sheet: SheetPlan, row: int,
                  unit_capaian: Mapping[str, list[str]]) -> None:
    """Mean capaian of each unit over the jabatan's unit-level indicators, and its chart."""
    sheet.cells.append(Cell(ref(row, 0), Role.LABEL, "unit/judul", "block_title",
                            "Ringkasan capaian per unit (rata-rata capaian indikator yang "
                            "diisi per unit)"))
    sheet.merges.append(f"{ref(row, 0)}:{ref(row, COL_PREDIKAT)}")
    row += 1
    headers = ("Kode", "Unit", "Status", "", "", "Capaian (%)", "Predikat")
    for c, text in enumerate(headers):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL, f"unit/kepala/{c}", "header", text))
    row += 1
    first = row
    for unit in ctx.kelurahan:
        key = f"unit@{unit.kode}"
        sheet.cells.append(Cell(ref(row, COL_KODE), Role.LABEL, f"{key}/kode", "text",
                                unit.kode))
        sheet.cells.append(Cell(ref(row, COL_UNIT), Role.LABEL, f"{key}/unit", "text",
                                unit.nama))
        sheet.cells.append(Cell(ref(row, COL_STATUS), Role.LABEL, f"{key}/status",
                                "text_center", ctx.states.get(unit.kode, "belum kembali")))
        sheet.cells.append(Cell(ref(row, COL_CAPAIAN), Role.FORMULA, f"{key}/capaian", "pct",
                                formula=average(unit_capaian.get(unit.kode, []))))
        sheet.cells.append(Cell(ref(row, COL_PREDIKAT), Role.FORMULA, f"{key}/predikat",
                                "text_value",
                                formula=scale(ref(row, COL_CAPAIAN), ctx.bp.predikat)))
        row += 1
    _bar_charts(sheet, f"Capaian per unit — {sheet.title}"[:100], (first, COL_UNIT, row - 1),
                (("Capaian (%)", COL_CAPAIAN),), row + 1, 0,
                int(span_px(sheet.col_widths[:COL_PREDIKAT + 1])) - 10, "Capaian (%)")


# --- charts ----------------------------------------------------------------------------------

BARS_PER_CHART = 20  # categories on one chart: each labelled, the chart whole on a page
BAR_PX = 22  # height per category and series
CHART_FRAME_PX = 110  # title, value axis, its labels and title, legend
ROW_PX = 20  # a default row (15 pt)


def _bar_groups(count: int, series: int) -> list[tuple[int, int, int]]:
    """`count` categories split evenly over as few charts as hold BARS_PER_CHART each:
    (first, last) category index and the chart's height in px, per chart."""
    charts = max(1, -(-count // BARS_PER_CHART))
    size = max(1, -(-count // charts))
    return [(start, min(start + size, count) - 1,
             CHART_FRAME_PX + BAR_PX * series * (min(start + size, count) - start))
            for start in range(0, count, size)]


def _chart_rows(height: int) -> int:
    """Default rows a chart of `height` px covers, and one row under it."""
    return -(-height // ROW_PX) + 1


def _bar_charts(sheet: SheetPlan, title: str, categories: tuple[int, int, int],
                series: Sequence[tuple[str, int]], row: int, col: int, width: int,
                value_title: str) -> int:
    """Horizontal bar charts over the sheet's rows `first..last` (`categories`: first row,
    label column, last row), stacked down from (`row`, `col`), so that every category is
    labelled however many there are; the next free row."""
    first, label_col, last = categories
    groups = _bar_groups(last - first + 1, len(series))
    for i, (start, end, height) in enumerate(groups, start=1):
        part = f" ({i} dari {len(groups)})" if len(groups) > 1 else ""
        sheet.charts.append(Chart(
            kind="bar", title=title + part,
            categories=_absolute(sheet.name, first + start, label_col, first + end),
            series=tuple((name, _absolute(sheet.name, first + start, c, first + end))
                         for name, c in series),
            anchor=ref(row, col), value_title=value_title, width=width, height=height))
        row += _chart_rows(height)
    return row


def chart_span(chart: Chart) -> tuple[int, int]:
    """The rows a chart covers with the free row above it: kept on one page, so a page
    breaks above a chart, not through it."""
    row, _ = xl_cell_to_rowcol(chart.anchor)
    return row - 1, row + _chart_rows(chart.height) - 2


# --- Ringkasan, Status, Asal Data ------------------------------------------------------------

RINGKASAN_HEADERS = ("No", "Jabatan / Penanggung jawab", "Indikator", "Satuan", "Target",
                     "Asal target", "Target dari unit", "Realisasi kecamatan", "Capaian (%)",
                     "Predikat")


def target_source(ctx: _Context, ind: Indikator) -> tuple[str, str | None]:
    """Where the kecamatan's target comes from (in words), and how the units' own targets
    add up when they type one ("jumlah" or "rata_rata"; None when they do not)."""
    rows = _block_rows(ctx, ind)
    typed = any(target_is_input(ind, r.unit) and r.per_unit is None for r in rows)
    combine = ("jumlah" if _additive(ind) else "rata_rata") if typed and len(rows) > 1 else None
    if ind.target is not None:
        return ("keputusan; unit juga mengisi target sendiri" if combine else "keputusan"), combine
    if combine is None:
        return ("diisi kantor" if typed else "tidak ada"), None
    return ("jumlah target unit" if combine == "jumlah" else "rata-rata target unit"), combine


def _ringkasan(ctx: _Context, jabatan_sheets: Sequence[SheetPlan]) -> SheetPlan:
    """The kecamatan's realisasi of every indicator, pointing at the jabatan sheets."""
    bp = ctx.bp
    sheet = SheetPlan(code="RINGKASAN", name="Ringkasan", kind="ringkasan",
                      title="Ringkasan Rekap", footer=_footer(bp, "Ringkasan"))
    sheet.col_widths = [5, 24, 38, 9, 9, 16, 10, 13, 11, 16]  # one A4 page wide
    last = len(RINGKASAN_HEADERS) - 1
    title_row(sheet, f"REKAP CAPAIAN INDIKATOR KINERJA — {bp.kantor.upper()}", last)
    opening = [("Dasar", bp.dasar)] if bp.dasar else []
    opening += [("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
                ("Periode", _periode_text(ctx)),
                ("Keputusan IKI", f"{bp.nama} — {bp.id} versi {bp.versi}"),
                ("Unit kembali", _returned_text(ctx)),
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
        scope = _scope(code)
        for ind in shown:
            number += 1
            total = row_key(scope, ind.id, KECAMATAN)  # the total row, or the office's only row
            who = ", ".join(ind.penanggung_jawab) if isinstance(ind, IkuIndikator) else owner
            key = f"ringkasan/{scope}/{ind.id}"  # as on the unit workbooks' Ringkasan
            for col, value, style in ((0, str(number), "text_center"), (1, who, "text"),
                                      (2, ind.nama, "text"), (3, ind.satuan, "text_center")):
                sheet.cells.append(Cell(ref(row, col), Role.LABEL, f"{key}/{col}", style, value))
            for col, part, style in ((4, "target", "number"), (7, "realisasi",
                                                               _realisasi_style(ind)),
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


def _target_source_cells(ctx: _Context, sheet: SheetPlan, ind: Indikator, key: str, row: int,
                         source: SheetPlan) -> None:
    """Beside the kecamatan's target: where it comes from, and the units' own targets added
    up (or averaged) when they type one, so both show when the decree also gives one."""
    words, combine = target_source(ctx, ind)
    sheet.cells.append(Cell(ref(row, 5), Role.LABEL, f"{key}/asal_target", "text", words))
    at = ref(row, 6)
    rows = _block_rows(ctx, ind)
    if combine is None:
        sheet.cells.append(Cell(at, Role.LABEL, f"{key}/target_unit", "number"))
        return
    first = source.cell(row_key(_scope(source.code), ind.id, rows[0].unit.kode)("target")).ref
    last = source.cell(row_key(_scope(source.code), ind.id, rows[-1].unit.kode)("target")).ref
    column = sheet_prefix(source.name) + f"{first}:{last}"
    sheet.cells.append(Cell(at, Role.FORMULA, f"{key}/target_unit", "number",
                            formula=sum_of(column) if combine == "jumlah" else mean_of(column)))


STATUS_HEADERS = ("No", "Kode", "Unit", "Status", "Kiriman ke", "Diterima", "Berkas",
                  "Hasil pemeriksaan", "Temuan", "Pengirim")
STATUS_WIDTHS = (5, 12, 24, 15, 8, 21, 30, 15, 8, 24)
STATUS_STATE_COL = STATUS_HEADERS.index("Status")  # the unit's state: one cell per unit
TIMELINE_HEADERS = ("Tanggal", "Berkas masuk", "Unit diterima (kumulatif)")
TIMELINE_COL = len(STATUS_HEADERS) + 1
COLUMN_BREAKS = {"status": [TIMELINE_COL]}  # the returns on one page wide, the timeline next


def _status(ctx: _Context) -> SheetPlan:
    """Who returned and who is missing, with totals as formulas, every return of each unit
    (so corrections show), and returns over time."""
    bp = ctx.bp
    sheet = SheetPlan(code="STATUS", name="Status", kind="status", title="Status Pengembalian",
                      footer=_footer(bp, "Status"))
    sheet.col_widths = [*STATUS_WIDTHS, 3, 17, 12, 14]
    last = len(STATUS_HEADERS) - 1
    title_row(sheet, "STATUS PENGEMBALIAN LEMBAR KERJA", last)
    row = meta_rows(sheet, [("Periode", _periode_text(ctx)),
                        ("Keputusan IKI", f"{bp.id} versi {bp.versi}")], last,
                    sheet.col_widths[2:last + 1]) + 1
    header = row + len(STATES) + 2
    first = header + 1
    units = ctx.source.units
    end = first + max(sum(max(len(u.returns), 1) for u in units), 1) - 1
    states = f"{ref(first, STATUS_STATE_COL)}:{ref(end, STATUS_STATE_COL)}"
    for i, state in enumerate(STATES):
        sheet.cells.append(Cell(ref(row + i, 1), Role.LABEL, f"jumlah/{i}/label", "meta_label",
                                state[:1].upper() + state[1:]))
        sheet.merges.append(f"{ref(row + i, 1)}:{ref(row + i, 2)}")
        sheet.cells.append(Cell(ref(row + i, 3), Role.FORMULA, f"jumlah/{i}", "number",
                                formula=count_equal(states, state)))
    total_row = row + len(STATES)
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


def _unit_returns(ctx: _Context, sheet: SheetPlan, number: int, item: UnitReturn,
                  row: int) -> int:
    """A unit's rows on the Status sheet: its state once (the totals count units), beside
    each file it sent, oldest first; the next free row."""
    state = item.state if item.on_list else f"{item.state} (di luar daftar)"
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
            (sent.filename, "text"), (sent.state, "text_center"),
            (float(sent.findings), "number"), (sent.sender, "text"))


def _received_text(moment: str, zona: str) -> str:
    """'25 November 2026 01.40': when a file came, in the office's time zone (as stored
    when the store holds no moment it can read)."""
    try:
        local = local_time(moment, zona)
    except ValueError:
        return moment
    return f"{tanggal(local)} {local.hour:02d}.{local.minute:02d}"


def _timeline(ctx: _Context, sheet: SheetPlan, header: int) -> None:
    for c, text in enumerate(TIMELINE_HEADERS):
        sheet.cells.append(Cell(ref(header, TIMELINE_COL + c), Role.LABEL, f"waktu/kepala/{c}",
                                "header", text))
    timeline = ctx.source.timeline
    for i, (day, received, accepted) in enumerate(timeline):
        r = header + 1 + i
        cells: tuple[tuple[str | float, str], ...] = (
            (_day_text(day), "text_center"), (float(received), "number"),
            (float(accepted), "number"))
        for c, (value, style) in enumerate(cells):
            sheet.cells.append(Cell(ref(r, TIMELINE_COL + c), Role.LABEL, f"waktu/{i}/{c}",
                                    style, value))
    if timeline:
        last = header + len(timeline)
        _bar_charts(sheet, "Pengembalian lembar kerja dari waktu ke waktu",
                    (header + 1, TIMELINE_COL, last),
                    (("Berkas masuk", TIMELINE_COL + 1),
                     ("Unit diterima (kumulatif)", TIMELINE_COL + 2)),
                    last + 2, TIMELINE_COL, 560, "Jumlah")


ASAL_HEADERS = ("No", "Kode", "Unit", "Berkas", "SHA-256", "Diterima", "Pengirim", "Subjek",
                "Versi blueprint")


def _asal(ctx: _Context) -> SheetPlan:
    """Provenance: where the recap comes from, and every file whose values it uses."""
    bp = ctx.bp
    source = ctx.source
    sheet = SheetPlan(code="ASAL", name="Asal Data", kind="asal", title="Asal Data",
                      footer=_footer(bp, "Asal Data"))
    sheet.col_widths = [5, 12, 26, 36, 66, 22, 28, 36, 10]
    last = len(ASAL_HEADERS) - 1
    title_row(sheet, "ASAL DATA REKAP", last)
    row = meta_rows(sheet, [
        ("Dibuat", waktu_dibuat(source.created, source.zona)),
        ("Dibuat oleh", source.generator or "iki-xlsx"),
        ("Penyimpanan", source.store),
        ("Keputusan IKI", f"{bp.id} versi {bp.versi}, hash {bp.content_hash()}"),
        ("Periode", _periode_text(ctx)),
        ("Berkas dipakai", f"{len(source.files)} berkas (kiriman diterima terakhir tiap unit)"),
        ("Keterangan", "Berkas asli tersimpan utuh di penyimpanan pada berkas/<dua huruf awal "
                       "SHA-256>/<SHA-256>. Nilai pada lembar Data diambil dari berkas-berkas "
                       "ini; rumus pada lembar jabatan dihitung ulang dari lembar Data."),
    ], last, 150) + 1
    for c, text in enumerate(ASAL_HEADERS):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL, f"kepala/{c}", "header",
                                f"Diterima ({source.zona})" if text == "Diterima" else text))
    rows = [(str(i), f.unit_kode, f.unit_nama, f.filename, f.sha256,
             _received_text(f.received, source.zona), f.sender,
             f.subject, f.versi) for i, f in enumerate(source.files, start=1)]
    sheet.table = Table(row + 1, 0, rows, ("data_text",) * 4 + ("data_hash",)
                        + ("data_text",) * 4)
    sheet.freeze = (row + 1, 0)
    sheet.repeat_rows = (row, row)
    _fit_columns(sheet, row)
    return sheet


def _fit_columns(sheet: SheetPlan, header_row: int) -> None:
    """A table's columns as wide as their longest text and its header row tall enough for
    its wrapped headers, so no name, file or sheet is cut."""
    table = sheet.table
    assert table is not None
    headers = {c.ref: str(c.value) for c in sheet.cells}
    heights = [sheet.row_heights.get(header_row, 15.0)]
    for i, style in enumerate(table.styles):
        col = table.first_col + i
        widest = max((text_pt(str(r[i])) for r in table.rows if r[i] is not None), default=0.0)
        if style == "data_hash":  # Consolas is wider than Calibri
            widest *= 1.2
        need = (widest * PX_PER_PT + CELL_PADDING_PX - 5) / 7
        sheet.col_widths[col] = max(sheet.col_widths[col], min(round(need + 0.5), 160))
        header = headers.get(ref(header_row, col), "")
        heights.append(text_height(header, sheet.col_widths[col], bold=True))
    sheet.row_heights[header_row] = max(heights)
