"""The kecamatan recap as a file for the kabupaten, and its check there.

`rekap --untuk-kabupaten` adds one sheet to the recap, **Kabupaten**: who sends it (the
kabupaten it is for, the office's kode in that kabupaten's kantor.csv, the blueprint's id,
version and hash, the year) and, for every row of the Data sheet, the plan key and the whole
SHA-256 of the file its value came from. The values themselves stay on the Data sheet only.

The kabupaten trusts none of it: the identity is checked against its kantor.csv and the
blueprints registered for that office (kantor/KODE/blueprints), the units against the
office's unit.csv there, and the recap is rebuilt from the Data sheet's values alone and every
formula of its Ringkasan and indicator sheets recomputed with the `formulas` engine: a value
typed over a formula, a figure the Data sheet does not hold, are findings, and the roll-up
uses only the recomputed figures. A recap file cannot claim more than its Data sheet holds.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check.result import TOLERANCE
from iki_xlsx.check.values import canonical_formula
from iki_xlsx.core.codes import Code
from iki_xlsx.core.errors import ReadError
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.states import Status
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import expects_return, office_unit
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import (
    Cell,
    Role,
    SheetPlan,
    Table,
    WorkbookPlan,
    meta_rows,
    ref,
    title_row,
)
from iki_xlsx.rekap.context import DATA_HEADER_ROW, DATA_VALUE_COL, Context, footer_text
from iki_xlsx.rekap.data_sheet import data_sheet
from iki_xlsx.rekap.rollup.office import evaluate
from iki_xlsx.rekap.source import Entry, Pengesahan, RekapSource, UnitReturn, UsedFile
from iki_xlsx.workbook.evaluate import CellKey, Value
from iki_xlsx.workbook.read import NO_VALUE, SheetData, WorkbookData, read_workbook

SHEET = "Kabupaten"
LABELS = ("Kabupaten", "Kode kantor", "Kantor", "Blueprint", "Versi", "Hash blueprint", "Tahun",
          "Dibuat dengan", "Susunan rumus")
TABLE_HEADERS = ("Baris Data", "Kode unit", "Kunci", "SHA-256 berkas")
CHECKED_KINDS = ("ringkasan", "jabatan", "iku")  # sheets whose formulas are recomputed
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Tujuan:
    """The kabupaten a recap is sent to and the office's kode there (iki.toml's [induk])."""

    kabupaten: str
    kode: str


def identity_sheet(tujuan: Tujuan, source: RekapSource, plan: WorkbookPlan) -> SheetPlan:
    """The Kabupaten sheet of a recap made for sending (see the module's text)."""
    bp = source.blueprint
    sheet = SheetPlan(code="KABUPATEN", name=SHEET, kind="kabupaten", title=SHEET,
                      footer=footer_text(bp, SHEET))
    sheet.col_widths = [11.0, 12.0, 44.0, 66.0]
    title_row(sheet, "IDENTITAS REKAP UNTUK KABUPATEN", 3)
    values = (tujuan.kabupaten, tujuan.kode, bp.kantor, bp.id, bp.versi, bp.content_hash(),
              str(source.periode), plan.generator, layout_hash(plan))
    row = meta_rows(sheet, list(zip(LABELS, values, strict=True)), 3, sheet.col_widths[2:]) + 1
    for c, text in enumerate(TABLE_HEADERS):
        sheet.cells.append(Cell(ref(row, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.repeat_rows = (row, row)
    where = _data_rows(source)
    sha = {(e.unit_kode, e.key): e.sha256 for e in source.entries}
    rows = [(str(data_row + 1), unit, key, sha[(unit, key)])
            for (unit, key), data_row in sorted(where.items(), key=lambda item: item[1])]
    sheet.table = Table(row + 1, 0, rows, ("data_text", "data_text", "data_text", "data_hash"))
    return sheet


def layout_hash(plan: WorkbookPlan) -> str:
    """SHA-256 of where every checked formula stands and what it says: two recaps of the
    same values laid out by the same release have the same; another release's layout (a row
    more on the Ringkasan) another, so its cells are never judged by this release's places."""
    digest = hashlib.sha256()
    for sheet in plan.sheets:
        if sheet.kind in CHECKED_KINDS:
            for cell in sheet.cells:
                if cell.formula is not None:
                    digest.update(f"{sheet.name}|{cell.ref}|{cell.key}|{cell.formula.text}\n"
                                  .encode())
    return digest.hexdigest()


def _data_rows(source: RekapSource) -> dict[tuple[str, str], int]:
    """The Data sheet's row (0-based) of every (unit, key) value, as the recap lays it out."""
    listed = [r.unit for r in source.units if r.on_list]
    ctx = Context(source, [u for u in listed if not u.kantor],
                  next((u for u in listed if u.kantor), None),
                  {r.unit.kode: r.state for r in source.units if r.on_list})
    _, where = data_sheet(ctx)
    return {pair: _row_of(at) for pair, at in where.items()}


def _row_of(reference: str) -> int:
    digits = "".join(ch for ch in reference.rsplit("!", 1)[-1] if ch.isdigit())
    return int(digits) - 1


# --- the kabupaten's check -------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredOffice:
    """What the kabupaten itself knows of an office: from kantor.csv and kantor/KODE."""

    kode: str
    nama: str
    blueprints: Sequence[Blueprint]
    units: Sequence[Unit]
    pengesahan: Pengesahan | None = None
    batas: datetime.date | None = None


@dataclass
class CheckedRecap:
    """A recap file as the kabupaten judged it."""

    filename: str
    findings: list[Finding] = field(default_factory=list)
    kode: str | None = None
    blueprint: Blueprint | None = None
    periode: int | None = None
    source: RekapSource | None = None  # rebuilt from its Data sheet (None: not readable)

    @property
    def ok(self) -> bool:
        return self.source is not None and not self.findings

    @property
    def status(self) -> Status:
        if self.ok:
            return Status.OK
        rejects = any(f.code.rejects for f in self.findings)
        return Status.REJECTED if rejects or self.source is None else Status.NEEDS_CORRECTION


def check_recap_file(path: Path, filename: str, kabupaten: str,
                     offices: Mapping[str, RegisteredOffice], received: str) -> CheckedRecap:
    """Judge a kecamatan's recap file (see the module's text); `received` the moment (ISO,
    UTC) the kabupaten received it."""
    result = CheckedRecap(filename)
    try:
        data = read_workbook(path)
    except ReadError as exc:
        result.findings.append(Finding.of(exc.said, file=filename))
        return result
    sheets = {name.upper(): sheet for name, sheet in data.sheets.items()}
    identity = sheets.get(SHEET.upper())
    if identity is None:
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(lembar=SHEET),
                                          file=filename))
        return result
    meta = _meta(identity)
    missing = [label for label in LABELS if not meta.get(label)]
    if missing:
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
            "identity", bagian=", ".join(missing)), file=filename, sheet=SHEET))
        return result
    if meta["Kabupaten"].strip().casefold() != kabupaten.strip().casefold():
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
            "foreign", kabupaten_berkas=meta["Kabupaten"][:80], kabupaten=kabupaten),
            file=filename, sheet=SHEET))
        return result
    kode = meta["Kode kantor"]
    office = offices.get(kode)
    if office is None:
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
            "kantor", kode=kode[:40]), file=filename, sheet=SHEET))
        return result
    result.kode = kode
    bp = next((b for b in office.blueprints if b.id == meta["Blueprint"]
               and b.content_hash() == meta["Hash blueprint"]), None)
    if bp is None:
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
            "blueprint", blueprint=meta["Blueprint"][:60], versi=meta["Versi"][:20],
            hash=meta["Hash blueprint"][:16], kode=kode), file=filename, sheet=SHEET))
        return result
    result.blueprint = bp
    try:
        result.periode = int(float(meta["Tahun"]))
    except ValueError:
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
            "identity", bagian="Tahun"), file=filename, sheet=SHEET))
        return result
    data_sheet_read = sheets.get("DATA")
    if data_sheet_read is None:
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
            "sheet", lembar="Data"), file=filename))
        return result
    units = [*office.units, *([office_unit(bp)] if expects_return(bp, office_unit(bp)) else [])]
    entries = _entries(result, identity, data_sheet_read, bp, {u.kode for u in units})
    if result.findings:
        return result
    source = _source(bp, result.periode, units, entries, filename, received, office)
    plan, values = evaluate(source)
    if layout_hash(plan) != meta["Susunan rumus"]:
        result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
            "layout", versi_berkas=meta["Dibuat dengan"][:40], versi=plan.generator),
            file=filename, sheet=SHEET))
        return result
    result.source = source
    _recompute(result, data, plan, values)
    return result


