"""A real year: workbooks typed in LibreOffice at each stage (nothing, TW I, TW I-II, TW I-III,
the whole year), checked, collected, counted by status and recapped, for every bundled
blueprint. Every kecamatan realisasi and capaian in the recap (cached by the `formulas`
engine, and recalculated by LibreOffice) equals a pandas computation made here from the
values typed, following the decree's arithmetic, never from the project's outputs.
Fails (never skips) when LibreOffice is missing."""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string

from iki_xlsx.blueprint import expression
from iki_xlsx.blueprint.model import (
    Blueprint,
    Indikator,
    Jenis,
    Konstanta,
    Pengisi,
    Polaritas,
    Tipe,
    indicators,
)
from iki_xlsx.check import BlueprintIndex, check_files
from iki_xlsx.intake.collect import collect
from iki_xlsx.intake.status import status
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.rekap.build import RekapResult, write_rekap
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.generate import recipients
from tests import libreoffice
from tests.conftest import UNITS, same

STAGES = (0, 1, 2, 3, 4)  # periods filled; a semester or annual blueprint stops at its count
PERIODE = 2026


@dataclass
class Stage:
    """One blueprint at one point of the year: what was typed, what the tool made of it."""

    bp: Blueprint
    filled: int
    typed: dict[str, dict[str, Any]]  # unit kode -> plan key -> value typed in LibreOffice
    files: list[Path]
    checked: dict[str, str] = field(default_factory=dict)  # file name -> status
    findings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # code, message
    store: Store | None = None
    recap: RekapResult | None = None
    periods: dict[tuple[str, str], pd.Series] | None = field(default=None, repr=False,
                                                             compare=False)
    shown: dict[str, dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    def period_values(self, unit: str, prefix: str) -> pd.Series:
        """What `unit` typed in the cells `prefix` + period number, indexed by the period
        (everything typed grouped once per stage: a table by unit and key prefix)."""
        if self.periods is None:
            frame = pd.DataFrame([{"unit": kode, "key": key, "value": value}
                                  for kode, values in self.typed.items()
                                  for key, value in values.items()],
                                 columns=["unit", "key", "value"])
            parts = frame["key"].str.extract(r"^(.*/p)(\d+)$")
            frame["prefix"], frame["period"] = parts[0], pd.to_numeric(parts[1])
            frame = frame.dropna(subset=["prefix"])
            self.periods = {(str(unit_), str(prefix_)): pd.Series(
                list(group["value"]), index=[int(p) for p in group["period"]], dtype=object)
                for (unit_, prefix_), group in frame.groupby(["unit", "prefix"], sort=False)}
        return self.periods.get((unit, prefix), pd.Series([], dtype=object))


def _period(key: str) -> int | None:
    last = key.rsplit("/", 1)[-1]
    return int(last[1:]) if last.startswith("p") and last[1:].isdigit() else None


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint],
         generated: dict[tuple[str, bool], list[Path]], office_port: int) -> list[Stage]:
    """Every bundled blueprint at every stage: typed in LibreOffice (one session; each blank
    workbook, the run's shared ones for UNITS, opened once and kept open all year, typed over
    and saved at each stage under a name of its own), collected into a store per stage,
    recapped."""
    root = tmp_path_factory.mktemp("tahun")
    stages: list[Stage] = []
    steps: dict[Path, list[tuple[list[tuple[str, str, str | float | None]], Path]]] = {}
    for bp in blueprints.values():
        everyone = recipients(bp, UNITS)
        blank = generated[(bp.id, False)]  # generate(bp, UNITS, 2026, ...), built once a run
        assert PERIODE == 2026
        plans = [plan_workbook(bp, unit, PERIODE, everyone) for unit in everyone]
        assert all(f"_{plan.unit.kode}_" in path.name
                   for plan, path in zip(plans, blank, strict=True)), blank
        before: dict[Path, set[tuple[str, str]]] = {path: set() for path in blank}
        for filled in sorted({min(s, len(bp.periods)) for s in STAGES}):
            stage = Stage(bp, filled, {}, [])
            for plan, path in zip(plans, blank, strict=True):
                where = {(s.code, c.ref): (s.name, c.key) for s, c in plan.input_cells()}
                typed = {}
                cells: list[tuple[str, str, str | float | None]] = []
                for (code, at), value in sample_inputs(bp, plan, seed=filled).items():
                    name, key = where[(code, at)]
                    p = _period(key)
                    if value is None or filled == 0 or (p is not None and p > filled):
                        continue
                    typed[key] = value
                    cells.append((name, at, value if isinstance(value, str) else float(value)))
                # what an earlier stage typed and this one does not is deleted
                now = {(name, at) for name, at, _ in cells}
                cells += [(name, at, None) for name, at in sorted(before[path] - now)]
                before[path] = now
                stage.typed[plan.unit.kode] = typed
                target = root / bp.id / f"tw{filled}" / "kembali" / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                steps.setdefault(path, []).append((cells, target))
                stage.files.append(target)
            stages.append(stage)
    libreoffice.read_values(office_port, list(steps), {}, "never", steps=steps)
    index = BlueprintIndex(blueprints.values())
    for stage in stages:
        stage.store = Store(stage.files[0].parent.parent / "simpan")
        taken = collect(stage.files, stage.store, index)  # each file checked as it is taken
        assert sorted(Path(name).name for name, *_ in taken.added) == sorted(
            f.name for f in stage.files), taken
        stage.checked = {Path(name).name: str(status) for name, _, status in taken.added}
        stage.findings = {Path(name).name: [(f.code, f.message) for f in taken.findings[digest]]
                          for name, digest, _ in taken.added}
        stage.recap = write_rekap(stage.store, index, stage.files[0].parent.parent /
                                  "rekap.xlsx")
        assert stage.recap.path is not None, [f.one_line() for f in stage.recap.findings]
    return stages


