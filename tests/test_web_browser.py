"""The whole job in a real Chromium (Debian's, driven by Playwright) against the real server
(`iki-xlsx web` in its own process), from an empty workspace; the screenshots in docs/ are
taken here at 1366x768."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import sync_playwright

from iki_xlsx.core.units import read_units
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.web.security import Passwords
from iki_xlsx.workbook.generate import (
    DEFAULT_BLUEPRINTS,
    generate,
    recipients,
    workbook_filename,
    write_filled,
)
from tests.webspace import MISTAKE, office_config

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parent.parent / "docs"
KOTA = DEFAULT_BLUEPRINTS / "iki-kecamatan-kota.yaml"
UNITS_CSV = DEFAULT_BLUEPRINTS.parent / "samples" / "kelurahan-kota.csv"
PERIODE = 2026
LONG = 180_000  # ms: generating or checking twelve 22-sheet workbooks on a busy machine



def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(root: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "iki_xlsx", "--ruang", str(root), "web",
                               "--port", str(port), *extra])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("iki-xlsx web did not start")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():  # a missing browser fails the test, never skips it
        pytest.fail(f"{CHROMIUM} is missing (Debian chromium); scripts/test.sh installs it",
                    pytrace=False)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty workspace: the office's config and its units list, nothing else."""
    root = tmp_path_factory.mktemp("ruang")
    (root / "iki.toml").write_text(office_config("Kecamatan Klojen", "Kota Malang", "Malang"))
    shutil.copy(UNITS_CSV, root / "unit.csv")
    return root


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """The twelve returns as the kelurahan and the office fill them, and the first one with a
    count typed as text."""
    from iki_xlsx.blueprint.load import load_blueprint

    bp = load_blueprint(KOTA).blueprint
    assert bp is not None
    units, _ = read_units(UNITS_CSV)
    folder = tmp_path_factory.mktemp("kembali")
    filled = generate(bp, units, PERIODE, folder / "terisi", sample=True).files
    everyone = recipients(bp, units)
    plan = plan_workbook(bp, everyone[0], PERIODE, everyone)
    count_key = next(c.key for _, c in plan.input_cells()
                     if c.rule is not None and c.rule.tipe == "bulat")
    mistaken = write_filled(bp, everyone[0], everyone, PERIODE,
                            folder / "salah" / workbook_filename(plan), {count_key: MISTAKE})
    return filled, mistaken


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: docs/ with IKI_WEB_SCREENSHOTS=1 (to refresh the README's),
    else a temporary folder, so a test run leaves the work tree as it was."""
    return DOCS if os.environ.get("IKI_WEB_SCREENSHOTS") == "1" else \
        tmp_path_factory.mktemp("layar")


def shot(page: object, name: str, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"web-{name}.png"))  # type: ignore[attr-defined]


def test_the_whole_job_in_a_browser(browser: object, workspace: Path,
                                    returns: tuple[list[Path], Path], tmp_path: Path,
                                    shots: Path) -> None:
    filled, mistaken = returns
    server, base = start_server(workspace)
    context = browser.new_context(viewport={"width": 1366, "height": 768},  # type: ignore[attr-defined]
                                  accept_downloads=True, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        # a blueprint into the empty workspace
        page.goto(f"{base}/blueprint")
        assert "Belum ada blueprint" in page.content()
        page.set_input_files("input[name=berkas]", str(KOTA))
        page.click("text=Periksa dan simpan")
        page.wait_for_selector("text=sah dan disimpan")
        shot(page, "blueprint", shots)

        # generate, see the progress end, download the zip
        page.goto(f"{base}/buat")
        page.fill("input[name=periode]", str(PERIODE))
        page.click("text=Buat workbook")
        page.wait_for_selector("text=12 workbook dibuat", timeout=LONG)
        shot(page, "buat", shots)
        with page.expect_download() as download:
            page.click("text=Unduh semua (zip)")
        bundle = tmp_path / "kirim.zip"
        download.value.save_as(bundle)
        assert len(zipfile.ZipFile(bundle).namelist()) == 12

        # twelve returns, one with a mistake
        page.goto(f"{base}/terima")
        shot(page, "terima-unggah", shots)
        page.set_input_files("input[name=berkas]", [str(mistaken), *map(str, filled[1:])])
        assert "12 berkas" in page.inner_text("[data-terpilih]")
        page.click("text=Unggah dan periksa")
        page.wait_for_selector("table.hasil", timeout=LONG)
        table = page.inner_text("table.hasil")
        assert table.count("diterima") == 11 and table.count("perlu perbaikan") == 1
        assert MISTAKE in table
        shot(page, "terima-hasil", shots)
        with page.expect_download() as download:
            page.click("text=Unduh salinan catatan")
        annotated = tmp_path / download.value.suggested_filename
        download.value.save_as(annotated)
        assert openpyxl.load_workbook(annotated).sheetnames[0] == "Catatan Pemeriksaan"

        # the status, filtered, and the unit's page
        page.goto(f"{base}/status")
        assert "11 diterima" in page.content() and "1 perlu perbaikan" in page.content()
        shot(page, "status", shots)
        page.select_option("select[name=keadaan]", "perlu perbaikan")
        page.click("text=Saring")
        rows = page.locator("table.status tbody tr")
        assert rows.count() == 1
        rows.first.locator("a").click()
        page.wait_for_selector("text=SHA-256")
        assert MISTAKE in page.content()
        shot(page, "unit", shots)

        # the correction
        page.goto(f"{base}/terima")
        page.set_input_files("input[name=berkas]", str(filled[0]))
        page.click("text=Unggah dan periksa")
        page.wait_for_selector("table.hasil", timeout=LONG)
        assert "diterima" in page.inner_text("table.hasil")
        page.goto(f"{base}/status")
        assert "12 diterima" in page.content()

        # the recap
        page.goto(f"{base}/rekap")
        page.click("text=Susun rekap")
        page.wait_for_selector("svg.grafik", timeout=LONG)
        shot(page, "rekap", shots)
        with page.expect_download() as download:
            page.click("text=Unduh XLSX")
        recap = tmp_path / "rekap.xlsx"
        download.value.save_as(recap)
        book = openpyxl.load_workbook(recap, data_only=True)
        assert "Ringkasan" in book.sheetnames and "Data" in book.sheetnames

        page.goto(f"{base}/")
        assert "12 diterima" in page.content()
        shot(page, "beranda", shots)
        assert errors == []  # no script error, no CSP violation
    finally:
        context.close()
        server.terminate()
        server.wait(10)


def test_the_pemeriksa_sees_but_cannot_change(browser: object, workspace: Path,
                                              shots: Path) -> None:
    Passwords(workspace).set("operator", "sandi-operator-1")
    Passwords(workspace).set("pemeriksa", "sandi-pemeriksa-1")
    server, base = start_server(workspace, "--wajib-masuk")
    context = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"{base}/status")
        assert "/masuk" in page.url
        page.fill("input[name=nama_masuk]", "pemeriksa")
        page.fill("input[name=sandi]", "salah-sekali")
        page.click("button:text('Masuk')")
        assert "Nama masuk atau kata sandi salah" in page.content()
        shot(page, "masuk", shots)
        page.fill("input[name=nama_masuk]", "pemeriksa")
        page.fill("input[name=sandi]", "sandi-pemeriksa-1")
        page.click("button:text('Masuk')")
        page.wait_for_url(f"{base}/status")
        assert "pemeriksa" in page.inner_text("header")
        shot(page, "status-pemeriksa", shots)
        for path in ("/terima", "/buat", "/rekap", "/blueprint"):
            page.goto(f"{base}{path}")
            assert page.locator("form[method=post]:not(.sebaris)").count() == 0, path
        token = page.get_attribute("form.sebaris input[name=csrf]", "value")
        refused = page.request.post(f"{base}/rekap", form={"csrf": token or "",
                                                            "pilihan": "x|2026"})
        assert refused.status == 403 and "Peran pemeriksa" in refused.text()
    finally:
        context.close()
        server.terminate()
        server.wait(10)
