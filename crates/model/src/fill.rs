//! `Fill`: one execution against an order. Applied to the order (state machine) and to the
//! position (accounting).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fixed::{Price, Quantity};
use crate::ids::{ClientOrderId, InstrumentId};
use crate::money::Money;
use crate::side::Side;
use crate::time::UnixNanos;

/// An execution: `quantity` of `instrument` traded at `price` on `side`, costing `fee`
/// (a negative fee is a rebate). A value record; [`Fill::validate`] checks it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fill {
    /// The order this fill belongs to.
    pub order_id: ClientOrderId,
    /// The instrument traded.
    pub instrument: InstrumentId,
    /// The side of the order (buy fills add to a position).
    pub side: Side,
    /// Execution price.
    pub price: Price,
    /// Executed quantity (> 0).
    pub quantity: Quantity,
    /// Commission and fees for this fill, in their own currency.
    pub fee: Money,
    /// Execution time.
    pub ts: UnixNanos,
}

impl Fill {
    /// Builds and validates a fill.
    #[allow(clippy::too_many_arguments)] // mirrors the execution report fields one to one
    pub fn try_new(
        order_id: ClientOrderId,
        instrument: InstrumentId,
        side: Side,
        price: Price,
        quantity: Quantity,
        fee: Money,
        ts: UnixNanos,
    ) -> Result<Self> {
        let fill = Fill {
            order_id,
            instrument,
            side,
            price,
            quantity,
            fee,
            ts,
        };
        fill.validate()?;
        Ok(fill)
    }

    /// A fill must have a positive quantity. (Prices may be zero or negative: some futures
    /// and spreads trade there.)
    pub fn validate(&self) -> Result<()> {
        if !self.quantity.is_positive() {
            return Err(Error::InvalidField {
                record: "fill",
                field: "quantity",
                reason: format!("must be > 0, got {}", self.quantity),
            });
        }
        Ok(())
    }

    /// Signed quantity as f64: positive for buys, negative for sells.
    pub fn signed_quantity_f64(&self) -> f64 {
        self.quantity.as_f64() * self.side.sign() as f64
    }
}
