//! Publishing that never loses a snapshot silently (DESIGN §3).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use emp_model::Clock;
use emp_telemetry::{Snapshot, SnapshotSink};
use serde::Serialize;

use crate::{Error, Event, EventBus, Result};

/// Where a snapshot ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishOutcome {
    /// Accepted by the runtime bus.
    Bus,
    /// The bus refused; written to the fallback sink (a failover, counted and logged).
    Fallback,
}

/// Sends snapshots to the runtime bus and, when the bus is stopped or refuses, to a
/// fallback [`SnapshotSink`] (the journal). Only when both fail does `publish` return an
/// error, [`Error::PublishFailed`], carrying both causes.
///
/// The bus is tried with `try_publish`: a full `Block`-class queue counts as a refusal,
/// so a stuck consumer diverts snapshots to the journal instead of stalling the caller.
#[derive(Clone)]
pub struct FailoverPublisher {
    bus: EventBus,
    fallback: Arc<dyn SnapshotSink>,
    clock: Arc<dyn Clock>,
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    failovers: AtomicU64,
    failures: AtomicU64,
}

impl std::fmt::Debug for FailoverPublisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailoverPublisher")
            .field("failovers", &self.failover_count())
            .field("failures", &self.failure_count())
            .finish_non_exhaustive()
    }
}

impl FailoverPublisher {
    /// A publisher in front of `bus` with `fallback` as the second route.
    pub fn new(bus: EventBus, fallback: Arc<dyn SnapshotSink>, clock: Arc<dyn Clock>) -> Self {
        FailoverPublisher {
            bus,
            fallback,
            clock,
            counters: Arc::default(),
        }
    }

    /// Publish `snapshot` on its topic.
    pub async fn publish(&self, snapshot: Snapshot) -> Result<PublishOutcome> {
        let snapshot = Arc::new(snapshot);
        let event = Event::shared_snapshot(snapshot.clone(), self.clock.now());
        let bus_error = match self.bus.try_publish(event) {
            Ok(()) => return Ok(PublishOutcome::Bus),
            Err(e) => e,
        };
        let n = self.counters.failovers.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::warn!(
            topic = snapshot.topic(),
            error = %bus_error,
            failovers = n,
            "event bus refused snapshot; writing it to the fallback sink"
        );
        match self.fallback.write(&snapshot) {
            Ok(()) => Ok(PublishOutcome::Fallback),
            Err(fallback) => {
                self.counters.failures.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    topic = snapshot.topic(),
                    bus_error = %bus_error,
                    fallback_error = %fallback,
                    "snapshot lost: bus and fallback sink both failed"
                );
                Err(Error::PublishFailed {
                    bus: Box::new(bus_error),
                    fallback,
                })
            }
        }
    }

    /// Snapshots diverted to the fallback (whether or not the fallback then succeeded).
    pub fn failover_count(&self) -> u64 {
        self.counters.failovers.load(Ordering::Relaxed)
    }

    /// Snapshots that neither route accepted.
    pub fn failure_count(&self) -> u64 {
        self.counters.failures.load(Ordering::Relaxed)
    }
}
