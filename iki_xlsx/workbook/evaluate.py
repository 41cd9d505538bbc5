"""Evaluate a plan's formulas with the `formulas` engine.

Each formula shape (template) is compiled once per process and reused for every
cell and every workbook of that shape. Values are keyed by (sheet code, cell ref).
The same code computes cached values at generation and recomputes them at check.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import math
import re
import sys
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from iki_xlsx.plan.formula import Formula, column_letters, column_number, unquote_sheet
from iki_xlsx.plan.model import Cell, SheetPlan, WorkbookPlan

Value = str | float | bool | None
CellKey = tuple[str, str]

_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


_MODULES: tuple[Any, Any] | None = None
_FUNCTIONS: list[bool] = []  # [True] once every function module of the engine is loaded
# imported by formulas.functions.stat when it loads (about 1 s of CPU), used only inside the
# statistical functions our formulas never call
_LAZY_SCIPY = ("scipy", "scipy.stats", "scipy.linalg", "scipy.interpolate")


def _engine() -> Any:
    """The `formulas` and `schedula` modules, imported once with their noise silenced (the
    function modules are loaded by `_functions`, before compiling, or one by one by
    `engine_module`, for shapes compiled by an earlier process)."""
    global _MODULES
    if _MODULES is None:
        with contextlib.redirect_stderr(io.StringIO()), _scipy_on_first_use():
            import formulas
            import formulas.functions
            import formulas.tokens.operand
            import schedula
        _MODULES = (formulas, schedula)
    return _MODULES


def _functions() -> None:
    """Every function module of the engine loaded (so compiling a formula never imports one
    later), with scipy bound to stand-ins that import it on first use."""
    if not _FUNCTIONS:
        formulas, _ = _engine()
        with contextlib.redirect_stderr(io.StringIO()), _scipy_on_first_use():
            formulas.functions.get_functions()
        _FUNCTIONS.append(True)


def engine_module(name: str) -> types.ModuleType:
    """One module of the engine (`formulas...`, `schedula...`), imported as `_engine` does."""
    _engine()
    found = sys.modules.get(name)
    if found is None:
        with contextlib.redirect_stderr(io.StringIO()), _scipy_on_first_use():
            found = importlib.import_module(name)
    return found


def warm_up() -> None:
    """Import the engine now, every function module with it (a warm worker does, before its
    first chunk)."""
    _functions()


@contextlib.contextmanager
def _scipy_on_first_use() -> Iterator[None]:
    """While the block runs, `import scipy...` and `from scipy... import name` give stand-ins
    (`_Deferred`) that import the real module when the name is first used; scipy modules
    already imported are used as they are."""
    stand_ins = {name: _Deferred(name) for name in _LAZY_SCIPY if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            stand_in.installed = False


class _Deferred(types.ModuleType):
    """A module (or one of its attributes) that imports the real thing when first used."""

    def __init__(self, name: str, attribute: str = "") -> None:
        super().__init__(name)
        self.attribute = attribute
        self.installed = True

    def _real(self) -> Any:
        module = importlib.import_module(self.__name__)
        return getattr(module, self.attribute) if self.attribute else module

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self.installed and not self.attribute:  # `from scipy import stats`, at import
            nested = sys.modules.get(f"{self.__name__}.{name}")
            return nested if isinstance(nested, _Deferred) else _Deferred(self.__name__, name)
        return getattr(self._real(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._real()(*args, **kwargs)


Shape = tuple[str, tuple[tuple[int, int], ...]]  # a template and the shape of each hole
Compiled = tuple[Callable[..., Any], tuple[int, ...]]  # the engine's function, holes' order

_COMPILED: dict[Shape, Compiled] = {}
_COMPILED_LIMIT = 4096  # shapes kept in a process, the oldest forgotten first
_COMPILED_LOCK = threading.Lock()


def _compiled(template: str, shapes: tuple[tuple[int, int], ...]) -> Compiled:
    """A template compiled once per process (or adopted, compiled by an earlier one: see
    `adopt`); returns the function and, per engine input, its hole."""
    found = _COMPILED.get((template, shapes))
    if found is None:
        found = _compile(template, shapes)
        with _COMPILED_LOCK:
            while len(_COMPILED) >= _COMPILED_LIMIT:
                del _COMPILED[next(iter(_COMPILED))]
            found = _COMPILED.setdefault((template, shapes), found)
    return found


def compiled(keys: Iterable[Shape]) -> dict[Shape, Compiled]:
    """The engine's compiled functions of these shapes, compiling those not yet compiled."""
    return {key: _compiled(*key) for key in keys}


