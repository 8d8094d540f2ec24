//! FRED series, the Treasury curve and quarterly macro tables on the real files.

use emp_ingest::{Format, Record};

use crate::common::*;

#[test]
fn fred_series_files() {
    // (path, rows, observations, missing, first, last)
    type Obs = (&'static str, &'static str, Option<f64>);
    let cases: &[(&str, u64, usize, u64, Obs, Obs)] = &[
        (
            "equity/arch/wti.csv.gz",
            8_611,
            8_611,
            290,
            ("DCOILWTICO", "1986-01-02T00:00:00.000Z", Some(25.56)),
            ("DCOILWTICO", "2019-01-03T00:00:00.000Z", Some(46.92)),
        ),
        (
            "equity/arch/vix.csv.gz",
            1_305,
            1_305,
            46,
            ("VIX", "2014-01-03T00:00:00.000Z", Some(13.76)),
            ("VIX", "2019-01-03T00:00:00.000Z", Some(25.45)),
        ),
        // Starts with a UTF-8 BOM; monthly on the 15th.
        (
            "equity/arch/crude.csv.gz",
            393,
            786,
            0,
            ("Brent", "1987-05-15T00:00:00.000Z", Some(18.58)),
            ("WTI", "2020-01-15T00:00:00.000Z", Some(57.52)),
        ),
        (
            "macro_rates/arch/core-cpi.csv.gz",
            743,
            743,
            0,
            ("CPILFESL", "1957-01-01T00:00:00.000Z", Some(28.5)),
            ("CPILFESL", "2018-11-01T00:00:00.000Z", Some(259.481)),
        ),
        (
            "macro_rates/arch/default.csv.gz",
            1_200,
            2_400,
            0,
            ("AAA", "1919-01-01T00:00:00.000Z", Some(5.35)),
            ("BAA", "2018-12-01T00:00:00.000Z", Some(5.13)),
        ),
        (
            "macro_rates/arch/frenchdata.csv.gz",
            1_109,
            4_436,
            0,
            ("Mkt-RF", "1926-07-01T00:00:00.000Z", Some(2.96)),
            ("RF", "2018-11-01T00:00:00.000Z", Some(0.18)),
        ),
        // No trailing newline.
        (
            "macro_rates/lean/interest-rate.csv",
            56,
            56,
            0,
            ("PCREDIT8", "2003-01-09T00:00:00.000Z", Some(2.25)),
            ("PCREDIT8", "2023-07-27T00:00:00.000Z", Some(5.5)),
        ),
        (
            "equity/zipline/SPY_benchmark.csv",
            6_357,
            6_357,
            0,
            (
                "return",
                "1993-02-01T00:00:00.000Z",
                Some(0.007055075102412323),
            ),
            (
                "return",
                "2018-04-27T00:00:00.000Z",
                Some(0.0009387555855957519),
            ),
        ),
    ];
    for (path, rows, obs, missing, f, l) in cases {
        let a = read(path, &auto());
        assert_eq!(a.summary.format, Format::Fred, "{path}");
        assert_eq!(
            (
                a.summary.rows,
                a.records.len(),
                a.errors.len(),
                a.summary.missing_values
            ),
            (*rows, *obs, 0, *missing),
            "{path}"
        );
        assert_macro(&a.records[0], f.0, f.1, f.2);
        assert_macro(a.records.last().unwrap(), l.0, l.1, l.2);
    }
}

#[test]
fn fred_dot_is_a_missing_value_not_a_dropped_row() {
    let a = read("equity/arch/wti.csv.gz", &auto());
    let missing: Vec<&Record> = a
        .records
        .iter()
        .filter(|r| matches!(r, Record::Macro(m) if m.value.is_none()))
        .collect();
    assert_eq!(missing.len(), 290);
}

#[test]
fn treasury_curve() {
    let a = read("macro_rates/zipline/treasury_curves.csv.gz", &auto());
    assert_eq!(a.summary.format, Format::TreasuryCurve);
    assert_eq!(
        (a.summary.rows, a.records.len(), a.errors.len()),
        (6_816, 6_816 * 11, 0)
    );
    // First row `1990-01-02 00:00:00+00:00,,0.0783,...,0.0794,,0.08`: 1month and 20year empty.
    assert_macro(
        &a.records[0],
        "UST_PAR_1M",
        "1990-01-02T00:00:00.000Z",
        None,
    );
    assert_macro(
        &a.records[1],
        "UST_PAR_3M",
        "1990-01-02T00:00:00.000Z",
        Some(0.0783),
    );
    assert_macro(
        &a.records[9],
        "UST_PAR_20Y",
        "1990-01-02T00:00:00.000Z",
        None,
    );
    assert_macro(
        &a.records[10],
        "UST_PAR_30Y",
        "1990-01-02T00:00:00.000Z",
        Some(0.08),
    );
    assert_macro(
        a.records.last().unwrap(),
        "UST_PAR_30Y",
        "2017-03-29T00:00:00.000Z",
        Some(0.0299),
    );
    assert!(a.summary.missing_values > 0);
}

#[test]
fn quarterly_tables() {
    type Obs = (&'static str, &'static str, Option<f64>);
    let cases: &[(&str, u64, usize, Obs, Obs)] = &[
        (
            "macro_rates/statsmodels/macrodata.csv",
            203,
            203 * 12,
            (
                "macrodata.realgdp",
                "1959-01-01T00:00:00.000Z",
                Some(2710.349),
            ),
            ("macrodata.realint", "2009-07-01T00:00:00.000Z", Some(-3.44)),
        ),
        (
            "macro_rates/statsmodels/interest_inflation_E6.csv",
            107,
            214,
            (
                "interest_inflation_E6.Dp",
                "1972-04-01T00:00:00.000Z",
                Some(-0.00313258),
            ),
            (
                "interest_inflation_E6.R",
                "1998-10-01T00:00:00.000Z",
                Some(0.038),
            ),
        ),
        // Starts with a UTF-8 BOM.
        (
            "macro_rates/statsmodels/danish_data.csv",
            55,
            275,
            (
                "danish_data.lrm",
                "1974-01-01T00:00:00.000Z",
                Some(11.63255023),
            ),
            (
                "danish_data.ide",
                "1987-07-01T00:00:00.000Z",
                Some(0.07516289),
            ),
        ),
    ];
    for (path, rows, obs, f, l) in cases {
        let a = read(path, &auto());
        assert_eq!(a.summary.format, Format::MacroTable, "{path}");
        assert_eq!(
            (a.summary.rows, a.records.len(), a.errors.len()),
            (*rows, *obs, 0),
            "{path}"
        );
        assert_macro(&a.records[0], f.0, f.1, f.2);
        assert_macro(a.records.last().unwrap(), l.0, l.1, l.2);
    }
}
