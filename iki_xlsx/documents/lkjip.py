"""The tables of LKjIP Bab III (Laporan Kinerja Instansi Pemerintah, PermenPANRB 53/2014),
ready to paste into the office's report: the year's capaian, the year beside last year
(target, realisasi and capaian of both), the average capaian per sasaran, the progress against
the Renstra's end target where the blueprint gives one, and the predikat scale used."""

from __future__ import annotations

from collections.abc import Sequence

from iki_xlsx.blueprint.model import Blueprint, Indikator, Polaritas, Tingkat
from iki_xlsx.documents.model import (
    At,
    Block,
    Column,
    Computed,
    DocTable,
    Document,
    Section,
    TableCell,
    Text,
    satuan_column,
)
from iki_xlsx.documents.office import Listed, Office, by_sasaran
from iki_xlsx.documents.pk import version_words
from iki_xlsx.plan.build import capaian_cap
from iki_xlsx.plan.formula import Formula, average, capaian, scale
from iki_xlsx.years.figures import Comparison, Figure, Presence, Source, YearFigures

# columns of the two-year table
(C2_NO, C2_SASARAN, C2_INDIKATOR, C2_SATUAN, C2_TARGET_BEFORE, C2_TARGET, C2_REALISASI_BEFORE,
 C2_REALISASI, C2_CAPAIAN_BEFORE, C2_CAPAIAN, C2_NOTE) = range(11)
C1_CAPAIAN = 6
EMPTY = Figure(None, None, Source.NONE, "")


def lkjip_document(comparison: Comparison, office: Office, items: list[Listed],
                   dropped: list[Listed]) -> Document:
    """Bab III's tables for `comparison.current`'s year, beside `comparison.previous`."""
    now, before = comparison.current, comparison.previous
    bp = now.blueprint
    single = _single_year(bp, now, items)
    double = _two_years(bp, comparison, items, dropped)
    averages = _per_sasaran(bp, double, now.tahun, before.tahun)
    scale_table = _scale(bp.predikat, bp)
    blocks: list[Block] = [
        Text("BAB III", "title"), Text("AKUNTABILITAS KINERJA", "subtitle"),
        Text(f"{office.kantor} — Tahun {now.tahun}", "center"), Text(""),
        Text("A. Capaian Kinerja Organisasi", "heading"),
        Text(f"Pengukuran kinerja membandingkan realisasi dengan target setiap indikator. "
             f"Capaian = realisasi / target x 100 (untuk indikator yang makin kecil makin baik: "
             f"(2 x target - realisasi) / target x 100). Predikat memakai skala pada Tabel "
             f"3.5. {_target_words(now)} {_target_words(before)}", "body"),
        *([Text(f"Persetujuan {now.tahun}: {now.persetujuan}.", "note")]
          if now.persetujuan else []),
        single, double, averages]
    renstra = _renstra(bp, now, items)
    blocks.append(renstra if renstra is not None else Text(
        "Tabel 3.4 Capaian terhadap target akhir Renstra: blueprint tidak memuat target akhir "
        "Renstra untuk indikator mana pun.", "note"))
    blocks.append(scale_table)
    return Document(
        stem=f"LKjIP_BabIII_{bp.id}_{now.tahun}", title=f"LKjIP Bab III Tahun {now.tahun}",
        kantor=office.kantor, tahun=now.tahun,
        about=f"Target {now.tahun}: {now.targets.words(bp.periods)}. Target {before.tahun}: "
              f"{before.targets.words(before.blueprint.periods)}",
        sections=[Section(blocks, landscape=True)], blueprint=bp.id, versi=bp.versi,
        blueprint_hash=bp.content_hash())


def _target_words(year: YearFigures) -> str:
    version = year.targets.version
    if version is not None:
        return f"Target {year.tahun}: {version_words(version)}."
    if year.typed is not None and any(f.target_source == "diketik kantor"
                                      for f in year.figures.values()):
        return f"Target {year.tahun}: diketik kantor (berkas {year.typed.filename})."
    return f"Target {year.tahun}: dari keputusan IKI (tidak ada versi target tercatat)."


def _capaian_cell(bp: Blueprint, ind: Indikator, row: int, realisasi: int, target: int
                  ) -> TableCell:
    lower = ind.polaritas is Polaritas.TURUN
    cap = capaian_cap(bp, ind)
    return TableCell(computed=Computed(lambda r, t: capaian(r, t, lower, cap),
                                       (At(row, realisasi), At(row, target))))


def _rows(items: Sequence[Listed]) -> list[tuple[str, int, Listed]]:
    """Each item with its sasaran and how many rows its sasaran cell spans (0: covered)."""
    result = []
    for sasaran, group in by_sasaran(items):
        for index, item in enumerate(group):
            result.append((sasaran, len(group) if index == 0 else 0, item))
    return result


