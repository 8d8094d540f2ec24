//! Which topics a subscriber receives.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// Identifies one subscription (for `unsubscribe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SubscriptionId(pub(crate) u64);

impl SubscriptionId {
    /// The numeric id (unique per bus, increasing in subscription order).
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// A topic filter: one exact topic, or every topic starting with a prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subscription {
    /// Exactly this topic.
    Exact(Arc<str>),
    /// Every topic starting with this prefix (the empty prefix matches everything).
    Prefix(Arc<str>),
}

impl Subscription {
    /// Exactly `topic`.
    pub fn exact(topic: impl Into<Arc<str>>) -> Self {
        Subscription::Exact(topic.into())
    }

    /// Every topic starting with `prefix`, e.g. `telemetry.`.
    pub fn prefix(prefix: impl Into<Arc<str>>) -> Self {
        Subscription::Prefix(prefix.into())
    }

    /// Every topic.
    pub fn all() -> Self {
        Subscription::Prefix(Arc::from(""))
    }

    /// Parse a pattern: a trailing `*` means prefix (`telemetry.*` → prefix `telemetry.`,
    /// `*` → everything), anything else is an exact topic.
    pub fn pattern(pattern: &str) -> Self {
        match pattern.strip_suffix('*') {
            Some(prefix) => Subscription::prefix(prefix),
            None => Subscription::exact(pattern),
        }
    }

    /// Does `topic` pass this filter?
    #[inline]
    pub fn matches(&self, topic: &str) -> bool {
        match self {
            Subscription::Exact(t) => **t == *topic,
            Subscription::Prefix(p) => topic.starts_with(&**p),
        }
    }
}

impl fmt::Display for Subscription {
    /// The pattern form accepted by [`Subscription::pattern`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subscription::Exact(t) => f.write_str(t),
            Subscription::Prefix(p) => write!(f, "{p}*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_vs_prefix() {
        let exact = Subscription::exact("telemetry.event_bus.health");
        let prefix = Subscription::prefix("telemetry.");
        let all = Subscription::all();
        let cases = [
            ("telemetry.event_bus.health", true, true),
            ("telemetry.event_bus.health.extra", false, true),
            ("telemetry.risk.posture", false, true),
            ("telemetry", false, false),
            ("orders.new", false, false),
            ("", false, false),
        ];
        for (topic, e, p) in cases {
            assert_eq!(exact.matches(topic), e, "exact {topic}");
            assert_eq!(prefix.matches(topic), p, "prefix {topic}");
            assert!(all.matches(topic));
        }
    }

    #[test]
    fn patterns_round_trip_through_display() {
        for (pattern, expected) in [
            ("telemetry.*", Subscription::prefix("telemetry.")),
            ("*", Subscription::all()),
            ("orders.new", Subscription::exact("orders.new")),
        ] {
            let s = Subscription::pattern(pattern);
            assert_eq!(s, expected);
            assert_eq!(s.to_string(), pattern);
        }
    }
}
