"""Read a returned workbook in one pass: every cell's formula text and stored value.

`read_workbook(path) -> WorkbookData` is the whole interface. Sheets and shared strings
stream through expat into plain dicts (measured faster than ElementTree's iterparse and
than openpyxl: see benchmarks/bench_read.py); the small parts go through defusedxml.

Nothing in the file is trusted, and every limit is applied before the work it protects:
the file's size before it is opened, the number of zip members before the directory is
parsed, every part's inflated size while it inflates, shared strings, rows, cells,
elements, formula length and shared-formula expansion while the XML streams. XML with a
DTD (entity bombs) is refused. Every problem becomes a `ReadError` with a finding code,
never a traceback.
"""

from __future__ import annotations

import json
import posixpath
import re
import stat
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.parsers import expat

from defusedxml import ElementTree as SafeET

from iki_xlsx.core import angka
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.errors import ReadError as ReadError  # re-exported: its home is errors
from iki_xlsx.core.findings import os_reason
from iki_xlsx.plan.carriers import MANIFEST_SHEET
from iki_xlsx.plan.formula import column_letters, column_number

_compiled: ModuleType | None
try:  # compiled where a C compiler and expat's headers were there at install (setup.py)
    from iki_xlsx.workbook import _sheetscan as _compiled
except ImportError:  # the tests require it (scripts/test.sh)
    _compiled = None

if TYPE_CHECKING:  # imported where a shared formula is met (openpyxl takes 0.2 s to import)
    from openpyxl.formula.translate import Translator

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # all parts read, counted while inflating
MAX_PART_BYTES = 64 * 1024 * 1024  # one sheet or the shared strings, inflated
MAX_SMALL_PART_BYTES = 8 * 1024 * 1024  # workbook.xml, relationships, properties
MAX_PART_RATIO = 200
MAX_MEMBERS = 5_000  # zip entries (a workbook has a few dozen)
MAX_SHEETS = 500
MAX_CELLS = 200_000  # a 400-kelurahan office workbook has about 4,000
MAX_ROWS = 200_000
MAX_ELEMENTS = 1_500_000  # XML elements in all sheets
MAX_SHARED_STRINGS = 200_000
MAX_TEXT_CHARS = 32_767  # Excel's limit for one cell's text
MAX_FORMULA_CHARS = 8_192  # Excel's limit for one formula
MAX_SHARED_FORMULA_CHARS = 1_000_000  # master text translated for shared-formula children
MAX_MANIFEST_CHARS = 5_000_000
READ_CHUNK = 64 * 1024
SCAN_PART_BYTES = 16 * 1024 * 1024  # a sheet up to this size may go to the compiled scanner

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}
_M = "{" + NS["m"] + "}"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


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


@dataclass
class _Budget:
    """What is left of each limit for one workbook, spent while reading."""

    inflated: int = MAX_UNPACKED_BYTES
    cells: int = MAX_CELLS
    rows: int = MAX_ROWS
    elements: int = MAX_ELEMENTS
    shared_formula: int = MAX_SHARED_FORMULA_CHARS

    def spend_cell(self) -> None:
        self.cells -= 1
        if self.cells < 0:
            raise ReadError(Code.UNREADABLE_FILE.message("too-many-cells",
                                                         batas=angka.ribuan(MAX_CELLS)))


def compiled_scanner() -> bool:
    """Whether this install has the compiled worksheet scanner (`_sheetscan`)."""
    return _compiled is not None


