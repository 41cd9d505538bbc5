"""Blueprint arithmetic expressions (`rumus`, `aturan`): parsing, names used, Excel text.

An expression is plain arithmetic over variable and constant names:
numbers, names, `+ - * /`, unary minus and parentheses. Nothing else is allowed,
so every expression translates to an Excel formula that Excel, LibreOffice and
the `formulas` engine evaluate alike.

Its length, operators and parentheses are counted before it is parsed (`MAX_CHARS`,
`MAX_OPERATORS`, `MAX_PARENTHESES`): the parse tree is walked recursively, and a formula of
thousands of terms would otherwise end in a RecursionError.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping

from iki_xlsx.core import angka
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.errors import IkiError

_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
}


MAX_CHARS = 1000  # a decree's longest formula has about 120 characters
MAX_OPERATORS = 100  # + - * / (unary signs included): the parse tree's depth
MAX_PARENTHESES = 20  # levels of ( ) inside each other


class ExpressionError(IkiError, ValueError):
    """The expression is not plain arithmetic over names; `said` is the finding it makes."""

    def __init__(self, said: Message) -> None:
        super().__init__(said.text)
        self.said = said


def parse(text: str) -> ast.expr:
    """Parse `text` into an AST made only of the allowed nodes."""
    normalised = text.replace("×", "*").replace("÷", "/").replace("−", "-")
    _check_size(text, normalised)
    try:
        tree = ast.parse(normalised, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message(rumus=text,
                                                                    galat=exc.msg)) from None
    _check(tree.body, text)
    return tree.body


def _check_size(text: str, normalised: str) -> None:
    """The bounds, counted on the text before any parsing."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    if len(text) > MAX_CHARS:
        raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message(
            "too-long", rumus=shown, panjang=angka.ribuan(len(text)),
            batas=angka.ribuan(MAX_CHARS)))
    operators = sum(normalised.count(op) for op in "+-*/")
    if operators > MAX_OPERATORS:
        raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message(
            "operators", rumus=shown, jumlah=operators, batas=MAX_OPERATORS))
    depth = deepest = 0
    for char in normalised:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_PARENTHESES:
        raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message(
            "parentheses", rumus=shown, jumlah=deepest, batas=MAX_PARENTHESES))


def _check(node: ast.expr, text: str) -> None:
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message("operator", rumus=text))
        _check(node.left, text)
        _check(node.right, text)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message("operator", rumus=text))
        _check(node.operand, text)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message("not-number",
                                                                        rumus=text))
    elif not isinstance(node, ast.Name):
        raise ExpressionError(Code.BLUEPRINT_BAD_EXPRESSION.message("allowed", rumus=text))


def names(text: str) -> list[str]:
    """The names an expression uses, in order of first appearance."""
    seen: list[str] = []
    for node in ast.walk(parse(text)):
        if isinstance(node, ast.Name) and node.id not in seen:
            seen.append(node.id)
    return seen


def to_excel(text: str, resolve: Callable[[str], str]) -> str:
    """Excel text of the expression (no leading `=`), each name replaced by `resolve(name)`."""
    return _emit(parse(text), resolve)


def _emit(node: ast.expr, resolve: Callable[[str], str]) -> str:
    if isinstance(node, ast.BinOp):
        op = _OPERATORS[type(node.op)]
        return f"({_emit(node.left, resolve)}{op}{_emit(node.right, resolve)})"
    if isinstance(node, ast.UnaryOp):
        sign = "-" if isinstance(node.op, ast.USub) else ""
        return f"({sign}{_emit(node.operand, resolve)})"
    if isinstance(node, ast.Constant):
        return number_literal(float(node.value))  # type: ignore[arg-type]
    assert isinstance(node, ast.Name)
    return resolve(node.id)


def number_literal(value: float) -> str:
    """A number as formula text: integers without a decimal point, others exactly (repr)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def evaluate(text: str, values: Mapping[str, float]) -> float:
    """Evaluate the expression in Python (used for rule checks on read-back inputs); each
    text is parsed once per process (a check evaluates the same rules for every file)."""
    return _eval(_parsed(text), values)


# the parse trees of the texts evaluated, only read after; an invalid text raises each time
_parsed = functools.lru_cache(maxsize=4096)(parse)


def _eval(node: ast.expr, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return left / right
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return float(node.value)
    assert isinstance(node, ast.Name)
    return float(values[node.id])
