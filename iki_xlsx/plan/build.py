"""The plan: where every cell of a workbook stands, computed once from the blueprint.

The writer renders a plan, the manifest stores it, the reader and the checker
look cells up in it, the recap follows its keys. Nobody else computes a position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    indicators,
)
from iki_xlsx.core.units import OFFICE_KODE as OFFICE_KODE
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.carriers import (
    MANIFEST_SHEET,
    PERIODE_LABEL,
    UNIT_LABEL,
    periode_text,
    unit_text,
)
from iki_xlsx.plan.columns import (
    COL_NAMA,
    COL_NO,
    COL_SATUAN,
    COL_TARGET,
    COL_URAIAN,
    FIRST_ROW,
    HEADER_ROW,
    Columns,
)
from iki_xlsx.plan.cover import (
    PETUNJUK,
    RINGKASAN,
    footer_text,
    jabatan_text,
    petunjuk_sheet,
    ringkasan_sheet,
)
from iki_xlsx.plan.formula import (
    Formula,
    aggregate,
    average,
    capaian,
    checklist,
    copy_of,
    general,
    meets,
    ratio,
    scale,
    share_meeting,
)
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import (
    Cell,
    InputRule,
    Role,
    SheetPlan,
    WorkbookPlan,
    meta_rows,
    ref,
    rowcol,
    set_page,
    sheet_name,
    title_case,
    title_row,
)
from iki_xlsx.plan.textfit import text_height

# --- sheet names -----------------------------------------------------------------------------










# --- columns of an indicator sheet -----------------------------------------------------------

# The first view of a jabatan sheet on a 1366x768 screen shows No, Indikator, Uraian,
# Satuan, Target, the period inputs, Tahunan, Capaian and Predikat; the decree's reference text
# (Sasaran, Formulasi, Sumber Data) follows to the right and prints on its own pages.






# --- building the plan -----------------------------------------------------------------------


def visible(ind: Indikator, unit: Unit) -> bool:
    """Whether this unit's workbook asks for the indicator."""
    return (ind.pengisi is Pengisi.KECAMATAN) == unit.kantor


def office_unit(bp: Blueprint) -> Unit:
    """The kecamatan office as a recipient of its own workbook."""
    return Unit(kode=OFFICE_KODE, nama=bp.kantor, kantor=True)


def expects_return(bp: Blueprint, unit: Unit) -> bool:
    """Whether the unit has anything to fill: a recipient whose workbook would have no input
    cell gets no workbook and is not waited for."""
    return any(visible(ind, unit) for _, ind in indicators(bp))


def target_is_input(ind: Indikator, unit: Unit) -> bool:
    """The target is typed in when the decree gives none, or when a kelurahan's own
    count cannot be measured against the whole kecamatan's target."""
    if ind.target is None:
        return True
    additive = ind.jenis in (Jenis.JUMLAH, Jenis.RUMUS) and ind.satuan.strip() != "%"
    return additive and not unit.kantor and ind.variabel[0].agregasi_unit is AgregasiUnit.JUMLAH


def sheet_names(bp: Blueprint, unit: Unit) -> dict[str, str]:
    """The sheet names by code of the unit's workbook, as `plan_workbook` names them, without
    laying the workbook out (a recap names every unit's sheets)."""
    return dict([PETUNJUK, RINGKASAN, *((code, name) for code, name, _, _ in
                                        _indicator_sheets(bp, unit))])


