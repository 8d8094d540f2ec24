//! Integration tests of emp-store: one suite run against every backend.
//!
//! PostgreSQL tests need `EMP_TEST_PG_URL` (see `scripts/setup-services.sh`); each creates its
//! own database so they run in parallel.
#![allow(clippy::unwrap_used)]

mod common;
mod crash;
mod props;
mod real_data;
mod suite;
