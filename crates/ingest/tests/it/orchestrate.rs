//! The orchestrator, failover and recovery end to end against DuckDB stores, on real files.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use emp_ingest::{
    Dimension, DimensionPlan, FailoverStore, Format, HealthEvaluator, HealthPolicy, IngestPlan,
    Orchestrator, QualityEvaluator, QualityPolicy, ReadOptions, Record, RecoveryPolicy, SourceSpec,
    open, run_record_from_journal, store_state,
};
use emp_model::{Clock, InstrumentId, SimulatedClock, Timeframe, UnixNanos};
use emp_store::{
    BackendKind, Dataset, DuckDbStore, IngestRunRecord, MarketDataStore, StoreHealth, TableCounts,
    TimeRange, WriteBatch, WriteReport,
};
use emp_telemetry::{Evaluator, MemorySink, Status, topics};

use crate::common::data;

const SP500: &str = "equity/arch/sp500.csv.gz";
const VIX: &str = "equity/arch/vix.csv.gz";
const FXCM_DAY: &str = "fx/lean/forex/fxcm/tick/eurusd/20140501_quote.zip";
const WTI: &str = "equity/arch/wti.csv.gz";

fn source(rel: &str, symbols: &[&str]) -> SourceSpec {
    SourceSpec {
        symbols: symbols.iter().map(|s| s.to_string()).collect(),
        ..SourceSpec::new(data(rel))
    }
}

fn vix_source() -> SourceSpec {
    let mut s = source(VIX, &["VIX"]);
    s.options = ReadOptions {
        format: Some(Format::OhlcvCsv),
        timeframe: Some(Timeframe::D1),
        ..ReadOptions::default()
    };
    s
}

fn plan() -> IngestPlan {
    IngestPlan {
        dimensions: vec![
            DimensionPlan::new(
                Dimension::DailyBars,
                vec![source(SP500, &["SPX"]), vix_source()],
            ),
            DimensionPlan::new(Dimension::Ticks, vec![source(FXCM_DAY, &["EURUSD"])]),
            DimensionPlan::new(Dimension::Macro, vec![source(WTI, &["DCOILWTICO"])]),
        ],
    }
}

/// Reads a file with the readers: (records, quarantined, distinct store keys).
fn reader_counts(spec: &SourceSpec) -> (u64, u64, u64) {
    let mut r = open(&spec.path, &spec.options).unwrap();
    let mut keys = HashSet::new();
    for rec in r.by_ref().flatten() {
        {
            let key = match &rec {
                Record::Bar(b) => format!("{}|{}|{}", b.instrument, b.timeframe, b.ts_open),
                Record::Quote(q) => format!(
                    "{}|{}|{}|{}|{}|{}",
                    q.instrument, q.ts, q.bid, q.ask, q.bid_size, q.ask_size
                ),
                Record::Trade(t) => format!("{}|{}|{}|{}", t.instrument, t.ts, t.price, t.size),
                Record::Macro(m) => format!("{}|{}", m.series_id, m.ts),
            };
            keys.insert(key);
        }
    }
    let s = r.finish().unwrap();
    (s.records, s.quarantined, keys.len() as u64)
}

fn clock() -> Arc<SimulatedClock> {
    Arc::new(SimulatedClock::new(UnixNanos::from_secs(1_704_067_200)))
}

