//! `emp data import` and `emp data ls`: real files into the store, and what the store holds.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use emp_ingest::{Format, ReadOptions, Record};
use emp_model::{Clock, SystemClock, Timeframe, UnixNanos};
use emp_store::{IngestRun, MarketDataStore, QuarantineRecord, Store, StoreConfig, WriteBatch};
use emp_telemetry::Status;

use crate::config::Config;

/// Rows per transaction: large enough for bulk-load speed, small enough that a crash loses
/// (and a re-run redoes) only seconds of work.
const BATCH_ROWS: usize = 50_000;

/// Options of `emp data import`.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub format: Option<Format>,
    pub symbol: Option<String>,
    pub timeframe: Option<Timeframe>,
    /// A PostgreSQL URL or a DuckDB file overriding the configured store.
    pub store: Option<String>,
}

/// Open the configured store, or the one `--store` names.
pub(crate) fn open_store(config: &Config, override_url: Option<&str>) -> anyhow::Result<Store> {
    let mut store_config: StoreConfig = crate::stores::resolved_store_config(config);
    match override_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            store_config.backend = emp_store::BackendKind::Postgres;
            store_config.postgres_url = emp_store::SecretUrl::new(url);
        }
        Some(path) => {
            store_config.backend = emp_store::BackendKind::DuckDb;
            store_config.duckdb_path = PathBuf::from(path);
        }
        None => {}
    }
    let what = crate::stores::describe(&store_config);
    Store::open(&store_config).with_context(|| format!("cannot open the store ({what})"))
}

/// What one file's import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileImport {
    pub file: String,
    pub format: String,
    pub detection: String,
    pub records: u64,
    pub new_rows: u64,
    pub quarantined: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub seconds: f64,
}

pub(crate) fn import(
    config: &Config,
    paths: &[PathBuf],
    opts: &ImportOptions,
) -> anyhow::Result<Vec<FileImport>> {
    let store = open_store(config, opts.store.as_deref())?;
    let clock = SystemClock;
    let mut out = Vec::new();
    for (n, path) in paths.iter().enumerate() {
        let report = import_file(&store, &clock, path, opts, n)
            .with_context(|| format!("importing {}", path.display()))?;
        out.push(report);
    }
    Ok(out)
}

fn import_file(
    store: &Store,
    clock: &dyn Clock,
    path: &Path,
    opts: &ImportOptions,
    n: usize,
) -> anyhow::Result<FileImport> {
    let read_opts = ReadOptions {
        format: opts.format,
        symbol: opts.symbol.clone(),
        timeframe: opts.timeframe,
        ..ReadOptions::default()
    };
    let started = Instant::now();
    let started_at = clock.now();
    let mut reader = emp_ingest::open(path, &read_opts)?;
    let format = reader.summary().format;
    let detection = match &reader.summary().detection {
        Some(d) => d.reason.clone(),
        None => "given by --format".to_owned(),
    };
    eprintln!("{}: format {format} ({detection})", path.display());
    let file = path.display().to_string();
    let run = IngestRun {
        run_id: format!("import-{}-{n}", started_at.as_i64()),
        dimension: String::new(),
        status: Status::Ok,
        source: path
            .file_name()
            .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned()),
        symbols: Vec::new(),
        started_at,
        duration_ns: 0,
        freshness_ns: None,
        metadata: serde_json::Map::new(),
    };
    let mut batch = WriteBatch::new(run, started_at);
    let progress = Progress::new();
    let (mut records, mut new_rows, mut quarantined) = (0u64, 0u64, 0u64);
    let (mut first, mut last): (Option<UnixNanos>, Option<UnixNanos>) = (None, None);
    let mut pending = 0usize;
    for item in reader.by_ref() {
        match item {
            Ok(record) => {
                records += 1;
                let ts = push_record(&mut batch, record);
                first = Some(first.map_or(ts, |f| f.min(ts)));
                last = Some(last.map_or(ts, |l| l.max(ts)));
            }
            Err(row) => {
                quarantined += 1;
                batch.quarantine.push(QuarantineRecord {
                    file: row.file.display().to_string(),
                    line: row.line,
                    reason: row.reason.clone(),
                    raw_text: row.raw.clone(),
                });
            }
        }
        pending += 1;
        if pending >= BATCH_ROWS {
            new_rows += flush(store, &mut batch, clock, started, last, Status::Ok)?;
            pending = 0;
            progress.update(records + quarantined);
        }
    }
    let status = match reader.finish() {
        Ok(_) => Status::Ok,
        Err(e) => {
            // The good rows so far are stored (idempotently); the run is journaled as failed.
            flush(store, &mut batch, clock, started, last, Status::Fail)?;
            progress.done();
            return Err(e.into());
        }
    };
    new_rows += flush(store, &mut batch, clock, started, last, status)?;
    progress.done();
    let summary = FileImport {
        file,
        format: format.to_string(),
        detection,
        records,
        new_rows,
        quarantined,
        first: first.map(|t| t.to_rfc3339()),
        last: last.map(|t| t.to_rfc3339()),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(summary)
}

