//! # emp-engine — the trading loop, its strategies and the backtest report
//!
//! Three ideas:
//!
//! * **One synchronous loop for backtest and paper.** [`Engine`] takes market events
//!   from any `Iterator<Item = MarketEvent>` (a store query, a file, a replay at some
//!   speed — the caller paces it) and runs sensory → [`Strategy`] → risk gateway → order
//!   manager → venue → portfolio on a simulated clock taken from the data. Every
//!   [`OrderIntent`] passes `emp_risk::RiskGateway::evaluate`; a rejection is an
//!   [`EngineEvent::IntentRejected`], never an order; orders only exist as
//!   `RiskApproved` requests. What happens is reported to an [`EventSink`] (the app
//!   connects it to the bus). The per-event path allocates nothing unless it trades.
//! * **Strategies are small, typed and registered.** [`strategy_by_name`] builds the
//!   reference strategies (`buy-and-hold`, `sma-crossover`) and the five species of the
//!   evolution catalogue from `--param key=value` pairs; each has a typed params struct
//!   whose `from_params` rejects unknown keys and bad values, naming them. Strategies
//!   without stops run under the documented [`benchmark_risk_config`] profile.
//! * **Reports are deterministic.** [`Engine::finish`] cancels open orders, marks to
//!   market and returns a [`RunOutput`]; [`BacktestReport`] computes the
//!   [`Statistics`] (formulas documented there), and the writers produce byte-stable
//!   `trades.csv` / `equity.csv`, a `report.json` and an `equity.png` chart.
//!
//! Fill convention: with the simulated venue in `FillMode::Quotes` a market order fills
//! at the quote of the event that triggered it (for bars: the signal bar's close); in the
//! bar fill modes it fills at the next bar's open and brackets trigger intra-bar.
//!
//! ```
//! use std::collections::BTreeMap;
//! use emp_engine::*;
//! use emp_model::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let spx = InstrumentId::try_new("SPX")?;
//! let spec = InstrumentSpec::try_new(spx.clone(), AssetClass::Index, 2, 0, 1.0,
//!     Currency::USD, "0.01".parse()?)?;
//! let closes = ["100.00", "101.00", "99.50", "104.00"];
//! let bars = closes.iter().enumerate().map(|(i, c)| {
//!     let p: Price = c.parse().unwrap();
//!     MarketEvent::Bar(Bar::try_new(spx.clone(), Timeframe::D1,
//!         UnixNanos::from_date(2024, 1, 2 + i as u8).unwrap(), p, p, p, p, Quantity::from_int(1)).unwrap())
//! });
//! let strategy = strategy_by_name("buy-and-hold", &BTreeMap::new())?;
//! let mut config = BacktestConfig::default();
//! config.portfolio.starting_cash = 10_000.0;
//! config.engine.sensory_enabled = false;
//! let run = run_backtest(config, vec![spec], strategy, bars, &mut NullSink)?;
//! let report = BacktestReport::from_run(&run);
//! // 100 units bought at the first close (100.00), marked at the last (104.00).
//! assert!((report.statistics.total_return - 0.04).abs() < 1e-12);
//! assert_eq!(run.orders, 1);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]
// `!(x > 0.0)` is deliberate: unlike `x <= 0.0` it is also true for NaN, so garbage
// numbers are refused instead of slipping through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod backtest;
mod config;
mod engine;
mod error;
mod event;
mod instrument;
mod report;
mod rounding;
mod strategy;
mod trades;
mod venue;

pub use backtest::{BacktestConfig, run_backtest};
pub use config::{EngineConfig, benchmark_risk_config};
pub use engine::{CancelReport, Engine, EquitySample};
pub use error::{Error, Result};
pub use event::{EngineEvent, EventSink, MarketEvent, NullSink, VecSink, replay_delay};
pub use instrument::instrument_spec_for;
pub use report::{
    BacktestReport, RunOutput, Statistics, drawdowns, equity_csv, trades_csv, write_equity_chart,
    write_equity_csv, write_report, write_report_json, write_trades_csv,
};
pub use strategy::{
    BuyAndHold, BuyAndHoldParams, CarryOverlay, CarryOverlayParams, LiquidityScalper,
    LiquidityScalperParams, MeanReversion, MeanReversionParams, OrderIntent, ParamReader,
    STRATEGY_NAMES, Size, SmaCrossover, SmaCrossoverParams, Strategy, StrategyContext, TrendRider,
    TrendRiderParams, VolatilityBreakout, VolatilityBreakoutParams, strategy_by_name,
};
pub use trades::{Direction, TradeRecord};
pub use venue::MarketVenue;
