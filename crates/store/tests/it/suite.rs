//! The backend-independent suite: every test here runs once per backend (see the macro at the
//! bottom), so both engines are held to the same behaviour.

use std::sync::Arc;

use emp_model::{Quantity, Timeframe, UnixNanos};
use emp_store::{
    BackendKind, Dataset, ErrorClass, MarketDataStore, PgFlavor, SnapshotJournal, SnapshotStore,
    TableCounts, TimeRange,
};
use emp_telemetry::{Check, Snapshot, SnapshotSink, Status};

use crate::common::{Harness, MINUTE, T0, bar, bars_batch, id, mixed_batch};

fn migrations_are_applied_once(h: &mut Harness) {
    let first = h.store().health().unwrap();
    assert_eq!(first.schema_version, 4);
    h.reopen();
    h.reopen();
    let again = h.store().health().unwrap();
    assert_eq!(again.schema_version, 4);
    assert_eq!(again.counts, TableCounts::default());
    match again.backend {
        BackendKind::DuckDb => assert_eq!(again.pg_flavor, None),
        BackendKind::Postgres => {
            // This machine's Debian PostgreSQL has no TimescaleDB package.
            assert!(again.pg_flavor.is_some());
            assert!(
                !again.location.contains(":emp@"),
                "password leaked: {}",
                again.location
            );
        }
    }
}

fn same_batch_twice_stores_rows_once(h: &mut Harness) {
    let batch = mixed_batch("run-a");
    let first = h.store().write_batch(&batch).unwrap();
    let after_first = h.store().counts().unwrap();
    assert_eq!(first.inserted.bars, 6);
    assert_eq!(first.inserted.quotes, 3);
    assert_eq!(first.inserted.trades, 3);
    assert_eq!(first.inserted.macro_series, 2);
    assert_eq!(first.inserted.macro_events, 1);
    assert_eq!(first.inserted.quarantine, 1);
    assert_eq!(first.rows_written(), 15);

    let second = h.store().write_batch(&batch).unwrap();
    assert_eq!(second.inserted, TableCounts::default());
    assert_eq!(second.duplicates(), 15);
    let after_second = h.store().counts().unwrap();
    assert_eq!(after_first, after_second);
    assert_eq!(after_second.bars, 6);
    assert_eq!(after_second.ingest_runs, 1);

    let runs = h.store().ingest_runs(10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].rows_written, 15, "journal counts only new rows");
    assert_eq!(runs[0].rows_quarantined, 1);
    assert_eq!(runs[0].batches, 2);
    assert_eq!(runs[0].run, batch.run);
}

fn rows_round_trip_exactly(h: &mut Harness) {
    let batch = mixed_batch("run-rt");
    h.store().write_batch(&batch).unwrap();
    let all = TimeRange::all();

    let bars = h
        .store()
        .read_bars(&id("EURUSD"), Timeframe::M1, all)
        .unwrap();
    assert_eq!(bars, batch.bars[..5].to_vec());
    // Precision is preserved, not just the value.
    assert_eq!(bars[0].open.precision(), 5);
    let spy = h.store().read_bars(&id("SPY"), Timeframe::D1, all).unwrap();
    assert_eq!(spy, vec![batch.bars[5].clone()]);
    assert_eq!(spy[0].volume, Quantity::try_parse("123456789").unwrap());
    assert!(
        h.store()
            .read_bars(&id("SPY"), Timeframe::M1, all)
            .unwrap()
            .is_empty()
    );

    let quotes = h.store().read_quotes(&id("EURUSD"), all).unwrap();
    assert_eq!(quotes, batch.quotes);
    let trades = h.store().read_trades(&id("BTCUSD"), all).unwrap();
    assert_eq!(trades, batch.trades);
    assert_eq!(trades[2].aggressor, None);
    assert_eq!(trades[2].trade_id, None);

    let series = h.store().read_macro_series("DGS10", all).unwrap();
    assert_eq!(series, batch.macro_series);
    assert_eq!(series[1].value, None);
    let events = h.store().read_macro_events(all).unwrap();
    assert_eq!(events, batch.macro_events);
}

