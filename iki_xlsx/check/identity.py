"""Who a returned workbook says it is (its manifest, or the identity carriers that survived
another application), checked against the known blueprints and the register."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check.result import FileResult, add
from iki_xlsx.core.codes import Code
from iki_xlsx.core.periode import FIRST, LAST
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import OFFICE_KODE, office_unit, plan_workbook, sheet_names
from iki_xlsx.plan.carriers import (
    IDENTIFYING,
    MANIFEST_SHEET,
    Carrier,
    Field,
    Property,
    disagreements,
    header_claims,
    identity,
    valid_periode,
)
from iki_xlsx.plan.index import BlueprintIndex, Registered
from iki_xlsx.plan.manifest import Manifest, ManifestError
from iki_xlsx.plan.model import WorkbookPlan, defined_name
from iki_xlsx.workbook.read import WorkbookData


@dataclass(frozen=True)
class Identity:
    """Who a workbook says it is, once its blueprint version is known to match."""

    bp: Blueprint
    digest: str
    unit: Unit
    periode: int
    units: tuple[Unit, ...]

    @property
    def layout(self) -> tuple[Any, ...]:
        """What the cells' places and formulas depend on (a plan's other cells differ only
        in the recipient's name in its meta rows; a test holds this)."""
        return (self.bp.id, self.digest, self.periode, self.unit.kantor, self.units)

    def plan(self) -> WorkbookPlan:
        return plan_workbook(self.bp, self.unit, self.periode, list(self.units))


def identify(result: FileResult, data: WorkbookData, index: BlueprintIndex) -> Identity | None:
    """Who the file says it is, cross-checked with its other identity carriers and, in a
    workspace, with the register: the plan comes from the office's own records.

    The manifest sheet (very hidden, hidden or visible: its state does not matter) says it
    all. When another application dropped it, the custom document properties stand in; when
    those are gone too, the visible header cells (unit name, year) and the workbook-scoped
    sheet names are matched against the register. The plan always comes from the blueprint."""
    claim = _claim(result, data, index)
    if claim is None:
        return None
    result.blueprint, result.unit, result.periode = claim.bp_id, claim.unit.nama, claim.periode
    result.unit_kode, result.blueprint_hash = claim.unit.kode, claim.digest
    result.blueprint_versi = claim.versi
    if not _carriers_agree(result, data, claim):
        return None
    bp_id, digest, unit, periode = claim.bp_id, claim.digest, claim.unit, claim.periode
    if bp_id not in index.by_id:
        add(result, Code.UNKNOWN_WORKBOOK.message("blueprint", blueprint=bp_id),
            expected=sorted(index.by_id), found=bp_id)
        return None
    if index.register is not None:
        registered = _registered(result, index, bp_id, digest, claim.versi, unit, periode)
        if registered is None:
            return None
        unit, units = registered[0], registered[1]
        if claim.manifest is not None:
            matched = _as_registered(result, claim.manifest, index.register[(bp_id, periode)],
                                     digest)
            if matched is None:
                return None
            unit, units = next(u for u in matched if u.kode == unit.kode), matched
    elif claim.units is not None:
        units = claim.units
    elif unit.kantor:
        add(result, Code.UNKNOWN_WORKBOOK.message("office"), found=claim.source)
        return None
    else:  # a kelurahan/desa plan does not depend on the others in the units list
        units = (unit, office_unit(index.by_id[bp_id]))
    bp = index.version(bp_id, digest)
    if bp is None:
        current = index.by_id[bp_id]
        add(result, Code.BLUEPRINT_MISMATCH.message(blueprint=bp_id, versi=claim.versi,
                                                    berlaku=current.versi),
            expected={"versi": current.versi, "hash": index.hashes[bp_id]},
            found={"versi": claim.versi, "hash": digest})
        return None
    if claim.manifest is not None and not _as_blueprint(result, claim.manifest, bp):
        return None
    if claim.source is not Carrier.MANIFEST:
        add(result, Code.MANIFEST_MISSING.message(pembawa=claim.source, blueprint=bp_id,
                                                  versi=bp.versi), found=claim.source)
    result.unit = unit.nama
    return Identity(bp, digest, unit, periode, tuple(units))


