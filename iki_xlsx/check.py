"""Check returned workbooks: nothing in a file is trusted, everything is recomputed.

`check_files(paths, blueprints)` returns a `CheckReport`; a bad file becomes
findings and a status, never an exception, and never stops the batch.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .blueprint import (
    Blueprint,
    Indikator,
    Jenis,
    Tipe,
    find_blueprints,
    indicators,
    load_blueprint,
)
from .evaluate import Batch, CellKey, Value, evaluate_plan, formula_order, static_values
from .expression import evaluate as evaluate_expression
from .findings import Finding, Severity, os_reason
from .plan import (
    MANIFEST_SHEET,
    Cell,
    InputRule,
    Role,
    SheetPlan,
    Unit,
    WorkbookPlan,
    plan_workbook,
)
from .read import NO_VALUE, ReadError, SheetData, WorkbookData, read_workbook
from .write import NOTES_SHEET, Notes, write_workbook

TOLERANCE = 1e-9
WEB_FUNCTIONS = ("WEBSERVICE(", "FILTERXML(", "HYPERLINK(", "RTD(", "CALL(", "REGISTER.ID(")
REJECTING = {"unreadable-file", "unsupported-format", "unknown-workbook", "blueprint-mismatch"}


class Status(StrEnum):
    OK = "ok"
    NEEDS_CORRECTION = "needs-correction"
    REJECTED = "rejected"


@dataclass
class FileResult:
    """The verdict on one file."""

    file: str
    sha256: str
    status: Status = Status.OK
    blueprint: str | None = None
    unit: str | None = None
    periode: int | None = None
    findings: list[Finding] = field(default_factory=list)
    annotated: str | None = None
    inputs: list[tuple[str, str, str, Any]] = field(default_factory=list, repr=False)
    units: list[Unit] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "sha256": self.sha256, "status": str(self.status),
            "blueprint": self.blueprint, "unit": self.unit, "periode": self.periode,
            "annotated": self.annotated,
            "findings": [{k: f.to_dict()[k] for k in ("code", "severity", "sheet", "cell",
                                                       "expected", "found", "message")}
                         for f in self.findings],
        }


@dataclass
class CheckReport:
    files: list[FileResult]

    @property
    def ok(self) -> bool:
        return all(f.status is Status.OK for f in self.files)


class BlueprintIndex:
    """Blueprints by id, loaded once for a batch."""

    def __init__(self, blueprints: Iterable[Blueprint]) -> None:
        self.by_id = {bp.id: bp for bp in blueprints}
        self.hashes = {bp.id: bp.content_hash() for bp in self.by_id.values()}

    @classmethod
    def from_folder(cls, folder: Path) -> BlueprintIndex:
        loaded = (load_blueprint(p).blueprint for p in find_blueprints(folder))
        return cls(bp for bp in loaded if bp is not None)


PR_SET_PDEATHSIG = 1  # Linux prctl option: the signal a process gets when its parent dies
BATCH_SIZE = 64  # files a worker holds at once: about 2 MB each for a 22-sheet workbook


def check_files(paths: Sequence[Path], index: BlueprintIndex,
                annotate_dir: Path | None = None, workers: int | None = None, *,
                batch: bool = True) -> CheckReport:
    """Check every file; the order of the results is the order of `paths`."""
    return CheckReport(list(iter_check(paths, index, annotate_dir, workers, batch=batch)))


def iter_check(paths: Sequence[Path], index: BlueprintIndex, annotate_dir: Path | None = None,
               workers: int | None = None, *, batch: bool = True,
               batch_size: int = BATCH_SIZE) -> Iterator[FileResult]:
    """Results one by one, in the order of `paths`, spread over the machine's cores.

    Files go to the workers in chunks of at most `batch_size`, which bounds the memory each
    worker holds. With `batch` (the default) the workbooks of one layout in a chunk are
    evaluated together (`evaluate.Batch`); without it, one by one (the per-file path).
    """
    count = workers if workers is not None else min(len(paths), os.cpu_count() or 1)
    parallel = count > 1 and len(paths) >= 4
    size = max(1, min(batch_size, -(-len(paths) // count) if parallel else batch_size))
    chunks = [list(paths[i:i + size]) for i in range(0, len(paths), size)]
    if not parallel:
        for chunk in chunks:
            yield from check_chunk(chunk, index, annotate_dir, batch=batch)
        return
    with ProcessPoolExecutor(max_workers=count, initializer=_init_worker,
                             initargs=(index, os.getpid())) as pool:
        for results in pool.map(_check_in_worker, chunks, [annotate_dir] * len(chunks),
                                [batch] * len(chunks)):
            yield from results


_WORKER_INDEX: BlueprintIndex | None = None


def _init_worker(index: BlueprintIndex, parent: int) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = index
    _die_with(parent)


def _die_with(parent: int) -> None:
    """A worker never outlives its parent: a collect killed mid-way must not leave workers
    holding the store's lock (forked workers share its file descriptor)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _check_in_worker(paths: list[Path], annotate_dir: Path | None,
                     batch: bool) -> list[FileResult]:
    assert _WORKER_INDEX is not None
    return check_chunk(paths, _WORKER_INDEX, annotate_dir, batch=batch)


