"""The workbooks as their readers meet them: the clerk's first screen, text that fits its
cells, legible print on A4, prompts that help. Bundled blueprints, 11 units and 400."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTPage
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.codes import CATALOG
from iki_xlsx.core.units import Unit, read_units
from iki_xlsx.intake.collect import collect
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.carriers import MANIFEST_SHEET
from iki_xlsx.plan.textfit import text_height
from iki_xlsx.rekap.build import write_rekap
from iki_xlsx.rekap.source import Pengesahan
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate, recipients, write_filled
from iki_xlsx.workbook.write import DECIMAL_HINT, NOTES_HEADERS, NOTES_SHEET
from tests import cetak400, libreoffice, pdfpages
from tests.cetak400 import LargeRecap, units_400
from tests.cli import iki
from tests.shared import built_once, by_content

from .conftest import ROOT, SAMPLES
from .xlsxgeometry import SCREEN_H, SCREEN_W, SheetGeometry, print_names
from .xlsxgeometry import read_geometry as _read_geometry

FORM_SHEETS = ("Petunjuk", "Ringkasan")


def read_geometry(path: Path) -> dict[str, SheetGeometry]:
    """The workbook's geometry, read once per file content in a run (several tests read each
    workbook; the 400-unit recap's takes seconds)."""
    return by_content("geometry", path, _read_geometry)


@dataclass
class Books:
    """Filled workbooks: per bundled blueprint, for 11 units, the office's and one unit's; the
    annotated copy; the 11-unit recap."""

    files: dict[str, Path]
    large: LargeRecap

    @property
    def forms(self) -> dict[str, Path]:
        """The workbooks sent to units (and annotated copies), not the recaps."""
        return {k: v for k, v in self.files.items() if not k.startswith("rekap-")}


def _units_11() -> list[Unit]:
    units, findings = read_units(SAMPLES / "kelurahan-kota.csv")
    assert not findings and len(units) == 11
    return units


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint],
          large_recap: LargeRecap) -> Books:
    """Written once per run (the LibreOffice tests and the others may run on two workers);
    the 400-unit recap comes from the job printing it beside the run (tests/cetak400.py),
    and only the tests that read it wait for it."""

    def build(folder: Path) -> None:
        # 11 units: what an office's workbook shows does not depend on how many units there
        # are (`test_an_office_workbook_for_400_units_shows_what_the_one_for_11_shows`)
        for bp_id, bp in blueprints.items():
            everyone = recipients(bp, _units_11())
            for who in (everyone[0], everyone[-1]):  # a kelurahan/desa and the office
                label = f"{bp_id}-11-{'kantor' if who.kantor else 'unit'}"
                write_filled(bp, who, everyone, 2026, folder / f"{label}.xlsx")
        annotated_copy(blueprints["iki-kecamatan-kota"], folder / "periksa").rename(
            folder / "catatan.xlsx")
        recap(blueprints, "iki-kecamatan-jabung", _units_11(), folder / "rekap-11").rename(
            folder / "rekap-jabung-11.xlsx")

    folder = built_once(tmp_path_factory, "layout", build)
    files = {path.stem: path for path in sorted(folder.glob("*.xlsx"))}
    return Books(files, large_recap)  # the 400-unit recap: `large.recap()`, when it is made


SIGNED = Pengesahan(**cetak400.SIGNED)
MOMENT = cetak400.MOMENT


def recap(blueprints: dict[str, Blueprint], bp_id: str, units: list[Unit],
          folder: Path) -> Path:
    """Every unit returns its sample-filled workbook; the recap is signed in Malang."""
    bp = blueprints[bp_id]
    made = generate(bp, units, 2026, folder / "kembali", sample=True)
    assert made.ok
    store = Store(folder / "simpan")
    collect(made.files, store, BlueprintIndex(blueprints.values()))
    result = write_rekap(store, BlueprintIndex(blueprints.values()), folder / "rekap.xlsx",
                         now=MOMENT, pengesahan=SIGNED)
    assert result.path is not None, [f.one_line() for f in result.findings]
    return result.path


