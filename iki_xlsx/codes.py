"""The catalog of finding codes: every code a finding may carry, with its severity, an
Indonesian title and an Indonesian message template.

A `Finding` with a code that is not here raises `UnknownCode` when it is made, and a test
holds the catalog and the README's table of finding codes to each other. To add a code:
add a `Code` line below (and a constant when code refers to it by name), then a row to the
README's "Finding codes" table. Templates name what each message says, with `{placeholders}`
for what the site fills in; the message a site writes follows its template.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import UnknownCode


class Severity(StrEnum):
    """How bad a finding is: an error blocks acceptance, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Code:
    """One finding code: `severity` is the one it usually carries (the few codes that may
    be raised as either say so in the README)."""

    code: str
    severity: Severity
    title: str
    template: str

    def __str__(self) -> str:
        return self.code


_ALL = [
    # --- a returned workbook (check, collect) ---
    Code("unreadable-file", E, "Berkas tidak dapat dibaca",
         "berkas tidak dapat dibuka ({alasan})"),
    Code("unsupported-format", E, "Format tidak diterima",
         "format {format} tidak diterima; simpan sebagai Buku Kerja Excel (.xlsx)"),
    Code("unknown-workbook", E, "Bukan buku kerja dari kecamatan",
         "buku kerja ini tidak dibuat oleh iki-xlsx atau manifesnya rusak; gunakan berkas yang "
         "dikirim kecamatan"),
    Code("blueprint-mismatch", E, "Versi blueprint berbeda",
         "buku kerja dibuat dari blueprint '{blueprint}' versi {versi} yang berbeda dari versi "
         "berlaku ({berlaku}); isi ulang pada buku kerja terbaru dari kecamatan"),
    Code("check-failed", E, "Pemeriksaan berkas gagal",
         "berkas ini tidak dapat diperiksa ({alasan}); kirim ulang buku kerja asli"),
    Code("structure-changed", E, "Susunan lembar berubah",
         "lembar '{lembar}' hilang, bertambah atau susunannya berubah; gunakan buku kerja asli"),
    Code("external-link", E, "Tautan ke berkas lain",
         "buku kerja memuat tautan ke berkas lain atau ke internet ({tautan}); hapus tautan itu"),
    Code("formula-changed", E, "Rumus diubah",
         "rumus ditimpa atau diubah; kembalikan rumus asli"),
    Code("missing-value", W, "Sel rumus tanpa nilai",
         "sel rumus tersimpan tanpa nilai; buka di Excel/LibreOffice, tekan F9, lalu simpan"),
    Code("stale-value", E, "Nilai rumus tidak sesuai",
         "nilai yang tersimpan berbeda dengan hasil rumus; hitung ulang (F9) lalu simpan"),
    Code("invalid-input", E, "Isian tidak sah",
         "{label}: {alasan}"),
    Code("missing-required", E, "Isian wajib kosong",
         "{label}: wajib diisi"),
    Code("blank-return", E, "Workbook kembali kosong",
         "workbook kembali kosong: tidak ada satu pun sel isian (sel kuning) yang terisi. Isi "
         "realisasi periode yang sudah berjalan (dan target bila diminta) pada workbook ini, "
         "simpan, lalu kirim berkas yang sudah diisi itu; periksa bahwa yang dilampirkan bukan "
         "berkas kosong dari kecamatan atau berkas lain"),
    Code("rule-violated", E, "Aturan indikator dilanggar",
         "{pesan} ({periode})"),
    Code("identity-mismatch", E, "Identitas buku kerja tidak konsisten",
         "identitas buku kerja tidak konsisten: {apa} di manifes '{manifes}', di {tempat} "
         "'{nilai}'; buku kerja ini telah diubah, kirim ulang dari berkas asli"),
    Code("period-not-registered", E, "Periode tidak pernah dikirim",
         "kecamatan tidak pernah membuat buku kerja '{blueprint}' untuk periode {periode}; "
         "gunakan buku kerja yang dikirim kecamatan untuk periode yang benar"),
    Code("unit-not-registered", E, "Unit tidak ada di daftar kiriman",
         "unit berkode {kode} ('{unit}') tidak ada di daftar unit yang dikirimi buku kerja "
         "'{blueprint}' periode {periode}; hubungi kecamatan"),
    Code("version-not-registered", E, "Versi blueprint tidak pernah dikirim",
         "buku kerja dibuat dari blueprint '{blueprint}' versi {versi}, tetapi kecamatan "
         "mengirim unit ini buku kerja dari {versi_dikirim}; isi ulang pada buku kerja yang "
         "dikirim kecamatan"),
    Code("sender-mismatch", W, "Pengirim berbeda",
         "workbook {unit} dikirim dari {pengirim}, bukan dari alamat unit di daftar ({alamat}); "
         "pastikan kiriman ini sah"),
    # --- a blueprint ---
    Code("blueprint-not-found", E, "Blueprint tidak ditemukan",
         "berkas blueprint tidak ditemukan"),
    Code("blueprint-unreadable", E, "Blueprint tidak dapat dibaca",
         "berkas blueprint tidak dapat dibaca ({alasan})"),
    Code("blueprint-syntax", E, "Penulisan YAML salah", "{penjelasan}"),
    Code("blueprint-empty", E, "Blueprint kosong", "berkas blueprint kosong"),
    Code("blueprint-type", E, "Isi blueprint bukan pemetaan",
         "isi blueprint harus berupa pemetaan kunci: nilai"),
    Code("blueprint-invalid-value", E, "Nilai tidak sah", "{tempat}{kunci}: {alasan}"),
    Code("blueprint-unknown-key", E, "Kunci tidak dikenal",
         "{tempat}'{kunci}' tidak dikenal; maksud Anda '{usulan}'?"),
    Code("blueprint-missing-key", E, "Kunci wajib tidak ada", "{tempat}'{kunci}' wajib diisi"),
    Code("blueprint-misplaced-key", E, "Kunci tidak berlaku di sini",
         "{tempat}kunci '{kunci}' tidak berlaku untuk {jenis}"),
    Code("blueprint-unknown-jabatan", E, "Jabatan tidak dideklarasikan",
         "jabatan '{jabatan}' tidak dideklarasikan di blueprint ini"),
    Code("blueprint-unknown-indicator", E, "Indikator pemilik tidak ada",
         "indikator '{jabatan}' / '{indikator}' tidak ada di lembar Indikator atau IKU"),
    Code("blueprint-duplicate-id", E, "Id ganda",
         "id {apa} '{id}' dipakai lebih dari sekali (pertama kali di {tempat})"),
    Code("blueprint-bad-scale", E, "Skala tidak urut",
         "{apa}: batas {batas} harus lebih kecil dari batas sebelumnya"),
    Code("blueprint-mixed-pengisi", E, "Pengisi variabel bercampur",
         "semua variabel satu indikator harus diisi oleh pihak yang sama"),
    Code("blueprint-bad-aggregation", E, "Agregasi tidak berlaku",
         "variabel '{variabel}': agregasi '{agregasi}' tidak berlaku di sini"),
    Code("blueprint-bad-polarity", E, "Polaritas tidak berlaku",
         "polaritas 'turun' tidak berlaku untuk jenis '{jenis}'"),
    Code("blueprint-bad-bounds", E, "Batas min/max terbalik",
         "variabel '{variabel}': max {max} lebih kecil dari min {min}"),
    Code("blueprint-bad-choices", E, "Daftar pilihan terlalu panjang",
         "variabel '{variabel}': daftar pilihan terlalu panjang untuk validasi Excel"),
    Code("blueprint-bad-ratio", E, "Rasio tidak sah",
         "{tempat}pembilang dan penyebut harus dua variabel angka yang berbeda"),
    Code("blueprint-bad-variables", E, "Variabel tidak cocok dengan jenis",
         "{tempat}variabel tidak cocok dengan jenis indikator '{jenis}'"),
    Code("blueprint-undeclared-variable", E, "Variabel tidak dideklarasikan",
         "'{nama}' dipakai tetapi tidak dideklarasikan"),
    Code("blueprint-unused-variable", E, "Variabel tidak dipakai",
         "variabel '{variabel}' tidak dipakai dalam perhitungan"),
    Code("blueprint-bad-expression", E, "Ekspresi tidak sah", "ekspresi '{ekspresi}': {alasan}"),
    Code("blueprint-ratio-swapped", W, "Pembilang dan penyebut tertukar?",
         "pembilang '{pembilang}' dan penyebut '{penyebut}' tampaknya tertukar"),
    Code("blueprint-versi-reused", W, "Versi blueprint dipakai ulang",
         "isi blueprint '{blueprint}' versi {versi} berbeda dari versi {versi} yang sudah dipakai "
         "membuat workbook; naikkan `versi` sebelum membuat workbook lagi"),
    Code("unknown-blueprint", E, "Blueprint tidak dikenal",
         "blueprint '{blueprint}' tidak ditemukan; pilih salah satu dari {tersedia}"),
    # --- the units list, generating ---
    Code("units-unreadable", E, "Daftar unit tidak dapat dibaca",
         "daftar unit tidak dapat dibaca ({alasan})"),
    Code("units-missing-column", E, "Kolom daftar unit kurang",
         "daftar unit harus memiliki kolom {kolom}"),
    Code("units-incomplete-row", E, "Baris daftar unit tidak lengkap",
         "baris harus memiliki kode dan nama"),
    Code("units-duplicate-kode", E, "Kode unit ganda",
         "kode {kode} sudah dipakai pada baris {baris}; setiap unit harus punya kode sendiri"),
    Code("units-empty", E, "Daftar unit kosong", "daftar unit kosong"),
    Code("units-missing", E, "Daftar unit belum ada",
         "daftar unit {berkas} belum ada di ruang kerja"),
    Code("unit-name-collision", E, "Nama berkas unit bertabrakan",
         "unit '{unit}' akan mendapat nama berkas yang sama dengan '{lain}'"),
    Code("output-not-writable", E, "Folder keluaran tidak dapat ditulis",
         "tidak dapat ditulis ({alasan}); pilih folder lain"),
    Code("periode-invalid", E, "Tahun periode tidak sah",
         "periode harus tahun empat angka dari 2000 sampai 2100 (misalnya 2026), bukan {periode}"),
    # --- the workspace (iki.toml) ---
    Code("workspace-missing", E, "Bukan ruang kerja",
         "{folder} bukan ruang kerja iki-xlsx (iki.toml tidak ada); buat dengan: iki-xlsx init"),
    Code("workspace-exists", E, "Ruang kerja sudah ada",
         "{folder} sudah berisi iki.toml; ruang kerja tidak ditimpa"),
    Code("config-unreadable", E, "iki.toml tidak dapat dibaca",
         "tidak dapat dibaca ({alasan})"),
    Code("config-syntax", E, "Penulisan TOML salah",
         "penulisan TOML tidak sah (periksa tanda kutip, tanda = dan nama bagian)"),
    Code("config-unknown-key", E, "Kunci iki.toml tidak dikenal",
         "kunci '{kunci}' tidak dikenal; periksa ejaannya"),
    Code("config-missing-key", E, "Kunci iki.toml wajib", "kunci '{kunci}' wajib diisi"),
    Code("config-invalid-value", E, "Nilai iki.toml tidak sah", "{kunci}: {alasan}"),
    # --- sending (kirim) ---
    Code("template-unreadable", E, "Templat surel tidak dapat dibaca",
         "templat tidak dapat dibaca ({alasan})"),
    Code("template-invalid", E, "Templat surel tidak sah", "{alasan}"),
    Code("workbook-unknown", W, "Berkas bukan workbook utuh",
         "berkas bukan workbook iki-xlsx yang utuh; tidak dikirim"),
    Code("workbook-identity-conflict", E, "Identitas workbook bertentangan",
         "manifes dan properti berkas menyebut unit yang berbeda; buat ulang workbook ini"),
    Code("workbook-not-listed", W, "Workbook untuk unit di luar daftar",
         "workbook untuk unit kode {kode} ({unit}) tidak ada di daftar unit; tidak dikirim"),
    Code("unit-no-workbook", E, "Unit tanpa workbook", "tidak ada workbook untuk {unit}"),
    Code("unit-many-workbooks", E, "Lebih dari satu workbook",
         "lebih dari satu workbook untuk {unit}: {berkas}; sisakan satu di folder"),
    Code("unit-name-mismatch", E, "Nama unit berbeda",
         "workbook {berkas} dibuat untuk '{unit}', daftar unit menyebut '{daftar}'"),
    Code("unit-no-email", E, "Unit tanpa alamat surel", "{unit} tidak memiliki alamat email"),
    Code("unit-invalid-email", E, "Alamat surel tidak sah",
         "alamat email {unit} tidak sah: '{alamat}'"),
    Code("unit-email-changed", W, "Alamat surel berubah",
         "alamat email {unit} di daftar unit ({alamat}) berbeda dari yang tercatat di workbook "
         "({lama})"),
    Code("smtp-missing", E, "Pengaturan SMTP belum ada",
         "ruang kerja belum berisi pengaturan [smtp] di iki.toml"),
    Code("send-failed", E, "Pengiriman gagal", "gagal mengirim ke {alamat}: {alasan}"),
    # --- the recap ---
    Code("rekap-ambiguous", E, "Pilih blueprint dan periode",
         "penyimpanan berisi lebih dari satu blueprint/periode; pilih dengan --blueprint dan "
         "--periode"),
    Code("rekap-no-data", E, "Tidak ada data untuk rekap",
         "tidak ada workbook untuk blueprint/periode itu di penyimpanan"),
    Code("rekap-unknown-blueprint", E, "Blueprint rekap tidak ada",
         "blueprint '{blueprint}' tidak ada di folder blueprint"),
]

