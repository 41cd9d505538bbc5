"""The kabupaten's roll-up (issue 25): six kecamatan, two on the server and four sending their
recap files (one tampered, one for another kabupaten, one a quarter behind), rolled up to TW II
through the command line; the figures equal a recomputation from the desa inputs alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl.utils.cell import coordinate_to_tuple

from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.core.codes import Code
from iki_xlsx.plan.paging import MARGIN_SIDE_IN
from iki_xlsx.rekap.rollup.iku import IkuKabupaten, check_mappings
from tests import rollup_build as kab
from tests.cli import iki
from tests.conftest import engine_values, same
from tests.pdfpages import FOOTER_BAND_PT, pages
from tests.shared import built_once, by_content
from tests.xlsxgeometry import print_names


@pytest.fixture(scope="module")
def kabupaten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(tmp_path_factory, "kabupaten-6", kab.build)


@pytest.fixture(scope="module")
def rolled(kabupaten: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The four files taken in with `terima`, then `rekap-kabupaten --periode 2026 --tw 2`,
    in a copy of the kabupaten (the shared one stays as built)."""
    root = tmp_path_factory.mktemp("rollup") / "kabupaten"
    import shutil

    shutil.copytree(kabupaten / "kabupaten", root, symlinks=True)
    files = sorted((kabupaten / "kiriman").glob("rekap-*.xlsx"))
    taken = iki("terima", *files, cwd=root)
    out = root / "rekap-tw2.xlsx"
    made = iki("rekap-kabupaten", "--periode", "2026", "--tw", "2", "-o", out, cwd=root)
    return {"root": root, "taken": taken, "made": made, "out": out,
            "values": engine_values(out) if out.exists() else {}}


def _cells(rolled: dict[str, object]) -> dict[tuple[str, str], object]:
    values = rolled["values"]
    assert isinstance(values, dict)
    return values


def _sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    """A sheet's rows as cached in the file (openpyxl, data_only): the workbook read once per
    content in a run, however many of its sheets the tests read."""
    return by_content("sheet-rows", path, _all_rows)[sheet]


def _all_rows(path: Path) -> dict[str, list[list[object]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)]
            for ws in book.worksheets}


def test_terima_accepts_the_good_and_late_files_and_refuses_the_tampered_and_foreign(
        rolled: dict[str, object], kabupaten: Path) -> None:
    taken = rolled["taken"]
    lines = taken.stdout.splitlines()  # type: ignore[attr-defined]
    assert taken.returncode == 1  # type: ignore[attr-defined]
    verdict = {line.split(":")[1].split()[0]: line for line in lines if line.startswith("baru")}
    assert "DITERIMA" in verdict["rekap-K3.xlsx"].upper()
    assert "DITERIMA" in verdict["rekap-K4.xlsx"].upper()
    assert "DITOLAK" in verdict["rekap-K6.xlsx"].upper()
    assert "K6" not in verdict["rekap-K6.xlsx"].split("xlsx")[1]  # no office taken from it
    assert "Kabupaten Lain" in taken.stdout  # type: ignore[attr-defined]
    cell = (kabupaten / "kiriman" / "K5-cell.txt").read_text()
    assert "kantor K5" in verdict["rekap-K5.xlsx"]
    assert not verdict["rekap-K5.xlsx"].upper().endswith("DITERIMA")
    tampered = [line for line in lines if f"Ringkasan!{cell}" in line]
    assert tampered and str(Code.FORMULA_CHANGED) in tampered[0], lines


def test_every_file_is_kept_byte_for_byte(rolled: dict[str, object], kabupaten: Path) -> None:
    import hashlib

    root = rolled["root"]
    assert isinstance(root, Path)
    kept = {p.name for p in (root / "simpan").rglob("*") if p.is_file()}
    for sent in (kabupaten / "kiriman").glob("rekap-*.xlsx"):
        digest = hashlib.sha256(sent.read_bytes()).hexdigest()
        assert any(digest in name for name in kept), sent.name


