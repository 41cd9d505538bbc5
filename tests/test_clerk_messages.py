"""What a clerk reads about a mistake: the value typed, quoted, and the fix in the clerk's own
way of typing numbers; one typed mistake is one error, never also the formulas that only follow
from it. The mistakes are typed by LibreOffice (a real client, which keeps text as text and
computes with it as Excel does) into a sample-filled workbook, then checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex, check_file
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.model import Cell, SheetPlan
from iki_xlsx.workbook.generate import recipients, write_filled
from tests import libreoffice

UNITS = [Unit("01", "Kelurahan Satu"), Unit("02", "Kelurahan Dua")]


@dataclass(frozen=True)
class Typed:
    """One mistake: the cell, what the clerk typed, and the findings of the saved file."""

    sheet: str
    ref: str
    label: str
    findings: list[Finding]


def _first(plan_cells: list[tuple[SheetPlan, Cell]], tipe: str) -> tuple[SheetPlan, Cell]:
    return next((s, c) for s, c in plan_cells if c.rule is not None and c.rule.tipe == tipe
                and "/p1" in c.key)


CASES: dict[str, tuple[str, str | float]] = {  # name: (input kind, value typed in LibreOffice)
    "persen-teks": ("bulat", "85%"),
    "koma-teks": ("bulat", "12,5"),
    "persen-angka": ("bulat", 0.85),
    "desimal-koma": ("desimal", "12,5"),
    "desimal-titik": ("desimal", "12.5"),
    "ya-kecil": ("ya_tidak", "ya"),
    "minus": ("bulat", -4.0),
}


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint],
          office_port: int) -> dict[str, Typed]:
    folder = tmp_path_factory.mktemp("ketik")
    bp = blueprints["iku-kecamatan"]  # a desa's workbook with counts, decimals and Ya/Tidak
    everyone = recipients(bp, UNITS)
    plan = plan_workbook(bp, everyone[0], 2026, everyone)
    cells = list(plan.input_cells())
    sources: dict[str, Path] = {}
    saved: dict[Path, Path] = {}
    fill: dict[Path, list[tuple[str, str, str | float]]] = {}
    where: dict[str, tuple[str, str, str]] = {}
    for name, (tipe, value) in CASES.items():
        sheet, cell = _first(cells, tipe)
        source = write_filled(bp, everyone[0], everyone, 2026, folder / f"{name}.xlsx")
        sources[name] = source
        saved[source] = folder / "kembali" / f"{name}.xlsx"
        fill[source] = [(sheet.name, cell.ref, value)]
        assert cell.rule is not None
        where[name] = (sheet.name, cell.ref, cell.rule.label)
    libreoffice.read_values(office_port, list(sources.values()), {}, "never", save_as=saved,
                            fill=fill)
    index = BlueprintIndex(blueprints.values())
    return {name: Typed(*where[name], check_file(saved[sources[name]], index).findings)
            for name in CASES}


def _one(case: Typed) -> str:
    """The mistake's only finding, at its cell, as `code: message`."""
    assert [(f.code, f.sheet, f.cell) for f in case.findings] == [
        ("invalid-input", case.sheet, case.ref)], [f.one_line() for f in case.findings]
    return case.findings[0].message


def test_percent_text_in_a_count_is_one_error_quoting_it(typed: dict[str, Typed]) -> None:
    """LibreOffice computes with '85%' as 0.85 where the engine gives #VALUE!: the formulas
    that follow from it are not reported as stale (no "hitung ulang (F9)")."""
    case = typed["persen-teks"]
    assert _one(case) == (f"{case.label}: '85%' bukan angka; ketik angka tanpa satuan "
                          "(contoh 1234 atau 1234,5)")


def test_comma_text_in_a_count_says_whole_number_in_the_clerks_way(
        typed: dict[str, Typed]) -> None:
    case = typed["koma-teks"]
    message = _one(case)
    assert message == (f"{case.label}: '12,5' tersimpan sebagai teks dan bukan bilangan bulat; "
                       "hapus isinya lalu ketik bilangan bulat tanpa koma (misalnya 12)")
    assert "12.5" not in message


def test_a_percent_stored_as_a_fraction_is_quoted(typed: dict[str, Typed]) -> None:
    """85% typed in a General cell: Excel stores 0.85; the clerk learns both numbers."""
    case = typed["persen-angka"]
    assert _one(case) == (f"{case.label}: isinya 0,85 (85%), harus bilangan bulat; bila yang "
                          "diketik '85%', ketik 85 saja tanpa tanda %")


def test_a_decimal_typed_as_text_is_retyped_with_the_clerks_mark(
        typed: dict[str, Typed]) -> None:
    comma, point = typed["desimal-koma"], typed["desimal-titik"]
    assert _one(comma) == (f"{comma.label}: '12,5' tersimpan sebagai teks, bukan angka; hapus "
                           "isinya lalu ketik ulang 12,5 sebagai angka")
    assert _one(point) == (f"{point.label}: '12.5' tersimpan sebagai teks, bukan angka; hapus "
                           "isinya lalu ketik ulang 12.5 sebagai angka")


def test_lower_case_ya_says_exactly_what_to_type(typed: dict[str, Typed]) -> None:
    case = typed["ya-kecil"]
    assert _one(case) == (f"{case.label}: 'ya' harus ditulis persis 'Ya' (huruf besar dan "
                          "kecil seperti itu); pilih dari daftar di sel itu atau ketik 'Ya'")


def test_a_number_below_its_bound_is_quoted(typed: dict[str, Typed]) -> None:
    case = typed["minus"]
    assert _one(case) == f"{case.label}: isinya -4, paling kecil 0"