@dataclass(frozen=True)
class Claim:
    """Who a workbook says it is, from one carrier (`source`); `units` only from the
    manifest."""

    bp_id: str
    versi: str
    digest: str
    unit: Unit
    units: tuple[Unit, ...] | None
    periode: int
    source: Carrier
    manifest: Manifest | None = None


def _claim(result: FileResult, data: WorkbookData, index: BlueprintIndex) -> Claim | None:
    if data.manifest is not None or MANIFEST_SHEET in data.sheets:
        return _manifest(result, data)
    refused = len(result.findings)
    claim = _from_properties(result, data)
    if claim is not None or len(result.findings) > refused:
        return claim
    claim = _from_headers(data, index)
    if claim is None:
        add(result, Code.UNKNOWN_WORKBOOK.message())
    return claim


def _manifest(result: FileResult, data: WorkbookData) -> Claim | None:
    manifest = data.manifest
    try:
        if manifest is None:  # the sheet is there, but holds no manifest
            raise ManifestError("lembar manifes tidak memuat manifes")
        said = Manifest.from_dict(manifest)
        if not valid_periode(said.periode):
            raise ManifestError(f"periode {str(said.periode)[:40]} bukan tahun "
                                f"({FIRST} sampai {LAST})")
    except ManifestError as exc:
        add(result, Code.MANIFEST_MALFORMED.message(bagian=str(exc)))
        return None
    return Claim(said.blueprint_id, said.blueprint_versi, said.blueprint_hash, said.unit,
                 tuple(said.units), said.periode, Carrier.MANIFEST, said)


def _from_properties(result: FileResult, data: WorkbookData) -> Claim | None:
    """The custom document properties, when all of them survived."""
    props = {name: str(data.custom_properties.get(name) or "").strip()
             for name in IDENTIFYING}
    if not all(props.values()):
        return None
    year = props[Property.PERIODE]
    periode = int(year) if year.isdigit() and len(year) <= 4 else 0
    if not valid_periode(periode):
        add(result, Code.UNKNOWN_WORKBOOK.message("properties", periode=year), found=year)
        return None
    kode = props[Property.UNIT_KODE]
    unit = Unit(kode, props[Property.UNIT_NAMA], kantor=kode == OFFICE_KODE)
    return Claim(props[Property.BLUEPRINT], props[Property.VERSI], props[Property.HASH], unit,
                 None, periode, Carrier.PROPERTIES)


def _from_headers(data: WorkbookData, index: BlueprintIndex) -> Claim | None:
    """The unit's name and the year in the visible header cells, matched against the
    register (the only place that knows the unit's kode and the version it was sent): one
    registered workbook of that unit and year whose sheets' workbook-scoped names are all
    in the file."""
    if index.register is None:
        return None
    shown = header_claims(data.sheets)
    names = {s.value for s in shown if s.field is Field.UNIT_NAMA}
    years = {s.value for s in shown if s.field is Field.PERIODE}
    if len(names) != 1 or len(years) != 1 or not next(iter(years)).isdigit():
        return None
    nama, periode = names.pop(), int(years.pop())
    scoped = {name.upper() for name in data.defined_names}
    found: list[Claim] = []
    for (bp_id, year), entry in index.register.items():
        for (kode, digest), layout in entry.layouts.items():
            unit = entry.units[kode]
            bp = index.version(bp_id, digest)
            if year != periode or unit.nama != nama or bp is None:
                continue
            codes = sheet_names(bp, unit)  # a sheet's defined name follows from its code
            if all(defined_name(code).upper() in scoped for code in codes):
                found.append(Claim(bp_id, entry.versions[digest], digest, unit, layout,
                                   periode, Carrier.HEADERS))
    return found[0] if len(found) == 1 else None


def _carriers_agree(result: FileResult, data: WorkbookData, claim: Claim) -> bool:
    """The claim against the other carriers that survived (custom document properties, the
    visible header cells; a client may drop some): any disagreement rejects the file."""
    claimed = identity(claim.bp_id, claim.digest, claim.unit, claim.periode)
    differing = disagreements(claimed, data.custom_properties, data.sheets)
    for said in differing:
        add(result, Code.IDENTITY_MISMATCH.message(
            apa=said.field, sumber=claim.source, klaim=claimed[said.field], tempat=said.where,
            nilai=said.value), expected=claimed[said.field], found=said.value)
    return not differing


