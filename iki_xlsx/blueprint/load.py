"""Loading a blueprint (YAML, or the spreadsheet form) into the typed model.

It never raises for a bad file: every problem is a finding located at file:line or
file.xlsx:Sheet!cell, in Bahasa Indonesia.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import threading
import types
import typing
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from iki_xlsx.blueprint.files import BLUEPRINT_SUFFIXES as BLUEPRINT_SUFFIXES
from iki_xlsx.blueprint.files import find_blueprints as find_blueprints
from iki_xlsx.blueprint.model import Blueprint, Indikator
from iki_xlsx.blueprint.patterns import PatternProblem, expand_patterns
from iki_xlsx.blueprint.validate import Problem, semantic_problems
from iki_xlsx.blueprint.yamlsource import (
    MAX_YAML_CHARS,
    LineMap,
    Place,
    YamlLimitError,
    YamlSourceError,
    load,
)
from iki_xlsx.core.angka import in_range
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.findings import Finding, Severity, os_reason


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




def load_blueprint(path: str | Path) -> LoadResult:
    """Load and validate one blueprint file (YAML or the spreadsheet form); never raises."""
    shown = str(path)
    if Path(path).suffix.lower() == ".xlsx":
        from iki_xlsx.blueprint.xlsx import load_blueprint_xlsx

        return load_blueprint_xlsx(Path(path))
    try:
        text = _read_bounded(Path(path))
    except YamlLimitError as exc:
        return LoadResult(shown, None, [_finding(exc.said, shown, None)])
    except FileNotFoundError:
        return LoadResult(shown, None, [_finding(Code.BLUEPRINT_NOT_FOUND.message(), shown,
                                                 None)])
    except (OSError, UnicodeDecodeError) as exc:
        return LoadResult(shown, None, [_finding(
            Code.BLUEPRINT_UNREADABLE.message(alasan=os_reason(exc)), shown, None)])
    return load_blueprint_text(text, shown)


MAX_YAML_BYTES = 4 * MAX_YAML_CHARS  # UTF-8 takes at most 4 bytes a character


def _read_bounded(path: Path) -> str:
    """The file's text, never reading more than a blueprint may hold."""
    with path.open("rb") as handle:
        data = handle.read(MAX_YAML_BYTES + 1)
    if len(data) > MAX_YAML_BYTES:
        raise YamlLimitError(None, Code.BLUEPRINT_TOO_LARGE.message(
            batas=MAX_YAML_BYTES // 2**20))
    return data.decode("utf-8")


def load_blueprint_text(text: str, shown: str) -> LoadResult:
    """Load and validate blueprint YAML text; `shown` names the file in findings.

    Within a process, the same text is parsed and validated once (each command of an office,
    its registrations and checks load the same few files again and again, and every
    workspace holds copies of the same blueprints): the cache is keyed by the text itself
    (its SHA-256), so an edited file is always loaded afresh, and a result with findings is
    only reused for the same `shown`, the file its findings name. Each call gets its own
    `LoadResult` and findings list; the `Blueprint` is a frozen model and is shared."""
    loaded, _ = _parsed(text, shown)
    return LoadResult(shown, loaded.blueprint, list(loaded.findings))


def yaml_lines(text: str) -> LineMap | None:
    """Where each data path of blueprint YAML text stands (None when it does not parse), from
    the same parse as `load_blueprint_text` (read-only: it may be shared)."""
    with _LOCK:
        found = _LOADED.get(_digest(text))
    if found is not None:
        return found[1]
    try:
        return load(text)[1]
    except YamlSourceError:
        return None


_LOADED_KEPT = 32  # distinct texts kept: an office has a handful of blueprints
_LOADED: OrderedDict[str, tuple[LoadResult, LineMap | None]] = OrderedDict()
_LOCK = threading.Lock()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _parsed(text: str, shown: str) -> tuple[LoadResult, LineMap | None]:
    key = _digest(text)
    with _LOCK:
        found = _LOADED.get(key)
        if found is not None and (found[0].path == shown or not found[0].findings):
            _LOADED.move_to_end(key)
            return found  # without findings, nothing of the result but its path is `shown`
    found = _parse(text, shown)
    with _LOCK:
        _LOADED[key] = found
        _LOADED.move_to_end(key)
        while len(_LOADED) > _LOADED_KEPT:
            _LOADED.popitem(last=False)
    return found


def _parse(text: str, shown: str) -> tuple[LoadResult, LineMap | None]:
    try:
        data, lines = load(text)
    except YamlSourceError as exc:  # a YamlLimitError too
        return LoadResult(shown, None, [_finding(exc.said, shown, exc.line)]), None
    if data is None:
        return LoadResult(shown, None, [_finding(Code.BLUEPRINT_EMPTY.message(), shown,
                                                 1)]), lines
    if not isinstance(data, dict):
        return LoadResult(shown, None, [_finding(Code.BLUEPRINT_TYPE.message(), shown,
                                                 1)]), lines
    return validate_data(data, lines, shown), lines


def validate_data(data: dict[str, Any], source: SourceMap, shown: str) -> LoadResult:
    """Validate blueprint data read from any source; findings are located through `source`."""
    expanded, pattern_problems = expand_patterns(data)
    if pattern_problems:
        return LoadResult(shown, None, [_pattern_finding(p, data, source, shown)
                                        for p in pattern_problems])
    far = list(_out_of_range(expanded, ()))
    if far:  # named as such, not as "not a number" or "infinity"
        return LoadResult(shown, None, [_located(
            Code.BLUEPRINT_INVALID_VALUE.message("out-of-range", kunci=_field(path),
                                                 angka=_shown_number(number))
            .after(_context(expanded, path[:-1])), shown, source.locate(path))
            for path, number in far])
    try:
        blueprint = Blueprint.model_validate(expanded)
    except ValidationError as exc:
        return LoadResult(shown, None, _pydantic_findings(exc, expanded, source, shown))
    findings = [_problem_finding(problem, expanded, source, shown)
                for problem in semantic_problems(blueprint)]
    failed = any(f.severity is Severity.ERROR for f in findings)
    return LoadResult(shown, None if failed else blueprint, findings)


_EXPONENT_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")


def _out_of_range(data: Any, path: tuple[str | int, ...]
                  ) -> Iterator[tuple[tuple[str | int, ...], float | str]]:
    """Every number outside what Excel holds (about +-1e308, NaN and infinity included),
    written as a number (`1.0e+308`) or as text YAML does not read as one (`1e308`)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _out_of_range(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _out_of_range(value, (*path, i))
    elif _far_number(data):
        yield path, data


def _far_number(value: Any) -> bool:
    if isinstance(value, float):
        return not in_range(value)
    return (isinstance(value, str) and _EXPONENT_NUMBER.fullmatch(value.strip()) is not None
            and not in_range(float(value)))


def _shown_number(number: float | str) -> str:
    if isinstance(number, str):
        return number
    if math.isinf(number):
        return "tak hingga (lebih dari 1e308)"
    return "NaN" if math.isnan(number) else f"{number:g}"


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
            findings.append(_finding(Code.BLUEPRINT_ID_CONFLICT.message(
                id=bp.id, berkas=Path(first[bp.id][0]).name), path, None))
    return findings


def _finding(said: Message, file: str, line: int | None) -> Finding:
    return Finding.of(said, file=file, line=line)


def _located(said: Message, shown: str, place: Place) -> Finding:
    return Finding.of(said, file=shown, line=place.line, sheet=place.sheet, cell=place.cell)


def _pattern_finding(problem: PatternProblem, data: Any, source: SourceMap,
                     shown: str) -> Finding:
    return _located(problem.said.after(_context(data, problem.path)), shown,
                    source.locate(problem.path))


def _problem_finding(problem: Problem, data: Any, source: SourceMap, shown: str) -> Finding:
    said = problem.said
    if problem.first is not None:  # a duplicate: where the first one stands, too
        said = Code.BLUEPRINT_DUPLICATE_ID.message(
            "first", pertama=source.locate(problem.first).describe(), **said.values)
    return _located(said.after(_context(data, problem.path)), shown,
                    source.locate(problem.path, key=problem.key))


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
             for near in nearest(str(path[-1]), _known_keys(path[:-1]))}
    for path, error in errors:
        kind = error["type"]
        key = str(path[-1]) if path else ""
        where = _context(data, path[:-1] if kind in ("missing", "extra_forbidden") else path)
        if kind == "missing" and path in meant:
            continue  # the misspelled key's finding already names it
        if kind == "extra_forbidden":
            near = nearest(key, _known_keys(path[:-1]))
            said = (Code.BLUEPRINT_UNKNOWN_KEY.message("near", istilah=source.term(path),
                                                       usulan=near[0]) if near else
                    Code.BLUEPRINT_UNKNOWN_KEY.message(istilah=source.term(path)))
            place = source.locate(path, key=True)
        elif kind == "missing":
            said = Code.BLUEPRINT_MISSING_KEY.message(istilah=source.term(path))
            place = source.locate(path, key=True)
        else:
            field_name = _field(path)
            said = (Code.BLUEPRINT_INVALID_VALUE.message(kunci=field_name,
                                                         alasan=describe_error(error))
                    if field_name else
                    Code.BLUEPRINT_INVALID_VALUE.message("bare", alasan=describe_error(error)))
            place = source.locate(path)
        findings.append(_located(said.after(where), shown, place))
    return findings


def nearest(word: str, known: list[str]) -> list[str]:
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


def describe_error(error: Any) -> str:
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
    """The name of the field at `path` (its last key), "" for none."""
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else ""


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
