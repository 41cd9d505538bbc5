#!/usr/bin/env bash
# Regenerate the README's pictures (docs/*.png) from LibreOffice's PDF export: the first view
# of a jabatan sheet (what a clerk sees at 100 % on a 1366x768 screen, 1,250 x 500 px), the
# first printed page of a recap and the first page of its Status sheet; a PK lampiran page and an
# LKjIP table page (scripts/make-year-images.py). Needs LibreOffice (Calc and Writer) with
# python3-uno and poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.venv/bin/iki-xlsx demo -o "$tmp/demo" >/dev/null
workbook=samples/IKI_2026_3573011001_Kelurahan-Sukamaju.xlsx
# the first view: the columns and rows that fit 1,250 x 500 px, computed from the file itself
read -r last_col rows < <(.venv/bin/python - "$workbook" <<'PY'
import sys
from pathlib import Path
from tests.xlsxgeometry import SCREEN_H, SCREEN_W, read_geometry
g = read_geometry(Path(sys.argv[1]))["Camat"]
col = max(c for c in range(60) if g.right_px(c) <= SCREEN_W)
row = max(r for r in range(200) if g.bottom_px(r) <= SCREEN_H)
print(col, row + 1)
PY
)
.venv/bin/python - "$workbook" "$last_col" "$rows" "$tmp" <<'PY'
import subprocess, sys
from pathlib import Path
from tests import libreoffice
workbook, last_col, rows, tmp = sys.argv[1:]
recap = next(Path(tmp, "demo").rglob("rekap_*.xlsx"))
with libreoffice.office() as port:
    subprocess.run(["/usr/bin/python3", "scripts/_docs_lo.py", str(port),
                    str(Path(workbook).resolve()), "Camat", last_col, rows,
                    str(Path(tmp, "first-view.pdf"))], check=True)
    libreoffice.read_values(port, [recap], {}, "never", pdf={recap: Path(tmp, "recap.pdf")})
PY
pdftoppm -png -r 96 -singlefile "$tmp/first-view.pdf" docs/first-view
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/recap.pdf" docs/recap-page
pages=$(pdfinfo "$tmp/recap.pdf" | sed -n 's/^Pages: *//p')
for page in $(seq 1 "$pages"); do
  if pdftotext -f "$page" -l "$page" "$tmp/recap.pdf" - | head -1 | grep '^STATUS' >/dev/null; then
    pdftoppm -png -r 80 -f "$page" -l "$page" -singlefile "$tmp/recap.pdf" docs/recap-status
    break
  fi
done
# the performance year's documents: a PK lampiran page and an LKjIP Bab III table page
.venv/bin/python scripts/make-year-images.py
ls docs
