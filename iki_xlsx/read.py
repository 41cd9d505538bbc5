"""Read a returned workbook in one pass: every cell's formula text and stored value.

`read_workbook(path) -> WorkbookData` is the whole interface. Sheets stream through expat
into plain dicts (measured faster than ElementTree's iterparse and than openpyxl: see
benchmarks/bench_read.py); the small parts go through defusedxml.

Nothing in the file is trusted: sizes are limited before anything is parsed, XML
with a DTD (entity bombs) is refused, and every problem becomes a `ReadError`
with a finding code, never a traceback.
"""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from defusedxml import ElementTree as SafeET
from openpyxl.formula.translate import Translator

from .errors import ReadError as ReadError  # re-exported: its home is errors
from .findings import os_reason
from .plan import MANIFEST_SHEET

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_PART_RATIO = 200
MAX_SHEETS = 500
MAX_CELLS = 2_000_000

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}
_M = "{" + NS["m"] + "}"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass
class SheetData:
    """One worksheet: cell ref -> (formula text or None, stored value)."""

    name: str
    state: str
    cells: dict[str, tuple[str | None, Any]] = field(default_factory=dict)

    def formula(self, ref: str) -> str | None:
        return self.cells.get(ref, (None, None))[0]

    def value(self, ref: str) -> Any:
        return self.cells.get(ref, (None, None))[1]

    def has_stored_value(self, ref: str) -> bool:
        return ref in self.cells and self.cells[ref][1] is not _NO_VALUE


class _NoValue:
    """A formula cell saved without a computed value."""

    def __repr__(self) -> str:
        return "<tanpa nilai>"


_NO_VALUE = _NoValue()
NO_VALUE: Any = _NO_VALUE


@dataclass
class WorkbookData:
    """What the checker needs from a workbook."""

    sheets: dict[str, SheetData]
    defined_names: dict[str, str]
    custom_properties: dict[str, str]
    external_links: list[str]
    manifest: dict[str, Any] | None


