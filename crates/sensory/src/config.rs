//! Typed, validated configuration for the cortex and each organ.
//!
//! Every struct denies unknown fields and defaults every field, so `{}` is a valid config.
//! [`SensoryConfig::validate`] reports every violation at once with its dotted path
//! (`what.lookback: must be >= 2, got 1`). A [`Cortex`](crate::Cortex) can only be built from
//! a config that validates.

use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

/// The whole sensory configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SensoryConfig {
    /// Length in seconds of the bars the cortex builds from quote mids when no external bars
    /// are fed (0 disables it). The first `on_bar` call switches aggregation off for good,
    /// so external bars are never double counted.
    pub quote_bar_secs: u32,
    /// WHAT organ.
    pub what: WhatConfig,
    /// HOW organ.
    pub how: HowConfig,
    /// WHEN organ.
    pub when: WhenConfig,
    /// WHY organ.
    pub why: WhyConfig,
    /// ANOMALY organ.
    pub anomaly: AnomalyConfig,
    /// Fusion and audit trail.
    pub fusion: FusionConfig,
    /// Drift telemetry.
    pub drift: DriftConfig,
}

impl Default for SensoryConfig {
    fn default() -> Self {
        SensoryConfig {
            quote_bar_secs: 60,
            what: WhatConfig::default(),
            how: HowConfig::default(),
            when: WhenConfig::default(),
            why: WhyConfig::default(),
            anomaly: AnomalyConfig::default(),
            fusion: FusionConfig::default(),
            drift: DriftConfig::default(),
        }
    }
}

impl SensoryConfig {
    /// Checks every rule of every section; all violations are returned together.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.quote_bar_secs <= 86_400,
            "quote_bar_secs",
            format!("must be <= 86400, got {}", self.quote_bar_secs),
        );
        v.nested_result("what", self.what.validate());
        v.nested_result("how", self.how.validate());
        v.nested_result("when", self.when.validate());
        v.nested_result("why", self.why.validate());
        v.nested_result("anomaly", self.anomaly.validate());
        v.nested_result("fusion", self.fusion.validate());
        v.nested_result("drift", self.drift.validate());
        if self.drift.window > self.fusion.audit_len {
            v.push(
                "drift.window",
                format!(
                    "must be <= fusion.audit_len ({}), got {}",
                    self.fusion.audit_len, self.drift.window
                ),
            );
        }
        v.into_result()
    }
}

const MAX_WINDOW: usize = 1_000_000;

fn window(v: &mut Violations, path: &str, x: usize, min: usize) {
    v.check(
        (min..=MAX_WINDOW).contains(&x),
        path,
        format!("must be in {min}..={MAX_WINDOW}, got {x}"),
    );
}

fn positive(v: &mut Violations, path: &str, x: f64) -> bool {
    v.check(
        x.is_finite() && x > 0.0,
        path,
        format!("must be finite and > 0, got {x}"),
    )
}

fn non_negative(v: &mut Violations, path: &str, x: f64) -> bool {
    v.check(
        x.is_finite() && x >= 0.0,
        path,
        format!("must be finite and >= 0, got {x}"),
    )
}

fn unit(v: &mut Violations, path: &str, x: f64) -> bool {
    v.check(
        x.is_finite() && (0.0..=1.0).contains(&x),
        path,
        format!("must be in [0, 1], got {x}"),
    )
}

/// WHAT: price action over the last `lookback` bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhatConfig {
    /// N of the N-bar range and of the trend regression.
    pub lookback: usize,
    /// Bars needed before the organ reports (confidence ramps from here to `lookback`).
    pub min_bars: usize,
    /// Weight of the breakout component.
    pub breakout_weight: f64,
    /// Weight of the trend component.
    pub trend_weight: f64,
    /// Weight of the candle-pattern component.
    pub pattern_weight: f64,
}

impl Default for WhatConfig {
    fn default() -> Self {
        WhatConfig {
            lookback: 20,
            min_bars: 5,
            breakout_weight: 0.4,
            trend_weight: 0.4,
            pattern_weight: 0.2,
        }
    }
}

