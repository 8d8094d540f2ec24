//! One named check inside a snapshot.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Status;

/// The outcome of one check: a value record with public fields.
///
/// `value` is what was observed and `threshold` what it was compared against; both are
/// optional JSON so that counts, durations, ratios and lists all fit without a type zoo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Stable machine name, e.g. `backlog` or `dropped_events`.
    pub name: String,
    /// Outcome of the check.
    pub status: Status,
    /// Observed value, if the check measured one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Threshold the value was compared against, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Value>,
    /// Human-readable explanation.
    pub message: String,
}

impl Check {
    /// A check with the given status and no value or threshold.
    pub fn new(name: impl Into<String>, status: Status, message: impl Into<String>) -> Self {
        Check {
            name: name.into(),
            status,
            value: None,
            threshold: None,
            message: message.into(),
        }
    }

    /// A passing check.
    pub fn ok(name: impl Into<String>, message: impl Into<String>) -> Self {
        Check::new(name, Status::Ok, message)
    }

    /// A degraded check.
    pub fn warn(name: impl Into<String>, message: impl Into<String>) -> Self {
        Check::new(name, Status::Warn, message)
    }

    /// A failed check.
    pub fn fail(name: impl Into<String>, message: impl Into<String>) -> Self {
        Check::new(name, Status::Fail, message)
    }

    /// Attach the observed value.
    #[must_use]
    pub fn with_value(mut self, value: impl Into<Value>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Attach the threshold the value was compared against.
    #[must_use]
    pub fn with_threshold(mut self, threshold: impl Into<Value>) -> Self {
        self.threshold = Some(threshold.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn constructors_set_status() {
        assert_eq!(Check::ok("a", "m").status, Status::Ok);
        assert_eq!(Check::warn("a", "m").status, Status::Warn);
        assert_eq!(Check::fail("a", "m").status, Status::Fail);
        assert_eq!(Check::new("a", Status::Warn, "m").status, Status::Warn);
    }

    #[test]
    fn optional_fields_are_omitted_and_round_trip() {
        let bare = Check::ok("latency", "fine");
        assert_eq!(
            serde_json::to_value(&bare).unwrap(),
            json!({"name": "latency", "status": "ok", "message": "fine"})
        );
        let full = Check::warn("backlog", "deep")
            .with_value(120)
            .with_threshold(100);
        let v = serde_json::to_value(&full).unwrap();
        assert_eq!(v["value"], json!(120));
        assert_eq!(v["threshold"], json!(100));
        assert_eq!(serde_json::from_value::<Check>(v).unwrap(), full);
        assert_eq!(
            serde_json::from_value::<Check>(
                json!({"name": "latency", "status": "ok", "message": "fine"})
            )
            .unwrap(),
            bare
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let r = serde_json::from_value::<Check>(
            json!({"name": "x", "status": "ok", "message": "", "extra": 1}),
        );
        assert!(r.is_err());
    }
}
