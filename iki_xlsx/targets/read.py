"""Reading a filled target form back into a `TargetVersion`, every problem at its cell.

A version is read whole or not at all: any error gives its findings and no version, so
nothing is recorded half-way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iki_xlsx.blueprint.model import Blueprint, Indikator, Polaritas
from iki_xlsx.core.findings import Code, Finding
from iki_xlsx.core.units import Unit
from iki_xlsx.targets.form import (
    PARTS_SHEET,
    FormCell,
    FormReader,
    FormRow,
    read_bytes,
    shown_number,
)
from iki_xlsx.targets.model import (
    KindOfVersion,
    Target,
    TargetVersion,
    Typing,
    indicator_keys,
    typing_of,
)
from iki_xlsx.targets.template import (
    ANNUAL,
    HINT,
    KEY,
    PARTS,
    TARGET_SHEET,
    UNIT_KODE,
    UNIT_SHEET,
    period_headers,
)


@dataclass
class TargetRead:
    """What reading a target form gave: the version, or the findings that stop it."""

    path: Path
    version: TargetVersion | None = None
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.version is not None and not self.findings


def read_target_form(path: Path, blueprints: Mapping[str, Blueprint],
                     units: Sequence[Unit] | None = None, shown: str | None = None) -> TargetRead:
    """Read and check a target form against the office's blueprints (by id) and units list
    (None: no list, every unit kode accepted). Never raises for a bad file."""
    shown = shown or path.name
    result = TargetRead(path)
    reader = FormReader(shown, HINT)
    data, book = read_bytes(path, reader)
    if book is None:
        result.findings = reader.findings
        return result
    try:
        version = _read(reader, book, blueprints, units)
    finally:
        book.close()
    result.findings = reader.findings
    if version is not None and not reader.findings:
        result.data = data
        result.version = TargetVersion(
            version.blueprint, version.tahun, version.jenis, version.tanggal, version.alasan,
            version.kecamatan, version.units, hashlib.sha256(data).hexdigest(), path.name)
    return result


def _read(reader: FormReader, book: Any, blueprints: Mapping[str, Blueprint],
          units: Sequence[Unit] | None) -> TargetVersion | None:
    if not reader.sheets_present(book, [PARTS_SHEET, TARGET_SHEET]):
        return None
    parts = reader.parts(book[PARTS_SHEET], PARTS)
    if reader.findings:
        return None
    bp_id = reader.text(parts["Blueprint"], "Blueprint")
    bp = blueprints.get(bp_id or "")
    if bp_id is not None and bp is None:
        reader.problem(parts["Blueprint"], Code.BLUEPRINT_NOT_FOUND.message(
            "id", blueprint=bp_id, tersedia=", ".join(sorted(blueprints)) or "-"))
    tahun = reader.year(parts["Tahun"])
    jenis = reader.choice(parts["Jenis"], "Jenis", [str(k) for k in KindOfVersion])
    tanggal = reader.date(parts["Tanggal"], "Tanggal")
    alasan = reader.text(parts["Alasan"], "Alasan")
    if bp is None:
        return None
    targets = _Targets(reader, bp)
    kecamatan = targets.sheet(book[TARGET_SHEET])
    own: dict[tuple[str, str], Target] = {}
    if UNIT_SHEET in book.sheetnames:
        known_units = None if units is None else {u.kode for u in units if not u.kantor}
        own = targets.unit_sheet(book[UNIT_SHEET], known_units)
    if (reader.findings or tahun is None or jenis is None or tanggal is None
            or alasan is None or kecamatan is None):
        return None
    return TargetVersion(bp.id, tahun, KindOfVersion(jenis), tanggal, alasan, kecamatan, own)


class _Targets:
    """The rows of the Target and Target Unit sheets."""

    def __init__(self, reader: FormReader, bp: Blueprint) -> None:
        self.reader = reader
        self.bp = bp
        self.keys = indicator_keys(bp)
        self.periods = period_headers(bp)

    def sheet(self, ws: Any) -> dict[str, Target] | None:
        rows = self.reader.table(ws, [KEY, ANNUAL, *self.periods])
        if rows is None:
            return None
        found: dict[str, Target] = {}
        first: dict[str, FormRow] = {}
        for row, ind, key in self._indicator_rows(rows):
            if key in first:
                self.reader.problem(row[KEY], Code.FORM_INVALID_VALUE.message(
                    "duplicate", kunci=key, baris=first[key].number))
                continue
            first[key] = row
            target = self._target(row, ind)
            if target is not None:
                found[key] = target
        return found

    def unit_sheet(self, ws: Any, known: set[str] | None) -> dict[tuple[str, str], Target]:
        rows = self.reader.table(ws, [KEY, UNIT_KODE, ANNUAL, *self.periods])
        found: dict[tuple[str, str], Target] = {}
        if rows is None:
            return found
        first: dict[tuple[str, str], FormRow] = {}
        for row, ind, key in self._indicator_rows(rows):
            kode = self.reader.text(row[UNIT_KODE], "Kode unit")
            if kode is None:
                continue
            if known is not None and kode not in known:
                self.reader.problem(row[UNIT_KODE], Code.FORM_INVALID_VALUE.message(
                    "unknown-unit", nilai=kode))
                continue
            if (key, kode) in first:
                self.reader.problem(row[UNIT_KODE], Code.FORM_INVALID_VALUE.message(
                    "duplicate-unit", kunci=key, nilai=kode, baris=first[(key, kode)].number))
                continue
            first[(key, kode)] = row
            target = self._target(row, ind)
            if target is not None:
                found[(key, kode)] = target
        return found

    def _indicator_rows(self, rows: Iterator[FormRow]
                        ) -> Iterator[tuple[FormRow, Indikator, str]]:
        """The rows with a key or any target, each with its indicator (an unknown key is a
        finding)."""
        numbers = [ANNUAL, *self.periods]
        for row in rows:
            if row.empty([KEY, *numbers]):
                continue
            key = self.reader.text(row[KEY], "Kunci")
            if key is None:
                continue
            if key not in self.keys:
                self.reader.problem(row[KEY], Code.FORM_UNKNOWN_INDICATOR.message(
                    kunci=key, blueprint=f"{self.bp.id} versi {self.bp.versi}", cara=HINT))
                continue
            if row.empty(numbers):
                continue  # no target in this version: the decree's applies
            yield row, self.keys[key][1], key

    def _target(self, row: FormRow, ind: Indikator) -> Target | None:
        """One row's targets, checked: all given, none below 0, none 0 where capaian divides
        by it, and the periods agreeing with the year."""
        errors = len(self.reader.findings)
        annual = self._number(row[ANNUAL], ANNUAL)
        periods = [self._number(row[p], p) for p in self.periods]
        if len(self.reader.findings) > errors:
            return None
        if annual is None:
            self.reader.problem(row[ANNUAL], Code.FORM_INVALID_VALUE.message(
                "annual-missing", kolom=ANNUAL))
            return None
        missing = [p for p, v in zip(self.periods, periods, strict=True) if v is None]
        if missing:
            self.reader.problem(row[missing[0]], Code.FORM_INVALID_VALUE.message(
                "period-missing", kolom=missing[0]))
            return None
        values = tuple(float(v) for v in periods if v is not None) or (annual,)
        target = Target(annual, values, typing_of(ind) if self.periods else Typing.TO_DATE)
        return target if self._agrees(row, ind, target) else None

    def _number(self, cell: FormCell, what: str) -> float | None:
        return self.reader.number(cell, what)

    def _agrees(self, row: FormRow, ind: Indikator, target: Target) -> bool:
        divides = ind.polaritas is not Polaritas.TURUN  # capaian = realisasi / target x 100
        if divides and target.tahunan == 0:
            self.reader.problem(row[ANNUAL], Code.FORM_ZERO_TARGET.message(kolom=ANNUAL))
            return False
        if not self.periods:
            return True
        if target.typing is Typing.PER_PERIOD:
            total = sum(target.periods)
            if abs(total - target.tahunan) > 1e-9 * max(1.0, abs(total)):
                self.reader.problem(row[ANNUAL], Code.FORM_INVALID_VALUE.message(
                    "sum-mismatch", kolom=ANNUAL, nilai=shown_number(target.tahunan),
                    jumlah=shown_number(total)))
                return False
        elif abs(target.periods[-1] - target.tahunan) > 1e-9 * max(1.0, target.tahunan):
            self.reader.problem(row[self.periods[-1]], Code.FORM_INVALID_VALUE.message(
                "last-mismatch", kolom=self.periods[-1], nilai=shown_number(target.periods[-1]),
                tahunan=shown_number(target.tahunan)))
            return False
        if divides:
            for number, header in enumerate(self.periods, start=1):
                if target.to_date(number) == 0:
                    self.reader.problem(row[header], Code.FORM_ZERO_TARGET.message(
                        "to-date", periode=header.removeprefix("Target ")))
                    return False
        return True
