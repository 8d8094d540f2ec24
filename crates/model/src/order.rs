//! `Order` and its state machine.
//!
//! ```text
//! Initialized ──Submitted──▶ Submitted ──Accepted──▶ Accepted ──Filled(part)──▶ PartiallyFilled
//!     │                          │                     │  │                        │   │
//!     ├─Rejected─▶ Rejected ◀────┘                     │  └─Filled(rest)─▶ Filled ◀┘   │
//!     └─Cancelled─▶ Cancelled ◀────────────────────────┴─────────────────────────────┤
//!                   Expired   ◀────────────────────────┴─────────────────────────────┘
//! ```
//!
//! Also legal: a fill straight from `Submitted` (venues that execute without a separate
//! acknowledgement, e.g. a marketable IOC). Rejecting or cancelling from `Initialized`
//! covers pre-trade risk denial and withdrawal before sending. `Filled`, `Cancelled`,
//! `Rejected` and `Expired` are terminal and absorb nothing. Every refused event returns a
//! typed error and leaves the order exactly as it was.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fill::Fill;
use crate::fixed::{Price, Quantity};
use crate::ids::{ClientOrderId, InstrumentId};
use crate::side::Side;
use crate::time::UnixNanos;

/// How an order executes.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// At the best available price.
    Market,
    /// At the limit price or better.
    Limit,
    /// Becomes a market order when the stop price trades.
    Stop,
    /// Becomes a limit order when the stop price trades.
    StopLimit,
}

/// How long an order stays working.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Good till cancelled.
    Gtc,
    /// Immediate or cancel: fill what is possible now, cancel the rest.
    Ioc,
    /// Fill or kill: fill entirely now or cancel.
    Fok,
    /// Until the end of the trading day.
    Day,
    /// Good till the given instant.
    Gtd(UnixNanos),
}

/// Where an order is in its life cycle.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Created locally, not yet sent.
    Initialized,
    /// Sent to the venue, not yet acknowledged.
    Submitted,
    /// Acknowledged and working at the venue.
    Accepted,
    /// Some but not all quantity filled; still working.
    PartiallyFilled,
    /// Entire quantity filled (terminal).
    Filled,
    /// Cancelled before completion (terminal).
    Cancelled,
    /// Refused by risk or the venue (terminal).
    Rejected,
    /// Time in force ran out (terminal).
    Expired,
}

impl OrderStatus {
    /// True for `Filled`, `Cancelled`, `Rejected`, `Expired`: no event applies any more.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled
                | OrderStatus::Cancelled
                | OrderStatus::Rejected
                | OrderStatus::Expired
        )
    }

    /// True while the order may still trade at the venue (`Submitted`, `Accepted`, `PartiallyFilled`).
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::Submitted | OrderStatus::Accepted | OrderStatus::PartiallyFilled
        )
    }

    /// The snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Initialized => "initialized",
            OrderStatus::Submitted => "submitted",
            OrderStatus::Accepted => "accepted",
            OrderStatus::PartiallyFilled => "partially_filled",
            OrderStatus::Filled => "filled",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Expired => "expired",
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that happened to an order (past tense: these are facts reported by the
/// venue or the risk gateway, not commands).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum OrderEvent {
    /// Sent to the venue.
    Submitted {
        /// When.
        ts: UnixNanos,
    },
    /// Acknowledged by the venue.
    Accepted {
        /// When.
        ts: UnixNanos,
    },
    /// Refused by risk or the venue.
    Rejected {
        /// When.
        ts: UnixNanos,
        /// Why, as reported.
        reason: String,
    },
    /// An execution (partial or complete).
    Filled(Fill),
    /// Cancelled.
    Cancelled {
        /// When.
        ts: UnixNanos,
    },
    /// Time in force ran out.
    Expired {
        /// When.
        ts: UnixNanos,
    },
}

