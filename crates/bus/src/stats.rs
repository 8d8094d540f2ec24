//! Bus statistics: what the health evaluator and the runtime summary read.

use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};

use emp_model::UnixNanos;
use serde::{Deserialize, Serialize};

/// Maximum and average time between publish and dispatcher pick-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchLag {
    /// Largest lag observed, in nanoseconds.
    pub max: i64,
    /// Mean lag over every dispatched event, in nanoseconds.
    pub avg: i64,
}

/// Counters of one subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberStats {
    /// Subscription id.
    pub id: u64,
    /// Subscriber name given at `subscribe`.
    pub name: String,
    /// The filter in pattern form (`telemetry.*` or an exact topic).
    pub filter: String,
    /// Events queued or picked up but not yet handled.
    pub queue_depth: usize,
    /// Events whose handler returned `Ok`.
    pub delivered: u64,
    /// Events evicted by the drop-oldest policy.
    pub dropped: u64,
    /// Events whose handler returned an error or panicked.
    pub handler_errors: u64,
    /// Dispatch lag of this subscriber.
    pub dispatch_lag_ns: DispatchLag,
}

/// A consistent-enough view of the bus (each counter is read atomically; the set is not
/// a transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusStats {
    /// Whether the bus accepts publishes.
    pub running: bool,
    /// When the bus was started.
    pub started_at: Option<UnixNanos>,
    /// Per-subscriber counters, in subscription order.
    pub subscribers: Vec<SubscriberStats>,
    /// Events accepted by `publish`/`try_publish`.
    pub published: u64,
    /// Accepted events that matched no subscriber.
    pub unrouted: u64,
    /// Publishes refused (bus not running, stopped, or queue full on `try_publish`).
    pub refused: u64,
    /// Sum over subscribers (including removed ones) of successful handler calls.
    pub delivered: u64,
    /// Sum over subscribers of drop-oldest evictions.
    pub dropped: u64,
    /// Sum over subscribers of failed or panicked handler calls.
    pub handler_errors: u64,
    /// Clock time of the most recent accepted publish.
    pub last_event_at: Option<UnixNanos>,
    /// Dispatch lag over all subscribers.
    pub dispatch_lag_ns: DispatchLag,
}

impl BusStats {
    /// Total events waiting over all subscribers.
    pub fn total_queue_depth(&self) -> usize {
        self.subscribers.iter().map(|s| s.queue_depth).sum()
    }

    /// The subscriber with the deepest queue, if any.
    pub fn deepest_subscriber(&self) -> Option<&SubscriberStats> {
        self.subscribers.iter().max_by_key(|s| s.queue_depth)
    }
}

/// Counters written by one dispatcher only. Padded to its own cache lines so that the
/// dispatcher's per-event updates do not bounce the line holding the queue mutex that
/// publishers hammer.
#[repr(align(128))]
#[derive(Default)]
pub(crate) struct DispatcherCounters {
    pub(crate) delivered: AtomicU64,
    pub(crate) handler_errors: AtomicU64,
    /// Events taken from the queue in the current batch but not yet handled.
    pub(crate) in_flight: AtomicUsize,
    pub(crate) lag_sum: AtomicI64,
    pub(crate) lag_count: AtomicU64,
    pub(crate) lag_max: AtomicI64,
}

impl DispatcherCounters {
    /// Single-writer increment: a load and a store instead of a locked read-modify-write.
    #[inline]
    pub(crate) fn bump(counter: &AtomicU64, by: u64) {
        counter.store(
            counter.load(Ordering::Relaxed).wrapping_add(by),
            Ordering::Relaxed,
        );
    }

    pub(crate) fn record_lag(&self, sum: i64, count: u64, max: i64) {
        self.lag_sum.store(
            self.lag_sum.load(Ordering::Relaxed).saturating_add(sum),
            Ordering::Relaxed,
        );
        Self::bump(&self.lag_count, count);
        if max > self.lag_max.load(Ordering::Relaxed) {
            self.lag_max.store(max, Ordering::Relaxed);
        }
    }

    pub(crate) fn lag(&self) -> DispatchLag {
        let count = self.lag_count.load(Ordering::Relaxed);
        let sum = self.lag_sum.load(Ordering::Relaxed);
        DispatchLag {
            max: self.lag_max.load(Ordering::Relaxed),
            avg: if count == 0 {
                0
            } else {
                sum / i64::try_from(count).unwrap_or(i64::MAX)
            },
        }
    }
}

/// Totals of removed subscribers, so bus-wide counters never go backwards.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Retired {
    pub(crate) delivered: u64,
    pub(crate) dropped: u64,
    pub(crate) handler_errors: u64,
    pub(crate) lag_sum: i64,
    pub(crate) lag_count: u64,
    pub(crate) lag_max: i64,
}
