"""The kabupaten's own indicators (`iku_kabupaten.csv` of its workspace) and the kecamatan
blueprints' `iku_kabupaten` mappings onto them.

    kode,nama,satuan
    IKU-1,Persentase layanan administrasi kependudukan selesai tepat waktu,%

A kecamatan indicator names the kabupaten indicator it cascades from with `iku_kabupaten:
IKU-1`. The roll-up aggregates each kabupaten indicator over the kecamatan by the mapped
indicators' own rule (`rule_of`): a ratio (persentase, ambang) as Σpembilang / Σpenyebut x 100,
never an average of percentages; a count (jumlah) as a sum; a score (nilai, daftar periksa)
as the mean of the kecamatan. A general formula (rumus) cannot be aggregated and is refused.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint, Jenis
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding

LIST_NAME = "iku_kabupaten.csv"
MAX_LIST_BYTES = 256 * 1024
RATIO, SUM, MEAN = "rasio", "jumlah", "rata_rata"
RULES = {Jenis.PERSENTASE: RATIO, Jenis.AMBANG: RATIO, Jenis.JUMLAH: SUM, Jenis.NILAI: MEAN,
         Jenis.DAFTAR_PERIKSA: MEAN}
RULE_WORDS = {RATIO: "Σ pembilang / Σ penyebut × 100", SUM: "jumlah seluruh kecamatan",
              MEAN: "rata-rata kecamatan"}


@dataclass(frozen=True)
class IkuKabupaten:
    """One indicator of the kabupaten."""

    kode: str
    nama: str
    satuan: str


def rule_of(jenis: Jenis) -> str | None:
    """How a kabupaten indicator aggregates the kecamatan indicators of this kind (None:
    it cannot)."""
    return RULES.get(jenis)


def read_iku_list(path: Path) -> tuple[list[IkuKabupaten], list[Finding]]:
    """The kabupaten's indicators; a missing file is an empty list."""
    try:
        raw = path.read_bytes()[:MAX_LIST_BYTES + 1]
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [Finding.of(Code.IKU_KABUPATEN_INVALID.message(
            "list", baris=0, alasan=str(exc.strerror)), file=LIST_NAME)]
    text = raw.decode("utf-8-sig", errors="replace")
    found: list[IkuKabupaten] = []
    findings: list[Finding] = []
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for number, row in enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1):
        if not row or row[0].strip().lower() == "kode":
            continue
        cells = [c.strip() for c in row]
        if len(cells) < 3 or not all(cells[:3]):
            findings.append(Finding.of(Code.IKU_KABUPATEN_INVALID.message(
                "list", baris=number, alasan="kode, nama atau satuan kosong"), file=LIST_NAME,
                line=number))
            continue
        if any(i.kode == cells[0] for i in found):
            findings.append(Finding.of(Code.IKU_KABUPATEN_INVALID.message(
                "list", baris=number, alasan=f"kode {cells[0][:40]} disebut dua kali"),
                file=LIST_NAME, line=number))
            continue
        found.append(IkuKabupaten(cells[0], cells[1], cells[2]))
    return found, findings


def check_mappings(bp: Blueprint, listed: list[IkuKabupaten], source: Path | None = None
                   ) -> list[Finding]:
    """Every `iku_kabupaten` of `bp` that the list does not hold or that cannot be
    aggregated, located at its line in the blueprint's YAML file when `source` is one."""
    kodes = {i.kode for i in listed}
    lines = _lines(source)
    findings = []
    for j, jab in enumerate(bp.jabatan):
        for k, ind in enumerate(jab.indikator):
            path: tuple[str | int, ...] = ("jabatan", j, "indikator", k, "iku_kabupaten")
            findings += _check(ind.id, ind.iku_kabupaten, ind.jenis, kodes, source,
                               lines(path))
    if bp.iku is not None:
        for k, iku in enumerate(bp.iku.indikator):
            findings += _check(iku.id, iku.iku_kabupaten, iku.jenis, kodes, source,
                               lines(("iku", "indikator", k, "iku_kabupaten")))
    return findings


def _check(indikator: str, kode: str | None, jenis: Jenis, kodes: set[str],
           source: Path | None, line: int | None) -> list[Finding]:
    if kode is None:
        return []
    where = str(source) if source is not None else None
    if kode not in kodes:
        return [Finding.of(Code.IKU_KABUPATEN_INVALID.message(indikator=indikator, kode=kode),
                           file=where, line=line)]
    if rule_of(jenis) is None:
        return [Finding.of(Code.IKU_KABUPATEN_INVALID.message(
            "jenis", indikator=indikator, jenis=str(jenis), kode=kode), file=where, line=line)]
    return []


def _lines(source: Path | None):  # type: ignore[no-untyped-def]
    """Line of a data path in the blueprint's YAML source (None when not a YAML file)."""
    if source is None or source.suffix.lower() not in (".yaml", ".yml"):
        return lambda path: None
    from iki_xlsx.blueprint.load import yaml_lines  # the parse its loading already made

    try:
        found = yaml_lines(source.read_text(encoding="utf-8"))
    except Exception:
        return lambda path: None
    if found is None:
        return lambda path: None
    return lambda path: found.line_of(path)
