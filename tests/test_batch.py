"""Batch evaluation equals one-by-one evaluation: every shape of every seed blueprint, both ways,
on random and edge-case values; whole plans both ways; the checker both ways."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex, check_files
from iki_xlsx.check import chunk as chunk
from iki_xlsx.check.warm import LAYOUTS_DIR
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.formula import Formula
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook import evaluate
from iki_xlsx.workbook.evaluate import (
    Batch,
    _engine,
    _shape,
    batchable,
    engine_error,
    evaluate_batched,
    evaluate_formula,
    evaluate_plan,
    formula_order,
    static_values,
)
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.generate import recipients
from tests import mutate
from tests.conftest import PER_UNIT_YAML, UNITS, bundled

Shape = tuple[str, tuple[tuple[int, int], ...]]


def _plans() -> list[WorkbookPlan]:
    plans = []
    for bp in bundled().values():
        everyone = recipients(bp, UNITS)
        plans += [plan_workbook(bp, unit, 2026, everyone) for unit in everyone]
    return plans


def _seed_shapes() -> list[Shape]:
    shapes: dict[Shape, None] = {}
    for plan in _plans():
        for _, cell in plan.formula_cells():
            assert cell.formula is not None
            shapes[(cell.formula.template, tuple(_shape(a) for a in cell.formula.args))] = None
    return list(shapes)


SHAPES = _seed_shapes()


def _pool() -> list[Any]:
    _, schedula = _engine()
    errors = {code: engine_error(code) for code in ("#DIV/0!", "#VALUE!", "#N/A")}
    return [schedula.EMPTY, "", 0.0, 1.0, -3.5, 2.0, 12.0, 50.0, 75.0, 91.0, 100.0, 120.0, 0.001,
            1e9, "Ya", "Tidak", "abc", "5", True, False, errors["#DIV/0!"], errors["#VALUE!"],
            errors["#N/A"]]


def _rows(holes: int, rng: random.Random, count: int = 150) -> list[list[Any]]:
    """Edge rows (all blank, all zero, zero last hole, each error) then random rows."""
    pool = _pool()
    empty, zero = pool[0], 0.0
    rows = [[empty] * holes, [""] * holes, [zero] * holes, [12.0] * (holes - 1) + [zero],
            [zero] + [empty] * (holes - 1), *([v] * holes for v in pool[-3:])]
    rows += [[rng.choice(pool) for _ in range(holes)] for _ in range(count)]
    return rows


def _key(value: Any) -> tuple[str, Any]:
    """Identity of a value: its type and value (an error by its code)."""
    return (type(value).__name__, str(value) if isinstance(value, str) else value)


def one_by_one(template: str, rows: list[list[Any]]) -> list[Any]:
    holes = len(rows[0])
    formula = Formula(template, tuple(str(i) for i in range(holes)))
    shapes = tuple((1, 1) for _ in range(holes))
    return [evaluate_formula(formula, lambda h, row=row: [row[int(h)]], shapes) for row in rows]


def batched(template: str, rows: list[list[Any]]) -> list[Any]:
    columns = [np.array([row[h] for row in rows] + [None], dtype=object)[:-1]
               for h in range(len(rows[0]))]
    return list(evaluate_batched(template, columns))


def test_the_seed_blueprints_have_shapes_of_every_kind() -> None:
    assert len(SHAPES) >= 15


@pytest.mark.parametrize("shape", SHAPES, ids=[f"shape{i}" for i in range(len(SHAPES))])
def test_every_seed_shape_is_batched_exactly_as_cell_by_cell(
        shape: Shape, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batched equals cell by cell; and the shape compiled, kept and read back
    (`workbook.evaluate_warm`), as a later process uses it instead of compiling, is the
    engine's compiled shape again: other objects, the same answers on every row, batched
    (as the checker's batches ask it) and cell by cell on the edge rows."""
    from iki_xlsx.workbook.evaluate_warm import dump_shapes, load_shapes

    template, shapes = shape
    assert batchable(template, shapes), f"seed shape not element-wise: {template}"
    rows = _rows(len(shapes), random.Random(template))
    expected = [_key(v) for v in one_by_one(template, rows)]
    assert [_key(v) for v in batched(template, rows)] == expected
    compiled = evaluate.compiled([shape])
    read = load_shapes(dump_shapes(compiled))
    assert list(read) == [shape] and read[shape][0] is not compiled[shape][0], template
    assert read[shape][1] == compiled[shape][1], template
    monkeypatch.setattr(evaluate, "_COMPILED", dict(read))
    monkeypatch.setattr(evaluate, "_KNOWN", {})  # asked again, of the shape read back
    monkeypatch.setattr(evaluate, "_compile", None)  # compiling it again would fail
    assert [_key(v) for v in batched(template, rows)] == expected, f"read back: {template}"
    edges = len(rows) - 150  # all blank, all "", all zero, ..., each error
    assert [_key(v) for v in one_by_one(template, rows[:edges])] == expected[:edges], (
        f"read back, cell by cell: {template}")


