"""Semantic checks of a typed blueprint beyond its types: ids, scales, kinds, expressions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from iki_xlsx.blueprint import expression
from iki_xlsx.blueprint.model import (
    AgregasiPeriode,
    AgregasiUnit,
    Blueprint,
    Indikator,
    Jenis,
    Polaritas,
    Tingkat,
    Tipe,
    Variabel,
)
from iki_xlsx.core.findings import Severity


class Problem(NamedTuple):
    """A semantic problem at a data path; `first` points at the earlier twin of a duplicate."""

    code: str
    path: tuple[str | int, ...]
    key: bool
    message: str
    first: tuple[str | int, ...] | None = None
    severity: Severity = Severity.ERROR


def semantic_problems(bp: Blueprint) -> Iterator[Problem]:
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
