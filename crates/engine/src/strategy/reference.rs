//! The two reference strategies the benchmarks use: buy-and-hold and an SMA crossover.

use std::collections::BTreeMap;

use emp_model::InstrumentId;

use super::params::ParamReader;
use super::rolling::{ExactWindow, nanos_of};
use super::{OrderIntent, Size, Strategy, StrategyContext};
use crate::error::Result;
use crate::event::MarketEvent;

/// Parameters of [`BuyAndHold`].
#[derive(Clone, Debug, PartialEq)]
pub struct BuyAndHoldParams {
    /// `fraction`: share of equity invested at the first event, (0, 10]. Default 1.0.
    pub fraction: f64,
    /// `confidence`: reported to the gateway, [0, 1]. Default 1.0.
    pub confidence: f64,
}

impl Default for BuyAndHoldParams {
    fn default() -> Self {
        BuyAndHoldParams {
            fraction: 1.0,
            confidence: 1.0,
        }
    }
}

impl BuyAndHoldParams {
    /// Parses `fraction`, `confidence`; anything else is an error.
    pub fn from_params(map: &BTreeMap<String, String>) -> Result<Self> {
        let d = Self::default();
        let mut r = ParamReader::new("buy-and-hold", map);
        let p = BuyAndHoldParams {
            fraction: r.f64("fraction", d.fraction, 1e-9, 10.0),
            confidence: r.f64("confidence", d.confidence, 0.0, 1.0),
        };
        r.finish()?;
        Ok(p)
    }
}

/// Buys `fraction × equity` worth of the first instrument it sees, at the first event,
/// and holds it to the end (a `TargetExposure` intent; the engine converts it to units
/// at the reference price and rounds down to the size precision).
#[derive(Clone, Debug)]
pub struct BuyAndHold {
    params: BuyAndHoldParams,
    done: bool,
}

impl BuyAndHold {
    /// A strategy that has not bought yet.
    pub fn new(params: BuyAndHoldParams) -> Self {
        BuyAndHold {
            params,
            done: false,
        }
    }
}

impl Strategy for BuyAndHold {
    fn name(&self) -> &'static str {
        "buy-and-hold"
    }

    fn on_event(
        &mut self,
        event: &MarketEvent,
        _ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    ) {
        if self.done {
            return;
        }
        self.done = true;
        out.push(OrderIntent::market(
            event.instrument().clone(),
            Size::TargetExposure(self.params.fraction),
            self.params.confidence,
        ));
    }
}

/// Parameters of [`SmaCrossover`].
#[derive(Clone, Debug, PartialEq)]
pub struct SmaCrossoverParams {
    /// `fast`: events in the fast average, ≥ 1. Default 10.
    pub fast: usize,
    /// `slow`: events in the slow average, > fast. Default 50.
    pub slow: usize,
    /// `quantity`: units held long (or short), > 0. Default 100 000.
    pub quantity: f64,
    /// `allow_short`: go short when fast < slow (else flat). Default true.
    pub allow_short: bool,
    /// `confidence`: reported to the gateway, [0, 1]. Default 1.0.
    pub confidence: f64,
}

impl Default for SmaCrossoverParams {
    fn default() -> Self {
        SmaCrossoverParams {
            fast: 10,
            slow: 50,
            quantity: 100_000.0,
            allow_short: true,
            confidence: 1.0,
        }
    }
}

impl SmaCrossoverParams {
    /// Parses `fast`, `slow`, `quantity`, `allow_short`, `confidence`.
    pub fn from_params(map: &BTreeMap<String, String>) -> Result<Self> {
        let d = Self::default();
        let mut r = ParamReader::new("sma-crossover", map);
        let p = SmaCrossoverParams {
            fast: r.usize("fast", d.fast, 1),
            slow: r.usize("slow", d.slow, 2),
            quantity: r.f64_above("quantity", d.quantity, 0.0),
            allow_short: r.bool("allow_short", d.allow_short),
            confidence: r.f64("confidence", d.confidence, 0.0, 1.0),
        };
        r.check(
            p.fast < p.slow,
            "slow",
            format!("must be > fast ({}), got {}", p.fast, p.slow),
        );
        r.finish()?;
        Ok(p)
    }
}