@dataclass(frozen=True)
class _Identity:
    """Who a workbook says it is, once its blueprint version is known to match."""

    bp: Blueprint
    digest: str
    unit: Unit
    periode: int
    units: tuple[Unit, ...]

    @property
    def layout(self) -> tuple[Any, ...]:
        """What the cells' places and formulas depend on (a plan's other cells differ only
        in the recipient's name in its meta rows; a test holds this)."""
        return (self.bp.id, self.digest, self.periode, self.unit.kantor, self.units)

    def plan(self) -> WorkbookPlan:
        return plan_workbook(self.bp, self.unit, self.periode, list(self.units))


@dataclass
class _Layout:
    """A plan and its evaluation layout, shared by every workbook of that layout."""

    plan: WorkbookPlan
    batch: Batch


_LAYOUTS: dict[tuple[Any, ...], _Layout] = {}
_MAX_LAYOUTS = 16


def _layout(identity: _Identity) -> _Layout:
    key = identity.layout
    found = _LAYOUTS.get(key)
    if found is None:
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            _LAYOUTS.pop(next(iter(_LAYOUTS)))
        plan = identity.plan()
        found = _LAYOUTS[key] = _Layout(plan, Batch(plan, formula_order(plan)))
    return found


@dataclass
class _Context:
    """What checking one file learnt, kept for its values and its annotated copy."""

    identity: _Identity | None = None
    plan: WorkbookPlan | None = None
    ready: bool = False  # every sheet found intact: values are recomputed
    located: dict[str, SheetData] = field(default_factory=dict)
    inputs: dict[CellKey, Value] = field(default_factory=dict)
    computed: dict[CellKey, Value] = field(default_factory=dict)


def check_file(path: Path, index: BlueprintIndex, annotate_dir: Path | None = None, *,
               batch: bool = True) -> FileResult:
    """Check one returned workbook against the blueprint it was generated from.

    With `annotate_dir`, a file that needs correction gets a copy there to send back:
    its inputs as they were, the formulas restored, flagged cells highlighted with a
    comment, and a "Catatan Pemeriksaan" sheet. The original is never modified.
    """
    return check_chunk([path], index, annotate_dir, batch=batch)[0]


def check_chunk(paths: Sequence[Path], index: BlueprintIndex, annotate_dir: Path | None = None,
                *, batch: bool = True) -> list[FileResult]:
    """Check a few files together: read each, evaluate the formulas of all of them (per
    layout, as a batch, or one by one without `batch`), then judge each; results in order."""
    opened = [_open(path, index, batch) for path in paths]
    ready = [context for _, context in opened if context.ready]
    if batch:
        groups: dict[tuple[Any, ...], list[_Context]] = {}
        for context in ready:
            assert context.identity is not None
            groups.setdefault(context.identity.layout, []).append(context)
        for members in groups.values():
            assert members[0].identity is not None
            values = _layout(members[0].identity).batch.evaluate([c.inputs for c in members])
            for context, computed in zip(members, values, strict=True):
                context.computed = computed
    else:
        for context in ready:
            assert context.plan is not None
            context.computed = evaluate_plan(context.plan, context.inputs,
                                             formula_order(context.plan))
    return [_conclude(path, result, context, annotate_dir)
            for path, (result, context) in zip(paths, opened, strict=True)]


def _open(path: Path, index: BlueprintIndex, batch: bool) -> tuple[FileResult, _Context]:
    """Read, identify and locate one file; findings up to the formulas."""
    shown = str(path)
    context = _Context()
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        result = FileResult(shown, "")
        _add(result, "unreadable-file", f"berkas tidak dapat dibuka ({os_reason(exc)})")
        return result, context
    result = FileResult(shown, digest)
    try:
        data = read_workbook(path)
    except ReadError as exc:
        _add(result, exc.code, exc.message)
        return result, context
    context.identity = _identify(result, data, index)
    if context.identity is not None:
        context.plan = (_layout(context.identity).plan if batch else context.identity.plan())
        _prepare_contents(result, data, context)
    return result, context


