//! Data-backbone and operational evaluators: `telemetry.data_backbone.{retention,validation,
//! readiness}` and `telemetry.operational.backups`.

use super::{check_high_pair, grade_high, latest_per_dimension};
use crate::plan::Dimension;
use crate::run::RunRecord;
use emp_model::{NANOS_PER_SEC, UnixNanos};
use emp_telemetry::{Check, ConfigErrors, Evaluator, Snapshot, Status, Violations, topics};
use serde::{Deserialize, Serialize};

const DAY_NS: i64 = 86_400 * NANOS_PER_SEC;

/// Days of history each dimension should keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionTargets {
    pub daily_bars_days: u32,
    pub intraday_bars_days: u32,
    pub ticks_days: u32,
    pub macro_days: u32,
}

impl Default for RetentionTargets {
    fn default() -> Self {
        RetentionTargets {
            daily_bars_days: 3_650,
            intraday_bars_days: 30,
            ticks_days: 7,
            macro_days: 3_650,
        }
    }
}

impl RetentionTargets {
    pub fn days(&self, d: Dimension) -> u32 {
        match d {
            Dimension::DailyBars => self.daily_bars_days,
            Dimension::IntradayBars => self.intraday_bars_days,
            Dimension::Ticks => self.ticks_days,
            Dimension::Macro => self.macro_days,
        }
    }
}

/// `telemetry.data_backbone.retention`: days covered against targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionPolicy {
    pub targets: RetentionTargets,
    /// Coverage below the target warns; below target × `fail_fraction` fails.
    pub fail_fraction: f64,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            targets: RetentionTargets::default(),
            fail_fraction: 0.5,
        }
    }
}

impl RetentionPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        for d in Dimension::ALL {
            let days = self.targets.days(d);
            v.check(
                days > 0,
                format!("targets.{d}_days"),
                format!("must be > 0, got {days}"),
            );
        }
        v.check(
            (0.0..=1.0).contains(&self.fail_fraction),
            "fail_fraction",
            format!("must be within [0, 1], got {}", self.fail_fraction),
        );
        v.into_result()
    }
}

/// The stored time span of one data set (from the store's first/latest timestamps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetCoverage {
    pub dimension: Dimension,
    /// e.g. `bars/SPX/1d`, `series/CPILFESL`.
    pub dataset: String,
    pub first_ts: UnixNanos,
    pub last_ts: UnixNanos,
}

impl DatasetCoverage {
    pub fn days(&self) -> f64 {
        self.last_ts.saturating_sub(self.first_ts).max(0) as f64 / DAY_NS as f64
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RetentionEvaluator;

impl Evaluator for RetentionEvaluator {
    type Policy = RetentionPolicy;
    type Input = Vec<DatasetCoverage>;

    fn topic(&self) -> &'static str {
        topics::DATA_BACKBONE_RETENTION
    }

    fn evaluate(
        &self,
        p: &RetentionPolicy,
        sets: &Vec<DatasetCoverage>,
        now: UnixNanos,
    ) -> Snapshot {
        let mut checks = Vec::new();
        if sets.is_empty() {
            checks.push(Check::warn("datasets", "no stored data sets"));
        }
        for s in sets {
            let target = f64::from(p.targets.days(s.dimension));
            let days = s.days();
            let st = if days < target * p.fail_fraction {
                Status::Fail
            } else if days < target {
                Status::Warn
            } else {
                Status::Ok
            };
            checks.push(
                Check::new(
                    s.dataset.clone(),
                    st,
                    format!(
                        "{days:.1} days covered (target {target} for {})",
                        s.dimension
                    ),
                )
                .with_value(days)
                .with_threshold(target),
            );
        }
        Snapshot::new(self.topic(), now, checks).with_metadata("datasets", sets.len() as u64)
    }
}

/// The state of a store as the backbone evaluators see it (built from `StoreHealth`, or
/// from the error when the store is unreachable).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreState {
    /// `duckdb` or `postgres`.
    pub backend: String,
    /// `None` when reachable; the error otherwise.
    pub error: Option<String>,
    pub schema_version: Option<i64>,
    pub data_rows: u64,
    pub quarantine_rows: u64,
    pub ingest_runs: u64,
}