def _meta(identity: SheetData) -> dict[str, str]:
    """Label (column A) -> value (column C) of the identity rows."""
    found: dict[str, str] = {}
    for row in range(2, 2 + len(LABELS)):
        label, value = identity.value(f"A{row}"), identity.value(f"C{row}")
        if isinstance(label, str) and label in LABELS and value is not None:
            found[label] = str(value).strip()
    return found


def _entries(result: CheckedRecap, identity: SheetData, data: SheetData, bp: Blueprint,
             units: set[str]) -> list[Entry]:
    """The values of the Data sheet, each named by the Kabupaten sheet's key for its row."""
    header = 2 + len(LABELS) + 1  # 1-based row of the table's header
    entries: list[Entry] = []
    seen: set[int] = set()
    for row in range(header + 1, header + 1 + MAX_ROWS):
        baris = identity.value(f"A{row}")
        if baris in (None, ""):
            break
        unit, key, sha = (str(identity.value(f"{c}{row}") or "") for c in "BCD")
        reason = _bad_row(baris, unit, key, bp, units, seen, data)
        if reason:
            result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
                "data-row", baris=row, alasan=reason), file=result.filename, sheet=SHEET,
                cell=f"A{row}"))
            continue
        at = int(float(str(baris)))
        seen.add(at)
        value = data.value(f"{_value_col()}{at}")
        parsed = PlanKey.parse(key)
        sheet = f"J-{parsed.scope}" if parsed.scope != "iku" else "IKU"
        entries.append(Entry(unit, key, sheet, str(data.value(f"J{at}") or ""),
                             None if value is NO_VALUE else value, sha))
    return entries


