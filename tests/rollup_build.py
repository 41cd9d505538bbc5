"""The 6-kecamatan kabupaten of issue 25, built once per test run (tests/shared.built_once).

    K1  kota blueprint mapped (IKU-1)   on the server (its store in kantor/K1/simpan)
    K2  jabung blueprint mapped (IKU-2) on the server
    K3  kota blueprint mapped (IKU-1)   sends its recap file
    K4  iku-kecamatan blueprint         sends its recap file with TW I only (a quarter behind)
    K5  jabung blueprint mapped (IKU-2) sends its recap file with a capaian typed over a formula
    K6  kota blueprint mapped           sends a recap made for another kabupaten

Each office has one kelurahan/desa. The mapped variables are filled with known numbers per
unit and period (`FILLED`), so a test recomputes the kabupaten's figures from them alone.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.rekap.build import write_rekap
from iki_xlsx.rekap.rollup.kiriman import Tujuan
from iki_xlsx.service.kabupaten import add_office, init_kabupaten, load_kabupaten
from iki_xlsx.store.db import Store
from iki_xlsx.workbook.generate import generate, recipients, write_filled

BUNDLED = Path(__file__).resolve().parent.parent / "blueprints"
KABUPATEN = "Kabupaten Contoh Raya"
SETTINGS = f"""\
kabupaten = "{KABUPATEN}"
wilayah = "Provinsi Jawa Timur"
kota = "Kepanjen"
zona_waktu = "WIB"

[penandatangan]
nama = "Drs. Kepala Bagian, M.Si"
jabatan = "Kepala Bagian Organisasi"
nip = "197001011990031001"
"""
IKU_LIST = """\
kode,nama,satuan
IKU-1,Persentase usulan musrenbang kelurahan yang menjadi prioritas,%
IKU-2,Jumlah berkas administrasi kependudukan yang ditangani,berkas
"""
KOTA_IND = ("camat", "usulan-musrenbang-prioritas")
JABUNG_IND = ("kasi-pelayanan-publik", "pelayanan-administrasi-kependudukan")
# office: (blueprint file, mapping, unit)
OFFICES = {
    "K1": ("iki-kecamatan-kota.yaml", "IKU-1", Unit("K1-01", "Kelurahan Satu")),
    "K2": ("iki-kecamatan-jabung.yaml", "IKU-2", Unit("K2-01", "Desa Dua")),
    "K3": ("iki-kecamatan-kota.yaml", "IKU-1", Unit("K3-01", "Kelurahan Tiga")),
    "K4": ("iku-kecamatan.yaml", None, Unit("K4-01", "Kelurahan Empat")),
    "K5": ("iki-kecamatan-jabung.yaml", "IKU-2", Unit("K5-01", "Desa Lima")),
    "K6": ("iki-kecamatan-kota.yaml", "IKU-1", Unit("K6-01", "Kelurahan Enam")),
}
SERVER = ("K1", "K2")
BATAS = {"K1": "2099-12-31", "K2": "2020-01-31"}  # K1's units all on time, K2's all late
# the mapped variables each office's unit filled, per period 1..4
FILLED = {
    "K1": {"usulan_prioritas": (3, 4, 5, 6), "usulan_seluruh": (10, 10, 10, 10)},
    "K3": {"usulan_prioritas": (1, 2, 7, 7), "usulan_seluruh": (4, 6, 9, 9)},
    "K6": {"usulan_prioritas": (9, 9, 9, 9), "usulan_seluruh": (9, 9, 9, 9)},
    "K2": {"berkas": (120, 80, 50, 50)},
    "K5": {"berkas": (7, 7, 7, 7)},
}
TAMPERED_VALUE = 123.0


def mapped_yaml(name: str, mapping: str | None) -> str:
    """The bundled blueprint's text, its mapped indicator naming `mapping`."""
    text = (BUNDLED / name).read_text(encoding="utf-8")
    if mapping is None:
        return text
    indikator = KOTA_IND[1] if "kota" in name else JABUNG_IND[1]
    line = re.search(rf"^( *)- id: {indikator}\n", text, re.M)
    assert line is not None
    indent = line.group(1) + "  "
    return text[:line.end()] + f"{indent}iku_kabupaten: {mapping}\n" + text[line.end():]


