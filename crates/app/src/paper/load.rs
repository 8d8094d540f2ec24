//! Reading the replay's bars from the store.

use emp_engine::{MarketEvent, instrument_spec_for};
use emp_model::{InstrumentId, InstrumentSpec, Timeframe, UnixNanos};
use emp_store::{Dataset, MarketDataStore as _, Store, TimeRange};

/// Bars loaded for the replay.
pub(crate) struct Loaded {
    pub(crate) events: Vec<MarketEvent>,
    pub(crate) specs: Vec<InstrumentSpec>,
    pub(crate) missing: Vec<InstrumentId>,
}

/// The last `lookback` bars of each symbol, merged in time order (ties keep symbol order).
pub(crate) fn load_bars(
    store: &Store,
    symbols: &[InstrumentId],
    timeframe: Timeframe,
    lookback: usize,
) -> anyhow::Result<Loaded> {
    let mut events = Vec::new();
    let mut specs = Vec::new();
    let mut missing = Vec::new();
    for id in symbols {
        let dataset = Dataset::Bars {
            instrument: id.clone(),
            timeframe,
        };
        let Some(latest) = store.latest_timestamp(&dataset)? else {
            missing.push(id.clone());
            continue;
        };
        // Read a window three times the lookback (weekends, holidays, gaps), and everything
        // if that was not enough.
        let span = timeframe
            .as_nanos()
            .saturating_mul(i64::try_from(lookback).unwrap_or(i64::MAX))
            .saturating_mul(3);
        let from = UnixNanos::new(latest.as_i64().saturating_sub(span));
        let mut bars = store.read_bars(id, timeframe, TimeRange::new(from, UnixNanos::MAX))?;
        if bars.len() < lookback {
            bars = store.read_bars(id, timeframe, TimeRange::all())?;
        }
        let skip = bars.len().saturating_sub(lookback);
        let bars = bars.split_off(skip);
        let Some(first) = bars.first() else {
            missing.push(id.clone());
            continue;
        };
        specs.push(instrument_spec_for(id, first.close)?);
        events.extend(bars.into_iter().map(MarketEvent::Bar));
    }
    events.sort_by_key(MarketEvent::ts);
    Ok(Loaded {
        events,
        specs,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use emp_model::{Bar, Price, Quantity};
    use emp_store::{IngestRun, WriteBatch};
    use emp_telemetry::Status;

    use super::*;

    fn store_with_days(dir: &std::path::Path, days: &[u8]) -> Store {
        let config = emp_store::StoreConfig {
            duckdb_path: dir.join("emp.duckdb"),
            ..emp_store::StoreConfig::default()
        };
        let store = Store::open(&config).unwrap();
        let spx = InstrumentId::try_new("SPX").unwrap();
        let run = IngestRun {
            run_id: "t".into(),
            dimension: "bars".into(),
            status: Status::Ok,
            source: "test".into(),
            symbols: vec!["SPX".into()],
            started_at: UnixNanos::ZERO,
            duration_ns: 0,
            freshness_ns: None,
            metadata: Default::default(),
        };
        let mut batch = WriteBatch::new(run, UnixNanos::ZERO);
        for d in days {
            let p = Price::try_parse(&format!("{}.50", 100 + u32::from(*d))).unwrap();
            batch.bars.push(
                Bar::try_new(
                    spx.clone(),
                    Timeframe::D1,
                    UnixNanos::from_date(2024, 1, *d).unwrap(),
                    p,
                    p,
                    p,
                    p,
                    Quantity::from_int(1),
                )
                .unwrap(),
            );
        }
        store.write_batch(&batch).unwrap();
        store
    }

    #[test]
    fn the_last_bars_are_replayed_and_missing_symbols_are_named() {
        let dir = tempfile::tempdir().unwrap();
        // A long hole between the 2nd and the 28th: the 3x window misses the older bars,
        // so the loader falls back to reading everything.
        let store = store_with_days(dir.path(), &[1, 2, 28, 29, 30]);
        let spx = InstrumentId::try_new("SPX").unwrap();
        let vix = InstrumentId::try_new("VIX").unwrap();
        let l = load_bars(&store, &[spx.clone(), vix.clone()], Timeframe::D1, 2).unwrap();
        let days: Vec<i64> = l
            .events
            .iter()
            .map(|e| e.ts().as_secs_floor() / 86_400)
            .collect();
        let day = |d| UnixNanos::from_date(2024, 1, d).unwrap().as_secs_floor() / 86_400 + 1;
        assert_eq!(days, [day(29), day(30)], "bars are stamped at their close");
        assert_eq!(l.missing, [vix]);
        assert_eq!(l.specs.len(), 1);
        assert_eq!(l.specs[0].price_precision(), 2);
        let l = load_bars(&store, std::slice::from_ref(&spx), Timeframe::D1, 4).unwrap();
        assert_eq!(l.events.len(), 4);
        let l = load_bars(&store, &[spx], Timeframe::D1, 100).unwrap();
        assert_eq!(l.events.len(), 5);
    }
}
