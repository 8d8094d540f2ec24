//! Integration tests: every reader on the real files in ../shared/data (row counts and
//! first/last rows as in PROVENANCE.md and the files themselves), quarantine behaviour,
//! format detection, and tick-to-bar aggregation against Lean's own minute bars.
#![allow(clippy::unwrap_used, clippy::type_complexity)]

mod aggregate;
mod common;
mod csv;
mod detect;
mod lean;
mod macros;
mod orchestrate;
mod quarantine;
mod robustness;
mod ticks;
