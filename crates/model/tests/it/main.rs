//! Integration tests for emp-model: property tests against independent oracles, and real data.
#![allow(clippy::unwrap_used)]

mod fixed_props;
mod order_props;
mod position_props;
mod real_data;
