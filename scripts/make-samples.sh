#!/usr/bin/env bash
# Regenerate samples/: workbooks filled with reproducible plausible values by the project's own
# code (iki-xlsx generate --isi-contoh). Same code and versions -> byte-identical XML parts.
set -euo pipefail
cd "$(dirname "$0")/.."
iki=".venv/bin/iki-xlsx"
rm -f samples/*.xlsx
tmp=$(mktemp -d)
"$iki" generate iki-kecamatan-kota --units samples/kelurahan-kota.csv --periode 2026 \
  --isi-contoh -o "$tmp/kota" >/dev/null
cp "$tmp/kota/IKI_2026_3573011001_Kelurahan-Sukamaju.xlsx" "$tmp/kota/IKI_2026_kecamatan_Kecamatan.xlsx" samples/
"$iki" generate iki-kecamatan-jabung --unit "Desa Jabung" --periode 2026 --isi-contoh \
  -o "$tmp/jabung" >/dev/null
cp "$tmp/jabung/"*.xlsx samples/
"$iki" generate iku-kecamatan --unit "Kelurahan Sukamaju" --periode 2026 --isi-contoh \
  -o "$tmp/iku" >/dev/null
cp "$tmp/iku/IKI_2026_kelurahan-sukamaju_Kelurahan-Sukamaju.xlsx" samples/IKU_2026_Kelurahan-Sukamaju.xlsx
rm -rf "$tmp"
ls samples
