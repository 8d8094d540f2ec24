//! Engine configuration and the documented benchmark risk profile.

use emp_risk::{ExecutionCostConfig, RegimeConfig, RiskConfig};
use emp_sensory::SensoryConfig;
use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

/// Engine settings (raw; [`EngineConfig::validate`] checks every field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// The strategy id the gateway and the portfolio attribute orders to.
    pub strategy_id: String,
    /// Run a sensory cortex per instrument and hand its reading to the strategy.
    pub sensory_enabled: bool,
    /// The cortex configuration.
    pub sensory: SensoryConfig,
    /// Equity is sampled after every bar; for ticks at most once per this many seconds
    /// of simulated time (0 = only at the start and the end).
    pub tick_equity_interval_secs: u64,
    /// Prefix of client order ids (`O-1`, `O-2`, …).
    pub order_id_prefix: String,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            strategy_id: "strategy".into(),
            sensory_enabled: true,
            sensory: SensoryConfig::default(),
            tick_equity_interval_secs: 60,
            order_id_prefix: "O".into(),
        }
    }
}

impl EngineConfig {
    /// Reports every violation at once, each naming its field.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            !self.strategy_id.trim().is_empty(),
            "strategy_id",
            "must not be empty",
        );
        v.check(
            !self.order_id_prefix.is_empty()
                && self
                    .order_id_prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "order_id_prefix",
            format!(
                "must be non-empty ASCII letters, digits or _, got {:?}",
                self.order_id_prefix
            ),
        );
        if self.sensory_enabled {
            v.nested_result("sensory", self.sensory.validate());
        }
        v.into_result()
    }
}

/// The "benchmark" risk profile used for the reference strategies (buy-and-hold, SMA
/// crossover) and the engine benchmark. The gateway still evaluates **every** intent;
/// the profile only makes its limits wide enough not to bind:
///
/// * `research_mode: true` — required by emp-risk for `mandatory_stop_loss: false`
///   (the reference strategies trade without stops). Violations are listed in each
///   decision but approved; a halt (drawdown ≥ `halt_drawdown_pct` = 100 %) still rejects.
/// * per-trade risk and total exposure 100 % of equity, leverage 1 000×, drawdown /
///   daily-loss limits 100 %, drawdown sizing floor 1 (no throttle), confidence floor 0,
///   execution-cost limits 10⁶ bps, position size up to 10¹⁵ units, 10 000 positions;
/// * no volatility scaling: every regime multiplier 1, volatility target 1 000 % with
///   the multiplier capped at 1 (so realised volatility never shrinks a trade).
///
/// Sizing still applies: without a stop the whole notional counts as risk, so one
/// exposure-increasing leg is capped at `equity ÷ price` units (notional ≤ equity).
pub fn benchmark_risk_config() -> RiskConfig {
    RiskConfig {
        max_risk_per_trade_pct: 1.0,
        max_leverage: 1_000.0,
        max_total_exposure_pct: 1.0,
        max_drawdown_pct: 1.0,
        halt_drawdown_pct: 1.0,
        drawdown_multiplier_floor: 1.0,
        daily_loss_limit_pct: 1.0,
        min_position_size: 1e-9,
        max_position_size: 1e15,
        max_open_positions: 10_000,
        mandatory_stop_loss: false,
        research_mode: true,
        confidence_floor: 0.0,
        target_volatility_pct: 10.0,
        max_volatility_leverage: 1.0,
        regime: RegimeConfig {
            calm_multiplier: 1.0,
            normal_multiplier: 1.0,
            storm_multiplier: 1.0,
            ..RegimeConfig::default()
        },
        execution: ExecutionCostConfig {
            commission_bps: 0.0,
            max_slippage_bps: 1e6,
            max_cost_bps: 1e6,
            ..ExecutionCostConfig::default()
        },
        ..RiskConfig::default()
    }
}
