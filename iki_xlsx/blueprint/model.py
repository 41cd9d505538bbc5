"""The blueprint model: an IKI decree as typed data (jabatan, indicators, variables, scales).

Loading and its located findings are in `load`, the checks beyond types in `validate`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
NAME = r"^[a-z][a-z0-9_]*$"


class Jenis(StrEnum):
    """How an indicator's realisasi is computed from its variables."""

    PERSENTASE = "persentase"  # pembilang / penyebut x 100
    JUMLAH = "jumlah"  # a plain count
    NILAI = "nilai"  # a score entered directly (IKM, SAKIP), optional grade scale
    RUMUS = "rumus"  # a general arithmetic formula over named variables and constants
    AMBANG = "ambang"  # share of units whose value meets a threshold
    DAFTAR_PERIKSA = "daftar_periksa"  # a checklist of yes/no criteria


class Tipe(StrEnum):
    """Type of an input variable."""

    BULAT = "bulat"
    DESIMAL = "desimal"
    PERSEN = "persen"
    YA_TIDAK = "ya_tidak"
    PILIHAN = "pilihan"


class AgregasiPeriode(StrEnum):
    JUMLAH = "jumlah"
    TERAKHIR = "terakhir"
    RATA_RATA = "rata_rata"


class AgregasiUnit(StrEnum):
    """How the kecamatan figure follows from the units' figures (used by the recap)."""

    JUMLAH = "jumlah"  # counts add up
    RATA_RATA = "rata_rata"  # a score: the mean of the units that reported
    PER_UNIT = "per_unit"  # judged per unit (ambang, daftar_periksa semua)


class Pengisi(StrEnum):
    KELURAHAN = "kelurahan"  # each kelurahan/desa fills it in its own workbook
    KECAMATAN = "kecamatan"  # the kecamatan office fills it in its own workbook


class Polaritas(StrEnum):
    NAIK = "naik"  # higher is better
    TURUN = "turun"  # lower is better


class Pembagian(StrEnum):
    TRIWULAN = "triwulan"
    SEMESTER = "semester"
    TAHUNAN = "tahunan"


PERIOD_LABELS: dict[Pembagian, tuple[str, ...]] = {
    Pembagian.TRIWULAN: ("TW I", "TW II", "TW III", "TW IV"),
    Pembagian.SEMESTER: ("Semester I", "Semester II"),
    Pembagian.TAHUNAN: ("Tahunan",),
}


class _Strict(BaseModel):
    # NaN and +-Infinity are no numbers a decree states (a target of .inf stopped the recap)
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Tingkat(_Strict):
    """One step of a scale: values at or above `min` get `label`."""

    min: float
    label: str = Field(min_length=1)


DEFAULT_PREDIKAT: tuple[Tingkat, ...] = (
    Tingkat(min=91, label="Sangat Baik"),
    Tingkat(min=76, label="Baik"),
    Tingkat(min=66, label="Cukup"),
    Tingkat(min=51, label="Kurang"),
    Tingkat(min=0, label="Sangat Kurang"),
)