def test_the_rollup_equals_a_recomputation_from_the_desa_inputs(
        rolled: dict[str, object]) -> None:
    made = rolled["made"]
    assert made.returncode == 0, made.stderr  # type: ignore[attr-defined]
    out = rolled["out"]
    assert isinstance(out, Path)
    rows = _sheet_rows(out, "IKU Kabupaten")
    totals = {row[1]: row for row in rows if row[1] == "Kabupaten"}
    assert totals
    by_heading = {}
    heading = None
    for row in rows:
        if isinstance(row[0], str) and row[0].startswith("IKU-"):
            heading = row[0].split()[0]
        elif row[1] == "Kabupaten":
            by_heading[heading] = row
    # IKU-1: Σ prioritas / Σ seluruh x 100 over K1 (server) and K3 (file) to TW II, never
    # the mean of the two kecamatan percentages; K6's file was for another kabupaten
    prioritas = sum(kab.FILLED[k]["usulan_prioritas"][p] for k in ("K1", "K3") for p in (0, 1))
    seluruh = sum(kab.FILLED[k]["usulan_seluruh"][p] for k in ("K1", "K3") for p in (0, 1))
    assert by_heading["IKU-1"][3] == prioritas and by_heading["IKU-1"][4] == seluruh
    assert by_heading["IKU-1"][5] == pytest.approx(prioritas / seluruh * 100)
    mean_of_percentages = (7 / 20 + 3 / 10) / 2 * 100
    assert by_heading["IKU-1"][5] != pytest.approx(mean_of_percentages)
    # IKU-2: a count, summed; K5's tampered file is not in it
    assert by_heading["IKU-2"][5] == sum(kab.FILLED["K2"]["berkas"][:2])


def test_each_kecamatan_row_says_where_it_came_from_and_who_is_late(
        rolled: dict[str, object]) -> None:
    out = rolled["out"]
    assert isinstance(out, Path)
    rows = {row[1]: row for row in _sheet_rows(out, "Ringkasan") if row[1] in kab.OFFICES}
    assert [rows[k][3] for k in sorted(rows)] == ["server", "server", "berkas", "berkas",
                                                   "belum ada", "belum ada"]
    # one desa/kelurahan and the office itself each; all accepted
    assert [rows[k][4:7] for k in ("K1", "K2", "K3", "K4")] == [[2, 2, 2]] * 4
    # accepted by the office's own deadline (iki.toml batas), known for the server's offices
    assert [rows[k][7] for k in ("K1", "K2", "K3")] == [2, 0, None]
    assert rows["K4"][13] == "TW I (terlambat)"
    assert rows["K1"][13] == "TW IV" and rows["K3"][13] == "TW IV"
    made = rolled["made"]
    assert "terlambat: kantor K4 (Kecamatan K4) data s.d. TW I" in made.stdout  # type: ignore


def test_every_number_is_a_live_formula_over_the_data_sheet(rolled: dict[str, object]) -> None:
    import openpyxl

    out = rolled["out"]
    assert isinstance(out, Path)
    book = openpyxl.load_workbook(out)
    sheet = book["Ringkasan"]
    k1 = next(row for row in sheet.iter_rows() if row[1].value == "K1")
    assert str(k1[4].value).startswith("=") and "'Data'!" in str(k1[4].value)
    assert "COUNTIF('Data'!" in str(k1[8].value)
    data = _sheet_rows(out, "Data")
    assert all(row[4] not in (None, "") for row in data[3:] if row[0])  # filled values only
    # every cached value is what a fresh `formulas` model computes from the file alone
    values = _cells(rolled)
    cached = {sheet: _sheet_rows(out, sheet) for sheet in ("Ringkasan", "IKU Kabupaten")}
    checked = 0
    for (sheet, cell), computed in values.items():
        if sheet not in cached:
            continue
        row, col = coordinate_to_tuple(cell)
        assert same(cached[sheet][row - 1][col - 1], computed), (sheet, cell)
        checked += 1
    assert checked > 20


def test_the_refused_files_are_listed_with_their_finding(rolled: dict[str, object]) -> None:
    out = rolled["out"]
    assert isinstance(out, Path)
    asal = _sheet_rows(out, "Asal Data")
    refused = [row for row in asal if row[2] == "ditolak"]
    assert sorted(str(row[3]).split()[0] for row in refused) == ["rekap-K5.xlsx",
                                                                  "rekap-K6.xlsx"]


