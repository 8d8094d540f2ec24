//! `telemetry.ingest.health`, `.metrics` and `.quality`: the latest run of each dimension.

use emp_model::{NANOS_PER_SEC, UnixNanos};
use emp_telemetry::{Check, ConfigErrors, Evaluator, Snapshot, Status, Violations, topics};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{FreshnessTargets, check_low_pair, grade_high, grade_low, latest_per_dimension};
use crate::plan::Dimension;
use crate::run::RunRecord;

/// Thresholds of `telemetry.ingest.health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthPolicy {
    /// Freshness above the target warns; above target × `freshness_fail_multiplier` fails.
    pub freshness: FreshnessTargets,
    pub freshness_fail_multiplier: f64,
    /// Off for replays of historical samples, whose newest row is years old by design.
    pub check_freshness: bool,
    /// Missing symbols warn; a missing fraction at or above this fails.
    pub missing_symbols_fail_ratio: f64,
    /// Dimensions that must have a run; others are graded only when they ran.
    pub required_dimensions: Vec<Dimension>,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        HealthPolicy {
            freshness: FreshnessTargets::default(),
            freshness_fail_multiplier: 2.0,
            check_freshness: true,
            missing_symbols_fail_ratio: 0.5,
            required_dimensions: Vec::new(),
        }
    }
}

impl HealthPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.nested_result("freshness", self.freshness.validate());
        v.check(
            self.freshness_fail_multiplier.is_finite() && self.freshness_fail_multiplier >= 1.0,
            "freshness_fail_multiplier",
            format!(
                "must be a finite number >= 1, got {}",
                self.freshness_fail_multiplier
            ),
        );
        v.check(
            self.missing_symbols_fail_ratio > 0.0 && self.missing_symbols_fail_ratio <= 1.0,
            "missing_symbols_fail_ratio",
            format!(
                "must be within (0, 1], got {}",
                self.missing_symbols_fail_ratio
            ),
        );
        v.into_result()
    }
}

/// Grades the latest run of each dimension: status, freshness, zero rows, missing symbols.
#[derive(Debug, Clone, Copy, Default)]
pub struct HealthEvaluator;

impl Evaluator for HealthEvaluator {
    type Policy = HealthPolicy;
    /// Recent runs (any order; the newest per dimension is graded).
    type Input = Vec<RunRecord>;

    fn topic(&self) -> &'static str {
        topics::INGEST_HEALTH
    }

    fn evaluate(&self, policy: &HealthPolicy, runs: &Vec<RunRecord>, now: UnixNanos) -> Snapshot {
        let latest = latest_per_dimension(runs);
        let mut checks = Vec::new();
        if latest.is_empty() {
            checks.push(Check::fail("runs", "no ingest run recorded"));
        }
        for dim in &policy.required_dimensions {
            if !latest.contains_key(dim) {
                checks.push(Check::fail(
                    format!("{dim}.run"),
                    format!("required dimension {dim} has no run"),
                ));
            }
        }
        for (dim, r) in &latest {
            let status_check = match &r.error {
                Some(e) => Check::fail(
                    format!("{dim}.status"),
                    format!("run {} failed: {e}", r.run_id),
                ),
                None => Check::new(
                    format!("{dim}.status"),
                    r.status,
                    format!("run {} {}", r.run_id, r.status),
                ),
            };
            checks.push(status_check.with_value(r.status.as_str()));
            checks.push(if r.rows_read == 0 {
                Check::fail(format!("{dim}.rows"), "zero rows read").with_value(0)
            } else {
                Check::ok(
                    format!("{dim}.rows"),
                    format!("{} rows read, {} new", r.rows_read, r.rows_written),
                )
                .with_value(r.rows_read)
            });
            if policy.check_freshness {
                let target = policy.freshness.target_secs(*dim);
                checks.push(match r.freshness_ns {
                    None => Check::fail(format!("{dim}.freshness"), "no data, freshness unknown")
                        .with_threshold(target),
                    Some(ns) => {
                        let age = ns as f64 / NANOS_PER_SEC as f64;
                        let st = grade_high(
                            age,
                            target as f64,
                            target as f64 * policy.freshness_fail_multiplier,
                        );
                        Check::new(
                            format!("{dim}.freshness"),
                            st,
                            format!("newest row {age:.0} s old (target {target} s)"),
                        )
                        .with_value(ns / NANOS_PER_SEC)
                        .with_threshold(target)
                    }
                });
            }
            let expected = r.symbols.len() + r.missing_symbols.len();
            let missing = r.missing_symbols.len();
            let st = if missing == 0 {
                Status::Ok
            } else if missing as f64 / expected as f64 >= policy.missing_symbols_fail_ratio {
                Status::Fail
            } else {
                Status::Warn
            };
            let msg = if missing == 0 {
                format!("all {expected} expected symbols delivered")
            } else {
                format!(
                    "{missing} of {expected} symbols missing: {}",
                    r.missing_symbols.join(", ")
                )
            };
            checks.push(
                Check::new(format!("{dim}.missing_symbols"), st, msg).with_value(missing as u64),
            );
        }
        Snapshot::new(self.topic(), now, checks).with_metadata("dimensions", latest.len() as u64)
    }
}

