"""One catalog of finding codes: every code the library uses is in it, with its README row."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from iki_xlsx.core.codes import CATALOG, Severity
from iki_xlsx.core.errors import IkiError, UnknownCode
from iki_xlsx.core.findings import Finding

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "iki_xlsx"
CODE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")
# the calls whose first argument (or `code=`) is a finding code
CODE_TAKERS = {"Finding": 0, "add": 1, "_finding": 0, "_located": 0, "Problem": 0,
               "ReadError": 0, "lookup": 0}


def _pairs(value: ast.expr) -> list[ast.expr]:
    """The first items of `(code, message)` tuples, through conditional expressions."""
    if isinstance(value, ast.IfExp):
        return _pairs(value.body) + _pairs(value.orelse)
    return [value.elts[0]] if isinstance(value, ast.Tuple) and value.elts else []


def _codes_in_source() -> dict[str, list[str]]:
    """Each code literal given to a finding-making call, with where it is."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            literals: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else (
                    node.func.attr if isinstance(node.func, ast.Attribute) else "")
                if name in CODE_TAKERS:
                    literals += node.args[CODE_TAKERS[name]:CODE_TAKERS[name] + 1]
                    literals += [k.value for k in node.keywords if k.arg == "code"]
            elif isinstance(node, ast.Assign):  # code, message = "x-y", "..."
                for target in node.targets:
                    if (isinstance(target, ast.Tuple) and target.elts
                            and isinstance(target.elts[0], ast.Name)
                            and target.elts[0].id == "code"):
                        literals += _pairs(node.value)
            for literal in literals:
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                    where = f"{path.relative_to(ROOT)}:{literal.lineno}"
                    found.setdefault(literal.value, []).append(where)
    return found


def _readme_rows() -> dict[str, tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z0-9-]+)` \| (\w+) \| ([^|]+) \|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3).strip())
    return rows


def test_every_code_the_library_uses_is_catalogued() -> None:
    used = _codes_in_source()
    assert len(used) > 50  # the scan sees the call sites (it would pass vacuously otherwise)
    missing = {code: where for code, where in used.items() if code not in CATALOG}
    assert missing == {}


def test_catalog_and_readme_table_agree() -> None:
    assert _readme_rows() == {c.code: (str(c.severity), c.title) for c in CATALOG.values()}


def test_every_catalogued_code_has_a_title_and_a_template_in_indonesian() -> None:
    for code in CATALOG.values():
        assert CODE.match(code.code), code
        assert code.severity in (Severity.ERROR, Severity.WARNING)
        assert code.title and code.template, code
        assert not re.search(r"\b(the|is|not|file|must)\b", code.template), code


def test_a_finding_with_an_uncatalogued_code_cannot_be_made() -> None:
    with pytest.raises(UnknownCode, match="kode-baru"):
        Finding("kode-baru", "pesan")
    assert issubclass(UnknownCode, IkiError)


def test_every_exception_the_library_defines_is_an_iki_error() -> None:
    import importlib
    import inspect
    import pkgutil

    import iki_xlsx

    defined = []
    for info in pkgutil.walk_packages(iki_xlsx.__path__, "iki_xlsx."):
        if info.name.endswith(("__main__", "_lo_worker")):
            continue
        module = importlib.import_module(info.name)
        defined += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                    # a bare BaseException subclass is a control-flow signal, not an error
                    if issubclass(cls, Exception) and cls.__module__ == info.name
                    and not cls.__name__.startswith("_")]
    assert len(defined) >= 10  # the walk saw the library's modules
    assert [c.__qualname__ for c in defined if not issubclass(c, IkiError)] == []