impl WhatConfig {
    /// Checks windows and weights.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        window(&mut v, "lookback", self.lookback, 2);
        v.check(
            self.min_bars >= 2 && self.min_bars <= self.lookback,
            "min_bars",
            format!(
                "must be in 2..=lookback ({}), got {}",
                self.lookback, self.min_bars
            ),
        );
        let ok = non_negative(&mut v, "breakout_weight", self.breakout_weight)
            & non_negative(&mut v, "trend_weight", self.trend_weight)
            & non_negative(&mut v, "pattern_weight", self.pattern_weight);
        if ok {
            v.check(
                self.breakout_weight + self.trend_weight + self.pattern_weight > 0.0,
                "breakout_weight",
                "the three component weights must not all be 0",
            );
        }
        v.into_result()
    }
}

/// HOW: liquidity and participation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HowConfig {
    /// Rolling window, in events, for quote spreads, quote flow and trade flow.
    pub window: usize,
    /// Rolling window, in bars, for the bar-volume proxy.
    pub bar_window: usize,
    /// Events needed before a tick-based estimate is reported.
    pub min_samples: usize,
    /// Spread z-score at which the state becomes warn.
    pub spread_warn_z: f64,
    /// Spread z-score at which the state becomes alert.
    pub spread_alert_z: f64,
    /// Highest confidence a bar-volume proxy can reach (it is weaker evidence than ticks).
    pub bar_proxy_confidence: f64,
}

impl Default for HowConfig {
    fn default() -> Self {
        HowConfig {
            window: 300,
            bar_window: 20,
            min_samples: 20,
            spread_warn_z: 3.0,
            spread_alert_z: 6.0,
            bar_proxy_confidence: 0.5,
        }
    }
}

impl HowConfig {
    /// Checks windows, thresholds and the proxy cap.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        window(&mut v, "window", self.window, 2);
        window(&mut v, "bar_window", self.bar_window, 2);
        v.check(
            self.min_samples >= 2 && self.min_samples <= self.window,
            "min_samples",
            format!(
                "must be in 2..=window ({}), got {}",
                self.window, self.min_samples
            ),
        );
        if positive(&mut v, "spread_warn_z", self.spread_warn_z)
            & positive(&mut v, "spread_alert_z", self.spread_alert_z)
        {
            v.check(
                self.spread_alert_z > self.spread_warn_z,
                "spread_alert_z",
                format!(
                    "must be > spread_warn_z ({}), got {}",
                    self.spread_warn_z, self.spread_alert_z
                ),
            );
        }
        unit(&mut v, "bar_proxy_confidence", self.bar_proxy_confidence);
        v.into_result()
    }
}

/// Weights of event importance levels (used by WHEN proximity and WHY surprises).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportanceWeights {
    /// `Importance::Low`.
    pub low: f64,
    /// `Importance::Medium`.
    pub medium: f64,
    /// `Importance::High`.
    pub high: f64,
}

impl Default for ImportanceWeights {
    fn default() -> Self {
        ImportanceWeights {
            low: 0.25,
            medium: 0.5,
            high: 1.0,
        }
    }
}

impl ImportanceWeights {
    /// Each weight in `[0, 1]`.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        unit(&mut v, "low", self.low);
        unit(&mut v, "medium", self.medium);
        unit(&mut v, "high", self.high);
        v.into_result()
    }

    pub(crate) fn of(&self, importance: emp_model::Importance) -> f64 {
        match importance {
            emp_model::Importance::Low => self.low,
            emp_model::Importance::Medium => self.medium,
            emp_model::Importance::High => self.high,
        }
    }
}

/// WHEN: session intensity, weekday and scheduled events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhenConfig {
    /// Weight of the Asia session (22:00–07:00 UTC).
    pub asia_weight: f64,
    /// Weight of the London session (07:00–16:00 UTC).
    pub london_weight: f64,
    /// Weight of the New York session (12:00–21:00 UTC).
    pub new_york_weight: f64,
    /// Intensity factor for Monday..Friday.
    pub weekday_factors: [f64; 5],
    /// Minutes either side of an event within which it counts as near.
    pub event_window_minutes: u32,
    /// Minutes either side of a high-importance event that raise an alert.
    pub event_alert_minutes: u32,
    /// How much a fully weighted event at distance 0 adds to intensity.
    pub event_boost: f64,
    /// Importance weights.
    pub importance: ImportanceWeights,
}

impl Default for WhenConfig {
    fn default() -> Self {
        WhenConfig {
            asia_weight: 0.5,
            london_weight: 1.0,
            new_york_weight: 1.0,
            weekday_factors: [0.9, 1.0, 1.0, 1.0, 0.9],
            event_window_minutes: 60,
            event_alert_minutes: 15,
            event_boost: 0.25,
            importance: ImportanceWeights::default(),
        }
    }
}