def _indicator_sheets(bp: Blueprint, unit: Unit
                      ) -> list[tuple[str, str, Jabatan | None, list[Indikator]]]:
    """(code, name, jabatan or None for the IKU, indicators shown) of each indicator sheet of
    the unit's workbook, in order."""
    taken = {PETUNJUK[1].lower(), RINGKASAN[1].lower(), MANIFEST_SHEET.lower()}
    found: list[tuple[str, str, Jabatan | None, list[Indikator]]] = []
    for jab in bp.jabatan:
        shown = [i for i in jab.indikator if visible(i, unit)]
        if shown:
            found.append(("J-" + jab.id, sheet_name(jab.singkatan or title_case(jab.nama),
                                                    taken), jab, shown))
    if bp.iku is not None:
        shown_iku: list[Indikator] = [i for i in bp.iku.indikator if visible(i, unit)]
        if shown_iku:
            found.append(("IKU", sheet_name("IKU", taken), None, shown_iku))
    return found


_HASHES_KEPT = 32
_HASHES: dict[int, tuple[Blueprint, str]] = {}  # id -> (the blueprint, kept alive: ids stay
# unique, its content hash)


def blueprint_hash(bp: Blueprint) -> str:
    """`bp.content_hash()`, computed once a process per blueprint object (a blueprint is
    frozen; every workbook of a generation carries the hash, and dumping the blueprint to
    canonical JSON costs more than laying out a sheet)."""
    kept = _HASHES.get(id(bp))
    if kept is not None and kept[0] is bp:
        return kept[1]
    digest = bp.content_hash()
    if len(_HASHES) >= _HASHES_KEPT:
        _HASHES.clear()
    _HASHES[id(bp)] = (bp, digest)
    return digest


def plan_workbook(bp: Blueprint, unit: Unit, periode: int, units: Sequence[Unit]) -> WorkbookPlan:
    """Lay out the whole workbook for one unit and period."""
    cols = Columns.for_periods(len(bp.periods))
    kelurahan = [u for u in units if not u.kantor]
    indicator_sheets = [_indicator_sheet(bp, unit, periode, cols, code, name, jab, shown,
                                         kelurahan)
                        for code, name, jab, shown in _indicator_sheets(bp, unit)]
    jabatan = [(s.name, bp.jabatan_by_id(s.code.removeprefix("J-"))) for s in indicator_sheets
               if s.kind == "jabatan"]
    sheets = [
        petunjuk_sheet(bp, unit, periode, jabatan),
        ringkasan_sheet(bp, unit, periode, indicator_sheets),
        *indicator_sheets,
    ]
    return WorkbookPlan(
        blueprint_id=bp.id,
        blueprint_versi=bp.versi,
        blueprint_hash=blueprint_hash(bp),
        kantor=bp.kantor,
        unit=unit,
        periode=periode,
        periods=bp.periods,
        units=list(units),
        sheets=sheets,
    )
















@dataclass
class _Block:
    """Rows of one indicator while they are laid out."""

    number: int
    first_row: int
    realisasi_row: int = 0


