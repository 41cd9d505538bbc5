"""YAML loading that remembers the line of every key and value, and rejects duplicate keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YamlSourceError(ValueError):
    """A YAML syntax or structure error at a line (message in Bahasa Indonesia)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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


_constructor = yaml.constructor.SafeConstructor()


def load(text: str) -> tuple[Any, LineMap]:
    """Parse YAML text into plain data plus a map of where each part stands."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "YAML tidak sah"
        raise YamlSourceError(line, f"sintaks YAML salah: {problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - defensive, PyYAML raises marked errors
        raise YamlSourceError(None, f"sintaks YAML salah: {exc}") from None
    lines = LineMap()
    if node is None:
        return None, lines
    return _convert(node, (), lines), lines


def _convert(node: yaml.Node, path: Path_, lines: LineMap) -> Any:
    lines.values[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise YamlSourceError(
                    key_node.start_mark.line + 1, f"kunci '{key}' ditulis dua kali"
                )
            lines.keys[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines) for i, item in enumerate(node.value)]
    try:
        return _constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise YamlSourceError(node.start_mark.line + 1, f"nilai tidak sah: {exc.problem}") from None
