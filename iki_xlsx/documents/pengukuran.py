"""The quarter's performance measurement (pengukuran kinerja triwulan): per indicator the target
of the period and the target to date, the realisasi to date, the capaian, the same period of
last year, and whether it was reached; then how many indicators were reached, nearly reached
or missed. Capaian and the verdicts are live formulas in the workbook."""

from __future__ import annotations

from iki_xlsx.blueprint.model import Blueprint, Polaritas
from iki_xlsx.documents.model import (
    At,
    Block,
    Column,
    Computed,
    DocTable,
    Document,
    Section,
    Span,
    TableCell,
    Text,
    satuan_column,
)
from iki_xlsx.documents.office import Listed, Office, by_sasaran
from iki_xlsx.plan.build import capaian_cap
from iki_xlsx.plan.formula import Formula, capaian, count_equal
from iki_xlsx.years.figures import Figure, Source, YearFigures

NEARLY = 90.0  # capaian (%) from which an indicator not reached is "nearly reached"
REACHED, ALMOST, MISSED, NO_DATA = ("tercapai", "hampir tercapai", "tidak tercapai",
                                    "tanpa data")
COL_TARGET_PERIOD, COL_TARGET, COL_REALISASI, COL_CAPAIAN, COL_LAST, COL_VERDICT = range(4, 10)


def verdict(cell: str, nearly: float = NEARLY) -> Formula:
    """Reached (capaian >= 100), nearly reached (>= `nearly`), missed, or no data."""
    return Formula(f'IF({{0}}="","{NO_DATA}",IF({{0}}>=100,"{REACHED}",IF({{0}}>={nearly:g},'
                   f'"{ALMOST}","{MISSED}")))', (cell,))


def pengukuran_document(current: YearFigures, previous: YearFigures, office: Office,
                        items: list[Listed]) -> Document:
    """The measurement of `current.period` of `current.tahun` (to date), beside the same
    period of `previous` (last year)."""
    bp = current.blueprint
    label = bp.periods[current.period - 1] if len(bp.periods) > 1 else "Tahunan"
    title = f"PENGUKURAN KINERJA {_period_name(bp, current.period)} TAHUN {current.tahun}"
    table = _table(bp, current, previous, items, label)
    counts = _counts(table)
    blocks: list[Block] = [
        office.letterhead, Text(title, "title"), Text(office.kantor.upper(), "subtitle"),
        Text(""),
              Text(f"Target: {current.targets.words(bp.periods)}.", "note"),
              Text(f"Realisasi s.d. {label} {current.tahun}: {_sources(current)}. Realisasi "
                   f"s.d. {label} {previous.tahun}: {_sources(previous)}.", "note"),
              *([Text(f"Persetujuan {current.tahun}: {current.persetujuan}.", "note")]
                if current.persetujuan else []),
              Text(""), table, counts]
    return Document(
        stem=f"pengukuran_{bp.id}_{current.tahun}_{_short(bp, current.period)}",
        title=title.title(), kantor=office.kantor, tahun=current.tahun,
        about=f"Target: {current.targets.words(bp.periods)}",
        sections=[Section(blocks, landscape=True)], blueprint=bp.id, versi=bp.versi,
        blueprint_hash=bp.content_hash())


def _period_name(bp: Blueprint, period: int) -> str:
    if len(bp.periods) == 1:
        return "TAHUNAN"
    return {"TW": "TRIWULAN", "Semester": "SEMESTER"}[bp.periods[period - 1].split()[0]] + \
        " " + bp.periods[period - 1].split()[1]


def _short(bp: Blueprint, period: int) -> str:
    return "tahunan" if len(bp.periods) == 1 else bp.periods[period - 1].replace(" ",
                                                                                "").lower()


def _sources(year: YearFigures) -> str:
    used = {f.source for f in year.figures.values() if f.realisasi is not None}
    words = []
    if Source.RETURNS in used:
        words.append("dari workbook yang diterima")
    if Source.TYPED in used:
        assert year.typed is not None
        words.append(f"diketik kantor (impor-realisasi, berkas {year.typed.filename})")
    return " dan ".join(words) or "belum ada data"


def _table(bp: Blueprint, current: YearFigures, previous: YearFigures, items: list[Listed],
           label: str) -> DocTable:
    columns = [Column("No", 1.0, "center"), Column("Sasaran", 4.0), Column("Indikator", 5.6),
               satuan_column(), Column(f"Target {label}", 1.7, "number"),
               Column(f"Target s.d. {label}", 1.8, "number"),
               Column(f"Realisasi s.d. {label}", 1.9, "number"),
               Column("Capaian (%)", 1.7, "pct"),
               Column(f"Realisasi s.d. {label} {previous.tahun}", 2.1, "number"),
               Column("Keterangan", 2.6, "center")]
    table = DocTable("PENGUKURAN", "Pengukuran", f"Pengukuran kinerja s.d. {label} "
                     f"{current.tahun}", columns,
                     notes=[f"Capaian = realisasi s.d. {label} / target s.d. {label} x 100 "
                            "(untuk indikator yang makin kecil makin baik: (2 x target - "
                            "realisasi) / target x 100). Keterangan: tercapai bila capaian "
                            f"paling sedikit 100%, hampir tercapai bila paling sedikit "
                            f"{NEARLY:g}%, tidak tercapai bila kurang, tanpa data bila "
                            "realisasi atau target belum ada.",
                            f"Target {label}: target periode itu saja bila target indikator "
                            "dijumlah per periode, tingkat yang dicapai s.d. akhir periode bila "
                            "kumulatif."])
    period = current.period
    number = 0
    for sasaran, group in by_sasaran(items):
        for index, item in enumerate(group):
            row = len(table.rows)
            number += 1
            figure = current.figures.get(item.key, Figure(None, None, Source.NONE, ""))
            typed = current.targets.version.target(item.key) if current.targets.version else None
            own = (typed.periods[period - 1] if typed is not None and len(typed.periods) >= period
                   else None)
            last = previous.figures.get(item.key)
            ind = item.indikator
            lower = ind.polaritas is Polaritas.TURUN
            cap = capaian_cap(bp, ind)
            table.rows.append([
                TableCell(str(number)),
                TableCell(sasaran, span=len(group)) if index == 0 else TableCell(span=0),
                TableCell(ind.nama), TableCell(ind.satuan), TableCell(own),
                TableCell(figure.target), TableCell(figure.realisasi),
                TableCell(computed=Computed(
                    lambda r, t, lower=lower, cap=cap: capaian(r, t, lower, cap),
                    (At(row, COL_REALISASI), At(row, COL_TARGET)))),
                TableCell(last.realisasi if last is not None and last.realisasi is not None
                          else (f"indikator baru {current.tahun}" if previous.known and last
                                is None else None)),
                TableCell(computed=Computed(verdict, (At(row, COL_CAPAIAN),)))])
    return table


def _counts(measured: DocTable) -> DocTable:
    """How many indicators were reached, nearly reached, missed, or had no data."""
    last = len(measured.rows) - 1
    column = Span(COL_VERDICT, 0, last, measured.code)
    columns = [Column("Keterangan", 6.0), Column("Jumlah indikator", 3.0, "number")]
    table = DocTable("JUMLAH", "Jumlah", "Jumlah indikator menurut keterangan", columns)
    for word in (REACHED, ALMOST, MISSED, NO_DATA):
        table.rows.append([TableCell(word), TableCell(computed=Computed(
            lambda cells, word=word: count_equal(cells, word), (column,)))])
    table.rows.append([TableCell("Jumlah", strong=True),
                       TableCell(float(len(measured.rows)), strong=True)])
    return table
