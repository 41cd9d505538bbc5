"""Check a few files together: read and identify each, evaluate their formulas per layout,
then judge each one."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iki_xlsx.check.annotate import annotate
from iki_xlsx.check.context import Context
from iki_xlsx.check.guard import TIME_BUDGET, guarded
from iki_xlsx.check.identity import Identity, identify
from iki_xlsx.check.result import FileResult, add, finish
from iki_xlsx.check.rules import check_rules
from iki_xlsx.check.values import (
    PlanCells,
    check_formulas,
    check_inputs,
    check_values,
    prepare_contents,
)
from iki_xlsx.check.warm import keep_layout, load_layout
from iki_xlsx.core.codes import Code
from iki_xlsx.core.errors import ReadError
from iki_xlsx.core.findings import Severity, os_reason
from iki_xlsx.core.states import Status
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook.evaluate import Batch, evaluate_plan, formula_order
from iki_xlsx.workbook.read import MAX_FILE_BYTES, read_workbook


@dataclass
class _Layout:
    """A plan and its evaluation layout, shared by every workbook of that layout; `kept`
    once it is in the warm folder (`check.warm`), or needs not be."""

    plan: WorkbookPlan
    batch: Batch
    kept: bool = True


_LAYOUTS: dict[tuple[Any, ...], _Layout] = {}
_MAX_LAYOUTS = 16


def _layout(identity: Identity, warm: Path | None = None) -> _Layout:
    """The layout of the identity's workbooks: made once per process, or, with a `warm`
    folder, read from it when an earlier process kept it there."""
    key = identity.layout
    found = _LAYOUTS.get(key)
    if found is None:
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            _LAYOUTS.pop(next(iter(_LAYOUTS)), None)
        kept = load_layout(warm, key) if warm is not None else None
        if kept is not None:
            found = _Layout(*kept)
        else:
            plan = identity.plan()
            found = _Layout(plan, Batch(plan, formula_order(plan)), kept=warm is None)
        _LAYOUTS[key] = found
    return found


def _keep(identity: Identity, warm: Path | None) -> None:
    """Keep a layout made by this process in the warm folder, once it has evaluated (its
    shapes compiled)."""
    found = _LAYOUTS.get(identity.layout)
    if warm is not None and found is not None and not found.kept:
        found.kept = True
        keep_layout(warm, identity.layout, found.plan, found.batch)


def check_file(path: Path, index: BlueprintIndex, annotate_dir: Path | None = None, *,
               batch: bool = True, remarks: Sequence[str] = ()) -> FileResult:
    """Check one returned workbook against the blueprint it was generated from.

    With `annotate_dir`, a file that needs correction gets a copy there to send back:
    its inputs as they were, the formulas restored, flagged cells highlighted with a
    comment, and a "Catatan Pemeriksaan" sheet. The original is never modified. A person's
    `remarks` (a return sent back with a comment) go on that sheet too, and make the copy
    whatever the verdict.
    """
    return check_chunk([path], index, annotate_dir, batch=batch, remarks=remarks)[0]


def check_chunk(paths: Sequence[Path], index: BlueprintIndex, annotate_dir: Path | None = None,
                *, batch: bool = True, budget: float | None = TIME_BUDGET,
                remarks: Sequence[str] = (), warm: Path | None = None) -> list[FileResult]:
    """Check a few files together: read each, evaluate the formulas of all of them (per
    layout, as a batch, or one by one without `batch`), then judge each; results in order.

    Each file is read and judged under its own time `budget` (seconds), and whatever it
    raises becomes a `check-failed` finding on it alone; the others are checked as usual.
    With a `warm` folder (a workspace's store folder), the layouts are read from it when an
    earlier process kept them there, and kept there when made (`check.warm`).
    """
    opened = [_open_guarded(path, index, batch, budget, warm) for path in paths]
    ready = [(result, context) for result, context in opened if context.ready]
    if batch:
        groups: dict[tuple[Any, ...], list[tuple[FileResult, Context]]] = {}
        for result, context in ready:
            assert context.identity is not None
            groups.setdefault(context.identity.layout, []).append((result, context))
        for members in groups.values():
            _evaluate_group(members, warm)
    else:
        for result, context in ready:
            _evaluate_one(result, context, budget)
    return [_conclude_guarded(path, result, context, annotate_dir, budget, remarks)
            for path, (result, context) in zip(paths, opened, strict=True)]


def _evaluate_group(members: list[tuple[FileResult, Context]], warm: Path | None) -> None:
    """One layout's workbooks evaluated as a batch; should that fail, each on its own, so
    that a file that breaks the evaluation is the only one to fail."""
    identity = members[0][1].identity
    assert identity is not None
    try:
        values = _layout(identity, warm).batch.evaluate([c.inputs for _, c in members])
    except Exception:
        for result, context in members:
            _evaluate_one(result, context, TIME_BUDGET)
        return
    _keep(identity, warm)
    for (_, context), computed in zip(members, values, strict=True):
        context.computed = computed


def _evaluate_one(result: FileResult, context: Context, budget: float | None) -> None:
    plan = context.plan
    assert plan is not None
    computed = guarded(result, lambda: evaluate_plan(plan, context.inputs, formula_order(plan)),
                       budget)
    if computed is None:
        context.ready = False
    else:
        context.computed = computed


def _open_guarded(path: Path, index: BlueprintIndex, batch: bool,
                  budget: float | None, warm: Path | None) -> tuple[FileResult, Context]:
    result = FileResult(str(path), "")
    opened = guarded(result, lambda: _open(path, index, batch, warm), budget)
    if opened is None:
        return result, Context()
    return opened


def _conclude_guarded(path: Path, result: FileResult, context: Context,
                      annotate_dir: Path | None, budget: float | None,
                      remarks: Sequence[str] = ()) -> FileResult:
    if guarded(result, lambda: _conclude(path, result, context, annotate_dir, remarks),
               budget) is None:
        result.inputs = []
        finish(result)
    return result


def _digest(path: Path) -> str:
    """The file's SHA-256, read in blocks (never whole); empty for a file over the size
    limit, which is refused unread."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        return ""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _open(path: Path, index: BlueprintIndex, batch: bool,
          warm: Path | None) -> tuple[FileResult, Context]:
    """Read, identify and locate one file; findings up to the formulas."""
    shown = str(path)
    context = Context()
    try:
        digest = _digest(path)
    except OSError as exc:
        result = FileResult(shown, "")
        add(result, Code.UNREADABLE_FILE.message(alasan=os_reason(exc)))
        return result, context
    result = FileResult(shown, digest)
    try:
        data = read_workbook(path)
    except ReadError as exc:
        add(result, exc.said)
        return result, context
    context.identity = identify(result, data, index)
    if context.identity is not None:
        context.plan = (_layout(context.identity, warm).plan if batch
                        else context.identity.plan())
        prepare_contents(result, data, context)
    return result, context


def _conclude(path: Path, result: FileResult, context: Context,
              annotate_dir: Path | None, remarks: Sequence[str] = ()) -> FileResult:
    plan = context.plan
    if plan is not None and context.ready:
        assert context.identity is not None
        check_formulas(result, plan, context.located)
        check_values(result, plan, context.located, context.computed)
        numbers = check_inputs(result, plan, context.located)
        check_rules(result, plan, context.identity.bp, context.located, numbers)
    finish(result)
    if plan is not None:
        result.units = list(plan.units)
        got = context.inputs
        result.inputs = [(code, c.ref, c.key, got.get((code, c.ref)))
                         for code, c, _ in PlanCells.of(plan).inputs] if got else []
    if annotate_dir is not None and context.computed and (
            result.status is Status.NEEDS_CORRECTION or remarks):
        assert context.identity is not None
        context.plan = context.identity.plan()  # the file's own, with its unit's names
        try:
            result.annotated = str(annotate(path, result, context, annotate_dir, remarks))
        except OSError as exc:  # the folder, not the file: the verdict stands
            add(result, Code.OUTPUT_NOT_WRITABLE.message("annotated", folder=annotate_dir,
                                                         alasan=os_reason(exc)),
                severity=Severity.WARNING)
    return result
