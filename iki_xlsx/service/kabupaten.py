"""A kabupaten's workspace: many kecamatan offices on one server, each laid out exactly as a
single-office workspace, so an office moves onto the server or off it by copying its folder
(and `simpan pindah` for its store).

    iki.toml       the kabupaten's settings: `kabupaten` (its name; the key only a kabupaten's
                   iki.toml has), wilayah, kota, zona_waktu, the signatory, and `[basis_data]`
                   for its own store
    kantor.csv     kode, nama (email optional) of each kecamatan office: the only list of offices
    kantor/KODE/   each office's own workspace (iki.toml, unit.csv, blueprints/, simpan/, ...)
    simpan/        the kabupaten's own store: the accounts of everybody who works on the server

An office is opened by its kode from kantor.csv, never by a path a request names, and only its
own folder and store are opened: nothing crosses offices. Two offices (or an office and the
kabupaten) that would share one store are refused.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code
from iki_xlsx.core.dates import Zona
from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.units import read_units
from iki_xlsx.service.workspace import (
    CONFIG_NAME,
    BasisData,
    Imap,
    KopSurat,
    Penandatangan,
    Smtp,
    Workspace,
    WorkspaceError,
    WorkspacePaths,
    _Section,
    init_workspace,
    is_kabupaten,
    load_workspace,
    others_can_change,
    read_settings,
    read_toml,
    store_at,
)
from iki_xlsx.store.db import Store

OFFICES_NAME = "kantor.csv"
OFFICES_DIR = "kantor"
KODE_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")


class KabupatenConfig(_Section):
    """A kabupaten's `iki.toml`, validated."""

    kabupaten: str = Field(min_length=1)  # "Kabupaten Malang"
    wilayah: str = Field(min_length=1)  # "Provinsi Jawa Timur"
    kota: str = Field(min_length=1)  # where its documents are dated
    zona_waktu: Zona
    penandatangan: Penandatangan | None = None
    kop_surat: KopSurat | None = None
    smtp: Smtp | None = None
    imap: Imap | None = None
    basis_data: BasisData | None = None


@dataclass(frozen=True)
class Kantor:
    """A kecamatan office of the kabupaten, as kantor.csv lists it, and its folder."""

    kode: str
    nama: str
    root: Path
    email: str | None = None

    @property
    def ready(self) -> bool:
        """Whether its folder holds a workspace (it may still have errors to fix)."""
        return (self.root / CONFIG_NAME).is_file()


@dataclass(frozen=True)
class KabupatenPaths(WorkspacePaths):
    @property
    def offices_path(self) -> Path:
        return self.root / OFFICES_NAME

    @property
    def offices_dir(self) -> Path:
        return self.root / OFFICES_DIR


@dataclass(frozen=True)
class Kabupaten(KabupatenPaths):
    """A kabupaten's workspace: its settings and its offices."""

    config: KabupatenConfig
    offices: list[Kantor] = field(default_factory=list)

    @property
    def kodes(self) -> list[str]:
        return [office.kode for office in self.offices]

    @property
    def names(self) -> dict[str, str]:
        return {office.kode: office.nama for office in self.offices}

    def store(self) -> Store:
        """The kabupaten's own store (the accounts): `simpan/`, or `[basis_data]`."""
        return store_at(self, self.config.basis_data)

    def kantor(self, kode: str) -> Kantor:
        """The office of `kode` as kantor.csv lists it; `UsageError` for any other text (a
        kode is looked up, never used as a path)."""
        for office in self.offices:
            if office.kode == kode:
                return office
        shown = ", ".join(self.kodes[:10]) + (" ..." if len(self.offices) > 10 else "")
        raise UsageError(f"kantor '{kode[:40]}' tidak ada di {OFFICES_NAME} "
                         f"(kantor yang ada: {shown or 'belum ada'})")

    def workspace(self, kode: str) -> Workspace:
        """The workspace of office `kode`: its own folder, loaded and checked, and refused
        (`WorkspaceError`) when its store is another office's or the kabupaten's."""
        office = self.kantor(kode)
        if not office.ready:
            raise WorkspaceError([Finding.of(Code.KANTOR_INVALID.message("no-folder", kode=kode),
                                             file=OFFICES_NAME)])
        workspace = load_workspace(office.root)
        shared = self.sharing(office, workspace)
        if shared:
            raise WorkspaceError(shared)
        return workspace

    def sharing(self, office: Kantor, workspace: Workspace) -> list[Finding]:
        """A finding when `office`'s store is the kabupaten's or another office's."""
        mine = store_identity(workspace.store())
        others = [(self.config.kabupaten, self.store())]
        for other in self.offices:
            if other.kode == office.kode or not other.ready:
                continue
            try:
                others.append((f"kantor {other.kode}", load_workspace(other.root).store()))
            except WorkspaceError:
                continue
        for name, store in others:
            where = store_identity(store)
            if where & mine:
                return [Finding.of(Code.KANTOR_INVALID.message(
                    "shared-store", kode=office.kode, lain=name, tempat=store.describe()),
                    file=f"{OFFICES_DIR}/{office.kode}/{CONFIG_NAME}")]
        return []


