//! Risk configuration: the raw, deserialisable [`RiskConfig`] and the
//! [`ValidatedRiskConfig`] that only [`RiskConfig::validate`] can produce.
//!
//! Field paths in errors are relative (`max_leverage`); the `emp` app embeds this
//! struct as the `risk:` section of its YAML and prefixes `risk.`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::path::PathBuf;

use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

use crate::regime::RegimeConfig;

/// Fractional-Kelly settings (the `kelly:` section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KellyConfig {
    /// Multiplier applied to the full Kelly fraction (0.5 = "half Kelly").
    pub fraction: f64,
    /// Trades a strategy needs before its win rate and payoff are trusted; with
    /// fewer, Kelly is not applied at all.
    pub min_trades: u32,
}

impl Default for KellyConfig {
    fn default() -> Self {
        Self {
            fraction: 0.5,
            min_trades: 30,
        }
    }
}

/// The execution-cost model and its limits (the `execution:` section).
///
/// `slippage_bps = spread_weight × spread_bps
///               + volatility_weight × per-period volatility (bps)
///               + size_impact_bps × order notional ÷ equity`;
/// `cost_bps = slippage_bps + commission_bps`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutionCostConfig {
    pub commission_bps: f64,
    /// Share of the quoted spread paid on entry (0.5 = cross half the spread).
    pub spread_weight: f64,
    /// Share of one period's volatility expected as adverse movement while filling.
    pub volatility_weight: f64,
    /// Market impact in bps per 1× equity of order notional.
    pub size_impact_bps: f64,
    pub max_slippage_bps: f64,
    pub max_cost_bps: f64,
}

impl Default for ExecutionCostConfig {
    fn default() -> Self {
        Self {
            commission_bps: 1.0,
            spread_weight: 0.5,
            volatility_weight: 0.02,
            size_impact_bps: 2.0,
            max_slippage_bps: 25.0,
            max_cost_bps: 30.0,
        }
    }
}

/// Raw risk configuration as read from YAML. Call [`RiskConfig::validate`].
///
/// "Exposure" is measured as *risk at the stop*: the loss if every stop were hit
/// (`|quantity| × |mark − stop|`, or the full notional for a position without a
/// stop), as a fraction of equity. Leverage is gross notional ÷ equity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskConfig {
    /// Loss at the stop allowed for one trade, fraction of equity, (0, 1].
    pub max_risk_per_trade_pct: f64,
    /// Gross notional ÷ equity, > 0.
    pub max_leverage: f64,
    /// Total risk at the stop, fraction of equity, (0, 1].
    pub max_total_exposure_pct: f64,
    /// Drawdown from peak equity at which trading becomes reduce-only, (0, 1].
    pub max_drawdown_pct: f64,
    /// Drawdown at which trading halts; ≥ `max_drawdown_pct`, ≤ 1.
    pub halt_drawdown_pct: f64,
    /// Lowest value of the drawdown sizing multiplier, [0, 1].
    pub drawdown_multiplier_floor: f64,
    /// Loss since the start of the day at which new exposure is refused, (0, 1].
    pub daily_loss_limit_pct: f64,
    pub min_position_size: f64,
    pub max_position_size: f64,
    /// At least 1.
    pub max_open_positions: u32,
    /// Must be true unless `research_mode` is.
    pub mandatory_stop_loss: bool,
    /// Approve everything not halted, listing every violation. Refused in live mode.
    pub research_mode: bool,
    /// Annualised volatility that volatility targeting aims for, > 0.
    pub target_volatility_pct: f64,
    /// Log returns in the realised-volatility window, in 2..=100 000.
    pub volatility_window: usize,
    /// Cap of the volatility-targeting multiplier, > 0.
    pub max_volatility_leverage: f64,
    /// Instrument → sector (both normalised to upper case).
    pub instrument_sector_map: BTreeMap<String, String>,
    /// Sector → limit on the sector's risk at the stop, fraction of equity.
    pub sector_exposure_limits: BTreeMap<String, f64>,
    /// Minimum intent confidence, [0, 1].
    pub confidence_floor: f64,
    /// Share of a limit at which a check warns, (0, 1).
    pub warn_ratio: f64,
    /// File whose existence halts trading.
    pub kill_switch_path: Option<PathBuf>,
    pub kelly: KellyConfig,
    pub regime: RegimeConfig,
    pub execution: ExecutionCostConfig,
}

