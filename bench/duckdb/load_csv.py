#!/usr/bin/env python3
"""Ingest benchmark, DuckDB reference side: load the decoded-ticks CSV with DuckDB's own CSV
reader into a table equivalent to emp-store's `market_data.quotes`, in a fresh database file.

    ~/.cache/emp/duckdb-venv/bin/python bench/duckdb/load_csv.py --csv FILE --db FILE \
        [--verify-against OURS.duckdb]

Timed (wall clock): connect to a new database file, create the schema and table, `COPY ... FROM`
the CSV in one transaction, commit. Closing the connection (a final checkpoint) is not timed,
as on our side, whose timed section also ends at the last commit.

`--verify-against` (untimed, after the JSON line is computed): attaches our side's DuckDB file
read-only and checks that both tables hold the same rows (every column except `ingested_at`,
which is the emission time here and each batch's commit time there).

Prints one JSON line: {"side","backend","rows","seconds","rows_per_sec","peak_rss_mb",...}.
"""

import argparse
import json
import os
import resource
import sys
import time

import duckdb

# Same columns, types and primary key as market_data.quotes in crates/store/src/schema.rs
# (migration 1). DuckDB gets no extra time index there (zone maps), so none here either.
QUOTES_DDL = """
CREATE SCHEMA market_data;
CREATE TABLE market_data.quotes (
    symbol TEXT NOT NULL,
    ts BIGINT NOT NULL,
    bid BIGINT NOT NULL,
    ask BIGINT NOT NULL,
    price_precision SMALLINT NOT NULL,
    bid_size BIGINT NOT NULL,
    ask_size BIGINT NOT NULL,
    size_precision SMALLINT NOT NULL,
    source TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (symbol, ts, bid, ask, bid_size, ask_size)
);
"""

COMPARED = "symbol, ts, bid, ask, price_precision, bid_size, ask_size, size_precision, source"


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", required=True, help="headerless CSV from ingest_bench --emit-csv")
    ap.add_argument("--db", required=True, help="database file to create (removed first)")
    ap.add_argument("--verify-against", help="our side's DuckDB file, compared after the run")
    args = ap.parse_args()

    for p in (args.db, args.db + ".wal"):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)

    start = time.perf_counter()
    con = duckdb.connect(args.db)
    con.execute("BEGIN")
    con.execute(QUOTES_DDL)
    # DuckDB's CSV reader with its defaults (dialect sniffing, parallel scan); the target table
    # fixes the column types. HEADER false: the file has none.
    res = con.execute(f"COPY market_data.quotes FROM {sql_str(args.csv)} (FORMAT csv, HEADER false)")
    copied = res.fetchone()
    con.execute("COMMIT")
    seconds = time.perf_counter() - start
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    rows = con.execute("SELECT count(*) FROM market_data.quotes").fetchone()[0]
    if copied is not None and copied[0] != rows:
        print(f"load_csv.py: COPY reported {copied[0]} rows, table holds {rows}", file=sys.stderr)
        return 1
    out = {
        "side": "duckdb-csv",
        "backend": "duckdb",
        "rows": rows,
        "seconds": seconds,
        "rows_per_sec": rows / seconds,
        "peak_rss_mb": peak_rss_mb,
        "duckdb_version": duckdb.__version__,
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
    }
    if args.verify_against:
        con.execute(f"ATTACH {sql_str(args.verify_against)} AS ours (READ_ONLY)")
        ours = con.execute("SELECT count(*) FROM ours.market_data.quotes").fetchone()[0]
        only_ref = con.execute(
            f"SELECT count(*) FROM (SELECT {COMPARED} FROM market_data.quotes "
            f"EXCEPT ALL SELECT {COMPARED} FROM ours.market_data.quotes)"
        ).fetchone()[0]
        only_ours = con.execute(
            f"SELECT count(*) FROM (SELECT {COMPARED} FROM ours.market_data.quotes "
            f"EXCEPT ALL SELECT {COMPARED} FROM market_data.quotes)"
        ).fetchone()[0]
        out["verified_same_rows"] = only_ref == 0 and only_ours == 0 and ours == rows
        if not out["verified_same_rows"]:
            print(
                f"load_csv.py: tables differ: reference {rows} rows, ours {ours}; "
                f"{only_ref} only in reference, {only_ours} only in ours",
                file=sys.stderr,
            )
            print(json.dumps(out))
            return 1
    con.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
