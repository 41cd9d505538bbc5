"""The tidy table of accepted values, traced to its files, and exported without injection."""

from __future__ import annotations

import datetime
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pandas as pd
import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.plan.columns import COL_TARGET
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.rekap.build import RekapResult, export_csv, export_parquet, tidy_values, write_rekap
from iki_xlsx.rekap.context import DATA_HASH_DIGITS
from iki_xlsx.rekap.summary import RINGKASAN_HEADERS
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.workbook.generate import generate, recipients, write_filled
from iki_xlsx.workbook.read import read_workbook
from tests.conftest import engine_values, new_store, registered_store, same
from tests.shared import by_content


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory,
          blueprints: dict[str, Blueprint]) -> tuple[Store, list[Path]]:
    folder = tmp_path_factory.mktemp("rekap")
    units = [Unit("01", "Desa Satu"), Unit("02", "=HYPERLINK(\"http://x\",\"Desa Dua\")")]
    files = generate(blueprints["iki-kecamatan-jabung"], units, 2026, folder / "isi",
                     sample=True).files
    result = Store(folder / "simpan")
    added = collect(files, result, BlueprintIndex(blueprints.values())).added
    assert [s for _, _, s in added] == ["ok"] * 3
    return result, files


def test_tidy_table_holds_every_input_of_every_accepted_file(
        store: tuple[Store, list[Path]]) -> None:
    kept, files = store
    table = tidy_values(kept, 2026)
    for path in files:
        book = _book(path, values=True)
        manifest = read_workbook(path).manifest
        assert manifest is not None
        names = {s["code"]: s["name"] for s in manifest["sheets"]}
        rows = table[table["sha256"] == _sha(path)]
        assert not rows.empty
        for _, row in rows.iterrows():
            assert book[names[row["lembar"]]][row["sel"]].value == row["nilai"], row["sel"]
    sums = table[table["variabel"] != "target"].groupby("unit_kode")["nilai"].apply(
        lambda s: pd.to_numeric(s, errors="coerce").sum())
    independent = {}
    for path in files:
        book = _book(path, values=False)
        total = 0.0
        for ws in book.worksheets[2:-1]:
            for row in ws.iter_rows():
                for cell in row:
                    if (not cell.protection.locked and isinstance(cell.value, int | float)
                            and cell.column != COL_TARGET + 1):
                        total += cell.value
        independent[path.name.split("_")[2]] = total
    assert {k: pytest.approx(v) for k, v in independent.items()} == sums.to_dict()


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_exports_keep_text_inert(store: tuple[Store, list[Path]], tmp_path: Path) -> None:
    kept, _ = store
    table = tidy_values(kept)
    csv_path = export_csv(table, tmp_path)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    back = pd.read_csv(csv_path)
    assert len(back) == len(table)
    parquet = pd.read_parquet(export_parquet(table, tmp_path))
    assert len(parquet) == len(table)
    names = set(parquet["unit_nama"])
    assert all(not n.startswith("=") for n in names)
    assert parquet["nilai_angka"].notna().sum() > 0


# --- the recap workbook ----------------------------------------------------------------------

RECAP_UNITS = [Unit("01", "Kelurahan Satu"), Unit("02", "@Kelurahan Dua"),
               Unit("03", "Kelurahan Tiga"), Unit("04", "Kelurahan Empat")]
PENGADUAN = "iku/pengaduan-ditindaklanjuti"
KRITERIA = "iku/kelurahan-kriteria-baik"


def _periods(base: str, values: dict[str, Any], periods: int = 4) -> dict[str, Any]:
    return {f"{base}/{var}/p{p}": value for var, value in values.items()
            for p in range(1, periods + 1)}


@dataclass
class Recap:
    store: Store
    path: Path
    result: RekapResult
    accepted: dict[str, Path]  # unit kode -> the file the recap must use
    rejected: Path


