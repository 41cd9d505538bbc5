"""Value checks of one returned workbook: its structure, formulas, stored values and inputs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from iki_xlsx.check.context import Context
from iki_xlsx.check.result import TOLERANCE, FileResult, Where, add
from iki_xlsx.core import angka
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.findings import Severity
from iki_xlsx.plan.carriers import MANIFEST_SHEET
from iki_xlsx.plan.formula import unquote_sheet
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import Cell, InputRule, Role, SheetPlan, WorkbookPlan
from iki_xlsx.workbook.evaluate import (
    CellKey,
    Value,
    formula_order,
    split_reference,
    static_values,
)
from iki_xlsx.workbook.read import NO_VALUE, SheetData, WorkbookData
from iki_xlsx.workbook.write import NOTES_SHEET

WEB_FUNCTIONS = ("WEBSERVICE(", "FILTERXML(", "HYPERLINK(", "RTD(", "CALL(", "REGISTER.ID(")
_WEB = re.compile("|".join(re.escape(name) for name in WEB_FUNCTIONS))  # literals: linear
_ABSENT: tuple[None, None] = (None, None)  # a cell the file does not hold
_BLANK = (None, "", NO_VALUE)  # what an empty input holds


@dataclass(frozen=True)
class PlanCells:
    """A plan's cells as the checks walk them, listed once per plan: a layout's plan serves
    every workbook of that layout in a chunk, so no workbook walks the plan again."""

    formulas: tuple[tuple[str, str, str], ...]  # sheet code, ref, the planned formula's text
    inputs: tuple[tuple[str, Cell, int], ...]  # sheet code, cell, period (0: yearly)
    labels: dict[str, tuple[tuple[str, str], ...]]  # sheet code -> (ref, text) of its labels
    static: dict[CellKey, Value]  # the fixed values formulas read
    by_key: dict[str, tuple[str, Cell]]  # an input's plan key -> (sheet code, cell)

    @classmethod
    def of(cls, plan: WorkbookPlan) -> PlanCells:
        known = _PLAN_CELLS.get(id(plan))
        if known is not None and known[0] is plan:
            return known[1]
        if len(_PLAN_CELLS) >= _MAX_PLAN_CELLS:
            _PLAN_CELLS.pop(next(iter(_PLAN_CELLS)))
        formulas = tuple((s.code, c.ref, c.formula.text) for s, c in plan.formula_cells()
                         if c.formula is not None)
        inputs = tuple((s.code, c, _period(c.key)) for s, c in plan.input_cells())
        labels = {s.code: tuple((c.ref, c.value) for c in s.cells if _is_structure_label(c))
                  for s in plan.sheets}
        made = cls(formulas, inputs, labels, static_values(plan),  # type: ignore[arg-type]
                   {c.key: (code, c) for code, c, _ in inputs})
        _PLAN_CELLS[id(plan)] = (plan, made)
        return made


_PLAN_CELLS: dict[int, tuple[WorkbookPlan, PlanCells]] = {}  # by id, the plan held alive
_MAX_PLAN_CELLS = 32


def _is_structure_label(cell: Cell) -> bool:
    """A label whose text must stand where the plan put it (row labels and headers)."""
    return (cell.role is Role.LABEL and isinstance(cell.value, str) and bool(cell.value)
            and (cell.key.endswith("/label") or cell.key.startswith("kepala/")))


def prepare_contents(result: FileResult, data: WorkbookData, context: Context) -> None:
    """Sheets, links and structure; when every sheet is intact, the inputs to recompute."""
    plan = context.plan
    assert plan is not None
    cells = PlanCells.of(plan)
    located = _locate_sheets(result, data, plan)
    _check_external(result, data)
    intact: list[SheetPlan] = []
    for sheet in plan.sheets:
        actual = located.get(sheet.code)
        if actual is not None and _structure_intact(result, sheet, actual,
                                                    cells.labels[sheet.code]):
            intact.append(sheet)
    if len(intact) != len(plan.sheets):
        return
    context.located = located
    context.inputs = _input_values(cells, located)
    context.ready = True


def _locate_sheets(result: FileResult, data: WorkbookData,
                   plan: WorkbookPlan) -> dict[str, SheetData]:
    """Sheets by code: through the defined name that follows renames, else the planned name."""
    located: dict[str, SheetData] = {}
    for sheet in plan.sheets:
        target = data.defined_names.get(sheet.defined_name, "")
        match = re.match(r"^'?(.*?)'?!", target)
        name = unquote_sheet(match.group(1)) if match else sheet.name
        found = data.sheets.get(name) or data.sheets.get(sheet.name)
        if found is None:
            add(result, Code.STRUCTURE_CHANGED.message("sheet-missing", lembar=sheet.name),
                sheet=sheet.name, expected=sheet.name, found=None)
        else:
            located[sheet.code] = found
    known = {s.name for s in located.values()} | {MANIFEST_SHEET, NOTES_SHEET}
    for name in data.sheets:
        if name not in known:
            add(result, Code.STRUCTURE_CHANGED.message("extra-sheet", lembar=name), sheet=name,
                severity=Severity.WARNING)
    return located


def _structure_intact(result: FileResult, sheet: SheetPlan, actual: SheetData,
                      labels: tuple[tuple[str, str], ...]) -> bool:
    cells = actual.cells
    for ref, text in labels:
        found = cells.get(ref, _ABSENT)[1]
        if found != text:
            add(result, Code.STRUCTURE_CHANGED.message(), sheet=actual.name, cell=ref,
                expected=text, found=found)
            return False
    return True


def _check_external(result: FileResult, data: WorkbookData) -> None:
    for part in data.external_links:
        add(result, Code.EXTERNAL_LINK.message(tautan=part), found=part)
    linked = _LINKED
    if len(linked) > _MAX_LINKED:
        linked.clear()
    for sheet in data.sheets.values():
        for ref, (formula, _) in sheet.cells.items():
            if not formula:
                continue
            outside = linked.get(formula)
            if outside is None:
                outside = linked[formula] = _links_outside(formula)
            if outside:
                add(result, Code.EXTERNAL_LINK.message("formula"), sheet=sheet.name, cell=ref,
                    found=formula)


# whether a formula text links outside the workbook, by text: every return of a layout holds
# the same formulas, so each text is looked at once per process (bounded, then forgotten)
_LINKED: dict[str, bool] = {}
_MAX_LINKED = 50_000


def _links_outside(formula: str) -> bool:
    return _bracketed(formula) or _WEB.search(formula.upper()) is not None


def _bracketed(formula: str) -> bool:
    """`[...]` somewhere (a link to another workbook), found in time linear in the length."""
    start = formula.find("[")
    return start >= 0 and formula.find("]", start) > start


def _input_values(cells: PlanCells, located: dict[str, SheetData]) -> dict[CellKey, Value]:
    values: dict[CellKey, Value] = dict(cells.static)
    for code, cell, _ in cells.inputs:
        raw = located[code].cells.get(cell.ref, _ABSENT)[1]
        values[(code, cell.ref)] = None if raw is NO_VALUE else raw
    return values


# possessive quantifiers: no backtracking, so the time stays near linear in the length
_STRINGS = re.compile(r'((?<!")"(?:[^"]|"")*+")')
_SHEET_PREFIX = re.compile(r"(?<!')'((?:[^']|'')++)'!|(?<![A-Za-z0-9_.])([A-Za-z0-9_.]++)!")
_NOISE = re.compile(r"_xlfn\.|_xlws\.|\$|\s", re.IGNORECASE)
# a number literal (not the row of a cell reference, not part of a name): Gnumeric writes
# 88.31 as 88.3099999999999999978 (its long double's digits), the same double for every client
_NUMBER = re.compile(r"(?<![A-Z0-9_.])(\d++(?:\.\d*+)?(?:E[+-]?\d++)?)(?![A-Z0-9_.(])")
# a formula this much longer than the planned one is changed whatever its spacing: it is
# judged without canonicalising it, so a file cannot make the comparison cost more
_LONGER_BY = 256


def canonical_formula(text: str, sheet_codes: dict[str, str]) -> str:
    """A formula's meaning as text: no spacing, `$`, case, `_xlfn.`, sheet-name or number
    spelling differences (a number literal reads as the double it denotes)."""
    parts = _STRINGS.split(text.lstrip("="))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue

        def sheet(match: re.Match[str]) -> str:
            name = unquote_sheet(match.group(1) or match.group(2) or "")
            return "<" + sheet_codes.get(name.upper(), name.upper()) + ">!"

        part = _SHEET_PREFIX.sub(sheet, part)
        part = _NUMBER.sub(_number, _NOISE.sub("", part).upper())
        out.append(part)
    return "".join(out)


def _number(match: re.Match[str]) -> str:
    return repr(float(match.group(1)))


def check_formulas(result: FileResult, plan: WorkbookPlan,
                    located: dict[str, SheetData]) -> None:
    planned_codes = {s.name.upper(): s.code for s in plan.sheets}
    actual_codes = {located[s.code].name.upper(): s.code for s in plan.sheets}
    # the same text means the same formula only while every sheet keeps its planned name
    same_names = actual_codes == planned_codes
    planned_key, actual_key = tuple(planned_codes.items()), tuple(actual_codes.items())
    if len(_CANONICAL) > _MAX_CANONICAL:
        _CANONICAL.clear()
    for code, ref, expected in PlanCells.of(plan).formulas:
        actual = located[code]
        found, shown = actual.cells.get(ref, _ABSENT)
        if found is None:
            add(result, Code.FORMULA_CHANGED.message("overwritten"), sheet=actual.name,
                cell=ref, expected=expected, found=None if shown is NO_VALUE else shown)
        elif (not (same_names and found == expected)
              and (len(found) > 2 * len(expected) + _LONGER_BY
                   or _canonical(found, actual_codes, actual_key) != _canonical(
                       expected, planned_codes, planned_key))):
            add(result, Code.FORMULA_CHANGED.message(), sheet=actual.name, cell=ref,
                expected=expected, found=found)


# canonical formulas by text and sheet codes: the returns of a layout hold the same formula
# texts (as each client writes them), so each is canonicalised once per process (bounded)
_CANONICAL: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
_MAX_CANONICAL = 20_000


def _canonical(text: str, codes: dict[str, str], key: tuple[tuple[str, str], ...]) -> str:
    found = _CANONICAL.get((text, key))
    if found is None:
        found = _CANONICAL[(text, key)] = canonical_formula(text, codes)
    return found


def _same(a: Value, b: Any) -> bool:
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))
    return bool(a == b)


def check_values(result: FileResult, plan: WorkbookPlan, located: dict[str, SheetData],
                  computed: dict[CellKey, Value]) -> None:
    """Compare every stored value with the value recomputed from the file's inputs."""
    changed = {(f.sheet, f.cell) for f in result.findings if f.code is Code.FORMULA_CHANGED}
    following = _following(plan, _mistyped(plan, located))
    for code, ref, _ in PlanCells.of(plan).formulas:
        actual = located[code]
        if (changed and (actual.name, ref) in changed) or (code, ref) in following:
            continue
        expected = computed[(code, ref)]
        stored = actual.cells.get(ref, _ABSENT)[1]
        if stored is NO_VALUE:
            add(result, Code.MISSING_VALUE.message(), sheet=actual.name, cell=ref,
                expected=expected, found=None)
        elif not ((stored == expected and type(stored) is type(expected))
                  or _same(expected, stored)):
            add(result, Code.STALE_VALUE.message(), sheet=actual.name, cell=ref,
                expected=expected, found=stored)


