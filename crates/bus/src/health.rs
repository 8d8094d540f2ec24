//! `telemetry.event_bus.health`: judging [`BusStats`] against thresholds.

use emp_model::{NANOS_PER_SEC, UnixNanos};
use emp_telemetry::{Check, ConfigErrors, Evaluator, Snapshot, Status, Violations, topics};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::BusStats;

/// Thresholds of the bus health evaluator. Each `*_warn`/`*_fail` pair means
/// "value ≥ warn → warn, value ≥ fail → fail".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusHealthPolicy {
    /// Deepest subscriber queue at which to warn.
    pub backlog_warn: u64,
    /// Deepest subscriber queue at which to fail.
    pub backlog_fail: u64,
    /// Dropped events (since start) at which to warn.
    pub dropped_warn: u64,
    /// Dropped events at which to fail.
    pub dropped_fail: u64,
    /// Handler errors (since start) at which to warn.
    pub handler_errors_warn: u64,
    /// Handler errors at which to fail.
    pub handler_errors_fail: u64,
    /// Seconds without any published event (since the last one, or since start) at which
    /// to warn.
    pub stale_warn_secs: u64,
}

impl Default for BusHealthPolicy {
    fn default() -> Self {
        BusHealthPolicy {
            backlog_warn: 100,
            backlog_fail: 500,
            dropped_warn: 1,
            dropped_fail: 5,
            handler_errors_warn: 1,
            handler_errors_fail: 3,
            stale_warn_secs: 300,
        }
    }
}

impl BusHealthPolicy {
    /// Every pair must be ordered (`warn ≤ fail`), warn levels ≥ 1 (0 would always warn)
    /// and the staleness window positive; all violations are reported.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        let pairs = [
            ("backlog", self.backlog_warn, self.backlog_fail),
            ("dropped", self.dropped_warn, self.dropped_fail),
            (
                "handler_errors",
                self.handler_errors_warn,
                self.handler_errors_fail,
            ),
        ];
        for (name, warn, fail) in pairs {
            v.check(
                warn >= 1,
                format!("{name}_warn"),
                format!("must be >= 1, got {warn}"),
            );
            v.check(
                warn <= fail,
                format!("{name}_warn"),
                format!("must be <= {name}_fail ({fail}), got {warn}"),
            );
        }
        v.check(
            self.stale_warn_secs > 0,
            "stale_warn_secs",
            format!("must be > 0, got {}", self.stale_warn_secs),
        );
        v.check(
            i64::try_from(self.stale_warn_secs)
                .is_ok_and(|s| s.checked_mul(NANOS_PER_SEC).is_some()),
            "stale_warn_secs",
            format!("must fit in i64 nanoseconds, got {}", self.stale_warn_secs),
        );
        v.into_result()
    }
}

/// What the bus health evaluator judges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusHealthInput {
    /// Statistics of the bus.
    pub stats: BusStats,
    /// Whether the runtime intends the bus to be running now.
    pub expected_running: bool,
    /// Whether the runtime expects at least one subscriber.
    pub expect_subscribers: bool,
}

/// The `telemetry.event_bus.health` evaluator.
#[derive(Debug, Clone, Copy, Default)]
pub struct BusHealthEvaluator;

fn level(value: u64, warn: u64, fail: u64) -> Status {
    if value >= fail {
        Status::Fail
    } else if value >= warn {
        Status::Warn
    } else {
        Status::Ok
    }
}

fn threshold(warn: u64, fail: u64) -> serde_json::Value {
    json!({"warn": warn, "fail": fail})
}

impl Evaluator for BusHealthEvaluator {
    type Policy = BusHealthPolicy;
    type Input = BusHealthInput;

