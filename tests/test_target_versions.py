"""The office's targets as versions: the form made from a blueprint, filled as a clerk fills it,
read back with every problem at its cell, archived by hash, and chosen by date (a perubahan in
August replaces the murni from TW III on)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from iki_xlsx.blueprint.model import Blueprint, indicators
from iki_xlsx.core.units import Unit
from iki_xlsx.store.db import PostgresLocation
from iki_xlsx.targets.archive import record_version, versions
from iki_xlsx.targets.model import (
    KindOfVersion,
    Typing,
    choose,
    key_of,
    typing_of,
)
from iki_xlsx.targets.read import read_target_form
from iki_xlsx.targets.template import write_target_form
from tests.conftest import new_store
from tests.forms import fill_form, form_rows

UNITS = [Unit("01", "Desa Satu"), Unit("02", "Desa Dua")]
QUARTERS = ("Target TW I", "Target TW II", "Target TW III", "Target TW IV")


def quarterly(annual: float, typing: Typing) -> dict[str, float]:
    """A plan for the year as a clerk types it: per quarter (adding up) or to date."""
    if typing is Typing.PER_PERIOD:
        parts = [annual * s for s in (0.1, 0.2, 0.3, 0.4)]
        return {ANNUAL: sum(parts), **dict(zip(QUARTERS, parts, strict=True))}
    return {ANNUAL: annual, **dict(zip(QUARTERS, [annual * s for s in (0.7, 0.8, 0.9, 1.0)],
                                       strict=True))}


ANNUAL = "Target tahunan"


def every_target(bp: Blueprint, scale: float) -> dict[str, dict[str, float]]:
    return {key_of(jab, ind): quarterly(10.0 * scale + n, typing_of(ind))
            for n, (jab, ind) in enumerate(indicators(bp))}


@pytest.fixture(scope="module")
def jabung(blueprints: dict[str, Blueprint]) -> Blueprint:
    return blueprints["iki-kecamatan-jabung"]


def test_a_filled_form_reads_back_as_the_version_typed(tmp_path: Path, jabung: Blueprint,
                                                        blueprints: dict[str, Blueprint]) -> None:
    template = write_target_form(jabung, 2026, tmp_path / "templat.xlsx", UNITS)
    rows = form_rows(template, "Target")
    assert [r["Kunci"] for r in rows] == [key_of(j, i) for j, i in indicators(jabung)]
    ways = {r["Kunci"]: r["Cara target"] for r in rows}
    assert ways["sekretaris-kecamatan/kehadiran-pns"] == "kumulatif (s.d. triwulan)"
    assert ways["kasubag-umum-kepegawaian-keuangan-aset/kehadiran-pns"] == "per triwulan (dijumlah)"
    unit_rows = form_rows(template, "Target Unit")
    assert {r["Kode unit"] for r in unit_rows} == {"01", "02"}
    typed = every_target(jabung, 1)
    first_unit = unit_rows[0]
    unit_key = f"{first_unit['Kunci']}|{first_unit['Kode unit']}"
    filled = fill_form(template, tmp_path / "murni.xlsx",
                       {"Jenis": "murni", "Tanggal": datetime.date(2026, 1, 5),
                        "Alasan": "Perjanjian Kinerja awal tahun"}, typed, "Target")
    fill_form(filled, filled, rows={unit_key: quarterly(4, Typing.PER_PERIOD)},
              sheet="Target Unit", key_headers=("Kunci", "Kode unit"))
    read = read_target_form(filled, blueprints, UNITS)
    assert read.ok, [f.one_line() for f in read.findings]
    version = read.version
    assert version is not None
    assert (version.blueprint, version.tahun, version.jenis, version.tanggal, version.alasan) == (
        jabung.id, 2026, KindOfVersion.MURNI, datetime.date(2026, 1, 5),
        "Perjanjian Kinerja awal tahun")
    for key, values in typed.items():
        target = version.target(key)
        assert target is not None
        assert target.tahunan == pytest.approx(values[ANNUAL])
        assert list(target.periods) == pytest.approx([values[q] for q in QUARTERS])
    assert version.target(str(first_unit["Kunci"]), str(first_unit["Kode unit"])) is not None


def test_targets_to_date_add_up_per_quarter_or_follow_the_level(jabung: Blueprint,
                                                                blueprints: dict[str, Blueprint],
                                                                tmp_path: Path) -> None:
    template = write_target_form(jabung, 2026, tmp_path / "t.xlsx")
    counts = "kasubag-umum-kepegawaian-keuangan-aset/kehadiran-pns"
    rate = "sekretaris-kecamatan/kehadiran-pns"
    filled = fill_form(template, tmp_path / "f.xlsx",
                       {"Tanggal": "05-01-2026", "Alasan": "awal tahun"},
                       {counts: {ANNUAL: 1000, **dict(zip(QUARTERS, (100, 200, 300, 400),
                                                          strict=True))},
                        rate: {ANNUAL: 98, **dict(zip(QUARTERS, (95, 96, 97, 98),
                                                      strict=True))}}, "Target")
    read = read_target_form(filled, blueprints)
    assert read.version is not None, [f.one_line() for f in read.findings]
    assert [read.version.kecamatan[counts].to_date(q) for q in (1, 2, 3, 4)] == [
        100, 300, 600, 1000]
    assert [read.version.kecamatan[rate].to_date(q) for q in (1, 2, 3, 4)] == [95, 96, 97, 98]


def test_the_version_in_force_is_the_latest_set_by_the_end_of_each_quarter(
        tmp_path: Path, jabung: Blueprint, blueprints: dict[str, Blueprint],
        database: PostgresLocation | None) -> None:
    store = new_store(tmp_path, database)
    template = write_target_form(jabung, 2026, tmp_path / "t.xlsx")
    made = []
    for name, kind, day, scale in (("murni", "murni", datetime.date(2026, 1, 5), 1),
                                   ("perubahan", "perubahan", datetime.date(2026, 8, 15), 2)):
        filled = fill_form(template, tmp_path / f"{name}.xlsx",
                           {"Jenis": kind, "Tanggal": day, "Alasan": f"versi {name}"},
                           every_target(jabung, scale), "Target")
        read = read_target_form(filled, blueprints)
        assert read.version is not None, [f.one_line() for f in read.findings]
        made.append(record_version(store, read.version, read.data))
    assert [new for _, new in made] == [True, True]
    again = read_target_form(tmp_path / "murni.xlsx", blueprints)
    assert again.version is not None
    assert record_version(store, again.version, again.data)[1] is False  # same file, same version
    kept = versions(store, jabung.id, 2026)
    assert [v.jenis for v in kept] == [KindOfVersion.MURNI, KindOfVersion.PERUBAHAN]
    assert [store.raw_path(v.sha256).read_bytes() for v in kept] == [
        (tmp_path / "murni.xlsx").read_bytes(), (tmp_path / "perubahan.xlsx").read_bytes()]
    chosen = [choose(kept, jabung, 2026, q).version for q in (1, 2, 3, 4)]
    assert [v.jenis if v else None for v in chosen] == ["murni", "murni", "perubahan",
                                                        "perubahan"]
    # the same choice the other way round in the store: dates decide, not the order recorded
    assert [choose(kept[::-1], jabung, 2026, q).version for q in (2, 4)] == [kept[0], kept[1]]


@pytest.mark.parametrize(("case", "code", "where", "words"), [
    ("sheet renamed", "form-sheet-missing", "Target!A1", "lembar 'Target' tidak ada"),
    ("text in a number cell", "form-invalid-value", "Target!I{row}",
     "'12 orang' bukan angka"),
    ("number typed as text", "form-invalid-value", "Target!H{row}",
     "'1.000' diketik sebagai teks"),
    ("unknown indicator", "form-unknown-indicator", "Target!A{row}",
     "indikator 'sekretaris-kecamatan/tidak-ada' tidak ada di blueprint"),
    ("target 0", "form-zero-target", "Target!H{row}", "Target tahunan 0: capaian dihitung "),
    ("year 1999", "form-year-invalid", "Versi!B3",
     "Tahun harus tahun empat angka dari 2000 sampai 2100 (misalnya 2026), bukan '1999'"),
    ("year 2101", "form-year-invalid", "Versi!B3", "bukan '2101'"),
    ("quarters not adding up", "form-invalid-value", "Target!H{row}",
     "tidak sama dengan jumlah target per triwulan"),
])
def test_a_bad_form_gives_one_located_message_and_no_version(
        case: str, code: str, where: str, words: str, tmp_path: Path, jabung: Blueprint,
        blueprints: dict[str, Blueprint]) -> None:
    import openpyxl

    template = write_target_form(jabung, 2026, tmp_path / "t.xlsx")
    key = "sekretaris-kecamatan/kehadiran-pns"
    good = {ANNUAL: 98, **dict(zip(QUARTERS, (95, 96, 97, 98), strict=True))}
    counts = "kasubag-umum-kepegawaian-keuangan-aset/kehadiran-pns"
    rows = {key: good, counts: {ANNUAL: 1000, **dict(zip(QUARTERS, (100, 200, 300, 400),
                                                             strict=True))}}
    parts: dict[str, object] = {"Tanggal": "05-01-2026", "Alasan": "awal tahun"}
    row_of = {r["Kunci"]: n for n, r in enumerate(form_rows(template, "Target"), start=2)}
    row = row_of[key]
    if case == "text in a number cell":
        rows[key] = {**good, "Target TW I": "12 orang"}
    elif case == "number typed as text":
        rows[key] = {**good, ANNUAL: "1.000"}
    elif case == "target 0":
        rows[key] = {**good, ANNUAL: 0, "Target TW IV": 0}
    elif case == "year 1999":
        parts["Tahun"] = 1999
    elif case == "year 2101":
        parts["Tahun"] = "2101"
    elif case == "quarters not adding up":
        rows[counts] = {**rows[counts], ANNUAL: 999}
        row = row_of[counts]
    filled = fill_form(template, tmp_path / "f.xlsx", parts, rows, "Target")  # type: ignore[arg-type]
    if case == "unknown indicator" or case == "sheet renamed":
        book = openpyxl.load_workbook(filled)
        if case == "sheet renamed":
            book["Target"].title = "Sheet1"
        else:
            book["Target"].cell(row, 1).value = "sekretaris-kecamatan/tidak-ada"
        book.save(filled)
    read = read_target_form(filled, blueprints)
    assert read.version is None
    assert [(f.code, f"{f.sheet}!{f.cell}") for f in read.findings] == [
        (code, where.format(row=row))], [f.one_line() for f in read.findings]
    assert words in read.findings[0].message
    assert read.findings[0].one_line().startswith(f"f.xlsx:{where.format(row=row)}: ")


def test_a_renstra_end_target_goes_through_the_spreadsheet_form_and_counts_in_the_hash(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    """`renstra: {tahun, target}` is read from YAML and from the spreadsheet form's two
    columns alike; a blueprint without it keeps the hash it always had."""
    from iki_xlsx.blueprint.load import load_blueprint
    from iki_xlsx.blueprint.xlsx import convert_blueprint

    plain = blueprints["iku-kecamatan"]
    data = plain.model_dump(mode="json")
    data["iku"]["indikator"][0]["renstra"] = {"tahun": 2026, "target": 90}
    with_end = Blueprint.model_validate(data)
    assert with_end.content_hash() != plain.content_hash()
    assert '"renstra"' not in plain.canonical() and '"renstra"' in with_end.canonical()
    back = load_blueprint(convert_blueprint(with_end, tmp_path / "iku.xlsx"))
    assert back.blueprint is not None, [f.one_line() for f in back.findings]
    assert back.blueprint.iku is not None and back.blueprint.iku.indikator[0].renstra == (
        with_end.iku.indikator[0].renstra)  # type: ignore[union-attr]
    assert back.blueprint.content_hash() == with_end.content_hash()
    again = load_blueprint(convert_blueprint(back.blueprint, tmp_path / "iku.yaml"))
    assert again.blueprint is not None and again.blueprint.content_hash() == with_end.content_hash()
