"""Redraw the README's pictures of the performance year's documents (docs/pk-lampiran.png, the
lampiran page of a PK perubahan, and docs/lkjip-tabel.png, a page of the LKjIP Bab III two-year
table) from LibreOffice Writer's PDF export of the Word documents, as printed on A4.

The office is the two years of the tests (tests/yearly.py) for the Jabung blueprint: 2025
returned to TW II and typed by the office for the rest, 2026 returned whole, with a murni and a
perubahan. Run from the repository root: .venv/bin/python scripts/make-year-images.py
(scripts/make-docs-images.sh runs it too). Needs LibreOffice Writer and poppler-utils.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iki_xlsx.documents.make import make_lkjip, make_pk  # noqa: E402
from iki_xlsx.documents.model import Letterhead  # noqa: E402
from iki_xlsx.documents.office import Office, Person  # noqa: E402
from tests.conftest import bundled  # noqa: E402
from tests.yearly import NOW, two_years  # noqa: E402

OFFICE = Office(
    "Kecamatan Jabung", "Kabupaten Malang, Provinsi Jawa Timur", "Malang",
    Letterhead(["PEMERINTAH KABUPATEN MALANG", "KECAMATAN JABUNG",
                "Jalan Raya Jabung No. 1, Jabung, Kabupaten Malang 65155"]),
    Person("Drs. Nama Camat, M.Si.", "Camat Jabung", "196501011990031001"),
    Person("Drs. H. Nama Bupati, M.M.", "Bupati Malang"))


def main() -> None:
    blueprints = bundled()
    bp = blueprints["iki-kecamatan-jabung"]
    with tempfile.TemporaryDirectory(prefix="iki-tahun-") as tmp:
        folder = Path(tmp)
        office = two_years(bp, folder / "ruang", blueprints)
        out = folder / "dokumen"
        pk = make_pk(office.store, office.index, OFFICE, bp.id, NOW, True, out)
        lkjip = make_lkjip(office.store, office.index, OFFICE, bp.id, NOW, out)
        words = [p for made in (pk, lkjip) for p in made.files if p.suffix == ".docx"]
        subprocess.run(["soffice", "--headless",
                        f"-env:UserInstallation={(folder / 'profil').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(folder / "pdf"),
                        *map(str, words)], check=True, capture_output=True, timeout=600)
        pk_pdf = folder / "pdf" / f"{words[0].stem}.pdf"
        lkjip_pdf = folder / "pdf" / f"{words[1].stem}.pdf"
        starts = next(page for page in range(1, 20) if "Tabel 3.2" in subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(lkjip_pdf), "-"],
            capture_output=True, text=True, check=True).stdout)
        two_years_page = starts + 1  # the two-year table alone, under its repeated headers
        for pdf, page, name in ((pk_pdf, 2, "pk-lampiran"),
                                (lkjip_pdf, two_years_page, "lkjip-tabel")):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(ROOT / "docs" / name)], check=True)


if __name__ == "__main__":
    main()
