"""What every use case of an office works with: its folders, settings, units, store and the
blueprint index (with the register always applied). `Office` (office.py) adds the use cases.

An office is opened from a workspace (`iki.toml`, `unit.csv`, `blueprints/`, `simpan/`,
`keluaran/`) or from folders named explicitly (the command line's `--store`, `--blueprints`,
`--units`), which win over the workspace's. Opening one is cheap; what is worth keeping
between requests (the web app opens an office per page) lives in a `Runtime`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Self

from iki_xlsx.blueprint.files import DEFAULT_BLUEPRINTS, find_blueprints
from iki_xlsx.core.dates import DEFAULT_ZONE
from iki_xlsx.core.errors import IkiError, UsageError
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.units import Unit, read_units
from iki_xlsx.service.layout import ANNOTATED_DIR, Outputs
from iki_xlsx.service.workspace import (
    Config,
    Workspace,
    WorkspaceError,
    WorkspacePaths,
    load_workspace,
    pengesahan_of,
)

# What a use case runs is imported where it runs: a command loads only its own (`periksa`
# neither the audit trail nor the recap's, the checking workers nor the mail's modules).
if TYPE_CHECKING:
    from iki_xlsx.audit.kinds import AuditKind
    from iki_xlsx.audit.trail import Actor
    from iki_xlsx.blueprint.load import LoadResult
    from iki_xlsx.check import WarmPool
    from iki_xlsx.plan.index import BlueprintIndex
    from iki_xlsx.rekap.source import Pengesahan
    from iki_xlsx.store.db import Store

TEMPLATES_NAME = "templat"  # the office's own e-mail texts, in the workspace


class OfficeFindings(IkiError):
    """The office cannot be opened as asked (a units list with errors): its findings."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.one_line() for f in findings))
        self.findings = findings


class Blueprints:
    """Blueprint files loaded and validated, each read again only when its size or
    modification time changed (the web app keeps one for the life of the server)."""

    def __init__(self) -> None:
        self._loaded: dict[Path, tuple[tuple[int, int], LoadResult]] = {}
        self._lock = threading.Lock()

    def load(self, path: Path) -> LoadResult:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._loaded.get(path)
        if cached is None or cached[0] != stamp:
            from iki_xlsx.blueprint.load import load_blueprint  # YAML: only when asked

            cached = (stamp, load_blueprint(path))
            with self._lock:
                self._loaded[path] = cached
        return cached[1]

    def of_folder(self, folder: Path) -> list[LoadResult]:
        """Every blueprint file of `folder`, loaded."""
        return [self.load(path) for path in find_blueprints(folder)]


@dataclass
class Runtime:
    """What outlives one request of a long-running face (the web app): the loaded blueprints
    and the warm checking workers its collects share (`checkers`; None on the command line,
    where one collect checks with workers of its own). `close` when the face stops."""

    blueprints: Blueprints = field(default_factory=Blueprints)
    checkers: WarmPool | None = None

    def close(self) -> None:
        if self.checkers is not None:
            self.checkers.close()


