//! Backtest reports: statistics, `trades.csv`, `equity.csv`, `report.json`, `equity.png`.

mod chart;
mod stats;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::EquitySample;
use crate::error::{Error, Result};
use crate::trades::TradeRecord;

pub use chart::write_equity_chart;
pub use stats::{Statistics, drawdowns};

/// What a finished run hands to the report (see [`crate::Engine::finish`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunOutput {
    /// Strategy name.
    pub strategy: String,
    /// Starting cash, account currency.
    pub starting_cash: f64,
    /// Final equity (open positions marked to market).
    pub final_equity: f64,
    /// The equity curve.
    pub equity: Vec<EquitySample>,
    /// Closed round trips, then open ones marked at the final price.
    pub trades: Vec<TradeRecord>,
    /// Market events processed.
    pub events: u64,
    /// Orders sent by the engine (bracket children excluded).
    pub orders: u64,
    /// Fill events.
    pub fills: u64,
    /// Intents rejected by risk.
    pub intents_rejected: u64,
    /// Fees paid, account currency.
    pub fees: f64,
    /// Realised PnL before fees (quote currency summed over instruments).
    pub realized_pnl: f64,
    /// 252 (daily bars) / 52 (weekly) or `None` (observed calendar).
    pub periods_per_year: Option<f64>,
}

/// The report `emp backtest` writes: the statistics plus run counters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BacktestReport {
    /// Strategy name.
    pub strategy: String,
    /// The statistics (formulas on [`Statistics`]).
    pub statistics: Statistics,
    /// Market events processed.
    pub events: u64,
    /// Orders sent.
    pub orders: u64,
    /// Fills.
    pub fills: u64,
    /// Intents rejected by risk.
    pub intents_rejected: u64,
    /// Trades still open at the end (marked to market, not counted in `trades`).
    pub open_trades: u64,
}

impl BacktestReport {
    /// Computes the report of a run.
    pub fn from_run(run: &RunOutput) -> Self {
        BacktestReport {
            strategy: run.strategy.clone(),
            statistics: Statistics::compute(
                &run.equity,
                &run.trades,
                run.fees,
                run.periods_per_year,
            ),
            events: run.events,
            orders: run.orders,
            fills: run.fills,
            intents_rejected: run.intents_rejected,
            open_trades: run.trades.iter().filter(|t| !t.closed).count() as u64,
        }
    }
}

fn write_file(path: &Path, contents: &[u8]) -> Result<()> {
    std::fs::write(path, contents).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// `trades.csv` as a string. Columns:
/// `id,instrument,direction,quantity,entry_ts,entry_price,exit_ts,exit_price,pnl,fees,net_pnl,status`.
/// Times are RFC 3339 (UTC, nanoseconds); quantities at the instrument's size precision,
/// prices (VWAPs) at its price precision, money at 2 decimals; an open trade has an empty
/// `exit_ts`, its final mark as `exit_price` and `status` `open`. Formatting is fixed, so
/// the same run gives the same bytes.
pub fn trades_csv(trades: &[TradeRecord]) -> String {
    let mut out = String::from(
        "id,instrument,direction,quantity,entry_ts,entry_price,exit_ts,exit_price,pnl,fees,net_pnl,status\n",
    );
    for t in trades {
        let (pp, sp) = (
            usize::from(t.price_precision),
            usize::from(t.size_precision),
        );
        let exit_ts = t.exit_ts.map(|x| x.to_rfc3339()).unwrap_or_default();
        let exit_price = t
            .exit_price
            .map(|x| format!("{x:.pp$}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{:.sp$},{},{:.pp$},{},{},{:.2},{:.2},{:.2},{}",
            t.id,
            t.instrument,
            t.direction.as_str(),
            t.quantity,
            t.entry_ts.to_rfc3339(),
            t.entry_price,
            exit_ts,
            exit_price,
            t.pnl,
            t.fees,
            t.net_pnl(),
            if t.closed { "closed" } else { "open" },
        );
    }
    out
}

/// `equity.csv` as a string: `ts,ts_ns,equity,drawdown,in_market` (equity at 2 decimals,
/// drawdown as a fraction at 6).
pub fn equity_csv(equity: &[EquitySample]) -> String {
    let mut out = String::from("ts,ts_ns,equity,drawdown,in_market\n");
    for (s, dd) in equity.iter().zip(drawdowns(equity)) {
        let _ = writeln!(
            out,
            "{},{},{:.2},{:.6},{}",
            s.ts.to_rfc3339(),
            s.ts.as_i64(),
            s.equity,
            dd,
            u8::from(s.in_market)
        );
    }
    out
}

/// Writes `trades.csv`.
pub fn write_trades_csv(path: &Path, trades: &[TradeRecord]) -> Result<()> {
    write_file(path, trades_csv(trades).as_bytes())
}

/// Writes `equity.csv`.
pub fn write_equity_csv(path: &Path, equity: &[EquitySample]) -> Result<()> {
    write_file(path, equity_csv(equity).as_bytes())
}

/// Writes `report.json` (pretty, fields in declaration order).
pub fn write_report_json(path: &Path, report: &BacktestReport) -> Result<()> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    write_file(path, text.as_bytes())
}

/// Writes all four files into `dir` (created if missing) and returns their paths:
/// `trades.csv`, `equity.csv`, `report.json`, `equity.png`.
pub fn write_report(dir: &Path, run: &RunOutput, report: &BacktestReport) -> Result<[PathBuf; 4]> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let paths = [
        dir.join("trades.csv"),
        dir.join("equity.csv"),
        dir.join("report.json"),
        dir.join("equity.png"),
    ];
    write_trades_csv(&paths[0], &run.trades)?;
    write_equity_csv(&paths[1], &run.equity)?;
    write_report_json(&paths[2], report)?;
    write_equity_chart(
        &paths[3],
        &run.equity,
        &format!("{} — equity and drawdown", run.strategy),
    )?;
    Ok(paths)
}
