//! Ingest benchmark, our side: the 13 FXCM EURUSD quote-tick zips (1,144,807 ticks) through the
//! product ingest path into PostgreSQL or DuckDB. Comparison script with the reference sides
//! (`psql \copy`, DuckDB's CSV reader): `scripts/bench-ingest.sh`; what is compared and why:
//! `bench/README.md`.
//!
//! ```text
//! cargo run --release -p emp-ingest --example ingest_bench -- \
//!     [--backend postgres|duckdb] [--files N] [--data DIR] [--runs single|per-file]
//!     [--pg-url URL] [--duckdb-path FILE] [--emit-csv FILE]
//! ```
//!
//! * **Timed:** [`Orchestrator::run`] on an [`IngestPlan`] of the first N files (default 13):
//!   opening each zip, decoding (`emp_ingest::open`), batches of 50,000 rows, and per batch
//!   `MarketDataStore::write_batch` — staging table by binary `COPY` / appender, merge on the
//!   key, journal row in the same transaction — up to the last commit.
//! * **Untimed:** opening the store (migrations) and emptying it first, so every run writes
//!   into an empty `market_data.quotes`. PostgreSQL: the tables are truncated. DuckDB: a new
//!   database file.
//! * `--runs single` (default) ingests all files in one run (one journal row) like a
//!   configured ingest plan; `--runs per-file` runs one plan per file, like `emp data import`
//!   (one run per file).
//! * `--emit-csv FILE` does not ingest: it decodes the same ticks with the same readers and
//!   writes them as a headerless CSV with exactly the columns of `market_data.quotes`, holding
//!   the values the store holds after a run with the same `--files`/`--runs` (only
//!   `ingested_at` differs: one emission time instead of each batch's commit time). That file
//!   is the reference sides' input.
//!
//! Prints one JSON line:
//! `{"side","backend","rows","seconds","rows_per_sec","peak_rss_mb","files",...}`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use emp_ingest::{
    Dimension, DimensionPlan, IngestPlan, Orchestrator, ReadOptions, Record, SourceSpec,
};
use emp_model::{Clock, QuoteTick, SystemClock};
use emp_store::{DuckDbStore, MarketDataStore, PgStore};
use emp_telemetry::Status;

type AnyError = Box<dyn std::error::Error>;

const DEFAULT_PG_URL: &str = "postgres://emp:emp@127.0.0.1:5432/emp_bench";
const TICK_DIR: &str = "fx/lean/forex/fxcm/tick/eurusd";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Backend {
    Postgres,
    DuckDb,
}

impl Backend {
    fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::DuckDb => "duckdb",
        }
    }
}

#[derive(Debug)]
struct Args {
    backend: Backend,
    files: usize,
    data: PathBuf,
    per_file: bool,
    pg_url: String,
    duckdb_path: PathBuf,
    emit_csv: Option<PathBuf>,
}

const USAGE: &str = "usage: ingest_bench [--backend postgres|duckdb] [--files N] [--data DIR] \
                     [--runs single|per-file] [--pg-url URL] [--duckdb-path FILE] [--emit-csv FILE]";

fn parse_args() -> Result<Args, AnyError> {
    let mut a = Args {
        backend: Backend::Postgres,
        files: 13,
        data: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")),
        per_file: false,
        pg_url: std::env::var("EMP_BENCH_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned()),
        duckdb_path: std::env::temp_dir().join("emp-ingest-bench/ours.duckdb"),
        emit_csv: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))
        };
        match flag.as_str() {
            "--backend" => {
                a.backend = match value()?.as_str() {
                    "postgres" => Backend::Postgres,
                    "duckdb" => Backend::DuckDb,
                    other => return Err(format!("unknown backend {other:?}; {USAGE}").into()),
                }
            }
            "--files" => {
                a.files = value()?.parse()?;
                if a.files == 0 {
                    return Err("--files must be at least 1".into());
                }
            }
            "--data" => a.data = PathBuf::from(value()?),
            "--runs" => {
                a.per_file = match value()?.as_str() {
                    "single" => false,
                    "per-file" => true,
                    other => return Err(format!("unknown --runs {other:?}; {USAGE}").into()),
                }
            }
            "--pg-url" => a.pg_url = value()?,
            "--duckdb-path" => a.duckdb_path = PathBuf::from(value()?),
            "--emit-csv" => a.emit_csv = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}; {USAGE}").into()),
        }
    }
    Ok(a)
}

