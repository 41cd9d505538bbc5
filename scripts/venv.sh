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
# the venv's own pip (23 or newer on Debian 12 and 13) installs the project as it is: upgrading
# pip first cost 10 to 16 s of every fresh test run and changed nothing it installs
# the newest versions pyproject.toml allows (eager: dependencies too), so an old .venv tests
# what a fresh install gets
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install -q -U --upgrade-strategy eager -e ".[$extras]"
else
  .venv/bin/python -m pip install -q -U --upgrade-strategy eager -e .
fi
# byte-compiled once, as a regular install is: a command then starts without compiling its
# modules again (where PYTHONDONTWRITEBYTECODE keeps Python from writing them on first use)
.venv/bin/python -m compileall -q iki_xlsx >/dev/null