def test_a_mapping_the_kabupaten_does_not_list_is_found_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "kota.yaml"
    path.write_text(kab.mapped_yaml("iki-kecamatan-kota.yaml", "IKU-9"), encoding="utf-8")
    bp = load_blueprint(path).blueprint
    assert bp is not None
    found = check_mappings(bp, [IkuKabupaten("IKU-1", "x", "%")], path)
    assert [(f.code, f.line) for f in found] == [
        (Code.IKU_KABUPATEN_INVALID,
         1 + path.read_text().splitlines().index("        iku_kabupaten: IKU-9"))]
    assert "IKU-9" in found[0].message and "iku_kabupaten.csv" in found[0].message


def test_rekap_kabupaten_outside_a_kabupaten_is_a_usage_error(tmp_path: Path) -> None:
    ran = iki("rekap-kabupaten", "--periode", "2026", cwd=tmp_path)
    assert ran.returncode == 2 and "ruang kerja kabupaten" in ran.stderr



def test_the_printed_rollup_keeps_its_promises(rolled: dict[str, object], office_port: int,
                                               tmp_path: Path) -> None:
    """As LibreOffice prints it: body text >= 8 pt (footers >= 7 pt), no text past a page's
    printed area, and every page with a kecamatan's row shows its table's header row."""
    from tests import libreoffice

    out = rolled["out"]
    assert isinstance(out, Path)
    pdf = tmp_path / "rekap-kabupaten.pdf"
    libreoffice.read_values(office_port, [out], {}, "never", pdf={out: pdf})
    problems = []
    count = 0
    for page in pages(pdf):
        count += 1
        printed = page.width - MARGIN_SIDE_IN * 72
        for left, top, width, height, size, text in page.lines:
            if left < 0 or top < 0 or left + width > printed + 0.5 or (
                    top + height > page.height + 0.5):
                problems.append(f"page {page.number}: '{text}' is cut at the page's edge")
            limit = 7.0 if top > page.height - FOOTER_BAND_PT else 8.0
            if size < limit - 0.35:
                problems.append(f"page {page.number}: '{text}' at {size:.1f} pt")
        if re.search(r"^K[1-6]$", page.text, re.M) and not re.search(r"^Kode\b", page.text,
                                                                      re.M):
            problems.append(f"page {page.number}: kecamatan rows without their header row")
    assert problems == []
    assert count >= 4  # Ringkasan, IKU Kabupaten, Data, Asal Data


def test_every_sheet_of_the_rollup_prints_all_its_cells_and_charts(
        rolled: dict[str, object]) -> None:
    """As the recap's (test_layout): a visible sheet's print area is its cells and its charts,
    named before its print titles, so LibreOffice opens the roll-up without laying out its
    pages down to row 1,048,576; a hidden sheet has none."""
    out = rolled["out"]
    assert isinstance(out, Path)
    sheets = print_names(out)
    assert [(s.name, s.problem()) for s in sheets if s.problem()] == []
    assert sum(s.charts for s in sheets) >= 1 and any("titles" in s.order for s in sheets)