def _conclude(path: Path, result: FileResult, context: _Context,
              annotate_dir: Path | None) -> FileResult:
    plan = context.plan
    if plan is not None and context.ready:
        assert context.identity is not None
        _check_formulas(result, plan, context.located)
        _check_values(result, plan, context.located, context.computed)
        _check_inputs(result, plan, context.identity.bp, context.located)
    _finish(result)
    if plan is not None:
        result.units = list(plan.units)
        result.inputs = [(s.code, c.ref, c.key, context.inputs.get((s.code, c.ref)))
                         for s, c in plan.input_cells()] if context.inputs else []
    if annotate_dir is not None and result.status is Status.NEEDS_CORRECTION and context.computed:
        assert context.identity is not None
        context.plan = context.identity.plan()  # the file's own, with its unit's names
        result.annotated = str(_annotate(path, result, context, annotate_dir))
    return result


def _annotate(path: Path, result: FileResult, context: _Context, folder: Path) -> Path:
    assert context.plan is not None
    codes = {sheet.name: code for code, sheet in context.located.items()}
    remarks: dict[CellKey, str] = {}
    for finding in result.findings:
        if finding.sheet in codes and finding.cell:
            key = (codes[finding.sheet], finding.cell)
            remarks[key] = (remarks[key] + "\n" if key in remarks else "") + finding.message
    rows = [(f.code, f.sheet or "", f.cell or "", f.message) for f in result.findings]
    target = folder / f"{path.stem}_catatan.xlsx"
    return write_workbook(context.plan, context.computed, context.inputs, target,
                          Notes(remarks, rows))


@dataclass(frozen=True)
class _Where:
    sheet: str
    cell: str


def _add(result: FileResult, code: str, message: str, *, sheet: str | None = None,
         cell: str | None = None, expected: Any = None, found: Any = None,
         severity: Severity = Severity.ERROR, where: _Where | None = None) -> None:
    if where is not None:
        sheet, cell = where.sheet, where.cell
    result.findings.append(Finding(code=code, message=message, severity=severity,
                                   file=result.file, sheet=sheet, cell=cell,
                                   expected=expected, found=found))


def _finish(result: FileResult) -> FileResult:
    codes = {f.code for f in result.findings}
    if codes & REJECTING:
        result.status = Status.REJECTED
    elif any(f.severity is Severity.ERROR for f in result.findings):
        result.status = Status.NEEDS_CORRECTION
    return result


# --- identity --------------------------------------------------------------------------------


def _identify(result: FileResult, data: WorkbookData, index: BlueprintIndex) -> _Identity | None:
    manifest = data.manifest
    if manifest is None:
        _add(result, "unknown-workbook",
             "buku kerja ini tidak dibuat oleh iki-xlsx atau lembar manifesnya dihapus; "
             "gunakan berkas yang dikirim kecamatan")
        return None
    try:
        bp_id = str(manifest["blueprint"]["id"])
        versi = str(manifest["blueprint"]["versi"])
        digest = str(manifest["blueprint"]["hash"])
        unit_data = manifest["unit"]
        unit = Unit(kode=str(unit_data["kode"]), nama=str(unit_data["nama"]),
                    kantor=bool(unit_data["kantor"]))
        units = [Unit(kode=str(u["kode"]), nama=str(u["nama"]), kantor=bool(u["kantor"]),
                      email=str(u["email"]) if u.get("email") else None)
                 for u in manifest["units"]]
        periode = int(manifest["periode"])
    except (KeyError, TypeError, ValueError):
        _add(result, "unknown-workbook", "manifes buku kerja rusak; gunakan berkas yang dikirim "
                                         "kecamatan")
        return None
    result.blueprint, result.unit, result.periode = bp_id, unit.nama, periode
    bp = index.by_id.get(bp_id)
    if bp is None:
        _add(result, "unknown-workbook", f"blueprint '{bp_id}' tidak dikenal di kecamatan ini",
             expected=sorted(index.by_id), found=bp_id)
        return None
    if index.hashes[bp_id] != digest:
        _add(result, "blueprint-mismatch",
             f"buku kerja dibuat dari blueprint '{bp_id}' versi {versi} yang berbeda dari versi "
             f"berlaku ({bp.versi}); isi ulang pada buku kerja terbaru dari kecamatan",
             expected={"versi": bp.versi, "hash": index.hashes[bp_id]},
             found={"versi": versi, "hash": digest})
        return None
    return _Identity(bp, digest, unit, periode, tuple(units))