/// `telemetry.data_backbone.validation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationPolicy {
    pub min_schema_version: i64,
    /// quarantine ÷ (data + quarantine)
    pub quarantine_ratio_warn: f64,
    pub quarantine_ratio_fail: f64,
    /// An empty `telemetry.ingest_runs` warns.
    pub require_journal: bool,
}

impl Default for ValidationPolicy {
    fn default() -> Self {
        ValidationPolicy {
            min_schema_version: 1,
            quarantine_ratio_warn: 0.01,
            quarantine_ratio_fail: 0.05,
            require_journal: true,
        }
    }
}

impl ValidationPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.min_schema_version >= 1,
            "min_schema_version",
            format!("must be >= 1, got {}", self.min_schema_version),
        );
        check_high_pair(
            &mut v,
            "quarantine_ratio_warn",
            self.quarantine_ratio_warn,
            "quarantine_ratio_fail",
            self.quarantine_ratio_fail,
        );
        v.check(
            self.quarantine_ratio_fail <= 1.0,
            "quarantine_ratio_fail",
            format!("must be <= 1, got {}", self.quarantine_ratio_fail),
        );
        v.into_result()
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ValidationEvaluator;

impl Evaluator for ValidationEvaluator {
    type Policy = ValidationPolicy;
    type Input = StoreState;

    fn topic(&self) -> &'static str {
        topics::DATA_BACKBONE_VALIDATION
    }

    fn evaluate(&self, p: &ValidationPolicy, s: &StoreState, now: UnixNanos) -> Snapshot {
        let mut checks = Vec::new();
        if let Some(e) = &s.error {
            checks.push(Check::fail(
                "reachable",
                format!("{} unreachable: {e}", s.backend),
            ));
            return Snapshot::new(self.topic(), now, checks)
                .with_metadata("backend", s.backend.clone());
        }
        checks.push(Check::ok("reachable", format!("{} answered", s.backend)));
        checks.push(
            match s.schema_version {
                Some(v) if v >= p.min_schema_version => {
                    Check::ok("schema_version", format!("schema v{v}")).with_value(v)
                }
                Some(v) => Check::fail(
                    "schema_version",
                    format!("schema v{v} older than v{}", p.min_schema_version),
                )
                .with_value(v),
                None => Check::fail("schema_version", "no migrations applied"),
            }
            .with_threshold(p.min_schema_version),
        );
        let total = s.data_rows + s.quarantine_rows;
        let ratio = if total == 0 {
            0.0
        } else {
            s.quarantine_rows as f64 / total as f64
        };
        checks.push(
            Check::new(
                "quarantine_ratio",
                grade_high(ratio, p.quarantine_ratio_warn, p.quarantine_ratio_fail),
                format!("{} of {total} rows quarantined", s.quarantine_rows),
            )
            .with_value(ratio)
            .with_threshold(p.quarantine_ratio_warn),
        );
        checks.push(
            if s.data_rows == 0 {
                Check::warn("data", "no market or macro rows stored")
            } else {
                Check::ok("data", format!("{} rows", s.data_rows))
            }
            .with_value(s.data_rows),
        );
        if p.require_journal {
            checks.push(
                if s.ingest_runs == 0 {
                    Check::warn("journal", "telemetry.ingest_runs is empty")
                } else {
                    Check::ok(
                        "journal",
                        format!("{} ingest runs journaled", s.ingest_runs),
                    )
                }
                .with_value(s.ingest_runs),
            );
        }
        Snapshot::new(self.topic(), now, checks).with_metadata("backend", s.backend.clone())
    }
}

/// `telemetry.data_backbone.readiness`: may the runtime rely on the data backbone?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadinessPolicy {
    /// Dimensions whose latest run must not have failed.
    pub required_dimensions: Vec<Dimension>,
    /// Whether writing to the fallback store is acceptable (warn) or not ready (fail).
    pub failover_is_fail: bool,
    /// Rows still waiting to be backfilled into the primary above this warn.
    pub max_pending_backfill_rows: u64,
}

