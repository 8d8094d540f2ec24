#!/usr/bin/env bash
# Engine benchmark: EMP vs NautilusTrader on the same SMA-crossover-on-ticks strategy.
# Spec and how to read the numbers: bench/README.md.
#
#   scripts/bench-engine.sh                  # 3 interleaved rounds of both engines, then a summary
#   scripts/bench-engine.sh --rounds 5
#   scripts/bench-engine.sh --nautilus-only  # only the NautilusTrader side (no cargo build)
#   scripts/bench-engine.sh --emp-only       # only the EMP side (no Python venv)
#   scripts/bench-engine.sh --data DIR       # data dir holding fx/lean/forex/fxcm/tick/eurusd/*.zip
#
# Env: EMP_BENCH_VENV (default ~/.cache/emp/nautilus-venv), NAUTILUS_ARGS / EMP_ARGS (extra args for each side).
# Each run prints one JSON line; the summary compares the medians. Exit status is non-zero if a run
# fails; missing the targets (ratio >= 10x, trade counts within 1 %) is reported, not an error,
# unless --strict is given.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

rounds=3
run_emp=1
run_naut=1
strict=0
data=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --rounds=*) rounds="${1#*=}"; shift ;;
    --nautilus-only) run_emp=0; shift ;;
    --emp-only) run_naut=0; shift ;;
    --data) data="$2"; shift 2 ;;
    --data=*) data="${1#*=}"; shift ;;
    --strict) strict=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench-engine.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench-engine.sh: --rounds needs a positive integer" >&2; exit 2; }

VENV="${EMP_BENCH_VENV:-$HOME/.cache/emp/nautilus-venv}"
export EMP_BENCH_VENV="$VENV"
naut_cmd=() emp_cmd=()

if (( run_naut )); then
  if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import nautilus_trader' 2>/dev/null; then
    echo "== setting up the NautilusTrader venv at $VENV" >&2
    bench/nautilus/setup.sh
  fi
  naut_cmd=("$VENV/bin/python" bench/nautilus/sma_ticks.py)
  [[ -n "$data" ]] && naut_cmd+=(--data "$data")
  # shellcheck disable=SC2206
  naut_cmd+=(${NAUTILUS_ARGS:-})
fi

if (( run_emp )); then
  echo "== cargo build --release -p emp-engine --example sma_ticks" >&2
  if ! cargo build --release -p emp-engine --example sma_ticks >&2; then
    echo "bench-engine.sh: could not build the EMP example (crates/engine/examples/sma_ticks.rs)." >&2
    echo "  It must exist and build; run with --nautilus-only to benchmark only the NautilusTrader side." >&2
    exit 1
  fi
  target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')"
  emp_bin="$target_dir/release/examples/sma_ticks"
  if [[ ! -x "$emp_bin" ]]; then
    echo "bench-engine.sh: the EMP example binary is missing: $emp_bin" >&2
    exit 1
  fi
  emp_cmd=("$emp_bin")
  [[ -n "$data" ]] && emp_cmd+=(--data "$data")
  # shellcheck disable=SC2206
  emp_cmd+=(${EMP_ARGS:-})
fi

results="$(mktemp "${TMPDIR:-/tmp}/bench-engine.XXXXXX")"
trap 'rm -f "$results"' EXIT

run_one() { # label cmd...
  local label="$1"; shift
  local line
  if ! line="$("$@" | tail -n 1)"; then
    echo "bench-engine.sh: the $label run failed: $*" >&2
    exit 1
  fi
  if ! python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "events_per_sec" in d' "$line" 2>/dev/null; then
    echo "bench-engine.sh: the $label run printed no result JSON line (got: ${line:0:200})" >&2
    exit 1
  fi
  echo "$line"
  echo "$line" >> "$results"
}

echo "== $rounds round(s) on $(nproc) CPU(s); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 1; r <= rounds; r++)); do
  echo "-- round $r/$rounds" >&2
  (( run_emp )) && run_one emp "${emp_cmd[@]}"
  (( run_naut )) && run_one nautilus "${naut_cmd[@]}"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$results" "$strict" <<'PY'
import json, statistics, sys

runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
strict = sys.argv[2] == "1"
by = {}
for r in runs:
    by.setdefault(r.get("engine", "?"), []).append(r)

def med(rs, k):
    return statistics.median(r[k] for r in rs)

print("== summary")
for eng in ("emp", "nautilus"):
    rs = by.get(eng)
    if not rs:
        continue
    eps = ", ".join(f"{r['events_per_sec']:,.0f}" for r in rs)
    print(
        f"{eng:9s} median {med(rs, 'events_per_sec'):>14,.0f} events/s (runs: {eps}); events {rs[0]['events']:,};"
        f" median {med(rs, 'seconds'):.3f} s; orders {rs[0]['orders']:,}; fills {rs[0]['fills']:,};"
        f" realized_pnl {rs[0]['realized_pnl']:,.2f} USD; final_position {rs[0]['final_position']:,};"
        f" peak RSS max {max(r['peak_rss_mb'] for r in rs):,.1f} MB"
    )
    for k in ("events", "orders", "fills", "realized_pnl", "final_position"):
        if len({r[k] for r in rs}) > 1:
            print(f"  WARNING: {eng} runs disagree on {k}: {[r[k] for r in rs]}")

ok = True
if "emp" in by and "nautilus" in by:
    e, n = by["emp"], by["nautilus"]
    ratio = med(e, "events_per_sec") / med(n, "events_per_sec")
    fe, fn = e[0]["fills"], n[0]["fills"]
    rel = abs(fe - fn) / max(fn, 1)
    ok_ratio, ok_fills = ratio >= 10, rel <= 0.01
    ok = ok_ratio and ok_fills
    print(f"ratio emp/nautilus (median events/s): {ratio:,.1f}x  [target >= 10x: {'PASS' if ok_ratio else 'MISS'}]")
    print(f"trade counts (fills): emp {fe:,} vs nautilus {fn:,}; relative difference {rel:.3%}  [target <= 1 %: {'PASS' if ok_fills else 'MISS'}]")
    if e[0]["events"] != n[0]["events"]:
        print(f"  WARNING: event counts differ: emp {e[0]['events']:,} vs nautilus {n[0]['events']:,}")
    print(
        f"realized_pnl: emp {e[0]['realized_pnl']:,.2f} vs nautilus {n[0]['realized_pnl']:,.2f} USD;"
        f" final_position: emp {e[0]['final_position']:,} vs nautilus {n[0]['final_position']:,}"
    )
    print(
        f"peak RSS (max over runs): emp {max(r['peak_rss_mb'] for r in e):,.1f} MB,"
        f" nautilus {max(r['peak_rss_mb'] for r in n):,.1f} MB"
    )
sys.exit(1 if strict and not ok else 0)
PY