@dataclass
class OfficeContext:
    """One office's folders, settings and units; the store and index are made when asked."""

    blueprints_dir: Path = DEFAULT_BLUEPRINTS
    store_dir: Path | None = None
    outputs: Outputs | None = None  # None: outside a workspace, the face names each output
    workspace: Workspace | None = None
    units: list[Unit] | None = None  # None: no units list (outside a workspace, none given)
    runtime: Runtime = field(default_factory=Runtime)
    actor: Actor | None = None  # who works through this office (None: the computer's user)

    @classmethod
    def open(cls, workspace: Workspace | None, *, store_dir: Path | None = None,
             blueprints_dir: Path | None = None, units_csv: Path | None = None,
             runtime: Runtime | None = None) -> Self:
        """The office of `workspace` (or of none), with each folder given explicitly winning.

        Raises `OfficeFindings` when `units_csv` has errors."""
        units = list(workspace.units) if workspace is not None else None
        if units_csv is not None:
            units, problems = read_units(units_csv)
            if problems:
                raise OfficeFindings(problems)
        return cls(
            blueprints_dir=blueprints_dir or (workspace.blueprints_dir if workspace is not None
                                              else DEFAULT_BLUEPRINTS),
            store_dir=store_dir or (workspace.store_dir if workspace is not None else None),
            outputs=Outputs(workspace.output_dir) if workspace is not None else None,
            workspace=workspace, units=units, runtime=runtime or Runtime())

    @classmethod
    def at(cls, root: Path, *, runtime: Runtime | None = None) -> tuple[Self, list[Finding]]:
        """The office of the workspace folder `root`, read afresh. When its iki.toml or
        unit.csv cannot be used, the office of its folders alone (no settings, no units list)
        and the findings that say why."""
        try:
            found = load_workspace(root)
        except WorkspaceError as exc:
            paths = WorkspacePaths(root)
            return cls(blueprints_dir=paths.blueprints_dir, store_dir=paths.store_dir,
                       outputs=Outputs(paths.output_dir),
                       runtime=runtime or Runtime()), exc.findings
        return cls.open(found, runtime=runtime), []

    # --- settings ---------------------------------------------------------------------------

    @property
    def config(self) -> Config | None:
        return self.workspace.config if self.workspace is not None else None

    @property
    def kantor(self) -> str | None:
        return self.config.kantor if self.config is not None else None

    @property
    def zona(self) -> str:
        """The office's time zone (WIB outside a workspace)."""
        return self.config.zona_waktu if self.config is not None else DEFAULT_ZONE

    @property
    def pengesahan(self) -> Pengesahan | None:
        """The recap's place, time zone and signatory (from iki.toml)."""
        return pengesahan_of(self.config) if self.config is not None else None

    @property
    def templates_dir(self) -> Path | None:
        """The office's own e-mail texts (`templat/`), when in a workspace."""
        return self.workspace.root / TEMPLATES_NAME if self.workspace is not None else None

    @property
    def annotations(self) -> Path:
        """Where annotated copies are kept: the layout's `catatan/`, outside a workspace the
        store's own `catatan/`."""
        if self.outputs is not None:
            return self.outputs.annotations
        return self.store.folder / ANNOTATED_DIR

    # --- the store --------------------------------------------------------------------------

    @cached_property
    def store(self) -> Store:
        """The store (one per office, shared by its use cases); refused (usage) when the office
        has none. This is the one place a face's office opens its store."""
        if self.store_dir is None:
            raise UsageError("sebutkan --store FOLDER, atau jalankan perintah di dalam ruang "
                             "kerja (buat dengan: iki-xlsx init FOLDER)")
        from iki_xlsx.store.db import Store

        if self.workspace is not None and self.store_dir == self.workspace.store_dir:
            return self.workspace.store()  # simpan/, or the server [basis_data] names
        return Store(self.store_dir)

    @property
    def has_records(self) -> bool:
        """Whether anything was ever stored (a page that only reads must not create it)."""
        return self.store_dir is not None and self.store.exists()

    def records(self) -> Store:
        """The store, refused (usage) while nothing was ever recorded in it."""
        store = self.store
        if not store.exists():
            raise UsageError(f"penyimpanan {self.store_dir} belum ada; jalankan collect "
                             "lebih dulu")
        return store

    # --- blueprints -------------------------------------------------------------------------

    def loaded_blueprints(self) -> list[LoadResult]:
        """Every blueprint file of the office's folder, loaded and validated."""
        return self.runtime.blueprints.of_folder(self.blueprints_dir)

    @property
    def warm_dir(self) -> Path | None:
        """Where a workspace keeps what a later process need not make again (its store
        folder: the blueprints, `blueprint.warm`; the checked layouts, `check.warm`); None
        outside a workspace."""
        return self.workspace.store_dir if self.workspace is not None else None

    def blueprint_index(self) -> BlueprintIndex:
        """The office's blueprints by id, without the register (collect applies it under its
        lock); in a workspace kept warm in its store folder (`blueprint.warm`: an unchanged
        file is not parsed again, by this process or the next)."""
        from iki_xlsx.blueprint.warm import WARM_FILE
        from iki_xlsx.plan.index import BlueprintIndex

        warm = self.warm_dir / WARM_FILE if self.warm_dir is not None else None
        return BlueprintIndex.from_folder(self.blueprints_dir, warm)

    def index(self) -> BlueprintIndex:
        """What a return is judged by: the blueprints with the store's register and archived
        versions applied whenever the store has a register."""
        from iki_xlsx.plan.register import judged_by

        index = self.blueprint_index()
        return judged_by(self.store, index) if self.has_records else index

    # --- the audit trail --------------------------------------------------------------------

    def audited(self, kind: AuditKind, summary: str, *, blueprint: str | None = None,
                periode: int | None = None, unit: str | None = None,
                details: dict[str, object] | None = None, ref: str | None = None) -> None:
        """Record what a use case did in the office's audit trail, as `actor` (else the
        computer's user); nothing when the office has no store."""
        if self.store_dir is None:
            return
        from iki_xlsx.audit.trail import Actor, AuditTrail

        actor = self.actor or Actor.computer()
        AuditTrail(self.store).record(actor, kind, summary, blueprint=blueprint,
                                      periode=periode, unit=unit, details=details, ref=ref)