impl Default for ReadinessPolicy {
    fn default() -> Self {
        ReadinessPolicy {
            required_dimensions: vec![Dimension::DailyBars, Dimension::Macro],
            failover_is_fail: false,
            max_pending_backfill_rows: 0,
        }
    }
}

impl ReadinessPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, d) in self.required_dimensions.iter().enumerate() {
            v.check(
                seen.insert(*d),
                format!("required_dimensions[{i}]"),
                format!("{d} listed twice"),
            );
        }
        v.into_result()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadinessInput {
    /// The latest `telemetry.data_backbone.validation` status (`None`: never validated).
    pub validation: Option<Status>,
    pub runs: Vec<RunRecord>,
    /// Ingest currently writes to the fallback store.
    pub failover_active: bool,
    pub pending_backfill_rows: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ReadinessEvaluator;

impl Evaluator for ReadinessEvaluator {
    type Policy = ReadinessPolicy;
    type Input = ReadinessInput;

    fn topic(&self) -> &'static str {
        topics::DATA_BACKBONE_READINESS
    }

    fn evaluate(&self, p: &ReadinessPolicy, i: &ReadinessInput, now: UnixNanos) -> Snapshot {
        let mut checks = vec![match i.validation {
            None => Check::fail("validation", "the store was never validated"),
            Some(s) => {
                Check::new("validation", s, format!("latest validation {s}")).with_value(s.as_str())
            }
        }];
        let latest = latest_per_dimension(&i.runs);
        for d in &p.required_dimensions {
            checks.push(match latest.get(d) {
                None => Check::fail(format!("{d}.ingested"), "never ingested"),
                Some(r) if r.status == Status::Fail => Check::fail(
                    format!("{d}.ingested"),
                    format!("last run {} failed", r.run_id),
                ),
                Some(r) => Check::ok(
                    format!("{d}.ingested"),
                    format!("last run {} {}", r.run_id, r.status),
                ),
            });
        }
        checks.push(match (i.failover_active, p.failover_is_fail) {
            (false, _) => Check::ok("failover", "writing to the primary store"),
            (true, false) => Check::warn("failover", "writing to the fallback store"),
            (true, true) => Check::fail("failover", "writing to the fallback store"),
        });
        let st = if i.pending_backfill_rows > p.max_pending_backfill_rows {
            Status::Warn
        } else {
            Status::Ok
        };
        checks.push(
            Check::new(
                "backfill",
                st,
                format!("{} rows awaiting backfill", i.pending_backfill_rows),
            )
            .with_value(i.pending_backfill_rows)
            .with_threshold(p.max_pending_backfill_rows),
        );
        Snapshot::new(self.topic(), now, checks)
    }
}

/// `telemetry.operational.backups`: the last recorded backup against the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupPolicy {
    pub max_age_hours_warn: u64,
    pub max_age_hours_fail: u64,
    pub min_size_bytes: u64,
    pub require_verified: bool,
}

impl Default for BackupPolicy {
    fn default() -> Self {
        BackupPolicy {
            max_age_hours_warn: 26,
            max_age_hours_fail: 48,
            min_size_bytes: 1,
            require_verified: true,
        }
    }
}

impl BackupPolicy {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.max_age_hours_warn > 0,
            "max_age_hours_warn",
            "must be > 0",
        );
        v.check(
            self.max_age_hours_warn <= self.max_age_hours_fail,
            "max_age_hours_warn",
            format!(
                "must be <= max_age_hours_fail ({}), got {}",
                self.max_age_hours_fail, self.max_age_hours_warn
            ),
        );
        v.into_result()
    }
}

/// A backup as recorded by whoever took it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupRecord {
    pub completed_at: UnixNanos,
    pub size_bytes: u64,
    /// A restore test passed.
    pub verified: bool,
    pub location: String,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct BackupsEvaluator;

impl Evaluator for BackupsEvaluator {
    type Policy = BackupPolicy;
    type Input = Option<BackupRecord>;

