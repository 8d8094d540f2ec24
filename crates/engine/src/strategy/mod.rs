//! The [`Strategy`] trait, what a strategy asks for ([`OrderIntent`]), what it may look
//! at ([`StrategyContext`]), parameter parsing and the registry.

mod params;
mod reference;
mod rolling;
mod species;

use std::collections::BTreeMap;

use emp_execution::Portfolio;
use emp_model::{InstrumentId, OrderType, Side, TimeInForce, UnixNanos};
use emp_sensory::SensoryReading;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::event::MarketEvent;

pub use params::ParamReader;
pub use reference::{BuyAndHold, BuyAndHoldParams, SmaCrossover, SmaCrossoverParams};
pub use species::{
    CarryOverlay, CarryOverlayParams, LiquidityScalper, LiquidityScalperParams, MeanReversion,
    MeanReversionParams, TrendRider, TrendRiderParams, VolatilityBreakout,
    VolatilityBreakoutParams,
};

/// How much an intent asks for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// Trade this quantity (instrument units, > 0) on this side.
    Quantity {
        /// Buy or sell.
        side: Side,
        /// Units.
        quantity: f64,
    },
    /// Bring the position to this signed quantity (units; negative = short). The engine
    /// trades the difference from the current position plus working orders; no
    /// difference, no intent.
    TargetUnits(f64),
    /// Bring the position to this signed fraction of equity (1.0 = long notional equal
    /// to equity), converted to units at the current reference price.
    TargetExposure(f64),
}

/// A strategy's wish to trade, before risk.
///
/// Prices are f64 (the engine snaps them to the instrument's tick). A `stop_loss` or
/// `take_profit` makes the order a bracket: protective children go live when it fills.
/// A new intent for an instrument supersedes the strategy's working orders on it: they
/// are cancelled before the new order is sent (so an old bracket's stop never outlives
/// the position it protected).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderIntent {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Quantity or target.
    pub size: Size,
    /// Market, limit, stop or stop-limit.
    pub order_type: OrderType,
    /// Limit price (limit, stop-limit).
    pub limit_price: Option<f64>,
    /// Trigger price (stop, stop-limit).
    pub stop_price: Option<f64>,
    /// Time in force for non-market orders (market orders are always IOC).
    pub time_in_force: TimeInForce,
    /// Protective stop (bracket child).
    pub stop_loss: Option<f64>,
    /// Profit target (bracket child).
    pub take_profit: Option<f64>,
    /// Confidence in [0, 1] (the gateway has a floor).
    pub confidence: f64,
}

impl OrderIntent {
    /// A market order moving the position to `target` signed units.
    pub fn target_units(instrument: InstrumentId, target: f64, confidence: f64) -> Self {
        Self::market(instrument, Size::TargetUnits(target), confidence)
    }

    /// A market order of any [`Size`].
    pub fn market(instrument: InstrumentId, size: Size, confidence: f64) -> Self {
        OrderIntent {
            instrument,
            size,
            order_type: OrderType::Market,
            limit_price: None,
            stop_price: None,
            time_in_force: TimeInForce::Ioc,
            stop_loss: None,
            take_profit: None,
            confidence,
        }
    }

    /// Builder: attach a bracket.
    pub fn with_bracket(mut self, stop_loss: Option<f64>, take_profit: Option<f64>) -> Self {
        self.stop_loss = stop_loss;
        self.take_profit = take_profit;
        self
    }
}

/// What a strategy may read when it decides: the time, the sensory reading (when the
/// cortex is enabled) and the account. Borrowed, built per event without allocation.
#[derive(Clone, Copy)]
pub struct StrategyContext<'a> {
    now: UnixNanos,
    sensory: Option<&'a SensoryReading>,
    portfolio: &'a Portfolio,
}

impl<'a> StrategyContext<'a> {
    /// Built by the engine (public so strategies can be unit-tested).
    pub fn new(
        now: UnixNanos,
        sensory: Option<&'a SensoryReading>,
        portfolio: &'a Portfolio,
    ) -> Self {
        StrategyContext {
            now,
            sensory,
            portfolio,
        }
    }
    /// The simulated clock.
    pub fn now(&self) -> UnixNanos {
        self.now
    }
    /// The latest sensory reading of the event's instrument, if sensing is enabled.
    pub fn sensory(&self) -> Option<&'a SensoryReading> {
        self.sensory
    }
    /// Signed position in units (0 when never traded).
    pub fn position(&self, instrument: &InstrumentId) -> f64 {
        self.portfolio
            .position(instrument)
            .map_or(0.0, |p| p.signed_quantity())
    }
    /// Equity in the account currency.
    pub fn equity(&self) -> f64 {
        self.portfolio.equity()
    }
    /// The whole account.
    pub fn portfolio(&self) -> &'a Portfolio {
        self.portfolio
    }
}

/// A trading strategy: market event (+ sensory reading, + account) → intents.
///
/// Implementations must be deterministic and should not allocate per event: `out` is a
/// buffer the engine clears and reuses.
pub trait Strategy: Send {
    /// The registry name (e.g. `"sma-crossover"`).
    fn name(&self) -> &'static str;
    /// Called once per market event, after the venue and the portfolio have seen it.
    fn on_event(
        &mut self,
        event: &MarketEvent,
        ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    );
}

/// The built-in strategy names, in registry order.
pub const STRATEGY_NAMES: [&str; 7] = [
    "buy-and-hold",
    "sma-crossover",
    "trend-rider",
    "mean-reversion",
    "carry-overlay",
    "volatility-breakout",
    "liquidity-scalper",
];

/// Builds a built-in strategy from `--param key=value` pairs. Unknown keys and bad values
/// are reported all at once, each naming its key.
pub fn strategy_by_name(
    name: &str,
    params: &BTreeMap<String, String>,
) -> Result<Box<dyn Strategy>> {
    Ok(match name {
        "buy-and-hold" => Box::new(BuyAndHold::new(BuyAndHoldParams::from_params(params)?)),
        "sma-crossover" => Box::new(SmaCrossover::new(SmaCrossoverParams::from_params(params)?)),
        "trend-rider" => Box::new(TrendRider::new(TrendRiderParams::from_params(params)?)),
        "mean-reversion" => Box::new(MeanReversion::new(MeanReversionParams::from_params(
            params,
        )?)),
        "carry-overlay" => Box::new(CarryOverlay::new(CarryOverlayParams::from_params(params)?)),
        "volatility-breakout" => Box::new(VolatilityBreakout::new(
            VolatilityBreakoutParams::from_params(params)?,
        )),
        "liquidity-scalper" => Box::new(LiquidityScalper::new(
            LiquidityScalperParams::from_params(params)?,
        )),
        _ => {
            return Err(Error::UnknownStrategy {
                name: name.to_owned(),
                known: STRATEGY_NAMES.join(", "),
            });
        }
    })
}

/// Adjusts a base confidence by the sensory reading: a fused signal agreeing with the
/// trade direction raises it, an opposing one lowers it, in proportion to the fused
/// confidence: `base × (1 + 0.5 × direction × fused.signal × fused.confidence)`,
/// clamped to [0, 1]. Without a reading the base is returned.
pub(crate) fn sensed_confidence(base: f64, direction: f64, ctx: &StrategyContext<'_>) -> f64 {
    let Some(r) = ctx.sensory() else {
        return base.clamp(0.0, 1.0);
    };
    let adj = 1.0 + 0.5 * direction.signum() * r.fused.signal * r.fused.confidence;
    (base * adj).clamp(0.0, 1.0)
}
