"""The units an office sends workbooks to: the `Unit` value, and the units list (`unit.csv`).

The list is the office's own file, yet it is read within bounds: at most `MAX_UNITS_BYTES`,
`MAX_UNITS` rows and `MAX_FIELD_CHARS` characters a field (a field over the csv module's own
limit is a located finding, not a `_csv.Error`); no control character (a NUL byte, a line
break inside quotes, a bidi override) in a kode, name or address, since each is written into
workbooks, file names and e-mail headers; and no unit may take the office's own kode.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.core import angka
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.findings import Finding, os_reason

OFFICE_KODE = "kecamatan"  # the kecamatan office's kode in every units list (reserved)
MAX_UNITS_BYTES = 4 * 1024 * 1024
MAX_UNITS = 10_000  # rows; a kecamatan has at most a few hundred kelurahan/desa
MAX_FIELD_CHARS = {"kode": 40, "nama": 200, "email": 254}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                      "\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Unit:
    """A recipient of a workbook: a kelurahan/desa, or the kecamatan office itself."""

    kode: str
    nama: str
    email: str | None = None
    kantor: bool = False


def file_safe(text: str) -> str:
    """ASCII letters, digits and hyphens only: safe in an email attachment list."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def read_units(path: Path) -> tuple[list[Unit], list[Finding]]:
    """Units from a CSV with at least the columns `kode` and `nama` (`email` optional)."""
    shown = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_UNITS_BYTES + 1)
        if len(raw) > MAX_UNITS_BYTES:
            return [], [Finding.of(Code.UNITS_TOO_LARGE.message(batas=MAX_UNITS_BYTES // 2**20),
                                   file=shown)]
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        return [], [Finding.of(Code.UNITS_MISSING.message(), file=shown)]
    except OSError as exc:
        return [], [Finding.of(Code.UNITS_UNREADABLE.message(alasan=os_reason(exc)), file=shown)]
    except UnicodeDecodeError:
        return [], [Finding.of(Code.UNITS_UNREADABLE.message("not-utf8"), file=shown)]
    lines = text.splitlines()
    skipped = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    # lines starting with '#' are notes for the person editing the list; later ones become
    # blank lines, so every row keeps its line number
    body = "\n".join("" if line.startswith("#") else line for line in lines[skipped:])
    header = lines[skipped] if skipped < len(lines) else ""
    delimiter = max(",;\t", key=header.count)  # spreadsheets in Indonesia often save with ';'
    reader = csv.DictReader(io.StringIO(body), delimiter=delimiter)
    try:
        columns = {(c or "").strip().lower(): c for c in (reader.fieldnames or [])}
    except csv.Error:
        return [], [_unreadable_row(shown, skipped + reader.line_num + 1)]
    missing = [c for c in ("kode", "nama") if c not in columns]
    if missing:
        return [], [Finding.of(Code.UNITS_MISSING_COLUMN.message(kolom=", ".join(missing)),
                               file=shown, line=skipped + 1)]
    return _rows(reader, columns, shown, skipped)


def _unreadable_row(shown: str, line: int) -> Finding:
    return Finding.of(Code.UNITS_INVALID_VALUE.message(), file=shown, line=line)


def _rows(reader: csv.DictReader[str], columns: dict[str, str], shown: str,
          skipped: int) -> tuple[list[Unit], list[Finding]]:
    units: list[Unit] = []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            findings.append(_unreadable_row(shown, skipped + reader.line_num + 1))
            break
        line = skipped + reader.line_num
        if len(units) >= MAX_UNITS:
            findings.append(Finding.of(Code.UNITS_TOO_LARGE.message(
                "rows", batas=angka.ribuan(MAX_UNITS)), file=shown, line=line))
            break
        kode = (row.get(columns["kode"]) or "").strip()
        nama = (row.get(columns["nama"]) or "").strip()
        email = (row.get(columns["email"]) or "").strip() if "email" in columns else ""
        if not kode and not nama:
            continue
        if not kode or not nama:
            findings.append(Finding.of(Code.UNITS_INCOMPLETE_ROW.message(), file=shown,
                                       line=line))
            continue
        problem = _field_problem({"kode": kode, "nama": nama, "email": email})
        if problem:
            findings.append(Finding.of(problem, file=shown, line=line))
            continue
        if kode in seen:
            findings.append(Finding.of(Code.UNITS_DUPLICATE_KODE.message(kode=kode,
                                                                         baris=seen[kode]),
                                       file=shown, line=line))
            continue
        seen[kode] = line
        units.append(Unit(kode=kode, nama=nama, email=email or None))
    return units, findings


def _field_problem(fields: dict[str, str]) -> Message | None:
    """What is wrong with one row's kode, nama and email (None: fine)."""
    for name, value in fields.items():
        if len(value) > MAX_FIELD_CHARS[name]:
            return Code.UNITS_INVALID_VALUE.message("too-long", kolom=name,
                                                    panjang=angka.ribuan(len(value)),
                                                    batas=MAX_FIELD_CHARS[name])
        control = _CONTROL.search(value)
        if control:
            return Code.UNITS_INVALID_VALUE.message("control", kolom=name,
                                                    karakter=f"{ord(control.group()):04X}")
    if fields["kode"].lower() == OFFICE_KODE or file_safe(fields["kode"]).lower() == OFFICE_KODE:
        return Code.UNITS_INVALID_VALUE.message("office-kode", kode=fields["kode"])
    if not file_safe(fields["kode"]):
        return Code.UNITS_INVALID_VALUE.message("no-letters", kode=fields["kode"])
    return None

