//! Integration tests of emp-engine.
#![allow(clippy::unwrap_used)]
// Only the counting allocator of `alloc_free` needs unsafe (forwarding to `System`).
#![allow(unsafe_code)]

#[global_allocator]
static ALLOCATOR: alloc_free::Counting = alloc_free::Counting;

mod alloc_free;
mod common;
mod control;
mod reference;
mod scenarios;
mod strategies;
