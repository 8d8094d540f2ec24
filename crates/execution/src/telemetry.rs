//! Execution telemetry: `telemetry.operational.execution` and `telemetry.strategy.performance`.

use emp_model::UnixNanos;
use emp_telemetry::{Check, ConfigErrors, Evaluator, Snapshot, Status, Violations, topics};
use serde::{Deserialize, Serialize};

use crate::portfolio::Portfolio;

/// Counters the order manager keeps for the execution evaluator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecutionMetrics {
    /// Orders sent (first attempts, including bracket children).
    pub submitted: u64,
    /// Orders completely filled.
    pub filled: u64,
    /// Orders finally rejected.
    pub rejected: u64,
    /// Orders cancelled by the venue without our request (IOC/FOK remainders): they count
    /// against the fill rate.
    pub cancelled: u64,
    /// Orders withdrawn: cancelled at our request (superseded by a new intent, an OCO
    /// sibling, a shutdown) or protective bracket children that never triggered. Not an
    /// execution failure, so not in the fill rate.
    #[serde(default)]
    pub withdrawn: u64,
    /// Orders expired.
    pub expired: u64,
    /// Fills received.
    pub fills: u64,
    /// Retries sent.
    pub retries: u64,
    /// Transient rejects that were retried.
    pub transient_rejects: u64,
    /// Cancel/replace requests the venue refused.
    pub command_rejects: u64,
    /// Orders open now.
    pub pending: u64,
    /// Acknowledgement latencies observed.
    pub latency_count: u64,
    /// Sum of acknowledgement latencies, nanoseconds.
    pub latency_total_nanos: i64,
    /// Largest acknowledgement latency, nanoseconds.
    pub latency_peak_nanos: i64,
}

impl ExecutionMetrics {
    pub(crate) fn record_latency(&mut self, nanos: i64) {
        self.latency_count += 1;
        self.latency_total_nanos = self.latency_total_nanos.saturating_add(nanos);
        self.latency_peak_nanos = self.latency_peak_nanos.max(nanos);
    }
    /// Completely filled ÷ orders that went live and finished (filled + cancelled + expired;
    /// withdrawn orders are left out).
    pub fn fill_rate(&self) -> Option<f64> {
        let done = self.filled + self.cancelled + self.expired;
        (done > 0).then(|| self.filled as f64 / done as f64)
    }
    /// Final rejects ÷ orders submitted.
    pub fn rejection_rate(&self) -> Option<f64> {
        (self.submitted > 0).then(|| self.rejected as f64 / self.submitted as f64)
    }
    /// Mean acknowledgement latency, milliseconds.
    pub fn avg_latency_ms(&self) -> Option<f64> {
        (self.latency_count > 0)
            .then(|| self.latency_total_nanos as f64 / self.latency_count as f64 / 1e6)
    }
    /// Peak acknowledgement latency, milliseconds.
    pub fn peak_latency_ms(&self) -> Option<f64> {
        (self.latency_count > 0).then(|| self.latency_peak_nanos as f64 / 1e6)
    }
}

/// Thresholds of `telemetry.operational.execution`.
///
/// Both are pure evaluators `(policy, input, now) -> Snapshot`.
///
/// **Fail bands.** A warn threshold `w` on a figure that must stay *below* it fails at
/// `w × fail_multiple` (latency 500 ms warns, 1 000 ms fails with the default 2×). A
/// figure that must stay *above* a rate fails at `1 − fail_multiple × (1 − w)` — twice
/// the warn distance from perfect (fill rate 0.9 warns, 0.8 fails). Win rate, which has
/// no "perfect", fails at `w / fail_multiple`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutionPolicy {
    /// Warn below this fill rate.
    pub min_fill_rate: f64,
    /// Warn above this rejection rate.
    pub max_rejection_rate: f64,
    /// Warn above this many open orders.
    pub max_pending_orders: u64,
    /// Warn above this mean latency (ms).
    pub max_avg_latency_ms: f64,
    /// Warn above this peak latency (ms).
    pub max_peak_latency_ms: f64,
    /// Fail band as a multiple of the warn distance (≥ 1).
    pub fail_multiple: f64,
}