def _changes(bp: Blueprint, unit: Unit, everyone: list[Unit], kode: str,
             last_period: int) -> dict[str, object]:
    """The unit's known numbers, and every input after `last_period` left blank."""
    plan = plan_workbook(bp, unit, 2026, everyone)
    changes: dict[str, object] = {}
    for _, cell in plan.input_cells():
        key = PlanKey.try_parse(cell.key)
        if key is not None and key.period is not None and key.period > last_period:
            changes[cell.key] = None
    scope, ind = KOTA_IND if "kota" in bp.id else JABUNG_IND
    for var, numbers in FILLED.get(kode, {}).items():
        for p, number in enumerate(numbers, start=1):
            if p <= last_period and not unit.kantor:
                changes[str(PlanKey.input(scope, ind, var, p))] = number
    return changes


def _office_data(bp: Blueprint, unit: Unit, store: Store, folder: Path, kode: str,
                 last_period: int) -> None:
    """Generate (registered), fill and collect the office's workbooks into `store`."""
    everyone = recipients(bp, [unit])
    made = generate(bp, [unit], 2026, folder / "dibuat", register=store)
    assert made.ok, [f.one_line() for f in made.findings]
    files = [write_filled(bp, u, everyone, 2026, folder / "kembali" / f"{u.kode}.xlsx",
                          _changes(bp, u, everyone, kode, last_period))
             for u in everyone]
    added = collect(files, store, BlueprintIndex([bp])).added
    assert [str(s) for _, _, s in added] == ["ok"] * len(files), added


def tamper(recap: Path, out: Path) -> str:
    """A copy of `recap` with the first capaian of its Ringkasan typed over its formula (the
    XML edited, every other cell as it was); the cell's reference."""
    with zipfile.ZipFile(recap) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode("utf-8")
    found = re.search(r'<c r="(I\d+)"([^>]*?)(?: t="str")?><f>[^<]*</f><v>[^<]*</v></c>', xml)
    assert found is not None
    typed = f'<c r="{found.group(1)}"{found.group(2)}><v>{TAMPERED_VALUE:g}</v></c>'
    parts[sheet] = (xml[:found.start()] + typed + xml[found.end():]).encode("utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return found.group(1)


def build(folder: Path) -> None:
    """The kabupaten at folder/kabupaten and the four files at folder/kiriman."""
    root = folder / "kabupaten"
    assert init_kabupaten(root).ok
    (root / "iki.toml").write_text(SETTINGS, encoding="utf-8")
    (root / "iku_kabupaten.csv").write_text(IKU_LIST, encoding="utf-8")
    sent = folder / "kiriman"
    sent.mkdir()
    for kode, (name, mapping, unit) in OFFICES.items():
        kabupaten = load_kabupaten(root)
        added = add_office(kabupaten, kode, f"Kecamatan {kode}")
        office_root = added.kantor.root
        if kode in BATAS:
            config = office_root / "iki.toml"
            config.write_text(config.read_text(encoding="utf-8").replace(
                "# batas = 2027-01-31", f"batas = {BATAS[kode]}"), encoding="utf-8")
        (office_root / "unit.csv").write_text(f"kode,nama\n{unit.kode},{unit.nama}\n",
                                              encoding="utf-8")
        blueprints = office_root / "blueprints"
        blueprints.mkdir(exist_ok=True)
        for old in blueprints.glob("*.yaml"):
            old.unlink()
        path = blueprints / name
        path.write_text(mapped_yaml(name, mapping), encoding="utf-8")
        loaded = load_blueprint(path)
        assert loaded.blueprint is not None, [f.one_line() for f in loaded.findings]
        bp = loaded.blueprint
        last = 1 if kode == "K4" else 4
        if kode in SERVER:
            _office_data(bp, unit, Store(office_root / "simpan"), office_root, kode, last)
            continue
        laptop = folder / "laptop" / kode
        store = Store(laptop / "simpan")
        _office_data(bp, unit, store, laptop, kode, last)
        made = write_rekap(store, BlueprintIndex([bp]), laptop / "rekap.xlsx",
                           tujuan=Tujuan("Kabupaten Lain" if kode == "K6" else KABUPATEN,
                                         kode))
        assert made.path is not None, [f.one_line() for f in made.findings]
        if kode == "K5":
            (sent / "K5-cell.txt").write_text(tamper(made.path, sent / "rekap-K5.xlsx"))
        else:
            shutil.copy(made.path, sent / f"rekap-{kode}.xlsx")