impl Default for RiskConfig {
    fn default() -> Self {
        Self {
            max_risk_per_trade_pct: 0.02,
            max_leverage: 10.0,
            max_total_exposure_pct: 0.5,
            max_drawdown_pct: 0.25,
            halt_drawdown_pct: 0.35,
            drawdown_multiplier_floor: 0.25,
            daily_loss_limit_pct: 0.05,
            min_position_size: 0.01,
            max_position_size: 10_000_000.0,
            max_open_positions: 25,
            mandatory_stop_loss: true,
            research_mode: false,
            target_volatility_pct: 0.10,
            volatility_window: 20,
            max_volatility_leverage: 2.0,
            instrument_sector_map: BTreeMap::new(),
            sector_exposure_limits: BTreeMap::new(),
            confidence_floor: 0.5,
            warn_ratio: 0.8,
            kill_switch_path: None,
            kelly: KellyConfig::default(),
            regime: RegimeConfig::default(),
            execution: ExecutionCostConfig::default(),
        }
    }
}

/// Largest accepted `volatility_window`: generous for any realised-volatility window,
/// small enough that the rolling buffer stays bounded.
const MAX_VOLATILITY_WINDOW: usize = 100_000;

/// A fraction in (0, 1].
fn unit(v: &mut Violations, x: f64, path: &str) -> bool {
    v.check(
        x > 0.0 && x <= 1.0,
        path,
        format!("must be in (0, 1], got {x}"),
    )
}

fn positive(v: &mut Violations, x: f64, path: &str) -> bool {
    v.check(
        x > 0.0 && x.is_finite(),
        path,
        format!("must be > 0, got {x}"),
    )
}

fn non_negative(v: &mut Violations, x: f64, path: &str) -> bool {
    v.check(
        x >= 0.0 && x.is_finite(),
        path,
        format!("must be >= 0, got {x}"),
    )
}

impl KellyConfig {
    fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        unit(&mut v, self.fraction, "fraction");
        v.into_result()
    }
}

impl ExecutionCostConfig {
    fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        non_negative(&mut v, self.commission_bps, "commission_bps");
        non_negative(&mut v, self.spread_weight, "spread_weight");
        non_negative(&mut v, self.volatility_weight, "volatility_weight");
        non_negative(&mut v, self.size_impact_bps, "size_impact_bps");
        positive(&mut v, self.max_slippage_bps, "max_slippage_bps");
        if positive(&mut v, self.max_cost_bps, "max_cost_bps") {
            v.check(
                self.max_cost_bps >= self.commission_bps,
                "max_cost_bps",
                format!(
                    "must be >= commission_bps ({}), got {}",
                    self.commission_bps, self.max_cost_bps
                ),
            );
        }
        v.into_result()
    }
}

impl RegimeConfig {
    fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        positive(&mut v, self.periods_per_year, "periods_per_year");
        let calm = positive(&mut v, self.calm_below, "calm_below");
        if positive(&mut v, self.storm_above, "storm_above") && calm {
            v.check(
                self.calm_below < self.storm_above,
                "storm_above",
                format!(
                    "must be > calm_below ({}), got {}",
                    self.calm_below, self.storm_above
                ),
            );
        }
        // Multipliers only ever shrink the budget: > 1 would let a regime exceed the
        // per-trade limit.
        unit(&mut v, self.calm_multiplier, "calm_multiplier");
        unit(&mut v, self.normal_multiplier, "normal_multiplier");
        unit(&mut v, self.storm_multiplier, "storm_multiplier");
        v.check(
            self.target_band > 0.0 && self.target_band < 1.0,
            "target_band",
            format!("must be in (0, 1), got {}", self.target_band),
        );
        v.into_result()
    }
}

