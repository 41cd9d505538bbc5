"""The roll-up workbook: every kecamatan's quarter in one recap, in the style of the kecamatan's.

Sheets:
    Ringkasan       the official first page (kabupaten, period, date and signature) and one
                    row per kecamatan: units expected, returned, accepted, accepted by the
                    deadline; indicators reached / nearly / not reached by the office's own
                    predikat scale; average capaian and predikat; how far its data reach; its
                    blueprint and targets. Then the charts of average capaian (at most 20
                    bars each).
    IKU Kabupaten   per kabupaten indicator, the mapped kecamatan indicators and the
                    kabupaten's figure by the indicators' own rule (Σ/Σ for a ratio)
    Data            every figure of every kecamatan that has one (filled values only), with
                    where it stands in the kecamatan's own recap: every number of the other
                    sheets is a live formula over this sheet
    Asal Data       where each kecamatan's figures came from (its store on the server, or the
                    recap file it sent, by SHA-256), and the files refused with their findings
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from iki_xlsx.blueprint.model import DEFAULT_PREDIKAT, Tingkat
from iki_xlsx.core.dates import local_time, tanggal, waktu_dibuat
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.formula import Formula, copy_of, mean_of, ratio, scale, sheet_prefix, sum_of
from iki_xlsx.plan.model import (
    Cell,
    Role,
    SheetPlan,
    Table,
    WorkbookPlan,
    meta_rows,
    ref,
    rowcol,
    set_page,
    title_row,
)
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.rekap.charts import bar_charts, chart_span
from iki_xlsx.rekap.rollup.iku import MEAN, RATIO, RULE_WORDS, SUM, IkuKabupaten, rule_of
from iki_xlsx.rekap.rollup.kiriman import CheckedRecap
from iki_xlsx.rekap.rollup.office import SERVER, OfficeFigures
from iki_xlsx.workbook.evaluate import CellKey, Value

KABUPATEN_PERIODS = ("TW I", "TW II", "TW III", "TW IV")
RINGKASAN_HEADERS = ("No", "Kode", "Kecamatan", "Asal", "Unit", "Kembali", "Diterima",
                     "Tepat waktu", "Indikator tercapai", "Hampir tercapai", "Belum tercapai",
                     "Rata-rata capaian (%)", "Predikat", "Data s.d.", "Keputusan dan target")
RINGKASAN_WIDTHS = [4.0, 9.0, 18.0, 9.0, 6.0, 7.0, 8.0, 7.0, 9.0, 8.0, 8.0, 9.0, 11.0, 10.0,
                    30.0]  # one A4 page wide, as the kecamatan recap's Ringkasan
DATA_HEADERS = ("Kode kantor", "Kecamatan", "Bagian", "Indikator", "Nilai", "Asal",
                "Sel rekap kecamatan")
DATA_WIDTHS = [10.0, 16.0, 14.0, 40.0, 10.0, 20.0, 22.0]
DATA_VALUE_COL = 4
DATA_HEADER_ROW = 2
IKU_HEADERS = ("Kode", "Kecamatan", "Indikator kecamatan", "Pembilang", "Penyebut",
               "Realisasi")
IKU_WIDTHS = [10.0, 18.0, 48.0, 11.0, 11.0, 11.0]
UNIT_PARTS = (("diharapkan", "Unit diharapkan"), ("kembali", "Unit mengembalikan"),
              ("diterima", "Unit diterima"), ("tepat_waktu", "Unit diterima tepat waktu"),
              ("periode", "Data sampai periode ke"))


@dataclass(frozen=True)
class Signatory:
    """The kabupaten's place, zone and signatory (its iki.toml)."""

    kota: str
    zona_waktu: str
    jabatan: str | None = None
    nama: str | None = None
    nip: str | None = None


