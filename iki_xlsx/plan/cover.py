"""The sheets around the jabatan sheets: Petunjuk (with each jabatan's tugas and fungsi) and
Ringkasan.
"""

from __future__ import annotations

from collections.abc import Sequence

from iki_xlsx.blueprint.model import Blueprint, Jabatan
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.carriers import PERIODE_LABEL, UNIT_LABEL, periode_text, unit_text
from iki_xlsx.plan.columns import COL_NAMA, COL_SATUAN
from iki_xlsx.plan.formula import copy_of, sheet_prefix
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import Cell, Role, SheetPlan, meta_rows, ref, set_page, title_row
from iki_xlsx.plan.paging import FOOTER_SIZE
from iki_xlsx.plan.textfit import text_height


def footer_text(unit: Unit, title: str, bp: Blueprint) -> str:
    def esc(text: str) -> str:
        return text.replace("&", "&&")

    size = f"&{FOOTER_SIZE}"
    return (f"&L{size}{esc(unit.nama)} — {esc(title)}&C{size}Halaman &P dari &N"
            f"&R{size}{esc(bp.id)} versi {esc(bp.versi)}")


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {item}" for item in items) if items else "-"


def jabatan_text(jab: Jabatan) -> str:
    holders = f" ({jab.jumlah_pemangku} pemangku jabatan)" if jab.jumlah_pemangku > 1 else ""
    return f"{jab.nama}{holders}"


PETUNJUK_LINES = (
    "Lembar kerja ini berisi Indikator Kinerja Individu (IKI) yang harus diisi untuk periode "
    "di atas. Setiap jabatan memiliki lembar sendiri.",
    "1. Isilah hanya sel berwarna KUNING. Sel lain terkunci dan berisi rumus atau keterangan.",
    "2. Isi angka per periode (triwulan/semester) pada baris variabel. Realisasi, capaian dan "
    "predikat dihitung otomatis oleh rumus.",
    "3. Ketik angka tanpa titik ribuan dan tanpa satuan (contoh: 1250, bukan 1.250 orang). "
    "Untuk pilihan Ya/Tidak gunakan daftar pilihan pada sel.",
    "   Angka desimal mengikuti bahasa komputer Anda. Bila Excel/LibreOffice berbahasa "
    "Indonesia, pakai koma: 83,5. Bila berbahasa Inggris, pakai titik: 83.5. Bila isian "
    "desimal ditolak, coba tanda pemisah yang lain.",
    "4. Jangan menempel (paste) data dari berkas lain ke sel isian: tempelan dapat melewati "
    "pemeriksaan isian. Ketik nilainya langsung.",
    "5. Jangan mengganti nama lembar, menambah atau menghapus baris dan kolom. Perlindungan "
    "lembar hanya membantu pengisian; seluruh isian dan rumus diperiksa ulang oleh kecamatan.",
    "6. Simpan berkas dalam format .xlsx dan kirim kembali sebagai lampiran email ke kecamatan. "
    "Berkas yang perlu diperbaiki akan dikirim kembali dengan catatan pemeriksaan.",
    "7. Lembar Ringkasan menampilkan realisasi, capaian dan predikat semua indikator.",
)


PETUNJUK = ("PETUNJUK", "Petunjuk")  # (code, name) of the cover sheets of every workbook
RINGKASAN = ("RINGKASAN", "Ringkasan")


def petunjuk_sheet(bp: Blueprint, unit: Unit, periode: int,
              jabatan: Sequence[tuple[str, Jabatan]]) -> SheetPlan:
    code, name = PETUNJUK
    sheet = SheetPlan(code=code, name=name, kind="petunjuk",
                      title="Petunjuk Pengisian", footer=footer_text(unit, name, bp))
    sheet.col_widths = [4, 22, 96]
    title_row(sheet, "PETUNJUK PENGISIAN LEMBAR KERJA IKI", 2)
    meta = [("Kantor", bp.kantor + (f", {bp.wilayah}" if bp.wilayah else "")),
            (UNIT_LABEL, unit_text(unit, with_kode=True)),
            (PERIODE_LABEL, periode_text(bp, periode)),
            ("Blueprint", f"{bp.nama} — {bp.id} versi {bp.versi}")]
    if bp.dasar:
        meta.append(("Dasar", bp.dasar))
    for r, (label, value) in enumerate(meta, start=1):
        sheet.cells.append(Cell(ref(r, 1), Role.LABEL, f"meta/{r}", "meta_label", label))
        sheet.cells.append(Cell(ref(r, 2), Role.LABEL, f"meta/{r}/nilai", "meta_value", value))
        sheet.row_heights[r] = text_height(value, sheet.col_widths[2])
    start = len(meta) + 2
    for i, text in enumerate(PETUNJUK_LINES):
        sheet.cells.append(Cell(ref(start + i, 1), Role.LABEL, f"petunjuk/{i}", "text_plain",
                                text))
        sheet.merges.append(f"{ref(start + i, 1)}:{ref(start + i, 2)}")
        sheet.row_heights[start + i] = text_height(text, sheet.col_widths[1:])
    legend = start + len(PETUNJUK_LINES) + 1
    sheet.cells.append(Cell(ref(legend, 1), Role.LABEL, "legenda/isian", "legend_input",
                            "Sel isian"))
    sheet.cells.append(Cell(ref(legend, 2), Role.LABEL, "legenda/isian/teks", "text_plain",
                            "Diisi oleh unit pengisi."))
    sheet.cells.append(Cell(ref(legend + 1, 1), Role.LABEL, "legenda/rumus", "formula_text",
                            "Sel rumus"))
    sheet.cells.append(Cell(ref(legend + 1, 2), Role.LABEL, "legenda/rumus/teks", "text_plain",
                            "Dihitung otomatis; klik sel untuk melihat rumusnya."))
    blocks = _tugas_fungsi(sheet, jabatan, legend + 3)
    set_page(sheet, first_row=legend + 3, blocks=blocks)
    return sheet


