//! The crate's one error type.

use crate::ids::{Currency, InstrumentId};
use crate::order::{OrderEventKind, OrderStatus};

/// Result with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the model. All variants are "rejected input" in the
/// supervisor's classification: nothing here is transient, and nothing here panics.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Text that is not an exact decimal of the required shape.
    #[error("invalid decimal {input:?}: {reason}")]
    InvalidDecimal {
        /// The rejected text.
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A fixed-point precision above [`crate::MAX_PRECISION`].
    #[error("precision {precision} exceeds the maximum of 9 decimal places")]
    InvalidPrecision {
        /// The rejected precision.
        precision: u8,
    },
    /// A fixed-point operation whose result does not fit the raw integer.
    #[error("fixed-point overflow in {op}")]
    Overflow {
        /// The operation, e.g. `"add"`, `"rescale"`.
        op: &'static str,
    },
    /// A result that would make a non-negative quantity negative.
    #[error("quantity would be negative in {op}")]
    NegativeQuantity {
        /// The operation, e.g. `"sub"`.
        op: &'static str,
    },
    /// Rescaling to fewer decimals would drop non-zero digits.
    #[error("{value} cannot be represented exactly with {precision} decimal places")]
    InexactRescale {
        /// The value being rescaled, as exact decimal text.
        value: String,
        /// The requested precision.
        precision: u8,
    },
    /// A float that is NaN or infinite where a number is required.
    #[error("{what} must be a finite number, got {value}")]
    NotFinite {
        /// What was being converted.
        what: &'static str,
        /// The offending value.
        value: f64,
    },
    /// Money arithmetic or accounting across two currencies.
    #[error("currency mismatch: expected {expected}, got {actual}")]
    CurrencyMismatch {
        /// The currency of the left operand / the account.
        expected: Currency,
        /// The other currency.
        actual: Currency,
    },
    /// An instrument symbol that fails validation.
    #[error("invalid instrument id {input:?}: {reason}")]
    InvalidInstrumentId {
        /// The rejected text.
        input: String,
        /// Why.
        reason: String,
    },
    /// A currency code that is not three upper-case letters.
    #[error("invalid currency code {input:?}: expected three upper-case ASCII letters")]
    InvalidCurrency {
        /// The rejected text.
        input: String,
    },
    /// A client order id that fails validation.
    #[error("invalid client order id {input:?}: {reason}")]
    InvalidClientOrderId {
        /// The rejected text.
        input: String,
        /// Why.
        reason: String,
    },
    /// A calendar date/time that does not exist or does not fit `UnixNanos`.
    #[error("invalid timestamp: {reason}")]
    InvalidTimestamp {
        /// Why.
        reason: String,
    },
    /// A timeframe string such as `"5m"` that does not parse.
    #[error("invalid timeframe {input:?}: {reason}")]
    InvalidTimeframe {
        /// The rejected text.
        input: String,
        /// Why.
        reason: &'static str,
    },
    /// A text enum value (side, asset class, ...) that is not one of the known names.
    #[error("unknown {what} {input:?}")]
    UnknownVariant {
        /// Which enum, e.g. `"side"`.
        what: &'static str,
        /// The rejected text.
        input: String,
    },
    /// A record (bar, quote, instrument spec, fill, order) whose fields contradict each other.
    /// `field` names the offending field.
    #[error("invalid {record}.{field}: {reason}")]
    InvalidField {
        /// The record type, e.g. `"bar"`.
        record: &'static str,
        /// The field, e.g. `"high"`.
        field: &'static str,
        /// Why, including the offending values.
        reason: String,
    },
    /// An order event that is not legal in the order's current status. The order is unchanged.
    #[error("illegal order transition: {event} while {from}")]
    IllegalTransition {
        /// The status the order was in (and still is).
        from: OrderStatus,
        /// The event that was refused.
        event: OrderEventKind,
    },
    /// A fill that would take the filled quantity above the order quantity. The order is unchanged.
    #[error("overfill: order quantity {quantity}, already filled {filled}, fill {fill}")]
    Overfill {
        /// Exact decimal text of the order quantity.
        quantity: String,
        /// Exact decimal text of the quantity filled so far.
        filled: String,
        /// Exact decimal text of the refused fill.
        fill: String,
    },
    /// A fill or event for a different instrument than the order or position.
    #[error("instrument mismatch: expected {expected}, got {actual}")]
    InstrumentMismatch {
        /// The order's / position's instrument.
        expected: InstrumentId,
        /// The instrument of the refused input.
        actual: InstrumentId,
    },
}
