"""The blueprints an office accepts returns for, by id, loaded once for a batch.

In a workspace the index also carries the register: for each blueprint and periode, the
blueprint versions workbooks were generated from (archived by content hash, so a return
made from an older version is checked against that version) and the units they were
generated for. A return is then judged against these, never against what it says itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.blueprint.warm import load_folder
from iki_xlsx.core.units import Unit


@dataclass(frozen=True)
class Registered:
    """What the office generated for one blueprint and periode."""

    versions: dict[str, str] = field(default_factory=dict)  # content hash -> versi
    units: dict[str, Unit] = field(default_factory=dict)  # by kode, as last generated
    # (unit kode, content hash) -> the units list of the run that generated that workbook:
    # the layout of the office's workbook depends on it
    layouts: dict[tuple[str, str], tuple[Unit, ...]] = field(default_factory=dict)
    # every units list a workbook of (unit kode, content hash) was generated with, oldest
    # first: a workbook of an earlier run names its own, and is judged by it
    all_layouts: dict[tuple[str, str], list[tuple[Unit, ...]]] = field(default_factory=dict)


class BlueprintIndex:
    """Blueprints by id (the current version of each) and every known version by hash."""

    def __init__(self, blueprints: Iterable[Blueprint], archived: Iterable[Blueprint] = (),
                 register: dict[tuple[str, int], Registered] | None = None) -> None:
        # by object (held, so that no id is reused): one given as current and archived (a
        # folder's blueprints) is hashed once
        digests: dict[int, tuple[Blueprint, str]] = {}

        def digest(bp: Blueprint) -> str:
            if id(bp) not in digests:
                digests[id(bp)] = (bp, bp.content_hash())
            return digests[id(bp)][1]

        self.by_id = {bp.id: bp for bp in blueprints}
        self.hashes = {bp.id: digest(bp) for bp in self.by_id.values()}
        self.versions: dict[tuple[str, str], Blueprint] = {
            (bp.id, digest(bp)): bp for bp in archived}
        self.versions.update({(i, self.hashes[i]): bp for i, bp in self.by_id.items()})
        self.register = register  # None: no register (a store used outside a workspace)

    @classmethod
    def from_folder(cls, folder: Path, warm: Path | None = None) -> BlueprintIndex:
        """The folder's blueprints (with `warm`, through that cache file: see
        `blueprint.warm`). Should two files give one id different contents (`blueprint
        periksa` reports it), a return made from either is still checked against its own
        version, known by its content hash."""
        loaded = load_folder(folder, warm)
        return cls(loaded, archived=loaded)

    def version(self, bp_id: str, digest: str) -> Blueprint | None:
        return self.versions.get((bp_id, digest))

    def versi_of(self, bp_id: str, digest: str) -> str | None:
        found = self.versions.get((bp_id, digest))
        return None if found is None else found.versi


def blueprint_from_model(model: str) -> Blueprint:
    """A blueprint version back from its archived canonical JSON."""
    return Blueprint.model_validate(json.loads(model))
