#!/usr/bin/env bash
# Ingest benchmark: our ingest (readers -> batches -> PgStore/DuckDbStore write_batch) against
# `psql \copy` and DuckDB's own CSV reader, on the same 1,144,807 FXCM EURUSD ticks.
# What is compared and how to read the numbers: bench/README.md ("Ingest benchmark").
#
#   scripts/bench-ingest.sh                       # 3 interleaved rounds, both backends, then a summary
#   scripts/bench-ingest.sh --rounds 5 --backend postgres
#   scripts/bench-ingest.sh --data DIR            # data dir holding fx/lean/forex/fxcm/tick/eurusd/*.zip
#   scripts/bench-ingest.sh --runs per-file       # one ingest run per file (like `emp data import`)
#   scripts/bench-ingest.sh --no-memory           # skip the 1- and 4-file memory runs
#
# Env: EMP_BENCH_PG_URL (default postgres://emp:emp@127.0.0.1:5432/emp_bench; the database is created
# if missing, through EMP_BENCH_PG_ADMIN_URL, default .../emp_test), EMP_DUCKDB_VENV (default
# ~/.cache/emp/duckdb-venv), EMP_BENCH_WORKDIR (default a new temp dir, removed at exit).
# Each run prints one JSON line; the summary compares the medians. Exit status is non-zero if a run
# fails; missing a target (>= 0.8x psql \copy, >= 0.5x DuckDB's reader, flat peak memory) is
# reported, not an error, unless --strict is given.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
backend=both
runs=single
strict=0
memory=1
data=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --rounds=*) rounds="${1#*=}"; shift ;;
    --backend) backend="$2"; shift 2 ;;
    --backend=*) backend="${1#*=}"; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    --data) data="$2"; shift 2 ;;
    --data=*) data="${1#*=}"; shift ;;
    --no-memory) memory=0; shift ;;
    --strict) strict=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench-ingest.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench-ingest.sh: --rounds needs a positive integer" >&2; exit 2; }
case "$backend" in
  postgres) backends=(postgres) ;;
  duckdb) backends=(duckdb) ;;
  both) backends=(postgres duckdb) ;;
  *) echo "bench-ingest.sh: --backend must be postgres, duckdb or both" >&2; exit 2 ;;
esac
case "$runs" in single|per-file) ;; *) echo "bench-ingest.sh: --runs must be single or per-file" >&2; exit 2 ;; esac

PG_URL="${EMP_BENCH_PG_URL:-postgres://emp:emp@127.0.0.1:5432/emp_bench}"
PG_ADMIN_URL="${EMP_BENCH_PG_ADMIN_URL:-postgres://emp:emp@127.0.0.1:5432/emp_test}"
VENV="${EMP_DUCKDB_VENV:-$HOME/.cache/emp/duckdb-venv}"
export EMP_BENCH_PG_URL="$PG_URL" EMP_DUCKDB_VENV="$VENV"
has() { local b; for b in "${backends[@]}"; do [[ "$b" == "$1" ]] && return 0; done; return 1; }

