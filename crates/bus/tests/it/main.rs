//! Integration tests of emp-bus.
#![allow(clippy::unwrap_used)]

mod common;
mod delivery;
mod failover;
mod health;
mod overflow;
mod shutdown;
mod supervisor;
