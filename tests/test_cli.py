"""The CLI: JSON listing, exit codes, and every command documented in the README."""

from __future__ import annotations

import json
import subprocess

import click

from iki_xlsx.cli.main import main
from tests.cli import ENTRY_POINT, Ran, iki
from tests.conftest import BLUEPRINTS, ROOT


def run(*args: str) -> Ran:
    return iki(*args, cwd=ROOT)


def test_blueprint_list_json_has_every_jabatan_and_indicator() -> None:
    files = sorted(str(p) for p in BLUEPRINTS.glob("*.yaml"))
    done = run("blueprint", "list", *files, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    jabatan = data["jabatan"]
    assert len(jabatan) == sum(len(b["jabatan"]) for b in data["blueprints"])
    assert all(j["nama"] for j in jabatan)
    indicators = [i for j in jabatan for i in j["indikator"]]
    assert indicators and all(i["nama"] and i["jenis"] for i in indicators)
    iku = [i for b in data["blueprints"] for i in b["iku"]]
    assert len(iku) == 6 and all(i["penanggung_jawab"] for i in iku)


def test_blueprint_list_text() -> None:
    done = run("blueprint", "list", str(BLUEPRINTS / "iku-kecamatan.yaml"))
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith("iku-kecamatan (versi 1): ")
    assert "IKU: Indeks Kepuasan Masyarakat (nilai)" in done.stdout


def test_the_installed_command_exits_0_1_and_2() -> None:
    """The entry point scripts/venv.sh installs, as a real process: 0 when all is well, 1 for
    findings, 2 for a usage error (the rest of the suite runs the same Click group in-process)."""
    def installed(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(ENTRY_POINT), *args], capture_output=True, text=True,
                              cwd=ROOT)

    assert installed("blueprint", "check").returncode == 2
    assert installed("generate", "iki-kecamatan-jabung").returncode == 2
    assert installed("tidak-ada").returncode == 2
    listed = installed("blueprint", "list", str(BLUEPRINTS / "iku-kecamatan.yaml"))
    assert listed.returncode == 0 and listed.stdout.startswith("iku-kecamatan (versi 1): ")
    broken = installed("blueprint", "check", str(ROOT / "pyproject.toml"))
    assert broken.returncode == 1 and broken.stderr.startswith("Kesalahan: ")
    assert "Traceback" not in broken.stderr


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            names += _commands(command, full + " ")
        else:
            names.append(full)
    return names


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(main) if f"iki-xlsx {c}" not in readme]
    assert not missing, missing


