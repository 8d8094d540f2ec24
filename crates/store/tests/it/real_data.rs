//! Real data through both backends: the S&P 500 daily file from shared/data (5,031 rows,
//! prices with mixed decimal counts), stored, read back exactly, and re-imported idempotently.

use std::io::{BufRead, BufReader};

use emp_model::{Bar, Price, Quantity, Timeframe, UnixNanos};
use emp_store::{MarketDataStore, QuarantineRecord, TimeRange, WriteBatch};

use crate::common::{Harness, id, run};

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/equity/arch/sp500.csv.gz"
);

/// `Date,Open,High,Low,Close,Adj Close,Volume` with `M/D/YYYY` dates; unusable lines are
/// quarantined with their reason, as an ingest would.
fn load() -> WriteBatch {
    let file = std::fs::File::open(FILE).unwrap();
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut batch = WriteBatch::new(run("sp500-import"), UnixNanos::from_secs(1_700_000_000));
    for (n, line) in reader.lines().enumerate().skip(1) {
        let line = line.unwrap();
        match parse(&line) {
            Ok(bar) => batch.bars.push(bar),
            Err(reason) => batch.quarantine.push(QuarantineRecord {
                file: "equity/arch/sp500.csv.gz".into(),
                line: n as u64 + 1,
                reason,
                raw_text: line.clone(),
            }),
        }
    }
    batch
}

fn parse(line: &str) -> Result<Bar, String> {
    let f: Vec<&str> = line.split(',').collect();
    if f.len() != 7 {
        return Err(format!("expected 7 fields, got {}", f.len()));
    }
    let mut date = f[0]
        .split('/')
        .map(|p| p.parse::<u32>().map_err(|e| e.to_string()));
    let (m, d, y) = (
        date.next().ok_or("no month")??,
        date.next().ok_or("no day")??,
        date.next().ok_or("no year")??,
    );
    let ts = UnixNanos::from_date(y as i32, m as u8, d as u8).map_err(|e| e.to_string())?;
    let p = |s: &str| Price::try_parse(s).map_err(|e| e.to_string());
    let volume = Quantity::try_parse(f[6]).map_err(|e| e.to_string())?;
    Bar::try_new(
        id("SPX"),
        Timeframe::D1,
        ts,
        p(f[1])?,
        p(f[2])?,
        p(f[3])?,
        p(f[4])?,
        volume,
    )
    .map_err(|e| e.to_string())
}

fn sp500_round_trip(h: &mut Harness) {
    let batch = load();
    assert!(batch.bars.len() > 5_000, "{} bars", batch.bars.len());
    let first = h.store().write_batch(&batch).unwrap();
    assert_eq!(first.inserted.bars, batch.bars.len() as u64);
    assert_eq!(first.inserted.quarantine, batch.quarantine.len() as u64);

    let stored = h
        .store()
        .read_bars(&id("SPX"), Timeframe::D1, TimeRange::all())
        .unwrap();
    assert_eq!(stored, batch.bars, "every real bar reads back exactly");
    // A price written with 5 decimals next to ones with 6 keeps its exact value.
    assert_eq!(stored[0].open, Price::try_parse("1229.22998").unwrap());
    assert_eq!(stored[0].volume, Quantity::try_parse("877000000").unwrap());

    let again = h.store().write_batch(&batch).unwrap();
    assert_eq!(again.rows_written(), 0);
    assert_eq!(h.store().counts().unwrap().bars, batch.bars.len() as u64);
}

#[test]
fn duckdb_sp500_round_trip() {
    sp500_round_trip(&mut crate::common::duckdb());
}

#[test]
fn postgres_sp500_round_trip() {
    let Some(mut h) = crate::common::postgres() else {
        return;
    };
    sp500_round_trip(&mut h);
}
