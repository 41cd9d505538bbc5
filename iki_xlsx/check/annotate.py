"""The annotated copy of a file that needs correction, to send back to its unit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from iki_xlsx.check.context import Context
from iki_xlsx.check.result import FileResult
from iki_xlsx.workbook.evaluate import CellKey
from iki_xlsx.workbook.write import Notes, write_workbook

REMARK = "dikembalikan"  # the code column of a person's remark on the notes sheet


def annotate(path: Path, result: FileResult, context: Context, folder: Path,
             said: Sequence[str] = ()) -> Path:
    """The copy with the findings (and what a person `said`, first) on its notes sheet."""
    assert context.plan is not None
    codes = {sheet.name: code for code, sheet in context.located.items()}
    remarks: dict[CellKey, str] = {}
    for finding in result.findings:
        if finding.sheet in codes and finding.cell:
            key = (codes[finding.sheet], finding.cell)
            remarks[key] = (remarks[key] + "\n" if key in remarks else "") + finding.message
    rows = [*((REMARK, "", "", remark) for remark in said),
            *((f.code, f.sheet or "", f.cell or "", f.message) for f in result.findings)]
    target = folder / f"{path.stem}_catatan.xlsx"
    return write_workbook(context.plan, context.computed, context.inputs, target,
                          Notes(remarks, rows))