fn ranges_are_half_open_and_ordered(h: &mut Harness) {
    // Written out of order on purpose.
    let mut batch = bars_batch("run-r", "EURUSD", 0..10);
    batch.bars.reverse();
    h.store().write_batch(&batch).unwrap();
    let range = TimeRange::new(
        UnixNanos::new(T0 + 2 * MINUTE),
        UnixNanos::new(T0 + 5 * MINUTE),
    );
    let got = h
        .store()
        .read_bars(&id("EURUSD"), Timeframe::M1, range)
        .unwrap();
    let want: Vec<_> = (2..5).map(|i| bar("EURUSD", i)).collect();
    assert_eq!(got, want);
}

fn latest_timestamp_per_dataset(h: &mut Harness) {
    let eur = Dataset::Bars {
        instrument: id("EURUSD"),
        timeframe: Timeframe::M1,
    };
    assert_eq!(h.store().latest_timestamp(&eur).unwrap(), None);
    h.store().write_batch(&mixed_batch("run-l")).unwrap();
    assert_eq!(
        h.store().latest_timestamp(&eur).unwrap(),
        Some(UnixNanos::new(T0 + 4 * MINUTE))
    );
    assert_eq!(
        h.store()
            .latest_timestamp(&Dataset::Quotes(id("EURUSD")))
            .unwrap(),
        Some(UnixNanos::new(T0 + 5_000_000))
    );
    assert_eq!(
        h.store()
            .latest_timestamp(&Dataset::Trades(id("BTCUSD")))
            .unwrap(),
        Some(UnixNanos::new(T0 + 1))
    );
    assert_eq!(
        h.store()
            .latest_timestamp(&Dataset::MacroSeries("DGS10".into()))
            .unwrap(),
        Some(UnixNanos::new(T0 + 86_400_000_000_000))
    );
    assert!(
        h.store()
            .latest_timestamp(&Dataset::MacroEvents)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        h.store()
            .latest_timestamp(&Dataset::Trades(id("NOPE")))
            .unwrap(),
        None
    );
}

fn overlapping_batches_and_in_batch_duplicates(h: &mut Harness) {
    let a = h
        .store()
        .write_batch(&bars_batch("run-o1", "EURUSD", 0..100))
        .unwrap();
    assert_eq!(a.inserted.bars, 100);
    let b = h
        .store()
        .write_batch(&bars_batch("run-o2", "EURUSD", 50..150))
        .unwrap();
    assert_eq!(b.inserted.bars, 50);
    let mut dup = bars_batch("run-o3", "EURUSD", 200..203);
    dup.bars.push(bar("EURUSD", 200));
    dup.bars.push(bar("EURUSD", 201));
    let c = h.store().write_batch(&dup).unwrap();
    assert_eq!((c.submitted.bars, c.inserted.bars), (5, 3));
    assert_eq!(h.store().counts().unwrap().bars, 153);
    assert_eq!(h.store().counts().unwrap().ingest_runs, 3);
}

fn unstorable_values_reject_the_whole_batch(h: &mut Harness) {
    let mut batch = bars_batch("run-x", "EURUSD", 0..3);
    batch.bars[2].volume = Quantity::from_raw(u64::MAX, 0).unwrap();
    let err = h.store().write_batch(&batch).unwrap_err();
    assert_eq!(err.class(), ErrorClass::Rejected, "{err}");
    assert_eq!(h.store().counts().unwrap(), TableCounts::default());
    // The store is still usable afterwards.
    batch.bars.truncate(2);
    assert_eq!(h.store().write_batch(&batch).unwrap().inserted.bars, 2);
}

