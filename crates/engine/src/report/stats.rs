//! Performance statistics of a run.

use serde::Serialize;

use crate::engine::EquitySample;
use crate::trades::TradeRecord;

const SECONDS_PER_YEAR: f64 = 365.25 * 86_400.0;

/// The statistics of a backtest. Formulas (equity samples `e₀ … eₙ` at times `t₀ … tₙ`,
/// where `e₀` is the untouched account at the start of the data — the first bar's open
/// or the first tick — then one sample per bar close, or per tick interval; period
/// returns `rᵢ = eᵢ ÷ eᵢ₋₁ − 1`; `P` periods per year):
///
/// * `total_return = eₙ ÷ e₀ − 1`.
/// * `years = (tₙ − t₀) ÷ 365.25 days`; `cagr = (eₙ ÷ e₀)^(1 ÷ years) − 1`
///   (`None` for an empty span or non-positive final equity).
/// * `P` (`periods_per_year`): 252 for daily bars, 52 for weekly bars; for intraday bars
///   and ticks the observed calendar of the run, `n ÷ years` (the number of return periods
///   per calendar year actually sampled), so annualisation follows the data.
/// * `sharpe = mean(r) ÷ sd(r) × √P` (sample standard deviation, risk-free rate 0).
/// * `sortino = mean(r) ÷ dd(r) × √P`, downside deviation `dd = √(Σ min(rᵢ, 0)² ÷ n)`.
/// * `max_drawdown = maxᵢ (1 − eᵢ ÷ max_{j≤i} eⱼ)` (a fraction, 0.2 = 20 %).
/// * `calmar = cagr ÷ max_drawdown`.
/// * `trades`: closed round trips; `win_rate` = share with net PnL > 0;
///   `profit_factor` = Σ positive net PnL ÷ |Σ negative net PnL| (`None` without losses).
/// * `exposure`: share of return periods that started with a position open (time in market).
/// * `fees`: total fees, account currency.
///
/// Ratios that are undefined (zero deviation, no trades) are `None` (`null` in JSON).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statistics {
    /// Starting equity.
    pub starting_equity: f64,
    /// Final equity.
    pub final_equity: f64,
    /// `eₙ ÷ e₀ − 1`.
    pub total_return: f64,
    /// Compound annual growth rate.
    pub cagr: Option<f64>,
    /// Annualised Sharpe ratio.
    pub sharpe: Option<f64>,
    /// Annualised Sortino ratio.
    pub sortino: Option<f64>,
    /// CAGR ÷ max drawdown.
    pub calmar: Option<f64>,
    /// Largest peak-to-trough loss, fraction.
    pub max_drawdown: f64,
    /// Closed round trips.
    pub trades: u64,
    /// Winning share of closed trades.
    pub win_rate: Option<f64>,
    /// Gross wins ÷ gross losses.
    pub profit_factor: Option<f64>,
    /// Time in market.
    pub exposure: f64,
    /// Total fees.
    pub fees: f64,
    /// Annualisation factor used.
    pub periods_per_year: Option<f64>,
    /// Span of the run in years.
    pub years: f64,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    let r = num / den;
    (den != 0.0 && r.is_finite()).then_some(r)
}

/// Drawdown of each sample from the running peak.
pub fn drawdowns(equity: &[EquitySample]) -> Vec<f64> {
    let mut peak = f64::NEG_INFINITY;
    equity
        .iter()
        .map(|s| {
            peak = peak.max(s.equity);
            if peak > 0.0 {
                (1.0 - s.equity / peak).max(0.0)
            } else {
                0.0
            }
        })
        .collect()
}

