//! The data-backbone commands: `emp ingest-once`, `emp backup`, `emp failover-drill`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use emp_ingest::{BackupsEvaluator, BusSnapshotSink, FailoverStore, Orchestrator, bootstrap_plan};
use emp_store::{
    BackendKind, Dataset, IngestRunRecord, InventoryRow, MarketDataStore, StoreHealth, TableCounts,
    TimeRange, WriteBatch, WriteReport,
};
use emp_telemetry::{Check, Evaluator, Snapshot, Status, topics};

use crate::commands::print_out;
use crate::config::Config;
use crate::ingest::{IngestOutcome, IngestService, describe_plan};
use crate::runtime::{RunOptions, Runtime, RuntimeState};
use crate::stores::blocking;

/// A runtime for a one-shot command: bus, publisher and the store journal, no trading.
fn one_shot_runtime(config: Config) -> anyhow::Result<Runtime> {
    let rt = Runtime::start(
        config,
        RunOptions {
            no_trading: true,
            journal_to_store: true,
        },
    )?;
    rt.set_state(RuntimeState::Running);
    Ok(rt)
}

/// Publish `snapshots`, then stop the bus so the store journal has written every one.
async fn publish_all(rt: &Runtime, snapshots: &[Snapshot]) -> anyhow::Result<()> {
    for s in snapshots {
        rt.publish(s.clone()).await?;
    }
    rt.bus().stop().await;
    rt.flush_journal()?;
    Ok(())
}

/// `emp ingest-once`.
pub(crate) async fn ingest_once(config: Config, json: bool) -> anyhow::Result<()> {
    let rt = one_shot_runtime(config.clone())?;
    let sink = Arc::new(BusSnapshotSink::new(rt.bus().clone(), rt.clock()));
    let target = rt.stores().ingest_target(rt.clock(), sink);
    let service = IngestService::new(&config, rt.stores().clone(), target, rt.clock());
    if !json {
        eprintln!(
            "emp ingest-once: {} → {}",
            describe_plan(&config.raw().ingest),
            blocking(|| rt.stores().status())
        );
    }
    let outcome = tokio::task::spawn_blocking(move || service.run_once()).await??;
    publish_all(&rt, &outcome.snapshots).await?;
    if json {
        let doc = serde_json::json!({
            "outcome": outcome,
            "snapshots": outcome.snapshots.iter().map(Snapshot::to_json).collect::<Vec<_>>(),
        });
        print_out(&(serde_json::to_string_pretty(&doc)? + "\n"));
    } else {
        print_out(&render_outcome(&outcome));
    }
    if outcome.succeeded() {
        Ok(())
    } else {
        anyhow::bail!("ingest failed for at least one dimension (see above)")
    }
}

fn render_outcome(o: &IngestOutcome) -> String {
    let mut out = String::new();
    if !o.bootstrap.is_empty() {
        let _ = writeln!(
            out,
            "first run: the store was empty; loaded the bundled sample"
        );
    }
    let _ = writeln!(
        out,
        "{:<5} {:<14} {:>8} {:>10} {:>10} {:>11} {:>9}  source",
        "", "dimension", "symbols", "rows read", "new rows", "quarantined", "seconds"
    );
    for r in o.all_runs() {
        let _ = writeln!(
            out,
            "{:<5} {:<14} {:>8} {:>10} {:>10} {:>11} {:>9.2}  {}{}",
            r.status.as_str(),
            r.dimension.as_str(),
            r.symbols.len(),
            r.rows_read,
            r.rows_written,
            r.rows_quarantined,
            r.duration_ns as f64 / 1e9,
            r.source,
            r.error
                .as_deref()
                .map(|e| format!("  error: {e}"))
                .unwrap_or_default()
        );
    }
    if o.failover_active {
        let _ = writeln!(
            out,
            "FAILOVER: the configured store was unavailable; rows went to the DuckDB fallback \
             and will be backfilled when it returns"
        );
    }
    if let Some(b) = &o.backfill {
        let _ = writeln!(
            out,
            "backfill: {} batches, {} rows copied to the configured store ({} new)",
            b.batches, b.rows_submitted, b.rows_inserted
        );
    }
    out.push_str(&render_snapshots(&o.snapshots));
    out
}

