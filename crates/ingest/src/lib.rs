//! # emp-ingest — readers for real market and macro data files
//!
//! * **One call per file.** [`open`] picks the format (or detects it: [`Format::detect`]
//!   says which and why), infers the symbol and timeframe from the path, and returns a
//!   streaming [`Reader`]: constant memory, line by line, zip/gzip/tar entries streamed.
//! * **Nothing is dropped silently.** The reader is an iterator of
//!   `Result<Record, RowError>`: a row that does not parse or validate (high < low,
//!   non-positive price, duplicate or out-of-order time) is a [`RowError`] naming the file,
//!   line, column, reason and raw text — the quarantine record — and reading goes on. A file
//!   that cannot be read is an [`Error`]. [`Reader::finish`] returns the [`ReadSummary`].
//! * **Ticks to bars** with [`BarAggregator`], following Lean's convention (bar stamped at
//!   the start of its interval, no fill-forward), which reproduces Lean's own minute bars.
//!
//! Formats (`Format` names as on the command line) and their conventions:
//!
//! | format | input | records | default zone |
//! |---|---|---|---|
//! | `ohlcv-csv` | Yahoo/backtrader/pandas CSV, any column order, ISO, `M/D/YYYY`, `YYYYMMDD` dates | `Bar` (timeframe inferred from the first 32 rows' spacing) | UTC |
//! | `lean` | Lean zips: FX quote bars/ticks, equity trade/quote bars and ticks (× 10,000) | `Bar` by [`PriceSide`], `QuoteTick`, `TradeTick` | OANDA UTC, FXCM UTC−05, US equities New York |
//! | `histdata` | `YYYYMMDD HHMMSSfff,bid,ask,vol` | `QuoteTick` | UTC−05 |
//! | `truefx` | `timestamp,bid,ask` or `PAIR,time,bid,ask` | `QuoteTick` | UTC |
//! | `dukascopy` | delta-encoded JSON (one hour, parsed whole) | `QuoteTick` | UTC |
//! | `fred` | `Date,SERIES…`, `.` = missing | `MacroObservation` per column | UTC |
//! | `treasury-curve` | `Time Period,1month,…` | `MacroObservation` `UST_PAR_1M` … | UTC |
//! | `macro-table` | `year,quarter,…` / `period,…` (`YYYYQn`) | `MacroObservation` `<table>.<column>` | UTC |
//!
//! Prices stay exact decimals (no `f64` on the way); more than 9 decimals (float-printing
//! artifacts) are rounded half-even to 9. Bars and macro series need strictly increasing
//! times; ticks may share a millisecond. Crossed quotes (bid > ask) are kept and counted:
//! FXCM publishes many.
//!
//! ```
//! use emp_ingest::{open, Format, ReadOptions, Record};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("orcl-1995-2014.csv");
//! std::fs::write(&path, "Date,Open,High,Low,Close,Adj Close,Volume\n\
//!     1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200\n\
//!     1995-01-04,2.117284,1.9,2.1,2.12,1.88,1\n\
//!     1995-01-05,2.12,2.15,2.10,2.14,1.90,2\n")?;
//! let mut reader = open(&path, &ReadOptions::default())?;
//! let (mut bars, mut quarantined) = (0, Vec::new());
//! for item in reader.by_ref() {
//!     match item {
//!         Ok(Record::Bar(bar)) => { assert_eq!(bar.instrument.as_str(), "ORCL"); bars += 1 }
//!         Ok(_) => unreachable!(),
//!         Err(row) => quarantined.push(row),
//!     }
//! }
//! let summary = reader.finish()?;
//! assert_eq!(summary.format, Format::OhlcvCsv);
//! assert_eq!((bars, summary.rows), (2, 3));
//! assert_eq!(quarantined[0].line, 3); // high 1.9 < low 2.1
//! # Ok(())
//! # }
//! ```
// Table-driven tests spell their case tuples out inline.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::type_complexity))]

mod aggregate;
mod dec;
mod error;
mod format;
mod options;
mod reader;
mod readers;
mod row;
mod source;
mod time;
mod validate;

pub use aggregate::BarAggregator;
pub use error::{Error, Result, RowError};
pub use format::{Detection, Format};
pub use options::{PriceSide, ReadOptions};
pub use reader::{ReadSummary, Reader, Record, open};
pub use time::{DateOrder, TimeZone};