    fn topic(&self) -> &'static str {
        topics::OPERATIONAL_BACKUPS
    }

    fn evaluate(&self, p: &BackupPolicy, b: &Option<BackupRecord>, now: UnixNanos) -> Snapshot {
        let Some(b) = b else {
            return Snapshot::new(
                self.topic(),
                now,
                vec![Check::fail("last_backup", "no backup recorded")],
            );
        };
        let age_h = now.saturating_sub(b.completed_at) as f64 / (3_600 * NANOS_PER_SEC) as f64;
        let mut checks = vec![
            Check::new(
                "age",
                grade_high(
                    age_h,
                    p.max_age_hours_warn as f64,
                    p.max_age_hours_fail as f64,
                ),
                format!("last backup {age_h:.1} h ago at {}", b.location),
            )
            .with_value(age_h)
            .with_threshold(p.max_age_hours_warn),
            if b.size_bytes < p.min_size_bytes {
                Check::fail(
                    "size",
                    format!("{} bytes < {}", b.size_bytes, p.min_size_bytes),
                )
            } else {
                Check::ok("size", format!("{} bytes", b.size_bytes))
            }
            .with_value(b.size_bytes),
        ];
        if p.require_verified {
            checks.push(if b.verified {
                Check::ok("verified", "restore test passed")
            } else {
                Check::warn("verified", "not restore-tested")
            });
        }
        Snapshot::new(self.topic(), now, checks).with_metadata("location", b.location.clone())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::evaluators::test_support::{now, run};

    #[test]
    fn retention_boundaries() {
        // ticks target 7 days, fail below 3.5
        for (days_x2, want) in [
            (14, Status::Ok),
            (13, Status::Warn),
            (7, Status::Warn),
            (6, Status::Fail),
        ] {
            let last = now();
            let first = UnixNanos::new(last.as_i64() - days_x2 * DAY_NS / 2);
            let sets = vec![DatasetCoverage {
                dimension: Dimension::Ticks,
                dataset: "quotes/EURUSD".into(),
                first_ts: first,
                last_ts: last,
            }];
            let snap = RetentionEvaluator.evaluate(&RetentionPolicy::default(), &sets, now());
            assert_eq!(
                snap.check("quotes/EURUSD").unwrap().status,
                want,
                "{}",
                days_x2 as f64 / 2.0
            );
        }
        assert_eq!(
            RetentionEvaluator
                .evaluate(&RetentionPolicy::default(), &vec![], now())
                .status(),
            Status::Warn
        );
        let bad = RetentionPolicy {
            targets: RetentionTargets {
                ticks_days: 0,
                ..RetentionTargets::default()
            },
            fail_fraction: 2.0,
        };
        let e = bad.validate().unwrap_err();
        assert!(
            e.contains_path("targets.ticks_days") && e.contains_path("fail_fraction"),
            "{e}"
        );
    }

    #[test]
    fn validation_boundaries() {
        let state = |data: u64, q: u64| StoreState {
            backend: "duckdb".into(),
            error: None,
            schema_version: Some(3),
            data_rows: data,
            quarantine_rows: q,
            ingest_runs: 1,
        };
        // quarantine ratio q/(data+q) against 0.01 / 0.05
        for (data, q, want) in [
            (99, 1, Status::Ok),
            (98, 2, Status::Warn),
            (95, 5, Status::Warn),
            (94, 6, Status::Fail),
        ] {
            let snap =
                ValidationEvaluator.evaluate(&ValidationPolicy::default(), &state(data, q), now());
            assert_eq!(
                snap.check("quarantine_ratio").unwrap().status,
                want,
                "{data}/{q}"
            );
        }
        let down = StoreState {
            error: Some("connection refused".into()),
            ..state(0, 0)
        };
        let snap = ValidationEvaluator.evaluate(&ValidationPolicy::default(), &down, now());
        assert_eq!((snap.status(), snap.checks().len()), (Status::Fail, 1));
        let old = StoreState {
            schema_version: Some(1),
            ..state(1, 0)
        };
        let strict = ValidationPolicy {
            min_schema_version: 2,
            ..ValidationPolicy::default()
        };
        assert_eq!(
            ValidationEvaluator
                .evaluate(&strict, &old, now())
                .check("schema_version")
                .unwrap()
                .status,
            Status::Fail
        );
        let empty = StoreState {
            ingest_runs: 0,
            ..state(0, 0)
        };
        let snap = ValidationEvaluator.evaluate(&ValidationPolicy::default(), &empty, now());
        assert_eq!(
            (
                snap.check("journal").unwrap().status,
                snap.check("data").unwrap().status
            ),
            (Status::Warn, Status::Warn)
        );
        assert!(
            ValidationPolicy {
                quarantine_ratio_warn: 0.1,
                quarantine_ratio_fail: 0.05,
                ..ValidationPolicy::default()
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn readiness_combines_validation_runs_and_failover() {
        let runs = vec![
            run(Dimension::DailyBars, 5, 5, 0),
            run(Dimension::Macro, 5, 5, 0),
        ];
        let ready = ReadinessInput {
            validation: Some(Status::Ok),
            runs: runs.clone(),
            failover_active: false,
            pending_backfill_rows: 0,
        };
        assert_eq!(
            ReadinessEvaluator
                .evaluate(&ReadinessPolicy::default(), &ready, now())
                .status(),
            Status::Ok
        );
        let table = [
            (
                ReadinessInput {
                    failover_active: true,
                    ..ready.clone()
                },
                Status::Warn,
            ),
            (
                ReadinessInput {
                    pending_backfill_rows: 1,
                    ..ready.clone()
                },
                Status::Warn,
            ),
            (
                ReadinessInput {
                    validation: None,
                    ..ready.clone()
                },
                Status::Fail,
            ),
            (
                ReadinessInput {
                    validation: Some(Status::Warn),
                    ..ready.clone()
                },
                Status::Warn,
            ),
            (
                ReadinessInput {
                    runs: vec![runs[0].clone()],
                    ..ready.clone()
                },
                Status::Fail,
            ),
        ];
        for (i, (input, want)) in table.into_iter().enumerate() {
            assert_eq!(
                ReadinessEvaluator
                    .evaluate(&ReadinessPolicy::default(), &input, now())
                    .status(),
                want,
                "case {i}"
            );
        }
        let strict = ReadinessPolicy {
            failover_is_fail: true,
            ..ReadinessPolicy::default()
        };
        let fo = ReadinessInput {
            failover_active: true,
            ..ready
        };
        assert_eq!(
            ReadinessEvaluator.evaluate(&strict, &fo, now()).status(),
            Status::Fail
        );
        let dup = ReadinessPolicy {
            required_dimensions: vec![Dimension::Macro, Dimension::Macro],
            ..ReadinessPolicy::default()
        };
        assert!(
            dup.validate()
                .unwrap_err()
                .contains_path("required_dimensions[1]")
        );
    }

    #[test]
    fn backup_boundaries() {
        let at = |hours_x2: i64, size: u64, verified: bool| {
            Some(BackupRecord {
                completed_at: UnixNanos::new(now().as_i64() - hours_x2 * 1_800 * NANOS_PER_SEC),
                size_bytes: size,
                verified,
                location: "/backups/emp.duckdb".into(),
            })
        };
        for (h2, want) in [
            (52, Status::Ok),
            (53, Status::Warn),
            (96, Status::Warn),
            (97, Status::Fail),
        ] {
            let snap =
                BackupsEvaluator.evaluate(&BackupPolicy::default(), &at(h2, 10, true), now());
            assert_eq!(
                snap.check("age").unwrap().status,
                want,
                "{} h",
                h2 as f64 / 2.0
            );
        }
        assert_eq!(
            BackupsEvaluator
                .evaluate(&BackupPolicy::default(), &at(1, 0, true), now())
                .check("size")
                .unwrap()
                .status,
            Status::Fail
        );
        assert_eq!(
            BackupsEvaluator
                .evaluate(&BackupPolicy::default(), &at(1, 5, false), now())
                .status(),
            Status::Warn
        );
        assert_eq!(
            BackupsEvaluator
                .evaluate(&BackupPolicy::default(), &None, now())
                .status(),
            Status::Fail
        );
        let bad = BackupPolicy {
            max_age_hours_warn: 0,
            max_age_hours_fail: 0,
            ..BackupPolicy::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .contains_path("max_age_hours_warn")
        );
        assert_eq!(json!(BackupPolicy::default())["max_age_hours_fail"], 48);
    }
}