def test_the_recap_opens_with_the_decree_and_ends_signed(
        books: Books, blueprints: dict[str, Blueprint]) -> None:
    ringkasan = read_geometry(books.files["rekap-jabung-11"])["Ringkasan"]
    labels = {text: r for (r, c), text in ringkasan.values.items() if c == 0}
    assert labels["Dasar"] == 1  # under the title
    assert ringkasan.values[(1, 2)] == blueprints["iki-kecamatan-jabung"].dasar
    assert ringkasan.values[(labels["Dibuat"], 2)] == "25 November 2026 pukul 01.40 WIB"
    column = [text for (r, c), text in sorted(ringkasan.values.items()) if c == 5]
    assert column[-4:] == ["Malang, 25 November 2026", "Camat Jabung,",
                           "Drs. Contoh Nama, M.Si", "NIP 197001011990031001"]
    assert max(r for r, c in ringkasan.values if c == 5) == max(r for r, _ in ringkasan.values)


def annotated_copy(bp: Blueprint, folder: Path) -> Path:
    """A return with three mistakes, checked by `periksa --annotate` as an operator would."""
    everyone = recipients(bp, _units_11())
    plan = plan_workbook(bp, everyone[0], 2026, everyone)
    keys = [cell.key for _, cell in plan.input_cells()]
    folder.mkdir(parents=True, exist_ok=True)
    wrong = write_filled(bp, everyone[0], everyone, 2026, folder / "kembali.xlsx",
                         {keys[0]: "12 orang", keys[5]: -4, keys[9]: "lima"})
    done = iki("periksa", str(wrong), "--annotate", str(folder / "catatan"), cwd=ROOT)
    assert done.returncode == 1, done.stderr
    return folder / "catatan" / "kembali_catatan.xlsx"


def test_an_office_workbook_for_400_units_shows_what_the_one_for_11_shows(
        books: Books, blueprints: dict[str, Blueprint], tmp_path: Path) -> None:
    """The office's workbook names its units only in its hidden manifest: for 400 units
    every other part of the file is the 11-unit one's byte for byte, and every sheet but the
    manifest reads alike (texts, sizes, merges, prompts, breaks). So what the tests here
    find of the 11-unit workbook (first view, prompts, page breaks, clipped text, printed
    pages, no finding code), they would find of the 400-unit one (it was read and printed
    beside it: its reading doubled the LibreOffice work for nothing new)."""
    bp = blueprints["iki-kecamatan-kota"]
    everyone = recipients(bp, units_400())
    large = write_filled(bp, everyone[-1], everyone, 2026, tmp_path / "kantor-400.xlsx")
    small = books.files["iki-kecamatan-kota-11-kantor"]
    parts = {}
    for path in (small, large):
        with zipfile.ZipFile(path) as archive:
            parts[path] = {name: archive.read(name) for name in archive.namelist()}
    assert parts[small].keys() == parts[large].keys()
    differ = {name for name in parts[small] if parts[small][name] != parts[large][name]}
    small_sheets, large_sheets = read_geometry(small), read_geometry(large)
    manifest = large_sheets.pop(MANIFEST_SHEET)
    assert small_sheets.pop(MANIFEST_SHEET) != manifest
    assert large_sheets == small_sheets and len(large_sheets) > 20
    assert any(everyone[-2].nama in text for text in manifest.values.values())
    assert differ == {"xl/sharedStrings.xml", sheet_part(large, MANIFEST_SHEET)}, differ