def read_workbook(path: Path, *, compiled: bool = True) -> WorkbookData:
    """Read `path`; raises `ReadError` for anything that is not a readable .xlsx.

    With `compiled` (and the scanner installed), a sheet of the regular shape every client
    writes is scanned in C and anything else is read in Python from the start; the result is
    the same either way (`compiled=False` reads every sheet in Python)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise ReadError(Code.UNREADABLE_FILE.message("not-regular"))
        with path.open("rb") as handle:
            size = _size(handle)
            head = handle.read(8)
            _check_kind(path, head, size)
            _check_member_count(handle, size)
            handle.seek(0)
            try:
                archive = zipfile.ZipFile(handle)
            except (zipfile.BadZipFile, ValueError, EOFError):
                raise ReadError(Code.UNREADABLE_FILE.message("broken-zip")) from None
            with archive:
                return _read_archive(archive, _compiled if compiled else None)
    except OSError as exc:
        raise ReadError(Code.UNREADABLE_FILE.message(alasan=os_reason(exc))) from None


def _size(handle: BinaryIO) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def _check_kind(path: Path, head: bytes, size: int) -> None:
    suffix = path.suffix.lower()
    if size == 0:
        raise ReadError(Code.UNREADABLE_FILE.message("empty"))
    if size > MAX_FILE_BYTES:
        raise ReadError(Code.UNREADABLE_FILE.message("too-big", ukuran=size // 1_048_576,
                                                     batas=MAX_FILE_BYTES // 1_048_576))
    if head.startswith(OLE_MAGIC):
        raise ReadError(Code.UNSUPPORTED_FORMAT.message("ole"))
    if suffix in (".ods", ".xlsm", ".xls", ".xlsb", ".csv"):
        raise ReadError(Code.UNSUPPORTED_FORMAT.message(format=suffix))
    if not head.startswith(b"PK"):
        raise ReadError(Code.UNSUPPORTED_FORMAT.message("not-zip"))


def zip_member_count(handle: BinaryIO, size: int) -> int | None:
    """The number of entries a zip's end record declares, read from its last 64 KB before
    the directory is parsed (None when there is no end record; a zip64 count is huge)."""
    tail = min(size, 65_557)
    handle.seek(size - tail)
    data = handle.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return None
    (entries,) = struct.unpack("<H", data[at + 10:at + 12])
    return 1 << 32 if entries == 0xFFFF else int(entries)


def _check_member_count(handle: BinaryIO, size: int) -> None:
    count = zip_member_count(handle, size)
    if count is not None and count > MAX_MEMBERS:
        raise ReadError(Code.UNREADABLE_FILE.message("too-many-parts",
                                                     batas=angka.ribuan(MAX_MEMBERS)))


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise ReadError(Code.UNREADABLE_FILE.message("too-many-parts",
                                                     batas=angka.ribuan(MAX_MEMBERS)))
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ReadError(Code.UNREADABLE_FILE.message("inflated"))
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ReadError(Code.UNREADABLE_FILE.message("compression",
                                                         bagian=info.filename[:80]))
        if info.file_size > 1_000_000 and info.file_size > MAX_PART_RATIO * max(
                1, info.compress_size):
            raise ReadError(Code.UNREADABLE_FILE.message("ratio"))


def _read_archive(archive: zipfile.ZipFile, scanner: Any) -> WorkbookData:
    infos = archive.infolist()
    _check_members(infos)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise ReadError(Code.UNSUPPORTED_FORMAT.message("ods"))
        raise ReadError(Code.UNSUPPORTED_FORMAT.message("not-excel"))
    if "xl/vbaProject.bin" in names:
        raise ReadError(Code.UNSUPPORTED_FORMAT.message("macros"))
    budget = _Budget()
    workbook = _parse(archive, "xl/workbook.xml", budget)
    rels = _relationships(archive, "xl/_rels/workbook.xml.rels", names, budget)
    sheet_entries = workbook.findall("m:sheets/m:sheet", NS)
    if len(sheet_entries) > MAX_SHEETS:
        raise ReadError(Code.UNREADABLE_FILE.message("too-many-sheets",
                                                     jumlah=len(sheet_entries), batas=MAX_SHEETS))
    parts = [_sheet_part(entry, rels) for entry in sheet_entries]
    present = [part for part in parts if part in names]
    if len(set(present)) != len(present):
        raise ReadError(Code.UNREADABLE_FILE.message("shared-sheets"))
    shared = (_shared_strings(archive, budget, scanner)
              if "xl/sharedStrings.xml" in names else [])
    sheets: dict[str, SheetData] = {}
    for entry, part in zip(sheet_entries, parts, strict=True):
        name = entry.get("name", "")
        sheet = SheetData(name=name, state=entry.get("state", "visible"))
        if part in names and (scanner is None or not _scan_sheet(
                scanner, archive, part, shared, sheet, budget)):
            _read_sheet(archive, part, shared, sheet, budget)
        sheets[name] = sheet
    defined = {d.get("name", ""): (d.text or "") for d in workbook.findall(
        "m:definedNames/m:definedName", NS) if d.get("localSheetId") is None}
    external = sorted(n for n in names if n.startswith("xl/externalLinks/"))
    return WorkbookData(sheets, defined, _custom_properties(archive, names, budget), external,
                        _manifest(sheets.get(MANIFEST_SHEET)))


def _sheet_part(entry: Any, rels: dict[str, str]) -> str:
    target = rels.get(entry.get(f"{{{NS['r']}}}id", ""), "")
    if target.startswith("/"):
        return str(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


def _chunks(archive: zipfile.ZipFile, part: str, cap: int, budget: _Budget) -> Iterator[bytes]:
    """A part's inflated bytes, counted while inflating: never more than `cap` or what is
    left of the workbook's budget."""
    read = 0
    with archive.open(part) as raw:
        while chunk := raw.read(READ_CHUNK):
            read += len(chunk)
            budget.inflated -= len(chunk)
            if read > cap or budget.inflated < 0:
                raise ReadError(Code.UNREADABLE_FILE.message("part-too-big", bagian=part[:80]))
            yield chunk


