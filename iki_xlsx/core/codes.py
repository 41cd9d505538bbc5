"""The catalog of finding codes: every code a finding may carry, with its severity, an
Indonesian title and the Indonesian messages users read.

Two halves that must agree, checked when this module is imported:

- `codes.toml` beside this module holds the words: one table per code with its severity, title,
  message `template` and, where one code says different things, named `variants` (its header
  says how to add a code);
- `Code` names every code for the program, so a misspelt code is a type error (mypy) and an
  `AttributeError`, never a silently new code.

A finding site never writes its own text: it fills a template with named values,
`Code.STALE_VALUE.message()` or `Code.INVALID_INPUT.message("choice", label=..., pilihan=...)`,
and hands the `Message` to `Finding.of` (or to whatever carries it to where the finding is
located). A template's placeholders and a site's values must be the same names: a missing or
an extra one raises `TemplateMismatch` (and a test reads every call site to find it first).
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum, auto
from pathlib import Path
from typing import Any

from iki_xlsx.core.errors import TemplateMismatch, UnknownCode

CATALOG_FILE = Path(__file__).with_name("codes.toml")


class Severity(StrEnum):
    """How bad a finding is: an error blocks acceptance, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Every finding code. A member's value is its code as users and the store see it: the
    member's name in lower case with hyphens (`Code.STALE_VALUE == "stale-value"`).

    To add a code: a table in codes.toml and a member here (importing this module fails until
    both are there), and a row in the README's "Finding codes" table (a test holds the two)."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[Any]) -> str:
        return name.lower().replace("_", "-")

    # a returned workbook (check, collect)
    UNREADABLE_FILE = auto()
    UNSUPPORTED_FORMAT = auto()
    UNKNOWN_WORKBOOK = auto()
    BLUEPRINT_MISMATCH = auto()
    CHECK_FAILED = auto()
    STRUCTURE_CHANGED = auto()
    EXTERNAL_LINK = auto()
    FORMULA_CHANGED = auto()
    MISSING_VALUE = auto()
    STALE_VALUE = auto()
    INVALID_INPUT = auto()
    MISSING_REQUIRED = auto()
    MANIFEST_MISSING = auto()
    BLANK_RETURN = auto()
    RULE_VIOLATED = auto()
    MANIFEST_MALFORMED = auto()
    MANIFEST_MISMATCH = auto()
    IDENTITY_MISMATCH = auto()
    PERIOD_NOT_REGISTERED = auto()
    UNIT_NOT_REGISTERED = auto()
    VERSION_NOT_REGISTERED = auto()
    SENDER_MISMATCH = auto()
    # a blueprint
    BLUEPRINT_NOT_FOUND = auto()
    BLUEPRINT_UNREADABLE = auto()
    BLUEPRINT_SYNTAX = auto()
    BLUEPRINT_TOO_LARGE = auto()
    BLUEPRINT_EMPTY = auto()
    BLUEPRINT_TYPE = auto()
    BLUEPRINT_INVALID_VALUE = auto()
    BLUEPRINT_UNKNOWN_KEY = auto()
    BLUEPRINT_MISSING_KEY = auto()
    BLUEPRINT_MISPLACED_KEY = auto()
    BLUEPRINT_UNKNOWN_JABATAN = auto()
    BLUEPRINT_UNKNOWN_INDICATOR = auto()
    BLUEPRINT_ID_CONFLICT = auto()
    BLUEPRINT_DUPLICATE_ID = auto()
    BLUEPRINT_RESERVED_ID = auto()
    BLUEPRINT_BAD_SCALE = auto()
    BLUEPRINT_MIXED_PENGISI = auto()
    BLUEPRINT_BAD_AGGREGATION = auto()
    BLUEPRINT_BAD_POLARITY = auto()
    BLUEPRINT_BAD_BOUNDS = auto()
    BLUEPRINT_BAD_CHOICES = auto()
    BLUEPRINT_BAD_RATIO = auto()
    BLUEPRINT_BAD_VARIABLES = auto()
    BLUEPRINT_UNDECLARED_VARIABLE = auto()
    BLUEPRINT_UNUSED_VARIABLE = auto()
    BLUEPRINT_BAD_EXPRESSION = auto()
    BLUEPRINT_RATIO_SWAPPED = auto()
    BLUEPRINT_VERSI_REUSED = auto()
    # the units list, generating
    UNITS_UNREADABLE = auto()
    UNITS_TOO_LARGE = auto()
    UNITS_INVALID_VALUE = auto()
    UNITS_MISSING_COLUMN = auto()
    UNITS_INCOMPLETE_ROW = auto()
    UNITS_DUPLICATE_KODE = auto()
    UNITS_EMPTY = auto()
    UNITS_MISSING = auto()
    UNIT_NAME_COLLISION = auto()
    OUTPUT_NOT_WRITABLE = auto()
    PERIODE_INVALID = auto()
    # the workspace (iki.toml)
    WORKSPACE_MISSING = auto()
    WORKSPACE_EXISTS = auto()
    WORKSPACE_UNSAFE = auto()
    WORKSPACE_DEMO = auto()
    WORKSPACE_KABUPATEN = auto()
    KANTOR_INVALID = auto()
    IKU_KABUPATEN_INVALID = auto()
    REKAP_FILE_INVALID = auto()
    CONFIG_UNREADABLE = auto()
    CONFIG_TOO_LARGE = auto()
    CONFIG_SYNTAX = auto()
    CONFIG_UNKNOWN_KEY = auto()
    CONFIG_MISSING_KEY = auto()
    CONFIG_INVALID_VALUE = auto()
    # sending (kirim)
    TEMPLATE_UNREADABLE = auto()
    TEMPLATE_INVALID = auto()
    WORKBOOK_NOT_LISTED = auto()
    UNIT_NO_WORKBOOK = auto()
    UNIT_MANY_WORKBOOKS = auto()
    UNIT_NAME_MISMATCH = auto()
    UNIT_NO_EMAIL = auto()
    UNIT_INVALID_EMAIL = auto()
    UNIT_EMAIL_CHANGED = auto()
    SMTP_MISSING = auto()
    SMTP_UNREACHABLE = auto()
    SEND_FAILED = auto()
    # the recap
    REKAP_AMBIGUOUS = auto()
    REKAP_NO_DATA = auto()
    # the office's own forms (targets, last year's realisasi)
    FORM_UNREADABLE = auto()
    FORM_SHEET_MISSING = auto()
    FORM_INVALID_VALUE = auto()
    FORM_UNKNOWN_INDICATOR = auto()
    FORM_ZERO_TARGET = auto()
    FORM_YEAR_INVALID = auto()
    # the office's documents
    DOKUMEN_NO_TARGET = auto()

    @property
    def entry(self) -> Entry:
        """The code's table of codes.toml: severity, title, templates."""
        return CATALOG[self]

    @property
    def severity(self) -> Severity:
        """The severity it usually carries (a site may raise a few codes as the other one)."""
        return CATALOG[self].severity

    @property
    def rejects(self) -> bool:
        """A return carrying it is rejected, not sent back for correction."""
        return CATALOG[self].rejects

    def message(self, variant: str | None = None, /, **values: Any) -> Message:
        """The code's template (or its named `variant`) filled with `values`."""
        return Message(self, CATALOG[self].fill(variant, values), dict(values))


