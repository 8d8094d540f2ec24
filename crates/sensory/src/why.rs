//! WHY — the macro backdrop: yield curve, credit, rates, surprises.
//!
//! Inputs arrive as [`MacroObservation`]s (series ids from `why.series`, values in percent)
//! and as released [`MacroEvent`]s. Four components, each with its own confidence:
//!
//! * **curve**: `slope = 10y − 2y` (percentage points, latest of each);
//!   `c_curve = tanh(slope / slope_scale)`. Regime: inverted (`slope < 0`), flat
//!   (`0 ≤ slope ≤ flat_band`), normal. Inverted is `warn`, `slope ≤ deep_inversion` is `alert`.
//! * **credit**: `spread = BAA − AAA` on dates where both are observed;
//!   `Δ = spread − spread credit_lookback observations earlier`, `c_credit = −tanh(Δ / credit_scale)`
//!   (widening is risk-off). `Δ ≥ credit_scale` is `warn`, `≥ 2·credit_scale` is `alert`.
//! * **rate**: `Δr` of the policy-rate series over `rate_lookback` observations;
//!   `c_rate = −tanh(Δr / rate_scale)` (tightening is risk-off).
//! * **surprise**: over released events of the configured currencies with actual and forecast,
//!   `x = tanh((actual − forecast) / max(|forecast|, |previous|, 1e-9) / surprise_scale)`,
//!   weight `w = importance · 2^(−age / half_life)`; `c_surprise = Σ sign·w·x / Σ w`, with
//!   confidence `min(1, Σ w)`. Events older than 8 half-lives are ignored.
//!
//! `signal = Σ W_k·conf_k·c_k / Σ W_k·conf_k`, `confidence = Σ W_k·conf_k / Σ W_k` (W: the
//! component weights). Series observations older than `max_staleness_days` are ignored, so a
//! cortex never reports a curve it last saw a year ago, and so are observations dated after
//! `now` (feeding data ahead of the reading time must not leak the future into a backtest).

use emp_model::{MacroEvent, MacroObservation, NANOS_PER_SEC};
use serde::{Deserialize, Serialize};

use crate::config::WhyConfig;
use crate::reading::{Dimension, DimensionReading, Inputs, OrganState};
use crate::rolling::RollingWindow;

const NANOS_PER_HOUR: f64 = 3_600.0 * NANOS_PER_SEC as f64;
const NANOS_PER_DAY: f64 = 24.0 * NANOS_PER_HOUR;

/// Shape of the 2s10s yield curve.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CurveRegime {
    /// 10y below 2y.
    Inverted,
    /// `0 ≤ 10y − 2y ≤ flat_band`.
    Flat,
    /// Upward sloping.
    Normal,
}

#[derive(Debug, Clone, Copy)]
struct Latest {
    ts: i64,
    value: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct WhyOrgan {
    cfg: WhyConfig,
    currencies: Vec<(emp_model::Currency, f64)>,
    two: Option<Latest>,
    ten: Option<Latest>,
    baa: Option<Latest>,
    aaa: Option<Latest>,
    spreads: RollingWindow,
    last_spread_ts: i64,
    rates: RollingWindow,
    last_rate_ts: i64,
}

impl WhyOrgan {
    pub(crate) fn new(cfg: &WhyConfig) -> Self {
        let currencies = cfg
            .surprise_currencies
            .iter()
            .filter_map(|c| Some((emp_model::Currency::try_new(&c.currency).ok()?, c.sign)))
            .collect();
        WhyOrgan {
            cfg: cfg.clone(),
            currencies,
            two: None,
            ten: None,
            baa: None,
            aaa: None,
            spreads: RollingWindow::new(cfg.credit_lookback + 1),
            last_spread_ts: i64::MIN,
            rates: RollingWindow::new(cfg.rate_lookback + 1),
            last_rate_ts: i64::MIN,
        }
    }

    pub(crate) fn on_observation(&mut self, obs: &MacroObservation) {
        let Some(value) = obs.value.filter(|v| v.is_finite()) else {
            return; // a missing value ("." in FRED) is not an observation
        };
        let latest = Some(Latest {
            ts: obs.ts.as_i64(),
            value,
        });
        let s = &self.cfg.series;
        let id = obs.series_id.as_str();
        if id == s.two_year {
            self.two = latest;
        } else if id == s.ten_year {
            self.ten = latest;
        } else if id == s.baa {
            self.baa = latest;
            self.pair_credit();
        } else if id == s.aaa {
            self.aaa = latest;
            self.pair_credit();
        } else if id == s.policy_rate && obs.ts.as_i64() > self.last_rate_ts {
            self.rates.push(value);
            self.last_rate_ts = obs.ts.as_i64();
        }
    }

    /// Records `BAA − AAA` once per date on which both series have a value.
    fn pair_credit(&mut self) {
        if let (Some(b), Some(a)) = (self.baa, self.aaa) {
            if b.ts == a.ts && b.ts > self.last_spread_ts {
                self.spreads.push(b.value - a.value);
                self.last_spread_ts = b.ts;
            }
        }
    }

