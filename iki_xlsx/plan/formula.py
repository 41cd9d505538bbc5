"""Excel formulas as templates: one shape, many places.

Every formula the plan writes is a `Formula`: a template with numbered holes
(`{0}`, `{1}` ...) and the references that fill them. The template is the
formula's *shape*: the `formulas` engine compiles each shape once, and every
cell of that shape is evaluated with its own references.

Only functions that Excel, LibreOffice Calc and the `formulas` engine agree on
are used. Every shape over single cells is element-wise: IF, IFERROR, arithmetic
and comparisons only, so the checker can evaluate one shape over a whole batch of
workbooks as one array (`evaluate.batchable`). "Blank" is `x=""`, "any of them
blank" a sum of such tests, "all of them blank" a product; sums are `+`. COUNT,
SUM, AVERAGE, MIN, MAX, AND, OR and N aggregate over arrays in `formulas`, so they
appear only over a range (COUNTIF over a column of units). No `--x`, no defined names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iki_xlsx.blueprint import expression
from iki_xlsx.blueprint.expression import number_literal
from iki_xlsx.blueprint.model import AgregasiPeriode, Tingkat


@dataclass(frozen=True)
class Formula:
    """A formula shape and the references (cells or ranges) that fill its holes."""

    template: str
    args: tuple[str, ...]

    @property
    def text(self) -> str:
        """The Excel formula, with its leading `=`."""
        return "=" + self.template.format(*self.args)


def _holes(n: int, start: int = 0) -> list[str]:
    return ["{" + str(i) + "}" for i in range(start, start + n)]


def _str(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _all_blank(holes: Sequence[str]) -> str:
    """True (1) when every hole is blank: a product of blank tests."""
    return "*".join(f'({h}="")' for h in holes) if len(holes) > 1 else f'{holes[0]}=""'


def _any_blank(holes: Sequence[str]) -> str:
    """Non-zero when some hole is blank: a sum of blank tests."""
    return "+".join(f'({h}="")' for h in holes) if len(holes) > 1 else f'{holes[0]}=""'


def _filled_sum(holes: Sequence[str]) -> str:
    """Sum of the filled holes (a formula's "" counts as 0)."""
    return "+".join(f'IF({h}="",0,{h})' for h in holes)


def _filled_count(holes: Sequence[str]) -> str:
    return "+".join(f'({h}<>"")' for h in holes)


def aggregate(rule: AgregasiPeriode, cells: Sequence[str]) -> Formula:
    """Annual value of one variable from its per-period cells."""
    holes = _holes(len(cells))
    if rule is AgregasiPeriode.JUMLAH:
        template = f'IF({_all_blank(holes)},"",{"+".join(holes)})'
    elif rule is AgregasiPeriode.RATA_RATA:
        template = f'IF({_all_blank(holes)},"",({"+".join(holes)})/({_filled_count(holes)}))'
    else:  # the last period that has a value; an empty cell never shows as 0
        template = f'IF({holes[0]}<>"",{holes[0]},"")'
        for hole in holes[1:]:
            template = f'IF({hole}<>"",{hole},{template})'
    return Formula(template, tuple(cells))


def copy_of(cell: str) -> Formula:
    """The value of a cell, blank when it is blank (a bare reference would show 0): a copy,
    or a number entered directly (count or score)."""
    return Formula('IF({0}="","",{0})', (cell,))


def sheet_prefix(name: str) -> str:
    """`'name'!`: a sheet named in a formula, always quoted (quotes inside doubled)."""
    return "'" + name.replace("'", "''") + "'!"


def unquote_sheet(written: str) -> str:
    """The sheet name a formula or defined name writes (`'It''s'` or `Data`)."""
    if len(written) >= 2 and written[0] == written[-1] == "'":
        written = written[1:-1]
    return written.replace("''", "'")


def column_letters(number: int) -> str:
    """The letters of column `number` (1 is A, 27 is AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """The number of column `letters` (A is 1, AA is 27); upper-case letters only."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def ratio(numerator: str, denominator: str) -> Formula:
    """numerator / denominator x 100; blank until both are filled or when dividing by zero."""
    return Formula('IF(({0}="")+({1}=""),"",IF({1}=0,"",{0}/{1}*100))', (numerator, denominator))


def general(rumus: str, konstanta: dict[str, float], cells: dict[str, str]) -> Formula:
    """A blueprint `rumus` over variable cells: blank until every variable is filled."""
    names = [n for n in expression.names(rumus) if n in cells]
    index = {name: i for i, name in enumerate(names)}

    def resolve(name: str) -> str:
        if name in konstanta:
            return number_literal(konstanta[name])
        return "{" + str(index[name]) + "}"

    body = expression.to_excel(rumus, resolve)
    template = f'IF({_any_blank(_holes(len(names)))},"",IFERROR({body},""))'
    return Formula(template, tuple(cells[n] for n in names))


def meets(cell: str, operator: str, threshold: float) -> Formula:
    """100 when one unit's value meets the threshold, 0 when not, blank when empty."""
    return Formula(
        f'IF({{0}}="","",IF({{0}}{operator}{number_literal(threshold)},100,0))', (cell,)
    )


def share_meeting(cells_range: str, count: int, operator: str, threshold: float) -> Formula:
    """Share (%) of the units in a column range whose value meets the threshold.

    Aggregates over a range: evaluated per workbook, never batched."""
    criterion = _str(f"{operator}{number_literal(threshold)}")
    return Formula(
        f'IF(COUNT({{0}})=0,"",COUNTIF({{0}},{criterion})/{count}*100)', (cells_range,)
    )


def checklist(cells: Sequence[str], all_required: bool) -> Formula:
    """Items answered "Ya": their number, or 100/0 for "all of them"."""
    holes = _holes(len(cells))
    yes = "+".join(f'({h}="Ya")*1' for h in holes)
    if all_required:
        template = f'IF({_all_blank(holes)},"",IF({yes}={len(cells)},100,0))'
    else:
        template = f'IF({_all_blank(holes)},"",{yes})'
    return Formula(template, tuple(cells))


def capaian(realisasi: str, target: str, lower_is_better: bool, cap: float | None) -> Formula:
    """Capaian (%) of the annual realisasi against the target (PermenPANRB 8/2021).

    Higher is better: realisasi / target x 100. Lower is better:
    (2 x target - realisasi) / target x 100, and with a target of 0, 100 when
    realisasi is 0 and 0 otherwise. Never below 0; at most `cap` when given.
    """
    value = "(2*{1}-{0})/{1}*100" if lower_is_better else "{0}/{1}*100"
    inner = f"IF({value}<0,0,{value})"
    if cap is not None:
        inner = f"IF({value}>{number_literal(cap)},{number_literal(cap)},{inner})"
    zero_target = "IF({0}=0,100,0)" if lower_is_better else '""'
    core = f"IF({{1}}=0,{zero_target},{inner})"
    return Formula(f'IF(({{0}}="")+({{1}}=""),"",{core})', (realisasi, target))


def scale(cell: str, steps: Sequence[Tingkat]) -> Formula:
    """Label of the highest step whose minimum the value reaches (predikat, mutu)."""
    template = _str(steps[-1].label)
    for step in reversed(steps[:-1]):
        template = f"IF({{0}}>={number_literal(step.min)},{_str(step.label)},{template})"
    return Formula(f'IF({{0}}="","",{template})', (cell,))


def average(cells: Sequence[str]) -> Formula:
    """Mean of the filled cells, blank when none is filled."""
    if len(cells) == 1:
        return copy_of(cells[0])
    holes = _holes(len(cells))
    template = f'IF({_all_blank(holes)},"",({_filled_sum(holes)})/({_filled_count(holes)}))'
    return Formula(template, tuple(cells))


def sum_of(cells_range: str) -> Formula:
    """Sum of a column of unit values (the recap's kecamatan total); blank when all are."""
    return Formula('IF(COUNT({0})=0,"",SUM({0}))', (cells_range,))


def count_equal(cells_range: str, text: str) -> Formula:
    """How many cells of a range hold exactly `text` (units answering "Ya", units accepted)."""
    return Formula(f"COUNTIF({{0}},{_str(text)})", (cells_range,))


def mean_of(cells_range: str) -> Formula:
    """Mean of the filled cells of a column of unit values; blank when none is filled."""
    return Formula('IF(COUNT({0})=0,"",AVERAGE({0}))', (cells_range,))
