//! Position sizing: the drawdown throttle, fractional Kelly and volatility targeting.
//!
//! All three only ever *shrink* a trade: the gateway takes the minimum of the
//! requested quantity and what these allow.

/// Drawdown throttle: `max(floor, 1 − drawdown ÷ max_drawdown)`, in `[floor, 1]`.
///
/// A negative drawdown (equity above the recorded peak) is no drawdown; a
/// non-finite one is treated as the worst case (the floor).
pub fn drawdown_multiplier(drawdown: f64, max_drawdown: f64, floor: f64) -> f64 {
    if !drawdown.is_finite() || max_drawdown <= 0.0 {
        return floor;
    }
    (1.0 - drawdown.max(0.0) / max_drawdown).clamp(floor, 1.0)
}

/// The full Kelly fraction `f* = p − (1 − p) ÷ b` for win rate `p` and payoff ratio
/// `b` (average win ÷ average loss).
///
/// Degenerate inputs never produce a positive edge: a payoff of 0 (or negative, or
/// non-finite) and a win rate outside [0, 1] give −1, so the caller refuses the
/// trade instead of dividing by zero. `p = 1` with `b > 0` gives 1; exactly
/// break-even (`p = 1 ÷ (1 + b)`) gives 0, which is *no trade*.
pub fn kelly_fraction(win_rate: f64, payoff_ratio: f64) -> f64 {
    if !(0.0..=1.0).contains(&win_rate) || !(payoff_ratio > 0.0) || !payoff_ratio.is_finite() {
        return -1.0;
    }
    win_rate - (1.0 - win_rate) / payoff_ratio
}

/// Volatility targeting: `target ÷ realised`, capped at `cap`.
///
/// Unknown or non-positive realised volatility means "no targeting" (1.0, still capped).
pub fn volatility_multiplier(target: f64, realised: Option<f64>, cap: f64) -> f64 {
    match realised {
        Some(v) if v > 0.0 && v.is_finite() => (target / v).min(cap),
        _ => 1.0_f64.min(cap),
    }
}

/// The inputs of one sizing calculation for the exposure-increasing leg of an intent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SizingInput {
    pub(crate) equity: f64,
    /// The configured per-trade risk limit (fraction of equity).
    pub(crate) max_risk_pct: f64,
    pub(crate) drawdown_multiplier: f64,
    pub(crate) regime_multiplier: f64,
    /// Fractional Kelly (already multiplied by the configured fraction), when the
    /// strategy has a track record.
    pub(crate) kelly: Option<f64>,
    pub(crate) volatility_multiplier: f64,
    /// Distance from entry to stop in price units (the loss per unit if stopped out).
    pub(crate) stop_distance: f64,
    pub(crate) requested: f64,
}

/// Why sizing produced no trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SizingRefusal {
    NegativeEdge,
    BelowMinimum,
}

/// The numbers behind a sizing decision (reported in the decision).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct SizingReport {
    /// What the strategy asked for.
    pub requested_quantity: f64,
    /// What the gateway allows (0 when refused).
    pub quantity: f64,
    /// Fraction of equity budgeted for this trade's loss at the stop.
    pub risk_budget_pct: f64,
    pub drawdown_multiplier: f64,
    pub regime_multiplier: f64,
    /// Fractional Kelly applied, if the strategy has a track record.
    pub kelly: Option<f64>,
    pub volatility_multiplier: f64,
    pub stop_distance: f64,
}

