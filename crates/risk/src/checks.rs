//! Policy checks, reason codes and the exposure arithmetic behind them.

use emp_model::InstrumentId;
use serde::Serialize;

use crate::config::ValidatedRiskConfig;
use crate::intent::{PortfolioView, position_risk};

/// Outcome of one policy check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Warn,
    Violation,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Violation => "violation",
        }
    }
}

/// One evaluated rule: `{name, value, threshold, status}`. Boolean rules use
/// 1.0 for "holds" and 0.0 for "does not".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PolicyCheck {
    pub name: &'static str,
    pub value: f64,
    pub threshold: f64,
    pub status: CheckStatus,
}

/// Why an intent was rejected (or, in research mode, what it violated). Each
/// code belongs to one pipeline stage; see [`ReasonCode::stage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    StrategyDisabled,
    LowConfidence,
    TradingHalted,
    TradingReducing,
    MaxDrawdownExceeded,
    DailyLossLimit,
    TooManyOpenPositions,
    NegativeEdge,
    SizeBelowMinimum,
    PositionSizeLimit,
    InvalidPrice,
    InvalidEquity,
    StopLossRequired,
    PerTradeRiskExceeded,
    TotalExposureExceeded,
    LeverageExceeded,
    SectorExposureExceeded,
    PortfolioRiskBreach,
    ExecutionRisk,
}

impl ReasonCode {
    /// Every code, in pipeline order.
    pub const ALL: [ReasonCode; 19] = [
        Self::StrategyDisabled,
        Self::LowConfidence,
        Self::TradingHalted,
        Self::TradingReducing,
        Self::MaxDrawdownExceeded,
        Self::DailyLossLimit,
        Self::TooManyOpenPositions,
        Self::NegativeEdge,
        Self::SizeBelowMinimum,
        Self::PositionSizeLimit,
        Self::InvalidPrice,
        Self::InvalidEquity,
        Self::StopLossRequired,
        Self::PerTradeRiskExceeded,
        Self::TotalExposureExceeded,
        Self::LeverageExceeded,
        Self::SectorExposureExceeded,
        Self::PortfolioRiskBreach,
        Self::ExecutionRisk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StrategyDisabled => "strategy_disabled",
            Self::LowConfidence => "low_confidence",
            Self::TradingHalted => "trading_halted",
            Self::TradingReducing => "trading_reducing",
            Self::MaxDrawdownExceeded => "max_drawdown_exceeded",
            Self::DailyLossLimit => "daily_loss_limit",
            Self::TooManyOpenPositions => "too_many_open_positions",
            Self::NegativeEdge => "negative_edge",
            Self::SizeBelowMinimum => "size_below_minimum",
            Self::PositionSizeLimit => "position_size_limit",
            Self::InvalidPrice => "invalid_price",
            Self::InvalidEquity => "invalid_equity",
            Self::StopLossRequired => "stop_loss_required",
            Self::PerTradeRiskExceeded => "per_trade_risk_exceeded",
            Self::TotalExposureExceeded => "total_exposure_exceeded",
            Self::LeverageExceeded => "leverage_exceeded",
            Self::SectorExposureExceeded => "sector_exposure_exceeded",
            Self::PortfolioRiskBreach => "portfolio_risk_breach",
            Self::ExecutionRisk => "execution_risk",
        }
    }

    /// The pipeline stage (1–9) that produces this code.
    pub fn stage(self) -> u8 {
        match self {
            Self::StrategyDisabled => 1,
            Self::LowConfidence => 2,
            Self::TradingHalted | Self::TradingReducing => 3,
            Self::MaxDrawdownExceeded | Self::DailyLossLimit => 4,
            Self::TooManyOpenPositions => 5,
            Self::NegativeEdge | Self::SizeBelowMinimum => 6,
            Self::PositionSizeLimit
            | Self::InvalidPrice
            | Self::InvalidEquity
            | Self::StopLossRequired
            | Self::PerTradeRiskExceeded
            | Self::TotalExposureExceeded
            | Self::LeverageExceeded
            | Self::SectorExposureExceeded => 7,
            Self::PortfolioRiskBreach => 8,
            Self::ExecutionRisk => 9,
        }
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `value` above `limit`, with a relative tolerance for float noise. NaN counts
/// as exceeding (fail safe).
pub(crate) fn exceeds(value: f64, limit: f64) -> bool {
    !(value <= limit * (1.0 + 1e-9))
}

/// Status of a maximum-type limit: violation above it, warn from `warn_ratio` of it.
pub(crate) fn max_status(value: f64, limit: f64, warn_ratio: f64) -> CheckStatus {
    if exceeds(value, limit) {
        CheckStatus::Violation
    } else if value >= limit * warn_ratio {
        CheckStatus::Warn
    } else {
        CheckStatus::Ok
    }
}

/// `x ÷ equity`, +∞ when equity is not positive (fail safe).
pub(crate) fn per_equity(x: f64, equity: f64) -> f64 {
    if equity > 0.0 && equity.is_finite() {
        x / equity
    } else {
        f64::INFINITY
    }
}

/// Portfolio exposure figures (absolute amounts in quote currency).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Exposure {
    pub gross_notional: f64,
    pub long_notional: f64,
    pub short_notional: f64,
    /// Sum of the positions' risk at the stop.
    pub total_risk: f64,
    pub largest_position_risk: f64,
    /// Risk at the stop in the intent's sector (0 without a sector).
    pub sector_risk: f64,
    pub open_positions: usize,
}