/// Each snapshot's status and its checks, one per line.
pub(crate) fn render_snapshots(snapshots: &[Snapshot]) -> String {
    let mut out = String::from("graded:\n");
    for s in snapshots {
        let _ = writeln!(out, "  {:<5} {}", s.status().as_str(), s.topic());
        for c in s.checks() {
            let _ = writeln!(
                out,
                "        {:<5} {}: {}",
                c.status.as_str(),
                c.name,
                c.message
            );
        }
    }
    out
}

/// `emp backup`.
pub(crate) async fn backup(config: Config, dir: Option<PathBuf>, json: bool) -> anyhow::Result<()> {
    let rt = one_shot_runtime(config.clone())?;
    let dest = dir.unwrap_or_else(|| config.raw().data_dir.join("backups"));
    // The record must name the backup wherever it is read from.
    let dest = std::path::absolute(&dest)
        .map_err(|e| anyhow::anyhow!("backup directory {}: {e}", dest.display()))?;
    let store = blocking(|| rt.stores().primary().get())
        .map_err(|e| anyhow::anyhow!("cannot open the configured store to back it up: {e}"))?;
    let now = rt.now();
    let entry = tokio::task::spawn_blocking(move || store.backup(&dest, now)).await??;
    let policy = &config.raw().ingest.policies.backups;
    let record = emp_ingest::BackupRecord {
        completed_at: entry.completed_at,
        size_bytes: entry.size_bytes,
        verified: entry.verified,
        location: entry.location.clone(),
    };
    let snapshot = BackupsEvaluator.evaluate(policy, &Some(record), rt.now());
    publish_all(&rt, std::slice::from_ref(&snapshot)).await?;
    if json {
        let doc = serde_json::json!({ "backup": entry, "snapshot": snapshot.to_json() });
        print_out(&(serde_json::to_string_pretty(&doc)? + "\n"));
    } else {
        print_out(&format!(
            "backup of the {} store: {} ({} bytes, {:.2} s, {})\n  {}: {}\n{}",
            entry.backend.as_str(),
            entry.location,
            entry.size_bytes,
            entry.duration_ns as f64 / 1e9,
            entry.method,
            if entry.verified {
                "verified"
            } else {
                "NOT verified"
            },
            entry.detail,
            render_snapshots(std::slice::from_ref(&snapshot)),
        ));
    }
    if entry.verified {
        Ok(())
    } else {
        anyhow::bail!(
            "the backup was written but could not be verified: {}",
            entry.detail
        )
    }
}

/// `emp failover-drill`: the configured PostgreSQL store is cut off (in-process: every call
/// fails as an unreachable server does), the bundled sample is ingested — into the DuckDB
/// fallback — the store is restored, the failover store backfills it, and both stores are
/// compared data set by data set.
pub(crate) async fn failover_drill(config: Config, json: bool) -> anyhow::Result<()> {
    if config.raw().store.backend != BackendKind::Postgres {
        anyhow::bail!(
            "failover-drill rehearses failover from PostgreSQL to the embedded DuckDB store; \
             the configured store is DuckDB (store.backend: duckdb), which has no failover. \
             Set store.backend: postgres and store.postgres_url to drill."
        );
    }
    let rt = one_shot_runtime(config.clone())?;
    let Some(fallback) = rt.stores().fallback().cloned() else {
        anyhow::bail!("{}", blocking(|| rt.stores().status()));
    };
    let primary = rt.stores().primary().clone();
    if let Err(e) = blocking(|| primary.health()) {
        anyhow::bail!("the configured store must be reachable before a drill: {e}");
    }
    let switch = Arc::new(Severable::new(primary.clone()));
    let sink = Arc::new(BusSnapshotSink::new(rt.bus().clone(), rt.clock()));
    let failover = Arc::new(FailoverStore::new(
        switch.clone(),
        fallback.clone(),
        rt.clock(),
        sink,
    ));
    let bundle = crate::bundle::dir(&config.raw().data_dir);
    let clock = rt.clock();
    let batch_rows = config.raw().ingest.batch_rows;
    let started = Instant::now();
    let drill = tokio::task::spawn_blocking(move || -> anyhow::Result<DrillResult> {
        crate::bundle::materialize(&bundle)?;
        let plan = bootstrap_plan().resolved(&bundle);
        let orchestrator = Orchestrator::new(failover.clone(), clock).with_batch_rows(batch_rows);
        switch.sever();
        let runs = orchestrator.run(&plan);
        let failed_over = failover.is_failover_active() && failover.failover_count() > 0;
        let (_, pending_rows) = failover.pending_backfill();
        switch.restore();
        let backfill = failover.backfill()?;
        let (left, _) = failover.pending_backfill();
        let symbols: Vec<String> = plan
            .dimensions
            .iter()
            .flat_map(|d| d.expected_symbols())
            .collect();
        let agreement = compare(primary.as_ref(), fallback.as_ref(), &symbols)?;
        Ok(DrillResult {
            runs_ok: runs.iter().all(|r| r.status != Status::Fail),
            failed_over,
            fallback_rows: pending_rows,
            backfill,
            pending_after: left,
            agreement,
        })
    })
    .await??;
    let snapshot = drill.snapshot(rt.now(), started.elapsed().as_secs_f64());
    publish_all(&rt, std::slice::from_ref(&snapshot)).await?;
    if json {
        print_out(&(serde_json::to_string_pretty(&snapshot.to_json())? + "\n"));
    } else {
        print_out(&render_snapshots(std::slice::from_ref(&snapshot)));
    }
    if snapshot.status() == Status::Fail {
        anyhow::bail!("failover drill failed (see the checks above)");
    }
    Ok(())
}

