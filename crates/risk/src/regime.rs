//! Market regimes from realised volatility.
//!
//! The *market regime* (calm / normal / storm) scales the risk budget; the
//! *volatility regime* says where realised volatility sits relative to the target
//! that volatility targeting aims for. Both are functions of the annualised
//! standard deviation of log returns.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Thresholds and multipliers of the market regime (the `regime:` section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegimeConfig {
    /// Periods per year used to annualise volatility (252 for daily bars).
    pub periods_per_year: f64,
    /// Annualised volatility below which the market is calm.
    pub calm_below: f64,
    /// Annualised volatility at or above which the market is a storm.
    pub storm_above: f64,
    pub calm_multiplier: f64,
    pub normal_multiplier: f64,
    pub storm_multiplier: f64,
    /// Half-width of the "on target" band of the volatility regime, as a fraction
    /// of the target (0.2: within ±20 % of target is on target).
    pub target_band: f64,
}

impl Default for RegimeConfig {
    fn default() -> Self {
        Self {
            periods_per_year: 252.0,
            calm_below: 0.10,
            storm_above: 0.30,
            calm_multiplier: 1.0,
            normal_multiplier: 1.0,
            storm_multiplier: 0.5,
            target_band: 0.2,
        }
    }
}

/// The market regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarketRegime {
    Calm,
    Normal,
    Storm,
}

impl MarketRegime {
    /// Classifies an annualised volatility; unknown volatility is `Normal`.
    pub fn classify(annualised_volatility: Option<f64>, config: &RegimeConfig) -> Self {
        match annualised_volatility {
            Some(v) if v.is_finite() && v >= 0.0 => {
                if v < config.calm_below {
                    Self::Calm
                } else if v >= config.storm_above {
                    Self::Storm
                } else {
                    Self::Normal
                }
            }
            // A NaN or infinite estimate means the data is broken: assume the worst.
            Some(_) => Self::Storm,
            None => Self::Normal,
        }
    }

    /// The risk-budget multiplier of this regime.
    pub fn multiplier(self, config: &RegimeConfig) -> f64 {
        match self {
            Self::Calm => config.calm_multiplier,
            Self::Normal => config.normal_multiplier,
            Self::Storm => config.storm_multiplier,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Calm => "calm",
            Self::Normal => "normal",
            Self::Storm => "storm",
        }
    }
}

/// Where realised volatility sits relative to the volatility target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VolatilityRegime {
    BelowTarget,
    OnTarget,
    AboveTarget,
}

impl VolatilityRegime {
    /// `realised ÷ target` below `1 − band` is below target, above `1 + band` above.
    pub fn classify(realised: f64, target: f64, band: f64) -> Self {
        let ratio = realised / target;
        if ratio < 1.0 - band {
            Self::BelowTarget
        } else if ratio > 1.0 + band || !ratio.is_finite() {
            Self::AboveTarget
        } else {
            Self::OnTarget
        }
    }
}

/// Log returns `ln(p[i] ÷ p[i−1])`; pairs with a non-positive price are skipped.
pub fn log_returns(prices: &[f64]) -> Vec<f64> {
    prices
        .windows(2)
        .filter(|w| w[0] > 0.0 && w[1] > 0.0)
        .map(|w| (w[1] / w[0]).ln())
        .collect()
}

/// Annualised volatility: sample standard deviation (n − 1) of the log returns
/// times √periods_per_year. `None` with fewer than two returns.
pub fn annualised_volatility(log_returns: &[f64], periods_per_year: f64) -> Option<f64> {
    let n = log_returns.len();
    if n < 2 {
        return None;
    }
    let mean = log_returns.iter().sum::<f64>() / n as f64;
    let var = log_returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some((var * periods_per_year).sqrt())
}

/// Rolling realised volatility over the last `window` log returns (the config's
/// `volatility_window`); the engine feeds it closes and puts the estimate in the
/// intent.
#[derive(Debug, Clone)]
pub struct VolatilityEstimator {
    window: usize,
    periods_per_year: f64,
    last_price: Option<f64>,
    returns: VecDeque<f64>,
}

impl VolatilityEstimator {
    pub fn new(window: usize, periods_per_year: f64) -> Self {
        let window = window.max(1);
        Self {
            window,
            periods_per_year,
            last_price: None,
            // The window comes from configuration: grow to it instead of reserving it
            // up front (a huge value would abort on allocation).
            returns: VecDeque::with_capacity(window.min(1024) + 1),
        }
    }