/// The kind of an [`OrderEvent`] without its payload (used in errors and metrics).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEventKind {
    /// [`OrderEvent::Submitted`].
    Submitted,
    /// [`OrderEvent::Accepted`].
    Accepted,
    /// [`OrderEvent::Rejected`].
    Rejected,
    /// [`OrderEvent::Filled`].
    Filled,
    /// [`OrderEvent::Cancelled`].
    Cancelled,
    /// [`OrderEvent::Expired`].
    Expired,
}

impl fmt::Display for OrderEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OrderEventKind::Submitted => "submitted",
            OrderEventKind::Accepted => "accepted",
            OrderEventKind::Rejected => "rejected",
            OrderEventKind::Filled => "filled",
            OrderEventKind::Cancelled => "cancelled",
            OrderEventKind::Expired => "expired",
        })
    }
}

impl OrderEvent {
    /// The payload-free kind.
    pub fn kind(&self) -> OrderEventKind {
        match self {
            OrderEvent::Submitted { .. } => OrderEventKind::Submitted,
            OrderEvent::Accepted { .. } => OrderEventKind::Accepted,
            OrderEvent::Rejected { .. } => OrderEventKind::Rejected,
            OrderEvent::Filled(_) => OrderEventKind::Filled,
            OrderEvent::Cancelled { .. } => OrderEventKind::Cancelled,
            OrderEvent::Expired { .. } => OrderEventKind::Expired,
        }
    }

    /// When it happened.
    pub fn ts(&self) -> UnixNanos {
        match self {
            OrderEvent::Submitted { ts }
            | OrderEvent::Accepted { ts }
            | OrderEvent::Rejected { ts, .. }
            | OrderEvent::Cancelled { ts }
            | OrderEvent::Expired { ts } => *ts,
            OrderEvent::Filled(fill) => fill.ts,
        }
    }
}

/// The fields of a new order (a value record, validated by [`Order::try_new`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderParams {
    /// Client order id.
    pub id: ClientOrderId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Buy or sell.
    pub side: Side,
    /// Market, limit, stop or stop-limit.
    pub order_type: OrderType,
    /// Quantity (> 0).
    pub quantity: Quantity,
    /// Required for limit and stop-limit, forbidden otherwise.
    #[serde(default)]
    pub limit_price: Option<Price>,
    /// Required for stop and stop-limit, forbidden otherwise.
    #[serde(default)]
    pub stop_price: Option<Price>,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Creation time.
    pub ts_init: UnixNanos,
}

/// An order and its life cycle. Fields are private: the only way to change an order is
/// [`Order::apply`], which enforces the state machine.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Order {
    id: ClientOrderId,
    instrument: InstrumentId,
    side: Side,
    order_type: OrderType,
    quantity: Quantity,
    limit_price: Option<Price>,
    stop_price: Option<Price>,
    time_in_force: TimeInForce,
    status: OrderStatus,
    filled_quantity: Quantity,
    avg_fill_price: Option<f64>,
    fill_count: u32,
    reject_reason: Option<String>,
    ts_init: UnixNanos,
    ts_last: UnixNanos,
}

fn invalid(field: &'static str, reason: String) -> Error {
    Error::InvalidField {
        record: "order",
        field,
        reason,
    }
}

