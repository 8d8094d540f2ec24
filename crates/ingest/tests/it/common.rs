//! Helpers shared by the integration tests.

use std::path::PathBuf;

use emp_ingest::{ReadOptions, ReadSummary, Record, RowError, open};

pub(crate) fn data(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(rel)
}

pub(crate) struct All {
    pub(crate) records: Vec<Record>,
    pub(crate) errors: Vec<RowError>,
    pub(crate) summary: ReadSummary,
}

pub(crate) fn read(rel: &str, opts: &ReadOptions) -> All {
    let mut reader = open(data(rel), opts).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let (mut records, mut errors) = (Vec::new(), Vec::new());
    for item in reader.by_ref() {
        match item {
            Ok(r) => records.push(r),
            Err(e) => errors.push(e),
        }
    }
    let summary = reader.finish().unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(summary.complete, "{rel}");
    assert_eq!(summary.records as usize, records.len(), "{rel}");
    assert_eq!(summary.quarantined as usize, errors.len(), "{rel}");
    All {
        records,
        errors,
        summary,
    }
}

pub(crate) fn auto() -> ReadOptions {
    ReadOptions::default()
}

pub(crate) fn opts_tf(tf: &str) -> ReadOptions {
    ReadOptions {
        timeframe: Some(emp_model::Timeframe::parse(tf).unwrap()),
        ..ReadOptions::default()
    }
}

pub(crate) fn price(s: &str) -> emp_model::Price {
    s.parse().unwrap()
}

/// Asserts a bar's time (RFC 3339, ms) and values (compared as numbers, so `1.5` = `1.50`).
#[track_caller]
pub(crate) fn assert_bar(r: &Record, ts: &str, o: &str, h: &str, l: &str, c: &str, v: &str) {
    let Record::Bar(b) = r else {
        panic!("not a bar: {r:?}")
    };
    assert_eq!(b.ts_open.to_rfc3339(), ts, "{b:?}");
    assert_eq!(
        [b.open, b.high, b.low, b.close],
        [price(o), price(h), price(l), price(c)],
        "{b:?}"
    );
    assert_eq!(b.volume, v.parse::<emp_model::Quantity>().unwrap(), "{b:?}");
}

#[track_caller]
pub(crate) fn assert_quote(r: &Record, ts: &str, bid: &str, ask: &str) {
    let Record::Quote(q) = r else {
        panic!("not a quote: {r:?}")
    };
    assert_eq!(q.ts.to_rfc3339(), ts, "{q:?}");
    assert_eq!([q.bid, q.ask], [price(bid), price(ask)], "{q:?}");
}

#[track_caller]
pub(crate) fn assert_macro(r: &Record, series: &str, ts: &str, value: Option<f64>) {
    let Record::Macro(m) = r else {
        panic!("not a macro observation: {r:?}")
    };
    assert_eq!(
        (m.series_id.as_str(), m.ts.to_rfc3339().as_str(), m.value),
        (series, ts, value)
    );
}

/// The files of a directory with the given suffix, sorted.
pub(crate) fn files(rel_dir: &str, suffix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(data(rel_dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(suffix))
        .map(|n| format!("{rel_dir}/{n}"))
        .collect();
    v.sort();
    v
}
