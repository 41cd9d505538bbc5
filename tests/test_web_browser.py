"""The whole job in a real Chromium (Debian's, driven by Playwright) against the real server
(`iki-xlsx web` in its own process), from an empty folder: the office set up in the browser,
a blueprint uploaded and the example archived, workbooks made, returns received (one to
correct, one .ods refused), the correction, the signed recap, the settings; then every page at
390x844 (no sideways scroll, every menu item on screen). The screenshots in docs/ (the README's)
and docs/panduan/ (the Panduan's) are taken here, at 1366x768 and on the phone."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import playwright
import pytest
from playwright.sync_api import expect, sync_playwright

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.web.security import Passwords
from iki_xlsx.workbook.generate import (
    DEFAULT_BLUEPRINTS,
)
from tests.webspace import (
    BLUEPRINT,
    MISTAKE,
    PERIODE,
    UNITS,
    Returns,
    blueprint_file,
    make_returns,
    office_config,
)

CHROMIUM = "/usr/bin/chromium"
# With no omnibox in a headless window, Chromium still preloads its popups as WebUI pages, each
# in a renderer of its own, for every window (each new context opens one; about 0.5 s of CPU
# each): turned off beside what Playwright turns off (`playwright_disabled_features`). The pages
# the test drives are the same.
OMNIBOX_POPUPS = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")


def playwright_disabled_features() -> list[str]:
    """The features Playwright's own --disable-features turns off (its chromiumSwitches, read
    from the installed driver's bundle): Chromium takes only the last --disable-features it is
    given, so a list of ours repeats Playwright's, whatever its version."""
    bundle = Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
    found = re.search(r"disabledFeatures = \[(.*?)\]", bundle.read_text(encoding="utf-8"), re.S)
    assert found, f"Playwright's disabledFeatures not found in {bundle}"
    features = re.findall(r'^\s*"([^"]+)",?\s*$', found.group(1), re.M)
    assert "OptimizationHints" in features, features
    return features


ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parent.parent / "docs"
KOTA = DEFAULT_BLUEPRINTS / "iki-kecamatan-kota.yaml"
UNITS_CSV = DEFAULT_BLUEPRINTS.parent / "samples" / "kelurahan-kota.csv"
LONG = 180_000  # ms: generating, checking or annotating 22-sheet workbooks on a busy machine



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
        disabled = [*playwright_disabled_features(), *OMNIBOX_POPUPS]  # read at launch
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            *ARGS, "--disable-features=" + ",".join(disabled)])
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
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: docs/ with IKI_WEB_SCREENSHOTS=1 (to refresh the README's),
    else a temporary folder, so a test run leaves the work tree as it was."""
    return DOCS if os.environ.get("IKI_WEB_SCREENSHOTS") == "1" else \
        tmp_path_factory.mktemp("layar")


def shot(page: object, name: str, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"web-{name}.png"))  # type: ignore[attr-defined]


def guide_shot(page: object, name: str, folder: Path) -> None:
    """A picture of the Panduan (docs/panduan/panduan-NAME.png)."""
    (folder / "panduan").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "panduan" / f"panduan-{name}.png"))  # type: ignore[attr-defined]


SETUP = {"kantor": "Kecamatan Jabung", "wilayah": "Kabupaten Malang, Provinsi Jawa Timur",
         "kota": "Malang", "penandatangan.nama": "Drs. Ahmad Fauzi",
         "penandatangan.nip": "197001011995031002", "penandatangan.jabatan": "Camat Jabung"}
PHONE = {"width": 390, "height": 844}


def test_the_whole_job_from_an_empty_folder(browser: object, tmp_path: Path,
                                            web_returns: Returns, shots: Path) -> None:
    root = tmp_path / "kantor"
    root.mkdir()
    server, base = start_server(root)
    context = browser.new_context(viewport={"width": 1366, "height": 768},  # type: ignore[attr-defined]
                                  accept_downloads=True, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())  # the archive asks first
    try:
        # the office, set up from the empty folder
        page.goto(f"{base}/")
        assert page.url.endswith("/siapkan")
        for name, value in SETUP.items():
            page.fill(f"input[name='{name}']", value)
        page.fill("textarea[name=unit]", "kode,nama,email\n" + "\n".join(
            f"{u.kode},{u.nama},{u.email}" for u in UNITS) + "\n")
        page.fill("input[name=sandi]", "sandi-operator-1")
        page.fill("input[name=sandi2]", "sandi-operator-1")
        guide_shot(page, "siapkan", shots)
        page.click("button:text('Siapkan ruang kerja')")
        page.wait_for_selector("text=3 unit di daftar unit")
        guide_shot(page, "beranda", shots)

        # the office's decree in, the example out (archived), its indicators shown
        page.goto(f"{base}/blueprint")
        page.set_input_files("input[name=berkas]", str(blueprint_file()))
        page.click("text=Periksa dan simpan")
        page.wait_for_selector("text=sah dan disimpan")
        shot(page, "blueprint", shots)
        page.locator("section.kartu", has_text="iki-kecamatan-kota").locator(
            "button", has_text="Arsipkan").click()
        page.wait_for_selector("text=dipindahkan ke folder arsip-blueprint")
        assert "iki-kecamatan-kota" not in page.inner_text("main").split("dipindahkan")[1]
        guide_shot(page, "blueprint", shots)
        page.click("text=Lihat indikator")
        page.wait_for_selector("table.indikator")
        assert "Dasar" in page.inner_text("dl")

        # generate, see the progress end, download the zip
        page.goto(f"{base}/buat")
        page.fill("input[name=periode]", str(PERIODE))
        page.click("text=Buat workbook")
        page.wait_for_selector("text=4 workbook dibuat", timeout=LONG)
        shot(page, "buat", shots)
        guide_shot(page, "buat", shots)
        with page.expect_download(timeout=LONG) as download:
            page.click("text=Unduh semua (zip)")
        bundle = tmp_path / "kirim.zip"
        download.value.save_as(bundle)
        assert len(zipfile.ZipFile(bundle).namelist()) == 4

        # the returns: one to correct, one .ods refused
        ods = tmp_path / "IKI_2026_Sukolilo.ods"
        ods.write_bytes(ods_bytes())
        page.goto(f"{base}/terima")
        shot(page, "terima-unggah", shots)
        page.set_input_files("input[name=berkas]", [str(web_returns.mistaken), str(ods),
                                                    *map(str, web_returns.filled[1:])])
        assert "5 berkas" in page.inner_text("[data-terpilih]")
        page.click("text=Unggah dan periksa")
        page.wait_for_selector("table.hasil", timeout=LONG)
        # a locator's count, not wait_for_function: its polling evaluates a string, which the
        # app's Content-Security-Policy (script-src 'self') refuses whenever the rows are not
        # all there at the first look
        expect(page.locator("table.hasil tbody tr")).to_have_count(5, timeout=LONG)
        table = page.inner_text("table.hasil")
        assert table.count("perlu perbaikan") == 1 and table.count("ditolak") == 1
        assert MISTAKE in table
        shot(page, "terima-hasil", shots)
        guide_shot(page, "terima", shots)
        with page.expect_download(timeout=LONG) as download:
            page.click("text=Unduh salinan catatan")
        annotated = tmp_path / download.value.suggested_filename
        download.value.save_as(annotated)
        assert openpyxl.load_workbook(annotated).sheetnames[0] == "Catatan Pemeriksaan"

        # the status, the file no unit can be named for, the unit's page
        page.goto(f"{base}/status")
        content = page.content()
        assert "3 diterima" in content and "1 perlu perbaikan" in content
        assert "Berkas tanpa unit" in content and ods.name in content
        shot(page, "status", shots)
        guide_shot(page, "status", shots)
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
        page.set_input_files("input[name=berkas]", str(web_returns.filled[0]))
        page.click("text=Unggah dan periksa")
        page.wait_for_selector("table.hasil", timeout=LONG)
        assert "diterima" in page.inner_text("table.hasil")

        # the signed recap
        page.goto(f"{base}/rekap")
        page.click("text=Susun rekap")
        page.wait_for_selector("ol.grafik", timeout=LONG)
        signed = page.inner_text("dl.pengesahan")
        assert "Camat Jabung, Drs. Ahmad Fauzi (NIP 197001011995031002), di Malang" in signed
        shot(page, "rekap", shots)
        guide_shot(page, "rekap", shots)
        with page.expect_download(timeout=LONG) as download:
            page.click("text=Unduh XLSX")
        recap = tmp_path / "rekap.xlsx"
        download.value.save_as(recap)
        sheet = openpyxl.load_workbook(recap, data_only=True)["Ringkasan"]
        texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
        assert any("Drs. Ahmad Fauzi" in text for text in texts)

        # the settings, changed in the browser
        page.goto(f"{base}/pengaturan")
        page.fill("input[name=batas]", "2027-01-31")
        page.click("button:text('Simpan pengaturan')")
        page.wait_for_selector("text=Tersimpan")
        assert "batas = 2027-01-31" in (root / "iki.toml").read_text(encoding="utf-8")
        guide_shot(page, "pengaturan", shots)

        # the help page, with its pictures
        page.goto(f"{base}/panduan")
        assert "Panduan operator" in page.inner_text("h1")
        assert page.evaluate("Array.from(document.images).every(i => i.naturalWidth > 0)")

        page.goto(f"{base}/")
        assert "4 diterima" in page.content()
        shot(page, "beranda", shots)
        assert errors == []  # no script error, no CSP violation
    finally:
        context.close()
    try:
        every_page_on_a_phone(browser, base, shots)
    finally:
        server.terminate()
        server.wait(10)


def every_page_on_a_phone(browser: object, base: str, shots: Path) -> None:
    """At 390x844: no page scrolls sideways and every menu item is on screen."""
    context = browser.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"{base}/")
        menu = [page.get_attribute(f"header nav a >> nth={i}", "href")
                for i in range(page.locator("header nav a").count())]
        assert "/pengaturan" in menu and "/panduan" in menu
        wide = {}
        for href in [*menu, "/status/unit/3507010001", "/blueprint/iki-kecamatan-jabung"]:
            page.goto(f"{base}{href}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[href] = width
            for box in (page.locator("header nav a").nth(i).bounding_box()
                        for i in range(len(menu))):
                assert box is not None and box["x"] >= 0 and \
                    box["x"] + box["width"] <= PHONE["width"], (href, box)
            if href == "/status":
                guide_shot(page, "ponsel", shots)
        assert wide == {}  # no page wider than the phone
    finally:
        context.close()


def ods_bytes() -> bytes:
    import io

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return data.getvalue()


@pytest.fixture(scope="module")
def web_returns(tmp_path_factory: pytest.TempPathFactory,
                blueprints: dict[str, Blueprint]) -> Returns:
    return make_returns(blueprints[BLUEPRINT], tmp_path_factory.mktemp("kembali-web"))


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
        page.set_viewport_size(PHONE)  # signed in on a phone: "Keluar" on screen too
        page.goto(f"{base}/status")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for name in ("Keluar", "Status", "Panduan"):
            box = page.get_by_role("button" if name == "Keluar" else "link", name=name,
                                   exact=True).first.bounding_box()
            assert box is not None and box["x"] >= 0 and \
                box["x"] + box["width"] <= PHONE["width"], (name, box)
        page.get_by_role("button", name="Keluar").click()
        page.wait_for_url(f"{base}/masuk")
    finally:
        context.close()
        server.terminate()
        server.wait(10)
