//! Evaluators over the run history and over other snapshots: `telemetry.ingest.trends`,
//! `telemetry.operational.slos`, `telemetry.ingest.observability`.

use std::collections::BTreeMap;

use emp_model::{NANOS_PER_SEC, UnixNanos};
use emp_telemetry::{Check, ConfigErrors, Evaluator, Snapshot, Status, Violations, topics};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{FreshnessTargets, check_high_pair, grade_count, grade_high, grade_low};
use crate::plan::Dimension;
use crate::run::RunRecord;

/// The last `window` runs of each dimension, oldest first.
fn windows(runs: &[RunRecord], window: usize) -> BTreeMap<Dimension, Vec<&RunRecord>> {
    let mut by_dim: BTreeMap<Dimension, Vec<&RunRecord>> = BTreeMap::new();
    for r in runs {
        by_dim.entry(r.dimension).or_default().push(r);
    }
    for v in by_dim.values_mut() {
        v.sort_by_key(|r| (r.started_at, r.attempt));
        let skip = v.len().saturating_sub(window);
        v.drain(..skip);
    }
    by_dim
}

/// Thresholds of `telemetry.ingest.trends`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrendsPolicy {
    /// Runs per dimension looked at (the newest).
    pub window: usize,
    pub consecutive_failures_warn: u64,
    pub consecutive_failures_fail: u64,
    /// Drop of the latest row count below the mean of the earlier runs, as a fraction.
    pub row_drop_warn: f64,
    pub row_drop_fail: f64,
    /// Latest freshness ÷ mean earlier freshness.
    pub freshness_regression_warn: f64,
    pub freshness_regression_fail: f64,
}

impl Default for TrendsPolicy {
    fn default() -> Self {
        TrendsPolicy {
            window: 10,
            consecutive_failures_warn: 2,
            consecutive_failures_fail: 3,
            row_drop_warn: 0.5,
            row_drop_fail: 0.9,
            freshness_regression_warn: 2.0,
            freshness_regression_fail: 4.0,
        }
    }
}

impl TrendsPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.window >= 2,
            "window",
            format!("must be >= 2, got {}", self.window),
        );
        v.check(
            self.consecutive_failures_warn >= 1,
            "consecutive_failures_warn",
            format!("must be >= 1, got {}", self.consecutive_failures_warn),
        );
        v.check(
            self.consecutive_failures_warn <= self.consecutive_failures_fail,
            "consecutive_failures_warn",
            format!(
                "must be <= consecutive_failures_fail ({}), got {}",
                self.consecutive_failures_fail, self.consecutive_failures_warn
            ),
        );
        check_high_pair(
            &mut v,
            "row_drop_warn",
            self.row_drop_warn,
            "row_drop_fail",
            self.row_drop_fail,
        );
        v.check(
            self.row_drop_fail <= 1.0,
            "row_drop_fail",
            format!("must be <= 1, got {}", self.row_drop_fail),
        );
        check_high_pair(
            &mut v,
            "freshness_regression_warn",
            self.freshness_regression_warn,
            "freshness_regression_fail",
            self.freshness_regression_fail,
        );
        v.into_result()
    }
}

/// Consecutive failures, row-count drops and freshness regressions over the last runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrendsEvaluator;

impl Evaluator for TrendsEvaluator {
    type Policy = TrendsPolicy;
    /// The run history (any order, any dimensions).
    type Input = Vec<RunRecord>;

