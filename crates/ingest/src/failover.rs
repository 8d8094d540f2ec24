//! Store failover: ingest keeps writing when the institutional store is down, and catches
//! it up afterwards without losing or doubling a row.

use std::collections::BTreeMap;
use std::sync::Arc;

use emp_model::{
    Bar, Clock, InstrumentId, MacroEvent, MacroObservation, QuoteTick, Timeframe, TradeTick,
    UnixNanos,
};
use emp_store::{
    BackendKind, Dataset, ErrorClass, IngestRun, IngestRunRecord, MarketDataStore,
    QuarantineRecord, StoreHealth, TableCounts, TimeRange, WriteBatch, WriteReport,
};
use emp_telemetry::{Check, Snapshot, SnapshotSink, topics};
use parking_lot::Mutex;

/// One batch written to the fallback while the primary was away: what to copy back.
#[derive(Debug, Clone)]
struct PendingBatch {
    /// Order of arrival (several batches of one run may share a clock reading).
    seq: u64,
    run: IngestRun,
    row_source: Option<String>,
    ingested_at: UnixNanos,
    /// Data sets touched and the inclusive time range of the rows written to each.
    ranges: BTreeMap<DatasetKey, (UnixNanos, UnixNanos)>,
    /// Quarantine rows cannot be read back by range, so they are kept (they are few).
    quarantine: Vec<QuarantineRecord>,
    rows: u64,
}

/// An orderable stand-in for `emp_store::Dataset`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum DatasetKey {
    Bars(String, u32),
    Quotes(String),
    Trades(String),
    Series(String),
    Events,
}

#[derive(Debug, Default)]
struct State {
    active: bool,
    /// The primary passed validation since the last failover; until then every write
    /// probes its health first.
    validated: bool,
    reason: Option<String>,
    pending: Vec<PendingBatch>,
    next_seq: u64,
    failovers: u64,
    backfilled_rows: u64,
}

/// What a [`FailoverStore::backfill`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BackfillReport {
    /// Fallback batches copied to the primary.
    pub batches: u64,
    /// Rows read back from the fallback and submitted.
    pub rows_submitted: u64,
    /// Rows that were new in the primary (the rest were already there).
    pub rows_inserted: u64,
}

/// A `MarketDataStore` over a primary (PostgreSQL) and a fallback (DuckDB).
///
/// Writes go to the primary. When it is unreachable (a transient or fatal store error) or
/// fails validation (its `health()` errors or reports a schema older than required), the
/// batch goes to the fallback instead, a `telemetry.ingest.failover` snapshot is written to
/// the sink, and the batch's data sets and time ranges are remembered. Once the primary is
/// healthy again, [`backfill`](FailoverStore::backfill) (called automatically before the
/// next write reaches the primary) reads those ranges back from the fallback and writes
/// them to the primary under the same run ids. Both stores merge on the row key, so a
/// backfill that is interrupted and repeated inserts nothing twice.
pub struct FailoverStore {
    primary: Arc<dyn MarketDataStore>,
    fallback: Arc<dyn MarketDataStore>,
    clock: Arc<dyn Clock>,
    sink: Arc<dyn SnapshotSink>,
    min_schema_version: i64,
    state: Mutex<State>,
}

impl std::fmt::Debug for FailoverStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.state.lock();
        f.debug_struct("FailoverStore")
            .field("active", &st.active)
            .field("pending", &st.pending.len())
            .finish_non_exhaustive()
    }
}

impl FailoverStore {
    /// Failover from `primary` to `fallback`, reporting transitions to `sink` (the failover
    /// publisher or a journal).
    pub fn new(
        primary: Arc<dyn MarketDataStore>,
        fallback: Arc<dyn MarketDataStore>,
        clock: Arc<dyn Clock>,
        sink: Arc<dyn SnapshotSink>,
    ) -> Self {
        FailoverStore {
            primary,
            fallback,
            clock,
            sink,
            min_schema_version: 1,
            state: Mutex::new(State::default()),
        }
    }

