//! Real data from `../shared/data`: exact parsing of FX bars and timestamps.

use emp_model::{Bar, InstrumentId, MacroObservation, Price, Quantity, Timeframe, UnixNanos};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn read(rel: &str) -> Option<String> {
    let path = format!("{DATA}/{rel}");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            // The data directory is part of the test environment; say so instead of failing obscurely.
            println!("skip: cannot read {path}: {e}");
            None
        }
    }
}

#[test]
fn eurusd_hourly_bars_parse_exactly_and_validate() {
    let Some(text) = read("fx/backtesting_py/EURUSD.csv") else {
        return;
    };
    let id = InstrumentId::try_new("EURUSD").unwrap();
    let mut rows = 0;
    let mut prev = UnixNanos::new(i64::MIN);
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split(',').collect();
        assert_eq!(cols.len(), 6, "{line}");
        // Exact decimal parsing: printing gives back the very same text.
        let prices: Vec<Price> = cols[1..5].iter().map(|c| c.parse().unwrap()).collect();
        for (c, p) in cols[1..5].iter().zip(&prices) {
            assert_eq!(&p.to_string(), c);
        }
        let ts = UnixNanos::parse_rfc3339(cols[0]).unwrap();
        assert!(ts > prev, "timestamps must increase: {line}");
        assert_eq!(&ts.to_rfc3339()[..19], cols[0].replace(' ', "T"));
        prev = ts;
        let volume: Quantity = cols[5].parse().unwrap();
        // Rescale every price to the instrument's 5 decimals (exact: the file never has more).
        let at5: Vec<Price> = prices.iter().map(|p| p.rescale(5).unwrap()).collect();
        let bar = Bar::try_new(
            id.clone(),
            Timeframe::H1,
            ts,
            at5[0],
            at5[1],
            at5[2],
            at5[3],
            volume,
        )
        .unwrap();
        assert_eq!(bar.open, prices[0]); // equal by value across precisions
        rows += 1;
    }
    assert_eq!(rows, 5000);
    assert_eq!(prev.to_rfc3339(), "2018-02-07T15:00:00.000Z");
}

#[test]
fn fed_primary_credit_rate_changes_parse() {
    let Some(text) = read("macro_rates/lean/interest-rate.csv") else {
        return;
    };
    let mut obs = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (date, value) = line.split_once(',').unwrap();
        obs.push(MacroObservation {
            series_id: "PCREDIT8".into(),
            ts: UnixNanos::parse_rfc3339(date.trim()).unwrap(),
            value: MacroObservation::parse_value(value).unwrap(),
        });
    }
    assert_eq!(obs.len(), 56);
    assert_eq!(obs[0].ts.to_rfc3339(), "2003-01-09T00:00:00.000Z");
    assert_eq!(obs[0].value, Some(2.25));
    assert!(obs.windows(2).all(|w| w[0].ts < w[1].ts));
}