def _mistyped(plan: WorkbookPlan, located: dict[str, SheetData]) -> set[CellKey]:
    """Inputs the clerk typed wrongly in a way the clients compute with but the engine does
    not: numeric text ('85%', '12,5': Excel and LibreOffice compute with the number, the
    engine gives #VALUE!), a choice in other letters ('ya': Excel compares without case), a
    formula. Each is reported once as `invalid-input`."""
    mistyped: set[CellKey] = set()
    for code, cell, _ in PlanCells.of(plan).inputs:
        rule = cell.rule
        assert rule is not None
        formula, raw = located[code].cells.get(cell.ref, _ABSENT)
        if formula is not None:
            mistyped.add((code, cell.ref))
        elif rule.tipe in ("ya_tidak", "pilihan"):
            if raw not in _BLANK and raw not in rule.choices:
                mistyped.add((code, cell.ref))
        elif isinstance(raw, str | bool) and raw != "":
            mistyped.add((code, cell.ref))
    return mistyped


def _following(plan: WorkbookPlan, sources: set[CellKey]) -> set[CellKey]:
    """The formula cells whose value follows from any of `sources`, directly or through
    other formulas: their stored value is the clients' reading of a mistyped input, which
    the mistake's own finding already covers."""
    if not sources:
        return set()
    codes = {s.name: s.code for s in plan.sheets}
    reached = set(sources)
    for sheet, cell in formula_order(plan):
        assert cell.formula is not None
        for arg in cell.formula.args:
            code, refs = split_reference(arg, sheet.code, codes)
            if any((code, r) in reached for r in refs):
                reached.add((sheet.code, cell.ref))
                break
    return reached - sources


