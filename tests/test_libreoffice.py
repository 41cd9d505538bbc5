"""LibreOffice Calc, a real client, shows the same values with and without recalculation,
and they equal the `formulas` engine's. Fails (never skips) when LibreOffice is missing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests import libreoffice
from tests.cli import iki
from tests.conftest import SAMPLES, formula_cells, formula_engine_values, same


def cached_values(path: Path) -> dict[tuple[str, str], object]:
    """Every cell's value as saved in the file (a formula's cached result)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    return {(ws.title, c.coordinate): c.value for ws in book.worksheets
            for row in ws.iter_rows() for c in row if c.value is not None}


def shown_in_libreoffice(port: int, files: list[Path], save_as: dict[Path, Path] | None = None
                         ) -> tuple[dict[Path, list[tuple[str, str]]], dict[str, Any]]:
    """Each file's formula cells, and what LibreOffice shows of them as saved and, after it
    recalculated everything, under `ulang:` (one load of each file; `save_as` then keeps
    the recalculated document as LibreOffice saves it)."""
    cells = {f: formula_cells(f) for f in files}
    return cells, libreoffice.read_values(port, files, cells, "both", save_as=save_as)


def check_shown(cells: dict[Path, list[tuple[str, str]]], shown: dict[str, Any],
                engine: bool = True) -> None:
    """LibreOffice showed each formula cell's cached value, the same recalculated, equal to
    the value the file caches and (`engine`) to the `formulas` engine's."""
    for path in cells:
        key = str(path.resolve())
        cached = cached_values(path)
        computed = formula_engine_values(path) if engine else {}
        wrong = []
        for sheet, ref in cells[path]:
            shown_cached, shown_recalc = (shown[key][f"{sheet}!{ref}"],
                                          shown[key][f"ulang:{sheet}!{ref}"])
            expected = computed[(sheet, ref)] if engine else cached.get((sheet, ref))
            if not (same(shown_cached, shown_recalc) and same(shown_recalc, expected)
                    and same(cached.get((sheet, ref)), expected)):
                wrong.append((path.name, sheet, ref, shown_cached, shown_recalc, expected))
        assert cells[path] and not wrong, wrong[:10]


@dataclass
class GeneratedShown:
    cells: dict[Path, list[tuple[str, str]]]
    shown: dict[str, Any]
    source: Path  # the filled desa workbook LibreOffice saved as `saved`
    saved: Path


@pytest.fixture(scope="module")
def generated_shown(office_port: int, generated: dict[tuple[str, bool], list[Path]],
                    tmp_path_factory: pytest.TempPathFactory) -> GeneratedShown:
    """A blank desa workbook, a filled office one and a filled desa one as LibreOffice shows
    them, as saved and recalculated; the filled desa one then saved by LibreOffice (one load
    of it for both tests that need it)."""
    files = [generated[("iki-kecamatan-jabung", False)][0],
             generated[("iku-kecamatan", True)][-1],
             generated[("iki-kecamatan-jabung", True)][0]]
    saved = tmp_path_factory.mktemp("libreoffice") / "disimpan-libreoffice.xlsx"
    cells, shown = shown_in_libreoffice(office_port, files, save_as={files[2]: saved})
    return GeneratedShown(cells, shown, files[2], saved)


def test_generated_workbooks_in_libreoffice(generated_shown: GeneratedShown) -> None:
    """What LibreOffice shows of each, as saved and recalculated, equals the values the file
    caches, which test_generate.py::test_cached_values_equal_a_fresh_formulas_engine
    compares with the `formulas` engine's for these very files (a desa's and the office's
    workbook of every blueprint, blank and filled): modelled there, not again here."""
    check_shown(generated_shown.cells, generated_shown.shown, engine=False)


def test_samples_in_libreoffice(office_port: int) -> None:
    """What LibreOffice shows of each sample equals the values the file caches, which
    test_generate.py::test_cached_values_equal_a_fresh_formulas_engine compares with the
    `formulas` engine's (there the samples' layouts are modelled already)."""
    files = sorted(SAMPLES.glob("*.xlsx"))
    assert files
    check_shown(*shown_in_libreoffice(office_port, files), engine=False)