def _single_year(bp: Blueprint, year: YearFigures, items: list[Listed]) -> DocTable:
    columns = [Column("No", 1.0, "center"), Column("Sasaran", 5.0), Column("Indikator", 7.3),
               satuan_column(), Column("Target", 2.0, "number"),
               Column("Realisasi", 2.0, "number"), Column("Capaian (%)", 2.0, "pct"),
               Column("Predikat", 2.6, "center")]
    table = DocTable("T31", "Tabel 3.1", f"Tabel 3.1 Capaian kinerja tahun {year.tahun}",
                     columns, notes=[f"Realisasi {year.tahun}: {_source_words(year)}."])
    for number, (sasaran, span, item) in enumerate(_rows(items), start=1):
        row = len(table.rows)
        figure = year.figures.get(item.key, EMPTY)
        table.rows.append([
            TableCell(str(number)), TableCell(sasaran if span else None, span=span),
            TableCell(item.indikator.nama), TableCell(item.indikator.satuan),
            TableCell(figure.target), TableCell(figure.realisasi),
            _capaian_cell(bp, item.indikator, row, 5, 4),
            TableCell(computed=Computed(lambda c: scale(c, bp.predikat),
                                        (At(row, C1_CAPAIAN),)))])
    return table


def _source_words(year: YearFigures) -> str:
    sources = {f.source for f in year.figures.values() if f.realisasi is not None}
    words = []
    if Source.RETURNS in sources:
        words.append("dihitung dari workbook kelurahan/desa dan kantor yang diterima")
    if Source.TYPED in sources and year.typed is not None:
        words.append(f"diketik kantor (impor-realisasi, berkas {year.typed.filename}, SHA-256 "
                     f"{year.typed.sha256[:16]})")
    return "; ".join(words) or "belum ada data"


def _two_years(bp: Blueprint, comparison: Comparison, items: list[Listed],
               dropped: list[Listed]) -> DocTable:
    now, before = comparison.current, comparison.previous
    presence = {row.key: p for row, p in comparison.rows}
    columns = [Column("No", 1.0, "center"), Column("Sasaran", 3.5), Column("Indikator", 4.6),
               satuan_column(),
               Column(str(before.tahun), 1.6, "number"), Column(str(now.tahun), 1.6, "number"),
               Column(str(before.tahun), 1.6, "number"), Column(str(now.tahun), 1.6, "number"),
               Column(str(before.tahun), 1.8, "pct"), Column(str(now.tahun), 1.8, "pct"),
               Column("Keterangan", 3.5)]
    groups = [("", 1), ("", 1), ("", 1), ("", 1), ("Target", 2), ("Realisasi", 2),
              ("Capaian (%)", 2), ("", 1)]
    table = DocTable("T32", "Tabel 3.2", f"Tabel 3.2 Perbandingan capaian kinerja tahun "
                     f"{before.tahun} dan {now.tahun}", columns, groups=groups,
                     notes=[f"Realisasi {before.tahun}: {_source_words(before)}. Realisasi "
                            f"{now.tahun}: {_source_words(now)}.",
                            "Indikator dicocokkan antartahun menurut kuncinya (id jabatan/id "
                            "indikator); indikator baru atau yang tidak dipakai lagi disebut "
                            "demikian, bukan ditulis 0."])
    everything = list(items) + list(dropped)
    for number, (sasaran, span, item) in enumerate(_rows(everything), start=1):
        row = len(table.rows)
        state = presence.get(item.key, Presence.DROPPED if item in dropped else Presence.BOTH)
        current = now.figures.get(item.key, EMPTY) if state is not Presence.DROPPED else None
        previous = before.figures.get(item.key, EMPTY) if state is not Presence.NEW else None
        ind = item.indikator
        table.rows.append([
            TableCell(str(number)), TableCell(sasaran if span else None, span=span),
            TableCell(ind.nama), TableCell(ind.satuan),
            *_pair(previous, current, "target"), *_pair(previous, current, "realisasi"),
            _capaian_or(bp if previous is not None else None, before.blueprint, ind, row,
                        C2_REALISASI_BEFORE, C2_TARGET_BEFORE),
            _capaian_or(bp if current is not None else None, bp, ind, row, C2_REALISASI,
                        C2_TARGET),
            TableCell(_note(state, before.tahun, now.tahun, previous, current))])
    return table


def _pair(previous: Figure | None, current: Figure | None, part: str) -> list[TableCell]:
    return [TableCell("–" if figure is None else getattr(figure, part))
            for figure in (previous, current)]


def _capaian_or(shown: Blueprint | None, bp: Blueprint, ind: Indikator, row: int,
                realisasi: int, target: int) -> TableCell:
    """Capaian of a year the indicator exists in; a dash for a year it does not."""
    if shown is None:
        return TableCell("–")
    return _capaian_cell(bp, ind, row, realisasi, target)


def _note(state: Presence, before: int, now: int, previous: Figure | None,
          current: Figure | None) -> str:
    if state is Presence.NEW:
        return f"indikator baru {now}; tidak ada pada {before}"
    if state is Presence.DROPPED:
        return f"tidak dipakai lagi pada {now}"
    notes = []
    if previous is not None and previous.source is Source.TYPED:
        notes.append(f"realisasi {before} diketik kantor")
    if previous is not None and previous.realisasi is None:
        notes.append(f"realisasi {before} belum ada")
    if current is not None and current.realisasi is None:
        notes.append(f"realisasi {now} belum ada")
    return "; ".join(notes)


