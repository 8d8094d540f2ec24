//! # emp-execution — from approved order to fills, positions and PnL
//!
//! Three ideas:
//!
//! * **Only approved orders reach a venue.** [`OrderManager::submit`] takes a
//!   `RiskApproved<OrderRequest>` (made by `emp_risk::RiskGateway` and carried over with
//!   `RiskApproved::map`); the [`Venue`] trait receives a [`SubmitOrder`] that only this
//!   crate can build. Venue outcomes come back as [`ExecutionReport`]s and are applied to
//!   the model's order state machine; brackets ([`Bracket`]), retries ([`RetryPolicy`])
//!   and reconciliation ([`ReconciliationReport`]) live in the manager.
//! * **The simulated venue is a product.** [`SimulatedVenue`] fills market, limit, stop
//!   and stop-limit orders against quotes or bars ([`FillMode`]), with latency, volume
//!   participation, slippage, fees, margin/price/session rejects, IOC/FOK and
//!   GTC/DAY/GTD. It is deterministic: same commands and data, same fills.
//! * **One accounting convention.** [`Portfolio`] is a margin account: cash moves only by
//!   realised PnL and fees (converted to the account currency at fill time), and
//!   `equity = cash + Σ unrealised PnL` (converted at the current FX rate).
//!
//! ```
//! use emp_execution::*;
//! use emp_model::*;
//! use emp_risk::{Intent, PortfolioView, RiskConfig, RiskGateway, RunMode, StrategyStatus};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let eurusd = InstrumentId::try_new("EURUSD")?;
//! let spec = InstrumentSpec::try_new(eurusd.clone(), AssetClass::Fx, 5, 0, 1.0,
//!     Currency::USD, "0.00001".parse()?)?;
//!
//! // The venue: quotes, 2 bps slippage, no latency.
//! let config = SimVenueConfig { slippage_bps: 2.0, ..SimVenueConfig::default() };
//! let mut venue = SimulatedVenue::try_new(config.validate()?)?;
//! venue.add_instrument(spec.clone());
//! let mut manager = OrderManager::try_new(OrderManagerConfig::default())?;
//! manager.register(spec);
//! let t0 = UnixNanos::from_secs(1_700_000_000);
//! manager.start(&venue, t0)?; // clean reconciliation: ready to trade
//! venue.on_quote(&QuoteTick::try_new(eurusd.clone(), t0, "1.10040".parse()?,
//!     "1.10050".parse()?, Quantity::ZERO, Quantity::ZERO)?);
//!
//! // Risk approves an intent; the approval is carried over to the order request.
//! let mut gateway = RiskGateway::from_config(RiskConfig::default().validate()?, RunMode::Paper)?;
//! gateway.register_strategy("demo", StrategyStatus::Active);
//! let intent = Intent { strategy_id: "demo".into(), instrument: eurusd.clone(), side: Side::Buy,
//!     quantity: 10_000.0, price: 1.1005, stop_loss: Some(1.0950), confidence: 0.9,
//!     volatility: None, spread_bps: 1.0, ts: t0 };
//! let view = PortfolioView { equity: 100_000.0, peak_equity: 100_000.0,
//!     day_start_equity: 100_000.0, positions: vec![] };
//! let approved = gateway.evaluate(intent, &view, t0).into_approved().ok_or("rejected")?;
//! let request = approved.map(|i| OrderRequest::market(i.strategy_id.clone(),
//!     ClientOrderId::try_new("O-1").unwrap(), i.instrument.clone(), i.side,
//!     Quantity::from_f64(i.quantity, 0).unwrap()));
//! let id = manager.submit(request, &mut venue, t0)?;
//! venue.advance_to(t0);
//! manager.pump(&mut venue, t0)?;
//!
//! // Bought 10 000 at ask 1.10050 + 2 bps = 1.10072.
//! let order = manager.order(&id).ok_or("missing")?;
//! assert_eq!(order.status(), OrderStatus::Filled);
//! assert_eq!(manager.fills()[0].price.to_string(), "1.10072");
//! assert!(manager.reconcile(&venue, t0).is_clean());
//! # Ok(())
//! # }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bracket;
mod error;
mod fx;
mod order_manager;
mod portfolio;
mod reconcile;
mod retry;
mod sim;
mod telemetry;
mod venue;

pub use bracket::{Bracket, BracketAction, BracketLeg, BracketState};
pub use error::{Error, Result};
pub use fx::FxRates;
pub use order_manager::{OrderManager, OrderManagerConfig, TradingStatus};
pub use portfolio::{ClosedTrade, EquityPoint, Portfolio, PortfolioConfig};
pub use reconcile::{Discrepancy, OwnBooks, ReconciliationReport, reconcile};
pub use retry::RetryPolicy;
pub use sim::{
    FeeConfig, FillMode, LatencyConfig, SessionCalendar, SimVenueConfig, SimulatedVenue,
    ValidatedSimVenueConfig,
};
pub use telemetry::{
    ExecutionEvaluator, ExecutionMetrics, ExecutionPolicy, StrategyPerformanceEvaluator,
    StrategyPerformanceInput, StrategyPerformancePolicy,
};
pub use venue::{
    Amend, ExecutionReport, OrderRequest, RejectReason, SubmitOrder, Venue, VenueOrderState,
    VenuePosition, VenueSnapshot,
};