/// Add a record to the batch, naming the run's dimension and symbols as they appear.
fn push_record(batch: &mut WriteBatch, record: Record) -> UnixNanos {
    let (dimension, symbol, ts) = match &record {
        Record::Bar(b) => (
            format!("bars_{}", b.timeframe),
            b.instrument.as_str().to_owned(),
            b.ts_open,
        ),
        Record::Quote(q) => ("quotes".to_owned(), q.instrument.as_str().to_owned(), q.ts),
        Record::Trade(t) => ("trades".to_owned(), t.instrument.as_str().to_owned(), t.ts),
        Record::Macro(m) => ("macro_series".to_owned(), m.series_id.clone(), m.ts),
    };
    if batch.run.dimension.is_empty() {
        batch.run.dimension = dimension;
    }
    if !batch.run.symbols.contains(&symbol) {
        batch.run.symbols.push(symbol);
    }
    match record {
        Record::Bar(b) => batch.bars.push(b),
        Record::Quote(q) => batch.quotes.push(q),
        Record::Trade(t) => batch.trades.push(t),
        Record::Macro(m) => batch.macro_series.push(m),
    }
    ts
}

fn flush(
    store: &Store,
    batch: &mut WriteBatch,
    clock: &dyn Clock,
    started: Instant,
    newest: Option<UnixNanos>,
    status: Status,
) -> anyhow::Result<u64> {
    let now = clock.now();
    batch.run.status = status;
    batch.run.duration_ns = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
    batch.run.freshness_ns = newest.map(|t| now.saturating_sub(t));
    batch.ingested_at = now;
    let report = store.write_batch(batch)?;
    batch.bars.clear();
    batch.quotes.clear();
    batch.trades.clear();
    batch.macro_series.clear();
    batch.macro_events.clear();
    batch.quarantine.clear();
    Ok(report.rows_written())
}

/// A row counter on stderr for terminals; silent in pipes and CI logs.
struct Progress {
    tty: bool,
    started: Instant,
}

impl Progress {
    fn new() -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    fn update(&self, rows: u64) {
        if self.tty {
            let secs = self.started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\r  {rows:>12} rows  {:>10.0} rows/s", rows as f64 / secs);
        }
    }

    fn done(&self) {
        if self.tty {
            eprintln!();
        }
    }
}

/// What `emp data ls` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listing {
    pub store: String,
    pub counts: emp_store::TableCounts,
    pub series: Vec<emp_store::InventoryRow>,
}

pub(crate) fn list(config: &Config, override_url: Option<&str>) -> anyhow::Result<Listing> {
    let store = open_store(config, override_url)?;
    Ok(Listing {
        store: store.describe(),
        counts: store.counts()?,
        series: store.inventory()?,
    })
}

pub(crate) fn render_listing(l: &Listing) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "store: {}", l.store);
    if l.series.is_empty() {
        let _ = writeln!(out, "(empty: import data with `emp data import FILE`)");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<8} {:<14} {:<4} {:<24} {:<24} {:>10}",
        "kind", "symbol", "tf", "first", "last", "rows"
    );
    for s in &l.series {
        let _ = writeln!(
            out,
            "{:<8} {:<14} {:<4} {:<24} {:<24} {:>10}",
            s.kind,
            s.symbol,
            s.timeframe.as_deref().unwrap_or("-"),
            s.first.to_rfc3339(),
            s.last.to_rfc3339(),
            s.rows
        );
    }
    let c = &l.counts;
    let _ = writeln!(
        out,
        "totals: {} bars, {} quotes, {} trades, {} macro observations, {} quarantined rows, {} ingest runs",
        c.bars, c.quotes, c.trades, c.macro_series, c.quarantine, c.ingest_runs
    );
    out
}
