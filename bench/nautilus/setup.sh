#!/usr/bin/env bash
# Idempotent setup of the NautilusTrader reference side of the engine benchmark.
# Creates a virtualenv at ${EMP_BENCH_VENV:-$HOME/.cache/emp/nautilus-venv} with the machine's python3
# and installs the pinned packages from bench/nautilus/requirements.txt (PyPI only).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${EMP_BENCH_VENV:-$HOME/.cache/emp/nautilus-venv}"
REQ="$HERE/requirements.txt"
PY="${PYTHON:-python3}"
STAMP="$VENV/.emp-requirements.sha256"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] \
   && "$VENV/bin/python" -c 'import nautilus_trader, pandas' 2>/dev/null; then
  echo "nautilus venv up to date: $VENV ($("$VENV/bin/python" -c 'import nautilus_trader;print(nautilus_trader.__version__)'))" >&2
  exit 0
fi

pyver="$("$PY" -c 'import sys;print("%d.%d"%sys.version_info[:2])')"
case "$pyver" in
  3.11|3.12|3.13) ;;
  *) echo "setup.sh: need python 3.11-3.13 for nautilus_trader wheels, got $pyver ($PY)" >&2; exit 1 ;;
esac

start=$(date +%s)
if [[ ! -x "$VENV/bin/python" ]]; then
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet --only-binary=:all: -r "$REQ"
"$VENV/bin/python" -c 'import nautilus_trader, pandas; print("nautilus_trader", nautilus_trader.__version__, "pandas", pandas.__version__)' >&2
echo "$want" > "$STAMP"
echo "nautilus venv ready in $(( $(date +%s) - start ))s: $VENV" >&2
