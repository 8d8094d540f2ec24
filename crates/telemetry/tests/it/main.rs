//! Integration tests of emp-telemetry: rendering snapshots (insta) and invariants (proptest).
#![allow(clippy::unwrap_used)]

mod invariants;
mod rendering;
