"""The columns of an indicator sheet: fixed, one per period, results, and the decree's reference
columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FIXED_COLUMNS = ("No", "Indikator", "Uraian", "Satuan", "Target")
FIXED_WIDTHS = (4, 28, 32, 9, 10)
COL_NO, COL_NAMA, COL_URAIAN, COL_SATUAN, COL_TARGET = range(5)
PERIOD_WIDTH = 12.0  # "C (Kurang Baik)", a grade shown per period, fits
RESULT_WIDTHS = (13.0, 10.0, 13.0)  # Tahunan, Capaian (%), Predikat
REFERENCE_COLUMNS = ("Sasaran / Kinerja Utama", "Formulasi Perhitungan", "Sumber Data")
REFERENCE_WIDTHS = (26.0, 60.0, 24.0)
HEADER_ROW = 5  # zero-based row of the table header: title and four meta rows above it
FIRST_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Columns:
    """Column indexes of the period-dependent part of an indicator table."""

    periods: tuple[int, ...]
    tahunan: int
    capaian: int
    predikat: int
    sasaran: int
    formulasi: int
    sumber: int

    @classmethod
    def for_periods(cls, count: int) -> Columns:
        first = len(FIXED_COLUMNS)
        after = first + count
        return cls(tuple(range(first, after)), after, after + 1, after + 2, after + 3,
                   after + 4, after + 5)

    @property
    def last(self) -> int:
        return self.sumber

    def widths(self) -> list[float]:
        return [*FIXED_WIDTHS, *([PERIOD_WIDTH] * len(self.periods)), *RESULT_WIDTHS,
                *REFERENCE_WIDTHS]

    def headers(self, periods: Sequence[str], periode: int) -> list[str]:
        return [*FIXED_COLUMNS, *periods, f"Tahunan {periode}", "Capaian (%)", "Predikat",
                *REFERENCE_COLUMNS]
