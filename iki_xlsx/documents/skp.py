"""The export for the officials' own performance entries (SKP / e-Kinerja): per jabatan and
period, each indicator's target, realisasi to date, capaian and predikat, as CSV.

Columns (README, "SKP/e-Kinerja export"): tahun, periode, jabatan_id, jabatan, indikator_id,
indikator, satuan, target, realisasi, capaian, predikat, sumber_realisasi, versi_target.
Numbers are written with a decimal point and no grouping (machines read this file); an empty
cell means no figure. An IKU indicator is listed under every jabatan that answers for it.
Capaian and predikat are computed by the same formulas as the documents' workbooks.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint, IkuIndikator, Polaritas, indicators
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.documents.model import At, Column, Computed, DocTable, Document, Section, TableCell
from iki_xlsx.documents.workbook import evaluate
from iki_xlsx.plan.build import capaian_cap
from iki_xlsx.plan.formula import capaian, scale
from iki_xlsx.rekap.build import neutralise
from iki_xlsx.targets.model import key_of
from iki_xlsx.workbook.evaluate import Value
from iki_xlsx.years.figures import YearFigures

COLUMNS = ("tahun", "periode", "jabatan_id", "jabatan", "indikator_id", "indikator", "satuan",
           "target", "realisasi", "capaian", "predikat", "sumber_realisasi", "versi_target")
SOURCE_WORDS = {"workbook": "workbook", "impor": "diketik kantor", "": ""}


@dataclass(frozen=True)
class SkpRow:
    """One line of the export before its capaian is computed."""

    jabatan_id: str
    jabatan: str
    key: str
    indikator_id: str
    polaritas: Polaritas
    cap: float | None
    nama: str
    satuan: str


def _owners(bp: Blueprint) -> list[SkpRow]:
    rows = []
    names = {j.id: j.nama for j in bp.jabatan}
    for jab, ind in indicators(bp):
        owners = ([(jab.id, jab.nama)] if jab is not None else
                  [(j, names.get(j, j)) for j in ind.jabatan] if isinstance(ind, IkuIndikator)
                  and ind.jabatan else [("iku", bp.iku.judul if bp.iku else "IKU")])
        for owner, name in owners:
            rows.append(SkpRow(owner, name, key_of(jab, ind), ind.id, ind.polaritas,
                               capaian_cap(bp, ind), ind.nama, ind.satuan))
    return rows


def skp_rows(years: Sequence[YearFigures]) -> list[dict[str, Value]]:
    """The export's rows for each period given (each a year's figures to the end of a period),
    capaian and predikat computed by the formulas every workbook uses."""
    result: list[dict[str, Value]] = []
    for year in years:
        bp = year.blueprint
        owners = _owners(bp)
        table = DocTable("SKP", "SKP", "SKP", [Column("target", 2, "number"),
                                                 Column("realisasi", 2, "number"),
                                                 Column("capaian", 2, "pct"),
                                                 Column("predikat", 2, "center")])
        for row, owner in enumerate(owners):
            figure = year.figures.get(owner.key)
            lower = owner.polaritas is Polaritas.TURUN
            table.rows.append([
                TableCell(figure.target if figure else None),
                TableCell(figure.realisasi if figure else None),
                TableCell(computed=Computed(lambda r, t, lower=lower, cap=owner.cap:
                                            capaian(r, t, lower, cap), (At(row, 1), At(row, 0)))),
                TableCell(computed=Computed(lambda c, steps=bp.predikat: scale(c, steps),
                                            (At(row, 2),)))])
        document = Document("skp", "SKP", bp.kantor, year.tahun, "", [Section([table])], bp.id,
                            bp.versi, bp.content_hash())
        _, _, shown = evaluate(document)
        period = bp.periods[year.period - 1] if len(bp.periods) > 1 else "Tahunan"
        version = year.targets.version.name if year.targets.version else "keputusan"
        for row, owner in enumerate(owners):
            figure = year.figures.get(owner.key)
            result.append({
                "tahun": year.tahun, "periode": period, "jabatan_id": owner.jabatan_id,
                "jabatan": owner.jabatan, "indikator_id": owner.indikator_id,
                "indikator": owner.nama, "satuan": owner.satuan,
                "target": shown(table, row, 0) if figure else None,
                "realisasi": shown(table, row, 1) if figure else None,
                "capaian": shown(table, row, 2), "predikat": shown(table, row, 3),
                "sumber_realisasi": SOURCE_WORDS[str(figure.source)] if figure else "",
                "versi_target": version if figure and figure.target_source == "versi target"
                else (figure.target_source if figure else "")})
    return result


def _cell(value: Value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(neutralise(value))


def write_skp_csv(rows: Sequence[dict[str, Value]], path: Path) -> Path:
    """Write the export as UTF-8 CSV (with a BOM, so Excel reads it right), atomically."""
    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(COLUMNS)
            for row in rows:
                out.writerow([_cell(row[c]) for c in COLUMNS])
    return atomic_write(path, write)
