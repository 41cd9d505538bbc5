#!/usr/bin/env bash
# Install everything the tests need (the project, lint and type tools, LibreOffice as a real
# client) and run them: ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
bash scripts/venv.sh test
if ! command -v soffice >/dev/null 2>&1 || ! /usr/bin/python3 -c "import uno" 2>/dev/null; then
  echo "Installing LibreOffice Calc (headless) and its Python bridge..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    libreoffice-calc-nogui python3-uno >/dev/null
fi
.venv/bin/ruff check iki_xlsx tests benchmarks
.venv/bin/mypy
.venv/bin/pytest "$@"
