"""YAML loading that remembers the line of every key and value, and rejects duplicate keys.

Syntax errors are explained in Bahasa Indonesia with their likely cause (indentation, a tab,
an unclosed quote at the line where it opened, a ':' inside a value), for people who have
never read a YAML parser's message.

The text is bounded before it costs more than itself: at most `MAX_YAML_CHARS` characters,
nested at most `MAX_DEPTH` levels (checked while composing, before Python's own recursion
limit), and at most `MAX_NODES` values once aliases (`*nama`) are expanded, so a few hundred
bytes of nested aliases ("billion laughs") or an alias inside itself (`&x [*x]`) is one
located error instead of gigabytes or a RecursionError. Keys are plain text only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from iki_xlsx.core import angka
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.errors import IkiError

Path_ = tuple[str | int, ...]


MAX_YAML_CHARS = 1024 * 1024  # the largest bundled blueprint has 105,000
MAX_DEPTH = 40  # levels of nesting; a blueprint has 8
MAX_NODES = 200_000  # values after expanding aliases; the largest blueprint has 4,071


class YamlSourceError(IkiError, ValueError):
    """A YAML syntax or structure error at a line; `said` is the finding it makes."""

    def __init__(self, line: int | None, said: Message) -> None:
        super().__init__(said.text)
        self.line = line
        self.said = said


class YamlLimitError(YamlSourceError):
    """The text is over one of the bounds (size, depth, expanded values): not read further."""


@dataclass(frozen=True)
class Place:
    """Where a part of a blueprint stands: a line of a YAML file or a cell of a workbook."""

    line: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def describe(self) -> str:
        """`baris 12` or `Indikator!F12`, for 'pertama kali di ...'."""
        if self.line is not None:
            return f"baris {self.line}"
        return "!".join(p for p in (self.sheet, self.cell) if p)


@dataclass
class LineMap:
    """Line numbers (1-based) of the values and of the keys found at each data path."""

    values: dict[Path_, int] = field(default_factory=dict)
    keys: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_, *, key: bool = False) -> int | None:
        """Line of `path`; for a path not present, the line of its nearest parent."""
        table = self.keys if key else self.values
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), None)

    def locate(self, path: Path_, *, key: bool = False) -> Place:
        return Place(line=self.line_of(path, key=key))

    def term(self, path: Path_) -> str:
        """How a message names the field at `path` in this source."""
        return f"kunci '{path[-1]}'"


_constructor = yaml.constructor.SafeConstructor()


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than `MAX_DEPTH` while it composes (its
    composer recurses once per level)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
                mark = event.start_mark
                raise YamlLimitError(mark.line + 1 if mark is not None else None,
                                     Code.BLUEPRINT_TOO_LARGE.message("deep", batas=MAX_DEPTH))
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load(text: str) -> tuple[Any, LineMap]:
    """Parse YAML text into plain data plus a map of where each part stands."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlLimitError(None, Code.BLUEPRINT_TOO_LARGE.message(
            "chars", ukuran=angka.ribuan(len(text) // 1024),
            batas=angka.ribuan(MAX_YAML_CHARS // 1024)))
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, message = explain(text, exc)
        raise YamlSourceError(line, Code.BLUEPRINT_SYNTAX.message(penjelasan=message)) from None
    except yaml.YAMLError:  # pragma: no cover - defensive, PyYAML raises marked errors
        raise YamlSourceError(None, Code.BLUEPRINT_SYNTAX.message("unreadable")) from None
    finally:
        loader.dispose()
    lines = LineMap()
    if node is None:
        return None, lines
    return _Converter(lines).convert(node, ()), lines


class _Converter:
    """Composed nodes into plain data, counting every value made: an alias is expanded where
    it stands, so its values count again (bounded by `MAX_NODES`), and one met inside itself
    ends at `MAX_DEPTH`."""

    def __init__(self, lines: LineMap) -> None:
        self.lines = lines
        self.made = 0

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        line = node.start_mark.line + 1
        self.made += 1
        if self.made > MAX_NODES:
            raise YamlLimitError(line, Code.BLUEPRINT_TOO_LARGE.message(
                "aliases", batas=angka.ribuan(MAX_NODES)))
        if len(path) > MAX_DEPTH:
            raise YamlLimitError(line, Code.BLUEPRINT_TOO_LARGE.message("alias-loop",
                                                                        batas=MAX_DEPTH))
        self.lines.values[path] = line
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSourceError(line, Code.BLUEPRINT_SYNTAX.message("key-not-text"))
            key = _scalar(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = self.lines.keys[(*path, key)]
                raise YamlSourceError(line, Code.BLUEPRINT_SYNTAX.message(
                    "duplicate-key", kunci=key, baris=first))
            self.lines.keys[(*path, key)] = line
            result[key] = self.convert(value_node, (*path, key))
        return result


def _scalar(node: yaml.Node) -> Any:
    try:
        return _constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise YamlSourceError(node.start_mark.line + 1, Code.BLUEPRINT_SYNTAX.message(
            "bad-value", masalah=exc.problem)) from None
    except (ValueError, OverflowError):  # a number of more digits than Python converts
        raise YamlSourceError(node.start_mark.line + 1,
                              Code.BLUEPRINT_SYNTAX.message("long-number")) from None


# --- explaining PyYAML's errors ---------------------------------------------------------------

def explain(text: str, exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """The line to show and the likely cause of a YAML syntax error, in Bahasa Indonesia."""
    lines = text.splitlines()
    problem = exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        return exc.context_mark.line + 1, _unclosed(lines[exc.context_mark.line],
                                                    exc.context_mark.column)
    if "'\\t'" in problem and mark is not None:
        return line, (f"ada karakter tab di kolom {mark.column + 1}; YAML hanya menerima spasi "
                      "untuk menjorokkan baris: ganti tab dengan spasi")
    if line is None or mark is None or mark.line >= len(lines):
        return line, "akhir berkas tidak terduga; periksa indentasi dan tanda kurung"
    here = lines[mark.line]
    # A quoted value left open runs on to the next quote of its kind, and the parser only
    # stumbles after that one: look for where the quote was opened.
    for quote in "\"'":
        opened = _last_unclosed_quote(lines, mark.line, quote)
        if quote in here[:mark.column] and opened is not None:
            return opened[0] + 1, _unclosed(lines[opened[0]], opened[1])
    if problem == "mapping values are not allowed here":
        if mark.column == _key_colon(here):
            return line, _indentation(lines, mark.line)
        return line, ("ada tanda ':' di tengah nilai; apit nilai itu dengan tanda kutip, "
                      'misalnya nama: "Bagian: Umum"')
    if problem == "could not find expected ':'" and exc.context_mark is not None:
        return exc.context_mark.line + 1, ("setelah nama kunci harus ada titik dua dan spasi, "
                                           "misalnya nama: Camat")
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if "'" in problem else "?"
        return line, (f"nilai tidak boleh diawali '{char}'; apit nilai itu dengan tanda kutip")
    return line, _indentation(lines, mark.line)


def _unclosed(text: str, column: int) -> str:
    quote = text[column] if column < len(text) else '"'
    return (f"tanda kutip {quote} yang dibuka di baris ini tidak ditutup; tambahkan {quote} "
            "di akhir nilai")


def _key_colon(text: str) -> int:
    """Column of the ':' ending the line's key (`  - nama: x` -> 8), or -1."""
    body = text.lstrip(" ")
    start = len(text) - len(body)
    if body.startswith("- "):
        start += 2 + len(body[2:]) - len(body[2:].lstrip(" "))
    colon = text.find(":", start)
    return colon if colon > start else -1


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _levels(lines: list[str], upto: int) -> list[int]:
    """Indentations still open above line `upto` (0-based), innermost last."""
    stack: list[int] = []
    for text in lines[:upto]:
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        col = _indent(text)
        while stack and stack[-1] >= col:
            stack.pop()
        stack.append(col)
        if stripped.startswith("- ") and _key_colon(text) > 0:
            stack.append(col + 2 + _indent(stripped[2:]))
    return stack


def _indentation(lines: list[str], index: int) -> str:
    col = _indent(lines[index])
    levels = sorted(set(_levels(lines, index)))
    lower = [lv for lv in levels if lv < col]
    higher = [lv for lv in levels if lv > col]
    if col in levels or not lower:
        return ("susunan baris ini tidak sah; periksa indentasi (jumlah spasi di awal baris) dan "
                "tanda '-' pada butir daftar")
    near = f"{lower[-1]} atau {higher[0]}" if higher else f"{lower[-1]}"
    return (f"indentasi tidak cocok, baris ini menjorok {col} spasi, sedangkan kunci di atasnya "
            f"menjorok {near} spasi; samakan jumlah spasi dengan kunci lain pada tingkat yang sama")


def _quote_opened(text: str) -> int | None:
    """Column of a quote opened and not closed on this line (comments ignored), else None."""
    inside: str | None = None
    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if inside is None:
            if char == "#" and (i == 0 or text[i - 1] in " \t"):
                return None
            if char in "\"'" and (i == 0 or text[i - 1] in " \t[{,:-"):
                inside, start = char, i
        elif char == "\\" and inside == '"':
            i += 1
        elif char == inside:
            if inside == "'" and text[i + 1:i + 2] == "'":
                i += 1
            else:
                inside = None
        i += 1
    return start if inside is not None else None


def _last_unclosed_quote(lines: list[str], before: int, quote: str) -> tuple[int, int] | None:
    """(line index, column) of the last `quote` opened and left open above line `before`."""
    for index in range(min(before, len(lines)) - 1, -1, -1):
        column = _quote_opened(lines[index])
        if column is not None and lines[index][column] == quote:
            return index, column
    return None
