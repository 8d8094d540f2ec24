//! Fee and slippage models.

use emp_model::{Currency, Money, Price, Side};
use emp_telemetry::Violations;
use serde::{Deserialize, Serialize};

/// Fee schedule (raw config).
///
/// * **Fee** per fill = `max(notional × bps / 10 000 + per_order (first fill of an order
///   only), min_fee)`, in the instrument's quote currency, rounded half-even to
///   `precision` decimals. `notional = price × quantity × multiplier`.
/// * **Slippage**: taker fills (market, stop, and the open-gap of a bar) are moved
///   against the taker by `bps` of the reference price and snapped to the nearest tick:
///   a buy at ask 1.10050 with 2 bps pays `1.10050 × 1.0002 = 1.1007201 → 1.10072`.
///   Limit fills are never slipped past their limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeeConfig {
    /// Fee in basis points of notional.
    pub bps: f64,
    /// Fixed fee per order, charged on its first fill.
    pub per_order: f64,
    /// Minimum fee per fill.
    pub min_fee: f64,
    /// Decimals of the fee amount.
    pub precision: u8,
}

impl Default for FeeConfig {
    fn default() -> Self {
        FeeConfig {
            bps: 0.0,
            per_order: 0.0,
            min_fee: 0.0,
            precision: 2,
        }
    }
}

impl FeeConfig {
    pub(crate) fn check(&self, prefix: &str, v: &mut Violations) {
        for (name, x) in [
            ("bps", self.bps),
            ("per_order", self.per_order),
            ("min_fee", self.min_fee),
        ] {
            v.check(
                x.is_finite() && x >= 0.0,
                format!("{prefix}.{name}"),
                format!("must be finite and >= 0, got {x}"),
            );
        }
        v.check(
            self.precision <= 9,
            format!("{prefix}.precision"),
            format!("must be <= 9, got {}", self.precision),
        );
    }

    /// The fee for one fill of `notional` (quote currency).
    pub(crate) fn fee(&self, notional: f64, first_fill: bool, currency: Currency) -> Money {
        let mut fee = notional.abs() * self.bps / 10_000.0;
        if first_fill {
            fee += self.per_order;
        }
        let fee = fee.max(self.min_fee);
        Money::from_f64(fee, self.precision, currency).unwrap_or(Money::zero(currency))
    }
}

/// Moves `reference` against a taker on `side` by `bps` and snaps to `tick`.
pub(crate) fn slip(reference: Price, side: Side, bps: f64, tick: Price) -> Price {
    if bps == 0.0 {
        return reference;
    }
    let factor = 1.0 + side.sign() as f64 * bps / 10_000.0;
    snap(reference.as_f64() * factor, tick, reference)
}

/// Nearest multiple of `tick` to `value`, at the tick's precision (falls back to `fallback`
/// when the value cannot be represented).
pub(crate) fn snap(value: f64, tick: Price, fallback: Price) -> Price {
    if !tick.is_positive() {
        return Price::from_f64(value, fallback.precision()).unwrap_or(fallback);
    }
    let ticks = (value / tick.as_f64()).round();
    if !ticks.is_finite() || ticks.abs() > 9.0e15 {
        return fallback;
    }
    tick.checked_mul_i64(ticks as i64)
        .and_then(|p| p.rescale(fallback.precision().max(tick.precision())))
        .unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Price {
        s.parse().unwrap()
    }

    #[test]
    fn slippage_is_adverse_and_snapped() {
        let tick = p("0.00001");
        // 1.10050 × 1.0002 = 1.1007201 → 1.10072.
        assert_eq!(slip(p("1.10050"), Side::Buy, 2.0, tick), p("1.10072"));
        // 1.10040 × 0.9998 = 1.1001799 → 1.10018.
        assert_eq!(slip(p("1.10040"), Side::Sell, 2.0, tick), p("1.10018"));
        assert_eq!(slip(p("1.10040"), Side::Sell, 0.0, tick), p("1.10040"));
    }

    #[test]
    fn fee_minimum_and_per_order() {
        let f = FeeConfig {
            bps: 0.5,
            per_order: 1.0,
            min_fee: 2.0,
            precision: 2,
        };
        // 0.5 bps of 11 007.20 = 0.55036; + 1.00 first fill = 1.55 → min 2.00.
        assert_eq!(f.fee(11_007.2, true, Currency::USD).to_string(), "2.00 USD");
        // 0.5 bps of 100 000 = 5.00 > min.
        assert_eq!(
            f.fee(100_000.0, false, Currency::USD).to_string(),
            "5.00 USD"
        );
    }
}