impl WhenConfig {
    /// Checks weights, factors and windows.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        let ok = non_negative(&mut v, "asia_weight", self.asia_weight)
            & non_negative(&mut v, "london_weight", self.london_weight)
            & non_negative(&mut v, "new_york_weight", self.new_york_weight);
        if ok {
            v.check(
                self.max_session_weight() > 0.0,
                "london_weight",
                "session weights must not all be 0",
            );
        }
        for (i, f) in self.weekday_factors.iter().enumerate() {
            unit(&mut v, &format!("weekday_factors[{i}]"), *f);
        }
        v.check(
            (1..=10_080).contains(&self.event_window_minutes),
            "event_window_minutes",
            format!("must be in 1..=10080, got {}", self.event_window_minutes),
        );
        v.check(
            self.event_alert_minutes <= self.event_window_minutes,
            "event_alert_minutes",
            format!(
                "must be <= event_window_minutes ({}), got {}",
                self.event_window_minutes, self.event_alert_minutes
            ),
        );
        unit(&mut v, "event_boost", self.event_boost);
        v.nested_result("importance", self.importance.validate());
        v.into_result()
    }

    /// The largest raw session weight any hour can have (Asia overlaps neither other session).
    pub(crate) fn max_session_weight(&self) -> f64 {
        self.asia_weight
            .max(self.london_weight + self.new_york_weight)
    }
}

/// Series ids the WHY organ listens to in `on_macro`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhySeries {
    /// 2-year yield, percent.
    pub two_year: String,
    /// 10-year yield, percent.
    pub ten_year: String,
    /// Moody's BAA yield, percent.
    pub baa: String,
    /// Moody's AAA yield, percent.
    pub aaa: String,
    /// Policy or short rate, percent.
    pub policy_rate: String,
}

impl Default for WhySeries {
    fn default() -> Self {
        WhySeries {
            two_year: "DGS2".into(),
            ten_year: "DGS10".into(),
            baa: "BAA".into(),
            aaa: "AAA".into(),
            policy_rate: "FEDFUNDS".into(),
        }
    }
}

/// How a currency's positive macro surprise moves the instrument: `+1` for the base
/// currency of a pair (or an equity's home currency), `-1` for the quote currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyExposure {
    /// ISO code, e.g. `"USD"`.
    pub currency: String,
    /// Sign in `[-1, 1]`.
    pub sign: f64,
}

/// WHY: the macro backdrop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhyConfig {
    /// Series ids.
    pub series: WhySeries,
    /// 2s10s slope (percentage points) that maps to tanh(1) ≈ 0.76.
    pub slope_scale: f64,
    /// A slope in `[0, flat_band]` is a flat curve (percentage points).
    pub flat_band: f64,
    /// Slope at or below which an inversion is an alert (percentage points, negative).
    pub deep_inversion: f64,
    /// Observations back for the credit-spread trend.
    pub credit_lookback: usize,
    /// Change in BAA − AAA (percentage points) that maps to tanh(1).
    pub credit_scale: f64,
    /// Observations back for the rate change.
    pub rate_lookback: usize,
    /// Rate change (percentage points) that maps to tanh(1).
    pub rate_scale: f64,
    /// Half-life of a surprise's influence, hours.
    pub surprise_half_life_hours: f64,
    /// Relative surprise `(actual − forecast)/max(|forecast|, |previous|)` that maps to tanh(1).
    pub surprise_scale: f64,
    /// Currencies whose surprises matter, and their sign.
    pub surprise_currencies: Vec<CurrencyExposure>,
    /// Series observations older than this (days) are ignored as stale.
    pub max_staleness_days: f64,
    /// Component weights: curve, credit, rate, surprise.
    pub curve_weight: f64,
    /// Weight of the credit component.
    pub credit_weight: f64,
    /// Weight of the rate component.
    pub rate_weight: f64,
    /// Weight of the surprise component.
    pub surprise_weight: f64,
    /// Importance weights for surprises.
    pub importance: ImportanceWeights,
}

