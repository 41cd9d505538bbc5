"""The target form (`iki-xlsx target templat --tahun 2026`): one row per indicator of a blueprint
for the kecamatan's targets, and one row per indicator and unit where the decree has each unit
type its own target; filled in Excel, LibreOffice or WPS, then recorded as a version.

The form starts from the latest version recorded for the year when there is one (a perubahan
starts from the murni), otherwise from the decree's annual targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint, indicators
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import target_is_input
from iki_xlsx.targets.form import FormColumn, FormPart, FormSheet, write_form
from iki_xlsx.targets.model import KindOfVersion, Target, TargetVersion, key_of, typing_of

TARGET_SHEET = "Target"
UNIT_SHEET = "Target Unit"
KEY = "Kunci"
ANNUAL = "Target tahunan"
DECREE = "Target keputusan"
UNIT_KODE = "Kode unit"
PARTS = ("Blueprint", "Tahun", "Jenis", "Tanggal", "Alasan")
HINT = "buat formulir baru dengan: iki-xlsx target templat --tahun TAHUN"


def period_headers(bp: Blueprint) -> tuple[str, ...]:
    """The period columns: "Target TW I" ... (or semesters, or none for a yearly blueprint)."""
    return tuple(f"Target {p}" for p in bp.periods) if len(bp.periods) > 1 else ()


def guide(bp: Blueprint, tahun: int) -> list[str]:
    periods = ", ".join(bp.periods)
    return [
        f"Formulir target {bp.kantor} tahun {tahun} (blueprint {bp.id} versi {bp.versi}).",
        "",
        "1. Lembar Versi: pilih Jenis (murni saat Perjanjian Kinerja awal tahun, perubahan "
        "saat target direvisi), ketik Tanggal penetapan dan Alasan.",
        f"2. Lembar Target: untuk setiap indikator ketik target tahunan dan target {periods} "
        "di sel kuning. Kolom 'Cara target' menyebut cara mengisinya:",
        "   - 'per triwulan (dijumlah)': target kegiatan pada triwulan itu saja; keempatnya "
        "dijumlah dan jumlahnya harus sama dengan target tahunan;",
        "   - 'kumulatif (s.d. triwulan)': tingkat yang harus dicapai sampai akhir triwulan itu; "
        "target triwulan terakhir harus sama dengan target tahunan.",
        "   Baris yang seluruh sel kuningnya kosong memakai target dari keputusan IKI.",
        "3. Lembar Target Unit (bila ada): target masing-masing kelurahan/desa untuk indikator "
        "yang targetnya diisi per unit.",
        "4. Target yang menjadi pembagi capaian tidak boleh 0 (target tahunan, dan target s.d. "
        "setiap triwulan), kecuali untuk indikator yang makin kecil makin baik.",
        "5. Simpan berkas (.xlsx), lalu catat sebagai versi target: iki-xlsx target catat "
        "BERKAS.xlsx. Setiap kesalahan ditunjukkan dengan lembar dan selnya, mis. Target!H5.",
        "",
        "Capaian setiap triwulan diukur terhadap target versi yang berlaku pada akhir triwulan "
        "itu; capaian setahun terhadap versi yang berlaku pada akhir tahun.",
    ]


def write_target_form(bp: Blueprint, tahun: int, path: Path, units: Sequence[Unit] = (),
                      start: TargetVersion | None = None) -> Path:
    """Write the target form of `bp` for `tahun`, filled from `start` (a recorded version)
    when given, else from the decree's annual targets."""
    periods = period_headers(bp)
    jenis = KindOfVersion.PERUBAHAN if start is not None else KindOfVersion.MURNI
    parts = [
        FormPart("Blueprint", bp.id, "Id blueprint (keputusan IKI) yang targetnya ditetapkan; "
                 "jangan diubah."),
        FormPart("Tahun", tahun, "Tahun anggaran target ini; jangan diubah."),
        FormPart("Jenis", str(jenis), "murni: Perjanjian Kinerja awal tahun; perubahan: target "
                 "yang direvisi (APBD perubahan, pejabat baru).", input=True,
                 choices=tuple(str(k) for k in KindOfVersion)),
        FormPart("Tanggal", None, "Tanggal target ditetapkan (hari-bulan-tahun), misalnya "
                 "tanggal Perjanjian Kinerja ditandatangani.", input=True, date=True),
        FormPart("Alasan", None, "Mengapa versi ini dibuat, misalnya 'Perjanjian Kinerja awal "
                 "tahun' atau 'Perubahan APBD 2026'.", input=True),
    ]
    head = [FormColumn(KEY, 24, help="Kunci indikator (jabatan/indikator); jangan diubah."),
            FormColumn("Jabatan / tabel", 22), FormColumn("Sasaran", 26),
            FormColumn("Indikator", 40), FormColumn("Satuan", 9),
            FormColumn("Cara target", 14),
            FormColumn(DECREE, 10, help="Target tahunan menurut keputusan IKI (bila ada); "
                       "hanya keterangan.")]
    numbers = [FormColumn(ANNUAL, 11, input=True, number=True,
                          help="Target setahun, sebagai angka."),
               *[FormColumn(p, 9, input=True, number=True,
                            help=f"{p}: lihat kolom Cara target.") for p in periods]]
    main = FormSheet(TARGET_SHEET, [*head, *numbers])
    unit_rows = FormSheet(UNIT_SHEET, [
        FormColumn(KEY, 24), FormColumn(UNIT_KODE, 12), FormColumn("Unit", 20),
        FormColumn("Indikator", 40), FormColumn("Satuan", 9), FormColumn("Cara target", 14),
        *numbers])
    kelurahan = [u for u in units if not u.kantor]
    for jab, ind in indicators(bp):
        key = key_of(jab, ind)
        typing = typing_of(ind).words(bp.pembagian)
        owner = jab.nama if jab else (bp.iku.judul if bp.iku else "IKU")
        given = start.target(key) if start is not None else None
        main.rows.append([key, owner, ind.sasaran, ind.nama, ind.satuan, typing, ind.target,
                          *_values(given, len(periods))])
        for unit in kelurahan:
            if target_is_input(ind, unit):
                own = start.target(key, unit.kode) if start is not None else None
                unit_rows.rows.append([key, unit.kode, unit.nama, ind.nama, ind.satuan, typing,
                                       *_values(own, len(periods))])
    sheets = [main, *([unit_rows] if unit_rows.rows else [])]
    title = f"Target {bp.kantor} {tahun}"
    return write_form(path, title, guide(bp, tahun), parts, sheets)


def _values(given: Target | None, periods: int) -> list[str | float | None]:
    if given is not None:
        return [given.tahunan, *(list(given.periods) if periods else [])]
    return [None] * (1 + periods)