@pytest.fixture(scope="module")
def recap(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint]) -> Recap:
    """IKU returns with exact values: 03 never returns, 01 first sends a file to correct."""
    bp = blueprints["iku-kecamatan"]
    folder = tmp_path_factory.mktemp("rekap-iku")
    everyone = recipients(bp, RECAP_UNITS)
    assert bp.iku is not None
    items = [v.id for v in next(i for i in bp.iku.indikator
                                if f"iku/{i.id}" == KRITERIA).variabel]
    changes = {
        "01": {**_periods(PENGADUAN, {"pengaduan_ditindaklanjuti": 1, "pengaduan_masuk": 1}),
               **_periods(KRITERIA, dict.fromkeys(items, "Ya"))},
        "02": {**_periods(PENGADUAN, {"pengaduan_ditindaklanjuti": 1, "pengaduan_masuk": 99}),
               **_periods(KRITERIA, {**dict.fromkeys(items, "Ya"), items[0]: "Tidak"})},
        "04": {**_periods(PENGADUAN, {"pengaduan_ditindaklanjuti": 10, "pengaduan_masuk": 20}),
               **_periods(KRITERIA, dict.fromkeys(items, "Ya"))},
    }
    accepted: dict[str, Path] = {}
    for unit in everyone:
        if unit.kode == "03":
            continue
        path = folder / "kembali" / f"IKI_{unit.kode}.xlsx"
        accepted[unit.kode] = write_filled(bp, unit, everyone, 2026, path,
                                           changes.get(unit.kode))
    rejected = write_filled(bp, everyone[0], everyone, 2026, folder / "salah" / "IKI_01.xlsx",
                            {**changes["01"], f"{PENGADUAN}/pengaduan_masuk/p2": -5})
    kept = registered_store(folder, bp, RECAP_UNITS)
    index = BlueprintIndex(blueprints.values())
    first = collect([rejected], kept, index).added
    assert [s for _, _, s in first] == ["needs-correction"]
    renamed = folder / "kembali" / "=cmd.xlsx"
    accepted["04"].rename(renamed)
    accepted["04"] = renamed
    added = collect([folder / "kembali"], kept, index).added
    assert [s for _, _, s in added] == ["ok"] * 4
    result = write_rekap(kept, index, folder / "rekap.xlsx")
    assert result.ok and result.path is not None, [f.one_line() for f in result.findings]
    return Recap(kept, result.path, result, accepted, rejected)


def _row(base: str, unit: str, column: str) -> str:
    """The recap's key of an indicator row's cell (`base`: scope/indikator)."""
    scope, indikator = base.split("/")
    return str(PlanKey(scope, indikator, column, unit))


def _cell(recap: Recap, sheet_code: str, key: str) -> tuple[str, str]:
    assert recap.result.plan is not None
    sheet = recap.result.plan.sheet(sheet_code)
    return sheet.name, sheet.cell(key).ref


def _book(path: Path, values: bool) -> Any:
    """The workbook at `path` as openpyxl reads it (`values`: the cached values, else the
    formulas), loaded once per file content and shared by the tests, which only read it."""
    return by_content("openpyxl-book-values" if values else "openpyxl-book-formulas", path,
                      lambda p: openpyxl.load_workbook(p, data_only=values))


def _value(recap: Recap, sheet_code: str, key: str) -> Any:
    name, at = _cell(recap, sheet_code, key)
    return _book(recap.path, values=True)[name][at].value


def test_a_percentage_is_the_sum_of_numerators_over_the_sum_of_denominators(
        recap: Recap) -> None:
    # 01: 4/4 = 100 %, 02: 4/396 = 1 %, 04: 40/80 = 50 %; the mean of those would be 50.3 %
    assert _value(recap, "IKU", _row(PENGADUAN, "kecamatan", "pengaduan_ditindaklanjuti")) == 48
    assert _value(recap, "IKU", _row(PENGADUAN, "kecamatan", "pengaduan_masuk")) == 480
    assert _value(recap, "IKU", _row(PENGADUAN, "kecamatan", "realisasi")) == pytest.approx(10.0)
    assert _value(recap, "IKU", _row(PENGADUAN, "02", "realisasi")) == pytest.approx(400 / 396)
    name, at = _cell(recap, "IKU", _row(PENGADUAN, "kecamatan", "realisasi"))
    formula = _book(recap.path, values=False)[name][at].value
    total = _cell(recap, "IKU", _row(PENGADUAN, "kecamatan", "pengaduan_masuk"))[1]
    assert isinstance(formula, str) and total in formula and "/" in formula


