"""Numbers as the tool accepts them: finite, within Excel's range, and (typed as text) by one
Indonesian rule. Also strict JSON, which has no NaN or Infinity.

The text rule (for a number a user typed as text; the checker reports it and reads it):
    an optional "-" then ASCII digits, and either
    - nothing more: "1234"
    - thousands grouped by "." (groups of three), optionally a decimal part after ",":
      "1.234", "1.234.567", "1.234,5"
    - a decimal part after ",": "1234,5"
    - a decimal part after "." when the digits before it are not a thousands group:
      "1234.5", "12.5" ("1.234" is one thousand two hundred thirty-four)
Nothing else is a number: no spaces inside, no "_" ("3_1"), no exponent ("1e3"), no units
("12 orang"), no other digits than 0-9, no NaN or Infinity.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

EXCEL_MAX = 9.99999999999999e307  # the largest number Excel stores or shows

_INTEGER = re.compile(r"-?[0-9]+")
_GROUPED = re.compile(r"-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?")
_COMMA_DECIMAL = re.compile(r"-?[0-9]+,[0-9]+")
_DOT_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
# what a spreadsheet file may store as a number (xsd:double), checked before float()
_XML_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def in_range(number: float) -> bool:
    """Finite and within what Excel can hold (about +-1e308)."""
    return math.isfinite(number) and abs(number) <= EXCEL_MAX


def _checked(number: float) -> float | None:
    return number if in_range(number) else None


def parse_text(text: str) -> float | None:
    """A number typed as text, by the one Indonesian rule above; None when it is not one."""
    clean = text.strip()
    if _INTEGER.fullmatch(clean):
        return _checked(float(clean))
    if _GROUPED.fullmatch(clean):
        return _checked(float(clean.replace(".", "").replace(",", ".")))
    if _COMMA_DECIMAL.fullmatch(clean):
        return _checked(float(clean.replace(",", ".")))
    if _DOT_DECIMAL.fullmatch(clean):
        return _checked(float(clean))
    return None


def parse_stored(raw: str) -> float | None:
    """A number as a spreadsheet file stores it ("12", "1.5E-3"); None when the text is not
    such a number ("NaN", "INF", "3_1") or it is outside Excel's range ("1E+400")."""
    if not _XML_NUMBER.fullmatch(raw.strip()):
        return None
    return _checked(float(raw))


def out_of_range(text: str) -> bool:
    """Whether `text` is written as a number ("1E+400", "1e308") that Excel cannot hold."""
    clean = text.strip()
    return _XML_NUMBER.fullmatch(clean) is not None and not in_range(float(clean))


def json_safe(value: Any) -> Any:
    """The value with every number JSON cannot hold (NaN, +-Infinity) replaced by its text,
    so `json.dumps(..., allow_nan=False)` succeeds and nothing is lost from view."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def strict_json(value: Any, **options: Any) -> str:
    """JSON that every parser accepts: no bare NaN or Infinity."""
    return json.dumps(json_safe(value), allow_nan=False, **options)


def ribuan(number: int) -> str:
    """A whole number with the Indonesian thousands separator: 1.048.576."""
    return f"{number:,}".replace(",", ".")


def shown(number: float, decimal: str = ",") -> str:
    """A number as a clerk types it back: at most 10 significant digits, no exponent, no
    thousands separator, the decimal mark `decimal` (a comma with Indonesian settings):
    12.5 -> "12,5", 0.85 -> "0,85", 3.0 -> "3"."""
    if not math.isfinite(number):
        return str(number)
    text = f"{number:.10g}"
    if "e" in text:
        text = f"{number:.10f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def decimal_mark(typed: str) -> str:
    """The decimal mark a clerk used in a number typed as text: "." in "12.5" (English
    settings), else "," (Indonesian settings, and what Petunjuk teaches)."""
    clean = typed.strip()
    return "." if _DOT_DECIMAL.fullmatch(clean) and not _GROUPED.fullmatch(clean) else ","
