"""Generated workbooks: protected sheets, validated inputs, planned formulas, cached values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.carriers import MANIFEST_SHEET
from iki_xlsx.plan.model import Role, WorkbookPlan
from iki_xlsx.workbook.generate import generate, recipients
from tests.cli import iki
from tests.conftest import PER_UNIT_YAML, SAMPLES, UNITS, engine_values, file_cells, same
from tests.xlsxcompare import differences

CASES = [(bp, filled) for bp in ("iki-kecamatan-kota", "iki-kecamatan-jabung", "iku-kecamatan")
         for filled in (False, True)]


def plan_for(bp: Blueprint, path: Path) -> WorkbookPlan:
    everyone = recipients(bp, UNITS)
    unit = next(u for u in everyone if f"_{u.kode}_" in path.name)
    return plan_workbook(bp, unit, 2026, everyone)


@pytest.mark.parametrize(("bp_id", "filled"), CASES)
def test_sheets_are_protected_inputs_validated_formulas_as_planned(
        bp_id: str, filled: bool, blueprints: dict[str, Blueprint],
        generated: dict[tuple[str, bool], list[Path]]) -> None:
    bp = blueprints[bp_id]
    files = generated[(bp_id, filled)]
    assert len(files) == 3
    for path in files:
        plan = plan_for(bp, path)
        book = openpyxl.load_workbook(path)
        assert [ws.title for ws in book.worksheets] == [s.name for s in plan.sheets] + [
            MANIFEST_SHEET]
        assert book[MANIFEST_SHEET].sheet_state == "veryHidden"
        for sheet in plan.sheets:
            ws = book[sheet.name]
            assert ws.protection.sheet, f"{sheet.name} is not protected"
            rules = {str(c): dv for dv in ws.data_validations.dataValidation for c in dv.sqref}
            for cell in sheet.cells:
                actual = ws[cell.ref]
                if cell.role is Role.INPUT:
                    assert not actual.protection.locked, cell.ref
                    assert cell.rule is not None
                    dv = rules[cell.ref]
                    expected = {"bulat": "whole", "desimal": "decimal", "persen": "decimal",
                                "ya_tidak": "list", "pilihan": "list"}[cell.rule.tipe]
                    assert dv.type == expected
                    assert dv.errorStyle in (None, "stop") and dv.showErrorMessage
                    if expected == "list":
                        assert dv.formula1 == '"' + ",".join(cell.rule.choices) + '"'
                    elif cell.rule.max is not None:
                        assert (dv.operator or "between") == "between"
                        assert float(dv.formula1) == cell.rule.min
                        assert float(dv.formula2) == cell.rule.max
                    else:
                        assert (dv.operator, float(dv.formula1)) == ("greaterThanOrEqual",
                                                                     cell.rule.min)
                    assert dv.promptTitle and dv.prompt and dv.error
                elif cell.role is Role.FORMULA:
                    assert cell.formula is not None
                    assert actual.value == cell.formula.text, (sheet.name, cell.ref)
                    assert actual.protection.locked and not actual.protection.hidden
        assert any(name.startswith("IKI_") for name in book.defined_names)


def cached_values(path: Path) -> dict[tuple[str, str], object]:
    """Every cell's value as the file caches it (what Excel shows before it recalculates),
    read in one read-only pass; an empty cell is absent."""
    book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    values = {(ws.title, cell.coordinate): cell.value for ws in book.worksheets
              for row in ws.iter_rows() for cell in row if cell.value is not None}
    book.close()
    return values


# each sample (samples/, other units than UNITS) with the generated filled workbook of the
# same layout: the same formulas, names and sheets (asserted by `engine_values`)
SAMPLE_TWINS = {"IKI_2026_3573011001_Kelurahan-Sukamaju.xlsx": ("iki-kecamatan-kota", 0),
                "IKI_2026_kecamatan_Kecamatan.xlsx": ("iki-kecamatan-kota", -1),
                "IKI_2026_desa-jabung_Desa-Jabung.xlsx": ("iki-kecamatan-jabung", 0),
                "IKI_2026_kecamatan_Kecamatan-Jabung.xlsx": ("iki-kecamatan-jabung", -1),
                "IKU_2026_Kelurahan-Sukamaju.xlsx": ("iku-kecamatan", 0)}


def test_every_sample_has_a_generated_twin() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.xlsx")) == sorted(SAMPLE_TWINS)


@pytest.mark.parametrize(("bp_id", "filled"), CASES)
def test_cached_values_equal_a_fresh_formulas_engine(
        bp_id: str, filled: bool, generated: dict[tuple[str, bool], list[Path]]) -> None:
    """A desa's workbook and the office's, blank and filled, and with the filled ones the
    samples of the same layouts (test_libreoffice.py compares what LibreOffice shows of the
    samples and of three of these files with the cached values checked here). A blank
    workbook or a sample is recomputed by the model of its filled twin given its own values
    (tests/conftest.py `engine_values`): what a model of the file itself gives, for a
    quarter of its cost."""
    files = generated[(bp_id, filled)]
    twins = generated[(bp_id, True)]
    checked = [(files[0], None if filled else twins[0]),
               (files[-1], None if filled else twins[-1])]  # a desa, the office
    if filled:
        checked += [(SAMPLES / name, twins[at]) for name, (bp, at) in SAMPLE_TWINS.items()
                    if bp == bp_id]
    for path, twin in checked:
        cached = cached_values(path)
        computed = engine_values(path, twin)
        assert computed, "no formula found"
        formulas = {key for key, value in file_cells(path)[2].items()
                    if isinstance(value, str) and value.startswith("=")}
        assert computed.keys() == formulas, "a formula the engine left out"
        wrong = [(sheet, ref, cached.get((sheet, ref)), value)
                 for (sheet, ref), value in computed.items()
                 if not same(cached.get((sheet, ref)), value)]
        assert not wrong, (path.name, wrong[:10])
        numbers = [v for v in computed.values() if isinstance(v, int | float)]
        if filled:
            assert len(numbers) > len(computed) // 3, "a filled workbook shows figures"


def test_a_kelurahan_is_asked_only_for_its_own_variables(
        blueprints: dict[str, Blueprint]) -> None:
    bp = blueprints["iki-kecamatan-jabung"]
    everyone = recipients(bp, UNITS)
    desa = plan_workbook(bp, everyone[0], 2026, everyone)
    office = plan_workbook(bp, everyone[-1], 2026, everyone)
    desa_keys = {c.key.rsplit("/", 1)[0] for _, c in desa.input_cells()}
    office_keys = {c.key.rsplit("/", 1)[0] for _, c in office.input_cells()}
    assert desa_keys and office_keys and not desa_keys & office_keys
    for jab in bp.jabatan:
        for ind in jab.indikator:
            for var in ind.variabel:
                key = f"{jab.id}/{ind.id}/{var.id}"
                owner = desa_keys if var.pengisi == "kelurahan" else office_keys
                assert key in owner


def test_a_variable_kept_per_unit_gets_a_row_per_unit(tmp_path: Path) -> None:
    from iki_xlsx.blueprint.load import load_blueprint_text

    loaded = load_blueprint_text(PER_UNIT_YAML, "per-unit.yaml")
    assert loaded.blueprint is not None, [f.one_line() for f in loaded.findings]
    units = [Unit("1", "Kel A"), Unit("2", "Kel B"), Unit("3", "Kel C")]
    result = generate(loaded.blueprint, units, 2026, tmp_path, sample=True)
    # the kelurahan fill nothing here (the office keeps the score per kelurahan): no workbook
    assert result.ok and len(result.files) == 1
    assert [u.kode for u in result.skipped] == ["1", "2", "3"]
    office = result.files[-1]
    sheet = openpyxl.load_workbook(office)["Camat"]
    labels = [sheet.cell(row, 3).value for row in range(7, 11)]
    assert labels == ["Nilai IKM — Kel A", "Nilai IKM — Kel B", "Nilai IKM — Kel C",
                      "Realisasi (%)"]
    assert sheet["F10"].value == '=IF(COUNT(F7:F9)=0,"",COUNTIF(F7:F9,">=75")/3*100)'
    cached = openpyxl.load_workbook(office, data_only=True)["Camat"]
    scores = [cached.cell(row, 6).value for row in range(7, 10)]
    assert cached["F10"].value == pytest.approx(100 * sum(s >= 75 for s in scores) / 3)
    computed = engine_values(office)
    assert same(computed[("Camat", "J10")], cached["J10"].value)


def test_manifest_names_every_input_and_formula(generated: dict[tuple[str, bool],
                                                                list[Path]],
                                                blueprints: dict[str, Blueprint]) -> None:
    path = generated[("iki-kecamatan-jabung", False)][0]
    book = openpyxl.load_workbook(path)
    sheet = book[MANIFEST_SHEET]
    assert sheet["A1"].value == "iki-xlsx manifest"
    text = "".join(str(c.value) for c in sheet["A"][1:] if c.value)
    manifest = json.loads(text)
    plan = plan_for(blueprints["iki-kecamatan-jabung"], path)
    assert manifest["blueprint"] == {"id": plan.blueprint_id, "versi": plan.blueprint_versi,
                                     "hash": plan.blueprint_hash}
    assert manifest["unit"]["kode"] == plan.unit.kode and manifest["periode"] == 2026
    for entry, sheet_plan in zip(manifest["sheets"], plan.sheets, strict=True):
        assert entry["code"] == sheet_plan.code
        assert len(entry["inputs"]) == sum(c.role is Role.INPUT for c in sheet_plan.cells)
        assert len(entry["formulas"]) == sum(c.role is Role.FORMULA for c in sheet_plan.cells)
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["iki_blueprint_hash"] == plan.blueprint_hash
    assert props["iki_unit_kode"] == plan.unit.kode


def test_generate_cli_writes_one_workbook_per_unit(tmp_path: Path) -> None:
    units = tmp_path / "unit.csv"
    units.write_text("kode;nama;email\n01;Desa Satu;satu@desa.id\n02;Desa Dua;\n",
                     encoding="utf-8")
    out = tmp_path / "keluar"
    done = iki("generate", "iki-kecamatan-jabung", "--units", str(units), "--periode", "2027",
               "-o", str(out))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["IKI_2027_01_Desa-Satu.xlsx", "IKI_2027_02_Desa-Dua.xlsx",
                     "IKI_2027_kecamatan_Kecamatan-Jabung.xlsx"]
    assert done.stdout.splitlines()[-1] == f"3 workbook ditulis ke {out}"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["tidak-ada"], 1, "blueprint 'tidak-ada' tidak dikenal"),
    (["iki-kecamatan-jabung", "--unit", "Desa Satu!", "--unit", "Desa Satu?"], 1,
     "menghasilkan nama berkas yang sama"),
])
def test_invalid_requests_write_nothing(tmp_path: Path, args: list[str], code: int,
                                        message: str) -> None:
    out = tmp_path / "keluar"
    done = iki("generate", *args, "-o", str(out))
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() or not list(out.iterdir())


def test_unwritable_output_folder_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder")
    done = iki("generate", "iki-kecamatan-jabung", "--unit", "Desa Satu", "-o",
               str(blocker / "keluar"))
    assert done.returncode == 1
    assert "folder keluaran tidak dapat ditulis" in done.stderr
    assert "Traceback" not in done.stderr
    assert blocker.read_text() == "bukan folder"


def test_missing_columns_in_units_csv(tmp_path: Path) -> None:
    units = tmp_path / "unit.csv"
    units.write_text("nama\nDesa Satu\n", encoding="utf-8")
    done = iki("generate", "iki-kecamatan-jabung", "--units", str(units), "-o", str(tmp_path / "k"))
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Kesalahan: {units}:1: kolom kode tidak ada pada daftar unit "
                                   "(kolom wajib: kode, nama; email boleh ada)")


def test_formulas_are_written_as_xlsxwriter_itself_would(
        generated: dict[tuple[str, bool], list[Path]], tmp_path: Path) -> None:
    """The writer skips xlsxwriter's look for Excel 365's dynamic-array functions where none
    can be in a formula (workbook/write.py): every formula of every generated workbook and a
    few written to need that look come out as the installed xlsxwriter's own preparation
    makes them (a new xlsxwriter that looked for more would fail here)."""
    from xlsxwriter.worksheet import Worksheet

    from iki_xlsx.workbook.read import read_workbook
    from iki_xlsx.workbook.write import _worksheet_class

    ours, theirs = _worksheet_class()(), Worksheet()
    formulas = {formula for paths in generated.values() for path in paths
                for sheet in read_workbook(path).sheets.values()
                for formula, _ in sheet.cells.values() if formula}
    formulas |= {"=XLOOKUP(A1,B:B,C:C)", "{=SORT(A1:A9)}", "=ISINGLE(A1)", "=_xlfn.SWITCH(A1)",
                 "=IF(SEQUENCE(3)>1,1,0)", "=FILTER(A1:A3,B1:B3)"}
    assert len(formulas) > 200
    differ = [f for f in formulas if ours._prepare_formula(f) != theirs._prepare_formula(f)]
    assert differ == []


def _both_ways(plan: WorkbookPlan, values: dict[Any, Any], inputs: dict[Any, Any],
               folder: Path, notes: Any = None) -> list[str]:
    """The differences, part by part, between the plan writer's workbook and xlsxwriter's
    public methods' alone (workbook/write.py `_worksheet_class`)."""
    from iki_xlsx.workbook.write import _render

    folder.mkdir(parents=True, exist_ok=True)
    ours, theirs = folder / "ours.xlsx", folder / "theirs.xlsx"
    _render(plan, values, inputs, str(ours), notes)
    _render(plan, values, inputs, str(theirs), notes, public=True)
    return differences(ours, theirs)


