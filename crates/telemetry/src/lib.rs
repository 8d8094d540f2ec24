//! Typed telemetry for EMP.
//!
//! Three concepts:
//!
//! * A [`Snapshot`] reports on one *topic* (`telemetry.<area>.<name>`, catalogued in
//!   [`topics`]) at one instant: a list of [`Check`]s, each with a [`Status`]
//!   (`ok < warn < fail`), an optional observed value and threshold, and a message. The
//!   snapshot's status is always the worst of its checks. It renders itself as JSON
//!   ([`Snapshot::to_json`]) and Markdown ([`Snapshot::to_markdown`]).
//! * An [`Evaluator`] is a pure function `(policy, input, now) -> Snapshot`. An evaluator is
//!   its thresholds, not boilerplate: no I/O, no clock, so it is table-testable.
//! * Policies are validated with [`Violations`], which collects *every* violation with its
//!   field path into [`ConfigErrors`].
//!
//! ```
//! use emp_model::UnixNanos;
//! use emp_telemetry::{Check, Evaluator, Snapshot, Status, Violations, ConfigErrors};
//!
//! struct QueuePolicy { warn: u64, fail: u64 }
//!
//! impl QueuePolicy {
//!     fn validate(&self) -> Result<(), ConfigErrors> {
//!         let mut v = Violations::new();
//!         v.check(self.warn <= self.fail, "warn", format!("must be <= fail ({}), got {}", self.fail, self.warn));
//!         v.into_result()
//!     }
//! }
//!
//! struct QueueEvaluator;
//!
//! impl Evaluator for QueueEvaluator {
//!     type Policy = QueuePolicy;
//!     type Input = u64;
//!     fn topic(&self) -> &'static str { "telemetry.example.queue" }
//!     fn evaluate(&self, policy: &QueuePolicy, depth: &u64, now: UnixNanos) -> Snapshot {
//!         let status = if *depth >= policy.fail { Status::Fail }
//!             else if *depth >= policy.warn { Status::Warn } else { Status::Ok };
//!         let check = Check::new("depth", status, format!("{depth} queued"))
//!             .with_value(*depth)
//!             .with_threshold(policy.warn);
//!         Snapshot::new(self.topic(), now, vec![check]).with_metadata("unit", "events")
//!     }
//! }
//!
//! let policy = QueuePolicy { warn: 10, fail: 20 };
//! policy.validate().unwrap();
//! let snap = QueueEvaluator.evaluate(&policy, &12, UnixNanos::from_secs(0));
//! assert_eq!(snap.status(), Status::Warn);
//! assert_eq!(snap.to_json()["checks"][0]["value"], 12);
//! assert!(snap.to_markdown().starts_with("## telemetry.example.queue — WARN"));
//! assert!(QueuePolicy { warn: 5, fail: 1 }.validate().is_err());
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod check;
mod error;
mod evaluator;
mod markdown;
mod policy;
mod snapshot;
mod status;
pub mod topics;

pub use crate::check::Check;
pub use crate::error::{Error, Result};
pub use crate::evaluator::{Evaluator, MemorySink, SinkError, SnapshotSink};
pub use crate::policy::{ConfigError, ConfigErrors, Violations};
pub use crate::snapshot::Snapshot;
pub use crate::status::Status;
