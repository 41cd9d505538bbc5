"""The office's blueprints: find one by id, check them (with the register's version conflicts),
write the blueprint workbook to fill, convert between YAML and the spreadsheet form, and add
a new one (validated first; a replaced file's earlier text is archived)."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from iki_xlsx.blueprint.files import find_blueprints
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code, Message
from iki_xlsx.core.findings import Finding
from iki_xlsx.plan.register import versi_conflicts
from iki_xlsx.service.context import OfficeContext

if TYPE_CHECKING:
    from iki_xlsx.blueprint.load import BlueprintReport, LoadResult

ARCHIVE_NAME = "arsip-blueprint"  # a replaced blueprint's earlier text, in the workspace
BLUEPRINT_NAMES = (".yaml", ".yml", ".xlsx")


@dataclass
class BlueprintCheck:
    """Every blueprint checked, and the warnings the register adds (a `versi` reused for
    different content after workbooks were generated from it)."""

    report: BlueprintReport
    conflicts: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok


class Blueprinting(OfficeContext):
    def blueprint_files(self) -> list[Path]:
        """The office's blueprint files."""
        return find_blueprints(self.blueprints_dir)

    def blueprint_file(self, given: Path) -> Path:
        """A path as given, or, when it names no file, the file of the office's blueprint with
        that id (a blueprint's id stands for its file, as `buat` accepts it)."""
        if given.exists() or given.parent != Path("."):
            return given
        for loaded in self.loaded_blueprints():
            if loaded.blueprint is not None and loaded.blueprint.id == str(given):
                return Path(loaded.path)
        return given

    def check_blueprints(self, paths: Sequence[Path]) -> BlueprintCheck:
        """Validate blueprint files; with a store, also against the versions archived in it."""
        from iki_xlsx.blueprint.load import check_blueprints

        report = check_blueprints(paths)
        conflicts = versi_conflicts(self.store, [
            (r.path, r.blueprint) for r in report.results if r.blueprint is not None]) \
            if self.has_records else []
        return BlueprintCheck(report, conflicts)

    def write_blueprint_template(self, output: Path) -> Path:
        """The blueprint workbook to fill (Petunjuk, Kantor, Jabatan, ...)."""
        from iki_xlsx.blueprint.xlsx import write_blueprint_xlsx

        write_blueprint_xlsx(None, output)
        return output

    def convert_blueprint(self, bp: Blueprint, output: Path) -> Path:
        """`bp` as the other form: .xlsx from YAML, YAML from .xlsx (same content hash)."""
        from iki_xlsx.blueprint.xlsx import convert_blueprint

        convert_blueprint(bp, output)
        return output

    def add_blueprint(self, name: str, path: Path) -> LoadResult:
        """A blueprint file received as `name` (kept at `path`), validated; a valid one enters
        the office's folder as `<id>.yaml` or `<id>.xlsx`, the earlier text of a file it
        replaces archived first. Findings name the file as it was sent."""
        result = _validate(name, path)
        if not result.ok or result.blueprint is None:
            return result
        suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".yaml"
        target = self.blueprints_dir / f"{result.blueprint.id}{suffix}"
        data = path.read_bytes()
        if target.exists() and target.read_bytes() != data:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            archive = self._archive_dir() / f"{target.stem}-{stamp}{suffix}"
            atomic_write(archive, lambda temporary: shutil.copyfile(target, temporary))
        atomic_write(target, lambda temporary: Path(temporary).write_bytes(data))
        from iki_xlsx.audit.kinds import AuditKind

        self.audited(AuditKind.BLUEPRINT, f"Blueprint {result.blueprint.id} versi "
                     f"{result.blueprint.versi} ditambahkan dari {name}",
                     blueprint=result.blueprint.id,
                     details={"hash": result.blueprint.content_hash(), "berkas": target.name})
        return result

    def _archive_dir(self) -> Path:
        root = self.workspace.root if self.workspace is not None else self.blueprints_dir.parent
        return root / ARCHIVE_NAME


def _validate(name: str, path: Path) -> LoadResult:
    """The received file checked as a blueprint; findings name the file as it was sent."""
    from iki_xlsx.blueprint.load import LoadResult, load_blueprint, load_blueprint_text

    if not name.lower().endswith(BLUEPRINT_NAMES):
        return LoadResult(name, None, [_unreadable(
            name, Code.BLUEPRINT_UNREADABLE.message("suffix"))])
    if name.lower().endswith(".xlsx"):
        loaded = load_blueprint(path)
        return LoadResult(name, loaded.blueprint, [
            replace(f, file=name) if f.file == str(path) else f for f in loaded.findings])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return LoadResult(name, None, [_unreadable(
            name, Code.BLUEPRINT_UNREADABLE.message("not-utf8"))])
    return load_blueprint_text(text, name)


def _unreadable(name: str, said: Message) -> Finding:
    return Finding.of(said, file=name)