    /// The primary fails validation below this schema version (default 1).
    #[must_use]
    pub fn with_min_schema_version(mut self, version: i64) -> Self {
        self.min_schema_version = version;
        self
    }

    /// Whether writes currently go to the fallback.
    pub fn is_failover_active(&self) -> bool {
        self.state.lock().active
    }

    /// Fallback batches not yet copied to the primary, and their rows.
    pub fn pending_backfill(&self) -> (usize, u64) {
        let st = self.state.lock();
        (st.pending.len(), st.pending.iter().map(|p| p.rows).sum())
    }

    /// How many times writes switched to the fallback.
    pub fn failover_count(&self) -> u64 {
        self.state.lock().failovers
    }

    /// Why the primary is not used: `None` when it is.
    fn primary_problem(&self) -> Option<String> {
        match self.primary.health() {
            Err(e) => Some(format!("primary unreachable: {e}")),
            Ok(h) if h.schema_version < self.min_schema_version => Some(format!(
                "primary failed validation: schema v{} < v{}",
                h.schema_version, self.min_schema_version
            )),
            Ok(_) => None,
        }
    }

    /// Copies every batch written to the fallback during failover into the primary. Stops at
    /// the first primary error (the rest stay pending; a retry is idempotent).
    pub fn backfill(&self) -> emp_store::Result<BackfillReport> {
        let pending: Vec<PendingBatch> = self.state.lock().pending.clone();
        let mut report = BackfillReport::default();
        for p in &pending {
            let mut batch = WriteBatch::new(p.run.clone(), p.ingested_at);
            batch.row_source.clone_from(&p.row_source);
            for (key, (lo, hi)) in &p.ranges {
                let range = TimeRange::new(*lo, UnixNanos::new(hi.as_i64().saturating_add(1)));
                match key {
                    DatasetKey::Bars(sym, secs) => {
                        let tf = Timeframe::from_secs(*secs).map_err(|source| {
                            emp_store::Error::Model {
                                table: "market_data.bars",
                                source,
                            }
                        })?;
                        batch
                            .bars
                            .extend(self.fallback.read_bars(&instrument(sym)?, tf, range)?);
                    }
                    DatasetKey::Quotes(sym) => batch
                        .quotes
                        .extend(self.fallback.read_quotes(&instrument(sym)?, range)?),
                    DatasetKey::Trades(sym) => batch
                        .trades
                        .extend(self.fallback.read_trades(&instrument(sym)?, range)?),
                    DatasetKey::Series(id) => batch
                        .macro_series
                        .extend(self.fallback.read_macro_series(id, range)?),
                    DatasetKey::Events => batch
                        .macro_events
                        .extend(self.fallback.read_macro_events(range)?),
                }
            }
            batch.quarantine = p.quarantine.clone();
            let written = self.primary.write_batch(&batch)?;
            report.batches += 1;
            report.rows_submitted += written.submitted.data_rows();
            report.rows_inserted += written.rows_written();
            let mut st = self.state.lock();
            st.pending.retain(|q| q.seq != p.seq);
            st.backfilled_rows += written.rows_written();
        }
        {
            // Caught up: the primary is in use again.
            let mut st = self.state.lock();
            if st.pending.is_empty() {
                st.active = false;
                // Batches just went through: the primary answers.
                st.validated = report.batches > 0;
                st.reason = None;
            }
        }
        if report.batches > 0 {
            let st = self.state.lock();
            let snap = Snapshot::new(
                topics::INGEST_FAILOVER,
                self.clock.now(),
                vec![
                    Check::ok("primary", "primary store reachable again")
                        .with_value(self.primary.backend().as_str()),
                    Check::ok(
                        "backfill",
                        format!(
                            "{} batches, {} rows copied ({} new)",
                            report.batches, report.rows_submitted, report.rows_inserted
                        ),
                    )
                    .with_value(report.rows_inserted),
                    Check::new(
                        "pending",
                        if st.pending.is_empty() {
                            emp_telemetry::Status::Ok
                        } else {
                            emp_telemetry::Status::Warn
                        },
                        format!("{} batches pending", st.pending.len()),
                    )
                    .with_value(st.pending.len() as u64),
                ],
            )
            .with_metadata("failovers", st.failovers)
            .with_metadata("backfilled_rows", st.backfilled_rows);
            drop(st);
            self.publish(&snap);
        }
        Ok(report)
    }

