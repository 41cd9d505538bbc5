"""The printed recap keeps its promises, page by page as LibreOffice prints it: every page that
goes on with a table shows its header row (and on a jabatan sheet the indicator's name), no text
leaves its page, body text >= 8 pt and footers >= 7 pt; the Data sheet lists only the values
filled in; the blueprint hash on Asal Data stays whole; a recap of TW I and one of the full year
are two files. For 10 and 100 desa, at TW I and for the full year, in one store each (the desa
send TW I, the office recaps, then they send the whole year and it recaps again).

The four recaps are built once per run (tests/shared.py) and each printed once, by the run's
one LibreOffice (`office_port`); every test reads those four PDFs."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.plan.build import expects_return, plan_workbook
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.plan.paging import MARGIN_SIDE_IN
from iki_xlsx.rekap.build import write_rekap
from iki_xlsx.rekap.context import DATA_HEADER_ROW, DATA_VALUE_COL
from iki_xlsx.rekap.source import Pengesahan
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.evaluate import Batch, CellKey, Value, formula_order, static_values
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.generate import recipients
from iki_xlsx.workbook.write import write_workbook
from tests import libreoffice
from tests.pdfpages import FOOTER_BAND_PT, pages
from tests.shared import built_once

BLUEPRINT = "iki-kecamatan-jabung"  # desa: "Diisi oleh: desa"
SIGNED = Pengesahan(kota="Malang", zona_waktu="WITA", jabatan="Camat Jabung",
                    nama="Drs. Contoh Nama, M.Si", nip="197001011990031001")
OTHER_SHEETS = ("Ringkasan", "Status", "Data", "Asal Data")  # the rest are jabatan sheets
COUNTS = (10, 100)
MADE = "rekap.json"


def desa(count: int) -> list[Unit]:
    return [Unit(f"35073{n:05d}", f"Desa Contoh Nomor {n}") for n in range(1, count + 1)]


@dataclass(frozen=True)
class Recap:
    """One recap as written and printed, with how many values the desa typed into the returns
    it recaps."""

    path: Path
    pdf: Path
    units: int
    upto: int  # periods filled
    typed: int  # input values typed (non-empty) over all returns


def returns(bp: Blueprint, plans: Sequence[WorkbookPlan], upto: int, folder: Path
            ) -> tuple[list[Path], int]:
    """Every desa's (and the office's) workbook with sample values in the first `upto`
    periods (targets too), as a clerk would have typed them; and how many values that is.
    Workbooks of one layout are computed in one batch."""
    files: list[Path] = []
    typed = 0
    for kantor in (False, True):
        group = [p for p in plans if p.unit.kantor == kantor]
        if not group:
            continue
        inputs: list[Mapping[CellKey, Value]] = []
        for plan in group:
            keys = {(s.code, c.ref): c.key for s, c in plan.input_cells()}
            values: dict[CellKey, Value] = static_values(plan)
            chosen: dict[CellKey, Value] = {at: v for at, v in sample_inputs(bp, plan).items()
                      if (PlanKey.parse(keys[at]).period or 0) <= upto and v not in (None, "")}
            typed += len(chosen)
            inputs.append({**values, **chosen})
        computed = Batch(group[0], formula_order(group[0])).evaluate(inputs)
        for plan, given, values in zip(group, inputs, computed, strict=True):
            files.append(write_workbook(plan, values, dict(given),
                                        folder / f"{plan.unit.kode}-{upto}.xlsx"))
    return files, typed


def build_recaps(folder: Path, bp: Blueprint, index: BlueprintIndex, port: int) -> None:
    """For 10 and 100 desa: the TW I returns collected and recapped, then the full year's;
    the four recaps printed to PDF by one call of LibreOffice; what was made listed in
    `MADE`."""
    made: dict[str, dict[str, object]] = {}
    printed: dict[Path, Path] = {}
    for count in COUNTS:
        everyone = recipients(bp, desa(count))
        plans = [plan_workbook(bp, u, 2026, everyone) for u in everyone
                 if expects_return(bp, u)]
        store = Store(folder / f"simpan-{count}")
        for upto in (1, len(bp.periods)):
            files, typed = returns(bp, plans, upto, folder / f"kembali-{count}")
            assert {s for *_, s in collect(files, store, index).added} == {"ok"}
            result = write_rekap(store, index, folder / f"keluaran-{count}", pengesahan=SIGNED)
            assert result.path is not None, [f.one_line() for f in result.findings]
            pdf = folder / "pdf" / f"{count}-{upto}.pdf"
            printed[result.path] = pdf
            made[f"{count}-{upto}"] = {"path": str(result.path.relative_to(folder)),
                                       "pdf": str(pdf.relative_to(folder)),
                                       "units": count, "upto": upto, "typed": typed}
    (folder / "pdf").mkdir()
    libreoffice.read_values(port, list(printed), {}, "never", pdf=printed)  # in one call
    (folder / MADE).write_text(json.dumps(made), encoding="utf-8")


@pytest.fixture(scope="module")
def recaps(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint],
           office_port: int) -> dict[str, Recap]:
    folder = built_once(tmp_path_factory, "rekap-cetak", lambda into: build_recaps(
        into, blueprints[BLUEPRINT], BlueprintIndex(blueprints.values()), office_port))
    made = json.loads((folder / MADE).read_text(encoding="utf-8"))
    return {key: Recap(folder / str(m["path"]), folder / str(m["pdf"]), int(m["units"]),
                       int(m["upto"]), int(m["typed"])) for key, m in made.items()}


def page_problems(pdf: Path, units: list[Unit]) -> tuple[list[str], int]:
    """What a reader of the printed recap would stumble on, page by page; and the pages."""
    kode = re.compile("|".join(re.escape(u.kode) for u in units))
    problems = []
    count = 0
    for page in pages(pdf):
        count += 1
        where = f"page {page.number} ({page.footer[:60]})"
        printed = page.width - MARGIN_SIDE_IN * 72  # the printed area's right edge
        for left, top, width, height, size, text in page.lines:
            if left >= printed - 0.5 or left + width <= 0:
                continue  # drawn off the printed area (a chart of the next column page): unseen
            if left < 0 or top < 0 or left + width > printed + 0.5 or (
                    top + height > page.height + 0.5):
                problems.append(f"{where}: '{text}' is cut at the page's edge")
            limit = 7.0 if top > page.height - FOOTER_BAND_PT else 8.0
            if size < limit - 0.35:
                problems.append(f"{where}: '{text}' at {size:.1f} pt")
        body = page.text
        if not kode.search(body):
            continue  # no table row of a unit on this page
        if not re.search(r"^Kode\b", body, re.M):
            problems.append(f"{where}: unit rows without their header row")
        sheet = re.search(r"— (.+?)(?:\s+Halaman|$)", page.footer)
        jabatan = sheet is not None and sheet.group(1).strip() not in OTHER_SHEETS
        if jabatan and not re.search(r"^(\d+\. .*|Ringkasan capaian per unit.*)$", body, re.M):
            problems.append(f"{where}: unit rows without the indicator's name")
    return problems, count


@pytest.mark.parametrize("key", ["10-1", "10-4", "100-1", "100-4"])
def test_every_printed_page_keeps_its_table_header_and_its_text(recaps: dict[str, Recap],
                                                                key: str) -> None:
    recap = recaps[key]
    problems, count = page_problems(recap.pdf, desa(recap.units))
    assert problems == []
    assert count > 2 * recap.units  # a page or more per indicator table, not a few pages


@pytest.mark.parametrize("key", ["100-1", "100-4"])
def test_a_table_longer_than_a_page_goes_on_under_its_name(recaps: dict[str, Recap],
                                                           key: str) -> None:
    """100 desa: each indicator's table spans pages; every page it goes on shows "(lanjutan)"
    with the indicator's name and the header row again."""
    continued = [p for p in pages(recaps[key].pdf) if "(lanjutan)" in p.text]
    assert len(continued) >= 10
    for page in continued:
        heading = next(line for line in page.text.splitlines() if "(lanjutan)" in line)
        assert re.match(r"^(\d+\. .+|Ringkasan capaian per unit.*) \(lanjutan\)$", heading)
        assert re.search(r"^Predikat$", page.text, re.M), page.number