impl Order {
    /// Validates and creates an order in `Initialized`: quantity > 0; a limit price exactly
    /// for `Limit`/`StopLimit`, a stop price exactly for `Stop`/`StopLimit`; a `Gtd` expiry
    /// after `ts_init`.
    pub fn try_new(p: OrderParams) -> Result<Self> {
        if !p.quantity.is_positive() {
            return Err(invalid(
                "quantity",
                format!("must be > 0, got {}", p.quantity),
            ));
        }
        let needs_limit = matches!(p.order_type, OrderType::Limit | OrderType::StopLimit);
        let needs_stop = matches!(p.order_type, OrderType::Stop | OrderType::StopLimit);
        let name = serde_name(p.order_type);
        match (needs_limit, p.limit_price) {
            (true, None) => {
                return Err(invalid(
                    "limit_price",
                    format!("required for a {name} order"),
                ));
            }
            (false, Some(_)) => {
                return Err(invalid(
                    "limit_price",
                    format!("not allowed for a {name} order"),
                ));
            }
            _ => {}
        }
        match (needs_stop, p.stop_price) {
            (true, None) => {
                return Err(invalid(
                    "stop_price",
                    format!("required for a {name} order"),
                ));
            }
            (false, Some(_)) => {
                return Err(invalid(
                    "stop_price",
                    format!("not allowed for a {name} order"),
                ));
            }
            _ => {}
        }
        if let TimeInForce::Gtd(expiry) = p.time_in_force {
            if expiry <= p.ts_init {
                return Err(invalid(
                    "time_in_force",
                    format!("gtd expiry {expiry} must be after ts_init {}", p.ts_init),
                ));
            }
        }
        Ok(Order {
            id: p.id,
            instrument: p.instrument,
            side: p.side,
            order_type: p.order_type,
            quantity: p.quantity,
            limit_price: p.limit_price,
            stop_price: p.stop_price,
            time_in_force: p.time_in_force,
            status: OrderStatus::Initialized,
            filled_quantity: Quantity::zero(p.quantity.precision())?,
            avg_fill_price: None,
            fill_count: 0,
            reject_reason: None,
            ts_init: p.ts_init,
            ts_last: p.ts_init,
        })
    }

    /// A market order (time in force IOC: a market order never rests).
    pub fn market(
        id: ClientOrderId,
        instrument: InstrumentId,
        side: Side,
        quantity: Quantity,
        ts_init: UnixNanos,
    ) -> Result<Self> {
        Self::try_new(OrderParams {
            id,
            instrument,
            side,
            order_type: OrderType::Market,
            quantity,
            limit_price: None,
            stop_price: None,
            time_in_force: TimeInForce::Ioc,
            ts_init,
        })
    }

    /// A limit order.
    pub fn limit(
        id: ClientOrderId,
        instrument: InstrumentId,
        side: Side,
        quantity: Quantity,
        limit_price: Price,
        time_in_force: TimeInForce,
        ts_init: UnixNanos,
    ) -> Result<Self> {
        Self::try_new(OrderParams {
            id,
            instrument,
            side,
            order_type: OrderType::Limit,
            quantity,
            limit_price: Some(limit_price),
            stop_price: None,
            time_in_force,
            ts_init,
        })
    }

    /// Applies an event. On success the status (and, for fills, the filled quantity and
    /// average price) advance; on error the order is unchanged and the error says why:
    /// [`Error::IllegalTransition`], [`Error::Overfill`], [`Error::InstrumentMismatch`] or
    /// [`Error::InvalidField`] (a fill for another order or side, or of zero quantity).
    pub fn apply(&mut self, event: &OrderEvent) -> Result<()> {
        use OrderStatus as S;
        let illegal = || Error::IllegalTransition {
            from: self.status,
            event: event.kind(),
        };
        match (self.status, event) {
            (S::Initialized, OrderEvent::Submitted { .. }) => self.status = S::Submitted,
            (S::Submitted, OrderEvent::Accepted { .. }) => self.status = S::Accepted,
            (S::Initialized | S::Submitted, OrderEvent::Rejected { reason, .. }) => {
                self.status = S::Rejected;
                self.reject_reason = Some(reason.clone());
            }
            (S::Initialized, OrderEvent::Cancelled { .. })
            | (S::Accepted | S::PartiallyFilled, OrderEvent::Cancelled { .. }) => {
                self.status = S::Cancelled;
            }
            (S::Accepted | S::PartiallyFilled, OrderEvent::Expired { .. }) => {
                self.status = S::Expired
            }
            (S::Submitted | S::Accepted | S::PartiallyFilled, OrderEvent::Filled(fill)) => {
                self.apply_fill(fill)?;
            }
            _ => return Err(illegal()),
        }
        self.ts_last = event.ts();
        Ok(())
    }