struct DrillResult {
    runs_ok: bool,
    failed_over: bool,
    fallback_rows: u64,
    backfill: emp_ingest::BackfillReport,
    pending_after: usize,
    agreement: Vec<Agreement>,
}

/// One data set in both stores.
struct Agreement {
    dataset: String,
    primary_rows: u64,
    fallback_rows: u64,
    same_range: bool,
}

impl Agreement {
    fn agrees(&self) -> bool {
        self.same_range && self.primary_rows == self.fallback_rows
    }
}

impl DrillResult {
    fn snapshot(&self, now: emp_model::UnixNanos, seconds: f64) -> Snapshot {
        let pass = |ok: bool| if ok { Status::Ok } else { Status::Fail };
        let differing: Vec<String> = self
            .agreement
            .iter()
            .filter(|a| !a.agrees())
            .map(|a| {
                format!(
                    "{}: store {} rows, fallback {} rows{}",
                    a.dataset,
                    a.primary_rows,
                    a.fallback_rows,
                    if a.same_range {
                        ""
                    } else {
                        ", different time ranges"
                    }
                )
            })
            .collect();
        let compared: u64 = self.agreement.iter().map(|a| a.primary_rows).sum();
        Snapshot::new(
            topics::INGEST_FAILOVER_DRILL,
            now,
            vec![
                Check::new(
                    "failover",
                    pass(self.failed_over),
                    if self.failed_over {
                        "writes switched to the DuckDB fallback when the store was cut off"
                    } else {
                        "writes did NOT switch to the fallback"
                    },
                ),
                Check::new(
                    "ingest",
                    pass(self.runs_ok && self.fallback_rows > 0),
                    format!(
                        "the bundled sample ingested during the outage: {} rows into the fallback",
                        self.fallback_rows
                    ),
                )
                .with_value(self.fallback_rows),
                Check::new(
                    "backfill",
                    pass(self.pending_after == 0 && self.backfill.batches > 0),
                    format!(
                        "{} batches, {} rows copied back ({} new in the store), {} batches pending",
                        self.backfill.batches,
                        self.backfill.rows_submitted,
                        self.backfill.rows_inserted,
                        self.pending_after
                    ),
                )
                .with_value(self.backfill.rows_submitted),
                Check::new(
                    "stores_agree",
                    pass(differing.is_empty() && !self.agreement.is_empty()),
                    if differing.is_empty() {
                        format!(
                            "{} data sets, {compared} rows: identical counts and ranges",
                            self.agreement.len()
                        )
                    } else {
                        format!("differ: {}", differing.join("; "))
                    },
                )
                .with_value(self.agreement.len() as u64),
            ],
        )
        .with_metadata("seconds", seconds)
    }
}