impl Default for ExecutionPolicy {
    fn default() -> Self {
        ExecutionPolicy {
            min_fill_rate: 0.9,
            max_rejection_rate: 0.05,
            max_pending_orders: 5,
            max_avg_latency_ms: 500.0,
            max_peak_latency_ms: 1_500.0,
            fail_multiple: 2.0,
        }
    }
}

fn rate_ok(v: &mut Violations, x: f64, path: &str) {
    v.check(
        x.is_finite() && (0.0..=1.0).contains(&x),
        path,
        format!("must be in [0, 1], got {x}"),
    );
}

impl ExecutionPolicy {
    /// Checks every field, reporting all violations.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        rate_ok(&mut v, self.min_fill_rate, "min_fill_rate");
        rate_ok(&mut v, self.max_rejection_rate, "max_rejection_rate");
        for (p, x) in [
            ("max_avg_latency_ms", self.max_avg_latency_ms),
            ("max_peak_latency_ms", self.max_peak_latency_ms),
        ] {
            v.check(
                x.is_finite() && x > 0.0,
                p,
                format!("must be finite and > 0, got {x}"),
            );
        }
        v.check(
            self.fail_multiple.is_finite() && self.fail_multiple >= 1.0,
            "fail_multiple",
            format!("must be finite and >= 1, got {}", self.fail_multiple),
        );
        v.into_result()
    }
}

/// Status of a figure that must stay at or below `warn`.
fn upper(value: f64, warn: f64, multiple: f64) -> Status {
    if value > warn * multiple {
        Status::Fail
    } else if value > warn {
        Status::Warn
    } else {
        Status::Ok
    }
}

/// Status of a rate that must stay at or above `warn` (perfect = 1).
fn lower_rate(value: f64, warn: f64, multiple: f64) -> Status {
    if value < 1.0 - multiple * (1.0 - warn) {
        Status::Fail
    } else if value < warn {
        Status::Warn
    } else {
        Status::Ok
    }
}

fn figure(
    name: &str,
    value: Option<f64>,
    threshold: f64,
    status: impl Fn(f64) -> Status,
    what: &str,
) -> Check {
    match value {
        None => Check::ok(name, format!("no {what} yet")).with_threshold(threshold),
        Some(x) => {
            let s = status(x);
            Check::new(
                name,
                s,
                format!("{what} {x:.4} (warn threshold {threshold})"),
            )
            .with_value(x)
            .with_threshold(threshold)
        }
    }
}

/// The `telemetry.operational.execution` evaluator.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExecutionEvaluator;

impl Evaluator for ExecutionEvaluator {
    type Policy = ExecutionPolicy;
    type Input = ExecutionMetrics;

    fn topic(&self) -> &'static str {
        topics::OPERATIONAL_EXECUTION
    }

    fn evaluate(&self, p: &ExecutionPolicy, m: &ExecutionMetrics, now: UnixNanos) -> Snapshot {
        let k = p.fail_multiple;
        let checks = vec![
            figure(
                "fill_rate",
                m.fill_rate(),
                p.min_fill_rate,
                |x| lower_rate(x, p.min_fill_rate, k),
                "fill rate",
            ),
            figure(
                "rejection_rate",
                m.rejection_rate(),
                p.max_rejection_rate,
                |x| upper(x, p.max_rejection_rate, k),
                "rejection rate",
            ),
            figure(
                "pending_orders",
                Some(m.pending as f64),
                p.max_pending_orders as f64,
                |x| upper(x, p.max_pending_orders as f64, k),
                "open orders",
            ),
            figure(
                "avg_latency_ms",
                m.avg_latency_ms(),
                p.max_avg_latency_ms,
                |x| upper(x, p.max_avg_latency_ms, k),
                "mean ack latency ms",
            ),
            figure(
                "peak_latency_ms",
                m.peak_latency_ms(),
                p.max_peak_latency_ms,
                |x| upper(x, p.max_peak_latency_ms, k),
                "peak ack latency ms",
            ),
        ];
        Snapshot::new(self.topic(), now, checks)
            .with_metadata("submitted", m.submitted)
            .with_metadata("fills", m.fills)
            .with_metadata("cancelled", m.cancelled)
            .with_metadata("withdrawn", m.withdrawn)
            .with_metadata("retries", m.retries)
    }
}

