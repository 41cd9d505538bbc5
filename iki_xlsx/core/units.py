"""The units an office sends workbooks to: the `Unit` value, and the units list (`unit.csv`)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.core.findings import Finding, os_reason


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
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        return [], [Finding("units-unreadable",
                            f"daftar unit tidak dapat dibaca ({os_reason(exc)})", file=shown)]
    except UnicodeDecodeError:
        return [], [Finding("units-unreadable", "daftar unit bukan teks UTF-8; simpan ulang "
                            "sebagai CSV UTF-8", file=shown)]
    lines = text.splitlines()
    skipped = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    # lines starting with '#' are notes for the person editing the list; later ones become
    # blank lines, so every row keeps its line number
    body = "\n".join("" if line.startswith("#") else line for line in lines[skipped:])
    header = lines[skipped] if skipped < len(lines) else ""
    delimiter = max(",;\t", key=header.count)  # spreadsheets in Indonesia often save with ';'
    reader = csv.DictReader(io.StringIO(body), delimiter=delimiter)
    columns = {(c or "").strip().lower(): c for c in (reader.fieldnames or [])}
    missing = [c for c in ("kode", "nama") if c not in columns]
    if missing:
        return [], [Finding("units-missing-column",
                            f"kolom {', '.join(missing)} tidak ada pada daftar unit "
                            "(kolom wajib: kode, nama; email boleh ada)", file=shown,
                            line=skipped + 1)]
    units: list[Unit] = []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = skipped + reader.line_num
        kode = (row.get(columns["kode"]) or "").strip()
        nama = (row.get(columns["nama"]) or "").strip()
        email = (row.get(columns["email"]) or "").strip() if "email" in columns else ""
        if not kode and not nama:
            continue
        if not kode or not nama:
            findings.append(Finding("units-incomplete-row", "baris harus memiliki kode dan nama",
                                    file=shown, line=line))
            continue
        if kode in seen:
            findings.append(Finding("units-duplicate-kode",
                                    f"kode {kode} sudah dipakai pada baris {seen[kode]}; "
                                    "setiap unit harus punya kode sendiri", file=shown, line=line))
            continue
        seen[kode] = line
        units.append(Unit(kode=kode, nama=nama, email=email or None))
    return units, findings

