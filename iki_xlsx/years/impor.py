"""Last year's figures typed once by the office (`iki-xlsx impor-realisasi FILE --tahun 2025`):
for a year the store holds no returns of, or only some, the kecamatan's annual target and its
realisasi to date at the end of each period, per indicator.

The form is written by `write_realisasi_form`, read back by `read_realisasi_form` with every
problem at its cell, and recorded byte for byte like any return, marked as typed by the office
(`record_import`). Figures from returns in the store win over typed ones, period by period
(`years.figures`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from iki_xlsx.blueprint.model import Blueprint, Indikator, Polaritas, indicators
from iki_xlsx.core.findings import Code, Finding
from iki_xlsx.store.db import Store
from iki_xlsx.targets.form import (
    PARTS_SHEET,
    FormColumn,
    FormPart,
    FormReader,
    FormRow,
    FormSheet,
    read_bytes,
    write_form,
)
from iki_xlsx.targets.model import Typing, key_of, typing_of

KIND = "realisasi"
SHEET = "Realisasi"
KEY = "Kunci"
TARGET = "Target tahunan"
PARTS = ("Blueprint", "Tahun")
HINT = "buat formulir baru dengan: iki-xlsx impor-realisasi --templat BERKAS.xlsx --tahun TAHUN"


def realisasi_headers(bp: Blueprint) -> tuple[str, ...]:
    """"Realisasi s.d. TW I" ... "Realisasi s.d. TW IV" (the last is the year's)."""
    if len(bp.periods) == 1:
        return ("Realisasi tahunan",)
    return tuple(f"Realisasi s.d. {p}" for p in bp.periods)


@dataclass(frozen=True)
class Typed:
    """One indicator's figures as the office typed them: the annual target and the realisasi
    to date at the end of each period (None: not typed)."""

    target: float | None
    realisasi: tuple[float | None, ...]


@dataclass(frozen=True)
class RealisasiImport:
    """Last year's figures of one blueprint, typed by the office."""

    blueprint: str
    tahun: int
    figures: Mapping[str, Typed]
    sha256: str = ""
    filename: str = ""
    urutan: int = 0

    def model_json(self) -> str:
        return json.dumps({"blueprint": self.blueprint, "tahun": self.tahun,
                           "indikator": {k: {"target": t.target, "realisasi": list(t.realisasi)}
                                         for k, t in sorted(self.figures.items())}},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, sha256: str = "", filename: str = "",
                  urutan: int = 0) -> RealisasiImport:
        data = json.loads(text)
        return cls(data["blueprint"], int(data["tahun"]),
                   {k: Typed(v["target"], tuple(v["realisasi"]))
                    for k, v in data["indikator"].items()}, sha256, filename, urutan)


# --- the form -----------------------------------------------------------------------------------

def guide(bp: Blueprint, tahun: int) -> list[str]:
    last = realisasi_headers(bp)[-1]
    return [
        f"Realisasi {bp.kantor} tahun {tahun}, diketik kantor (blueprint {bp.id}).",
        "",
        "Untuk tahun yang workbook-nya tidak (atau tidak seluruhnya) kembali lewat iki-xlsx, "
        "ketik di sini angka kecamatan dari laporan tahun itu (misalnya LKjIP).",
        "1. Target tahunan: target kecamatan tahun itu.",
        "2. Realisasi s.d. setiap triwulan: realisasi kecamatan sampai akhir triwulan itu "
        f"(untuk jumlah: dijumlah sejak awal tahun; untuk persentase dan nilai: angka pada akhir "
        f"triwulan). {last} adalah realisasi setahun.",
        "3. Sel yang tidak diketahui biarkan kosong (bukan 0): kosong berarti tidak ada data.",
        "4. Realisasi dari workbook yang kembali dan tersimpan tetap dipakai lebih dahulu; "
        "angka di sini mengisi triwulan yang tidak ada datanya.",
        f"5. Simpan, lalu: iki-xlsx impor-realisasi BERKAS.xlsx --tahun {tahun}",
    ]


def write_realisasi_form(bp: Blueprint, tahun: int, path: Path) -> Path:
    """Write the form to type `tahun`'s figures of `bp` in."""
    headers = realisasi_headers(bp)
    parts = [FormPart("Blueprint", bp.id, "Id blueprint; jangan diubah."),
             FormPart("Tahun", tahun, "Tahun realisasi ini; jangan diubah.")]
    sheet = FormSheet(SHEET, [
        FormColumn(KEY, 24, help="Kunci indikator (jabatan/indikator); jangan diubah."),
        FormColumn("Jabatan / tabel", 22), FormColumn("Indikator", 40),
        FormColumn("Satuan", 9), FormColumn("Cara realisasi", 14),
        FormColumn(TARGET, 10, input=True, number=True, help="Target kecamatan setahun."),
        *[FormColumn(h, 10, input=True, number=True,
                     help=f"{h}: realisasi kecamatan sampai akhir periode itu.")
          for h in headers]])
    for jab, ind in indicators(bp):
        owner = jab.nama if jab else (bp.iku.judul if bp.iku else "IKU")
        sheet.rows.append([key_of(jab, ind), owner, ind.nama, ind.satuan, _how(ind),
                           ind.target, *([None] * len(headers))])
    return write_form(path, f"Realisasi {bp.kantor} {tahun}", guide(bp, tahun), parts, [sheet])


def _how(ind: Indikator) -> str:
    """How the realisasi to date of the indicator is typed."""
    return ("dijumlah sejak awal tahun" if typing_of(ind) is Typing.PER_PERIOD
            else "angka pada akhir periode")


# --- reading ------------------------------------------------------------------------------------

@dataclass
class ImportRead:
    path: Path
    figures: RealisasiImport | None = None
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.figures is not None and not self.findings


def read_realisasi_form(path: Path, blueprints: Mapping[str, Sequence[Blueprint]], tahun: int,
                        shown: str | None = None) -> ImportRead:
    """Read and check the form against the office's blueprints (each id with its versions,
    the current first: a key of any version is known) for the year the command names."""
    shown = shown or path.name
    result = ImportRead(path)
    reader = FormReader(shown, HINT)
    data, book = read_bytes(path, reader)
    if book is None:
        result.findings = reader.findings
        return result
    try:
        figures = _read(reader, book, blueprints, tahun)
    finally:
        book.close()
    result.findings = reader.findings
    if figures is not None and not reader.findings:
        result.data = data
        result.figures = replace(figures, sha256=hashlib.sha256(data).hexdigest(),
                                 filename=path.name)
    return result


def _read(reader: FormReader, book: Any, blueprints: Mapping[str, Sequence[Blueprint]],
          tahun: int) -> RealisasiImport | None:
    if not reader.sheets_present(book, [PARTS_SHEET, SHEET]):
        return None
    parts = reader.parts(book[PARTS_SHEET], PARTS)
    if reader.findings:
        return None
    bp_id = reader.text(parts["Blueprint"], "Blueprint")
    versions = blueprints.get(bp_id or "")
    if bp_id is not None and not versions:
        reader.problem(parts["Blueprint"], Code.BLUEPRINT_NOT_FOUND.message(
            "id", blueprint=bp_id, tersedia=", ".join(sorted(blueprints)) or "-"))
    year = reader.year(parts["Tahun"], tahun)
    if not versions or year is None:
        return None
    known: dict[str, Indikator] = {}
    for bp in versions:
        for jab, ind in indicators(bp):
            known.setdefault(key_of(jab, ind), ind)
    headers = realisasi_headers(versions[0])
    rows = reader.table(book[SHEET], [KEY, TARGET, *headers])
    if rows is None:
        return None
    figures: dict[str, Typed] = {}
    first: dict[str, FormRow] = {}
    for row in rows:
        if row.empty([KEY, TARGET, *headers]):
            continue
        key = reader.text(row[KEY], "Kunci")
        if key is None:
            continue
        if key not in known:
            reader.problem(row[KEY], Code.FORM_UNKNOWN_INDICATOR.message(
                kunci=key, blueprint=versions[0].id, cara=HINT))
            continue
        if key in first:
            reader.problem(row[KEY], Code.FORM_INVALID_VALUE.message(
                "duplicate", kunci=key, baris=first[key].number))
            continue
        first[key] = row
        errors = len(reader.findings)
        target = reader.number(row[TARGET], TARGET)
        realisasi = tuple(reader.number(row[h], h) for h in headers)
        if len(reader.findings) > errors or (target is None and all(r is None for r in
                                                                     realisasi)):
            continue
        if target == 0 and known[key].polaritas is not Polaritas.TURUN:
            reader.problem(row[TARGET], Code.FORM_ZERO_TARGET.message("typed", kolom=TARGET))
            continue
        figures[key] = Typed(target, realisasi)
    return RealisasiImport(versions[0].id, year, figures)


# --- the store ----------------------------------------------------------------------------------

def record_import(store: Store, figures: RealisasiImport, data: bytes
                  ) -> tuple[RealisasiImport, bool]:
    """Keep the file byte for byte, then record what was read from it, marked as typed by
    the office; the import with its sequence number, and whether it is new."""
    with store.exclusive():
        store.keep_raw(figures.sha256, data)
        with store.transaction():
            urutan, new = store.record_office_file(KIND, figures.sha256, figures.filename,
                                                   figures.blueprint, figures.tahun,
                                                   figures.model_json())
    return replace(figures, urutan=urutan), new


def latest_import(store: Store, blueprint: str, tahun: int) -> RealisasiImport | None:
    """The last import recorded for the blueprint and year (the store's order)."""
    if not store.exists():
        return None
    rows = store.office_files(KIND, blueprint, tahun)
    if not rows:
        return None
    row = rows[-1]
    return RealisasiImport.from_json(row.model, sha256=row.sha256, filename=row.filename,
                                     urutan=row.id)


def imports(store: Store) -> list[RealisasiImport]:
    """Every import recorded, in the store's order."""
    if not store.exists():
        return []
    return [RealisasiImport.from_json(row.model, sha256=row.sha256, filename=row.filename,
                                      urutan=row.id) for row in store.office_files(KIND)]
