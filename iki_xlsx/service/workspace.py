"""The office's workspace (ruang kerja): the only records the tool trusts.

A workspace is one folder:
    iki.toml       the office's settings (kantor, wilayah, kota, zona waktu, penandatangan,
                   SMTP and IMAP host and user; never a password)
    unit.csv       kode, nama, email: the only source of the expected units and their addresses
    blueprints/    the office's blueprints
    simpan/        the store (received files, the register of what was generated and sent);
                   with `[basis_data]` in iki.toml its database is on a PostgreSQL server
    keluaran/      what the commands write (workbooks to send, recaps)

Commands find it from the current folder upward, as git finds its repository, or from
`--ruang DIR`. Loading never trusts a returned file: it reads only these.

Discovery takes only an `iki.toml` owned by the user running the command (or by root): one
that another user planted in a parent folder is passed over, so their store never receives
this office's returns. A workspace whose `iki.toml` (or its folder) another user can change
is refused, found or named.
"""

from __future__ import annotations

import datetime
import grp
import os
import pwd
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from iki_xlsx.blueprint.files import DEFAULT_BLUEPRINTS
from iki_xlsx.core.codes import Code
from iki_xlsx.core.dates import Zona
from iki_xlsx.core.errors import IkiError
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.units import Unit, read_units
from iki_xlsx.store.db import Store
from iki_xlsx.store.location import DEFAULT_SCHEMA, check_schema, check_url, parse_location

if TYPE_CHECKING:
    from iki_xlsx.rekap.source import Pengesahan  # the recap's: imported by the recap's use

CONFIG_NAME = "iki.toml"
UNITS_NAME = "unit.csv"
BLUEPRINTS_NAME = "blueprints"
STORE_NAME = "simpan"
OUTPUT_NAME = "keluaran"
DEFAULT_BLUEPRINT_FILE = DEFAULT_BLUEPRINTS / "iki-kecamatan-kota.yaml"
SAMPLE_UNITS = DEFAULT_BLUEPRINTS.parent / "samples" / "kelurahan-kota.csv"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Penandatangan(_Section):
    """Who signs the office's documents (the recap's signature block)."""

    nama: str = Field(min_length=1)
    nip: str | None = None
    jabatan: str = Field(min_length=1)


class Smtp(_Section):
    host: str = Field(min_length=1)  # HOST or HOST:PORT
    user: str | None = None
    keamanan: Literal["starttls", "ssl", "tanpa"] = "starttls"
    pengirim: str | None = None  # the From address (default: user, when it is an address)


class Imap(_Section):
    host: str = Field(min_length=1)  # HOST or HOST:PORT
    user: str = Field(min_length=1)
    folder: str = "INBOX"


class BasisData(_Section):
    """`[basis_data]`: the store on a PostgreSQL server instead of the embedded SQLite file.
    The password is never here: `IKI_DB_PASSWORD` or the user's `.pgpass` gives it."""

    url: str = Field(min_length=1)  # postgresql://user@host:port/db
    skema: str = DEFAULT_SCHEMA  # the PostgreSQL schema of this office's tables
    berkas: Path | None = None  # the raw files' folder (default simpan/berkas)

    @field_validator("url")
    @classmethod
    def _no_password(cls, url: str) -> str:
        return check_url(url)

    @field_validator("skema")
    @classmethod
    def _plain_schema(cls, skema: str) -> str:
        return check_schema(skema)


class PihakKedua(_Section):
    """The camat's superior, who signs the Perjanjian Kinerja as its second party."""

    nama: str = Field(min_length=1)
    jabatan: str = Field(min_length=1)  # e.g. "Bupati Malang"
    nip: str | None = None


class KopSurat(_Section):
    """The letterhead of the office's documents: its lines, the first two the largest, and
    a logo (a PNG or JPEG file in the workspace)."""

    baris: list[str] = Field(min_length=1, max_length=6)
    logo: str | None = None


class Induk(_Section):
    """The kabupaten an office reports to and its kode in that kabupaten's kantor.csv: what
    `rekap --untuk-kabupaten` names the recap file by."""

    kabupaten: str = Field(min_length=1)  # "Kabupaten Malang", as the kabupaten's iki.toml
    kode: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")


LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_LOGO_BYTES = 2 * 1024 * 1024


class Config(_Section):
    """`iki.toml`, validated."""

    kantor: str = Field(min_length=1)
    wilayah: str = Field(min_length=1)
    kota: str = Field(min_length=1)
    zona_waktu: Zona
    batas: datetime.date | None = None  # the returns' deadline, named by kirim and reminders
    penandatangan: Penandatangan | None = None
    smtp: Smtp | None = None
    imap: Imap | None = None
    basis_data: BasisData | None = None
    pihak_kedua: PihakKedua | None = None
    kop_surat: KopSurat | None = None
    induk: Induk | None = None


class WorkspaceError(IkiError):
    """A workspace that cannot be used: one line per problem, in Bahasa Indonesia."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.one_line() for f in findings))
        self.findings = findings


@dataclass(frozen=True)
class WorkspacePaths:
    """Where a workspace folder keeps each of its parts: the one place that names them (the
    loaded `Workspace` and the web app's `Site`, which reloads for every page, share it)."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def units_path(self) -> Path:
        return self.root / UNITS_NAME

    @property
    def blueprints_dir(self) -> Path:
        return self.root / BLUEPRINTS_NAME

    @property
    def store_dir(self) -> Path:
        return self.root / STORE_NAME

    @property
    def output_dir(self) -> Path:
        return self.root / OUTPUT_NAME


@dataclass(frozen=True)
class Workspace(WorkspacePaths):
    """One office's folder: its settings, its units, and where everything else lives."""

    config: Config
    units: list[Unit] = field(default_factory=list)

    def store(self) -> Store:
        """The office's store: `simpan/` (SQLite), or the server `[basis_data]` names."""
        return store_of(self, self.config)


def store_of(paths: WorkspacePaths, config: Config | None) -> Store:
    """The store of a workspace whose settings are `config`: the SQLite file in `simpan/`, or
    the PostgreSQL database of `[basis_data]` with its raw files in `berkas` (relative to the
    workspace; default `simpan/berkas`). The send log and annotated copies stay in `simpan/`."""
    return store_at(paths, None if config is None else config.basis_data)


def store_at(paths: WorkspacePaths, database: BasisData | None) -> Store:
    """The store of the workspace `paths` with `[basis_data]` `database` (None: SQLite)."""
    if database is None:
        return Store(paths.store_dir)
    raw = paths.store_dir / "berkas" if database.berkas is None else paths.root / database.berkas
    return Store(paths.store_dir, raw=raw,
                 database=parse_location(database.url, database.skema))


def find_workspace(start: Path) -> Workspace | None:
    """The workspace holding `start` (its folder or any parent), or None outside one.

    Raises `WorkspaceError` when the workspace found has an invalid `iki.toml` or `unit.csv`,
    or one another user can change.
    """
    root = find_root(start)
    return None if root is None else load_workspace(root)


def find_root(start: Path, uid: int | None = None) -> Path | None:
    """The nearest folder from `start` upward holding an `iki.toml` owned by the user `uid`
    (the one running, by default) or by root; one owned by anybody else is passed over."""
    trusted = {os.getuid() if uid is None else uid, 0}
    here = start.resolve()
    for folder in (here, *here.parents):
        try:
            found = WorkspacePaths(folder).config_path.stat()
        except OSError:
            continue
        if stat.S_ISREG(found.st_mode) and found.st_uid in trusted:
            return folder
    return None


def others_can_change(path: Path) -> bool:
    """Whether a user other than `path`'s owner may write it: writable by everyone (a folder
    with the sticky bit, like /tmp, excepted), or by a group that has other members."""
    try:
        info = path.stat()
    except OSError:
        return False
    if stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX:
        return False
    if info.st_mode & stat.S_IWOTH:
        return True
    return bool(info.st_mode & stat.S_IWGRP) and _group_shared(info.st_gid, info.st_uid)


def _group_shared(gid: int, owner: int) -> bool:
    """Whether the group `gid` has a member other than the user `owner` (an unknown group or
    owner counts as shared)."""
    try:
        group = grp.getgrgid(gid)
        name = pwd.getpwuid(owner).pw_name
    except KeyError:
        return True
    members = set(group.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return bool(members - {name})


def load_workspace(root: Path) -> Workspace:
    """Read and validate the workspace at `root`; every problem found is reported at once."""
    paths = WorkspacePaths(root)
    if not paths.config_path.is_file():
        raise WorkspaceError([Finding.of(Code.WORKSPACE_MISSING.message(folder=root))])
    for part in (paths.config_path, root):
        if others_can_change(part):
            raise WorkspaceError([Finding.of(Code.WORKSPACE_UNSAFE.message(berkas=part))])
    if is_kabupaten(root):
        raise WorkspaceError([Finding.of(Code.WORKSPACE_KABUPATEN.message(folder=root))])
    config, findings = read_config(paths.config_path)
    if config is not None:
        findings += check_logo(root, config)
    units, unit_findings = read_units(paths.units_path)
    findings += unit_findings
    if config is None or findings:
        raise WorkspaceError(findings)
    return Workspace(root, config, units)


def logo_path(root: Path, config: Config) -> Path | None:
    """The letterhead's logo file, when iki.toml names one."""
    if config.kop_surat is None or config.kop_surat.logo is None:
        return None
    return root / config.kop_surat.logo


def check_logo(root: Path, config: Config) -> list[Finding]:
    """The logo iki.toml names is an image file of reasonable size inside the workspace."""
    logo = logo_path(root, config)
    if logo is None:
        return []
    assert config.kop_surat is not None and config.kop_surat.logo is not None
    shown = config.kop_surat.logo
    config_path = WorkspacePaths(root).config_path
    line = _line_of(key_lines(config_path.read_text(encoding="utf-8-sig")),
                    ("kop_surat", "logo"))
    variant = None
    if logo.suffix.lower() not in LOGO_SUFFIXES:
        variant = "logo-format"
    elif not logo.resolve().is_relative_to(root.resolve()):
        variant = "logo-outside"
    elif not logo.is_file():
        variant = "logo-missing"
    elif logo.stat().st_size > MAX_LOGO_BYTES:
        variant = "logo-too-big"
    if variant is None:
        return []
    return [Finding.of(Code.CONFIG_INVALID_VALUE.message(variant, berkas=shown),
                       file=config_path.name, line=line)]


MAX_CONFIG_BYTES = 64 * 1024  # the commented template has 2,000


def read_config(path: Path) -> tuple[Config | None, list[Finding]]:
    """`iki.toml` of an office, validated; each error one finding at `iki.toml:LINE`."""
    return read_settings(path, Config)


Settings = TypeVar("Settings", bound=BaseModel)


def read_settings(path: Path, model: type[Settings]) -> tuple[Settings | None, list[Finding]]:
    """An `iki.toml` validated as `model` (an office's `Config`, a kabupaten's); each error
    one finding at `iki.toml:LINE`."""
    data, text, findings = read_toml(path)
    if data is None:
        return None, findings
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        lines = key_lines(text)
        found = [_config_finding(error, lines, path.name) for error in exc.errors()]
        return None, sorted(found, key=lambda f: f.line or 0)


def read_toml(path: Path) -> tuple[dict[str, Any] | None, str, list[Finding]]:
    """An `iki.toml` as data, with its text; or None and the finding that says why.

    It is read within bounds: at most `MAX_CONFIG_BYTES`, and nesting that would exhaust the
    TOML parser's recursion is one finding, as is any line the key finder meets."""
    shown = path.name
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            return None, "", [Finding.of(Code.CONFIG_TOO_LARGE.message(
                batas=MAX_CONFIG_BYTES // 1024), file=shown, line=1)]
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, "", [Finding.of(Code.CONFIG_UNREADABLE.message(alasan=os_reason(exc)),
                                     file=shown, line=1)]
    try:
        return tomllib.loads(text), text, []
    except RecursionError:
        return None, text, [Finding.of(Code.CONFIG_TOO_LARGE.message("nested"), file=shown,
                                       line=1)]
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_in_message(str(exc))
        return None, text, [Finding.of(Code.CONFIG_SYNTAX.message(), file=shown, line=line)]


KABUPATEN_KEY = "kabupaten"  # the key only a kabupaten's iki.toml has


def is_kabupaten(root: Path) -> bool:
    """Whether the workspace folder `root` is a kabupaten's (its iki.toml names `kabupaten`)."""
    data, _, _ = read_toml(WorkspacePaths(root).config_path)
    return data is not None and KABUPATEN_KEY in data


def _line_in_message(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1


def _config_finding(error: Any, lines: dict[tuple[str, ...], int], shown: str) -> Finding:
    from iki_xlsx.blueprint.load import describe_error  # YAML's loader: only for a bad file

    path = tuple(str(p) for p in error["loc"])
    kind = error["type"]
    name = ".".join(path)
    name = name if len(name) <= 60 else name[:57] + "..."
    if kind == "extra_forbidden":
        return Finding.of(Code.CONFIG_UNKNOWN_KEY.message(kunci=name), file=shown,
                          line=_line_of(lines, path))
    if kind == "missing":
        return Finding.of(Code.CONFIG_MISSING_KEY.message(kunci=name), file=shown,
                          line=_line_of(lines, path[:-1]))
    if kind == "value_error":  # a validator's own words (never the value: it may be secret)
        return Finding.of(Code.CONFIG_INVALID_VALUE.message(kunci=name,
                                                            alasan=error["ctx"]["error"]),
                          file=shown, line=_line_of(lines, path))
    return Finding.of(Code.CONFIG_INVALID_VALUE.message(kunci=name, alasan=describe_error(error)),
                      file=shown, line=_line_of(lines, path))


def _line_of(lines: dict[tuple[str, ...], int], path: tuple[str, ...]) -> int:
    """The line of `path`, else of its nearest parent table, else 1."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


_KEY_TEXT = re.compile(r"[A-Za-z0-9_\-.\"' ]+")


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line (1-based) of every table header and key of a TOML text, by dotted path.

    tomllib reports only the line of syntax errors; this finds the line of a key that is
    valid TOML but not a valid setting. Multi-line strings are skipped.
    """
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _table_header(line)
        if header is not None:
            table = _dotted(header)
            lines.setdefault(table, number)
            continue
        key, equals, rest = line.partition("=")
        if equals and _KEY_TEXT.fullmatch(key.strip()):
            lines.setdefault(table + _dotted(key.strip()), number)
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
    return lines


def _table_header(line: str) -> str | None:
    """`name` of a line `[name]` (a comment may follow), else None; in linear time (a
    regular expression with spaces on both sides of the name took seconds on a long line)."""
    text = line.split("#", 1)[0].strip()
    if not (text.startswith("[") and text.endswith("]")) or text.startswith("[["):
        return None
    name = text[1:-1].strip()
    return name if name and "[" not in name and "]" not in name else None


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


# --- creating a workspace ---------------------------------------------------------------------

CONFIG_TEMPLATE = """\
# Pengaturan ruang kerja iki-xlsx untuk kantor kecamatan ini.
# Ubah nilai di bawah sesuai kantor Anda, lalu simpan. Baris yang diawali # adalah catatan.
# Kata sandi surel TIDAK ditulis di sini: iki-xlsx menanyakannya, atau membacanya dari
# variabel lingkungan IKI_SMTP_PASSWORD dan IKI_IMAP_PASSWORD.

# Nama kantor seperti tertulis pada dokumen resmi.
kantor = "Kecamatan Contoh"
# Wilayah kantor (kabupaten/kota dan provinsi).
wilayah = "Kota Contoh, Provinsi Contoh"
# Kota yang ditulis pada baris tanggal dokumen bertanda tangan ("Contoh, 5 Januari 2027").
kota = "Contoh"
# Zona waktu kantor: WIB, WITA atau WIT.
zona_waktu = "WIB"
# Batas waktu pengembalian workbook (TTTT-BB-HH), disebut dalam surel kirim dan pengingat
# (iki-xlsx kirim --pengingat). Hapus tanda # di awal baris untuk memakainya.
# batas = 2027-01-31

# Pejabat yang menandatangani rekap. Hapus bagian ini bila rekap tidak ditandatangani.
[penandatangan]
nama = "Nama Camat"
nip = "196501011990031001"
jabatan = "Camat"

# Atasan camat, pihak kedua Perjanjian Kinerja (iki-xlsx dokumen pk). Hapus bila tidak dipakai.
[pihak_kedua]
nama = "Nama Bupati"
jabatan = "Bupati Contoh"

# Kop surat dokumen kantor (PK, pengukuran kinerja): baris-barisnya, dua yang pertama paling
# besar, dan logo (berkas PNG atau JPEG di folder ruang kerja ini; hapus baris logo bila tidak
# ada).
[kop_surat]
baris = ["PEMERINTAH KOTA CONTOH", "KECAMATAN CONTOH",
         "Jalan Contoh No. 1, Kota Contoh 12345, Telepon (021) 1234567"]
# logo = "logo.png"

# Server surel untuk mengirim workbook (iki-xlsx kirim). Hapus bila tidak dipakai.
# keamanan: starttls (port 587), ssl (port 465) atau tanpa.
[smtp]
host = "smtp.contoh.go.id"
user = "kecamatan@contoh.go.id"
keamanan = "starttls"
pengirim = "kecamatan@contoh.go.id"

# Kotak surat tempat kelurahan/desa mengirim kembali workbook (iki-xlsx terima --imap).
[imap]
host = "imap.contoh.go.id"
user = "kecamatan@contoh.go.id"
folder = "INBOX"

# Penyimpanan di server PostgreSQL (misalnya server kabupaten), bukan berkas SQLite di simpan/.
# Kata sandinya TIDAK ditulis di sini: isi variabel lingkungan IKI_DB_PASSWORD atau berkas
# .pgpass pengguna. berkas: folder berkas asli di server (bawaan: simpan/berkas).
# Pindahkan penyimpanan yang sudah ada dengan: iki-xlsx simpan pindah --ke postgresql://...
# [basis_data]
# url = "postgresql://iki@localhost:5432/iki"
# berkas = "/var/lib/iki-xlsx/berkas"
"""

UNITS_HEADER = """\
# Daftar kelurahan/desa yang menerima workbook: satu baris per unit.
# kode: kode wilayah yang unik (misalnya kode Kemendagri); nama: nama resmi;
# email: alamat yang dikirimi workbook dan satu-satunya alamat yang diterima sebagai pengirimnya.
# Ganti contoh di bawah dengan unit Anda. Baris yang diawali # adalah catatan.
"""

BLUEPRINT_HEADER = """\
# Blueprint bawaan iki-xlsx: keputusan IKI kantor kecamatan dalam bentuk data.
# Ubah sesuai keputusan kantor Anda, lalu periksa dengan: iki-xlsx blueprint periksa
# Setelah workbook dikirim, naikkan `versi` bila isinya diubah.
"""


@dataclass
class InitResult:
    root: Path
    created: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def init_workspace(root: Path) -> InitResult:
    """Create a workspace with a commented `iki.toml`, a sample `unit.csv` and the default
    blueprint; an existing workspace is left untouched."""
    result = InitResult(root)
    paths = WorkspacePaths(root)
    if paths.config_path.exists():
        result.findings.append(Finding.of(Code.WORKSPACE_EXISTS.message(folder=root)))
        return result
    try:
        for folder in (paths.blueprints_dir, paths.store_dir, paths.output_dir):
            folder.mkdir(parents=True, exist_ok=True)
        files = {
            paths.config_path: CONFIG_TEMPLATE,
            paths.units_path: UNITS_HEADER + SAMPLE_UNITS.read_text(encoding="utf-8"),
            paths.blueprints_dir / DEFAULT_BLUEPRINT_FILE.name:
                BLUEPRINT_HEADER + DEFAULT_BLUEPRINT_FILE.read_text(encoding="utf-8"),
        }
        for path, text in files.items():
            if not path.exists():
                path.write_text(text, encoding="utf-8")
                result.created.append(path)
    except OSError as exc:
        result.findings.append(Finding.of(Code.OUTPUT_NOT_WRITABLE.message(
            "workspace", alasan=os_reason(exc)), file=str(root)))
    return result



def pengesahan_of(config: Config) -> Pengesahan:
    """The recap's place, time zone and signatory from a workspace's iki.toml."""
    from iki_xlsx.rekap.source import Pengesahan

    signer = config.penandatangan
    return Pengesahan(kota=config.kota, zona_waktu=config.zona_waktu,
                      jabatan=signer.jabatan if signer else None,
                      nama=signer.nama if signer else None, nip=signer.nip if signer else None)

