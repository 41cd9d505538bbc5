"""The CLI: JSON listing, exit codes, and every command documented in the README."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from iki_xlsx.cli import main
from tests.conftest import BLUEPRINTS, ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iki_xlsx", *args], capture_output=True,
                          text=True, cwd=ROOT)


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


def test_usage_errors_exit_2() -> None:
    assert run("blueprint", "check").returncode == 2
    assert run("generate", "iki-kecamatan-jabung").returncode == 2
    assert run("tidak-ada").returncode == 2


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


def test_demo_runs_end_to_end(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = run("demo", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Blueprint iki-kecamatan-kota: 20 jabatan" in done.stdout
    assert len(list((tmp_path / "kirim").glob("*.xlsx"))) == 12
    assert len(list((tmp_path / "contoh-terisi").glob("*.xlsx"))) == 12
