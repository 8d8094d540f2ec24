//! One-call backtests: build gateway, order manager and simulated venue from configs,
//! run the events, finish.

use emp_execution::{
    OrderManager, OrderManagerConfig, PortfolioConfig, SimVenueConfig, SimulatedVenue,
};
use emp_model::InstrumentSpec;
use emp_risk::{NoKillSwitch, RiskConfig, RiskGateway, RunMode, StrategyStatus};
use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

use crate::config::{EngineConfig, benchmark_risk_config};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::event::{EventSink, MarketEvent};
use crate::report::RunOutput;
use crate::strategy::Strategy;

/// Everything a backtest needs besides data and strategy (raw; validated by
/// [`BacktestConfig::build`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BacktestConfig {
    /// Loop settings.
    pub engine: EngineConfig,
    /// The account (also used by the venue for margin checks).
    pub portfolio: PortfolioConfig,
    /// Fill model, latency, fees, slippage. Its `account` is replaced by `portfolio`.
    pub venue: SimVenueConfig,
    /// Risk limits. Defaults to [`benchmark_risk_config`].
    pub risk: RiskConfig,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            engine: EngineConfig::default(),
            portfolio: PortfolioConfig::default(),
            venue: SimVenueConfig::default(),
            risk: benchmark_risk_config(),
        }
    }
}

impl BacktestConfig {
    /// Checks every part and reports every violation at once, each path prefixed with its
    /// section (`engine.`, `portfolio.`, `venue.`, `risk.`). `venue.account` is not
    /// checked: `portfolio` replaces it.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.nested_result("engine", self.engine.validate());
        v.nested_result("portfolio", self.portfolio.validate());
        let venue = SimVenueConfig {
            account: PortfolioConfig::default(),
            ..self.venue.clone()
        };
        v.nested_result("venue", venue.validate().map(|_| ()));
        v.nested_result("risk", self.risk.clone().validate().map(|_| ()));
        v.into_result()
    }

    /// Validates (every violation at once, see [`BacktestConfig::validate`]) and builds an
    /// engine on a simulated venue, in paper mode, with the strategy registered `Active`.
    pub fn build(
        self,
        instruments: Vec<InstrumentSpec>,
        strategy: Box<dyn Strategy>,
    ) -> Result<Engine<SimulatedVenue>> {
        self.validate().map_err(Error::InvalidConfig)?;
        let risk = self.risk.validate().map_err(Error::InvalidConfig)?;
        let mut gateway = RiskGateway::try_new(risk, RunMode::Paper, Box::new(NoKillSwitch))?;
        gateway.register_strategy(self.engine.strategy_id.clone(), StrategyStatus::Active);
        let manager = OrderManager::try_new(OrderManagerConfig {
            portfolio: self.portfolio.clone(),
            ..OrderManagerConfig::default()
        })?;
        let venue_config = SimVenueConfig {
            account: self.portfolio,
            ..self.venue
        }
        .validate()
        .map_err(Error::InvalidConfig)?;
        let venue = SimulatedVenue::try_new(venue_config)?;
        Engine::try_new(self.engine, instruments, strategy, gateway, manager, venue)
    }
}

/// Builds the engine from `config`, runs `events`, and finishes the run.
pub fn run_backtest<I>(
    config: BacktestConfig,
    instruments: Vec<InstrumentSpec>,
    strategy: Box<dyn Strategy>,
    events: I,
    sink: &mut dyn EventSink,
) -> Result<RunOutput>
where
    I: IntoIterator<Item = MarketEvent>,
{
    let mut engine = config.build(instruments, strategy)?;
    engine.run(events, sink)?;
    engine.finish(sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_reports_every_section_at_once() {
        let mut c = BacktestConfig::default();
        c.engine.strategy_id = " ".into();
        c.portfolio.leverage = 0.5;
        c.venue.slippage_bps = -1.0;
        c.risk.max_leverage = -1.0;
        let e = c.validate().unwrap_err();
        for path in [
            "engine.strategy_id",
            "portfolio.leverage",
            "venue.slippage_bps",
            "risk.max_leverage",
        ] {
            assert!(e.contains_path(path), "{path} missing from {e}");
        }
        assert_eq!(e.len(), 4);
        assert!(BacktestConfig::default().validate().is_ok());
        // Unknown keys are refused when decoding.
        assert!(serde_json::from_str::<BacktestConfig>(r#"{"bogus": 1}"#).is_err());
        let c: BacktestConfig =
            serde_json::from_str(r#"{"portfolio": {"starting_cash": 5000.0}}"#).unwrap();
        assert_eq!(c.portfolio.starting_cash, 5000.0);
        assert!(
            c.risk.research_mode,
            "the default risk section is the benchmark profile"
        );
    }
}