    fn publish(&self, snap: &Snapshot) {
        if let Err(e) = self.sink.write(snap) {
            tracing::warn!(error = %e, topic = snap.topic(), "failover snapshot not delivered");
        }
    }

    fn enter_failover(&self, reason: String, run_id: &str) {
        let mut st = self.state.lock();
        let first = !st.active;
        st.active = true;
        st.validated = false;
        st.reason = Some(reason.clone());
        if first {
            st.failovers += 1;
        }
        let failovers = st.failovers;
        drop(st);
        if first {
            tracing::warn!(%reason, run_id, "ingest failing over to the {} store", self.fallback.backend().as_str());
            let snap = Snapshot::new(
                topics::INGEST_FAILOVER,
                self.clock.now(),
                vec![
                    Check::warn("primary", reason).with_value(self.primary.backend().as_str()),
                    Check::ok(
                        "fallback",
                        format!("writing to {}", self.fallback.backend().as_str()),
                    )
                    .with_value(self.fallback.backend().as_str()),
                ],
            )
            .with_metadata("run_id", run_id.to_string())
            .with_metadata("failovers", failovers);
            self.publish(&snap);
        }
    }

    fn write_fallback(&self, batch: &WriteBatch) -> emp_store::Result<WriteReport> {
        let report = self.fallback.write_batch(batch)?;
        let mut pending = pending_of(batch);
        // Journal-only batches are kept too: the primary's journal must get the run's row.
        let mut st = self.state.lock();
        pending.seq = st.next_seq;
        st.next_seq += 1;
        st.pending.push(pending);
        Ok(report)
    }

    fn current(&self) -> &Arc<dyn MarketDataStore> {
        if self.state.lock().active {
            &self.fallback
        } else {
            &self.primary
        }
    }
}

fn instrument(sym: &str) -> emp_store::Result<InstrumentId> {
    InstrumentId::try_new(sym).map_err(|source| emp_store::Error::Model {
        table: "market_data",
        source,
    })
}

fn widen(
    ranges: &mut BTreeMap<DatasetKey, (UnixNanos, UnixNanos)>,
    key: DatasetKey,
    ts: UnixNanos,
) {
    let e = ranges.entry(key).or_insert((ts, ts));
    e.0 = e.0.min(ts);
    e.1 = e.1.max(ts);
}

fn pending_of(batch: &WriteBatch) -> PendingBatch {
    let mut ranges = BTreeMap::new();
    for b in &batch.bars {
        widen(
            &mut ranges,
            DatasetKey::Bars(b.instrument.as_str().into(), b.timeframe.as_secs()),
            b.ts_open,
        );
    }
    for q in &batch.quotes {
        widen(
            &mut ranges,
            DatasetKey::Quotes(q.instrument.as_str().into()),
            q.ts,
        );
    }
    for t in &batch.trades {
        widen(
            &mut ranges,
            DatasetKey::Trades(t.instrument.as_str().into()),
            t.ts,
        );
    }
    for m in &batch.macro_series {
        widen(&mut ranges, DatasetKey::Series(m.series_id.clone()), m.ts);
    }
    for e in &batch.macro_events {
        widen(&mut ranges, DatasetKey::Events, e.ts);
    }
    PendingBatch {
        seq: 0,
        run: batch.run.clone(),
        row_source: batch.row_source.clone(),
        ingested_at: batch.ingested_at,
        ranges,
        quarantine: batch.quarantine.clone(),
        rows: batch.submitted().data_rows(),
    }
}