def adopt(shapes: Mapping[Shape, Compiled]) -> None:
    """Use these compiled shapes (the engine's own functions, kept by an earlier process:
    `workbook.evaluate_warm`) instead of compiling them again."""
    with _COMPILED_LOCK:
        for key, found in shapes.items():
            _COMPILED.setdefault(key, found)


def _compile(template: str, shapes: tuple[tuple[int, int], ...]) -> Compiled:
    """Compile a template with the engine."""
    formulas, _ = _engine()
    _functions()
    placeholders = []  # hole i stands at row 1000*i+1, far from every other hole
    for i, (rows, cols) in enumerate(shapes):
        if (rows, cols) == (1, 1):
            placeholders.append(f"ZZ{1000 * i + 1}")
        else:
            placeholders.append(f"A{1000 * i + 1}:{column_letters(cols)}{1000 * i + rows}")
    text = "=" + template.format(*placeholders)
    with contextlib.redirect_stderr(io.StringIO()):
        func = formulas.Parser().ast(text)[1].compile()
    order = tuple(placeholders.index(name) for name in func.inputs)
    return func, order


def _shape(reference: str) -> tuple[int, int]:
    match = _RANGE.match(reference)
    if match is None or match.group(4) is None:
        return (1, 1)
    first_col, first_row, last_col, last_row = (match.group(2), int(match.group(3)),
                                                match.group(4), int(match.group(5)))
    return (last_row - first_row + 1, column_number(last_col) - column_number(first_col) + 1)


def split_reference(reference: str, own_sheet: str, sheet_codes: Mapping[str, str]) -> tuple[
        str, list[str]]:
    """(sheet code, cell refs) of a reference such as `'Camat'!M12` or `I10:I20`."""
    match = _RANGE.match(reference)
    if match is None:
        raise ValueError(f"referensi tidak dikenal: {reference}")
    sheet_name, c1, r1, c2, r2 = match.groups()
    code = sheet_codes[unquote_sheet(sheet_name)] if sheet_name else own_sheet
    if c2 is None:
        return code, [f"{c1}{r1}"]
    cells = [f"{column_letters(c)}{r}" for r in range(int(r1), int(r2) + 1)
             for c in range(column_number(c1), column_number(c2) + 1)]
    return code, cells


def _to_engine(value: Value) -> Any:
    if value is None:
        _, schedula = _engine()
        return schedula.EMPTY
    return value


def _settle(result: Any) -> Any:
    """One engine result as the value later formulas read: errors stay errors, numbers are
    floats (a non-finite one is #NUM!), a formula never yields an empty cell ("")."""
    formulas, schedula = _engine()
    while isinstance(result, np.ndarray):
        result = result.ravel()[0] if result.size else schedula.EMPTY
    if isinstance(result, formulas.tokens.operand.XlError):
        return result
    if result is schedula.EMPTY or result is None:
        return ""
    if isinstance(result, np.bool_ | bool):
        return bool(result)
    if isinstance(result, np.integer | int | np.floating | float):
        number = float(result)
        return number if math.isfinite(number) else engine_error("#NUM!")
    return str(result)


def engine_error(code: str) -> Any:
    """The engine's error value for an Excel error code such as `#DIV/0!`."""
    formulas, _ = _engine()
    return formulas.functions.Error.errors[code]


