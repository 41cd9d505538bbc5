"""The columns of an indicator sheet: fixed, one per period, results, and the decree's reference
columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FIXED_COLUMNS = ("No", "Indikator", "Uraian", "Satuan", "Target")
# with Tahunan, Capaian and Predikat the first screen is at most 1,250 px wide in LibreOffice,
# the wider of the two clients (7.43 px per unit of width against Excel's 7)
FIXED_WIDTHS = (4, 26, 27, 8, 10)
COL_NO, COL_NAMA, COL_URAIAN, COL_SATUAN, COL_TARGET = range(5)
PERIOD_WIDTH = 12.0  # "C (Kurang Baik)", a grade shown per period, fits
RESULT_WIDTHS = (12.0, 10.0, 13.0)  # Tahunan, Capaian (%), Predikat
REFERENCE_COLUMNS = ("Sasaran / Kinerja Utama", "Formulasi Perhitungan", "Sumber Data")
# off the first screen, printed on pages of their own: as wide as such a page allows, so that
# the decree's long texts need few lines
REFERENCE_WIDTHS = (32.0, 76.0, 30.0)
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
        """A yearly decree's one input column is "Isian 2026" beside "Realisasi 2026" (not
        "Tahunan" beside "Tahunan 2026")."""
        inputs = list(periods) if len(periods) > 1 else [f"Isian {periode}"]
        result = f"Tahunan {periode}" if len(periods) > 1 else f"Realisasi {periode}"
        return [*FIXED_COLUMNS, *inputs, result, "Capaian (%)", "Predikat", *REFERENCE_COLUMNS]
