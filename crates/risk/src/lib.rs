//! Pre-trade risk for EMP: a synchronous, deterministic gateway every intent
//! passes before it can become an order, plus the market-risk analytics behind it.
//!
//! Three ideas carry the crate:
//!
//! * **Validated configuration.** [`RiskConfig`] is what YAML deserialises into
//!   (`deny_unknown_fields`, defaults); [`RiskConfig::validate`] checks every rule at
//!   once and returns a [`ValidatedRiskConfig`] — the only kind a gateway accepts.
//!   A non-mandatory stop-loss outside research mode is refused there, at start-up.
//! * **The gateway pipeline.** [`RiskGateway::evaluate`] runs nine stages in order
//!   (strategy status, confidence, trading state, drawdown and daily loss, open
//!   positions, sizing, policy checks, portfolio risk score, execution cost); the
//!   first failing stage rejects with a [`ReasonCode`]. What passes is wrapped in
//!   [`RiskApproved`], which only this crate can construct, so code that sends
//!   orders can demand proof that risk approved them. Sizing only ever shrinks the
//!   requested quantity, and a strategy with no measured edge (Kelly ≤ 0) gets no
//!   trade at all.
//! * **Safety states.** A [`KillSwitch`] (a file, in production) is consulted at
//!   every event and halts trading until it is removed *and* an operator resets
//!   the state; drawdown limits switch the gateway to reduce-only and then to
//!   halted; live mode without confirmation cannot build a gateway.
//!
//! Exposure is measured as risk at the stop (`|quantity| × |mark − stop|`, the full
//! notional without a stop) relative to equity; leverage is gross notional ÷ equity.
//! Telemetry ([`policy_snapshot`], [`policy_violation_snapshot`],
//! [`intent_rejected_snapshot`], [`PostureEvaluator`]) is pure: time is passed in.
//!
//! ```
//! use emp_model::{InstrumentId, Side, UnixNanos};
//! use emp_risk::{
//!     Intent, NoKillSwitch, PortfolioView, ReasonCode, RiskConfig, RiskGateway, RunMode, StrategyStatus,
//! };
//!
//! let config = RiskConfig::default().validate()?;
//! let mut gateway = RiskGateway::try_new(config, RunMode::Paper, Box::new(NoKillSwitch))?;
//! gateway.register_strategy("trend-1", StrategyStatus::Active);
//!
//! let portfolio = PortfolioView {
//!     equity: 100_000.0,
//!     peak_equity: 100_000.0,
//!     day_start_equity: 100_000.0,
//!     positions: Vec::new(),
//! };
//! let intent = Intent {
//!     strategy_id: "trend-1".into(),
//!     instrument: InstrumentId::try_new("AAPL")?,
//!     side: Side::Buy,
//!     quantity: 5_000.0,
//!     price: 100.0,
//!     stop_loss: Some(98.0),
//!     confidence: 0.8,
//!     volatility: Some(0.10), // at the volatility target: no scaling
//!     spread_bps: 1.0,
//!     ts: UnixNanos::from_secs(1_700_000_000),
//! };
//! let now = UnixNanos::from_secs(1_700_000_000);
//! let decision = gateway.evaluate(intent.clone(), &portfolio, now);
//! // 2 % of 100 000 at risk over a 2.00 stop distance: at most 1 000 shares.
//! let approved = decision.into_approved().expect("within limits");
//! assert!((approved.quantity - 1_000.0).abs() < 1e-9);
//!
//! // Without a stop the same intent is rejected, naming the failing check.
//! let decision = gateway.evaluate(Intent { stop_loss: None, ..intent }, &portfolio, now);
//! assert_eq!(decision.reason(), Some(ReasonCode::StopLossRequired));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]
// `!(x <= limit)` is deliberate throughout: unlike `x > limit` it is true for NaN,
// so garbage input fails a check instead of slipping through it.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod checks;
mod config;
mod decision;
mod error;
mod gateway;
mod intent;
mod killswitch;
mod regime;
mod sizing;
mod telemetry;
mod var;

pub use crate::checks::{CheckStatus, ExecutionEstimate, Exposure, PolicyCheck, ReasonCode};
pub use crate::config::{ExecutionCostConfig, KellyConfig, RiskConfig, ValidatedRiskConfig};
pub use crate::decision::{
    Decision, DecisionSummary, Outcome, RiskApproved, RunMode, TradingState,
};
pub use crate::error::{Error, Result};
pub use crate::gateway::{RiskGateway, StrategyProfile};
pub use crate::intent::{
    Intent, IntentKind, PortfolioView, PositionView, StrategyStatus, TrackRecord,
};
pub use crate::killswitch::{FileKillSwitch, KillSwitch, ManualKillSwitch, NoKillSwitch};
pub use crate::regime::{
    MarketRegime, RegimeConfig, VolatilityEstimator, VolatilityRegime, annualised_volatility,
    log_returns,
};
pub use crate::sizing::{SizingReport, drawdown_multiplier, kelly_fraction, volatility_multiplier};
pub use crate::telemetry::{
    PostureEvaluator, PostureInput, intent_rejected_snapshot, policy_snapshot,
    policy_violation_snapshot, runbook_url, violation_severity,
};
pub use crate::var::{
    MarketRiskReport, historical_es, historical_var, inverse_normal_cdf, mean_and_std,
    monte_carlo_var, monte_carlo_var_es, normal_cdf, normal_pdf, parametric_es,
    parametric_es_from_returns, parametric_var, parametric_var_from_returns,
};
