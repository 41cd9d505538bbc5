"""One catalog of finding codes, whose templates are the text users read: every finding the
library makes names a catalogued code and fills one of its templates with exactly the
template's placeholders; every catalogued code and variant is said somewhere; no code is
written as a string anywhere else; the README's table is the catalog."""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from iki_xlsx.core.codes import CATALOG, Code, Severity, placeholders
from iki_xlsx.core.errors import IkiError, TemplateMismatch, UnknownCode
from iki_xlsx.core.findings import Finding

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "iki_xlsx"
CODE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")
ENGLISH = re.compile(r"\b(the|is|not|file|must|should|cannot|missing)\b")


@functools.cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    """The package's modules parsed, once per run (the tests only read the trees)."""
    return tuple((path, ast.parse(path.read_text(encoding="utf-8")))
                 for path in sorted(PACKAGE.rglob("*.py")))


def _member(node: ast.expr) -> Code | None:
    """`Code.X` as the member it names (None for anything else)."""
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "Code"):
        return Code[node.attr]
    return None


@functools.cache
def _message_calls() -> list[tuple[str, Code, list[str | None], set[str] | None]]:
    """Every `Code.X.message(...)` in the package (or `alias.message(...)` after `alias =
    Code.X` in the same function): where, the code, the variants it may pick (a literal,
    either side of a conditional, or a name the function assigns such literals to) and the
    names it fills (None: `**values`)."""
    calls = []
    for path, tree in _modules():
        scopes = [node for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)]
        parents = {child: node for node in ast.walk(tree)
                   for child in ast.iter_child_nodes(node)}
        for scope in [tree, *scopes]:
            aliases: dict[str, Code] = {}
            named: dict[str, list[str | None]] = {}
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                        node.targets[0], ast.Name):
                    member = _member(node.value)
                    if member is not None:
                        aliases[node.targets[0].id] = member
                    elif _is_literal(node.value):
                        named.setdefault(node.targets[0].id, []).extend(
                            _literals(node.value, "", {}))
            for node in ast.walk(scope):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "message" and _innermost(parents, tree, node)
                        is scope):
                    continue
                receiver = node.func.value
                code = _member(receiver) or (aliases.get(receiver.id)
                                             if isinstance(receiver, ast.Name) else None)
                if code is None:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                variants: list[str | None] = [None]
                if node.args:
                    variants = _literals(node.args[0], where, named)
                names = (None if any(k.arg is None for k in node.keywords)
                         else {str(k.arg) for k in node.keywords})
                calls.append((where, code, variants, names))
    return calls


