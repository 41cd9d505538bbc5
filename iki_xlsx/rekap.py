"""Consolidation: the accepted values of a store as one tidy table, exported safely.

The tidy table has one row per accepted input value: unit, jabatan, indicator,
variable, period, value, and the SHA-256 of the file it came from, so every figure
can be traced back to a kelurahan's file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .atomic import atomic_write
from .store import Store

COLUMNS = ["blueprint", "periode", "unit_kode", "unit_nama", "jabatan", "indikator", "variabel",
           "unit_baris", "periode_ke", "nilai", "lembar", "sel", "sha256"]
_KEY = re.compile(r"^(?P<jabatan>[^/]+)/(?P<indikator>[^/]+)/(?:(?P<variabel>[^/@]+)"
                  r"(?:@(?P<unit>[^/]+))?/p(?P<p>\d+)|(?P<target>target))$")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def accepted_submissions(store: Store, periode: int | None = None) -> pd.DataFrame:
    """The latest accepted submission of each unit, per blueprint and period."""
    with store.connect() as db:
        frame = pd.read_sql_query(
            "SELECT id, sha256, blueprint, periode, unit_kode, unit_nama, filename, "
            "COALESCE(received_at, collected_at) AS diterima, id AS urutan "
            "FROM submission WHERE status = 'ok' AND blueprint IS NOT NULL", db)
    if periode is not None:
        frame = frame[frame["periode"] == periode]
    frame = frame.sort_values(["diterima", "urutan"])
    return frame.groupby(["blueprint", "periode", "unit_kode"], as_index=False).last()


def tidy_values(store: Store, periode: int | None = None) -> pd.DataFrame:
    """Every input value of the accepted submissions, one row each."""
    chosen = accepted_submissions(store, periode)
    if chosen.empty:
        return pd.DataFrame(columns=COLUMNS)
    with store.connect() as db:
        placeholders = ",".join("?" * len(chosen))
        values = pd.read_sql_query(
            f"SELECT submission_id AS id, sheet_code AS lembar, cell AS sel, key, value "
            f"FROM nilai WHERE submission_id IN ({placeholders})", db,
            params=[int(i) for i in chosen["id"]])
    rows = values.merge(chosen, on="id")
    parts = rows["key"].str.extract(_KEY)
    rows["jabatan"], rows["indikator"] = parts["jabatan"], parts["indikator"]
    rows["variabel"] = parts["variabel"].fillna(parts["target"])
    rows["unit_baris"] = parts["unit"]
    rows["periode_ke"] = pd.to_numeric(parts["p"]).astype("Int64")
    rows["nilai"] = rows["value"].map(_decode)
    return rows[COLUMNS].sort_values(["blueprint", "periode", "unit_kode", "lembar", "sel"],
                                     ignore_index=True)


def _decode(text: Any) -> Any:
    return None if text is None else json.loads(text)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is made inert (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; numbers stay numbers."""
    result = frame.copy()
    for column in result.columns:
        if result[column].dtype == object or pd.api.types.is_string_dtype(result[column]):
            result[column] = result[column].map(neutralise)
    return result


def export_csv(frame: pd.DataFrame, folder: Path, name: str = "rekap-nilai.csv") -> Path:
    """Write the tidy table as UTF-8 CSV (with BOM, so Excel reads it right), atomically."""
    target = folder / name
    return atomic_write(target, lambda path: safe_frame(frame).to_csv(path, index=False,
                                                                       encoding="utf-8-sig"))


def export_parquet(frame: pd.DataFrame, folder: Path, name: str = "rekap-nilai.parquet") -> Path:
    """Write the tidy table as Parquet, atomically; `nilai` keeps numbers and text apart."""
    target = folder / name
    table = safe_frame(frame)
    table["nilai_angka"] = pd.to_numeric(table["nilai"].where(
        table["nilai"].map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))),
        errors="coerce")
    table["nilai_teks"] = table["nilai"].map(lambda v: v if isinstance(v, str) else None)
    table = table.drop(columns=["nilai"])
    return atomic_write(target, lambda path: table.to_parquet(path, index=False))