@pytest.mark.parametrize("key", ["10-1", "10-4", "100-1", "100-4"])
def test_the_data_sheet_lists_only_the_values_filled_in(recaps: dict[str, Recap],
                                                        key: str) -> None:
    recap = recaps[key]
    data = openpyxl.load_workbook(recap.path, read_only=True)["Data"]
    rows = list(data.iter_rows(min_row=DATA_HEADER_ROW + 2, values_only=True))
    assert all(row[DATA_VALUE_COL] not in (None, "") for row in rows)
    assert len(rows) == recap.typed  # every value typed, and nothing else


def test_recaps_of_different_quarters_are_different_files(recaps: dict[str, Recap]) -> None:
    for count in COUNTS:
        quarter, year = recaps[f"{count}-1"].path, recaps[f"{count}-4"].path
        assert quarter.parent == year.parent and quarter != year
        assert quarter.name == f"rekap_{BLUEPRINT}_2026_sd-TW-I.xlsx"
        assert year.name == f"rekap_{BLUEPRINT}_2026_setahun.xlsx"
        assert quarter.exists() and year.exists()
        assert quarter.read_bytes() != year.read_bytes()


@pytest.mark.parametrize("key", ["10-1", "100-4"])
def test_the_blueprint_hash_prints_whole_on_one_page(recaps: dict[str, Recap], key: str,
                                                     blueprints: dict[str, Blueprint]) -> None:
    digest = blueprints[BLUEPRINT].content_hash()
    asal = [p for p in pages(recaps[key].pdf) if "ASAL DATA REKAP" in p.text]
    assert len(asal) == 1 and digest in re.sub(r"\s", "", asal[0].text)


