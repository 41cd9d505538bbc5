"""The workspace the web app serves, seen through the few names it needs.

A thin adapter: the workspace module (`iki_xlsx.workspace`, with `find_workspace`) replaces
the folder conventions below once it is on main; the pages only ever use `Site`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import Finding
from ..generate import read_units
from ..plan import Unit

CONFIG_NAME = "iki.toml"
UNITS_NAME = "unit.csv"


@dataclass
class Site:
    """Where the office keeps its config, units, blueprints, store and outputs."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def blueprints_dir(self) -> Path:
        return self.root / "blueprints"

    @property
    def store_dir(self) -> Path:
        return self.root / "simpan"

    @property
    def output_dir(self) -> Path:
        return self.root / "keluaran"

    @property
    def kantor(self) -> str:
        return str(self.config.get("kantor") or self.root.name)

    def units(self) -> tuple[list[Unit], list[Finding]]:
        """The office's own list of units (read fresh: the office may edit it any time)."""
        path = self.root / UNITS_NAME
        if not path.exists():
            return [], [Finding("units-missing", f"daftar unit {UNITS_NAME} belum ada di "
                                                 "ruang kerja", file=str(path))]
        return read_units(path)


def open_site(root: Path) -> Site:
    """The workspace at `root` (its `iki.toml` may be missing or partial)."""
    config_path = root / CONFIG_NAME
    config: dict[str, Any] = {}
    if config_path.exists():
        try:
            config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            config = {}
    return Site(root.resolve(), config)


def find_site(start: Path) -> Site | None:
    """The workspace containing `start`: the nearest folder upwards holding `iki.toml`."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / CONFIG_NAME).is_file():
            return open_site(folder)
    return None
