"""The tidy table of accepted values, traced to its files, and exported without injection."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from iki_xlsx.blueprint import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.collect import collect
from iki_xlsx.generate import generate
from iki_xlsx.plan import Unit
from iki_xlsx.read import read_workbook
from iki_xlsx.rekap import export_csv, export_parquet, tidy_values
from iki_xlsx.store import Store


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
        book = openpyxl.load_workbook(path, data_only=True)
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
        book = openpyxl.load_workbook(path)
        total = 0.0
        for ws in book.worksheets[2:-1]:
            for row in ws.iter_rows():
                for cell in row:
                    if (not cell.protection.locked and isinstance(cell.value, int | float)
                            and cell.column_letter != "G"):
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
