"""The register: the office's own record of the workbooks it generated and sent.

`generate` in a workspace records every workbook (unit, blueprint id and content hash,
periode, the file's SHA-256) and archives the blueprint version it used; `kirim` records
what went to which address. From then on the expected units of a blueprint and periode,
their addresses and the blueprint versions a return may carry come only from here and from
`unit.csv`, never from a returned file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.index import BlueprintIndex, Registered, blueprint_from_model
from iki_xlsx.store.db import Archived, Generated, Store


def archive_of(bp: Blueprint, source: str | None = None) -> Archived:
    """A blueprint version as the store archives it: the canonical JSON its content hash is
    computed over (enough to re-plan it) and the file's own text when known."""
    return Archived(bp.content_hash(), bp.id, bp.versi, bp.canonical(), source)


def record_generation(store: Store, bp: Blueprint, periode: int,
                      recipients: Sequence[tuple[Unit, Path | None]],
                      source: str | None = None) -> None:
    """Archive the blueprint version and register the run's recipients in one transaction:
    each with the workbook written for it, or None when it had nothing to fill (it stays in
    the units list the others were planned with, but is not expected back)."""
    digest = bp.content_hash()
    rows = [Generated(bp.id, digest, periode, unit, hashlib.sha256(path.read_bytes()).hexdigest(),
                      path.name) if path is not None
            else Generated(bp.id, digest, periode, unit, "", "", workbook=False)
            for unit, path in recipients]
    with store.transaction():
        store.archive_blueprint(archive_of(bp, source))
        store.record_generated(rows)


def load_register(store: Store) -> dict[tuple[str, int], Registered]:
    """The register by blueprint and periode."""
    archived = {a.hash: a.versi for a in store.archived_blueprints()}
    rows = store.registered()
    batches: dict[int, list[Unit]] = {}
    for row in rows:
        batches.setdefault(row.batch, []).append(row.unit)
    register: dict[tuple[str, int], Registered] = {}
    for row in rows:
        if not row.workbook:
            continue  # in its run's units list only: nothing to return
        entry = register.setdefault((row.blueprint, row.periode), Registered())
        entry.versions[row.blueprint_hash] = archived.get(row.blueprint_hash, "?")
        entry.units[row.unit.kode] = row.unit
        layout = tuple(batches[row.batch])
        entry.layouts[(row.unit.kode, row.blueprint_hash)] = layout
        runs = entry.all_layouts.setdefault((row.unit.kode, row.blueprint_hash), [])
        if layout not in runs:
            runs.append(layout)
    return register


def nothing_to_fill(store: Store) -> set[tuple[str, int, str]]:
    """(blueprint, periode, unit kode) of the recipients generate gave no workbook, because
    they had nothing to fill: kirim sends them nothing and does not miss their workbook."""
    with store.connect():
        rows = store.registered()
    written = {(r.blueprint, r.periode, r.unit.kode) for r in rows if r.workbook}
    return {(r.blueprint, r.periode, r.unit.kode) for r in rows if not r.workbook} - written


def register_index(store: Store, blueprints: Iterable[Blueprint]) -> BlueprintIndex:
    """The office's blueprints with every archived version and the register: what a return
    is judged against in a workspace."""
    with store.connect():
        archived = [blueprint_from_model(a.model) for a in store.archived_blueprints()]
        register = load_register(store)
    return BlueprintIndex(blueprints, archived, register)


def judged_by(store: Store, index: BlueprintIndex) -> BlueprintIndex:
    """The index returns are judged by: with the store's register and archived versions when
    the store has a register (and the index does not carry one yet)."""
    if index.register is not None or not store.has_register():
        return index
    return register_index(store, index.by_id.values())


def versi_conflicts(store: Store, blueprints: Iterable[tuple[str, Blueprint]]) -> list[Finding]:
    """A warning for each blueprint whose content differs from an archived version with the
    same `versi` (workbooks already sent carry the archived one)."""
    with store.connect():
        archived = store.archived_blueprints()
    findings: list[Finding] = []
    for path, bp in blueprints:
        digest = bp.content_hash()
        for old in archived:
            if old.blueprint == bp.id and old.versi == bp.versi and old.hash != digest:
                findings.append(Finding.of(Code.BLUEPRINT_VERSI_REUSED.message(
                    blueprint=bp.id, versi=bp.versi, arsip=old.hash[:12],
                    berikut=_next(bp.versi)), file=path))
                break
    return findings


def _next(versi: str) -> str:
    return str(int(versi) + 1) if versi.isdigit() else versi + ".1"


