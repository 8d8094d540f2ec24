//! Property: for any small batch (with random duplicates and overlaps), writing it stores one
//! row per distinct key, and writing it again changes nothing — on every backend.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use emp_model::{Price, Quantity, QuoteTick, Timeframe, UnixNanos};
use emp_store::{MarketDataStore, TableCounts, TimeRange, WriteBatch};
use proptest::prelude::*;

use crate::common::{Harness, T0, bar, id, run};

static CASE: AtomicU32 = AtomicU32::new(0);

/// Bar indices and quote (ms, bid offset) pairs, drawn from small ranges so duplicates are
/// frequent.
fn batch_strategy() -> impl Strategy<Value = (Vec<i64>, Vec<(i64, i64)>)> {
    (
        prop::collection::vec(0i64..40, 0..30),
        prop::collection::vec((0i64..10, 0i64..3), 0..20),
    )
}

fn check(h: &Harness, bars: &[i64], quotes: &[(i64, i64)]) -> Result<(), TestCaseError> {
    // A fresh symbol per case keeps cases independent inside one database.
    let symbol = format!("P{}", CASE.fetch_add(1, Ordering::Relaxed));
    let mut batch = WriteBatch::new(run(&format!("prop-{symbol}")), UnixNanos::new(T0));
    batch.bars = bars.iter().map(|&i| bar(&symbol, i)).collect();
    batch.quotes = quotes
        .iter()
        .map(|&(ms, off)| {
            QuoteTick::try_new(
                id(&symbol),
                UnixNanos::new(T0 + ms * 1_000_000),
                Price::from_raw(110_000 + off, 5).unwrap(),
                Price::from_raw(110_010 + off, 5).unwrap(),
                Quantity::from_raw(1, 0).unwrap(),
                Quantity::from_raw(1, 0).unwrap(),
            )
            .unwrap()
        })
        .collect();
    let distinct_bars = bars.iter().collect::<BTreeSet<_>>().len() as u64;
    let distinct_quotes = quotes.iter().collect::<BTreeSet<_>>().len() as u64;

    let before = h.store().counts().unwrap();
    let first = h.store().write_batch(&batch).unwrap();
    let once = h.store().counts().unwrap();
    let second = h.store().write_batch(&batch).unwrap();
    let twice = h.store().counts().unwrap();

    prop_assert_eq!(first.inserted.bars, distinct_bars);
    prop_assert_eq!(first.inserted.quotes, distinct_quotes);
    prop_assert_eq!(once.bars - before.bars, distinct_bars);
    prop_assert_eq!(once.quotes - before.quotes, distinct_quotes);
    prop_assert_eq!(second.inserted, TableCounts::default());
    prop_assert_eq!(once, twice);
    let stored = h
        .store()
        .read_bars(&id(&symbol), Timeframe::M1, TimeRange::all())
        .unwrap();
    prop_assert_eq!(stored.len() as u64, distinct_bars);
    prop_assert!(stored.windows(2).all(|w| w[0].ts_open < w[1].ts_open));
    Ok(())
}

fn config() -> ProptestConfig {
    // Each case is two transactions against a real database; a few dozen cases find the
    // duplicate/overlap shapes that matter.
    ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    }
}

#[test]
fn duckdb_writing_twice_equals_writing_once() {
    let h = crate::common::duckdb();
    proptest!(config(), |((bars, quotes) in batch_strategy())| {
        check(&h, &bars, &quotes)?;
    });
}

#[test]
fn postgres_writing_twice_equals_writing_once() {
    let Some(h) = crate::common::postgres() else {
        return;
    };
    proptest!(config(), |((bars, quotes) in batch_strategy())| {
        check(&h, &bars, &quotes)?;
    });
}