def sheet_part(path: Path, name: str) -> str:
    """The part of the xlsx at `path` holding the sheet called `name`."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): str(r.get("Target")) for r in rels}
    sheet = next(s for s in workbook.iter(f"{main}sheet") if s.get("name") == name)
    return "xl/" + targets[sheet.get(rel)].lstrip("/").removeprefix("xl/")


def test_the_annotated_copy_says_what_to_do_and_links_each_finding(books: Books) -> None:
    path = books.files["catatan"]
    sheets = read_geometry(path)
    notes = sheets[NOTES_SHEET]
    assert next(iter(sheets)) == NOTES_SHEET
    text = [notes.values.get((r, 0), "") for r in range(4)]
    assert text[0] == "CATATAN PEMERIKSAAN"
    assert "KUNING" in text[2] and "kirim kembali" in text[3]
    header = 5
    assert [notes.values[(header, c)] for c in range(5)] == list(NOTES_HEADERS)
    rows = [[notes.values.get((r, c), "") for c in range(6)] for r in range(header + 1,
                                                                          header + 4)]
    assert [r[1] for r in rows] == [CATALOG["invalid-input"].title] * 3
    assert [r[5] for r in rows] == [""] * 3  # no code column: codes are the operator's
    assert "'12 orang' bukan angka" in rows[0][4]
    links = hyperlinks(path, NOTES_SHEET)
    assert [links[(header + 1 + i, 3)] for i in range(3)] == [
        f"'{rows[i][2]}'!{cell}" for i, cell in enumerate(("F7", "G9", "G10"))]


def test_no_finding_code_reaches_a_clerk(books: Books,
                                         generated: dict[tuple[str, bool], list[Path]]) -> None:
    """Codes (`invalid-input`, `blank-return`, ...) are for operators and the log: no part of
    a workbook a clerk receives (blank, filled, the annotated copy) holds one."""
    codes = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, CATALOG)) + r")(?![\w-])")
    sent = [*books.forms.values(), *(p for files in generated.values() for p in files)]
    found = {}
    for path in sent:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                hits = codes.findall(archive.read(name).decode("utf-8", "replace"))
                if hits:
                    found[f"{path.name}:{name}"] = sorted(set(hits))
    assert found == {}
    assert books.files["catatan"] in sent and len(sent) > 10


def hyperlinks(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    import openpyxl

    ws = openpyxl.load_workbook(path)[sheet]
    return {(c.row - 1, c.column - 1): c.hyperlink.location for row in ws.iter_rows()
            for c in row if c.hyperlink is not None}


def indicator_sheets(path: Path) -> Iterator[SheetGeometry]:
    for name, geometry in read_geometry(path).items():
        if name not in FORM_SHEETS and geometry.frozen != (0, 0):
            yield geometry


def first_view_problems(g: SheetGeometry) -> list[str]:
    """What a clerk at 100 % on 1366x768 cannot see without scrolling."""
    rows, _ = g.frozen
    problems = []
    if g.bottom_px(rows - 1) > SCREEN_H / 3:
        problems.append(f"frozen rows take {g.bottom_px(rows - 1):.0f} px of {SCREEN_H}")
    header = {c: text for (r, c), text in g.values.items() if r == rows - 1}
    if header.get(1) != "Indikator":
        problems.append(f"no header row above the first indicator: {header}")
    top, _, bottom, _ = g.merge_at(rows, 1)
    if g.bottom_px(top) > SCREEN_H or g.right_px(1) > SCREEN_W:
        problems.append("the first indicator's name is off screen")
    inputs = sorted(c for c in g.unlocked if top <= c[0] <= bottom)
    if not inputs:
        return [*problems, "no input cell in the first indicator"]
    first_row = inputs[0][0]
    if g.bottom_px(first_row) > SCREEN_H:
        problems.append(f"the first inputs (row {first_row + 1}) end at "
                        f"{g.bottom_px(first_row):.0f} px")
    widest = max(c for _, c in inputs)
    if g.right_px(widest) > SCREEN_W:
        problems.append(f"input column {widest + 1} ends at {g.right_px(widest):.0f} px")
    missing = [c for _, c in inputs if c not in header]
    if missing:
        problems.append(f"input columns without a header: {missing}")
    predikat = next((c for c, text in header.items() if text == "Predikat"), None)
    if predikat is None or g.right_px(predikat) > SCREEN_W:
        problems.append(f"the Predikat column ends at "
                        f"{g.right_px(predikat or 0):.0f} px" if predikat else "no Predikat")
    return problems


def rows_sized_off_screen(g: SheetGeometry) -> list[int]:
    """Rows of period inputs taller than what the first screen shows of them needs (their
    Uraian label in column C): such a row was sized for a text off the screen, and pushes
    the next indicators down. (A block's last row, its realisasi with the target a unit may
    type, takes what the block's long texts need beyond its rows.)"""
    rows, _ = g.frozen
    uraian = 2
    target = next(c for (r, c), text in g.values.items() if r == rows - 1 and text == "Target")
    tall = []
    for row in sorted({r for r, c in g.unlocked if r >= rows and c != target}):
        label = g.values.get((row, uraian), "")
        need = text_height(label, g.widths.get(uraian, g.default_width) - 5 / 7)
        if g.heights.get(row, g.default_height) > max(need, 15.0) + 0.5:
            tall.append(row + 1)
    return tall


def test_first_view_shows_headers_name_and_inputs(books: Books) -> None:
    """Every jabatan sheet of every bundled blueprint at 1,250 x 500 px: the head, the first
    indicator's name and inputs, and the Predikat column, in the wider of the two clients."""
    seen = 0
    for label, path in books.forms.items():
        for sheet in indicator_sheets(path):
            seen += 1
            assert first_view_problems(sheet) == [], (label, sheet.name)
            assert rows_sized_off_screen(sheet) == [], (label, sheet.name)
    assert seen > 20


def test_tugas_and_fungsi_stay_in_the_workbook(books: Books,
                                                blueprints: dict[str, Blueprint]) -> None:
    petunjuk = read_geometry(books.files["iki-kecamatan-kota-11-kantor"])["Petunjuk"]
    text = "\n".join(petunjuk.values.values())
    for jab in blueprints["iki-kecamatan-kota"].jabatan:
        for item in (*jab.tugas, *jab.fungsi):
            assert item in text


def test_prompt_titles_cut_at_a_word_and_messages_complete(books: Books) -> None:
    checked = 0
    for path in books.files.values():
        for sheet in read_geometry(path).values():
            for dv in sheet.validations:
                checked += 1
                assert 0 < len(dv.title) <= 32, dv.title
                assert len(dv.prompt) <= 255, dv.prompt
                label = dv.title.removesuffix("…")
                if dv.title.endswith("…"):  # cut between words, and the message says it all
                    full = dv.prompt.split(". ")[0]
                    assert full.startswith(label), (dv.title, full)
                    assert not full[len(label)].isalnum(), (dv.title, full)
                assert dv.prompt.startswith(label), (dv.title, dv.prompt)
                assert dv.prompt.count("Wajib diisi") + dv.prompt.count(
                    "Boleh dikosongkan.") == 1, dv.prompt
                if "Isi angka" in dv.prompt:
                    assert DECIMAL_HINT in dv.prompt
                if dv.prompt.count("Pilih dari daftar"):
                    assert "Ya atau Tidak" in dv.prompt or " atau " in dv.prompt
    assert checked > 900  # every validation of the seven workbooks (952)


# --- LibreOffice: what is shown and printed --------------------------------------------------


@dataclass
class Rendered:
    clipped: dict[str, dict[str, object]]
    pdfs: dict[str, Path]


@pytest.fixture(scope="session")
def rendered(books: Books, tmp_path_factory: pytest.TempPathFactory,
             office_port: int) -> Rendered:
    folder = tmp_path_factory.mktemp("pdf")
    # the 400-unit recap is printed in a LibreOffice of its own beside the other tests
    # (tests/cetak400.py)
    shown = books.files
    pdfs = {label: folder / f"{label}.pdf" for label in shown}
    out = libreoffice.read_values(office_port, list(shown.values()), {}, "never",
                                  pdf={shown[k]: v for k, v in pdfs.items()}, fit=True)
    clipped = {label: out[str(path.resolve())] for label, path in shown.items()}
    return Rendered(clipped, pdfs)


def test_no_text_is_clipped_in_libreoffice(rendered: Rendered) -> None:
    assert {label: cells for label, cells in rendered.clipped.items() if cells} == {}


def page_sizes(pdf: Path) -> list[tuple[int, str, float, float]]:
    """Per page: its text, the smallest body character and the smallest footer character
    (in pt on paper), as poppler reads them (tests/pdfpages.py: once per PDF in a run;
    `test_poppler_reads_the_sizes_pdfminer_reads` holds them to pdfminer's)."""
    return [(page.number, page.text, *page.smallest) for page in pdfpages.pages(pdf)]


def page_sizes_pdfminer(pdf: Path, numbers: list[int]) -> Iterator[tuple[int, float, float]]:
    """Per page of `numbers` (from 1, ascending): the smallest body and footer character as
    pdfminer reads them: exact sizes, a tenth of a second or more a page. Its characters as
    the page draws them, without the layout analysis that groups them into lines and boxes
    (the same characters, a third less time)."""
    with pdf.open("rb") as handle:
        resources = PDFResourceManager()
        device = PDFPageAggregator(resources, laparams=None)
        interpreter = PDFPageInterpreter(resources, device)
        chosen = PDFPage.get_pages(handle, pagenos={n - 1 for n in numbers})
        for number, page in zip(numbers, chosen, strict=True):
            interpreter.process_page(page)
            drawn = device.get_result()
            assert isinstance(drawn, LTPage)
            body, footer = 99.0, 99.0
            for char in drawn:
                if isinstance(char, LTChar) and char.get_text().strip():
                    if char.y0 < 0.75 * 72:  # the footer band
                        footer = min(footer, char.size)
                    else:
                        body = min(body, char.size)
            yield number, body, footer


def test_printed_text_is_legible_on_every_page(rendered: Rendered) -> None:
    small = []
    pages = 0
    for label, pdf in rendered.pdfs.items():
        if label.startswith("rekap-"):
            continue
        for number, _, body, footer in page_sizes(pdf):
            pages += 1
            if body < 8.0 - 0.05 or footer < 7.0 - 0.05:
                small.append((label, number, round(body, 2), round(footer, 2)))
    assert small == []
    assert pages > 30


def test_every_printed_indicator_page_repeats_the_headers(rendered: Rendered) -> None:
    for label, pdf in rendered.pdfs.items():
        if label.startswith("rekap-"):
            continue  # the recap's sheets: their print titles are checked from the file
        for number, text, _, _ in page_sizes(pdf):
            if "INDIKATOR KINERJA INDIVIDU" in text or "Halaman" not in text:
                continue
            if "Rata-rata capaian" in text or "TW I" in text or "Formulasi" in text:
                assert "Indikator" in text, (label, number)


def test_the_printed_reference_pages_show_the_head_with_its_values(rendered: Rendered) -> None:
    """The decree's columns print on pages of their own: their head shows Kantor, Unit
    pengisi and Periode with the values, not the labels alone."""
    seen = 0
    for label, pdf in rendered.pdfs.items():
        if label.startswith("rekap-") or label == "catatan":
            continue
        for _, text, _, _ in page_sizes(pdf):
            if "Formulasi Perhitungan" not in text or "Unit pengisi" not in text:
                continue
            seen += 1
            assert "Tahun 2026 (realisasi" in text and "Kecamatan" in text, (label, text[:300])
    assert seen > 10


def test_page_breaks_fall_between_indicators(books: Books) -> None:
    for label, path in books.forms.items():
        for sheet in indicator_sheets(path):
            first = sheet.frozen[0]
            for brk in sheet.row_breaks:
                top, _, bottom, _ = sheet.merge_at(brk, 1)
                starts_block = (top, bottom) != (brk, brk) or (brk, 1) in sheet.values
                inside = any(m[0] < brk <= m[2] and m[1] == 1 for m in sheet.merges)
                tall = inside and next(
                    sum(sheet.row_px(r) for r in range(m[0], m[2] + 1)) for m in sheet.merges
                    if m[0] < brk <= m[2] and m[1] == 1) > 400 * 4 / 3
                assert brk > first and (starts_block or not inside or tall), (label,
                                                                             sheet.name, brk)
            assert not sheet.fit_to_width and sheet.scale >= 80, (label, sheet.name)


def test_the_printed_recap_is_legible_on_every_page(rendered: Rendered) -> None:
    small = [(number, round(body, 2), round(footer, 2))
             for number, _, body, footer in page_sizes(rendered.pdfs["rekap-jabung-11"])
             if body < 8.0 - 0.05 or footer < 7.0 - 0.05]
    assert small == []


def test_poppler_reads_the_sizes_pdfminer_reads(rendered: Rendered) -> None:
    """The sizes the legibility tests read through poppler are pdfminer's within its third of
    a point: on every page of a unit's workbook, and on the first and the last page of each
    sheet of the 11-unit recap (its Data sheet's 65 pages repeat one row layout)."""
    for label in ("iki-kecamatan-jabung-11-unit", "rekap-jabung-11"):
        pdf = rendered.pdfs[label]
        fast = [(n, body, footer) for n, _, body, footer in page_sizes(pdf)]
        numbers = [n for n, *_ in fast]
        if label.startswith("rekap-"):
            numbers = first_and_last_of_each_sheet(pdfpages.pages(pdf))
            assert len(numbers) > 30, numbers
        exact = list(page_sizes_pdfminer(pdf, numbers))
        fast = [f for f in fast if f[0] in numbers]
        assert [n for n, *_ in fast] == [n for n, *_ in exact] == numbers, label
        assert all(abs(a - b) <= 0.4 for f, s in zip(fast, exact, strict=True)
                   for a, b in zip(f[1:], s[1:], strict=True) if b < 99), (label, fast, exact)
        assert sum(1 for _, body, _ in exact if body < 99) > 10, label


def first_and_last_of_each_sheet(pages: tuple[pdfpages.Page, ...]) -> list[int]:
    """The number of each sheet's first and last printed page, by the sheet its footer names
    ("<recap> — <sheet> Halaman n dari m")."""
    sheets: dict[str, list[int]] = {}
    for page in pages:
        named = re.search(r"— (.+?)\s+Halaman", page.footer)
        assert named is not None, (page.number, page.footer)
        sheets.setdefault(named.group(1), []).append(page.number)
    return sorted({n for numbers in sheets.values() for n in (numbers[0], numbers[-1])})


# --- the 400-unit recap, last: its job may still be printing it ------------------------------


def test_a_large_recap_prints_legibly(books: Books) -> None:
    """400 units: every sheet at a fixed scale of at least 80 % (10 pt body -> 8 pt), never
    shrunk to one page wide, header rows repeated, long tables broken into pages."""
    sheets = read_geometry(books.large.recap())
    for name, sheet in sheets.items():
        assert not sheet.fit_to_width and sheet.scale >= 80, name
        if sheet.frozen[0] > 1:
            assert sheet.print_titles, name
    assert max(len(s.row_breaks) for s in sheets.values()) >= 10


def test_the_unit_chart_of_a_large_recap_shows_every_unit(books: Books) -> None:
    """400 units: on each jabatan sheet, horizontal bar charts of at most 20 units each (every
    name labelled across, never skipped or rotated) whose categories together are the 400
    units of the summary table in order, each chart whole on a printed page. (The charts,
    their anchors and the names as the file holds them, read from its XML with the rest of
    its geometry: openpyxl took seconds to load the whole workbook for them.)"""
    geometry = read_geometry(books.large.recap())
    names = [u.nama for u in units_400()]
    sheets = 0
    for name, sheet in geometry.items():
        charts = [c for c in sheet.charts if "Capaian per unit" in c.title]
        if not charts:
            continue
        sheets += 1
        shown: list[str | None] = []
        for chart in charts:
            assert chart.kind == "barChart" and chart.bar_dir == "bar"
            rows = [int(n) for n in re.findall(r"\$(\d+)", chart.categories)]
            rows = rows if len(rows) == 2 else rows * 2  # one unit: a single cell
            assert rows[1] - rows[0] + 1 <= 20, name
            shown += [sheet.values.get((r - 1, 1)) for r in range(rows[0], rows[1] + 1)]
            assert not [b for b in sheet.row_breaks if chart.top < b <= chart.bottom], name
        assert shown == names, name
    assert sheets >= 3


def test_the_printed_400_unit_recap_is_legible_on_every_page(large_recap: LargeRecap) -> None:
    """Every page of the 400-unit recap but its Data sheet as LibreOffice prints it: body text
    at least 8 pt, footers at least 7 pt (printed by the job the run started beside the other
    tests)."""
    sizes = page_sizes(large_recap.pdf())
    assert [(n, round(body, 2), round(footer, 2)) for n, _, body, footer in sizes
            if body < 8.0 - 0.05 or footer < 7.0 - 0.05] == []
    assert len(sizes) > 300  # every jabatan sheet of 400 units (Data: tests/cetak400.py)


def test_every_sheet_prints_all_its_cells_and_charts_and_its_print_area_comes_before_its_titles(
        books: Books) -> None:
    """A visible sheet prints exactly its cells and its charts (each to the cell holding its
    bottom-right corner, the `to` of its anchor in the drawing) as its print area: what Excel
    and LibreOffice print without one. The area is named before the sheet's print titles:
    LibreOffice lays out the page breaks of every sheet again for each print title it reads,
    down to row 1,048,576 on a sheet without a print area (seconds to open a workbook). A
    hidden sheet has none (LibreOffice would print it). (The roll-up: test_rollup.)"""
    titled = drawn = beyond = 0
    for label, path in books.files.items():
        for sheet in print_names(path):
            assert sheet.problem() == "", (label, sheet)
            titled += "titles" in sheet.order
            drawn += sheet.charts > 0
            beyond += sheet.beside_cells
    assert titled >= 10
    assert drawn >= 5 and beyond >= 1  # the recap's Status chart reaches beside its cells
