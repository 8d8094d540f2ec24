//! `--format auto` on every real file it should recognise.

use emp_ingest::Format;

use crate::common::*;

#[test]
fn detects_every_supported_real_file() {
    let cases: &[(&str, Format)] = &[
        ("equity/arch/sp500.csv.gz", Format::OhlcvCsv),
        ("equity/arch/nasdaq.csv.gz", Format::OhlcvCsv),
        ("equity/arch/vix.csv.gz", Format::Fred),
        ("equity/arch/wti.csv.gz", Format::Fred),
        ("equity/arch/crude.csv.gz", Format::Fred),
        ("equity/backtrader/2006-day-001.txt", Format::OhlcvCsv),
        ("equity/backtrader/2006-min-005.txt", Format::OhlcvCsv),
        (
            "equity/backtrader/2006-01-02-volume-min-001.txt.gz",
            Format::OhlcvCsv,
        ),
        ("equity/backtrader/ticksample.csv", Format::OhlcvCsv),
        ("equity/backtrader/bidask.csv", Format::TrueFx),
        ("equity/backtesting_py/GOOG.csv", Format::OhlcvCsv),
        ("equity/pmdarima/msft.tar.gz", Format::OhlcvCsv),
        ("equity/zipline/SPY_benchmark.csv", Format::Fred),
        ("equity/lean/equity/usa/daily/spy.zip", Format::Lean),
        (
            "equity/lean/equity/usa/minute/spy/20131007_trade.zip",
            Format::Lean,
        ),
        ("fx/backtesting_py/EURUSD.csv", Format::OhlcvCsv),
        (
            "fx/dukascopy_node/ticks-EUR-USD-2026-7-13-12.json",
            Format::Dukascopy,
        ),
        (
            "fx/nautilus_trader/histdata-eurusd-ticks-20200101_quote_tick_data.csv",
            Format::HistData,
        ),
        ("fx/nautilus_trader/truefx-usdjpy-ticks.csv", Format::TrueFx),
        ("fx/lean/forex/oanda/hour/eurusd.zip", Format::Lean),
        (
            "fx/lean/forex/fxcm/tick/eurusd/20140501_quote.zip",
            Format::Lean,
        ),
        ("macro_rates/arch/core-cpi.csv.gz", Format::Fred),
        ("macro_rates/arch/default.csv.gz", Format::Fred),
        ("macro_rates/arch/frenchdata.csv.gz", Format::Fred),
        ("macro_rates/lean/interest-rate.csv", Format::Fred),
        ("macro_rates/statsmodels/macrodata.csv", Format::MacroTable),
        (
            "macro_rates/statsmodels/interest_inflation_E6.csv",
            Format::MacroTable,
        ),
        (
            "macro_rates/statsmodels/danish_data.csv",
            Format::MacroTable,
        ),
        (
            "macro_rates/zipline/treasury_curves.csv.gz",
            Format::TreasuryCurve,
        ),
    ];
    for (path, want) in cases {
        let opts = if *path == "equity/backtrader/ticksample.csv" {
            opts_tf("1s")
        } else {
            auto()
        };
        let r = emp_ingest::open(data(path), &opts).unwrap_or_else(|e| panic!("{path}: {e}"));
        let d = r.summary().detection.clone().unwrap();
        assert_eq!(d.format, *want, "{path}: {}", d.reason);
        assert!(!d.reason.is_empty());
    }
}