impl Exposure {
    /// The exposure of a whole portfolio (no intent, so no sector).
    pub fn of(portfolio: &PortfolioView) -> Self {
        let mut e = Exposure::default();
        for p in &portfolio.positions {
            e.add(p.quantity, p.mark_price, p.stop_loss, false);
        }
        e
    }

    fn add(&mut self, quantity: f64, mark: f64, stop: Option<f64>, in_sector: bool) {
        self.add_parts(&[(quantity, mark)], stop, in_sector);
    }

    /// One position made of same-direction parts `(quantity, valued at)` sharing `stop`
    /// (a held quantity at its mark plus an added leg at its entry price).
    fn add_parts(&mut self, parts: &[(f64, f64)], stop: Option<f64>, in_sector: bool) {
        let quantity: f64 = parts.iter().map(|&(q, _)| q).sum();
        if quantity == 0.0 {
            return;
        }
        let notional: f64 = parts.iter().map(|&(q, m)| (q * m).abs()).sum();
        let risk: f64 = parts.iter().map(|&(q, m)| position_risk(q, m, stop)).sum();
        self.gross_notional += notional;
        if quantity > 0.0 {
            self.long_notional += notional;
        } else {
            self.short_notional += notional;
        }
        self.total_risk += risk;
        // `max` would drop a NaN; keep it so the checks fail safe.
        if !(risk <= self.largest_position_risk) {
            self.largest_position_risk = risk;
        }
        if in_sector {
            self.sector_risk += risk;
        }
        self.open_positions += 1;
    }

    /// `max(largest position risk ÷ per-position budget, total risk ÷ total
    /// budget, gross leverage ÷ max leverage)`; above 1 is a breach.
    pub fn risk_score(&self, equity: f64, config: &ValidatedRiskConfig) -> f64 {
        let a = per_equity(self.largest_position_risk, equity) / config.max_risk_per_trade_pct;
        let b = per_equity(self.total_risk, equity) / config.max_total_exposure_pct;
        let c = per_equity(self.gross_notional, equity) / config.max_leverage;
        // NaN-propagating max.
        [a, b, c]
            .into_iter()
            .fold(0.0, |m, x| if !(x <= m) { x } else { m })
    }
}

/// The portfolio split into "the intent's instrument" and "everything else", so
/// pre- and post-trade exposure differ only in one term (added last, which keeps
/// the sums monotone in it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Book {
    others: Exposure,
    pub(crate) current_quantity: f64,
    pub(crate) current_stop: Option<f64>,
    /// Mark of the held position (the last entry's, like the stop).
    current_mark: f64,
    in_sector: bool,
}

