"""What checking one file learns on the way, shared by its checks and its annotated copy."""

from __future__ import annotations

from dataclasses import dataclass, field

from iki_xlsx.check.identity import Identity
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.workbook.evaluate import CellKey, Value
from iki_xlsx.workbook.read import SheetData


@dataclass
class Context:
    """What checking one file learnt, kept for its values and its annotated copy."""

    identity: Identity | None = None
    plan: WorkbookPlan | None = None
    ready: bool = False  # every sheet found intact: values are recomputed
    located: dict[str, SheetData] = field(default_factory=dict)
    inputs: dict[CellKey, Value] = field(default_factory=dict)
    computed: dict[CellKey, Value] = field(default_factory=dict)
