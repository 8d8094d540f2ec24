//! Lean zip layout on the real files.

use emp_ingest::{Format, PriceSide, ReadOptions, Record};

use crate::common::*;

fn side(s: PriceSide) -> ReadOptions {
    ReadOptions {
        price_side: s,
        ..ReadOptions::default()
    }
}

fn total(dir: &str, opts: &ReadOptions) -> (u64, u64, u64) {
    let mut t = (0, 0, 0);
    for f in files(dir, ".zip") {
        let a = read(&f, opts);
        assert_eq!(a.summary.format, Format::Lean);
        t.0 += a.summary.rows;
        t.1 += a.records.len() as u64;
        t.2 += a.errors.len() as u64;
    }
    t
}

#[test]
fn fx_minute_bar_totals() {
    assert_eq!(files("fx/lean/forex/oanda/minute/eurusd", ".zip").len(), 15);
    assert_eq!(
        total("fx/lean/forex/oanda/minute/eurusd", &auto()),
        (18_184, 18_184, 0)
    );
    assert_eq!(files("fx/lean/forex/fxcm/minute/eurusd", ".zip").len(), 17);
    assert_eq!(
        total("fx/lean/forex/fxcm/minute/eurusd", &auto()),
        (21_592, 21_592, 0)
    );
}

#[test]
fn fx_tick_totals() {
    assert_eq!(
        total("fx/lean/forex/oanda/tick/eurusd", &auto()),
        (532_903, 532_903, 0)
    );
    assert_eq!(
        total("fx/lean/forex/fxcm/tick/eurusd", &auto()),
        (1_144_807, 1_144_807, 0)
    );
}

#[test]
fn fx_minute_sides_and_time_zones() {
    // OANDA is UTC: first row `0,1.38676,1.38686,1.38669,1.38686,0,1.38686,1.38697,1.38680,1.38697,0`.
    let p = "fx/lean/forex/oanda/minute/eurusd/20140501_quote.zip";
    let bid = read(p, &side(PriceSide::Bid));
    assert_eq!(bid.summary.instrument.as_ref().unwrap().as_str(), "EURUSD");
    assert_eq!(bid.summary.timeframe.unwrap().to_string(), "1m");
    assert_bar(
        &bid.records[0],
        "2014-05-01T00:00:00.000Z",
        "1.38676",
        "1.38686",
        "1.38669",
        "1.38686",
        "0",
    );
    // last row `86340000,1.38693,1.38693,1.38693,1.38693,0,1.38706,...`
    assert_bar(
        bid.records.last().unwrap(),
        "2014-05-01T23:59:00.000Z",
        "1.38693",
        "1.38693",
        "1.38693",
        "1.38693",
        "0",
    );
    let ask = read(p, &side(PriceSide::Ask));
    assert_bar(
        &ask.records[0],
        "2014-05-01T00:00:00.000Z",
        "1.38686",
        "1.38697",
        "1.38680",
        "1.38697",
        "0",
    );
    let mid = read(p, &side(PriceSide::Mid));
    assert_bar(
        &mid.records[0],
        "2014-05-01T00:00:00.000Z",
        "1.38681",
        "1.386915",
        "1.386745",
        "1.386915",
        "0",
    );
    assert_eq!(mid.records.len(), 1363);
    // FXCM is UTC-05 fixed: ms 0 of 2014-05-01 is 05:00 UTC.
    let f = read(
        "fx/lean/forex/fxcm/minute/eurusd/20140501_quote.zip",
        &side(PriceSide::Bid),
    );
    assert_eq!(f.summary.time_zone.to_string(), "UTC-05:00");
    assert_bar(
        &f.records[0],
        "2014-05-01T05:00:00.000Z",
        "1.38727",
        "1.38729",
        "1.38723",
        "1.38724",
        "0",
    );
    assert_bar(
        f.records.last().unwrap(),
        "2014-05-02T04:59:00.000Z",
        "1.38626",
        "1.38626",
        "1.38625",
        "1.38626",
        "0",
    );
}

#[test]
fn fx_ticks_first_last() {
    let o = read(
        "fx/lean/forex/oanda/tick/eurusd/20140501_quote.zip",
        &auto(),
    );
    assert_eq!(o.records.len(), 24_179);
    assert_quote(
        &o.records[0],
        "2014-05-01T00:00:00.292Z",
        "1.38676",
        "1.38686",
    );
    assert_quote(
        o.records.last().unwrap(),
        "2014-05-01T23:59:31.310Z",
        "1.38693",
        "1.38706",
    );
    let f = read("fx/lean/forex/fxcm/tick/eurusd/20140501_quote.zip", &auto());
    assert_eq!(f.records.len(), 51_053);
    assert_quote(
        &f.records[0],
        "2014-05-01T05:00:01.787Z",
        "1.38727",
        "1.38729",
    );
    assert_quote(
        f.records.last().unwrap(),
        "2014-05-02T04:59:47.638Z",
        "1.38626",
        "1.38626",
    );
    // FXCM publishes crossed quotes (bid > ask); they are real and kept, and counted.
    assert!(f.summary.crossed_quotes > 0);
    assert_eq!(o.summary.crossed_quotes, 0);
}