def _parse(archive: zipfile.ZipFile, part: str, budget: _Budget) -> Any:
    try:
        data = b"".join(_chunks(archive, part, MAX_SMALL_PART_BYTES, budget))
        return SafeET.fromstring(data, forbid_dtd=True)
    except ReadError:
        raise
    except Exception as exc:  # zipfile, defusedxml and ElementTree raise many kinds
        raise ReadError(Code.UNREADABLE_FILE.message("part", bagian=part,
                                                     galat=type(exc).__name__)) from None


def _relationships(archive: zipfile.ZipFile, part: str, names: set[str],
                   budget: _Budget) -> dict[str, str]:
    if part not in names:
        return {}
    root = _parse(archive, part, budget)
    return {r.get("Id", ""): r.get("Target", "") for r in root.findall("rel:Relationship", NS)}


def _stream(archive: zipfile.ZipFile, part: str, budget: _Budget,
            unreadable: Callable[[str], Message],
            handlers: Callable[[Any], tuple[Callable[..., None], Callable[[str], None],
                                            Callable[[str], None]]]) -> None:
    """Stream one part through expat in chunks counted while inflating; a DTD or an entity
    declaration is refused; `unreadable(error)` says what could not be read;
    `handlers(parser)` gives the start, end and text handlers (which may change them)."""
    parser = expat.ParserCreate(namespace_separator="}", intern=dict(_NAMES))
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = (
        handlers(parser))
    try:
        for chunk in _chunks(archive, part, MAX_PART_BYTES, budget):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except ReadError:
        raise
    except Exception as exc:  # expat, zlib, zipfile (CRC) raise many kinds
        raise ReadError(unreadable(type(exc).__name__)) from None


def _refuse(*_: Any) -> None:
    raise ValueError("DTD atau entitas tidak diizinkan")


_C, _F, _V, _IS, _T, _SI, _ROW, _SHEET_DATA = (
    NS["m"] + "}" + tag for tag in ("c", "f", "v", "is", "t", "si", "row", "sheetData"))
# expat hands these very objects back for the names it meets (its intern table starts with
# them), so a handler's lookup of a name finds it by identity
_NAMES = {name: name for name in (_C, _F, _V, _IS, _T, _SI, _ROW, _SHEET_DATA)}
_K_C, _K_V, _K_F, _K_ROW, _K_IS, _K_T, _K_SHEET_DATA = range(7)
_KINDS = {_C: _K_C, _V: _K_V, _F: _K_F, _ROW: _K_ROW, _IS: _K_IS, _T: _K_T,
          _SHEET_DATA: _K_SHEET_DATA}
# cell references met and found valid, so that the next file's are looked up, not matched
_VALID_REFS: set[str] = set()


def _whole_part(archive: zipfile.ZipFile, part: str, budget: _Budget,
                scan: Callable[[bytes], Any]) -> Any:
    """`scan(bytes)` of a part small enough for the compiled scanner, inflated whole (counted
    as the Python reader counts it); None, with the budget as it was, when the Python reader
    must read the part instead: too big to hold at once, not inflating cleanly, declined by the
    scanner or failing inside it (memory). The Python reader meets the same problem and names
    it."""
    if archive.getinfo(part).file_size > SCAN_PART_BYTES:
        return None
    inflated = budget.inflated
    try:
        found = scan(b"".join(_chunks(archive, part, SCAN_PART_BYTES, budget)))
    except Exception:
        found = None
    if found is None:
        budget.inflated = inflated
    return found


