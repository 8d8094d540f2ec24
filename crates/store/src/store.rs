//! The store traits both backends implement.

use emp_model::{
    Bar, InstrumentId, MacroEvent, MacroObservation, QuoteTick, Timeframe, TradeTick, UnixNanos,
};
use emp_telemetry::Snapshot;

use crate::audit::{BackupEntry, ExecutionJournalRow};
use crate::error::Result;
use crate::types::{
    BackendKind, Dataset, IngestRunRecord, InventoryRow, StoreHealth, TableCounts, TimeRange,
    WriteBatch, WriteReport,
};

/// Market and macro data storage: the data backbone's one interface, whatever the engine.
///
/// All methods block (the core is synchronous, DESIGN §2); async callers use
/// `tokio::task::spawn_blocking`. Implementations are `Send + Sync` and serialise access to
/// their connection internally, so a store is shared as `Arc<dyn MarketDataStore>`.
pub trait MarketDataStore: Send + Sync {
    /// Which engine this is.
    fn backend(&self) -> BackendKind;

    /// Write one batch atomically and idempotently: every row lands exactly once (rows whose key
    /// already exists are left as they are), and the batch's journal row in
    /// `telemetry.ingest_runs` is updated in the same transaction. Writing the same batch again,
    /// or re-running a write that was killed half-way, leaves one copy of every row.
    fn write_batch(&self, batch: &WriteBatch) -> Result<WriteReport>;

    /// Bars of `instrument`/`timeframe` with `ts_open` in `range`, oldest first.
    fn read_bars(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        range: TimeRange,
    ) -> Result<Vec<Bar>>;

    /// Quotes of `instrument` in `range`, oldest first.
    fn read_quotes(&self, instrument: &InstrumentId, range: TimeRange) -> Result<Vec<QuoteTick>>;

    /// Trades of `instrument` in `range`, oldest first.
    fn read_trades(&self, instrument: &InstrumentId, range: TimeRange) -> Result<Vec<TradeTick>>;

    /// Observations of one macro series in `range`, oldest first.
    fn read_macro_series(&self, series_id: &str, range: TimeRange)
    -> Result<Vec<MacroObservation>>;

    /// Economic-calendar events in `range`, oldest first.
    fn read_macro_events(&self, range: TimeRange) -> Result<Vec<MacroEvent>>;

    /// Newest timestamp stored for `dataset` (`None` when it has no rows): freshness checks and
    /// incremental ingest start from here.
    fn latest_timestamp(&self, dataset: &Dataset) -> Result<Option<UnixNanos>>;

    /// Row counts of every table.
    fn counts(&self) -> Result<TableCounts>;

    /// Every stored series (bars per symbol and timeframe, ticks and macro series per symbol)
    /// with its first and last timestamp and row count.
    fn inventory(&self) -> Result<Vec<InventoryRow>>;

    /// The most recent ingest runs, newest first.
    fn ingest_runs(&self, limit: usize) -> Result<Vec<IngestRunRecord>>;

    /// Backend, location, schema version, flavour and counts — for health and validation
    /// snapshots. An error here means the store is unreachable or broken.
    fn health(&self) -> Result<StoreHealth>;
}

/// The journal of published snapshots (`telemetry.snapshots`).
pub trait SnapshotStore: Send + Sync {
    /// Journal `snapshot`; `Ok(false)` when the same `(topic, generated_at)` is already there.
    fn append_snapshot(&self, snapshot: &Snapshot) -> Result<bool>;

    /// The newest `limit` snapshots of `topic`, newest first.
    fn snapshots(&self, topic: &str, limit: usize) -> Result<Vec<Snapshot>>;

    /// The newest `limit` rows of `telemetry.execution_snapshots` (every journaled
    /// `telemetry.operational.execution` snapshot gets one), newest first.
    fn execution_journal(&self, limit: usize) -> Result<Vec<ExecutionJournalRow>>;

    /// Record a backup in `telemetry.backups`; `Ok(false)` if already recorded.
    fn record_backup(&self, backup: &BackupEntry) -> Result<bool>;

    /// The most recent recorded backup.
    fn latest_backup(&self) -> Result<Option<BackupEntry>>;
}
