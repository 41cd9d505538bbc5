"""Blueprints as spreadsheets: the template, reading it with errors at the cell, converting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from iki_xlsx.blueprint.load import load_blueprint, load_blueprint_text
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.blueprint.patterns import PATTERNS
from iki_xlsx.blueprint.sheets import CHOICE_SHEET, KANTOR, SHEETS
from iki_xlsx.blueprint.xlsx import _rows, convert_blueprint, write_blueprint_xlsx
from iki_xlsx.core.units import Unit, file_safe
from iki_xlsx.workbook.generate import generate, resolve_blueprint
from tests import libreoffice
from tests.cli import Ran, iki
from tests.conftest import BLUEPRINTS, UNITS
from tests.test_blueprint_errors import VALID


def run(*args: str) -> Ran:
    return iki(*args)


@pytest.mark.parametrize("name", ["iki-kecamatan-jabung", "iki-kecamatan-kota", "iku-kecamatan"])
def test_yaml_to_xlsx_to_yaml_keeps_the_model(name: str, tmp_path: Path,
                                              blueprints: dict[str, Blueprint]) -> None:
    source = BLUEPRINTS / f"{name}.yaml"
    original = blueprints[name]
    done = run("blueprint", "ubah", str(source), "-o", str(tmp_path / f"{name}.xlsx"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{source} -> {tmp_path / name}.xlsx (")
    done = run("blueprint", "ubah", str(tmp_path / f"{name}.xlsx"), "-o",
               str(tmp_path / f"{name}.yaml"))
    assert done.returncode == 0, done.stderr
    from_xlsx = load_blueprint(tmp_path / f"{name}.xlsx")
    from_yaml = load_blueprint(tmp_path / f"{name}.yaml")
    assert from_xlsx.findings == [] and from_yaml.findings == []
    assert from_xlsx.blueprint == original and from_yaml.blueprint == original
    assert from_xlsx.blueprint.content_hash() == original.content_hash()
    assert from_yaml.blueprint.content_hash() == original.content_hash()


def test_the_xlsx_form_generates_byte_identical_workbooks(tmp_path: Path,
                                                          blueprints: dict[str, Blueprint]) -> None:
    original = blueprints["iki-kecamatan-kota"]
    convert_blueprint(original, tmp_path / "kota.xlsx")
    loaded = load_blueprint(tmp_path / "kota.xlsx").blueprint
    assert loaded is not None
    first = generate(original, UNITS[:1], 2026, tmp_path / "yaml", sample=True).files
    second = generate(loaded, UNITS[:1], 2026, tmp_path / "xlsx", sample=True).files
    assert [p.name for p in first] == [p.name for p in second] and len(first) == 2
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


# --- mistakes in the spreadsheet form ---------------------------------------------------------

@pytest.fixture(scope="module")
def valid_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bp = load_blueprint_text(VALID, "baik.yaml").blueprint
    assert bp is not None
    return write_blueprint_xlsx(bp, tmp_path_factory.mktemp("xlsx") / "baik.xlsx")


def edited(source: Path, target: Path, changes: dict[str, Any]) -> Path:
    """A copy of `source` with cells changed (`Sheet!A1` -> value), saved by openpyxl."""
    book = openpyxl.load_workbook(source)
    for where, value in changes.items():
        sheet, cell = where.split("!")
        book[sheet][cell].value = value
    book.save(target)
    return target


# Indikator: A Sasaran, B Indikator, C Formulasi, D Sumber data, E Jabatan, F Id, G Satuan,
# H Target, I Polaritas, J Jenis / pola, K Pembilang, L Penyebut, M Rumus. Row 2 is
# 'pengaduan', row 3 'kehadiran-pns'. Variabel: A Jabatan, B Indikator, C Id.
CTX = "jabatan 'camat': indikator"
ORPHAN = ("indikator 'camat' / 'kehadiran-pns' tidak ada di lembar Indikator atau IKU; tulis "
          "Jabatan dan Indikator (id) pemilik baris ini")
SHEET_MISTAKES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    ("unknown jenis", {"Indikator!J2": "rasio"}, [
        ("Indikator!J2", "Jenis / pola: 'rasio' bukan jenis atau pola yang dikenal; pilih dari "
         "daftar tarik-turun sel ini")]),
    ("empty required cell", {"Indikator!G2": None}, [
        ("Indikator!G2", f"{CTX} 'pengaduan': kolom 'Satuan' wajib diisi")]),
    ("variable in a rumus not listed",
     {"Indikator!M3": "(pegawai * hari_kerja - tidak_masuk - hari_libur) / (pegawai * hari_kerja)"},
     [("Indikator!M3", f"{CTX} 'kehadiran-pns': rumus memakai 'hari_libur' yang tidak "
       "dideklarasikan")]),
    # the second 'pengaduan' is left out, so the variables of 'kehadiran-pns' have no owner
    ("duplicate indicator id", {"Indikator!F3": "pengaduan"}, [
        ("Indikator!F3", "id indikator 'pengaduan' dipakai lebih dari sekali (pertama kali di "
         "Indikator!F2)"), ("Variabel!B4", ORPHAN), ("Variabel!B5", ORPHAN)]),
    ("duplicate jabatan id", {"Jabatan!A3": "camat", "Jabatan!B3": "Lurah", "Jabatan!D3": "x"},
     [("Jabatan!A3", "jabatan 'camat': id jabatan 'camat' dipakai lebih dari sekali (pertama "
       "kali di Jabatan!A2)")]),
    ("number typed as text in target", {"Indikator!H2": "100"}, [
        ("Indikator!H2", "Target: '100' diketik sebagai teks; ketik ulang sebagai angka (tanpa "
         "tanda kutip di depan)")]),
    ("misspelled column", {"Variabel!D1": "Lable"}, [
        ("Variabel!D1", "kolom 'Lable' tidak dikenal; maksud Anda 'Label'?")]),
    ("excel formula typed", {"Indikator!M3": "=A1+1"}, [
        ("Indikator!M3", "Rumus: sel ini berisi rumus Excel; ketik nilainya saja (tanpa tanda = "
         "di depan)")]),
]


def test_sheet_mistakes_each_give_exact_lines_at_the_cell(valid_xlsx: Path,
                                                         tmp_path: Path) -> None:
    assert run("blueprint", "check", str(valid_xlsx)).returncode == 0
    paths = [edited(valid_xlsx, tmp_path / f"{i}.xlsx", changes)
             for i, (_, changes, _) in enumerate(SHEET_MISTAKES)]
    done = run("blueprint", "check", *map(str, paths))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Kesalahan: {path}:{cell}: {message}"
        for path, (_, _, lines) in zip(paths, SHEET_MISTAKES, strict=True)
        for cell, message in lines]


def test_all_cell_mistakes_of_a_workbook_come_at_once(valid_xlsx: Path, tmp_path: Path) -> None:
    path = edited(valid_xlsx, tmp_path / "banyak.xlsx", {
        "Indikator!J2": "rasio", "Indikator!H2": "100", "Indikator!G3": None,
        "Variabel!E2": "angka", "Kantor!B3": None})
    result = load_blueprint(path)
    assert result.blueprint is None
    assert [f.one_line() for f in result.findings] == [
        f"{path}:Indikator!H2: Target: '100' diketik sebagai teks; ketik ulang sebagai angka "
        "(tanpa tanda kutip di depan)",
        f"{path}:Indikator!J2: Jenis / pola: 'rasio' bukan jenis atau pola yang dikenal; pilih "
        "dari daftar tarik-turun sel ini",
        f"{path}:Kantor!B3: bagian 'Versi' wajib diisi",
        f"{path}:Variabel!E2: {CTX} 'pengaduan': variabel 'ditindaklanjuti': tipe: 'angka' bukan "
        "pilihan yang sah (pilihan: 'bulat', 'desimal', 'persen', 'ya_tidak' atau 'pilihan')",
        f"{path}:Indikator!G3: {CTX} 'kehadiran-pns': kolom 'Satuan' wajib diisi",
    ]


def test_not_a_workbook_is_one_finding(tmp_path: Path) -> None:
    path = tmp_path / "palsu.xlsx"
    path.write_bytes(b"PK\x03\x04 bukan zip")
    done = run("blueprint", "check", str(path))
    assert (done.returncode, done.stderr) == (
        1, f"Kesalahan: {path}: berkas ini bukan lembar kerja .xlsx yang dapat dibaca\n")


# --- the template -----------------------------------------------------------------------------

def test_template_cli_writes_every_sheet_with_drop_downs_and_prompts(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    done = run("blueprint", "templat", "-o", str(path))
    assert (done.returncode, done.stdout) == (0, f"Templat blueprint ditulis: {path}\n")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Petunjuk", CHOICE_SHEET, *(s.name for s in SHEETS)]
    assert book[CHOICE_SHEET].sheet_state == "hidden"
    indikator = book["Indikator"]
    assert [c.value for c in indikator[1][:4]] == ["Sasaran", "Indikator",
                                                   "Formulasi perhitungan", "Sumber data"]
    prompts = {str(dv.sqref): dv for dv in indikator.data_validations.dataValidation}
    assert all(dv.showInputMessage and dv.prompt for dv in prompts.values())
    jenis = prompts["J2:J1001"]
    assert (jenis.type, jenis.formula1) == ("list", "Pilihan!$A$2:$A$14")
    assert [book[CHOICE_SHEET].cell(row=r, column=1).value for r in range(2, 9)] == [
        p.phrase for p in PATTERNS]
    assert [c.value for c in book["Kantor"]["A"][1:]] == [c.header for c in KANTOR.columns]
    # an empty template is not yet a blueprint: the checker says what to fill in first
    done = run("blueprint", "check", str(path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"Kesalahan: {path}:Kantor!B2: bagian 'Id blueprint' wajib diisi",
        f"Kesalahan: {path}:Kantor!B4: bagian 'Nama' wajib diisi",
        f"Kesalahan: {path}:Kantor!B5: bagian 'Kantor' wajib diisi"]


def test_template_and_a_converted_blueprint_open_in_libreoffice(
        office_port: int, tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    template = write_blueprint_xlsx(None, tmp_path / "templat.xlsx")
    jabung = write_blueprint_xlsx(blueprints["iki-kecamatan-jabung"], tmp_path / "jabung.xlsx")
    saved = {template: tmp_path / "lo-templat.xlsx", jabung: tmp_path / "lo-jabung.xlsx"}
    shown = libreoffice.read_values(office_port, [template, jabung],
                                    {template: [("Kantor", "B8")], jabung: [("Indikator", "J2")]},
                                    "never", save_as=saved)
    assert shown[str(template.resolve())]["Kantor!B8"] == "kelurahan"
    assert shown[str(jabung.resolve())]["Indikator!J2"] == "rumus"
    book = openpyxl.load_workbook(saved[template])
    lists = {str(dv.sqref): dv.formula1 for dv in book["Variabel"].data_validations.dataValidation
             if dv.type == "list"}
    assert lists["E2:E1001"].replace("$", "") == "Pilihan!C2:C6"  # tipe, kept by LibreOffice
    again = load_blueprint(saved[jabung])
    assert again.findings == []
    assert again.blueprint == blueprints["iki-kecamatan-jabung"]


# --- a decree transcribed by filling the template ---------------------------------------------

def fill_template(template: Path, bp: Blueprint, target: Path) -> Path:
    """Fill the template the way a person would: Kantor values, then rows under each header,
    lists one per line, kinds chosen by their meaning from the drop-down's phrases."""
    rows = _rows(bp)
    book = openpyxl.load_workbook(template)
    kantor = book["Kantor"]
    for row in range(2, kantor.max_row + 1):
        column = next(c for c in KANTOR.columns if c.header == kantor.cell(row, 1).value)
        value = rows.kantor.get(column.key)
        kantor.cell(row, 2).value = value
    phrases = {"persentase": "persentase dua jumlah", "jumlah": "jumlah", "rumus": "rumus",
               "nilai": "nilai dengan skala"}
    for spec in SHEETS[1:]:
        ws = book[spec.name]
        for r, values in enumerate(rows.tables[spec.name], start=2):
            for c, column in enumerate(spec.columns, start=1):
                value = values.get(column.key)
                if column.key == "jenis":
                    value = phrases.get(value, value)
                elif isinstance(value, list):
                    value = "\n".join(value) or None
                elif isinstance(value, dict):
                    value = "\n".join(
                        f"{k} = {v['nilai']:g}{' per tahun' if v.get('per') == 'tahun' else ''}"
                        if isinstance(v, dict) else f"{k} = {v:g}"
                        for k, v in value.items()) or None
                elif isinstance(value, bool):
                    value = "Ya" if value else "Tidak"
                ws.cell(r, c).value = value
    book.save(target)
    return target


