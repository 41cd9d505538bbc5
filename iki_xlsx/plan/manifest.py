"""The manifest: what a generated workbook says about itself, written and read only here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iki_xlsx.core.errors import IkiError
from iki_xlsx.core.units import OFFICE_KODE, Unit
from iki_xlsx.plan.model import Role, WorkbookPlan


class ManifestError(IkiError, ValueError):
    """A manifest that does not have the form `Manifest.to_dict` writes."""


@dataclass(frozen=True)
class ManifestSheet:
    """Where a sheet's inputs and formulas are, as the manifest records them."""

    code: str
    name: str
    kind: str
    defined_name: str
    inputs: tuple[tuple[str, str], ...]  # ref, key
    formulas: tuple[tuple[str, str, str], ...]  # ref, key, formula text


@dataclass(frozen=True)
class Manifest:
    """What a generated workbook says about itself (its hidden `IKI_Manifest` sheet): the
    blueprint version, the recipient, the periode and the units list, and where every input
    and formula is. `to_dict` is the JSON form written; `from_dict` the only reader."""

    generator: str
    blueprint_id: str
    blueprint_versi: str
    blueprint_hash: str
    kantor: str
    unit: Unit  # without its e-mail address (the units list carries those)
    periode: int
    periods: tuple[str, ...]
    units: tuple[Unit, ...]
    sheets: tuple[ManifestSheet, ...] = ()
    format: int = 1

    @classmethod
    def of_plan(cls, plan: WorkbookPlan) -> Manifest:
        return cls(
            generator=plan.generator, blueprint_id=plan.blueprint_id,
            blueprint_versi=plan.blueprint_versi, blueprint_hash=plan.blueprint_hash,
            kantor=plan.kantor, unit=Unit(plan.unit.kode, plan.unit.nama, None, plan.unit.kantor),
            periode=plan.periode, periods=tuple(plan.periods), units=tuple(plan.units),
            sheets=tuple(ManifestSheet(
                s.code, s.name, s.kind, s.defined_name,
                tuple((c.ref, c.key) for c in s.cells if c.role is Role.INPUT),
                tuple((c.ref, c.key, c.formula.text) for c in s.cells
                      if c.role is Role.FORMULA and c.formula is not None))
                for s in plan.sheets))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "generator": self.generator,
            "blueprint": {"id": self.blueprint_id, "versi": self.blueprint_versi,
                          "hash": self.blueprint_hash},
            "kantor": self.kantor,
            "unit": {"kode": self.unit.kode, "nama": self.unit.nama, "kantor": self.unit.kantor},
            "periode": self.periode,
            "periods": list(self.periods),
            "units": [{"kode": u.kode, "nama": u.nama, "email": u.email, "kantor": u.kantor}
                      for u in self.units],
            "sheets": [
                {
                    "code": s.code,
                    "name": s.name,
                    "kind": s.kind,
                    "defined_name": s.defined_name,
                    "inputs": [list(i) for i in s.inputs],
                    "formulas": [list(f) for f in s.formulas],
                }
                for s in self.sheets
            ],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        """The manifest `data` holds, read strictly (a file's manifest is never trusted to be
        well formed): every part of the type `to_dict` writes (`"false"` is not a flag, 2026.0
        not a year), its unit in its own units list with the same name and flag, and the
        office flag on the office's kode only. `ManifestError` says which part is wrong, in
        Bahasa Indonesia."""
        if not isinstance(data, dict):
            raise ManifestError("isinya bukan objek JSON")
        blueprint = _part(data, "blueprint", dict)
        unit = _unit(_part(data, "unit", dict), "unit")
        units = tuple(_unit(u, f"units[{i}]") for i, u in
                      enumerate(_items(_part(data, "units", list), "units", dict)))
        manifest = cls(
            generator=_part(data, "generator", str, ""),
            blueprint_id=_part(blueprint, "id", str, where="blueprint.id"),
            blueprint_versi=_part(blueprint, "versi", str, where="blueprint.versi"),
            blueprint_hash=_part(blueprint, "hash", str, where="blueprint.hash"),
            kantor=_part(data, "kantor", str),
            unit=unit,
            periode=_part(data, "periode", int),
            periods=tuple(_items(_part(data, "periods", list, []), "periods", str)),
            units=units,
            sheets=tuple(_sheet(s, f"sheets[{i}]") for i, s in
                         enumerate(_items(_part(data, "sheets", list, []), "sheets", dict))),
            format=_part(data, "format", int, 1))
        listed = [u for u in units if u.kode == unit.kode]
        if not listed:
            raise ManifestError(f"unit berkode '{unit.kode}' tidak ada di daftar units-nya "
                                "sendiri")
        if (listed[0].nama, listed[0].kantor) != (unit.nama, unit.kantor):
            raise ManifestError(f"unit berkode '{unit.kode}' bernama atau berstatus lain di "
                                "daftar units-nya sendiri")
        if len(listed) > 1 or len({u.kode for u in units}) != len(units):
            raise ManifestError("daftar units menyebut satu kode dua kali")
        return manifest


_MISSING = object()


def _part(data: dict[str, Any], key: str, kind: type, default: Any = _MISSING,
          where: str | None = None) -> Any:
    """`data[key]`, of exactly the type `kind` (a bool is no int); `default` when absent."""
    name = where or key
    if key not in data:
        if default is _MISSING:
            raise ManifestError(f"bagian '{name}' tidak ada")
        return default
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
        raise ManifestError(f"bagian '{name}' bukan {_KINDS[kind]} ({shown[:40]})")
    return value


_KINDS: dict[type, str] = {str: "teks", int: "bilangan bulat", bool: "true atau false",
                           dict: "objek", list: "daftar"}


def _items(values: list[Any], where: str, kind: type) -> list[Any]:
    for i, value in enumerate(values):
        if not isinstance(value, kind):
            raise ManifestError(f"bagian '{where}[{i}]' bukan {_KINDS[kind]}")
    return values


def _unit(data: dict[str, Any], where: str) -> Unit:
    kode = _part(data, "kode", str, where=f"{where}.kode")
    kantor = _part(data, "kantor", bool, where=f"{where}.kantor")
    email = data.get("email")
    if email is not None and not isinstance(email, str):
        raise ManifestError(f"bagian '{where}.email' bukan teks")
    if not kode or kantor != (kode == OFFICE_KODE):
        raise ManifestError(f"bagian '{where}': kode '{kode}' dengan kantor {str(kantor).lower()}"
                            " tidak mungkin (hanya kode kantor kecamatan yang berstatus kantor)")
    return Unit(kode, _part(data, "nama", str, where=f"{where}.nama"), email or None, kantor)


def _sheet(data: dict[str, Any], where: str) -> ManifestSheet:
    def pairs(key: str, size: int) -> tuple[tuple[str, ...], ...]:
        rows = _items(_part(data, key, list, where=f"{where}.{key}"), f"{where}.{key}", list)
        if any(len(row) != size or not all(isinstance(v, str) for v in row) for row in rows):
            raise ManifestError(f"bagian '{where}.{key}' tidak berbentuk yang ditulis iki-xlsx")
        return tuple(tuple(row) for row in rows)

    inputs = pairs("inputs", 2)
    formulas = pairs("formulas", 3)
    return ManifestSheet(
        _part(data, "code", str, where=f"{where}.code"),
        _part(data, "name", str, where=f"{where}.name"),
        _part(data, "kind", str, where=f"{where}.kind"),
        _part(data, "defined_name", str, where=f"{where}.defined_name"),
        tuple((r, k) for r, k in inputs), tuple((r, k, f) for r, k, f in formulas))