fn snapshot_journal_is_a_sink(h: &mut Harness) {
    let journal = SnapshotJournal::new(Arc::clone(h.store()) as Arc<dyn SnapshotStore>);
    let topic = "telemetry.ingest.health";
    let older = Snapshot::new(topic, UnixNanos::new(T0), vec![Check::ok("rows", "fine")]);
    let newer = Snapshot::new(
        topic,
        UnixNanos::new(T0 + 1),
        vec![
            Check::ok("rows", "fine"),
            Check::fail("freshness", "stale").with_value(900),
        ],
    )
    .with_metadata("run_id", "r1");
    journal.write(&older).unwrap();
    journal.write(&newer).unwrap();
    journal.write(&newer).unwrap(); // a retried publish
    assert_eq!(h.store().counts().unwrap().snapshots, 2);
    let latest = journal.latest(topic).unwrap().unwrap();
    assert_eq!(latest.status(), Status::Fail);
    assert_eq!(latest.generated_at(), UnixNanos::new(T0 + 1));
    assert_eq!(latest.checks(), newer.checks());
    assert_eq!(latest.metadata(), newer.metadata());
    assert_eq!(journal.recent(topic, 10).unwrap().len(), 2);
    assert!(journal.latest("telemetry.other").unwrap().is_none());
    assert!(
        !h.store().append_snapshot(&older).unwrap(),
        "duplicate reported as new"
    );
}

fn health_reports_backend_and_counts(h: &mut Harness) {
    h.store()
        .write_batch(&bars_batch("run-h", "GBPUSD", 0..7))
        .unwrap();
    let health = h.store().health().unwrap();
    assert_eq!(health.backend, h.target.backend());
    assert_eq!(health.counts.bars, 7);
    assert_eq!(health.counts.ingest_runs, 1);
    if health.backend == BackendKind::Postgres {
        let flavor = health.pg_flavor.unwrap();
        assert!(matches!(flavor, PgFlavor::Plain | PgFlavor::Timescale));
        let json = serde_json::to_value(&health).unwrap();
        assert_eq!(json["pg_flavor"], flavor.as_str());
    }
}

/// `emp backup`'s engine: a real backup that is read back, recorded in `telemetry.backups`.
fn backup_is_written_verified_and_recorded(h: &mut Harness) {
    h.store().write_batch(&mixed_batch("run-backup")).unwrap();
    assert!(h.store().latest_backup().unwrap().is_none());
    let dir = tempfile::tempdir().unwrap();
    let at = UnixNanos::new(T0);
    let entry = h.store().backup(dir.path(), at).unwrap();
    assert!(entry.verified, "not verified: {}", entry.detail);
    assert_eq!(entry.backend, h.target.backend());
    assert_eq!(entry.completed_at, at);
    assert!(entry.size_bytes > 0);
    let written = std::path::Path::new(&entry.location);
    assert!(
        written.starts_with(dir.path()) && written.exists(),
        "{entry:?}"
    );
    match entry.backend {
        BackendKind::DuckDb => {
            assert_eq!(entry.method, "duckdb-export-database");
            assert!(written.join("schema.sql").exists());
            assert!(
                entry.detail.contains("row counts identical"),
                "{}",
                entry.detail
            );
        }
        BackendKind::Postgres => {
            assert_eq!(entry.method, "pg_dump-custom");
            assert!(entry.detail.contains("all 8 tables"), "{}", entry.detail);
        }
    }
    assert_eq!(h.store().latest_backup().unwrap(), Some(entry.clone()));
    assert!(!h.store().record_backup(&entry).unwrap(), "recorded twice");
    // A later backup is the latest; the store reopened still knows it.
    let later = h
        .store()
        .backup(dir.path(), UnixNanos::new(T0 + MINUTE))
        .unwrap();
    h.reopen();
    assert_eq!(h.store().latest_backup().unwrap(), Some(later));
}