def _as_registered(result: FileResult, manifest: Manifest, entry: Registered,
                   digest: str) -> tuple[Unit, ...] | None:
    """The units list of the generate run the manifest names, when the register holds one
    exactly as the manifest says it (every unit's kode, name, flag and address) and the
    manifest's blueprint versi is the one registered for its hash; else a rejecting finding
    naming the first part that differs."""
    kode = manifest.unit.kode
    runs = entry.all_layouts.get((kode, digest)) or [entry.layouts[(kode, digest)]]
    said = tuple(manifest.units)
    if said in runs:
        versi = entry.versions.get(digest, "?")
        if versi in ("?", manifest.blueprint_versi):
            return said
        _mismatch(result, "versi blueprint", manifest.blueprint_versi, versi)
        return None
    _mismatch(result, *_first_difference(said, runs[-1]))
    return None


def _first_difference(said: tuple[Unit, ...],
                      registered: tuple[Unit, ...]) -> tuple[str, str, str]:
    """What the first difference between a manifest's units list and the register's is:
    (the part, the manifest's word, the register's word)."""
    theirs = {u.kode: u for u in registered}
    for unit in said:
        other = theirs.get(unit.kode)
        if other is None:
            return "daftar unit", f"ada unit berkode {unit.kode}", "tidak ada"
        for part, mine, recorded in (("nama unit", unit.nama, other.nama),
                                     ("status kantor", str(unit.kantor), str(other.kantor)),
                                     ("alamat surel", unit.email or "-", other.email or "-")):
            if mine != recorded:
                return f"{part} {unit.kode}", mine, recorded
    kodes = {u.kode for u in said}
    missing = next((u.kode for u in registered if u.kode not in kodes), "?")
    return "daftar unit", "tidak ada", f"ada unit berkode {missing}"


def _as_blueprint(result: FileResult, manifest: Manifest, bp: Blueprint) -> bool:
    """The manifest's office name and periods as its blueprint version has them."""
    for part, said, kept in (("nama kantor", manifest.kantor, bp.kantor),
                             ("periode pengisian", ", ".join(manifest.periods),
                              ", ".join(bp.periods))):
        if said != kept:
            _mismatch(result, part, said, kept)
            return False
    return True


def _mismatch(result: FileResult, part: str, said: str, kept: str) -> None:
    add(result, Code.MANIFEST_MISMATCH.message(bagian=part, manifes=said[:80],
                                               catatan=kept[:80]),
        expected=kept, found=said)


def _registered(result: FileResult, index: BlueprintIndex, bp_id: str, digest: str, versi: str,
                unit: Unit, periode: int) -> tuple[Unit, tuple[Unit, ...]] | None:
    """The unit and units list the register holds for this return, or a rejecting finding."""
    assert index.register is not None
    entry = index.register.get((bp_id, periode))
    if entry is None:
        known = sorted(p for b, p in index.register if b == bp_id)
        said = (Code.PERIOD_NOT_REGISTERED.message(blueprint=bp_id, periode=periode,
                                                   dibuat=", ".join(map(str, known)))
                if known else
                Code.PERIOD_NOT_REGISTERED.message("none", blueprint=bp_id, periode=periode))
        add(result, said, expected=known, found=periode)
        return None
    if unit.kode not in entry.units:
        add(result, Code.UNIT_NOT_REGISTERED.message(kode=unit.kode, unit=unit.nama,
                                                     blueprint=bp_id, periode=periode),
            found=unit.kode)
        return None
    layout = entry.layouts.get((unit.kode, digest))
    if layout is None:
        made = ", ".join(f"versi {v}" for v in sorted(set(entry.versions.values())))
        add(result, Code.VERSION_NOT_REGISTERED.message(blueprint=bp_id, versi=versi,
                                                        periode=periode, dikirim=made),
            expected=sorted(entry.versions.values()),
            found=versi)
        return None
    return entry.units[unit.kode], layout