def _value_col() -> str:
    return chr(ord("A") + DATA_VALUE_COL)


def _bad_row(baris: Any, unit: str, key: str, bp: Blueprint, units: set[str], seen: set[int],
             data: SheetData) -> str | None:
    try:
        at = int(float(str(baris)))
    except ValueError:
        return "nomor baris Data bukan angka"
    if at <= DATA_HEADER_ROW + 1 or at in seen:
        return f"baris Data {at} tidak sah atau disebut dua kali"
    if unit not in units:
        return f"unit '{unit[:40]}' tidak ada di daftar unit kantor"
    parsed = PlanKey.try_parse(key)
    scopes = {j.id for j in bp.jabatan} | {"iku"}
    if parsed is None or parsed.scope not in scopes:
        return f"kunci '{key[:60]}' bukan isian blueprint {bp.id}"
    if str(data.value(f"A{at}") or "") != unit:
        return f"baris Data {at} bukan milik unit {unit[:40]}"
    return None


def _source(bp: Blueprint, periode: int, units: Sequence[Unit], entries: list[Entry],
            filename: str, received: str, office: RegisteredOffice) -> RekapSource:
    filled = {e.unit_kode for e in entries if e.value not in (None, "")}
    shas = {e.unit_kode: e.sha256 for e in entries}
    return RekapSource(
        blueprint=bp, periode=periode,
        units=[UnitReturn(u, Status.OK if u.kode in filled else Status.NOT_RETURNED)
               for u in units],
        entries=entries,
        files=[UsedFile(u.kode, u.nama, "", shas[u.kode], "") for u in units
               if u.kode in shas],
        timeline=[], store=filename, created=received, pengesahan=office.pengesahan)


def _recompute(result: CheckedRecap, data: WorkbookData, plan: WorkbookPlan,
               values: Mapping[CellKey, Value]) -> None:
    """Every formula of the Ringkasan and indicator sheets: the same formula, and the value
    the Data sheet's values give."""
    planned = {s.name.upper(): s.code for s in plan.sheets}
    actual = {name.upper(): name for name in data.sheets}
    for sheet in plan.sheets:
        if sheet.kind not in CHECKED_KINDS:
            continue
        name = actual.get(sheet.name.upper())
        if name is None:
            result.findings.append(Finding.of(Code.REKAP_FILE_INVALID.message(
                "sheet", lembar=sheet.name), file=result.filename))
            continue
        found = data.sheets[name]
        for cell in sheet.cells:
            if cell.formula is None:
                continue
            formula, stored = found.cells.get(cell.ref, (None, None))
            expected = values.get((sheet.code, cell.ref))
            if formula is None:
                result.findings.append(Finding.of(
                    Code.FORMULA_CHANGED.message("overwritten"), file=result.filename,
                    sheet=name, cell=cell.ref, expected=expected,
                    found=None if stored is NO_VALUE else stored))
            elif canonical_formula(formula, planned) != canonical_formula(cell.formula.text,
                                                                          planned):
                result.findings.append(Finding.of(
                    Code.FORMULA_CHANGED.message(), file=result.filename, sheet=name,
                    cell=cell.ref, expected=cell.formula.text, found=formula[:200]))
            elif not _same(expected, stored):
                result.findings.append(Finding.of(
                    Code.STALE_VALUE.message(), file=result.filename, sheet=name,
                    cell=cell.ref, expected=expected,
                    found=None if stored is NO_VALUE else stored))


def _same(a: Value, b: Any) -> bool:
    a = None if a == "" else a
    b = None if b in ("", NO_VALUE) else b
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))
    return bool(a == b)