def _groups(group: click.Group, prefix: str = "") -> list[tuple[str, click.Group]]:
    found = [(prefix, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _groups(command, f"{prefix}{name} ")
    return found


def test_every_alias_and_option_is_documented_in_the_readme() -> None:
    """Each English alias is named beside its command (`(`generate`)` in the table), and
    each option of each command appears in the README in one of its spellings."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    aliases = [(f"{prefix}{indo}", english) for prefix, group in _groups(main)
               for english, indo in getattr(group, "aliases", {}).items()]
    assert len(aliases) >= 5
    undocumented = [(name, english) for name, english in aliases
                    if not any(line.startswith(f"| `iki-xlsx {name} ") and f"(`{english}`" in line
                               for line in readme.splitlines())]
    assert not undocumented, undocumented
    options = []
    for prefix, group in _groups(main):
        for name, command in [("", group), *group.commands.items()]:
            for param in command.params:
                if isinstance(param, click.Option) and param.name != "help" and not any(
                        f"{spelling}{end}" in readme for end in (" ", "`", "]", "\\|")
                        for spelling in param.opts):
                    options.append(f"{prefix}{name} {param.opts}")
    assert not options, options


def test_demo_runs_end_to_end(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = run("demo", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Blueprint iki-kecamatan-kota: 20 jabatan" in done.stdout
    assert f"Ruang kerja: {tmp_path}" in done.stdout
    assert (tmp_path / "iki.toml").exists() and (tmp_path / "simpan" / "iki.sqlite").exists()
    out = tmp_path / "keluaran"
    assert len(list((out / "kirim" / "iki-kecamatan-kota-2026").glob("*.xlsx"))) == 12
    assert len(list((out / "contoh-terisi").glob("*.xlsx"))) == 12
    english = [w for w in (" the ", " and ", " of ", " file", "rror", "Warning", "written")
               if w in done.stdout + done.stderr]
    assert not english, english  # every line the main job prints is Bahasa Indonesia
    lines = done.stdout.splitlines()
    assert any(line.startswith("Kiriman keliru (isian '12 orang'): ")
               and line.endswith("PERLU PERBAIKAN") for line in lines)
    assert len(list((out / "perbaikan").glob("*_catatan.xlsx"))) == 1
    assert "  Kelurahan Sukamaju: diterima (2 kiriman)" in lines
    assert "  jumlah: diterima 12, perlu perbaikan 0, ditolak 0, belum kembali 0" in lines
    recap = out / "rekap" / "rekap_iki-kecamatan-kota_2026_setahun.xlsx"
    assert any(line.startswith("Rekap iki-kecamatan-kota 2026: 12 dari 12 unit diterima, ")
               and line.endswith(str(recap)) for line in lines)
    assert recap.exists() and (
        out / "rekap" / "rekap-nilai_iki-kecamatan-kota_2026_setahun.csv").exists()
    shown = run("status", "--store", str(tmp_path / "simpan"), "--unit", "3573011001")
    assert shown.returncode == 0, shown.stderr
    sent = shown.stdout.splitlines()
    assert len(sent) == 3  # the file with a mistake, its finding, the corrected file
    assert "Kelurahan Sukamaju (3573011001): IKI_2026_3573011001_Kelurahan-Sukamaju.xlsx (" \
        in sent[0] and sent[0].endswith(") PERLU PERBAIKAN")
    assert sent[1].startswith("  Kesalahan: Camat!") and "'12 orang' bukan angka" in sent[1]
    assert sent[1].endswith(" [invalid-input]")
    assert sent[2].endswith(") DITERIMA")
    assert sent[0].split()[0] <= sent[2].split()[0]
    again = run("demo", "-o", str(tmp_path))  # a second run keeps the store as it is
    assert again.returncode == 0, again.stderr
    assert "0 baru, 12 sudah ada, 0 dilewati" in again.stdout.splitlines()


def test_rekap_asks_which_blueprint_then_writes_the_recap_and_tables(
        tmp_path, generated) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "simpan"
    files = [str(p) for key in (("iki-kecamatan-jabung", True), ("iku-kecamatan", True))
             for p in generated[key]]
    assert run("collect", *files, "--store", str(store)).returncode == 0
    out = tmp_path / "rekap.xlsx"
    unclear = run("rekap", "--store", str(store), "-o", str(out))
    assert unclear.returncode == 2 and not out.exists()
    assert unclear.stderr.splitlines() == [
        f"Kesalahan: {store}: penyimpanan berisi lebih dari satu blueprint/periode; "
        "pilih dengan --blueprint dan --periode",
        "  --blueprint iki-kecamatan-jabung --periode 2026",
        "  --blueprint iku-kecamatan --periode 2026"]
    done = run("rekap", "--store", str(store), "--blueprint", "iku-kecamatan", "--periode",
               "2026", "-o", str(out), "--csv", str(tmp_path), "--parquet", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        f"Rekap iku-kecamatan 2026: 3 dari 3 unit diterima, {_values(store)} nilai: {out}")
    assert out.exists()
    assert (tmp_path / "rekap-nilai_iku-kecamatan_2026_setahun.csv").exists()
    assert (tmp_path / "rekap-nilai_iku-kecamatan_2026_setahun.parquet").exists()
    blocked = run("rekap", "--store", str(store), "--blueprint", "iku-kecamatan", "-o",
                  "/proc/rekap.xlsx")
    assert blocked.returncode == 1 and blocked.stdout == ""
    assert blocked.stderr.splitlines() == [
        "Kesalahan: /proc/rekap.xlsx: tidak dapat ditulis (folder atau berkas tidak ada); "
        "pilih folder lain"]
    no_csv = run("rekap", "--store", str(store), "--blueprint", "iku-kecamatan", "-o", str(out),
                 "--csv", "/proc/csv")
    assert no_csv.returncode == 1 and no_csv.stdout.startswith("Rekap iku-kecamatan 2026: ")
    assert no_csv.stderr.splitlines() == [
        "Kesalahan: /proc/csv: tidak dapat ditulis (folder atau berkas tidak ada); pilih folder "
        "lain"]
    assert run("rekap", "--store", str(tmp_path / "tidak-ada"), "-o", str(out)).returncode == 2
    assert run("rekap", "--store", str(store), "-o", str(tmp_path / "r.csv")).returncode == 2


def _values(store) -> int:  # type: ignore[no-untyped-def]
    import sqlite3

    with sqlite3.connect(store / "iki.sqlite") as db:
        return int(db.execute(
            "SELECT COUNT(*) FROM nilai JOIN submission s ON s.id = submission_id "
            "WHERE s.blueprint = 'iku-kecamatan'").fetchone()[0])


def test_a_store_that_is_not_a_database_is_refused_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "iki.sqlite").write_text("bukan basis data")
    (tmp_path / "kosong").mkdir()  # a source that exists: the store is what is refused
    expected = (f"Kesalahan: {tmp_path / 'iki.sqlite'} bukan basis data penyimpanan iki-xlsx "
                "atau rusak; jangan ubah berkas itu, pakai folder penyimpanan lain")
    for args in (["status"], ["rekap", "-o", str(tmp_path / "r.xlsx")],
                 ["collect", str(tmp_path / "kosong")]):
        done = run(*args, "--store", str(tmp_path))
        assert (done.returncode, done.stderr.splitlines()) == (1, [expected]), args
    assert (tmp_path / "iki.sqlite").read_text() == "bukan basis data"