impl RiskConfig {
    /// Checks every rule and reports every violation at once; on success
    /// normalises sector keys to upper case and precomputes the sector lookup.
    pub fn validate(self) -> Result<ValidatedRiskConfig, ConfigErrors> {
        let mut v = Violations::new();
        let per_trade = unit(
            &mut v,
            self.max_risk_per_trade_pct,
            "max_risk_per_trade_pct",
        );
        positive(&mut v, self.max_leverage, "max_leverage");
        let total = unit(
            &mut v,
            self.max_total_exposure_pct,
            "max_total_exposure_pct",
        );
        if per_trade && total {
            v.check(
                self.max_risk_per_trade_pct <= self.max_total_exposure_pct,
                "max_risk_per_trade_pct",
                format!(
                    "must be <= max_total_exposure_pct ({}), got {}",
                    self.max_total_exposure_pct, self.max_risk_per_trade_pct
                ),
            );
        }
        let max_dd = unit(&mut v, self.max_drawdown_pct, "max_drawdown_pct");
        if unit(&mut v, self.halt_drawdown_pct, "halt_drawdown_pct") && max_dd {
            v.check(
                self.halt_drawdown_pct >= self.max_drawdown_pct,
                "halt_drawdown_pct",
                format!(
                    "must be >= max_drawdown_pct ({}), got {}",
                    self.max_drawdown_pct, self.halt_drawdown_pct
                ),
            );
        }
        v.check(
            (0.0..=1.0).contains(&self.drawdown_multiplier_floor),
            "drawdown_multiplier_floor",
            format!("must be in [0, 1], got {}", self.drawdown_multiplier_floor),
        );
        unit(&mut v, self.daily_loss_limit_pct, "daily_loss_limit_pct");
        let min_ok = positive(&mut v, self.min_position_size, "min_position_size");
        let max_ok = positive(&mut v, self.max_position_size, "max_position_size");
        if min_ok && max_ok {
            v.check(
                self.min_position_size <= self.max_position_size,
                "min_position_size",
                format!(
                    "must be <= max_position_size ({}), got {}",
                    self.max_position_size, self.min_position_size
                ),
            );
        }
        v.check(
            self.max_open_positions >= 1,
            "max_open_positions",
            format!("must be >= 1, got {}", self.max_open_positions),
        );
        // Refused, not warned about: trading without stops is only for research.
        v.check(
            self.mandatory_stop_loss || self.research_mode,
            "mandatory_stop_loss",
            "must be true outside research mode, got false",
        );
        positive(&mut v, self.target_volatility_pct, "target_volatility_pct");
        // A sample deviation needs two returns; the upper bound keeps the rolling
        // window a window (and its memory bounded).
        v.check(
            (2..=MAX_VOLATILITY_WINDOW).contains(&self.volatility_window),
            "volatility_window",
            format!(
                "must be in 2..={MAX_VOLATILITY_WINDOW}, got {}",
                self.volatility_window
            ),
        );
        positive(
            &mut v,
            self.max_volatility_leverage,
            "max_volatility_leverage",
        );
        v.check(
            (0.0..=1.0).contains(&self.confidence_floor),
            "confidence_floor",
            format!("must be in [0, 1], got {}", self.confidence_floor),
        );
        v.check(
            self.warn_ratio > 0.0 && self.warn_ratio < 1.0,
            "warn_ratio",
            format!("must be in (0, 1), got {}", self.warn_ratio),
        );
        if let Some(path) = &self.kill_switch_path {
            v.check(
                !path.as_os_str().is_empty(),
                "kill_switch_path",
                "must not be empty",
            );
        }

        let sectors = normalise_sectors(&mut v, &self);

        v.nested_result("kelly", self.kelly.validate());
        v.nested_result("regime", self.regime.validate());
        v.nested_result("execution", self.execution.validate());
        v.into_result()?;

        let (instrument_sector_map, sector_exposure_limits, sector_index, sector_limits) = sectors;
        let mut raw = self;
        raw.instrument_sector_map = instrument_sector_map;
        raw.sector_exposure_limits = sector_exposure_limits;
        Ok(ValidatedRiskConfig {
            raw,
            sector_index,
            sector_limits,
        })
    }
}

type Sectors = (
    BTreeMap<String, String>,
    BTreeMap<String, f64>,
    HashMap<String, usize>,
    Vec<(String, f64)>,
);

