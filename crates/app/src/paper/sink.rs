//! Engine events onto the bus.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use emp_bus::{Event, EventBus};
use emp_engine::{EngineEvent, EventSink};
use emp_model::Clock;

/// Topic prefix of engine events: `engine.order_filled`, `engine.intent_rejected`, …
pub(crate) const TOPIC_PREFIX: &str = "engine.";

/// What the sink did, shared by every sink of one paper run.
#[derive(Debug, Default)]
pub(crate) struct SinkStats {
    published: AtomicU64,
    dropped: AtomicU64,
}

impl SinkStats {
    pub(crate) fn published(&self) -> u64 {
        self.published.load(Ordering::Relaxed)
    }
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Publishes each engine event as JSON on `engine.<kind>` with `try_publish`: the engine
/// is synchronous and must never wait for a subscriber. A refusal (a full `block`-class
/// queue, a stopped bus) is counted, and logged once, never retried in the loop.
pub(crate) struct BusSink {
    bus: EventBus,
    clock: Arc<dyn Clock>,
    stats: Arc<SinkStats>,
}

impl BusSink {
    pub(crate) fn new(bus: EventBus, clock: Arc<dyn Clock>, stats: Arc<SinkStats>) -> Self {
        BusSink { bus, clock, stats }
    }
}

impl EventSink for BusSink {
    fn on_event(&mut self, event: &EngineEvent) {
        let body = serde_json::to_value(event).unwrap_or(serde_json::Value::Null);
        let topic = format!("{TOPIC_PREFIX}{}", event.kind());
        match self
            .bus
            .try_publish(Event::json(topic, body, self.clock.now()))
        {
            Ok(()) => {
                self.stats.published.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                if self.stats.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                    tracing::warn!(error = %e, kind = event.kind(), "engine event not published on the bus (counted; further drops are only counted)");
                }
            }
        }
    }
}