@pytest.mark.parametrize("template", [
    'IF(COUNT({0})=0,"",{0})', "SUM({0},{1})", "MAX(0,{0})", "AND({0}>1,{1}>1)",
    "OR({0}=1,{1}=1)", "N({0})", 'IF(COUNTA({0},{1})=0,"",1)'])
def test_aggregating_shapes_are_not_batchable_and_would_differ(template: str) -> None:
    """Why the rewrites: these aggregate over the whole array when batched."""
    holes = template.count("{1}") + 1
    assert not batchable(template, tuple((1, 1) for _ in range(holes)))
    rows = _rows(holes, random.Random(1), count=40)
    assert [_key(v) for v in batched(template, rows)] != [_key(v)
                                                          for v in one_by_one(template, rows)]


def test_range_holes_are_never_batched() -> None:
    assert not batchable('IF({0}="","",{0})', ((3, 1),))
    assert batchable('IF({0}="","",IF({0}>=91,"A","B"))', ((1, 1),))
    assert not batchable('IF({0}="","",COUNTIF({1},">=75"))', ((1, 1), (3, 1)))


@pytest.mark.parametrize("template", ['{0}&""', "-{0}", 'IF({0}="","",1/{0})', "{0}*{1}"])
def test_values_equal_in_python_are_still_told_apart_when_asked_once(template: str) -> None:
    """The engine is asked once per distinct combination of values, by type and value: 1.0,
    1, True and "1" read differently (TRUE&"" is "TRUE"), and so do 0.0 and -0.0."""
    values = [0.0, -0.0, 1.0, 1, True, "1", "Ya", ""]
    holes = template.count("{1}") + 1
    rows = [[v, w][:holes] for v in values for w in values]
    for _ in range(2):  # the second time from the answers kept in the process
        assert [repr(v) for v in batched(template, rows)] == [repr(v) for v in
                                                               one_by_one(template, rows)]



# shapes with range holes and aggregating functions (the seed's element-wise ones are kept
# and read back in `test_every_seed_shape_is_batched_exactly_as_cell_by_cell`)
KEPT = [('IF(COUNT({0})=0,"",SUM({0}))', ((3, 1),)), ("MAX(0,{0})", ((1, 1),)),
        ('IF({0}="","",COUNTIF({1},">=75"))', ((1, 1), (3, 1))), ("AND({0}>1,{1}>1)",
                                                                  ((1, 1), (1, 1))),
        ('IF(COUNTA({0},{1})=0,"",ROUND(AVERAGE({0})/{1},2))', ((2, 2), (1, 1)))]


