//! `emp backtest`: bars from the store → the engine on a simulated clock and venue → report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use emp_engine::{
    BacktestReport, MarketEvent, NullSink, run_backtest, strategy_by_name, write_report,
};
use emp_model::{InstrumentId, Timeframe, UnixNanos};
use emp_store::{MarketDataStore, TimeRange};

use crate::config::Config;
use crate::data::open_store;

/// Options of `emp backtest`.
#[derive(Debug, Clone)]
pub struct BacktestOptions {
    pub symbol: String,
    pub strategy: String,
    pub params: BTreeMap<String, String>,
    pub timeframe: Timeframe,
    pub from: Option<UnixNanos>,
    pub to: Option<UnixNanos>,
    pub report_dir: Option<PathBuf>,
    pub store: Option<String>,
}

pub(crate) fn backtest(config: &Config, opts: &BacktestOptions) -> anyhow::Result<String> {
    let instrument = InstrumentId::try_new(&opts.symbol)
        .with_context(|| format!("--symbol {:?}", opts.symbol))?;
    // Strategy and parameters first: a typo should not wait for a data load.
    let strategy = strategy_by_name(&opts.strategy, &opts.params)?;
    let store = open_store(config, opts.store.as_deref())?;
    let range = TimeRange::new(
        opts.from.unwrap_or(UnixNanos::new(i64::MIN)),
        opts.to.unwrap_or(UnixNanos::MAX),
    );
    let bars = store.read_bars(&instrument, opts.timeframe, range)?;
    let Some(first) = bars.first() else {
        bail!(
            "no {} bars of {} in the store for that range: import them first (`emp data import FILE --symbol {}`)",
            opts.timeframe,
            instrument,
            instrument
        );
    };
    let spec = emp_engine::instrument_spec_for(&instrument, first.close)?;
    let events: Vec<MarketEvent> = bars.into_iter().map(MarketEvent::Bar).collect();
    let run = run_backtest(
        config.raw().backtest.clone(),
        vec![spec],
        strategy,
        events,
        &mut NullSink,
    )?;
    let report = BacktestReport::from_run(&run);
    let mut out = render(&opts.strategy, &instrument, &report);
    if let Some(dir) = &opts.report_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let files = write_report(dir, &run, &report)?;
        for f in files {
            let _ = writeln!(out, "wrote {}", f.display());
        }
    }
    Ok(out)
}

fn render(strategy: &str, instrument: &InstrumentId, r: &BacktestReport) -> String {
    let s = &r.statistics;
    let pct = |v: f64| format!("{:>10.2} %", v * 100.0);
    let opt =
        |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or_else(|| format!("{:>12}", "n/a"), f);
    let num = |v: f64| format!("{v:>12.3}");
    let mut out = String::new();
    let _ = writeln!(out, "backtest {strategy} on {instrument}");
    let _ = writeln!(out, "  total return   {}", pct(s.total_return));
    let _ = writeln!(out, "  CAGR           {}", opt(s.cagr, &pct));
    let _ = writeln!(out, "  Sharpe         {}", opt(s.sharpe, &num));
    let _ = writeln!(out, "  Sortino        {}", opt(s.sortino, &num));
    let _ = writeln!(out, "  Calmar         {}", opt(s.calmar, &num));
    let _ = writeln!(out, "  max drawdown   {}", pct(s.max_drawdown));
    let _ = writeln!(out, "  trades         {:>12}", s.trades);
    let _ = writeln!(out, "  win rate       {}", opt(s.win_rate, &pct));
    let _ = writeln!(out, "  profit factor  {}", opt(s.profit_factor, &num));
    let _ = writeln!(out, "  exposure       {}", pct(s.exposure));
    let _ = writeln!(out, "  fees           {:>12.2}", s.fees);
    let _ = writeln!(
        out,
        "  equity         {:>12.2} → {:.2}",
        s.starting_equity, s.final_equity
    );
    out
}
