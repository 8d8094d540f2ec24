//! Telemetry: `telemetry.sensory.snapshot` and `telemetry.sensory.drift`.
//!
//! Both are pure functions of their inputs and `now`; the caller publishes the snapshot.
//!
//! * **snapshot**: one check per dimension (named `what`, `how`, …; value = signal) whose
//!   status maps the organ state `ok → ok`, `warn → warn`, `alert → fail`; an organ with
//!   confidence 0 is `warn` (it is blind). A `fused` check carries the fused signal.
//! * **drift**: for each dimension, the mean of its signal over the previous
//!   `drift.window` audit entries in which it had confidence > 0, against the latest signal:
//!   `drift = |latest − mean|`; `warn` at `drift.warn` (0.25), `fail` at `drift.alert` (0.5).
//!   With fewer than `drift.min_samples` earlier entries the check is `ok` and says so.

use emp_model::UnixNanos;
use emp_telemetry::{Check, Evaluator, Snapshot, Status, topics};

use crate::config::DriftConfig;
use crate::fusion::AuditTrail;
use crate::reading::{Dimension, OrganState, SensoryReading};

/// Builds the `telemetry.sensory.snapshot` snapshot for one reading.
pub fn sensory_snapshot(reading: &SensoryReading, generated_at: UnixNanos) -> Snapshot {
    let mut checks = Vec::with_capacity(6);
    for d in &reading.dimensions {
        let status = if d.confidence <= 0.0 {
            Status::Warn
        } else {
            match d.state {
                OrganState::Ok => Status::Ok,
                OrganState::Warn => Status::Warn,
                OrganState::Alert => Status::Fail,
            }
        };
        let msg = format!(
            "signal {:+.3}, confidence {:.3}, state {}, inputs {}: {}",
            d.signal, d.confidence, d.state, d.inputs, d.note
        );
        checks.push(Check::new(d.dimension.as_str(), status, msg).with_value(d.signal));
    }
    checks.push(
        Check::ok(
            "fused",
            format!(
                "signal {:+.3}, confidence {:.3}",
                reading.fused.signal, reading.fused.confidence
            ),
        )
        .with_value(reading.fused.signal),
    );
    let mut snap = Snapshot::new(topics::SENSORY_SNAPSHOT, generated_at, checks)
        .with_metadata("reading_ts", reading.ts.to_rfc3339())
        .with_metadata("fused_confidence", reading.fused.confidence);
    for d in &reading.dimensions {
        snap = snap.with_metadata(format!("{}_confidence", d.dimension), d.confidence);
    }
    snap
}

/// Builds the `telemetry.sensory.drift` snapshot from an audit trail.
pub fn drift_snapshot(
    config: &DriftConfig,
    trail: &AuditTrail,
    generated_at: UnixNanos,
) -> Snapshot {
    let Some(latest) = trail.latest() else {
        return Snapshot::new(
            topics::SENSORY_DRIFT,
            generated_at,
            vec![Check::ok("readings", "no readings yet")],
        );
    };
    let mut checks = Vec::with_capacity(5);
    for d in Dimension::ALL {
        let i = d.index();
        let (mut sum, mut n) = (0.0, 0usize);
        for e in trail.iter().rev().skip(1).take(config.window) {
            if e.confidences[i] > 0.0 {
                sum += e.signals[i];
                n += 1;
            }
        }
        let check = if latest.confidences[i] <= 0.0 {
            Check::ok(
                d.as_str(),
                "no confidence in the latest reading; drift not judged",
            )
        } else if n < config.min_samples {
            Check::ok(
                d.as_str(),
                format!(
                    "{n} of {} readings needed; drift not judged",
                    config.min_samples
                ),
            )
        } else {
            let mean = sum / n as f64;
            let drift = (latest.signals[i] - mean).abs();
            let status = if drift >= config.alert {
                Status::Fail
            } else if drift >= config.warn {
                Status::Warn
            } else {
                Status::Ok
            };
            Check::new(
                d.as_str(),
                status,
                format!(
                    "signal {:+.3} vs rolling mean {:+.3} over {n} readings: drift {drift:.3}",
                    latest.signals[i], mean
                ),
            )
            .with_value(drift)
            .with_threshold(if status == Status::Fail {
                config.alert
            } else {
                config.warn
            })
        };
        checks.push(check);
    }
    Snapshot::new(topics::SENSORY_DRIFT, generated_at, checks)
        .with_metadata("window", config.window as u64)
        .with_metadata("trail_len", trail.len() as u64)
}

/// [`Evaluator`] for `telemetry.sensory.snapshot` (no policy).
#[derive(Debug, Clone, Copy, Default)]
pub struct SnapshotEvaluator;

impl Evaluator for SnapshotEvaluator {
    type Policy = ();
    type Input = SensoryReading;

    fn topic(&self) -> &'static str {
        topics::SENSORY_SNAPSHOT
    }

    fn evaluate(&self, _policy: &(), input: &SensoryReading, now: UnixNanos) -> Snapshot {
        sensory_snapshot(input, now)
    }
}

/// [`Evaluator`] for `telemetry.sensory.drift`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DriftEvaluator;

impl Evaluator for DriftEvaluator {
    type Policy = DriftConfig;
    type Input = AuditTrail;

    fn topic(&self) -> &'static str {
        topics::SENSORY_DRIFT
    }

    fn evaluate(&self, policy: &DriftConfig, input: &AuditTrail, now: UnixNanos) -> Snapshot {
        drift_snapshot(policy, input, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fusion::AuditEntry;
    use crate::reading::FusedSignal;

    fn entry(what: f64) -> AuditEntry {
        AuditEntry {
            ts: UnixNanos::ZERO,
            fused: FusedSignal::default(),
            signals: [what, 0.1, 0.0, 0.0, 0.0],
            confidences: [1.0, 1.0, 1.0, 0.0, 1.0],
            contributions: [0.0; 5],
            timing_gate: 1.0,
        }
    }

    fn drift_of(latest_what: f64) -> Snapshot {
        let cfg = DriftConfig {
            window: 10,
            min_samples: 5,
            ..DriftConfig::default()
        };
        let mut t = AuditTrail::new(20);
        for _ in 0..10 {
            t.push(entry(0.1));
        }
        t.push(entry(latest_what));
        drift_snapshot(&cfg, &t, UnixNanos::ZERO)
    }

    #[test]
    fn drift_thresholds() {
        // mean 0.1: |0.3 − 0.1| = 0.2 ok; 0.35 → 0.25 warn; 0.6 → 0.5 fail; −0.45 → 0.55 fail.
        let status = |x: f64| drift_of(x).check("what").unwrap().status;
        assert_eq!(status(0.3), Status::Ok);
        assert_eq!(status(0.35), Status::Warn);
        assert_eq!(status(0.6), Status::Fail);
        assert_eq!(status(-0.45), Status::Fail);
        let s = drift_of(0.6);
        assert_eq!(s.topic(), "telemetry.sensory.drift");
        assert_eq!(s.status(), Status::Fail);
        // WHY had confidence 0 throughout: not judged.
        assert_eq!(s.check("why").unwrap().status, Status::Ok);
        assert!(s.check("why").unwrap().message.contains("not judged"));
    }

    #[test]
    fn too_little_history_is_not_judged() {
        let mut t = AuditTrail::new(5);
        t.push(entry(0.0));
        t.push(entry(1.0));
        let s = drift_snapshot(&DriftConfig::default(), &t, UnixNanos::ZERO);
        assert_eq!(s.status(), Status::Ok);
        assert!(s.check("what").unwrap().message.contains("1 of 10"));
    }
}
