"""The main job end to end on the bundled default blueprint (`iki-xlsx demo`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .blueprint import BlueprintReport, check_blueprints, find_blueprints
from .findings import Finding
from .generate import DEFAULT_BLUEPRINTS, GenerateResult, generate, read_units, resolve_blueprint

DEFAULT_BLUEPRINT = "iki-kecamatan-kota"
SAMPLES = DEFAULT_BLUEPRINTS.parent / "samples"
DEFAULT_UNITS = SAMPLES / "kelurahan-kota.csv"
DEMO_PERIODE = 2026


@dataclass
class DemoResult:
    """What the demo did: blueprints checked, workbooks written, and any findings."""

    blueprints: BlueprintReport
    blank: GenerateResult | None = None
    filled: GenerateResult | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        results = [r for r in (self.blank, self.filled) if r is not None]
        return self.blueprints.ok and not self.findings and all(r.ok for r in results)


def run_demo(out_dir: Path, periode: int = DEMO_PERIODE) -> DemoResult:
    """Validate every bundled blueprint, then generate blank and sample-filled workbooks."""
    result = DemoResult(check_blueprints(find_blueprints(DEFAULT_BLUEPRINTS)))
    bp, findings = resolve_blueprint(DEFAULT_BLUEPRINT)
    units, unit_findings = read_units(DEFAULT_UNITS)
    result.findings = findings + unit_findings
    if bp is None or result.findings:
        return result
    result.blank = generate(bp, units, periode, out_dir / "kirim")
    result.filled = generate(bp, units, periode, out_dir / "contoh-terisi", sample=True)
    return result


def default_out_dir() -> Path:
    return Path("output") / "demo"


__all__ = ["DemoResult", "default_out_dir", "run_demo"]
