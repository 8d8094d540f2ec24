//! What travels between the order manager and a venue: commands down, reports up.
//!
//! A venue never sees an [`OrderRequest`] directly: it receives a [`SubmitOrder`], which
//! only this crate can build, and only from a `RiskApproved` request (or from a bracket
//! child of one). So "nothing reaches a venue without risk approval" is a type fact.

use emp_model::{
    ClientOrderId, Fill, InstrumentId, OrderParams, OrderStatus, OrderType, Price, Quantity, Side,
    TimeInForce, UnixNanos,
};
use serde::{Deserialize, Serialize};

/// A trade request as the engine builds it from an approved intent (a plain record).
///
/// `stop_loss` / `take_profit` make it a bracket: when the entry fills, a stop order at
/// `stop_loss` and a limit order at `take_profit` (both on the opposite side, for the
/// filled quantity) become live as an OCO pair (see [`crate::Bracket`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// The strategy the order trades for (performance attribution).
    pub strategy_id: String,
    /// The client order id (unique per manager).
    pub id: ClientOrderId,
    /// The instrument.
    pub instrument: InstrumentId,
    /// Buy or sell.
    pub side: Side,
    /// Market, limit, stop or stop-limit.
    pub order_type: OrderType,
    /// Quantity in instrument units.
    pub quantity: Quantity,
    /// Limit price (limit and stop-limit).
    #[serde(default)]
    pub limit_price: Option<Price>,
    /// Trigger price (stop and stop-limit).
    #[serde(default)]
    pub stop_price: Option<Price>,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Protective stop for a bracket.
    #[serde(default)]
    pub stop_loss: Option<Price>,
    /// Profit target for a bracket.
    #[serde(default)]
    pub take_profit: Option<Price>,
}

impl OrderRequest {
    /// A market order (IOC), no bracket.
    pub fn market(
        strategy_id: impl Into<String>,
        id: ClientOrderId,
        instrument: InstrumentId,
        side: Side,
        quantity: Quantity,
    ) -> Self {
        OrderRequest {
            strategy_id: strategy_id.into(),
            id,
            instrument,
            side,
            order_type: OrderType::Market,
            quantity,
            limit_price: None,
            stop_price: None,
            time_in_force: TimeInForce::Ioc,
            stop_loss: None,
            take_profit: None,
        }
    }

    /// A limit order, no bracket.
    pub fn limit(
        strategy_id: impl Into<String>,
        id: ClientOrderId,
        instrument: InstrumentId,
        side: Side,
        quantity: Quantity,
        limit_price: Price,
        time_in_force: TimeInForce,
    ) -> Self {
        OrderRequest {
            limit_price: Some(limit_price),
            order_type: OrderType::Limit,
            time_in_force,
            ..Self::market(strategy_id, id, instrument, side, quantity)
        }
    }

    /// Builder: attach a stop loss and/or take profit (makes the request a bracket).
    pub fn with_bracket(mut self, stop_loss: Option<Price>, take_profit: Option<Price>) -> Self {
        self.stop_loss = stop_loss;
        self.take_profit = take_profit;
        self
    }

    pub(crate) fn params(&self, ts_init: UnixNanos) -> OrderParams {
        OrderParams {
            id: self.id.clone(),
            instrument: self.instrument.clone(),
            side: self.side,
            order_type: self.order_type,
            quantity: self.quantity,
            limit_price: self.limit_price,
            stop_price: self.stop_price,
            time_in_force: self.time_in_force,
            ts_init,
        }
    }
}

/// The command a venue receives. Constructible only inside this crate (from approved
/// requests), readable by any venue implementation.
///
/// Code outside the crate cannot forge one:
///
/// ```compile_fail
/// # use emp_model::*;
/// let params: OrderParams = unimplemented!();
/// let forged = emp_execution::SubmitOrder::new(params, None); // private constructor
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitOrder {
    params: OrderParams,
    oco: Option<ClientOrderId>,
}

impl SubmitOrder {
    pub(crate) fn new(params: OrderParams, oco: Option<ClientOrderId>) -> Self {
        SubmitOrder { params, oco }
    }
    /// The other leg of a one-cancels-other pair (bracket stop loss / take profit).
    /// A venue with native OCO cancels it when this order fills and reduces it on a partial
    /// fill; a venue without it may ignore this (the manager cancels on a complete fill).
    pub fn oco_sibling(&self) -> Option<&ClientOrderId> {
        self.oco.as_ref()
    }
    /// Client order id.
    pub fn id(&self) -> &ClientOrderId {
        &self.params.id
    }
    /// Instrument.
    pub fn instrument(&self) -> &InstrumentId {
        &self.params.instrument
    }
    /// Side.
    pub fn side(&self) -> Side {
        self.params.side
    }
    /// Order type.
    pub fn order_type(&self) -> OrderType {
        self.params.order_type
    }
    /// Quantity.
    pub fn quantity(&self) -> Quantity {
        self.params.quantity
    }
    /// Limit price, if any.
    pub fn limit_price(&self) -> Option<Price> {
        self.params.limit_price
    }
    /// Stop price, if any.
    pub fn stop_price(&self) -> Option<Price> {
        self.params.stop_price
    }
    /// Time in force.
    pub fn time_in_force(&self) -> TimeInForce {
        self.params.time_in_force
    }
    /// All fields as model order parameters.
    pub fn params(&self) -> &OrderParams {
        &self.params
    }
}