/// Every data set of `symbols` in either store, with its row counts and ranges in both.
fn compare(
    primary: &dyn MarketDataStore,
    fallback: &dyn MarketDataStore,
    symbols: &[String],
) -> anyhow::Result<Vec<Agreement>> {
    let key = |r: &InventoryRow| {
        format!(
            "{}/{}/{}",
            r.kind,
            r.symbol,
            r.timeframe.as_deref().unwrap_or("-")
        )
    };
    let wanted = |r: &InventoryRow| symbols.iter().any(|s| s == &r.symbol);
    let a: Vec<InventoryRow> = primary.inventory()?.into_iter().filter(wanted).collect();
    let b: Vec<InventoryRow> = fallback.inventory()?.into_iter().filter(wanted).collect();
    let mut keys: Vec<String> = a.iter().chain(&b).map(key).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .map(|k| {
            let ra = a.iter().find(|r| key(r) == k);
            let rb = b.iter().find(|r| key(r) == k);
            Agreement {
                primary_rows: ra.map_or(0, |r| r.rows),
                fallback_rows: rb.map_or(0, |r| r.rows),
                same_range: matches!((ra, rb), (Some(x), Some(y)) if x.first == y.first && x.last == y.last),
                dataset: k,
            }
        })
        .collect())
}

/// A store the drill can cut off: while severed, every call fails the way an unreachable
/// server does (a transient error), so the failover path under test is the real one.
struct Severable {
    inner: Arc<dyn MarketDataStore>,
    severed: std::sync::atomic::AtomicBool,
}

impl Severable {
    fn new(inner: Arc<dyn MarketDataStore>) -> Self {
        Severable {
            inner,
            severed: std::sync::atomic::AtomicBool::new(false),
        }
    }
    fn sever(&self) {
        self.severed
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
    fn restore(&self) {
        self.severed
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }
    fn get(&self) -> emp_store::Result<&dyn MarketDataStore> {
        if self.severed.load(std::sync::atomic::Ordering::SeqCst) {
            Err(emp_store::Error::Unavailable {
                backend: "postgres",
                reason: "connection cut by the failover drill".into(),
            })
        } else {
            Ok(self.inner.as_ref())
        }
    }
}

impl MarketDataStore for Severable {
    fn backend(&self) -> BackendKind {
        self.inner.backend()
    }
    fn write_batch(&self, batch: &WriteBatch) -> emp_store::Result<WriteReport> {
        self.get()?.write_batch(batch)
    }
    fn read_bars(
        &self,
        instrument: &emp_model::InstrumentId,
        timeframe: emp_model::Timeframe,
        range: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::Bar>> {
        self.get()?.read_bars(instrument, timeframe, range)
    }
    fn read_quotes(
        &self,
        instrument: &emp_model::InstrumentId,
        range: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::QuoteTick>> {
        self.get()?.read_quotes(instrument, range)
    }
    fn read_trades(
        &self,
        instrument: &emp_model::InstrumentId,
        range: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::TradeTick>> {
        self.get()?.read_trades(instrument, range)
    }
    fn read_macro_series(
        &self,
        series_id: &str,
        range: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::MacroObservation>> {
        self.get()?.read_macro_series(series_id, range)
    }
    fn read_macro_events(&self, range: TimeRange) -> emp_store::Result<Vec<emp_model::MacroEvent>> {
        self.get()?.read_macro_events(range)
    }
    fn latest_timestamp(
        &self,
        dataset: &Dataset,
    ) -> emp_store::Result<Option<emp_model::UnixNanos>> {
        self.get()?.latest_timestamp(dataset)
    }
    fn counts(&self) -> emp_store::Result<TableCounts> {
        self.get()?.counts()
    }
    fn inventory(&self) -> emp_store::Result<Vec<InventoryRow>> {
        self.get()?.inventory()
    }
    fn ingest_runs(&self, limit: usize) -> emp_store::Result<Vec<IngestRunRecord>> {
        self.get()?.ingest_runs(limit)
    }
    fn health(&self) -> emp_store::Result<StoreHealth> {
        self.get()?.health()
    }
}