#[test]
fn plan_end_to_end_is_exact_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DuckDbStore::open(dir.path().join("emp.duckdb")).unwrap());
    let clock = clock();
    let orch = Orchestrator::new(store.clone(), clock.clone()).with_batch_rows(20_000);
    let plan = plan();

    let first = orch.run(&plan);
    assert_eq!(first.len(), 3);
    for (dim, rec) in plan.dimensions.iter().zip(&first) {
        let (mut read, mut quarantined, mut distinct) = (0, 0, 0);
        for s in &dim.sources {
            let (r, q, d) = reader_counts(s);
            read += r;
            quarantined += q;
            distinct += d;
        }
        assert_eq!(rec.dimension, dim.dimension);
        assert_eq!(rec.error, None, "{rec:?}");
        assert_eq!(rec.rows_read, read, "{}", dim.dimension);
        assert_eq!(rec.rows_quarantined, quarantined, "{}", dim.dimension);
        assert_eq!(rec.rows_written, distinct, "{}", dim.dimension);
        assert!(rec.missing_symbols.is_empty());
        assert_eq!(rec.status, Status::Ok);
    }
    // Known values from the files themselves (tests/it/csv.rs, lean.rs, macros.rs).
    assert_eq!(first[0].rows_read, 5_031 + 1_259);
    assert_eq!(first[0].rows_quarantined, 46);
    assert_eq!(first[0].symbols, ["SPX", "VIX"]);
    assert_eq!(first[1].rows_read, 51_053);
    assert_eq!(first[2].rows_read, 8_611);

    let counts = store.counts().unwrap();
    assert_eq!(counts.bars, first[0].rows_written);
    assert_eq!(counts.quotes, first[1].rows_written);
    assert_eq!(counts.macro_series, 8_611);
    assert_eq!(counts.quarantine, 46);
    // Freshness is measured against the injected clock.
    let newest_spx = store
        .latest_timestamp(&Dataset::Bars {
            instrument: InstrumentId::try_new("SPX").unwrap(),
            timeframe: Timeframe::D1,
        })
        .unwrap()
        .unwrap();
    assert!(first[0].freshness_ns.unwrap() <= clock.now().saturating_sub(newest_spx));

    // The journal: one row per dimension, counts as the run reported them.
    let journal = store.ingest_runs(10).unwrap();
    assert_eq!(journal.len(), 3);
    for rec in &first {
        let row = journal.iter().find(|j| j.run.run_id == rec.run_id).unwrap();
        assert_eq!(row.run.dimension, rec.dimension.as_str());
        assert_eq!(
            (row.rows_written, row.rows_quarantined),
            (rec.rows_written, rec.rows_quarantined)
        );
        assert_eq!(row.run.status, Status::Ok);
        let back = run_record_from_journal(row).unwrap();
        assert_eq!(
            (back.rows_read, back.symbols.clone(), back.attempt),
            (rec.rows_read, rec.symbols.clone(), 0)
        );
    }
    let ticks_row = journal.iter().find(|j| j.run.dimension == "ticks").unwrap();
    assert_eq!(
        ticks_row.batches, 3,
        "two full 20,000-row batches, then the final 11,053"
    );

    // Same plan again: nothing new, same reads, one more journal row per dimension.
    clock.advance_nanos(1_000_000_000);
    let again = orch.run(&plan);
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(b.rows_written, 0, "{}", b.dimension);
        assert_eq!(b.rows_read, a.rows_read);
        assert_ne!(a.run_id, b.run_id);
    }
    assert_eq!(store.counts().unwrap().data_rows(), counts.data_rows());
    assert_eq!(store.counts().unwrap().quarantine, 46);
    assert_eq!(store.ingest_runs(10).unwrap().len(), 6);

    // The runs grade as expected (historical data: freshness off).
    let policy = HealthPolicy {
        check_freshness: false,
        ..HealthPolicy::default()
    };
    let health = HealthEvaluator.evaluate(&policy, &again, clock.now());
    assert_eq!(health.status(), Status::Ok, "{}", health.to_markdown());
    let quality = QualityEvaluator.evaluate(&QualityPolicy::default(), &again, clock.now());
    assert_eq!(quality.status(), Status::Ok);
    assert_eq!(store_state(&store.health()).data_rows, counts.data_rows());
}

#[test]
fn lookback_and_symbol_filter_limit_what_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DuckDbStore::open(dir.path().join("emp.duckdb")).unwrap());
    // "Now" is 2019-01-01: a 30-day lookback keeps December 2018 only.
    let clock = Arc::new(SimulatedClock::new(
        UnixNanos::from_date(2019, 1, 1).unwrap(),
    ));
    let orch = Orchestrator::new(store.clone(), clock);
    let mut daily = DimensionPlan::new(Dimension::DailyBars, vec![source(SP500, &["SPX"])]);
    daily.lookback_days = Some(30);
    let mut macro_ = DimensionPlan::new(
        Dimension::Macro,
        vec![source("macro_rates/arch/default.csv.gz", &["AAA", "BAA"])],
    );
    macro_.symbols = vec!["BAA".into()];
    let out = orch.run(&IngestPlan {
        dimensions: vec![daily, macro_],
    });
    // Trading days 2018-12-03 .. 2018-12-31: 19 (Dec 5 and Dec 25 closed).
    assert_eq!(out[0].rows_read, 19, "{:?}", out[0]);
    assert_eq!(out[1].rows_read, 1_200);
    assert_eq!(out[1].symbols, ["BAA"]);
    assert!(
        store
            .read_macro_series("AAA", TimeRange::all())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .read_macro_series("BAA", TimeRange::all())
            .unwrap()
            .len(),
        1_200
    );
}