/// Simple-moving-average crossover on the event price (bar close, quote mid, trade price).
///
/// `fast` and `slow` are SMAs over the last `fast` / `slow` events including the current
/// one. No signal until `slow` events were seen. Target `+quantity` when fast > slow,
/// `−quantity` (or 0 without shorts) when fast < slow, unchanged when equal; whenever the
/// target differs from the position one market order trades the difference.
///
/// The averages are exact: prices are summed as fixed-point integers (quote mids as
/// `bid + ask`, i.e. twice the mid, which leaves the comparison unchanged) and compared as
/// `sum_fast × slow > sum_slow × fast`, so no crossover depends on float rounding. Each
/// update is O(1) and allocation-free.
///
/// It has no stop: run it under [`crate::benchmark_risk_config`]. Under a profile that
/// rejects its intents it asks again on every event while the position is off target
/// (each refusal is an `IntentRejected` event), as the benchmark spec's "whenever the
/// target differs from the position" demands.
#[derive(Clone, Debug)]
pub struct SmaCrossover {
    params: SmaCrossoverParams,
    instrument: Option<InstrumentId>,
    fast: ExactWindow,
    slow: ExactWindow,
    target: f64,
    /// The position equalled `target` when last looked at. Only this strategy's orders
    /// move the position, so while the target is unchanged there is nothing to re-check
    /// (saves a portfolio lookup per event).
    synced: bool,
}

impl SmaCrossover {
    /// A strategy with empty windows.
    pub fn new(params: SmaCrossoverParams) -> Self {
        SmaCrossover {
            fast: ExactWindow::new(params.fast),
            slow: ExactWindow::new(params.slow),
            params,
            instrument: None,
            target: 0.0,
            synced: true,
        }
    }

    /// The current target position (0 before the first signal).
    pub fn target(&self) -> f64 {
        self.target
    }
}

/// Twice the event price, exact, in 1e-9 units.
fn doubled_price(event: &MarketEvent) -> i128 {
    match event {
        MarketEvent::Bar(b) => 2 * nanos_of(b.close.raw(), b.close.precision()),
        MarketEvent::Quote(q) => {
            nanos_of(q.bid.raw(), q.bid.precision()) + nanos_of(q.ask.raw(), q.ask.precision())
        }
        MarketEvent::Trade(t) => 2 * nanos_of(t.price.raw(), t.price.precision()),
    }
}

impl Strategy for SmaCrossover {
    fn name(&self) -> &'static str {
        "sma-crossover"
    }

    fn on_event(
        &mut self,
        event: &MarketEvent,
        ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    ) {
        let instrument = match &self.instrument {
            Some(i) if i != event.instrument() => return,
            Some(i) => i,
            None => self.instrument.insert(event.instrument().clone()),
        };
        let p = doubled_price(event);
        self.fast.push(p);
        self.slow.push(p);
        if !self.slow.is_full() {
            return;
        }
        let lhs = self.fast.sum() * self.slow.capacity() as i128;
        let rhs = self.slow.sum() * self.fast.capacity() as i128;
        let q = self.params.quantity;
        let target = if lhs > rhs {
            q
        } else if lhs < rhs {
            if self.params.allow_short { -q } else { 0.0 }
        } else {
            self.target
        };
        if target == self.target && self.synced {
            return;
        }
        self.target = target;
        self.synced = ctx.position(instrument) == target;
        if !self.synced {
            out.push(OrderIntent::target_units(
                instrument.clone(),
                self.target,
                self.params.confidence,
            ));
        }
    }
}
