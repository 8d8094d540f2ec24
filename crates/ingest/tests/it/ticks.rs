//! HistData, TrueFX and Dukascopy ticks on the real files.

use emp_ingest::{DateOrder, Format, ReadOptions, Record, TimeZone};

use crate::common::*;

#[test]
fn histdata_eurusd_est() {
    let a = read(
        "fx/nautilus_trader/histdata-eurusd-ticks-20200101_quote_tick_data.csv",
        &auto(),
    );
    assert_eq!(a.summary.format, Format::HistData);
    assert_eq!(a.summary.time_zone, TimeZone::EST_FIXED);
    assert_eq!(a.summary.instrument.as_ref().unwrap().as_str(), "EURUSD");
    assert_eq!(
        (a.summary.rows, a.records.len(), a.errors.len()),
        (9_500, 9_500, 0)
    );
    // `20200101 170000065` EST = 22:00:00.065 UTC; last `20200101 230052125`.
    assert_quote(
        &a.records[0],
        "2020-01-01T22:00:00.065Z",
        "1.121200",
        "1.121720",
    );
    assert_quote(
        &a.records[9_499],
        "2020-01-02T04:00:52.125Z",
        "1.121300",
        "1.121320",
    );
    // The zone can be overridden.
    let utc = read(
        "fx/nautilus_trader/histdata-eurusd-ticks-20200101_quote_tick_data.csv",
        &ReadOptions {
            time_zone: Some(TimeZone::Utc),
            ..auto()
        },
    );
    assert_quote(
        &utc.records[0],
        "2020-01-01T17:00:00.065Z",
        "1.1212",
        "1.12172",
    );
}

#[test]
fn truefx_usdjpy_utc() {
    let a = read("fx/nautilus_trader/truefx-usdjpy-ticks.csv", &auto());
    assert_eq!(a.summary.format, Format::TrueFx);
    assert_eq!(a.summary.instrument.as_ref().unwrap().as_str(), "USDJPY");
    assert_eq!(
        (a.summary.rows, a.records.len(), a.errors.len()),
        (1_000, 1_000, 0)
    );
    assert_quote(
        &a.records[0],
        "2013-01-01T22:00:00.295Z",
        "86.655",
        "86.728",
    );
    assert_quote(
        &a.records[999],
        "2013-01-01T22:35:13.494Z",
        "86.836",
        "86.854",
    );
}

#[test]
fn dukascopy_eurusd_delta_json() {
    let a = read("fx/dukascopy_node/ticks-EUR-USD-2026-7-13-12.json", &auto());
    assert_eq!(a.summary.format, Format::Dukascopy);
    assert_eq!(a.summary.instrument.as_ref().unwrap().as_str(), "EURUSD");
    assert_eq!(
        (a.summary.rows, a.records.len(), a.errors.len()),
        (3_551, 3_551, 0)
    );
    // Hour start 1783944000000 = 2026-07-13 12:00 UTC; first delta 93 ms; last offset 3,597,150 ms.
    assert_quote(
        &a.records[0],
        "2026-07-13T12:00:00.093Z",
        "1.14273",
        "1.14277",
    );
    assert_quote(
        &a.records[3_550],
        "2026-07-13T12:59:57.150Z",
        "1.14309",
        "1.14310",
    );
    let Record::Quote(q) = &a.records[0] else {
        panic!()
    };
    assert_eq!(
        (q.bid_size.to_string(), q.ask_size.to_string()),
        ("2700000".into(), "1800000".into())
    );
    assert_eq!(a.summary.crossed_quotes, 0);
}

#[test]
fn backtrader_bidask_ambiguous_dates_follow_the_date_order() {
    // `02/03/2010 16:53:50`: month-first by default (3 Feb), day-first on request (2 Mar).
    let us = read("equity/backtrader/bidask.csv", &auto());
    assert_eq!(us.summary.format, Format::TrueFx);
    assert_eq!((us.records.len(), us.errors.len()), (10, 0));
    assert_quote(
        &us.records[0],
        "2010-02-03T16:53:50.000Z",
        "0.5346",
        "0.5347",
    );
    assert_quote(
        &us.records[9],
        "2010-02-03T16:53:59.000Z",
        "0.5684",
        "0.5688",
    );
    let eu = read(
        "equity/backtrader/bidask.csv",
        &ReadOptions {
            date_order: DateOrder::DayFirst,
            ..auto()
        },
    );
    assert_quote(
        &eu.records[0],
        "2010-03-02T16:53:50.000Z",
        "0.5346",
        "0.5347",
    );
}