def _shared_strings(archive: zipfile.ZipFile, budget: _Budget, scanner: Any) -> list[str]:
    part = "xl/sharedStrings.xml"
    if scanner is not None:
        items: list[str] | None = _whole_part(archive, part, budget, lambda data: scanner.strings(
            data, MAX_SHARED_STRINGS, MAX_TEXT_CHARS))
        if items is not None:
            return items
    reader = _SharedStrings()
    _stream(archive, "xl/sharedStrings.xml", budget,
            lambda error: Code.UNREADABLE_FILE.message("shared-strings", galat=error),
            lambda _: (reader.start, reader.end, reader.text))
    return reader.items


class _SharedStrings:
    """expat handlers that collect the shared strings, counted and sized as they come."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.item: list[str] | None = None
        self.chars = 0
        self.in_t = False

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        if name == _SI:
            if len(self.items) >= MAX_SHARED_STRINGS:
                raise ReadError(Code.UNREADABLE_FILE.message(
                    "too-many-texts", batas=angka.ribuan(MAX_SHARED_STRINGS)))
            self.item, self.chars = [], 0
        elif name == _T:
            self.in_t = True

    def text(self, data: str) -> None:
        if self.in_t and self.item is not None:
            self.chars += len(data)
            if self.chars > MAX_TEXT_CHARS:
                raise ReadError(Code.UNREADABLE_FILE.message(
                    "long-text", batas=angka.ribuan(MAX_TEXT_CHARS)))
            self.item.append(data)

    def end(self, name: str) -> None:
        if name == _SI and self.item is not None:
            self.items.append("".join(self.item))
            self.item = None
        elif name == _T:
            self.in_t = False


def _scan_sheet(scanner: Any, archive: zipfile.ZipFile, part: str, shared: list[str],
                sheet: SheetData, budget: _Budget) -> bool:
    """Read one sheet through the compiled scanner when it is of the regular shape; False
    (and the budget as it was) when the Python reader must read it instead (`_whole_part`)."""
    scanned = _whole_part(archive, part, budget, lambda data: scanner.scan(
        data, budget.elements, budget.cells, budget.rows, MAX_TEXT_CHARS, MAX_FORMULA_CHARS,
        shared, NO_VALUE))
    if scanned is None:
        return False
    cells, pending, elements, cells_met, rows = scanned
    budget.elements -= elements
    budget.cells -= cells_met
    budget.rows -= rows
    sheet.cells = cells
    reader: _SheetReader | None = None
    for ref, kind, written, raw, shared_index in pending:  # in document order, as read
        shown: str | None = None
        if written is not None:
            if shared_index is not None:
                if reader is None:
                    reader = _SheetReader(shared, sheet, budget)
                reader.ref = ref
                try:
                    written = reader._shared_formula(shared_index, written[1:])
                except ReadError:
                    raise
                except Exception as exc:  # as _read_sheet's stream names it
                    raise ReadError(_unreadable_sheet(sheet, type(exc).__name__)) from None
                shown = "=" + written if written else None
            else:
                shown = written or None
        if kind == "inlineStr":
            cells[ref] = (shown, "")
        elif raw is None:
            cells[ref] = (shown, NO_VALUE if shown else None)
        elif type(raw) is float:  # a plain number, read as parse_stored reads it
            cells[ref] = (shown, raw)
        else:
            cells[ref] = (shown, _stored("n" if kind is None else kind, raw, shared))
    return True


def _read_sheet(archive: zipfile.ZipFile, part: str, shared: list[str], sheet: SheetData,
                budget: _Budget) -> None:
    """Stream one sheet's XML through expat straight into `sheet.cells` (no element tree)."""
    _stream(archive, part, budget, lambda error: _unreadable_sheet(sheet, error),
            _SheetReader(shared, sheet, budget).handlers)


def _unreadable_sheet(sheet: SheetData, error: str) -> Message:
    return Code.UNREADABLE_FILE.message("sheet", lembar=sheet.name[:80], galat=error)


