#!/bin/sh
# Cadangan penyimpanan iki-xlsx di server: basis data PostgreSQL dan folder berkas asli, bersama.
# Pemakaian: backup.sh URL_BASIS_DATA FOLDER_BERKAS FOLDER_CADANGAN
#   URL_BASIS_DATA  postgresql://pengguna@host:port/nama (tanpa kata sandi; kata sandi dari
#                   IKI_DB_PASSWORD atau .pgpass)
#   FOLDER_BERKAS   [basis_data] berkas di iki.toml (misalnya /var/lib/iki-xlsx/berkas)
#   FOLDER_CADANGAN folder baru yang menerima basis-data.dump, berkas.tar dan SHA256SUMS
# Basis data dicadangkan lebih dulu, lalu berkas asli: setiap baris menyebut berkas yang sudah
# tersimpan sebelum barisnya dicatat, jadi cadangan tetap utuh walau iki-xlsx sedang menerima.
set -eu
if [ "$#" -ne 3 ]; then
  echo "Pemakaian: $0 URL_BASIS_DATA FOLDER_BERKAS FOLDER_CADANGAN" >&2
  exit 2
fi
url=$1 berkas=$2 tujuan=$3
if [ ! -d "$berkas" ]; then
  echo "Kesalahan: folder berkas asli $berkas tidak ada" >&2
  exit 2
fi
if [ -e "$tujuan" ] && [ -n "$(ls -A "$tujuan")" ]; then
  echo "Kesalahan: folder cadangan $tujuan sudah berisi; pakai folder baru" >&2
  exit 2
fi
if [ -n "${IKI_DB_PASSWORD:-}" ]; then
  PGPASSWORD=$IKI_DB_PASSWORD
  export PGPASSWORD
fi
umask 077
mkdir -p "$tujuan"
pg_dump --format=custom --no-owner --no-privileges --file="$tujuan/basis-data.dump" "$url"
tar -C "$berkas" --exclude='.tmp-*' -cf "$tujuan/berkas.tar" .
(cd "$tujuan" && sha256sum basis-data.dump berkas.tar > SHA256SUMS)
echo "Cadangan tersimpan di $tujuan (basis-data.dump, berkas.tar, SHA256SUMS)"