/// Execution snapshots land in the typed audit table as well as the generic journal.
fn execution_snapshots_get_typed_rows(h: &mut Harness) {
    let snap = |at: i64, fill: f64| {
        Snapshot::new(
            emp_telemetry::topics::OPERATIONAL_EXECUTION,
            UnixNanos::new(at),
            vec![
                Check::new("fill_rate", Status::Warn, "fill rate").with_value(fill),
                Check::ok("pending_orders", "open orders").with_value(2.0),
                Check::ok("avg_latency_ms", "no latency yet"),
            ],
        )
        .with_metadata("submitted", 40)
        .with_metadata("fills", 30)
        .with_metadata("retries", 1)
    };
    assert!(h.store().append_snapshot(&snap(T0, 0.75)).unwrap());
    assert!(h.store().append_snapshot(&snap(T0 + MINUTE, 0.8)).unwrap());
    assert!(!h.store().append_snapshot(&snap(T0, 0.75)).unwrap());
    let rows = h.store().execution_journal(10).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].generated_at, UnixNanos::new(T0 + MINUTE));
    assert_eq!(rows[1].fill_rate, Some(0.75));
    assert_eq!(rows[1].status, "warn");
    assert_eq!(rows[1].pending_orders, Some(2));
    assert_eq!(rows[1].avg_latency_ms, None);
    assert_eq!(
        (rows[1].submitted, rows[1].fills, rows[1].retries),
        (Some(40), Some(30), Some(1))
    );
    // Other topics do not touch the typed table.
    h.store()
        .append_snapshot(&Snapshot::new(
            "telemetry.other",
            UnixNanos::new(T0),
            vec![],
        ))
        .unwrap();
    assert_eq!(h.store().execution_journal(10).unwrap().len(), 2);
    assert_eq!(h.store().counts().unwrap().snapshots, 3);
}

/// The champion is the newest `champion` row; re-registering replaces, never duplicates.
fn registry_champion_is_the_newest_champion(h: &mut Harness) {
    use emp_store::StrategyRecord;
    assert!(h.store().champion().unwrap().is_none());
    let rec = |id: &str, status: &str, at: i64| StrategyRecord {
        strategy_id: id.into(),
        genome: serde_json::json!({"strategy": "trend-rider", "params": {"fast": 10}}),
        fitness_report: serde_json::json!({"sharpe": 1.2}),
        provenance: serde_json::json!({"seed": 7}),
        status: status.into(),
        created_at: UnixNanos::new(T0),
        updated_at: UnixNanos::new(T0 + at),
    };
    h.store()
        .register_strategy(&rec("a", "candidate", 1))
        .unwrap();
    assert!(h.store().champion().unwrap().is_none());
    h.store()
        .register_strategy(&rec("a", "champion", 2))
        .unwrap();
    h.store()
        .register_strategy(&rec("b", "champion", 3))
        .unwrap();
    assert_eq!(h.store().champion().unwrap(), Some(rec("b", "champion", 3)));
    h.store()
        .register_strategy(&rec("b", "retired", 4))
        .unwrap();
    h.reopen();
    assert_eq!(h.store().champion().unwrap(), Some(rec("a", "champion", 2)));
    assert_eq!(h.store().counts().unwrap().strategies, 2);
}

macro_rules! backend_suite {
    ($($name:ident),* $(,)?) => {
        mod duckdb {
            $(
                #[test]
                fn $name() {
                    let mut h = crate::common::duckdb();
                    super::$name(&mut h);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    let Some(mut h) = crate::common::postgres() else { return };
                    super::$name(&mut h);
                }
            )*
        }
    };
}

backend_suite!(
    migrations_are_applied_once,
    same_batch_twice_stores_rows_once,
    rows_round_trip_exactly,
    ranges_are_half_open_and_ordered,
    latest_timestamp_per_dataset,
    overlapping_batches_and_in_batch_duplicates,
    unstorable_values_reject_the_whole_batch,
    snapshot_journal_is_a_sink,
    health_reports_backend_and_counts,
    backup_is_written_verified_and_recorded,
    execution_snapshots_get_typed_rows,
    registry_champion_is_the_newest_champion,
);
