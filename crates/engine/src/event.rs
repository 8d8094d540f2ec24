//! What goes in (market events) and what comes out (engine events) of the loop.

use emp_model::{Bar, ClientOrderId, Fill, InstrumentId, QuoteTick, Side, TradeTick, UnixNanos};
use emp_risk::ReasonCode;
use serde::Serialize;

/// One market-data event. The engine is source-agnostic: anything that yields these in
/// time order (a store query, a CSV reader, a replay) can drive it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MarketEvent {
    /// A completed bar; it is processed at its close time (`ts_open + timeframe`).
    Bar(Bar),
    /// A top-of-book quote.
    Quote(QuoteTick),
    /// A trade print.
    Trade(TradeTick),
}

impl MarketEvent {
    /// The instrument of the event.
    pub fn instrument(&self) -> &InstrumentId {
        match self {
            MarketEvent::Bar(b) => &b.instrument,
            MarketEvent::Quote(q) => &q.instrument,
            MarketEvent::Trade(t) => &t.instrument,
        }
    }

    /// When the event becomes known: a bar's close, a tick's timestamp. The engine's
    /// simulated clock is set to this value.
    pub fn ts(&self) -> UnixNanos {
        match self {
            MarketEvent::Bar(b) => b.ts_close(),
            MarketEvent::Quote(q) => q.ts,
            MarketEvent::Trade(t) => t.ts,
        }
    }

    /// The reference price strategies use: bar close, quote mid, trade price.
    pub fn price_f64(&self) -> f64 {
        match self {
            MarketEvent::Bar(b) => b.close.as_f64(),
            MarketEvent::Quote(q) => q.mid_f64(),
            MarketEvent::Trade(t) => t.price.as_f64(),
        }
    }
}

impl From<Bar> for MarketEvent {
    fn from(b: Bar) -> Self {
        MarketEvent::Bar(b)
    }
}
impl From<QuoteTick> for MarketEvent {
    fn from(q: QuoteTick) -> Self {
        MarketEvent::Quote(q)
    }
}
impl From<TradeTick> for MarketEvent {
    fn from(t: TradeTick) -> Self {
        MarketEvent::Trade(t)
    }
}

/// What the engine reports. Emitted only when something happens to orders or intents,
/// never per tick, so a sink may publish each one (the app connects a sink to the bus).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EngineEvent {
    /// The risk gateway refused an intent; no order was created.
    IntentRejected {
        /// Strategy.
        strategy_id: String,
        /// Instrument.
        instrument: InstrumentId,
        /// Requested side.
        side: Side,
        /// Requested quantity.
        quantity: f64,
        /// The first failing check.
        reason: ReasonCode,
        /// Decision time.
        ts: UnixNanos,
    },
    /// Approved, but the approved quantity rounds to zero at the instrument's size
    /// precision: no order.
    IntentDropped {
        /// Strategy.
        strategy_id: String,
        /// Instrument.
        instrument: InstrumentId,
        /// The approved (unrounded) quantity.
        approved_quantity: f64,
        /// Decision time.
        ts: UnixNanos,
    },
    /// Approved by the gateway, but not sent: order submission is switched off (a
    /// `--no-trading` paper run). No order exists.
    IntentWithheld {
        /// Strategy.
        strategy_id: String,
        /// Instrument.
        instrument: InstrumentId,
        /// Side.
        side: Side,
        /// The approved quantity, rounded to the size precision.
        quantity: f64,
        /// Decision time.
        ts: UnixNanos,
    },
    /// An order (entry or bracket child) was sent to the venue.
    OrderSubmitted {
        /// Order.
        id: ClientOrderId,
        /// When.
        ts: UnixNanos,
    },
    /// The venue accepted an order.
    OrderAccepted {
        /// Order.
        id: ClientOrderId,
        /// When.
        ts: UnixNanos,
    },
    /// A (partial) fill.
    OrderFilled(Fill),
    /// The venue refused an order.
    OrderRejected {
        /// Order.
        id: ClientOrderId,
        /// The venue's reason.
        reason: String,
        /// When.
        ts: UnixNanos,
    },
    /// An order was cancelled (on request, an IOC remainder, an OCO sibling).
    OrderCancelled {
        /// Order.
        id: ClientOrderId,
        /// When.
        ts: UnixNanos,
    },
    /// An order expired (DAY / GTD).
    OrderExpired {
        /// Order.
        id: ClientOrderId,
        /// When.
        ts: UnixNanos,
    },
    /// The run ended: open orders cancelled, positions marked to market.
    RunFinished {
        /// Last event time.
        ts: UnixNanos,
        /// Market events processed.
        events: u64,
        /// Final equity, account currency.
        equity: f64,
    },
}

