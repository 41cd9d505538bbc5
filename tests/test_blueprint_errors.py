"""Broken blueprints give one located Indonesian error each, exit code 1, and no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iki_xlsx.blueprint.load import load_blueprint, load_blueprint_text
from tests.cli import iki

VALID = """\
id: contoh
versi: "1"
nama: IKI Contoh
kantor: Kecamatan Contoh
predikat:
  - {min: 90, label: Sangat Baik}
  - {min: 70, label: Baik}
  - {min: 0, label: Kurang}
jabatan:
  - id: camat
    nama: Camat
    sumber: 000.txt
    tugas: [Memimpin kecamatan]
    indikator:
      - id: pengaduan
        sasaran: Pelayanan baik
        nama: Persentase pengaduan ditindaklanjuti
        formulasi: Pengaduan ditindaklanjuti berbanding pengaduan X 100%
        sumber_data: Data pengaduan
        satuan: "%"
        target: 100
        jenis: persentase
        pembilang: ditindaklanjuti
        penyebut: pengaduan
        variabel:
          - {id: ditindaklanjuti, label: Pengaduan ditindaklanjuti}
          - {id: pengaduan, label: Pengaduan masuk}
      - id: kehadiran-pns
        sasaran: Disiplin
        nama: Tingkat kehadiran
        formulasi: hadir / hari kerja
        sumber_data: Absensi
        satuan: "%"
        target: 100
        jenis: rumus
        rumus: (pegawai * hari_kerja - tidak_masuk) / (pegawai * hari_kerja) * 100
        konstanta: {hari_kerja: 240}
        variabel:
          - {id: pegawai, label: Jumlah pegawai, agregasi_periode: rata_rata}
          - {id: tidak_masuk, label: Hari tidak masuk}
iku:
  sumber: 004.txt
  indikator:
    - id: ikm
      sasaran: Pelayanan prima
      nama: Indeks kepuasan masyarakat
      formulasi: Nilai survei kepuasan masyarakat
      sumber_data: Hasil survei
      satuan: nilai
      pola: nilai dengan skala
      skala: [{min: 88.31, label: A}, {min: 76.61, label: B}, {min: 25, label: C}]
      penanggung_jawab: [Camat]
      jabatan: [camat]
      variabel:
        - {id: nilai_ikm, label: Nilai IKM, max: 100}
