//! Evaluators produce snapshots; sinks persist them.

use emp_model::UnixNanos;

use crate::Snapshot;

/// A telemetry feature: a pure function `(policy, input, now) -> Snapshot`.
///
/// Implementations must not do I/O or read a clock: everything they look at arrives in
/// `input`, their thresholds in `policy`, and the time in `now`. That makes every
/// evaluator table-testable and replayable.
pub trait Evaluator {
    /// Typed, validated thresholds.
    type Policy;
    /// The observations to judge.
    type Input;

    /// The topic of the produced snapshots (a [`crate::topics`] constant).
    fn topic(&self) -> &'static str;

    /// Judge `input` against `policy` at time `now`.
    fn evaluate(&self, policy: &Self::Policy, input: &Self::Input, now: UnixNanos) -> Snapshot;
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a [`SnapshotSink`] could not persist a snapshot. Keeps the underlying error as its
/// source (boxed, so that sinks of any backend can report through one type).
#[derive(Debug, thiserror::Error)]
#[error("snapshot sink failed: {context}")]
pub struct SinkError {
    context: String,
    #[source]
    source: Option<BoxError>,
}

impl SinkError {
    /// A failure caused by `source`, described by `context` (e.g. `insert into telemetry.snapshots`).
    pub fn new(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        SinkError {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// A failure with no underlying error (e.g. "sink closed").
    pub fn msg(context: impl Into<String>) -> Self {
        SinkError {
            context: context.into(),
            source: None,
        }
    }

    /// The description given at construction.
    pub fn context(&self) -> &str {
        &self.context
    }
}

/// Durable destination for snapshots (the journal; also the failover publisher's fallback).
pub trait SnapshotSink: Send + Sync {
    /// Persist `snapshot`.
    fn write(&self, snapshot: &Snapshot) -> Result<(), SinkError>;
}

/// An in-memory sink: keeps every snapshot written. Useful in tests and as a last-resort
/// fallback; [`MemorySink::set_failing`] makes it refuse writes to exercise error paths.
#[derive(Debug, Default)]
pub struct MemorySink {
    snapshots: parking_lot::Mutex<Vec<Snapshot>>,
    failing: std::sync::atomic::AtomicBool,
}

impl MemorySink {
    /// An empty, working sink.
    pub fn new() -> Self {
        MemorySink::default()
    }

    /// Make subsequent writes fail (`true`) or succeed (`false`).
    pub fn set_failing(&self, failing: bool) {
        self.failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }

    /// Copies of everything written so far, in write order.
    pub fn snapshots(&self) -> Vec<Snapshot> {
        self.snapshots.lock().clone()
    }

    /// Number of snapshots written.
    pub fn len(&self) -> usize {
        self.snapshots.lock().len()
    }

    /// `true` if nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.snapshots.lock().is_empty()
    }
}

impl SnapshotSink for MemorySink {
    fn write(&self, snapshot: &Snapshot) -> Result<(), SinkError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(SinkError::msg("memory sink set to fail"));
        }
        self.snapshots.lock().push(snapshot.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Check, Status};
    use std::error::Error as _;

    #[test]
    fn memory_sink_records_and_fails_on_demand() {
        let sink = MemorySink::new();
        let s = Snapshot::new("t", UnixNanos::ZERO, vec![Check::ok("a", "")]);
        assert!(sink.is_empty());
        sink.write(&s).unwrap();
        sink.set_failing(true);
        let err = sink.write(&s).unwrap_err();
        assert!(err.to_string().contains("memory sink set to fail"));
        sink.set_failing(false);
        sink.write(&s).unwrap();
        assert_eq!(sink.len(), 2);
        assert_eq!(sink.snapshots()[0].status(), Status::Ok);
    }

    #[test]
    fn sink_error_keeps_source() {
        let io = std::io::Error::other("disk full");
        let err = SinkError::new("insert snapshot", io);
        assert_eq!(err.context(), "insert snapshot");
        assert_eq!(
            err.source().map(|s| s.to_string()).as_deref(),
            Some("disk full")
        );
        assert!(SinkError::msg("closed").source().is_none());
    }
}