def _indicator_sheet(
    bp: Blueprint,
    unit: Unit,
    periode: int,
    cols: Columns,
    code: str,
    name: str,
    jab: Jabatan | None,
    shown: Sequence[Indikator],
    kelurahan: Sequence[Unit],
) -> SheetPlan:
    """One jabatan (or the IKU table): a short frozen head (title, four facts, the column
    headers) so that the first indicator and its inputs show on the first screen."""
    title = jab.nama if jab else (bp.iku.judul if bp.iku else "IKU")
    sheet = SheetPlan(code=code, name=name, kind="jabatan" if jab else "iku", title=title,
                      footer=footer_text(unit, name, bp))
    sheet.col_widths = cols.widths()
    title_row(sheet, "INDIKATOR KINERJA INDIVIDU" if jab else "INDIKATOR KINERJA UTAMA",
              cols.predikat)
    if jab:
        about = ("Jabatan", jabatan_text(jab) + " — tugas dan fungsi: lihat lembar Petunjuk")
    else:
        about = ("Tabel", f"{title}; penanggung jawab tercantum pada setiap indikator")
    meta = [("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
            (UNIT_LABEL, unit_text(unit)), about, (PERIODE_LABEL, periode_text(bp, periode))]
    meta_rows(sheet, meta, cols.predikat, sheet.col_widths[2:cols.predikat + 1])
    for r, (_, value) in enumerate(meta, start=1):
        # again over the reference columns, which print on pages of their own
        sheet.cells.append(Cell(ref(r, cols.sasaran), Role.LABEL, f"meta/{r}/rujukan",
                                "meta_value", value))
        sheet.merges.append(f"{ref(r, cols.sasaran)}:{ref(r, cols.sumber)}")
    headers = cols.headers(bp.periods, periode)
    for c, text in enumerate(headers):
        sheet.cells.append(Cell(ref(HEADER_ROW, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.row_heights[HEADER_ROW] = max(
        text_height(text, sheet.col_widths[c], bold=True) for c, text in enumerate(headers))
    sheet.freeze = (FIRST_ROW, COL_NAMA + 1)
    sheet.repeat_rows = (HEADER_ROW, HEADER_ROW)

    row = FIRST_ROW
    capaian_cells: list[str] = []
    blocks: list[tuple[int, int]] = []
    scope = jab.id if jab else "iku"
    for number, ind in enumerate(shown, start=1):
        block = _Block(number, row)
        row = _laid_block(sheet, bp, unit, cols, scope, ind, block, kelurahan)
        blocks.append((block.first_row, row - 1))
        capaian_cells.append(ref(block.realisasi_row, cols.capaian))

    row += 1
    summary = f"{scope}/ringkasan"
    sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, f"{summary}/label", "total_label",
                            "Rata-rata capaian seluruh indikator (%)"))
    sheet.cells.append(Cell(ref(row, cols.capaian), Role.FORMULA, f"{summary}/capaian",
                            "formula_pct", formula=average(capaian_cells)))
    sheet.cells.append(Cell(ref(row, cols.predikat), Role.FORMULA, f"{summary}/predikat",
                            "formula_text", formula=scale(ref(row, cols.capaian), bp.predikat)))
    sheet.row_heights[row] = text_height("Rata-rata capaian seluruh indikator (%)",
                                         sheet.col_widths[COL_URAIAN], bold=True)
    blocks.append((row - 1, row))
    set_page(sheet, first_row=FIRST_ROW, repeat_cols=COL_NAMA + 1,
             column_breaks=[cols.sasaran], blocks=blocks)
    return sheet




@dataclass(frozen=True)
class _Laid:
    """What `_indicator_block` added to a sheet, to add again."""

    bp: Blueprint  # what it was laid out of (kept alive: their ids key it)
    ind: Indikator
    cells: tuple[Cell, ...]
    merges: tuple[str, ...]
    heights: tuple[tuple[int, float], ...]
    realisasi_row: int
    next_row: int


_LAID_KEPT = 1024
_LAID: dict[tuple[object, ...], _Laid] = {}


def _laid_block(sheet: SheetPlan, bp: Blueprint, unit: Unit, cols: Columns, scope: str,
                ind: Indikator, block: _Block, kelurahan: Sequence[Unit]) -> int:
    """`_indicator_block`, laid out once per process for the kelurahan of a blueprint: a
    recipient that keeps no row per unit gets the same rows of an indicator at the same
    place (what it adds depends on the blueprint, the indicator, its place and the columns,
    and of the recipient only on whether it is the office), and a generation lays out
    hundreds of such workbooks. Cells are frozen, so the plans share them."""
    if unit.kantor:
        return _indicator_block(sheet, bp, unit, cols, scope, ind, block, kelurahan)
    key = (id(bp), id(ind), scope, block.number, block.first_row, cols,
           tuple(sheet.col_widths))
    laid = _LAID.get(key)
    if laid is None or laid.bp is not bp or laid.ind is not ind:
        first_cell, first_merge = len(sheet.cells), len(sheet.merges)
        next_row = _indicator_block(sheet, bp, unit, cols, scope, ind, block, kelurahan)
        if len(_LAID) >= _LAID_KEPT:
            _LAID.clear()
        _LAID[key] = _Laid(bp, ind, tuple(sheet.cells[first_cell:]),
                           tuple(sheet.merges[first_merge:]),
                           tuple((r, sheet.row_heights[r])
                                 for r in range(block.first_row, next_row)),
                           block.realisasi_row, next_row)
        return next_row
    sheet.cells.extend(laid.cells)
    sheet.merges.extend(laid.merges)
    sheet.row_heights.update(laid.heights)
    block.realisasi_row = laid.realisasi_row
    return laid.next_row


def _indicator_block(
    sheet: SheetPlan,
    bp: Blueprint,
    unit: Unit,
    cols: Columns,
    scope: str,
    ind: Indikator,
    block: _Block,
    kelurahan: Sequence[Unit],
) -> int:
    """Lay out the rows of one indicator; returns the next free row."""
    def own(name: str, unit_kode: str | None = None) -> PlanKey:
        return PlanKey(scope, ind.id, name, unit_kode)

    row = block.first_row
    first_cell = len(sheet.cells)
    annual: dict[str, str] = {}
    period_cells: dict[str, list[str]] = {}
    per_unit_rows: dict[str, tuple[int, int]] = {}
    unit_row: dict[tuple[str, str], int] = {}
    for var in ind.variabel:
        rows_units: list[Unit | None] = [None]
        if var.agregasi_unit is AgregasiUnit.PER_UNIT and unit.kantor and kelurahan:
            rows_units = list(kelurahan)
        first_var_row = row
        for row_unit in rows_units:
            key = own(var.id, row_unit.kode if row_unit else None)
            label = variable_label(var)
            if row_unit is not None:
                label = f"{label} — {row_unit.nama}"
            sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(key.at("label")),
                                    "text", label))
            cells: list[str] = []
            for p, col in enumerate(cols.periods, start=1):
                cells.append(ref(row, col))
                sheet.cells.append(Cell(ref(row, col), Role.INPUT, str(key.at_period(p)),
                                        _input_style(var),
                                        rule=_rule(var, bp.periods, p)))
            sheet.cells.append(Cell(ref(row, cols.tahunan), Role.FORMULA, str(key.at("tahunan")),
                                    _value_style(var), formula=aggregate(var.period_rule, cells)))
            if row_unit is None:
                annual[var.id] = ref(row, cols.tahunan)
                period_cells[var.id] = cells
            else:
                unit_row[(var.id, row_unit.kode)] = row
            row += 1
        if rows_units != [None]:
            per_unit_rows[var.id] = (first_var_row, row - 1)

    if ind.jenis is Jenis.DAFTAR_PERIKSA and per_unit_rows:
        # one "meets every criterion" row per unit; realisasi counts the units that do
        first_meets = row
        for row_unit in kelurahan:
            key = own("memenuhi", row_unit.kode)
            sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(key.at("label")), "text",
                                    f"Memenuhi semua kriteria (100 = ya) — {row_unit.nama}"))
            for p, col in enumerate([*cols.periods, cols.tahunan], start=1):
                items = [ref(unit_row[(v.id, row_unit.kode)], col) for v in ind.variabel]
                part = "tahunan" if col == cols.tahunan else PlanKey.period_part(p)
                sheet.cells.append(Cell(ref(row, col), Role.FORMULA, str(key.at(part)),
                                        "formula_pct", formula=checklist(items, True)))
            row += 1
        per_unit_rows = {"memenuhi": (first_meets, row - 1)}

    if ind.jenis is Jenis.NILAI and ind.skala:
        var = ind.variabel[0]
        sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(own("mutu").at("label")),
                                "text",
                                "Mutu / kategori nilai"))
        for p, col in enumerate([*cols.periods, cols.tahunan], start=1):
            source = annual[var.id] if col == cols.tahunan else period_cells[var.id][p - 1]
            part = "tahunan" if col == cols.tahunan else PlanKey.period_part(p)
            sheet.cells.append(Cell(ref(row, col), Role.FORMULA, str(own("mutu").at(part)),
                                    "formula_text",
                                    formula=scale(source, ind.skala)))
        row += 1

    block.realisasi_row = row
    satuan = f" ({ind.satuan})" if ind.satuan else ""
    realisasi_style = "formula_pct" if ind.satuan.strip() == "%" else "formula_number"
    realisasi = own("realisasi")
    sheet.cells.append(Cell(ref(row, COL_URAIAN), Role.LABEL, str(realisasi.at("label")),
                            "realisasi_label", f"Realisasi{satuan}"))
    for p, col in enumerate(cols.periods, start=1):
        in_period = {name: cells[p - 1] for name, cells in period_cells.items()}
        sheet.cells.append(Cell(ref(row, col), Role.FORMULA, str(realisasi.at_period(p)),
                                realisasi_style,
                                formula=_realisasi(ind, in_period, per_unit_rows, col,
                                                   len(kelurahan), 1 / len(cols.periods))))
    sheet.cells.append(Cell(ref(row, cols.tahunan), Role.FORMULA, str(realisasi.at("tahunan")),
                            realisasi_style,
                            formula=_realisasi(ind, annual, per_unit_rows, cols.tahunan,
                                               len(kelurahan))))
    target_ref = ref(row, COL_TARGET)
    if target_is_input(ind, unit):
        sheet.cells.append(Cell(target_ref, Role.INPUT, str(own("target")), "input_number",
                                rule=InputRule("desimal", f"Target {ind.nama}", min=0,
                                               bantuan="Isi target tahunan sesuai Perjanjian "
                                                       "Kinerja.")))
    else:
        sheet.cells.append(Cell(target_ref, Role.LABEL, str(own("target")), "fixed_number",
                                ind.target))
    cap = capaian_cap(bp, ind)
    sheet.cells.append(Cell(ref(row, cols.capaian), Role.FORMULA, str(own("capaian")),
                            "formula_pct",
                            formula=capaian(ref(row, cols.tahunan), target_ref,
                                            ind.polaritas is Polaritas.TURUN, cap)))
    sheet.cells.append(Cell(ref(row, cols.predikat), Role.FORMULA, str(own("predikat")),
                            "formula_text", formula=scale(ref(row, cols.capaian), bp.predikat)))

    last = row
    formulasi = ind.formulasi + (f"\n\nAsumsi: {ind.asumsi}" if ind.asumsi else "")
    if isinstance(ind, IkuIndikator):
        formulasi += "\n\nPenanggung jawab: " + ", ".join(ind.penanggung_jawab)
    texts = [(COL_NO, str(block.number), "text_center"), (COL_NAMA, ind.nama, "text_bold"),
             (COL_SATUAN, ind.satuan, "text_center"), (cols.sasaran, ind.sasaran, "text"),
             (cols.formulasi, formulasi, "text"), (cols.sumber, ind.sumber_data, "text")]
    for col, text, style in texts:
        sheet.cells.append(Cell(ref(block.first_row, col), Role.LABEL,
                                str(PlanKey(scope, ind.id, "kolom", part=str(col))), style, text))
        sheet.merges.append(f"{ref(block.first_row, col)}:{ref(last, col)}")
    merged_need = max(text_height(text, sheet.col_widths[col], bold=style == "text_bold")
                      for col, text, style in texts)
    _fit_block_rows(sheet, first_cell, block.first_row, last, merged_need)
    return last + 1


