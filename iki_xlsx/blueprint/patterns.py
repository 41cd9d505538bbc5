"""Indicator patterns by what they mean: the shortcut `pola:` of a blueprint indicator.

A decree says "persentase desa yang memenuhi semua kriteria", not `jenis: daftar_periksa`,
`hitung: semua` and `agregasi_unit: per_unit` on every item. A pattern fills in the kind, the
counting and the aggregation keys the model needs; keys written explicitly are kept. The
pattern itself is not part of the model: a blueprint written with `pola:` and one written
with the keys in full have the same content hash.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from iki_xlsx.core.codes import Code, Message

Path_ = tuple[str | int, ...]
Fill = Callable[[dict[str, Any], list[dict[str, Any]]], None]


@dataclass(frozen=True)
class Pattern:
    """One indicator pattern: a short id for YAML, the phrase the template's drop-down shows."""

    id: str
    phrase: str
    jenis: str
    fill: Fill
    explanation: str


def _variables_set(variables: list[dict[str, Any]], **defaults: str) -> None:
    for var in variables:
        for key, value in defaults.items():
            var.setdefault(key, value)


def _all_criteria(ind: dict[str, Any], variables: list[dict[str, Any]]) -> None:
    ind.setdefault("hitung", "semua")
    _variables_set(variables, tipe="ya_tidak", agregasi_unit="per_unit")


def _criteria_count(ind: dict[str, Any], variables: list[dict[str, Any]]) -> None:
    ind.setdefault("hitung", "jumlah")
    _variables_set(variables, tipe="ya_tidak")


def _threshold(ind: dict[str, Any], variables: list[dict[str, Any]]) -> None:
    ambang = ind.get("ambang")
    if isinstance(ambang, dict) and "variabel" not in ambang and len(variables) == 1:
        ambang["variabel"] = variables[0].get("id")
    _variables_set(variables, agregasi_unit="per_unit")


def _ratio(ind: dict[str, Any], variables: list[dict[str, Any]]) -> None:
    if len(variables) == 2:
        ind.setdefault("pembilang", variables[0].get("id"))
        ind.setdefault("penyebut", variables[1].get("id"))


def _score(ind: dict[str, Any], variables: list[dict[str, Any]]) -> None:
    _variables_set(variables, tipe="desimal", agregasi_periode="terakhir",
                   agregasi_unit="rata_rata")


def _nothing(ind: dict[str, Any], variables: list[dict[str, Any]]) -> None:
    return None


PATTERNS: tuple[Pattern, ...] = (
    Pattern("semua-kriteria", "persentase desa/kelurahan yang memenuhi semua kriteria",
            "daftar_periksa", _all_criteria,
            "daftar_periksa, hitung: semua; setiap variabel tipe ya_tidak, agregasi_unit: "
            "per_unit"),
    Pattern("di-atas-ambang", "persentase desa/kelurahan dengan nilai di atas ambang",
            "ambang", _threshold,
            "ambang (variabel ambang = satu-satunya variabel); agregasi_unit: per_unit"),
    Pattern("jumlah", "jumlah", "jumlah", _nothing, "jumlah"),
    Pattern("dua-jumlah", "persentase dua jumlah", "persentase", _ratio,
            "persentase; pembilang = variabel pertama, penyebut = variabel kedua"),
    Pattern("skala", "nilai dengan skala", "nilai", _score,
            "nilai; variabel tipe desimal, agregasi_periode: terakhir, agregasi_unit: "
            "rata_rata"),
    Pattern("rumus", "rumus", "rumus", _nothing, "rumus"),
    Pattern("kriteria-terpenuhi", "jumlah kriteria yang terpenuhi", "daftar_periksa",
            _criteria_count, "daftar_periksa, hitung: jumlah; setiap variabel tipe ya_tidak"),
)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


_BY_NAME = {_normal(name): p for p in PATTERNS for name in (p.id, p.phrase)}


def find_pattern(name: str) -> Pattern | None:
    """A pattern by its id or its phrase (case and spacing do not matter)."""
    return _BY_NAME.get(_normal(name))


@dataclass(frozen=True)
class PatternProblem:
    path: Path_
    said: Message


def _indicators(data: dict[str, Any]) -> Iterator[tuple[Path_, Any]]:
    jabatan = data.get("jabatan")
    if isinstance(jabatan, list):
        for ji, jab in enumerate(jabatan):
            if isinstance(jab, dict) and isinstance(jab.get("indikator"), list):
                for ii, ind in enumerate(jab["indikator"]):
                    yield ("jabatan", ji, "indikator", ii), ind
    iku = data.get("iku")
    if isinstance(iku, dict) and isinstance(iku.get("indikator"), list):
        for ii, ind in enumerate(iku["indikator"]):
            yield ("iku", "indikator", ii), ind


def expand_patterns(data: dict[str, Any]) -> tuple[dict[str, Any], list[PatternProblem]]:
    """A copy of `data` with every `pola:` replaced by the keys it stands for."""
    if not any(isinstance(ind, dict) and "pola" in ind for _, ind in _indicators(data)):
        return data, []
    expanded = copy.deepcopy(data)
    problems: list[PatternProblem] = []
    for path, ind in _indicators(expanded):
        if not isinstance(ind, dict) or "pola" not in ind:
            continue
        name = ind.pop("pola")
        pattern = find_pattern(name) if isinstance(name, str) else None
        if pattern is None:
            problems.append(PatternProblem((*path, "pola"), _unknown(name)))
            continue
        written = ind.setdefault("jenis", pattern.jenis)
        if written != pattern.jenis:
            problems.append(PatternProblem((*path, "jenis"), Code.BLUEPRINT_INVALID_VALUE.message(
                "pattern-kind", pola=pattern.phrase, jenis=pattern.jenis, ditulis=written)))
            continue
        variables = ind.get("variabel")
        pattern.fill(ind, [v for v in variables if isinstance(v, dict)]
                     if isinstance(variables, list) else [])
    return expanded, problems


def _unknown(name: Any) -> Message:
    near = difflib.get_close_matches(_normal(str(name)), list(_BY_NAME), n=1, cutoff=0.6)
    choices = "; ".join(f"{p.id} ({p.phrase})" for p in PATTERNS)
    if near:
        return Code.BLUEPRINT_INVALID_VALUE.message("pattern-near", pola=name, usulan=near[0],
                                                    pilihan=choices)
    return Code.BLUEPRINT_INVALID_VALUE.message("pattern", pola=name, pilihan=choices)
