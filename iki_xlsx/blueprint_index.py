"""The blueprints an office accepts returns for, by id, loaded once for a batch."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .blueprint import Blueprint, find_blueprints, load_blueprint


class BlueprintIndex:
    """Blueprints by id, loaded once for a batch."""

    def __init__(self, blueprints: Iterable[Blueprint]) -> None:
        self.by_id = {bp.id: bp for bp in blueprints}
        self.hashes = {bp.id: bp.content_hash() for bp in self.by_id.values()}

    @classmethod
    def from_folder(cls, folder: Path) -> BlueprintIndex:
        loaded = (load_blueprint(p).blueprint for p in find_blueprints(folder))
        return cls(bp for bp in loaded if bp is not None)