def _fit_block_rows(sheet: SheetPlan, first_cell: int, first: int, last: int,
                    merged_need: float) -> None:
    """Each row tall enough for its Uraian label; the rows together tall enough for the
    block's merged texts, any shortfall (the decree's long texts, mostly off the first
    screen) added to the last row, the realisasi: the input rows stay as short as what the
    screen shows of them."""
    need = {r: 15.0 for r in range(first, last + 1)}
    width = sheet.col_widths[COL_URAIAN]
    for cell in sheet.cells[first_cell:]:
        row, col = rowcol(cell.ref)
        if col == COL_URAIAN and isinstance(cell.value, str):
            bold = cell.style in ("realisasi_label", "text_bold")
            need[row] = max(need[row], text_height(cell.value, width, bold=bold))
    shortfall = merged_need - sum(need.values())
    if shortfall > 0:
        need[last] += round(shortfall + 0.49, 0)
    for r, height in need.items():
        sheet.row_heights[r] = height


def _realisasi(
    ind: Indikator,
    cells: dict[str, str],
    per_unit_rows: dict[str, tuple[int, int]],
    col: int,
    unit_count: int,
    share: float = 1.0,
) -> Formula:
    """Realisasi formula of an indicator over the cells of one period (`share` of the year)
    or the year; an indicator judged per unit counts the unit rows that meet it."""
    if ind.jenis is Jenis.AMBANG and ind.ambang and ind.ambang.variabel in per_unit_rows:
        first, last = per_unit_rows[ind.ambang.variabel]
        column = f"{ref(first, col)}:{ref(last, col)}"
        return share_meeting(column, unit_count, ind.ambang.operator, ind.ambang.nilai)
    if ind.jenis is Jenis.DAFTAR_PERIKSA and per_unit_rows:  # share meeting every criterion
        first, last = per_unit_rows["memenuhi"]
        return share_meeting(f"{ref(first, col)}:{ref(last, col)}", unit_count, ">=", 100)
    return unit_realisasi(ind, cells, share)