/// A cancel-replace: the fields that are `Some` change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amend {
    /// The order to amend.
    pub id: ClientOrderId,
    /// New total quantity (must stay above the filled quantity).
    #[serde(default)]
    pub quantity: Option<Quantity>,
    /// New limit price.
    #[serde(default)]
    pub limit_price: Option<Price>,
    /// New stop price.
    #[serde(default)]
    pub stop_price: Option<Price>,
}

/// Why a venue refused an order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The account cannot carry the margin the order adds.
    InsufficientMargin,
    /// Price off tick, or not positive.
    InvalidPrice,
    /// Quantity not positive or off the size precision.
    InvalidQuantity,
    /// Outside the session calendar.
    MarketClosed,
    /// No quote or bar seen yet for the instrument.
    NoMarketData,
    /// Instrument not listed at the venue.
    UnknownInstrument,
    /// The client order id is already live at the venue.
    DuplicateOrder,
    /// Anything else (free text from a real venue).
    Other(String),
}

/// What a venue reports back. The order manager turns these into model [`emp_model::OrderEvent`]s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ExecutionReport {
    /// The order is live at the venue.
    Accepted {
        /// Order.
        id: ClientOrderId,
        /// Venue time.
        ts: UnixNanos,
    },
    /// The order was refused. `transient` means the same order may succeed later (retry).
    Rejected {
        /// Order.
        id: ClientOrderId,
        /// Venue time.
        ts: UnixNanos,
        /// Why.
        reason: RejectReason,
        /// Whether a retry may succeed.
        transient: bool,
    },
    /// A (partial) fill.
    Filled(Fill),
    /// Cancelled (on request, IOC/FOK remainder, or OCO sibling).
    Cancelled {
        /// Order.
        id: ClientOrderId,
        /// Venue time.
        ts: UnixNanos,
    },
    /// Expired (DAY / GTD).
    Expired {
        /// Order.
        id: ClientOrderId,
        /// Venue time.
        ts: UnixNanos,
    },
    /// A replace took effect.
    Replaced {
        /// The amendment applied.
        amend: Amend,
        /// Venue time.
        ts: UnixNanos,
    },
    /// A cancel or replace was refused (e.g. the order had already filled).
    CommandRejected {
        /// Order.
        id: ClientOrderId,
        /// Venue time.
        ts: UnixNanos,
        /// Why.
        reason: String,
    },
}

impl ExecutionReport {
    /// The order the report is about.
    pub fn order_id(&self) -> &ClientOrderId {
        match self {
            ExecutionReport::Accepted { id, .. }
            | ExecutionReport::Rejected { id, .. }
            | ExecutionReport::Cancelled { id, .. }
            | ExecutionReport::Expired { id, .. }
            | ExecutionReport::CommandRejected { id, .. } => id,
            ExecutionReport::Replaced { amend, .. } => &amend.id,
            ExecutionReport::Filled(f) => &f.order_id,
        }
    }
    /// Venue time of the report.
    pub fn ts(&self) -> UnixNanos {
        match self {
            ExecutionReport::Accepted { ts, .. }
            | ExecutionReport::Rejected { ts, .. }
            | ExecutionReport::Cancelled { ts, .. }
            | ExecutionReport::Expired { ts, .. }
            | ExecutionReport::Replaced { ts, .. }
            | ExecutionReport::CommandRejected { ts, .. } => *ts,
            ExecutionReport::Filled(f) => f.ts,
        }
    }
}

/// One order as the venue sees it (for reconciliation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueOrderState {
    /// Order.
    pub id: ClientOrderId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Venue status.
    pub status: OrderStatus,
    /// Filled so far.
    pub filled_quantity: Quantity,
}

/// A venue position: signed quantity in units of 1e-9 (exact, as `Position` keeps it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenuePosition {
    /// Instrument.
    pub instrument: InstrumentId,
    /// Signed quantity × 1e9.
    pub signed_quantity_nanos: i128,
}

/// The venue's books, for reconciliation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VenueSnapshot {
    /// Every order the venue knows (open and closed).
    pub orders: Vec<VenueOrderState>,
    /// Every fill the venue executed.
    pub fills: Vec<Fill>,
    /// Net positions.
    pub positions: Vec<VenuePosition>,
}

/// A trading venue: the simulated one here, a FIX session in `emp-fix`.
///
/// Commands are fire-and-forget; every outcome (including refusal) comes back as an
/// [`ExecutionReport`] from [`Venue::poll_reports`]. Implementations must be deterministic
/// given the same commands and market data.
pub trait Venue {
    /// Send a new order.
    fn submit(&mut self, order: &SubmitOrder, ts: UnixNanos);
    /// Ask to cancel an order.
    fn cancel(&mut self, id: &ClientOrderId, ts: UnixNanos);
    /// Ask to amend an order.
    fn replace(&mut self, amend: &Amend, ts: UnixNanos);
    /// Move reports produced so far into `out` (appends; keeps venue order).
    fn poll_reports(&mut self, out: &mut Vec<ExecutionReport>);
    /// The venue's view of orders, fills and positions.
    fn snapshot(&self) -> VenueSnapshot;
}