impl MarketDataStore for FailoverStore {
    fn backend(&self) -> BackendKind {
        self.current().backend()
    }

    fn write_batch(&self, batch: &WriteBatch) -> emp_store::Result<WriteReport> {
        if self.is_failover_active() {
            if self.primary_problem().is_some() {
                return self.write_fallback(batch);
            }
            // The primary is back: catch it up first, so its rows stay in time order per run.
            if let Err(e) = self.backfill() {
                tracing::warn!(error = %e, "backfill failed; staying on the fallback");
                return self.write_fallback(batch);
            }
            if self.is_failover_active() {
                return self.write_fallback(batch);
            }
        } else if !self.state.lock().validated {
            if let Some(reason) = self.primary_problem() {
                self.enter_failover(reason, &batch.run.run_id);
                return self.write_fallback(batch);
            }
            self.state.lock().validated = true;
        }
        match self.primary.write_batch(batch) {
            Ok(r) => Ok(r),
            Err(e) if e.class() == ErrorClass::Rejected => Err(e),
            Err(e) => {
                self.enter_failover(format!("primary write failed: {e}"), &batch.run.run_id);
                self.write_fallback(batch)
            }
        }
    }

    fn read_bars(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        range: TimeRange,
    ) -> emp_store::Result<Vec<Bar>> {
        self.current().read_bars(instrument, timeframe, range)
    }

    fn read_quotes(
        &self,
        instrument: &InstrumentId,
        range: TimeRange,
    ) -> emp_store::Result<Vec<QuoteTick>> {
        self.current().read_quotes(instrument, range)
    }

    fn read_trades(
        &self,
        instrument: &InstrumentId,
        range: TimeRange,
    ) -> emp_store::Result<Vec<TradeTick>> {
        self.current().read_trades(instrument, range)
    }

    fn read_macro_series(
        &self,
        series_id: &str,
        range: TimeRange,
    ) -> emp_store::Result<Vec<MacroObservation>> {
        self.current().read_macro_series(series_id, range)
    }

    fn read_macro_events(&self, range: TimeRange) -> emp_store::Result<Vec<MacroEvent>> {
        self.current().read_macro_events(range)
    }

    fn latest_timestamp(&self, dataset: &Dataset) -> emp_store::Result<Option<UnixNanos>> {
        self.current().latest_timestamp(dataset)
    }

    fn counts(&self) -> emp_store::Result<TableCounts> {
        self.current().counts()
    }

    fn inventory(&self) -> emp_store::Result<Vec<emp_store::InventoryRow>> {
        self.current().inventory()
    }

    fn ingest_runs(&self, limit: usize) -> emp_store::Result<Vec<IngestRunRecord>> {
        self.current().ingest_runs(limit)
    }

    fn health(&self) -> emp_store::Result<StoreHealth> {
        self.current().health()
    }
}

/// Publishes failover snapshots on the runtime bus (`try_publish`: the store path is
/// synchronous), so `telemetry.ingest.failover` reaches every subscriber. Wrap it, or use
/// the journal, when the bus may be down.
#[derive(Clone)]
pub struct BusSnapshotSink {
    bus: emp_bus::EventBus,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BusSnapshotSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusSnapshotSink").finish_non_exhaustive()
    }
}

impl BusSnapshotSink {
    pub fn new(bus: emp_bus::EventBus, clock: Arc<dyn Clock>) -> Self {
        BusSnapshotSink { bus, clock }
    }
}

impl SnapshotSink for BusSnapshotSink {
    fn write(&self, snapshot: &Snapshot) -> Result<(), emp_telemetry::SinkError> {
        self.bus
            .try_publish(emp_bus::Event::snapshot(snapshot.clone(), self.clock.now()))
            .map_err(|e| emp_telemetry::SinkError::new("publish on the event bus", e))
    }
}