if has postgres; then
  command -v psql >/dev/null || { echo "bench-ingest.sh: psql is not installed" >&2; exit 1; }
  db="${PG_URL##*/}"; db="${db%%\?*}"
  [[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "bench-ingest.sh: cannot read a database name from EMP_BENCH_PG_URL" >&2; exit 1; }
  if ! exists="$(psql "$PG_ADMIN_URL" -X -A -t -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>&1)"; then
    echo "bench-ingest.sh: PostgreSQL is not reachable ($exists); start it with scripts/setup-services.sh" >&2
    exit 1
  fi
  if [[ "$exists" != 1 ]]; then
    echo "== creating database $db" >&2
    psql "$PG_ADMIN_URL" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >&2
  fi
fi
if has duckdb; then
  bench/duckdb/setup.sh
fi

echo "== cargo build --release -p emp-ingest --example ingest_bench" >&2
if ! cargo build --release -p emp-ingest --example ingest_bench >&2; then
  echo "bench-ingest.sh: could not build crates/ingest/examples/ingest_bench.rs" >&2
  exit 1
fi
target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')"
bin="$target_dir/release/examples/ingest_bench"
[[ -x "$bin" ]] || { echo "bench-ingest.sh: the example binary is missing: $bin" >&2; exit 1; }
common=(--runs "$runs")
[[ -n "$data" ]] && common+=(--data "$data")

if [[ -n "${EMP_BENCH_WORKDIR:-}" ]]; then
  work="$EMP_BENCH_WORKDIR"; mkdir -p "$work"; keep_work=1
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest.XXXXXX")"; keep_work=0
fi
results="$work/results.jsonl"
: > "$results"
cleanup() {
  if has postgres; then # free the ~0.5 GB the two tables hold
    psql "$PG_URL" -X -q -c "DROP TABLE IF EXISTS bench_ref.quotes; TRUNCATE market_data.quotes" >/dev/null 2>&1 || true
  fi
  (( keep_work )) || rm -rf "$work"
}
trap cleanup EXIT

run_one() { # label cmd...
  local label="$1"; shift
  local line
  if ! line="$("$@" | tail -n 1)"; then
    echo "bench-ingest.sh: the $label run failed: $*" >&2
    exit 1
  fi
  if ! python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "rows_per_sec" in d' "$line" 2>/dev/null; then
    echo "bench-ingest.sh: the $label run printed no result JSON line (got: ${line:0:200})" >&2
    exit 1
  fi
  echo "$line"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["label"]=sys.argv[2]; print(json.dumps(d))' "$line" "$label" >> "$results"
}

csv="$work/quotes.csv"
echo "== decoding the ticks once into $csv (untimed)" >&2
"$bin" "${common[@]}" --emit-csv "$csv" >&2

ours() { # backend [files]
  local b="$1" files="${2:-13}"
  "$bin" "${common[@]}" --backend "$b" --files "$files" --pg-url "$PG_URL" --duckdb-path "$work/ours.duckdb"
}
reference() { # backend round
  local verify=()
  if [[ "$1" == postgres ]]; then
    (( $2 == 1 )) && verify=(--verify)
    python3 bench/postgres/copy_csv.py --csv "$csv" --pg-url "$PG_URL" "${verify[@]}"
  else
    (( $2 == 1 )) && verify=(--verify-against "$work/ours.duckdb")
    "$VENV/bin/python" bench/duckdb/load_csv.py --csv "$csv" --db "$work/ref.duckdb" "${verify[@]}"
  fi
}

echo "== $rounds round(s) on $(nproc) CPU(s); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 1; r <= rounds; r++)); do
  echo "-- round $r/$rounds" >&2
  for b in "${backends[@]}"; do
    run_one "ours:$b:13" ours "$b"
    run_one "ref:$b" reference "$b" "$r"
  done
done
if (( memory )); then
  echo "-- memory: our side on the first 1 and 4 files" >&2
  for b in "${backends[@]}"; do
    for n in 1 4; do
      run_one "ours:$b:$n" ours "$b" "$n"
    done
  done
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$results" "$strict" <<'PY'
import json, statistics, sys

runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
strict = sys.argv[2] == "1"
TARGETS = {"postgres": ("psql \\copy", 0.8), "duckdb": ("DuckDB's CSV reader", 0.5)}
FLAT = 1.25  # peak RSS of the 13-file run at most 1.25x the 1-file run

def med(rs):
    return statistics.median(r["rows_per_sec"] for r in rs)

ok = True
print("== summary (median rows/s; timed: ours = open zips .. last commit, reference = load of the decoded CSV)")
for b, (ref_name, target) in TARGETS.items():
    o = [r for r in runs if r["label"] == f"ours:{b}:13"]
    f = [r for r in runs if r["label"] == f"ref:{b}"]
    if not o or not f:
        continue
    for name, rs in (("ours", o), (ref_name, f)):
        each = ", ".join(f"{r['rows_per_sec']:,.0f}" for r in rs)
        print(f"{b:8s} {name:20s} median {med(rs):>11,.0f} rows/s  ({len(rs)} runs: {each}); rows {rs[0]['rows']:,};"
              f" median {statistics.median(r['seconds'] for r in rs):.2f} s; peak RSS max {max(r['peak_rss_mb'] for r in rs):,.1f} MB")
    if {r["rows"] for r in o} | {r["rows"] for r in f} != {o[0]["rows"]}:
        print(f"  WARNING: row counts differ: ours {[r['rows'] for r in o]}, reference {[r['rows'] for r in f]}")
        ok = False
    if any(r.get("verified_same_rows") is False for r in f):
        print("  WARNING: the reference table does not hold the same rows as ours")
        ok = False
    elif any(r.get("verified_same_rows") for r in f):
        print("  verified: both tables hold the same rows (all columns but ingested_at)")
    ratio = med(o) / med(f)
    hit = ratio >= target
    ok &= hit
    print(f"  ratio ours/{ref_name}: {ratio:.2f}x  [target >= {target}x: {'PASS' if hit else 'MISS'}]")

mem = {}
for r in runs:
    if r["label"].startswith("ours:"):
        _, b, n = r["label"].split(":")
        mem.setdefault(b, {}).setdefault(int(n), []).append(r)
if any(1 in v or 4 in v for v in mem.values()):
    print("== memory flatness: our peak RSS (VmHWM) by input size")
    print(f"{'backend':8s} {'files':>5s} {'rows':>10s} {'peak RSS MB':>12s}")
    for b, by_n in mem.items():
        for n in sorted(by_n):
            rs = by_n[n]
            print(f"{b:8s} {n:>5d} {rs[0]['rows']:>10,d} {max(r['peak_rss_mb'] for r in rs):>12.1f}")
        if 1 in by_n and 13 in by_n:
            lo = max(r["peak_rss_mb"] for r in by_n[1])
            hi = max(r["peak_rss_mb"] for r in by_n[13])
            flat = hi <= FLAT * lo
            ok &= flat
            print(f"  {b}: 13 files / 1 file = {hi / lo:.2f}x peak RSS for {by_n[13][0]['rows'] / by_n[1][0]['rows']:.1f}x rows"
                  f"  [flat, <= {FLAT}x: {'PASS' if flat else 'MISS'}]")
sys.exit(1 if strict and not ok else 0)
PY