impl Default for WhyConfig {
    fn default() -> Self {
        WhyConfig {
            series: WhySeries::default(),
            slope_scale: 1.0,
            flat_band: 0.25,
            deep_inversion: -0.5,
            credit_lookback: 3,
            credit_scale: 0.5,
            rate_lookback: 3,
            rate_scale: 0.5,
            surprise_half_life_hours: 24.0,
            surprise_scale: 0.05,
            surprise_currencies: vec![CurrencyExposure {
                currency: "USD".into(),
                sign: 1.0,
            }],
            max_staleness_days: 120.0,
            curve_weight: 1.0,
            credit_weight: 1.0,
            rate_weight: 0.5,
            surprise_weight: 1.0,
            importance: ImportanceWeights::default(),
        }
    }
}

impl WhyConfig {
    /// Checks scales, lookbacks, weights and currencies.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        for (path, id) in [
            ("series.two_year", &self.series.two_year),
            ("series.ten_year", &self.series.ten_year),
            ("series.baa", &self.series.baa),
            ("series.aaa", &self.series.aaa),
            ("series.policy_rate", &self.series.policy_rate),
        ] {
            v.check(!id.trim().is_empty(), path, "must not be empty");
        }
        positive(&mut v, "slope_scale", self.slope_scale);
        non_negative(&mut v, "flat_band", self.flat_band);
        v.check(
            self.deep_inversion.is_finite() && self.deep_inversion < 0.0,
            "deep_inversion",
            format!("must be finite and < 0, got {}", self.deep_inversion),
        );
        window(&mut v, "credit_lookback", self.credit_lookback, 1);
        positive(&mut v, "credit_scale", self.credit_scale);
        window(&mut v, "rate_lookback", self.rate_lookback, 1);
        positive(&mut v, "rate_scale", self.rate_scale);
        positive(
            &mut v,
            "surprise_half_life_hours",
            self.surprise_half_life_hours,
        );
        positive(&mut v, "surprise_scale", self.surprise_scale);
        positive(&mut v, "max_staleness_days", self.max_staleness_days);
        for (i, c) in self.surprise_currencies.iter().enumerate() {
            v.check(
                emp_model::Currency::try_new(&c.currency).is_ok(),
                format!("surprise_currencies[{i}].currency"),
                format!("must be a 3-letter currency code, got {:?}", c.currency),
            );
            v.check(
                c.sign.is_finite() && (-1.0..=1.0).contains(&c.sign),
                format!("surprise_currencies[{i}].sign"),
                format!("must be in [-1, 1], got {}", c.sign),
            );
        }
        let ok = non_negative(&mut v, "curve_weight", self.curve_weight)
            & non_negative(&mut v, "credit_weight", self.credit_weight)
            & non_negative(&mut v, "rate_weight", self.rate_weight)
            & non_negative(&mut v, "surprise_weight", self.surprise_weight);
        if ok {
            v.check(
                self.curve_weight + self.credit_weight + self.rate_weight + self.surprise_weight
                    > 0.0,
                "curve_weight",
                "the four component weights must not all be 0",
            );
        }
        v.nested_result("importance", self.importance.validate());
        v.into_result()
    }
}

/// ANOMALY: z-scores against a rolling window of bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnomalyConfig {
    /// Rolling window, in bars.
    pub window: usize,
    /// Bars needed before z-scores are reported.
    pub min_samples: usize,
    /// |z| at which the state becomes warn.
    pub warn_z: f64,
    /// |z| at which the state becomes alert.
    pub alert_z: f64,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        AnomalyConfig {
            window: 50,
            min_samples: 20,
            warn_z: 2.5,
            alert_z: 4.0,
        }
    }
}

impl AnomalyConfig {
    /// Checks the window and thresholds.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        window(&mut v, "window", self.window, 3);
        v.check(
            self.min_samples >= 3 && self.min_samples <= self.window,
            "min_samples",
            format!(
                "must be in 3..=window ({}), got {}",
                self.window, self.min_samples
            ),
        );
        if positive(&mut v, "warn_z", self.warn_z) & positive(&mut v, "alert_z", self.alert_z) {
            v.check(
                self.alert_z > self.warn_z,
                "alert_z",
                format!("must be > warn_z ({}), got {}", self.warn_z, self.alert_z),
            );
        }
        v.into_result()
    }
}