def _innermost(parents: dict[ast.AST, ast.AST], tree: ast.Module, node: ast.AST) -> ast.AST:
    """The innermost function (or the module) a node stands in: its nearest enclosing
    function or lambda, found up the tree's parent links."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return node
    return tree


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.IfExp):
        return _is_literal(node.body) and _is_literal(node.orelse)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _literals(node: ast.expr, where: str,
              named: dict[str, list[str | None]]) -> list[str | None]:
    if isinstance(node, ast.IfExp):
        return _literals(node.body, where, named) + _literals(node.orelse, where, named)
    if isinstance(node, ast.Name) and node.id in named:
        return named[node.id]
    assert isinstance(node, ast.Constant) and isinstance(node.value, str), (
        f"{where}: a variant is named by a string literal (or a name assigned literals in the "
        "same function), so a test can check it")
    return [node.value]


def test_code_members_and_catalog_tables_are_the_same() -> None:
    assert set(CATALOG) == set(Code)
    assert all(CATALOG[code].code is code for code in Code)
    assert Code.STALE_VALUE == "stale-value" and str(Code.BLUEPRINT_BAD_SCALE) == (
        "blueprint-bad-scale")


def test_every_message_call_names_a_variant_of_its_code_and_fills_its_placeholders() -> None:
    calls = _message_calls()
    assert len(calls) > 150  # the scan sees the call sites (it would pass vacuously otherwise)
    wrong = []
    for where, code, variants, names in calls:
        for variant in variants:
            entry = CATALOG[code]
            if variant is not None and variant not in entry.variants:
                wrong.append(f"{where}: {code} has no variant {variant!r}")
            elif names is not None and names != entry.placeholders(variant):
                wrong.append(f"{where}: {code} {variant or 'template'} takes "
                             f"{sorted(entry.placeholders(variant))}, the call gives "
                             f"{sorted(names)}")
    assert wrong == []


# catalogued ahead of the site that says it, in work landing next: each entry names it, and a
# test fails once it is said (then remove it here)
PENDING: dict[tuple[Code, str | None], str] = {}


def test_every_catalogued_code_and_variant_is_said_somewhere() -> None:
    """Every variant is said; a code's own template is, unless the code has variants (then
    the template is its general wording and the code is said through a variant)."""
    said = {(code, variant) for _, code, variants, _ in _message_calls() for variant in variants}
    catalogued = {(entry.code, variant) for entry in CATALOG.values()
                  for variant in (*entry.variants, *(() if entry.variants else (None,)))}
    assert sorted(map(str, catalogued - said - set(PENDING))) == []
    assert {code for code, _ in said} == set(Code)
    assert sorted(map(str, set(PENDING) & said)) == []  # said now: remove it from PENDING


def test_no_code_is_written_as_a_string_outside_the_catalog() -> None:
    codes = {str(code) for code in Code}
    written = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found = codes & set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", node.value))
                if found and not isinstance(_parent_docstring(tree, node), ast.Constant):
                    written.append(f"{path.relative_to(ROOT)}:{node.lineno} {sorted(found)}")
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".html", ".js", ".txt"):
            text = path.read_text(encoding="utf-8")
            written += [f"{path.relative_to(ROOT)} {code}" for code in sorted(codes)
                        if re.search(rf"[\"']{re.escape(code)}[\"']", text)]
    assert written == []


def _parent_docstring(tree: ast.Module, node: ast.Constant) -> ast.Constant | None:
    """`node` itself when it is a module, class or function docstring (prose may name a
    code), else None."""
    for owner in ast.walk(tree):
        if isinstance(owner, ast.Module | ast.ClassDef | ast.FunctionDef
                      | ast.AsyncFunctionDef) and ast.get_docstring(owner, clean=False):
            first = owner.body[0]
            if isinstance(first, ast.Expr) and first.value is node:
                return node
    return None


def test_findings_and_messages_are_made_only_through_the_catalog() -> None:
    made = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                    (node.func.id == "Finding" and path.name != "findings.py")
                    or (node.func.id == "Message" and path.name != "codes.py")):
                made.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.id}(...)")
    assert made == []


def test_catalog_and_readme_table_agree() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z0-9-]+)` \| (\w+) \| ([^|]+) \|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3).strip())
    assert rows == {str(c): (str(e.severity), e.title) for c, e in CATALOG.items()}


def test_every_catalogued_code_has_a_title_and_templates_in_indonesian() -> None:
    for entry in CATALOG.values():
        assert CODE.match(entry.code), entry.code
        assert entry.severity in (Severity.ERROR, Severity.WARNING)
        assert entry.title and entry.template, entry.code
        for variant in (None, *entry.variants):
            text = entry.text(variant)
            assert not ENGLISH.search(re.sub(r"\{[^}]*\}", "", text)), (entry.code, variant)
            assert "  " not in text and text == text.strip(), (entry.code, variant, text)
            assert not placeholders(text) & {"severity", "file", "line", "sheet", "cell",
                                             "expected", "found"}, (entry.code, variant)


def test_a_message_is_its_template_filled_with_exactly_its_values() -> None:
    said = Code.MISSING_REQUIRED.message(label="Jumlah KK")
    assert (said.code, said.text) == (Code.MISSING_REQUIRED, "Jumlah KK: wajib diisi")
    finding = Finding.of(said, sheet="Camat", cell="F12")
    assert finding.one_line() == "Camat!F12: Jumlah KK: wajib diisi"
    assert finding.severity is Severity.ERROR and finding.to_dict()["code"] == "missing-required"
    warned = Finding.of(Code.MISSING_VALUE.message())
    assert warned.severity is Severity.WARNING  # the catalog's, unless the site says otherwise
    with pytest.raises(TemplateMismatch, match="values missing: label"):
        Code.MISSING_REQUIRED.message()
    with pytest.raises(TemplateMismatch, match="not in the template: unit"):
        Code.STALE_VALUE.message(unit="Sukamaju")
    with pytest.raises(TemplateMismatch, match="no variant 'bellow'"):
        Code.INVALID_INPUT.message("bellow", label="Jumlah KK")


def test_a_finding_with_an_uncatalogued_code_cannot_be_made() -> None:
    with pytest.raises(UnknownCode, match="kode-baru"):
        Finding("kode-baru", "pesan")  # type: ignore[arg-type]
    assert issubclass(UnknownCode, IkiError) and issubclass(TemplateMismatch, IkiError)


def test_a_misspelt_code_is_a_type_error(tmp_path: Path) -> None:
    source = tmp_path / "typo.py"
    source.write_text("from iki_xlsx.core.codes import Code\n\nCode.STALE_VALEU.message()\n",
                      encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--no-incremental", str(source)], capture_output=True, text=True, cwd=ROOT)
    assert checked.returncode == 1, checked.stdout
    assert '"type[Code]" has no attribute "STALE_VALEU"' in checked.stdout


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