impl Book {
    pub(crate) fn scan(
        portfolio: &PortfolioView,
        instrument: &InstrumentId,
        config: &ValidatedRiskConfig,
    ) -> Self {
        let sector = config.sector_index_of(instrument.as_str());
        let mut others = Exposure::default();
        let mut current_quantity = 0.0;
        let mut current_stop = None;
        let mut current_mark = f64::NAN;
        for p in &portfolio.positions {
            if p.instrument == *instrument {
                current_quantity += p.quantity;
                current_stop = p.stop_loss;
                current_mark = p.mark_price;
            } else {
                let in_sector =
                    sector.is_some() && config.sector_index_of(p.instrument.as_str()) == sector;
                others.add(p.quantity, p.mark_price, p.stop_loss, in_sector);
            }
        }
        Book {
            others,
            current_quantity,
            current_stop,
            current_mark,
            in_sector: sector.is_some(),
        }
    }

    /// Exposure after adding `leg` (signed, same direction as the held position) at
    /// `price`, the whole position protected by `stop`. The held quantity stays valued
    /// at its mark: valuing it at the intent's price would let an order priced far
    /// from the market (a resting limit) hide the held position's real notional and
    /// its risk at the new stop. Without a usable mark (the engine sends 0 for "no mark
    /// yet") the intent's price is the best estimate of the held quantity's value.
    pub(crate) fn with_increase(&self, leg: f64, price: f64, stop: Option<f64>) -> Exposure {
        let mark = if self.current_mark > 0.0 && self.current_mark.is_finite() {
            self.current_mark
        } else {
            price
        };
        let mut e = self.others;
        e.add_parts(
            &[(self.current_quantity, mark), (leg, price)],
            stop,
            self.in_sector,
        );
        e
    }

    /// Exposure with the intent's instrument at `quantity`, marked at `price`.
    pub(crate) fn with_position(&self, quantity: f64, price: f64, stop: Option<f64>) -> Exposure {
        let mut e = self.others;
        e.add(quantity, price, stop, self.in_sector);
        e
    }
}

/// The execution-cost estimate of stage 9.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ExecutionEstimate {
    pub spread_bps: f64,
    pub volatility_bps: f64,
    pub impact_bps: f64,
    pub slippage_bps: f64,
    pub commission_bps: f64,
    pub cost_bps: f64,
}

impl ExecutionEstimate {
    pub(crate) fn estimate(
        config: &ValidatedRiskConfig,
        spread_bps: f64,
        annual_volatility: Option<f64>,
        notional: f64,
        equity: f64,
    ) -> Self {
        let e = &config.execution;
        // Unusable inputs become NaN so the limit checks fail safe: `f64::max` would
        // turn a NaN spread into 0, and a negative volatility would *subtract* cost.
        let spread_bps = if spread_bps.is_nan() {
            f64::NAN
        } else {
            spread_bps.max(0.0)
        };
        let spread = e.spread_weight * spread_bps;
        let annual_volatility = match annual_volatility {
            None => 0.0,
            Some(v) if v >= 0.0 => v,
            Some(_) => f64::NAN,
        };
        let per_period = annual_volatility / config.regime.periods_per_year.sqrt();
        let volatility = e.volatility_weight * per_period * 10_000.0;
        let impact = e.size_impact_bps * per_equity(notional, equity);
        let slippage = spread + volatility + impact;
        Self {
            spread_bps: spread,
            volatility_bps: volatility,
            impact_bps: impact,
            slippage_bps: slippage,
            commission_bps: e.commission_bps,
            cost_bps: slippage + e.commission_bps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_stage_order_and_unique() {
        let stages: Vec<u8> = ReasonCode::ALL.iter().map(|c| c.stage()).collect();
        assert!(stages.windows(2).all(|w| w[0] <= w[1]));
        let mut names: Vec<&str> = ReasonCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ReasonCode::ALL.len());
        assert_eq!(
            serde_json::to_value(ReasonCode::TradingHalted).unwrap(),
            "trading_halted"
        );
    }

    #[test]
    fn exceeds_fails_safe_on_nan() {
        assert!(!exceeds(1.0, 1.0));
        assert!(!exceeds(1.0 + 1e-12, 1.0));
        assert!(exceeds(1.01, 1.0));
        assert!(exceeds(f64::NAN, 1.0));
        assert_eq!(max_status(0.79, 1.0, 0.8), CheckStatus::Ok);
        assert_eq!(max_status(0.8, 1.0, 0.8), CheckStatus::Warn);
        assert_eq!(max_status(1.2, 1.0, 0.8), CheckStatus::Violation);
        assert_eq!(per_equity(1.0, 0.0), f64::INFINITY);
    }
}
