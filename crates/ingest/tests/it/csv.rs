//! Generic OHLCV CSV on the real files.

use emp_ingest::Format;

use crate::common::*;

type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[test]
fn ohlcv_files_counts_first_last() {
    let cases: &[(&str, usize, &str, &str, Row, Row)] = &[
        (
            "equity/arch/sp500.csv.gz",
            5031,
            "SPX",
            "1d",
            (
                "1999-01-04T00:00:00.000Z",
                "1229.22998",
                "1248.810059",
                "1219.099976",
                "1228.099976",
                "877000000",
            ),
            (
                "2018-12-31T00:00:00.000Z",
                "2498.939941",
                "2509.23999",
                "2482.820068",
                "2506.850098",
                "3442870000",
            ),
        ),
        (
            "equity/arch/nasdaq.csv.gz",
            5031,
            "IXIC",
            "1d",
            (
                "1999-01-04T00:00:00.000Z",
                "2207.540039",
                "2233.570068",
                "2192.679932",
                "2208.050049",
                "936660000",
            ),
            (
                "2018-12-31T00:00:00.000Z",
                "6649.52002",
                "6659.959961",
                "6570.060059",
                "6635.279785",
                "2098560000",
            ),
        ),
        (
            "equity/pmdarima/msft.tar.gz",
            7983,
            "MSFT",
            "1d",
            (
                "1986-03-13T00:00:00.000Z",
                "0.0672",
                "0.07533",
                "0.0672",
                "0.07533",
                "1371330506",
            ),
            (
                "2017-11-10T00:00:00.000Z",
                "83.79",
                "84.095",
                "83.23",
                "83.87",
                "19396301",
            ),
        ),
        (
            "equity/backtesting_py/GOOG.csv",
            2148,
            "GOOG",
            "1d",
            (
                "2004-08-19T00:00:00.000Z",
                "100",
                "104.06",
                "95.96",
                "100.34",
                "22351900",
            ),
            (
                "2013-03-01T00:00:00.000Z",
                "797.8",
                "807.14",
                "796.15",
                "806.19",
                "2175400",
            ),
        ),
        (
            "fx/backtesting_py/EURUSD.csv",
            5000,
            "EURUSD",
            "1h",
            (
                "2017-04-19T09:00:00.000Z",
                "1.0716",
                "1.0722",
                "1.07083",
                "1.07219",
                "1413",
            ),
            (
                "2018-02-07T15:00:00.000Z",
                "1.23427",
                "1.23444",
                "1.22904",
                "1.22904",
                "6143",
            ),
        ),
        (
            "equity/backtrader/2006-day-001.txt",
            255,
            "2006-DAY-001",
            "1d",
            (
                "2006-01-02T00:00:00.000Z",
                "3578.73",
                "3605.95",
                "3578.73",
                "3604.33",
                "0",
            ),
            (
                "2006-12-29T00:00:00.000Z",
                "4130.12",
                "4142.01",
                "4119.94",
                "4119.94",
                "0",
            ),
        ),
        (
            "equity/backtrader/2006-min-005.txt",
            2142,
            "2006-MIN-005",
            "5m",
            (
                "2006-01-02T09:05:00.000Z",
                "3578.73",
                "3587.88",
                "3578.73",
                "3582.99",
                "0",
            ),
            (
                "2006-01-30T17:30:00.000Z",
                "3679.29",
                "3679.40",
                "3676.31",
                "3677.52",
                "0",
            ),
        ),
        // Header names 7 columns, rows have 8 (Date,Time,...): repaired and noted.
        (
            "equity/backtrader/2006-01-02-volume-min-001.txt.gz",
            30889,
            "2006-01-02-VOLUME-MIN-001",
            "1m",
            (
                "2006-01-02T09:01:00.000Z",
                "3602.00",
                "3603.00",
                "3597.00",
                "3599.00",
                "5699",
            ),
            (
                "2006-02-27T22:00:00.000Z",
                "3840.00",
                "3840.00",
                "3838.00",
                "3838.00",
                "327",
            ),
        ),
    ];
    for (path, rows, symbol, tf, first, last) in cases {
        let a = read(path, &auto());
        let s = &a.summary;
        assert_eq!(s.format, Format::OhlcvCsv, "{path}");
        assert_eq!(
            (s.rows as usize, a.records.len(), a.errors.len()),
            (*rows, *rows, 0),
            "{path}: {:?}",
            a.errors.first()
        );
        assert_eq!(s.instrument.as_ref().unwrap().as_str(), *symbol, "{path}");
        assert_eq!(s.timeframe.unwrap().to_string(), *tf, "{path}");
        let (t, o, h, l, c, v) = *first;
        assert_bar(&a.records[0], t, o, h, l, c, v);
        let (t, o, h, l, c, v) = *last;
        assert_bar(a.records.last().unwrap(), t, o, h, l, c, v);
    }
}

