#!/usr/bin/env bash
# Idempotent setup of the DuckDB reference side of the ingest benchmark.
# Creates a virtualenv at ${EMP_DUCKDB_VENV:-$HOME/.cache/emp/duckdb-venv} with the machine's python3
# and installs the pinned packages from bench/duckdb/requirements.txt (PyPI only).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${EMP_DUCKDB_VENV:-$HOME/.cache/emp/duckdb-venv}"
REQ="$HERE/requirements.txt"
PY="${PYTHON:-python3}"
STAMP="$VENV/.emp-requirements.sha256"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] \
   && "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
  echo "duckdb venv up to date: $VENV (duckdb $("$VENV/bin/python" -c 'import duckdb;print(duckdb.__version__)'))" >&2
  exit 0
fi

start=$(date +%s)
if [[ ! -x "$VENV/bin/python" ]]; then
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet --only-binary=:all: -r "$REQ"
"$VENV/bin/python" -c 'import duckdb; print("duckdb", duckdb.__version__)' >&2
echo "$want" > "$STAMP"
echo "duckdb venv ready in $(( $(date +%s) - start ))s: $VENV" >&2
