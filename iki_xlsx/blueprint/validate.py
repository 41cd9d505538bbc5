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
from iki_xlsx.core.codes import Code, Message

# ids the workbook's own rows and sheets take in the plan's keys (plan/build.py, plan/cover.py),
# with what they hold there: an indicator `ringkasan` would put its realisasi, capaian and
# predikat under the keys of its sheet's summary row (`camat/ringkasan/capaian`), a jabatan
# `iku` its indicators under the IKU table's scope, a jabatan `ringkasan` under the Ringkasan
# sheet's keys; the plan would hold two cells under one key
RESERVED_INDICATOR_IDS = {"ringkasan": "baris rata-rata capaian di bawah indikator"}
RESERVED_JABATAN_IDS = {"iku": "tabel IKU", "ringkasan": "lembar Ringkasan"}


class Problem(NamedTuple):
    """A semantic problem at a data path (`key`: at its key rather than its value); `first`
    points at the earlier twin of a duplicate."""

    said: Message
    path: tuple[str | int, ...]
    key: bool = False
    first: tuple[str | int, ...] | None = None

MAX_CHOICES_CHARS = 255  # an Excel validation list's longest text


def semantic_problems(bp: Blueprint) -> Iterator[Problem]:
    yield from _scale_order(bp.predikat, ("predikat",), "predikat")
    yield from _duplicates([j.id for j in bp.jabatan], ("jabatan",), "jabatan")
    yield from _reserved([j.id for j in bp.jabatan], ("jabatan",), "jabatan",
                         RESERVED_JABATAN_IDS)
    jabatan_ids = {j.id for j in bp.jabatan}
    for ji, jab in enumerate(bp.jabatan):
        base: tuple[str | int, ...] = ("jabatan", ji, "indikator")
        yield from _duplicates([i.id for i in jab.indikator], base, "indikator")
        yield from _reserved([i.id for i in jab.indikator], base, "indikator",
                             RESERVED_INDICATOR_IDS)
        for ii, ind in enumerate(jab.indikator):
            yield from _indicator_problems(ind, (*base, ii))
    if bp.iku is not None:
        base = ("iku", "indikator")
        yield from _duplicates([i.id for i in bp.iku.indikator], base, "indikator")
        yield from _reserved([i.id for i in bp.iku.indikator], base, "indikator",
                             RESERVED_INDICATOR_IDS)
        for ii, iku in enumerate(bp.iku.indikator):
            yield from _indicator_problems(iku, (*base, ii))
            for ki, ref in enumerate(iku.jabatan):
                if ref not in jabatan_ids:
                    yield Problem(Code.BLUEPRINT_UNKNOWN_JABATAN.message(jabatan=ref),
                                  (*base, ii, "jabatan", ki))


