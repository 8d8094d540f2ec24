//! Minimal readers for the few real files these tests use (formats: shared/data/PROVENANCE.md).
//! Deliberately local: the production readers live in `emp-ingest`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use emp_model::{
    Bar, InstrumentId, MacroObservation, Price, Quantity, QuoteTick, Timeframe, UnixNanos,
};
use flate2::read::GzDecoder;

pub(crate) fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
}

fn gz_lines(rel: &str) -> Vec<String> {
    let f = File::open(data_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    BufReader::new(GzDecoder::new(f))
        .lines()
        .map(Result::unwrap)
        .collect()
}

/// `M/D/YYYY` → midnight UTC.
fn mdy(s: &str) -> UnixNanos {
    let mut it = s.split('/').map(|x| x.trim().parse::<i64>().unwrap());
    let (m, d, y) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    UnixNanos::from_date(y as i32, m as u8, d as u8).unwrap()
}

/// `YYYY-MM-DD...` → midnight UTC.
fn ymd(s: &str) -> UnixNanos {
    let y = s[0..4].parse().unwrap();
    let m = s[5..7].parse().unwrap();
    let d = s[8..10].parse().unwrap();
    UnixNanos::from_date(y, m, d).unwrap()
}

/// `equity/arch/sp500.csv.gz`: daily S&P 500 bars.
pub(crate) fn sp500() -> Vec<Bar> {
    let id = InstrumentId::try_new("SPX").unwrap();
    gz_lines("equity/arch/sp500.csv.gz")
        .iter()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let p = |i: usize| Price::from_f64(f[i].parse().unwrap(), 4).unwrap();
            Bar::try_new(
                id.clone(),
                Timeframe::D1,
                mdy(f[0]),
                p(1),
                p(2),
                p(3),
                p(4),
                Quantity::from_int(f[6].parse().unwrap()),
            )
            .unwrap()
        })
        .collect()
}

/// `macro_rates/zipline/treasury_curves.csv.gz` as DGS2 / DGS10 observations in percent.
pub(crate) fn treasury_2s10s() -> Vec<MacroObservation> {
    let mut out = Vec::new();
    for l in gz_lines("macro_rates/zipline/treasury_curves.csv.gz")
        .iter()
        .skip(1)
    {
        let f: Vec<&str> = l.split(',').collect();
        let ts = ymd(f[0]);
        for (id, col) in [("DGS2", 5), ("DGS10", 9)] {
            let value = MacroObservation::parse_value(f[col])
                .unwrap()
                .map(|v| v * 100.0);
            out.push(MacroObservation {
                series_id: id.into(),
                ts,
                value,
            });
        }
    }
    out
}

/// `macro_rates/arch/default.csv.gz` as monthly AAA / BAA observations in percent.
pub(crate) fn moody_aaa_baa() -> Vec<MacroObservation> {
    let mut out = Vec::new();
    for l in gz_lines("macro_rates/arch/default.csv.gz").iter().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let ts = mdy(f[0]);
        for (id, col) in [("AAA", 1), ("BAA", 2)] {
            out.push(MacroObservation {
                series_id: id.into(),
                ts,
                value: MacroObservation::parse_value(f[col]).unwrap(),
            });
        }
    }
    out
}

fn zip_text(path: &PathBuf) -> String {
    let mut archive = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    let mut entry = archive.by_index(0).unwrap();
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    text
}

fn day_files(dir: &str) -> Vec<(PathBuf, UnixNanos)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "zip"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            let (y, m, d) = (&name[0..4], &name[4..6], &name[6..8]);
            let day =
                UnixNanos::from_date(y.parse().unwrap(), m.parse().unwrap(), d.parse().unwrap())
                    .unwrap();
            (p, day)
        })
        .collect()
}

/// All OANDA EURUSD tick days (`ms,bid,ask`, UTC), in time order.
pub(crate) fn eurusd_ticks() -> Vec<QuoteTick> {
    let id = InstrumentId::try_new("EURUSD").unwrap();
    let mut out = Vec::with_capacity(540_000);
    for (path, day) in day_files("fx/lean/forex/oanda/tick/eurusd") {
        for line in zip_text(&path).lines() {
            let mut f = line.split(',');
            let ms: i64 = f.next().unwrap().parse().unwrap();
            let bid = Price::try_parse(f.next().unwrap()).unwrap();
            let ask = Price::try_parse(f.next().unwrap().trim()).unwrap();
            out.push(QuoteTick {
                instrument: id.clone(),
                ts: UnixNanos::new(day.as_i64() + ms * 1_000_000),
                bid,
                ask,
                bid_size: Quantity::ZERO,
                ask_size: Quantity::ZERO,
            });
        }
    }
    out
}

/// OANDA EURUSD minute bars (mid of bid and ask OHLC, volume 0 as in the file), 2014 days.
pub(crate) fn eurusd_minute_mid_bars() -> Vec<Bar> {
    let id = InstrumentId::try_new("EURUSD").unwrap();
    let mut out = Vec::new();
    for (path, day) in day_files("fx/lean/forex/oanda/minute/eurusd") {
        if !path.to_str().unwrap().contains("/2014") {
            continue;
        }
        for line in zip_text(&path).lines() {
            let f: Vec<f64> = line.split(',').map(|x| x.trim().parse().unwrap()).collect();
            let mid = |b: usize| Price::from_f64((f[b] + f[b + 5]) / 2.0, 6).unwrap();
            let (o, h, l, c) = (mid(1), mid(2), mid(3), mid(4));
            out.push(Bar {
                instrument: id.clone(),
                timeframe: Timeframe::M1,
                ts_open: UnixNanos::new(day.as_i64() + f[0] as i64 * 1_000_000),
                high: h.max_value(o).max_value(c),
                low: l.min_value(o).min_value(c),
                open: o,
                close: c,
                volume: Quantity::ZERO,
            });
        }
    }
    out
}
