"""What the office knows: who returned what (status), every file received and every message
sent (history), the recap with its summary as data, and the files it may hand out (a stored
return by its SHA-256, the annotated copy of one)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.service.context import OfficeContext
from iki_xlsx.service.layout import annotated_folder

if TYPE_CHECKING:  # each use case imports what it runs (`periksa` loads none of these)
    from iki_xlsx.intake.status import StatusReport, Submission
    from iki_xlsx.rekap.build import RekapResult

SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class History:
    """Every file received (oldest first) and every message sent or tried."""

    submissions: list[Submission] = field(default_factory=list)
    mail: list[dict[str, Any]] = field(default_factory=list)


class Reporting(OfficeContext):
    def status(self) -> StatusReport:
        """Per blueprint and period, every unit the register expects and its state.
        Refused (usage) while the store holds nothing."""
        from iki_xlsx.intake.status import status

        return status(self.records())

    def values(self, *, blueprint: str | None = None, periode: int | None = None
               ) -> list[dict[str, Any]]:
        """Every input value of the latest accepted return of each unit (one row each, the
        recap's value table), of one blueprint and period when given; none while nothing was
        received."""
        if not self.has_records:
            return []
        import json

        from iki_xlsx.rekap.build import tidy_values  # pandas: only when asked

        frame = tidy_values(self.records(), periode)
        if blueprint is not None:
            frame = frame[frame["blueprint"] == blueprint]
        rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
        return rows

    def history(self, unit: str | None = None) -> History:
        """Every submission (of one unit, by kode) and every message of the send log."""
        from iki_xlsx.intake.status import history
        from iki_xlsx.mail.outbox import sent_mail

        store = self.records()
        return History(history(store, unit), sent_mail(store, unit))

    def recap(self, *, blueprint: str | None = None, periode: int | None = None,
              out: Path | None = None, csv_dir: Path | None = None,
              parquet_dir: Path | None = None,
              progress: Progress = no_progress,
              untuk_kabupaten: bool = False) -> RekapResult:
        """The recap of one blueprint and period from the latest accepted return of each unit,
        written to `out` (a .xlsx, or a folder; default: the layout's `rekap/`), with its value
        table as CSV and Parquet when asked, and its Ringkasan table as data. With
        `untuk_kabupaten`, the file for the kabupaten named by iki.toml's [induk] (a usage
        error without it)."""
        from iki_xlsx.rekap.build import write_rekap  # pandas: only for a recap
        from iki_xlsx.rekap.rollup.kiriman import Tujuan

        tujuan = None
        if untuk_kabupaten:
            induk = self.config.induk if self.config is not None else None
            if induk is None:
                raise UsageError("rekap untuk kabupaten perlu bagian [induk] di iki.toml: "
                                 "kabupaten = \"Kabupaten ...\" dan kode = \"KODE kantor "
                                 "di kantor.csv kabupaten\"")
            tujuan = Tujuan(induk.kabupaten, induk.kode)

        store = self.records()
        target = out or self._recaps()
        return write_rekap(store, self.blueprint_index(), target, periode=periode,
                           blueprint=blueprint, csv_dir=csv_dir, parquet_dir=parquet_dir,
                           pengesahan=self.pengesahan, progress=progress, tujuan=tujuan)

    def recap_folder(self) -> Path:
        """Where the recap and its value tables go by default."""
        return self._recaps()

    def stored_file(self, sha256: str) -> Path | None:
        """The raw bytes of a return the store knows, by its SHA-256; None for anything else
        (no path from a request is ever opened)."""
        if not SHA256.match(sha256) or not self.has_records:
            return None
        store = self.store
        if not store.known(sha256):
            return None
        path = store.raw_path(sha256)
        return path if path.is_file() else None

    def stored_name(self, sha256: str) -> str:
        """The name a stored return was sent with."""
        if self.has_records:
            with self.store.connect():
                row = self.store.submission(sha256)
            if row is not None:
                return row.filename
        return f"{sha256[:16]}.xlsx"

    def annotated_copy(self, sha256: str) -> Path | None:
        """The annotated copy of a stored return that needs correction (made once, then
        kept), judged exactly as collect judged it: with the register, so a return made from
        an older blueprint version is re-planned from that version."""
        from iki_xlsx.intake.annotated import annotated_copy

        if self.stored_file(sha256) is None:
            return None
        return annotated_copy(self.store, sha256, self.stored_name(sha256), self.index(),
                              annotated_folder(self.annotations, sha256))

    def _recaps(self) -> Path:
        if self.outputs is None:
            raise UsageError("sebutkan -o BERKAS.xlsx, atau jalankan di dalam ruang kerja")
        return self.outputs.recaps