def _duplicates(ids: list[str], path: tuple[str | int, ...], what: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in seen:
            yield Problem(Code.BLUEPRINT_DUPLICATE_ID.message(apa=what, id=ident),
                          (*path, i, "id"), first=(*path, seen[ident], "id"))
        seen.setdefault(ident, i)


def _reserved(ids: list[str], path: tuple[str | int, ...], what: str,
              reserved: dict[str, str]) -> Iterator[Problem]:
    """Ids the workbook's own keys take (`RESERVED_*_IDS`), refused where they stand."""
    for i, ident in enumerate(ids):
        if ident in reserved:
            yield Problem(Code.BLUEPRINT_RESERVED_ID.message(apa=what, id=ident,
                                                             untuk=reserved[ident]),
                          (*path, i, "id"))


def _scale_order(scale: list[Tingkat], path: tuple[str | int, ...], what: str) -> Iterator[Problem]:
    if len(scale) < 2:
        yield Problem(Code.BLUEPRINT_BAD_SCALE.message("few", apa=what), path)
    for i in range(1, len(scale)):
        if scale[i].min >= scale[i - 1].min:
            yield Problem(Code.BLUEPRINT_BAD_SCALE.message(apa=what, batas=scale[i].min,
                                                          sebelumnya=scale[i - 1].min),
                          (*path, i, "min"))


def _indicator_problems(ind: Indikator, at: tuple[str | int, ...]) -> Iterator[Problem]:
    declared = [v.id for v in ind.variabel]
    yield from _duplicates(declared, (*at, "variabel"), "variabel")
    for vi, var in enumerate(ind.variabel):
        yield from _variable_problems(var, (*at, "variabel", vi))
    if len({v.pengisi for v in ind.variabel}) > 1:
        yield Problem(Code.BLUEPRINT_MIXED_PENGISI.message(), (*at, "variabel"))
    for name in ind.konstanta:
        if name in declared:
            yield Problem(Code.BLUEPRINT_DUPLICATE_ID.message("constant", nama=name),
                          (*at, "konstanta", name), key=True)
    yield from _kind_problems(ind, at, declared)
    kept_per_unit = ind.jenis is Jenis.AMBANG or (
        ind.jenis is Jenis.DAFTAR_PERIKSA and ind.hitung == "semua")
    for vi, var in enumerate(ind.variabel):
        if var.agregasi_unit is AgregasiUnit.PER_UNIT and not kept_per_unit:
            yield Problem(Code.BLUEPRINT_BAD_AGGREGATION.message(variabel=var.id),
                          (*at, "variabel", vi, "agregasi_unit"), key=True)
    for ai, rule in enumerate(ind.aturan):
        for side in ("kiri", "kanan"):
            yield from _expression_problems(getattr(rule, side), (*at, "aturan", ai, side),
                                            set(declared) | set(ind.konstanta), "aturan")
    if ind.skala is not None:
        yield from _scale_order(ind.skala, (*at, "skala"), "skala")
    if ind.polaritas is Polaritas.TURUN and ind.jenis in (Jenis.AMBANG, Jenis.DAFTAR_PERIKSA):
        yield Problem(Code.BLUEPRINT_BAD_POLARITY.message(jenis=ind.jenis), (*at, "polaritas"))


def _variable_problems(var: Variabel, at: tuple[str | int, ...]) -> Iterator[Problem]:
    low, high = var.bounds
    if low is not None and high is not None and low > high:
        yield Problem(Code.BLUEPRINT_BAD_BOUNDS.message(variabel=var.id, max=high, min=low),
                      (*at, "max"))
    if var.tipe is Tipe.PILIHAN and not var.pilihan:
        yield Problem(Code.BLUEPRINT_MISSING_KEY.message("choices", variabel=var.id),
                      (*at, "tipe"))
    if var.tipe is not Tipe.PILIHAN and var.pilihan is not None:
        yield Problem(Code.BLUEPRINT_MISPLACED_KEY.message("choices", variabel=var.id),
                      (*at, "pilihan"), key=True)
    if var.tipe in (Tipe.YA_TIDAK, Tipe.PILIHAN):
        if var.min is not None or var.max is not None:
            bound = "min" if var.min is not None else "max"
            yield Problem(Code.BLUEPRINT_MISPLACED_KEY.message("bounds", variabel=var.id,
                                                              tipe=var.tipe),
                          (*at, bound), key=True)
        if var.agregasi_periode not in (None, AgregasiPeriode.TERAKHIR):
            yield Problem(Code.BLUEPRINT_BAD_AGGREGATION.message("periode", variabel=var.id,
                                                                tipe=var.tipe),
                          (*at, "agregasi_periode"))
    if var.pilihan is not None and len(",".join(var.pilihan)) > MAX_CHOICES_CHARS:
        yield Problem(Code.BLUEPRINT_BAD_CHOICES.message(variabel=var.id,
                                                         batas=MAX_CHOICES_CHARS),
                      (*at, "pilihan"), key=True)


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
            yield Problem(Code.BLUEPRINT_MISPLACED_KEY.message(kunci=key, jenis=ind.jenis),
                          (*at, key), key=True)
    numeric = [v for v in ind.variabel if v.tipe not in (Tipe.YA_TIDAK, Tipe.PILIHAN)]
    if ind.jenis is Jenis.PERSENTASE:
        for key in ("pembilang", "penyebut"):
            ref = getattr(ind, key)
            if ref is None:
                yield _missing_key(ind, at, key)
            elif ref not in declared:
                yield Problem(Code.BLUEPRINT_UNDECLARED_VARIABLE.message(apa=key, nama=ref),
                              (*at, key))
        if ind.pembilang is not None and ind.pembilang == ind.penyebut:
            yield Problem(Code.BLUEPRINT_BAD_RATIO.message(), (*at, "penyebut"))
        if len(numeric) != len(ind.variabel) or len(ind.variabel) != 2:
            yield Problem(Code.BLUEPRINT_BAD_VARIABLES.message("persentase"), (*at, "variabel"))
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
                    yield Problem(Code.BLUEPRINT_UNUSED_VARIABLE.message(variabel=var.id),
                                  (*at, "variabel", vi, "id"))
        if len(numeric) != len(ind.variabel):
            yield Problem(Code.BLUEPRINT_BAD_VARIABLES.message("rumus"), (*at, "variabel"))
    elif ind.jenis is Jenis.AMBANG:
        if ind.ambang is None:
            yield _missing_key(ind, at, "ambang")
        elif ind.ambang.variabel not in declared:
            yield Problem(Code.BLUEPRINT_UNDECLARED_VARIABLE.message(
                apa="ambang", nama=ind.ambang.variabel), (*at, "ambang", "variabel"))
        elif ind.variable(ind.ambang.variabel).agregasi_unit is not AgregasiUnit.PER_UNIT:
            yield Problem(Code.BLUEPRINT_BAD_AGGREGATION.message(
                "variable-per-unit", variabel=ind.ambang.variabel), (*at, "ambang", "variabel"))
        yield from _one_number(ind, at, numeric)
    elif ind.jenis is Jenis.DAFTAR_PERIKSA:
        if ind.hitung is None:
            yield Problem(Code.BLUEPRINT_MISSING_KEY.message("hitung", jenis=ind.jenis),
                          (*at, "hitung"), key=True)
        for vi, var in enumerate(ind.variabel):
            if var.tipe is not Tipe.YA_TIDAK:
                yield Problem(Code.BLUEPRINT_BAD_VARIABLES.message("checklist", butir=var.id),
                              (*at, "variabel", vi, "tipe"))
            if ind.hitung == "semua" and var.agregasi_unit is not AgregasiUnit.PER_UNIT:
                yield Problem(Code.BLUEPRINT_BAD_AGGREGATION.message("item-per-unit",
                                                                    butir=var.id),
                              (*at, "variabel", vi))


def _missing_key(ind: Indikator, at: tuple[str | int, ...], key: str) -> Problem:
    return Problem(Code.BLUEPRINT_MISSING_KEY.message("kind", jenis=ind.jenis, kunci=key),
                   (*at, key), key=True)


def _one_number(ind: Indikator, at: tuple[str | int, ...],
                numeric: list[Variabel]) -> Iterator[Problem]:
    if len(ind.variabel) != 1 or not numeric:
        yield Problem(Code.BLUEPRINT_BAD_VARIABLES.message(jenis=ind.jenis), (*at, "variabel"))


_WHOLE = re.compile(r"\bseluruh\b|\bjumlah\b.*\byang ada\b|\bdiundang\b|\bundangan\b",
                    re.IGNORECASE)


def _swapped_ratio(ind: Indikator, at: tuple[str | int, ...]) -> Iterator[Problem]:
    """A warning when the pembilang's label reads like the whole and the penyebut's does not."""
    declared = {v.id: v for v in ind.variabel}
    top, bottom = declared.get(ind.pembilang or ""), declared.get(ind.penyebut or "")
    if top is None or bottom is None:
        return
    if _WHOLE.search(top.label) and not _WHOLE.search(bottom.label):
        yield Problem(Code.BLUEPRINT_RATIO_SWAPPED.message(pembilang=top.id, label=top.label),
                      (*at, "pembilang"))


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
        yield Problem(exc.said, at)
        return
    for name in used:
        if name not in known:
            yield Problem(Code.BLUEPRINT_UNDECLARED_VARIABLE.message(apa=what, nama=name), at)