def test_a_checklist_counts_the_units_meeting_every_criterion_over_all_units(
        recap: Recap) -> None:
    # 01 and 04 meet all seven criteria, 02 misses one, 03 sent nothing: 2 of 4 units
    assert _value(recap, "IKU", _row(KRITERIA, "01", "realisasi")) == 100
    assert _value(recap, "IKU", _row(KRITERIA, "02", "realisasi")) == 0
    assert _value(recap, "IKU", _row(KRITERIA, "03", "realisasi")) in (None, "")
    assert _value(recap, "IKU", _row(KRITERIA, "kecamatan", "realisasi")) == pytest.approx(50.0)
    assert _value(recap, "RINGKASAN", f"ringkasan/{KRITERIA}/realisasi") == pytest.approx(50.0)


def test_totals_equal_sums_computed_independently_from_the_raw_files(
        recap: Recap, blueprints: dict[str, Blueprint]) -> None:
    bp = blueprints["iku-kecamatan"]
    rows = []
    for kode, path in recap.accepted.items():
        raw = recap.store.raw_path(_sha(path))
        assert raw.read_bytes() == path.read_bytes()
        manifest = read_workbook(raw).manifest
        assert manifest is not None
        with raw.open("rb") as handle:  # raw files have no extension: their name is the hash
            book = openpyxl.load_workbook(handle, data_only=True)
        for sheet in manifest["sheets"]:
            for at, key in sheet["inputs"]:
                rows.append({"unit": kode, "key": key, "value": book[sheet["name"]][at].value})
    raw_values = pd.DataFrame(rows)
    parts = raw_values["key"].str.extract(r"^iku/(?P<ind>[^/]+)/(?P<var>[^/@]+)/p(?P<p>\d)$")
    values = raw_values.join(parts).dropna(subset=["var"])
    values = values[values["unit"] != "kecamatan"]
    checked = 0
    assert bp.iku is not None
    for ind in bp.iku.indikator:
        for var in ind.variabel:
            if var.tipe.value in ("ya_tidak", "pilihan") or var.pengisi.value != "kelurahan":
                continue
            mine = values[(values["ind"] == ind.id) & (values["var"] == var.id)]
            per_unit = mine.sort_values("p").groupby("unit")["value"].agg(
                {"jumlah": "sum", "terakhir": "last", "rata_rata": "mean"}[var.period_rule])
            expected = per_unit.mean() if var.agregasi_unit.value == "rata_rata" else (
                per_unit.sum())
            shown = _value(recap, "IKU", str(PlanKey("iku", ind.id, var.id, "kecamatan")))
            assert shown == pytest.approx(expected), (ind.id, var.id)
            checked += 1
    assert checked >= 5


def test_every_unit_figure_points_at_a_data_row_traced_to_its_file(recap: Recap) -> None:
    name, at = _cell(recap, "IKU", _row(PENGADUAN, "04", "pengaduan_masuk"))
    book = _book(recap.path, values=False)
    formula = book[name][at].value
    assert isinstance(formula, str)
    rows = sorted({int(r) for r in re.findall(r"'Data'!H(\d+)", formula)})
    assert len(rows) == 4
    data = book["Data"]
    for row in rows:
        assert data[f"A{row}"].value == "04"
        assert data[f"H{row}"].value == 20
        assert data[f"K{row}"].value == _sha(recap.accepted["04"])[:DATA_HASH_DIGITS]
        assert data[f"E{row}"].value.startswith("Jumlah pengaduan")
    assert not any(data[f"K{r}"].value == _sha(recap.rejected)[:DATA_HASH_DIGITS]
                   for r in range(5, data.max_row + 1))