    fn fresh(&self, l: Option<Latest>, now: i64) -> Option<f64> {
        let l = l?;
        let age_days = (now as f64 - l.ts as f64) / NANOS_PER_DAY;
        // An observation dated after `now` would be look-ahead in a backtest: not used.
        (l.ts <= now && age_days <= self.cfg.max_staleness_days).then_some(l.value)
    }

    /// `10y − 2y` in percentage points, when both are fresh.
    pub(crate) fn slope(&self, now: i64) -> Option<f64> {
        Some(self.fresh(self.ten, now)? - self.fresh(self.two, now)?)
    }

    pub(crate) fn regime(&self, now: i64) -> Option<CurveRegime> {
        let s = self.slope(now)?;
        Some(if s < 0.0 {
            CurveRegime::Inverted
        } else if s <= self.cfg.flat_band {
            CurveRegime::Flat
        } else {
            CurveRegime::Normal
        })
    }

    /// Latest `BAA − AAA` (percentage points), when fresh.
    pub(crate) fn credit_spread(&self, now: i64) -> Option<f64> {
        self.fresh(self.baa, now)?;
        self.spreads.recent(0)
    }

    fn credit_change(&self, now: i64) -> Option<f64> {
        self.credit_spread(now)?;
        Some(self.spreads.recent(0)? - self.spreads.recent(self.cfg.credit_lookback)?)
    }

    fn rate_change(&self, now: i64) -> Option<f64> {
        let age = (now as f64 - self.last_rate_ts as f64) / NANOS_PER_DAY;
        if self.rates.len() == 0 || self.last_rate_ts > now || age > self.cfg.max_staleness_days {
            return None;
        }
        Some(self.rates.recent(0)? - self.rates.recent(self.cfg.rate_lookback)?)
    }

    /// `(component, confidence)` of released surprises; `events` sorted by `ts`.
    fn surprise(&self, now: i64, events: &[MacroEvent]) -> Option<(f64, f64)> {
        let half_life = self.cfg.surprise_half_life_hours * NANOS_PER_HOUR;
        let horizon = (8.0 * half_life) as i64;
        let start = events.partition_point(|e| e.ts.as_i64() < now.saturating_sub(horizon));
        let (mut num, mut den) = (0.0, 0.0);
        for e in events[start..].iter().take_while(|e| e.ts.as_i64() <= now) {
            let Some(sign) = self
                .currencies
                .iter()
                .find(|(c, _)| *c == e.currency)
                .map(|(_, s)| *s)
            else {
                continue;
            };
            let Some(surprise) = e.surprise().filter(|s| s.is_finite()) else {
                continue;
            };
            let base = e
                .forecast
                .unwrap_or(0.0)
                .abs()
                .max(e.previous.unwrap_or(0.0).abs())
                .max(1e-9);
            let x = (surprise / base / self.cfg.surprise_scale).tanh();
            let age = (now - e.ts.as_i64()) as f64;
            let w = self.cfg.importance.of(e.importance) * (-age / half_life).exp2();
            num += sign * w * x;
            den += w;
        }
        (den > 0.0).then(|| (num / den, den.min(1.0)))
    }