/// One strategy's results, for `telemetry.strategy.performance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyPerformanceInput {
    /// Strategy id.
    pub strategy_id: String,
    /// Equity at the start.
    pub starting_equity: f64,
    /// Equity after each step (the last value is the current equity).
    pub equity_curve: Vec<f64>,
    /// PnL of each closed trade (net of fees).
    pub trade_pnls: Vec<f64>,
}

impl StrategyPerformanceInput {
    /// The input for one strategy of a portfolio: its closed trades, and the account's
    /// equity curve (a single-strategy account) starting from the starting cash.
    pub fn from_portfolio(portfolio: &Portfolio, strategy_id: &str) -> Self {
        StrategyPerformanceInput {
            strategy_id: strategy_id.to_owned(),
            starting_equity: portfolio.starting_cash(),
            equity_curve: portfolio.equity_curve().iter().map(|p| p.equity).collect(),
            trade_pnls: portfolio
                .closed_trades()
                .iter()
                .filter(|t| t.strategy_id == strategy_id)
                .map(|t| t.pnl)
                .collect(),
        }
    }
    /// One strategy of a multi-strategy account: its equity curve is the starting equity
    /// plus its cumulative realised trade PnL (unrealised PnL is not attributed).
    pub fn from_closed_trades(
        portfolio: &Portfolio,
        strategy_id: &str,
        starting_equity: f64,
    ) -> Self {
        let trade_pnls: Vec<f64> = portfolio
            .closed_trades()
            .iter()
            .filter(|t| t.strategy_id == strategy_id)
            .map(|t| t.pnl)
            .collect();
        let equity_curve = trade_pnls
            .iter()
            .scan(starting_equity, |e, p| {
                *e += p;
                Some(*e)
            })
            .collect();
        StrategyPerformanceInput {
            strategy_id: strategy_id.to_owned(),
            starting_equity,
            equity_curve,
            trade_pnls,
        }
    }
    /// Step returns of the equity curve (from the starting equity).
    pub fn returns(&self) -> Vec<f64> {
        let mut prev = self.starting_equity;
        self.equity_curve
            .iter()
            .map(|e| {
                let r = if prev > 0.0 { e / prev - 1.0 } else { 0.0 };
                prev = *e;
                r
            })
            .collect()
    }
    /// Total return (last equity / starting equity − 1).
    pub fn total_return(&self) -> f64 {
        let last = self
            .equity_curve
            .last()
            .copied()
            .unwrap_or(self.starting_equity);
        if self.starting_equity > 0.0 {
            last / self.starting_equity - 1.0
        } else {
            0.0
        }
    }
    /// Share of trades with PnL > 0.
    pub fn win_rate(&self) -> Option<f64> {
        let n = self.trade_pnls.len();
        (n > 0).then(|| self.trade_pnls.iter().filter(|p| **p > 0.0).count() as f64 / n as f64)
    }
    /// Largest peak-to-trough fall of the curve (from the starting equity), as a fraction.
    pub fn max_drawdown(&self) -> f64 {
        let mut peak = self.starting_equity;
        let mut worst: f64 = 0.0;
        for e in &self.equity_curve {
            peak = peak.max(*e);
            if peak > 0.0 {
                worst = worst.max(1.0 - e / peak);
            }
        }
        worst
    }
}

