"""The performance year through the command line (in-process), in a workspace with two years:
the target form made, filled and recorded, last year's figures typed and imported, every
document and the SKP export written; and every bad target or realisasi form one located
Indonesian line, exit 2, nothing recorded."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iki_xlsx.blueprint.model import Blueprint, indicators
from iki_xlsx.cli.main import main
from iki_xlsx.service.workspace import init_workspace
from iki_xlsx.store.db import Store
from iki_xlsx.targets.model import key_of
from iki_xlsx.years.impor import realisasi_headers
from tests.conftest import BLUEPRINTS
from tests.forms import fill_form, form_rows
from tests.yearly import UNITS, planned_targets, two_years

BP = "iku-kecamatan"


def cli(*args: str) -> tuple[int, list[str]]:
    done = CliRunner().invoke(main, list(args), prog_name="iki-xlsx")
    assert isinstance(done.exception, SystemExit | None), done.exception  # no traceback
    return done.exit_code, done.output.splitlines()


@pytest.fixture(scope="module")
def kantor(tmp_path_factory: pytest.TempPathFactory, blueprints: dict[str, Blueprint]) -> Path:
    """A workspace of the IKU blueprint whose store holds two years of returns (2025 to TW
    II, 2026 whole), its units those of the returns; nothing else recorded yet."""
    root = tmp_path_factory.mktemp("year") / "kantor"
    assert init_workspace(root).ok
    for old in (root / "blueprints").iterdir():
        old.unlink()
    shutil.copyfile(BLUEPRINTS / f"{BP}.yaml", root / "blueprints" / f"{BP}.yaml")
    (root / "unit.csv").write_text("kode,nama,email\n" + "".join(
        f"{u.kode},{u.nama},{u.kode}@desa.contoh.go.id\n" for u in UNITS), encoding="utf-8")
    two_years(blueprints[BP], root, blueprints, recorded=False)  # the returns only
    return root


def _targets(bp: Blueprint, scale: float) -> dict[str, dict[str, float]]:
    return {key_of(jab, ind): planned_targets(ind, round((40 + n) * scale, 2))
            for n, (jab, ind) in enumerate(indicators(bp))}


def test_the_yearly_flow_through_the_command_line(kantor: Path, blueprints: dict[str, Blueprint],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    bp = blueprints[BP]
    monkeypatch.chdir(kantor)  # the operator stands in the workspace: hints name files from there
    ruang = ("--ruang", str(kantor))
    code, lines = cli(*ruang, "dokumen", "pk", "--tahun", "2027")
    assert code == 1 and lines == [
        "Kesalahan: belum ada versi target murni tahun 2027 untuk blueprint iku-kecamatan; isi "
        "formulir target (iki-xlsx target templat --tahun 2027) lalu catat dengan: iki-xlsx "
        "target catat BERKAS.xlsx"]
    code, lines = cli(*ruang, "target", "templat", "--tahun", "2026")
    form = kantor / "keluaran" / "formulir" / f"target_{BP}_2026.xlsx"
    assert code == 0 and lines == [f"formulir target ditulis: {form}",
                                   "isi lembar Versi dan Target, simpan, lalu catat dengan: "
                                   "iki-xlsx target catat keluaran/formulir/"
                                   f"target_{BP}_2026.xlsx"], lines
    murni = fill_form(form, kantor / "target-murni.xlsx",
                      {"Jenis": "murni", "Tanggal": datetime.date(2026, 1, 5),
                       "Alasan": "Perjanjian Kinerja awal tahun"}, _targets(bp, 1), "Target")
    code, lines = cli(*ruang, "target", "catat", str(murni))
    assert code == 0, lines
    assert lines[0].startswith(f"PK murni 2026 (5 Januari 2026) ({BP}): dicatat; 6 target "
                               "kecamatan, 0 target unit; SHA-256 ")
    code, lines = cli(*ruang, "target", "catat", str(murni))
    assert code == 0 and "sudah tercatat sebelumnya" in lines[0]
    code, lines = cli(*ruang, "target", "templat", "--tahun", "2026")
    assert code == 2 and lines == [f"Kesalahan: {form} sudah ada; pakai --timpa untuk "
                                   "menggantinya"]
    code, lines = cli(*ruang, "target", "templat", "--tahun", "2026", "--timpa")
    assert code == 0
    again = form_rows(form, "Target")  # a perubahan starts from the murni
    assert [r["Target tahunan"] for r in again] == [v["Target tahunan"]
                                                     for v in _targets(bp, 1).values()]
    code, lines = cli(*ruang, "target", "daftar", "--tahun", "2026")
    assert code == 0 and lines[0].startswith(f"{BP} 2026: PK murni 2026 (5 Januari 2026); "
                                             "alasan: Perjanjian Kinerja awal tahun; berkas "
                                             "target-murni.xlsx (")
    typed_form = kantor / "realisasi-2025.xlsx"
    code, lines = cli(*ruang, "impor-realisasi", "--templat", str(typed_form), "--tahun", "2025")
    assert code == 0 and lines == [f"formulir realisasi 2025 ditulis: {typed_form}",
                                   "isi lembar Realisasi, simpan, lalu catat dengan: iki-xlsx "
                                   "impor-realisasi realisasi-2025.xlsx --tahun 2025"]
    heads = realisasi_headers(bp)
    filled = fill_form(typed_form, kantor / "realisasi-2025-isi.xlsx", None,
                       {key_of(j, i): {"Target tahunan": 50, **{h: 10 * (q + 1)
                                                                for q, h in enumerate(heads)}}
                        for j, i in indicators(bp)}, "Realisasi")
    code, lines = cli(*ruang, "impor-realisasi", str(filled), "--tahun", "2025")
    assert code == 0 and lines[0].startswith(f"realisasi 2025 ({BP}) diketik kantor: dicatat; "
                                             "6 indikator; SHA-256 ")
    out = kantor / "keluaran" / "dokumen"
    for args, stem in ((("pk", "--tahun", "2026"), f"PK_murni_{BP}_2026"),
                       (("pengukuran", "--periode", "2026", "--tw", "2"),
                        f"pengukuran_{BP}_2026_twii"),
                       (("lkjip", "--tahun", "2026"), f"LKjIP_BabIII_{BP}_2026")):
        code, lines = cli(*ruang, "dokumen", *args)
        assert code == 0 and lines == [f"ditulis: {out / stem}.docx",
                                       f"ditulis: {out / stem}.xlsx"], lines
    code, lines = cli(*ruang, "dokumen", "pk", "--tahun", "2026", "--perubahan")
    assert code == 1 and "belum ada versi target perubahan tahun 2026" in lines[0]
    code, lines = cli(*ruang, "dokumen", "pengukuran", "--periode", "2026", "--tw", "5")
    assert code == 2 and lines == ["Kesalahan: --tw harus nomor periode dari 1 sampai 4 (TW I, "
                                   "TW II, TW III, TW IV)"]
    code, lines = cli(*ruang, "ekspor-skp", "--tahun", "2026")
    assert bp.iku is not None
    rows = 4 * sum(len(ind.jabatan) or 1 for ind in bp.iku.indikator)  # each TW, each jabatan
    assert code == 0 and lines == [f"ditulis: {out / f'skp_{BP}_2026.csv'} ({rows} baris)"]


BAD_CASES = ["sheet renamed", "text in a number cell", "unknown indicator", "target 0",
             "year 2101"]


@pytest.mark.parametrize("case", BAD_CASES)
@pytest.mark.parametrize("form", ["target", "realisasi"])
def test_a_bad_form_is_one_located_line_exit_2_and_nothing_recorded(
        case: str, form: str, kantor: Path, blueprints: dict[str, Blueprint],
        tmp_path: Path) -> None:
    import openpyxl

    bp = blueprints[BP]
    ruang = ("--ruang", str(kantor))
    template = tmp_path / "templat.xlsx"
    if form == "target":
        assert cli(*ruang, "target", "templat", "--tahun", "2026", "-o", str(template))[0] == 0
        rows: dict[str, dict[str, object]] = dict(_targets(bp, 1))
        parts: dict[str, object] = {"Tanggal": "05-01-2026", "Alasan": "awal tahun"}
        sheet, number_header, year_cell = "Target", "Target TW I", "Versi!B3"
    else:
        assert cli(*ruang, "impor-realisasi", "--templat", str(template), "--tahun",
                   "2025")[0] == 0
        heads = realisasi_headers(bp)
        rows = {key_of(j, i): {"Target tahunan": 50, **{h: 10 for h in heads}}
                for j, i in indicators(bp)}
        parts, sheet, number_header, year_cell = {}, "Realisasi", heads[0], "Versi!B3"
    key = next(iter(rows))
    if case == "text in a number cell":
        rows[key] = {**rows[key], number_header: "12 orang"}
    elif case == "target 0":
        rows[key] = {**rows[key], "Target tahunan": 0, "Target TW IV": 0} if form == "target" \
            else {**rows[key], "Target tahunan": 0}
    elif case == "year 2101":
        parts["Tahun"] = 2101
    filled = fill_form(template, tmp_path / "isi.xlsx", parts or None, rows, sheet)  # type: ignore[arg-type]
    if case in ("sheet renamed", "unknown indicator"):
        book = openpyxl.load_workbook(filled)
        if case == "sheet renamed":
            book[sheet].title = "Sheet1"
        else:
            book[sheet]["A2"].value = "iku/tidak-ada"
        book.save(filled)
    store = Store(kantor / "simpan")
    before = (store.office_files("target"), store.office_files("realisasi"),
              sorted((kantor / "simpan" / "berkas").rglob("*")))
    args = (("target", "catat", str(filled)) if form == "target"
            else ("impor-realisasi", str(filled), "--tahun", "2025"))
    code, lines = cli(*ruang, *args)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith(f"Kesalahan: {filled.name}:"), lines
    where = {"sheet renamed": f"{sheet}!A1", "unknown indicator": f"{sheet}!A2",
             "year 2101": year_cell}.get(case)
    if where is not None:
        assert lines[0].startswith(f"Kesalahan: {filled.name}:{where}: "), lines
    words = {"sheet renamed": f"lembar '{sheet}' tidak ada",
             "text in a number cell": "'12 orang' bukan angka",
             "unknown indicator": "indikator 'iku/tidak-ada' tidak ada di blueprint",
             "target 0": "Target tahunan 0: capaian dihitung dengan membagi",
             "year 2101": "Tahun harus tahun empat angka dari 2000 sampai 2100"}[case]
    assert words in lines[0], lines
    assert (store.office_files("target"), store.office_files("realisasi"),
            sorted((kantor / "simpan" / "berkas").rglob("*"))) == before  # nothing recorded
