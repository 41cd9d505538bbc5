"""The office's own records, edited by its operator without a text editor: the first-run
creation of a workspace from the office's settings, its `iki.toml` settings and its `unit.csv`
units list (each checked exactly as the command line checks them, with the same located
messages, before anything is written), and archiving a blueprint it no longer uses (moved to
`arsip-blueprint/`, never deleted).

Settings arrive as the fields of a form (`SETTING_FIELDS`: `kantor`, `smtp.host`, ...); an empty
field leaves its key out, a section with every field empty leaves the section out, and the
sections no form edits (`[basis_data]`, `[pihak_kedua]`, `[kop_surat]`) are kept as they are.
A section whose fields hold only what the form fills in by itself (`FORM_DEFAULTS`) is left
out too.
A password is never among them: mail passwords are asked when mail goes out."""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code
from iki_xlsx.core.errors import UsageError
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.units import Unit, read_units
from iki_xlsx.service.blueprints import Blueprinting
from iki_xlsx.service.workspace import (
    CONFIG_NAME,
    UNITS_NAME,
    WorkspacePaths,
    init_workspace,
    read_config,
    read_toml,
)

# every setting a form edits, by section ("" for the top level), in the file's order
SETTING_FIELDS: dict[str, tuple[str, ...]] = {
    "": ("kantor", "wilayah", "kota", "zona_waktu", "batas"),
    "penandatangan": ("nama", "nip", "jabatan"),
    "smtp": ("host", "user", "keamanan", "pengirim"),
    "imap": ("host", "user", "folder"),
}
SECTION_NOTES = {
    "penandatangan": "Pejabat yang menandatangani rekap.",
    "smtp": "Server surel untuk mengirim workbook dan jawaban (kata sandinya tidak disimpan).",
    "imap": "Kotak surat tempat kelurahan/desa mengirim kembali workbook.",
}
# what a form fills in by itself: a section holding only these is a section left empty
FORM_DEFAULTS = {"smtp": {"keamanan": "starttls"}, "imap": {"folder": "INBOX"}}
HEADER = ("# Pengaturan ruang kerja iki-xlsx, disimpan dari halaman Pengaturan aplikasi web.\n"
          "# Kata sandi surel TIDAK ditulis di sini.\n")
UNITS_COLUMNS = "kode,nama,email"


@dataclass
class Saved:
    """What a save did: the file written, or the findings that kept it from being written."""

    path: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def setting_fields(root: Path) -> dict[str, str]:
    """The form's fields as the workspace's iki.toml has them now (empty when it has none)."""
    data, _, _ = read_toml(WorkspacePaths(root).config_path) \
        if WorkspacePaths(root).config_path.is_file() else (None, "", [])
    fields: dict[str, str] = {}
    for section, names in SETTING_FIELDS.items():
        table = (data or {}) if not section else (data or {}).get(section) or {}
        for name in names:
            value = table.get(name) if isinstance(table, dict) else None
            fields[_field(section, name)] = "" if value is None else str(value)
    return fields