    pub(crate) fn read(&self, now: i64, events: &[MacroEvent]) -> DimensionReading {
        let c = &self.cfg;
        let mut inputs = Inputs::NONE;
        let mut state = OrganState::Ok;
        let mut note = "macro backdrop normal";
        let (mut num, mut den) = (0.0, 0.0);
        let mut add = |w: f64, conf: f64, x: f64| {
            num += w * conf * x;
            den += w * conf;
        };
        if let Some(slope) = self.slope(now) {
            inputs = inputs.with(Inputs::YIELD_CURVE);
            add(c.curve_weight, 1.0, (slope / c.slope_scale).tanh());
            if slope <= c.deep_inversion {
                state = OrganState::Alert;
                note = "yield curve deeply inverted";
            } else if slope < 0.0 {
                state = OrganState::Warn;
                note = "yield curve inverted";
            }
        }
        if let Some(d) = self.credit_change(now) {
            inputs = inputs.with(Inputs::CREDIT_SPREAD);
            add(c.credit_weight, 1.0, -(d / c.credit_scale).tanh());
            let s = if d >= 2.0 * c.credit_scale {
                OrganState::Alert
            } else if d >= c.credit_scale {
                OrganState::Warn
            } else {
                OrganState::Ok
            };
            if s > state {
                state = s;
                note = if s == OrganState::Alert {
                    "credit spreads widening sharply"
                } else {
                    "credit spreads widening"
                };
            }
        }
        if let Some(d) = self.rate_change(now) {
            inputs = inputs.with(Inputs::POLICY_RATE);
            add(c.rate_weight, 1.0, -(d / c.rate_scale).tanh());
        }
        if let Some((x, conf)) = self.surprise(now, events) {
            inputs = inputs.with(Inputs::SURPRISES);
            add(c.surprise_weight, conf, x);
        }
        if den <= 0.0 {
            return DimensionReading::missing(
                Dimension::Why,
                "no fresh yield curve, credit spread, rate or released surprise",
            );
        }
        let total = c.curve_weight + c.credit_weight + c.rate_weight + c.surprise_weight;
        DimensionReading::new(Dimension::Why, num / den, den / total, state, inputs, note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::{Currency, Importance, UnixNanos};

    const DAY: i64 = 86_400 * NANOS_PER_SEC;

    fn obs(id: &str, day: i64, v: f64) -> MacroObservation {
        MacroObservation {
            series_id: id.into(),
            ts: UnixNanos::new(day * DAY),
            value: Some(v),
        }
    }

    #[test]
    fn inverted_curve_is_negative_and_warns() {
        let mut w = WhyOrgan::new(&WhyConfig::default());
        w.on_observation(&obs("DGS2", 100, 5.0));
        w.on_observation(&obs("DGS10", 100, 4.8));
        let r = w.read(100 * DAY, &[]);
        // Only the curve: signal = tanh(−0.2), confidence = 1/(1+1+0.5+1).
        assert!((r.signal - (-0.2f64).tanh()).abs() < 1e-12);
        assert!((r.confidence - 1.0 / 3.5).abs() < 1e-12);
        assert_eq!(
            (r.state, r.note),
            (OrganState::Warn, "yield curve inverted")
        );
        assert_eq!(w.regime(100 * DAY), Some(CurveRegime::Inverted));
        w.on_observation(&obs("DGS10", 101, 4.0));
        assert_eq!(w.read(101 * DAY, &[]).state, OrganState::Alert);
        w.on_observation(&obs("DGS10", 102, 7.0));
        assert_eq!(w.regime(102 * DAY), Some(CurveRegime::Normal));
        // Stale after max_staleness_days; not visible before its date.
        assert_eq!(w.read(400 * DAY, &[]).confidence, 0.0);
        assert_eq!(w.read(101 * DAY, &[]).confidence, 0.0);
        assert_eq!(w.slope(99 * DAY), None);
    }

    #[test]
    fn credit_widening_is_risk_off() {
        let mut w = WhyOrgan::new(&WhyConfig::default()); // lookback 3, scale 0.5
        for (d, baa, aaa) in [
            (1, 7.0, 6.0),
            (31, 7.0, 6.0),
            (61, 7.1, 6.0),
            (91, 8.2, 6.0),
        ] {
            w.on_observation(&obs("BAA", d, baa));
            w.on_observation(&obs("AAA", d, aaa));
        }
        let r = w.read(91 * DAY, &[]);
        // Δ = 2.2 − 1.0 = 1.2 ≥ 2·0.5 → alert; c = −tanh(2.4).
        assert!((r.signal + 2.4f64.tanh()).abs() < 1e-12, "{r:?}");
        assert_eq!(
            (r.state, r.note),
            (OrganState::Alert, "credit spreads widening sharply")
        );
        assert!((w.credit_spread(91 * DAY).unwrap() - 2.2).abs() < 1e-12);
    }

    #[test]
    fn surprises_weighted_by_importance_and_decay() {
        let cfg = WhyConfig {
            curve_weight: 0.0,
            ..WhyConfig::default()
        };
        let w = WhyOrgan::new(&cfg);
        let ev = |day: i64, actual: f64, imp| MacroEvent {
            name: "CPI".into(),
            currency: Currency::USD,
            ts: UnixNanos::new(day * DAY),
            actual: Some(actual),
            forecast: Some(2.0),
            previous: Some(1.0),
            importance: imp,
        };
        let events = [ev(10, 2.1, Importance::High), ev(11, 1.9, Importance::Low)];
        let r = w.read(11 * DAY, &events);
        // x = ±tanh(0.1/2/0.05) = ±tanh(1); weights: high 1·2^(−1) = 0.5, low 0.25·1 = 0.25.
        let x = 1f64.tanh();
        let expected = (0.5 * x - 0.25 * x) / 0.75;
        assert!((r.signal - expected).abs() < 1e-12, "{r:?}");
        assert!((r.confidence - 0.75 / 2.5).abs() < 1e-12);
        // Events in the future have not been released yet.
        assert_eq!(w.read(9 * DAY, &events).confidence, 0.0);
        assert!(w.read(9 * DAY, &events).note.starts_with("no fresh"));
    }

    #[test]
    fn rate_hikes_are_negative() {
        let cfg = WhyConfig {
            rate_lookback: 1,
            ..WhyConfig::default()
        };
        let mut w = WhyOrgan::new(&cfg);
        w.on_observation(&obs("FEDFUNDS", 1, 1.0));
        w.on_observation(&obs("FEDFUNDS", 30, 1.5));
        let r = w.read(30 * DAY, &[]);
        assert!((r.signal + 1f64.tanh()).abs() < 1e-12);
        assert!(r.inputs.contains(Inputs::POLICY_RATE));
    }
}