def test_the_admin_uploads_recap_files_and_makes_the_rollup_in_the_web_app(
        kabupaten: Path, tmp_path: Path) -> None:
    """The kabupaten's page: a pemeriksa of every office makes and downloads the roll-up, the
    admin uploads a recap file (judged as terima judges it), an operator of one office is
    refused."""
    import shutil

    from starlette.testclient import TestClient

    from iki_xlsx.accounts.roles import Grant, Role
    from iki_xlsx.accounts.sessions import LoginPolicy
    from iki_xlsx.service.site import Site as Served
    from iki_xlsx.web import create_app
    from iki_xlsx.web.site import Site
    from tests.webspace import csrf_in

    root = tmp_path / "kabupaten"
    shutil.copytree(kabupaten / "kabupaten", root, symlinks=True)
    book = Served.at(root).accounts()
    book.add("admin", "Admin Kabupaten", "sandi-admin-123", [Grant(Role.ADMIN)])
    book.add("sri", "Sri", "sandi-sri-1234", [Grant(Role.PEMERIKSA, "*")])
    book.add("budi", "Budi", "sandi-budi-123", [Grant(Role.OPERATOR, "K1")])

    def signed_in(login: str, password: str) -> TestClient:
        app = create_app(Site(root.resolve()), login_required=True, host="192.0.2.10",
                         login_policy=LoginPolicy(delay=0.0))  # type: ignore[arg-type]
        client = TestClient(app, base_url="http://127.0.0.1:8000")
        form = {"csrf": csrf_in(client.get("/masuk").text), "nama_masuk": login,
                "sandi": password, "lanjut": "/"}
        assert client.post("/masuk", data=form, follow_redirects=False).status_code == 303
        return client

    with signed_in("budi", "sandi-budi-123") as budi:
        assert budi.get("/rekap-kabupaten").status_code == 403
    with signed_in("admin", "sandi-admin-123") as admin:
        page = admin.get("/rekap-kabupaten")
        assert page.status_code == 200 and "Unggah berkas rekap kecamatan" in page.text
        sent = kabupaten / "kiriman" / "rekap-K3.xlsx"
        taken = admin.post("/rekap-kabupaten/unggah", data={"csrf": csrf_in(page.text)},
                           files=[("berkas", (sent.name, sent.read_bytes(), "application/"
                                              "octet-stream"))])
        assert taken.status_code == 200
        assert re.search(r"rekap-K3\.xlsx \(kantor K3\): <strong>diterima</strong>", taken.text)
    with signed_in("sri", "sandi-sri-1234") as sri:
        page = sri.get("/rekap-kabupaten")
        assert "Unggah berkas rekap kecamatan" not in page.text  # the admin's only
        made = sri.post("/rekap-kabupaten", data={"csrf": csrf_in(page.text),
                                                  "periode": "2026", "tw": "2"})
        assert made.status_code == 200
        rows = re.findall(r"<tr><td>(K\d)</td><td>[^<]*</td>\s*<td[^>]*>([^<]*)</td>",
                          made.text)
        assert rows == [("K1", "server"), ("K2", "server"), ("K3", "berkas"),
                        ("K4", "belum ada data"), ("K5", "belum ada data"),
                        ("K6", "belum ada data")]
        download = sri.get("/rekap-kabupaten/unduh")
        assert download.status_code == 200 and download.content[:2] == b"PK"


def test_a_recap_laid_out_by_another_release_is_refused_as_such(kabupaten: Path,
                                                                 tmp_path: Path) -> None:
    """A file whose formulas stand elsewhere (another release's layout, its hash on the
    Kabupaten sheet) is refused once, saying so, not accused cell by cell."""
    import shutil
    import zipfile

    from iki_xlsx.service.kabupaten import load_kabupaten
    from iki_xlsx.service.rollup import KabupatenRollup

    root = tmp_path / "kabupaten"
    shutil.copytree(kabupaten / "kabupaten", root, symlinks=True)
    sent = kabupaten / "kiriman" / "rekap-K3.xlsx"
    with zipfile.ZipFile(sent) as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    strings = parts["xl/sharedStrings.xml"].decode("utf-8")
    rows = {row[0]: row[2] for row in _sheet_rows(sent, "Kabupaten") if row[0]}
    layout = str(rows["Susunan rumus"])
    assert f"<t>{layout}</t>" in strings
    other = tmp_path / "rekap-K3-lain.xlsx"
    with zipfile.ZipFile(other, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            if name == "xl/sharedStrings.xml":  # what another release's layout would say
                data = strings.replace(f"<t>{layout}</t>", "<t>" + "ab" * 32 + "</t>"
                                       ).encode("utf-8")
            target.writestr(name, data)
    taken = KabupatenRollup(load_kabupaten(root)).receive([(other.name, other.read_bytes())])
    findings = taken[0].checked.findings
    assert [(f.code, f.sheet) for f in findings] == [(Code.REKAP_FILE_INVALID, "Kabupaten")]
    assert "susunan rumus rekap ini" in findings[0].message
    assert taken[0].checked.status.label == "ditolak"
