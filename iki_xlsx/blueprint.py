"""Blueprints: an IKI decree as typed, validated data loaded from YAML.

`load_blueprint(path)` never raises for a bad file: it returns a `LoadResult`
whose findings name the file, the line and the field in Bahasa Indonesia.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import expression
from .findings import Finding, Severity, os_reason
from .patterns import PatternProblem, expand_patterns
from .yamlsource import Place, YamlSourceError, load

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
NAME = r"^[a-z][a-z0-9_]*$"


class Jenis(StrEnum):
    """How an indicator's realisasi is computed from its variables."""

    PERSENTASE = "persentase"  # pembilang / penyebut x 100
    JUMLAH = "jumlah"  # a plain count
    NILAI = "nilai"  # a score entered directly (IKM, SAKIP), optional grade scale
    RUMUS = "rumus"  # a general arithmetic formula over named variables and constants
    AMBANG = "ambang"  # share of units whose value meets a threshold
    DAFTAR_PERIKSA = "daftar_periksa"  # a checklist of yes/no criteria


class Tipe(StrEnum):
    """Type of an input variable."""

    BULAT = "bulat"
    DESIMAL = "desimal"
    PERSEN = "persen"
    YA_TIDAK = "ya_tidak"
    PILIHAN = "pilihan"


class AgregasiPeriode(StrEnum):
    JUMLAH = "jumlah"
    TERAKHIR = "terakhir"
    RATA_RATA = "rata_rata"


class AgregasiUnit(StrEnum):
    """How the kecamatan figure follows from the units' figures (used by the recap)."""

    JUMLAH = "jumlah"  # counts add up
    RATA_RATA = "rata_rata"  # a score: the mean of the units that reported
    PER_UNIT = "per_unit"  # judged per unit (ambang, daftar_periksa semua)


class Pengisi(StrEnum):
    KELURAHAN = "kelurahan"  # each kelurahan/desa fills it in its own workbook
    KECAMATAN = "kecamatan"  # the kecamatan office fills it in its own workbook


class Polaritas(StrEnum):
    NAIK = "naik"  # higher is better
    TURUN = "turun"  # lower is better


class Pembagian(StrEnum):
    TRIWULAN = "triwulan"
    SEMESTER = "semester"
    TAHUNAN = "tahunan"


PERIOD_LABELS: dict[Pembagian, tuple[str, ...]] = {
    Pembagian.TRIWULAN: ("TW I", "TW II", "TW III", "TW IV"),
    Pembagian.SEMESTER: ("Semester I", "Semester II"),
    Pembagian.TAHUNAN: ("Tahunan",),
}


class _Strict(BaseModel):
    # NaN and +-Infinity are no numbers a decree states (a target of .inf stopped the recap)
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Tingkat(_Strict):
    """One step of a scale: values at or above `min` get `label`."""

    min: float
    label: str = Field(min_length=1)


DEFAULT_PREDIKAT: tuple[Tingkat, ...] = (
    Tingkat(min=91, label="Sangat Baik"),
    Tingkat(min=76, label="Baik"),
    Tingkat(min=66, label="Cukup"),
    Tingkat(min=51, label="Kurang"),
    Tingkat(min=0, label="Sangat Kurang"),
)