def _from_engine(results: Iterable[Any]) -> list[Value]:
    """Settled engine values as plain values: an error as its text ("#DIV/0!"), an empty
    cell as None (one pass over many: a batch converts every formula cell of every file)."""
    formulas, schedula = _engine()
    error, empty = formulas.tokens.operand.XlError, schedula.EMPTY
    return [str(v) if isinstance(v, error) else None if v is empty else v for v in results]


def evaluate_formula(formula: Formula, lookup: Callable[[str], list[Any]],
                     shapes: tuple[tuple[int, int], ...]) -> Any:
    """Evaluate one formula; `lookup(arg)` gives the engine values of an argument's cells."""
    func, order = _compiled(formula.template, shapes)
    args = []
    for hole in order:
        rows, cols = shapes[hole]
        array = np.empty((rows, cols), dtype=object)
        for i, value in enumerate(lookup(formula.args[hole])):
            array[divmod(i, cols)] = value
        args.append(array)
    with np.errstate(all="ignore"):
        return _settle(func(*args))


def formula_order(plan: WorkbookPlan, wanted: Iterable[CellKey] | None = None
                  ) -> list[tuple[SheetPlan, Cell]]:
    """Formula cells in an order where every cell comes after the cells it reads: every one
    of the plan, or (`wanted`) those cells and the formula cells they read, near or far, for
    a reader that needs a few values of a large plan (`Batch` then computes only them)."""
    codes = {s.name: s.code for s in plan.sheets}
    position = {(s.code, c.ref): (s, c) for s, c in plan.formula_cells()}
    done: set[CellKey] = set()
    ordered: list[tuple[SheetPlan, Cell]] = []

    def visit(key: CellKey, trail: set[CellKey]) -> None:
        if key in done or key not in position:
            return
        if key in trail:
            raise ValueError(f"rumus melingkar di {key}")
        sheet, cell = position[key]
        assert cell.formula is not None
        for arg in cell.formula.args:
            code, refs = split_reference(arg, sheet.code, codes)
            for r in refs:
                visit((code, r), trail | {key})
        done.add(key)
        ordered.append((sheet, cell))

    for key in (position if wanted is None else wanted):
        visit(key, set())
    return ordered


def evaluate_plan(plan: WorkbookPlan, inputs: Mapping[CellKey, Value],
                  order: Iterable[tuple[SheetPlan, Cell]] | None = None) -> dict[CellKey, Value]:
    """Values of every formula cell of the plan, given the values of its input cells,
    one formula at a time (the per-file path; `Batch` evaluates many workbooks at once).

    `inputs` holds input and label values by (sheet code, ref); missing cells are empty.
    """
    codes = {s.name: s.code for s in plan.sheets}
    _, schedula = _engine()
    values: dict[CellKey, Any] = {key: _to_engine(v) for key, v in inputs.items()}
    for sheet, cell in (order if order is not None else formula_order(plan)):
        assert cell.formula is not None
        formula = cell.formula
        resolved = [split_reference(a, sheet.code, codes) for a in formula.args]
        shapes = tuple(_shape(a) for a in formula.args)
        by_arg = {a: [values.get((code, r), schedula.EMPTY) for r in refs]
                  for a, (code, refs) in zip(formula.args, resolved, strict=True)}
        values[(sheet.code, cell.ref)] = evaluate_formula(formula, by_arg.__getitem__, shapes)
    keys = [(s.code, c.ref) for s, c in plan.formula_cells()]
    return dict(zip(keys, _from_engine(values[key] for key in keys), strict=True))


# --- batches: one shape over many (workbook, cell) pairs at once ------------------------------

ELEMENTWISE_FUNCTIONS = frozenset({"IF", "IFERROR"})
_FUNCTION = re.compile(r"([A-Za-z][A-Za-z0-9._]*)\s*\(")


