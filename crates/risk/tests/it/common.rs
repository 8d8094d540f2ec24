//! Builders shared by the integration tests.

use emp_model::{InstrumentId, Side, UnixNanos};
use emp_risk::{
    Intent, ManualKillSwitch, PortfolioView, PositionView, RiskConfig, RiskGateway, RunMode,
    StrategyStatus, ValidatedRiskConfig,
};

pub(crate) const STRATEGY: &str = "trend-1";

pub(crate) fn id(symbol: &str) -> InstrumentId {
    InstrumentId::try_new(symbol).unwrap()
}

pub(crate) fn now() -> UnixNanos {
    UnixNanos::from_secs(1_700_000_000)
}

/// Defaults plus an FX sector.
pub(crate) fn config() -> RiskConfig {
    let mut c = RiskConfig::default();
    c.instrument_sector_map.insert("EURUSD".into(), "FX".into());
    c.instrument_sector_map.insert("GBPUSD".into(), "FX".into());
    c.sector_exposure_limits.insert("FX".into(), 0.05);
    c
}

pub(crate) fn validated(c: RiskConfig) -> ValidatedRiskConfig {
    c.validate().unwrap()
}

/// A paper gateway with `STRATEGY` active and a manual kill switch.
pub(crate) fn gateway_with(c: RiskConfig) -> (RiskGateway, ManualKillSwitch) {
    let kill = ManualKillSwitch::new();
    let mut g = RiskGateway::try_new(validated(c), RunMode::Paper, Box::new(kill.clone())).unwrap();
    g.register_strategy(STRATEGY, StrategyStatus::Active);
    (g, kill)
}

pub(crate) fn gateway() -> (RiskGateway, ManualKillSwitch) {
    gateway_with(config())
}

/// Buy 1 000 AAPL at 100 with a stop at 98 (risk 2 000 = 2 % of 100k... sized
/// down to the budget when larger).
pub(crate) fn intent(
    symbol: &str,
    side: Side,
    quantity: f64,
    price: f64,
    stop: Option<f64>,
) -> Intent {
    Intent {
        strategy_id: STRATEGY.into(),
        instrument: id(symbol),
        side,
        quantity,
        price,
        stop_loss: stop,
        confidence: 0.9,
        volatility: Some(0.10),
        spread_bps: 1.0,
        ts: now(),
    }
}

pub(crate) fn buy(symbol: &str, quantity: f64, price: f64, stop: f64) -> Intent {
    intent(symbol, Side::Buy, quantity, price, Some(stop))
}

pub(crate) fn portfolio(equity: f64) -> PortfolioView {
    PortfolioView {
        equity,
        peak_equity: equity,
        day_start_equity: equity,
        positions: Vec::new(),
    }
}

pub(crate) fn position(symbol: &str, quantity: f64, mark: f64, stop: Option<f64>) -> PositionView {
    PositionView {
        instrument: id(symbol),
        quantity,
        mark_price: mark,
        stop_loss: stop,
    }
}