def test_desa_blueprints_say_desa(recaps: dict[str, Recap]) -> None:
    text = "\n".join(p.text for p in pages(recaps["10-1"].pdf))
    assert "Diisi oleh: desa." in text and "Diisi oleh: kelurahan" not in text


def test_the_charts_of_one_table_share_their_value_axis(recaps: dict[str, Recap]) -> None:
    """100 desa: a sheet's unit chart is split in parts of at most 20 desa; every part ends
    its axis at the same round number, at or above the largest capaian, so a bar's length
    means the same on each part (each part was scaled to its own largest bar)."""
    parts: dict[str, list[tuple[float, str]]] = {}
    with zipfile.ZipFile(recaps["100-4"].path) as archive:
        for name in archive.namelist():
            if not re.match(r"xl/charts/chart\d+\.xml$", name):
                continue
            xml = archive.read(name).decode("utf-8")
            title = re.search(r"<a:t>(.*?)</a:t>", xml)
            part = re.match(r"(.+) \(\d+ dari \d+\)$", title.group(1) if title else "")
            if part:
                end = re.search(r'<c:max val="([\d.]+)"/>', xml)
                values = re.search(r"<c:val><c:numRef><c:f>(.*?)</c:f>", xml)
                assert end is not None and values is not None, name
                parts.setdefault(part.group(1), []).append((float(end.group(1)),
                                                            values.group(1)))
    assert len(parts) >= 5
    book = openpyxl.load_workbook(recaps["100-4"].path, read_only=True, data_only=True)
    for title, charts in parts.items():
        assert len({end for end, _ in charts}) == 1, (title, charts)
        shown = []
        for _, cells in charts:
            sheet, area = cells.rsplit("!", 1)
            left, top, right, bottom = range_boundaries(area.replace("$", ""))
            shown += [v for row in book[sheet.strip("'")].iter_rows(
                top, bottom, left, right, values_only=True)
                for v in row if isinstance(v, int | float)]
        end = charts[0][0]
        assert shown and max(shown) <= end < 2 * max(shown), (title, end, max(shown))
