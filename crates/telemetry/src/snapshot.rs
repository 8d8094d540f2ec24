//! The snapshot: the one output type of every evaluator.

use emp_model::UnixNanos;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{Check, Status};

/// A point-in-time report on one topic: its checks, their worst status, and metadata.
///
/// Fields are private so that the invariant "status is the worst of the checks" cannot be
/// broken; the only way to change the checks is through constructors that recompute it.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    topic: String,
    status: Status,
    generated_at: UnixNanos,
    checks: Vec<Check>,
    metadata: Map<String, Value>,
}

impl Snapshot {
    /// A snapshot of `topic` at `generated_at`; its status is the worst of `checks`
    /// (`Ok` when there are none).
    pub fn new(topic: impl Into<String>, generated_at: UnixNanos, checks: Vec<Check>) -> Self {
        let status = Status::worst(checks.iter().map(|c| c.status));
        Snapshot {
            topic: topic.into(),
            status,
            generated_at,
            checks,
            metadata: Map::new(),
        }
    }

    /// Add (or replace) one metadata entry.
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Append a check, updating the status.
    #[must_use]
    pub fn with_check(mut self, check: Check) -> Self {
        self.status = self.status.combine(check.status);
        self.checks.push(check);
        self
    }

    /// Topic name, e.g. `telemetry.event_bus.health`.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Worst status of the checks.
    pub fn status(&self) -> Status {
        self.status
    }

    /// When the evaluator produced this snapshot (its `now` argument).
    pub fn generated_at(&self) -> UnixNanos {
        self.generated_at
    }

    /// The checks, in evaluation order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The check named `name`, if present.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// Free-form metadata (configuration echoes, counters, versions).
    pub fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }

    /// The canonical JSON form:
    /// `{topic, status, generated_at (RFC 3339), generated_at_ns, checks, metadata}`.
    /// Metadata keys are emitted in sorted order whatever map implementation serde_json
    /// was built with, so the output is stable.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("topic".into(), Value::String(self.topic.clone()));
        obj.insert("status".into(), Value::String(self.status.as_str().into()));
        obj.insert(
            "generated_at".into(),
            Value::String(self.generated_at.to_rfc3339()),
        );
        obj.insert(
            "generated_at_ns".into(),
            Value::from(self.generated_at.as_i64()),
        );
        let checks = self.checks.iter().map(check_to_json).collect::<Vec<_>>();
        obj.insert("checks".into(), Value::Array(checks));
        obj.insert("metadata".into(), Value::Object(sorted_map(&self.metadata)));
        Value::Object(obj)
    }

    /// Parse the canonical JSON form (see [`Snapshot::to_json`]).
    pub fn from_json(value: Value) -> crate::Result<Self> {
        Ok(serde_json::from_value(value)?)
    }

    /// Markdown: a heading with topic and status, the generation time, a table of checks
    /// and the metadata as a list.
    pub fn to_markdown(&self) -> String {
        crate::markdown::render(self)
    }
}

fn check_to_json(check: &Check) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), Value::String(check.name.clone()));
    obj.insert("status".into(), Value::String(check.status.as_str().into()));
    if let Some(v) = &check.value {
        obj.insert("value".into(), v.clone());
    }
    if let Some(t) = &check.threshold {
        obj.insert("threshold".into(), t.clone());
    }
    obj.insert("message".into(), Value::String(check.message.clone()));
    Value::Object(obj)
}

pub(crate) fn sorted_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn sorted_map(map: &Map<String, Value>) -> Map<String, Value> {
    sorted_entries(map)
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Wire form; `status` and `generated_at` are redundant and only cross-checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotWire {
    topic: String,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    #[allow(dead_code)] // accepted for readability of stored JSON; the nanos are authoritative
    generated_at: Option<String>,
    generated_at_ns: i64,
    #[serde(default)]
    checks: Vec<Check>,
    #[serde(default)]
    metadata: Map<String, Value>,
}

impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = SnapshotWire::deserialize(deserializer)?;
        let mut snapshot = Snapshot::new(
            wire.topic,
            UnixNanos::new(wire.generated_at_ns),
            wire.checks,
        );
        if let Some(stated) = wire.status {
            // A stored snapshot whose status disagrees with its checks was tampered with or
            // produced by a buggy writer; refuse it rather than silently "fixing" it.
            if stated != snapshot.status {
                return Err(D::Error::custom(format!(
                    "snapshot status `{stated}` disagrees with the worst check status `{}`",
                    snapshot.status
                )));
            }
        }
        snapshot.metadata = wire.metadata;
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Snapshot {
        Snapshot::new(
            "telemetry.test.sample",
            UnixNanos::from_secs(1_398_902_400),
            vec![
                Check::ok("a", "fine"),
                Check::warn("b", "meh").with_value(3).with_threshold(2),
            ],
        )
        .with_metadata("zeta", 1)
        .with_metadata("alpha", "x")
    }

    #[test]
    fn status_is_worst_of_checks() {
        assert_eq!(sample().status(), Status::Warn);
        assert_eq!(
            Snapshot::new("t", UnixNanos::ZERO, vec![]).status(),
            Status::Ok
        );
        let s = sample().with_check(Check::fail("c", "broken"));
        assert_eq!(s.status(), Status::Fail);
        assert_eq!(s.checks().len(), 3);
        assert_eq!(s.check("b").map(|c| c.status), Some(Status::Warn));
        assert!(s.check("missing").is_none());
    }

    #[test]
    fn json_shape() {
        let v = sample().to_json();
        assert_eq!(v["topic"], "telemetry.test.sample");
        assert_eq!(v["status"], "warn");
        assert_eq!(v["generated_at"], "2014-05-01T00:00:00.000Z");
        assert_eq!(v["generated_at_ns"], json!(1_398_902_400_000_000_000_i64));
        assert_eq!(
            v["checks"][0],
            json!({"name": "a", "status": "ok", "message": "fine"})
        );
        let keys: Vec<_> = v["metadata"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["alpha", "zeta"]);
        assert_eq!(serde_json::to_value(sample()).unwrap(), v);
    }

    #[test]
    fn json_round_trip() {
        let s = sample();
        assert_eq!(Snapshot::from_json(s.to_json()).unwrap(), s);
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Snapshot>(&text).unwrap(), s);
    }

    #[test]
    fn deserialize_rejects_inconsistent_status() {
        let mut v = sample().to_json();
        v["status"] = json!("ok");
        assert!(Snapshot::from_json(v).is_err());
    }

    #[test]
    fn deserialize_minimal_and_unknown_fields() {
        let s = Snapshot::from_json(json!({"topic": "t", "generated_at_ns": 5})).unwrap();
        assert_eq!(s.generated_at(), UnixNanos::new(5));
        assert_eq!(s.status(), Status::Ok);
        assert!(
            Snapshot::from_json(json!({"topic": "t", "generated_at_ns": 5, "bogus": 1})).is_err()
        );
        assert!(Snapshot::from_json(json!({"topic": "t"})).is_err());
    }
}
