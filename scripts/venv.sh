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
# the shared 2-core machine); pip does it where uv cannot be had.
# Byte-compiled at install only where PYTHONDONTWRITEBYTECODE keeps Python from writing the
# compiled modules on first use (otherwise no process would ever keep them, and each would
# compile numpy or pandas again at its start); elsewhere Python compiles, once, only what is
# imported: about 1,300 of the 6,200 modules installed for the tests (scripts/test.sh)
target="."
[ -n "$extras" ] && target=".[$extras]"
compile=()
[ -n "${PYTHONDONTWRITEBYTECODE:-}" ] && compile=(--compile-bytecode)
if .venv/bin/python -m pip install -q "uv>=0.5,<1" >/dev/null 2>&1; then
  .venv/bin/python -m uv pip install -q "${compile[@]}" --python .venv/bin/python -U \
    -e "$target"
else
  pip_compile=--no-compile
  [ -n "${PYTHONDONTWRITEBYTECODE:-}" ] && pip_compile=--compile
  .venv/bin/python -m pip install -q -U --upgrade-strategy eager "$pip_compile" -e "$target"
fi
# the project, and the `formulas` engine (whose sources make Python print SyntaxWarnings
# while compiling them, which would otherwise show in whichever run compiled them first),
# byte-compiled at once
formulas=$(.venv/bin/python -c "import importlib.util as u; print(u.find_spec('formulas').submodule_search_locations[0])")
.venv/bin/python -m compileall -q iki_xlsx "$formulas" >/dev/null 2>&1
