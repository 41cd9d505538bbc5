"""The printed recap keeps its promises, page by page as LibreOffice prints it: every page that
goes on with a table shows its header row (and on a jabatan sheet the indicator's name), no text
leaves its page, body text >= 8 pt and footers >= 7 pt; the Data sheet lists only the values
filled in; the blueprint hash on Asal Data stays whole; a recap of TW I and one of the full year
are two files. For 10 and 100 desa, at TW I and for the full year, in one store each (the desa
send TW I, the office recaps, then they send the whole year and it recaps again).

The 100-desa full-year recap takes LibreOffice minutes: it is printed by a LibreOffice of its
own as soon as it is written, and measured last (marker `late`)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.plan.build import expects_return, plan_workbook
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.paging import MARGIN_SIDE_IN
from iki_xlsx.rekap.build import write_rekap
from iki_xlsx.rekap.context import DATA_HEADER_ROW, DATA_VALUE_COL
from iki_xlsx.rekap.source import Pengesahan
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.evaluate import Batch, CellKey, Value, formula_order, static_values
from iki_xlsx.workbook.fill import sample_inputs
from iki_xlsx.workbook.generate import generate, recipients
from iki_xlsx.workbook.write import write_workbook
from tests import libreoffice

BLUEPRINT = "iki-kecamatan-jabung"  # desa: "Diisi oleh: desa"
SIGNED = Pengesahan(kota="Malang", zona_waktu="WITA", jabatan="Camat Jabung",
                    nama="Drs. Contoh Nama, M.Si", nip="197001011990031001")
POPPLER_ZOOM = 3  # pdftohtml's largest: positions and sizes in thirds of a point
FOOTER_BAND_PT = 0.75 * 72
OTHER_SHEETS = ("Ringkasan", "Status", "Data", "Asal Data")  # the rest are jabatan sheets


def desa(count: int) -> list[Unit]:
    return [Unit(f"35073{n:05d}", f"Desa Contoh Nomor {n}") for n in range(1, count + 1)]


@dataclass
class Recap:
    """One recap as written, with what the desa typed into the returns it recaps."""

    path: Path
    units: int
    upto: int  # periods filled
    typed: int  # input values typed (non-empty) over all returns
    pdf: Path | None = None


@dataclass
class Recaps:
    items: dict[str, Recap] = field(default_factory=dict)
    late: LateExport | None = None


def returns(bp: Blueprint, units: list[Unit], upto: int, folder: Path
            ) -> tuple[list[Path], int]:
    """Every desa's (and the office's) workbook with sample values in the first `upto`
    periods (targets too), as a clerk would have typed them; and how many values that is.
    Workbooks of one layout are computed in one batch."""
    everyone = recipients(bp, units)
    plans = [plan_workbook(bp, u, 2026, everyone) for u in everyone if expects_return(bp, u)]
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


class LateExport:
    """A LibreOffice of its own printing one recap to PDF beside the other tests."""

    def __init__(self, recap: Path, folder: Path) -> None:
        folder.mkdir(parents=True)
        self.pdf = folder / f"{recap.stem}.pdf"
        self.process = subprocess.Popen(
            ["soffice", "--headless", "--norestore", "--nologo",
             f"-env:UserInstallation=file://{folder / 'profil'}", "--convert-to", "pdf",
             "--outdir", str(folder), str(recap)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self) -> Path:
        _, stderr = self.process.communicate(timeout=1800)
        assert self.process.returncode == 0 and self.pdf.exists(), stderr[-2000:]
        return self.pdf

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def recaps(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint],
           office_port: int) -> Iterator[Recaps]:
    bp = blueprints[BLUEPRINT]
    index = BlueprintIndex(blueprints.values())
    made = Recaps()
    for count in (100, 10):  # the long export starts first
        folder = tmp_path_factory.mktemp(f"rekap-{count}")
        units = desa(count)
        store = Store(folder / "simpan")
        blank = generate(bp, units, 2026, folder / "kirim", register=store)
        assert blank.ok
        for upto in (1, len(bp.periods)):
            files, typed = returns(bp, units, upto, folder / "kembali")
            assert {s for *_, s in collect(files, store, index).added} == {"ok"}
            result = write_rekap(store, index, folder / "keluaran", pengesahan=SIGNED)
            assert result.path is not None, [f.one_line() for f in result.findings]
            made.items[f"{count}-{upto}"] = Recap(result.path, count, upto, typed)
        if count == 100:
            made.late = LateExport(made.items["100-4"].path, folder / "pdf")
    shown = {k: r for k, r in made.items.items() if k != "100-4"}
    folder = tmp_path_factory.mktemp("rekap-pdf")
    for key, recap in shown.items():
        recap.pdf = folder / f"{key}.pdf"
    libreoffice.read_values(office_port, [r.path for r in shown.values()], {}, "never",
                            pdf={r.path: r.pdf for r in shown.values() if r.pdf})
    yield made
    if made.late is not None:
        made.late.stop()


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[tuple[float, float, float, float, float, str]]  # left, top, width, height,
    # size (pt), text

    @property
    def text(self) -> str:
        return "\n".join(line[-1] for line in self.lines)

    @property
    def footer(self) -> str:
        return " ".join(t for _, top, _, _, _, t in self.lines
                        if top > self.height - FOOTER_BAND_PT)


def pages(pdf: Path) -> Iterator[Page]:
    """Every printed page as poppler reads it: its text lines, where, and how large (pt)."""
    done = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-zoom", str(POPPLER_ZOOM),
                           "-stdout", str(pdf)], capture_output=True, check=True)
    fonts: dict[str, float] = {}
    for page in ElementTree.fromstring(done.stdout).iter("page"):
        fonts |= {str(spec.get("id")): int(spec.get("size", "0")) / POPPLER_ZOOM
                  for spec in page.iter("fontspec")}
        lines = [(int(t.get("left", "0")) / POPPLER_ZOOM, int(t.get("top", "0")) / POPPLER_ZOOM,
                  int(t.get("width", "0")) / POPPLER_ZOOM,
                  int(t.get("height", "0")) / POPPLER_ZOOM, fonts[str(t.get("font"))],
                  "".join(t.itertext()))
                 for t in page.iter("text") if "".join(t.itertext()).strip()]
        yield Page(int(page.get("number", "0")), int(page.get("width", "0")) / POPPLER_ZOOM,
                   int(page.get("height", "0")) / POPPLER_ZOOM, lines)


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


@pytest.mark.parametrize("key", ["10-1", "10-4", "100-1"])
def test_every_printed_page_keeps_its_table_header_and_its_text(recaps: Recaps,
                                                                key: str) -> None:
    recap = recaps.items[key]
    assert recap.pdf is not None
    problems, count = page_problems(recap.pdf, desa(recap.units))
    assert problems == []
    assert count > 20


@pytest.mark.late
def test_the_printed_100_desa_full_year_recap_keeps_its_promises(recaps: Recaps) -> None:
    assert recaps.late is not None
    problems, count = page_problems(recaps.late.wait(), desa(100))
    assert problems == []
    assert count > 200


def test_a_table_longer_than_a_page_goes_on_under_its_name(recaps: Recaps) -> None:
    """100 desa: each indicator's table spans pages; every page it goes on shows "(lanjutan)"
    with the indicator's name and the header row again."""
    recap = recaps.items["100-1"]
    assert recap.pdf is not None
    continued = [p for p in pages(recap.pdf) if "(lanjutan)" in p.text]
    assert len(continued) >= 10
    for page in continued:
        heading = next(line for line in page.text.splitlines() if "(lanjutan)" in line)
        assert re.match(r"^(\d+\. .+|Ringkasan capaian per unit.*) \(lanjutan\)$", heading)
        assert re.search(r"^Predikat$", page.text, re.M), page.number


