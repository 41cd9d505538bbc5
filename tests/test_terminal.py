"""The terminal as the operator meets it: `terima` without a source says what to give (never
straight to a password prompt, never Python's English "Password input may be echoed"),
`status --unit` speaks of a unit with nothing yet, `status --riwayat` dates every line in the
office's time zone, and the `terima` bar has a total. In process, in a real workspace."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iki_xlsx.cli.main import main
from iki_xlsx.core.dates import moment_text
from iki_xlsx.store.db import Store

from .conftest import ROOT
from .test_cli_bahasa import on_terminal


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace of the office in WITA, its two desa's workbooks generated and one of them
    returned (sample-filled)."""
    root = tmp_path / "kantor"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    config = root / "iki.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'zona_waktu = "WIB"', 'zona_waktu = "WITA"'), encoding="utf-8")
    (root / "unit.csv").write_text("kode,nama,email\n01,Desa Satu,satu@desa.example.id\n"
                                   "02,Desa Dua,dua@desa.example.id\n", encoding="utf-8")
    shutil.copy(ROOT / "blueprints" / "iku-kecamatan.yaml", root / "blueprints")
    made = runner.invoke(main, ["--ruang", str(root), "buat", "iku-kecamatan", "--periode",
                                "2026", "--isi-contoh", "-o", str(tmp_path / "terisi")])
    assert made.exit_code == 0, made.output
    returned = next((tmp_path / "terisi").glob("*01_Desa-Satu.xlsx"))
    taken = runner.invoke(main, ["--ruang", str(root), "terima", str(returned)])
    assert taken.exit_code == 0, taken.output
    return root


def cli(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, ["--ruang", str(root), *args], env=env)
    return done.exit_code, done.stdout, done.stderr


def test_terima_without_a_source_outside_a_workspace_says_what_to_give(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["terima", "--store", str(tmp_path / "simpan")])
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == (
        "Kesalahan: sebutkan berkas atau folder yang diterima (iki-xlsx terima BERKAS...), atau "
        "--imap HOST[:PORT] untuk mengambil dari kotak surat (di ruang kerja: bagian [imap] "
        "iki.toml)")


def test_terima_from_the_workspace_mailbox_says_so_and_never_echoes_a_password(
        workspace: Path) -> None:
    """No terminal to ask on (a pipe, cron) and no IKI_IMAP_PASSWORD: a usage error in
    Indonesian, after the line that says which mailbox was meant; no English warning."""
    code, out, err = cli(workspace, "terima", env={"IKI_IMAP_PASSWORD": ""})
    assert code == 2
    assert err.splitlines() == [
        "Mengambil lampiran dari kotak surat imap.contoh.go.id (pengguna "
        "kecamatan@contoh.go.id, folder INBOX) sesuai [imap] di iki.toml; untuk berkas, "
        "sebutkan berkasnya: iki-xlsx terima BERKAS...",
        "Kesalahan: kata sandi IMAP untuk kecamatan@contoh.go.id belum ada: setel variabel "
        "IKI_IMAP_PASSWORD, atau jalankan perintah ini di terminal agar kata sandi ditanyakan"]
    assert "Password" not in out + err


def test_status_of_a_unit_with_no_return_says_so(workspace: Path) -> None:
    code, out, _ = cli(workspace, "status", "--unit", "02")
    assert (code, out) == (0, "Unit 02: belum ada kiriman yang diterima.\n")


def test_history_is_dated_in_the_offices_time_zone(workspace: Path) -> None:
    code, out, _ = cli(workspace, "status", "--riwayat")
    assert code == 0
    received = Store(workspace / "simpan").submissions("01")[0].collected_at
    first = out.splitlines()[0]
    assert first.startswith(moment_text(received, "WITA") + " Desa Satu (01): ")
    assert re.match(r"^\d{1,2} [A-Z][a-z]+ 2\d{3} \d\d\.\d\d WITA ", first)
    assert "+00:00" not in out


def test_the_terima_bar_counts_to_its_total(workspace: Path, tmp_path: Path) -> None:
    """Two files named: the bar on a terminal ends at 2/2 (it had no total)."""
    files = sorted(str(p) for p in (tmp_path / "terisi").glob("*.xlsx"))[:2]
    code, shown = on_terminal(["--ruang", str(workspace), "terima", *files], tmp_path)
    assert code in (0, 1), shown
    assert "Menerima workbook  [" in shown and "]  2/2" in shown, shown