def batchable(template: str, shapes: tuple[tuple[int, int], ...]) -> bool:
    """Whether a shape is element-wise, so that evaluating it over an array of many cells'
    values equals evaluating it cell by cell: single-cell holes, and no function other than
    IF and IFERROR (operators are element-wise; COUNT, SUM, MIN, MAX, AND, OR, N, COUNTIF
    aggregate over arrays). The differential test checks every seed shape both ways."""
    if any(shape != (1, 1) for shape in shapes):
        return False
    code = "".join(re.split(r'"(?:[^"]|"")*"', template))
    return {name.upper() for name in _FUNCTION.findall(code)} <= ELEMENTWISE_FUNCTIONS


def evaluate_batched(template: str, columns: list[np.ndarray]) -> np.ndarray:
    """One element-wise shape over n cells: `columns[hole]` holds the n values of each hole
    (engine values); returns the n settled results.

    The engine is asked once per distinct combination of values (by type and value: 1, 1.0,
    True and "1" differ, and so do 0.0 and -0.0): many cells and workbooks share them (blank
    periods, the same counts, the same labels), and within a process the answers are kept for
    later chunks (`_KNOWN`, bounded), since a shape of IF, IFERROR and operators is a pure
    function of its values."""
    count = len(columns[0])
    known = _known(template, len(columns))
    keys = list(zip(*(map(_identity, column) for column in columns), strict=True))
    asked: dict[tuple[Any, ...], int] = {}
    for i, key in enumerate(keys):
        if key not in known and key not in asked:
            asked[key] = i
    if asked:
        rows = np.fromiter(asked.values(), dtype=np.intp, count=len(asked))
        answers = _engine_over(template, [column[rows] for column in columns])
        known.update(zip(asked, answers, strict=True))
    return np.fromiter(map(known.__getitem__, keys), dtype=object, count=count)


def _identity(value: Any) -> tuple[Any, ...]:
    """A value as the engine tells it apart: its type with it, and a zero's sign."""
    kind = type(value)
    if kind is float and value == 0.0:
        return (kind, value, math.copysign(1.0, value))
    return (kind, value)


_KNOWN: dict[tuple[str, int], dict[tuple[Any, ...], Any]] = {}
_KNOWN_LIMIT = 200_000  # answers kept in a process (a few tens of MB), then forgotten


def _known(template: str, holes: int) -> dict[tuple[Any, ...], Any]:
    if sum(len(answers) for answers in _KNOWN.values()) > _KNOWN_LIMIT:
        _KNOWN.clear()
    return _KNOWN.setdefault((template, holes), {})


def _engine_over(template: str, columns: list[np.ndarray]) -> np.ndarray:
    """The compiled shape applied by the engine to n cells' values at once."""
    shapes = tuple((1, 1) for _ in columns)
    func, order = _compiled(template, shapes)
    count = len(columns[0])
    args = [columns[hole].reshape(count, 1) for hole in order]
    with np.errstate(all="ignore"):
        raw = np.asarray(func(*args), dtype=object)
    if raw.size == 1 and count != 1:
        raw = _filled(count, raw.ravel()[0])
    return np.fromiter(map(_settle, raw.ravel()), dtype=object, count=count)


def _filled(shape: int | tuple[int, int], value: Any) -> np.ndarray:
    """An object array holding `value` itself (np.full would turn a str subclass such as
    the engine's EMPTY into plain text)."""
    array = np.empty(shape, dtype=object)
    array.fill(value)
    return array


@dataclass(frozen=True)
class _Step:
    """Formula cells of one shape and one dependency level: `targets` are their value
    columns, `holes[h]` the columns (or, for a range, lists of columns) each hole reads."""

    template: str
    shapes: tuple[tuple[int, int], ...]
    targets: tuple[int, ...]
    holes: tuple[tuple[Any, ...], ...]
    batched: bool