/// Upper-cases the sector map and limits, recording duplicates after
/// normalisation, limits out of range and mapped sectors without a limit.
fn normalise_sectors(v: &mut Violations, c: &RiskConfig) -> Sectors {
    let mut limits = BTreeMap::new();
    for (sector, &limit) in &c.sector_exposure_limits {
        let key = sector.trim().to_ascii_uppercase();
        let path = format!("sector_exposure_limits.{sector}");
        if key.is_empty() {
            v.push(path, "sector name must not be empty");
            continue;
        }
        if limits.insert(key.clone(), limit).is_some() {
            v.push(
                path.clone(),
                format!("duplicate sector after upper-casing: {key}"),
            );
        }
        if unit(v, limit, &path) && c.max_total_exposure_pct > 0.0 {
            v.check(
                limit <= c.max_total_exposure_pct,
                path,
                format!(
                    "must be <= max_total_exposure_pct ({}), got {limit}",
                    c.max_total_exposure_pct
                ),
            );
        }
    }
    let mut map = BTreeMap::new();
    for (instrument, sector) in &c.instrument_sector_map {
        let key = instrument.trim().to_ascii_uppercase();
        let value = sector.trim().to_ascii_uppercase();
        let path = format!("instrument_sector_map.{instrument}");
        if key.is_empty() || value.is_empty() {
            v.push(path, "instrument and sector must not be empty");
            continue;
        }
        if !limits.contains_key(&value) {
            v.push(
                path.clone(),
                format!("sector {value} has no entry in sector_exposure_limits"),
            );
        }
        if map.insert(key.clone(), value).is_some() {
            v.push(
                path,
                format!("duplicate instrument after upper-casing: {key}"),
            );
        }
    }
    let sector_limits: Vec<(String, f64)> = limits.iter().map(|(k, &l)| (k.clone(), l)).collect();
    let sector_index = map
        .iter()
        .filter_map(|(inst, sector)| {
            sector_limits
                .iter()
                .position(|(s, _)| s == sector)
                .map(|i| (inst.clone(), i))
        })
        .collect();
    (map, limits, sector_index, sector_limits)
}

/// A risk configuration that passed [`RiskConfig::validate`]. Read-only; derefs
/// to the (normalised) raw fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedRiskConfig {
    raw: RiskConfig,
    /// Instrument (upper case) → index into `sector_limits`.
    sector_index: HashMap<String, usize>,
    sector_limits: Vec<(String, f64)>,
}

impl ValidatedRiskConfig {
    /// The normalised raw configuration.
    pub fn raw(&self) -> &RiskConfig {
        &self.raw
    }

    pub fn into_raw(self) -> RiskConfig {
        self.raw
    }

    /// The sector of an instrument and its limit, if the instrument is mapped.
    pub fn sector_of(&self, instrument: &str) -> Option<(&str, f64)> {
        self.sector_index_of(instrument).map(|i| {
            let (name, limit) = &self.sector_limits[i];
            (name.as_str(), *limit)
        })
    }

    pub(crate) fn sector_index_of(&self, instrument: &str) -> Option<usize> {
        self.sector_index.get(instrument).copied()
    }
}

impl Deref for ValidatedRiskConfig {
    type Target = RiskConfig;
    fn deref(&self) -> &RiskConfig {
        &self.raw
    }
}