@dataclass
class RollupSource:
    """Everything the roll-up shows."""

    kabupaten: str
    wilayah: str
    periode: int
    period: int  # the last period (1-based) the roll-up reaches
    offices: list[tuple[str, str]]  # every office of kantor.csv: kode, nama
    figures: dict[str, OfficeFigures]  # by kode: the offices with figures
    iku: list[IkuKabupaten]
    created: str  # ISO, UTC
    signatory: Signatory | None = None
    refused: list[CheckedRecap] = field(default_factory=list)
    generator: str = ""

    @property
    def period_label(self) -> str:
        periods = next((f.blueprint.periods for f in self.figures.values()), KABUPATEN_PERIODS)
        return periods[min(self.period, len(periods)) - 1]


@dataclass
class _DataRows:
    """The Data sheet as it is laid out: its rows and where each figure stands."""

    rows: list[tuple[str | float | None, ...]] = field(default_factory=list)
    at: dict[tuple[str, str], str] = field(default_factory=dict)  # (kode, part) -> 'Data'!E5
    capaian: dict[str, tuple[int, int]] = field(default_factory=dict)  # kode -> first, last row

    def add(self, kode: str, part: str, row: tuple[str | float | None, ...]) -> int:
        at = DATA_HEADER_ROW + 1 + len(self.rows)
        self.rows.append(row)
        self.at[(kode, part)] = sheet_prefix("Data") + ref(at, DATA_VALUE_COL)
        return at


def plan_rollup(source: RollupSource) -> tuple[WorkbookPlan, dict[CellKey, Value]]:
    """The roll-up's plan and its plain cells' values (for the evaluator)."""
    data = _data_rows(source)
    sheets = [_ringkasan(source, data)]
    if any(f.iku_kabupaten for o in source.figures.values() for f in o.indicators):
        sheets.append(_iku_sheet(source, data))
    sheets += [_data_sheet(data), _asal_sheet(source)]
    for sheet in sheets:
        first = sheet.repeat_rows[1] + 1 if sheet.repeat_rows else 0
        set_page(sheet, first_row=first,
                 blocks=_kept_together(sheet) + [chart_span(c) for c in sheet.charts])
    plan = WorkbookPlan(blueprint_id="rekap-kabupaten", blueprint_versi="1", blueprint_hash="",
                        kantor=source.kabupaten, unit=Unit("kabupaten", source.kabupaten),
                        periode=source.periode, periods=KABUPATEN_PERIODS, units=[],
                        sheets=sheets, jenis="rekap",
                        title=f"Rekap kinerja kecamatan {source.kabupaten} {source.periode}")
    if source.generator:
        plan.generator = source.generator
    values: dict[CellKey, Value] = {}
    for sheet in sheets:
        for cell in sheet.cells:
            if cell.role is Role.LABEL and cell.value is not None:
                values[(sheet.code, cell.ref)] = cell.value
        if sheet.code == "DATA" and sheet.table is not None:
            for i, row in enumerate(sheet.table.rows):
                values[(sheet.code, ref(sheet.table.first_row + i, DATA_VALUE_COL))] = (
                    row[DATA_VALUE_COL])
    return plan, values


def _kept_together(sheet: SheetPlan) -> list[tuple[int, int]]:
    """The total row and the signature block print on one page."""
    rows = [rowcol(c.ref)[0] for c in sheet.cells
            if c.key.startswith(("pengesahan/", "jumlah/"))]
    return [(min(rows), max(rows))] if rows else []


def _footer(source: RollupSource, title: str) -> str:
    text = f"Rekap kecamatan {source.kabupaten} {source.periode} — {title}".replace("&", "&&")
    return f"&L&8{text}&R&8Halaman &P dari &N"


# --- Data -----------------------------------------------------------------------------------


