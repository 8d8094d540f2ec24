//! Tick-to-bar aggregation reproduces Lean's own minute bars from Lean's ticks.

use emp_ingest::{BarAggregator, PriceSide, ReadOptions, Record};
use emp_model::{Bar, Timeframe};

use crate::common::*;

fn bars_from_ticks(path: &str, side: PriceSide, tf: Timeframe) -> Vec<Bar> {
    let a = read(path, &auto());
    let mut agg = BarAggregator::new(a.summary.instrument.clone().unwrap(), tf, side);
    let mut out = Vec::new();
    for r in &a.records {
        let Record::Quote(q) = r else { panic!() };
        out.extend(agg.push_quote(q).unwrap());
    }
    out.extend(agg.flush().unwrap());
    out
}

fn lean_bars(path: &str, side: PriceSide) -> Vec<Bar> {
    read(
        path,
        &ReadOptions {
            price_side: side,
            ..auto()
        },
    )
    .records
    .into_iter()
    .map(|r| match r {
        Record::Bar(b) => b,
        other => panic!("{other:?}"),
    })
    .collect()
}

#[test]
fn ticks_aggregate_to_lean_minute_bars_exactly() {
    for venue in ["oanda", "fxcm"] {
        let (mut lean_total, mut matched) = (0, 0);
        for tick_file in files(&format!("fx/lean/forex/{venue}/tick/eurusd"), ".zip") {
            let day = tick_file.rsplit('/').next().unwrap();
            let minute_file = format!("fx/lean/forex/{venue}/minute/eurusd/{day}");
            for side in [PriceSide::Bid, PriceSide::Ask, PriceSide::Mid] {
                let ours = bars_from_ticks(&tick_file, side, Timeframe::M1);
                let theirs = lean_bars(&minute_file, side);
                assert_eq!(ours.len(), theirs.len(), "{venue} {day} {side}: bar counts");
                for (o, t) in ours.iter().zip(&theirs) {
                    lean_total += 1;
                    // Exact OHLC and the same open time (start of the minute).
                    if (o.ts_open, o.open, o.high, o.low, o.close)
                        == (t.ts_open, t.open, t.high, t.low, t.close)
                    {
                        matched += 1;
                    } else {
                        panic!("{venue} {day} {side}: ours {o:?} vs Lean {t:?}");
                    }
                }
            }
        }
        println!(
            "{venue}: {matched} of {lean_total} Lean minute bars (bid, ask and mid) reproduced exactly"
        );
        assert_eq!(matched, lean_total);
        assert!(lean_total > 3 * 15_000, "{venue}: {lean_total}");
    }
}

#[test]
fn coarser_timeframes_agree_with_minute_bars() {
    // 5m/1h/1d bars from ticks equal the same aggregation of Lean's minute bars' extremes.
    let ticks = "fx/lean/forex/oanda/tick/eurusd/20140506_quote.zip";
    let minutes = lean_bars(
        "fx/lean/forex/oanda/minute/eurusd/20140506_quote.zip",
        PriceSide::Bid,
    );
    for tf in [Timeframe::M5, Timeframe::H1, Timeframe::D1] {
        let ours = bars_from_ticks(ticks, PriceSide::Bid, tf);
        let len = tf.as_nanos();
        for b in &ours {
            let inside: Vec<&Bar> = minutes
                .iter()
                .filter(|m| m.ts_open.as_i64().div_euclid(len) * len == b.ts_open.as_i64())
                .collect();
            assert!(!inside.is_empty(), "{tf} {b:?}");
            assert_eq!(b.open, inside[0].open);
            assert_eq!(b.close, inside.last().unwrap().close);
            assert_eq!(b.high, inside.iter().map(|m| m.high).max().unwrap());
            assert_eq!(b.low, inside.iter().map(|m| m.low).min().unwrap());
        }
        let n = ours.len();
        match tf {
            Timeframe::D1 => assert_eq!(n, 1),
            Timeframe::H1 => assert_eq!(n, 24),
            _ => assert!(n > 250 && n <= 288, "{n}"),
        }
    }
}