class Batch:
    """A plan's formulas laid out once for evaluating many workbooks of that layout.

    Values live in an (workbooks x cells) object array; each step evaluates one shape over
    all its cells of one dependency level in all workbooks with one call when the shape is
    element-wise, and workbook by workbook otherwise. Given an `order` of some of the plan's
    formula cells (`formula_order(plan, wanted)`), only those are computed and given back.
    """

    def __init__(self, plan: WorkbookPlan, order: Iterable[tuple[SheetPlan, Cell]] | None = None
                 ) -> None:
        codes = {s.name: s.code for s in plan.sheets}
        self.column: dict[CellKey, int] = {}
        level: dict[CellKey, int] = {}
        groups: dict[tuple[int, str, tuple[tuple[int, int], ...]], list[tuple[int, list[Any]]]]
        groups = {}
        for sheet, cell in (order if order is not None else formula_order(plan)):
            assert cell.formula is not None
            shapes = tuple(_shape(a) for a in cell.formula.args)
            reads = [split_reference(a, sheet.code, codes) for a in cell.formula.args]
            depth = 1 + max((level.get((code, r), 0) for code, refs in reads for r in refs),
                            default=0)
            key = (sheet.code, cell.ref)
            level[key] = depth
            holes = [[self._slot((code, r)) for r in refs] for code, refs in reads]
            group = (depth, cell.formula.template, shapes)
            groups.setdefault(group, []).append((self._slot(key), holes))
        self.steps: list[_Step] = []
        for (_, template, shapes), cells in sorted(groups.items(), key=lambda g: g[0][0]):
            if batchable(template, shapes):
                self.steps.append(_Step(template, shapes, tuple(t for t, _ in cells),
                                        tuple(tuple(h[i][0] for _, h in cells)
                                              for i in range(len(shapes))), True))
            else:
                self.steps.extend(_Step(template, shapes, (target,),
                                        tuple(tuple(h) for h in holes), False)
                                  for target, holes in cells)
        self.outputs = [(key, self.column[key]) for key in
                        ((s.code, c.ref) for s, c in plan.formula_cells()) if key in level]

    def shapes(self) -> list[Shape]:
        """The compiled shapes evaluating this layout uses (`compiled` gives them)."""
        return list(dict.fromkeys((step.template, step.shapes) for step in self.steps))

    def _slot(self, key: CellKey) -> int:
        return self.column.setdefault(key, len(self.column))

    def evaluate(self, inputs: list[Mapping[CellKey, Value]]) -> list[dict[CellKey, Value]]:
        """Formula values of each workbook, given each workbook's input and label values."""
        _, schedula = _engine()
        table = _filled((len(inputs), len(self.column)), schedula.EMPTY)
        for row, values in enumerate(inputs):
            for key, value in values.items():
                column = self.column.get(key)
                if column is not None and value is not None:
                    table[row, column] = value
        for step in self.steps:
            if step.batched:
                self._run_batched(table, step)
            else:
                self._run_single(table, step)
        keys = [key for key, _ in self.outputs]
        rows = table[:, [column for _, column in self.outputs]].tolist()
        return [dict(zip(keys, _from_engine(row), strict=True)) for row in rows]

    @staticmethod
    def _run_batched(table: np.ndarray, step: _Step) -> None:
        workbooks, cells = table.shape[0], len(step.targets)
        columns = [table[:, list(hole)].reshape(workbooks * cells) for hole in step.holes]
        table[:, list(step.targets)] = evaluate_batched(step.template, columns).reshape(
            workbooks, cells)

    @staticmethod
    def _run_single(table: np.ndarray, step: _Step) -> None:
        formula = Formula(step.template, tuple(str(i) for i in range(len(step.shapes))))
        for row in range(table.shape[0]):
            def lookup(hole: str, row: int = row) -> list[Any]:
                return [table[row, c] for c in step.holes[int(hole)]]

            table[row, step.targets[0]] = evaluate_formula(formula, lookup, step.shapes)


def static_values(plan: WorkbookPlan) -> dict[CellKey, Value]:
    """Values of the label cells formulas may read (fixed targets)."""
    result: dict[CellKey, Value] = {}
    for sheet in plan.sheets:
        for cell in sheet.cells:
            if cell.key.endswith("/target") and cell.value is not None:
                result[(sheet.code, cell.ref)] = cell.value
    return result