class Variabel(_Strict):
    """An input the workbook asks for, once per period."""

    id: str = Field(pattern=NAME)
    label: str = Field(min_length=1)
    tipe: Tipe = Field(default=Tipe.BULAT, strict=False)
    satuan: str | None = None
    min: float | None = None
    max: float | None = None
    pilihan: list[str] | None = None
    wajib: bool = True
    agregasi_periode: AgregasiPeriode | None = Field(default=None, strict=False)
    agregasi_unit: AgregasiUnit = Field(default=AgregasiUnit.JUMLAH, strict=False)
    pengisi: Pengisi = Field(default=Pengisi.KELURAHAN, strict=False)
    bantuan: str | None = None

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Effective (min, max): counts and decimals are never negative, percentages 0–100."""
        low, high = self.min, self.max
        if self.tipe in (Tipe.BULAT, Tipe.DESIMAL, Tipe.PERSEN) and low is None:
            low = 0
        if self.tipe is Tipe.PERSEN and high is None:
            high = 100
        return low, high

    @property
    def period_rule(self) -> AgregasiPeriode:
        """How the per-period values become the annual one (text answers keep the last)."""
        if self.agregasi_periode is not None:
            return self.agregasi_periode
        if self.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN, Tipe.PERSEN):
            return AgregasiPeriode.TERAKHIR
        return AgregasiPeriode.JUMLAH

    @property
    def choices(self) -> list[str]:
        if self.tipe is Tipe.YA_TIDAK:
            return ["Ya", "Tidak"]
        return list(self.pilihan or [])


class Konstanta(_Strict):
    """A constant of a `rumus` stated for a stretch of time: `per: tahun` is the year's value
    (the decree's "dalam 1 tahun"), used as is in the annual column and scaled to a period's
    share of the year (a quarter, a semester) in a period column; `per: periode` is the same
    in every column (as is a plain number)."""

    nilai: float
    per: Literal["tahun", "periode"] = "periode"


class Aturan(_Strict):
    """A cross-variable rule checked on every period: `kiri operator kanan`."""

    kiri: str
    operator: Literal["<=", "<", ">=", ">", "=", "<>"]
    kanan: str
    pesan: str = Field(min_length=1)


class Ambang(_Strict):
    """Threshold a unit's value must meet (e.g. IKM >= 75)."""

    variabel: str
    operator: Literal[">=", ">", "<=", "<"] = ">="
    nilai: float


class Indikator(_Strict):
    """One indicator of a jabatan (or of the office's IKU table)."""

    id: str = Field(pattern=SLUG)
    sasaran: str = Field(min_length=1)
    nama: str = Field(min_length=1)
    formulasi: str = Field(min_length=1)
    sumber_data: str
    satuan: str = Field(min_length=1)
    target: float | None = None
    polaritas: Polaritas = Field(default=Polaritas.NAIK, strict=False)
    jenis: Jenis = Field(strict=False)
    variabel: list[Variabel] = Field(min_length=1)
    pembilang: str | None = None
    penyebut: str | None = None
    rumus: str | None = None
    konstanta: dict[str, float | Konstanta] = Field(default_factory=dict)
    skala: list[Tingkat] | None = None
    ambang: Ambang | None = None
    hitung: Literal["jumlah", "semua"] | None = None
    batas_capaian: float | None = None
    aturan: list[Aturan] = Field(default_factory=list)
    asumsi: str | None = None
    catatan: str | None = None

    def variable(self, name: str) -> Variabel:
        return next(v for v in self.variabel if v.id == name)

    def constants(self, share: float = 1.0) -> dict[str, float]:
        """The constants' values in a column covering `share` of the year (1 for the annual
        column, 1/4 for a triwulan): a constant `per: tahun` is scaled, others are not."""
        return {name: (c.nilai * share if c.per == "tahun" else c.nilai)
                if isinstance(c, Konstanta) else float(c) for name, c in self.konstanta.items()}

    @property
    def pengisi(self) -> Pengisi:
        """Who fills this indicator in (validation ensures all its variables agree)."""
        return self.variabel[0].pengisi


class IkuIndikator(Indikator):
    """A row of the office-level IKU table, with who answers for it."""

    penanggung_jawab: list[str] = Field(min_length=1)
    jabatan: list[str] = Field(default_factory=list)


class Jabatan(_Strict):
    """A position with its tugas, fungsi and indicators."""

    id: str = Field(pattern=SLUG)
    nama: str = Field(min_length=1)
    singkatan: str | None = Field(default=None, max_length=31)
    sumber: str = Field(min_length=1)
    jumlah_pemangku: int = Field(default=1, ge=1)
    tugas: list[str] = Field(default_factory=list)
    fungsi: list[str] = Field(default_factory=list)
    catatan: str | None = None
    indikator: list[Indikator] = Field(default_factory=list)


class Iku(_Strict):
    """The office-level table of Indikator Kinerja Utama."""

    sumber: str = Field(min_length=1)
    judul: str = "Indikator Kinerja Utama"
    indikator: list[IkuIndikator] = Field(min_length=1)


class Blueprint(_Strict):
    """An IKI decree of one kecamatan office."""

    id: str = Field(pattern=SLUG)
    versi: str = Field(min_length=1)
    nama: str = Field(min_length=1)
    kantor: str = Field(min_length=1)
    wilayah: str | None = None
    dasar: str | None = None
    jenis_unit: Literal["kelurahan", "desa"] = "kelurahan"
    pembagian: Pembagian = Field(default=Pembagian.TRIWULAN, strict=False)
    predikat: list[Tingkat] = Field(default_factory=lambda: list(DEFAULT_PREDIKAT))
    batas_capaian: float | None = None
    catatan: str | None = None
    jabatan: list[Jabatan] = Field(default_factory=list)
    iku: Iku | None = None

    @property
    def periods(self) -> tuple[str, ...]:
        return PERIOD_LABELS[self.pembagian]

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the blueprint (comments and layout do not count)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def jabatan_by_id(self, jabatan_id: str) -> Jabatan:
        return next(j for j in self.jabatan if j.id == jabatan_id)


@dataclass
class LoadResult:
    """A loaded blueprint (or None) and every finding about its file."""

    path: str
    blueprint: Blueprint | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.blueprint is not None and not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


@dataclass
class BlueprintReport:
    """Results of checking several blueprint files, and what is wrong between them (one id
    given two different contents)."""

    results: list[LoadResult]
    conflicts: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and not self.conflicts

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings] + self.conflicts


