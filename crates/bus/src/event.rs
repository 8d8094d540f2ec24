//! What travels on the bus.

use std::sync::Arc;

use emp_model::UnixNanos;
use emp_telemetry::Snapshot;

/// The body of an event. Every variant is reference-counted so that fan-out to many
/// subscribers never copies the payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A telemetry snapshot.
    Snapshot(Arc<Snapshot>),
    /// Arbitrary structured data.
    Json(Arc<serde_json::Value>),
    /// Plain text.
    Text(Arc<str>),
}

/// One published event (a value record).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Routing key, e.g. `telemetry.event_bus.health`.
    pub topic: Arc<str>,
    /// The body.
    pub payload: Payload,
    /// When the bus accepted the event. The bus overwrites the constructor's value with
    /// its injected clock on publish, so dispatch lag is measured on one clock.
    pub published_at: UnixNanos,
}

impl Event {
    /// An event with an explicit topic and payload.
    pub fn new(topic: impl Into<Arc<str>>, payload: Payload, published_at: UnixNanos) -> Self {
        Event {
            topic: topic.into(),
            payload,
            published_at,
        }
    }

    /// A snapshot event; the topic is the snapshot's topic.
    pub fn snapshot(snapshot: Snapshot, now: UnixNanos) -> Self {
        Event::shared_snapshot(Arc::new(snapshot), now)
    }

    /// A snapshot event from an already shared snapshot.
    pub fn shared_snapshot(snapshot: Arc<Snapshot>, now: UnixNanos) -> Self {
        Event {
            topic: Arc::from(snapshot.topic()),
            payload: Payload::Snapshot(snapshot),
            published_at: now,
        }
    }

    /// A JSON event.
    pub fn json(topic: impl Into<Arc<str>>, value: serde_json::Value, now: UnixNanos) -> Self {
        Event::new(topic, Payload::Json(Arc::new(value)), now)
    }

    /// A text event.
    pub fn text(topic: impl Into<Arc<str>>, text: impl Into<Arc<str>>, now: UnixNanos) -> Self {
        Event::new(topic, Payload::Text(text.into()), now)
    }

    /// The snapshot, if this is a snapshot event.
    pub fn as_snapshot(&self) -> Option<&Snapshot> {
        match &self.payload {
            Payload::Snapshot(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_telemetry::Check;

    #[test]
    fn snapshot_event_takes_topic_from_snapshot() {
        let s = Snapshot::new("telemetry.a.b", UnixNanos::new(1), vec![Check::ok("x", "")]);
        let e = Event::snapshot(s.clone(), UnixNanos::new(7));
        assert_eq!(&*e.topic, "telemetry.a.b");
        assert_eq!(e.published_at, UnixNanos::new(7));
        assert_eq!(e.as_snapshot(), Some(&s));
        assert!(
            Event::text("t", "hi", UnixNanos::ZERO)
                .as_snapshot()
                .is_none()
        );
    }
}