def store_identity(store: Store) -> set[str]:
    """What two stores may not share: the database (an SQLite file, or a server's database
    and schema) and the raw files' folder."""
    raw = f"berkas:{store.raw.resolve()}"
    if store.location is None:
        return {f"sqlite:{store.database.resolve()}", raw}
    location = store.location
    return {f"postgresql:{location.describe()}#{location.schema}", raw}


def load_kabupaten(root: Path) -> Kabupaten:
    """Read and validate the kabupaten workspace at `root` (its iki.toml and kantor.csv);
    every problem found is reported at once (`WorkspaceError`). An office's own folder is
    read only when that office is opened."""
    paths = KabupatenPaths(root)
    if not paths.config_path.is_file():
        raise WorkspaceError([Finding.of(Code.WORKSPACE_MISSING.message(folder=root))])
    for part in (paths.config_path, root):
        if others_can_change(part):
            raise WorkspaceError([Finding.of(Code.WORKSPACE_UNSAFE.message(berkas=part))])
    config, findings = read_settings(paths.config_path, KabupatenConfig)
    offices, office_findings = read_offices(paths)
    findings += office_findings
    if config is None or findings:
        raise WorkspaceError(findings)
    return Kabupaten(root, config, offices)


def read_offices(paths: KabupatenPaths) -> tuple[list[Kantor], list[Finding]]:
    """kantor.csv: the offices, read within the same bounds as a units list, each kode one
    that can be a folder name."""
    listed, findings = read_units(paths.offices_path)
    findings = [_as_offices(finding) for finding in findings
                if finding.code != Code.UNITS_EMPTY]
    offices = []
    for unit in listed:
        if not KODE_PATTERN.fullmatch(unit.kode) or unit.kode.endswith("."):
            findings.append(Finding.of(Code.KANTOR_INVALID.message(kode=unit.kode),
                                       file=OFFICES_NAME))
            continue
        offices.append(Kantor(unit.kode, unit.nama, paths.offices_dir / unit.kode, unit.email))
    return offices, findings


def _as_offices(finding: Finding) -> Finding:
    """A finding of kantor.csv named by its file name, as iki.toml's are."""
    return dataclasses.replace(finding, file=OFFICES_NAME)


def find_kabupaten_of(office_root: Path) -> tuple[Path, str] | None:
    """When `office_root` is `kantor/KODE` of a kabupaten workspace listing KODE: the
    kabupaten's folder and the kode."""
    parent = office_root.resolve().parent
    if parent.name != OFFICES_DIR:
        return None
    root = parent.parent
    config = KabupatenPaths(root).config_path
    try:
        owned = config.stat()
    except OSError:
        return None
    if not stat.S_ISREG(owned.st_mode) or not is_kabupaten(root):
        return None
    listed, _ = read_units(KabupatenPaths(root).offices_path)
    kode = office_root.resolve().name
    return (root, kode) if any(unit.kode == kode for unit in listed) else None


# --- creating a kabupaten workspace and its offices ---------------------------------------------

KABUPATEN_TEMPLATE = """\
# Pengaturan ruang kerja iki-xlsx untuk kabupaten: banyak kantor kecamatan di satu server.
# Setiap kecamatan punya ruang kerjanya sendiri di kantor/KODE/ (iki.toml, unit.csv,
# blueprints/, simpan/), sama persis dengan ruang kerja satu kantor; daftar kantornya di
# kantor.csv. Akun semua orang yang bekerja di server ini disimpan di penyimpanan kabupaten.

# Nama kabupaten/kota seperti tertulis pada dokumen resmi.
kabupaten = "Kabupaten Contoh"
# Provinsi.
wilayah = "Provinsi Contoh"
# Kota yang ditulis pada baris tanggal dokumen bertanda tangan.
kota = "Contoh"
# Zona waktu: WIB, WITA atau WIT.
zona_waktu = "WIB"

# Pejabat yang menandatangani dokumen kabupaten. Hapus bagian ini bila tidak dipakai.
[penandatangan]
nama = "Nama Kepala Bagian Organisasi"
jabatan = "Kepala Bagian Organisasi"

# Penyimpanan kabupaten (akun) di server PostgreSQL, bukan berkas SQLite di simpan/.
# Kata sandinya TIDAK ditulis di sini: isi variabel lingkungan IKI_DB_PASSWORD atau .pgpass.
# Setiap kantor menulis [basis_data]-nya sendiri di kantor/KODE/iki.toml, dengan skema sendiri
# (misalnya skema = "kec_3507010") dan folder berkas sendiri.
# [basis_data]
# url = "postgresql://iki@localhost:5432/iki"
# skema = "kabupaten"
# berkas = "/var/lib/iki-xlsx/kabupaten"
"""

