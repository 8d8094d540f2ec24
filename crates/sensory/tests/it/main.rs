//! Integration tests of emp-sensory: organs on real series from `shared/data`, fusion,
//! determinism and bounds.
#![allow(clippy::unwrap_used)]

mod data;
mod fx;
mod macro_series;
mod properties;
mod sp500;
