"""How the pages write times (core.dates), numbers and finding codes, as the office reads
them, and the words and colours of a return's state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.templating import Jinja2Templates

from iki_xlsx.core.codes import CATALOG
from iki_xlsx.core.dates import waktu_singkat
from iki_xlsx.core.states import Status
from iki_xlsx.web.jobs import JobState
from iki_xlsx.web.site import Site

BADGES = {Status.OK: "k-diterima", Status.VERIFIED: "k-diverifikasi",
          Status.APPROVED: "k-disetujui", Status.RETURNED: "k-dikembalikan",
          Status.NEEDS_CORRECTION: "k-perbaikan",
          Status.REJECTED: "k-ditolak", Status.NOT_RETURNED: "k-belum"}  # a state's colours


def register_filters(templates: Jinja2Templates, site: Site) -> None:
    from iki_xlsx.web.files import output_id

    env = templates.env
    env.filters["waktu"] = waktu_singkat
    env.filters["angka"] = indonesian_number
    env.filters["judul"] = code_title
    env.filters["lencana"] = BADGES.__getitem__
    env.globals["output_id"] = lambda path: output_id(site, Path(path))
    env.globals["Status"] = Status
    env.globals["JobState"] = JobState


def code_title(code: str) -> str:
    """The catalog's Indonesian title of a finding code (the code itself if not catalogued)."""
    known = CATALOG.get(code)
    return known.title if known is not None else code


def indonesian_number(value: Any, decimals: int = 2) -> str:
    """1234.5 -> `1.234,5` (the way the office writes numbers)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if isinstance(value, float) \
        else f"{value:,}"
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")
