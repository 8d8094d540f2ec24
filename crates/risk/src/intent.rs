//! What the engine hands the gateway: the intent, the portfolio as risk sees it,
//! and the registry facts about strategies. Amounts are f64 (the engine converts
//! from fixed point); quantities are in instrument units, prices in quote currency.

use emp_model::{InstrumentId, Side, UnixNanos};
use serde::{Deserialize, Serialize};

/// A strategy's wish to trade, before risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub strategy_id: String,
    pub instrument: InstrumentId,
    pub side: Side,
    /// Requested quantity (> 0). The gateway may only reduce it.
    pub quantity: f64,
    /// Expected entry price (> 0).
    pub price: f64,
    /// Protective stop price; below `price` for a buy, above for a sell.
    pub stop_loss: Option<f64>,
    /// The strategy's confidence in [0, 1].
    pub confidence: f64,
    /// Annualised realised volatility of the instrument, if known.
    pub volatility: Option<f64>,
    /// Quoted bid/ask spread in basis points of the price.
    pub spread_bps: f64,
    pub ts: UnixNanos,
}

/// One open position as risk sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PositionView {
    pub instrument: InstrumentId,
    /// Signed quantity: > 0 long, < 0 short.
    pub quantity: f64,
    pub mark_price: f64,
    pub stop_loss: Option<f64>,
}

impl PositionView {
    /// Loss if the stop is hit: `|q| × |mark − stop|`, or the full notional
    /// without a stop (the conservative bound).
    pub fn risk(&self) -> f64 {
        position_risk(self.quantity, self.mark_price, self.stop_loss)
    }

    pub fn notional(&self) -> f64 {
        (self.quantity * self.mark_price).abs()
    }
}

pub(crate) fn position_risk(quantity: f64, mark: f64, stop: Option<f64>) -> f64 {
    match stop {
        Some(s) => quantity.abs() * (mark - s).abs(),
        None => (quantity * mark).abs(),
    }
}

/// The portfolio at the moment of the decision. Positions are one per
/// instrument; duplicates are netted (the last one's mark and stop win).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PortfolioView {
    pub equity: f64,
    /// Highest equity so far (drawdown reference).
    pub peak_equity: f64,
    /// Equity at the start of the trading day (daily-loss reference).
    pub day_start_equity: f64,
    pub positions: Vec<PositionView>,
}

impl PortfolioView {
    /// Drawdown from peak as a fraction; fails safe to 1 (the worst) when the
    /// numbers are not usable (non-positive or non-finite peak or equity).
    pub fn drawdown(&self) -> f64 {
        let peak = self.peak_equity.max(self.equity);
        if !(peak > 0.0) || !peak.is_finite() || !self.equity.is_finite() {
            return 1.0;
        }
        (1.0 - self.equity / peak).max(0.0)
    }

    /// Loss since the start of the day as a fraction of the day-start equity;
    /// fails safe to 1 on unusable numbers. A gain is 0.
    pub fn daily_loss(&self) -> f64 {
        if !(self.day_start_equity > 0.0)
            || !self.day_start_equity.is_finite()
            || !self.equity.is_finite()
        {
            return 1.0;
        }
        ((self.day_start_equity - self.equity) / self.day_start_equity).max(0.0)
    }

    /// Positions with a non-zero quantity.
    pub fn open_positions(&self) -> usize {
        self.positions.iter().filter(|p| p.quantity != 0.0).count()
    }
}

/// A strategy's lifecycle status in the registry. Only `Approved` and `Active`
/// may trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyStatus {
    Candidate,
    Approved,
    Active,
    Suspended,
    Retired,
}

impl StrategyStatus {
    pub fn may_trade(self) -> bool {
        matches!(self, Self::Approved | Self::Active)
    }
}

/// A strategy's measured record, the input of the Kelly factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrackRecord {
    /// Closed trades measured.
    pub trades: u32,
    /// Winning trades ÷ trades, [0, 1].
    pub win_rate: f64,
    /// Average win ÷ average loss (> 0).
    pub payoff_ratio: f64,
}

/// How an intent changes the position in its instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentKind {
    /// No position yet: opens one (counts against `max_open_positions`).
    Open,
    /// Same direction as the position: adds.
    Increase,
    /// Opposite direction, at most the position: reduces or closes.
    Reduce,
    /// Opposite direction, more than the position: closes and opens the other way.
    Flip,
}

impl IntentKind {
    pub(crate) fn classify(current: f64, side: Side, quantity: f64) -> Self {
        let sign = match side {
            Side::Buy => 1.0,
            Side::Sell => -1.0,
        };
        if current == 0.0 {
            Self::Open
        } else if current.signum() == sign {
            Self::Increase
        } else if quantity <= current.abs() {
            Self::Reduce
        } else {
            Self::Flip
        }
    }

    /// Everything but a pure reduction increases exposure.
    pub fn increases_exposure(self) -> bool {
        !matches!(self, Self::Reduce)
    }
}