# --- the decree's arithmetic, computed here from the values typed ---------------------------


def _annual(values: pd.Series, rule: str) -> Any:
    """A variable's value to date from its period values (index: period number)."""
    filled = values.dropna().sort_index()
    if filled.empty:
        return None
    if rule == "jumlah":
        return float(filled.sum())
    if rule == "rata_rata":
        return float(filled.mean())
    return filled.iloc[-1]


def _row_realisasi(ind: Indikator, row: dict[str, Any]) -> float | None:
    if ind.jenis is Jenis.PERSENTASE:
        num, den = row[ind.pembilang], row[ind.penyebut]
        return None if num is None or den is None or den == 0 else num / den * 100
    if ind.jenis in (Jenis.JUMLAH, Jenis.NILAI):
        return row[ind.variabel[0].id]
    if ind.jenis is Jenis.RUMUS:
        assert ind.rumus is not None
        if any(row[v.id] is None for v in ind.variabel):
            return None
        # the annual figure: a constant stated per year (`per: tahun`) at its full value
        constants = {name: c.nilai if isinstance(c, Konstanta) else c
                     for name, c in ind.konstanta.items()}
        try:
            return expression.evaluate(ind.rumus, {**constants, **row})
        except ZeroDivisionError:
            return None
    if ind.jenis is Jenis.AMBANG:
        assert ind.ambang is not None
        value = row[ind.ambang.variabel]
        return None if value is None else (100.0 if _meets(value, ind.ambang.operator,
                                                          ind.ambang.nilai) else 0.0)
    answers = [row[v.id] for v in ind.variabel]
    if all(a is None for a in answers):
        return None
    yes = sum(1 for a in answers if a == "Ya")
    if ind.hitung == "semua":
        return 100.0 if yes == len(answers) else 0.0
    return float(yes)


def _meets(value: float, operator: str, threshold: float) -> bool:
    return {">=": value >= threshold, ">": value > threshold, "<=": value <= threshold,
            "<": value < threshold}[operator]