OFFICES_HEADER = """\
# Daftar kantor kecamatan di server ini: satu baris per kantor.
# kode: kode wilayah kecamatan (misalnya kode Kemendagri, tanpa spasi); nama: nama resmi.
# Ruang kerja setiap kantor ada di folder kantor/KODE. Tambah kantor dengan:
#   iki-xlsx kantor tambah KODE --nama "Kecamatan ..."
kode,nama
"""


@dataclass
class KabupatenInit:
    root: Path
    created: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def init_kabupaten(root: Path) -> KabupatenInit:
    """Create a kabupaten workspace: a commented iki.toml, an empty kantor.csv, the folders."""
    result = KabupatenInit(root)
    paths = KabupatenPaths(root)
    if paths.config_path.exists():
        result.findings.append(Finding.of(Code.WORKSPACE_EXISTS.message(folder=root)))
        return result
    try:
        for folder in (paths.offices_dir, paths.store_dir, paths.output_dir):
            folder.mkdir(parents=True, exist_ok=True)
        for path, text in ((paths.config_path, KABUPATEN_TEMPLATE),
                           (paths.offices_path, OFFICES_HEADER)):
            if not path.exists():
                path.write_text(text, encoding="utf-8")
                result.created.append(path)
    except OSError as exc:
        result.findings.append(Finding.of(Code.OUTPUT_NOT_WRITABLE.message(
            "workspace", alasan=os_reason(exc)), file=str(root)))
    return result


@dataclass(frozen=True)
class OfficeAdded:
    kantor: Kantor
    created: bool  # a new workspace was made (else an office's folder copied in was listed)


def add_office(kabupaten: Kabupaten, kode: str, nama: str | None) -> OfficeAdded:
    """List an office in kantor.csv: its folder `kantor/KODE` is made as a new office
    workspace named `nama` (with the kabupaten's wilayah, kota and zona waktu), or, when an
    office's workspace was copied there, taken as it is (its name from its iki.toml).
    `UsageError` for a kode already listed or one that cannot be a folder name."""
    kode = kode.strip()
    if not KODE_PATTERN.fullmatch(kode) or kode.endswith("."):
        raise UsageError(Code.KANTOR_INVALID.message(kode=kode[:40]).text)
    if kode in kabupaten.kodes:
        raise UsageError(f"kantor {kode} sudah ada di {OFFICES_NAME}")
    folder = kabupaten.offices_dir / kode
    created = not (folder / CONFIG_NAME).exists()
    if created:
        if not nama or not nama.strip():
            raise UsageError("sebutkan nama kantor, misalnya --nama \"Kecamatan Jabung\"")
        made = init_workspace(folder)
        if not made.ok:
            raise UsageError(made.findings[0].message)
        _name_office(folder / CONFIG_NAME, nama.strip(), kabupaten.config)
    else:
        try:
            nama = nama.strip() if nama and nama.strip() else load_workspace(folder).config.kantor
        except WorkspaceError as exc:
            raise UsageError(f"ruang kerja di {folder} belum dapat dipakai: "
                             f"{exc.findings[0].one_line()}") from None
    _append_office(kabupaten.offices_path, kode, nama)
    return OfficeAdded(Kantor(kode, nama, folder), created)


def _name_office(config: Path, nama: str, kabupaten: KabupatenConfig) -> None:
    """A new office's iki.toml says its own name and the kabupaten's place."""
    text = config.read_text(encoding="utf-8")
    settings = {"kantor": nama, "wilayah": f"{kabupaten.kabupaten}, {kabupaten.wilayah}",
                "kota": kabupaten.kota, "zona_waktu": kabupaten.zona_waktu}
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        key = line.partition(" = ")[0]
        if key in settings and line.startswith(f'{key} = "'):
            lines[number] = f"{key} = {_toml(settings.pop(key))}\n"
    text = "".join(lines)
    atomic_write(config, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _append_office(path: Path, kode: str, nama: str) -> None:
    """kantor.csv with one more row, written whole (atomically)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        text = OFFICES_HEADER
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow([kode, nama])
    text = text if text.endswith("\n") or not text else text + "\n"
    atomic_write(path, lambda temporary: Path(temporary).write_text(text + row.getvalue(),
                                                                     encoding="utf-8"))


__all__ = ["Kabupaten", "KabupatenConfig", "Kantor", "add_office", "find_kabupaten_of",
           "init_kabupaten", "load_kabupaten", "read_toml"]
