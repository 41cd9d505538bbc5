"""The 400-unit recap, made and printed in a process of its own for the whole test run.

Generating, collecting and recapping 401 workbooks takes about a minute and LibreOffice lays
out the 440 pages of every sheet but Data in 20 seconds more, so the run starts this as soon
as pytest has collected a test that needs it (`start`, once per run however many
pytest-xdist workers there are); it works beside every other test, and a test that needs the
recap or its PDF waits for it (`LargeRecap`), wherever the test falls in the order.

    python -m tests.cetak400 FOLDER    # what the run starts: FOLDER/rekap.xlsx, rekap.pdf
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from iki_xlsx.core.units import Unit

RECAP = "rekap.xlsx"
PDF = "rekap.pdf"
FAILED = "gagal.txt"  # why the job stopped, when it did
PID = "pid"
SIGNED = dict(kota="Malang", zona_waktu="WIB", jabatan="Camat Jabung",
              nama="Drs. Contoh Nama, M.Si", nip="197001011990031001")
MOMENT = datetime.datetime(2026, 11, 24, 18, 40, tzinfo=datetime.UTC)  # 25 Nov 01.40 WIB
WAIT_SECONDS = 1800  # a limit against a hung LibreOffice, not a measure of speed


def units_400() -> list[Unit]:
    return [Unit(f"3573{n:06d}", f"Kelurahan Contoh Nomor {n}") for n in range(1, 401)]


def start(folder: Path) -> bool:
    """Start the job into `folder` unless this run already did; True when this call did."""
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        return False
    log = (folder / "log.txt").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "tests.cetak400", str(folder)],
                               cwd=Path(__file__).resolve().parent.parent, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    (folder / PID).write_text(str(process.pid), encoding="utf-8")
    return True


def stop(folder: Path) -> None:
    """End the job (and its LibreOffice) if it still runs when the whole run ends (the
    controller's session under pytest-xdist), e.g. after a failure stopped the run early."""
    with contextlib.suppress(OSError, ValueError):
        os.killpg(int((folder / PID).read_text(encoding="utf-8")), signal.SIGKILL)


class LargeRecap:
    """The job's results as the tests meet them: each waits until its file is there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def recap(self) -> Path:
        return self._wait(RECAP)

    def pdf(self) -> Path:
        return self._wait(PDF)

    def _wait(self, name: str) -> Path:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if (self.folder / FAILED).exists():
                pytest.fail(f"the 400-unit recap job failed:\n{self._log()}", pytrace=False)
            if (self.folder / name).exists():
                return self.folder / name
            if not (self.folder / PID).exists() and not self.folder.exists():
                pytest.fail("the 400-unit recap job was never started", pytrace=False)
            time.sleep(0.5)
        pytest.fail(f"the 400-unit recap job did not finish:\n{self._log()}", pytrace=False)

    def _log(self) -> str:
        path = self.folder / "log.txt"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def build_recap(folder: Path) -> Path:
    """Every one of 400 kelurahan returns its sample-filled workbook; the recap is signed."""
    from iki_xlsx.check import BlueprintIndex
    from iki_xlsx.intake.collect import collect
    from iki_xlsx.rekap.build import write_rekap
    from iki_xlsx.rekap.source import Pengesahan
    from iki_xlsx.store.db import Store
    from iki_xlsx.workbook.generate import generate
    from tests.conftest import bundled

    blueprints = bundled()
    made = generate(blueprints["iki-kecamatan-kota"], units_400(), 2026, folder / "kembali",
                    sample=True)
    assert made.ok
    store = Store(folder / "simpan")
    index = BlueprintIndex(blueprints.values())
    collect(made.files, store, index)
    written = folder / "menulis" / RECAP
    result = write_rekap(store, index, written, now=MOMENT, pengesahan=Pengesahan(**SIGNED))
    assert result.path is not None, [f.one_line() for f in result.findings]
    result.path.rename(folder / RECAP)  # whole or not at all: waiters never see it half made
    return folder / RECAP


def without_data_sheet(recap: Path, copy: Path) -> Path:
    """`recap` with its Data sheet hidden and without its print area (LibreOffice prints a
    hidden sheet that has one) in xl/workbook.xml, every other part byte for byte, so
    LibreOffice prints every other sheet. Data's 2,300 pages of 400 units are one row layout
    repeated; test_recap_print prints the Data sheet of 100 desa whole."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(recap) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                hidden = text.replace('<sheet name="Data" ', '<sheet name="Data" state="hidden" ')
                assert hidden != text, "the recap has no Data sheet to leave out"
                hidden, areas = re.subn(r'<definedName name="_xlnm\.Print_Area" '
                                        r'localSheetId="\d+">Data![^<]*</definedName>', "",
                                        hidden)
                assert areas == 1, "the recap's Data sheet has no print area"
                data = hidden.encode("utf-8")
            target.writestr(item, data)
    return copy


def print_pdf(recap: Path) -> Path:
    """LibreOffice prints the recap but its Data sheet to PDF (a LibreOffice of its own, its
    own profile)."""
    out = recap.parent / "pdf"
    printed = without_data_sheet(recap, out / "cetak" / recap.name)
    done = subprocess.run(["soffice", "--headless", "--norestore", "--nologo",
                           f"-env:UserInstallation=file://{out / 'profil'}", "--convert-to",
                           "pdf", "--outdir", str(out), str(printed)], capture_output=True,
                          text=True)
    made = out / f"{recap.stem}.pdf"
    if done.returncode != 0 or not made.exists():
        raise RuntimeError(f"LibreOffice did not print the recap: {done.stderr[-2000:]}")
    made.rename(recap.parent / PDF)
    return recap.parent / PDF


def main(folder: Path) -> None:
    try:
        from tests import libreoffice

        missing = libreoffice.available()
        if missing:
            raise RuntimeError(f"LibreOffice is required (run scripts/test.sh): {missing}")
        started = time.monotonic()
        recap = build_recap(folder)
        print(f"recap written in {time.monotonic() - started:.0f} s", flush=True)
        print_pdf(recap)
        used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                    resource.RUSAGE_CHILDREN)]
        print(f"printed in {time.monotonic() - started:.0f} s, "
              f"{sum(u.ru_utime + u.ru_stime for u in used):.0f} s of CPU", flush=True)
    except BaseException as exc:
        (folder / FAILED).write_text(repr(exc), encoding="utf-8")
        raise


if __name__ == "__main__":
    main(Path(sys.argv[1]))
