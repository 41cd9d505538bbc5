"""Change a workbook the way another application or a person would, at the XML level.

Editing the saved XML keeps every other byte as the original application wrote it,
unlike openpyxl, which drops cached values when it saves.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape


def rewrite(source: Path, target: Path, change: Callable[[str, str], str | None]) -> Path:
    """Copy `source` to `target`, passing each part's text through `change(name, text)`;
    a None result drops the part."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                text = change(info.filename, data.decode("utf-8"))
                if text is None:
                    continue
                data = text.encode("utf-8")
            zout.writestr(info.filename, data)
    return target


def sheet_part(path: Path, sheet_name: str) -> str:
    """The zip part holding the worksheet named `sheet_name`."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(escape(sheet_name))}"[^>]*r:id="(rId\d+)"',
                    workbook)
    assert rid, sheet_name
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def set_cell(source: Path, target: Path, sheet_name: str, ref: str, *,
             formula: str | None = None, value: str | float | None = None,
             keep_formula: bool = False, number_text: str | None = None) -> Path:
    """Replace one cell: a number, an inline string, a formula with a cached value, or a
    stored value under the existing formula (`keep_formula`). `number_text` is written as
    the number's text exactly (`<v>NaN</v>`, `<v>1E+400</v>`), as a careless writer might."""
    part = sheet_part(source, sheet_name)

    def change(name: str, text: str) -> str:
        if name != part:
            return text
        pattern = re.compile(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', re.S)
        match = pattern.search(text)
        assert match, ref
        style = re.search(r' s="(\d+)"', match.group(0))
        s = f' s="{style.group(1)}"' if style else ""
        if keep_formula:
            old_formula = re.search(r"<f>(.*?)</f>", match.group(0), re.S)
            assert old_formula
            formula_xml = f"<f>{old_formula.group(1)}</f>"
        else:
            formula_xml = f"<f>{escape(formula[1:])}</f>" if formula else ""
        if number_text is not None:
            body = f'<c r="{ref}"{s}>{formula_xml}<v>{escape(number_text)}</v></c>'
        elif value is None:
            body = f'<c r="{ref}"{s}>{formula_xml}</c>' if formula_xml else f'<c r="{ref}"{s}/>'
        elif isinstance(value, str):
            kind = "str" if formula_xml else "inlineStr"
            inner = f"<v>{escape(value)}</v>" if formula_xml else f"<is><t>{escape(value)}</t></is>"
            body = f'<c r="{ref}"{s} t="{kind}">{formula_xml}{inner}</c>'
        else:
            body = f'<c r="{ref}"{s}>{formula_xml}<v>{value!r}</v></c>'
        return text[:match.start()] + body + text[match.end():]

    return rewrite(source, target, change)


def rename_sheet(source: Path, target: Path, old: str, new: str) -> Path:
    """Rename a sheet as Excel does: the tab, the defined names and every formula."""
    quoted_old = "'" + old.replace("'", "''") + "'!"
    quoted_new = "'" + new.replace("'", "''") + "'!"

    def change(name: str, text: str) -> str:
        if name == "xl/workbook.xml":
            text = text.replace(f'<sheet name="{escape(old)}"', f'<sheet name="{escape(new)}"')
        return text.replace(escape(quoted_old), escape(quoted_new)).replace(quoted_old, quoted_new)

    return rewrite(source, target, change)


def delete_sheet(source: Path, target: Path, sheet_name: str) -> Path:
    def change(name: str, text: str) -> str:
        if name == "xl/workbook.xml":
            return re.sub(rf'<sheet name="{re.escape(escape(sheet_name))}"[^>]*/>', "", text)
        return text

    return rewrite(source, target, change)


def copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target
