"""The office's performance year: its targets with versions, last year's figures typed once,
the documents it signs and files (PK, pengukuran, LKjIP Bab III) and the SKP export.

Results are dataclasses; nothing prints. A request that cannot be read as given (no workspace,
an unknown or ambiguous blueprint, a period outside the year) raises `UsageError`; a form with
errors comes back with its located findings and nothing recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from iki_xlsx.audit.kinds import AuditKind
from iki_xlsx.audit.trail import Actor, AuditTrail
from iki_xlsx.blueprint.files import find_blueprints
from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.units import Unit
from iki_xlsx.documents.make import Made, make_lkjip, make_pengukuran, make_pk
from iki_xlsx.documents.model import Letterhead
from iki_xlsx.documents.office import Office as DocumentOffice
from iki_xlsx.documents.office import Person, default_letterhead
from iki_xlsx.documents.skp import skp_rows, write_skp_csv
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.plan.register import judged_by
from iki_xlsx.service.workspace import Config, Workspace, logo_path
from iki_xlsx.store.db import Store
from iki_xlsx.targets.archive import record_version, versions
from iki_xlsx.targets.model import TargetVersion
from iki_xlsx.targets.read import read_target_form
from iki_xlsx.targets.template import write_target_form
from iki_xlsx.years.figures import registered_blueprint, year_figures
from iki_xlsx.years.impor import (
    RealisasiImport,
    imports,
    read_realisasi_form,
    record_import,
    write_realisasi_form,
)

FORMS_DIR = "formulir"  # keluaran/formulir/: the target and realisasi forms to fill
DOCUMENTS_DIR = "dokumen"  # keluaran/dokumen/: the documents and the SKP export


@dataclass
class Recorded:
    """A form read and recorded (or, with findings, nothing recorded)."""

    path: Path
    version: TargetVersion | None = None
    imported: RealisasiImport | None = None
    new: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass
class Exported:
    """The SKP/e-Kinerja export written."""

    path: Path
    rows: int


@dataclass
class PerformanceYear:
    """Targets, last year's figures, the documents and the SKP export of one office: its
    own records, so only in a workspace (`of`)."""

    workspace: Workspace
    blueprints_dir: Path
    units: list[Unit] | None

    @classmethod
    def of(cls, workspace: Workspace | None, blueprints_dir: Path | None = None
           ) -> PerformanceYear:
        """The performance year of a workspace; refused (usage) outside one."""
        if workspace is None:
            raise UsageError("target, realisasi dan dokumen kantor tersimpan di ruang kerja; "
                             "jalankan di dalam ruang kerja (buat dengan: iki-xlsx init FOLDER) "
                             "atau sebutkan --ruang FOLDER")
        return cls(workspace, blueprints_dir or workspace.blueprints_dir,
                   list(workspace.units))

    @property
    def config(self) -> Config:
        return self.workspace.config

    @cached_property
    def store(self) -> Store:
        return self.workspace.store()

    @property
    def has_records(self) -> bool:
        return self.store.exists()

    def blueprint_index(self) -> BlueprintIndex:
        """The workspace's valid blueprints by id."""
        loaded = [bp for bp in (load_blueprint(p).blueprint
                                for p in find_blueprints(self.blueprints_dir)) if bp is not None]
        return BlueprintIndex(loaded, archived=loaded)

    def index(self) -> BlueprintIndex:
        """The blueprints with the register's archived versions applied."""
        index = self.blueprint_index()
        return judged_by(self.store, index) if self.has_records else index

    @property
    def forms(self) -> Path:
        return self.workspace.output_dir / FORMS_DIR

    @property
    def documents(self) -> Path:
        return self.workspace.output_dir / DOCUMENTS_DIR

    # --- which blueprint ---

    def year_blueprint(self, bp_id: str | None) -> Blueprint:
        """The blueprint asked for, or the office's only one; refused (usage) otherwise."""
        known = self.blueprint_index().by_id
        if bp_id is not None:
            if bp_id not in known:
                raise UsageError(f"blueprint '{bp_id}' tidak ada di folder blueprint (yang ada: "
                                 f"{', '.join(sorted(known)) or '-'})")
            return known[bp_id]
        if len(known) != 1:
            raise UsageError("ruang kerja berisi beberapa blueprint; pilih dengan --blueprint "
                             f"({', '.join(sorted(known))})")
        return next(iter(known.values()))

    # --- targets ---

    def target_form(self, tahun: int, *, bp_id: str | None = None, out: Path | None = None,
                    overwrite: bool = False) -> Path:
        """The target form of the year, filled from the latest recorded version when there is
        one (the next one is then a perubahan)."""
        bp = self.year_blueprint(bp_id)
        target = out or self.forms / f"target_{bp.id}_{tahun}.xlsx"
        self._may_write(target, overwrite)
        recorded = self.target_versions(tahun, bp.id)
        return write_target_form(bp, tahun, target, self.units or [],
                                 recorded[-1] if recorded else None)

    def record_target(self, path: Path) -> Recorded:
        """Check a filled target form and record it as a version (archived by its hash);
        nothing is recorded when it has errors."""
        index = self.blueprint_index()
        read = read_target_form(path, index.by_id, self.units)
        result = Recorded(path, findings=read.findings)
        if read.version is not None and read.ok:
            result.version, result.new = record_version(self.store, read.version, read.data)
            if result.new:
                version = result.version
                _audit(self.store, AuditKind.TARGET, f"Versi target {version.jenis} "
                       f"{version.blueprint} tahun {version.tahun} dicatat dari {path.name}: "
                       f"{version.alasan}", version.blueprint, version.tahun)
        return result

    def target_versions(self, tahun: int | None = None, bp_id: str | None = None
                        ) -> list[TargetVersion]:
        """The recorded versions (of a year, of a blueprint), in the order recorded."""
        if not self.has_records:
            return []
        return versions(self.store, bp_id, tahun)

    def realisasi_imports(self) -> list[RealisasiImport]:
        """Every year's figures the office typed, in the order recorded."""
        return imports(self.store) if self.has_records else []

    # --- last year's figures ---

    def realisasi_form(self, tahun: int, *, bp_id: str | None = None, out: Path | None = None,
                       overwrite: bool = False) -> Path:
        """The form to type a year's kecamatan figures in (the blueprint version the office
        generated that year from, else the current one)."""
        bp = self.year_blueprint(bp_id)
        if self.has_records:
            bp = registered_blueprint(self.store, self.index(), bp.id, tahun) or bp
        target = out or self.forms / f"realisasi_{bp.id}_{tahun}.xlsx"
        self._may_write(target, overwrite)
        return write_realisasi_form(bp, tahun, target)

    def import_realisasi(self, path: Path, tahun: int) -> Recorded:
        """Check a filled realisasi form of `tahun` and keep it byte for byte, marked as
        typed by the office; nothing is recorded when it has errors."""
        index = self.index()
        known: dict[str, list[Blueprint]] = {}
        for bp_id, current in index.by_id.items():
            known[bp_id] = [current] + [bp for (found, _), bp in index.versions.items()
                                        if found == bp_id and bp is not current]
        read = read_realisasi_form(path, known, tahun)
        result = Recorded(path, findings=read.findings)
        if read.figures is not None and read.ok:
            result.imported, result.new = record_import(self.store, read.figures, read.data)
            if result.new:
                _audit(self.store, AuditKind.TARGET, f"Realisasi tahun {tahun} diketik kantor "
                       f"dicatat dari {path.name}", read.figures.blueprint, tahun)
        return result

    # --- the documents ---

    def document_office(self) -> DocumentOffice:
        """The office as its documents name it, from iki.toml."""
        config = self.config
        kop = (Letterhead(config.kop_surat.baris, logo_path(self.workspace.root, config))
               if config.kop_surat is not None
               else default_letterhead(config.kantor, config.wilayah))
        signer, second = config.penandatangan, config.pihak_kedua
        return DocumentOffice(
            config.kantor, config.wilayah, config.kota, kop,
            Person(signer.nama, signer.jabatan, signer.nip) if signer else None,
            Person(second.nama, second.jabatan, second.nip) if second else None)

    def document(self, kind: str, tahun: int, *, period: int | None = None,
                 perubahan: bool = False, bp_id: str | None = None,
                 out: Path | None = None) -> Made:
        """`pk`, `pengukuran` (of `period`) or `lkjip` of the year, written as a Word file and
        a workbook in `out` (default: the layout's `dokumen/`)."""
        office = self.document_office()
        bp = self.year_blueprint(bp_id)
        folder = out or self.documents
        store = self.store
        if kind == "pk":
            return make_pk(store, self.index(), office, bp.id, tahun, perubahan, folder)
        if kind == "pengukuran":
            last = len(bp.periods)
            if period is None or not 1 <= period <= last:
                raise UsageError(f"--tw harus nomor periode dari 1 sampai {last} "
                                 f"({', '.join(bp.periods)})")
            return make_pengukuran(store, self.index(), office, bp.id, tahun, period, folder)
        return make_lkjip(store, self.index(), office, bp.id, tahun, folder)

    def export_skp(self, tahun: int, *, period: int | None = None, bp_id: str | None = None,
                   out: Path | None = None) -> Exported:
        """Every jabatan's indicators with target, realisasi, capaian and predikat, per period
        up to `period` (every period of the year when None), as CSV."""
        bp = self.year_blueprint(bp_id)
        last = len(bp.periods)
        if period is not None and not 1 <= period <= last:
            raise UsageError(f"--tw harus nomor periode dari 1 sampai {last}")
        periods = [period] if period is not None else list(range(1, last + 1))
        years = [year_figures(self.store, self.index(), bp.id, tahun, p) for p in periods]
        target = out or self.documents / f"skp_{bp.id}_{tahun}.csv"
        rows = skp_rows(years)
        return Exported(write_skp_csv(rows, target), len(rows))

    # --- where ---

    @staticmethod
    def _may_write(target: Path, overwrite: bool) -> None:
        if target.exists() and not overwrite:
            raise UsageError(f"{target} sudah ada; pakai --timpa untuk menggantinya")



def _audit(store: Store, kind: AuditKind, summary: str, blueprint: str | None,
           tahun: int | None) -> None:
    """A recorded version into the office's audit trail, as the computer's user."""
    AuditTrail(store).record(Actor.computer(), kind, summary, blueprint=blueprint,
                             periode=tahun)
