"""One vocabulary for each thing the office names: a return's state (`core/states.py`), what a
message is and what became of it (`mail/outbox.py`), a background job's state (`web/jobs.py`).
Code compares members; the words users read are each member's label, written once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from iki_xlsx.core.states import ANSWERS, VERDICTS, AnswerState, Kind, Status
from iki_xlsx.mail.outbox import Outcome
from iki_xlsx.web.jobs import JobState

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "iki_xlsx"
HOMES = {"core/states.py", "mail/outbox.py", "web/jobs.py"}  # where each word is written


def _words() -> set[str]:
    words = {state.label for state in Status} | {str(state) for state in Status}
    words |= {state.label.upper() for state in Status}
    words |= {str(kind) for kind in Kind if kind is not Kind.WORKBOOK}
    words |= {kind.label for kind in Kind if kind is not Kind.WORKBOOK}
    words |= {str(state) for state in AnswerState}
    return words | {str(outcome) for outcome in Outcome} | {str(state) for state in JobState}


def test_each_state_has_its_indonesian_word() -> None:
    assert [(str(s), s.label) for s in Status] == [
        ("ok", "diterima"), ("verified", "diverifikasi"), ("approved", "disetujui"),
        ("returned", "dikembalikan"), ("needs-correction", "perlu perbaikan"),
        ("rejected", "ditolak"), ("not-returned", "belum kembali")]
    assert Status.of_latest(None) is Status.NOT_RETURNED
    assert Status.of_latest("needs-correction") is Status.NEEDS_CORRECTION
    assert Status.labelled("perlu perbaikan") is Status.NEEDS_CORRECTION
    assert Status.labelled("semua") is None
    assert [Kind.answering(v) for v in VERDICTS] == [Kind.RECEIPT, Kind.CORRECTION,
                                                     Kind.REJECTION]
    assert {Kind.RECEIPT, Kind.CORRECTION, Kind.REJECTION} == ANSWERS
    assert Kind.named("perbaikan") is Kind.CORRECTION and Kind.named("lain") is None


def _uses(node: ast.AST, words: set[str]) -> list[str]:
    """The words `node` compares, looks up or lists as a vocabulary of its own: a constant
    compared (`state == "diterima"`, `in ("ok", ...)`), a dict keyed by words (a table of
    states) or a tuple, list or set of two or more of them (a list of states)."""
    def word(item: ast.AST) -> str | None:
        return item.value if isinstance(item, ast.Constant) and item.value in words else None

    found: list[str | None] = []
    if isinstance(node, ast.Compare):
        for operand in (node.left, *node.comparators):
            found.append(word(operand))
            if isinstance(operand, ast.Tuple | ast.List | ast.Set):
                found += [word(item) for item in operand.elts]
    elif isinstance(node, ast.Dict):
        found += [word(key) for key in node.keys if key is not None]
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        listed = [word(item) for item in node.elts]
        found += listed if sum(w is not None for w in listed) >= 2 else []
    return [w for w in found if w is not None]


def test_no_state_word_is_compared_in_code_outside_its_vocabulary() -> None:
    words = _words()
    written = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if str(path.relative_to(PACKAGE)) in HOMES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            written += [f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)} {w!r}"
                        for w in _uses(node, words)]
    for path in sorted((PACKAGE / "web" / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        written += [f"{path.relative_to(ROOT)} {word!r}" for word in sorted(words)
                    if re.search(rf"[\"']{re.escape(word)}[\"']", text)]
    assert len(words) > 15 and written == []


MONTHS = {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"}
ZONE_NAMES = {"WIB", "WITA", "WIT"}


def test_dates_and_time_zones_are_known_in_one_module() -> None:
    """No month table and no time-zone table outside core/dates.py: a tuple, list, set or
    dict of two or more month names or zone names, or a time zone of its own."""
    tables = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix() == "core/dates.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            items = (node.keys if isinstance(node, ast.Dict)
                     else node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [])
            named = {i.value for i in items if isinstance(i, ast.Constant)}
            if len(named & MONTHS) >= 2 or len(named & ZONE_NAMES) >= 2 or (
                    isinstance(node, ast.Call) and "timezone" in (
                        getattr(node.func, "attr", None), getattr(node.func, "id", None))):
                tables.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
    assert tables == []


def test_a_moment_reads_in_the_office_s_zone() -> None:
    from iki_xlsx.core.dates import day_text, local_day, waktu_dibuat, waktu_singkat

    assert waktu_singkat("2026-11-25T07:05:00Z", "WIB") == "25-11-2026 14.05 WIB"
    assert waktu_singkat("2026-11-25T07:05:00+00:00", "WIT") == "25-11-2026 16.05 WIT"
    assert waktu_singkat("2026-11-25T07:05:00", "XYZ") == "25-11-2026 14.05 WIB"
    assert (waktu_singkat(None), waktu_singkat("kemarin")) == ("-", "kemarin")
    assert local_day("2026-12-31T17:30:00Z", "WITA") == "2027-01-01"
    assert day_text("2027-01-01") == "1 Januari 2027"
    assert waktu_dibuat("2026-11-24T18:40:00Z", "WIB") == "25 November 2026 pukul 01.40 WIB"


def test_the_identity_carriers_are_named_in_one_module() -> None:
    """The manifest sheet's name, the custom document properties and the header labels are
    written only in plan/carriers.py, which the writer, the checker and kirim all use."""
    from iki_xlsx.plan.carriers import MANIFEST_SHEET, PERIODE_LABEL, UNIT_LABEL, Property

    names = {MANIFEST_SHEET, UNIT_LABEL, *map(str, Property)}
    written = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix() == "plan/carriers.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                written.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert PERIODE_LABEL == "Periode" and written == []
