//! Recovery planning: a pure function from (plan, last results, attempt) to the plan that
//! retries what failed — wider lookback, missing symbols only.

use emp_telemetry::{ConfigErrors, Status, Violations};
use serde::{Deserialize, Serialize};

use crate::plan::{DimensionPlan, IngestPlan};
use crate::run::RunRecord;

/// How failed dimensions are retried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecoveryPolicy {
    /// Recovery attempts after the first run (0 disables recovery).
    pub max_attempts: u32,
    /// The lookback of attempt `n` is the plan's lookback × `lookback_multiplier`ⁿ.
    pub lookback_multiplier: f64,
    /// Upper bound of a widened lookback, in days.
    pub max_lookback_days: u32,
    /// Also retry dimensions that only warned (some symbols missing).
    pub retry_missing_symbols: bool,
}

impl Default for RecoveryPolicy {
    fn default() -> Self {
        RecoveryPolicy {
            max_attempts: 3,
            lookback_multiplier: 2.0,
            max_lookback_days: 3_650,
            retry_missing_symbols: true,
        }
    }
}

impl RecoveryPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.lookback_multiplier.is_finite() && self.lookback_multiplier >= 1.0,
            "lookback_multiplier",
            format!(
                "must be a finite number >= 1, got {}",
                self.lookback_multiplier
            ),
        );
        v.check(
            self.max_lookback_days > 0,
            "max_lookback_days",
            format!("must be > 0, got {}", self.max_lookback_days),
        );
        v.into_result()
    }

    /// `lookback × multiplier^attempt`, rounded up, capped at `max_lookback_days`.
    pub fn widened_lookback(&self, lookback_days: Option<u32>, attempt: u32) -> Option<u32> {
        lookback_days.map(|d| {
            let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
            let widened = (f64::from(d) * self.lookback_multiplier.powi(exp)).ceil();
            if widened >= f64::from(self.max_lookback_days) {
                self.max_lookback_days.max(d)
            } else {
                widened as u32
            }
        })
    }
}

/// The recovery plan for `attempt` (1 for the first retry) after `results` of the previous
/// run of `plan`, or `None` when nothing needs retrying or the attempts are used up.
///
/// A dimension is retried when its run failed, when it has no result at all (the run never
/// got to it), or — with `retry_missing_symbols` — when some expected symbols delivered
/// nothing. The retry covers the missing symbols only when they are known (a failed run
/// that read some symbols retries the rest); otherwise the dimension's full symbol set.
pub fn plan_recovery(
    plan: &IngestPlan,
    results: &[RunRecord],
    attempt: u32,
    policy: &RecoveryPolicy,
) -> Option<IngestPlan> {
    if attempt == 0 || attempt > policy.max_attempts {
        return None;
    }
    let mut dimensions = Vec::new();
    for dim in &plan.dimensions {
        // The newest result of this dimension decides.
        let last = results
            .iter()
            .filter(|r| r.dimension == dim.dimension)
            .max_by_key(|r| (r.started_at, r.attempt));
        let retry_symbols: Vec<String> = match last {
            None => dim.symbols.clone(),
            Some(r) => {
                let failed = r.status == Status::Fail;
                let missing = !r.missing_symbols.is_empty();
                if !(failed || (missing && policy.retry_missing_symbols)) {
                    continue;
                }
                if missing {
                    r.missing_symbols.clone()
                } else {
                    dim.symbols.clone()
                }
            }
        };
        let sources = if retry_symbols.is_empty() {
            dim.sources.clone()
        } else {
            // Only the files that can deliver a missing symbol (a file without an expected
            // list may hold anything, so it stays).
            dim.sources
                .iter()
                .filter(|s| {
                    s.symbols.is_empty() || s.symbols.iter().any(|x| retry_symbols.contains(x))
                })
                .cloned()
                .collect()
        };
        if sources.is_empty() {
            continue;
        }
        dimensions.push(DimensionPlan {
            dimension: dim.dimension,
            sources,
            symbols: retry_symbols,
            lookback_days: policy.widened_lookback(dim.lookback_days, attempt),
        });
    }
    (!dimensions.is_empty()).then_some(IngestPlan { dimensions })
}

#[cfg(test)]
mod tests {
    use emp_model::UnixNanos;

    use super::*;
    use crate::plan::{Dimension, SourceSpec};

    fn source(path: &str, symbols: &[&str]) -> SourceSpec {
        SourceSpec {
            symbols: symbols.iter().map(|s| s.to_string()).collect(),
            ..SourceSpec::new(path)
        }
    }

    fn plan() -> IngestPlan {
        let mut daily = DimensionPlan::new(
            Dimension::DailyBars,
            vec![source("spx.csv", &["SPX"]), source("ixic.csv", &["IXIC"])],
        );
        daily.lookback_days = Some(10);
        let mut ticks =
            DimensionPlan::new(Dimension::Ticks, vec![source("eurusd.zip", &["EURUSD"])]);
        ticks.lookback_days = Some(1);
        let mut macro_ = DimensionPlan::new(
            Dimension::Macro,
            vec![source("default.csv", &["AAA", "BAA"])],
        );
        macro_.lookback_days = None;
        IngestPlan {
            dimensions: vec![daily, ticks, macro_],
        }
    }

