"""The catalog of finding codes: every code a finding may carry, with its severity, an
Indonesian title and an Indonesian message template.

The catalog is data: `codes.toml` beside this module, one table per code (its header says what
each key means and how to add a code). A `Finding` with a code that is not there raises
`UnknownCode` when it is made, and a test holds the catalog and the README's table of finding
codes to each other.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from iki_xlsx.core.errors import UnknownCode

CATALOG_FILE = Path(__file__).with_name("codes.toml")


class Severity(StrEnum):
    """How bad a finding is: an error blocks acceptance, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Code:
    """One finding code: `severity` is the one it usually carries (the few codes that may
    be raised as either say so in the README)."""

    code: str
    severity: Severity
    title: str
    template: str
    rejects: bool = False  # a return carrying it is rejected, not sent back for correction

    def __str__(self) -> str:
        return self.code


def _code(code: str, entry: dict[str, Any]) -> Code:
    """One table of `codes.toml` (a key `Code` does not have fails here, at import)."""
    return Code(code, **{**entry, "severity": Severity(entry["severity"])})


CATALOG: dict[str, Code] = {
    code: _code(code, entry)
    for code, entry in tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8")).items()}

# the codes code refers to by name
SENDER_MISMATCH = CATALOG["sender-mismatch"]
BLANK_RETURN = CATALOG["blank-return"]
MANIFEST_MISSING = CATALOG["manifest-missing"]
UNKNOWN_WORKBOOK = CATALOG["unknown-workbook"]
CHECK_FAILED = CATALOG["check-failed"]
IDENTITY_MISMATCH = CATALOG["identity-mismatch"]
PERIOD_NOT_REGISTERED = CATALOG["period-not-registered"]
UNIT_NOT_REGISTERED = CATALOG["unit-not-registered"]
VERSION_NOT_REGISTERED = CATALOG["version-not-registered"]
BLUEPRINT_VERSI_REUSED = CATALOG["blueprint-versi-reused"]
REJECTING = frozenset(c.code for c in CATALOG.values() if c.rejects)


def lookup(code: str) -> Code:
    """The catalog entry of `code`; `UnknownCode` for a code not in the catalog."""
    found = CATALOG.get(code)
    if found is None:
        raise UnknownCode(f"finding code {code!r} is not in iki_xlsx.core.codes.CATALOG")
    return found
