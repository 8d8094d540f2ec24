//! emp-store: EMP's storage of market data, macro data and telemetry journals.
//!
//! # The interface
//!
//! [`MarketDataStore`] is the one interface the rest of the system uses: write a
//! [`WriteBatch`], read a time range of bars / ticks / macro data, ask the latest timestamp of
//! a [`Dataset`], count rows, report [`StoreHealth`]. [`SnapshotStore`] journals telemetry
//! snapshots; [`SnapshotJournal`] wraps it as emp-telemetry's `SnapshotSink` (the failover
//! publisher's fallback). Every call blocks: the core is synchronous, async edges use
//! `spawn_blocking`.
//!
//! # Two backends, one schema
//!
//! * [`DuckDbStore`] — embedded DuckDB, one file in the data directory (the bootstrap tier).
//! * [`PgStore`] — PostgreSQL; when the `timescaledb` extension is available the bars, ticks
//!   and snapshots become hypertables with compression and retention policies
//!   ([`PgFlavor::Timescale`]), otherwise plain tables with BRIN time indexes
//!   ([`PgFlavor::Plain`]).
//!
//! [`Store`] picks one from a [`StoreConfig`]. Both create the DESIGN §4 schema
//! (`market_data.*`, `macro_data.*`, `telemetry.*`, `strategy.registry`) through versioned
//! migrations recorded in `schema_migrations`, applied on open (re-applying is a no-op).
//! Times are `BIGINT` nanoseconds and fixed-point prices/quantities are `BIGINT` raw values plus
//! a `SMALLINT` precision — lossless and identical in both engines (see the schema module
//! docs for why not `DECIMAL`). Both backends run the same SQL for merges and reads, written
//! once against a small internal connection trait.
//!
//! # Idempotent, crash-safe writes
//!
//! [`MarketDataStore::write_batch`] runs one transaction: rows are bulk-loaded into a
//! per-connection temporary staging table (DuckDB's appender, PostgreSQL's binary `COPY`),
//! merged into the target with `INSERT … SELECT DISTINCT ON (key) … ON CONFLICT DO NOTHING`,
//! and the run's journal row in `telemetry.ingest_runs` is upserted (its counts add up the
//! rows that were actually new) before `COMMIT`. So writing a batch twice stores every row
//! once, and a writer killed mid-batch leaves either the whole batch or none of it: re-running
//! the import converges to exactly one copy of every row. A [`WriteReport`] is only returned
//! after the commit succeeded.
//!
//! # Example
//!
//! ```
//! use emp_model::{Bar, InstrumentId, Price, Quantity, Timeframe, UnixNanos};
//! use emp_store::{DuckDbStore, IngestRun, MarketDataStore, TimeRange, WriteBatch};
//! use emp_telemetry::Status;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let store = DuckDbStore::open(dir.path().join("data/emp.duckdb"))?;
//!
//! let eurusd = InstrumentId::try_new("EURUSD")?;
//! let px = |s: &str| Price::try_parse(s);
//! let bar = Bar::try_new(
//!     eurusd.clone(),
//!     Timeframe::M1,
//!     UnixNanos::from_secs(1_700_000_040),
//!     px("1.08450")?, px("1.08462")?, px("1.08441")?, px("1.08455")?,
//!     Quantity::try_parse("125")?,
//! )?;
//! let run = IngestRun {
//!     run_id: "run-1".into(),
//!     dimension: "fx_minute_bars".into(),
//!     status: Status::Ok,
//!     source: "example".into(),
//!     symbols: vec!["EURUSD".into()],
//!     started_at: UnixNanos::from_secs(1_700_000_100),
//!     duration_ns: 1_000_000,
//!     freshness_ns: None,
//!     metadata: Default::default(),
//! };
//! let mut batch = WriteBatch::new(run, UnixNanos::from_secs(1_700_000_101));
//! batch.bars.push(bar.clone());
//!
//! let first = store.write_batch(&batch)?;
//! let again = store.write_batch(&batch)?; // idempotent: nothing new
//! assert_eq!((first.rows_written(), again.rows_written(), again.duplicates()), (1, 0, 1));
//!
//! let bars = store.read_bars(&eurusd, Timeframe::M1, TimeRange::all())?;
//! assert_eq!(bars, vec![bar]);
//! let runs = store.ingest_runs(10)?;
//! assert_eq!((runs[0].rows_written, runs[0].batches), (1, 2));
//! # Ok(())
//! # }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod audit;
mod backend;
mod backup;
mod config;
mod duck;
mod error;
mod journal;
mod lazy;
mod ops;
mod pg;
mod registry;
mod rows;
mod schema;
mod sql;
mod store;
mod types;

pub use crate::audit::{BackupEntry, ExecutionJournalRow};
pub use crate::config::{SecretUrl, Store, StoreConfig};
pub use crate::duck::DuckDbStore;
pub use crate::error::{Error, ErrorClass, Result};
pub use crate::journal::SnapshotJournal;
pub use crate::lazy::LazyStore;
pub use crate::pg::{PgStore, TimescalePolicy};
pub use crate::registry::{CHAMPION, StrategyRecord};
pub use crate::store::{MarketDataStore, SnapshotStore};
pub use crate::types::{
    BackendKind, Dataset, IngestRun, IngestRunRecord, InventoryRow, PgFlavor, QuarantineRecord,
    StoreHealth, TableCounts, TimeRange, WriteBatch, WriteReport,
};