def test_status_provenance_charts_and_protection(recap: Recap) -> None:
    book = _book(recap.path, values=True)
    status_sheet = book["Status"]
    states = {row[1]: row[3] for row in status_sheet.iter_rows(values_only=True)
              if row[1] in {"01", "02", "03", "04", "kecamatan"}}
    assert states == {"01": "diterima", "02": "diterima", "03": "belum kembali",
                      "04": "diterima", "kecamatan": "diterima"}
    assert _value(recap, "STATUS", "jumlah/0") == 4  # diterima
    assert _value(recap, "STATUS", "jumlah/3") == 1  # belum kembali
    asal = [row for row in book["Asal Data"].iter_rows(values_only=True)]
    used = {row[4] for row in asal if row[4] and len(str(row[4])) == 64}
    assert used == {_sha(p) for p in recap.accepted.values()}
    assert any(row[2] == str(recap.store.folder.resolve()) for row in asal)
    with zipfile.ZipFile(recap.path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(charts) == 2  # capaian per unit on the IKU sheet, returns over time
        assert all(b"<sheetProtection" in archive.read(n) for n in sheets)
        chart_xml = b"".join(archive.read(n) for n in charts).decode()
    assert "'IKU'!$F$" in chart_xml and "'Status'!$M$" in chart_xml


def test_status_lists_every_return_of_a_unit_so_corrections_show(recap: Recap) -> None:
    """01 first sent a file to correct, then a good one: both returns show, oldest first, with
    when each came (WIB), its file, its verdict and its error count; the totals still count
    units (5 on the list), not returns (6 files)."""
    rows = list(_book(recap.path, values=True)["Status"].iter_rows(
        values_only=True))
    header = rows.index(next(r for r in rows if r[:4] == ("No", "Kode", "Unit", "Status")))
    assert rows[header][4:10] == ("Kiriman ke", "Diterima (WIB)", "Berkas", "Hasil pemeriksaan",
                                  "Temuan", "Pengirim")
    at = next(i for i, r in enumerate(rows) if r[1] == "01")
    first, second, after = rows[at], rows[at + 1], rows[at + 2]
    stored = {r.sha256: r for r in recap.store.submissions("01")}
    refused, accepted = stored[_sha(recap.rejected)], stored[_sha(recap.accepted["01"])]
    errors = len(recap.store.findings(refused.id, severity="error"))
    assert errors > 0
    assert first[:4] == ("1", "01", "Kelurahan Satu", "diterima")
    assert first[4:9] == ("1", _wib(refused.collected_at), "IKI_01.xlsx", "perlu perbaikan",
                          errors)
    assert second[:4] == (None, None, None, None)
    assert second[4:9] == ("2", _wib(accepted.collected_at), "IKI_01.xlsx", "diterima", 0)
    assert after[1] == "02"
    missing = next(r for r in rows if r[1] == "03")
    assert missing[3] == "belum kembali" and missing[4:9] == (None,) * 5
    counted = [_value(recap, "STATUS", f"jumlah/{i}") for i in range(4)]
    assert counted == [4, 0, 0, 1]
    days = {r[11] for r in rows[header + 1:] if len(r) > 11 and r[11]}  # the timeline, in WIB
    assert days == {_wib(r.collected_at).rsplit(" ", 1)[0] for r in recap.store.submissions()}


def _wib(moment: str) -> str:
    """A stored UTC moment as the recap shows it in WIB: '25 November 2026 01.40'."""
    local = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00")) + datetime.timedelta(
        hours=7)
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember"]
    return f"{local.day} {months[local.month - 1]} {local.year} {local:%H.%M}"


def test_text_from_returned_files_stays_text(recap: Recap) -> None:
    book = _book(recap.path, values=False)
    texts = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=cmd", "@Kel"))]
    assert {c.value for c in texts} == {"=cmd.xlsx", "@Kelurahan Dua"}
    assert all(c.data_type == "s" for c in texts)


def test_the_recap_formulas_recomputed_by_the_engine_equal_the_cached_values(
        recap: Recap) -> None:
    engine = engine_values(recap.path)
    cached = _book(recap.path, values=True)
    assert len(engine) > 100
    wrong = [(s, c, cached[s][c].value, v) for (s, c), v in engine.items()
             if not same(cached[s][c].value, v)]
    assert not wrong, wrong[:10]


