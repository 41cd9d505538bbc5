"""The office's performance year with real files, for every bundled blueprint: two years of
returns (2025 returned to TW II only, the rest typed by the office in the realisasi form), 2026's
targets in a murni (January) and a perubahan (August). The documents are made from the store and
their figures compared with a recomputation made here from what was typed: TW I-II measured
against the murni's quarterly targets, TW III and the year against the perubahan's, the LKjIP
two-year table cell by cell, and every document naming the version it used."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTPage, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, list_value, stream_value

from iki_xlsx.blueprint.model import Blueprint, Indikator, Polaritas
from iki_xlsx.documents.make import Made, make_lkjip, make_pengukuran, make_pk
from iki_xlsx.documents.office import (
    Listed,
    Office,
    Person,
    by_sasaran,
    default_letterhead,
    office_indicators,
)
from iki_xlsx.documents.pengukuran import NEARLY
from iki_xlsx.targets.model import key_of
from iki_xlsx.years.impor import realisasi_headers
from tests import libreoffice, pdfpages
from tests.conftest import same
from tests.shared import by_content
from tests.test_year import Stage, _capaian, _kecamatan
from tests.yearly import BEFORE, NOW, Year, two_years
from tests.yearly import Office as Workspace

OFFICE = Office("Kecamatan Contoh", "Kabupaten Contoh, Provinsi Contoh", "Contoh",
                default_letterhead("Kecamatan Contoh", "Kabupaten Contoh, Provinsi Contoh"),
                Person("Nama Camat", "Camat Contoh", "196501011990031001"),
                Person("Nama Bupati", "Bupati Contoh"))


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint]
            ) -> dict[str, tuple[Workspace, dict[str, Made]]]:
    """Each bundled blueprint's two years, and its documents: the PK murni and perubahan,
    the measurement of TW II and TW III, and the LKjIP Bab III of 2026."""
    result = {}
    for bp in blueprints.values():
        root = tmp_path_factory.mktemp(bp.id)
        office = two_years(bp, root / "ruang", blueprints)
        out = root / "dokumen"
        made = {
            "pk-murni": make_pk(office.store, office.index, OFFICE, bp.id, NOW, False, out),
            "pk-perubahan": make_pk(office.store, office.index, OFFICE, bp.id, NOW, True, out),
            "tw2": make_pengukuran(office.store, office.index, OFFICE, bp.id, NOW, 2, out),
            **({"tw1": make_pengukuran(office.store, office.index, OFFICE, bp.id, NOW, 1, out),
                "tw3": make_pengukuran(office.store, office.index, OFFICE, bp.id, NOW, 3, out)}
               if bp.iku is not None else {}),  # one blueprint: TW I, and the perubahan in force
            "lkjip": make_lkjip(office.store, office.index, OFFICE, bp.id, NOW, out),
        }
        for name, done in made.items():
            assert done.ok, (bp.id, name, [f.one_line() for f in done.findings])
        result[bp.id] = (office, made)
    return result


# --- the recomputation, from what was typed -----------------------------------------------------


def listed(bp: Blueprint) -> list[Listed]:
    """The indicators in the order the documents list them: grouped by sasaran."""
    return [item for _, group in by_sasaran(office_indicators(bp)) for item in group]


_TO_DATE: dict[tuple[int, int], tuple[Year, Stage]] = {}


def _to_date(year: Year, period: int) -> Stage:
    """The year as it stood at the end of `period`: the values typed for periods up to it
    (made once per year and period; the year is kept with it, so its id is never reused)."""
    if (id(year), period) not in _TO_DATE:
        typed = {kode: {k: v for k, v in values.items()
                        if (p := _period(k)) is None or p <= period}
                 for kode, values in year.typed.items()}
        _TO_DATE[(id(year), period)] = (year, Stage(year.bp, min(period, year.filled), typed,
                                                    year.files))
    return _TO_DATE[(id(year), period)][1]


def _period(key: str) -> int | None:
    last = key.rsplit("/", 1)[-1]
    return int(last[1:]) if last.startswith("p") and last[1:].isdigit() else None


def _realisasi(year: Year, ind: Indikator, key: str, period: int) -> float | None:
    return _kecamatan(year.bp, ind, key, _to_date(year, period))[0]


def _verdict(capaian: float | None) -> str:
    if capaian is None:
        return "tanpa data"
    return "tercapai" if capaian >= 100 else (
        "hampir tercapai" if capaian >= NEARLY else "tidak tercapai")


def _table(made: Made, sheet: str) -> list[list[Any]]:
    """A document workbook's table body, as cached (the computed values written)."""
    path = next(p for p in made.files if p.suffix == ".xlsx")
    rows = _cached_values(path)[sheet]
    header = next(i for i, r in enumerate(rows) if r[0] == "No")
    start = next(i for i in range(header, len(rows)) if str(rows[i][0]).isdigit())
    body = []
    for row in rows[start:]:
        if row[0] is None or not str(row[0]).isdigit():
            break
        body.append(list(row))
    return body