    /// Adds a price; non-positive or non-finite prices are ignored.
    pub fn push_price(&mut self, price: f64) {
        if !(price > 0.0) || !price.is_finite() {
            return;
        }
        if let Some(last) = self.last_price {
            self.returns.push_back((price / last).ln());
            if self.returns.len() > self.window {
                self.returns.pop_front();
            }
        }
        self.last_price = Some(price);
    }

    /// The annualised volatility over the window, once two returns are known.
    pub fn annualised(&self) -> Option<f64> {
        let (a, b) = self.returns.as_slices();
        if b.is_empty() {
            annualised_volatility(a, self.periods_per_year)
        } else {
            let all: Vec<f64> = self.returns.iter().copied().collect();
            annualised_volatility(&all, self.periods_per_year)
        }
    }

    pub fn len(&self) -> usize {
        self.returns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.returns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annualises_with_square_root_of_time() {
        // Alternating ±1 % log returns: sample std of [0.01, -0.01, ...] over 4 values.
        let r = [0.01, -0.01, 0.01, -0.01];
        let mean = 0.0;
        let var: f64 = r.iter().map(|x: &f64| (x - mean).powi(2)).sum::<f64>() / 3.0;
        let got = annualised_volatility(&r, 252.0).unwrap();
        assert!((got - (var * 252.0).sqrt()).abs() < 1e-15);
        assert_eq!(annualised_volatility(&[0.01], 252.0), None);
    }

    #[test]
    fn log_returns_skip_bad_prices() {
        let r = log_returns(&[100.0, 110.0, 0.0, 121.0, 133.1]);
        assert_eq!(r.len(), 2);
        assert!((r[0] - (1.1f64).ln()).abs() < 1e-15);
        assert!((r[1] - (1.1f64).ln()).abs() < 1e-12);
    }

    #[test]
    fn classifies_regimes_at_the_thresholds() {
        let c = RegimeConfig::default();
        assert_eq!(MarketRegime::classify(Some(0.05), &c), MarketRegime::Calm);
        assert_eq!(MarketRegime::classify(Some(0.10), &c), MarketRegime::Normal);
        assert_eq!(
            MarketRegime::classify(Some(0.2999), &c),
            MarketRegime::Normal
        );
        assert_eq!(MarketRegime::classify(Some(0.30), &c), MarketRegime::Storm);
        assert_eq!(MarketRegime::classify(None, &c), MarketRegime::Normal);
        assert_eq!(
            MarketRegime::classify(Some(f64::NAN), &c),
            MarketRegime::Storm
        );
        assert_eq!(MarketRegime::Storm.multiplier(&c), 0.5);
        assert_eq!(
            VolatilityRegime::classify(0.05, 0.10, 0.2),
            VolatilityRegime::BelowTarget
        );
        assert_eq!(
            VolatilityRegime::classify(0.11, 0.10, 0.2),
            VolatilityRegime::OnTarget
        );
        assert_eq!(
            VolatilityRegime::classify(0.13, 0.10, 0.2),
            VolatilityRegime::AboveTarget
        );
    }

    #[test]
    fn estimator_with_a_huge_window_does_not_preallocate_it() {
        // `VecDeque::with_capacity(usize::MAX)` panics ("capacity overflow").
        let mut e = VolatilityEstimator::new(usize::MAX, 252.0);
        for p in [100.0, 101.0, 100.0] {
            e.push_price(p);
        }
        assert_eq!(e.len(), 2);
        assert!(e.annualised().is_some());
    }

    #[test]
    fn estimator_keeps_only_the_window() {
        let mut e = VolatilityEstimator::new(3, 252.0);
        for p in [100.0, 101.0, 100.0, 101.0, 100.0, -1.0, 101.0] {
            e.push_price(p);
        }
        assert_eq!(e.len(), 3);
        let expected = annualised_volatility(
            &log_returns(&[101.0, 100.0, 101.0, 100.0, 101.0])[1..],
            252.0,
        )
        .unwrap();
        assert!((e.annualised().unwrap() - expected).abs() < 1e-12);
    }

    #[test]
    fn estimator_on_real_eurusd_closes_is_plausible() {
        // Daily-ish sanity: a sine-free deterministic series with 0.5 % daily moves
        // annualises to about 0.005 × √252 ≈ 7.9 %.
        let mut e = VolatilityEstimator::new(50, 252.0);
        let mut p = 1.10;
        for i in 0..60 {
            p *= if i % 2 == 0 { 1.005 } else { 1.0 / 1.005 };
            e.push_price(p);
        }
        let v = e.annualised().unwrap();
        assert!((v - 0.005 * 252f64.sqrt()).abs() < 0.002, "{v}");
    }
}