/// Thresholds of `telemetry.strategy.performance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StrategyPerformancePolicy {
    /// Warn below this many closed trades (too few to judge).
    pub min_trades: u64,
    /// Warn below this win rate.
    pub min_win_rate: f64,
    /// Warn above this drawdown.
    pub max_drawdown: f64,
    /// Fail band multiple (≥ 1).
    pub fail_multiple: f64,
}

impl Default for StrategyPerformancePolicy {
    fn default() -> Self {
        StrategyPerformancePolicy {
            min_trades: 10,
            min_win_rate: 0.35,
            max_drawdown: 0.10,
            fail_multiple: 2.0,
        }
    }
}

impl StrategyPerformancePolicy {
    /// Checks every field, reporting all violations.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        rate_ok(&mut v, self.min_win_rate, "min_win_rate");
        rate_ok(&mut v, self.max_drawdown, "max_drawdown");
        v.check(
            self.fail_multiple.is_finite() && self.fail_multiple >= 1.0,
            "fail_multiple",
            format!("must be finite and >= 1, got {}", self.fail_multiple),
        );
        v.into_result()
    }
}

/// The `telemetry.strategy.performance` evaluator.
#[derive(Clone, Copy, Debug, Default)]
pub struct StrategyPerformanceEvaluator;

impl Evaluator for StrategyPerformanceEvaluator {
    type Policy = StrategyPerformancePolicy;
    type Input = StrategyPerformanceInput;

