"""Files the tool writes get the permissions the umask allows, as any program's would."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli import iki

from .conftest import ROOT


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_generated_workbooks_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    done = iki("generate", "iku-kecamatan", "--unit", "Kelurahan Sukamaju", "--periode", "2026",
               "-o", str(tmp_path), cwd=ROOT, umask=umask)
    assert done.returncode == 0, done.stderr
    files = sorted(tmp_path.glob("*.xlsx"))
    assert len(files) == 2
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {mode}