@pytest.mark.parametrize("key", ["10-1", "10-4", "100-1", "100-4"])
def test_the_data_sheet_lists_only_the_values_filled_in(recaps: Recaps, key: str) -> None:
    recap = recaps.items[key]
    data = openpyxl.load_workbook(recap.path, read_only=True)["Data"]
    rows = list(data.iter_rows(min_row=DATA_HEADER_ROW + 2, values_only=True))
    assert all(row[DATA_VALUE_COL] not in (None, "") for row in rows)
    assert len(rows) == recap.typed  # every value typed, and nothing else


def test_recaps_of_different_quarters_are_different_files(recaps: Recaps) -> None:
    for count in (10, 100):
        quarter, year = recaps.items[f"{count}-1"].path, recaps.items[f"{count}-4"].path
        assert quarter.parent == year.parent and quarter != year
        assert quarter.name == f"rekap_{BLUEPRINT}_2026_sd-TW-I.xlsx"
        assert year.name == f"rekap_{BLUEPRINT}_2026_setahun.xlsx"
        assert quarter.exists() and year.exists()


def test_the_blueprint_hash_prints_whole_on_one_page(recaps: Recaps,
                                                     blueprints: dict[str, Blueprint]) -> None:
    digest = blueprints[BLUEPRINT].content_hash()
    recap = recaps.items["10-1"]
    assert recap.pdf is not None
    asal = [p for p in pages(recap.pdf) if "ASAL DATA REKAP" in p.text]
    assert len(asal) == 1 and digest in re.sub(r"\s", "", asal[0].text)


def test_desa_blueprints_say_desa(recaps: Recaps) -> None:
    recap = recaps.items["10-1"]
    assert recap.pdf is not None
    text = "\n".join(p.text for p in pages(recap.pdf))
    assert "Diisi oleh: desa." in text and "Diisi oleh: kelurahan" not in text