impl EngineEvent {
    /// A short stable name of the variant (`order_filled`, `intent_rejected`, …), e.g. for
    /// a bus topic.
    pub fn kind(&self) -> &'static str {
        match self {
            EngineEvent::IntentRejected { .. } => "intent_rejected",
            EngineEvent::IntentDropped { .. } => "intent_dropped",
            EngineEvent::IntentWithheld { .. } => "intent_withheld",
            EngineEvent::OrderSubmitted { .. } => "order_submitted",
            EngineEvent::OrderAccepted { .. } => "order_accepted",
            EngineEvent::OrderFilled(_) => "order_filled",
            EngineEvent::OrderRejected { .. } => "order_rejected",
            EngineEvent::OrderCancelled { .. } => "order_cancelled",
            EngineEvent::OrderExpired { .. } => "order_expired",
            EngineEvent::RunFinished { .. } => "run_finished",
        }
    }
}

/// Receives engine events (the app forwards them to the bus; tests collect them).
pub trait EventSink {
    /// One event, in the order things happened.
    fn on_event(&mut self, event: &EngineEvent);
}

/// Discards every event.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl EventSink for NullSink {
    fn on_event(&mut self, _event: &EngineEvent) {}
}

/// Keeps every event in memory.
#[derive(Clone, Debug, Default)]
pub struct VecSink {
    events: Vec<EngineEvent>,
}

impl VecSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }
    /// Everything received, in order.
    pub fn events(&self) -> &[EngineEvent] {
        &self.events
    }
    /// Takes the events out.
    pub fn into_events(self) -> Vec<EngineEvent> {
        self.events
    }
}

impl EventSink for VecSink {
    fn on_event(&mut self, event: &EngineEvent) {
        self.events.push(event.clone());
    }
}

impl<F: FnMut(&EngineEvent)> EventSink for F {
    fn on_event(&mut self, event: &EngineEvent) {
        self(event)
    }
}

/// How long a paper run replaying stored data at `speed`× should wait between two events
/// (`speed` 60 = one simulated minute per wall second). Non-positive or non-finite speeds
/// and out-of-order events mean "no wait" (as fast as possible). The engine itself never
/// sleeps or reads the wall clock: the app's runner paces the iterator with this.
pub fn replay_delay(previous: UnixNanos, next: UnixNanos, speed: f64) -> std::time::Duration {
    let gap = next.as_i64().saturating_sub(previous.as_i64());
    if gap <= 0 || !(speed.is_finite() && speed > 0.0) {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::from_secs_f64(gap as f64 / 1e9 / speed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_delay_scales_the_gap() {
        let t = |s| UnixNanos::from_secs(s);
        assert_eq!(
            replay_delay(t(0), t(60), 60.0),
            std::time::Duration::from_secs(1)
        );
        assert_eq!(replay_delay(t(0), t(60), 0.0), std::time::Duration::ZERO);
        assert_eq!(replay_delay(t(60), t(0), 1.0), std::time::Duration::ZERO);
        assert_eq!(
            replay_delay(t(0), t(3), f64::INFINITY),
            std::time::Duration::ZERO
        );
    }
}
