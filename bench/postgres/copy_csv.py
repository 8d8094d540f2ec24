#!/usr/bin/env python3
"""Ingest benchmark, PostgreSQL reference side: load the decoded-ticks CSV with `psql \\copy`
into a fresh table equivalent to emp-store's `market_data.quotes`.

    python3 bench/postgres/copy_csv.py --csv FILE [--pg-url URL] [--verify]

Untimed: `bench_ref.quotes` is dropped and created again as
`CREATE TABLE bench_ref.quotes (LIKE market_data.quotes INCLUDING ALL)`: the same columns, types,
NOT NULLs, primary key and indexes as the table our side writes (so our side must have created
the schema first: scripts/bench-ingest.sh runs it first).

Timed (wall clock, end to end): one `psql -c "\\copy bench_ref.quotes FROM 'FILE' CSV"` process,
connection set-up included.

`--verify` (untimed): checks that `bench_ref.quotes` and `market_data.quotes` hold the same rows
(every column except `ingested_at`). Needs only the standard library and the `psql` client.
Prints one JSON line: {"side","backend","rows","seconds","rows_per_sec","peak_rss_mb",...}.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

COMPARED = "symbol, ts, bid, ask, price_precision, bid_size, ask_size, size_precision, source"


def psql(url: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", required=True, help="headerless CSV from ingest_bench --emit-csv")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("EMP_BENCH_PG_URL", "postgres://emp:emp@127.0.0.1:5432/emp_bench"),
    )
    ap.add_argument("--verify", action="store_true", help="compare with market_data.quotes")
    args = ap.parse_args()
    csv = os.path.abspath(args.csv)
    if "'" in csv:
        print("copy_csv.py: the CSV path must not contain a quote", file=sys.stderr)
        return 2

    try:
        psql(
            args.pg_url,
            "DROP TABLE IF EXISTS bench_ref.quotes; CREATE SCHEMA IF NOT EXISTS bench_ref; "
            "CREATE TABLE bench_ref.quotes (LIKE market_data.quotes INCLUDING ALL)",
        )
    except subprocess.CalledProcessError as e:
        print(f"copy_csv.py: could not create bench_ref.quotes: {e.stderr.strip()}", file=sys.stderr)
        return 1

    cmd = ["psql", args.pg_url, "-X", "-q", "-v", "ON_ERROR_STOP=1",
           "-c", f"\\copy bench_ref.quotes FROM '{csv}' CSV"]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(f"copy_csv.py: psql \\copy failed: {done.stderr.strip()}", file=sys.stderr)
        return 1
    # ru_maxrss of the children: the psql processes (the server's memory is not counted, as on
    # our side, whose RSS is also the client's).
    peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0

    rows = int(psql(args.pg_url, "SELECT count(*) FROM bench_ref.quotes"))
    out = {
        "side": "psql-copy",
        "backend": "postgres",
        "rows": rows,
        "seconds": seconds,
        "rows_per_sec": rows / seconds,
        "peak_rss_mb": peak_rss_mb,
        "server_version": psql(args.pg_url, "SHOW server_version"),
    }
    if args.verify:
        ours = int(psql(args.pg_url, "SELECT count(*) FROM market_data.quotes"))
        only_ref = int(psql(args.pg_url,
            f"SELECT count(*) FROM (SELECT {COMPARED} FROM bench_ref.quotes "
            f"EXCEPT ALL SELECT {COMPARED} FROM market_data.quotes) d"))
        only_ours = int(psql(args.pg_url,
            f"SELECT count(*) FROM (SELECT {COMPARED} FROM market_data.quotes "
            f"EXCEPT ALL SELECT {COMPARED} FROM bench_ref.quotes) d"))
        out["verified_same_rows"] = only_ref == 0 and only_ours == 0 and ours == rows
        if not out["verified_same_rows"]:
            print(f"copy_csv.py: tables differ: reference {rows} rows, ours {ours}; "
                  f"{only_ref} only in reference, {only_ours} only in ours", file=sys.stderr)
            print(json.dumps(out))
            return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
