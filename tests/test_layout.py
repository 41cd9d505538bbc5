"""The workbooks as their readers meet them: the clerk's first screen, text that fits its
cells, legible print on A4, prompts that help. Bundled blueprints, 11 units and 400."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTPage, LTTextContainer

from iki_xlsx import libreoffice
from iki_xlsx.blueprint import Blueprint
from iki_xlsx.generate import read_units, recipients, write_filled
from iki_xlsx.plan import Unit
from iki_xlsx.write import DECIMAL_HINT

from .conftest import SAMPLES
from .xlsxgeometry import SCREEN_H, SCREEN_W, SheetGeometry, read_geometry

FORM_SHEETS = ("Petunjuk", "Ringkasan")


@dataclass
class Books:
    """Filled workbooks: per case (blueprint, unit count) the office's and one unit's."""

    files: dict[str, Path]


def _units_11() -> list[Unit]:
    units, findings = read_units(SAMPLES / "kelurahan-kota.csv")
    assert not findings and len(units) == 11
    return units


def units_400() -> list[Unit]:
    return [Unit(f"3573{n:06d}", f"Kelurahan Contoh Nomor {n}") for n in range(1, 401)]


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory,
          blueprints: dict[str, Blueprint]) -> Books:
    folder = tmp_path_factory.mktemp("layout")
    files: dict[str, Path] = {}
    cases = [(bp_id, "11", _units_11()) for bp_id in blueprints]
    cases.append(("iki-kecamatan-kota", "400", units_400()))
    for bp_id, count, units in cases:
        bp = blueprints[bp_id]
        everyone = recipients(bp, units)
        for who in (everyone[0], everyone[-1]):  # a kelurahan/desa and the office
            if count == "400" and not who.kantor:
                continue  # a unit's workbook does not depend on how many units there are
            label = f"{bp_id}-{count}-{'kantor' if who.kantor else 'unit'}"
            files[label] = write_filled(bp, who, everyone, 2026, folder / f"{label}.xlsx")
    return Books(files)


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
    return problems


def test_first_view_shows_headers_name_and_inputs(books: Books) -> None:
    seen = 0
    for label, path in books.files.items():
        for sheet in indicator_sheets(path):
            seen += 1
            assert first_view_problems(sheet) == [], (label, sheet.name)
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
                assert dv.prompt.count("Wajib diisi.") + dv.prompt.count(
                    "Boleh dikosongkan.") == 1, dv.prompt
                if "Isi angka" in dv.prompt:
                    assert DECIMAL_HINT in dv.prompt
                if dv.prompt.count("Pilih dari daftar"):
                    assert "Ya atau Tidak" in dv.prompt or " atau " in dv.prompt
    assert checked > 1000


# --- LibreOffice: what is shown and printed --------------------------------------------------


@dataclass
class Rendered:
    clipped: dict[str, dict[str, object]]
    pdfs: dict[str, Path]


@pytest.fixture(scope="session")
def rendered(books: Books, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    missing = libreoffice.available()
    if missing:
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("pdf")
    pdfs = {label: folder / f"{label}.pdf" for label in books.files}
    with libreoffice.office() as port:
        out = libreoffice.read_values(port, list(books.files.values()), {}, "never",
                                      pdf={books.files[k]: v for k, v in pdfs.items()},
                                      fit=True)
    clipped = {label: out[str(path.resolve())] for label, path in books.files.items()}
    return Rendered(clipped, pdfs)


def test_no_text_is_clipped_in_libreoffice(rendered: Rendered) -> None:
    assert {label: cells for label, cells in rendered.clipped.items() if cells} == {}


def page_sizes(pdf: Path) -> Iterator[tuple[int, str, float, float]]:
    """Per page: its text, the smallest body character and the smallest footer character
    (in pt on paper)."""
    for number, page in enumerate(extract_pages(pdf), start=1):
        assert isinstance(page, LTPage)
        body, footer = 99.0, 99.0
        text = []
        for box in page:
            if not isinstance(box, LTTextContainer):
                continue
            text.append(box.get_text())
            for line in box:
                for char in line if hasattr(line, "__iter__") else []:
                    if isinstance(char, LTChar) and char.get_text().strip():
                        if char.y0 < 0.75 * 72:  # the footer band
                            footer = min(footer, char.size)
                        else:
                            body = min(body, char.size)
        yield number, "".join(text), body, footer


def test_printed_text_is_legible_on_every_page(rendered: Rendered) -> None:
    small = []
    pages = 0
    for label, pdf in rendered.pdfs.items():
        for number, _, body, footer in page_sizes(pdf):
            pages += 1
            if body < 8.0 - 0.05 or footer < 7.0 - 0.05:
                small.append((label, number, round(body, 2), round(footer, 2)))
    assert small == []
    assert pages > 30


def test_every_printed_indicator_page_repeats_the_headers(rendered: Rendered) -> None:
    for label, pdf in rendered.pdfs.items():
        for number, text, _, _ in page_sizes(pdf):
            if "INDIKATOR KINERJA INDIVIDU" in text or "Halaman" not in text:
                continue
            if "Rata-rata capaian" in text or "TW I" in text or "Formulasi" in text:
                assert "Indikator" in text, (label, number)


def test_page_breaks_fall_between_indicators(books: Books) -> None:
    for label, path in books.files.items():
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
