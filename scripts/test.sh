#!/usr/bin/env bash
# Install everything the tests need (the project, lint and type tools, LibreOffice Calc and
# Writer and Gnumeric as real clients, dovecot as a real IMAP server, openssl for its test certificate, Chromium as a real
# browser, PostgreSQL as the real server store) and run them:
# ruff, mypy, the import contract (import-linter), pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# Python keeps the modules it compiles (in .venv and the clone, both ignored by git): the run's
# processes compile each module once, only those they import, instead of the install compiling
# every module of every package beforehand (about 25 s of CPU for the test extras)
unset PYTHONDONTWRITEBYTECODE
# the reader's worksheet scanner is compiled C (setup.py): a compiler, Python's and expat's
# headers; where they are missing the install goes on without it, but the tests require it
include=$(python3 -c "import sysconfig; print(sysconfig.get_paths()['include'])")
if ! command -v cc >/dev/null 2>&1 || [ ! -f /usr/include/expat.h ] \
    || [ ! -f "$include/Python.h" ]; then
  echo "Installing a C compiler and the Python and expat headers (the worksheet scanner)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential \
    libexpat1-dev python3-dev >/dev/null
fi
bash scripts/venv.sh test
.venv/bin/python -c "import iki_xlsx.workbook._sheetscan" 2>/dev/null || {
  echo "The worksheet scanner (iki_xlsx/workbook/_sheetscan.c) did not compile" >&2; exit 1; }
writer_missing() { ! ls /usr/lib/libreoffice/program/libswlo.so >/dev/null 2>&1; }
if ! command -v soffice >/dev/null 2>&1 || ! /usr/bin/python3 -c "import uno" 2>/dev/null \
    || writer_missing; then
  # Writer prints the office's Word documents (PK, pengukuran, LKjIP) for the print tests
  echo "Installing LibreOffice Calc and Writer (headless) and their Python bridge..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    libreoffice-calc-nogui libreoffice-writer-nogui python3-uno >/dev/null
fi
writer_missing && { echo "LibreOffice Writer missing: the documents cannot be printed"; exit 1; }
if [ ! -x /usr/sbin/dovecot ] || ! command -v openssl >/dev/null 2>&1; then
  echo "Installing dovecot (IMAP server for the mail tests) and openssl..."
  as_root apt-get update -qq
  # the tests start their own dovecot on a free loopback port; a system one is never used
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd openssl \
    >/dev/null
fi
if ! fc-list | grep -i carlito >/dev/null || ! command -v pdftoppm >/dev/null 2>&1; then
  echo "Installing Carlito (Calibri's metric twin, for layout tests) and poppler-utils..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-crosextra-carlito \
    poppler-utils >/dev/null
fi
fc-list | grep -i carlito >/dev/null || { echo "Carlito font missing: layout tests cannot measure"; exit 1; }
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium (a real browser for the web app's tests, driven by Playwright)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v chromium >/dev/null 2>&1 || { echo "Chromium missing: the browser tests cannot run"; exit 1; }
if ! command -v ssconvert >/dev/null 2>&1; then
  echo "Installing Gnumeric (ssconvert: a second real client that re-saves workbooks)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnumeric >/dev/null
fi
command -v ssconvert >/dev/null 2>&1 || { echo "ssconvert (Debian gnumeric) is required" >&2; exit 1; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! id postgres >/dev/null 2>&1; then
  echo "Installing PostgreSQL (the server store's tests start their own server on loopback)..."
  as_root apt-get update -qq
  # the package's own cluster is not used: the tests run initdb into a folder of their own
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "PostgreSQL (Debian postgresql) is required" >&2; exit 1; }
.venv/bin/ruff check iki_xlsx tests benchmarks
.venv/bin/lint-imports
# mypy (cold in a fresh clone: 15 to 20 s of one core) runs beside pytest at a lower priority,
# in the moments a worker waits; its verdict is printed after pytest's and fails the command too
mypy_log=$(mktemp)
nice -n 10 .venv/bin/mypy >"$mypy_log" 2>&1 &
mypy_pid=$!
trap 'kill "$mypy_pid" 2>/dev/null || true' EXIT  # an interrupted run stops it too
# two workers (pytest-xdist, one per core), module by module, the longest modules first, a
# LibreOffice per worker that needs one (tests/conftest.py); `bash scripts/test.sh
# --durations=30` lists the slowest tests
status=0
.venv/bin/pytest -n "${IKI_TEST_WORKERS:-2}" "$@" || status=$?
mypy_status=0
wait "$mypy_pid" || mypy_status=$?
echo "mypy:"
cat "$mypy_log"
rm -f "$mypy_log"
if [ "$status" = 0 ]; then status=$mypy_status; fi
exit "$status"