class SourceMap(Protocol):
    """Where each data path of a blueprint stands in its source (YAML lines or sheet cells)."""

    def locate(self, path: tuple[str | int, ...], *, key: bool = False) -> Place: ...

    def term(self, path: tuple[str | int, ...]) -> str: ...


BLUEPRINT_SUFFIXES = (".yaml", ".yml", ".xlsx")


def load_blueprint(path: str | Path) -> LoadResult:
    """Load and validate one blueprint file (YAML or the spreadsheet form); never raises."""
    shown = str(path)
    if Path(path).suffix.lower() == ".xlsx":
        from .blueprint_xlsx import load_blueprint_xlsx

        return load_blueprint_xlsx(Path(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadResult(shown, None, [_finding("blueprint-not-found", shown, None,
                                                 "berkas blueprint tidak ditemukan")])
    except (OSError, UnicodeDecodeError) as exc:
        return LoadResult(shown, None, [_finding("blueprint-unreadable", shown, None,
                                                 "berkas blueprint tidak dapat dibaca "
                                                 f"({os_reason(exc)})")])
    return load_blueprint_text(text, shown)


def load_blueprint_text(text: str, shown: str) -> LoadResult:
    """Load and validate blueprint YAML text; `shown` names the file in findings."""
    try:
        data, lines = load(text)
    except YamlSourceError as exc:
        return LoadResult(shown, None, [_finding("blueprint-syntax", shown, exc.line, exc.message)])
    if data is None:
        return LoadResult(shown, None, [_finding("blueprint-empty", shown, 1,
                                                 "berkas blueprint kosong")])
    if not isinstance(data, dict):
        message = "isi blueprint harus berupa pemetaan kunci: nilai"
        return LoadResult(shown, None, [_finding("blueprint-type", shown, 1, message)])
    return validate_data(data, lines, shown)


def validate_data(data: dict[str, Any], source: SourceMap, shown: str) -> LoadResult:
    """Validate blueprint data read from any source; findings are located through `source`."""
    expanded, pattern_problems = expand_patterns(data)
    if pattern_problems:
        return LoadResult(shown, None, [_pattern_finding(p, data, source, shown)
                                        for p in pattern_problems])
    try:
        blueprint = Blueprint.model_validate(expanded)
    except ValidationError as exc:
        return LoadResult(shown, None, _pydantic_findings(exc, expanded, source, shown))
    findings = [_problem_finding(problem, expanded, source, shown)
                for problem in _semantic_problems(blueprint)]
    failed = any(f.severity is Severity.ERROR for f in findings)
    return LoadResult(shown, None if failed else blueprint, findings)


def check_blueprints(paths: Sequence[str | Path]) -> BlueprintReport:
    """Load every path; a bad file never stops the others."""
    results = [load_blueprint(p) for p in paths]
    return BlueprintReport(results, same_id_conflicts(
        [(r.path, r.blueprint) for r in results if r.blueprint is not None]))


def same_id_conflicts(loaded: Sequence[tuple[str, Blueprint]]) -> list[Finding]:
    """An error for every file whose blueprint id an earlier file already uses with other
    content (the same content twice, as `blueprint ubah` writes a YAML's spreadsheet twin, is
    one blueprint and fine): which one would a workbook be made from?"""
    first: dict[str, tuple[str, str]] = {}
    findings: list[Finding] = []
    for path, bp in loaded:
        digest = bp.content_hash()
        if bp.id not in first:
            first[bp.id] = (path, digest)
        elif first[bp.id][1] != digest:
            findings.append(_finding(
                "blueprint-id-conflict", path, None,
                f"id blueprint '{bp.id}' sudah dipakai {Path(first[bp.id][0]).name} dengan isi "
                "yang berbeda; satu id untuk satu blueprint: hapus berkas yang lama, atau beri "
                "salah satunya id lain"))
    return findings


def _finding(code: str, file: str, line: int | None, message: str) -> Finding:
    return Finding(code=code, message=message, file=file, line=line)


def _located(code: str, shown: str, place: Place, message: str,
             severity: Severity = Severity.ERROR) -> Finding:
    return Finding(code=code, message=message, severity=severity, file=shown, line=place.line,
                   sheet=place.sheet, cell=place.cell)


def _pattern_finding(problem: PatternProblem, data: Any, source: SourceMap,
                     shown: str) -> Finding:
    return _located("blueprint-invalid-value", shown, source.locate(problem.path),
                    f"{_context(data, problem.path)}{problem.message}")


def _problem_finding(problem: Problem, data: Any, source: SourceMap, shown: str) -> Finding:
    message = f"{_context(data, problem.path)}{problem.message}"
    if problem.first is not None:
        message += f" (pertama kali di {source.locate(problem.first).describe()})"
    return _located(problem.code, shown, source.locate(problem.path, key=problem.key), message,
                    problem.severity)


# --- turning pydantic errors into located Indonesian messages ------------------------------

_TYPE_WORDS = {
    "string_type": "teks",
    "int_type": "bilangan bulat",
    "float_type": "angka",
    "bool_type": "ya/tidak (true atau false)",
    "list_type": "daftar",
    "dict_type": "pemetaan kunci: nilai",
    "model_type": "pemetaan kunci: nilai",
    "model_attributes_type": "pemetaan kunci: nilai",
}


def _pydantic_findings(
    exc: ValidationError, data: Any, source: SourceMap, shown: str
) -> list[Finding]:
    findings: list[Finding] = []
    errors = [(tuple(p for p in e["loc"] if isinstance(p, str | int)), e) for e in exc.errors()]
    meant = {(*path[:-1], near) for path, e in errors if e["type"] == "extra_forbidden"
             for near in _nearest(str(path[-1]), _known_keys(path[:-1]))}
    for path, error in errors:
        kind = error["type"]
        key = str(path[-1]) if path else ""
        where = _context(data, path[:-1] if kind in ("missing", "extra_forbidden") else path)
        if kind == "missing" and path in meant:
            continue  # the misspelled key's finding already names it
        if kind == "extra_forbidden":
            code, message = "blueprint-unknown-key", f"{source.term(path)} tidak dikenal"
            message += "".join(f"; maksud Anda '{near}'?"
                               for near in _nearest(key, _known_keys(path[:-1])))
            place = source.locate(path, key=True)
        elif kind == "missing":
            code, message = "blueprint-missing-key", f"{source.term(path)} wajib diisi"
            place = source.locate(path, key=True)
        else:
            code, message = "blueprint-invalid-value", f"{_field(path)}{_describe(error)}"
            place = source.locate(path)
        findings.append(_located(code, shown, place, f"{where}{message}"))
    return findings


def _nearest(word: str, known: list[str]) -> list[str]:
    """The known key nearest to a misspelled one (none when nothing is near)."""
    return difflib.get_close_matches(word, known, n=1, cutoff=0.6)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside `X`, `list[X]`, `X | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def _known_keys(path: tuple[str | int, ...]) -> list[str]:
    """The keys the model accepts at a data path (for suggesting the one that was meant)."""
    model: type[BaseModel] | None = Blueprint
    for step in path:
        if isinstance(step, int) or model is None:
            continue
        info = model.model_fields.get(step)
        model = _model_of(info.annotation) if info is not None else None
    if model is None:
        return []
    known = list(model.model_fields)
    return [*known, "pola"] if issubclass(model, Indikator) else known


def _describe(error: Any) -> str:
    kind = error["type"]
    found = error.get("input")
    shown = f"'{found}'" if not isinstance(found, dict | list) else "nilai ini"
    if kind in _TYPE_WORDS:
        return f"{shown} harus berupa {_TYPE_WORDS[kind]}"
    if kind in ("enum", "literal_error"):
        expected = error.get("ctx", {}).get("expected", "")
        expected = str(expected).replace(" or ", " atau ")
        return f"{shown} bukan pilihan yang sah (pilihan: {expected})"
    if kind == "string_pattern_mismatch":
        return (f"{shown} bukan id yang sah (huruf kecil, angka, dan tanda hubung "
                "untuk id; huruf kecil, angka, dan garis bawah untuk variabel)")
    if kind in ("too_short", "string_too_short"):
        return "tidak boleh kosong"
    if kind == "string_too_long":
        return f"{shown} terlalu panjang (paling banyak {error['ctx']['max_length']} karakter)"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{shown} terlalu kecil"
    if kind == "finite_number":
        return f"{shown} harus angka biasa (bukan NaN atau tak hingga)"
    return f"{shown} tidak sah"


def _field(path: tuple[str | int, ...]) -> str:
    names = [p for p in path if isinstance(p, str)]
    return f"{names[-1]}: " if names else ""


def _context(data: Any, path: tuple[str | int, ...]) -> str:
    """`jabatan 'camat': indikator 'ikm': ` for a path into the raw data."""
    words = {"jabatan": "jabatan", "indikator": "indikator", "variabel": "variabel"}
    parts: list[str] = []
    node = data
    for i, step in enumerate(path):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int) and i > 0 and path[i - 1] in words and isinstance(node, dict):
            ident = node.get("id", f"#{step + 1}")
            parts.append(f"{words[str(path[i - 1])]} '{ident}'")
        elif step == "iku":
            parts.append("iku")
    return "".join(f"{p}: " for p in parts)


# --- semantic checks beyond types ----------------------------------------------------------

class Problem(NamedTuple):
    """A semantic problem at a data path; `first` points at the earlier twin of a duplicate."""

    code: str
    path: tuple[str | int, ...]
    key: bool
    message: str
    first: tuple[str | int, ...] | None = None
    severity: Severity = Severity.ERROR


def _semantic_problems(bp: Blueprint) -> Iterator[Problem]:
    yield from _scale_order(bp.predikat, ("predikat",), "predikat")
    yield from _duplicates([j.id for j in bp.jabatan], ("jabatan",), "jabatan")
    jabatan_ids = {j.id for j in bp.jabatan}
    for ji, jab in enumerate(bp.jabatan):
        base: tuple[str | int, ...] = ("jabatan", ji, "indikator")
        yield from _duplicates([i.id for i in jab.indikator], base, "indikator")
        for ii, ind in enumerate(jab.indikator):
            yield from _indicator_problems(ind, (*base, ii))
    if bp.iku is not None:
        base = ("iku", "indikator")
        yield from _duplicates([i.id for i in bp.iku.indikator], base, "indikator")
        for ii, iku in enumerate(bp.iku.indikator):
            yield from _indicator_problems(iku, (*base, ii))
            for ki, ref in enumerate(iku.jabatan):
                if ref not in jabatan_ids:
                    yield Problem("blueprint-unknown-jabatan", (*base, ii, "jabatan", ki), False,
                                  f"jabatan '{ref}' tidak dideklarasikan di blueprint ini")


def _duplicates(ids: list[str], path: tuple[str | int, ...], what: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in seen:
            yield Problem("blueprint-duplicate-id", (*path, i, "id"), False,
                          f"id {what} '{ident}' dipakai lebih dari sekali",
                          first=(*path, seen[ident], "id"))
        seen.setdefault(ident, i)


def _scale_order(scale: list[Tingkat], path: tuple[str | int, ...], what: str) -> Iterator[Problem]:
    if len(scale) < 2:
        yield Problem("blueprint-bad-scale", path, False,
                      f"{what} harus memiliki paling sedikit dua tingkat")
    for i in range(1, len(scale)):
        if scale[i].min >= scale[i - 1].min:
            yield Problem("blueprint-bad-scale", (*path, i, "min"), False,
                          f"{what}: batas {scale[i].min:g} harus lebih kecil dari batas sebelumnya "
                          f"{scale[i - 1].min:g} (urutkan dari yang tertinggi)")


def _indicator_problems(ind: Indikator, at: tuple[str | int, ...]) -> Iterator[Problem]:
    declared = [v.id for v in ind.variabel]
    yield from _duplicates(declared, (*at, "variabel"), "variabel")
    for vi, var in enumerate(ind.variabel):
        yield from _variable_problems(var, (*at, "variabel", vi))
    if len({v.pengisi for v in ind.variabel}) > 1:
        yield Problem("blueprint-mixed-pengisi", (*at, "variabel"), False,
                      "semua variabel satu indikator harus diisi oleh pihak yang sama "
                      "(kelurahan atau kecamatan); pecah indikator ini menjadi dua ukuran")
    for name in ind.konstanta:
        if name in declared:
            yield Problem("blueprint-duplicate-id", (*at, "konstanta", name), True,
                          f"konstanta '{name}' bernama sama dengan variabel")
    yield from _kind_problems(ind, at, declared)
    kept_per_unit = ind.jenis is Jenis.AMBANG or (
        ind.jenis is Jenis.DAFTAR_PERIKSA and ind.hitung == "semua")
    for vi, var in enumerate(ind.variabel):
        if var.agregasi_unit is AgregasiUnit.PER_UNIT and not kept_per_unit:
            yield Problem("blueprint-bad-aggregation", (*at, "variabel", vi, "agregasi_unit"), True,
                          f"variabel '{var.id}': 'per_unit' hanya untuk jenis ambang dan "
                          "daftar_periksa dengan hitung: semua")
    for ai, rule in enumerate(ind.aturan):
        for side in ("kiri", "kanan"):
            yield from _expression_problems(getattr(rule, side), (*at, "aturan", ai, side),
                                            set(declared) | set(ind.konstanta), "aturan")
    if ind.skala is not None:
        yield from _scale_order(ind.skala, (*at, "skala"), "skala")
    if ind.polaritas is Polaritas.TURUN and ind.jenis in (Jenis.AMBANG, Jenis.DAFTAR_PERIKSA):
        yield Problem("blueprint-bad-polarity", (*at, "polaritas"), False,
                      f"polaritas 'turun' tidak berlaku untuk jenis '{ind.jenis}'")


def _variable_problems(var: Variabel, at: tuple[str | int, ...]) -> Iterator[Problem]:
    low, high = var.bounds
    if low is not None and high is not None and low > high:
        yield Problem("blueprint-bad-bounds", (*at, "max"), False,
                      f"variabel '{var.id}': max {high:g} lebih kecil dari min {low:g}")
    if var.tipe is Tipe.PILIHAN and not var.pilihan:
        yield Problem("blueprint-missing-key", (*at, "tipe"), False,
                      f"variabel '{var.id}' bertipe pilihan tetapi daftar 'pilihan' kosong")
    if var.tipe is not Tipe.PILIHAN and var.pilihan is not None:
        yield Problem("blueprint-misplaced-key", (*at, "pilihan"), True,
                      f"variabel '{var.id}': 'pilihan' hanya untuk tipe pilihan")
    if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN):
        if var.min is not None or var.max is not None:
            bound = "min" if var.min is not None else "max"
            yield Problem("blueprint-misplaced-key", (*at, bound), True,
                          f"variabel '{var.id}': min/max tidak berlaku untuk tipe {var.tipe}")
        if var.agregasi_periode not in (None, AgregasiPeriode.TERAKHIR):
            yield Problem("blueprint-bad-aggregation", (*at, "agregasi_periode"), False,
                          f"variabel '{var.id}': jawaban bertipe {var.tipe} hanya dapat diagregasi "
                          "dengan 'terakhir'")
    if var.pilihan is not None and len(",".join(var.pilihan)) > 255:
        yield Problem("blueprint-bad-choices", (*at, "pilihan"), True,
                      f"variabel '{var.id}': daftar pilihan terlalu panjang untuk validasi Excel "
                      "(paling banyak 255 karakter)")


_KIND_KEYS: dict[Jenis, set[str]] = {
    Jenis.PERSENTASE: {"pembilang", "penyebut"},
    Jenis.JUMLAH: set(),
    Jenis.NILAI: {"skala"},
    Jenis.RUMUS: {"rumus", "konstanta"},
    Jenis.AMBANG: {"ambang"},
    Jenis.DAFTAR_PERIKSA: {"hitung"},
}
_OPTIONAL_KIND_KEYS = {"pembilang", "penyebut", "rumus", "konstanta", "skala", "ambang", "hitung"}


def _kind_problems(
    ind: Indikator, at: tuple[str | int, ...], declared: list[str]
) -> Iterator[Problem]:
    allowed = _KIND_KEYS[ind.jenis]
    for key in sorted(_OPTIONAL_KIND_KEYS - allowed):
        if key in ind.model_fields_set:
            yield Problem("blueprint-misplaced-key", (*at, key), True,
                          f"kunci '{key}' tidak berlaku untuk jenis '{ind.jenis}'")
    numeric = [v for v in ind.variabel if v.tipe not in (Tipe.YA_TIDAK, Tipe.PILIHAN)]
    if ind.jenis is Jenis.PERSENTASE:
        for key in ("pembilang", "penyebut"):
            ref = getattr(ind, key)
            if ref is None:
                yield _missing_key(ind, at, key)
            elif ref not in declared:
                yield Problem("blueprint-undeclared-variable", (*at, key), False,
                              f"{key} memakai '{ref}' yang tidak dideklarasikan")
        if ind.pembilang is not None and ind.pembilang == ind.penyebut:
            yield Problem("blueprint-bad-ratio", (*at, "penyebut"), False,
                          "pembilang dan penyebut tidak boleh variabel yang sama")
        if len(numeric) != len(ind.variabel) or len(ind.variabel) != 2:
            yield Problem("blueprint-bad-variables", (*at, "variabel"), False,
                          "indikator persentase memerlukan tepat dua variabel angka "
                          "(pembilang dan penyebut)")
        yield from _swapped_ratio(ind, at)
    elif ind.jenis in (Jenis.JUMLAH, Jenis.NILAI):
        yield from _one_number(ind, at, numeric)
    elif ind.jenis is Jenis.RUMUS:
        if ind.rumus is None:
            yield _missing_key(ind, at, "rumus")
        else:
            known = set(declared) | set(ind.konstanta)
            yield from _expression_problems(ind.rumus, (*at, "rumus"), known, "rumus")
            used = set(_safe_names(ind.rumus))
            for vi, var in enumerate(ind.variabel):
                if var.id not in used:
                    yield Problem("blueprint-unused-variable", (*at, "variabel", vi, "id"), False,
                                  f"variabel '{var.id}' tidak dipakai dalam rumus")
        if len(numeric) != len(ind.variabel):
            yield Problem("blueprint-bad-variables", (*at, "variabel"), False,
                          "variabel dalam rumus harus bertipe angka")
    elif ind.jenis is Jenis.AMBANG:
        if ind.ambang is None:
            yield _missing_key(ind, at, "ambang")
        elif ind.ambang.variabel not in declared:
            yield Problem("blueprint-undeclared-variable", (*at, "ambang", "variabel"), False,
                          f"ambang memakai '{ind.ambang.variabel}' yang tidak dideklarasikan")
        elif ind.variable(ind.ambang.variabel).agregasi_unit is not AgregasiUnit.PER_UNIT:
            yield _not_per_unit((*at, "ambang", "variabel"), f"variabel '{ind.ambang.variabel}'")
        yield from _one_number(ind, at, numeric)
    elif ind.jenis is Jenis.DAFTAR_PERIKSA:
        if ind.hitung is None:
            yield _missing_key(ind, at, "hitung", " (jumlah atau semua)")
        for vi, var in enumerate(ind.variabel):
            if var.tipe is not Tipe.YA_TIDAK:
                yield Problem("blueprint-bad-variables", (*at, "variabel", vi, "tipe"), False,
                              f"butir daftar periksa '{var.id}' harus bertipe ya_tidak")
            if ind.hitung == "semua" and var.agregasi_unit is not AgregasiUnit.PER_UNIT:
                yield _not_per_unit((*at, "variabel", vi), f"butir '{var.id}'")


def _missing_key(ind: Indikator, at: tuple[str | int, ...], key: str, hint: str = "") -> Problem:
    return Problem("blueprint-missing-key", (*at, key), True,
                   f"indikator {ind.jenis} wajib memiliki '{key}'{hint}")


def _one_number(ind: Indikator, at: tuple[str | int, ...],
                numeric: list[Variabel]) -> Iterator[Problem]:
    if len(ind.variabel) != 1 or not numeric:
        yield Problem("blueprint-bad-variables", (*at, "variabel"), False,
                      f"indikator {ind.jenis} memerlukan tepat satu variabel angka")


def _not_per_unit(path: tuple[str | int, ...], what: str) -> Problem:
    """A variable judged unit by unit (ambang, daftar periksa semua) must say per_unit."""
    return Problem("blueprint-bad-aggregation", path, False,
                   f"{what} dinilai per unit: tulis 'agregasi_unit: per_unit'")


# Words that say a variable is the whole (a denominator): "seluruh", "jumlah ... yang ada",
# "diundang"/"undangan".
_WHOLE = re.compile(r"\bseluruh\b|\bjumlah\b.*\byang ada\b|\bdiundang\b|\bundangan\b",
                    re.IGNORECASE)


def _swapped_ratio(ind: Indikator, at: tuple[str | int, ...]) -> Iterator[Problem]:
    """A warning when the pembilang's label reads like the whole and the penyebut's does not."""
    declared = {v.id: v for v in ind.variabel}
    top, bottom = declared.get(ind.pembilang or ""), declared.get(ind.penyebut or "")
    if top is None or bottom is None:
        return
    if _WHOLE.search(top.label) and not _WHOLE.search(bottom.label):
        yield Problem("blueprint-ratio-swapped", (*at, "pembilang"), False,
                      f"pembilang '{top.id}' ({top.label}) tampaknya adalah keseluruhan, "
                      f"bukan bagiannya; periksa apakah pembilang dan penyebut tertukar",
                      severity=Severity.WARNING)


def _safe_names(text: str) -> list[str]:
    try:
        return expression.names(text)
    except expression.ExpressionError:
        return []


def _expression_problems(
    text: str, at: tuple[str | int, ...], known: set[str], what: str
) -> Iterator[Problem]:
    try:
        used = expression.names(text)
    except expression.ExpressionError as exc:
        yield Problem("blueprint-bad-expression", at, False, str(exc))
        return
    for name in used:
        if name not in known:
            yield Problem("blueprint-undeclared-variable", at, False,
                          f"{what} memakai '{name}' yang tidak dideklarasikan")


def indicators(bp: Blueprint) -> Iterator[tuple[Jabatan | None, Indikator]]:
    """Every indicator of the blueprint with its jabatan (None for the IKU table)."""
    for jab in bp.jabatan:
        for ind in jab.indikator:
            yield jab, ind
    if bp.iku is not None:
        for iku in bp.iku.indikator:
            yield None, iku


def find_blueprints(folder: str | Path) -> list[Path]:
    """Blueprint files of a folder (YAML and the spreadsheet form), sorted by name.

    Names starting with `_`, and the lock files office programs leave (`~$...`), are skipped.
    """
    if not Path(folder).is_dir():
        return []
    return sorted(p for p in Path(folder).iterdir()
                  if p.suffix.lower() in BLUEPRINT_SUFFIXES and p.is_file()
                  and not p.name.startswith(("_", "~$", ".")))

