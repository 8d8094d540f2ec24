//! The `paper:` section: what `emp run` replays, how fast, and how its health is graded.

use std::collections::BTreeMap;
use std::fmt;

use emp_execution::{ExecutionPolicy, PortfolioConfig, SimVenueConfig, StrategyPerformancePolicy};
use emp_model::Timeframe;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Issue;

/// How fast stored data is replayed: a multiplier of the data's own pace (`1` = the real
/// gaps between bars, `86400` = one day of data per wall second), or as fast as possible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplaySpeed {
    /// As fast as the engine goes (`max`, or `0` in the file).
    Max,
    /// Simulated seconds per wall second.
    Multiplier(f64),
}

impl ReplaySpeed {
    /// The factor `emp_engine::replay_delay` takes (0 = no wait).
    pub fn factor(self) -> f64 {
        match self {
            Self::Max => 0.0,
            Self::Multiplier(x) => x,
        }
    }
}

impl fmt::Display for ReplaySpeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Max => f.write_str("max"),
            Self::Multiplier(x) => write!(f, "{x}x"),
        }
    }
}

impl Serialize for ReplaySpeed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Max => s.serialize_str("max"),
            Self::Multiplier(x) => s.serialize_f64(*x),
        }
    }
}

impl<'de> Deserialize<'de> for ReplaySpeed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Clone, Copy)]
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ReplaySpeed;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a speed multiplier (a number >= 0, 0 = as fast as possible) or `max`")
            }
            fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<ReplaySpeed, E> {
                // Range problems are validate()'s job, so they are reported with the others.
                Ok(if x == 0.0 {
                    ReplaySpeed::Max
                } else {
                    ReplaySpeed::Multiplier(x)
                })
            }
            fn visit_i64<E: serde::de::Error>(self, x: i64) -> Result<ReplaySpeed, E> {
                self.visit_f64(x as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, x: u64) -> Result<ReplaySpeed, E> {
                self.visit_f64(x as f64)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ReplaySpeed, E> {
                match s.trim() {
                    "max" => Ok(ReplaySpeed::Max),
                    other => match other.parse::<f64>() {
                        Ok(x) => self.visit_f64(x),
                        Err(_) => Err(E::invalid_value(serde::de::Unexpected::Str(s), &self)),
                    },
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// What the replay does when the stored data runs out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AtEnd {
    /// Stay up, serving health and telemetry, with the final books (open orders stay open
    /// until shutdown cancels them).
    #[default]
    Idle,
    /// Start again from the first bar with a fresh account.
    Loop,
}

/// Wall-clock staleness thresholds of `/health`'s `market_data` and `decisions` checks. They
/// grade how late the next event (or the decision on it) is past the time the replay
/// scheduled it, so they hold at any `speed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessPolicy {
    pub market_data_warn_secs: f64,
    pub market_data_fail_secs: f64,
    pub decision_warn_secs: f64,
    pub decision_fail_secs: f64,
}

impl Default for FreshnessPolicy {
    fn default() -> Self {
        Self {
            market_data_warn_secs: 5.0,
            market_data_fail_secs: 30.0,
            decision_warn_secs: 5.0,
            decision_fail_secs: 30.0,
        }
    }
}

/// The paper run of `emp run`: a catalogue strategy (until a registry reader exists)
/// replaying the most recent stored bars through the engine, risk gateway and simulated venue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaperConfig {
    /// Run the paper replay at all (`false`: the runtime serves health and telemetry only).
    pub enabled: bool,
    /// A catalogue strategy (`emp backtest --help` lists them).
    pub strategy: String,
    /// Its parameters, as `emp backtest --param key=value` takes them.
    pub params: BTreeMap<String, serde_json::Value>,
    /// Instruments to replay; empty means the top-level `symbols`.
    pub symbols: Vec<String>,
    /// Bar timeframe to replay.
    pub timeframe: Timeframe,
    /// How many of the most recent stored bars (per symbol) to replay.
    pub lookback_bars: usize,
    /// Replay speed: a multiplier, or `max` / `0`.
    pub speed: ReplaySpeed,
    /// `idle` or `loop` when the data ends.
    pub at_end: AtEnd,
    /// How often the execution and strategy-performance snapshots are published (ms).
    pub telemetry_interval_ms: u64,
    pub freshness: FreshnessPolicy,
    /// The paper account.
    pub account: PortfolioConfig,
    /// The simulated venue's fill model (its `account` is replaced by `account`).
    pub venue: SimVenueConfig,
    /// Thresholds of `telemetry.operational.execution`.
    pub execution: ExecutionPolicy,
    /// Thresholds of `telemetry.strategy.performance`.
    pub performance: StrategyPerformancePolicy,
}

/// One bar every 100 ms of wall time on daily data: a replay of 500 days takes under a
/// minute and can be watched.
const DEFAULT_SPEED: f64 = 864_000.0;

impl Default for PaperConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            // Trades on the bundled SPX daily bars under the production risk limits (it
            // always sends a stop-loss, which `risk.mandatory_stop_loss` requires).
            strategy: "mean-reversion".into(),
            params: BTreeMap::new(),
            symbols: Vec::new(),
            timeframe: Timeframe::D1,
            lookback_bars: 500,
            speed: ReplaySpeed::Multiplier(DEFAULT_SPEED),
            at_end: AtEnd::Idle,
            telemetry_interval_ms: 1_000,
            freshness: FreshnessPolicy::default(),
            account: PortfolioConfig::default(),
            venue: SimVenueConfig::default(),
            execution: ExecutionPolicy::default(),
            performance: StrategyPerformancePolicy::default(),
        }
    }
}