def test_the_recap_can_be_rebuilt_from_the_store_alone(recap: Recap, tmp_path: Path,
                                                       blueprints: dict[str, Blueprint]) -> None:
    again = write_rekap(recap.store, BlueprintIndex(blueprints.values()), tmp_path / "lagi.xlsx",
                        csv_dir=tmp_path, parquet_dir=tmp_path)
    assert again.ok and again.units_accepted == 4 and again.units_listed == 5
    csv = pd.read_csv(tmp_path / "rekap-nilai_iku-kecamatan_2026_setahun.csv",
                      dtype={"unit_kode": str})
    assert set(csv["unit_kode"]) == {"01", "02", "04", "kecamatan"}
    assert len(csv) == again.values
    assert "'@Kelurahan Dua" in set(csv["unit_nama"])


def test_the_exports_name_each_sheet_as_the_units_workbook_shows_it(
        store: tuple[Store, list[Path]], tmp_path: Path,
        blueprints: dict[str, Blueprint]) -> None:
    """`lembar` in the CSV and Parquet is the name of a sheet of the unit's own workbook, and
    its `sel` there holds the value; never the internal code the store keeps (J-camat)."""
    kept, files = store
    written = write_rekap(kept, BlueprintIndex(blueprints.values()), tmp_path / "r.xlsx",
                          csv_dir=tmp_path, parquet_dir=tmp_path)
    assert written.ok
    name = "rekap-nilai_iki-kecamatan-jabung_2026_setahun"
    csv = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)
    parquet = pd.read_parquet(tmp_path / f"{name}.parquet")
    assert list(parquet["lembar"]) == list(csv["lembar"]) and len(csv) == written.values
    by_sha = {_sha(path): path for path in files}
    for sha, rows in csv.groupby("sha256"):
        book = _book(by_sha[str(sha)], values=True)
        for row in rows.itertuples():
            assert row.lembar in book.sheetnames, row.lembar
            held = book[row.lembar][row.sel].value
            assert str(held) == row.nilai or float(held) == float(row.nilai), row.sel
    codes = set(tidy_values(kept)["lembar"])
    assert codes and not codes & set(csv["lembar"]), codes  # the codes are not the names


def test_a_threshold_indicator_counts_units_meeting_it_over_all_units_listed(
        kota_recap: Path) -> None:
    # "jumlah kelurahan dengan nilai IKM sekurang-kurangnya 75 dibagi jumlah kelurahan":
    # 01 meets it (80), 02 does not (70), 03 sent nothing and counts as not meeting
    book = openpyxl.load_workbook(kota_recap, data_only=True)
    camat = book["Camat"]
    first_block: dict[str, Any] = {}
    inside = False
    for row in camat.iter_rows(values_only=True):
        inside = inside or str(row[0]).startswith("1. Prosentase Kelurahan")
        if inside and row[1] in ("Kelurahan Satu", "Kelurahan Dua", "Kelurahan Tiga",
                                 "Kecamatan (3 unit)"):
            first_block[row[1]] = row
        if inside and row[1] == "Kecamatan (3 unit)":
            break
    assert first_block["Kecamatan (3 unit)"][4] == pytest.approx(100 / 3)
    assert first_block["Kelurahan Satu"][4] == 100 and first_block["Kelurahan Dua"][4] == 0
    assert first_block["Kelurahan Tiga"][2] == "belum kembali"
    ringkasan = book["Ringkasan"]
    shown = next(row for row in ringkasan.iter_rows(values_only=True)
                 if row[2] == "Prosentase Kelurahan yang memiliki kualitas pelayanan yang baik (a)")
    assert shown[RINGKASAN_HEADERS.index("Realisasi kecamatan")] == pytest.approx(100 / 3)