def settings_text(fields: Mapping[str, str], kept: Mapping[str, Any] | None = None) -> str:
    """The iki.toml of the form's `fields`, with the sections no form edits from `kept`."""
    lines = [HEADER]
    for name in SETTING_FIELDS[""]:
        value = fields.get(name, "").strip()
        if value:
            lines.append(f"{name} = {_value(name, value)}")
    for section, names in SETTING_FIELDS.items():
        if not section:
            continue
        values = {n: fields.get(_field(section, n), "").strip() for n in names}
        defaults = FORM_DEFAULTS.get(section, {})
        if any(v and v != defaults.get(n) for n, v in values.items()):
            lines += ["", f"# {SECTION_NOTES[section]}", f"[{section}]"]
            lines += [f"{n} = {_value(n, v)}" for n, v in values.items() if v]
    for section, table in (kept or {}).items():
        if section not in SETTING_FIELDS and isinstance(table, dict):
            lines += ["", f"[{section}]"]
            lines += [f"{key} = {_toml(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def check_settings(text: str) -> list[Finding]:
    """`text` read exactly as the command line reads iki.toml: its findings at iki.toml:LINE."""
    with tempfile.TemporaryDirectory(prefix="iki-pengaturan-") as folder:
        path = Path(folder) / CONFIG_NAME
        path.write_text(text, encoding="utf-8")
        _, findings = read_config(path)
    return findings


def check_units(text: str) -> tuple[list[Unit], list[Finding]]:
    """`text` read exactly as the command line reads unit.csv: its findings at unit.csv:LINE."""
    with tempfile.TemporaryDirectory(prefix="iki-unit-") as folder:
        path = Path(folder) / UNITS_NAME
        path.write_text(text, encoding="utf-8")
        units, findings = read_units(path)
    return units, [replace(f, file=UNITS_NAME) if f.file == str(path) else f for f in findings]


def create_workspace(root: Path, fields: Mapping[str, str], units_text: str) -> Saved:
    """A new workspace at `root` from the office's settings and units list, laid out as
    `iki-xlsx init` lays it out (the example blueprint included); nothing is created unless
    both are valid, and an existing workspace is left untouched."""
    paths = WorkspacePaths(root)
    if paths.config_path.exists():
        return Saved(root, [Finding.of(Code.WORKSPACE_EXISTS.message(folder=root))])
    settings = settings_text(fields)
    _, unit_findings = check_units(units_text)
    findings = check_settings(settings) + unit_findings
    if findings:
        return Saved(root, findings)
    made = init_workspace(root)
    if not made.ok:
        return Saved(root, made.findings)
    _write(paths.units_path, units_text)
    _write(paths.config_path, settings)  # last: a workspace exists once its iki.toml does
    return Saved(root)


class Setting(Blueprinting):
    """The office's settings, units list and blueprint folder, edited in place."""

    def _paths(self) -> WorkspacePaths:
        if self.workspace is None and self.outputs is None:
            raise UsageError("pengaturan hanya dapat diubah di dalam ruang kerja")
        root = self.workspace.root if self.workspace is not None else \
            self.blueprints_dir.parent
        return WorkspacePaths(root)

    def save_settings(self, fields: Mapping[str, str]) -> Saved:
        """iki.toml rewritten from the form's `fields` (the sections no form edits kept), only
        when it reads without a finding."""
        path = self._paths().config_path
        kept, _, _ = read_toml(path) if path.is_file() else (None, "", [])
        text = settings_text(fields, kept)
        findings = check_settings(text)
        if not findings:
            _write(path, text)
            self._audited_settings(f"Pengaturan kantor ({CONFIG_NAME}) diubah", CONFIG_NAME)
        return Saved(path, findings)

    def save_units(self, text: str) -> Saved:
        """unit.csv replaced by `text`, only when it reads without a finding."""
        path = self._paths().units_path
        units, findings = check_units(text)
        if not findings:
            _write(path, text)
            self._audited_settings(f"Daftar unit ({UNITS_NAME}) diubah: {len(units)} unit",
                                   UNITS_NAME)
        return Saved(path, findings)

    def _audited_settings(self, summary: str, berkas: str) -> None:
        from iki_xlsx.audit.kinds import AuditKind

        self.audited(AuditKind.SETTINGS, summary, details={"berkas": berkas})

    def units_text(self) -> str:
        """The units list as its file has it (the columns alone when there is none yet)."""
        path = self._paths().units_path
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return UNITS_COLUMNS + "\n"

    def archive_blueprint(self, blueprint_id: str) -> Path:
        """The office's blueprint `blueprint_id` moved out of its folder into
        `arsip-blueprint/` (never deleted: workbooks made from it are still judged by the
        store's archived versions). Raises `UsageError` for an id the office has not."""
        for path in self.blueprint_files():
            loaded = self.runtime.blueprints.load(path)
            if loaded.blueprint is not None and loaded.blueprint.id == blueprint_id:
                stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
                target = self._archive_dir() / f"{path.stem}-{stamp}{path.suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
                from iki_xlsx.audit.kinds import AuditKind

                self.audited(AuditKind.BLUEPRINT, f"Blueprint {blueprint_id} versi "
                             f"{loaded.blueprint.versi} diarsipkan (tidak dipakai lagi)",
                             blueprint=blueprint_id,
                             details={"berkas": path.name, "arsip": target.name})
                return target
        raise UsageError(f"blueprint {blueprint_id} tidak ada di folder blueprint kantor")


def _write(path: Path, text: str) -> None:
    atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))


def _field(section: str, name: str) -> str:
    return f"{section}.{name}" if section else name


def _value(name: str, text: str) -> str:
    """A form's text as its TOML value: the deadline a date when it is one."""
    if name == "batas":
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    return _toml(text)


def _toml(value: Any) -> str:
    """A value of iki.toml written back: a string (escaped as TOML's basic strings are), a
    date, a number, a boolean or a list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | datetime.date):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