def read_workbook(path: Path) -> WorkbookData:
    """Read `path`; raises `ReadError` for anything that is not a readable .xlsx."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ReadError("unreadable-file",
                        f"berkas tidak dapat dibuka ({os_reason(exc)})") from None
    _check_kind(path, head, size)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ReadError("unreadable-file", "berkas rusak atau terpotong (arsip zip tidak "
                                           "utuh); simpan ulang sebagai .xlsx lalu kirim lagi"
                        ) from None
    with archive:
        return _read_archive(archive)


def _check_kind(path: Path, head: bytes, size: int) -> None:
    suffix = path.suffix.lower()
    if size == 0:
        raise ReadError("unreadable-file", "berkas kosong (0 byte)")
    if size > MAX_FILE_BYTES:
        raise ReadError("unreadable-file", f"berkas terlalu besar ({size // 1_048_576} MB; "
                                           f"batas {MAX_FILE_BYTES // 1_048_576} MB)")
    if head.startswith(OLE_MAGIC):
        raise ReadError("unsupported-format",
                        "berkas terenkripsi dengan kata sandi atau berformat .xls lama; buka di "
                        "Excel, hapus kata sandi, lalu simpan sebagai .xlsx")
    if suffix in (".ods", ".xlsm", ".xls", ".xlsb", ".csv"):
        raise ReadError("unsupported-format", f"format {suffix} tidak diterima; simpan sebagai "
                                              "Buku Kerja Excel (.xlsx) lalu kirim lagi")
    if not head.startswith(b"PK"):
        raise ReadError("unsupported-format", "berkas bukan buku kerja .xlsx (mungkin CSV atau "
                                              "teks yang diberi nama .xlsx)")


def _read_archive(archive: zipfile.ZipFile) -> WorkbookData:
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise ReadError("unreadable-file", "isi berkas terlalu besar setelah dibuka "
                                           "(kemungkinan bom zip)")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_PART_RATIO * max(1,
                                                                                 info.compress_size):
            raise ReadError("unreadable-file", "bagian berkas memampat tidak wajar "
                                               "(kemungkinan bom zip)")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise ReadError("unsupported-format", "berkas .ods (OpenDocument) diberi nama .xlsx; "
                                                  "simpan sebagai .xlsx")
        raise ReadError("unsupported-format", "berkas zip ini bukan buku kerja Excel")
    if "xl/vbaProject.bin" in names:
        raise ReadError("unsupported-format", "buku kerja berisi makro (.xlsm); simpan sebagai "
                                              ".xlsx tanpa makro")
    workbook = _parse(archive, "xl/workbook.xml")
    rels = _relationships(archive, "xl/_rels/workbook.xml.rels")
    sheet_entries = workbook.findall("m:sheets/m:sheet", NS)
    if len(sheet_entries) > MAX_SHEETS:
        raise ReadError("unreadable-file", f"buku kerja memuat {len(sheet_entries)} lembar "
                                           f"(batas {MAX_SHEETS})")
    shared = _shared_strings(archive) if "xl/sharedStrings.xml" in names else []
    sheets: dict[str, SheetData] = {}
    cell_budget = [MAX_CELLS]
    for entry in sheet_entries:
        name = entry.get("name", "")
        target = rels.get(entry.get(f"{{{NS['r']}}}id", ""), "")
        part = posixpath.normpath(posixpath.join("xl", target)) if not target.startswith(
            "/") else target.lstrip("/")
        sheet = SheetData(name=name, state=entry.get("state", "visible"))
        if part in names:
            _read_sheet(archive, part, shared, sheet, cell_budget)
        sheets[name] = sheet
    defined = {d.get("name", ""): (d.text or "") for d in workbook.findall(
        "m:definedNames/m:definedName", NS) if d.get("localSheetId") is None}
    external = sorted(n for n in names if n.startswith("xl/externalLinks/"))
    return WorkbookData(sheets, defined, _custom_properties(archive, names), external,
                        _manifest(sheets.get(MANIFEST_SHEET)))


def _parse(archive: zipfile.ZipFile, part: str) -> Any:
    try:
        return SafeET.fromstring(archive.read(part), forbid_dtd=True)
    except Exception as exc:  # defusedxml and ElementTree raise many kinds
        raise ReadError("unreadable-file", f"bagian {part} tidak dapat dibaca "
                                           f"({type(exc).__name__})") from None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    if part not in archive.namelist():
        return {}
    root = _parse(archive, part)
    return {r.get("Id", ""): r.get("Target", "") for r in root.findall("rel:Relationship", NS)}


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    root = _parse(archive, "xl/sharedStrings.xml")
    return ["".join(t.text or "" for t in si.iter(f"{_M}t")) for si in root.findall("m:si", NS)]


def _read_sheet(archive: zipfile.ZipFile, part: str, shared: list[str], sheet: SheetData,
                budget: list[int]) -> None:
    """Stream one sheet's XML through expat straight into `sheet.cells` (no element tree);
    a DTD or an entity declaration is refused."""
    reader = _SheetReader(shared, sheet, budget)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    try:
        with archive.open(part) as raw:
            parser.ParseFile(raw)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError("unreadable-file", f"lembar '{sheet.name}' tidak dapat dibaca "
                                           f"({type(exc).__name__})") from None


def _refuse(*_: Any) -> None:
    raise ValueError("DTD atau entitas tidak diizinkan")


_C, _F, _V, _IS, _T = (NS["m"] + "}" + tag for tag in ("c", "f", "v", "is", "t"))


class _SheetReader:
    """expat handlers that collect each cell's formula text and stored value."""

    def __init__(self, shared: list[str], sheet: SheetData, budget: list[int]) -> None:
        self.shared, self.sheet, self.budget = shared, sheet, budget
        self.masters: dict[str, tuple[str, str]] = {}
        self.buffer: list[str] | None = None
        self.ref = self.kind = ""
        self.formula: tuple[str, dict[str, str]] | None = None
        self.value: str | None = None
        self.inline: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _C:
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise ReadError("unreadable-file", "buku kerja memuat terlalu banyak sel")
            self.ref, self.kind = attrs.get("r", ""), attrs.get("t", "n")
            self.formula = self.value = self.inline = None
        elif name == _F:
            self.formula = ("", attrs)
            self.buffer = []
        elif name == _V:
            self.buffer = []
        elif name == _IS:
            self.inline = []
        elif name == _T and self.inline is not None:
            self.buffer = []

    def text(self, data: str) -> None:
        if self.buffer is not None:
            self.buffer.append(data)

    def end(self, name: str) -> None:
        if name == _C:
            self.sheet.cells[self.ref] = self._cell()
        elif name == _F and self.formula is not None and self.buffer is not None:
            self.formula = ("".join(self.buffer), self.formula[1])
            self.buffer = None
        elif name == _V and self.buffer is not None:
            self.value = "".join(self.buffer)
            self.buffer = None
        elif name == _T and self.inline is not None and self.buffer is not None:
            self.inline.append("".join(self.buffer))
            self.buffer = None

    def _cell(self) -> tuple[str | None, Any]:
        formula: str | None = None
        if self.formula is not None:
            text, attrs = self.formula
            if attrs.get("t") == "shared":
                index = attrs.get("si", "")
                if text:
                    self.masters[index] = (self.ref, text)
                elif index in self.masters:
                    origin, master = self.masters[index]
                    text = Translator("=" + master, origin).translate_formula(self.ref)[1:]
            if text:
                formula = "=" + text
        if self.kind == "inlineStr":
            return formula, "".join(self.inline or ())
        if self.value is None:
            return formula, (NO_VALUE if formula else None)
        return formula, _stored(self.kind, self.value, self.shared)


def _stored(kind: str, raw: str, shared: list[str]) -> Any:
    """A stored value by its cell type."""
    if kind == "s":
        return shared[int(raw)] if raw.isdigit() and int(raw) < len(shared) else ""
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    try:
        return float(raw)
    except ValueError:
        return raw


def _custom_properties(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    if "docProps/custom.xml" not in names:
        return {}
    root = _parse(archive, "docProps/custom.xml")
    result = {}
    for prop in root.findall("cp:property", NS):
        values = list(prop)
        result[prop.get("name", "")] = (values[0].text or "") if values else ""
    return result


def _manifest(sheet: SheetData | None) -> dict[str, Any] | None:
    if sheet is None or sheet.value("A1") != "iki-xlsx manifest":
        return None
    rows = sorted((int(re.sub(r"\D", "", ref)), value) for ref, (_, value) in sheet.cells.items()
                  if ref.startswith("A") and ref != "A1" and isinstance(value, str))
    try:
        data = json.loads("".join(text for _, text in rows))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