/// Options of `telemetry.ingest.metrics` (a report, not a grade: only failed runs fail).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsPolicy {
    /// Also list the delivered symbols per dimension in the metadata.
    pub include_symbols: bool,
}

impl MetricsPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        Ok(())
    }
}

/// Rows, freshness and symbol coverage per dimension, as checks with values and as
/// metadata `dimensions.<dim>.{rows_read,rows_written,rows_quarantined,freshness_secs,symbol_coverage}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsEvaluator;

impl Evaluator for MetricsEvaluator {
    type Policy = MetricsPolicy;
    type Input = Vec<RunRecord>;

    fn topic(&self) -> &'static str {
        topics::INGEST_METRICS
    }

    fn evaluate(&self, policy: &MetricsPolicy, runs: &Vec<RunRecord>, now: UnixNanos) -> Snapshot {
        let latest = latest_per_dimension(runs);
        let mut checks = Vec::new();
        let mut dims = serde_json::Map::new();
        let (mut total_read, mut total_written, mut total_q) = (0u64, 0u64, 0u64);
        for (dim, r) in &latest {
            total_read += r.rows_read;
            total_written += r.rows_written;
            total_q += r.rows_quarantined;
            let run_status = if r.status == Status::Fail {
                Status::Fail
            } else {
                Status::Ok
            };
            checks.push(
                Check::new(
                    format!("{dim}.rows_written"),
                    run_status,
                    format!(
                        "{} new of {} read, {} quarantined",
                        r.rows_written, r.rows_read, r.rows_quarantined
                    ),
                )
                .with_value(r.rows_written),
            );
            let fresh = r.freshness_secs();
            checks.push(
                Check::ok(
                    format!("{dim}.freshness_secs"),
                    fresh.map_or("unknown".into(), |s| format!("{s} s")),
                )
                .with_value(json!(fresh)),
            );
            let cov = r.symbol_coverage();
            checks.push(
                Check::ok(
                    format!("{dim}.symbol_coverage"),
                    format!("{:.1}% of expected symbols", cov * 100.0),
                )
                .with_value(cov),
            );
            let mut m = json!({
                "rows_read": r.rows_read, "rows_written": r.rows_written,
                "rows_quarantined": r.rows_quarantined, "freshness_secs": fresh,
                "symbol_coverage": cov, "duration_ms": r.duration_ns / 1_000_000, "run_id": r.run_id,
            });
            if policy.include_symbols {
                m["symbols"] = json!(r.symbols);
            }
            dims.insert(dim.as_str().into(), m);
        }
        Snapshot::new(self.topic(), now, checks)
            .with_metadata("dimensions", dims)
            .with_metadata("rows_read", total_read)
            .with_metadata("rows_written", total_written)
            .with_metadata("rows_quarantined", total_q)
    }
}

/// Thresholds of `telemetry.ingest.quality`: coverage score = symbol coverage × valid-row ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityPolicy {
    pub warn_below: f64,
    pub fail_below: f64,
}

impl Default for QualityPolicy {
    fn default() -> Self {
        QualityPolicy {
            warn_below: 0.85,
            fail_below: 0.6,
        }
    }
}

impl QualityPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        check_low_pair(
            &mut v,
            "warn_below",
            self.warn_below,
            "fail_below",
            self.fail_below,
        );
        v.into_result()
    }
}

/// The coverage score of a run: the fraction of expected symbols delivered times the
/// fraction of rows that were good.
pub(crate) fn coverage_score(r: &RunRecord) -> f64 {
    r.symbol_coverage() * r.row_validity()
}

/// Grades each dimension's coverage score and the overall (lowest) score.
#[derive(Debug, Clone, Copy, Default)]
pub struct QualityEvaluator;

impl Evaluator for QualityEvaluator {
    type Policy = QualityPolicy;
    type Input = Vec<RunRecord>;

