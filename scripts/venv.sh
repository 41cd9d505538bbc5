#!/usr/bin/env bash
# Create .venv (installing Debian's python3-venv first when the interpreter lacks venv) and
# install the project into it. Usage: scripts/venv.sh [EXTRAS], e.g. scripts/venv.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip
    python3 -m venv .venv
  fi
fi
extras="${1:-}"
# uv installs what pip would (the newest versions pyproject.toml allows, dependencies too, so
# an old .venv tests what a fresh install gets) in a fraction of pip's CPU (54 s with pip on
# the shared 2-core machine); byte-compiled as pip leaves them, so that where
# PYTHONDONTWRITEBYTECODE is set no process compiles numpy or pandas again at its start; pip
# does it where uv cannot be had
target="."
[ -n "$extras" ] && target=".[$extras]"
if .venv/bin/python -m pip install -q "uv>=0.5,<1" >/dev/null 2>&1; then
  .venv/bin/python -m uv pip install -q --compile-bytecode --python .venv/bin/python -U \
    -e "$target"
else
  .venv/bin/python -m pip install -q -U --upgrade-strategy eager -e "$target"
fi
# byte-compiled once, as a regular install is: a command then starts without compiling its
# modules again (where PYTHONDONTWRITEBYTECODE keeps Python from writing them on first use)
.venv/bin/python -m compileall -q iki_xlsx >/dev/null