/// The first `n` tick zips in date order.
fn tick_files(data: &Path, n: usize) -> Result<Vec<PathBuf>, AnyError> {
    let dir = data.join(TICK_DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_quote.zip"))
        .collect();
    files.sort();
    if files.len() < n {
        return Err(format!(
            "asked for {n} files but {} holds {}",
            dir.display(),
            files.len()
        )
        .into());
    }
    files.truncate(n);
    Ok(files)
}

/// The plans the timed section runs: one over every file, or one per file.
fn plans(files: &[PathBuf], per_file: bool) -> Vec<IngestPlan> {
    let plan = |paths: &[PathBuf]| IngestPlan {
        dimensions: vec![DimensionPlan::new(
            Dimension::Ticks,
            paths.iter().map(SourceSpec::new).collect(),
        )],
    };
    if per_file {
        files
            .iter()
            .map(|f| plan(std::slice::from_ref(f)))
            .collect()
    } else {
        vec![plan(files)]
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A CSV field: quoted when it holds a delimiter, quote or line break.
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// One `market_data.quotes` row, with the conversions of emp-store's row writer: both prices
/// at the larger of their precisions, both sizes likewise.
fn write_quote_row(
    out: &mut impl Write,
    q: &QuoteTick,
    source: &str,
    ingested_at: i64,
) -> Result<(), AnyError> {
    let pp = q.bid.precision().max(q.ask.precision());
    let sp = q.bid_size.precision().max(q.ask_size.precision());
    writeln!(
        out,
        "{},{},{},{},{pp},{},{},{sp},{source},{ingested_at}",
        csv_field(q.instrument.as_str()),
        q.ts.as_i64(),
        q.bid.rescale(pp)?.raw(),
        q.ask.rescale(pp)?.raw(),
        q.bid_size.rescale(sp)?.raw(),
        q.ask_size.rescale(sp)?.raw(),
    )?;
    Ok(())
}

/// `--emit-csv`: decode every tick once and write the rows the store would hold.
fn emit_csv(args: &Args, path: &Path) -> Result<(), AnyError> {
    let files = tick_files(&args.data, args.files)?;
    let ingested_at = SystemClock.now().as_i64();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let start = Instant::now();
    let mut rows = 0u64;
    for plan in plans(&files, args.per_file) {
        for spec in &plan.dimensions[0].sources {
            // The orchestrator writes each row under the name of the file it came from.
            let name = spec.source_name();
            let source = csv_field(&name);
            let mut reader = emp_ingest::open(&spec.path, &ReadOptions::default())?;
            for item in reader.by_ref() {
                match item {
                    Ok(Record::Quote(q)) => {
                        write_quote_row(&mut out, &q, &source, ingested_at)?;
                        rows += 1;
                    }
                    Ok(other) => {
                        return Err(format!(
                            "{}: expected quote ticks, got {other:?}",
                            spec.path.display()
                        )
                        .into());
                    }
                    Err(row) => {
                        return Err(format!(
                            "{}: line {} quarantined ({}); the benchmark expects clean files",
                            spec.path.display(),
                            row.line,
                            row.reason
                        )
                        .into());
                    }
                }
            }
            reader.finish()?;
        }
    }
    out.flush()?;
    let line = serde_json::json!({
        "emitted_csv": path.display().to_string(),
        "rows": rows,
        "files": files.len(),
        "runs": if args.per_file { "per-file" } else { "single" },
        "seconds": start.elapsed().as_secs_f64(),
    });
    println!("{line}");
    Ok(())
}

/// An empty store: PostgreSQL with its ingest tables truncated, or a new DuckDB file.
fn fresh_store(args: &Args) -> Result<Arc<dyn MarketDataStore>, AnyError> {
    match args.backend {
        Backend::Postgres => {
            let store = PgStore::connect(&args.pg_url).map_err(|e| {
                format!("{e} (create the database first: scripts/bench-ingest.sh does)")
            })?;
            let mut client = postgres::Client::connect(&args.pg_url, postgres::NoTls)?;
            client.batch_execute(
                "TRUNCATE market_data.quotes, market_data.quarantine, telemetry.ingest_runs",
            )?;
            Ok(Arc::new(store))
        }
        Backend::DuckDb => {
            let path = &args.duckdb_path;
            for p in [
                path.clone(),
                PathBuf::from(format!("{}.wal", path.display())),
            ] {
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(format!("remove {}: {e}", p.display()).into()),
                }
            }
            Ok(Arc::new(DuckDbStore::open(path)?))
        }
    }
}

fn measure(args: &Args) -> Result<(), AnyError> {
    let files = tick_files(&args.data, args.files)?;
    let plans = plans(&files, args.per_file);
    let store = fresh_store(args)?;
    let orchestrator = Orchestrator::new(Arc::clone(&store), Arc::new(SystemClock));

    let start = Instant::now();
    let records: Vec<_> = plans.iter().flat_map(|p| orchestrator.run(p)).collect();
    let seconds = start.elapsed().as_secs_f64();
    let peak_rss_mb = peak_rss_mb();

    let (mut read, mut written, mut quarantined) = (0u64, 0u64, 0u64);
    for r in &records {
        if r.status != Status::Ok || r.error.is_some() {
            return Err(format!(
                "ingest run {} failed: {:?} {:?}",
                r.run_id, r.status, r.error
            )
            .into());
        }
        read += r.rows_read;
        written += r.rows_written;
        quarantined += r.rows_quarantined;
    }
    // Untimed checks: every tick read was new and is in the table; one journal row per run.
    let counts = store.counts()?;
    if quarantined != 0 || written != read || counts.quotes != written {
        return Err(format!(
            "rows read {read}, written {written}, quarantined {quarantined}, in table {}",
            counts.quotes
        )
        .into());
    }
    let journal = store.ingest_runs(records.len() + 1)?;
    let batches: u64 = journal.iter().map(|j| j.batches).sum();
    if journal.len() != records.len()
        || journal.iter().map(|j| j.rows_written).sum::<u64>() != written
    {
        return Err(format!(
            "journal has {} runs for {} runs ingested",
            journal.len(),
            records.len()
        )
        .into());
    }
    let line = serde_json::json!({
        "side": "emp",
        "backend": args.backend.as_str(),
        "rows": written,
        "seconds": seconds,
        "rows_per_sec": written as f64 / seconds,
        "peak_rss_mb": peak_rss_mb,
        "files": files.len(),
        "runs": records.len(),
        "batches": batches,
    });
    println!("{line}");
    Ok(())
}

fn main() -> Result<(), AnyError> {
    let args = parse_args()?;
    match &args.emit_csv {
        Some(path) => emit_csv(&args, path),
        None => measure(&args),
    }
}