    fn result(dim: Dimension, status: Status, symbols: &[&str], missing: &[&str]) -> RunRecord {
        let mut r = RunRecord::new(format!("r-{dim}"), dim, UnixNanos::from_secs(1));
        r.status = status;
        r.symbols = symbols.iter().map(|s| s.to_string()).collect();
        r.missing_symbols = missing.iter().map(|s| s.to_string()).collect();
        r
    }

    #[test]
    fn all_ok_needs_no_recovery() {
        let results = [
            result(Dimension::DailyBars, Status::Ok, &["SPX", "IXIC"], &[]),
            result(Dimension::Ticks, Status::Ok, &["EURUSD"], &[]),
            result(Dimension::Macro, Status::Ok, &["AAA", "BAA"], &[]),
        ];
        assert_eq!(
            plan_recovery(&plan(), &results, 1, &RecoveryPolicy::default()),
            None
        );
    }

    #[test]
    fn retries_failed_dimensions_for_missing_symbols_with_wider_lookback() {
        let results = [
            result(Dimension::DailyBars, Status::Fail, &["SPX"], &["IXIC"]),
            result(Dimension::Ticks, Status::Ok, &["EURUSD"], &[]),
            result(Dimension::Macro, Status::Warn, &["AAA"], &["BAA"]),
        ];
        let policy = RecoveryPolicy::default();
        let r = plan_recovery(&plan(), &results, 1, &policy).unwrap();
        assert_eq!(r.dimensions.len(), 2);
        let d = &r.dimensions[0];
        assert_eq!(d.dimension, Dimension::DailyBars);
        assert_eq!(d.symbols, ["IXIC"]);
        assert_eq!(d.sources.len(), 1);
        assert_eq!(d.sources[0].path.to_str(), Some("ixic.csv"));
        assert_eq!(d.lookback_days, Some(20));
        let m = &r.dimensions[1];
        assert_eq!(
            (m.dimension, m.symbols.as_slice(), m.lookback_days),
            (Dimension::Macro, &["BAA".to_string()][..], None)
        );
        // Attempt 2 doubles again; warn-only dimensions stay when not retrying missing symbols.
        let r2 = plan_recovery(&plan(), &results, 2, &policy).unwrap();
        assert_eq!(r2.dimensions[0].lookback_days, Some(40));
        let strict = RecoveryPolicy {
            retry_missing_symbols: false,
            ..policy
        };
        let r3 = plan_recovery(&plan(), &results, 1, &strict).unwrap();
        assert_eq!(r3.dimensions.len(), 1);
    }

    #[test]
    fn failure_without_missing_list_retries_everything_and_absent_results_are_retried() {
        let results = [result(Dimension::Ticks, Status::Fail, &[], &[])];
        let r = plan_recovery(&plan(), &results, 1, &RecoveryPolicy::default()).unwrap();
        let dims: Vec<_> = r.dimensions.iter().map(|d| d.dimension).collect();
        // Daily and macro have no result: the run never reached them.
        assert_eq!(
            dims,
            [Dimension::DailyBars, Dimension::Ticks, Dimension::Macro]
        );
        assert!(r.dimensions[1].symbols.is_empty());
        assert_eq!(r.dimensions[1].lookback_days, Some(2));
        assert_eq!(r.dimensions[0].sources.len(), 2);
    }

    #[test]
    fn attempts_are_bounded_and_lookback_capped() {
        let results = [result(Dimension::Ticks, Status::Fail, &[], &[])];
        let policy = RecoveryPolicy {
            max_attempts: 2,
            max_lookback_days: 15,
            ..RecoveryPolicy::default()
        };
        assert!(plan_recovery(&plan(), &results, 0, &policy).is_none());
        assert!(plan_recovery(&plan(), &results, 2, &policy).is_some());
        assert!(plan_recovery(&plan(), &results, 3, &policy).is_none());
        let table = [
            (Some(10), 1, Some(15)),
            (Some(7), 1, Some(14)),
            (Some(1), 2, Some(4)),
            (Some(20), 1, Some(20)),
            (None, 2, None),
        ];
        for (lookback, attempt, want) in table {
            assert_eq!(
                policy.widened_lookback(lookback, attempt),
                want,
                "{lookback:?} {attempt}"
            );
        }
    }

    #[test]
    fn newest_result_decides() {
        let mut old = result(Dimension::Ticks, Status::Fail, &[], &["EURUSD"]);
        old.started_at = UnixNanos::from_secs(1);
        let mut new = result(Dimension::Ticks, Status::Ok, &["EURUSD"], &[]);
        new.started_at = UnixNanos::from_secs(2);
        let ok = [
            old,
            new,
            result(Dimension::DailyBars, Status::Ok, &["SPX", "IXIC"], &[]),
            result(Dimension::Macro, Status::Ok, &["AAA", "BAA"], &[]),
        ];
        assert_eq!(
            plan_recovery(&plan(), &ok, 1, &RecoveryPolicy::default()),
            None
        );
    }

    #[test]
    fn policy_validation() {
        assert!(RecoveryPolicy::default().validate().is_ok());
        let bad = RecoveryPolicy {
            lookback_multiplier: 0.5,
            max_lookback_days: 0,
            ..RecoveryPolicy::default()
        };
        let e = bad.validate().unwrap_err();
        assert!(e.contains_path("lookback_multiplier") && e.contains_path("max_lookback_days"));
    }
}