def unit_realisasi(ind: Indikator, cells: Mapping[str, str], share: float = 1.0) -> Formula:
    """Realisasi of one unit from its variables' cells (`cells` by variable id), in a column
    covering `share` of the year (constants `per: tahun` are scaled to it)."""
    if ind.jenis is Jenis.PERSENTASE:
        assert ind.pembilang and ind.penyebut
        return ratio(cells[ind.pembilang], cells[ind.penyebut])
    if ind.jenis in (Jenis.JUMLAH, Jenis.NILAI):
        return copy_of(cells[ind.variabel[0].id])
    if ind.jenis is Jenis.RUMUS:
        assert ind.rumus is not None
        return general(ind.rumus, ind.constants(share), dict(cells))
    if ind.jenis is Jenis.AMBANG:
        assert ind.ambang is not None
        return meets(cells[ind.ambang.variabel], ind.ambang.operator, ind.ambang.nilai)
    return checklist([cells[v.id] for v in ind.variabel], ind.hitung == "semua")


def capaian_cap(bp: Blueprint, ind: Indikator) -> float | None:
    """The highest capaian the indicator may show: its own limit, else the blueprint's."""
    return ind.batas_capaian if ind.batas_capaian is not None else bp.batas_capaian


def _input_style(var: Variabel) -> str:
    return "input_text" if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN) else "input_number"


def _value_style(var: Variabel) -> str:
    return "formula_text" if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN) else "formula_number"


def _rule(var: Variabel, periods: Sequence[str], period: int) -> InputRule:
    """What a period input accepts; a required one is due once its period or a later one is
    reported (of a single yearly period: always)."""
    low, high = var.bounds
    return InputRule(str(var.tipe), var.label, low, high, tuple(var.choices), var.wajib,
                     var.bantuan, periode=periods[period - 1] if len(periods) > 1 else None,
                     last_period=period == len(periods))


def variable_label(var: Variabel) -> str:
    """A variable's label with its unit, once: "Jumlah PNS (orang)"; a label that already
    ends with "(hari orang)" does not get it twice."""
    unit = f"({var.satuan})"
    if not var.satuan or var.label.rstrip().endswith(unit):
        return var.label
    return f"{var.label} {unit}"


# --- cover and summary sheets ----------------------------------------------------------------