    fn topic(&self) -> &'static str {
        topics::EVENT_BUS_HEALTH
    }

    fn evaluate(
        &self,
        policy: &BusHealthPolicy,
        input: &BusHealthInput,
        now: UnixNanos,
    ) -> Snapshot {
        let stats = &input.stats;
        let mut checks = Vec::with_capacity(6);

        checks.push(
            match (stats.running, input.expected_running) {
                (true, _) => Check::ok("running", "bus is running"),
                (false, true) => {
                    Check::fail("running", "bus is expected to run but is not running")
                }
                (false, false) => Check::ok("running", "bus is not running (not expected to)"),
            }
            .with_value(stats.running)
            .with_threshold(input.expected_running),
        );

        let (deepest_name, deepest) = stats
            .deepest_subscriber()
            .map_or(("-", 0), |s| (s.name.as_str(), s.queue_depth as u64));
        let status = level(deepest, policy.backlog_warn, policy.backlog_fail);
        checks.push(
            Check::new(
                "backlog",
                status,
                if deepest == 0 {
                    "no queued events".to_owned()
                } else {
                    format!("deepest queue: subscriber `{deepest_name}` holds {deepest} events")
                },
            )
            .with_value(deepest)
            .with_threshold(threshold(policy.backlog_warn, policy.backlog_fail)),
        );

        let status = level(stats.dropped, policy.dropped_warn, policy.dropped_fail);
        checks.push(
            Check::new(
                "dropped_events",
                status,
                format!("{} events dropped by drop-oldest queues", stats.dropped),
            )
            .with_value(stats.dropped)
            .with_threshold(threshold(policy.dropped_warn, policy.dropped_fail)),
        );

        let status = level(
            stats.handler_errors,
            policy.handler_errors_warn,
            policy.handler_errors_fail,
        );
        checks.push(
            Check::new(
                "handler_errors",
                status,
                format!("{} handler calls failed or panicked", stats.handler_errors),
            )
            .with_value(stats.handler_errors)
            .with_threshold(threshold(
                policy.handler_errors_warn,
                policy.handler_errors_fail,
            )),
        );

        checks.push(staleness(policy, stats, now));

        let n = stats.subscribers.len();
        checks.push(
            if n == 0 && input.expect_subscribers {
                Check::warn(
                    "subscribers",
                    "no subscribers although subscribers are expected",
                )
            } else {
                Check::ok("subscribers", format!("{n} subscribers"))
            }
            .with_value(n)
            .with_threshold(if input.expect_subscribers { 1 } else { 0 }),
        );

        Snapshot::new(self.topic(), now, checks)
            .with_metadata("expected_running", input.expected_running)
            .with_metadata("published", stats.published)
            .with_metadata("delivered", stats.delivered)
            .with_metadata("refused", stats.refused)
            .with_metadata("unrouted", stats.unrouted)
            .with_metadata("total_queue_depth", stats.total_queue_depth())
            .with_metadata("dispatch_lag_max_ns", stats.dispatch_lag_ns.max)
            .with_metadata("dispatch_lag_avg_ns", stats.dispatch_lag_ns.avg)
    }
}

fn staleness(policy: &BusHealthPolicy, stats: &BusStats, now: UnixNanos) -> Check {
    let threshold_secs = policy.stale_warn_secs;
    if !stats.running {
        return Check::ok("last_event", "bus not running; staleness not judged")
            .with_threshold(threshold_secs);
    }
    // Measured from the last event, or from start if nothing was ever published, so a
    // bus that never carries traffic is noticed too.
    let (reference, what) = match (stats.last_event_at, stats.started_at) {
        (Some(t), _) => (t, "last event"),
        (None, Some(t)) => (t, "start (no event yet)"),
        (None, None) => {
            return Check::ok("last_event", "no events and no start time")
                .with_threshold(threshold_secs);
        }
    };
    let age_ns = now.as_i64().saturating_sub(reference.as_i64()).max(0);
    let age_secs = age_ns / NANOS_PER_SEC;
    let stale_ns =
        i64::try_from(threshold_secs).map_or(i64::MAX, |s| s.saturating_mul(NANOS_PER_SEC));
    let check = if age_ns >= stale_ns {
        Check::warn(
            "last_event",
            format!("no event for {age_secs} s since {what} (limit {threshold_secs} s)"),
        )
    } else {
        Check::ok("last_event", format!("{age_secs} s since {what}"))
    };
    check.with_value(age_secs).with_threshold(threshold_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_valid() {
        BusHealthPolicy::default().validate().unwrap();
    }

    #[test]
    fn validate_reports_every_violation_with_paths() {
        let p = BusHealthPolicy {
            backlog_warn: 600,
            backlog_fail: 500,
            dropped_warn: 0,
            dropped_fail: 5,
            handler_errors_warn: 4,
            handler_errors_fail: 3,
            stale_warn_secs: 0,
        };
        let errors = p.validate().unwrap_err();
        let text = errors.to_string();
        assert_eq!(errors.len(), 4, "{text}");
        assert!(text.contains("backlog_warn: must be <= backlog_fail (500), got 600"));
        assert!(text.contains("dropped_warn: must be >= 1, got 0"));
        assert!(text.contains("handler_errors_warn: must be <= handler_errors_fail (3), got 4"));
        assert!(text.contains("stale_warn_secs: must be > 0, got 0"));
    }

    #[test]
    fn policy_serde_defaults_and_unknown_fields() {
        let p: BusHealthPolicy = serde_json::from_str(r#"{"backlog_warn": 10}"#).unwrap();
        assert_eq!(p.backlog_warn, 10);
        assert_eq!(p.backlog_fail, 500);
        assert!(serde_json::from_str::<BusHealthPolicy>(r#"{"backlog": 10}"#).is_err());
    }
}
