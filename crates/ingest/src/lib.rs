//! # emp-ingest — readers, the ingest plan and orchestrator, and the ingest evaluators
//!
//! Ingest in four pieces (readers below):
//!
//! * **Plan → orchestrator → journal.** An [`IngestPlan`] lists, per [`Dimension`] (daily
//!   bars, intraday bars, ticks, macro), the files to read, a symbol filter and a lookback.
//!   The [`Orchestrator`] reads them with [`open`], writes batches to an
//!   `emp_store::MarketDataStore` (rows and quarantine rows, idempotently) and journals one
//!   [`RunRecord`] per dimension in `telemetry.ingest_runs`. Time comes from an injected
//!   clock; run ids are deterministic ([`RunIds`]).
//! * **Recovery and failover.** [`plan_recovery`] is a pure function from (plan, results,
//!   attempt) to the retry plan: failed dimensions, missing symbols only, lookback ×
//!   multiplierⁿ. [`FailoverStore`] writes to the fallback (DuckDB) while the primary is
//!   unreachable or invalid, reports `telemetry.ingest.failover`, and backfills the primary
//!   afterwards — rows merge on their keys, so none is lost or doubled.
//! * **Schedule.** [`spawn_scheduled`] runs a job every interval ± seeded jitter under
//!   emp-bus's `TaskSupervisor`, and gives up after N consecutive failures.
//! * **Evaluators.** `telemetry.ingest.{health,metrics,quality,trends,observability}`,
//!   `telemetry.data_backbone.{retention,validation,readiness}` and
//!   `telemetry.operational.{backups,slos}`: pure `emp_telemetry::Evaluator`s with typed,
//!   validated policies, configured by the `ingest:` section ([`IngestConfig`]).
//!
//! ## Readers
//!
//! * **One call per file.** [`open`] picks the format (or detects it: [`Format::detect`]
//!   says which and why), infers the symbol and timeframe from the path, and returns a
//!   streaming [`Reader`]: constant memory, line by line, zip/gzip/tar entries streamed.
//! * **Nothing is dropped silently.** The reader is an iterator of
//!   `Result<Record, RowError>`: a row that does not parse or validate (high < low,
//!   non-positive price, duplicate or out-of-order time) is a [`RowError`] naming the file,
//!   line, column, reason and raw text — the quarantine record — and reading goes on. A file
//!   that cannot be read is an [`Error`]. [`Reader::finish`] returns the [`ReadSummary`].
//! * **Ticks to bars** with [`BarAggregator`], following Lean's convention (bar stamped at
//!   the start of its interval, no fill-forward), which reproduces Lean's own minute bars.
//!
//! Formats (`Format` names as on the command line) and their conventions:
//!
//! | format | input | records | default zone |
//! |---|---|---|---|
//! | `ohlcv-csv` | Yahoo/backtrader/pandas CSV, any column order, ISO, `M/D/YYYY`, `YYYYMMDD` dates | `Bar` (timeframe inferred from the first 32 rows' spacing) | UTC |
//! | `lean` | Lean zips: FX quote bars/ticks, equity trade/quote bars and ticks (× 10,000) | `Bar` by [`PriceSide`], `QuoteTick`, `TradeTick` | OANDA UTC, FXCM UTC−05, US equities New York |
//! | `histdata` | `YYYYMMDD HHMMSSfff,bid,ask,vol` | `QuoteTick` | UTC−05 |
//! | `truefx` | `timestamp,bid,ask` or `PAIR,time,bid,ask` | `QuoteTick` | UTC |
//! | `dukascopy` | delta-encoded JSON (one hour, parsed whole) | `QuoteTick` | UTC |
//! | `fred` | `Date,SERIES…`, `.` = missing | `MacroObservation` per column | UTC |
//! | `treasury-curve` | `Time Period,1month,…` | `MacroObservation` `UST_PAR_1M` … | UTC |
//! | `macro-table` | `year,quarter,…` / `period,…` (`YYYYQn`) | `MacroObservation` `<table>.<column>` | UTC |
//!
//! Prices stay exact decimals (no `f64` on the way); more than 9 decimals (float-printing
//! artifacts) are rounded half-even to 9. Bars and macro series need strictly increasing
//! times; ticks may share a millisecond. Crossed quotes (bid > ask) are kept and counted:
//! FXCM publishes many.
//!
//! ```
//! use emp_ingest::{open, Format, ReadOptions, Record};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("orcl-1995-2014.csv");
//! std::fs::write(&path, "Date,Open,High,Low,Close,Adj Close,Volume\n\
//!     1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200\n\
//!     1995-01-04,2.117284,1.9,2.1,2.12,1.88,1\n\
//!     1995-01-05,2.12,2.15,2.10,2.14,1.90,2\n")?;
//! let mut reader = open(&path, &ReadOptions::default())?;
//! let (mut bars, mut quarantined) = (0, Vec::new());
//! for item in reader.by_ref() {
//!     match item {
//!         Ok(Record::Bar(bar)) => { assert_eq!(bar.instrument.as_str(), "ORCL"); bars += 1 }
//!         Ok(_) => unreachable!(),
//!         Err(row) => quarantined.push(row),
//!     }
//! }
//! let summary = reader.finish()?;
//! assert_eq!(summary.format, Format::OhlcvCsv);
//! assert_eq!((bars, summary.rows), (2, 3));
//! assert_eq!(quarantined[0].line, 3); // high 1.9 < low 2.1
//! # Ok(())
//! # }
//! ```
// Table-driven tests spell their case tuples out inline.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::type_complexity))]

mod aggregate;
mod config;
mod dec;
mod error;
mod evaluators;
mod failover;
mod format;
mod options;
mod orchestrator;
mod plan;
mod reader;
mod readers;
mod recovery;
mod row;
mod run;
mod scheduler;
mod source;
mod time;
mod validate;

pub use aggregate::BarAggregator;
pub use config::{BOOTSTRAP_SAMPLES, IngestConfig, IngestPolicies, SampleFile, bootstrap_plan};
pub use error::{Error, Result, RowError};
pub use evaluators::{
    BackupPolicy, BackupRecord, BackupsEvaluator, DatasetCoverage, FreshnessTargets,
    HealthEvaluator, HealthPolicy, MetricsEvaluator, MetricsPolicy, ObservabilityEvaluator,
    ObservabilityPolicy, QualityEvaluator, QualityPolicy, ReadinessEvaluator, ReadinessInput,
    ReadinessPolicy, RetentionEvaluator, RetentionPolicy, RetentionTargets, SloEvaluator,
    SloObjective, SloPolicy, StoreState, TrendsEvaluator, TrendsPolicy, ValidationEvaluator,
    ValidationPolicy,
};
pub use failover::{BackfillReport, BusSnapshotSink, FailoverStore};
pub use format::{Detection, Format};
pub use options::{PriceSide, ReadOptions};
pub use orchestrator::{Orchestrator, run_record_from_journal, store_state};
pub use plan::{Dimension, DimensionPlan, IngestPlan, SourceSpec};
pub use reader::{ReadSummary, Reader, Record, open};
pub use recovery::{RecoveryPolicy, plan_recovery};
pub use run::{RunIds, RunRecord};
pub use scheduler::{Schedule, ScheduleConfig, run_scheduled, spawn_scheduled};
pub use time::{DateOrder, TimeZone};
