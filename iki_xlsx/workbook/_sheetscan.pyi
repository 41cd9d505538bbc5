"""The compiled worksheet scanner (_sheetscan.c): see iki_xlsx/workbook/read.py."""

from typing import Any

def scan(data: bytes, elements: int, cells: int, rows: int, max_text: int, max_formula: int,
         strings: list[str], no_value: Any, /
         ) -> tuple[dict[str, tuple[str | None, Any]],
                    list[tuple[str, str | None, str | None, Any, str | None]],
                    int, int, int] | None: ...
def strings(data: bytes, max_items: int, max_chars: int, /) -> list[str] | None: ...
