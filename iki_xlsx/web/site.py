"""The workspace the web app serves (`service.workspace`), read afresh for every page: the
office may edit `iki.toml` or `unit.csv` while the server runs. Each view opens the
workspace's office (`office_of(request)`); the pages' frame reads the settings here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.service.workspace import (
    Config,
    WorkspaceError,
    WorkspacePaths,
    find_root,
    load_workspace,
)


@dataclass(frozen=True)
class Site(WorkspacePaths):
    """A workspace folder (its parts where `WorkspacePaths` says)."""

    @property
    def config(self) -> Config | None:
        """The settings, or None while iki.toml or unit.csv cannot be used."""
        try:
            return load_workspace(self.root).config
        except WorkspaceError:
            return None


def open_site(root: Path) -> Site:
    """The workspace at `root`; raises `WorkspaceError` when it cannot be used."""
    load_workspace(root)
    return Site(root.resolve())


def find_site(start: Path) -> Site | None:
    """The workspace holding `start` (found upward, as git finds its repository), or None."""
    root = find_root(start)
    return None if root is None else open_site(root)
