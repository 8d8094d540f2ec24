//! The ingest and data-backbone evaluators: pure `(policy, input, now) -> Snapshot`
//! functions (emp-telemetry's `Evaluator`), each with a typed, validated policy.
//!
//! Threshold conventions, used everywhere so boundaries are predictable:
//! * "higher is worse" (age, failures, drop ratios): `value > warn` warns, `value > fail`
//!   fails for continuous values; counts warn/fail at `>=` their threshold;
//! * "lower is worse" (scores, coverage): `value < warn_below` warns, `value < fail_below`
//!   fails — a value exactly at a threshold passes it.

mod backbone;
mod history;
mod ingest;

use std::collections::BTreeMap;

use emp_telemetry::{ConfigErrors, Status, Violations};
use serde::{Deserialize, Serialize};

use crate::plan::Dimension;
use crate::run::RunRecord;

pub use backbone::{
    BackupPolicy, BackupRecord, BackupsEvaluator, DatasetCoverage, ReadinessEvaluator,
    ReadinessInput, ReadinessPolicy, RetentionEvaluator, RetentionPolicy, RetentionTargets,
    StoreState, ValidationEvaluator, ValidationPolicy,
};
pub use history::{
    ObservabilityEvaluator, ObservabilityPolicy, SloEvaluator, SloObjective, SloPolicy,
    TrendsEvaluator, TrendsPolicy,
};
pub use ingest::{
    HealthEvaluator, HealthPolicy, MetricsEvaluator, MetricsPolicy, QualityEvaluator, QualityPolicy,
};

/// Freshness targets per dimension, in seconds: the newest row may be this old before the
/// dimension counts as stale. Ticks share the intraday target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessTargets {
    pub daily_bars_secs: u64,
    pub intraday_secs: u64,
    pub macro_secs: u64,
}

impl Default for FreshnessTargets {
    fn default() -> Self {
        FreshnessTargets {
            daily_bars_secs: 86_400,
            intraday_secs: 900,
            macro_secs: 604_800,
        }
    }
}

impl FreshnessTargets {
    pub fn target_secs(&self, dimension: Dimension) -> u64 {
        match dimension {
            Dimension::DailyBars => self.daily_bars_secs,
            Dimension::IntradayBars | Dimension::Ticks => self.intraday_secs,
            Dimension::Macro => self.macro_secs,
        }
    }

    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        for (path, val) in [
            ("daily_bars_secs", self.daily_bars_secs),
            ("intraday_secs", self.intraday_secs),
            ("macro_secs", self.macro_secs),
        ] {
            v.check(val > 0, path, format!("must be > 0, got {val}"));
        }
        v.into_result()
    }
}

/// The newest run of each dimension (by start time, then attempt), in dimension order.
pub(crate) fn latest_per_dimension(runs: &[RunRecord]) -> BTreeMap<Dimension, &RunRecord> {
    let mut out: BTreeMap<Dimension, &RunRecord> = BTreeMap::new();
    for r in runs {
        let newer = out
            .get(&r.dimension)
            .is_none_or(|cur| (r.started_at, r.attempt) >= (cur.started_at, cur.attempt));
        if newer {
            out.insert(r.dimension, r);
        }
    }
    out
}

/// "Lower is worse" grading: below `fail_below` fails, below `warn_below` warns.
pub(crate) fn grade_low(value: f64, warn_below: f64, fail_below: f64) -> Status {
    if value < fail_below {
        Status::Fail
    } else if value < warn_below {
        Status::Warn
    } else {
        Status::Ok
    }
}

/// "Higher is worse" grading for continuous values: above `fail` fails, above `warn` warns.
pub(crate) fn grade_high(value: f64, warn: f64, fail: f64) -> Status {
    if value > fail {
        Status::Fail
    } else if value > warn {
        Status::Warn
    } else {
        Status::Ok
    }
}

/// "Higher is worse" grading for counts: at or above `fail` fails, at or above `warn` warns.
pub(crate) fn grade_count(value: u64, warn: u64, fail: u64) -> Status {
    if value >= fail {
        Status::Fail
    } else if value >= warn {
        Status::Warn
    } else {
        Status::Ok
    }
}