impl Statistics {
    /// Computes every statistic (see the type doc). `periods_per_year = None` means "use
    /// the observed calendar".
    pub fn compute(
        equity: &[EquitySample],
        trades: &[TradeRecord],
        fees: f64,
        periods_per_year: Option<f64>,
    ) -> Statistics {
        let e0 = equity.first().map_or(0.0, |s| s.equity);
        let en = equity.last().map_or(0.0, |s| s.equity);
        let span = match (equity.first(), equity.last()) {
            (Some(a), Some(b)) => (b.ts.as_i64() - a.ts.as_i64()) as f64 / 1e9,
            _ => 0.0,
        };
        let years = span / SECONDS_PER_YEAR;
        let returns: Vec<f64> = equity
            .windows(2)
            .map(|w| {
                if w[0].equity != 0.0 {
                    w[1].equity / w[0].equity - 1.0
                } else {
                    0.0
                }
            })
            .collect();
        let n = returns.len() as f64;
        let ppy = periods_per_year.or_else(|| (years > 0.0 && n > 0.0).then(|| n / years));
        let total_return = ratio(en, e0).map_or(0.0, |x| x - 1.0);
        let cagr = (years > 0.0 && e0 > 0.0 && en > 0.0).then(|| (en / e0).powf(1.0 / years) - 1.0);
        let (sharpe, sortino) = if returns.len() >= 2 {
            let mean = returns.iter().sum::<f64>() / n;
            let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let down = (returns.iter().map(|r| r.min(0.0).powi(2)).sum::<f64>() / n).sqrt();
            let ann = ppy.map_or(f64::NAN, f64::sqrt);
            (
                ratio(mean, var.sqrt())
                    .map(|x| x * ann)
                    .filter(|x| x.is_finite()),
                ratio(mean, down).map(|x| x * ann).filter(|x| x.is_finite()),
            )
        } else {
            (None, None)
        };
        let max_drawdown = drawdowns(equity).into_iter().fold(0.0, f64::max);
        let calmar = cagr.and_then(|c| ratio(c, max_drawdown));
        let closed: Vec<&TradeRecord> = trades.iter().filter(|t| t.closed).collect();
        let wins = closed.iter().filter(|t| t.net_pnl() > 0.0).count();
        let gains: f64 = closed.iter().map(|t| t.net_pnl().max(0.0)).sum();
        let losses: f64 = closed.iter().map(|t| (-t.net_pnl()).max(0.0)).sum();
        let in_market = equity
            .iter()
            .take(equity.len().saturating_sub(1))
            .filter(|s| s.in_market)
            .count();
        Statistics {
            starting_equity: e0,
            final_equity: en,
            total_return,
            cagr,
            sharpe,
            sortino,
            calmar,
            max_drawdown,
            trades: closed.len() as u64,
            win_rate: ratio(wins as f64, closed.len() as f64),
            profit_factor: ratio(gains, losses),
            exposure: ratio(in_market as f64, n).unwrap_or(0.0),
            fees,
            periods_per_year: ppy,
            years,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::UnixNanos;

    fn s(day: i64, equity: f64, in_market: bool) -> EquitySample {
        EquitySample {
            ts: UnixNanos::from_secs(day * 86_400),
            equity,
            in_market,
        }
    }

    #[test]
    fn hand_computed_curve() {
        // 100 → 110 → 99 → 121: returns 0.1, −0.1, 0.2222…
        let curve = [
            s(0, 100.0, true),
            s(1, 110.0, true),
            s(2, 99.0, false),
            s(3, 121.0, false),
        ];
        let st = Statistics::compute(&curve, &[], 2.5, Some(252.0));
        assert!((st.total_return - 0.21).abs() < 1e-12);
        assert!((st.max_drawdown - 0.1).abs() < 1e-12);
        let r = [0.1, -0.1, 22.0 / 99.0];
        let mean = r.iter().sum::<f64>() / 3.0;
        let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        assert!((st.sharpe.unwrap() - mean / sd * 252f64.sqrt()).abs() < 1e-9);
        let dd = (0.01f64 / 3.0).sqrt();
        assert!((st.sortino.unwrap() - mean / dd * 252f64.sqrt()).abs() < 1e-9);
        assert!((st.exposure - 2.0 / 3.0).abs() < 1e-12);
        let years = 3.0 / 365.25;
        assert!(
            (st.cagr.unwrap() - (1.21f64.powf(1.0 / years) - 1.0)).abs() < 1e-6 * st.cagr.unwrap()
        );
        assert_eq!(st.fees, 2.5);
        assert_eq!(st.trades, 0);
        assert_eq!(st.win_rate, None);
        // Observed calendar: 3 periods over 3 days.
        let st = Statistics::compute(&curve, &[], 0.0, None);
        assert!((st.periods_per_year.unwrap() - 365.25).abs() < 1e-9);
    }
}