    /// Checks everything first, then mutates: so an error leaves the order untouched.
    fn apply_fill(&mut self, fill: &Fill) -> Result<()> {
        if fill.order_id != self.id {
            return Err(Error::InvalidField {
                record: "fill",
                field: "order_id",
                reason: format!("fill for {} applied to order {}", fill.order_id, self.id),
            });
        }
        if fill.instrument != self.instrument {
            return Err(Error::InstrumentMismatch {
                expected: self.instrument.clone(),
                actual: fill.instrument.clone(),
            });
        }
        if fill.side != self.side {
            return Err(Error::InvalidField {
                record: "fill",
                field: "side",
                reason: format!("{} fill applied to a {} order", fill.side, self.side),
            });
        }
        fill.validate()?;
        let new_filled = self.filled_quantity.checked_add(fill.quantity)?;
        if new_filled > self.quantity {
            return Err(Error::Overfill {
                quantity: self.quantity.to_string(),
                filled: self.filled_quantity.to_string(),
                fill: fill.quantity.to_string(),
            });
        }
        let (old_q, add_q) = (self.filled_quantity.as_f64(), fill.quantity.as_f64());
        let px = fill.price.as_f64();
        self.avg_fill_price = Some(match self.avg_fill_price {
            Some(avg) => (avg * old_q + px * add_q) / (old_q + add_q),
            None => px,
        });
        self.filled_quantity = new_filled;
        self.fill_count += 1;
        self.status = if new_filled == self.quantity {
            OrderStatus::Filled
        } else {
            OrderStatus::PartiallyFilled
        };
        Ok(())
    }

    /// Client order id.
    pub fn id(&self) -> &ClientOrderId {
        &self.id
    }
    /// Instrument.
    pub fn instrument(&self) -> &InstrumentId {
        &self.instrument
    }
    /// Side.
    pub fn side(&self) -> Side {
        self.side
    }
    /// Order type.
    pub fn order_type(&self) -> OrderType {
        self.order_type
    }
    /// Ordered quantity.
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }
    /// Limit price (present exactly for limit and stop-limit orders).
    pub fn limit_price(&self) -> Option<Price> {
        self.limit_price
    }
    /// Stop price (present exactly for stop and stop-limit orders).
    pub fn stop_price(&self) -> Option<Price> {
        self.stop_price
    }
    /// Time in force.
    pub fn time_in_force(&self) -> TimeInForce {
        self.time_in_force
    }
    /// Current status.
    pub fn status(&self) -> OrderStatus {
        self.status
    }
    /// Quantity filled so far (≤ quantity).
    pub fn filled_quantity(&self) -> Quantity {
        self.filled_quantity
    }
    /// Quantity still to fill (`quantity - filled`).
    pub fn leaves_quantity(&self) -> Quantity {
        // filled ≤ quantity is an invariant of apply(), so this cannot underflow.
        self.quantity
            .checked_sub(self.filled_quantity)
            .unwrap_or(Quantity::ZERO)
    }
    /// Quantity-weighted average fill price (analytics precision), `None` before any fill.
    pub fn avg_fill_price(&self) -> Option<f64> {
        self.avg_fill_price
    }
    /// Number of fills applied.
    pub fn fill_count(&self) -> u32 {
        self.fill_count
    }
    /// The rejection reason, once rejected.
    pub fn reject_reason(&self) -> Option<&str> {
        self.reject_reason.as_deref()
    }
    /// Creation time.
    pub fn ts_init(&self) -> UnixNanos {
        self.ts_init
    }
    /// Time of the last applied event (creation time before any).
    pub fn ts_last(&self) -> UnixNanos {
        self.ts_last
    }
    /// Shorthand for `status().is_open()`.
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
    /// Shorthand for `status().is_terminal()`.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }
}

fn serde_name(t: OrderType) -> &'static str {
    match t {
        OrderType::Market => "market",
        OrderType::Limit => "limit",
        OrderType::Stop => "stop",
        OrderType::StopLimit => "stop_limit",
    }
}

#[cfg(test)]
#[path = "order_tests.rs"]
mod tests;
