"""The workspace the web app serves (`iki_xlsx.workspace`), read afresh for every page: the
office may edit `iki.toml` or `unit.csv` while the server runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.core.findings import Finding
from iki_xlsx.core.units import Unit
from iki_xlsx.service.workspace import (
    Config,
    WorkspaceError,
    WorkspacePaths,
    find_root,
    load_workspace,
)
from iki_xlsx.store.db import Store


@dataclass(frozen=True)
class Site(WorkspacePaths):
    """A workspace folder (its parts where `WorkspacePaths` says); its settings and units are
    loaded when a page needs them."""

    def load(self) -> tuple[Config | None, list[Unit], list[Finding]]:
        """The settings and the units list, or the findings saying why they cannot be used."""
        try:
            workspace = load_workspace(self.root)
        except WorkspaceError as exc:
            return None, [], exc.findings
        return workspace.config, workspace.units, []

    def store(self) -> Store | None:
        """The store, or None while nothing was received (a page that only reads must not
        create one)."""
        store = Store(self.store_dir)
        return store if store.exists() else None

    @property
    def config(self) -> Config | None:
        return self.load()[0]

    def units(self) -> tuple[list[Unit], list[Finding]]:
        _, units, findings = self.load()
        return units, findings


def open_site(root: Path) -> Site:
    """The workspace at `root`; raises `WorkspaceError` when it cannot be used."""
    load_workspace(root)
    return Site(root.resolve())


def find_site(start: Path) -> Site | None:
    """The workspace holding `start` (found upward, as git finds its repository), or None."""
    root = find_root(start)
    return None if root is None else open_site(root)