def test_the_harness_tells_cached_from_recalculated(office_port: int, tmp_path: Path) -> None:
    """A stale cached value shows without recalculation and is replaced with it."""
    import xlsxwriter

    path = tmp_path / "basi.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Data").write_formula("A1", "=1+1", None, 5)
    book.close()
    cells = {path: [("Data", "A1")]}
    key = str(path.resolve())
    assert libreoffice.read_values(office_port, [path], cells, "never")[key]["Data!A1"] == 5
    assert libreoffice.read_values(office_port, [path], cells, "always")[key]["Data!A1"] == 2
    both = libreoffice.read_values(office_port, [path], cells, "both")[key]
    assert (both["Data!A1"], both["ulang:Data!A1"]) == (5, 2)


def test_a_workbook_saved_by_libreoffice_still_checks_ok(
        generated_shown: GeneratedShown) -> None:
    """A filled workbook LibreOffice recalculated and saved (`generated_shown`)."""
    from iki_xlsx.check import BlueprintIndex, check_file
    from tests.conftest import bundled

    source, saved = generated_shown.source, generated_shown.saved
    assert saved.exists() and saved.read_bytes() != source.read_bytes()
    result = check_file(saved, BlueprintIndex(bundled().values()))
    assert (result.status, result.findings) == ("ok", [])
    before = openpyxl.load_workbook(source, data_only=True)
    after = openpyxl.load_workbook(saved, data_only=True)
    for name in before.sheetnames[:-1]:
        for row in before[name].iter_rows():
            for cell in row:
                assert same(cell.value, after[name][cell.coordinate].value), (name, cell)


def test_annotated_copy_shows_comments_keeps_inputs_and_checks_ok_once_corrected(
        office_port: int, tmp_path: Path, generated: dict[tuple[str, bool], list[Path]]) -> None:
    import json

    from iki_xlsx.check import BlueprintIndex, check_file
    from tests import mutate
    from tests.conftest import bundled

    source = generated[("iki-kecamatan-jabung", True)][0]
    book = openpyxl.load_workbook(source)
    sheet = book.worksheets[2]
    target = next(c for row in sheet.iter_rows() for c in row
                  if isinstance(c.value, int | float) and not c.protection.locked)
    good_value = target.value
    broken = mutate.set_cell(source, tmp_path / "rusak.xlsx", sheet.title, target.coordinate,
                             value=-3.0)
    original_bytes = broken.read_bytes()
    notes = tmp_path / "catatan"
    done = iki("check", "--json", "--annotate", str(notes), str(broken))
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)[0]
    assert result["status"] == "needs-correction"
    annotated = Path(result["annotated"])
    assert annotated.parent == notes and broken.read_bytes() == original_bytes

    copy = openpyxl.load_workbook(annotated)
    assert copy.sheetnames[0] == "Catatan Pemeriksaan"
    notes_sheet = copy["Catatan Pemeriksaan"]
    header = next(r for r in notes_sheet.iter_rows() if r[0].value == "No")
    column = next(c.column - 1 for c in header if str(c.value).startswith("Keterangan"))
    listed = [row[column].value for row in notes_sheet.iter_rows(min_row=header[0].row + 1)]
    assert any("paling kecil 0" in str(text) for text in listed)
    flagged = copy[sheet.title][target.coordinate]
    assert flagged.comment is not None and "paling kecil 0" in flagged.comment.text
    assert not flagged.protection.locked and copy[sheet.title].protection.sheet
    assert copy["IKI_Manifest"].sheet_state == "veryHidden"

    # what LibreOffice shows of the copy: the comment is there, inputs keep their values
    shown = libreoffice.read_values(office_port, [annotated],
                                    {annotated: [(sheet.title, target.coordinate)]}, "never",
                                    annotations=True)[str(annotated.resolve())]
    assert shown[f"{sheet.title}!{target.coordinate}"] == -3
    assert "paling kecil 0" in shown[f"catatan:{sheet.title}!{target.coordinate}"]

    fixed = mutate.set_cell(annotated, tmp_path / "diperbaiki-mentah.xlsx", sheet.title,
                            target.coordinate, value=float(good_value))
    saved = tmp_path / "diperbaiki.xlsx"
    libreoffice.read_values(office_port, [fixed], {}, "always", save_as={fixed: saved})
    again = check_file(saved, BlueprintIndex(bundled().values()))
    assert (again.status, again.findings) == ("ok", [])


def test_the_recap_shows_the_same_values_with_and_without_recalculation(
        office_port: int, kota_recap: Path) -> None:
    check_shown(*shown_in_libreoffice(office_port, [kota_recap]))