def _data_rows(source: RollupSource) -> _DataRows:
    data = _DataRows()
    for kode, nama in source.offices:
        office = source.figures.get(kode)
        if office is None:
            continue
        asal = ("server" if office.asal == SERVER
                else f"berkas {(office.sha256 or '')[:16]}")
        counts: tuple[int | None, ...] = (office.expected, office.returned, office.accepted,
                                          office.on_time, office.reached)
        for (part, words), value in zip(UNIT_PARTS, counts, strict=True):
            if value is not None:
                data.add(kode, part, (kode, nama, words, "", float(value), asal, ""))
        first = None
        for ind in office.indicators:
            if ind.capaian is None:
                continue
            at = data.add(kode, f"capaian/{ind.key}", (kode, nama, "Capaian (%)", ind.nama,
                                                         ind.capaian, asal, ind.cell))
            first = at if first is None else first
        if first is not None:
            data.capaian[kode] = (first, DATA_HEADER_ROW + len(data.rows))
        for ind in office.indicators:
            if not ind.iku_kabupaten:
                continue
            parts: tuple[tuple[str, float | None], ...] = (
                ("pembilang", ind.pembilang), ("penyebut", ind.penyebut),
                ("realisasi", ind.realisasi))
            for part, number in parts:
                if number is not None:
                    data.add(kode, f"{part}/{ind.key}", (
                        kode, nama, f"{part.capitalize()} {ind.iku_kabupaten}", ind.nama,
                        number, asal, ind.cell))
    return data


def _data_sheet(data: _DataRows) -> SheetPlan:
    sheet = SheetPlan(code="DATA", name="Data", kind="data", title="Data")
    sheet.col_widths = list(DATA_WIDTHS)
    last = len(DATA_HEADERS) - 1
    title_row(sheet, "DATA KECAMATAN YANG DIREKAP", last)
    about = ("Setiap baris adalah satu angka kecamatan yang terisi (angka kosong tidak "
             "dicantumkan): dari penyimpanan kantor di server, atau dihitung ulang dari lembar "
             "Data berkas rekap yang dikirim kecamatan (Asal: awal SHA-256 berkasnya). Sel "
             "rekap kecamatan menunjuk tempat angka itu di rekap kecamatan sendiri.")
    sheet.cells.append(Cell(ref(1, 0), Role.LABEL, "keterangan", "text_plain", about))
    sheet.merges.append(f"{ref(1, 0)}:{ref(1, last)}")
    sheet.row_heights[1] = text_height(about, sheet.col_widths)
    for c, text in enumerate(DATA_HEADERS):
        sheet.cells.append(Cell(ref(DATA_HEADER_ROW, c), Role.LABEL, f"kepala/{c}", "header",
                                text))
    sheet.table = Table(DATA_HEADER_ROW + 1, 0, data.rows,
                        ("data_text", "data_wrap", "data_wrap", "data_wrap", "data_value",
                         "data_text", "data_wrap"))
    sheet.repeat_rows = (DATA_HEADER_ROW, DATA_HEADER_ROW)
    sheet.freeze = (DATA_HEADER_ROW + 1, 2)
    for i, row in enumerate(data.rows):
        tall = max(text_height(str(row[c] or ""), DATA_WIDTHS[c]) for c in (1, 2, 3, 6))
        if tall > 15.0:
            sheet.row_heights[DATA_HEADER_ROW + 1 + i] = tall
    sheet.footer = "&L&8Data&R&8Halaman &P dari &N"
    return sheet


# --- Ringkasan ------------------------------------------------------------------------------


