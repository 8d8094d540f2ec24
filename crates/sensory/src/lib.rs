//! # emp-sensory — the sensory cortex
//!
//! Five organs watch one instrument, each answering one question with a
//! [`DimensionReading`] `{dimension, signal ∈ [−1, 1], confidence ∈ [0, 1], state, inputs, note}`:
//!
//! | organ | question | inputs |
//! |---|---|---|
//! | WHAT | what is price doing? breakout, trend, candle | bars (or bars built from quotes) |
//! | HOW | who is trading and how easily? flow, spread | trades, quotes, else bar volume |
//! | WHEN | is this a good time? sessions, weekday, events | the clock, an event calendar |
//! | WHY | what is the macro backdrop? curve, credit, rates, surprises | macro series and events |
//! | ANOMALY | is this normal? z-scores of return, range, volume | bars |
//!
//! Key ideas:
//!
//! * **Never invent data.** An organ without usable inputs reports confidence 0 and says why
//!   in `note`; it is then ignored by fusion. Everything is deterministic: no wall clock, no
//!   randomness, time arrives as an argument.
//! * **Incremental and allocation-free.** The [`Cortex`] owns the organs' rolling windows,
//!   sized once from [`SensoryConfig`]; `on_quote`/`on_trade`/`on_bar`/`on_macro` update them in
//!   O(1) or O(window), and [`Cortex::read`] returns a `Copy` [`SensoryReading`].
//! * **Confidence-weighted fusion with an audit trail.** WHAT, HOW, WHY and ANOMALY vote with
//!   weight × confidence; WHEN scales the fused confidence (a closed market lowers trust, it
//!   does not flip direction). Each read is recorded in an [`AuditTrail`] with every
//!   dimension's contribution; [`Cortex::snapshot`] and [`Cortex::drift`] turn it into the
//!   `telemetry.sensory.snapshot` and `telemetry.sensory.drift` snapshots.
//!
//! Each organ's module documents its formula: see [`fuse`] for fusion.
//!
//! ```
//! use emp_model::*;
//! use emp_sensory::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut cortex = Cortex::try_new(SensoryConfig::default())?;
//! let eurusd = InstrumentId::try_new("EURUSD")?;
//! // Tuesday 2014-05-06 from 12:00 UTC: a steady climb, one bar a minute.
//! let start = UnixNanos::from_civil(2014, 5, 6, 12, 0, 0, 0)?.as_i64();
//! for i in 0..30 {
//!     let close = 1.3900 + 0.0002 * i as f64;
//!     let bar = Bar::try_new(
//!         eurusd.clone(), Timeframe::M1, UnixNanos::new(start + i * 60_000_000_000),
//!         Price::from_f64(close - 0.0001, 5)?, Price::from_f64(close, 5)?,
//!         Price::from_f64(close - 0.0002, 5)?, Price::from_f64(close, 5)?,
//!         Quantity::from_int(100),
//!     )?;
//!     cortex.on_bar(&bar);
//! }
//! let now = UnixNanos::from_civil(2014, 5, 6, 13, 0, 0, 0)?;
//! let reading = cortex.read(now);
//! assert!(reading.get(Dimension::What).signal > 0.5);         // uptrend, breaking out
//! assert_eq!(reading.get(Dimension::Why).confidence, 0.0);    // no macro data loaded…
//! assert!(reading.get(Dimension::Why).note.starts_with("no")); // …and it says so
//! assert!(reading.fused.signal > 0.0 && reading.fused.signal <= 1.0);
//!
//! let snapshot = cortex.snapshot(now);
//! assert_eq!(snapshot.topic(), "telemetry.sensory.snapshot");
//! assert_eq!(cortex.audit().len(), 1);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod anomaly;
mod bar;
mod config;
mod cortex;
mod error;
mod fusion;
mod how;
mod reading;
mod rolling;
mod telemetry;
mod what;
mod when;
mod why;

pub use config::{
    AnomalyConfig, CurrencyExposure, DriftConfig, FusionConfig, HowConfig, ImportanceWeights,
    SensoryConfig, WhatConfig, WhenConfig, WhyConfig, WhySeries,
};
pub use cortex::Cortex;
pub use error::{Error, Result};
pub use fusion::{AuditEntry, AuditTrail, fuse};
pub use reading::{Dimension, DimensionReading, FusedSignal, Inputs, OrganState, SensoryReading};
pub use telemetry::{DriftEvaluator, SnapshotEvaluator, drift_snapshot, sensory_snapshot};
pub use why::CurveRegime;
