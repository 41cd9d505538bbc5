"""Two years of an office, made with real files: the workbooks generated and registered for
2025 and 2026, returns for 2025 filled to TW II only and for 2026 the whole year, last year's
remaining figures typed in the realisasi form, and 2026's targets typed in two target forms (a
murni in January, a perubahan in August). Used by the performance-year tests and the docs
pictures; everything typed is kept, so the tests recompute every figure on their own."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iki_xlsx.blueprint.model import Blueprint, Indikator, indicators
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.register import register_index
from iki_xlsx.store.db import Store
from iki_xlsx.targets.archive import record_version
from iki_xlsx.targets.model import TargetVersion, Typing, key_of, typing_of
from iki_xlsx.targets.read import read_target_form
from iki_xlsx.targets.template import write_target_form
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.generate import generate, recipients, write_filled
from iki_xlsx.years.impor import (
    RealisasiImport,
    read_realisasi_form,
    realisasi_headers,
    record_import,
    write_realisasi_form,
)
from tests.forms import fill_form

UNITS = [Unit("01", "Desa Satu"), Unit("02", "Desa Dua")]
BEFORE, NOW = 2025, 2026
MURNI_DAY, PERUBAHAN_DAY = datetime.date(2026, 1, 5), datetime.date(2026, 8, 15)
ANNUAL = "Target tahunan"


@dataclass
class Year:
    """One year of one blueprint: what each unit typed (plan key -> value), up to `filled`."""

    bp: Blueprint
    tahun: int
    filled: int
    typed: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


@dataclass
class Office:
    bp: Blueprint
    root: Path
    store: Store
    index: BlueprintIndex
    years: dict[int, Year]
    versions: dict[str, TargetVersion]  # murni, perubahan
    typed: RealisasiImport  # last year's figures typed by the office (empty when not typed)
    forms: dict[str, Path]  # the filled forms, by name


def planned_targets(ind: Indikator, annual: float) -> dict[str, float]:
    """A year's targets as a clerk types them: per quarter (adding up) or to date."""
    quarters = ("Target TW I", "Target TW II", "Target TW III", "Target TW IV")
    if typing_of(ind) is Typing.PER_PERIOD:
        parts = [round(annual * s, 2) for s in (0.1, 0.2, 0.3, 0.4)]
        return {ANNUAL: sum(parts), **dict(zip(quarters, parts, strict=True))}
    levels = [round(annual * s, 2) for s in (0.7, 0.8, 0.9)] + [annual]
    return {ANNUAL: annual, **dict(zip(quarters, levels, strict=True))}


def _returns(bp: Blueprint, tahun: int, filled: int, folder: Path) -> Year:
    """Every recipient's workbook, filled with sample values up to period `filled`."""
    year = Year(bp, tahun, filled)
    everyone = recipients(bp, UNITS)
    for unit in everyone:
        plan = plan_workbook(bp, unit, tahun, everyone)
        where = {(s.code, c.ref): c.key for s, c in plan.input_cells()}
        later = {key: None for key in where.values()
                 if (p := PlanKey.parse(key).period) is not None and p > filled}
        typed = {where[at]: value for at, value in sample_inputs(bp, plan).items()
                 if value is not None and where[at] not in later}
        year.typed[unit.kode] = typed
        year.files.append(write_filled(bp, unit, everyone, tahun, folder / f"{unit.kode}.xlsx",
                                       later))
    return year


def two_years(bp: Blueprint, root: Path, blueprints: dict[str, Blueprint],
              current: Blueprint | None = None, *, recorded: bool = True) -> Office:
    """The office's two years: `bp` generated for 2025 and `current` (default `bp`) for
    2026, both registered in the store `root/simpan` (a workspace's, when `root` is one)."""
    current = current or bp
    store = Store(root / "simpan")
    for made, tahun in ((bp, BEFORE), (current, NOW)):
        done = generate(made, UNITS, tahun, root / f"kirim-{tahun}", register=store)
        assert done.ok, [f.one_line() for f in done.findings]
    years = {BEFORE: _returns(bp, BEFORE, 2, root / "kembali-2025"),
             NOW: _returns(current, NOW, len(current.periods), root / "kembali-2026")}
    index = register_index(store, [current, *(b for b in blueprints.values()
                                              if b.id != current.id)])
    added = collect(years[BEFORE].files + years[NOW].files, store, index).added
    assert [s for *_, s in added] == ["ok"] * len(added), added
    forms: dict[str, Path] = {}
    versions: dict[str, TargetVersion] = {}
    if not recorded:
        return Office(current, root, store, index, years, versions,
                      RealisasiImport(bp.id, BEFORE, {}), forms)
    known = {**blueprints, current.id: current}
    # the target form, downloaded once and filled for each version (a murni, a perubahan)
    template = write_target_form(current, NOW, root / "templat-target.xlsx", UNITS)
    for name, day, scale in (("murni", MURNI_DAY, 1.0), ("perubahan", PERUBAHAN_DAY, 1.25)):
        rows = {key_of(jab, ind): planned_targets(ind, round((40 + n) * scale, 2))
                for n, (jab, ind) in enumerate(indicators(current))}
        forms[name] = fill_form(template, root / f"target-{name}.xlsx",
                                {"Jenis": name, "Tanggal": day, "Alasan": f"Perjanjian Kinerja "
                                 f"{name} {NOW}"}, rows, "Target")
        read = read_target_form(forms[name], known, UNITS)
        assert read.version is not None, [f.one_line() for f in read.findings]
        versions[name], _ = record_version(store, read.version, read.data)
    template = write_realisasi_form(bp, BEFORE, root / "templat-realisasi.xlsx")
    headers = realisasi_headers(bp)
    rows = {key_of(jab, ind): {ANNUAL: 30 + n, **{h: round((5 + n) * (q + 1) * 1.5, 2)
                                                   for q, h in enumerate(headers)}}
            for n, (jab, ind) in enumerate(indicators(bp))}
    forms["realisasi"] = fill_form(template, root / "realisasi-2025.xlsx", None, rows,
                                   "Realisasi")
    read_import = read_realisasi_form(forms["realisasi"], {bp.id: [bp]}, BEFORE)
    assert read_import.figures is not None, [f.one_line() for f in read_import.findings]
    typed, _ = record_import(store, read_import.figures, read_import.data)
    return Office(current, root, store, index, years, versions, typed, forms)
