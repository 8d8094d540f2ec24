//! Integration tests of emp-risk: one binary, one module per concern.
#![allow(clippy::unwrap_used)]
// NaN-safe comparisons, as in the crate itself.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod common;
mod property;
mod reasons;
mod safety;
mod telemetry;
