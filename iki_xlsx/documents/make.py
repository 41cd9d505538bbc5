"""Making the office's documents from the store: the Perjanjian Kinerja, the quarter's
measurement and the LKjIP Bab III tables, each written as a Word document and as a workbook
with live formulas; and the SKP/e-Kinerja export. Library calls: data in, results out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.findings import Code, Finding, os_reason
from iki_xlsx.documents.lkjip import lkjip_document
from iki_xlsx.documents.model import Document
from iki_xlsx.documents.office import Listed, Office, office_indicators
from iki_xlsx.documents.pengukuran import pengukuran_document
from iki_xlsx.documents.pk import pk_document
from iki_xlsx.documents.word import write_docx
from iki_xlsx.documents.workbook import evaluate, write_document_workbook
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.store.db import Store
from iki_xlsx.targets.archive import versions
from iki_xlsx.targets.model import KindOfVersion, TargetVersion
from iki_xlsx.years.figures import Comparison, Presence, compare, year_figures


@dataclass
class Made:
    """A document written (its Word file and its workbook), or why not."""

    document: Document | None = None
    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.files) and not self.findings


def write_document(document: Document, folder: Path) -> Made:
    """The document computed once, then written as `<stem>.docx` and `<stem>.xlsx`."""
    made = Made(document)
    plan, values, shown = evaluate(document)
    for suffix in (".docx", ".xlsx"):
        target = folder / f"{document.stem}{suffix}"
        try:
            if suffix == ".docx":
                made.files.append(write_docx(document, shown, target))
            else:
                made.files.append(write_document_workbook(plan, values, target))
        except OSError as exc:
            made.findings.append(Finding.of(Code.OUTPUT_NOT_WRITABLE.message(
                alasan=os_reason(exc)), file=str(target)))
            break
    return made


def pk_version(store: Store, bp_id: str, tahun: int, perubahan: bool
               ) -> tuple[TargetVersion | None, list[Finding]]:
    """The version a PK is made of: the latest murni (by its date), or the latest perubahan."""
    kind = KindOfVersion.PERUBAHAN if perubahan else KindOfVersion.MURNI
    mine = sorted((v for v in versions(store, bp_id, tahun) if v.jenis is kind),
                  key=lambda v: (v.tanggal, v.urutan))
    if mine:
        return mine[-1], []
    return None, [Finding.of(Code.DOKUMEN_NO_TARGET.message(jenis=str(kind), tahun=tahun,
                                                            blueprint=bp_id))]


def make_pk(store: Store, index: BlueprintIndex, office: Office, bp_id: str, tahun: int,
            perubahan: bool, folder: Path) -> Made:
    version, findings = pk_version(store, bp_id, tahun, perubahan)
    if version is None:
        return Made(findings=findings)
    return write_document(pk_document(index.by_id[bp_id], version, office), folder)


def make_pengukuran(store: Store, index: BlueprintIndex, office: Office, bp_id: str,
                    tahun: int, period: int, folder: Path) -> Made:
    current = year_figures(store, index, bp_id, tahun, period)
    previous = year_figures(store, index, bp_id, tahun - 1, period)
    items = office_indicators(current.blueprint)
    return write_document(pengukuran_document(current, previous, office, items), folder)


def comparison_of(store: Store, index: BlueprintIndex, bp_id: str, tahun: int) -> Comparison:
    """The whole year beside the year before."""
    return compare(year_figures(store, index, bp_id, tahun - 1),
                   year_figures(store, index, bp_id, tahun))


def dropped_items(bp: Blueprint, comparison: Comparison) -> list[Listed]:
    """Last year's indicators this year no longer has, as the documents list them (IKU only
    when the office's indicators are its IKU table)."""
    iku_only = bp.iku is not None
    return [Listed(row.key, row.jabatan, row.indikator) for row, presence in comparison.rows
            if presence is Presence.DROPPED and (not iku_only or row.jabatan is None)]


def make_lkjip(store: Store, index: BlueprintIndex, office: Office, bp_id: str, tahun: int,
               folder: Path) -> Made:
    comparison = comparison_of(store, index, bp_id, tahun)
    bp = comparison.current.blueprint
    return write_document(lkjip_document(comparison, office, office_indicators(bp),
                                         dropped_items(bp, comparison)), folder)

