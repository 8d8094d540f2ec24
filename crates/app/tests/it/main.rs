//! Integration tests of the `emp` binary and its router.
#![allow(clippy::unwrap_used)]

mod backbone;
mod cli;
mod data;
mod harness;
mod paper;
mod router;
mod server;