def _per_sasaran(bp: Blueprint, double: DocTable, now: int, before: int) -> DocTable:
    """The average capaian of each sasaran's indicators, both years (live, over Tabel 3.2)."""
    columns = [Column("No", 1.0, "center"), Column("Sasaran", 9.0),
               Column("Jumlah indikator", 2.2, "number"),
               Column(f"Rata-rata capaian {before} (%)", 3.0, "pct"),
               Column(f"Rata-rata capaian {now} (%)", 3.0, "pct"),
               Column(f"Predikat {now}", 3.0, "center")]
    table = DocTable("T33", "Tabel 3.3", f"Tabel 3.3 Rata-rata capaian per sasaran tahun "
                     f"{before} dan {now}", columns,
                     notes=["Rata-rata dari capaian indikator sasaran itu yang ada (indikator "
                            "tanpa capaian tidak dihitung)."])
    groups: dict[str, list[int]] = {}
    current_sasaran = ""
    for row, cells in enumerate(double.rows):
        if cells[C2_SASARAN].span:
            current_sasaran = str(cells[C2_SASARAN].value)
        groups.setdefault(current_sasaran, []).append(row)
    for number, (sasaran, rows) in enumerate(groups.items(), start=1):
        row = len(table.rows)
        table.rows.append([
            TableCell(str(number)), TableCell(sasaran), TableCell(float(len(rows))),
            _mean(double, rows, C2_CAPAIAN_BEFORE), _mean(double, rows, C2_CAPAIAN),
            TableCell(computed=Computed(lambda c: scale(c, bp.predikat), (At(row, 4),)))])
    return table


def _mean(double: DocTable, rows: Sequence[int], col: int) -> TableCell:
    """The mean of a sasaran's capaian in one year, over the indicators that year has (a
    dash when it has none: all of them new, or all dropped)."""
    present = [r for r in rows if double.rows[r][col].computed is not None]
    if not present:
        return TableCell("–")

    def make(*cells: str) -> Formula:
        return average(cells)
    return TableCell(computed=Computed(make, tuple(At(r, col, double.code) for r in present)))


def _renstra(bp: Blueprint, year: YearFigures, items: list[Listed]) -> DocTable | None:
    with_end = [item for item in items if item.indikator.renstra is not None]
    if not with_end:
        return None
    columns = [Column("No", 1.0, "center"), Column("Indikator", 8.7),
               satuan_column(), Column("Tahun akhir Renstra", 2.4, "center"),
               Column("Target akhir Renstra", 2.6, "number"),
               Column(f"Realisasi {year.tahun}", 2.4, "number"),
               Column("Kemajuan terhadap target akhir (%)", 3.2, "pct")]
    table = DocTable("T34", "Tabel 3.4", "Tabel 3.4 Capaian terhadap target akhir Renstra",
                     columns, notes=["Kemajuan = realisasi tahun ini / target akhir Renstra x "
                                     "100, dihitung seperti capaian."])
    for number, item in enumerate(with_end, start=1):
        end = item.indikator.renstra
        assert end is not None
        row = len(table.rows)
        figure = year.figures.get(item.key, EMPTY)
        table.rows.append([
            TableCell(str(number)), TableCell(item.indikator.nama),
            TableCell(item.indikator.satuan), TableCell(str(end.tahun)), TableCell(end.target),
            TableCell(figure.realisasi), _capaian_cell(bp, item.indikator, row, 5, 4)])
    return table


def scale_rows(steps: Sequence[Tingkat], cap: float | None) -> list[tuple[str, str]]:
    """The predikat scale as ranges of capaian: '91 – 100', '76 – 90', '≤ 50' (integer
    bands below a step's minimum, as decrees write them; a value between two bands belongs to
    the lower one), the top range open ('≥ 91') unless capaian is capped at 100."""
    rows = []
    for index, step in enumerate(steps):
        low = _n(step.min)
        if index == 0:
            shown = f"{low} – {_n(cap)}" if cap is not None else f"≥ {low}"
        else:
            upper = steps[index - 1].min
            below = _n(upper - 1) if float(upper).is_integer() else f"< {_n(upper)}"
            if index == len(steps) - 1 and step.min <= 0:
                shown = f"≤ {below}" if float(upper).is_integer() else below
            else:
                shown = f"{low} – {below}"
        rows.append((shown, step.label))
    return rows


def _n(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _scale(steps: Sequence[Tingkat], bp: Blueprint) -> DocTable:
    columns = [Column("Rentang capaian (%)", 5.0, "center"), Column("Predikat", 5.0, "center")]
    table = DocTable("T35", "Tabel 3.5", "Tabel 3.5 Skala predikat capaian kinerja", columns,
                     notes=[f"Skala dari blueprint {bp.id} versi {bp.versi}; capaian di antara "
                            "dua rentang bulat masuk rentang yang lebih rendah."])
    for shown, label in scale_rows(steps, bp.batas_capaian):
        table.rows.append([TableCell(shown), TableCell(label)])
    return table