@pytest.mark.parametrize("shape", KEPT, ids=[f"kept{i}" for i in range(len(KEPT))])
def test_a_compiled_shape_kept_and_read_back_evaluates_as_compiled(
        shape: Shape, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a later process reads instead of compiling (`workbook.evaluate_warm`) is the
    engine's compiled shape again: other objects, the same answers on every edge value."""
    from iki_xlsx.workbook.evaluate_warm import dump_shapes, load_shapes

    template, shapes = shape
    compiled = evaluate.compiled([shape])
    read = load_shapes(dump_shapes(compiled))
    assert list(read) == [shape] and read[shape][0] is not compiled[shape][0]
    assert read[shape][1] == compiled[shape][1]
    formula = Formula(template, tuple(str(i) for i in range(len(shapes))))
    rng, pool = random.Random(template), _pool()
    cases = [[[rng.choice(pool) for _ in range(rows * cols)] for rows, cols in shapes]
             for _ in range(80)]
    cases += [[[value] * (rows * cols) for rows, cols in shapes] for value in pool]

    def answers() -> list[tuple[str, Any]]:
        return [_key(evaluate_formula(formula, lambda h, c=case: c[int(h)], shapes))
                for case in cases]

    expected = answers()
    monkeypatch.setattr(evaluate, "_COMPILED", dict(read))
    assert answers() == expected


def _layouts() -> list[tuple[Blueprint, WorkbookPlan]]:
    from iki_xlsx.blueprint.load import load_blueprint_text

    per_unit = load_blueprint_text(PER_UNIT_YAML, "per-unit.yaml").blueprint
    assert per_unit is not None
    out = []
    for bp in [*bundled().values(), per_unit]:
        everyone = recipients(bp, [*UNITS, Unit("3", "Kel C")])
        out += [(bp, plan_workbook(bp, unit, 2026, everyone)) for unit in (everyone[0],
                                                                             everyone[-1])]
    return out


# the engine's answers the one-by-one reference below asked, kept for every test of this module
_ANSWERS: dict[tuple[Any, ...], Any] = {}


def _engine_answer_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """`evaluate_plan` still evaluates every formula cell one by one through
    `evaluate_formula`, but the engine's answer for a formula with the very same values (each
    told apart by its type and repr: 1.0, 1, True, "1", -0.0 and each error differ) is kept
    and given again: two of three cells of twelve workbooks of a layout repeat one already
    asked, and the engine's answer is a function of the formula and its values alone. The
    answers are kept for the whole module (`_ANSWERS`): a fifth of those the layouts and the
    checker's corpus ask were asked already by an earlier test (the same shapes, other
    cells)."""
    ask = evaluate.evaluate_formula
    kept = _ANSWERS

    def answer(formula: Formula, lookup: Callable[[str], list[Any]],
               shapes: tuple[tuple[int, int], ...]) -> Any:
        key = (formula.template, shapes, *(tuple((type(v).__name__, repr(v)) for v in lookup(a))
                                          for a in formula.args))
        if key not in kept:
            kept[key] = ask(formula, lookup, shapes)
        return kept[key]

    monkeypatch.setattr(evaluate, "evaluate_formula", answer)


@pytest.mark.parametrize("layout", _layouts(), ids=lambda x: f"{x[0].id}-{x[1].unit.kode}")
def test_whole_plans_batched_equal_plans_evaluated_one_by_one(
        layout: tuple[Blueprint, WorkbookPlan], monkeypatch: pytest.MonkeyPatch) -> None:
    bp, plan = layout
    rng = random.Random(plan.blueprint_id + plan.unit.kode)
    pool = [None, "", 0.0, 5.0, 40.0, 80.0, 100.0, "Ya", "Tidak", "abc"]
    workbooks = []
    for seed in range(12):
        inputs = {**static_values(plan), **sample_inputs(bp, plan, seed)}
        if seed % 3:  # spoil some inputs: blanks, zeros, text
            for key in rng.sample(sorted(inputs), k=len(inputs) // 4):
                inputs[key] = rng.choice(pool)
        workbooks.append(inputs)
    order = formula_order(plan)
    batch = Batch(plan, order)
    together = batch.evaluate(workbooks)
    _engine_answer_kept(monkeypatch)  # only for the reference below
    assert together == [evaluate_plan(plan, w, order) for w in workbooks]
    ranged = [s for s in batch.steps if not s.batched]
    assert all(not batchable(s.template, s.shapes) for s in ranged)


def test_a_layout_depends_on_the_recipient_only_through_kantor(
        blueprints: dict[str, Blueprint]) -> None:
    """The checker shares one plan among the workbooks of a layout: only the meta rows name
    the recipient."""
    for bp in blueprints.values():
        everyone = recipients(bp, UNITS)
        one, other = (plan_workbook(bp, u, 2026, everyone) for u in everyone[:2])
        odd = Unit("9'9", "Kel. O'Brien & [Anak]")
        third = plan_workbook(bp, odd, 2026, everyone)

        def cells(plan: WorkbookPlan) -> list[Any]:
            return [(s.code, s.name, c) for s in plan.sheets for c in s.cells
                    if not c.key.startswith("meta/")]

        assert cells(one) == cells(other) == cells(third)


# --- the checker both ways ----------------------------------------------------------------------


def test_the_checker_corpus_gives_the_same_findings_both_ways(
        tmp_path: Path, generated: dict[tuple[str, bool], list[Path]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kind of changed file of the checker's tests, batched and per file, in one batch
    with files of other layouts between them."""
    from tests.test_check import bad_files, ratio_cells

    blueprints = bundled()
    index = BlueprintIndex(blueprints.values())
    filled = generated[("iki-kecamatan-kota", True)][0]
    everyone = recipients(blueprints["iki-kecamatan-kota"], UNITS)
    plan = plan_workbook(blueprints["iki-kecamatan-kota"], everyone[0], 2026, everyone)
    sheet, num, den, realisasi = ratio_cells(plan, blueprints)
    corpus = [*generated[("iki-kecamatan-kota", True)], *generated[("iki-kecamatan-jabung", True)],
              *generated[("iku-kecamatan", False)], *bad_files(tmp_path, filled).values()]
    changes: list[tuple[str, Any, bool]] = [
        (den, -5.0, False), (den, "1.234", False), (den, "banyak", False), (den, None, False),
        (den, 0.0, False), (num, 999.0, False), (realisasi, 100.0, False),
        (realisasi, 12.5, True), (realisasi, None, True)]
    for i, (ref, value, keep) in enumerate(changes):
        corpus.insert(2 * i, mutate.set_cell(filled, tmp_path / f"m{i}.xlsx", sheet, ref,
                                             value=value, keep_formula=keep))
    batch = check_files(corpus, index, workers=1)
    # batched again from the layouts a first run kept (`check.warm`), as by a process that
    # made none: plans, layouts, compiled shapes and the engine's answers all forgotten, and
    # nothing compiled
    warm = tmp_path / "simpan"
    warm.mkdir()
    with monkeypatch.context() as fresh:
        fresh.setattr(chunk, "_LAYOUTS", {})
        check_files(corpus, index, workers=1, warm=warm)
        assert len(list((warm / LAYOUTS_DIR).iterdir())) == len(chunk._LAYOUTS) >= 3
    with monkeypatch.context() as forgotten:
        for module, name in ((chunk, "_LAYOUTS"), (evaluate, "_COMPILED"),
                             (evaluate, "_KNOWN")):
            forgotten.setattr(module, name, {})
        forgotten.setattr(evaluate, "_compile", None)  # calling it would fail the check
        kept = check_files(corpus, index, workers=1, warm=warm)
    _engine_answer_kept(monkeypatch)  # for the per-file path only, which repeats cells most
    single = check_files(corpus, index, workers=1, batch=False)
    assert [r.to_dict() for r in batch.files] == [r.to_dict() for r in single.files] == [
        r.to_dict() for r in kept.files]
    assert [r.inputs for r in batch.files] == [r.inputs for r in single.files] == [
        r.inputs for r in kept.files]
    assert {str(r.status) for r in batch.files} == {"ok", "needs-correction", "rejected"}
