"""A folder's blueprints kept warm: each file's validated model by the SHA-256 of its bytes.

Reading a blueprint's YAML and validating it takes 0.2 to 0.5 s of CPU for a large one; its
canonical JSON validates in about 2 ms. A workspace keeps, in its store folder, the canonical
JSON of every blueprint file that loaded, keyed by the SHA-256 of the file and by the loader's
own code, so a command that only needs the blueprints (`periksa`, `terima`) gets them in
milliseconds, while a changed file, or a changed loader, is loaded again. The cache is only a
cache: unreadable, stale or not writable, it is ignored and the files are loaded as always.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from iki_xlsx.blueprint.files import find_blueprints
from iki_xlsx.blueprint.model import Blueprint

WARM_FILE = "blueprint-hangat.json"
_LOADER = Path(__file__).resolve().parent


def load_folder(folder: Path, warm: Path | None = None) -> list[Blueprint]:
    """The blueprints of `folder` that load (as `load_blueprint` gives them, in file order);
    with `warm`, through the cache file at that path, which is brought up to date."""
    paths = find_blueprints(folder)
    if warm is None:
        return [bp for bp in (_load(path) for path in paths) if bp is not None]
    loader = _loader_digest()
    kept = _read(warm, loader)
    entries: dict[str, str | None] = {}  # None: the file does not load
    loaded: list[Blueprint] = []
    for path in paths:
        digest = _digest(path)
        model = kept.get(digest)
        bp = _from_model(model)
        if bp is None and (model is not None or digest not in kept):
            bp = _load(path)
            model = None if bp is None else bp.model_dump_json()
        if digest:
            entries[digest] = model
        if bp is not None:
            loaded.append(bp)
    if entries != kept:
        _write(warm, loader, entries)
    return loaded


def _load(path: Path) -> Blueprint | None:
    from iki_xlsx.blueprint.load import load_blueprint  # YAML and validation: only when needed

    return load_blueprint(path).blueprint


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # loaded (and its problem reported) as always, never kept


def _from_model(model: str | None) -> Blueprint | None:
    if not model:
        return None
    try:
        return Blueprint.model_validate_json(model)
    except ValueError:
        return None


def _loader_digest() -> str:
    """What a blueprint's model depends on beside its file: the code that loads it."""
    digest = hashlib.sha256()
    for source in sorted(_LOADER.iterdir()):
        if source.suffix in (".py", ".yaml") and source.is_file():
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _read(warm: Path, loader: str) -> dict[str, str | None]:
    try:
        data: Any = json.loads(warm.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("pemuat") != loader:
        return {}
    files = data.get("berkas")
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str | None)}


def _write(warm: Path, loader: str, entries: dict[str, str | None]) -> None:
    from iki_xlsx.core.atomic import atomic_write

    text = json.dumps({"pemuat": loader, "berkas": entries}, ensure_ascii=False)
    try:
        if warm.parent.is_dir():
            atomic_write(warm, lambda temporary: Path(temporary).write_text(text,
                                                                            encoding="utf-8"))
    except OSError:
        pass  # a read-only store still checks, only more slowly