def _ringkasan(source: RollupSource, data: _DataRows) -> SheetPlan:
    sheet = SheetPlan(code="RINGKASAN", name="Ringkasan", kind="ringkasan",
                      title="Ringkasan", footer=_footer(source, "Ringkasan"))
    sheet.col_widths = list(RINGKASAN_WIDTHS)
    last = len(RINGKASAN_HEADERS) - 1
    title_row(sheet, f"REKAP CAPAIAN KINERJA KECAMATAN — {source.kabupaten.upper()}", last)
    came = len(source.figures)
    opening = [("Kabupaten", f"{source.kabupaten}, {source.wilayah}"),
               ("Periode", f"Tahun {source.periode}, data s.d. {source.period_label}"),
               ("Kecamatan", f"{came} dari {len(source.offices)} kecamatan mempunyai data"
                             + (f"; {len(source.refused)} berkas rekap ditolak (lihat Asal "
                                "Data)" if source.refused else "")),
               ("Cara membaca", "Tercapai, hampir dan belum tercapai menurut skala predikat "
                                "kantor itu sendiri (predikat tertinggi = tercapai, berikutnya "
                                "= hampir); setiap angka menunjuk lembar Data."),
               ("Dibuat", waktu_dibuat(source.created, source.signatory.zona_waktu
                                       if source.signatory else "WIB"))]
    row = meta_rows(sheet, opening, last, sheet.col_widths[2:]) + 1
    for c, text in enumerate(RINGKASAN_HEADERS):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.row_heights[row] = text_height("Rata-rata capaian (%)", 9.0, bold=True)
    sheet.repeat_rows = (row, row)
    sheet.freeze = (row + 1, 3)
    first = row + 1
    for number, (kode, nama) in enumerate(source.offices, start=1):
        _office_row(sheet, source, data, row + number, number, kode, nama)
    row = first + len(source.offices)
    _total_row(sheet, first, row - 1, row)
    after = row + 2
    if source.signatory is not None:
        after = _signature(sheet, source, after) + 1
    end = bar_charts(sheet, "Rata-rata capaian indikator per kecamatan (%)",
                     (first, 2, row - 1), [("Rata-rata capaian (%)", 11)], after, 0, 900,
                     "Capaian (%)")
    # the rows under the charts count when the pages are laid out (a chart is kept whole)
    sheet.cells.append(Cell(ref(end - 1, 0), Role.LABEL, "grafik/akhir", "text_plain", None))
    return sheet


def _office_row(sheet: SheetPlan, source: RollupSource, data: _DataRows, row: int,
                number: int, kode: str, nama: str) -> None:
    office = source.figures.get(kode)
    key = f"kecamatan/{kode}"

    def label(col: int, value: str | float | None, style: str = "text") -> None:
        sheet.cells.append(Cell(ref(row, col), Role.LABEL, f"{key}/{col}", style, value))

    def formula(col: int, part: str, made: Formula, style: str = "number") -> None:
        sheet.cells.append(Cell(ref(row, col), Role.FORMULA, f"{key}/{part}", style,
                                formula=made))

    label(0, str(number), "text_center")
    label(1, kode)
    label(2, nama)
    if office is None:
        missing = "belum ada data dari server maupun berkas rekap yang diterima"
        label(3, "belum ada", "text_center")
        label(14, missing)
        sheet.row_heights[row] = max(text_height(missing, RINGKASAN_WIDTHS[14]),
                                     text_height(nama, RINGKASAN_WIDTHS[2]))
        return
    label(3, "server" if office.asal == SERVER else "berkas", "text_center")
    for col, (part, _) in zip((4, 5, 6, 7), UNIT_PARTS, strict=False):
        at = data.at.get((kode, part))
        if at is None:
            label(col, None, "number")
        else:
            formula(col, part, copy_of(at))
    scale_ = office.blueprint.predikat or list(DEFAULT_PREDIKAT)
    spread = data.capaian.get(kode)
    if spread is None:
        for col in (8, 9, 10, 11, 12):
            label(col, None, "number")
    else:
        column = sheet_prefix("Data") + f"{ref(spread[0], DATA_VALUE_COL)}:" \
                                        f"{ref(spread[1], DATA_VALUE_COL)}"
        top, second = _tiers(scale_)
        formula(8, "tercapai", Formula(f'COUNTIF({{0}},">={top:g}")', (column,)))
        formula(9, "hampir", Formula(f'COUNTIF({{0}},">={second:g}")-COUNTIF({{0}},'
                                     f'">={top:g}")', (column,)))
        formula(10, "belum", Formula(f'COUNT({{0}})-COUNTIF({{0}},">={second:g}")',
                                     (column,)))
        formula(11, "rata", mean_of(column), "pct")
        formula(12, "predikat", scale(ref(row, 11), scale_), "text_value")
    periods = office.blueprint.periods
    reach = periods[office.reached - 1] if office.reached else "belum ada"
    reach += " (terlambat)" if office.late else ""
    label(13, reach, "text_center" if not office.late else "text_bold")
    bp = office.blueprint
    about = f"{bp.id} versi {bp.versi}; {office.target_words}"
    label(14, about)
    sheet.row_heights[row] = max(text_height(about, RINGKASAN_WIDTHS[14]),
                                 text_height(nama, RINGKASAN_WIDTHS[2]),
                                 text_height(reach, RINGKASAN_WIDTHS[13]))