class _SheetReader:
    """expat handlers that collect each cell's formula text and stored value, spending the
    workbook's budget of rows, cells, elements and shared-formula expansion.

    They run for every XML element of every sheet (about 14,000 in a 22-sheet return saved
    by LibreOffice), so `handlers()` gives closures over local state rather than methods:
    one dictionary lookup tells an element's kind, the common path (a cell, its value, its
    formula) reads no attribute of an object, a cell holding nothing is not stored, and
    after the sheet data (merged cells, validations, page setup: a quarter of the elements)
    only the elements are counted, until a cell, row or value appears again."""

    def __init__(self, shared: list[str], sheet: SheetData, budget: _Budget) -> None:
        self.shared, self.sheet, self.budget = shared, sheet, budget
        self.masters: dict[str, tuple[str, str]] = {}
        self.translators: dict[str, Translator] = {}
        self.ref = ""
        self.row = 0
        self.previous: str | None = None  # the reference of the row's cell before this one

    def handlers(self, parser: Any) -> tuple[Callable[[str, dict[str, str]], None],
                                             Callable[[str], None], Callable[[str], None]]:
        """The handlers to start with; they install others on `parser` as the part goes."""
        budget, cells, shared, valid = self.budget, self.sheet.cells, self.shared, _VALID_REFS
        kinds = _KINDS
        buffer: list[str] | None = None
        buffered = 0
        limit = MAX_TEXT_CHARS
        ref = kind = ""
        formula: tuple[str, dict[str, str]] | None = None
        value: str | None = None
        inline: list[str] | None = None

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal buffer, buffered, limit, ref, kind, formula, value, inline
            budget.elements -= 1
            if budget.elements < 0:
                raise ReadError(Code.UNREADABLE_FILE.message("elements"))
            what = kinds.get(name)
            if what is None:
                return
            if what == _K_C:
                budget.cells -= 1
                if budget.cells < 0:
                    budget.spend_cell()  # raises
                given = attrs.get("r")
                if given is None or given not in valid:
                    given = self._valid_ref(given)
                ref = self.ref = self.previous = given
                kind = attrs.get("t", "n")
                formula = value = inline = None
            elif what == _K_V:
                buffer, buffered, limit = [], 0, MAX_TEXT_CHARS
            elif what == _K_F:
                formula = ("", attrs)
                buffer, buffered, limit = [], 0, MAX_FORMULA_CHARS
            elif what == _K_ROW:
                self._start_row(attrs.get("r"))
            elif what == _K_IS:
                inline = []
            elif what == _K_T and inline is not None:
                buffer, buffered, limit = [], 0, MAX_TEXT_CHARS

        def text(data: str) -> None:
            nonlocal buffered
            if buffer is not None:
                buffered += len(data)
                if buffered > limit:
                    raise ReadError(Code.UNREADABLE_FILE.message(
                        "long-formula" if limit == MAX_FORMULA_CHARS else "long-cell",
                        lembar=self.sheet.name[:80], sel=ref, batas=angka.ribuan(limit)))
                buffer.append(data)

        def end(name: str) -> None:
            nonlocal buffer, formula, value
            what = kinds.get(name)
            if what == _K_C:
                if formula is None and value is None and inline is None and kind != "inlineStr":
                    cells.pop(ref, None)  # holds nothing: as if it were not there
                    return
                shown: str | None = None
                if formula is not None:
                    written, attrs = formula
                    if attrs.get("t") == "shared":
                        written = self._shared_formula(attrs.get("si", ""), written)
                    if written:
                        shown = "=" + written
                if kind == "inlineStr":
                    cells[ref] = (shown, "".join(inline or ()))
                elif value is None:
                    cells[ref] = (shown, NO_VALUE if shown else None)
                else:
                    cells[ref] = (shown, _stored(kind, value, shared))
            elif what == _K_SHEET_DATA:  # what follows is counted, not read, until a cell
                parser.StartElementHandler = outside
                parser.EndElementHandler = parser.CharacterDataHandler = None
            elif buffer is None:
                return
            elif what == _K_V:
                value = buffer[0] if len(buffer) == 1 else "".join(buffer)
                buffer = None
            elif what == _K_F:
                if formula is not None:
                    formula = (buffer[0] if len(buffer) == 1 else "".join(buffer), formula[1])
                buffer = None
            elif what == _K_T and inline is not None:
                inline.append("".join(buffer))
                buffer = None

        def outside(name: str, attrs: dict[str, str]) -> None:
            if name in kinds:  # a cell, row or value after the sheet data: read as before
                parser.StartElementHandler, parser.EndElementHandler = start, end
                parser.CharacterDataHandler = text
                start(name, attrs)
                return
            budget.elements -= 1
            if budget.elements < 0:
                raise ReadError(Code.UNREADABLE_FILE.message("elements"))

        return start, end, text

    def _valid_ref(self, given: str | None) -> str:
        """A cell's reference checked (and remembered as valid), or the one it takes."""
        if given is not None and len(given) <= 10 and _CELL_REF.fullmatch(given) is not None:
            if len(_VALID_REFS) < 100_000:
                _VALID_REFS.add(given)
            return given
        return self._cell_ref(given)

    def _start_row(self, given: str | None) -> None:
        self.budget.rows -= 1
        if self.budget.rows < 0:
            raise ReadError(Code.UNREADABLE_FILE.message("too-many-rows",
                                                         batas=angka.ribuan(MAX_ROWS)))
        if given is None:
            self.row += 1
        elif given.isdigit() and len(given) <= 7 and 0 < int(given) <= 1_048_576:
            self.row = int(given)
        else:
            raise ReadError(Code.UNREADABLE_FILE.message(
                "row-number", lembar=self.sheet.name[:80], nomor=given[:20]))
        self.previous = None

    def _cell_ref(self, given: str | None) -> str:
        """The reference of a cell that does not give a valid one: none given, it follows
        the cell before it in its row; anything else is refused."""
        if given is not None:
            raise ReadError(Code.UNREADABLE_FILE.message(
                "cell-ref", lembar=self.sheet.name[:80], alamat=given[:20]))
        column = 0
        if self.previous is not None:
            match = _CELL_REF.fullmatch(self.previous)
            column = column_number(match.group(1)) if match else 0
        return column_letters(column + 1) + str(max(self.row, 1))

    def _shared_formula(self, index: str, text: str) -> str:
        """A shared formula's master is kept; each child is the master moved to its cell,
        at a cost counted against the workbook's budget."""
        if text:
            self.masters[index] = (self.ref, text)
            self.translators.pop(index, None)
            return text
        if index not in self.masters:
            return text
        origin, master = self.masters[index]
        self.budget.shared_formula -= len(master)
        if self.budget.shared_formula < 0:
            raise ReadError(Code.UNREADABLE_FILE.message("shared-formulas"))
        translator = self.translators.get(index)
        if translator is None:
            from openpyxl.formula.translate import Translator


            translator = self.translators[index] = Translator("=" + master, origin)
        try:
            return str(translator.translate_formula(self.ref))[1:]
        except Exception:  # openpyxl's tokenizer refuses malformed formulas in many ways
            raise ReadError(Code.UNREADABLE_FILE.message(
                "shared-formula", lembar=self.sheet.name[:80], sel=self.ref)) from None


