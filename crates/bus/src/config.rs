//! Bus configuration: queue capacity and the overflow policy of each topic class.

use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

/// What a full subscriber queue does with a new event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverflowPolicy {
    /// The publisher waits for room (`publish`) or is refused (`try_publish`). Nothing
    /// is ever lost: for orders, fills and anything that must not drop.
    Block,
    /// The oldest droppable queued event is evicted (and counted) to make room: for
    /// telemetry and market data, where the newest value is what matters.
    DropOldest,
}

/// Overflow policy for the topics starting with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverflowRule {
    /// Topic prefix, e.g. `telemetry.`; the longest matching prefix wins.
    pub prefix: String,
    /// Policy for those topics.
    pub policy: OverflowPolicy,
}

/// Largest accepted per-subscriber queue capacity.
pub const MAX_QUEUE_CAPACITY: usize = 1 << 20;

/// Event bus configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    /// Capacity of each subscriber's queue (events waiting for its dispatcher).
    pub queue_capacity: usize,
    /// Policy for topics no rule matches. `block`, so that unknown topics are never lost.
    pub default_overflow: OverflowPolicy,
    /// Policies per topic class.
    pub overflow: Vec<OverflowRule>,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            queue_capacity: 1024,
            default_overflow: OverflowPolicy::Block,
            overflow: vec![
                OverflowRule {
                    prefix: emp_telemetry::topics::PREFIX.to_owned(),
                    policy: OverflowPolicy::DropOldest,
                },
                OverflowRule {
                    prefix: "market_data.".to_owned(),
                    policy: OverflowPolicy::DropOldest,
                },
            ],
        }
    }
}

impl BusConfig {
    /// Check every rule; report all violations at once.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            (1..=MAX_QUEUE_CAPACITY).contains(&self.queue_capacity),
            "queue_capacity",
            format!(
                "must be in 1..={MAX_QUEUE_CAPACITY}, got {}",
                self.queue_capacity
            ),
        );
        for (i, rule) in self.overflow.iter().enumerate() {
            v.check(
                !rule.prefix.is_empty(),
                format!("overflow[{i}].prefix"),
                "must not be empty",
            );
            let first = self.overflow.iter().position(|r| r.prefix == rule.prefix);
            if let Some(first) = first.filter(|&f| f != i) {
                v.push(
                    format!("overflow[{i}].prefix"),
                    format!("duplicates overflow[{first}].prefix `{}`", rule.prefix),
                );
            }
        }
        v.into_result()
    }

    /// The policy for `topic`: the rule with the longest matching prefix, else the default.
    pub fn policy_for(&self, topic: &str) -> OverflowPolicy {
        self.overflow
            .iter()
            .filter(|r| topic.starts_with(&r.prefix))
            .max_by_key(|r| r.prefix.len())
            .map_or(self.default_overflow, |r| r.policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_classify_topics() {
        let c = BusConfig::default();
        c.validate().unwrap();
        let cases = [
            ("telemetry.event_bus.health", OverflowPolicy::DropOldest),
            ("market_data.bars.EURUSD", OverflowPolicy::DropOldest),
            ("orders.submitted", OverflowPolicy::Block),
            ("fills", OverflowPolicy::Block),
            ("telemetry", OverflowPolicy::Block),
        ];
        for (topic, policy) in cases {
            assert_eq!(c.policy_for(topic), policy, "{topic}");
        }
    }

    #[test]
    fn longest_prefix_wins() {
        let mut c = BusConfig::default();
        c.overflow.push(OverflowRule {
            prefix: "telemetry.risk.".into(),
            policy: OverflowPolicy::Block,
        });
        assert_eq!(
            c.policy_for("telemetry.risk.posture"),
            OverflowPolicy::Block
        );
        assert_eq!(
            c.policy_for("telemetry.ingest.health"),
            OverflowPolicy::DropOldest
        );
    }

    #[test]
    fn validate_reports_every_violation() {
        let c = BusConfig {
            queue_capacity: 0,
            default_overflow: OverflowPolicy::Block,
            overflow: vec![
                OverflowRule {
                    prefix: String::new(),
                    policy: OverflowPolicy::Block,
                },
                OverflowRule {
                    prefix: "a.".into(),
                    policy: OverflowPolicy::Block,
                },
                OverflowRule {
                    prefix: "a.".into(),
                    policy: OverflowPolicy::DropOldest,
                },
            ],
        };
        let errors = c.validate().unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["queue_capacity", "overflow[0].prefix", "overflow[2].prefix"]
        );
        assert!(
            errors
                .to_string()
                .contains("queue_capacity: must be in 1..=1048576, got 0")
        );
        let too_big = BusConfig {
            queue_capacity: MAX_QUEUE_CAPACITY + 1,
            ..BusConfig::default()
        };
        assert!(too_big.validate().is_err());
    }

    #[test]
    fn serde_defaults_and_unknown_fields() {
        let c: BusConfig = serde_json::from_str(r#"{"queue_capacity": 8}"#).unwrap();
        assert_eq!(c.queue_capacity, 8);
        assert_eq!(c.overflow, BusConfig::default().overflow);
        let c: BusConfig = serde_json::from_str(
            r#"{"default_overflow": "drop_oldest", "overflow": [{"prefix": "orders.", "policy": "block"}]}"#,
        )
        .unwrap();
        assert_eq!(c.policy_for("x"), OverflowPolicy::DropOldest);
        assert_eq!(c.policy_for("orders.new"), OverflowPolicy::Block);
        assert!(serde_json::from_str::<BusConfig>(r#"{"capacity": 8}"#).is_err());
    }
}
