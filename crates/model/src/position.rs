//! `Position`: net holdings in one instrument under average-cost accounting.
//!
//! * The quantity is exact (fixed-point, signed: long > 0, short < 0).
//! * Adding in the position's direction moves the average price to the quantity-weighted
//!   average; reducing realises `closed × (fill − avg) × sign × multiplier` at the old
//!   average and leaves the average unchanged.
//! * A fill that crosses zero first closes the whole position (realising PnL at the old
//!   average) and then opens the remainder at the fill price.
//! * Fees are accumulated separately as exact [`Money`]; `realized_pnl` is gross of fees and
//!   `net_realized_pnl` subtracts them.
//!
//! PnL figures are f64: average prices are not decimal-exact in general (a weighted mean of
//! decimals is a rational), and PnL feeds analytics, not settlement.

use serde::Serialize;

use crate::decimal::{MAX_PRECISION, pow10};
use crate::error::{Error, Result};
use crate::fill::Fill;
use crate::fixed::{Price, Quantity};
use crate::ids::{Currency, InstrumentId};
use crate::instrument::InstrumentSpec;
use crate::money::Money;
use crate::time::UnixNanos;

/// The direction of a position.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PositionSide {
    /// No holdings.
    Flat,
    /// Positive net quantity.
    Long,
    /// Negative net quantity.
    Short,
}

/// Net position in one instrument. Change it only through [`Position::apply_fill`].
///
/// Serialises (for snapshots and reports) as `{instrument, quote_currency, multiplier, side,
/// quantity, signed_quantity, avg_price, realized_pnl, fees, net_realized_pnl, fill_count,
/// ts_opened, ts_last}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    instrument: InstrumentId,
    quote_currency: Currency,
    multiplier: f64,
    /// Signed quantity at 9 decimals, so fills of any precision add exactly.
    quantity_nanos: i128,
    /// Largest precision of any fill so far: the precision `quantity()` reports in.
    size_precision: u8,
    avg_price: f64,
    realized_pnl: f64,
    fees: Money,
    fill_count: u64,
    ts_opened: Option<UnixNanos>,
    ts_last: Option<UnixNanos>,
}

const NANO_SCALE: u8 = MAX_PRECISION;

impl Position {
    /// A flat position. `multiplier` (the contract size) must be finite and > 0.
    pub fn new(
        instrument: InstrumentId,
        quote_currency: Currency,
        multiplier: f64,
    ) -> Result<Self> {
        if !(multiplier.is_finite() && multiplier > 0.0) {
            return Err(Error::InvalidField {
                record: "position",
                field: "multiplier",
                reason: format!("must be finite and > 0, got {multiplier}"),
            });
        }
        Ok(Position {
            instrument,
            quote_currency,
            multiplier,
            quantity_nanos: 0,
            size_precision: 0,
            avg_price: 0.0,
            realized_pnl: 0.0,
            fees: Money::zero(quote_currency),
            fill_count: 0,
            ts_opened: None,
            ts_last: None,
        })
    }

    /// A flat position for an instrument spec (its currency and multiplier).
    pub fn from_spec(spec: &InstrumentSpec) -> Self {
        Position {
            instrument: spec.id().clone(),
            quote_currency: spec.quote_currency(),
            multiplier: spec.multiplier(),
            quantity_nanos: 0,
            size_precision: 0,
            avg_price: 0.0,
            realized_pnl: 0.0,
            fees: Money::zero(spec.quote_currency()),
            fill_count: 0,
            ts_opened: None,
            ts_last: None,
        }
    }

    /// Applies a fill. Errors, leaving the position unchanged, when the fill is for another
    /// instrument, has zero quantity, carries a non-zero fee in a currency other than the
    /// quote currency, or would overflow the quantity.
    pub fn apply_fill(&mut self, fill: &Fill) -> Result<()> {
        if fill.instrument != self.instrument {
            return Err(Error::InstrumentMismatch {
                expected: self.instrument.clone(),
                actual: fill.instrument.clone(),
            });
        }
        fill.validate()?;
        // A zero fee in any currency is "no fee"; venues often report it in a default currency.
        let fees = if fill.fee.is_zero() {
            self.fees
        } else if fill.fee.currency() != self.quote_currency {
            return Err(Error::CurrencyMismatch {
                expected: self.quote_currency,
                actual: fill.fee.currency(),
            });
        } else {
            self.fees.checked_add(fill.fee)?
        };
        let q = fill.quantity;
        let fill_nanos = q.raw_i128() * pow10(NANO_SCALE - q.precision());
        let signed = fill_nanos * i128::from(fill.side.sign());
        let old = self.quantity_nanos;
        let new = old
            .checked_add(signed)
            .ok_or(Error::Overflow { op: "position" })?;
        let size_precision = self.size_precision.max(q.precision());
        // The reported Quantity must fit a u64 raw at the reporting precision.
        if new.unsigned_abs() / pow10(NANO_SCALE - size_precision).unsigned_abs()
            > u128::from(u64::MAX)
        {
            return Err(Error::Overflow { op: "position" });
        }

        // All checks passed: mutate.
        let px = fill.price.as_f64();
        let to_f64 = |n: i128| n as f64 / pow10(NANO_SCALE) as f64;
        if old == 0 || (old > 0) == (signed > 0) {
            let (a, b) = (to_f64(old.abs()), to_f64(fill_nanos));
            self.avg_price = if old == 0 {
                px
            } else {
                (self.avg_price * a + px * b) / (a + b)
            };
            if old == 0 {
                self.ts_opened = Some(fill.ts);
            }
        } else {
            let closed = old.abs().min(fill_nanos);
            let direction = if old > 0 { 1.0 } else { -1.0 };
            self.realized_pnl +=
                to_f64(closed) * (px - self.avg_price) * direction * self.multiplier;
            if new == 0 {
                self.avg_price = 0.0;
                self.ts_opened = None;
            } else if (new > 0) != (old > 0) {
                // Crossed through zero: the remainder opens fresh at the fill price.
                self.avg_price = px;
                self.ts_opened = Some(fill.ts);
            }
        }
        self.quantity_nanos = new;
        self.size_precision = size_precision;
        self.fees = fees;
        self.fill_count += 1;
        self.ts_last = Some(fill.ts);
        Ok(())
    }