CATALOG: dict[str, Code] = {c.code: c for c in _ALL}
assert len(CATALOG) == len(_ALL), "a code listed twice"

# the codes code refers to by name
UNREADABLE_FILE = CATALOG["unreadable-file"]
UNSUPPORTED_FORMAT = CATALOG["unsupported-format"]
UNKNOWN_WORKBOOK = CATALOG["unknown-workbook"]
BLUEPRINT_MISMATCH = CATALOG["blueprint-mismatch"]
SENDER_MISMATCH = CATALOG["sender-mismatch"]
BLANK_RETURN = CATALOG["blank-return"]
CHECK_FAILED = CATALOG["check-failed"]
IDENTITY_MISMATCH = CATALOG["identity-mismatch"]
PERIOD_NOT_REGISTERED = CATALOG["period-not-registered"]
UNIT_NOT_REGISTERED = CATALOG["unit-not-registered"]
VERSION_NOT_REGISTERED = CATALOG["version-not-registered"]
BLUEPRINT_VERSI_REUSED = CATALOG["blueprint-versi-reused"]
REJECTING = frozenset(str(c) for c in (UNREADABLE_FILE, UNSUPPORTED_FORMAT, UNKNOWN_WORKBOOK,
                                       BLUEPRINT_MISMATCH, CHECK_FAILED, IDENTITY_MISMATCH,
                                       PERIOD_NOT_REGISTERED, UNIT_NOT_REGISTERED,
                                       VERSION_NOT_REGISTERED))


def lookup(code: str) -> Code:
    """The catalog entry of `code`; `UnknownCode` for a code not in the catalog."""
    found = CATALOG.get(code)
    if found is None:
        raise UnknownCode(f"finding code {code!r} is not in iki_xlsx.codes.CATALOG")
    return found
