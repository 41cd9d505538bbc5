"""The manifest: what a generated workbook says about itself, written and read only here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iki_xlsx.core.errors import IkiError
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.model import Role, WorkbookPlan

MANIFEST_SHEET = "IKI_Manifest"


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
        """The manifest `data` holds; `ManifestError` when a part is missing or of the wrong
        type (a file's manifest is never trusted to be well formed)."""
        try:
            blueprint, unit = data["blueprint"], data["unit"]
            return cls(
                generator=str(data.get("generator", "")),
                blueprint_id=str(blueprint["id"]), blueprint_versi=str(blueprint["versi"]),
                blueprint_hash=str(blueprint["hash"]), kantor=str(data["kantor"]),
                unit=Unit(str(unit["kode"]), str(unit["nama"]), None, bool(unit["kantor"])),
                periode=int(data["periode"]),
                periods=tuple(str(p) for p in data.get("periods", [])),
                units=tuple(Unit(str(u["kode"]), str(u["nama"]),
                                 str(u["email"]) if u.get("email") else None, bool(u["kantor"]))
                            for u in data["units"]),
                sheets=tuple(ManifestSheet(
                    str(s["code"]), str(s["name"]), str(s["kind"]), str(s["defined_name"]),
                    tuple((str(r), str(k)) for r, k in s["inputs"]),
                    tuple((str(r), str(k), str(f)) for r, k, f in s["formulas"]))
                    for s in data.get("sheets", [])),
                format=int(data.get("format", 1)))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ManifestError(f"manifest malformed: {exc!r}") from None
