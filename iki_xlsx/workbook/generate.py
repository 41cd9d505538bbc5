"""Generate one workbook per recipient unit from a blueprint."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from iki_xlsx.blueprint.files import DEFAULT_BLUEPRINTS as DEFAULT_BLUEPRINTS
from iki_xlsx.blueprint.load import (
    BLUEPRINT_SUFFIXES,
    find_blueprints,
    load_blueprint,
    load_blueprint_text,
    same_id_conflicts,
)
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.atomic import probe_folder
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.periode import FIRST, LAST
from iki_xlsx.core.periode import shown as shown_year
from iki_xlsx.core.periode import valid as valid_year
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.core.units import Unit, file_safe
from iki_xlsx.plan.build import expects_return, office_unit, plan_workbook
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.plan.register import record_generation
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.evaluate import (
    Batch,
    CellKey,
    Value,
    formula_order,
    static_values,
)
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.write import write_workbook


@dataclass
class GenerateResult:
    """Files written (in unit order) and findings that prevented writing."""

    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Unit] = field(default_factory=list)  # nothing to fill: no workbook

    @property
    def ok(self) -> bool:
        return not self.findings


def resolve_blueprint(name: str, folder: Path = DEFAULT_BLUEPRINTS) -> tuple[Blueprint | None,
                                                                             list[Finding]]:
    """A blueprint by path, or by id among the blueprints of `folder`."""
    path = Path(name)
    if path.suffix.lower() in BLUEPRINT_SUFFIXES or path.exists():
        result = load_blueprint(path)
        return result.blueprint, result.findings
    loaded = [(str(p), r.blueprint) for p, r in
              ((p, load_blueprint(p)) for p in find_blueprints(folder)) if r.blueprint]
    named = [(p, bp) for p, bp in loaded if bp.id == name]
    if named:
        conflicts = same_id_conflicts(named)
        return (None, conflicts) if conflicts else (named[0][1], [])
    known = ", ".join(sorted({bp.id for _, bp in loaded}))
    return None, [Finding.of(Code.BLUEPRINT_NOT_FOUND.message("id", blueprint=name,
                                                              tersedia=known))]




def recipients(bp: Blueprint, units: Sequence[Unit]) -> list[Unit]:
    """The kelurahan/desa of the list, then the kecamatan office itself."""
    return [*[u for u in units if not u.kantor], office_unit(bp)]


def workbook_filename(plan: WorkbookPlan) -> str:
    """`IKI_2026_<kode>_<Nama-Unit>.xlsx`: recognisable in an attachment list."""
    return f"IKI_{plan.periode}_{file_safe(plan.unit.kode)}_{file_safe(plan.unit.nama)}.xlsx"


def _name_collisions(plans: Sequence[WorkbookPlan]) -> list[Finding]:
    seen: dict[str, Unit] = {}
    findings: list[Finding] = []
    for plan in plans:
        name = workbook_filename(plan).lower()
        if name in seen:
            findings.append(Finding.of(Code.UNIT_NAME_COLLISION.message(
                unit=plan.unit.nama, kode=plan.unit.kode, lain=seen[name].nama,
                kode_lain=seen[name].kode)))
        seen[name] = plan.unit
    return findings


def _writable(folder: Path) -> Finding | None:
    try:
        probe_folder(folder)
    except OSError as exc:
        return Finding.of(Code.OUTPUT_NOT_WRITABLE.message("folder", alasan=os_reason(exc)),
                          file=str(folder))
    return None


def generate(bp: Blueprint, units: Sequence[Unit], periode: int, out_dir: Path,
             *, sample: bool = False, register: Store | None = None,
             source: str | None = None,
             progress: Progress = no_progress) -> GenerateResult:
    """Write one workbook per recipient; nothing is written if any request is invalid.

    A recipient with nothing to fill (`plan.expects_return`) gets no workbook: it is listed in
    `skipped` and, in the register, not expected back.
    With `sample`, inputs are filled with reproducible plausible values. With `register`
    (the workspace's store), every workbook written is recorded there and the blueprint
    version archived (`source`: the blueprint file's text, kept beside it).
    `progress(1)` is called after each workbook written (of `len(recipients(bp, units))`).
    """
    if not valid_year(periode):
        return GenerateResult(findings=[Finding.of(Code.PERIODE_INVALID.message(
            awal=FIRST, akhir=LAST, periode=shown_year(periode)))])
    everyone = recipients(bp, units)
    plans = [plan_workbook(bp, unit, periode, everyone) for unit in everyone]
    findings = _name_collisions(plans)
    if not findings:
        problem = _writable(out_dir)
        findings = [problem] if problem else []
    if findings:
        return GenerateResult(findings=findings)
    result = GenerateResult()
    cache: dict[str, dict[CellKey, Value]] = {}
    written: list[tuple[Unit, Path | None]] = []
    for start in range(0, len(plans), SAMPLE_CHUNK if sample else 1):
        chunk = plans[start:start + SAMPLE_CHUNK] if sample else plans[start:start + 1]
        filled = [p for p in chunk if expects_return(bp, p.unit)]
        given: list[dict[CellKey, Value]] = []
        for plan in filled:
            inputs: dict[CellKey, Value] = static_values(plan)
            if sample:
                inputs.update(sample_inputs(bp, plan))
            given.append(inputs)
        computed = (_sample_values(filled, given) if sample else
                    [_values(plan, inputs, cache, reuse=True)
                     for plan, inputs in zip(filled, given, strict=True)])
        made = {id(plan): (inputs, values) for plan, inputs, values
                in zip(filled, given, computed, strict=True)}
        for plan in chunk:
            path: Path | None = None
            if id(plan) in made:
                inputs, values = made[id(plan)]
                path = write_workbook(plan, values, inputs, out_dir / workbook_filename(plan))
                result.files.append(path)
            else:
                result.skipped.append(plan.unit)
            written.append((plan.unit, path))
            progress(1)
    if register is not None:
        record_generation(register, bp, periode, written, source)
    return result


def blueprint_source(bp: Blueprint, name: str, folder: Path = DEFAULT_BLUEPRINTS) -> str | None:
    """The text of the file `bp` was loaded from (by path or id, as `resolve_blueprint`)."""
    path = Path(name)
    for candidate in [path] if path.exists() else find_blueprints(folder):
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        loaded = load_blueprint_text(text, str(candidate)).blueprint
        if loaded is not None and loaded.content_hash() == bp.content_hash():
            return text
    return None


def _values(plan: WorkbookPlan, inputs: dict[CellKey, Value],
            cache: dict[str, dict[CellKey, Value]], reuse: bool) -> dict[CellKey, Value]:
    """Formula values. Plans of one layout (same formula cells) share one batch layout, and
    empty workbooks of one layout share their values (their formulas are equal)."""
    signature, batch = _batch(plan)
    if reuse and signature in cache:
        return cache[signature]
    values = batch.evaluate([inputs])[0]
    if reuse:
        cache[signature] = values
    return values


SAMPLE_CHUNK = 64  # sample workbooks evaluated together (their values held until written)


def _sample_values(plans: Sequence[WorkbookPlan], inputs: Sequence[dict[CellKey, Value]]
                   ) -> list[dict[CellKey, Value]]:
    """Formula values of sample-filled workbooks: those of one layout in one batch (a shape
    is asked of the engine once for all of them, not once a workbook)."""
    layouts: dict[str, list[int]] = {}
    batches: dict[str, Batch] = {}
    for i, plan in enumerate(plans):
        signature, batches[signature] = _batch(plan)
        layouts.setdefault(signature, []).append(i)
    values: list[dict[CellKey, Value]] = [{} for _ in plans]
    for signature, members in layouts.items():
        for i, computed in zip(members, batches[signature].evaluate(
                [inputs[i] for i in members]), strict=True):
            values[i] = computed
    return values


_BATCHES_KEPT = 16  # formula layouts kept: a blueprint gives one per kind of recipient
_BATCHES: OrderedDict[str, Batch] = OrderedDict()
_BATCHES_LOCK = threading.Lock()


def _batch(plan: WorkbookPlan) -> tuple[str, Batch]:
    """The plan's formula layout (its signature) and its batch, laid out once per layout
    within a process: every workbook of a blueprint and a kind of recipient has the same
    formula cells, and laying them out costs more than evaluating them once."""
    digest = hashlib.sha256()
    for sheet in plan.sheets:
        digest.update(f"{sheet.code}\0{sheet.name}\n".encode())
    for sheet, cell in plan.formula_cells():
        assert cell.formula is not None
        digest.update("\0".join((sheet.code, cell.ref, cell.formula.template,
                                  *cell.formula.args)).encode() + b"\n")
    signature = digest.hexdigest()
    with _BATCHES_LOCK:
        batch = _BATCHES.get(signature)
        if batch is not None:
            _BATCHES.move_to_end(signature)
            return signature, batch
    batch = Batch(plan, formula_order(plan))
    with _BATCHES_LOCK:
        _BATCHES[signature] = batch
        while len(_BATCHES) > _BATCHES_KEPT:
            _BATCHES.popitem(last=False)
    return signature, batch


def write_filled(bp: Blueprint, unit: Unit, everyone: Sequence[Unit], periode: int,
                 path: Path, changes: Mapping[str, Value] | None = None) -> Path:
    """One unit's workbook with sample inputs, some replaced by plan key (`changes`).

    Used to show a return that needs correction (demo) and to build exact cases (tests).
    """
    plan = plan_workbook(bp, unit, periode, everyone)
    inputs: dict[CellKey, Value] = static_values(plan)
    inputs.update(sample_inputs(bp, plan))
    where = {cell.key: (sheet.code, cell.ref) for sheet, cell in plan.input_cells()}
    for key, value in (changes or {}).items():
        inputs[where[key]] = value
    values = _batch(plan)[1].evaluate([inputs])[0]  # the same values as evaluate_plan gives
    return write_workbook(plan, values, inputs, path)