# --- inputs ---------------------------------------------------------------------------------


def parse_number(text: str) -> float | None:
    """A number typed as text, by the one Indonesian rule of `iki_xlsx.angka`."""
    return angka.parse_text(text)


def check_inputs(result: FileResult, plan: WorkbookPlan,
                 located: dict[str, SheetData]) -> dict[str, float]:
    """Every input against its rule; the numbers that passed, by cell key, for the rules."""
    numbers: dict[str, float] = {}
    inputs = PlanCells.of(plan).inputs
    horizon = _reporting_horizon(inputs, located)
    if _nothing_typed(inputs, located):
        add(result, Code.BLANK_RETURN.message())
        return numbers
    for code, cell, period in inputs:
        number = _check_input(result, cell, located[code], horizon, period)
        if number is not None:
            numbers[cell.key] = number
    return numbers


def _nothing_typed(inputs: tuple[tuple[str, Cell, int], ...],
                   located: dict[str, SheetData]) -> bool:
    """No input cell holds anything: the file came back as it was sent (or another file)."""
    for code, cell, _ in inputs:
        formula, value = located[code].cells.get(cell.ref, _ABSENT)
        if formula is not None or value not in _BLANK:
            return False
    return True


def _reporting_horizon(inputs: tuple[tuple[str, Cell, int], ...],
                       located: dict[str, SheetData]) -> int:
    """The last period with any input: required inputs are due up to it."""
    last = 0
    for code, cell, period in inputs:
        if period > last and located[code].cells.get(cell.ref, _ABSENT)[1] not in _BLANK:
            last = period
    return last


