#!/bin/sh
# Pemulihan penyimpanan iki-xlsx dari cadangan backup.sh, ke basis data kosong dan folder baru.
# Pemakaian: restore.sh FOLDER_CADANGAN URL_BASIS_DATA FOLDER_BERKAS
#   FOLDER_CADANGAN berisi basis-data.dump, berkas.tar dan SHA256SUMS dari backup.sh
#   URL_BASIS_DATA  basis data yang sudah dibuat dan masih kosong (createdb -O iki iki)
#   FOLDER_BERKAS   folder berkas asli yang baru (kosong); tulis juga di [basis_data] berkas
set -eu
if [ "$#" -ne 3 ]; then
  echo "Pemakaian: $0 FOLDER_CADANGAN URL_BASIS_DATA FOLDER_BERKAS" >&2
  exit 2
fi
asal=$1 url=$2 berkas=$3
(cd "$asal" && sha256sum --status -c SHA256SUMS 2>/dev/null) || {
  echo "Kesalahan: cadangan di $asal rusak (SHA256SUMS tidak cocok); tidak ada yang dipulihkan" >&2
  exit 1
}
if [ -e "$berkas" ] && [ -n "$(ls -A "$berkas")" ]; then
  echo "Kesalahan: folder berkas $berkas sudah berisi; pakai folder baru" >&2
  exit 2
fi
if [ -n "${IKI_DB_PASSWORD:-}" ]; then
  PGPASSWORD=$IKI_DB_PASSWORD
  export PGPASSWORD
fi
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$url" "$asal/basis-data.dump"
mkdir -p "$berkas"
tar -C "$berkas" -xf "$asal/berkas.tar"
echo "Dipulihkan: basis data $url dan berkas asli di $berkas"