def _tiers(steps: Sequence[Tingkat]) -> tuple[float, float]:
    """The minimum capaian of the scale's top tier (reached) and of the next (nearly)."""
    ordered = sorted((s.min for s in steps), reverse=True)
    return ordered[0], ordered[1] if len(ordered) > 1 else ordered[0]


def _total_row(sheet: SheetPlan, first: int, last: int, row: int) -> None:
    sheet.cells.append(Cell(ref(row, 2), Role.LABEL, "jumlah/label", "total_unit",
                            "Jumlah kabupaten"))
    for col in (4, 5, 6, 7, 8, 9, 10):
        column = f"{ref(first, col)}:{ref(last, col)}"
        sheet.cells.append(Cell(ref(row, col), Role.FORMULA, f"jumlah/{col}", "total_number",
                                formula=sum_of(column)))


def _signature(sheet: SheetPlan, source: RollupSource, row: int) -> int:
    sign = source.signatory
    assert sign is not None
    place = f"{sign.kota}, {tanggal(local_time(source.created, sign.zona_waktu))}"
    lines = [("tempat-tanggal", place, "text_plain"),
             ("jabatan", f"{sign.jabatan}," if sign.jabatan else "", "text_plain"),
             ("ruang-tanda-tangan", "", "text_plain"), ("nama", sign.nama or "", "signer"),
             ("nip", f"NIP {sign.nip}" if sign.nip else "", "text_plain")]
    first_col, last_col = 10, len(sheet.col_widths) - 1
    for i, (name, text, style) in enumerate(lines):
        at = row + i
        sheet.cells.append(Cell(ref(at, first_col), Role.LABEL, f"pengesahan/{name}", style,
                                text))
        sheet.merges.append(f"{ref(at, first_col)}:{ref(at, last_col)}")
        sheet.row_heights[at] = 48.0 if name == "ruang-tanda-tangan" else 15.0
    return row + len(lines)


# --- IKU Kabupaten --------------------------------------------------------------------------


def _iku_sheet(source: RollupSource, data: _DataRows) -> SheetPlan:
    sheet = SheetPlan(code="IKU-KABUPATEN", name="IKU Kabupaten", kind="iku-kabupaten",
                      title="IKU Kabupaten", footer=_footer(source, "IKU Kabupaten"))
    sheet.col_widths = list(IKU_WIDTHS)
    last = len(IKU_HEADERS) - 1
    title_row(sheet, "INDIKATOR KABUPATEN DARI INDIKATOR KECAMATAN", last)
    row = 2
    for iku in source.iku:
        mapped = [(kode, nama, ind) for kode, nama in source.offices
                  if (office := source.figures.get(kode)) is not None
                  for ind in office.indicators if ind.iku_kabupaten == iku.kode]
        if not mapped:
            continue
        rules = {rule_of(ind.jenis) for _, _, ind in mapped}
        rule = rules.pop() if len(rules) == 1 else None
        heading = (f"{iku.kode} — {iku.nama} ({iku.satuan}); dihitung: "
                   + (RULE_WORDS[rule] if rule else "tidak dapat digabung (jenis indikator "
                      "kecamatan berbeda)"))
        sheet.cells.append(Cell(ref(row, 0), Role.LABEL, f"{iku.kode}/judul", "block_title",
                                heading))
        sheet.merges.append(f"{ref(row, 0)}:{ref(row, last)}")
        sheet.row_heights[row] = text_height(heading, IKU_WIDTHS, bold=True)
        row += 1
        for c, text in enumerate(IKU_HEADERS):
            sheet.cells.append(Cell(ref(row, c), Role.LABEL, f"{iku.kode}/kepala/{c}",
                                    "header", text))
        row += 1
        first = row
        for kode, nama, ind in mapped:
            key = f"{iku.kode}/{kode}/{ind.key}"
            sheet.cells.append(Cell(ref(row, 0), Role.LABEL, f"{key}/kode", "text", kode))
            sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"{key}/kecamatan", "text", nama))
            sheet.cells.append(Cell(ref(row, 2), Role.LABEL, f"{key}/indikator", "text",
                                    ind.nama))
            for col, part in ((3, "pembilang"), (4, "penyebut"), (5, "realisasi")):
                at = data.at.get((kode, f"{part}/{ind.key}"))
                sheet.cells.append(
                    Cell(ref(row, col), Role.FORMULA, f"{key}/{part}", "number",
                         formula=copy_of(at)) if at is not None
                    else Cell(ref(row, col), Role.LABEL, f"{key}/{part}", "number"))
            sheet.row_heights[row] = max(text_height(ind.nama, IKU_WIDTHS[2]),
                                         text_height(nama, IKU_WIDTHS[1]))
            row += 1
        _iku_total(sheet, iku, rule, first, row - 1, row)
        row += 2
    return sheet


