"""The annotated copy of a stored return that needs correction: made once, then kept.

One implementation for every face: the e-mail answers attach it, the command line and the
web app hand it out. The copy is checked against the index it is given, which in a workspace
carries the register, so a return made from an older blueprint version is re-planned from
that version, exactly as collect judged it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from iki_xlsx.check import check_file
from iki_xlsx.intake.sources import WORKBOOK_SUFFIXES
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.store.db import Store

SUFFIX = "_catatan.xlsx"


def annotated_copy(store: Store, sha256: str, filename: str, index: BlueprintIndex,
                   folder: Path, remarks: Sequence[str] = ()) -> Path | None:
    """The annotated copy of the stored file `sha256` (sent as `filename`) in `folder`, made
    when first asked; None when the file needs no correction or its raw copy is gone."""
    stem = safe_stem(filename)
    target = folder / f"{stem}{SUFFIX}"
    if target.is_file() and not remarks:
        return target
    suffix = Path(filename).suffix.lower()
    raw = store.raw_path(sha256)
    if not raw.is_file() or suffix not in WORKBOOK_SUFFIXES:
        return None
    with tempfile.TemporaryDirectory(prefix="iki-catatan-") as scratch:
        alias = Path(scratch) / f"{stem}{suffix}"  # the format depends on the extension
        alias.symlink_to(raw)
        checked = check_file(alias, index, folder, remarks=remarks)
    return Path(checked.annotated) if checked.annotated else None


def safe_stem(filename: str) -> str:
    """The sender's file name without its extension, fit for an attachment and a path."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(filename).stem).strip(".-")
    return stem[:100] or "berkas"