    fn topic(&self) -> &'static str {
        topics::INGEST_TRENDS
    }

    fn evaluate(&self, p: &TrendsPolicy, runs: &Vec<RunRecord>, now: UnixNanos) -> Snapshot {
        let mut checks = Vec::new();
        let by_dim = windows(runs, p.window);
        if by_dim.is_empty() {
            checks.push(Check::warn("history", "no ingest runs recorded"));
        }
        for (dim, w) in &by_dim {
            let fails = w
                .iter()
                .rev()
                .take_while(|r| r.status == Status::Fail)
                .count() as u64;
            checks.push(
                Check::new(
                    format!("{dim}.consecutive_failures"),
                    grade_count(
                        fails,
                        p.consecutive_failures_warn,
                        p.consecutive_failures_fail,
                    ),
                    format!("{fails} failed run(s) in a row"),
                )
                .with_value(fails)
                .with_threshold(p.consecutive_failures_warn),
            );
            let Some((latest, earlier)) = w.split_last() else {
                continue;
            };
            let earlier: Vec<&&RunRecord> = earlier
                .iter()
                .filter(|r| r.status != Status::Fail)
                .collect();
            if earlier.is_empty() {
                checks.push(Check::ok(format!("{dim}.row_count"), "not enough history"));
                continue;
            }
            let mean_rows =
                earlier.iter().map(|r| r.rows_read as f64).sum::<f64>() / earlier.len() as f64;
            let drop = if mean_rows > 0.0 {
                (1.0 - latest.rows_read as f64 / mean_rows).max(0.0)
            } else {
                0.0
            };
            checks.push(
                Check::new(
                    format!("{dim}.row_count"),
                    grade_high(drop, p.row_drop_warn, p.row_drop_fail),
                    format!(
                        "{} rows vs mean {mean_rows:.1} (drop {:.1}%)",
                        latest.rows_read,
                        drop * 100.0
                    ),
                )
                .with_value(drop)
                .with_threshold(p.row_drop_warn),
            );
            let prev: Vec<f64> = earlier
                .iter()
                .filter_map(|r| r.freshness_ns)
                .map(|n| n as f64)
                .collect();
            if let (Some(cur), false) = (latest.freshness_ns, prev.is_empty()) {
                // A floor of one second keeps a perfectly fresh history from making any
                // lag look like an infinite regression.
                let mean = (prev.iter().sum::<f64>() / prev.len() as f64).max(NANOS_PER_SEC as f64);
                let ratio = cur as f64 / mean;
                checks.push(
                    Check::new(
                        format!("{dim}.freshness_regression"),
                        grade_high(
                            ratio,
                            p.freshness_regression_warn,
                            p.freshness_regression_fail,
                        ),
                        format!("freshness {:.1}× the earlier mean", ratio),
                    )
                    .with_value(ratio)
                    .with_threshold(p.freshness_regression_warn),
                );
            }
        }
        Snapshot::new(self.topic(), now, checks).with_metadata("window", p.window as u64)
    }
}

/// One service-level objective: a dimension's success ratio and freshness over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloObjective {
    pub dimension: Dimension,
    /// Runs that did not fail ÷ runs, over the window; below it the SLO is breached (fail).
    #[serde(default = "default_success")]
    pub min_success_ratio: f64,
    /// The latest run's freshness above this warns. `None`: not part of the SLO.
    #[serde(default)]
    pub max_freshness_secs: Option<u64>,
    /// Where a breach is routed (a name from the app's alerting config, e.g. `pagerduty`).
    pub alert_route: String,
}

fn default_success() -> f64 {
    0.9
}

/// `telemetry.operational.slos`: one objective per dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SloPolicy {
    pub window_runs: usize,
    pub objectives: Vec<SloObjective>,
}

impl Default for SloPolicy {
    fn default() -> Self {
        let f = FreshnessTargets::default();
        let route = |d: Dimension| match d {
            Dimension::IntradayBars | Dimension::Ticks => "pager",
            Dimension::DailyBars | Dimension::Macro => "ops-email",
        };
        SloPolicy {
            window_runs: 10,
            objectives: Dimension::ALL
                .into_iter()
                .map(|d| SloObjective {
                    dimension: d,
                    min_success_ratio: default_success(),
                    max_freshness_secs: Some(f.target_secs(d)),
                    alert_route: route(d).into(),
                })
                .collect(),
        }
    }
}

impl SloPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.window_runs >= 1,
            "window_runs",
            format!("must be >= 1, got {}", self.window_runs),
        );
        let mut seen = std::collections::BTreeSet::new();
        for (i, o) in self.objectives.iter().enumerate() {
            v.check(
                seen.insert(o.dimension),
                format!("objectives[{i}].dimension"),
                format!("{} has two objectives", o.dimension),
            );
            v.check(
                (0.0..=1.0).contains(&o.min_success_ratio),
                format!("objectives[{i}].min_success_ratio"),
                format!("must be within [0, 1], got {}", o.min_success_ratio),
            );
            v.check(
                o.max_freshness_secs != Some(0),
                format!("objectives[{i}].max_freshness_secs"),
                "must be > 0 when set",
            );
            v.check(
                !o.alert_route.trim().is_empty(),
                format!("objectives[{i}].alert_route"),
                "must name an alert route",
            );
        }
        v.into_result()
    }
}

/// Grades every objective; breached objectives are listed with their alert route in the
/// metadata `alerts` (what the alert router consumes).
#[derive(Debug, Clone, Copy, Default)]
pub struct SloEvaluator;

impl Evaluator for SloEvaluator {
    type Policy = SloPolicy;
    type Input = Vec<RunRecord>;