def _iku_total(sheet: SheetPlan, iku: IkuKabupaten, rule: str | None, first: int, last: int,
               row: int) -> None:
    key = f"{iku.kode}/kabupaten"
    sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"{key}/label", "total_unit",
                            "Kabupaten"))
    sums = {}
    for col, part in ((3, "pembilang"), (4, "penyebut")):
        column = f"{ref(first, col)}:{ref(last, col)}"
        if rule == RATIO:
            sheet.cells.append(Cell(ref(row, col), Role.FORMULA, f"{key}/{part}",
                                    "total_number", formula=sum_of(column)))
            sums[part] = ref(row, col)
    realisasi = f"{ref(first, 5)}:{ref(last, 5)}"
    made = {RATIO: lambda: ratio(sums["pembilang"], sums["penyebut"]),
            SUM: lambda: sum_of(realisasi), MEAN: lambda: mean_of(realisasi)}
    if rule in made:
        sheet.cells.append(Cell(ref(row, 5), Role.FORMULA, f"{key}/realisasi",
                                "total_pct" if iku.satuan.strip() == "%" else "total_number",
                                formula=made[rule]()))
    else:
        sheet.cells.append(Cell(ref(row, 5), Role.LABEL, f"{key}/realisasi", "total_text",
                                "—"))


# --- Asal Data ------------------------------------------------------------------------------


def _asal_sheet(source: RollupSource) -> SheetPlan:
    sheet = SheetPlan(code="ASAL", name="Asal Data", kind="asal", title="Asal Data",
                      footer=_footer(source, "Asal Data"))
    widths = [10.0, 18.0, 9.0, 30.0, 66.0]
    sheet.col_widths = widths
    title_row(sheet, "ASAL DATA SETIAP KECAMATAN", 4)
    headers = ("Kode", "Kecamatan", "Asal", "Keputusan IKI", "Penyimpanan atau berkas "
               "(SHA-256) dan waktu diterima")
    for c, text in enumerate(headers):
        sheet.cells.append(Cell(ref(2, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.repeat_rows = (2, 2)
    rows: list[tuple[str | float | None, ...]] = []
    for kode, nama in source.offices:
        office = source.figures.get(kode)
        if office is None:
            rows.append((kode, nama, "belum ada", "", ""))
            continue
        bp = office.blueprint
        where = (office.source_name if office.asal == SERVER
                 else f"{office.source_name}; SHA-256 {office.sha256}; diterima "
                      f"{waktu_dibuat(office.received or source.created, 'WIB')}")
        rows.append((kode, nama, "server" if office.asal == SERVER else "berkas",
                     f"{bp.id} versi {bp.versi} (hash {bp.content_hash()[:16]})", where))
    for refused in source.refused:
        first = refused.findings[0].one_line() if refused.findings else ""
        rows.append((refused.kode or "", "", "ditolak",
                     f"{refused.filename} ({len(refused.findings)} temuan)", first[:300]))
    sheet.table = Table(3, 0, rows, ("data_text", "data_wrap", "data_text", "data_wrap",
                                     "data_hash_wrap"))
    for i, row in enumerate(rows):
        sheet.row_heights[3 + i] = max(15.0, text_height(str(row[4]), widths[4] / 1.2),
                                       text_height(str(row[3]), widths[3]))
    return sheet