def test_a_decree_filled_into_the_template_works_like_its_yaml_twin(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    twin = blueprints["iki-kecamatan-jabung"]
    folder = tmp_path / "blueprints"
    folder.mkdir()
    filled = fill_template(write_blueprint_xlsx(None, tmp_path / "templat.xlsx"), twin,
                           folder / "jabung.xlsx")
    loaded = load_blueprint(filled)
    assert loaded.findings == []
    assert loaded.blueprint is not None
    assert loaded.blueprint.content_hash() == twin.content_hash()
    # generate by path, then check and collect against a folder holding only the xlsx form
    names = [u.nama for u in UNITS]
    made = run("generate", str(filled), "--unit", names[0], "--unit", names[1], "--periode",
               "2026", "--isi-contoh", "-o", str(tmp_path / "out"))
    assert made.returncode == 0, made.stderr
    files = sorted((tmp_path / "out").glob("*.xlsx"))
    units = [Unit(kode=file_safe(n).lower(), nama=n) for n in names]
    twin_files = generate(twin, units, 2026, tmp_path / "twin", sample=True).files
    assert {p.name: p.read_bytes() for p in files} == {p.name: p.read_bytes()
                                                        for p in twin_files}
    checked = run("check", "--blueprints", str(folder), *map(str, files))
    assert checked.returncode == 0, checked.stdout
    store = tmp_path / "simpan"
    collected = run("collect", "--store", str(store), "--blueprints", str(folder),
                    *map(str, files))
    assert collected.returncode == 0, collected.stdout + collected.stderr
    recap = run("rekap", "--store", str(store), "--blueprints", str(folder), "-o",
                str(tmp_path / "rekap.xlsx"))
    assert recap.returncode == 0, recap.stdout + recap.stderr
    assert recap.stdout.startswith("Rekap iki-kecamatan-jabung 2026: 3 dari 3 unit diterima")



def test_a_pattern_chosen_in_the_sheet_fills_in_the_keys(valid_xlsx: Path, tmp_path: Path) -> None:
    original = load_blueprint(valid_xlsx).blueprint
    assert original is not None
    path = edited(valid_xlsx, tmp_path / "pola.xlsx", {
        "Indikator!J2": "persentase dua jumlah", "Indikator!K2": None, "Indikator!L2": None})
    loaded = load_blueprint(path)
    assert loaded.findings == []
    assert loaded.blueprint is not None
    assert loaded.blueprint.content_hash() == original.content_hash()


def test_converting_never_replaces_a_file_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "tulisan-tangan.yaml"
    target.write_text("# catatan yang tidak boleh hilang\n", encoding="utf-8")
    done = run("blueprint", "ubah", str(BLUEPRINTS / "iku-kecamatan.yaml"), "-o", str(target))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"Kesalahan: {target} sudah ada; pakai --timpa untuk menimpanya\n"
    assert target.read_text(encoding="utf-8") == "# catatan yang tidak boleh hilang\n"
    done = run("blueprint", "ubah", str(BLUEPRINTS / "iku-kecamatan.yaml"), "-o", str(target),
               "--timpa")
    assert done.returncode == 0, done.stderr
    assert load_blueprint(target).ok
    template = tmp_path / "templat.xlsx"
    template.write_bytes(b"lama")
    done = run("blueprint", "templat", "-o", str(template))
    assert (done.returncode, template.read_bytes()) == (2, b"lama")


def test_one_id_in_two_files_of_the_folder(tmp_path: Path) -> None:
    """x.yaml beside its spreadsheet twin from `blueprint ubah` is one blueprint; once the
    twin's content differs, `blueprint periksa` says so at the later file and `buat` refuses
    the id instead of picking a file by name order."""
    folder = tmp_path / "blueprints"
    folder.mkdir()
    source = (BLUEPRINTS / "iku-kecamatan.yaml").read_text(encoding="utf-8")
    (folder / "iku-kecamatan.yaml").write_text(source, encoding="utf-8")
    done = run("blueprint", "ubah", str(folder / "iku-kecamatan.yaml"), "-o",
               str(folder / "iku-kecamatan.xlsx"))
    assert done.returncode == 0, done.stderr
    assert run("blueprint", "check", str(folder / "iku-kecamatan.yaml"),
               str(folder / "iku-kecamatan.xlsx")).returncode == 0

    (folder / "iku-kecamatan.yaml").write_text(source.replace('versi: "1"', 'versi: "2"'),
                                               encoding="utf-8")
    done = run("blueprint", "check", str(folder / "iku-kecamatan.xlsx"),
               str(folder / "iku-kecamatan.yaml"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"Kesalahan: {folder / 'iku-kecamatan.yaml'}: id blueprint 'iku-kecamatan' sudah "
        "dipakai iku-kecamatan.xlsx dengan isi yang berbeda; satu id untuk satu blueprint: "
        "hapus berkas yang lama, atau beri salah satunya id lain")
    bp, findings = resolve_blueprint("iku-kecamatan", folder)  # as buat names it by id
    assert bp is None and [(f.code, Path(f.file or "").name) for f in findings] == [
        ("blueprint-id-conflict", "iku-kecamatan.yaml")]