/// Sizes the exposure-increasing leg. Returns the quantity (not yet compared with
/// the minimum size) or a refusal, and the report.
pub(crate) fn size_leg(input: &SizingInput) -> (f64, Option<SizingRefusal>, f64) {
    let mut budget = input.max_risk_pct * input.drawdown_multiplier * input.regime_multiplier;
    if let Some(k) = input.kelly {
        // Kelly is the fraction of equity worth risking; non-positive means the
        // strategy has no measured edge: no trade at all, never a minimum-size one.
        if !(k > 0.0) {
            return (0.0, Some(SizingRefusal::NegativeEdge), budget);
        }
        budget = budget.min(k);
    }
    // Non-finite or non-positive inputs give 0 through the comparisons below.
    let valid = |x: f64| if x > 0.0 && x.is_finite() { x } else { 0.0 };
    let equity = valid(input.equity);
    let distance = input.stop_distance;
    if !(distance > 0.0) || !distance.is_finite() {
        return (0.0, Some(SizingRefusal::BelowMinimum), budget);
    }
    let by_budget = equity * budget / distance * input.volatility_multiplier;
    // Volatility targeting may scale a trade up in calm markets, but never past the
    // hard per-trade limit.
    let hard = equity * input.max_risk_pct / distance;
    let quantity = valid(input.requested).min(by_budget).min(hard);
    let quantity = valid(quantity);
    (quantity, None, budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SizingInput {
        SizingInput {
            equity: 100_000.0,
            max_risk_pct: 0.02,
            drawdown_multiplier: 1.0,
            regime_multiplier: 1.0,
            kelly: None,
            volatility_multiplier: 1.0,
            stop_distance: 2.0,
            requested: 10_000.0,
        }
    }

    #[test]
    fn drawdown_multiplier_is_linear_then_floored() {
        assert_eq!(drawdown_multiplier(0.0, 0.2, 0.25), 1.0);
        assert!((drawdown_multiplier(0.1, 0.2, 0.25) - 0.5).abs() < 1e-12);
        assert_eq!(drawdown_multiplier(0.19, 0.2, 0.25), 0.25);
        assert_eq!(drawdown_multiplier(0.5, 0.2, 0.25), 0.25);
        assert_eq!(drawdown_multiplier(-0.1, 0.2, 0.25), 1.0);
        assert_eq!(drawdown_multiplier(f64::NAN, 0.2, 0.25), 0.25);
    }

    #[test]
    fn kelly_edge_cases() {
        // Win rate 0: always loses.
        assert!(kelly_fraction(0.0, 2.0) < 0.0);
        // Win rate 1: bet everything.
        assert_eq!(kelly_fraction(1.0, 2.0), 1.0);
        // Payoff 0: winning pays nothing, no edge even at p = 1.
        assert!(kelly_fraction(1.0, 0.0) <= 0.0);
        assert!(kelly_fraction(0.6, 0.0) <= 0.0);
        // Exactly break-even: p = 1 / (1 + b).
        assert_eq!(kelly_fraction(0.5, 1.0), 0.0);
        assert_eq!(kelly_fraction(0.25, 3.0), 0.0);
        // A real edge.
        assert!((kelly_fraction(0.55, 1.5) - (0.55 - 0.45 / 1.5)).abs() < 1e-15);
        // Garbage in: no edge.
        assert!(kelly_fraction(f64::NAN, 1.0) < 0.0);
        assert!(kelly_fraction(1.2, 1.0) < 0.0);
        assert!(kelly_fraction(0.6, f64::INFINITY) < 0.0);
    }

    #[test]
    fn volatility_multiplier_caps_and_ignores_unknown() {
        assert_eq!(volatility_multiplier(0.1, Some(0.2), 2.0), 0.5);
        assert_eq!(volatility_multiplier(0.1, Some(0.01), 2.0), 2.0);
        assert_eq!(volatility_multiplier(0.1, None, 2.0), 1.0);
        assert_eq!(volatility_multiplier(0.1, Some(0.0), 2.0), 1.0);
        assert_eq!(volatility_multiplier(0.1, None, 0.5), 0.5);
    }

    #[test]
    fn budget_over_stop_distance() {
        // 100k × 2 % = 2 000 at risk, 2.0 per unit → 1 000 units.
        let (q, refusal, budget) = size_leg(&input());
        assert_eq!(refusal, None);
        assert!((q - 1_000.0).abs() < 1e-9);
        assert!((budget - 0.02).abs() < 1e-15);
    }

    #[test]
    fn requested_quantity_is_only_ever_reduced() {
        let (q, _, _) = size_leg(&SizingInput {
            requested: 10.0,
            ..input()
        });
        assert_eq!(q, 10.0);
    }

    #[test]
    fn multipliers_shrink_and_vol_target_never_exceeds_hard_limit() {
        let (q, _, _) = size_leg(&SizingInput {
            drawdown_multiplier: 0.5,
            regime_multiplier: 0.5,
            ..input()
        });
        assert!((q - 250.0).abs() < 1e-9);
        let (q, _, _) = size_leg(&SizingInput {
            volatility_multiplier: 0.5,
            ..input()
        });
        assert!((q - 500.0).abs() < 1e-9);
        let (q, _, _) = size_leg(&SizingInput {
            volatility_multiplier: 3.0,
            ..input()
        });
        assert!(
            (q - 1_000.0).abs() < 1e-9,
            "capped by the hard per-trade limit: {q}"
        );
    }

    #[test]
    fn kelly_caps_budget_and_non_positive_means_no_trade() {
        let (q, refusal, budget) = size_leg(&SizingInput {
            kelly: Some(0.01),
            ..input()
        });
        assert_eq!(refusal, None);
        assert!((budget - 0.01).abs() < 1e-15);
        assert!((q - 500.0).abs() < 1e-9);
        for k in [0.0, -0.3, f64::NAN] {
            let (q, refusal, _) = size_leg(&SizingInput {
                kelly: Some(k),
                ..input()
            });
            assert_eq!(
                (q, refusal),
                (0.0, Some(SizingRefusal::NegativeEdge)),
                "k={k}"
            );
        }
        // A large Kelly never raises the budget above the configured limit.
        let (q, _, _) = size_leg(&SizingInput {
            kelly: Some(0.5),
            ..input()
        });
        assert!((q - 1_000.0).abs() < 1e-9);
    }

    #[test]
    fn degenerate_inputs_give_zero() {
        for bad in [
            SizingInput {
                equity: -5.0,
                ..input()
            },
            SizingInput {
                requested: f64::NAN,
                ..input()
            },
            SizingInput {
                requested: -3.0,
                ..input()
            },
        ] {
            assert_eq!(size_leg(&bad).0, 0.0);
        }
        assert_eq!(
            size_leg(&SizingInput {
                stop_distance: 0.0,
                ..input()
            })
            .1,
            Some(SizingRefusal::BelowMinimum)
        );
    }
}
