"""Broken blueprints give one located Indonesian error each, exit code 1, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from iki_xlsx.blueprint import load_blueprint

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

    done = subprocess.run([sys.executable, "-m", "iki_xlsx", "blueprint", "check", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{line}: ") and words in first


def test_valid_blueprint_passes(tmp_path: Path) -> None:
    path = tmp_path / "baik.yaml"
    path.write_text(VALID, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "iki_xlsx", "blueprint", "check", str(path)],
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{path}: sah (1 jabatan, 2 indikator)\n"


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
    done = subprocess.run([sys.executable, "-m", "iki_xlsx", "blueprint", "check", str(bad),
                           str(good), str(tmp_path / "tidak-ada.yaml")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert f"{good}: sah" in done.stdout
    errors = done.stderr.splitlines()
    assert errors[0].startswith(f"{bad}:1: sintaks YAML salah")
    assert errors[1] == f"{tmp_path / 'tidak-ada.yaml'}: berkas blueprint tidak ditemukan"