# --- contents --------------------------------------------------------------------------------


def _prepare_contents(result: FileResult, data: WorkbookData, context: _Context) -> None:
    """Sheets, links and structure; when every sheet is intact, the inputs to recompute."""
    plan = context.plan
    assert plan is not None
    located = _locate_sheets(result, data, plan)
    _check_external(result, data)
    intact: list[SheetPlan] = []
    for sheet in plan.sheets:
        actual = located.get(sheet.code)
        if actual is not None and _structure_intact(result, sheet, actual):
            intact.append(sheet)
    if len(intact) != len(plan.sheets):
        return
    context.located = located
    context.inputs = _input_values(plan, located)
    context.ready = True


def _locate_sheets(result: FileResult, data: WorkbookData,
                   plan: WorkbookPlan) -> dict[str, SheetData]:
    """Sheets by code: through the defined name that follows renames, else the planned name."""
    located: dict[str, SheetData] = {}
    for sheet in plan.sheets:
        target = data.defined_names.get(sheet.defined_name, "")
        match = re.match(r"^'?(.*?)'?!", target)
        name = match.group(1).replace("''", "'") if match else sheet.name
        found = data.sheets.get(name) or data.sheets.get(sheet.name)
        if found is None:
            _add(result, "structure-changed", f"lembar '{sheet.name}' hilang; gunakan buku kerja "
                                              "asli dan jangan menghapus lembar",
                 sheet=sheet.name, expected=sheet.name, found=None)
        else:
            located[sheet.code] = found
    known = {s.name for s in located.values()} | {MANIFEST_SHEET, NOTES_SHEET}
    for name in data.sheets:
        if name not in known:
            _add(result, "structure-changed", f"lembar tambahan '{name}' tidak dikenal",
                 sheet=name, severity=Severity.WARNING)
    return located


def _structure_intact(result: FileResult, sheet: SheetPlan, actual: SheetData) -> bool:
    for cell in sheet.cells:
        if cell.role is not Role.LABEL or not isinstance(cell.value, str) or not cell.value:
            continue
        if not (cell.key.endswith("/label") or cell.key.startswith("kepala/")):
            continue
        found = actual.value(cell.ref)
        if found != cell.value:
            _add(result, "structure-changed",
                 "susunan lembar berubah (baris atau kolom disisipkan, dihapus atau dipindah); "
                 "gunakan buku kerja asli dan isi ulang", sheet=actual.name, cell=cell.ref,
                 expected=cell.value, found=found)
            return False
    return True


def _check_external(result: FileResult, data: WorkbookData) -> None:
    for part in data.external_links:
        _add(result, "external-link", f"buku kerja memuat tautan ke berkas lain ({part}); hapus "
                                      "tautan eksternal", found=part)
    for sheet in data.sheets.values():
        for ref, (formula, _) in sheet.cells.items():
            if formula and (re.search(r"\[[^\]]*\]", formula) or any(
                    fn in formula.upper() for fn in WEB_FUNCTIONS)):
                _add(result, "external-link", "rumus merujuk ke berkas lain atau ke internet; "
                                              "hapus rumus ini", sheet=sheet.name, cell=ref,
                     found=formula)


def _input_values(plan: WorkbookPlan, located: dict[str, SheetData]) -> dict[CellKey, Value]:
    values: dict[CellKey, Value] = static_values(plan)
    for sheet, cell in plan.input_cells():
        raw = located[sheet.code].value(cell.ref)
        values[(sheet.code, cell.ref)] = None if raw is NO_VALUE else raw
    return values


def canonical_formula(text: str, sheet_codes: dict[str, str]) -> str:
    """A formula's meaning as text: no spacing, `$`, case, `_xlfn.` or sheet-name differences."""
    parts = re.split(r'("(?:[^"]|"")*")', text.lstrip("="))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue

        def sheet(match: re.Match[str]) -> str:
            name = (match.group(1) or match.group(2) or "").replace("''", "'")
            return "<" + sheet_codes.get(name.upper(), name.upper()) + ">!"

        part = re.sub(r"'((?:[^']|'')+)'!|([A-Za-z0-9_.]+)!", sheet, part)
        part = re.sub(r"_xlfn\.|_xlws\.|\$|\s", "", part, flags=re.IGNORECASE)
        out.append(part.upper())
    return "".join(out)