    fn topic(&self) -> &'static str {
        topics::STRATEGY_PERFORMANCE
    }

    fn evaluate(
        &self,
        p: &StrategyPerformancePolicy,
        s: &StrategyPerformanceInput,
        now: UnixNanos,
    ) -> Snapshot {
        let k = p.fail_multiple;
        let ret = s.total_return();
        let ret_status = if ret < -p.max_drawdown * k {
            Status::Fail
        } else if ret < 0.0 {
            Status::Warn
        } else {
            Status::Ok
        };
        let trades = s.trade_pnls.len() as u64;
        let trades_check = if trades < p.min_trades {
            Check::warn(
                "trades",
                format!(
                    "{trades} closed trades, fewer than {} to judge",
                    p.min_trades
                ),
            )
        } else {
            Check::ok("trades", format!("{trades} closed trades"))
        };
        let win = figure(
            "win_rate",
            s.win_rate(),
            p.min_win_rate,
            |x| {
                if x < p.min_win_rate / k {
                    Status::Fail
                } else if x < p.min_win_rate {
                    Status::Warn
                } else {
                    Status::Ok
                }
            },
            "win rate",
        );
        let dd = s.max_drawdown();
        let checks = vec![
            Check::new(
                "total_return",
                ret_status,
                format!("total return {:.4}", ret),
            )
            .with_value(ret),
            trades_check.with_value(trades).with_threshold(p.min_trades),
            win,
            figure(
                "max_drawdown",
                Some(dd),
                p.max_drawdown,
                |x| upper(x, p.max_drawdown, k),
                "max drawdown",
            ),
        ];
        let returns = s.returns();
        let n = returns.len().max(1) as f64;
        let mean = returns.iter().sum::<f64>() / n;
        let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n;
        Snapshot::new(self.topic(), now, checks)
            .with_metadata("strategy_id", s.strategy_id.clone())
            .with_metadata("mean_step_return", mean)
            .with_metadata("step_return_stdev", var.sqrt())
            .with_metadata("steps", returns.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execution_bands() {
        let p = ExecutionPolicy::default();
        let e = ExecutionEvaluator;
        let mut m = ExecutionMetrics {
            submitted: 100,
            filled: 95,
            cancelled: 5,
            rejected: 2,
            pending: 3,
            ..ExecutionMetrics::default()
        };
        m.record_latency(200_000_000);
        m.record_latency(400_000_000);
        let s = e.evaluate(&p, &m, UnixNanos::ZERO);
        assert_eq!(s.status(), Status::Ok, "{}", s.to_markdown());
        assert_eq!(s.topic(), "telemetry.operational.execution");
        // fill rate 85/100 = 0.85: below 0.9 warn, above 1 − 2×0.1 = 0.8 fail.
        m.filled = 85;
        m.cancelled = 15;
        assert_eq!(
            e.evaluate(&p, &m, UnixNanos::ZERO)
                .check("fill_rate")
                .unwrap()
                .status,
            Status::Warn
        );
        m.filled = 79;
        m.cancelled = 21;
        assert_eq!(
            e.evaluate(&p, &m, UnixNanos::ZERO)
                .check("fill_rate")
                .unwrap()
                .status,
            Status::Fail
        );
        // rejection 6/100 warn, 11/100 fail (> 0.10).
        m.rejected = 6;
        assert_eq!(
            e.evaluate(&p, &m, UnixNanos::ZERO)
                .check("rejection_rate")
                .unwrap()
                .status,
            Status::Warn
        );
        m.rejected = 11;
        assert_eq!(
            e.evaluate(&p, &m, UnixNanos::ZERO)
                .check("rejection_rate")
                .unwrap()
                .status,
            Status::Fail
        );
        // pending 6 warn, 11 fail; peak 1.6 s warn; mean (0.2+0.4+1.6)/3 = 0.733 s warn.
        m.pending = 6;
        m.record_latency(1_600_000_000);
        let s = e.evaluate(&p, &m, UnixNanos::ZERO);
        assert_eq!(s.check("pending_orders").unwrap().status, Status::Warn);
        assert_eq!(s.check("peak_latency_ms").unwrap().status, Status::Warn);
        assert_eq!(s.check("avg_latency_ms").unwrap().status, Status::Warn);
        m.record_latency(3_100_000_000);
        let s = e.evaluate(&p, &m, UnixNanos::ZERO);
        assert_eq!(s.check("peak_latency_ms").unwrap().status, Status::Fail);
        assert_eq!(s.status(), Status::Fail);
        // No data: ok.
        let s = e.evaluate(&p, &ExecutionMetrics::default(), UnixNanos::ZERO);
        assert_eq!(s.status(), Status::Ok);
        let bad = ExecutionPolicy {
            min_fill_rate: 1.5,
            max_avg_latency_ms: 0.0,
            fail_multiple: 0.5,
            ..p
        };
        assert_eq!(bad.validate().unwrap_err().len(), 3);
    }

    #[test]
    fn strategy_performance() {
        // 100 → 110 → 99 → 105: return 5 %, drawdown 1 − 99/110 = 10 %; 3 wins of 4.
        let s = StrategyPerformanceInput {
            strategy_id: "trend".into(),
            starting_equity: 100.0,
            equity_curve: vec![110.0, 99.0, 105.0],
            trade_pnls: vec![10.0, -11.0, 3.0, 3.0],
        };
        assert!((s.total_return() - 0.05).abs() < 1e-12);
        assert!((s.max_drawdown() - 0.1).abs() < 1e-12);
        assert_eq!(s.win_rate(), Some(0.75));
        // Step returns: 110/100 − 1 = 0.1, 99/110 − 1 = −0.1, 105/99 − 1 = 0.0606…
        let r = s.returns();
        assert!((r[0] - 0.1).abs() < 1e-12 && (r[1] + 0.1).abs() < 1e-12);
        assert!((r[2] - (105.0 / 99.0 - 1.0)).abs() < 1e-12);
        let p = StrategyPerformancePolicy::default();
        let snap = StrategyPerformanceEvaluator.evaluate(&p, &s, UnixNanos::ZERO);
        assert_eq!(snap.topic(), "telemetry.strategy.performance");
        assert_eq!(snap.check("trades").unwrap().status, Status::Warn); // 4 < 10
        assert_eq!(snap.check("win_rate").unwrap().status, Status::Ok);
        assert_eq!(snap.check("max_drawdown").unwrap().status, Status::Ok); // 0.1 is not > 0.1
        assert_eq!(snap.check("total_return").unwrap().status, Status::Ok);
    }
}
