//! Value records exchanged with the stores.

use emp_model::{
    Bar, InstrumentId, MacroEvent, MacroObservation, QuoteTick, Timeframe, TradeTick, UnixNanos,
};
use emp_telemetry::Status;
use serde::{Deserialize, Serialize};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Embedded DuckDB file (the bootstrap tier).
    DuckDb,
    /// PostgreSQL, with or without TimescaleDB (the institutional tier).
    Postgres,
}

impl BackendKind {
    /// `"duckdb"` or `"postgres"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            BackendKind::DuckDb => "duckdb",
            BackendKind::Postgres => "postgres",
        }
    }
}

/// What the PostgreSQL server offered when the schema was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PgFlavor {
    /// TimescaleDB: bars, ticks and snapshots are hypertables with compression and retention.
    Timescale,
    /// Plain PostgreSQL: ordinary tables with BRIN indexes on time.
    Plain,
}

impl PgFlavor {
    /// `"timescale"` or `"plain"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PgFlavor::Timescale => "timescale",
            PgFlavor::Plain => "plain",
        }
    }
}

/// A half-open time interval `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    /// Inclusive start.
    pub start: UnixNanos,
    /// Exclusive end.
    pub end: UnixNanos,
}

impl TimeRange {
    /// `[start, end)`.
    pub const fn new(start: UnixNanos, end: UnixNanos) -> Self {
        TimeRange { start, end }
    }

    /// Every representable time.
    pub const fn all() -> Self {
        TimeRange {
            start: UnixNanos::new(i64::MIN),
            end: UnixNanos::MAX,
        }
    }
}

/// One data set whose latest timestamp can be asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// Bars of one instrument and timeframe.
    Bars {
        /// The instrument.
        instrument: InstrumentId,
        /// The bar length.
        timeframe: Timeframe,
    },
    /// Quotes of one instrument.
    Quotes(InstrumentId),
    /// Trades of one instrument.
    Trades(InstrumentId),
    /// One macro series.
    MacroSeries(String),
    /// The whole economic calendar.
    MacroEvents,
}

/// A source line that failed validation, kept with its reason (DESIGN §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineRecord {
    /// Source file (as the ingest plan names it).
    pub file: String,
    /// 1-based line number in that file.
    pub line: u64,
    /// Why the line was refused.
    pub reason: String,
    /// The line as read.
    pub raw_text: String,
}

/// The journal entry of an ingest run, written in the same transaction as its rows.
///
/// A run may write several batches: each batch upserts the run's row, adding its counts, so
/// the journal always equals what was committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestRun {
    /// Unique id of the run (a retry after a crash should use a new id).
    pub run_id: String,
    /// Ingest dimension, e.g. `fx_minute_bars`, `macro_series`.
    pub dimension: String,
    /// Status of the run as of this batch.
    pub status: Status,
    /// Data source name (also written to each row's `source` column).
    pub source: String,
    /// Symbols or series the run covers.
    pub symbols: Vec<String>,
    /// When the run started.
    pub started_at: UnixNanos,
    /// Run duration so far, in nanoseconds.
    pub duration_ns: i64,
    /// Age of the newest row at ingest time, in nanoseconds, when known.
    pub freshness_ns: Option<i64>,
    /// Free-form metadata (plan, file list, ...).
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// An ingest run as stored, with the totals the store counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestRunRecord {
    /// The run as last written.
    pub run: IngestRun,
    /// Rows newly inserted by all its batches (duplicates not counted).
    pub rows_written: u64,
    /// Quarantine rows submitted by all its batches.
    pub rows_quarantined: u64,
    /// Number of batches committed.
    pub batches: u64,
}

