"""The main job end to end on the bundled default blueprint (`iki-xlsx demo`).

Create a workspace (or reuse the demo's), generate the workbooks to send, fill them with
sample values as the kelurahan would, collect the returns (one first sent with a mistake,
then corrected), show who returned what, and write the recap, all inside the workspace.

The demo writes only into a workspace it made itself (marked by `DEMO_MARKER`): a folder that
is, or is inside, an office's workspace is refused before anything is written, so sample
returns never reach an office's store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iki_xlsx.blueprint.load import BlueprintReport, check_blueprints, find_blueprints
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import FileResult, check_file
from iki_xlsx.core.codes import Code
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import CollectResult
from iki_xlsx.intake.status import StatusReport
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.rekap.build import RekapResult
from iki_xlsx.service.generating import Generated
from iki_xlsx.service.office import Office
from iki_xlsx.service.workspace import (
    CONFIG_TEMPLATE,
    Workspace,
    WorkspaceError,
    WorkspacePaths,
    find_root,
    init_workspace,
    load_workspace,
)
from iki_xlsx.workbook.generate import (
    DEFAULT_BLUEPRINTS,
    GenerateResult,
    generate,
    recipients,
    workbook_filename,
    write_filled,
)

DEFAULT_BLUEPRINT = "iki-kecamatan-kota"
DEMO_MARKER = ".iki-demo"  # in the root of a workspace the demo made
MARKER_TEXT = "Ruang kerja ini dibuat oleh iki-xlsx demo; isinya contoh, bukan data kantor.\n"
DEMO_PERIODE = 2026
MISTAKE = "12 orang"  # a count typed with its unit, as people do


@dataclass
class DemoResult:
    """What the demo did at each step, and any findings that stopped it."""

    blueprints: BlueprintReport
    workspace: Workspace | None = None
    blank: Generated | None = None
    filled: GenerateResult | None = None
    mistaken: FileResult | None = None  # the return that needs correction, as checked
    collected: list[CollectResult] = field(default_factory=list)
    status: StatusReport | None = None
    rekap: RekapResult | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        results = [r for r in (self.blank, self.filled) if r is not None]
        return (self.blueprints.ok and not self.findings and all(r.ok for r in results)
                and (self.rekap is None or self.rekap.ok))


def demo_workspace(root: Path) -> tuple[Workspace | None, list[Finding]]:
    """The demo's workspace at `root`: created with the defaults, or reused as it is; never
    an office's workspace (one the demo did not make, at `root` or above it)."""
    refused = _office_workspace(root)
    if refused is not None:
        return None, [refused]
    if not WorkspacePaths(root).config_path.exists():
        created = init_workspace(root)
        if not created.ok:
            return None, created.findings
        try:
            (root / DEMO_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        except OSError as exc:
            return None, [Finding.of(Code.OUTPUT_NOT_WRITABLE.message(
                "demo-mark", alasan=os_reason(exc)), file=str(root))]
    try:
        return load_workspace(root), []
    except WorkspaceError as exc:
        return None, exc.findings


def _office_workspace(root: Path) -> Finding | None:
    """Why `root` is not the demo's to write: it is, or is inside, a workspace without the
    demo's mark (a workspace of `init` whose iki.toml is still the untouched template, as an
    earlier demo made it, counts as the demo's)."""
    probe = root.resolve()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    found = find_root(probe)
    if found is None or _made_by_demo(found):
        return None
    return Finding.of(Code.WORKSPACE_DEMO.message(folder=root, ruang=found))


def _made_by_demo(root: Path) -> bool:
    paths = WorkspacePaths(root)
    if (root / DEMO_MARKER).is_file():
        return True
    try:
        return paths.config_path.read_text(encoding="utf-8") == CONFIG_TEMPLATE
    except (OSError, UnicodeDecodeError):
        return False


def run_demo(out_dir: Path, periode: int = DEMO_PERIODE) -> DemoResult:
    """Validate every bundled blueprint, then run the whole flow on the default one through
    the office of a workspace at `out_dir` (outputs under its `keluaran/`, the store in
    `simpan/`): the same use cases, folders and register as the command line and web app."""
    result = DemoResult(check_blueprints(find_blueprints(DEFAULT_BLUEPRINTS)))
    ws, result.findings = demo_workspace(out_dir)
    if ws is None:
        return result
    result.workspace = ws
    office = Office.open(ws)
    bp, result.findings = office.find_blueprint(DEFAULT_BLUEPRINT)
    if bp is None:
        return result
    units = office.units or []
    out_dir = ws.output_dir
    result.blank = office.generate(bp, periode, name=DEFAULT_BLUEPRINT)
    # the returns as the kelurahan would fill them: sample data, not a generation of the office
    result.filled = generate(bp, units, periode, out_dir / "contoh-terisi", sample=True)
    if not (result.blank.ok and result.filled.ok):
        return result
    mistaken, _ = write_mistaken(bp, units, periode, out_dir / "kembali-salah")
    result.mistaken = check_file(mistaken, office.index(), annotate_dir=out_dir / "perbaikan")
    result.collected.append(office.collect([mistaken]))  # sent first, with a mistake
    result.collected.append(office.collect([out_dir / "contoh-terisi"]))
    result.status = office.status()
    result.rekap = office.recap(blueprint=bp.id, periode=periode,
                                csv_dir=office.recap_folder())
    return result


def default_out_dir() -> Path:
    return Path("output") / "demo"


__all__ = ["DemoResult", "default_out_dir", "run_demo"]


def write_mistaken(bp: Blueprint, units: list[Unit], periode: int,
                   folder: Path) -> tuple[Path, Unit]:
    """The first recipient's return, filled, with one count typed with its unit (`MISTAKE`), in
    `folder`: the return the demo sends first and sees refused; and its unit."""
    everyone = recipients(bp, units)
    first = everyone[0]
    plan = plan_workbook(bp, first, periode, everyone)
    count_key = next(c.key for _, c in plan.input_cells()
                     if c.rule is not None and c.rule.tipe == "bulat")
    path = write_filled(bp, first, everyone, periode, folder / workbook_filename(plan),
                        {count_key: MISTAKE})
    return path, first
