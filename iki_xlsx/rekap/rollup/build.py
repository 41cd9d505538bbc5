"""The roll-up from its two ways in: offices on the server from their stores, offices on a
laptop from the recap files they sent (checked by `kiriman.check_recap_file`)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from iki_xlsx import __version__
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.findings import Finding
from iki_xlsx.intake.status import status
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.rekap.build import gather
from iki_xlsx.rekap.rollup.iku import IkuKabupaten
from iki_xlsx.rekap.rollup.kiriman import CheckedRecap
from iki_xlsx.rekap.rollup.office import FILE, SERVER, OfficeFigures, office_figures
from iki_xlsx.rekap.rollup.workbook import RollupSource, Signatory, plan_rollup
from iki_xlsx.rekap.source import Pengesahan
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.evaluate import Batch, CellKey, Value
from iki_xlsx.workbook.write import write_workbook


@dataclass
class ServerOffice:
    """An office on the kabupaten's server: its store and blueprints."""

    kode: str
    nama: str
    store: Store | None  # None: nothing stored yet
    index: BlueprintIndex
    pengesahan: Pengesahan | None = None
    batas: datetime.date | None = None


@dataclass(frozen=True)
class ReceivedRecap:
    """A recap file the kabupaten received and accepted, in the store's order."""

    sequence: int
    sha256: str
    received: str
    checked: CheckedRecap


@dataclass
class RollupResult:
    path: Path | None = None
    source: RollupSource | None = None
    plan_values: dict[CellKey, Value] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.path is not None and not self.findings


def server_figures(office: ServerOffice, periode: int, period: int) -> OfficeFigures | None:
    """The office's figures from its store: the blueprint of `periode` with the most units
    expected (None when its store holds nothing of that year)."""
    if office.store is None or not office.store.exists():
        return None
    found = [p for p in status(office.store).periods if p.periode == periode
             and p.blueprint in office.index.by_id]
    if not found:
        return None
    chosen = max(found, key=lambda p: (len(p.units), p.blueprint))
    bp: Blueprint = office.index.by_id[chosen.blueprint]
    source, _ = gather(office.store, bp, chosen, pengesahan=office.pengesahan, named=False)
    return office_figures(office.kode, office.nama, SERVER, source, period, office.batas)


def file_figures(received: ReceivedRecap, nama: str, period: int) -> OfficeFigures:
    checked = received.checked
    assert checked.source is not None
    figures = office_figures(checked.kode or "", nama, FILE, checked.source, period)
    return replace(figures, source_name=checked.filename, sha256=received.sha256,
                   received=received.received)


def collect_rollup(kabupaten: str, wilayah: str, periode: int, period: int | None,
                   offices: Sequence[tuple[str, str]], servers: Sequence[ServerOffice],
                   files: Sequence[ReceivedRecap], iku: list[IkuKabupaten],
                   refused: Sequence[CheckedRecap] = (), signatory: Signatory | None = None,
                   now: datetime.datetime | None = None) -> RollupSource:
    """What the roll-up of `periode` up to `period` (1-based; None: the whole year) shows: per
    office of `offices` (kantor.csv), its store's figures when it has any, else the latest
    accepted recap file of that year in the kabupaten's order of receipt."""
    last = period or 4
    names = dict(offices)
    figures: dict[str, OfficeFigures] = {}
    for server in servers:
        found = server_figures(server, periode, last)
        if found is not None:
            figures[server.kode] = found
    latest: dict[str, ReceivedRecap] = {}
    for received in sorted(files, key=lambda r: r.sequence):
        checked = received.checked
        if checked.ok and checked.periode == periode and checked.kode in names:
            latest[checked.kode or ""] = received
    for kode, received in latest.items():
        if kode not in figures:
            figures[kode] = file_figures(received, names[kode], last)
    if period is None:  # the whole year: as far as the longest decree goes
        for kode, office in figures.items():
            figures[kode] = replace(office, period=len(office.blueprint.periods))
    stamp = (now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    return RollupSource(kabupaten=kabupaten, wilayah=wilayah, periode=periode, period=last,
                        offices=list(offices), figures=figures, iku=iku,
                        created=stamp.isoformat(), signatory=signatory,
                        refused=[r for r in refused if r.periode in (None, periode)],
                        generator=f"iki-xlsx {__version__}")


def write_rollup(source: RollupSource, out: Path) -> RollupResult:
    """The roll-up workbook at `out` (a .xlsx, or a folder: rekap-kabupaten_<tahun>_<sd>.xlsx),
    with every formula's value cached."""
    if out.suffix.lower() != ".xlsx":
        reach = source.period_label.replace(" ", "-")
        out = out / f"rekap-kabupaten_{source.periode}_sd-{reach}.xlsx"
    plan, inputs = plan_rollup(source)
    values = Batch(plan).evaluate([inputs])[0]
    result = RollupResult(source=source, plan_values={**inputs, **values})
    result.path = write_workbook(plan, values, {}, out)
    return result