@dataclass(frozen=True)
class Message:
    """What a finding says: its code and the text of the code's template, filled in with
    `values` (kept, so that a site that learns more can say it with another variant)."""

    code: Code
    text: str
    values: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return self.text

    def after(self, where: str) -> Message:
        """The message preceded by where it stands (a blueprint finding's
        "indikator 'x': "), which the site knows only once it is located."""
        return Message(self.code, where + self.text, self.values)


@dataclass(frozen=True)
class Entry:
    """One table of codes.toml."""

    code: Code
    severity: Severity
    title: str
    template: str
    variants: Mapping[str, str]
    rejects: bool = False  # a return carrying it is rejected, not sent back for correction

    def text(self, variant: str | None = None) -> str:
        """The template, or the named variant; `TemplateMismatch` for a variant not there."""
        if variant is None:
            return self.template
        if variant not in self.variants:
            raise TemplateMismatch(f"{self.code}: no variant {variant!r} in codes.toml "
                                   f"(there are: {', '.join(sorted(self.variants)) or 'none'})")
        return self.variants[variant]

    def placeholders(self, variant: str | None = None) -> frozenset[str]:
        return placeholders(self.text(variant))

    def fill(self, variant: str | None, values: Mapping[str, Any]) -> str:
        wanted = self.placeholders(variant)
        if wanted != set(values):
            missing = ", ".join(sorted(wanted - set(values))) or "-"
            extra = ", ".join(sorted(set(values) - wanted)) or "-"
            raise TemplateMismatch(f"{self.code} {variant or 'template'}: values missing: "
                                   f"{missing}; not in the template: {extra}")
        return self.text(variant).format_map(values)


def placeholders(template: str) -> frozenset[str]:
    """The names a template's `{...}` fields take."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _entry(name: str, table: dict[str, Any]) -> Entry:
    """One table of codes.toml (a key `Entry` does not have fails here, at import)."""
    try:
        code = Code(name)
    except ValueError:
        member = name.upper().replace("-", "_")
        raise UnknownCode(f"codes.toml has [{name}] but Code has no member {member}: add "
                          f"`{member} = auto()` to iki_xlsx/core/codes.py") from None
    entry = Entry(code, **{**table, "severity": Severity(table["severity"]),
                           "variants": dict(table.get("variants", {}))})
    for variant in (None, *entry.variants):
        entry.placeholders(variant)  # a template that does not parse fails here
    return entry


def _load() -> dict[str, Entry]:
    tables = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    entries = [_entry(name, table) for name, table in tables.items()]
    catalog: dict[str, Entry] = {entry.code: entry for entry in entries}
    untabled = [code for code in Code if code not in catalog]
    if untabled:
        raise UnknownCode(f"Code members without a table in codes.toml: {', '.join(untabled)}")
    return catalog


CATALOG: dict[str, Entry] = _load()  # by Code (a str: a stored code finds its entry)

REJECTING = frozenset(code for code, entry in CATALOG.items() if entry.rejects)


def lookup(code: str) -> Code:
    """The code named `code`; `UnknownCode` for a code not in the catalog."""
    try:
        return Code(code)
    except ValueError:
        raise UnknownCode(f"finding code {code!r} is not in iki_xlsx.core.codes.Code") from None