"""

# (case, text change: (old, new), code, line, words in the message)
CASES = [
    ("unknown key", ("    sumber: 000.txt\n", "    sumber: 000.txt\n    warna: biru\n"),
     "blueprint-unknown-key", 13, "kunci 'warna' tidak dikenal"),
    ("undeclared variable in a formula", ("tidak_masuk) / (", "hari_libur) / ("),
     "blueprint-undeclared-variable", 36, "rumus memakai 'hari_libur' yang tidak dideklarasikan"),
    ("duplicate id", ("      - id: kehadiran-pns", "      - id: pengaduan"),
     "blueprint-duplicate-id", 28, "id indikator 'pengaduan' dipakai lebih dari sekali"),
    ("bad threshold order", ("{min: 70, label: Baik}", "{min: 95, label: Baik}"),
     "blueprint-bad-scale", 7, "batas 95 harus lebih kecil dari batas sebelumnya 90"),
    ("numerator without denominator", ("        penyebut: pengaduan\n", ""),
     "blueprint-missing-key", 15, "wajib memiliki 'penyebut'"),
    ("wrong type", ("        target: 100\n        jenis: persentase",
                    "        target: seratus\n        jenis: persentase"),
     "blueprint-invalid-value", 21, "target: 'seratus' harus berupa angka"),
    ("wrong kind", ("jenis: rumus", "jenis: rasio"),
     "blueprint-invalid-value", 35, "'rasio' bukan pilihan yang sah"),
    ("yaml syntax error", ("  - id: camat\n", "  - id: camat\n   nama: [\n"),
     "blueprint-syntax", 11, "sintaks YAML salah"),
    ("duplicate key", ("    nama: Camat\n", "    nama: Camat\n    nama: Lurah\n"),
     "blueprint-syntax", 12, "kunci 'nama' ditulis dua kali"),
    ("missing required key", ("    nama: Camat\n", ""),
     "blueprint-missing-key", 10, "jabatan 'camat': kunci 'nama' wajib diisi"),
    ("ratio of the same variable", ("penyebut: pengaduan", "penyebut: ditindaklanjuti"),
     "blueprint-bad-ratio", 24, "pembilang dan penyebut tidak boleh variabel yang sama"),
]


@pytest.mark.parametrize(("case", "change", "code", "line", "words"), CASES,
                         ids=[c[0] for c in CASES])
def test_broken_blueprint_gives_located_error(tmp_path: Path, case: str, change: tuple[str, str],
                                              code: str, line: int, words: str) -> None:
    old, new = change
    assert old in VALID, case
    path = tmp_path / "rusak.yaml"
    path.write_text(VALID.replace(old, new, 1), encoding="utf-8")
    result = load_blueprint(path)
    assert result.blueprint is None
    assert [(f.code, f.line) for f in result.findings][:1] == [(code, line)]
    assert words in result.findings[0].message

    done = iki("blueprint", "check", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"Kesalahan: {path}:{line}: ") and words in first


def test_valid_blueprint_passes(tmp_path: Path) -> None:
    path = tmp_path / "baik.yaml"
    path.write_text(VALID, encoding="utf-8")
    done = iki("blueprint", "check", str(path))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{path}: sah (1 jabatan, 2 indikator, 1 IKU)\n"


@pytest.mark.parametrize(("content", "code", "message"), [
    ("", "blueprint-empty", "berkas blueprint kosong"),
    ("- satu\n- dua\n", "blueprint-type", "harus berupa pemetaan"),
    (b"\xff\xfe\x00".decode("latin-1"), "blueprint-unreadable", "tidak dapat dibaca"),
])
def test_empty_or_odd_files(tmp_path: Path, content: str, code: str, message: str) -> None:
    path = tmp_path / "aneh.yaml"
    if code == "blueprint-unreadable":
        path.write_bytes(b"\xff\xfe\x00\x81")
    else:
        path.write_text(content, encoding="utf-8")
    result = load_blueprint(path)
    assert [f.code for f in result.findings] == [code]
    assert message in result.findings[0].message


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.yaml", tmp_path / "b.yaml"
    good.write_text(VALID, encoding="utf-8")
    bad.write_text("id: [", encoding="utf-8")
    done = iki("blueprint", "check", str(bad), str(good), str(tmp_path / "tidak-ada.yaml"))
    assert done.returncode == 1
    assert f"{good}: sah" in done.stdout
    errors = done.stderr.splitlines()
    assert errors[0].startswith(f"Kesalahan: {bad}:1: sintaks YAML salah")
    assert errors[1] == (f"Kesalahan: {tmp_path / 'tidak-ada.yaml'}: berkas blueprint tidak "
                         "ditemukan")


# The mistakes people make in YAML, each with the one line they read: (case, change, line,
# message). Lines refer to VALID after the change.
INDENT = ("samakan jumlah spasi dengan kunci lain pada tingkat yang sama")
YAML_MISTAKES = [
    ("key indented too little", ("    nama: Camat\n", "   nama: Camat\n"), 11,
     "sintaks YAML salah: indentasi tidak cocok, baris ini menjorok 3 spasi, sedangkan kunci "
     f"di atasnya menjorok 2 atau 4 spasi; {INDENT}"),
    ("key indented too much", ("    nama: Camat\n", "     nama: Camat\n"), 11,
     "sintaks YAML salah: indentasi tidak cocok, baris ini menjorok 5 spasi, sedangkan kunci "
     f"di atasnya menjorok 4 spasi; {INDENT}"),
    ("list item out of line", ("      - id: kehadiran-pns", "     - id: kehadiran-pns"), 28,
     "sintaks YAML salah: indentasi tidak cocok, baris ini menjorok 5 spasi, sedangkan kunci "
     f"di atasnya menjorok 4 atau 6 spasi; {INDENT}"),
    ("a tab", ("    nama: Camat\n", "\tnama: Camat\n"), 11,
     "sintaks YAML salah: ada karakter tab di kolom 1; YAML hanya menerima spasi untuk "
     "menjorokkan baris: ganti tab dengan spasi"),
    ("unclosed double quote", ("    nama: Camat\n", '    nama: "Camat\n'), 11,
     'sintaks YAML salah: tanda kutip " yang dibuka di baris ini tidak ditutup; tambahkan " di '
     "akhir nilai"),
    ("unclosed quote far away", ('versi: "1"', 'versi: "1'), 2,
     'sintaks YAML salah: tanda kutip " yang dibuka di baris ini tidak ditutup; tambahkan " di '
     "akhir nilai"),
    ("unclosed single quote", ("    nama: Camat\n", "    nama: 'Camat\n"), 11,
     "sintaks YAML salah: tanda kutip ' yang dibuka di baris ini tidak ditutup; tambahkan ' di "
     "akhir nilai"),
    ("colon inside a value", ("    nama: Camat\n", "    nama: Camat: kepala\n"), 11,
     "sintaks YAML salah: ada tanda ':' di tengah nilai; apit nilai itu dengan tanda kutip, "
     'misalnya nama: "Bagian: Umum"'),
    ("no space after the colon", ("    nama: Camat\n", "    nama:Camat\n"), 11,
     "sintaks YAML salah: setelah nama kunci harus ada titik dua dan spasi, misalnya nama: Camat"),
    ("misspelled key", ("      penanggung_jawab:", "      penangung_jawab:"), 52,
     "iku: indikator 'ikm': kunci 'penangung_jawab' tidak dikenal; maksud Anda "
     "'penanggung_jawab'?"),
    ("duplicate id", ("      - id: kehadiran-pns", "      - id: pengaduan"), 28,
     "jabatan 'camat': indikator 'pengaduan': id indikator 'pengaduan' dipakai lebih dari sekali "
     "(pertama kali di baris 15)"),
    ("duplicate key", ("    nama: Camat\n", "    nama: Camat\n    nama: Lurah\n"), 12,
     "kunci 'nama' ditulis dua kali (pertama kali di baris 11)"),
    ("unknown pattern", ("pola: nilai dengan skala", "pola: nilai berskala"), 50,
     "iku: indikator 'ikm': pola 'nilai berskala' tidak dikenal; maksud Anda 'nilai dengan "
     "skala'? (pilihan: semua-kriteria (persentase desa/kelurahan yang memenuhi semua "
     "kriteria); di-atas-ambang (persentase desa/kelurahan dengan nilai di atas ambang); jumlah "
     "(jumlah); dua-jumlah (persentase dua jumlah); skala (nilai dengan skala); rumus (rumus); "
     "kriteria-terpenuhi (jumlah kriteria yang terpenuhi))"),
    ("pattern against kind", ("pola: nilai dengan skala", "pola: skala\n      jenis: jumlah"),
     51, "iku: indikator 'ikm': pola 'nilai dengan skala' berarti jenis 'nilai', tetapi jenis "
     "ditulis 'jumlah'; hapus salah satunya"),
]
SWAPPED = ("{id: pengaduan, label: Pengaduan masuk}",
           "{id: pengaduan, label: Jumlah seluruh pengaduan yang ada}")


def test_yaml_mistakes_each_give_one_exact_located_line(tmp_path: Path) -> None:
    paths = []
    for i, (case, (old, new), _, _) in enumerate(YAML_MISTAKES):
        assert VALID.count(old) == 1, case
        paths.append(tmp_path / f"{i:02d}.yaml")
        paths[-1].write_text(VALID.replace(old, new), encoding="utf-8")
    done = iki("blueprint", "check", *map(str, paths))
    assert done.returncode == 1
    assert done.stdout == ""
    expected = [f"Kesalahan: {path}:{line}: {message}"
                for path, (_, _, line, message) in zip(paths, YAML_MISTAKES, strict=True)]
    assert done.stderr.splitlines() == expected


def test_swapped_ratio_is_a_warning_and_the_blueprint_stays_valid(tmp_path: Path) -> None:
    path = tmp_path / "tertukar.yaml"
    swapped = VALID.replace("pembilang: ditindaklanjuti", "pembilang: tmp").replace(
        "penyebut: pengaduan", "penyebut: ditindaklanjuti").replace(
        "pembilang: tmp", "pembilang: pengaduan").replace(*SWAPPED)
    path.write_text(swapped, encoding="utf-8")
    done = iki("blueprint", "check", str(path))
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"Peringatan: {path}:23: jabatan 'camat': indikator 'pengaduan': pembilang 'pengaduan' "
        "(Jumlah seluruh pengaduan yang ada) tampaknya adalah keseluruhan, bukan bagiannya; "
        "periksa apakah pembilang dan penyebut tertukar"]
    assert done.stdout == f"{path}: sah (1 jabatan, 2 indikator, 1 IKU)\n"
    # the right way round: no warning
    path.write_text(VALID.replace(*SWAPPED), encoding="utf-8")
    assert load_blueprint(path).findings == []


CHECKLIST = """\
      - id: desa-tertib
        sasaran: Tertib administrasi
        nama: Persentase desa yang memenuhi semua kriteria tertib administrasi
        formulasi: Desa memenuhi semua kriteria dibagi jumlah desa x 100%
        sumber_data: Laporan desa
        satuan: "%"
        target: 100
{kind}
        variabel:
          - {{id: buku_induk, label: Buku induk penduduk mutakhir{item}}}
          - {{id: profil_desa, label: Profil desa mutakhir{item}}}