def test_the_writer_writes_what_xlsxwriters_public_methods_write(
        blueprints: dict[str, Blueprint], tmp_path: Path) -> None:
    """The writer puts cells, merges and validations into xlsxwriter's worksheet itself and
    writes its rows with a loop of its own (workbook/write.py): the workbook of every bundled
    blueprint, for each kind of recipient (one filled, one empty), and its annotated copy
    (remarks on cells, whose rows xlsxwriter writes), equal part by part what xlsxwriter's public
    methods alone make of the same plan (a new xlsxwriter that stored or wrote a cell
    otherwise would fail here)."""
    from iki_xlsx.workbook.evaluate import static_values
    from iki_xlsx.workbook.fill import sample_inputs
    from iki_xlsx.workbook.generate import _batch
    from iki_xlsx.workbook.write import Notes

    written = 0
    for bp in blueprints.values():
        everyone = recipients(bp, UNITS)
        for unit in (everyone[0], everyone[-1]):
            plan = plan_workbook(bp, unit, 2026, everyone)
            inputs = static_values(plan)
            if unit.kantor:  # the office's inputs left empty, the kelurahan's filled
                inputs.update(sample_inputs(bp, plan))
            values = _batch(plan)[1].evaluate([inputs])[0]
            folder = tmp_path / f"{bp.id}-{unit.kode}"
            assert _both_ways(plan, values, inputs, folder) == []
            flagged = [(s.code, c.ref) for s, c in [*plan.input_cells()][:3]]
            notes = Notes({key: f"Periksa {key[1]} & <ulang>" for key in flagged},
                          [("KODE", plan.sheets[-1].name, flagged[0][1], "Isian \"salah\"")])
            assert _both_ways(plan, values, inputs, folder / "catatan", notes) == []
            written += 2
    assert written == 4 * len(blueprints)


