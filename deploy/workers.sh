#!/bin/bash
# Start IKI_PEKERJA web workers (default 3) on 127.0.0.1:8001, 8002, ...; when one ends, end
# all (the container restarts them together). For the compose file; systemd uses one unit each.
set -eu
count=${IKI_PEKERJA:-3}
n=1
while [ "$n" -le "$count" ]; do
  iki-xlsx web --host 127.0.0.1 --port $((8000 + n)) --wajib-masuk \
    --izinkan-host "$IKI_DOMAIN" &
  n=$((n + 1))
done
wait -n 2>/dev/null || wait
kill 0