"""


@pytest.mark.parametrize(("pattern", "in_full"), [
    ("      pola: nilai dengan skala\n", "      jenis: nilai\n"),
    ("      pola: skala\n", "      jenis: nilai\n"),
])
def test_a_pattern_gives_the_same_model_as_its_keys_in_full(pattern: str, in_full: str) -> None:
    short = load_blueprint_text(VALID.replace("      pola: nilai dengan skala\n", pattern), "a")
    full = load_blueprint_text(VALID.replace("      pola: nilai dengan skala\n", in_full).replace(
        "{id: nilai_ikm, label: Nilai IKM, max: 100}",
        "{id: nilai_ikm, label: Nilai IKM, max: 100, tipe: desimal, agregasi_periode: terakhir, "
        "agregasi_unit: rata_rata}"), "b")
    assert short.blueprint is not None and full.blueprint is not None, short.findings
    assert short.blueprint.content_hash() == full.blueprint.content_hash()


def test_all_criteria_pattern_fills_kind_counting_and_aggregation() -> None:
    def with_indicator(kind: str, item: str) -> str:
        extra = CHECKLIST.format(kind=kind, item=item)
        return VALID.replace("      - id: kehadiran-pns\n", extra + "      - id: kehadiran-pns\n")

    short = load_blueprint_text(with_indicator(
        "        pola: persentase desa/kelurahan yang memenuhi semua kriteria", ""), "a")
    full = load_blueprint_text(with_indicator(
        "        jenis: daftar_periksa\n        hitung: semua",
        ", tipe: ya_tidak, agregasi_unit: per_unit"), "b")
    assert short.blueprint is not None and full.blueprint is not None, short.findings
    assert short.blueprint.content_hash() == full.blueprint.content_hash()
    indicator = short.blueprint.jabatan[0].indikator[1]
    assert (indicator.jenis, indicator.hitung) == ("daftar_periksa", "semua")



def test_a_blueprint_edited_between_two_loads_is_loaded_afresh(tmp_path: Path) -> None:
    """Loads are kept by content within a process: an edit that keeps the file's size and
    modification time is still seen, and so are the lines of the edited file."""
    from iki_xlsx.rekap.rollup.iku import check_mappings

    path = tmp_path / "contoh.yaml"
    mapped = VALID.replace("        jenis: persentase\n",
                           "        jenis: persentase\n        iku_kabupaten: K-9\n", 1)
    line = mapped.splitlines().index("        iku_kabupaten: K-9") + 1
    path.write_text(mapped, encoding="utf-8")
    first = load_blueprint(path)
    assert first.blueprint is not None and first.blueprint.nama == "IKI Contoh"
    assert first.findings == []
    [missing] = check_mappings(first.blueprint, [], path)
    assert (missing.code, missing.file, missing.line) == ("iku-kabupaten-invalid", str(path),
                                                          line)
    first.findings.append(missing)  # a caller's list is its own
    again = load_blueprint(path)
    assert again.blueprint == first.blueprint and again.findings == []

    stat = path.stat()
    path.write_text(mapped.replace("IKI Contoh", "IKI Contah", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    edited = load_blueprint(path)
    assert edited.blueprint is not None and edited.blueprint.nama == "IKI Contah"

    path.write_text("# baris baru\n" + mapped.replace('versi: "1"', 'versi: ""', 1),
                    encoding="utf-8")
    broken = load_blueprint(path)
    assert broken.blueprint is None
    assert [(f.code, f.line) for f in broken.findings] == [("blueprint-invalid-value", 3)]
    copy = tmp_path / "salinan.yaml"  # the same text elsewhere: its findings name the copy
    copy.write_bytes(path.read_bytes())
    assert [(f.file, f.line) for f in load_blueprint(copy).findings] == [(str(copy), 3)]
    assert [f.file for f in load_blueprint(path).findings] == [str(path)]

    path.write_text("# baris baru\n" + mapped, encoding="utf-8")
    fixed = load_blueprint(path)
    assert fixed.blueprint is not None and fixed.blueprint.nama == "IKI Contoh"
    copy.write_bytes(path.read_bytes())
    assert (load_blueprint(copy).path, load_blueprint(copy).blueprint) == (str(copy),
                                                                           fixed.blueprint)
    [moved] = check_mappings(fixed.blueprint, [], path)
    assert moved.line == line + 1
