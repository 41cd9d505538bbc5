"""Files the web app may hand out, found by an id, never by a path from the request.

Raw returns come from the store by their SHA-256 (64 hex digits, looked up in the store);
everything else comes from the workspace's output folder, named by an id the server derives
from the file's place there.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from iki_xlsx.check import BlueprintIndex, check_file
from iki_xlsx.store.db import Store
from iki_xlsx.web.site import Site

SHA256 = re.compile(r"^[0-9a-f]{64}$")
OUTPUT_ID = re.compile(r"^[0-9a-f]{20}$")
ANNOTATED_DIR = "catatan"


def output_id(site: Site, path: Path) -> str:
    relative = path.resolve().relative_to(site.output_dir.resolve()).as_posix()
    return hashlib.sha256(relative.encode()).hexdigest()[:20]


def find_output(site: Site, wanted: str) -> Path | None:
    """The output file whose id is `wanted`, or None (also for anything not an id)."""
    if not OUTPUT_ID.match(wanted) or not site.output_dir.is_dir():
        return None
    for path in site.output_dir.rglob("*"):
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".") \
                and output_id(site, path) == wanted:
            return path
    return None


def stored_file(store: Store, sha256: str) -> Path | None:
    """The raw bytes of a submission the store knows, or None."""
    if not SHA256.match(sha256):
        return None
    if not store.known(sha256):
        return None
    path = store.raw_path(sha256)
    return path if path.is_file() else None


def annotated_copy(site: Site, sha256: str, filename: str) -> Path | None:
    """The annotated copy of a stored return (made once, then kept among the outputs)."""
    store = Store(site.store_dir)
    raw = stored_file(store, sha256)
    if raw is None:
        return None
    folder = site.output_dir / ANNOTATED_DIR / sha256[:16]
    existing = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
    if existing:
        return existing[0]
    suffix = Path(filename).suffix.lower() or ".xlsx"
    stem = re.sub(r"[^\w\-]+", "_", Path(filename).stem)[:100] or "berkas"
    with tempfile.TemporaryDirectory(prefix="iki-web-") as scratch:
        alias = Path(scratch) / f"{stem}{suffix}"
        alias.symlink_to(raw)
        result = check_file(alias, BlueprintIndex.from_folder(site.blueprints_dir), folder)
    return Path(result.annotated) if result.annotated else None
