//! # emp-model — the vocabulary every EMP crate speaks
//!
//! No I/O, no async, no wall clock (except [`SystemClock`]): just types and the rules that
//! keep them consistent.
//!
//! * **Time** is [`UnixNanos`] (UTC nanoseconds, `i64`). Components read "now" from an
//!   injected [`Clock`]: [`SystemClock`] live, [`SimulatedClock`] in backtests and tests.
//! * **Numbers that matter are fixed-point.** [`Price`] (signed), [`Quantity`]
//!   (non-negative) and [`Money`] (amount + [`Currency`]) hold an integer and a precision
//!   ≤ 9. Text parses and prints exactly, arithmetic is checked (overflow and currency
//!   mismatches are errors), and `as_f64` is the one-way door into analytics.
//! * **Orders are state machines.** [`Order::apply`] accepts an [`OrderEvent`] only when it
//!   is legal in the current [`OrderStatus`]; anything else returns
//!   [`Error::IllegalTransition`] (or [`Error::Overfill`]) and leaves the order unchanged.
//!   [`Position`] turns the same [`Fill`]s into average-cost PnL.
//!
//! ```
//! use emp_model::*;
//!
//! # fn main() -> emp_model::Result<()> {
//! let eurusd = InstrumentId::try_new("EURUSD")?;
//! let id = ClientOrderId::try_new("O-1")?;
//! let qty: Quantity = "100000".parse()?;
//! let mut order = Order::limit(id.clone(), eurusd.clone(), Side::Buy, qty,
//!     "1.08500".parse()?, TimeInForce::Gtc, UnixNanos::ZERO)?;
//!
//! // Filling before submission is illegal: a typed error, the order is unchanged.
//! let fill = Fill::try_new(id, eurusd.clone(), Side::Buy, "1.08490".parse()?, qty,
//!     Money::try_parse("2.50 USD")?, UnixNanos::from_secs(2))?;
//! assert!(matches!(order.apply(&OrderEvent::Filled(fill.clone())),
//!     Err(Error::IllegalTransition { from: OrderStatus::Initialized, .. })));
//!
//! order.apply(&OrderEvent::Submitted { ts: UnixNanos::from_secs(1) })?;
//! order.apply(&OrderEvent::Accepted { ts: UnixNanos::from_secs(1) })?;
//! order.apply(&OrderEvent::Filled(fill.clone()))?;
//! assert_eq!(order.status(), OrderStatus::Filled);
//!
//! let mut position = Position::new(eurusd, Currency::USD, 1.0)?;
//! position.apply_fill(&fill)?;
//! let pnl = position.unrealized_pnl("1.08590".parse()?);
//! assert!((pnl - 100.0).abs() < 1e-6); // 100k × 0.0010
//! assert_eq!(position.fees().to_string(), "2.50 USD");
//!
//! // Exact decimals: no 0.30000000000000004 here.
//! let sum = Price::try_parse("0.1")?.checked_add(Price::try_parse("0.2")?)?;
//! assert_eq!(sum.to_string(), "0.3");
//! assert_eq!(UnixNanos::new(1_399_334_400_000_000_000).to_rfc3339(), "2014-05-06T00:00:00.000Z");
//! # Ok(())
//! # }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod clock;
mod data;
mod decimal;
mod error;
mod fill;
mod fixed;
mod ids;
mod instrument;
mod money;
mod order;
mod position;
mod side;
mod time;
mod timeframe;

pub use clock::{Clock, SimulatedClock, SystemClock};
pub use data::{Bar, Importance, MacroEvent, MacroObservation, QuoteTick, TradeTick};
pub use decimal::MAX_PRECISION;
pub use error::{Error, Result};
pub use fill::Fill;
pub use fixed::{Price, Quantity};
pub use ids::{
    ClientOrderId, Currency, InstrumentId, MAX_CLIENT_ORDER_ID_LEN, MAX_INSTRUMENT_ID_LEN,
};
pub use instrument::{AssetClass, InstrumentSpec};
pub use money::Money;
pub use order::{
    Order, OrderEvent, OrderEventKind, OrderParams, OrderStatus, OrderType, TimeInForce,
};
pub use position::{Position, PositionSide};
pub use side::Side;
pub use time::{NANOS_PER_MICRO, NANOS_PER_MILLI, NANOS_PER_SEC, UnixNanos};
pub use timeframe::Timeframe;
