//! Test data loaders (test-local parsers: the S&P 500 daily CSV and the FXCM tick zips).

use std::io::Read;
use std::path::PathBuf;

use emp_engine::MarketEvent;
use emp_model::{
    AssetClass, Bar, Currency, InstrumentId, InstrumentSpec, Price, Quantity, QuoteTick, Timeframe,
    UnixNanos,
};

pub(crate) fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
}

pub(crate) fn spx_spec() -> InstrumentSpec {
    InstrumentSpec::try_new(
        InstrumentId::try_new("SPX").unwrap(),
        AssetClass::Index,
        6,
        0,
        1.0,
        Currency::USD,
        "0.000001".parse().unwrap(),
    )
    .unwrap()
}

pub(crate) fn eurusd_spec() -> InstrumentSpec {
    InstrumentSpec::try_new(
        InstrumentId::try_new("EURUSD").unwrap(),
        AssetClass::Fx,
        5,
        0,
        1.0,
        Currency::USD,
        "0.00001".parse().unwrap(),
    )
    .unwrap()
}

/// `Date,Open,High,Low,Close,Adj Close,Volume` with `M/D/YYYY` dates → daily bars.
pub(crate) fn sp500_bars() -> Vec<Bar> {
    let file = std::fs::File::open(data_dir().join("equity/arch/sp500.csv.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    let id = InstrumentId::try_new("SPX").unwrap();
    let mut bars = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let d: Vec<u32> = f[0].split('/').map(|x| x.parse().unwrap()).collect();
        let ts = UnixNanos::from_date(d[2] as i32, d[0] as u8, d[1] as u8).unwrap();
        let p = |s: &str| Price::parse_with_precision(s, 6).unwrap();
        let volume = Quantity::parse_with_precision(f[6], 0).unwrap();
        bars.push(
            Bar::try_new(
                id.clone(),
                Timeframe::D1,
                ts,
                p(f[1]),
                p(f[2]),
                p(f[3]),
                p(f[4]),
                volume,
            )
            .unwrap(),
        );
    }
    bars
}

pub(crate) fn bar_events(bars: &[Bar]) -> Vec<MarketEvent> {
    bars.iter().cloned().map(MarketEvent::Bar).collect()
}

/// One Lean FXCM quote zip (`ms_since_midnight,bid,ask`, times UTC−05:00 fixed).
pub(crate) fn eurusd_day(name: &str) -> Vec<QuoteTick> {
    let path = data_dir().join("fx/lean/forex/fxcm/tick/eurusd").join(name);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_index(0)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let (y, m, d) = (
        name[0..4].parse().unwrap(),
        name[4..6].parse().unwrap(),
        name[6..8].parse().unwrap(),
    );
    let midnight = UnixNanos::from_date(y, m, d).unwrap().as_i64() + 5 * 3_600_000_000_000;
    let id = InstrumentId::try_new("EURUSD").unwrap();
    // Crossed quotes (a few in the FXCM files) fail validation and are skipped here.
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let ms: i64 = f[0].trim().parse().unwrap();
            QuoteTick::try_new(
                id.clone(),
                UnixNanos::new(midnight + ms * 1_000_000),
                Price::parse_with_precision(f[1].trim(), 5).unwrap(),
                Price::parse_with_precision(f[2].trim(), 5).unwrap(),
                Quantity::ZERO,
                Quantity::ZERO,
            )
            .ok()
        })
        .collect()
}
