"""Compare two xlsx files part by part, after normalising what legitimately varies.

In the manner of XlsxWriter's own comparison tests: same parts, and each XML part
equal once the creation/modification dates and the application version are removed.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_NOISE = [
    re.compile(r"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>"),
    re.compile(r"<AppVersion>[^<]*</AppVersion>"),
]


def parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        result = {}
        for name in sorted(archive.namelist()):
            text = archive.read(name).decode("utf-8")
            for pattern in _NOISE:
                text = pattern.sub("", text)
            result[name] = text
        return result


def differences(got: Path, expected: Path) -> list[str]:
    """Human-readable differences; empty when the files match."""
    a, b = parts(got), parts(expected)
    problems = [f"part only in {got.name}: {n}" for n in sorted(a.keys() - b.keys())]
    problems += [f"part missing from {got.name}: {n}" for n in sorted(b.keys() - a.keys())]
    for name in sorted(a.keys() & b.keys()):
        if a[name] != b[name]:
            i = next(i for i, (x, y) in enumerate(zip(a[name], b[name], strict=False)) if x != y) \
                if any(x != y for x, y in zip(a[name], b[name], strict=False)) else min(
                    len(a[name]), len(b[name]))
            problems.append(f"{name} differs at {i}: got ...{a[name][max(0, i - 60):i + 60]}... "
                            f"expected ...{b[name][max(0, i - 60):i + 60]}...")
    return problems