impl Serialize for ValidatedRiskConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl Default for ValidatedRiskConfig {
    fn default() -> Self {
        // The defaults satisfy every rule (asserted in the tests), so this cannot
        // fail; the fallback keeps it panic-free anyway.
        match RiskConfig::default().validate() {
            Ok(c) => c,
            Err(_) => ValidatedRiskConfig {
                raw: RiskConfig::default(),
                sector_index: HashMap::new(),
                sector_limits: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(c: RiskConfig) -> Vec<String> {
        match c.validate() {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(|e| e.path.clone()).collect(),
        }
    }

    #[test]
    fn defaults_are_valid_and_documented_values() {
        let c = RiskConfig::default().validate().unwrap();
        assert_eq!(c.max_risk_per_trade_pct, 0.02);
        assert_eq!(c.max_leverage, 10.0);
        assert_eq!(c.max_total_exposure_pct, 0.5);
        assert_eq!(c.max_drawdown_pct, 0.25);
        assert!(c.mandatory_stop_loss);
        assert!(!c.research_mode);
        assert_eq!(ValidatedRiskConfig::default(), c);
    }

    #[test]
    fn every_rule_names_its_field() {
        type Mutator = fn(&mut RiskConfig);
        let table: &[(Mutator, &str)] = &[
            (|c| c.max_risk_per_trade_pct = 0.0, "max_risk_per_trade_pct"),
            (|c| c.max_risk_per_trade_pct = 1.5, "max_risk_per_trade_pct"),
            (|c| c.max_leverage = -1.0, "max_leverage"),
            (|c| c.max_leverage = f64::NAN, "max_leverage"),
            (|c| c.max_total_exposure_pct = 0.0, "max_total_exposure_pct"),
            (
                |c| c.max_total_exposure_pct = 1.01,
                "max_total_exposure_pct",
            ),
            (
                |c| {
                    c.max_risk_per_trade_pct = 0.3;
                    c.max_total_exposure_pct = 0.2
                },
                "max_risk_per_trade_pct",
            ),
            (|c| c.max_drawdown_pct = 0.0, "max_drawdown_pct"),
            (|c| c.max_drawdown_pct = 2.0, "max_drawdown_pct"),
            (|c| c.halt_drawdown_pct = 0.1, "halt_drawdown_pct"),
            (|c| c.halt_drawdown_pct = 1.1, "halt_drawdown_pct"),
            (
                |c| c.drawdown_multiplier_floor = -0.1,
                "drawdown_multiplier_floor",
            ),
            (|c| c.daily_loss_limit_pct = 0.0, "daily_loss_limit_pct"),
            (|c| c.min_position_size = 0.0, "min_position_size"),
            (|c| c.max_position_size = -1.0, "max_position_size"),
            (
                |c| {
                    c.min_position_size = 10.0;
                    c.max_position_size = 1.0
                },
                "min_position_size",
            ),
            (|c| c.max_open_positions = 0, "max_open_positions"),
            (|c| c.mandatory_stop_loss = false, "mandatory_stop_loss"),
            (|c| c.target_volatility_pct = 0.0, "target_volatility_pct"),
            (|c| c.volatility_window = 0, "volatility_window"),
            // One return has no sample deviation: the estimate would never exist.
            (|c| c.volatility_window = 1, "volatility_window"),
            (|c| c.volatility_window = usize::MAX, "volatility_window"),
            (
                |c| c.max_volatility_leverage = 0.0,
                "max_volatility_leverage",
            ),
            (|c| c.confidence_floor = 1.5, "confidence_floor"),
            (|c| c.warn_ratio = 1.0, "warn_ratio"),
            (
                |c| c.kill_switch_path = Some(PathBuf::new()),
                "kill_switch_path",
            ),
            (|c| c.kelly.fraction = 0.0, "kelly.fraction"),
            (
                |c| c.regime.periods_per_year = 0.0,
                "regime.periods_per_year",
            ),
            (|c| c.regime.calm_below = 0.0, "regime.calm_below"),
            (|c| c.regime.storm_above = 0.05, "regime.storm_above"),
            (
                |c| c.regime.storm_multiplier = 1.5,
                "regime.storm_multiplier",
            ),
            (|c| c.regime.calm_multiplier = 0.0, "regime.calm_multiplier"),
            (
                |c| c.regime.normal_multiplier = -1.0,
                "regime.normal_multiplier",
            ),
            (|c| c.regime.target_band = 1.0, "regime.target_band"),
            (
                |c| c.execution.commission_bps = -1.0,
                "execution.commission_bps",
            ),
            (
                |c| c.execution.spread_weight = -1.0,
                "execution.spread_weight",
            ),
            (
                |c| c.execution.volatility_weight = -1.0,
                "execution.volatility_weight",
            ),
            (
                |c| c.execution.size_impact_bps = f64::INFINITY,
                "execution.size_impact_bps",
            ),
            (
                |c| c.execution.max_slippage_bps = 0.0,
                "execution.max_slippage_bps",
            ),
            (|c| c.execution.max_cost_bps = 0.5, "execution.max_cost_bps"),
            (
                |c| {
                    c.sector_exposure_limits.insert("fx".into(), 0.0);
                },
                "sector_exposure_limits.fx",
            ),
            (
                |c| {
                    c.sector_exposure_limits.insert("fx".into(), 0.6);
                },
                "sector_exposure_limits.fx",
            ),
            (
                |c| {
                    c.instrument_sector_map.insert("eurusd".into(), "fx".into());
                },
                "instrument_sector_map.eurusd",
            ),
            (
                |c| {
                    c.sector_exposure_limits.insert("FX".into(), 0.2);
                    c.sector_exposure_limits.insert("fx".into(), 0.2);
                },
                "sector_exposure_limits.fx",
            ),
        ];
        for (i, (mutate, path)) in table.iter().enumerate() {
            let mut c = RiskConfig::default();
            mutate(&mut c);
            let got = paths(c);
            assert_eq!(
                got,
                vec![path.to_string()],
                "case {i}: expected exactly {path}"
            );
        }
    }

    #[test]
    fn every_violation_is_reported_at_once() {
        let c = RiskConfig {
            max_leverage: -1.0,
            max_open_positions: 0,
            mandatory_stop_loss: false,
            volatility_window: 0,
            kelly: KellyConfig {
                fraction: 2.0,
                min_trades: 1,
            },
            ..RiskConfig::default()
        };
        let err = c.validate().unwrap_err();
        let text = err.to_string();
        assert_eq!(err.len(), 5, "{text}");
        assert!(text.contains("max_leverage: must be > 0, got -1"), "{text}");
        assert!(
            text.contains("mandatory_stop_loss: must be true outside research mode"),
            "{text}"
        );
        assert!(
            text.contains("kelly.fraction: must be in (0, 1], got 2"),
            "{text}"
        );
    }

    #[test]
    fn no_stop_loss_is_allowed_only_in_research_mode() {
        let c = RiskConfig {
            mandatory_stop_loss: false,
            research_mode: true,
            ..RiskConfig::default()
        };
        assert!(c.validate().is_ok());
    }

    #[test]
    fn sector_keys_are_upper_cased_and_indexed() {
        let mut c = RiskConfig::default();
        c.instrument_sector_map
            .insert(" eurusd".into(), "fx ".into());
        c.instrument_sector_map.insert("AAPL".into(), "Tech".into());
        c.sector_exposure_limits.insert("Fx".into(), 0.2);
        c.sector_exposure_limits.insert("tech".into(), 0.5);
        let v = c.validate().unwrap();
        assert_eq!(
            v.instrument_sector_map.get("EURUSD").map(String::as_str),
            Some("FX")
        );
        assert_eq!(v.sector_exposure_limits.get("TECH"), Some(&0.5));
        assert_eq!(v.sector_of("EURUSD"), Some(("FX", 0.2)));
        assert_eq!(v.sector_of("AAPL"), Some(("TECH", 0.5)));
        assert_eq!(v.sector_of("GBPUSD"), None);
    }

    #[test]
    fn yaml_round_trip_and_unknown_fields_refused() {
        let yaml = "max_leverage: 5\nsector_exposure_limits:\n  fx: 0.3\ninstrument_sector_map:\n  eurusd: fx\nkelly:\n  fraction: 0.25\n";
        let c: RiskConfig = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(c.max_leverage, 5.0);
        assert_eq!(c.kelly.fraction, 0.25);
        assert_eq!(
            c.kelly.min_trades, 30,
            "defaults fill the rest of a section"
        );
        let v = c.validate().unwrap();
        let back: RiskConfig = serde_yaml::from_str(&serde_yaml::to_string(&v).unwrap()).unwrap();
        assert_eq!(&back, v.raw());
        let err = serde_yaml::from_str::<RiskConfig>("max_levrage: 5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `max_levrage`"), "{err}");
        assert!(serde_yaml::from_str::<RiskConfig>("execution:\n  bogus: 1\n").is_err());
    }
}
