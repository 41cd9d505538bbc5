"""Generate: one workbook per kelurahan/desa and one for the office, recorded in the register.

The generator (and the blueprint loader it imports) is imported when a use case runs, so a
command that only checks (`periksa`) does not pay for it."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.core.units import Unit
from iki_xlsx.service.context import OfficeContext


@dataclass
class Generated:
    """What one generate wrote (or why nothing was written)."""

    blueprint: str | None = None  # the blueprint's id
    periode: int | None = None
    folder: Path | None = None
    files: list[Path] = field(default_factory=list)  # in unit order
    skipped: list[Unit] = field(default_factory=list)  # nothing to fill: no workbook
    bundle: Path | None = None  # the files as one zip, when asked
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


class Generating(OfficeContext):
    def find_blueprint(self, name: str) -> tuple[Blueprint | None, list[Finding]]:
        """A blueprint by path, or by id among the office's blueprints."""
        from iki_xlsx.workbook.generate import resolve_blueprint  # the loader: only here

        return resolve_blueprint(name, self.blueprints_dir)

    def recipients(self, bp: Blueprint, units: Sequence[Unit] | None = None) -> list[Unit]:
        """Who gets a workbook of `bp`: the units (the office's list by default), then the
        office itself."""
        from iki_xlsx.workbook.generate import recipients

        return recipients(bp, (self.units or []) if units is None else units)

    def generate(self, bp: Blueprint, periode: int, *, units: Sequence[Unit] | None = None,
                 out_dir: Path | None = None, name: str | None = None, sample: bool = False,
                 bundle: bool = False, progress: Progress = no_progress) -> Generated:
        """Write the workbooks of `bp` for `periode` to `out_dir` (default: the layout's
        folder for them) and record them in the office's register (its store, when it has
        one). `name` is how the blueprint was asked for (its file's text is archived);
        `bundle` also writes them as one zip. `progress(1)` after each workbook."""
        from iki_xlsx.workbook.generate import blueprint_source, generate

        folder = out_dir or self._workbooks_dir(bp, periode)
        store = self.store if self.store_dir is not None else None
        source = blueprint_source(bp, name or bp.id, self.blueprints_dir) \
            if store is not None else None
        done = generate(bp, (self.units or []) if units is None else units, periode, folder,
                        sample=sample, register=store, source=source, progress=progress)
        result = Generated(bp.id, periode, folder, done.files, done.skipped,
                           findings=done.findings)
        if done.ok and store is not None and done.files:
            from iki_xlsx.audit.kinds import AuditKind

            self.audited(AuditKind.GENERATE, f"{len(done.files)} workbook {bp.id} versi "
                         f"{bp.versi} tahun {periode} dibuat", blueprint=bp.id,
                         periode=periode, details={"folder": str(folder), "contoh": sample})
        if bundle and done.ok:
            result.bundle = self._bundle(bp, periode, done.files)
        return result

    def _workbooks_dir(self, bp: Blueprint, periode: int) -> Path:
        if self.outputs is None:
            raise UsageError("sebutkan -o FOLDER, atau jalankan di dalam ruang kerja")
        return self.outputs.workbooks(bp.id, periode)

    def _bundle(self, bp: Blueprint, periode: int, files: Sequence[Path]) -> Path:
        assert self.outputs is not None, "a bundle is written inside a workspace"

        def write(temporary: str) -> None:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
                for file in files:
                    bundle.write(file, file.name)

        return atomic_write(self.outputs.bundle(bp.id, periode), write)