def _stored(kind: str, raw: str, shared: list[str]) -> Any:
    """A stored value by its cell type."""
    if kind == "s":
        return shared[int(raw)] if raw.isdigit() and int(raw) < len(shared) else ""
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    number = angka.parse_stored(raw)
    return raw if number is None else number  # NaN, INF, 1E+400, 3_1 stay text: not numbers


def _custom_properties(archive: zipfile.ZipFile, names: set[str],
                       budget: _Budget) -> dict[str, str]:
    if "docProps/custom.xml" not in names:
        return {}
    root = _parse(archive, "docProps/custom.xml", budget)
    result = {}
    for prop in root.findall("cp:property", NS):
        values = list(prop)
        result[prop.get("name", "")] = (values[0].text or "") if values else ""
    return result


def _manifest(sheet: SheetData | None) -> dict[str, Any] | None:
    """The manifest's JSON, from column A of its sheet in row order; None when it is not
    there or not a plain JSON object (no NaN/Infinity, bounded size and nesting)."""
    if sheet is None or sheet.value("A1") != "iki-xlsx manifest":
        return None
    rows = sorted((int(ref[1:]), value) for ref, (_, value) in sheet.cells.items()
                  if ref[:1] == "A" and ref[1:].isdigit() and ref != "A1"
                  and isinstance(value, str))
    text = "".join(value for _, value in rows)
    if len(text) > MAX_MANIFEST_CHARS:
        return None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} bukan nilai JSON")
