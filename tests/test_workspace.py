"""The workspace: init, finding it from any folder inside, validating iki.toml and unit.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from iki_xlsx.service.workspace import find_workspace, init_workspace, load_workspace
from tests.cli import Ran, iki

TWO_UNITS = ("kode,nama,email\n"
             "3573011001,Kelurahan Sukamaju,sukamaju@kel.example.id\n"
             "3573011002,Kelurahan Mekarsari,mekarsari@kel.example.id\n")


def run(*args: str, cwd: Path) -> Ran:
    return iki(*args, cwd=cwd)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "kantor"
    done = run("init", str(root), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return root


def test_init_creates_a_commented_workspace_that_loads(workspace: Path) -> None:
    for name in ("iki.toml", "unit.csv", "blueprints/iki-kecamatan-kota.yaml"):
        text = (workspace / name).read_text(encoding="utf-8")
        assert text.startswith("# "), name  # notes for the person who edits it
    assert (workspace / "simpan").is_dir() and (workspace / "keluaran").is_dir()
    ws = load_workspace(workspace)
    assert ws.config.zona_waktu == "WIB" and ws.config.penandatangan is not None
    assert len(ws.units) == 11 and ws.units[0].kode == "3573011001"
    assert ws.units[0].email == "sukamaju@kel.example.id"
    assert ws.store_dir == workspace / "simpan" and ws.output_dir == workspace / "keluaran"
    checked = run("blueprint", "check", cwd=workspace)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.endswith("iki-kecamatan-kota.yaml: sah (20 jabatan, 107 indikator)\n")


def test_init_never_overwrites_a_workspace(workspace: Path) -> None:
    (workspace / "iki.toml").write_text('kantor = "dipakai"\n', encoding="utf-8")
    again = run("init", str(workspace), cwd=workspace.parent)
    assert again.returncode == 2
    assert again.stderr == (f"Kesalahan: {workspace} sudah berisi iki.toml; ruang kerja tidak "
                            "ditimpa\n")
    assert (workspace / "iki.toml").read_text(encoding="utf-8") == 'kantor = "dipakai"\n'


def test_found_from_a_subfolder_or_named_with_ruang(workspace: Path, tmp_path: Path) -> None:
    inside = workspace / "keluaran" / "sub"
    inside.mkdir()
    found = find_workspace(inside)
    assert found is not None and found.root == workspace.resolve()
    assert find_workspace(tmp_path) is None
    outside = run("status", cwd=tmp_path)
    assert outside.returncode == 2
    assert outside.stderr == ("Kesalahan: sebutkan --store FOLDER, atau jalankan perintah di "
                              "dalam ruang kerja (buat dengan: iki-xlsx init FOLDER)\n")
    (workspace / "unit.csv").write_text(TWO_UNITS, encoding="utf-8")
    for args, cwd in ((("generate", "iki-kecamatan-kota", "--periode", "2026"), inside),
                      (("--ruang", str(workspace), "generate", "iki-kecamatan-kota",
                        "--periode", "2027"), tmp_path)):
        made = run(*args, cwd=cwd)
        assert made.returncode == 0, made.stderr
    for year in (2026, 2027):
        made = workspace / "keluaran" / "kirim" / f"iki-kecamatan-kota-{year}"
        names = sorted(p.name for p in made.glob("*.xlsx"))
        assert names == [f"IKI_{year}_3573011001_Kelurahan-Sukamaju.xlsx",
                         f"IKI_{year}_3573011002_Kelurahan-Mekarsari.xlsx",
                         f"IKI_{year}_kecamatan_Kecamatan.xlsx"]


CONFIG_ERRORS = """\
kantor = "Kecamatan Lowokwaru"
wilayah = "Kota Malang"
kota = 5
zona_waktu = "GMT"
warna = "biru"

[penandatangan]
nama = "Dra. Siti"
jabtan = "Camat"

[smtp]
user = "kantor@contoh.go.id"
"""


def test_every_config_error_is_one_line_at_its_key(workspace: Path) -> None:
    (workspace / "iki.toml").write_text(CONFIG_ERRORS, encoding="utf-8")
    done = run("status", cwd=workspace)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Kesalahan: iki.toml:3: kota: '5' harus berupa teks",
        "Kesalahan: iki.toml:4: zona_waktu: 'GMT' bukan pilihan yang sah (pilihan: 'WIB', "
        "'WITA' atau 'WIT')",
        "Kesalahan: iki.toml:5: kunci 'warna' tidak dikenal; periksa ejaannya",
        "Kesalahan: iki.toml:7: kunci 'penandatangan.jabatan' wajib diisi",
        "Kesalahan: iki.toml:9: kunci 'penandatangan.jabtan' tidak dikenal; periksa ejaannya",
        "Kesalahan: iki.toml:11: kunci 'smtp.host' wajib diisi",
        "Kesalahan: ruang kerja tidak dapat dipakai; perbaiki kesalahan di atas",
    ]


def test_a_toml_syntax_error_names_its_line(workspace: Path) -> None:
    (workspace / "iki.toml").write_text('kantor = "x"\nwilayah = "tanpa tutup\n',
                                        encoding="utf-8")
    done = run("--ruang", str(workspace), "status", cwd=workspace.parent)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        "Kesalahan: iki.toml:2: penulisan TOML tidak sah (periksa tanda kutip, tanda = dan nama "
        "bagian dalam [kurung])")


def test_unit_list_notes_duplicates_and_line_numbers(tmp_path: Path) -> None:
    assert init_workspace(tmp_path).ok
    units = tmp_path / "unit.csv"
    units.write_text("# catatan\nkode;nama;email\n# unit pertama\n1;Desa Sukamaju;a@b.id\n"
                     "2;Desa Sukamaju;c@d.id\n1;Desa Lain;\n;Tanpa Kode;\n", encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_workspace(tmp_path)
    assert [f.one_line() for f in raised.value.findings] == [  # type: ignore[attr-defined]
        f"{units}:6: kode 1 sudah dipakai pada baris 4; setiap unit harus punya kode sendiri",
        f"{units}:7: baris harus memiliki kode dan nama"]
    units.write_text("# catatan\nkode;nama;email\n1;Desa Sukamaju;a@b.id\n"
                     "2;Desa Sukamaju;c@d.id\n", encoding="utf-8")
    ws = load_workspace(tmp_path)
    assert [(u.kode, u.nama) for u in ws.units] == [("1", "Desa Sukamaju"), ("2", "Desa Sukamaju")]