#[test]
fn recovery_retries_failed_dimension_with_missing_symbols_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DuckDbStore::open(dir.path().join("emp.duckdb")).unwrap());
    let orch = Orchestrator::new(store.clone(), clock());
    let mut missing = SourceSpec::new(dir.path().join("not-there.csv"));
    missing.symbols = vec!["XYZ".into()];
    let plan = IngestPlan {
        dimensions: vec![
            DimensionPlan::new(
                Dimension::Macro,
                vec![
                    source("macro_rates/arch/core-cpi.csv.gz", &["CPILFESL"]),
                    missing,
                ],
            ),
            DimensionPlan::new(
                Dimension::DailyBars,
                vec![source("equity/arch/nasdaq.csv.gz", &["IXIC"])],
            ),
        ],
    };
    let policy = RecoveryPolicy {
        max_attempts: 2,
        ..RecoveryPolicy::default()
    };
    let all = orch.run_with_recovery(&plan, &policy);
    // First run (2 dimensions) + two retries of the macro dimension only.
    assert_eq!(all.len(), 4, "{all:#?}");
    assert_eq!(all[0].status, Status::Fail);
    assert!(all[0].error.as_deref().unwrap().contains("not-there.csv"));
    assert_eq!(all[0].missing_symbols, ["XYZ"]);
    assert_eq!(all[0].rows_read, 743, "the good file still lands");
    assert_eq!(all[1].status, Status::Ok);
    for (i, retry) in all[2..].iter().enumerate() {
        assert_eq!(
            (retry.dimension, retry.attempt),
            (Dimension::Macro, i as u32 + 1)
        );
        // Only the file that could deliver XYZ is read again.
        assert_eq!(retry.rows_read, 0);
        assert_eq!(retry.missing_symbols, ["XYZ"]);
    }
    assert_eq!(store.ingest_runs(10).unwrap().len(), 4);
}

/// A primary that can be switched off: every call fails with a transient I/O error.
struct Flaky<S> {
    inner: S,
    down: AtomicBool,
}

impl<S> Flaky<S> {
    fn check(&self) -> emp_store::Result<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(emp_store::Error::Io {
                context: "connect to primary".into(),
                source: std::io::Error::new(
                    std::io::ErrorKind::ConnectionRefused,
                    "connection refused",
                ),
            })
        } else {
            Ok(())
        }
    }
}