/// Fusion weights and the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FusionConfig {
    /// Vote weight of WHAT.
    pub what_weight: f64,
    /// Vote weight of HOW.
    pub how_weight: f64,
    /// Vote weight of WHY.
    pub why_weight: f64,
    /// Vote weight of ANOMALY.
    pub anomaly_weight: f64,
    /// WHEN does not vote on direction; it scales fused confidence by
    /// `floor + (1 − floor) · intensity`. This is the floor.
    pub when_gate_floor: f64,
    /// Number of readings kept in the audit trail.
    pub audit_len: usize,
}

impl Default for FusionConfig {
    fn default() -> Self {
        FusionConfig {
            what_weight: 1.0,
            how_weight: 1.0,
            why_weight: 1.0,
            anomaly_weight: 0.5,
            when_gate_floor: 0.5,
            audit_len: 256,
        }
    }
}

impl FusionConfig {
    /// Checks weights, floor and trail length.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        let ok = non_negative(&mut v, "what_weight", self.what_weight)
            & non_negative(&mut v, "how_weight", self.how_weight)
            & non_negative(&mut v, "why_weight", self.why_weight)
            & non_negative(&mut v, "anomaly_weight", self.anomaly_weight);
        if ok {
            v.check(
                self.what_weight + self.how_weight + self.why_weight + self.anomaly_weight > 0.0,
                "what_weight",
                "the vote weights must not all be 0",
            );
        }
        unit(&mut v, "when_gate_floor", self.when_gate_floor);
        window(&mut v, "audit_len", self.audit_len, 1);
        v.into_result()
    }

    /// Vote weights in dimension order (WHEN's is 0: it gates instead of voting).
    pub(crate) fn weights(&self) -> [f64; 5] {
        [
            self.what_weight,
            self.how_weight,
            0.0,
            self.why_weight,
            self.anomaly_weight,
        ]
    }
}

/// Drift: each dimension's signal against its rolling mean over the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DriftConfig {
    /// Readings in the rolling mean (at most `fusion.audit_len`).
    pub window: usize,
    /// Readings (with confidence > 0) needed before drift is judged.
    pub min_samples: usize,
    /// |signal − mean| at which a dimension warns.
    pub warn: f64,
    /// |signal − mean| at which a dimension fails.
    pub alert: f64,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            window: 50,
            min_samples: 10,
            warn: 0.25,
            alert: 0.5,
        }
    }
}

impl DriftConfig {
    /// Checks the window and thresholds.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        window(&mut v, "window", self.window, 2);
        v.check(
            self.min_samples >= 1 && self.min_samples <= self.window,
            "min_samples",
            format!(
                "must be in 1..=window ({}), got {}",
                self.window, self.min_samples
            ),
        );
        if positive(&mut v, "warn", self.warn) & positive(&mut v, "alert", self.alert) {
            v.check(
                self.alert > self.warn,
                "alert",
                format!("must be > warn ({}), got {}", self.warn, self.alert),
            );
        }
        v.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_empty_json_is_default() {
        SensoryConfig::default().validate().unwrap();
        let c: SensoryConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, SensoryConfig::default());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let e = serde_json::from_str::<SensoryConfig>(r#"{"what":{"lookbak":3}}"#);
        assert!(e.is_err());
        let e = serde_json::from_str::<SensoryConfig>(r#"{"colour":1}"#);
        assert!(e.is_err());
    }

    #[test]
    fn every_violation_is_reported_with_its_path() {
        let mut c = SensoryConfig::default();
        c.what.lookback = 1;
        c.how.spread_alert_z = 1.0;
        c.when.weekday_factors[2] = 1.5;
        c.why.surprise_currencies[0].currency = "dollars".into();
        c.why.deep_inversion = 0.1;
        c.anomaly.warn_z = f64::NAN;
        c.fusion.when_gate_floor = -0.1;
        c.drift.alert = 0.1;
        c.drift.window = 1000;
        let e = c.validate().unwrap_err();
        for path in [
            "what.lookback",
            "what.min_bars",
            "how.spread_alert_z",
            "when.weekday_factors[2]",
            "why.surprise_currencies[0].currency",
            "why.deep_inversion",
            "anomaly.warn_z",
            "fusion.when_gate_floor",
            "drift.alert",
            "drift.window",
        ] {
            assert!(e.contains_path(path), "missing {path} in\n{e}");
        }
        assert_eq!(e.len(), 10, "{e}");
        assert!(
            e.to_string()
                .contains("what.lookback: must be in 2..=1000000, got 1")
        );
    }
}