def test_a_kecamatan_of_one_desa_has_its_kecamatan_row(tmp_path: Path,
                                                       blueprints: dict[str, Blueprint]) -> None:
    """One desa on the list: the kecamatan row (and the Ringkasan over it) still exists; the
    recap stopped with StopIteration when one unit row was taken for the office's only row."""
    bp = blueprints["iku-kecamatan"]
    desa = [Unit("01", "Desa Tunggal")]
    kept = registered_store(tmp_path, bp, desa)
    files = generate(bp, desa, 2026, tmp_path / "isi", sample=True).files
    index = BlueprintIndex(blueprints.values())
    assert [s for _, _, s in collect(files, kept, index).added] == ["ok"] * len(files)
    result = write_rekap(kept, index, tmp_path / "rekap.xlsx")
    assert result.ok and result.plan is not None, [f.one_line() for f in result.findings]
    book = openpyxl.load_workbook(tmp_path / "rekap.xlsx", data_only=True)
    assert bp.iku is not None
    for ind in bp.iku.indikator:
        if ind.pengisi.value != "kelurahan":
            continue
        iku = result.plan.sheet("IKU")
        total = iku.cell(str(PlanKey("iku", ind.id, "realisasi", "kecamatan")))
        unit = iku.cell(str(PlanKey("iku", ind.id, "realisasi", "01")))
        assert same(book[iku.name][total.ref].value, book[iku.name][unit.ref].value), ind.id
        shown = result.plan.sheet("RINGKASAN").cell(f"ringkasan/iku/{ind.id}/realisasi")
        assert same(book["Ringkasan"][shown.ref].value, book[iku.name][unit.ref].value)


def test_the_recap_of_a_server_store_is_the_recap_of_the_office_store(
        recap: Recap, tmp_path: Path, blueprints: dict[str, Blueprint],
        postgres: PostgresLocation) -> None:
    """The same store moved into PostgreSQL gives the same recap: every cell of every sheet
    (but the one that says which store it was made from) and the same value table."""
    from iki_xlsx.store.move import move_store

    server = new_store(tmp_path / "server", postgres)
    assert move_store(recap.store, server).ok
    index = BlueprintIndex(blueprints.values())
    made = datetime.datetime.now(datetime.UTC)  # one moment: the two may straddle a minute
    ours = write_rekap(recap.store, index, tmp_path / "sqlite" / "rekap.xlsx",
                       csv_dir=tmp_path / "sqlite", now=made)
    theirs = write_rekap(server, index, tmp_path / "pg" / "rekap.xlsx", csv_dir=tmp_path / "pg",
                         now=made)
    assert ours.path is not None and theirs.path is not None
    for table in (tmp_path / "sqlite").glob("*.csv"):
        assert (tmp_path / "pg" / table.name).read_bytes() == table.read_bytes()
    a, b = openpyxl.load_workbook(ours.path), openpyxl.load_workbook(theirs.path)
    assert a.sheetnames == b.sheetnames
    differing = [(ws.title, cell.coordinate, cell.value, b[ws.title][cell.coordinate].value)
                 for ws in a.worksheets for row in ws.iter_rows() for cell in row
                 if cell.value != b[ws.title][cell.coordinate].value]
    assert differing == [("Asal Data", "C4", str(recap.store.folder.resolve()),
                          f"PostgreSQL postgres@127.0.0.1:{urlsplit(postgres.url).port}/"
                          f"{postgres.database}")]


def test_the_recap_names_each_units_sheets_as_its_workbook_does(
        blueprints: dict[str, Blueprint], generated: dict[tuple[str, bool], list[Path]]) -> None:
    """The recap's data sheet points at each unit's sheets by name, named without laying the
    unit's workbook out: the names are those of the workbook the unit received."""
    from iki_xlsx.plan.build import plan_workbook
    from iki_xlsx.plan.carriers import MANIFEST_SHEET
    from iki_xlsx.rekap.data_sheet import unit_sheet_names
    from tests.conftest import UNITS

    checked = 0
    for bp_id, bp in blueprints.items():
        everyone = recipients(bp, UNITS)
        names = unit_sheet_names(bp, 2026, everyone)
        assert set(names) == {u.kode for u in everyone}
        for path in generated[(bp_id, False)]:
            unit = next(u for u in everyone if path.name.startswith(f"IKI_2026_{u.kode}_"))
            book = openpyxl.load_workbook(path, read_only=True)
            titles = [t for t in book.sheetnames if t != MANIFEST_SHEET]
            book.close()
            codes = [s.code for s in plan_workbook(bp, unit, 2026, everyone).sheets]
            assert names[unit.kode] == dict(zip(codes, titles, strict=True)), (bp_id, unit)
            checked += 1
    assert checked >= 2 * len(blueprints)