def _period(key: str) -> int:
    """The period of an input's key; 0 for a yearly input (the target)."""
    return PlanKey.parse(key).period or 0


def _check_input(result: FileResult, cell: Cell, actual: SheetData, horizon: int,
                 period: int) -> float | None:
    rule = cell.rule
    assert rule is not None
    formula, raw = actual.cells.get(cell.ref, _ABSENT)
    if formula is None and isinstance(raw, float) and rule.tipe not in ("ya_tidak", "pilihan"):
        return _check_number(result, rule, raw, actual, cell.ref)  # the common case
    where = Where(actual.name, cell.ref)
    if formula is not None:
        add(result, Code.INVALID_INPUT.message("formula", label=rule.label, isi=formula),
            found=formula, where=where)
        return None
    if raw in _BLANK:
        due = horizon > 0 and (period == 0 or period <= horizon)
        if rule.wajib and due:
            add(result, Code.MISSING_REQUIRED.message(label=rule.label), where=where)
        return None
    if rule.tipe in ("ya_tidak", "pilihan"):
        if raw not in rule.choices:
            add(result, _not_a_choice(rule, raw), expected=list(rule.choices), found=raw,
                where=where)
        return None
    return _check_number(result, rule, raw, actual, cell.ref)


def _not_a_choice(rule: InputRule, raw: Any) -> Message:
    """What a value outside the list says: the value typed, and exactly what to type ("ya"
    is "Ya" written otherwise)."""
    typed = _typed(raw)
    same_letters = [c for c in rule.choices if c.casefold() == typed.strip().casefold()]
    if same_letters:
        return Code.INVALID_INPUT.message("choice-case", label=rule.label, isi=typed,
                                          pilihan=same_letters[0])
    return Code.INVALID_INPUT.message("choice", label=rule.label, isi=typed,
                                      pilihan=_either(rule.choices))


