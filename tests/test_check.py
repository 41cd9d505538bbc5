"""`check` on workbooks changed the way people and other applications change them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from iki_xlsx import check
from iki_xlsx.blueprint.load import load_blueprint_text
from iki_xlsx.blueprint.model import Blueprint, Jenis
from iki_xlsx.check import BlueprintIndex, FileResult, parse_number
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook.generate import generate, recipients
from tests import hostile, mutate
from tests.cli import iki
from tests.conftest import BLUEPRINTS, UNITS


@pytest.fixture(scope="module")
def index(blueprints: dict[str, Blueprint]) -> BlueprintIndex:
    return BlueprintIndex(blueprints.values())


@pytest.fixture(scope="module")
def filled(generated: dict[tuple[str, bool], list[Path]]) -> Path:
    """A sample-filled kelurahan workbook of the largest blueprint."""
    return generated[("iki-kecamatan-kota", True)][0]


@pytest.fixture(scope="module")
def plan(blueprints: dict[str, Blueprint]) -> WorkbookPlan:
    bp = blueprints["iki-kecamatan-kota"]
    everyone = recipients(bp, UNITS)
    return plan_workbook(bp, everyone[0], 2026, everyone)


def ratio_cells(plan: WorkbookPlan, blueprints: dict[str, Blueprint]) -> tuple[str, str, str, str]:
    """(sheet name, numerator ref, denominator ref, realisasi ref) of a persentase indicator."""
    bp = blueprints["iki-kecamatan-kota"]
    for sheet in plan.sheets:
        if sheet.kind != "jabatan":
            continue
        jab = bp.jabatan_by_id(sheet.code.removeprefix("J-"))
        for ind in jab.indikator:
            base = f"{jab.id}/{ind.id}"
            if ind.jenis is Jenis.PERSENTASE and any(c.key.startswith(base) for c in sheet.cells):
                return (sheet.name, sheet.cell(f"{base}/{ind.pembilang}/p1").ref,
                        sheet.cell(f"{base}/{ind.penyebut}/p1").ref,
                        sheet.cell(f"{base}/realisasi/p1").ref)
    raise AssertionError("no persentase indicator for a kelurahan")


def check_file(path: Path, index: BlueprintIndex) -> FileResult:
    """The checker on the batch path, required to find exactly what the per-file path finds."""
    batched = check.check_file(path, index)
    single = check.check_file(path, index, batch=False)
    assert batched.to_dict() == single.to_dict()
    assert (batched.inputs, batched.units) == (single.inputs, single.units)
    return batched


def codes(result: FileResult) -> list[tuple[str, str | None, str | None]]:
    return [(f.code, f.sheet, f.cell) for f in result.findings]


def test_an_untouched_filled_workbook_is_ok(filled: Path, index: BlueprintIndex) -> None:
    result = check_file(filled, index)
    assert (result.status, result.findings) == ("ok", [])
    assert result.blueprint == "iki-kecamatan-kota" and result.periode == 2026


def test_formula_overwritten_by_a_number(tmp_path: Path, filled: Path, index: BlueprintIndex,
                                         plan: WorkbookPlan,
                                         blueprints: dict[str, Blueprint]) -> None:
    sheet, _, _, realisasi = ratio_cells(plan, blueprints)
    changed = mutate.set_cell(filled, tmp_path / "a.xlsx", sheet, realisasi, value=100.0)
    result = check_file(changed, index)
    assert result.status == "needs-correction"
    assert codes(result) == [("formula-changed", sheet, realisasi)]
    assert result.findings[0].found == 100.0


def test_formula_pointing_elsewhere(tmp_path: Path, filled: Path, index: BlueprintIndex,
                                    plan: WorkbookPlan, blueprints: dict[str, Blueprint]) -> None:
    sheet, num, den, realisasi = ratio_cells(plan, blueprints)
    original = openpyxl.load_workbook(filled)[sheet][realisasi].value
    other = original.replace(den, num)
    changed = mutate.set_cell(filled, tmp_path / "b.xlsx", sheet, realisasi, formula=other,
                              value=100.0)
    result = check_file(changed, index)
    assert codes(result)[0] == ("formula-changed", sheet, realisasi)
    assert result.findings[0].expected == original and result.findings[0].found == other


def test_formula_respelled_by_another_application_is_accepted(
        tmp_path: Path, filled: Path, index: BlueprintIndex, plan: WorkbookPlan,
        blueprints: dict[str, Blueprint]) -> None:
    sheet, num, _, realisasi = ratio_cells(plan, blueprints)
    book = openpyxl.load_workbook(filled)
    cached = openpyxl.load_workbook(filled, data_only=True)[sheet][realisasi].value
    original = book[sheet][realisasi].value
    respelled = original.replace("IF(", "if( ").replace(num, "$" + num[0] + "$" + num[1:])
    changed = mutate.set_cell(filled, tmp_path / "c.xlsx", sheet, realisasi, formula=respelled,
                              value=cached)
    assert check_file(changed, index).findings == []


def test_a_number_spelled_otherwise_is_the_same_formula(tmp_path: Path, filled: Path,
                                                       index: BlueprintIndex,
                                                       plan: WorkbookPlan) -> None:
    """Gnumeric writes 88.31 as 88.3099999999999999978; any spelling of the same double is
    the same formula, another number is a changed one."""
    import re

    literal = re.compile(r"(?<![A-Z0-9_.$])(\d+(?:\.\d+)?)(?![A-Z0-9_.(:])")
    sheet, cell, number = next((s, c, m.group(1)) for s, c in plan.formula_cells()
                               for m in [literal.search(c.formula.text if c.formula else "")]
                               if m is not None)
    assert cell.formula is not None
    cached = openpyxl.load_workbook(filled, data_only=True)[sheet.name][cell.ref].value
    text = cell.formula.text
    at = literal.search(text)
    assert at is not None
    for spelled, expected in ((f"{float(number):.20e}", []),
                              (repr(float(number) + 1), [("formula-changed", sheet.name,
                                                          cell.ref)])):
        respelled = text[:at.start(1)] + spelled + text[at.end(1):]
        changed = mutate.set_cell(filled, tmp_path / f"n{len(expected)}.xlsx", sheet.name,
                                  cell.ref, formula=respelled, value=cached)
        found = [f for f in codes(check_file(changed, index)) if f[0] == "formula-changed"]
        assert found == expected, respelled


def test_stored_value_edited_without_its_formula(tmp_path: Path, filled: Path,
                                                 index: BlueprintIndex, plan: WorkbookPlan,
                                                 blueprints: dict[str, Blueprint]) -> None:
    sheet, _, _, realisasi = ratio_cells(plan, blueprints)
    changed = mutate.set_cell(filled, tmp_path / "d.xlsx", sheet, realisasi, value=12.5,
                              keep_formula=True)
    result = check_file(changed, index)
    assert codes(result) == [("stale-value", sheet, realisasi)]
    assert result.findings[0].found == 12.5


def test_formula_saved_without_value(tmp_path: Path, filled: Path, index: BlueprintIndex,
                                     plan: WorkbookPlan, blueprints: dict[str, Blueprint]) -> None:
    sheet, _, _, realisasi = ratio_cells(plan, blueprints)
    changed = mutate.set_cell(filled, tmp_path / "e.xlsx", sheet, realisasi, value=None,
                              keep_formula=True)
    result = check_file(changed, index)
    assert codes(result) == [("missing-value", sheet, realisasi)]
    assert result.status == "ok"  # a warning: the figures themselves are right


@pytest.mark.parametrize(("value", "formula", "words"), [
    (-5.0, None, "paling kecil 0"),
    ("1.234", None, "tersimpan sebagai teks"),
    ("banyak", None, "bukan angka"),
    (None, "=1+1", "berisi rumus"),
])
def test_invalid_inputs(tmp_path: Path, filled: Path, index: BlueprintIndex, plan: WorkbookPlan,
                        blueprints: dict[str, Blueprint], value: object, formula: str | None,
                        words: str) -> None:
    sheet, _, den, _ = ratio_cells(plan, blueprints)
    changed = mutate.set_cell(filled, tmp_path / "f.xlsx", sheet, den, value=value,  # type: ignore[arg-type]
                              formula=formula)
    result = check_file(changed, index)
    invalid = [f for f in result.findings if f.code == "invalid-input"]
    assert [(f.sheet, f.cell) for f in invalid] == [(sheet, den)]
    assert words in invalid[0].message
    assert result.status == "needs-correction"


def test_numerator_above_denominator(tmp_path: Path, filled: Path, index: BlueprintIndex,
                                     plan: WorkbookPlan, blueprints: dict[str, Blueprint]) -> None:
    sheet, num, den, _ = ratio_cells(plan, blueprints)
    denominator = openpyxl.load_workbook(filled)[sheet][den].value
    changed = mutate.set_cell(filled, tmp_path / "g.xlsx", sheet, num, value=denominator + 7.0)
    result = check_file(changed, index)
    rule = [f for f in result.findings if f.code == "rule-violated"]
    assert [(f.sheet, f.cell) for f in rule] == [(sheet, num)]
    assert "tidak boleh melebihi" in rule[0].message
    # the stored values were computed from the old inputs: they are stale now
    assert {f.code for f in result.findings} == {"rule-violated", "stale-value"}


def test_required_input_left_empty(tmp_path: Path, filled: Path, index: BlueprintIndex,
                                   plan: WorkbookPlan, blueprints: dict[str, Blueprint]) -> None:
    sheet, _, den, _ = ratio_cells(plan, blueprints)
    changed = mutate.set_cell(filled, tmp_path / "h.xlsx", sheet, den, value=None)
    result = check_file(changed, index)
    assert ("missing-required", sheet, den) in codes(result)


def test_renamed_sheet_still_passes(tmp_path: Path, filled: Path, index: BlueprintIndex,
                                    plan: WorkbookPlan) -> None:
    old = plan.sheets[2].name
    changed = mutate.rename_sheet(filled, tmp_path / "i.xlsx", old, "Lembar Saya")
    assert "Lembar Saya" in openpyxl.load_workbook(changed).sheetnames
    assert check_file(changed, index).findings == []


def test_deleted_sheet(tmp_path: Path, filled: Path, index: BlueprintIndex,
                       plan: WorkbookPlan) -> None:
    gone = plan.sheets[2].name
    changed = mutate.delete_sheet(filled, tmp_path / "j.xlsx", gone)
    result = check_file(changed, index)
    assert codes(result)[0] == ("structure-changed", gone, None)
    assert result.status == "needs-correction"


def test_inserted_row(tmp_path: Path, filled: Path, index: BlueprintIndex,
                      plan: WorkbookPlan) -> None:
    book = openpyxl.load_workbook(filled)
    sheet = plan.sheets[2]
    book[sheet.name].insert_rows(12)
    book.save(tmp_path / "k.xlsx")
    result = check_file(tmp_path / "k.xlsx", index)
    changed = [f for f in result.findings if f.code == "structure-changed"]
    assert changed and changed[0].sheet == sheet.name
    assert result.status == "needs-correction"


def test_manifest_removed(tmp_path: Path, filled: Path, index: BlueprintIndex) -> None:
    def drop_manifest(name: str, text: str) -> str:
        if name == "xl/workbook.xml":
            import re

            return re.sub(r'<sheet name="IKI_Manifest"[^>]*/>', "", text)
        return text

    changed = mutate.rewrite(filled, tmp_path / "l.xlsx", drop_manifest)
    result = check_file(changed, index)
    # the custom properties still say who it is (tests/test_identity_carriers.py)
    assert (result.status, [f.code for f in result.findings]) == ("ok", ["manifest-missing"])


def test_workbook_of_another_blueprint_version(tmp_path: Path, index: BlueprintIndex) -> None:
    text = (BLUEPRINTS / "iki-kecamatan-jabung.yaml").read_text(encoding="utf-8")
    older = load_blueprint_text(text.replace('versi: "1"', 'versi: "0.9"'), "lama.yaml")
    assert older.blueprint is not None
    files = generate(older.blueprint, UNITS[:1], 2026, tmp_path).files
    result = check_file(files[0], index)
    assert (result.status, [f.code for f in result.findings]) == ("rejected",
                                                                   ["blueprint-mismatch"])
    assert result.findings[0].found["versi"] == "0.9"
    assert result.findings[0].expected["versi"] == "1"


def bad_files(folder: Path, good: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    data = good.read_bytes()
    files["truncated"] = folder / "terpotong.xlsx"
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["encrypted"] = folder / "bersandi.xlsx"
    files["encrypted"].write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4000)
    files["xls"] = folder / "lama.xls"
    files["xls"].write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4000)
    files["csv"] = folder / "tabel.xlsx"
    files["csv"].write_text("kode,nama\n1,Desa\n")
    files["empty"] = folder / "kosong.xlsx"
    files["empty"].write_bytes(b"")
    files["ods"] = folder / "calc.ods"
    files["ods"].write_bytes(data)
    files["xlsm"] = folder / "makro.xlsm"
    files["xlsm"].write_bytes(data)
    files["zipbomb"] = folder / "bom.xlsx"
    # xl/workbook.xml inflating to 400 MB: "<", 400,000,000 spaces, "/>"
    hostile.repeated_part(files["zipbomb"], "xl/workbook.xml", b"<", b" " * 1_000_000, 400,
                          b"/>")
    entity = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              "&lol2;</workbook>")
    files["entitybomb"] = mutate.rewrite(
        good, folder / "entitas.xlsx",
        lambda name, text: entity if name == "xl/workbook.xml" else text)
    files["sheetentity"] = mutate.rewrite(
        good, folder / "entitas-lembar.xlsx",
        lambda name, text: entity.replace("workbook", "worksheet")
        if name.startswith("xl/worksheets/") else text)
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i + 10}" r:id="rId{i + 100}"/>'
                     for i in range(3000))
    files["sheets"] = mutate.rewrite(
        good, folder / "banyak.xlsx",
        lambda name, text: text.replace("</sheets>", sheets + "</sheets>")
        if name == "xl/workbook.xml" else text)
    return files


EXPECTED_BAD = {
    "truncated": "unreadable-file", "encrypted": "unsupported-format",
    "xls": "unsupported-format", "csv": "unsupported-format", "empty": "unreadable-file",
    "ods": "unsupported-format", "xlsm": "unsupported-format", "zipbomb": "unreadable-file",
    "entitybomb": "unreadable-file", "sheetentity": "unreadable-file",
    "sheets": "unreadable-file",
}


def test_bad_files_never_stop_the_batch(tmp_path: Path, filled: Path) -> None:
    bad = bad_files(tmp_path, filled)
    batch = [bad[k] for k in EXPECTED_BAD] + [filled]
    done = iki("check", "--json", *map(str, batch))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    results = json.loads(done.stdout)
    assert [r["file"] for r in results] == [str(p) for p in batch]
    for kind, result in zip(EXPECTED_BAD, results, strict=False):
        assert result["status"] == "rejected", kind
        assert [f["code"] for f in result["findings"]] == [EXPECTED_BAD[kind]], kind
        assert result["findings"][0]["message"]
    assert results[-1]["status"] == "ok" and results[-1]["findings"] == []
    assert len(results[-1]["sha256"]) == 64


def test_check_cli_summary_and_exit_codes(filled: Path, tmp_path: Path) -> None:
    done = iki("check", str(filled))
    assert done.returncode == 0
    assert done.stdout.startswith(f"{filled}: DITERIMA")
    assert iki("check").returncode == 2


@pytest.mark.parametrize(("text", "number"), [("1.234,5", 1234.5), ("12", 12.0), ("7,25", 7.25),
                                              ("1.234.567", 1234567.0), ("3.5", 3.5),
                                              ("12 orang", None), ("1,234,5", None)])
def test_numbers_typed_as_text_read_the_indonesian_way(text: str, number: float | None) -> None:
    assert parse_number(text) == number



def test_parallel_batch_gives_the_same_results_in_the_same_order(
        tmp_path: Path, filled: Path, index: BlueprintIndex, plan: WorkbookPlan,
        blueprints: dict[str, Blueprint], generated: dict[tuple[str, bool], list[Path]]) -> None:
    from iki_xlsx.check import check_files

    sheet, _, den, realisasi = ratio_cells(plan, blueprints)
    batch = [
        filled,
        mutate.set_cell(filled, tmp_path / "p1.xlsx", sheet, den, value=-1.0),
        bad_files(tmp_path, filled)["truncated"],
        mutate.set_cell(filled, tmp_path / "p2.xlsx", sheet, realisasi, value=5.0),
        *generated[("iki-kecamatan-jabung", True)],
    ]
    single = check_files(batch, index, workers=1)
    parallel = check_files(batch, index, workers=2)
    small = check.iter_check(batch, index, workers=2, batch_size=2)  # many chunks, both cores
    per_file = check_files(batch, index, workers=2, batch=False)
    assert [r.to_dict() for r in parallel.files] == [r.to_dict() for r in single.files]
    assert [r.to_dict() for r in small] == [r.to_dict() for r in single.files]
    assert [r.to_dict() for r in per_file.files] == [r.to_dict() for r in single.files]
    assert [r.status for r in single.files][:4] == ["ok", "needs-correction", "rejected",
                                                     "needs-correction"]