def _cached_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of values as cached in the workbook, read by openpyxl once per file
    content in the run (the tests read the same document workbooks many times)."""
    return by_content("openpyxl-values", path, _read_values)


def _read_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path, data_only=True, read_only=True)  # streamed: the rows
    try:  # as a full load gives them, in half the time
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


@dataclass(frozen=True)
class Word:
    """A Word document as python-docx reads it: its paragraphs' texts, and each table's
    caption (the paragraph before it) and rows of cell texts (a merged cell's text in every
    grid column it spans, as python-docx gives it)."""

    paragraphs: tuple[str, ...]
    tables: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    element: Any  # the document's XML root


def _word(made: Made | Path) -> Word:
    """The Word document (of `made`), read once per file content in the run."""
    path = made if isinstance(made, Path) else next(p for p in made.files
                                                    if p.suffix == ".docx")
    return by_content("python-docx", path, _read_word)


def _read_word(path: Path) -> Word:
    document = docx.Document(str(path))
    tables = tuple((_caption_of(table), tuple(tuple(_cell_text(c._tc) for c in row.cells)
                                              for row in table.rows))
                   for table in document.tables)
    return Word(tuple(_text(p._p) for p in document.paragraphs), tables, document.element)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_PARTS = (f"{W}r", f"{W}hyperlink")


def _text(paragraph: Any) -> str:
    """A paragraph's text as python-docx's `Paragraph.text` gives it (its runs' and
    hyperlinks' texts), found among its children instead of by an XPath query for each of
    the documents' eight thousand cells (a quarter of reading them)."""
    return "".join(e.text for e in paragraph if e.tag in TEXT_PARTS)


def _cell_text(tc: Any) -> str:
    """A table cell's text as python-docx's `_Cell.text` gives it: its paragraphs'."""
    return "\n".join(_text(p) for p in tc.iterchildren(f"{W}p"))


def _word_rows(made: Made, caption: str) -> list[list[str]]:
    """The Word document's table under `caption`, as printed (body rows' texts)."""
    document = _word(made)
    tables = [t for t in document.tables if t[1] and t[1][0][0] == "No"]
    captions = [p for p in document.paragraphs if p.startswith(caption[:9])]
    assert captions, caption
    found = next(rows for above, rows in tables if above == caption)
    return [list(row) for row in found if row[0].isdigit()]


def _caption_of(table: Any) -> str:
    previous = table._tbl.getprevious()
    if previous is None:  # a table that opens the document (the letterhead)
        return ""
    return "".join(t.text or "" for t in previous.iter(f"{W}t"))


def _number(text: str) -> float | None:
    """A number as the Word document prints it (1.234,56), None for a dash."""
    if text in ("–", ""):
        return None
    return float(text.replace(".", "").replace(",", "."))


def _close(printed: str, value: float | None) -> bool:
    """The printed number is the value rounded to two decimals (a dash for none)."""
    shown = _number(printed)
    if value is None or shown is None:
        return shown is None and value is None
    return abs(shown - value) <= 0.0051


# --- the tests ----------------------------------------------------------------------------------


def test_each_quarter_is_measured_against_the_version_in_force_at_its_end(
        offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    """TW II against the murni's targets to date, TW III against the perubahan's; realisasi
    and capaian of 2026 and the same quarter of 2025 recomputed from the values typed (2025's
    TW II from its returns, TW III from the figures the office typed)."""
    checked = 0
    for office, made in offices.values():
        bp = office.bp
        items = listed(bp)
        for name, period, version in (("tw1", 1, "murni"), ("tw2", 2, "murni"),
                                      ("tw3", 3, "perubahan")):
            if name not in made:
                continue
            target_of = office.versions[version]
            rows = _table(made[name], "Pengukuran")
            printed = _word_rows(made[name], f"Pengukuran kinerja s.d. {bp.periods[period - 1]} "
                                             f"{NOW}")
            assert len(rows) == len(printed) == len(items)
            for row, words, item in zip(rows, printed, items, strict=True):
                ind = item.indikator
                target = target_of.kecamatan[item.key]
                realisasi = _realisasi(office.years[NOW], ind, item.key, period)
                capaian = _capaian(bp, ind, realisasi, target.to_date(period))
                if period <= office.years[BEFORE].filled:
                    last = _realisasi(office.years[BEFORE], ind, item.key, period)
                else:
                    last = office.typed.figures[item.key].realisasi[period - 1]
                expected = [target.periods[period - 1], target.to_date(period), realisasi,
                            capaian, last, _verdict(capaian)]
                assert all(same(a, b) for a, b in zip(row[4:10], expected, strict=True)), (
                    bp.id, name, item.key, row[4:10], expected)
                assert all(_close(w, e) for w, e in zip(words[4:9], expected[:5],
                                                         strict=True)), (bp.id, words, expected)
                assert words[9] == expected[5]
                checked += 1
            text = " ".join(_word(made[name]).paragraphs)
            assert f"PK {version} {NOW}" in text, (bp.id, name)
    assert checked == sum(len(listed(o.bp)) for o, _ in offices.values()) + 12  # + TW I, III


def test_the_counts_of_reached_nearly_and_missed_add_up(
        offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    for office, made in offices.values():
        rows = _table(made["tw2"], "Pengukuran")
        words = [r[9] for r in rows]
        path = next(p for p in made["tw2"].files if p.suffix == ".xlsx")
        counted = {r[0]: r[1] for r in _cached_values(path)["Jumlah"] if isinstance(r[1], int
                                                                                     | float)}
        assert counted == {"tercapai": words.count("tercapai"),
                           "hampir tercapai": words.count("hampir tercapai"),
                           "tidak tercapai": words.count("tidak tercapai"),
                           "tanpa data": words.count("tanpa data"),
                           "Jumlah": len(words)}, office.bp.id
        sheet = openpyxl.load_workbook(path)["Jumlah"]
        formulas = [c.value for row in sheet.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("=")]
        assert len(formulas) == 4 and all("COUNTIF(" in f for f in formulas)


def test_the_lkjip_two_year_table_equals_a_recomputation_from_the_typed_inputs(
        offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    """Target 2025 and 2026, realisasi 2025 and 2026, capaian 2025 and 2026 of every indicator
    of every bundled blueprint: 2025's from the figures the office typed (its returns stop at
    TW II), 2026's realisasi from the values typed in its returns, against the perubahan."""
    compared = 0
    for office, made in offices.values():
        bp = office.bp
        items = listed(bp)
        rows = _table(made["lkjip"], "Tabel 3.2")
        printed = _word_rows(made["lkjip"], f"Tabel 3.2 Perbandingan capaian kinerja tahun "
                                            f"{BEFORE} dan {NOW}")
        assert len(rows) == len(printed) == len(items), bp.id
        last = len(realisasi_headers(bp)) - 1
        for row, words, item in zip(rows, printed, items, strict=True):
            ind = item.indikator
            typed = office.typed.figures[item.key]
            target_now = office.versions["perubahan"].kecamatan[item.key].tahunan
            realisasi_now = _realisasi(office.years[NOW], ind, item.key, len(bp.periods))
            expected = [typed.target, target_now, typed.realisasi[last], realisasi_now,
                        _capaian(bp, ind, typed.realisasi[last], typed.target),
                        _capaian(bp, ind, realisasi_now, target_now)]
            assert row[2] == ind.nama
            assert all(same(a, b) for a, b in zip(row[4:10], expected, strict=True)), (
                bp.id, item.key, row[4:10], expected)
            assert all(_close(w, e) for w, e in zip(words[4:10], expected, strict=True)), (
                bp.id, item.key, words, expected)
            assert row[10] == "realisasi 2025 diketik kantor"
            compared += 1
    assert compared == sum(len(office_indicators(o.bp)) for o, _ in offices.values()) > 140


def test_each_document_names_the_version_it_used(
        offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    for office, made in offices.values():
        for name, version in (("pk-murni", "murni"), ("pk-perubahan", "perubahan")):
            text = "\n".join(_word(made[name]).paragraphs)
            title = "PERJANJIAN KINERJA " + ("PERUBAHAN " if version == "perubahan" else "")
            assert f"{title}TAHUN {NOW}" in text
            chosen = office.versions[version]
            assert f"PK {version} {NOW}" in text and chosen.sha256[:16] in text, name
            lampiran = _table(made[name], "Lampiran PK")
            for row, item in zip(lampiran, listed(office.bp), strict=True):
                target = chosen.kecamatan[item.key]
                assert [row[4], *row[5:9]] == [target.tahunan, *target.periods]
        text = " ".join(_word(made["lkjip"]).paragraphs)
        assert f"Target {NOW}: PK perubahan {NOW}" in text
        assert f"Target {BEFORE}: diketik kantor" in text


def test_the_pk_statement_names_both_parties_and_signs_where_and_when_the_version_was_set(
        offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    _, made = offices["iku-kecamatan"]
    document = _word(made["pk-perubahan"])
    texts = [text for _, rows in document.tables for row in rows for text in row]
    assert "Nama Camat" in texts and "Camat Contoh" in texts and "Nama Bupati" in texts
    signed = [t for t in texts if t.startswith("Contoh, ")]
    assert signed and signed[0].startswith("Contoh, 15 Agustus 2026"), signed
    assert any("NIP 196501011990031001" in t for t in texts)
    heads = list(document.paragraphs)
    assert heads[:1] == ["PERJANJIAN KINERJA PERUBAHAN TAHUN 2026"] or any(
        h == "PERJANJIAN KINERJA PERUBAHAN TAHUN 2026" for h in heads)
    assert any(re.search(r"dibuat karena: Perjanjian Kinerja perubahan 2026", h) for h in heads)


def test_a_new_indicator_in_the_second_year_shows_as_new_and_a_dropped_one_as_dropped(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    """2026's version of the IKU blueprint adds an indicator and drops one: the two-year
    table says so in words, with a dash (never 0) in the year the indicator did not exist."""
    old = blueprints["iku-kecamatan"]
    data = old.model_dump(mode="json")
    kept = [i for i in data["iku"]["indikator"] if i["id"] != "rw-berubah"]
    added = {**kept[0], "id": "ikm-pelayanan-baru", "nama": "Indeks Kepuasan Layanan Baru"}
    added["variabel"] = [{**v, "id": "nilai_ikm_baru"} for v in kept[0]["variabel"]]
    kept[0] = {**kept[0], "renstra": {"tahun": 2026, "target": 90}}  # the Renstra's end
    data["iku"]["indikator"] = [*kept, added]
    new = Blueprint.model_validate({**data, "versi": "2"})
    office = two_years(old, tmp_path / "ruang", blueprints, current=new)
    made = make_lkjip(office.store, office.index, OFFICE, new.id, NOW, tmp_path / "dokumen")
    assert made.ok, [f.one_line() for f in made.findings]
    rows = _table(made, "Tabel 3.2")
    by_name = {r[2]: r for r in rows}
    fresh = by_name["Indeks Kepuasan Layanan Baru"]
    assert [fresh[4], fresh[6], fresh[8]] == ["–", "–", "–"]
    assert fresh[5] == office.versions["perubahan"].kecamatan["iku/ikm-pelayanan-baru"].tahunan
    assert fresh[10] == "indikator baru 2026; tidak ada pada 2025"
    dropped = by_name["Prosentase RW Berubah"]
    assert [dropped[5], dropped[7], dropped[9]] == ["–", "–", "–"]
    assert dropped[4] == office.typed.figures["iku/rw-berubah"].target
    assert dropped[10] == "tidak dipakai lagi pada 2026"
    printed = _word_rows(made, f"Tabel 3.2 Perbandingan capaian kinerja tahun {BEFORE} dan "
                               f"{NOW}")
    words = {r[2]: r for r in printed}
    assert words["Indeks Kepuasan Layanan Baru"][4] == "–"
    assert "0" not in (words["Indeks Kepuasan Layanan Baru"][4],
                       words["Prosentase RW Berubah"][5])
    progress = _table(made, "Tabel 3.4")  # against the Renstra's end target
    ikm = next(r for r in by_name.values() if r[2] == "Indeks Kepuasan Masyarakat")
    assert [r[1:5] for r in progress] == [["Indeks Kepuasan Masyarakat", "nilai", "2026", 90]]
    assert same(progress[0][5], ikm[7]) and same(progress[0][6], ikm[7] / 90 * 100)
    averages = _table(made, "Tabel 3.3")  # over the indicators each year has: never an error
    assert averages and all(isinstance(r[3], float) and isinstance(r[4], float)
                            for r in averages), averages
    assert key_of(None, new.iku.indikator[-1]) == "iku/ikm-pelayanan-baru"  # type: ignore[union-attr]


def test_capaian_of_a_lower_is_better_indicator_follows_its_polarity(
        offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    office, made = offices["iki-kecamatan-jabung"]
    lower = [i for i in office_indicators(office.bp) if i.indikator.polaritas is Polaritas.TURUN]
    assert lower
    rows = _table(made["lkjip"], "Tabel 3.1")
    at = [i.key for i in listed(office.bp)].index(lower[0].key)
    target, realisasi, capaian = rows[at][4:7]
    expected = max((2 * target - realisasi) / target * 100, 0) if realisasi is not None else None
    assert same(capaian, expected)


# --- printing: every document through LibreOffice, measured -------------------------------------

MIN_PT = 8.0
TABLE_PT_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                  "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
                  "shd", "tblLayout", "tblCellMar", "tblLook")


@pytest.fixture(scope="module")
def printed(offices: dict[str, tuple[Workspace, dict[str, Made]]], office_port: int,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every Word document, and the workbooks of the largest blueprint's documents, printed to
    PDF by the run's one LibreOffice (Writer and Calc) as an office prints them."""
    out = tmp_path_factory.mktemp("cetak")
    documents = [p for _, made in offices.values() for done in made.values()
                 for p in done.files if p.suffix == ".docx"]
    workbooks = [p for done in offices["iki-kecamatan-kota"][1].values()
                 for p in done.files if p.suffix == ".xlsx"]
    pdfs = {path.name: out / f"{path.name}.pdf" for path in documents + workbooks}
    libreoffice.read_values(office_port, documents + workbooks, {}, "never",
                            pdf={path: pdfs[path.name] for path in documents + workbooks})
    for name, pdf in pdfs.items():
        assert pdf.is_file(), name
    return pdfs


class _Drawing(PDFPageAggregator):
    """pdfminer's reading of what a page draws, its text left out: the lines, rectangles
    and curves (poppler reads the text, tests/pdfpages.py)."""

    def render_string(self, *args: Any, **kwargs: Any) -> None:
        return None


# a text object of LibreOffice's content streams, BT and ET on lines of their own, whose text
# is all in hex strings (a literal string, which could hold "ET", keeps its object whole); with
# it, the graphics state LibreOffice saves around most of them only to set the text's colour
# (`q r g b rg` before, `Q` after): nothing but the text drawn in between, so nothing left of
# it once the text goes, and three in four of what pdfminer parsed after the text
TEXT_OBJECT = re.compile(rb"(?m)^q [0-9. ]+ rg\nBT\n[^()]*?^ET\nQ$|^BT\n[^()]*?^ET$")


class _Paths(PDFPageInterpreter):
    """pdfminer's interpreter given each page's content without its text objects and its
    resources without fonts: inside a text object no path is built and no transformation
    changed (PDF 32000-1, 8.2 and figure 9: no m, l, re, q, Q or cm between BT and ET), and
    parsing the text was more than half of the reading."""

    def render_contents(self, resources: dict[object, object], streams: Sequence[object],
                        ctm: Any = (1, 0, 0, 1, 0, 0)) -> None:
        drawing = []
        for item in list_value(streams):
            stream = stream_value(item)
            paths = PDFStream({}, TEXT_OBJECT.sub(b"", stream.get_data()))
            paths.set_objid(stream.objid, stream.genno)  # pdfminer follows content by id
            drawing.append(paths)
        super().render_contents({k: v for k, v in (resources or {}).items() if k != "Font"},
                                drawing, ctm)


def _drawn(pdf: Path) -> Iterator[LTPage]:
    """Each page's drawn lines as the PDF draws them, without pdfminer's layout analysis."""
    manager = PDFResourceManager()
    device = _Drawing(manager, laparams=None)
    interpreter = _Paths(manager, device)
    with pdf.open("rb") as handle:
        for page in PDFPage.get_pages(handle):
            interpreter.process_page(page)
            yield device.get_result()


def _objects(item: Any) -> Any:
    yield item
    if isinstance(item, LTContainer):
        for child in item:
            yield from _objects(child)


Line = tuple[float, float, float, float, float, str]


def _broken(lines: Sequence[Line], words: set[str]) -> list[tuple[str, str]]:
    """Words split over two lines of one cell: a line ending in a word's start, and the line
    just below it, overlapping it across, beginning with the word's rest."""
    found = []
    for left, top, width, height, _, text in lines:
        ends = text.split()[-1]
        for word in words:
            if not (word.startswith(ends) and len(ends) < len(word)):
                continue
            rest = word[len(ends):]
            found += [(text, below) for left2, top2, width2, _, _, below in lines
                      if 0 < top2 - top <= 1.5 * height and left2 < left + width
                      and left < left2 + width2 and below.split()[0] == rest]
    return found


def test_every_document_prints_on_a4_legibly_within_the_page(
        printed: dict[str, Path], offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    """Word documents and their workbooks printed by LibreOffice: A4, every character at least
    8 pt and on the page, every table line within the page width (a Word document's within
    the text area between the margins), and no unit word (Satuan) broken over two lines.
    The text as poppler reads it (tests/pdfpages.py), the lines as pdfminer does."""
    from iki_xlsx.documents.word import MARGIN_LEFT_CM, MARGIN_RIGHT_CM

    satuan = {item.indikator.satuan for office, _ in offices.values()
              for item in office_indicators(office.bp)}
    words = {w for w in satuan if " " not in w and len(w) > 1}
    count = 0
    for name, pdf in printed.items():
        word = name.endswith(".docx")
        shown = pdfpages.pages(pdf)
        drawn = list(_drawn(pdf))
        assert len(shown) == len(drawn), name
        for page, drawing in zip(shown, drawn, strict=True):
            count += 1
            number, width, height = page.number, page.width, page.height
            assert sorted((round(width), round(height))) == [595, 842], (name, number)
            assert (round(drawing.width), round(drawing.height)) == (round(width),
                                                                     round(height))
            for left, top, wide, high, size, text in page.lines:
                assert size >= MIN_PT - 0.05, (name, number, text, size)
                assert (left >= -0.5 and left + wide <= width + 0.5 and top >= -0.5
                        and top + high <= height + 0.5), (name, number, text)
            left = MARGIN_LEFT_CM / 2.54 * 72 - 2 if word else -0.5
            right = width - (MARGIN_RIGHT_CM / 2.54 * 72 - 2 if word else -0.5)
            rules = [item for item in _objects(drawing)
                     if isinstance(item, LTLine | LTRect | LTCurve)
                     and not isinstance(item, LTChar)]
            assert rules, (name, number)  # every page draws a table's or the kop's rules
            for item in rules:
                assert left <= item.x0 and item.x1 <= right, (name, number, item.bbox)
            assert not _broken(page.lines, words), (name, number)
    assert count >= 15


def test_every_word_document_keeps_the_order_word_requires(
        offices: dict[str, tuple[Workspace, dict[str, Made]]]) -> None:
    """Word refuses a file whose table, cell or paragraph properties are out of the schema's
    order (LibreOffice forgives it): every one in every document is in order."""
    from iki_xlsx.documents.word import P_PR_ORDER, TC_PR_ORDER

    orders = {"tblPr": TABLE_PT_ORDER, "tcPr": TC_PR_ORDER, "pPr": P_PR_ORDER}
    checked = 0
    for _, made in offices.values():
        for done in made.values():
            path = next(p for p in done.files if p.suffix == ".docx")
            root = _word(path).element
            for element in root.iter():
                name = element.tag.split("}")[-1]
                if name in orders:
                    children = [c.tag.split("}")[-1] for c in element]
                    known = [orders[name].index(c) for c in children if c in orders[name]]
                    assert known == sorted(known), (path.name, name, children)
                    checked += 1
    assert checked > 1000


def test_the_skp_export_lists_each_jabatans_indicators_with_the_documents_figures(
        offices: dict[str, tuple[Workspace, dict[str, Made]]], tmp_path: Path) -> None:
    """Per jabatan and period (an IKU indicator under every jabatan answering for it): the
    figures of the TW II measurement, read back from the CSV as a spreadsheet reads it."""
    import csv

    from iki_xlsx.documents.skp import COLUMNS, skp_rows, write_skp_csv
    from iki_xlsx.years.figures import year_figures

    office, made = offices["iku-kecamatan"]
    bp = office.bp
    years = [year_figures(office.store, office.index, bp.id, NOW, p) for p in (2, 4)]
    path = write_skp_csv(skp_rows(years), tmp_path / "skp.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(COLUMNS)
    assert bp.iku is not None
    owners = [(j, ind) for ind in bp.iku.indikator for j in ind.jabatan]
    assert len(rows) == 2 * len(owners)
    measured = {r[2]: r for r in _table(made["tw2"], "Pengukuran")}
    names = {j.id: j.nama for j in bp.jabatan}
    for row, (jabatan, ind) in zip(rows[:len(owners)], owners, strict=True):
        assert (row["tahun"], row["periode"], row["jabatan_id"], row["jabatan"],
                row["indikator_id"], row["indikator"], row["satuan"]) == (
            "2026", "TW II", jabatan, names[jabatan], ind.id, ind.nama, ind.satuan)
        shown = measured[ind.nama]
        assert same(float(row["target"]), shown[5]) and same(float(row["realisasi"]), shown[6])
        assert same(float(row["capaian"]), shown[7]), (row, shown)
        assert row["sumber_realisasi"] == "workbook"
        assert row["versi_target"] == "PK murni 2026 (5 Januari 2026)"
    assert {r["periode"] for r in rows[len(owners):]} == {"TW IV"}
    assert {r["versi_target"] for r in rows[len(owners):]} == {"PK perubahan 2026 (15 Agustus "
                                                                "2026)"}


def test_the_recap_measures_against_the_version_in_force_and_names_it(
        offices: dict[str, tuple[Workspace, dict[str, Made]]], tmp_path: Path) -> None:
    """The recap of 2026 (returned whole) against the perubahan's annual targets, the recap
    of 2025 (returned to TW II, no version) against the blueprint's, each saying which."""
    from iki_xlsx.rekap.build import write_rekap
    from iki_xlsx.targets.archive import versions

    office, _ = offices["iku-kecamatan"]
    bp = office.bp
    recorded = versions(office.store, bp.id)
    for year, words in ((NOW, "PK perubahan 2026 (15 Agustus 2026), target tahunan"),
                        (BEFORE, "target dari keputusan IKI (blueprint)")):
        result = write_rekap(office.store, office.index, tmp_path / f"rekap-{year}.xlsx",
                             periode=year, blueprint=bp.id, targets=recorded)
        assert result.path is not None and result.plan is not None, result.findings
        sheet = result.plan.sheet("RINGKASAN")
        book = openpyxl.load_workbook(result.path, data_only=True)[sheet.name]
        texts = [str(c.value) for row in book.iter_rows() for c in row if c.value]
        assert any(t.startswith(words) for t in texts), (year, texts[:12])
        for item in office_indicators(bp):
            key = f"ringkasan/{item.key}"
            target = book[sheet.cell(f"{key}/target").ref].value
            capaian = book[sheet.cell(f"{key}/capaian").ref].value
            realisasi, decreed = _kecamatan(bp, item.indikator, item.key,
                                            _to_date(office.years[year], 4))
            if year == NOW:
                expected = office.versions["perubahan"].kecamatan[item.key].tahunan
                assert book[sheet.cell(f"{key}/asal_target").ref].value == "versi target kantor"
                assert same(target, expected), (item.key, target, expected)
                assert same(capaian, _capaian(bp, item.indikator, realisasi, expected)), item.key
            else:  # the decree's target, or the units' own (tests/test_year.py's rule)
                assert item.indikator.target is None or same(target, item.indikator.target)
                assert same(capaian, decreed), (item.key, capaian, decreed)