def _numbers(values: list[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def _kecamatan(bp: Blueprint, ind: Indikator, base: str, stage: Stage
               ) -> tuple[float | None, float | None]:
    """The kecamatan's realisasi and capaian by the decree's rules, from the values typed."""
    office = "kecamatan"
    # the stage's own units (test_year's and tests/yearly's years are of different units)
    units = [kode for kode in stage.typed if kode != office]
    if ind.pengisi is Pengisi.KELURAHAN:
        rows = [(kode, kode, "") for kode in units]
    elif all(v.agregasi_unit.value == "per_unit" for v in ind.variabel):
        rows = [(kode, office, f"@{kode}") for kode in units]
    else:
        rows = [(office, office, "")]
    unit_rows: list[dict[str, Any]] = []
    for _, source, suffix in rows:
        row: dict[str, Any] = {}
        for var in ind.variabel:
            series = stage.period_values(source, f"{base}/{var.id}{suffix}/p")
            row[var.id] = _annual(series, var.period_rule.value)
        typed_target = stage.typed.get(source, {}).get(f"{base}/target")
        row["target"] = (float(typed_target) if not suffix and typed_target is not None
                         else ind.target)
        row["realisasi"] = _row_realisasi(ind, row)
        unit_rows.append(row)
    if len(rows) == 1:
        realisasi, target = unit_rows[0]["realisasi"], unit_rows[0]["target"]
    else:
        realisasi = _total_realisasi(ind, unit_rows)
        targets = _numbers([r["target"] for r in unit_rows])
        additive = (ind.jenis in (Jenis.JUMLAH, Jenis.RUMUS) and ind.satuan.strip() != "%"
                    and ind.variabel[0].agregasi_unit.value == "jumlah")
        target = ind.target if ind.target is not None else (
            (sum(targets) if additive else sum(targets) / len(targets)) if targets else None)
    return realisasi, _capaian(bp, ind, realisasi, target)


def _total_realisasi(ind: Indikator, unit_rows: list[dict[str, Any]]) -> float | None:
    count = len(unit_rows)
    if ind.jenis is Jenis.AMBANG:
        assert ind.ambang is not None
        values = _numbers([r[ind.ambang.variabel] for r in unit_rows])
        meeting = sum(1 for v in values if _meets(v, ind.ambang.operator, ind.ambang.nilai))
        return meeting / count * 100 if values else None
    if ind.jenis is Jenis.DAFTAR_PERIKSA:
        realised = _numbers([r["realisasi"] for r in unit_rows])
        if not realised:
            return None
        if ind.hitung == "semua":
            return sum(1 for v in realised if v >= 100) / count * 100
        return sum(realised) / len(realised)
    totals: dict[str, Any] = {}
    for var in ind.variabel:
        column = [r[var.id] for r in unit_rows]
        if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN):
            totals[var.id] = float(sum(1 for v in column if v == var.choices[0]))
            continue
        numbers = _numbers(column)
        if var.agregasi_unit.value == "per_unit" or not numbers:
            totals[var.id] = None
        elif var.agregasi_unit.value == "jumlah":
            totals[var.id] = sum(numbers)
        else:
            totals[var.id] = sum(numbers) / len(numbers)
    return _row_realisasi(ind, totals)


def _capaian(bp: Blueprint, ind: Indikator, realisasi: float | None,
             target: float | None) -> float | None:
    """PermenPANRB 8/2021, never below 0, at most the blueprint's limit."""
    if realisasi is None or target is None:
        return None
    lower = ind.polaritas is Polaritas.TURUN
    if target == 0:
        return (100.0 if realisasi == 0 else 0.0) if lower else None
    value = (2 * target - realisasi) / target * 100 if lower else realisasi / target * 100
    cap = ind.batas_capaian if ind.batas_capaian is not None else bp.batas_capaian
    value = max(value, 0.0)
    return min(value, cap) if cap is not None else value


# --- the tests --------------------------------------------------------------------------------


def test_every_stage_of_the_year_is_checked_collected_and_counted(year: list[Stage]) -> None:
    for stage in year:
        assert stage.store is not None
        expected = "ok" if stage.filled else "needs-correction"
        assert set(stage.checked.values()) == {expected}, (stage.bp.id, stage.filled,
                                                           stage.checked)
        (period,) = status(stage.store).periods
        states = {u.kode: u.state.label for u in period.units}
        word = "diterima" if stage.filled else "perlu perbaikan"
        assert states == {**{u.kode: word for u in UNITS}, "kecamatan": word}, stage.bp.id


def test_a_workbook_returned_blank_is_not_accepted_and_says_what_to_send(
        year: list[Stage]) -> None:
    blank = [s for s in year if s.filled == 0]
    assert len(blank) == 3
    for stage in blank:
        for name, found in stage.findings.items():
            assert found == [(
                "blank-return",
                "workbook kembali kosong: tidak ada satu pun sel isian (sel kuning) yang terisi. "
                "Isi realisasi periode yang sudah berjalan (dan target bila diminta) pada "
                "workbook ini, simpan, lalu kirim berkas yang sudah diisi itu; periksa bahwa "
                "yang dilampirkan bukan berkas kosong dari kecamatan atau berkas lain")], name


def test_the_recap_says_how_far_the_year_has_reached(year: list[Stage]) -> None:
    for stage in year:
        head = _shown(stage)["Ringkasan"]
        texts = {str(v) for at, v in head.items() if coordinate_from_string(at)[1] <= 8}
        periods = stage.bp.periods
        if stage.filled == 0:
            wanted = "belum ada isian"
        elif stage.filled == len(periods):
            wanted = f"setahun penuh (s.d. {periods[-1]})"
        else:
            wanted = f"data s.d. {periods[stage.filled - 1]};"[:-1]
        assert any(wanted in t for t in texts), (stage.bp.id, stage.filled, texts)


def _expected(stage: Stage) -> dict[tuple[str, str], float | None]:
    """(sheet code, plan key) of every kecamatan realisasi and capaian -> its value."""
    result: dict[tuple[str, str], float | None] = {}
    for jab, ind in indicators(stage.bp):
        scope = jab.id if jab else "iku"
        base = f"{scope}/{ind.id}"
        realisasi, capaian = (_kecamatan(stage.bp, ind, base, stage) if stage.filled
                              else (None, None))
        code = f"J-{jab.id}" if jab else "IKU"
        result[(code, str(PlanKey(scope, ind.id, "realisasi", "kecamatan")))] = realisasi
        result[(code, str(PlanKey(scope, ind.id, "capaian", "kecamatan")))] = capaian
    return result


def _cached(path: Path, sheets: set[str]) -> dict[str, dict[str, Any]]:
    """The values cached in the file (as saved, never recalculated) of the given sheets, by
    cell reference (an empty cell absent), read by openpyxl."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {sheet: {f"{get_column_letter(c)}{r}": value
                        for r, row in enumerate(book[sheet].iter_rows(values_only=True), start=1)
                        for c, value in enumerate(row, start=1) if value is not None}
                for sheet in sheets}
    finally:
        book.close()


def _shown(stage: Stage) -> dict[str, dict[str, Any]]:
    """What the stage's recap shows (`_cached`) on every sheet these tests read: the summary
    and each sheet of kecamatan figures, read once for all of them."""
    if stage.shown is None:
        assert stage.recap is not None and stage.recap.path and stage.recap.plan
        plan = stage.recap.plan
        sheets = {"Ringkasan", plan.sheet("RINGKASAN").name} | {
            plan.sheet(f"J-{jab.id}" if jab else "IKU").name for jab, _ in indicators(stage.bp)}
        stage.shown = _cached(stage.recap.path, sheets)
    return stage.shown


def test_kecamatan_figures_equal_the_decree_arithmetic_in_both_engines(
        year: list[Stage], office_port: int) -> None:
    """Cached values (the `formulas` engine) and LibreOffice's recalculation, against pandas."""
    wanted: dict[Path, dict[tuple[str, str], float | None]] = {}
    cells: dict[Path, list[tuple[str, str]]] = {}
    names: dict[Path, dict[tuple[str, str], tuple[str, str]]] = {}
    for stage in year:
        assert stage.recap is not None and stage.recap.path and stage.recap.plan
        plan = stage.recap.plan
        expected = _expected(stage)
        where = {(code, key): (plan.sheet(code).name, plan.sheet(code).cell(key).ref)
                 for code, key in expected}
        wanted[stage.recap.path], names[stage.recap.path] = expected, where
        cells[stage.recap.path] = list(where.values())
    shown = libreoffice.read_values(office_port, list(cells), cells, "always")
    wrong = []
    compared = 0
    for stage in year:
        assert stage.recap is not None and stage.recap.path
        path, cached = stage.recap.path, _shown(stage)
        expected, in_libreoffice = wanted[path], shown[str(path.resolve())]
        for item, value in expected.items():
            sheet, at = names[path][item]
            recalculated = in_libreoffice[f"{sheet}!{at}"]
            if not (same(cached[sheet].get(at), value) and same(recalculated, value)):
                wrong.append((path.parent.name, item, value, cached[sheet].get(at),
                              recalculated))
            compared += value is not None
    assert not wrong, wrong[:10]
    assert compared > 300


def test_a_mid_year_figure_follows_each_variables_period_rule(year: list[Stage]) -> None:
    """TW I-II of the Jabung blueprint: a sum over two periods is not the last period's."""
    stage = next(s for s in year if s.bp.id == "iki-kecamatan-jabung" and s.filled == 2)
    rules = {var.period_rule.value for _, ind in indicators(stage.bp) for var in ind.variabel}
    assert {"jumlah", "terakhir"} <= rules
    realised = [v for v in _expected(stage).values() if v is not None and math.isfinite(v)]
    assert realised


def _target_rule(ind: Indikator) -> tuple[str, str | None]:
    """blueprints/README.md, "Targets": the kecamatan's target and the units' own."""
    counts = (ind.jenis in (Jenis.JUMLAH, Jenis.RUMUS) and ind.satuan.strip() != "%"
              and ind.variabel[0].agregasi_unit.value == "jumlah")
    if ind.pengisi is not Pengisi.KELURAHAN:
        return "", None
    units_type = ind.target is None or counts
    combine = ("jumlah" if counts else "rata_rata") if units_type else None
    if ind.target is not None:
        return ("keputusan; unit juga mengisi target sendiri" if units_type else "keputusan"), \
            combine
    return ("jumlah target unit" if counts else "rata-rata target unit"), combine


def test_the_recap_says_where_each_kecamatan_target_comes_from(year: list[Stage]) -> None:
    """Beside each kecamatan target: its source in words and the units' own targets (added up
    for counts, averaged otherwise), from the values typed."""
    checked = 0
    for stage in year:
        if stage.filled != len(stage.bp.periods):
            continue
        assert stage.recap is not None and stage.recap.path and stage.recap.plan
        sheet = stage.recap.plan.sheet("RINGKASAN")
        shown = _shown(stage)[sheet.name]
        for jab, ind in indicators(stage.bp):
            words, combine = _target_rule(ind)
            if not words:
                continue
            base = f"{jab.id if jab else 'iku'}/{ind.id}"
            key = f"ringkasan/{base}"
            assert shown.get(sheet.cell(f"{key}/asal_target").ref) == words, base
            typed = _numbers([stage.typed[u.kode].get(f"{base}/target") for u in UNITS])
            expected = None if combine is None else (
                sum(typed) if combine == "jumlah" else sum(typed) / len(typed))
            assert same(shown.get(sheet.cell(f"{key}/target_unit").ref), expected), base
            checked += 1
    assert checked > 20



def test_returns_resaved_by_gnumeric_check_as_their_libreoffice_originals(
        year: list[Stage], tmp_path: Path) -> None:
    """Gnumeric (`ssconvert`) as a second real client re-saves the LibreOffice-filled returns
    of mid-year and of the whole year: identity carriers, formulas (Gnumeric spells 88.31 as
    88.3099999999999999978) and every value typed survive, so each checks as its original."""
    if shutil.which("ssconvert") is None:
        pytest.fail("ssconvert is required (Debian gnumeric); run scripts/test.sh")
    originals = [f for s in year if s.filled in (2, len(s.bp.periods)) for f in s.files]
    resaved = []
    for path in originals:
        target = tmp_path / path.parent.parent.parent.name / path.parent.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["ssconvert", "--export-type=Gnumeric_Excel:xlsx2", str(path),
                               str(target)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and target.exists(), done.stderr[-500:]
        resaved.append(target)
    index = BlueprintIndex({s.bp.id: s.bp for s in year}.values())
    # both sets in one check, in this process (a pool's workers would each start the engine)
    checked = check_files(originals + resaved, index, workers=1).files
    before, after = checked[:len(originals)], checked[len(originals):]
    assert len(after) == len(originals) > 10
    for lo, gnumeric in zip(before, after, strict=True):
        assert str(gnumeric.status) == "ok", gnumeric.to_dict()
        assert (gnumeric.blueprint, gnumeric.unit_kode, gnumeric.periode) == (
            lo.blueprint, lo.unit_kode, lo.periode)
        assert gnumeric.inputs == lo.inputs and any(v is not None for *_, v in lo.inputs)