def _either(choices: Sequence[str]) -> str:
    """'Ya' atau 'Tidak'; 'A', 'B' atau 'C'."""
    quoted = [f"'{c}'" for c in choices]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} atau {quoted[-1]}"


def _typed(raw: Any) -> str:
    """A stored value as the clerk saw it in the cell."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, int | float):
        return angka.shown(float(raw))
    return str(raw)


def _check_number(result: FileResult, rule: InputRule, raw: Any, actual: SheetData,
                  ref: str) -> float | None:
    where = Where(actual.name, ref)
    if isinstance(raw, bool):
        add(result, Code.INVALID_INPUT.message(label=rule.label, isi=_typed(raw)),
            found=raw, where=where)
        return None
    if isinstance(raw, str):
        number = parse_number(raw)
        if number is None:
            variant = "out-of-range" if angka.out_of_range(raw) else "text"
            add(result, Code.INVALID_INPUT.message(variant, label=rule.label, isi=raw),
                found=raw, where=where)
            return None
        if rule.tipe == "bulat" and not number.is_integer():
            said = Code.INVALID_INPUT.message("number-as-text-integer", label=rule.label,
                                              isi=raw, bulat=_whole(number))
        else:
            said = Code.INVALID_INPUT.message("number-as-text", label=rule.label, isi=raw,
                                              angka=angka.shown(number,
                                                                angka.decimal_mark(raw)))
        add(result, said, expected=number, found=raw, where=where)
        return None
    number = float(raw)
    if rule.tipe == "bulat" and not number.is_integer():
        add(result, _not_whole(rule, number), found=raw, where=where)
    if rule.min is not None and number < rule.min:
        add(result, Code.INVALID_INPUT.message("below", label=rule.label, isi=_typed(raw),
                                               batas=angka.shown(rule.min)),
            expected=f">= {rule.min:g}", found=raw, where=where)
    if rule.max is not None and number > rule.max:
        add(result, Code.INVALID_INPUT.message("above", label=rule.label, isi=_typed(raw),
                                               batas=angka.shown(rule.max)),
            expected=f"<= {rule.max:g}", found=raw, where=where)
    return number


def _whole(number: float) -> str:
    """A whole number near `number`, as an example of what to type."""
    return angka.shown(float(max(round(number), 0) if number >= 0 else round(number)))


def _not_whole(rule: InputRule, number: float) -> Message:
    """A fraction in a count: the value stored, and for 0.85 the likely '85%' typed."""
    percent = number * 100
    if 0 < abs(number) < 10 and abs(percent - round(percent)) < 1e-9:
        return Code.INVALID_INPUT.message("integer-percent", label=rule.label,
                                          isi=angka.shown(number),
                                          persen=angka.shown(float(round(percent))))
    return Code.INVALID_INPUT.message("integer", label=rule.label, isi=angka.shown(number),
                                      bulat=_whole(number))
