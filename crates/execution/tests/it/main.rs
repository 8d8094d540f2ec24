//! Integration tests of emp-execution: hand-worked fills, brackets, retries,
//! reconciliation, FX accounting, properties and determinism.
#![allow(clippy::unwrap_used)]

mod common;
mod determinism;
mod fills;
mod manager;
mod portfolio_props;
mod scenarios;
mod venue_props;