#[test]
fn fx_hour_and_daily() {
    let h = read("fx/lean/forex/oanda/hour/eurusd.zip", &side(PriceSide::Bid));
    assert_eq!(
        (h.summary.rows, h.records.len(), h.errors.len()),
        (74_439, 74_439, 0)
    );
    assert_eq!(h.summary.timeframe.unwrap().to_string(), "1h");
    assert_bar(
        &h.records[0],
        "2007-01-01T21:00:00.000Z",
        "1.31927",
        "1.31955",
        "1.3187",
        "1.31935",
        "0",
    );
    assert_bar(
        h.records.last().unwrap(),
        "2018-12-31T21:00:00.000Z",
        "1.14558",
        "1.14662",
        "1.14552",
        "1.14607",
        "0",
    );
    let cases = [
        (
            "eurusd",
            ["1.31927", "1.32125", "1.3187", "1.32095"],
            ["1.14385", "1.14662", "1.14209", "1.14607"],
        ),
        (
            "gbpusd",
            ["1.95813", "1.96383", "1.9578", "1.96325"],
            ["1.26889", "1.28133", "1.26789", "1.27541"],
        ),
        (
            "eurgbp",
            ["0.67332", "0.67356", "0.67229", "0.67255"],
            ["0.90133", "0.90205", "0.89265", "0.89767"],
        ),
    ];
    for (pair, f, l) in cases {
        let d = read(
            &format!("fx/lean/forex/oanda/daily/{pair}.zip"),
            &side(PriceSide::Bid),
        );
        assert_eq!((d.records.len(), d.errors.len()), (3_738, 0), "{pair}");
        assert_eq!(
            d.summary.instrument.as_ref().unwrap().as_str(),
            pair.to_uppercase()
        );
        assert_bar(
            &d.records[0],
            "2007-01-01T00:00:00.000Z",
            f[0],
            f[1],
            f[2],
            f[3],
            "0",
        );
        assert_bar(
            d.records.last().unwrap(),
            "2018-12-31T00:00:00.000Z",
            l[0],
            l[1],
            l[2],
            l[3],
            "0",
        );
    }
}

#[test]
fn equity_daily_prices_scaled_by_10000_in_new_york_time() {
    let cases = [
        (
            "spy",
            5_849,
            "1998-01-02",
            ["97.31", "97.53", "96.53", "97.36", "2150000"],
            ["395.35", "398", "395.33", "396.33", "90673494"],
        ),
        (
            "aapl",
            5_849,
            "1998-01-02",
            ["13.63", "16.25", "13.5", "16.25", "6315000"],
            ["121.65", "123.54", "121.15", "122.15", "109019052"],
        ),
        (
            "ibm",
            5_849,
            "1998-01-02",
            ["104.5", "105.75", "104.06", "105.75", "2563200"],
            ["134.54", "134.71", "132.71", "133.26", "4630365"],
        ),
        (
            "qqq",
            3_964,
            "1999-03-10",
            ["102.25", "102.31", "100.56", "101.94", "2632800"],
            ["316.14", "320.74", "315.05", "319.13", "50120342"],
        ),
    ];
    for (sym, n, first_day, f, l) in cases {
        let a = read(&format!("equity/lean/equity/usa/daily/{sym}.zip"), &auto());
        assert_eq!((a.records.len(), a.errors.len()), (n, 0), "{sym}");
        assert_eq!(
            a.summary.instrument.as_ref().unwrap().as_str(),
            sym.to_uppercase()
        );
        // Midnight New York (EST in January, EDT at the end of March).
        assert_bar(
            &a.records[0],
            &format!("{first_day}T05:00:00.000Z"),
            f[0],
            f[1],
            f[2],
            f[3],
            f[4],
        );
        assert_bar(
            a.records.last().unwrap(),
            "2021-03-31T04:00:00.000Z",
            l[0],
            l[1],
            l[2],
            l[3],
            l[4],
        );
    }
}

#[test]
fn equity_minute_trade_and_quote_bars() {
    let (mut rows, mut trade_files, mut quote_files) = (0, 0, 0);
    for f in files("equity/lean/equity/usa/minute/spy", ".zip") {
        let a = read(&f, &auto());
        assert_eq!(a.errors.len(), 0, "{f}: {:?}", a.errors.first());
        rows += a.records.len();
        if f.ends_with("_trade.zip") {
            trade_files += 1
        } else {
            quote_files += 1
        }
    }
    assert_eq!((trade_files, quote_files), (7, 7));
    assert_eq!(rows, 12_159);
    // 20131007_trade: first `14400000,1674100,1674100,1672500,1672700,3197` = 04:00 EDT.
    let t = read(
        "equity/lean/equity/usa/minute/spy/20131007_trade.zip",
        &auto(),
    );
    assert_bar(
        &t.records[0],
        "2013-10-07T08:00:00.000Z",
        "167.41",
        "167.41",
        "167.25",
        "167.27",
        "3197",
    );
    assert_bar(
        t.records.last().unwrap(),
        "2013-10-07T23:59:00.000Z",
        "167.26",
        "167.30",
        "167.26",
        "167.30",
        "800",
    );
    let q = read(
        "equity/lean/equity/usa/minute/spy/20131007_quote.zip",
        &side(PriceSide::Bid),
    );
    assert_bar(
        &q.records[0],
        "2013-10-07T08:00:00.000Z",
        "167.27",
        "167.27",
        "167.15",
        "167.25",
        "0",
    );
    assert!(matches!(q.records[0], Record::Bar(_)));
}