class Variabel(_Strict):
    """An input the workbook asks for, once per period."""

    id: str = Field(pattern=NAME)
    label: str = Field(min_length=1)
    tipe: Tipe = Field(default=Tipe.BULAT, strict=False)
    satuan: str | None = None
    min: float | None = None
    max: float | None = None
    pilihan: list[str] | None = None
    wajib: bool = True
    agregasi_periode: AgregasiPeriode | None = Field(default=None, strict=False)
    agregasi_unit: AgregasiUnit = Field(default=AgregasiUnit.JUMLAH, strict=False)
    pengisi: Pengisi = Field(default=Pengisi.KELURAHAN, strict=False)
    bantuan: str | None = None

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Effective (min, max): counts and decimals are never negative, percentages 0–100."""
        low, high = self.min, self.max
        if self.tipe in (Tipe.BULAT, Tipe.DESIMAL, Tipe.PERSEN) and low is None:
            low = 0
        if self.tipe is Tipe.PERSEN and high is None:
            high = 100
        return low, high

    @property
    def period_rule(self) -> AgregasiPeriode:
        """How the per-period values become the annual one (text answers keep the last)."""
        if self.agregasi_periode is not None:
            return self.agregasi_periode
        if self.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN, Tipe.PERSEN):
            return AgregasiPeriode.TERAKHIR
        return AgregasiPeriode.JUMLAH

    @property
    def choices(self) -> list[str]:
        if self.tipe is Tipe.YA_TIDAK:
            return ["Ya", "Tidak"]
        return list(self.pilihan or [])


class Konstanta(_Strict):
    """A constant of a `rumus` stated for a stretch of time: `per: tahun` is the year's value
    (the decree's "dalam 1 tahun"), used as is in the annual column and scaled to a period's
    share of the year (a quarter, a semester) in a period column; `per: periode` is the same
    in every column (as is a plain number)."""

    nilai: float
    per: Literal["tahun", "periode"] = "periode"


class Aturan(_Strict):
    """A cross-variable rule checked on every period: `kiri operator kanan`."""

    kiri: str
    operator: Literal["<=", "<", ">=", ">", "=", "<>"]
    kanan: str
    pesan: str = Field(min_length=1)


class Ambang(_Strict):
    """Threshold a unit's value must meet (e.g. IKM >= 75)."""

    variabel: str
    operator: Literal[">=", ">", "<=", "<"] = ">="
    nilai: float


class Renstra(_Strict):
    """The end target of an indicator in the office's Renstra (its five-year strategic plan):
    the level to reach by the plan's last year, against which the LKjIP shows progress."""

    tahun: int = Field(ge=2000, le=2100)
    target: float


class Indikator(_Strict):
    """One indicator of a jabatan (or of the office's IKU table)."""

    id: str = Field(pattern=SLUG)
    sasaran: str = Field(min_length=1)
    nama: str = Field(min_length=1)
    formulasi: str = Field(min_length=1)
    sumber_data: str
    satuan: str = Field(min_length=1)
    target: float | None = None
    polaritas: Polaritas = Field(default=Polaritas.NAIK, strict=False)
    jenis: Jenis = Field(strict=False)
    variabel: list[Variabel] = Field(min_length=1)
    pembilang: str | None = None
    penyebut: str | None = None
    rumus: str | None = None
    konstanta: dict[str, float | Konstanta] = Field(default_factory=dict)
    skala: list[Tingkat] | None = None
    ambang: Ambang | None = None
    hitung: Literal["jumlah", "semua"] | None = None
    batas_capaian: float | None = None
    aturan: list[Aturan] = Field(default_factory=list)
    renstra: Renstra | None = None
    batas_perubahan: float | None = Field(default=None, gt=0)  # % change from last year's
    # value beyond which the verifier's page flags it (None: the default, 50 %)
    # the kabupaten indicator this one cascades from (a kode of the kabupaten's
    # iku_kabupaten.csv, checked there): the roll-up aggregates it over the kecamatan
    iku_kabupaten: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
    asumsi: str | None = None
    catatan: str | None = None

    def variable(self, name: str) -> Variabel:
        return next(v for v in self.variabel if v.id == name)

    def constants(self, share: float = 1.0) -> dict[str, float]:
        """The constants' values in a column covering `share` of the year (1 for the annual
        column, 1/4 for a triwulan): a constant `per: tahun` is scaled, others are not."""
        return {name: (c.nilai * share if c.per == "tahun" else c.nilai)
                if isinstance(c, Konstanta) else float(c) for name, c in self.konstanta.items()}

    @property
    def pengisi(self) -> Pengisi:
        """Who fills this indicator in (validation ensures all its variables agree)."""
        return self.variabel[0].pengisi


class IkuIndikator(Indikator):
    """A row of the office-level IKU table, with who answers for it."""

    penanggung_jawab: list[str] = Field(min_length=1)
    jabatan: list[str] = Field(default_factory=list)


class Jabatan(_Strict):
    """A position with its tugas, fungsi and indicators."""

    id: str = Field(pattern=SLUG)
    nama: str = Field(min_length=1)
    singkatan: str | None = Field(default=None, max_length=31)
    sumber: str = Field(min_length=1)
    jumlah_pemangku: int = Field(default=1, ge=1)
    tugas: list[str] = Field(default_factory=list)
    fungsi: list[str] = Field(default_factory=list)
    catatan: str | None = None
    indikator: list[Indikator] = Field(default_factory=list)


class Iku(_Strict):
    """The office-level table of Indikator Kinerja Utama."""

    sumber: str = Field(min_length=1)
    judul: str = "Indikator Kinerja Utama"
    indikator: list[IkuIndikator] = Field(min_length=1)


ADDED_KEYS = ("renstra", "batas_perubahan", "iku_kabupaten")  # indicator keys that count
# in the hash only when set


class Blueprint(_Strict):
    """An IKI decree of one kecamatan office."""

    id: str = Field(pattern=SLUG)
    versi: str = Field(min_length=1)
    nama: str = Field(min_length=1)
    kantor: str = Field(min_length=1)
    wilayah: str | None = None
    dasar: str | None = None
    jenis_unit: Literal["kelurahan", "desa"] = "kelurahan"
    pembagian: Pembagian = Field(default=Pembagian.TRIWULAN, strict=False)
    predikat: list[Tingkat] = Field(default_factory=lambda: list(DEFAULT_PREDIKAT))
    batas_capaian: float | None = None
    catatan: str | None = None
    jabatan: list[Jabatan] = Field(default_factory=list)
    iku: Iku | None = None

    @property
    def periods(self) -> tuple[str, ...]:
        return PERIOD_LABELS[self.pembagian]

    def canonical(self) -> str:
        """The blueprint as canonical JSON: what its content hash is computed over and what the
        store archives. Keys added to the model after the first release are left out while
        unset (an indicator without `renstra`), so a blueprint keeps the hash it had."""
        data = self.model_dump(mode="json")
        for ind in [i for j in data["jabatan"] for i in j["indikator"]] + (
                data["iku"]["indikator"] if data["iku"] else []):
            for key in ADDED_KEYS:
                if ind.get(key) is None:
                    ind.pop(key, None)
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the blueprint (comments and layout do not count)."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    def jabatan_by_id(self, jabatan_id: str) -> Jabatan:
        return next(j for j in self.jabatan if j.id == jabatan_id)


# --- turning pydantic errors into located Indonesian messages ------------------------------


# --- semantic checks beyond types ----------------------------------------------------------


# Words that say a variable is the whole (a denominator): "seluruh", "jumlah ... yang ada",
# "diundang"/"undangan".


def indicators(bp: Blueprint) -> Iterator[tuple[Jabatan | None, Indikator]]:
    """Every indicator of the blueprint with its jabatan (None for the IKU table)."""
    for jab in bp.jabatan:
        for ind in jab.indikator:
            yield jab, ind
    if bp.iku is not None:
        for iku in bp.iku.indikator:
            yield None, iku
