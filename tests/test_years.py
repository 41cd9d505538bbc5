"""--periode is a four-digit year from 2000 to 2100, wherever it is accepted: anything else is
one line in Bahasa Indonesia, exit 2, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from iki_xlsx.core.periode import parse_year
from iki_xlsx.core.units import Unit
from iki_xlsx.workbook.generate import generate
from tests.conftest import bundled
from tests.test_cli import run

NOT_YEARS = ["26", "0", "-5", "99999", "1999", "2101", "2026.0", "abc", "", "２０２６", "20 26"]


@pytest.mark.parametrize("text", NOT_YEARS)
def test_generate_refuses_a_periode_that_is_not_a_year(text: str, tmp_path: Path) -> None:
    out = tmp_path / "keluaran"
    done = run("generate", "iku-kecamatan", "--unit", "Desa Satu", "--periode", text,
               "-o", str(out))
    assert done.returncode == 2, done.stderr
    assert done.stderr == ("Kesalahan: --periode harus tahun empat angka dari 2000 sampai 2100 "
                           f"(misalnya 2026), bukan '{text}'\n")
    assert done.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("text", ["26", "-5", "99999"])
def test_rekap_refuses_a_periode_that_is_not_a_year(text: str, tmp_path: Path) -> None:
    out = tmp_path / "rekap.xlsx"
    done = run("rekap", "--store", str(tmp_path / "simpan"), "--periode", text, "-o", str(out))
    assert (done.returncode, done.stderr) == (
        2, "Kesalahan: --periode harus tahun empat angka dari 2000 sampai 2100 (misalnya 2026), "
           f"bukan '{text}'\n")
    assert not out.exists() and not (tmp_path / "simpan").exists()


def test_the_years_at_both_ends_are_accepted(tmp_path: Path) -> None:
    assert [parse_year(t) for t in ("2000", " 2100 ", "2026")] == [2000, 2100, 2026]
    done = run("generate", "iku-kecamatan", "--unit", "Desa Satu", "--periode", "2100",
               "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.xlsx"))[0].startswith("IKI_2100_")


def test_the_library_refuses_a_year_out_of_range_and_writes_nothing(tmp_path: Path) -> None:
    bp = bundled()["iku-kecamatan"]
    result = generate(bp, [Unit("01", "Desa Satu")], 26, tmp_path / "keluaran")
    assert [(f.code, f.message) for f in result.findings] == [
        ("periode-invalid", "periode harus tahun empat angka dari 2000 sampai 2100 (misalnya "
                            "2026), bukan '26'")]
    assert not (tmp_path / "keluaran").exists()
