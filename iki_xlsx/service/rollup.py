"""The kabupaten's use cases over its offices (issue 25): receive the recap files offices on a
laptop send, check the offices' `iku_kabupaten` mappings, and write the roll-up of every
kecamatan.

The kabupaten's own records are the truth: its kantor.csv lists the offices, each office's
folder `kantor/KODE` holds its blueprints, its unit.csv and (on the server) its store. A recap
file received is kept byte for byte in the kabupaten's store (`office_file`, kind
`rekap-kecamatan`, in the store's order) and checked again from those bytes whenever a
roll-up is made; nothing it says is trusted beyond its Data sheet.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.states import Status
from iki_xlsx.rekap.rollup.build import (
    ReceivedRecap,
    RollupResult,
    ServerOffice,
    collect_rollup,
    write_rollup,
)
from iki_xlsx.rekap.rollup.iku import LIST_NAME, IkuKabupaten, check_mappings, read_iku_list
from iki_xlsx.rekap.rollup.kiriman import CheckedRecap, RegisteredOffice, check_recap_file
from iki_xlsx.rekap.rollup.workbook import Signatory
from iki_xlsx.service.context import OfficeContext
from iki_xlsx.service.kabupaten import Kabupaten
from iki_xlsx.service.workspace import WorkspaceError, pengesahan_of
from iki_xlsx.store.db import Store

RECAP_KIND = "rekap-kecamatan"  # the kabupaten store's office_file kind for a recap received
MAX_RECAP_BYTES = 50 * 1024 * 1024
ROLLUP_DIR = "rekap-kabupaten"


@dataclass
class Received:
    """One recap file taken in: its verdict, and whether its bytes were new."""

    filename: str
    sha256: str
    checked: CheckedRecap
    new: bool = True


@dataclass
class MappingCheck:
    """The kabupaten's indicator list and every office blueprint's mappings onto it."""

    iku: list[IkuKabupaten] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class KabupatenRollup:
    """The kabupaten's roll-up use cases over its workspace."""

    kabupaten: Kabupaten

    # --- the offices as the kabupaten knows them -------------------------------------------

    def office(self, kode: str) -> OfficeContext | None:
        """The office of `kode` (None when its folder holds no usable workspace yet)."""
        try:
            return OfficeContext.open(self.kabupaten.workspace(kode))
        except WorkspaceError:
            return None

    def registered(self) -> dict[str, RegisteredOffice]:
        """Per office kode: its blueprints, units, signatory and deadline."""
        found: dict[str, RegisteredOffice] = {}
        for kantor in self.kabupaten.offices:
            office = self.office(kantor.kode)
            if office is None:
                continue
            blueprints = [r.blueprint for r in office.loaded_blueprints()
                          if r.blueprint is not None and r.ok]
            config = office.config
            found[kantor.kode] = RegisteredOffice(
                kantor.kode, kantor.nama, blueprints, list(office.units or []),
                pengesahan_of(config) if config is not None else None,
                config.batas if config is not None else None)
        return found

    def mappings(self) -> MappingCheck:
        """The kabupaten's iku_kabupaten.csv and every office blueprint's `iku_kabupaten`
        checked against it, each finding at its blueprint file and line."""
        iku, findings = read_iku_list(self.kabupaten.root / LIST_NAME)
        result = MappingCheck(iku, findings)
        for kantor in self.kabupaten.offices:
            office = self.office(kantor.kode)
            if office is None:
                continue
            for loaded in office.loaded_blueprints():
                if loaded.blueprint is not None:
                    result.findings += check_mappings(loaded.blueprint, iku, Path(loaded.path))
        return result

    # --- receiving recap files ---------------------------------------------------------------

    def store(self) -> Store:
        return self.kabupaten.store()

    def receive(self, files: Sequence[tuple[str, bytes]],
                now: datetime.datetime | None = None) -> list[Received]:
        """Keep each recap file (name, bytes) byte for byte in the kabupaten's store, in its
        order, and judge it."""
        store = self.store()
        offices = self.registered()
        results = []
        moment = (now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
        for filename, data in files:
            digest = hashlib.sha256(data).hexdigest()
            path = store.keep_raw(digest, data)
            checked = check_recap_file(path, filename, self.kabupaten.config.kabupaten,
                                       offices, moment.isoformat())
            verdict = {"kantor": checked.kode, "status": str(checked.status),
                       "waktu": moment.isoformat(),
                       "temuan": [f.one_line() for f in checked.findings[:20]]}
            with store.connect():
                _, new = store.record_office_file(
                    RECAP_KIND, digest, filename[:200], checked.blueprint.id
                    if checked.blueprint else "", checked.periode or 0,
                    json.dumps(verdict, ensure_ascii=False))
            results.append(Received(filename, digest, checked, new))
        return results

    def receipts(self) -> list[dict[str, object]]:
        """Every recap file kept, in the store's order, with the verdict it got when taken
        (for a page: not judged again)."""
        store = self.store()
        if not store.exists():
            return []
        with store.connect():
            kept = store.office_files(RECAP_KIND)
        shown = []
        for row in kept:
            verdict = json.loads(row.model)
            state = next((s for s in Status if str(s) == verdict.get("status")), None)
            shown.append({"urutan": row.id, "berkas": row.filename, "kantor": verdict.get(
                "kantor"), "tahun": row.tahun or None,
                "keadaan": state.label if state else ""})
        return shown

    def received(self, periode: int) -> list[tuple[ReceivedRecap, CheckedRecap]]:
        """Every recap file of `periode` the kabupaten kept (and those it could not read),
        judged again from its stored bytes, in the store's order."""
        store = self.store()
        if not store.exists():
            return []
        offices = self.registered()
        with store.connect():
            kept = store.office_files(RECAP_KIND)
        found = []
        for row in kept:
            if row.tahun not in (periode, 0):
                continue
            verdict = json.loads(row.model)
            checked = check_recap_file(store.raw_path(row.sha256), row.filename,
                                       self.kabupaten.config.kabupaten, offices,
                                       str(verdict.get("waktu", "")))
            found.append((ReceivedRecap(row.id, row.sha256, str(verdict.get("waktu")),
                                        checked), checked))
        return found

    # --- the roll-up ---------------------------------------------------------------------------

    def rollup(self, periode: int, tw: int | None = None, out: Path | None = None,
               now: datetime.datetime | None = None) -> RollupResult:
        """The roll-up of `periode` (to the end of quarter `tw`; None: the whole year) written
        to `out` (a .xlsx or a folder; default the kabupaten's keluaran/rekap-kabupaten/)."""
        if tw is not None and not 1 <= tw <= 4:
            raise UsageError("--tw harus 1, 2, 3 atau 4")
        check = self.mappings()
        servers = []
        for kantor in self.kabupaten.offices:
            office = self.office(kantor.kode)
            if office is None:
                continue
            config = office.config
            servers.append(ServerOffice(
                kantor.kode, kantor.nama, office.store if office.has_records else None,
                office.blueprint_index(), office.pengesahan,
                config.batas if config is not None else None))
        received = self.received(periode)
        files = [r for r, checked in received if checked.status is Status.OK]
        refused = [checked for _, checked in received if checked.status is not Status.OK]
        settings = self.kabupaten.config
        signer = settings.penandatangan
        signatory = Signatory(settings.kota, settings.zona_waktu,
                              signer.jabatan if signer else None,
                              signer.nama if signer else None,
                              signer.nip if signer else None)
        source = collect_rollup(settings.kabupaten, settings.wilayah, periode, tw,
                                [(k.kode, k.nama) for k in self.kabupaten.offices], servers,
                                files, check.iku, refused, signatory, now)
        target = out or self.kabupaten.output_dir / ROLLUP_DIR
        result = write_rollup(source, target)
        result.findings += check.findings
        return result
