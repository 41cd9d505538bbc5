"""The verdict on one file and how findings are added to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iki_xlsx.core.codes import REJECTING, Message
from iki_xlsx.core.findings import Finding, Severity
from iki_xlsx.core.states import Status
from iki_xlsx.core.units import Unit

TOLERANCE = 1e-9


@dataclass
class FileResult:
    """The verdict on one file."""

    file: str
    sha256: str
    status: Status = Status.OK
    blueprint: str | None = None
    unit: str | None = None  # the unit's name
    periode: int | None = None
    unit_kode: str | None = None  # units are known by kode: two desa may share a name
    blueprint_hash: str | None = None
    blueprint_versi: str | None = None
    findings: list[Finding] = field(default_factory=list)
    annotated: str | None = None
    inputs: list[tuple[str, str, str, Any]] = field(default_factory=list, repr=False)
    units: list[Unit] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "sha256": self.sha256, "status": str(self.status),
            "blueprint": self.blueprint, "unit": self.unit, "unit_kode": self.unit_kode,
            "periode": self.periode, "versi": self.blueprint_versi,
            "annotated": self.annotated,
            "findings": [{k: f.to_dict()[k] for k in ("code", "severity", "sheet", "cell",
                                                       "expected", "found", "message")}
                         for f in self.findings],
        }


@dataclass
class CheckReport:
    files: list[FileResult]

    @property
    def ok(self) -> bool:
        return all(f.status is Status.OK for f in self.files)


@dataclass(frozen=True)
class Where:
    sheet: str
    cell: str


def add(result: FileResult, said: Message, *, sheet: str | None = None,
        cell: str | None = None, expected: Any = None, found: Any = None,
        severity: Severity | None = None, where: Where | None = None) -> None:
    """A finding on `result` that says `said` (a catalogued message) where it is."""
    if where is not None:
        sheet, cell = where.sheet, where.cell
    result.findings.append(Finding.of(said, severity=severity, file=result.file, sheet=sheet,
                                      cell=cell, expected=expected, found=found))


def finish(result: FileResult) -> FileResult:
    codes = {f.code for f in result.findings}
    if codes & REJECTING:
        result.status = Status.REJECTED
    elif any(f.severity is Severity.ERROR for f in result.findings):
        result.status = Status.NEEDS_CORRECTION
    return result