def test_every_kind_of_cell_is_written_as_xlsxwriters_public_methods_write_it(
        tmp_path: Path) -> None:
    """What no bundled blueprint writes yet, written both ways (as above) equal part by part:
    every kind of label value (a flag, large and negative numbers, text to escape, text
    beyond the length xlsxwriter checks, an empty cell), every kind of cached formula value
    (a flag, an error, text, nothing), braces xlsxwriter takes off, a dynamic-array function
    (left to xlsxwriter), merges over labels, validations of every kind, and a table of
    rows of every width."""
    from iki_xlsx.plan.formula import Formula
    from iki_xlsx.plan.model import Cell, InputRule, SheetPlan, Table

    labels: list[Any] = [True, False, 0, -1.5, 1e20, 12345678901234567890, 0.1 + 0.2, "", None,
                         'a & <b> "c"', " spasi ", "_x0041_ \x01", "x" * 20000, "é — ✓"]
    cached: list[Any] = [True, False, "#DIV/0!", "#N/A", 'teks & <"x">', "", 3.25, 7]
    cells = [Cell(f"A{row}", Role.LABEL, f"label/{row}", "text", value)
             for row, value in enumerate(labels, start=1)]
    formulas = ['A3&"<x>"', "SUM(A3:A5)", '{{A3&"}}"', "SORT(A3:A5)", "A3>0",
                "IF(A3=0,1/A3,A3)", 'IF(A4="","","teks")', "A5*2"]
    cells += [Cell(f"C{row}", Role.FORMULA, f"rumus/{row}", "formula_number",
                   formula=Formula(template, ()))
              for row, template in enumerate(formulas, start=1)]
    rules = [InputRule("bulat", "Jumlah", min=0, max=100), InputRule("desimal", "Nilai", min=0),
             InputRule("ya_tidak", "Ada?", choices=("Ya", "Tidak")),
             InputRule("desimal", "Tanpa batas", wajib=False, bantuan="Bantuan & <contoh>")]
    cells += [Cell(f"E{row}", Role.INPUT, f"isian/{row}", "input_number", rule=rule)
              for row, rule in enumerate(rules, start=1)]
    cells += [Cell("G1", Role.LABEL, "gabung/1", "header", "Judul gabungan"),
              Cell("G4", Role.LABEL, "gabung/2", "text", None)]
    sheet = SheetPlan(code="X", name="Lembar & <Uji>", kind="data", title="Uji", cells=cells,
                      merges=["G1:I2", "G4:G6"], col_widths=[10.0, 20.0, 30.0],
                      row_heights={0: 30.0, 30: 12.0},
                      table=Table(20, 1, [["a", 1, None, True], ["", -2.5, "b & c", 0],
                                          *([f"baris {i}", i / 3] for i in range(40)),
                                          [None, None], ["y" * 17000, 10**15, "", False]],
                                  ("data_text", "data_value", "data_wrap", "data_value")))
    plan = WorkbookPlan(blueprint_id="uji", blueprint_versi="1", blueprint_hash="0" * 64,
                        kantor="Kecamatan Uji", unit=Unit("kecamatan", "Kecamatan Uji",
                                                          kantor=True),
                        periode=2026, periods=("Tahunan",), units=[], sheets=[sheet],
                        jenis="rekap")
    values = {("X", f"C{row}"): value for row, value in enumerate(cached, start=1)}
    inputs = {("X", "E1"): 5, ("X", "E2"): 2.5, ("X", "E3"): "Ya"}
    assert _both_ways(plan, values, inputs, tmp_path) == []