/// One atomic write: rows of any kinds plus the journal row, committed together or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteBatch {
    /// The journal entry this batch contributes to.
    pub run: IngestRun,
    /// Time stamped on every row's `ingested_at` (injected: the store reads no clock).
    pub ingested_at: UnixNanos,
    /// Bars.
    pub bars: Vec<Bar>,
    /// Quote ticks.
    pub quotes: Vec<QuoteTick>,
    /// Trade ticks.
    pub trades: Vec<TradeTick>,
    /// Macro series observations.
    pub macro_series: Vec<MacroObservation>,
    /// Economic-calendar events.
    pub macro_events: Vec<MacroEvent>,
    /// Quarantined source lines.
    pub quarantine: Vec<QuarantineRecord>,
    /// The `source` written on every row; `None`: the run's source. A run reading several
    /// files writes each file's rows under that file's name.
    pub row_source: Option<String>,
}

impl WriteBatch {
    /// An empty batch for `run`.
    pub fn new(run: IngestRun, ingested_at: UnixNanos) -> Self {
        WriteBatch {
            run,
            row_source: None,
            ingested_at,
            bars: Vec::new(),
            quotes: Vec::new(),
            trades: Vec::new(),
            macro_series: Vec::new(),
            macro_events: Vec::new(),
            quarantine: Vec::new(),
        }
    }

    /// Rows per table in this batch.
    pub fn submitted(&self) -> TableCounts {
        TableCounts {
            bars: self.bars.len() as u64,
            quotes: self.quotes.len() as u64,
            trades: self.trades.len() as u64,
            quarantine: self.quarantine.len() as u64,
            macro_series: self.macro_series.len() as u64,
            macro_events: self.macro_events.len() as u64,
            ..TableCounts::default()
        }
    }
}

/// Row counts per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCounts {
    /// `market_data.bars`
    pub bars: u64,
    /// `market_data.quotes`
    pub quotes: u64,
    /// `market_data.trades`
    pub trades: u64,
    /// `market_data.quarantine`
    pub quarantine: u64,
    /// `macro_data.series`
    pub macro_series: u64,
    /// `macro_data.events`
    pub macro_events: u64,
    /// `telemetry.ingest_runs`
    pub ingest_runs: u64,
    /// `telemetry.snapshots`
    pub snapshots: u64,
    /// `strategy.registry`
    pub strategies: u64,
}

impl TableCounts {
    /// Market and macro data rows (everything an ingest writes except quarantine).
    pub fn data_rows(&self) -> u64 {
        self.bars + self.quotes + self.trades + self.macro_series + self.macro_events
    }
}

/// What a committed [`WriteBatch`] did. Only returned after `COMMIT` succeeded: holding one
/// means the rows are durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteReport {
    /// Rows in the batch, per table.
    pub submitted: TableCounts,
    /// Rows that were new (the rest already existed under the same key), per table.
    pub inserted: TableCounts,
}

impl WriteReport {
    /// New data rows (the journal's `rows_written`).
    pub fn rows_written(&self) -> u64 {
        self.inserted.data_rows()
    }

    /// Submitted data rows that were already stored.
    pub fn duplicates(&self) -> u64 {
        self.submitted
            .data_rows()
            .saturating_sub(self.inserted.data_rows())
    }
}

/// State of a store for health and validation reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreHealth {
    /// The engine.
    pub backend: BackendKind,
    /// File path (DuckDB) or server address with the password redacted (PostgreSQL).
    pub location: String,
    /// Applied schema version.
    pub schema_version: i64,
    /// PostgreSQL flavour; `None` for DuckDB.
    pub pg_flavor: Option<PgFlavor>,
    /// Rows per table.
    pub counts: TableCounts,
}

/// One stored series: what `emp data ls` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRow {
    /// `bars`, `quotes`, `trades` or `macro`.
    pub kind: String,
    /// Instrument, or series id for macro data.
    pub symbol: String,
    /// Bar timeframe (`1d`, `1m`, ...); `None` for ticks and macro series.
    pub timeframe: Option<String>,
    /// Oldest timestamp.
    pub first: UnixNanos,
    /// Newest timestamp.
    pub last: UnixNanos,
    /// Rows stored.
    pub rows: u64,
}
