"""The Perjanjian Kinerja (PermenPANRB 53/2014): the statement the camat (first party) signs with
the bupati (second party), and its lampiran of sasaran, indikator, satuan, the year's target and
the target of each triwulan (the rencana aksi), from a recorded target version: the murni, or
with `perubahan` the latest perubahan."""

from __future__ import annotations

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.dates import tanggal
from iki_xlsx.documents.model import (
    Block,
    Column,
    DocTable,
    Document,
    Parties,
    Section,
    Signatures,
    TableCell,
    Text,
    satuan_column,
)
from iki_xlsx.documents.office import Office, Person, by_sasaran, office_indicators
from iki_xlsx.targets.model import KindOfVersion, TargetVersion, Typing, typing_of

UNKNOWN = Person("....................", "....................")


def pk_document(bp: Blueprint, version: TargetVersion, office: Office) -> Document:
    """The PK of `version`'s year: statement page (portrait) and lampiran (landscape)."""
    tahun = version.tahun
    perubahan = version.jenis is KindOfVersion.PERUBAHAN
    title = f"PERJANJIAN KINERJA {'PERUBAHAN ' if perubahan else ''}TAHUN {tahun}"
    first, second = office.first or UNKNOWN, office.second or UNKNOWN
    place = f"{office.kota}, {tanggal(version.tanggal)}"
    signatures = Signatures([second.block("", "Pihak Kedua,"),
                             first.block(place, "Pihak Pertama,")])
    statement: list[Block] = [
        office.letterhead,
        Text(title, "title"),
        Text(office.kantor.upper(), "subtitle"),
        Text(""),
        Text("Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan, dan "
             "akuntabel serta berorientasi pada hasil, kami yang bertanda tangan di bawah ini:"),
        Parties([("Nama", first.nama), ("Jabatan", first.jabatan)]),
        Text("selanjutnya disebut pihak pertama"),
        Parties([("Nama", second.nama), ("Jabatan", second.jabatan)]),
        Text("selaku atasan pihak pertama, selanjutnya disebut pihak kedua"),
        Text(f"Pihak pertama berjanji akan mewujudkan target kinerja tahun {tahun} sesuai "
             "lampiran perjanjian ini, dalam rangka mencapai target kinerja jangka menengah "
             "seperti yang telah ditetapkan dalam dokumen perencanaan. Keberhasilan dan "
             "kegagalan pencapaian target kinerja tersebut menjadi tanggung jawab kami."),
        Text("Pihak kedua akan melakukan supervisi yang diperlukan serta akan melakukan "
             "evaluasi terhadap capaian kinerja dari perjanjian ini dan mengambil tindakan yang "
             "diperlukan dalam rangka pemberian penghargaan dan sanksi."),
        *([Text(f"Perjanjian kinerja perubahan ini dibuat karena: {version.alasan}.")]
          if perubahan else []),
        Text(""),
        signatures,
    ]
    lampiran: list[Block] = [
        Text(f"LAMPIRAN {title}", "subtitle"),
        Text(f"{office.kantor.upper()}", "subtitle"),
        Text(""),
        lampiran_table(bp, version),
        signatures,
    ]
    return Document(
        stem=f"PK_{'perubahan' if perubahan else 'murni'}_{bp.id}_{tahun}", title=title.title(),
        kantor=office.kantor, tahun=tahun, about=f"Target: {version_words(version)}",
        sections=[Section(statement), Section(lampiran, landscape=True)],
        blueprint=bp.id, versi=bp.versi, blueprint_hash=bp.content_hash())


def version_words(version: TargetVersion) -> str:
    return (f"{version.name}; alasan: {version.alasan}; berkas {version.filename} "
            f"(SHA-256 {version.sha256[:16]})")


def lampiran_table(bp: Blueprint, version: TargetVersion) -> DocTable:
    periods = bp.periods if len(bp.periods) > 1 else ()
    columns = [Column("No", 1.0, "center"), Column("Sasaran", 4.8),
               Column("Indikator Kinerja", 6.6),
               satuan_column(), Column(f"Target {version.tahun}", 1.8, "number"),
               *[Column(p, 1.6, "number") for p in periods],
               Column("Keterangan", 2.3, "center")]
    groups = ([("", 1), ("", 1), ("", 1), ("", 1), ("", 1), ("Target per periode (rencana aksi)",
                                                             len(periods)), ("", 1)]
              if periods else ())
    table = DocTable("PK", "Lampiran PK", f"Lampiran: sasaran, indikator dan target tahun "
                     f"{version.tahun}", columns, groups=groups,
                     notes=["Target per periode: 'dijumlah' bila target setiap periode "
                            "dijumlah menjadi target setahun; 'kumulatif' bila target periode "
                            "adalah tingkat yang dicapai s.d. akhir periode itu.",
                            f"Sumber target: {version_words(version)}."])
    number = 0
    for sasaran, items in by_sasaran(office_indicators(bp)):
        for index, item in enumerate(items):
            number += 1
            target = version.target(item.key)
            typing = typing_of(item.indikator)
            annual = target.tahunan if target else item.indikator.target
            quarters = list(target.periods) if target and periods else [None] * len(periods)
            table.rows.append([
                TableCell(str(number)),
                TableCell(sasaran, span=len(items)) if index == 0 else TableCell(span=0),
                TableCell(item.indikator.nama), TableCell(item.indikator.satuan),
                TableCell(annual), *[TableCell(q) for q in quarters],
                TableCell("dijumlah" if typing is Typing.PER_PERIOD else "kumulatif")])
    return table
