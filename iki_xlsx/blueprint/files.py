"""Which files of a folder are blueprints (kept apart from loading them, which is heavy)."""

from __future__ import annotations

from pathlib import Path

BLUEPRINT_SUFFIXES = (".yaml", ".yml", ".xlsx")
DEFAULT_BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"  # the bundled ones


def find_blueprints(folder: str | Path) -> list[Path]:
    """Blueprint files of a folder (YAML and the spreadsheet form), sorted by name.

    Names starting with `_`, and the lock files office programs leave (`~$...`), are skipped.
    """
    if not Path(folder).is_dir():
        return []
    return sorted(p for p in Path(folder).iterdir()
                  if p.suffix.lower() in BLUEPRINT_SUFFIXES and p.is_file()
                  and not p.name.startswith(("_", "~$", ".")))
