"""A recipient with nothing to fill gets no workbook, is told so, is not sent anything and is
not waited for; the others' workbooks are still planned with it (the office's rows per
kelurahan), and the register re-plans them the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from iki_xlsx.blueprint.load import load_blueprint, load_blueprint_text
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.intake.status import status
from iki_xlsx.mail.kirim import DEFAULT_TEMPLATE, kirim, load_template
from iki_xlsx.plan.register import nothing_to_fill
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate
from tests.conftest import BLUEPRINTS, PER_UNIT_YAML
from tests.test_cli import run

UNITS = [Unit("01", "Desa Satu", "satu@desa.example"), Unit("02", "Desa Dua", "dua@desa.example")]


@pytest.fixture(scope="module")
def desa_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The IKU table with every variable filled by the desa: the office has nothing to fill."""
    text = (BLUEPRINTS / "iku-kecamatan.yaml").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("desa-saja") / "iku-desa-saja.yaml"
    path.write_text(text.replace("pengisi: kecamatan", "pengisi: kelurahan"), encoding="utf-8")
    return path


def _blueprint(path: Path) -> Blueprint:
    loaded = load_blueprint(path)
    assert loaded.blueprint is not None, [f.one_line() for f in loaded.findings]
    return loaded.blueprint


def _per_unit() -> Blueprint:
    loaded = load_blueprint_text(PER_UNIT_YAML, "per-unit.yaml")
    assert loaded.blueprint is not None, [f.one_line() for f in loaded.findings]
    return loaded.blueprint


def test_generate_says_in_one_line_who_gets_no_workbook(desa_only: Path, tmp_path: Path) -> None:
    done = run("generate", str(desa_only), "--unit", "Desa Satu", "--periode", "2026",
               "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    bp = _blueprint(desa_only)
    assert [p.name for p in tmp_path.glob("*.xlsx")] == ["IKI_2026_desa-satu_Desa-Satu.xlsx"]
    assert (f"Tidak dibuat untuk {bp.kantor} (kecamatan): tidak ada yang perlu diisi unit ini "
            "pada blueprint ini, jadi tidak dikirim dan tidak ditunggu kembali") in done.stdout
    assert done.stdout.rstrip().endswith(f"1 workbook ditulis ke {tmp_path}")


def test_the_office_with_nothing_to_fill_is_not_waited_for(desa_only: Path,
                                                            tmp_path: Path) -> None:
    bp = _blueprint(desa_only)
    store = Store(tmp_path / "simpan")
    result = generate(bp, UNITS, 2026, tmp_path / "isi", sample=True, register=store)
    assert [u.kode for u in result.skipped] == ["kecamatan"] and len(result.files) == 2
    assert [u.kode for u in store.expected_units(bp.id, 2026)] == ["01", "02"]
    # the desa's workbook was planned with the office in its units list: the register
    # re-plans it the same way, so the return checks ok
    added = collect(result.files[:1], store, BlueprintIndex([bp])).added
    assert [s for _, _, s in added] == ["ok"]
    (period,) = status(store).periods
    assert {u.kode: u.state.label for u in period.units} == {"01": "diterima",
                                                       "02": "belum kembali"}


def test_kelurahan_with_nothing_to_fill_are_not_sent_or_missed(tmp_path: Path) -> None:
    """The office keeps one score per kelurahan: the kelurahan fill nothing, yet the office's
    workbook has a row for each, and its return is re-planned with them from the register."""
    bp = _per_unit()
    store = Store(tmp_path / "simpan")
    folder = tmp_path / "kirim"
    result = generate(bp, UNITS, 2026, folder, sample=True, register=store)
    assert [u.kode for u in result.skipped] == ["01", "02"]
    assert [u.kode for u in store.expected_units(bp.id, 2026)] == ["kecamatan"]
    added = collect(result.files, store, BlueprintIndex([bp])).added
    assert [s for _, _, s in added] == ["ok"]

    template, problems = load_template(DEFAULT_TEMPLATE)
    assert template is not None, problems
    excused = nothing_to_fill(store)
    assert excused == {(bp.id, 2026, "01"), (bp.id, 2026, "02")}
    sent = kirim(UNITS, folder, sender="kecamatan@example", template=template,
                 dry_run=tmp_path / "eml", excused=excused)
    assert sent.findings == [] and sent.deliveries == []
    # without the register's word, a unit without a workbook is a finding, as before
    unexcused = kirim(UNITS, folder, sender="kecamatan@example", template=template,
                      dry_run=tmp_path / "eml2")
    assert [(f.code, f.message) for f in unexcused.findings] == [
        ("unit-no-workbook", "tidak ada workbook untuk Desa Satu (kode 01)"),
        ("unit-no-workbook", "tidak ada workbook untuk Desa Dua (kode 02)")]


def test_a_unit_that_fills_in_a_later_run_is_expected(tmp_path: Path) -> None:
    """Nothing-to-fill is per run, and expected units add up over runs: once any run gives a
    unit a workbook, it is expected and kirim misses a missing workbook of it."""
    bp = _per_unit()
    store = Store(tmp_path / "simpan")
    generate(bp, UNITS, 2026, tmp_path / "a", register=store)
    both = load_blueprint_text(PER_UNIT_YAML.replace("pengisi: kecamatan", "pengisi: kelurahan")
                               .replace('versi: "1"', 'versi: "2"'), "per-unit.yaml")
    assert both.blueprint is not None, [f.one_line() for f in both.findings]
    made = generate(both.blueprint, UNITS, 2026, tmp_path / "b", register=store)
    assert [u.kode for u in made.skipped] == ["kecamatan"]
    assert nothing_to_fill(store) == set()
    assert {u.kode for u in store.expected_units(bp.id, 2026)} == {"kecamatan", "01", "02"}
