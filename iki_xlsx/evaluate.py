"""Evaluate a plan's formulas with the `formulas` engine.

Each formula shape (template) is compiled once per process and reused for every
cell and every workbook of that shape. Values are keyed by (sheet code, cell ref).
The same code computes cached values at generation and recomputes them at check.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from .formula import Formula
from .plan import Cell, SheetPlan, WorkbookPlan

Value = str | float | bool | None
CellKey = tuple[str, str]

_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def _engine() -> Any:
    with contextlib.redirect_stderr(io.StringIO()):
        import formulas
        import schedula
    return formulas, schedula


@lru_cache(maxsize=4096)
def _compiled(template: str, shapes: tuple[tuple[int, int], ...]) -> tuple[Callable[..., Any],
                                                                              tuple[int, ...]]:
    """Compile a template once; returns the function and, per engine input, its hole."""
    formulas, _ = _engine()
    placeholders = []  # hole i stands at row 1000*i+1, far from every other hole
    for i, (rows, cols) in enumerate(shapes):
        if (rows, cols) == (1, 1):
            placeholders.append(f"ZZ{1000 * i + 1}")
        else:
            placeholders.append(f"A{1000 * i + 1}:{_col(cols)}{1000 * i + rows}")
    text = "=" + template.format(*placeholders)
    with contextlib.redirect_stderr(io.StringIO()):
        func = formulas.Parser().ast(text)[1].compile()
    order = tuple(placeholders.index(name) for name in func.inputs)
    return func, order


def _col(n: int) -> str:
    name = ""
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _shape(reference: str) -> tuple[int, int]:
    match = _RANGE.match(reference)
    if match is None or match.group(4) is None:
        return (1, 1)
    first_col, first_row, last_col, last_row = (match.group(2), int(match.group(3)),
                                                match.group(4), int(match.group(5)))
    return (last_row - first_row + 1, _col_index(last_col) - _col_index(first_col) + 1)


def _col_index(name: str) -> int:
    n = 0
    for ch in name:
        n = n * 26 + ord(ch) - 64
    return n


def split_reference(reference: str, own_sheet: str, sheet_codes: Mapping[str, str]) -> tuple[
        str, list[str]]:
    """(sheet code, cell refs) of a reference such as `'Camat'!M12` or `I10:I20`."""
    match = _RANGE.match(reference)
    if match is None:
        raise ValueError(f"referensi tidak dikenal: {reference}")
    sheet_name, c1, r1, c2, r2 = match.groups()
    code = sheet_codes[sheet_name.replace("''", "'")] if sheet_name else own_sheet
    if c2 is None:
        return code, [f"{c1}{r1}"]
    cells = [f"{_col(c)}{r}" for r in range(int(r1), int(r2) + 1)
             for c in range(_col_index(c1), _col_index(c2) + 1)]
    return code, cells


def _to_engine(value: Value) -> Any:
    if value is None:
        _, schedula = _engine()
        return schedula.EMPTY
    return value


def _from_engine(result: Any) -> Value:
    formulas, _ = _engine()
    while isinstance(result, np.ndarray):
        result = result.ravel()[0] if result.size else None
    if isinstance(result, formulas.tokens.operand.XlError):
        return str(result)
    if isinstance(result, np.bool_ | bool):
        return bool(result)
    if isinstance(result, np.integer | int | np.floating | float):
        number = float(result)
        return number if math.isfinite(number) else "#NUM!"
    if result is None:
        return None
    text = str(result)
    return "" if text == "empty" else text


def evaluate_formula(formula: Formula, lookup: Callable[[str], list[Value]],
                     shapes: tuple[tuple[int, int], ...]) -> Value:
    """Evaluate one formula; `lookup(arg)` gives the values of an argument's cells."""
    func, order = _compiled(formula.template, shapes)
    args = []
    for hole in order:
        rows, cols = shapes[hole]
        values = lookup(formula.args[hole])
        array = np.empty((rows, cols), dtype=object)
        for i, value in enumerate(values):
            array[divmod(i, cols)] = _to_engine(value)
        args.append(array)
    with np.errstate(all="ignore"):
        return _from_engine(func(*args))


def formula_order(plan: WorkbookPlan) -> list[tuple[SheetPlan, Cell]]:
    """Formula cells in an order where every cell comes after the cells it reads."""
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

    for key in position:
        visit(key, set())
    return ordered


def evaluate_plan(plan: WorkbookPlan, inputs: Mapping[CellKey, Value],
                  order: Iterable[tuple[SheetPlan, Cell]] | None = None) -> dict[CellKey, Value]:
    """Values of every formula cell of the plan, given the values of its input cells.

    `inputs` holds input and label values by (sheet code, ref); missing cells are empty.
    """
    codes = {s.name: s.code for s in plan.sheets}
    values: dict[CellKey, Value] = dict(inputs)
    for sheet, cell in (order if order is not None else formula_order(plan)):
        assert cell.formula is not None
        formula = cell.formula
        resolved = [split_reference(a, sheet.code, codes) for a in formula.args]
        shapes = tuple(_shape(a) for a in formula.args)
        by_arg = {a: [values.get((code, r)) for r in refs]
                  for a, (code, refs) in zip(formula.args, resolved, strict=True)}
        values[(sheet.code, cell.ref)] = evaluate_formula(formula, by_arg.__getitem__, shapes)
    return {(s.code, c.ref): values[(s.code, c.ref)] for s, c in plan.formula_cells()}


def static_values(plan: WorkbookPlan) -> dict[CellKey, Value]:
    """Values of the label cells formulas may read (fixed targets)."""
    result: dict[CellKey, Value] = {}
    for sheet in plan.sheets:
        for cell in sheet.cells:
            if cell.key.endswith("/target") and cell.value is not None:
                result[(sheet.code, cell.ref)] = cell.value
    return result