/// Upper bound of `lookback_bars`: the replay holds its bars in memory.
const MAX_LOOKBACK: usize = 10_000_000;

impl PaperConfig {
    /// Parameters as the strategy registry takes them (`key=value` strings).
    pub fn param_strings(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect()
    }

    pub(crate) fn validate(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        let mut check = |ok: bool, path: &str, msg: String| {
            if !ok {
                out.push(Issue::new(format!("paper.{path}"), msg));
            }
        };
        for (k, v) in &self.params {
            check(
                !(v.is_object() || v.is_array() || v.is_null()),
                &format!("params.{k}"),
                format!("must be a number, boolean or string, got {v}"),
            );
        }
        for (i, s) in self.symbols.iter().enumerate() {
            if let Err(e) = emp_model::InstrumentId::try_new(s) {
                check(false, &format!("symbols[{i}]"), format!("{e}, got {s:?}"));
            }
        }
        check(
            (1..=MAX_LOOKBACK).contains(&self.lookback_bars),
            "lookback_bars",
            format!("must be in 1..={MAX_LOOKBACK}, got {}", self.lookback_bars),
        );
        if let ReplaySpeed::Multiplier(x) = self.speed {
            check(
                x.is_finite() && x > 0.0,
                "speed",
                format!(
                    "must be a finite number > 0, or 0 / `max` for as fast as possible, got {x}"
                ),
            );
        }
        check(
            self.telemetry_interval_ms >= 100,
            "telemetry_interval_ms",
            format!("must be >= 100, got {}", self.telemetry_interval_ms),
        );
        let f = &self.freshness;
        for (name, warn, fail) in [
            (
                "market_data",
                f.market_data_warn_secs,
                f.market_data_fail_secs,
            ),
            ("decision", f.decision_warn_secs, f.decision_fail_secs),
        ] {
            check(
                warn.is_finite() && warn > 0.0,
                &format!("freshness.{name}_warn_secs"),
                format!("must be finite and > 0, got {warn}"),
            );
            check(
                fail.is_finite() && fail >= warn,
                &format!("freshness.{name}_fail_secs"),
                format!("must be finite and >= {name}_warn_secs ({warn}), got {fail}"),
            );
        }
        let nested = |prefix: &str, r: Result<(), emp_telemetry::ConfigErrors>| -> Vec<Issue> {
            r.err()
                .map(|errors| super::prefixed(&format!("paper.{prefix}"), &errors))
                .unwrap_or_default()
        };
        out.extend(nested("account", self.account.validate()));
        let venue = SimVenueConfig {
            account: PortfolioConfig::default(),
            ..self.venue.clone()
        };
        out.extend(nested("venue", venue.validate().map(|_| ())));
        out.extend(nested("execution", self.execution.validate()));
        out.extend(nested("performance", self.performance.validate()));
        // Unknown strategies and bad parameters are refused at start-up, every one named.
        if out.iter().all(|i| !i.path.starts_with("paper.params.")) {
            match emp_engine::strategy_by_name(&self.strategy, &self.param_strings()) {
                Ok(_) => {}
                Err(emp_engine::Error::InvalidParams { errors, .. }) => {
                    out.extend(super::prefixed("paper.params", &errors));
                }
                Err(e) => out.push(Issue::new("paper.strategy", e.to_string())),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_name_a_catalogue_strategy() {
        let c = PaperConfig::default();
        assert!(c.validate().is_empty(), "{:?}", c.validate());
        assert!(emp_engine::STRATEGY_NAMES.contains(&c.strategy.as_str()));
    }

    #[test]
    fn speed_takes_numbers_and_max() {
        let cases: &[(&str, Option<ReplaySpeed>)] = &[
            ("max", Some(ReplaySpeed::Max)),
            ("0", Some(ReplaySpeed::Max)),
            ("60", Some(ReplaySpeed::Multiplier(60.0))),
            ("1.5", Some(ReplaySpeed::Multiplier(1.5))),
            ("'86400'", Some(ReplaySpeed::Multiplier(86_400.0))),
            ("fast", None),
            ("[1]", None),
        ];
        for (yaml, want) in cases {
            let got = serde_yaml::from_str::<ReplaySpeed>(yaml).ok();
            assert_eq!(&got, want, "{yaml}");
        }
        assert_eq!(serde_yaml::to_string(&ReplaySpeed::Max).unwrap(), "max\n");
        assert_eq!(ReplaySpeed::Multiplier(2.0).factor(), 2.0);
        assert_eq!(ReplaySpeed::Max.factor(), 0.0);
    }

    #[test]
    fn every_violation_is_reported_with_its_path() {
        let mut c = PaperConfig {
            lookback_bars: 0,
            speed: ReplaySpeed::Multiplier(-2.0),
            telemetry_interval_ms: 5,
            symbols: vec!["".into()],
            ..PaperConfig::default()
        };
        c.freshness.market_data_fail_secs = 1.0;
        c.account.starting_cash = -1.0;
        c.params.insert("window".into(), serde_json::json!(1));
        c.params.insert("bogus".into(), serde_json::json!("x"));
        let paths: Vec<String> = c.validate().into_iter().map(|i| i.path).collect();
        for p in [
            "paper.lookback_bars",
            "paper.speed",
            "paper.telemetry_interval_ms",
            "paper.symbols[0]",
            "paper.freshness.market_data_fail_secs",
            "paper.account.starting_cash",
            "paper.params.window",
            "paper.params.bogus",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
        }
        let c = PaperConfig {
            strategy: "nope".into(),
            ..PaperConfig::default()
        };
        assert_eq!(c.validate()[0].path, "paper.strategy");
    }
}