#[test]
fn header_row_mismatch_is_reported() {
    let a = read(
        "equity/backtrader/2006-01-02-volume-min-001.txt.gz",
        &auto(),
    );
    assert!(
        a.summary
            .notes
            .iter()
            .any(|n| n.contains("header has 7 columns but rows have 8")),
        "{:?}",
        a.summary.notes
    );
}

#[test]
fn float_artifacts_are_rounded_not_quarantined() {
    // pmdarima's msft.csv has values like 0.08388999999999999 (more than 9 decimals).
    let a = read("equity/pmdarima/msft.tar.gz", &auto());
    let Some(emp_ingest::Record::Bar(b)) = a.records.get(29) else {
        panic!()
    };
    assert_eq!(b.ts_open.to_rfc3339(), "1986-04-24T00:00:00.000Z");
    assert_eq!(b.high, price("0.08389"));
}

#[test]
fn tick_rows_in_ohlcv_layout_need_an_explicit_timeframe() {
    // backtrader's ticksample.csv: O=H=L=C trades at irregular millisecond times.
    let err = emp_ingest::open(data("equity/backtrader/ticksample.csv"), &auto()).unwrap_err();
    assert!(
        err.to_string().contains("pass a timeframe explicitly"),
        "{err}"
    );
    let a = read("equity/backtrader/ticksample.csv", &opts_tf("1s"));
    assert_eq!(
        (a.summary.rows, a.records.len(), a.errors.len()),
        (135, 134, 1)
    );
    // Two prints share the time 20:58:22.316: as bars, the second is a duplicate.
    assert!(
        a.errors[0].reason.contains("duplicate timestamp"),
        "{}",
        a.errors[0]
    );
    assert!(a.errors[0].raw.starts_with("2015-09-23T20:58:22.316,"));
    assert_bar(
        &a.records[0],
        "2015-09-23T20:57:42.146Z",
        "3067",
        "3067",
        "3067",
        "3067",
        "180",
    );
    assert_bar(
        &a.records[133],
        "2015-09-23T21:00:00.238Z",
        "3069",
        "3069",
        "3069",
        "3069",
        "1",
    );
    // Monthly bars have no fixed-length timeframe in the model: a clear error, not a guess.
    let err = emp_ingest::open(data("equity/backtesting_py/BTCUSD.csv"), &auto()).unwrap_err();
    assert!(err.to_string().contains("BTCUSD.csv"), "{err}");
}

#[test]
fn close_only_series_forced_as_ohlcv() {
    let opts = emp_ingest::ReadOptions {
        format: Some(Format::OhlcvCsv),
        ..opts_tf("1d")
    };
    let a = read("equity/arch/vix.csv.gz", &opts);
    assert_eq!(a.summary.instrument.as_ref().unwrap().as_str(), "VIX");
    assert_eq!(a.summary.rows, 1305);
    // 46 rows hold `.` (no close): quarantined with the column named.
    assert_eq!((a.records.len(), a.errors.len()), (1259, 46));
    assert_eq!(a.errors[0].column, Some(2));
    assert_bar(
        &a.records[0],
        "2014-01-03T00:00:00.000Z",
        "13.76",
        "13.76",
        "13.76",
        "13.76",
        "0",
    );
    assert_bar(
        a.records.last().unwrap(),
        "2019-01-03T00:00:00.000Z",
        "25.45",
        "25.45",
        "25.45",
        "25.45",
        "0",
    );
}