/// Validates a `0 <= fail_below <= warn_below <= 1` pair of ratio thresholds.
pub(crate) fn check_low_pair(
    v: &mut Violations,
    warn_path: &str,
    warn: f64,
    fail_path: &str,
    fail: f64,
) {
    v.check(
        (0.0..=1.0).contains(&warn),
        warn_path,
        format!("must be within [0, 1], got {warn}"),
    );
    v.check(
        (0.0..=1.0).contains(&fail),
        fail_path,
        format!("must be within [0, 1], got {fail}"),
    );
    v.check(
        fail <= warn,
        fail_path,
        format!("must be <= {warn_path} ({warn}), got {fail}"),
    );
}

/// Validates a finite, non-negative `warn <= fail` pair of "higher is worse" thresholds.
pub(crate) fn check_high_pair(
    v: &mut Violations,
    warn_path: &str,
    warn: f64,
    fail_path: &str,
    fail: f64,
) {
    v.check(
        warn.is_finite() && warn >= 0.0,
        warn_path,
        format!("must be a finite number >= 0, got {warn}"),
    );
    v.check(
        fail.is_finite() && fail >= 0.0,
        fail_path,
        format!("must be a finite number >= 0, got {fail}"),
    );
    v.check(
        warn <= fail,
        warn_path,
        format!("must be <= {fail_path} ({fail}), got {warn}"),
    );
}

#[cfg(test)]
pub(crate) mod test_support {
    use emp_model::{Clock, NANOS_PER_SEC, SimulatedClock, UnixNanos};
    use emp_telemetry::Status;

    use crate::plan::Dimension;
    use crate::run::RunRecord;

    /// The evaluation instant of every evaluator test: 2024-01-01T00:00:00Z.
    pub(crate) fn clock() -> SimulatedClock {
        SimulatedClock::new(UnixNanos::from_secs(1_704_067_200))
    }

    pub(crate) fn now() -> UnixNanos {
        clock().now()
    }

    /// An ok run of `dim` that read `rows` records, `fresh_secs` old, started `ago_secs`
    /// before `now()`.
    pub(crate) fn run(dim: Dimension, rows: u64, fresh_secs: i64, ago_secs: i64) -> RunRecord {
        let mut r = RunRecord::new(
            format!("r-{dim}-{ago_secs}"),
            dim,
            UnixNanos::new(now().as_i64() - ago_secs * NANOS_PER_SEC),
        );
        r.rows_read = rows;
        r.rows_written = rows;
        r.freshness_ns = Some(fresh_secs * NANOS_PER_SEC);
        r.symbols = vec!["A".into()];
        r.status = Status::Ok;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grading_boundaries() {
        let low = [
            (0.85, Status::Ok),
            (0.849_999, Status::Warn),
            (0.6, Status::Warn),
            (0.599_999, Status::Fail),
        ];
        for (v, want) in low {
            assert_eq!(grade_low(v, 0.85, 0.6), want, "{v}");
        }
        let high = [
            (10.0, Status::Ok),
            (10.001, Status::Warn),
            (20.0, Status::Warn),
            (20.001, Status::Fail),
        ];
        for (v, want) in high {
            assert_eq!(grade_high(v, 10.0, 20.0), want, "{v}");
        }
        let counts = [(1, Status::Ok), (2, Status::Warn), (3, Status::Fail)];
        for (v, want) in counts {
            assert_eq!(grade_count(v, 2, 3), want, "{v}");
        }
    }

    #[test]
    fn freshness_targets_defaults_and_validation() {
        let t = FreshnessTargets::default();
        assert_eq!(
            Dimension::ALL.map(|d| t.target_secs(d)),
            [86_400, 900, 900, 604_800]
        );
        let bad = FreshnessTargets {
            daily_bars_secs: 0,
            intraday_secs: 0,
            macro_secs: 1,
        };
        assert_eq!(bad.validate().unwrap_err().len(), 2);
        assert!(serde_json::from_str::<FreshnessTargets>(r#"{"daily_secs": 1}"#).is_err());
    }
}