    /// The instrument.
    pub fn instrument(&self) -> &InstrumentId {
        &self.instrument
    }
    /// The quote (PnL) currency.
    pub fn quote_currency(&self) -> Currency {
        self.quote_currency
    }
    /// The contract multiplier.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }
    /// Flat, long or short.
    pub fn side(&self) -> PositionSide {
        match self.quantity_nanos.signum() {
            0 => PositionSide::Flat,
            1 => PositionSide::Long,
            _ => PositionSide::Short,
        }
    }
    /// True with no holdings.
    pub fn is_flat(&self) -> bool {
        self.quantity_nanos == 0
    }
    /// True when net long.
    pub fn is_long(&self) -> bool {
        self.quantity_nanos > 0
    }
    /// True when net short.
    pub fn is_short(&self) -> bool {
        self.quantity_nanos < 0
    }
    /// Absolute quantity, exact, at the largest precision of the fills applied.
    pub fn quantity(&self) -> Quantity {
        let raw = self.quantity_nanos.unsigned_abs()
            / pow10(NANO_SCALE - self.size_precision).unsigned_abs();
        // apply_fill guarantees the raw fits a u64 and the precision is ≤ 9.
        Quantity::from_raw(u64::try_from(raw).unwrap_or(u64::MAX), self.size_precision)
            .unwrap_or(Quantity::ZERO)
    }
    /// Signed quantity (long > 0, short < 0) as f64.
    pub fn signed_quantity(&self) -> f64 {
        self.quantity_nanos as f64 / pow10(NANO_SCALE) as f64
    }
    /// Signed quantity exactly, as a raw integer at 9 decimal places.
    pub fn signed_quantity_nanos(&self) -> i128 {
        self.quantity_nanos
    }
    /// Average entry price of the open quantity; `None` when flat.
    pub fn avg_price(&self) -> Option<f64> {
        (!self.is_flat()).then_some(self.avg_price)
    }
    /// Realised PnL in the quote currency, gross of fees.
    pub fn realized_pnl(&self) -> f64 {
        self.realized_pnl
    }
    /// Total fees paid (exact; negative when rebates exceed fees).
    pub fn fees(&self) -> Money {
        self.fees
    }
    /// Realised PnL minus fees.
    pub fn net_realized_pnl(&self) -> f64 {
        self.realized_pnl - self.fees.as_f64()
    }
    /// PnL of the open quantity marked at `mark`: `qty × (mark − avg) × multiplier`.
    pub fn unrealized_pnl(&self, mark: Price) -> f64 {
        if self.is_flat() {
            return 0.0;
        }
        self.signed_quantity() * (mark.as_f64() - self.avg_price) * self.multiplier
    }
    /// Realised plus unrealised PnL at `mark`, gross of fees.
    pub fn total_pnl(&self, mark: Price) -> f64 {
        self.realized_pnl + self.unrealized_pnl(mark)
    }
    /// Market value of the open quantity at `mark` (signed): `qty × mark × multiplier`.
    pub fn market_value(&self, mark: Price) -> f64 {
        self.signed_quantity() * mark.as_f64() * self.multiplier
    }
    /// Number of fills applied.
    pub fn fill_count(&self) -> u64 {
        self.fill_count
    }
    /// When the current non-flat stretch opened (reset on flat, and on a flip).
    pub fn ts_opened(&self) -> Option<UnixNanos> {
        self.ts_opened
    }
    /// Time of the last fill.
    pub fn ts_last(&self) -> Option<UnixNanos> {
        self.ts_last
    }
}

/// The serialised view of a position (derived figures included, internals left out).
#[derive(Serialize)]
struct PositionView<'a> {
    instrument: &'a InstrumentId,
    quote_currency: Currency,
    multiplier: f64,
    side: PositionSide,
    quantity: Quantity,
    signed_quantity: f64,
    avg_price: Option<f64>,
    realized_pnl: f64,
    fees: Money,
    net_realized_pnl: f64,
    fill_count: u64,
    ts_opened: Option<UnixNanos>,
    ts_last: Option<UnixNanos>,
}

impl Serialize for Position {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        PositionView {
            instrument: &self.instrument,
            quote_currency: self.quote_currency,
            multiplier: self.multiplier,
            side: self.side(),
            quantity: self.quantity(),
            signed_quantity: self.signed_quantity(),
            avg_price: self.avg_price(),
            realized_pnl: self.realized_pnl,
            fees: self.fees,
            net_realized_pnl: self.net_realized_pnl(),
            fill_count: self.fill_count,
            ts_opened: self.ts_opened,
            ts_last: self.ts_last,
        }
        .serialize(s)
    }
}

#[cfg(test)]
#[path = "position_tests.rs"]
mod tests;
