"""The year a workbook is for (`periode`): one rule, used wherever a year is accepted.

A periode is a four-digit year from 2000 to 2100, typed as digits only ("2026"); anything
else ("26", "0", "-5", "99999", "2026.0", " 2 026") is refused, never guessed.
"""

from __future__ import annotations

import re

FIRST, LAST = 2000, 2100
RULE = f"tahun empat angka dari {FIRST} sampai {LAST} (misalnya 2026)"
_DIGITS = re.compile(r"[0-9]{4}")


def valid(year: int) -> bool:
    return FIRST <= year <= LAST


def parse_year(text: str) -> int | None:
    """The year `text` names, or None when it is not a periode by the rule above."""
    stripped = text.strip()
    if not _DIGITS.fullmatch(stripped):
        return None
    year = int(stripped)
    return year if valid(year) else None


def shown(text: object) -> str:
    """A refused value as a message may show it: printable, at most 40 characters."""
    return "".join(c if c.isprintable() else "?" for c in str(text))[:40]


def refusal(text: object, name: str = "--periode") -> str:
    """The one-line Indonesian reason a value is not a periode (shown after `Kesalahan: `)."""
    return f"{name} harus {RULE}, bukan '{shown(text)}'"