    fn topic(&self) -> &'static str {
        topics::INGEST_QUALITY
    }

    fn evaluate(&self, policy: &QualityPolicy, runs: &Vec<RunRecord>, now: UnixNanos) -> Snapshot {
        let latest = latest_per_dimension(runs);
        let mut checks = Vec::new();
        let mut overall: Option<f64> = None;
        for (dim, r) in &latest {
            let score = coverage_score(r);
            overall = Some(overall.map_or(score, |o: f64| o.min(score)));
            let st = grade_low(score, policy.warn_below, policy.fail_below);
            checks.push(
                Check::new(
                    format!("{dim}.coverage"),
                    st,
                    format!(
                        "score {score:.3} = symbols {:.3} × valid rows {:.3}",
                        r.symbol_coverage(),
                        r.row_validity()
                    ),
                )
                .with_value(score)
                .with_threshold(policy.warn_below),
            );
        }
        match overall {
            None => checks.push(Check::fail("coverage", "no ingest run to grade")),
            Some(s) => checks.push(
                Check::new(
                    "coverage",
                    grade_low(s, policy.warn_below, policy.fail_below),
                    format!("lowest dimension score {s:.3}"),
                )
                .with_value(s)
                .with_threshold(policy.warn_below),
            ),
        }
        Snapshot::new(self.topic(), now, checks)
            .with_metadata("warn_below", policy.warn_below)
            .with_metadata("fail_below", policy.fail_below)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluators::test_support::{now, run};

    #[test]
    fn health_freshness_boundaries_per_dimension() {
        // (dimension, age in seconds, expected freshness status)
        let table = [
            (Dimension::DailyBars, 86_400, Status::Ok),
            (Dimension::DailyBars, 86_401, Status::Warn),
            (Dimension::DailyBars, 172_800, Status::Warn),
            (Dimension::DailyBars, 172_801, Status::Fail),
            (Dimension::IntradayBars, 900, Status::Ok),
            (Dimension::IntradayBars, 901, Status::Warn),
            (Dimension::Ticks, 1_800, Status::Warn),
            (Dimension::Ticks, 1_801, Status::Fail),
            (Dimension::Macro, 604_800, Status::Ok),
            (Dimension::Macro, 604_801, Status::Warn),
            (Dimension::Macro, 1_209_601, Status::Fail),
        ];
        for (dim, age, want) in table {
            let snap = HealthEvaluator.evaluate(
                &HealthPolicy::default(),
                &vec![run(dim, 10, age, 0)],
                now(),
            );
            let c = snap.check(&format!("{dim}.freshness")).unwrap();
            assert_eq!(c.status, want, "{dim} {age}");
            assert_eq!(snap.status(), want, "{dim} {age}");
            assert_eq!(snap.topic(), "telemetry.ingest.health");
        }
        let off = HealthPolicy {
            check_freshness: false,
            ..HealthPolicy::default()
        };
        let snap =
            HealthEvaluator.evaluate(&off, &vec![run(Dimension::Macro, 1, 10_000_000, 0)], now());
        assert_eq!(snap.status(), Status::Ok);
    }

    #[test]
    fn health_zero_rows_missing_symbols_and_required() {
        let mut zero = run(Dimension::DailyBars, 0, 10, 0);
        zero.freshness_ns = None;
        let snap = HealthEvaluator.evaluate(&HealthPolicy::default(), &vec![zero], now());
        assert_eq!(snap.check("daily_bars.rows").unwrap().status, Status::Fail);
        assert_eq!(
            snap.check("daily_bars.freshness").unwrap().status,
            Status::Fail
        );

        // (delivered, missing, status) at the default 0.5 fail ratio
        let table = [
            (4, 0, Status::Ok),
            (3, 1, Status::Warn),
            (2, 1, Status::Warn),
            (1, 1, Status::Fail),
            (0, 2, Status::Fail),
        ];
        for (got, missing, want) in table {
            let mut r = run(Dimension::Macro, 5, 10, 0);
            r.symbols = (0..got).map(|i| format!("S{i}")).collect();
            r.missing_symbols = (0..missing).map(|i| format!("M{i}")).collect();
            let snap = HealthEvaluator.evaluate(&HealthPolicy::default(), &vec![r], now());
            assert_eq!(
                snap.check("macro.missing_symbols").unwrap().status,
                want,
                "{got}/{missing}"
            );
        }
        let req = HealthPolicy {
            required_dimensions: vec![Dimension::Ticks],
            ..HealthPolicy::default()
        };
        let snap = HealthEvaluator.evaluate(&req, &vec![run(Dimension::Macro, 5, 10, 0)], now());
        assert_eq!(snap.check("ticks.run").unwrap().status, Status::Fail);
        let empty = HealthEvaluator.evaluate(&HealthPolicy::default(), &vec![], now());
        assert_eq!(empty.check("runs").unwrap().status, Status::Fail);
        let mut failed = run(Dimension::Ticks, 5, 10, 0);
        failed.error = Some("cannot open".into());
        failed.status = Status::Fail;
        let snap = HealthEvaluator.evaluate(&HealthPolicy::default(), &vec![failed], now());
        assert!(
            snap.check("ticks.status")
                .unwrap()
                .message
                .contains("cannot open")
        );
    }

    #[test]
    fn health_grades_the_newest_run_only() {
        let old = run(Dimension::Ticks, 0, 99_999, 600);
        let new = run(Dimension::Ticks, 10, 60, 0);
        let snap = HealthEvaluator.evaluate(&HealthPolicy::default(), &vec![new, old], now());
        assert_eq!(snap.status(), Status::Ok);
    }

    #[test]
    fn quality_boundaries() {
        // rows_read, rows_quarantined with full symbol coverage → score = read/(read+q)
        let table = [
            (85, 15, Status::Ok),   // 0.85
            (84, 16, Status::Warn), // 0.84
            (60, 40, Status::Warn), // 0.60
            (59, 41, Status::Fail), // 0.59
            (100, 0, Status::Ok),
        ];
        for (read, q, want) in table {
            let mut r = run(Dimension::DailyBars, read, 10, 0);
            r.rows_quarantined = q;
            let snap = QualityEvaluator.evaluate(&QualityPolicy::default(), &vec![r], now());
            assert_eq!(
                snap.check("daily_bars.coverage").unwrap().status,
                want,
                "{read}/{q}"
            );
            assert_eq!(snap.check("coverage").unwrap().status, want);
        }
        // Symbol coverage multiplies in: 9 of 10 symbols with all rows good = 0.9 (ok);
        // 8 of 10 with 1% bad rows = 0.792 (warn).
        let mut r = run(Dimension::Macro, 99, 10, 0);
        r.rows_quarantined = 1;
        r.symbols = (0..8).map(|i| i.to_string()).collect();
        r.missing_symbols = vec!["x".into(), "y".into()];
        let snap = QualityEvaluator.evaluate(&QualityPolicy::default(), &vec![r], now());
        assert_eq!(snap.status(), Status::Warn);
        let v = snap.check("macro.coverage").unwrap().value.clone().unwrap();
        assert!((v.as_f64().unwrap() - 0.792).abs() < 1e-9);
        assert!(
            QualityPolicy {
                warn_below: 0.5,
                fail_below: 0.6
            }
            .validate()
            .unwrap_err()
            .contains_path("fail_below")
        );
        assert!(
            QualityPolicy {
                warn_below: 1.5,
                fail_below: -0.1
            }
            .validate()
            .unwrap_err()
            .len()
                >= 2
        );
    }

    #[test]
    fn metrics_report_per_dimension() {
        let mut a = run(Dimension::DailyBars, 100, 30, 0);
        a.rows_written = 40;
        a.rows_quarantined = 2;
        let mut b = run(Dimension::Ticks, 7, 5, 0);
        b.status = Status::Fail;
        let snap = MetricsEvaluator.evaluate(
            &MetricsPolicy {
                include_symbols: true,
            },
            &vec![a, b],
            now(),
        );
        assert_eq!(snap.status(), Status::Fail);
        assert_eq!(
            snap.check("daily_bars.rows_written").unwrap().value,
            Some(json!(40))
        );
        assert_eq!(snap.metadata()["rows_read"], json!(107));
        assert_eq!(
            snap.metadata()["dimensions"]["daily_bars"]["freshness_secs"],
            json!(30)
        );
        assert_eq!(
            snap.metadata()["dimensions"]["ticks"]["symbols"],
            json!(["A"])
        );
        assert_eq!(
            snap.check("ticks.symbol_coverage").unwrap().value,
            Some(json!(1.0))
        );
    }

    #[test]
    fn health_policy_validation_names_fields() {
        let bad = HealthPolicy {
            freshness: FreshnessTargets {
                daily_bars_secs: 0,
                ..FreshnessTargets::default()
            },
            freshness_fail_multiplier: 0.5,
            missing_symbols_fail_ratio: 0.0,
            ..HealthPolicy::default()
        };
        let e = bad.validate().unwrap_err();
        for p in [
            "freshness.daily_bars_secs",
            "freshness_fail_multiplier",
            "missing_symbols_fail_ratio",
        ] {
            assert!(e.contains_path(p), "{p}: {e}");
        }
        let p: HealthPolicy = serde_json::from_str(r#"{"check_freshness": false}"#).unwrap();
        assert!(!p.check_freshness && p.freshness.intraday_secs == 900);
        assert!(serde_json::from_str::<HealthPolicy>(r#"{"freshnes": {}}"#).is_err());
    }
}
