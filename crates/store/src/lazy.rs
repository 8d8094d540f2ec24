//! A store that connects on first use and again after a failed connect, so a process can
//! start while its institutional store is down and use it once it is back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use emp_model::{
    Bar, InstrumentId, MacroEvent, MacroObservation, QuoteTick, Timeframe, TradeTick, UnixNanos,
};
use emp_telemetry::Snapshot;
use parking_lot::Mutex;

use crate::audit::{BackupEntry, ExecutionJournalRow};
use crate::config::{Store, StoreConfig};
use crate::error::{Error, Result};
use crate::store::{MarketDataStore, SnapshotStore};
use crate::types::{
    BackendKind, Dataset, IngestRunRecord, InventoryRow, StoreHealth, TableCounts, TimeRange,
    WriteBatch, WriteReport,
};

/// [`Store::open`] deferred until needed. Every call opens the store if it is not open yet
/// (an unreachable server is that call's error); once open, the backend keeps itself
/// connected (PostgreSQL reconnects after a dropped connection).
pub struct LazyStore {
    config: StoreConfig,
    open: Mutex<Option<Arc<Store>>>,
    /// The last failed attempt: calls within `retry_every` of it fail at once with its
    /// reason instead of waiting on another connect timeout.
    failed: Mutex<Option<(Instant, String)>>,
    retry_every: Duration,
}

impl std::fmt::Debug for LazyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyStore")
            .field("backend", &self.config.backend)
            .field("open", &self.open.lock().is_some())
            .finish_non_exhaustive()
    }
}

impl LazyStore {
    /// A store opened on first use with `config` (validated then).
    pub fn new(config: StoreConfig) -> Self {
        LazyStore {
            config,
            open: Mutex::new(None),
            failed: Mutex::new(None),
            retry_every: Duration::from_secs(2),
        }
    }

    /// How long after a failed open calls fail fast before the next attempt (default 2 s).
    #[must_use]
    pub fn with_retry_every(mut self, every: Duration) -> Self {
        self.retry_every = every;
        self
    }

    /// The open store, opening it now if needed.
    pub fn get(&self) -> Result<Arc<Store>> {
        let mut open = self.open.lock();
        if let Some(store) = open.as_ref() {
            return Ok(store.clone());
        }
        let mut failed = self.failed.lock();
        if let Some((at, reason)) = failed.as_ref() {
            if at.elapsed() < self.retry_every {
                return Err(Error::Unavailable {
                    backend: self.config.backend.as_str(),
                    reason: reason.clone(),
                });
            }
        }
        match Store::open(&self.config) {
            Ok(store) => {
                let store = Arc::new(store);
                *open = Some(store.clone());
                *failed = None;
                Ok(store)
            }
            Err(e) => {
                *failed = Some((Instant::now(), error_chain(&e)));
                Err(e)
            }
        }
    }

    /// Close the store if it is open (a later call opens it again).
    pub fn close(&self) {
        if let Some(store) = self.open.lock().take() {
            drop_off_runtime(store);
        }
    }

    /// The store if it is open already (never connects).
    pub fn if_open(&self) -> Option<Arc<Store>> {
        self.open.lock().clone()
    }
}

impl Drop for LazyStore {
    fn drop(&mut self) {
        if let Some(store) = self.open.get_mut().take() {
            drop_off_runtime(store);
        }
    }
}

impl MarketDataStore for LazyStore {
    fn backend(&self) -> BackendKind {
        self.config.backend
    }
    fn write_batch(&self, batch: &WriteBatch) -> Result<WriteReport> {
        self.get()?.write_batch(batch)
    }
    fn read_bars(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        range: TimeRange,
    ) -> Result<Vec<Bar>> {
        self.get()?.read_bars(instrument, timeframe, range)
    }
    fn read_quotes(&self, instrument: &InstrumentId, range: TimeRange) -> Result<Vec<QuoteTick>> {
        self.get()?.read_quotes(instrument, range)
    }
    fn read_trades(&self, instrument: &InstrumentId, range: TimeRange) -> Result<Vec<TradeTick>> {
        self.get()?.read_trades(instrument, range)
    }
    fn read_macro_series(
        &self,
        series_id: &str,
        range: TimeRange,
    ) -> Result<Vec<MacroObservation>> {
        self.get()?.read_macro_series(series_id, range)
    }
    fn read_macro_events(&self, range: TimeRange) -> Result<Vec<MacroEvent>> {
        self.get()?.read_macro_events(range)
    }
    fn latest_timestamp(&self, dataset: &Dataset) -> Result<Option<UnixNanos>> {
        self.get()?.latest_timestamp(dataset)
    }
    fn counts(&self) -> Result<TableCounts> {
        self.get()?.counts()
    }
    fn inventory(&self) -> Result<Vec<InventoryRow>> {
        self.get()?.inventory()
    }
    fn ingest_runs(&self, limit: usize) -> Result<Vec<IngestRunRecord>> {
        self.get()?.ingest_runs(limit)
    }
    fn health(&self) -> Result<StoreHealth> {
        self.get()?.health()
    }
}

impl SnapshotStore for LazyStore {
    fn append_snapshot(&self, snapshot: &Snapshot) -> Result<bool> {
        self.get()?.append_snapshot(snapshot)
    }
    fn snapshots(&self, topic: &str, limit: usize) -> Result<Vec<Snapshot>> {
        self.get()?.snapshots(topic, limit)
    }
    fn execution_journal(&self, limit: usize) -> Result<Vec<ExecutionJournalRow>> {
        self.get()?.execution_journal(limit)
    }
    fn record_backup(&self, backup: &BackupEntry) -> Result<bool> {
        self.get()?.record_backup(backup)
    }
    fn latest_backup(&self) -> Result<Option<BackupEntry>> {
        self.get()?.latest_backup()
    }
}

/// Drop a store on a plain thread: PostgreSQL's synchronous client owns a small tokio
/// runtime, which must not be dropped on an async thread (tokio panics).
fn drop_off_runtime(store: Arc<Store>) {
    let _ = std::thread::spawn(move || drop(store)).join();
}

/// An error with its sources, on one line.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}