def _tugas_fungsi(sheet: SheetPlan, jabatan: Sequence[tuple[str, Jabatan]],
                  row: int) -> list[tuple[int, int]]:
    """The decree's tugas and fungsi of every jabatan in the workbook, under the instructions
    (kept off the jabatan sheets so their first screen shows the inputs)."""
    if not jabatan:
        return []
    sheet.cells.append(Cell(ref(row, 1), Role.LABEL, "tugas-fungsi/judul", "block_title",
                            "TUGAS DAN FUNGSI JABATAN"))
    sheet.merges.append(f"{ref(row, 1)}:{ref(row, 2)}")
    sheet.row_heights[row] = 20
    row += 1
    blocks = []
    for i, (name, jab) in enumerate(jabatan):
        first = row - 1 if i == 0 else row  # the section title stays with the first jabatan
        heading = f"{jabatan_text(jab)} (lembar {name})"
        sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"tugas-fungsi/{jab.id}",
                                "realisasi_label", heading))
        sheet.merges.append(f"{ref(row, 1)}:{ref(row, 2)}")
        sheet.row_heights[row] = text_height(heading, sheet.col_widths[1:], bold=True)
        for label, items in (("Tugas", jab.tugas), ("Fungsi", jab.fungsi)):
            row += 1
            text = _bullets(items)
            sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"tugas-fungsi/{jab.id}/{label}",
                                    "text_bold", label))
            sheet.cells.append(Cell(ref(row, 2), Role.LABEL,
                                    f"tugas-fungsi/{jab.id}/{label}/isi", "text", text))
            sheet.row_heights[row] = text_height(text, sheet.col_widths[2])
        blocks.append((first, row))
        row += 2
    return blocks


RINGKASAN_HEADERS = ("No", "Jabatan", "Indikator", "Satuan", "Target", "Realisasi",
                     "Capaian (%)", "Predikat")


def ringkasan_sheet(
    bp: Blueprint, unit: Unit, periode: int, indicator_sheets: Sequence[SheetPlan]
) -> SheetPlan:
    code, name = RINGKASAN
    sheet = SheetPlan(code=code, name=name, kind="ringkasan",
                      title="Ringkasan Capaian", footer=footer_text(unit, name, bp))
    sheet.col_widths = [4, 30, 46, 9, 10, 11, 10, 13]
    last_col = len(RINGKASAN_HEADERS) - 1
    title_row(sheet, "RINGKASAN CAPAIAN INDIKATOR KINERJA", last_col)
    meta_rows(sheet, [("Kantor", bp.kantor), (UNIT_LABEL, unit_text(unit)),
                       (PERIODE_LABEL, periode_text(bp, periode))], last_col,
              sheet.col_widths[2:])
    header_row = 5
    for c, text in enumerate(RINGKASAN_HEADERS):
        sheet.cells.append(Cell(ref(header_row, c), Role.LABEL, f"kepala/{c}", "header", text))
    sheet.freeze = (header_row + 1, 0)
    sheet.repeat_rows = (header_row, header_row)
    row = header_row + 1
    number = 0
    for source in indicator_sheets:
        quoted = sheet_prefix(source.name)
        by_key = source.cells_by_key()
        for cell in source.cells:
            found = PlanKey.try_parse(cell.key)
            if found is None or (found.name, found.part) != ("realisasi", "label"):
                continue
            number += 1
            name_cell = by_key[str(found.row("kolom", str(COL_NAMA)))]
            satuan_cell = by_key[str(found.row("kolom", str(COL_SATUAN)))]
            key = f"ringkasan/{found.base}"
            sheet.cells.append(Cell(ref(row, 0), Role.LABEL, f"{key}/no", "text_center",
                                    str(number)))
            sheet.cells.append(Cell(ref(row, 1), Role.LABEL, f"{key}/jabatan", "text",
                                    source.title))
            sheet.cells.append(Cell(ref(row, 2), Role.LABEL, f"{key}/indikator", "text",
                                    name_cell.value))
            sheet.cells.append(Cell(ref(row, 3), Role.LABEL, f"{key}/satuan", "text_center",
                                    satuan_cell.value))
            realisasi_style = by_key[str(found.row("realisasi", "tahunan"))].style
            for col, shown, style in ((4, found.row("target"), "formula_number"),
                                      (5, found.row("realisasi", "tahunan"), realisasi_style),
                                      (6, found.row("capaian"), "formula_pct"),
                                      (7, found.row("predikat"), "formula_text")):
                target = by_key[str(shown)]
                part = shown.name + (f"/{shown.part}" if shown.part else "")
                sheet.cells.append(Cell(ref(row, col), Role.FORMULA, f"{key}/{part}", style,
                                        formula=copy_of(quoted + target.ref)))
            sheet.row_heights[row] = max(text_height(str(name_cell.value), sheet.col_widths[2]),
                                         text_height(source.title, sheet.col_widths[1]))
            row += 1
    set_page(sheet, first_row=header_row + 1)
    return sheet