    fn topic(&self) -> &'static str {
        topics::OPERATIONAL_SLOS
    }

    fn evaluate(&self, p: &SloPolicy, runs: &Vec<RunRecord>, now: UnixNanos) -> Snapshot {
        let by_dim = windows(runs, p.window_runs);
        let mut checks = Vec::new();
        let mut alerts = Vec::new();
        for o in &p.objectives {
            let name = format!("{}.slo", o.dimension);
            let Some(w) = by_dim.get(&o.dimension).filter(|w| !w.is_empty()) else {
                checks.push(Check::warn(
                    name,
                    format!("no runs in the window (route {})", o.alert_route),
                ));
                alerts.push(
                    json!({"dimension": o.dimension, "route": o.alert_route, "reason": "no runs"}),
                );
                continue;
            };
            let ok = w.iter().filter(|r| r.status != Status::Fail).count();
            let ratio = ok as f64 / w.len() as f64;
            let mut status = grade_low(ratio, o.min_success_ratio, o.min_success_ratio);
            let mut reasons = Vec::new();
            if status != Status::Ok {
                reasons.push(format!("success {ratio:.3} < {}", o.min_success_ratio));
            }
            let fresh = w.last().and_then(|r| r.freshness_secs());
            if let Some(max) = o.max_freshness_secs {
                let stale = fresh.is_none_or(|f| f > i64::try_from(max).unwrap_or(i64::MAX));
                if stale {
                    status = status.combine(Status::Warn);
                    reasons.push(format!(
                        "freshness {} s > {max} s",
                        fresh.map_or("unknown".into(), |f| f.to_string())
                    ));
                }
            }
            let msg = if reasons.is_empty() {
                format!("met: success {ratio:.3} over {} runs", w.len())
            } else {
                alerts.push(json!({"dimension": o.dimension, "route": o.alert_route, "reason": reasons.join("; ")}));
                format!("breached ({}) → {}", reasons.join("; "), o.alert_route)
            };
            checks.push(
                Check::new(name, status, msg)
                    .with_value(ratio)
                    .with_threshold(o.min_success_ratio),
            );
        }
        let routes: serde_json::Map<String, serde_json::Value> = p
            .objectives
            .iter()
            .map(|o| (o.dimension.as_str().to_string(), json!(o.alert_route)))
            .collect();
        Snapshot::new(self.topic(), now, checks)
            .with_metadata("alerts", alerts)
            .with_metadata("alert_routes", routes)
    }
}

/// `telemetry.ingest.observability`: which component snapshots the merged view requires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ObservabilityPolicy {
    pub required_topics: Vec<String>,
    /// A component snapshot older than this counts as stale (warn).
    pub stale_after_secs: u64,
}

impl Default for ObservabilityPolicy {
    fn default() -> Self {
        ObservabilityPolicy {
            required_topics: [
                topics::INGEST_HEALTH,
                topics::INGEST_METRICS,
                topics::INGEST_QUALITY,
                topics::INGEST_TRENDS,
            ]
            .map(String::from)
            .to_vec(),
            stale_after_secs: 3_600,
        }
    }
}

impl ObservabilityPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        for (i, t) in self.required_topics.iter().enumerate() {
            v.check(
                topics::is_well_formed(t),
                format!("required_topics[{i}]"),
                format!("not a telemetry topic: {t:?}"),
            );
        }
        v.check(self.stale_after_secs > 0, "stale_after_secs", "must be > 0");
        v.into_result()
    }
}

/// Merges the ingest snapshots into one view: one check per component, carrying its status
/// (a missing or stale component warns).
#[derive(Debug, Clone, Copy, Default)]
pub struct ObservabilityEvaluator;

impl Evaluator for ObservabilityEvaluator {
    type Policy = ObservabilityPolicy;
    /// The latest snapshot of each component topic.
    type Input = Vec<Snapshot>;