def _check_formulas(result: FileResult, plan: WorkbookPlan,
                    located: dict[str, SheetData]) -> None:
    planned_codes = {s.name.upper(): s.code for s in plan.sheets}
    actual_codes = {located[s.code].name.upper(): s.code for s in plan.sheets}
    # the same text means the same formula only while every sheet keeps its planned name
    same_names = actual_codes == planned_codes
    for sheet, cell in plan.formula_cells():
        actual = located[sheet.code]
        found = actual.formula(cell.ref)
        assert cell.formula is not None
        expected = cell.formula.text
        if found is None:
            shown = actual.value(cell.ref)
            _add(result, "formula-changed", "rumus ditimpa dengan nilai; jangan mengetik di sel "
                                            "rumus, gunakan buku kerja asli",
                 sheet=actual.name, cell=cell.ref, expected=expected,
                 found=None if shown is NO_VALUE else shown)
        elif (not (same_names and found == expected)
              and canonical_formula(found, actual_codes) != canonical_formula(expected,
                                                                               planned_codes)):
            _add(result, "formula-changed", "rumus diubah; kembalikan rumus asli",
                 sheet=actual.name, cell=cell.ref, expected=expected, found=found)


def _same(a: Value, b: Any) -> bool:
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))
    return bool(a == b)


def _check_values(result: FileResult, plan: WorkbookPlan, located: dict[str, SheetData],
                  computed: dict[CellKey, Value]) -> None:
    """Compare every stored value with the value recomputed from the file's inputs."""
    changed = {(f.sheet, f.cell) for f in result.findings if f.code == "formula-changed"}
    for sheet, cell in plan.formula_cells():
        actual = located[sheet.code]
        if (actual.name, cell.ref) in changed:
            continue
        expected = computed[(sheet.code, cell.ref)]
        stored = actual.value(cell.ref)
        if stored is NO_VALUE:
            _add(result, "missing-value", "sel rumus tersimpan tanpa nilai (aplikasi tidak "
                                          "menghitung ulang); buka di Excel/LibreOffice, tekan "
                                          "F9, lalu simpan", sheet=actual.name, cell=cell.ref,
                 expected=expected, found=None, severity=Severity.WARNING)
        elif not _same(expected, stored):
            _add(result, "stale-value", "nilai yang tersimpan berbeda dengan hasil rumus; hitung "
                                        "ulang (F9) lalu simpan", sheet=actual.name,
                 cell=cell.ref, expected=expected, found=stored)


# --- inputs ----------------------------------------------------------------------------------


def parse_number(text: str) -> float | None:
    """A number typed as text, read the Indonesian way where unambiguous ("1.234,5")."""
    clean = text.strip().replace(" ", "")
    if re.fullmatch(r"-?\d+", clean):
        return float(clean)
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", clean):
        return float(clean.replace(".", "").replace(",", "."))
    if re.fullmatch(r"-?\d+,\d+", clean):
        return float(clean.replace(",", "."))
    if re.fullmatch(r"-?\d+\.\d{1,2}", clean):
        return float(clean)
    return None


def _check_inputs(result: FileResult, plan: WorkbookPlan, bp: Blueprint,
                  located: dict[str, SheetData]) -> None:
    numbers: dict[str, float] = {}
    horizon = _reporting_horizon(plan, located)
    for sheet, cell in plan.input_cells():
        actual = located[sheet.code]
        number = _check_input(result, cell, actual, horizon)
        if number is not None:
            numbers[cell.key] = number
    _check_rules(result, plan, bp, located, numbers)


def _reporting_horizon(plan: WorkbookPlan, located: dict[str, SheetData]) -> int:
    """The last period with any input: required inputs are due up to it."""
    last = 0
    for sheet, cell in plan.input_cells():
        period = _period(cell.key)
        value = located[sheet.code].value(cell.ref)
        if period and value not in (None, "", NO_VALUE):
            last = max(last, period)
    return last


def _period(key: str) -> int:
    match = re.search(r"/p(\d+)$", key)
    return int(match.group(1)) if match else 0


