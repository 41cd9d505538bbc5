"""A workspace for the web tests: office config, a short units list, a blueprint, and the
returns the units would send (all filled, one with a mistake), made by the library."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.service.demo import MISTAKE as MISTAKE  # re-exported: the tests assert on it
from iki_xlsx.service.demo import write_mistaken
from iki_xlsx.workbook.generate import DEFAULT_BLUEPRINTS, generate

BLUEPRINT = "iki-kecamatan-jabung"
PERIODE = 2026
UNITS = [Unit("3507010001", "Desa Sukolilo", "sukolilo@desa.example.id"),
         Unit("3507010002", "Desa Jabung", "jabung@desa.example.id"),
         Unit("3507010003", "Desa Gunungjati", "gunungjati@desa.example.id")]


@dataclass
class Returns:
    filled: list[Path]  # every recipient's return, correct
    mistaken: Path  # the first recipient's return with a count typed as text
    unit: Unit  # whose return has the mistake


def make_workspace(root: Path, *, with_blueprint: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "iki.toml").write_text(office_config("Kecamatan Jabung", "Kabupaten Malang",
                                                 "Malang"), encoding="utf-8")
    lines = ["kode,nama,email", *(f"{u.kode},{u.nama},{u.email}" for u in UNITS)]
    (root / "unit.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if with_blueprint:
        (root / "blueprints").mkdir(exist_ok=True)
        shutil.copy(blueprint_file(), root / "blueprints" / blueprint_file().name)
    return root


def office_config(kantor: str, wilayah: str, kota: str) -> str:
    return (f'kantor = "{kantor}"\nwilayah = "{wilayah}, Provinsi Jawa Timur"\n'
            f'kota = "{kota}"\nzona_waktu = "WIB"\n')


def blueprint_file() -> Path:
    return DEFAULT_BLUEPRINTS / f"{BLUEPRINT}.yaml"


def make_returns(bp: Blueprint, folder: Path) -> Returns:
    filled = generate(bp, UNITS, PERIODE, folder / "terisi", sample=True).files
    mistaken, unit = write_mistaken(bp, UNITS, PERIODE, folder / "salah")
    return Returns(filled, mistaken, unit)


def csrf_in(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "a form without a CSRF token"
    return match.group(1)