    fn topic(&self) -> &'static str {
        topics::INGEST_OBSERVABILITY
    }

    fn evaluate(&self, p: &ObservabilityPolicy, snaps: &Vec<Snapshot>, now: UnixNanos) -> Snapshot {
        let mut latest: BTreeMap<&str, &Snapshot> = BTreeMap::new();
        for s in snaps {
            if latest
                .get(s.topic())
                .is_none_or(|c| s.generated_at() >= c.generated_at())
            {
                latest.insert(s.topic(), s);
            }
        }
        let mut checks = Vec::new();
        for t in &p.required_topics {
            if !latest.contains_key(t.as_str()) {
                checks.push(Check::warn(t.clone(), "no snapshot yet"));
            }
        }
        let mut components = serde_json::Map::new();
        for (topic, s) in &latest {
            let age = now.saturating_sub(s.generated_at()) / NANOS_PER_SEC;
            let stale = age > i64::try_from(p.stale_after_secs).unwrap_or(i64::MAX);
            let failing: Vec<&str> = s
                .checks()
                .iter()
                .filter(|c| !c.status.is_ok())
                .map(|c| c.name.as_str())
                .collect();
            let mut msg = if failing.is_empty() {
                "all checks ok".to_string()
            } else {
                format!("not ok: {}", failing.join(", "))
            };
            let mut status = s.status();
            if stale {
                status = status.combine(Status::Warn);
                msg = format!("stale ({age} s old); {msg}");
            }
            checks.push(Check::new(topic.to_string(), status, msg).with_value(s.status().as_str()));
            components.insert(
                topic.to_string(),
                json!({"status": s.status(), "age_secs": age, "checks": s.checks().len()}),
            );
        }
        Snapshot::new(self.topic(), now, checks).with_metadata("components", components)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluators::test_support::{now, run};

    fn failed(dim: Dimension, ago: i64) -> RunRecord {
        let mut r = run(dim, 0, 10, ago);
        r.status = Status::Fail;
        r
    }

    #[test]
    fn consecutive_failures_boundaries() {
        for (n, want) in [
            (0, Status::Ok),
            (1, Status::Ok),
            (2, Status::Warn),
            (3, Status::Fail),
            (4, Status::Fail),
        ] {
            let mut runs = vec![run(Dimension::Ticks, 10, 10, 1_000)];
            runs.extend((0..n).map(|i| failed(Dimension::Ticks, 100 - i)));
            let snap = TrendsEvaluator.evaluate(&TrendsPolicy::default(), &runs, now());
            assert_eq!(
                snap.check("ticks.consecutive_failures").unwrap().status,
                want,
                "{n}"
            );
        }
        // A success in between resets the streak.
        let runs = vec![
            failed(Dimension::Ticks, 30),
            failed(Dimension::Ticks, 20),
            run(Dimension::Ticks, 5, 5, 10),
            failed(Dimension::Ticks, 0),
        ];
        let snap = TrendsEvaluator.evaluate(&TrendsPolicy::default(), &runs, now());
        assert_eq!(
            snap.check("ticks.consecutive_failures").unwrap().value,
            Some(json!(1))
        );
    }

    #[test]
    fn row_drop_boundaries() {
        // earlier runs read 100 rows; latest reads n → drop 1 − n/100
        for (n, want) in [
            (100, Status::Ok),
            (50, Status::Ok),
            (49, Status::Warn),
            (10, Status::Warn),
            (9, Status::Fail),
            (150, Status::Ok),
        ] {
            let runs = vec![
                run(Dimension::DailyBars, 100, 10, 20),
                run(Dimension::DailyBars, 100, 10, 10),
                run(Dimension::DailyBars, n, 10, 0),
            ];
            let snap = TrendsEvaluator.evaluate(&TrendsPolicy::default(), &runs, now());
            assert_eq!(
                snap.check("daily_bars.row_count").unwrap().status,
                want,
                "{n}"
            );
        }
    }

    #[test]
    fn freshness_regression_boundaries_and_window() {
        for (latest, want) in [
            (200, Status::Ok),
            (201, Status::Warn),
            (400, Status::Warn),
            (401, Status::Fail),
        ] {
            let runs = vec![
                run(Dimension::Macro, 10, 100, 20),
                run(Dimension::Macro, 10, 100, 10),
                run(Dimension::Macro, 10, latest, 0),
            ];
            let snap = TrendsEvaluator.evaluate(&TrendsPolicy::default(), &runs, now());
            assert_eq!(
                snap.check("macro.freshness_regression").unwrap().status,
                want,
                "{latest}"
            );
        }
        // Only the last `window` runs count: an old huge row count falls out of the window.
        let mut runs = vec![run(Dimension::Macro, 1_000_000, 100, 1_000)];
        runs.extend((0..10).map(|i| run(Dimension::Macro, 10, 100, 100 - i)));
        let snap = TrendsEvaluator.evaluate(&TrendsPolicy::default(), &runs, now());
        assert_eq!(snap.check("macro.row_count").unwrap().status, Status::Ok);
        let bad = TrendsPolicy {
            window: 1,
            consecutive_failures_warn: 4,
            row_drop_fail: 1.5,
            ..TrendsPolicy::default()
        };
        let e = bad.validate().unwrap_err();
        for p in ["window", "consecutive_failures_warn", "row_drop_fail"] {
            assert!(e.contains_path(p), "{p}: {e}");
        }
    }

    #[test]
    fn slo_boundaries_and_routes() {
        // 10 runs, k failed → success ratio (10 − k)/10 against 0.9
        for (k, want) in [(0, Status::Ok), (1, Status::Ok), (2, Status::Fail)] {
            let runs: Vec<RunRecord> = (0..10)
                .map(|i| {
                    if i < k {
                        failed(Dimension::Ticks, 100 - i)
                    } else {
                        run(Dimension::Ticks, 5, 60, 50 - i)
                    }
                })
                .collect();
            let snap = SloEvaluator.evaluate(&SloPolicy::default(), &runs, now());
            assert_eq!(snap.check("ticks.slo").unwrap().status, want, "{k}");
        }
        for (fresh, want) in [(900, Status::Ok), (901, Status::Warn)] {
            let snap = SloEvaluator.evaluate(
                &SloPolicy::default(),
                &vec![run(Dimension::Ticks, 5, fresh, 0)],
                now(),
            );
            assert_eq!(snap.check("ticks.slo").unwrap().status, want, "{fresh}");
        }
        let snap = SloEvaluator.evaluate(
            &SloPolicy::default(),
            &vec![run(Dimension::Ticks, 5, 901, 0)],
            now(),
        );
        // The three dimensions without runs and the stale ticks each raise an alert.
        let alerts = snap.metadata()["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 4);
        assert!(
            alerts
                .iter()
                .any(|a| a["dimension"] == "ticks" && a["route"] == "pager")
        );
        assert_eq!(snap.metadata()["alert_routes"]["macro"], "ops-email");
        let cfg: SloPolicy = serde_json::from_value(
            json!({"objectives": [{"dimension": "macro", "alert_route": "slack"}]}),
        )
        .unwrap();
        assert_eq!(cfg.objectives[0].min_success_ratio, 0.9);
        let bad: SloPolicy = serde_json::from_value(json!({"window_runs": 0, "objectives": [
            {"dimension": "macro", "alert_route": " ", "min_success_ratio": 2.0},
            {"dimension": "macro", "alert_route": "x", "max_freshness_secs": 0}]}))
        .unwrap();
        let e = bad.validate().unwrap_err();
        for p in [
            "window_runs",
            "objectives[0].alert_route",
            "objectives[0].min_success_ratio",
            "objectives[1].dimension",
            "objectives[1].max_freshness_secs",
        ] {
            assert!(e.contains_path(p), "{p}: {e}");
        }
    }

    #[test]
    fn observability_merges_components() {
        let t = now();
        let ok = |topic: &str, age: i64| {
            Snapshot::new(
                topic,
                UnixNanos::new(t.as_i64() - age * NANOS_PER_SEC),
                vec![Check::ok("x", "fine")],
            )
        };
        let failing = Snapshot::new(
            topics::INGEST_QUALITY,
            t,
            vec![Check::fail("macro.coverage", "low")],
        );
        let snaps = vec![
            ok(topics::INGEST_HEALTH, 3_600),
            ok(topics::INGEST_METRICS, 3_601),
            failing,
        ];
        let snap = ObservabilityEvaluator.evaluate(&ObservabilityPolicy::default(), &snaps, t);
        assert_eq!(
            snap.check(topics::INGEST_HEALTH).unwrap().status,
            Status::Ok
        );
        assert_eq!(
            snap.check(topics::INGEST_METRICS).unwrap().status,
            Status::Warn
        );
        assert_eq!(
            snap.check(topics::INGEST_QUALITY).unwrap().status,
            Status::Fail
        );
        assert!(
            snap.check(topics::INGEST_QUALITY)
                .unwrap()
                .message
                .contains("macro.coverage")
        );
        assert_eq!(
            snap.check(topics::INGEST_TRENDS).unwrap().status,
            Status::Warn
        );
        assert_eq!(snap.status(), Status::Fail);
        assert_eq!(
            snap.metadata()["components"][topics::INGEST_QUALITY]["status"],
            "fail"
        );
        let bad = ObservabilityPolicy {
            required_topics: vec!["nope".into()],
            stale_after_secs: 0,
        };
        assert_eq!(bad.validate().unwrap_err().len(), 2);
    }
}