def _check_input(result: FileResult, cell: Cell, actual: SheetData, horizon: int) -> float | None:
    rule = cell.rule
    assert rule is not None
    formula = actual.formula(cell.ref)
    raw = actual.value(cell.ref)
    where = _Where(actual.name, cell.ref)
    if formula is not None:
        _add(result, "invalid-input", f"{rule.label}: sel isian berisi rumus; ketik nilainya",
             found=formula, where=where)
        return None
    if raw in (None, "", NO_VALUE):
        period = _period(cell.key)
        due = horizon > 0 and (period == 0 or period <= horizon)
        if rule.wajib and due:
            _add(result, "missing-required", f"{rule.label}: wajib diisi", where=where)
        return None
    if rule.tipe in ("ya_tidak", "pilihan"):
        if raw not in rule.choices:
            _add(result, "invalid-input", f"{rule.label}: pilih salah satu dari "
                                          f"{', '.join(rule.choices)}",
                 expected=list(rule.choices), found=raw, where=where)
        return None
    return _check_number(result, rule, raw, where)


def _check_number(result: FileResult, rule: InputRule, raw: Any,
                  where: _Where) -> float | None:
    if isinstance(raw, bool):
        _add(result, "invalid-input", f"{rule.label}: isi dengan angka", found=raw, where=where)
        return None
    if isinstance(raw, str):
        number = parse_number(raw)
        if number is None:
            _add(result, "invalid-input", f"{rule.label}: '{raw}' bukan angka; ketik angka tanpa "
                                          "satuan", found=raw, where=where)
            return None
        _add(result, "invalid-input", f"{rule.label}: angka diketik sebagai teks ('{raw}'); "
                                      f"ketik ulang sebagai angka {number:g}",
             expected=number, found=raw, where=where)
        return None
    number = float(raw)
    if rule.tipe == "bulat" and not number.is_integer():
        _add(result, "invalid-input", f"{rule.label}: harus bilangan bulat", found=raw, where=where)
    if rule.min is not None and number < rule.min:
        _add(result, "invalid-input", f"{rule.label}: paling kecil {rule.min:g}",
             expected=f">= {rule.min:g}", found=raw, where=where)
    if rule.max is not None and number > rule.max:
        _add(result, "invalid-input", f"{rule.label}: paling besar {rule.max:g}",
             expected=f"<= {rule.max:g}", found=raw, where=where)
    return number


def _check_rules(result: FileResult, plan: WorkbookPlan, bp: Blueprint,
                 located: dict[str, SheetData], numbers: dict[str, float]) -> None:
    refs = {c.key: (s, c) for s, c in plan.input_cells()}
    for jab, ind in indicators(bp):
        base = f"{jab.id if jab else 'iku'}/{ind.id}"
        for p in range(1, len(plan.periods) + 1):
            values = {v.id: numbers[f"{base}/{v.id}/p{p}"] for v in ind.variabel
                      if f"{base}/{v.id}/p{p}" in numbers}
            for left, op, right, message, anchor in _rules(ind):
                try:
                    a = evaluate_expression(left, {**values, **ind.konstanta})
                    b = evaluate_expression(right, {**values, **ind.konstanta})
                except (KeyError, ZeroDivisionError):
                    continue
                if not _holds(a, op, b):
                    sheet, cell = refs[f"{base}/{anchor}/p{p}"]
                    _add(result, "rule-violated", f"{message} ({plan.periods[p - 1]})",
                         sheet=located[sheet.code].name, cell=cell.ref,
                         expected=f"{left} {op} {right}", found=f"{a:g} {op} {b:g}")


def _rules(ind: Indikator) -> list[tuple[str, str, str, str, str]]:
    rules = []
    if ind.jenis is Jenis.PERSENTASE and ind.pembilang and ind.penyebut:
        numerator = ind.variable(ind.pembilang).label
        denominator = ind.variable(ind.penyebut).label
        rules.append((ind.pembilang, "<=", ind.penyebut,
                      f"{numerator} tidak boleh melebihi {denominator}", ind.pembilang))
    for rule in ind.aturan:
        names = [v.id for v in ind.variabel if re.search(rf"\b{v.id}\b", rule.kiri)]
        anchor = names[0] if names else ind.variabel[0].id
        rules.append((rule.kiri, rule.operator, rule.kanan, rule.pesan, anchor))
    return [r for r in rules if all(v.tipe is not Tipe.YA_TIDAK for v in ind.variabel)]


def _holds(a: float, op: str, b: float) -> bool:
    eps = TOLERANCE * max(1.0, abs(a), abs(b))
    return {"<=": a <= b + eps, "<": a < b, ">=": a >= b - eps, ">": a > b,
            "=": abs(a - b) <= eps, "<>": abs(a - b) > eps}[op]
