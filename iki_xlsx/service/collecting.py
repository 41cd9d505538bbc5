"""Collect and check: returns taken from files, an upload, or the IMAP mailbox, each kept byte
for byte, checked against the office's blueprints and register, and recorded; and `periksa`,
which checks files without keeping them.

Each collect is one run of `intake.collect` (or `mail.imap`): one lock on the store, one tidy,
the register applied under that lock."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.service.context import OfficeContext

if TYPE_CHECKING:  # each use case imports what it runs: `periksa` loads no intake nor IMAP
    from iki_xlsx.check import CheckReport
    from iki_xlsx.intake.collect import CollectResult
    from iki_xlsx.mail.imap import ImapAccount

UPLOADS_NAME = ".unggah"  # uploads wait in the store's folder until they are collected


class Collecting(OfficeContext):
    def collect(self, sources: Sequence[Path], *, progress: Progress = no_progress,
                result: CollectResult | None = None, answer: bool = False) -> CollectResult:
        """Keep, check and record every workbook in `sources` (files, folders, zip, eml,
        mbox). A face that shows verdicts while the rest is checked passes its `result`.
        With `answer`, the answer each new return calls for is owed in the store (`answer`
        of the sending use cases sends it)."""
        from iki_xlsx.intake.collect import collect

        return self._received(collect(sources, self.store, self.blueprint_index(), progress,
                                      result, answer=answer, pool=self.runtime.checkers,
                                      warm=self.warm_dir))

    def upload_folder(self, name: str) -> Path:
        """Where the upload `name` (a name the server chose) is streamed before collecting."""
        return self.store.folder / UPLOADS_NAME / name

    def collect_upload(self, folder: Path, files: Sequence[tuple[str, Path]], *,
                       progress: Progress = no_progress,
                       result: CollectResult | None = None) -> CollectResult:
        """Collect an upload streamed into `folder`, each file given as (the name the browser
        sent, where it was kept): every upload is kept and recorded under the name it was sent
        with, one that is no workbook too. Then the copies are dropped: the store keeps every
        file byte for byte."""
        from iki_xlsx.intake.collect import collect_uploads

        try:
            return self._received(collect_uploads(files, self.store, self.blueprint_index(),
                                                  progress, result, pool=self.runtime.checkers,
                                                  warm=self.warm_dir))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def collect_imap(self, account: ImapAccount, *, since: datetime.date | None = None,
                     progress: Progress = no_progress, answer: bool = False) -> CollectResult:
        """Collect the workbook attachments of the mailbox's messages not taken before (with
        `answer`, owing each its answer as `collect` does)."""
        from iki_xlsx.mail.imap import collect_imap

        return self._received(collect_imap(account, self.store, self.blueprint_index(), since,
                                           progress=progress, answer=answer,
                                           pool=self.runtime.checkers, warm=self.warm_dir))

    def _received(self, result: CollectResult) -> CollectResult:
        """Each return taken in, with its verdict, into the audit trail."""
        from iki_xlsx.audit.kinds import AuditKind

        for filename, sha256, verdict in result.added:
            row = self.store.submission(sha256)
            self.audited(AuditKind.RECEIVE, f"Berkas {filename} diterima: {verdict.label}",
                         blueprint=row.blueprint if row else None,
                         periode=row.periode if row else None,
                         unit=row.unit_kode if row else None,
                         details={"sha256": sha256, "putusan": verdict.label,
                                  "pengirim": row.sender if row else None},
                         ref=f"submission:{row.id}" if row else None)
        return result

    def check(self, files: Sequence[Path], *, annotate_dir: Path | None = None,
              progress: Progress = no_progress) -> CheckReport:
        """Check returned workbooks without keeping them, judged by the register when the
        office's store has one; `annotate_dir` receives a copy of each that needs correction."""
        from iki_xlsx.check import CheckReport, iter_check

        index = self.index()
        checked = []
        for result in iter_check(list(files), index, annotate_dir, warm=self.warm_dir):
            checked.append(result)
            progress(1)
        return CheckReport(checked)
