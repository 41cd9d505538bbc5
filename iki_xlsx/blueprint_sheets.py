"""The spreadsheet form of a blueprint: its sheets and columns, shared by writer and reader.

One sheet per part of a blueprint, one row per item, columns in Bahasa Indonesia. The
Indikator sheet starts with the columns of the decree table (Sasaran, Indikator, Formulasi
perhitungan, Sumber data) so a table copied from the decree pastes straight in. Every column
says what it holds in an input message with an example (Excel limits: title 32 characters,
message 255).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .blueprint import (
    AgregasiPeriode,
    AgregasiUnit,
    Jenis,
    Pembagian,
    Pengisi,
    Polaritas,
    Tipe,
)
from .patterns import PATTERNS


class Kind(StrEnum):
    """What a cell holds and how the reader turns it into blueprint data."""

    TEXT = "text"  # a string (numbers typed in it become their text)
    BLANK_TEXT = "blank_text"  # a string that may be empty ("" when the cell is empty)
    NUMBER = "number"
    INTEGER = "integer"
    YES_NO = "yes_no"  # Ya / Tidak -> True / False
    LINES = "lines"  # a list, one item per line of the cell
    CONSTANTS = "constants"  # `nama = angka`, one per line
    CHOICE = "choice"  # one of a closed list (a drop-down)


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # dotted for nested keys: ambang.nilai
    kind: Kind
    help: str  # the input message, with an example
    width: float = 16
    choices: str | None = None  # name of a list on the Pilihan sheet


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    title: str  # one line saying what a row is

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


# Closed choices, each a drop-down; the lists live on the hidden sheet Pilihan.
JENIS_POLA = tuple(p.phrase for p in PATTERNS) + tuple(j.value for j in Jenis)
CHOICES: dict[str, tuple[str, ...]] = {
    "jenis": JENIS_POLA,
    "polaritas": tuple(p.value for p in Polaritas),
    "tipe": tuple(t.value for t in Tipe),
    "agregasi_periode": tuple(a.value for a in AgregasiPeriode),
    "agregasi_unit": tuple(a.value for a in AgregasiUnit),
    "pengisi": tuple(p.value for p in Pengisi),
    "hitung": ("jumlah", "semua"),
    "ambang_operator": (">=", ">", "<=", "<"),
    "operator": ("<=", "<", ">=", ">", "=", "<>"),
    "ya_tidak": ("Ya", "Tidak"),
    "jenis_unit": ("kelurahan", "desa"),
    "pembagian": tuple(p.value for p in Pembagian),
}

JABATAN_REF = Column(
    "Jabatan", "@jabatan", Kind.TEXT,
    "Id jabatan dari lembar Jabatan; tulis IKU untuk indikator kinerja utama kantor. "
    "Contoh: sekretaris-camat", 22)
INDIKATOR_REF = Column(
    "Indikator", "@indikator", Kind.TEXT,
    "Id indikator dari lembar Indikator atau IKU. Contoh: kehadiran-pns", 24)

DECREE = (
    Column("Sasaran", "sasaran", Kind.TEXT,
           "Sasaran/kinerja utama, sama dengan kolom keputusan. Contoh: Meningkatnya kualitas "
           "pelayanan administrasi", 30),
    Column("Indikator", "nama", Kind.TEXT,
           "Nama indikator seperti dalam keputusan. Contoh: Persentase pengaduan yang "
           "ditindaklanjuti", 34),
    Column("Formulasi perhitungan", "formulasi", Kind.TEXT,
           "Formulasi persis seperti keputusan. Contoh: Jumlah pengaduan ditindaklanjuti dibagi "
           "jumlah pengaduan x 100%", 34),
    Column("Sumber data", "sumber_data", Kind.BLANK_TEXT,
           "Sumber data seperti keputusan; boleh kosong. Contoh: Data pengaduan masyarakat", 24),
)
MEASURE = (
    Column("Id", "id", Kind.TEXT,
           "Pengenal indikator: huruf kecil, angka, tanda hubung; unik dalam satu jabatan. "
           "Contoh: pengaduan-ditindaklanjuti", 24),
    Column("Satuan", "satuan", Kind.TEXT,
           "Satuan realisasi. Contoh: % atau dokumen atau kegiatan", 10),
    Column("Target", "target", Kind.NUMBER,
           "Target tahunan sebagai angka; kosongkan bila target diisi di workbook. Contoh: 100",
           9),
    Column("Polaritas", "polaritas", Kind.CHOICE,
           "naik: makin tinggi makin baik (bawaan); turun: makin rendah makin baik", 10,
           "polaritas"),
    Column("Jenis / pola", "jenis", Kind.CHOICE,
           "Pilih pola menurut maknanya (mis. persentase dua jumlah) atau jenisnya langsung "
           "(persentase, jumlah, nilai, rumus, ambang, daftar_periksa)", 30, "jenis"),
    Column("Pembilang", "pembilang", Kind.TEXT,
           "Untuk persentase: id variabel pembilang. Contoh: pengaduan_ditindaklanjuti", 20),
    Column("Penyebut", "penyebut", Kind.TEXT,
           "Untuk persentase: id variabel penyebut. Contoh: pengaduan_masuk", 20),
    Column("Rumus", "rumus", Kind.TEXT,
           "Untuk jenis rumus, tanpa tanda = di depan: + - * / dan kurung atas id variabel dan "
           "konstanta. Contoh: (hadir / undangan) * 100", 28),
    Column("Konstanta", "konstanta", Kind.CONSTANTS,
           "Untuk rumus: satu konstanta per baris (Alt+Enter), nama = angka, atau nama = "
           "angka per tahun bila keputusan menyebut nilai setahun. Contoh: hari_kerja = 240 "
           "per tahun", 18),
    Column("Hitung", "hitung", Kind.CHOICE,
           "Untuk daftar_periksa: jumlah (butir terpenuhi) atau semua (100 bila semua Ya)", 10,
           "hitung"),
    Column("Ambang: variabel", "ambang.variabel", Kind.TEXT,
           "Untuk ambang: id variabel yang dibandingkan (boleh kosong bila hanya satu variabel "
           "dan memakai pola). Contoh: nilai_ikm", 16),
    Column("Ambang: operator", "ambang.operator", Kind.CHOICE,
           "Untuk ambang: pembanding. Contoh: >=", 10, "ambang_operator"),
    Column("Ambang: nilai", "ambang.nilai", Kind.NUMBER,
           "Untuk ambang: batas yang harus dipenuhi unit, sebagai angka. Contoh: 75", 10),
    Column("Batas capaian", "batas_capaian", Kind.NUMBER,
           "Batas atas capaian (%) bila berbeda dari kantor; boleh kosong. Contoh: 120", 10),
    Column("Asumsi", "asumsi", Kind.TEXT,
           "Wajib bila ukuran ini tafsiran kita atas keputusan: jelaskan. Contoh: Indikator "
           "kualitatif diukur sebagai persentase layanan tepat waktu", 30),
    Column("Catatan", "catatan", Kind.TEXT, "Catatan bebas; boleh kosong.", 20),
)
IKU_WHO = (
    Column("Penanggung jawab", "penanggung_jawab", Kind.LINES,
           "Penanggung jawab seperti keputusan, satu per baris (Alt+Enter). "
           "Contoh: Sekretaris Camat", 22),
    Column("Jabatan terkait", "jabatan", Kind.LINES,
           "Id jabatan di lembar Jabatan yang menjawab IKU ini, satu per baris; boleh kosong. "
           "Contoh: sekretaris-camat", 22),
)

KANTOR = SheetSpec("Kantor", (
    Column("Id blueprint", "id", Kind.TEXT,
           "Huruf kecil, angka, tanda hubung; unik. Contoh: iki-kecamatan-jabung"),
    Column("Versi", "versi", Kind.TEXT,
           "Naikkan bila isi berubah (workbook kembalian membawa versi). Contoh: 2024.1"),
    Column("Nama", "nama", Kind.TEXT,
           "Judul keputusan. Contoh: Indikator Kinerja Individu Kecamatan Jabung"),
    Column("Kantor", "kantor", Kind.TEXT, "Nama kantor. Contoh: Kecamatan Jabung"),
    Column("Wilayah", "wilayah", Kind.TEXT, "Boleh kosong. Contoh: Kabupaten Malang"),
    Column("Dasar", "dasar", Kind.TEXT,
           "Keputusan yang menjadi dasar; boleh kosong. Contoh: Keputusan Camat Jabung Nomor "
           "188.45/12/35.07.30/2018"),
    Column("Jenis unit", "jenis_unit", Kind.CHOICE,
           "Sebutan unit penerima workbook: kelurahan atau desa", choices="jenis_unit"),
    Column("Pembagian periode", "pembagian", Kind.CHOICE,
           "Periode realisasi: triwulan, semester atau tahunan", choices="pembagian"),
    Column("Batas capaian", "batas_capaian", Kind.NUMBER,
           "Batas atas capaian (%) untuk semua indikator; boleh kosong. Contoh: 120"),
    Column("Catatan", "catatan", Kind.TEXT, "Catatan bebas; boleh kosong."),
    Column("Sumber IKU", "iku.sumber", Kind.TEXT,
           "Hanya bila ada lembar IKU terisi: dokumen asal tabel IKU. Contoh: 004_5ad5.txt"),
    Column("Judul IKU", "iku.judul", Kind.TEXT,
           "Judul tabel IKU. Contoh: Indikator Kinerja Utama"),
), "satu baris per bagian: isi kolom Isi")

JABATAN = SheetSpec("Jabatan", (
    Column("Id", "id", Kind.TEXT,
           "Pengenal jabatan: huruf kecil, angka, tanda hubung; unik. Contoh: sekretaris-camat",
           22),
    Column("Nama", "nama", Kind.TEXT, "Nama jabatan seperti keputusan. Contoh: Sekretaris Camat",
           26),
    Column("Singkatan", "singkatan", Kind.TEXT,
           "Nama lembar singkat (paling banyak 31 karakter); boleh kosong. Contoh: Sekcam", 12),
    Column("Sumber", "sumber", Kind.TEXT,
           "Dokumen asal jabatan ini. Contoh: Keputusan Camat 2018 hal. 3", 20),
    Column("Jumlah pemangku", "jumlah_pemangku", Kind.INTEGER,
           "Banyaknya pemangku jabatan ini; bawaan 1. Contoh: 4", 10),
    Column("Tugas", "tugas", Kind.LINES,
           "Satu tugas per baris (Alt+Enter di dalam sel). Contoh: Menyiapkan bahan koordinasi",
           40),
    Column("Fungsi", "fungsi", Kind.LINES,
           "Satu fungsi per baris (Alt+Enter); kosongkan bila keputusan menulis Fungsi : -", 40),
    Column("Catatan", "catatan", Kind.TEXT, "Catatan bebas; boleh kosong.", 20),
), "satu baris per jabatan")

INDIKATOR = SheetSpec("Indikator", (*DECREE, JABATAN_REF, *MEASURE),
                      "satu baris per indikator jabatan")
IKU = SheetSpec("IKU", (*DECREE, *IKU_WHO, *MEASURE), "satu baris per indikator kinerja utama")

VARIABEL = SheetSpec("Variabel", (
    JABATAN_REF, INDIKATOR_REF,
    Column("Id", "id", Kind.TEXT,
           "Pengenal variabel: huruf kecil, angka, garis bawah; unik dalam indikator. "
           "Contoh: pengaduan_masuk", 22),
    Column("Label", "label", Kind.TEXT,
           "Pertanyaan yang tampil di workbook. Contoh: Jumlah seluruh pengaduan yang diterima",
           36),
    Column("Tipe", "tipe", Kind.CHOICE,
           "bulat (bawaan), desimal, persen (0-100), ya_tidak, pilihan", 10, "tipe"),
    Column("Satuan", "satuan", Kind.TEXT, "Boleh kosong. Contoh: pengaduan", 12),
    Column("Min", "min", Kind.NUMBER, "Nilai terkecil; boleh kosong (angka: bawaan 0). "
           "Contoh: 25", 8),
    Column("Max", "max", Kind.NUMBER, "Nilai terbesar; boleh kosong. Contoh: 100", 8),
    Column("Pilihan", "pilihan", Kind.LINES,
           "Hanya untuk tipe pilihan: satu pilihan per baris (Alt+Enter). Contoh: Sudah", 16),
    Column("Wajib", "wajib", Kind.YES_NO, "Ya (bawaan) bila harus diisi, Tidak bila boleh kosong",
           8, "ya_tidak"),
    Column("Agregasi periode", "agregasi_periode", Kind.CHOICE,
           "Nilai tahunan dari nilai periode: jumlah, terakhir atau rata_rata; boleh kosong",
           12, "agregasi_periode"),
    Column("Agregasi unit", "agregasi_unit", Kind.CHOICE,
           "Angka kecamatan dari angka unit: jumlah (bawaan), rata_rata, per_unit", 12,
           "agregasi_unit"),
    Column("Pengisi", "pengisi", Kind.CHOICE,
           "Siapa yang mengisi: kelurahan (bawaan; tiap kelurahan/desa) atau kecamatan", 12,
           "pengisi"),
    Column("Bantuan", "bantuan", Kind.TEXT,
           "Pesan bantuan di workbook; boleh kosong. Contoh: Hitung sejak 1 Januari", 30),
), "satu baris per variabel isian")

ATURAN = SheetSpec("Aturan", (
    JABATAN_REF, INDIKATOR_REF,
    Column("Kiri", "kiri", Kind.TEXT, "Ungkapan atas id variabel. Contoh: hadir", 20),
    Column("Operator", "operator", Kind.CHOICE, "Pembanding. Contoh: <=", 10, "operator"),
    Column("Kanan", "kanan", Kind.TEXT, "Ungkapan atas id variabel. Contoh: undangan", 20),
    Column("Pesan", "pesan", Kind.TEXT,
           "Pesan bila aturan dilanggar. Contoh: Peserta hadir tidak boleh melebihi undangan", 40),
), "satu baris per aturan antarvariabel")

SKALA = SheetSpec("Skala", (
    Column("Jabatan", "@jabatan", Kind.TEXT,
           "Id jabatan atau IKU; kosongkan Jabatan dan Indikator untuk predikat seluruh "
           "blueprint", 22),
    INDIKATOR_REF,
    Column("Min", "min", Kind.NUMBER,
           "Nilai terendah tingkat ini, urut dari yang tertinggi. Contoh: 88.31", 10),
    Column("Label", "label", Kind.TEXT, "Sebutan tingkat. Contoh: A (Sangat Baik)", 24),
), "satu baris per tingkat skala; tanpa jabatan dan indikator: predikat")

SHEETS = (KANTOR, JABATAN, INDIKATOR, VARIABEL, ATURAN, SKALA, IKU)
IKU_MARK = "IKU"
CHOICE_SHEET = "Pilihan"