impl<S: MarketDataStore> MarketDataStore for Flaky<S> {
    fn backend(&self) -> BackendKind {
        BackendKind::Postgres
    }
    fn write_batch(&self, batch: &WriteBatch) -> emp_store::Result<WriteReport> {
        self.check()?;
        self.inner.write_batch(batch)
    }
    fn read_bars(
        &self,
        i: &InstrumentId,
        tf: Timeframe,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::Bar>> {
        self.check()?;
        self.inner.read_bars(i, tf, r)
    }
    fn read_quotes(
        &self,
        i: &InstrumentId,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::QuoteTick>> {
        self.check()?;
        self.inner.read_quotes(i, r)
    }
    fn read_trades(
        &self,
        i: &InstrumentId,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::TradeTick>> {
        self.check()?;
        self.inner.read_trades(i, r)
    }
    fn read_macro_series(
        &self,
        s: &str,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::MacroObservation>> {
        self.check()?;
        self.inner.read_macro_series(s, r)
    }
    fn read_macro_events(&self, r: TimeRange) -> emp_store::Result<Vec<emp_model::MacroEvent>> {
        self.check()?;
        self.inner.read_macro_events(r)
    }
    fn latest_timestamp(&self, d: &Dataset) -> emp_store::Result<Option<UnixNanos>> {
        self.check()?;
        self.inner.latest_timestamp(d)
    }
    fn counts(&self) -> emp_store::Result<TableCounts> {
        self.check()?;
        self.inner.counts()
    }
    fn inventory(&self) -> emp_store::Result<Vec<emp_store::InventoryRow>> {
        self.inner.inventory()
    }
    fn ingest_runs(&self, limit: usize) -> emp_store::Result<Vec<IngestRunRecord>> {
        self.check()?;
        self.inner.ingest_runs(limit)
    }
    fn health(&self) -> emp_store::Result<StoreHealth> {
        self.check()?;
        self.inner.health()
    }
}

#[test]
fn failover_writes_to_duckdb_then_backfills_the_primary_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let primary = Arc::new(Flaky {
        inner: DuckDbStore::open(dir.path().join("primary.duckdb")).unwrap(),
        down: AtomicBool::new(true),
    });
    let fallback = Arc::new(DuckDbStore::open(dir.path().join("fallback.duckdb")).unwrap());
    let sink = Arc::new(MemorySink::new());
    let clock = clock();
    let failover = Arc::new(FailoverStore::new(
        primary.clone(),
        fallback.clone(),
        clock.clone(),
        sink.clone(),
    ));
    let orch = Orchestrator::new(failover.clone(), clock.clone()).with_batch_rows(2_000);

    // Episode 1: the primary is down for the whole daily run.
    let daily = IngestPlan {
        dimensions: vec![DimensionPlan::new(
            Dimension::DailyBars,
            vec![source(SP500, &["SPX"]), vix_source()],
        )],
    };
    let out = orch.run(&daily);
    assert_eq!(
        (out[0].status, out[0].rows_written),
        (Status::Ok, 5_031 + 1_259),
        "{:?}",
        out[0]
    );
    assert!(failover.is_failover_active());
    assert_eq!(failover.failover_count(), 1);
    let snaps = sink.snapshots();
    assert_eq!(
        snaps.len(),
        1,
        "one failover event per episode, not per batch"
    );
    assert_eq!(
        (snaps[0].topic(), snaps[0].status()),
        (topics::INGEST_FAILOVER, Status::Warn)
    );
    let (pending_batches, pending_rows) = failover.pending_backfill();
    assert_eq!(pending_rows, 6_290);
    assert!(pending_batches >= 4);
    assert_eq!(fallback.counts().unwrap().bars, 6_290);
    assert_eq!(fallback.counts().unwrap().quarantine, 46);

    // Still down: backfill fails and keeps everything pending.
    assert!(failover.backfill().is_err());
    assert_eq!(failover.pending_backfill().1, 6_290);

    // Back up: the backfill copies every row once.
    primary.down.store(false, Ordering::SeqCst);
    let report = failover.backfill().unwrap();
    assert_eq!(report.rows_inserted, 6_290);
    let pc = primary.inner.counts().unwrap();
    assert_eq!((pc.bars, pc.quarantine, pc.ingest_runs), (6_290, 46, 1));
    let journal = primary.inner.ingest_runs(5).unwrap();
    assert_eq!(
        (journal[0].run.run_id.as_str(), journal[0].rows_written),
        (out[0].run_id.as_str(), 6_290)
    );
    assert_eq!(sink.snapshots().last().unwrap().status(), Status::Ok);
    // A repeated backfill has nothing left to do; even re-copying would insert nothing.
    assert_eq!(failover.backfill().unwrap().batches, 0);

    // Episode 2: down for the macro run; the next write after recovery backfills first.
    primary.down.store(true, Ordering::SeqCst);
    clock.advance_nanos(60_000_000_000);
    let macro_ = IngestPlan {
        dimensions: vec![DimensionPlan::new(
            Dimension::Macro,
            vec![source(WTI, &["DCOILWTICO"])],
        )],
    };
    assert_eq!(orch.run(&macro_)[0].rows_written, 8_611);
    assert_eq!(primary.inner.counts().unwrap().macro_series, 0);
    primary.down.store(false, Ordering::SeqCst);
    clock.advance_nanos(60_000_000_000);
    let rerun = orch.run(&daily);
    assert!(!failover.is_failover_active());
    assert_eq!(
        rerun[0].rows_written, 0,
        "the primary already has every daily bar"
    );
    let pc = primary.inner.counts().unwrap();
    assert_eq!(
        (pc.bars, pc.macro_series, pc.quarantine),
        (6_290, 8_611, 46)
    );
    assert_eq!(pc.ingest_runs, 3);
    assert_eq!(failover.pending_backfill(), (0, 0));
    assert_eq!(failover.failover_count(), 2);
    // No row doubled or lost: the primary holds exactly what the readers produced.
    let spx = InstrumentId::try_new("SPX").unwrap();
    assert_eq!(
        primary
            .inner
            .read_bars(&spx, Timeframe::D1, TimeRange::all())
            .unwrap(),
        fallback
            .read_bars(&spx, Timeframe::D1, TimeRange::all())
            .unwrap()
    );
    assert_eq!(failover.backend(), BackendKind::Postgres);
}

#[test]
fn bootstrap_plan_ingests_the_bundled_sample() {
    let config = emp_ingest::IngestConfig {
        sample_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/../../sample-data").into(),
        ..emp_ingest::IngestConfig::default()
    };
    config.validate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DuckDbStore::open(dir.path().join("emp.duckdb")).unwrap());
    let out = Orchestrator::new(store.clone(), clock()).run(&config.resolved_plan());
    assert_eq!(out.len(), 2);
    for r in &out {
        assert_eq!((r.status, r.error.as_deref()), (Status::Ok, None), "{r:#?}");
        assert!(r.missing_symbols.is_empty(), "{r:#?}");
    }
    // sp500 + nasdaq + vix (46 quarantined)
    assert_eq!(
        (out[0].rows_read, out[0].rows_quarantined),
        (5_031 + 5_031 + 1_259, 46)
    );
    // wti, crude (2 series), core-cpi, default (2), frenchdata (4), macrodata (12),
    // interest_inflation_E6 (2), danish_data (5)
    let macro_rows = 8_611 + 786 + 743 + 2_400 + 4_436 + 203 * 12 + 214 + 275;
    assert_eq!(out[1].rows_read, macro_rows);
    assert_eq!(out[1].symbols.len(), 1 + 2 + 1 + 2 + 4 + 12 + 2 + 5);
    let c = store.counts().unwrap();
    assert_eq!(
        (c.bars, c.macro_series, c.ingest_runs),
        (11_321, macro_rows, 2)
    );
}

/// A fresh PostgreSQL database (dropped afterwards), or `None` with a skip line when
/// `EMP_TEST_PG_URL` is unset (a failure when `EMP_REQUIRE_SERVICES=1`).
struct PgDb {
    admin: String,
    name: String,
    url: String,
}

impl PgDb {
    fn create() -> Option<PgDb> {
        let Some(admin) = std::env::var("EMP_TEST_PG_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            assert!(
                std::env::var("EMP_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "EMP_TEST_PG_URL is not set"
            );
            println!("skipping: EMP_TEST_PG_URL not set");
            return None;
        };
        let name = format!("emp_ingest_t_{}", std::process::id());
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let url = format!("{base}/{name}");
        Some(PgDb { admin, name, url })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

#[test]
fn failover_backfills_a_real_postgres_primary() {
    let Some(db) = PgDb::create() else { return };
    let dir = tempfile::tempdir().unwrap();
    let pg = emp_store::PgStore::connect(&db.url).unwrap();
    let primary = Arc::new(Flaky {
        inner: pg,
        down: AtomicBool::new(true),
    });
    let fallback = Arc::new(DuckDbStore::open(dir.path().join("fallback.duckdb")).unwrap());
    let sink = Arc::new(MemorySink::new());
    let clock = clock();
    let failover = Arc::new(FailoverStore::new(
        primary.clone(),
        fallback.clone(),
        clock.clone(),
        sink.clone(),
    ));
    let orch = Orchestrator::new(failover.clone(), clock).with_batch_rows(20_000);
    let plan = plan();
    let out = orch.run(&plan);
    assert!(out.iter().all(|r| r.status == Status::Ok), "{out:#?}");
    assert!(failover.is_failover_active());
    primary.down.store(false, Ordering::SeqCst);
    let report = failover.backfill().unwrap();
    let written: u64 = out.iter().map(|r| r.rows_written).sum();
    assert_eq!(report.rows_inserted, written);
    let (pc, fc) = (primary.inner.counts().unwrap(), fallback.counts().unwrap());
    assert_eq!(
        (pc.bars, pc.quotes, pc.macro_series, pc.quarantine),
        (fc.bars, fc.quotes, fc.macro_series, fc.quarantine)
    );
    assert_eq!(pc.ingest_runs, 3);
    // Running the plan again against the recovered primary writes nothing new.
    let again = orch.run(&plan);
    assert!(again.iter().all(|r| r.rows_written == 0), "{again:#?}");
    assert_eq!(primary.inner.counts().unwrap().data_rows(), pc.data_rows());
    assert_eq!(failover.backend(), BackendKind::Postgres);
}

/// A store that raises the shutdown flag once its first batch is committed.
struct StopAfterFirstWrite {
    inner: DuckDbStore,
    stop: Arc<AtomicBool>,
}

impl MarketDataStore for StopAfterFirstWrite {
    fn backend(&self) -> BackendKind {
        self.inner.backend()
    }
    fn write_batch(&self, batch: &WriteBatch) -> emp_store::Result<WriteReport> {
        let r = self.inner.write_batch(batch);
        self.stop.store(true, Ordering::SeqCst);
        r
    }
    fn read_bars(
        &self,
        i: &InstrumentId,
        t: Timeframe,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::Bar>> {
        self.inner.read_bars(i, t, r)
    }
    fn read_quotes(
        &self,
        i: &InstrumentId,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::QuoteTick>> {
        self.inner.read_quotes(i, r)
    }
    fn read_trades(
        &self,
        i: &InstrumentId,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::TradeTick>> {
        self.inner.read_trades(i, r)
    }
    fn read_macro_series(
        &self,
        s: &str,
        r: TimeRange,
    ) -> emp_store::Result<Vec<emp_model::MacroObservation>> {
        self.inner.read_macro_series(s, r)
    }
    fn read_macro_events(&self, r: TimeRange) -> emp_store::Result<Vec<emp_model::MacroEvent>> {
        self.inner.read_macro_events(r)
    }
    fn latest_timestamp(&self, d: &Dataset) -> emp_store::Result<Option<UnixNanos>> {
        self.inner.latest_timestamp(d)
    }
    fn counts(&self) -> emp_store::Result<TableCounts> {
        self.inner.counts()
    }
    fn inventory(&self) -> emp_store::Result<Vec<emp_store::InventoryRow>> {
        self.inner.inventory()
    }
    fn ingest_runs(&self, limit: usize) -> emp_store::Result<Vec<IngestRunRecord>> {
        self.inner.ingest_runs(limit)
    }
    fn health(&self) -> emp_store::Result<StoreHealth> {
        self.inner.health()
    }
}

#[test]
fn a_stop_ends_the_run_after_the_current_write_and_journals_it() {
    let stop = Arc::new(AtomicBool::new(false));
    let store = Arc::new(StopAfterFirstWrite {
        inner: DuckDbStore::open_in_memory().unwrap(),
        stop: stop.clone(),
    });
    let clock: Arc<dyn Clock> = Arc::new(SimulatedClock::new(UnixNanos::from_secs(1_700_000_000)));
    let orch = Orchestrator::new(store.clone(), clock)
        .with_batch_rows(1_000)
        .with_stop(stop);
    let runs = orch.run_with_recovery(&plan(), &RecoveryPolicy::default());
    // Only the first dimension started; no retry after a stop.
    assert_eq!(runs.len(), 1, "{runs:?}");
    let r = &runs[0];
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.error.as_deref().unwrap().contains("stopped by shutdown"),
        "{r:?}"
    );
    // The committed first batch stays; the rows read after it were dropped, not written.
    assert_eq!(r.rows_written, 1_000);
    let counts = store.counts().unwrap();
    assert_eq!((counts.bars, counts.ingest_runs), (1_000, 1));
    let journal = store.ingest_runs(10).unwrap();
    assert_eq!(journal[0].run.status, Status::Fail);
}
