//! The synchronous trading loop.

mod control;

pub use control::CancelReport;

use emp_execution::{OrderManager, OrderRequest, SimulatedVenue};
use emp_model::{
    ClientOrderId, InstrumentId, InstrumentSpec, OrderEvent, OrderType, Price, Side,
    SimulatedClock, TimeInForce, Timeframe, UnixNanos,
};
use emp_risk::{Intent, PortfolioView, PositionView, RiskGateway, VolatilityEstimator};
use emp_sensory::{Cortex, SensoryReading};
use serde::Serialize;

use crate::config::EngineConfig;
use crate::error::{Error, Result};
use crate::event::{EngineEvent, EventSink, MarketEvent};
use crate::report::RunOutput;
use crate::rounding::{floor_quantity, snap_price};
use crate::strategy::{OrderIntent, Size, Strategy, StrategyContext};
use crate::trades::{TradeBook, TradeRecord};
use crate::venue::MarketVenue;

const DAY_NANOS: i64 = 86_400 * 1_000_000_000;

/// One point of the engine's equity curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EquitySample {
    /// Simulated time.
    pub ts: UnixNanos,
    /// Equity (cash + unrealised PnL), account currency.
    pub equity: f64,
    /// Whether any position was open.
    pub in_market: bool,
}

struct InstrumentState {
    spec: InstrumentSpec,
    bid: Option<Price>,
    ask: Option<Price>,
    last: Option<Price>,
    cortex: Option<Cortex>,
    reading: Option<SensoryReading>,
    /// The protective stop of the latest bracket entry (what risk sees for the position).
    stop: Option<f64>,
    /// Realised volatility of bar closes for the gateway (regime, volatility targeting).
    volatility: VolatilityEstimator,
    book: TradeBook,
}

/// An order the engine sent that is still open. Bracket children are protective and do
/// not count towards the position a target intent aims at.
struct Working {
    id: ClientOrderId,
    instrument: usize,
    signed_leaves: f64,
    child: bool,
}

/// The loop sensory → strategy → risk gateway → order manager → venue → portfolio.
///
/// Per market event, in order:
/// 1. the simulated clock moves to the event time (a bar's close, a tick's time);
/// 2. the venue sees the event (resting orders and bracket children may fill) and the
///    portfolio marks the instrument (quote mid, bar close, trade price);
/// 3. venue reports are applied to the books and turned into [`EngineEvent`]s;
/// 4. the instrument's sensory cortex (if enabled) updates and is read;
/// 5. the strategy turns (event, reading, portfolio) into [`OrderIntent`]s;
/// 6. **every** intent goes through [`RiskGateway::evaluate`] (with the realised
///    volatility of the instrument's bar closes over the gateway's `volatility_window`,
///    annualised with its `regime.periods_per_year` — set those to match the bar
///    timeframe; tick-only instruments report no volatility); a rejection is an
///    [`EngineEvent::IntentRejected`], never an order; an approval becomes an order
///    through [`OrderManager::submit`] (which only accepts `RiskApproved` requests);
/// 7. the venue is advanced to the event time (zero-latency orders arrive and meet the
///    standing quote) and its reports are applied again;
/// 8. equity is sampled (every bar; ticks per `tick_equity_interval_secs`).
///
/// Nothing on this path allocates when no order is sent (no per-event telemetry, reused
/// intent buffer, O(1) strategy windows). [`Engine::finish`] ends a run in order:
/// cancel open orders, mark to market, build the run output.
pub struct Engine<V: MarketVenue = SimulatedVenue> {
    config: EngineConfig,
    strategy: Box<dyn Strategy>,
    gateway: RiskGateway,
    manager: OrderManager,
    venue: V,
    instruments: Vec<InstrumentState>,
    intents: Vec<OrderIntent>,
    working: Vec<Working>,
    next_order: u64,
    started: bool,
    now: UnixNanos,
    clock: SimulatedClock,
    events: u64,
    equity: Vec<EquitySample>,
    peak_equity: f64,
    day: i64,
    day_start_equity: f64,
    bucket: i64,
    trades: Vec<TradeRecord>,
    trade_seq: u64,
    fees: f64,
    orders: u64,
    fills: u64,
    intents_rejected: u64,
    /// Intents the strategy emitted (each one a decision to trade, before risk).
    intents_emitted: u64,
    /// Approved intents not sent because order submission is off (`--no-trading`).
    intents_withheld: u64,
    /// Whether approved intents become orders (see [`Engine::set_order_submission`]).
    submit_orders: bool,
    bar_timeframes: Option<Timeframe>,
    mixed_data: bool,
}

impl<V: MarketVenue> std::fmt::Debug for Engine<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("strategy", &self.strategy.name())
            .field("now", &self.now)
            .field("events", &self.events)
            .field("orders", &self.orders)
            .field("fills", &self.fills)
            .finish_non_exhaustive()
    }
}

impl<V: MarketVenue> Engine<V> {
    /// Wires the parts. The manager and the venue get every instrument registered; the
    /// gateway must already know the strategy (`register_strategy(config.strategy_id,
    /// …)`) — an unknown strategy has every intent rejected (`strategy_disabled`).
    pub fn try_new(
        config: EngineConfig,
        instruments: Vec<InstrumentSpec>,
        strategy: Box<dyn Strategy>,
        gateway: RiskGateway,
        mut manager: OrderManager,
        mut venue: V,
    ) -> Result<Self> {
        config.validate().map_err(Error::InvalidConfig)?;
        if instruments.is_empty() {
            return Err(Error::NoInstruments);
        }
        let (window, periods) = {
            let c = gateway.config();
            (c.volatility_window, c.regime.periods_per_year)
        };
        let mut states = Vec::with_capacity(instruments.len());
        for spec in instruments {
            manager.register(spec.clone());
            venue.list_instrument(&spec);
            let cortex = if config.sensory_enabled {
                Some(Cortex::try_new(config.sensory.clone())?)
            } else {
                None
            };
            states.push(InstrumentState {
                book: TradeBook::new(&spec),
                spec,
                bid: None,
                ask: None,
                last: None,
                cortex,
                reading: None,
                stop: None,
                volatility: VolatilityEstimator::new(window, periods),
            });
        }
        let cash = manager.portfolio().equity();
        Ok(Engine {
            config,
            strategy,
            gateway,
            manager,
            venue,
            instruments: states,
            intents: Vec::with_capacity(8),
            working: Vec::new(),
            next_order: 0,
            started: false,
            now: UnixNanos::ZERO,
            clock: SimulatedClock::new(UnixNanos::ZERO),
            events: 0,
            equity: Vec::new(),
            peak_equity: cash,
            day: i64::MIN,
            day_start_equity: cash,
            bucket: i64::MIN,
            trades: Vec::new(),
            trade_seq: 0,
            fees: 0.0,
            orders: 0,
            fills: 0,
            intents_rejected: 0,
            intents_emitted: 0,
            intents_withheld: 0,
            submit_orders: true,
            bar_timeframes: None,
            mixed_data: false,
        })
    }

    /// Runs every event of `events` through [`Engine::on_event`].
    pub fn run<I>(&mut self, events: I, sink: &mut dyn EventSink) -> Result<()>
    where
        I: IntoIterator<Item = MarketEvent>,
    {
        for event in events {
            self.on_event(&event, sink)?;
        }
        Ok(())
    }

    /// Processes one market event (see the type doc for the steps).
    pub fn on_event(&mut self, event: &MarketEvent, sink: &mut dyn EventSink) -> Result<()> {
        let index = self
            .instruments
            .iter()
            .position(|s| s.spec.id() == event.instrument())
            .ok_or_else(|| Error::UnknownInstrument(event.instrument().clone()))?;
        let ts = event.ts();
        if ts > self.now {
            self.now = ts;
            self.clock.set(ts);
        }
        let now = self.now;
        if !self.started {
            self.manager.start(&self.venue, now)?;
            self.started = true;
            // The curve starts with the untouched account at the start of the data (a
            // bar's open), so the first period's return includes the first trade's costs.
            let start = match event {
                MarketEvent::Bar(b) => b.ts_open,
                _ => ts,
            };
            self.bucket = self.tick_bucket(start);
            self.equity.push(EquitySample {
                ts: start,
                equity: self.manager.portfolio().equity(),
                in_market: false,
            });
        }
        self.events += 1;
        self.note_data_kind(event);

        // 2. Venue and marks.
        self.venue.on_market(event);
        let state = &mut self.instruments[index];
        let portfolio = self.manager.portfolio_mut();
        match event {
            MarketEvent::Quote(q) => {
                state.bid = Some(q.bid);
                state.ask = Some(q.ask);
                portfolio.on_quote(q);
            }
            MarketEvent::Bar(b) => {
                state.last = Some(b.close);
                state.volatility.push_price(b.close.as_f64());
                portfolio.mark(&b.instrument, b.close);
            }
            MarketEvent::Trade(t) => {
                state.last = Some(t.price);
                portfolio.mark(&t.instrument, t.price);
            }
        }
        // 3. Reports from resting orders.
        if self.pump(sink)? > 0 {
            self.settle(sink)?;
        }
        self.roll_day(now);

        // 4. Sensory.
        let state = &mut self.instruments[index];
        if let Some(cortex) = &mut state.cortex {
            match event {
                MarketEvent::Bar(b) => cortex.on_bar(b),
                MarketEvent::Quote(q) => cortex.on_quote(q),
                MarketEvent::Trade(t) => cortex.on_trade(t),
            }
            state.reading = Some(cortex.sense(now));
        }

        // 5. Strategy.
        let mut intents = std::mem::take(&mut self.intents);
        intents.clear();
        {
            let ctx = StrategyContext::new(
                now,
                self.instruments[index].reading.as_ref(),
                self.manager.portfolio(),
            );
            self.strategy.on_event(event, &ctx, &mut intents);
        }
        // 6. Risk and orders.
        self.intents_emitted += intents.len() as u64;
        let mut sent = false;
        for intent in intents.drain(..) {
            sent |= self.handle_intent(intent, sink)?;
        }
        self.intents = intents;
        // 7. Zero-latency orders arrive now (and so do bracket children armed by their
        // fills: settle until the venue has nothing more to say, bounded).
        if sent {
            self.settle(sink)?;
        }
        // 8. Equity.
        match event {
            MarketEvent::Bar(_) => self.sample_equity(now),
            _ => {
                let bucket = self.tick_bucket(now);
                if bucket != self.bucket {
                    self.bucket = bucket;
                    self.sample_equity(now);
                }
            }
        }
        Ok(())
    }

    fn note_data_kind(&mut self, event: &MarketEvent) {
        match event {
            MarketEvent::Bar(b) => match self.bar_timeframes {
                None if self.events == 1 => self.bar_timeframes = Some(b.timeframe),
                Some(tf) if tf == b.timeframe => {}
                _ => self.mixed_data = true,
            },
            _ => self.mixed_data = true,
        }
    }

    fn roll_day(&mut self, now: UnixNanos) {
        let day = now.as_i64().div_euclid(DAY_NANOS);
        if day != self.day {
            self.day = day;
            self.day_start_equity = self.manager.portfolio().equity();
        }
    }

    /// The tick sampling bucket of `ts` (constant when tick sampling is off).
    fn tick_bucket(&self, ts: UnixNanos) -> i64 {
        match self.config.tick_equity_interval_secs {
            0 => 0,
            secs => ts.as_i64().div_euclid(secs as i64 * 1_000_000_000),
        }
    }

    fn sample_equity(&mut self, ts: UnixNanos) {
        let p = self.manager.portfolio();
        let equity = p.equity();
        self.peak_equity = self.peak_equity.max(equity);
        let in_market = p.positions().any(|x| !x.is_flat());
        let len = self.equity.len();
        match self.equity.last_mut() {
            // Two samples at one instant (the final one after the last bar): keep the
            // later state, but never overwrite the starting point.
            Some(last) if last.ts == ts && len > 1 => {
                last.equity = equity;
                last.in_market = in_market;
            }
            _ => self.equity.push(EquitySample {
                ts,
                equity,
                in_market,
            }),
        }
    }

    /// Reference price of a trade on `side`: the ask for a buy / bid for a sell when
    /// quotes are known, else the last bar close or trade price.
    fn reference_price(&self, index: usize, side: Side) -> Option<Price> {
        let s = &self.instruments[index];
        let quoted = match side {
            Side::Buy => s.ask,
            Side::Sell => s.bid,
        };
        quoted.or(s.last)
    }

    fn mid_price(&self, index: usize) -> Option<f64> {
        let s = &self.instruments[index];
        match (s.bid, s.ask) {
            (Some(b), Some(a)) => Some(0.5 * (b.as_f64() + a.as_f64())),
            _ => s.last.map(Price::as_f64),
        }
    }

    fn pending(&self, index: usize) -> f64 {
        self.working
            .iter()
            .filter(|w| w.instrument == index && !w.child)
            .map(|w| w.signed_leaves)
            .sum()
    }

    /// Evaluates one intent; returns whether an order was sent.
    fn handle_intent(&mut self, intent: OrderIntent, sink: &mut dyn EventSink) -> Result<bool> {
        let index = self
            .instruments
            .iter()
            .position(|s| s.spec.id() == &intent.instrument)
            .ok_or_else(|| Error::UnknownInstrument(intent.instrument.clone()))?;
        let size_precision = self.instruments[index].spec.size_precision();
        let position = self
            .manager
            .portfolio()
            .position(&intent.instrument)
            .map_or(0.0, |p| p.signed_quantity());
        let target = match intent.size {
            Size::Quantity { side, quantity } => Err((side, quantity)),
            Size::TargetUnits(t) => Ok(t),
            Size::TargetExposure(f) => {
                let Some(mid) = self.mid_price(index) else {
                    return Ok(false);
                };
                let units = f * self.manager.portfolio().equity() / mid;
                let rounded =
                    floor_quantity(units.abs(), size_precision).map_or(0.0, |q| q.as_f64());
                Ok(rounded.copysign(units))
            }
        };
        let (side, requested) = match target {
            Err(pair) => pair,
            Ok(target) => {
                let delta = target - position - self.pending(index);
                let half_step = 0.5 * 10f64.powi(-i32::from(size_precision));
                if delta.abs() < half_step {
                    return Ok(false);
                }
                // Working orders are superseded below, so trade against the position.
                let delta = target - position;
                let side = if delta > 0.0 { Side::Buy } else { Side::Sell };
                (side, delta.abs())
            }
        };
        if !(requested > 0.0) {
            return Ok(false);
        }
        let reference = match intent.order_type {
            OrderType::Market => self.reference_price(index, side).map(Price::as_f64),
            OrderType::Limit | OrderType::StopLimit => intent.limit_price,
            OrderType::Stop => intent.stop_price,
        };
        let Some(price) = reference else {
            return Ok(false);
        };
        let s = &self.instruments[index];
        let spread_bps = match (s.bid, s.ask) {
            (Some(b), Some(a)) if b.is_positive() => {
                let (b, a) = (b.as_f64(), a.as_f64());
                (a - b) / (0.5 * (a + b)) * 1e4
            }
            _ => 0.0,
        };
        let risk_intent = Intent {
            strategy_id: self.config.strategy_id.clone(),
            instrument: intent.instrument.clone(),
            side,
            quantity: requested,
            price,
            stop_loss: intent.stop_loss,
            confidence: intent.confidence,
            volatility: s.volatility.annualised(),
            spread_bps,
            ts: self.now,
        };
        let view = self.portfolio_view();
        let decision = self.gateway.evaluate(risk_intent, &view, self.now);
        let reason = decision.reason();
        let Some(approved) = decision.into_approved() else {
            self.intents_rejected += 1;
            sink.on_event(&EngineEvent::IntentRejected {
                strategy_id: self.config.strategy_id.clone(),
                instrument: intent.instrument,
                side,
                quantity: requested,
                reason: reason.unwrap_or(emp_risk::ReasonCode::SizeBelowMinimum),
                ts: self.now,
            });
            return Ok(false);
        };
        let Some(quantity) = floor_quantity(approved.quantity, size_precision) else {
            sink.on_event(&EngineEvent::IntentDropped {
                strategy_id: self.config.strategy_id.clone(),
                instrument: intent.instrument,
                approved_quantity: approved.quantity,
                ts: self.now,
            });
            return Ok(false);
        };
        if !self.submit_orders {
            // Risk has spoken; with submission off the decision is reported, not sent.
            self.intents_withheld += 1;
            sink.on_event(&EngineEvent::IntentWithheld {
                strategy_id: self.config.strategy_id.clone(),
                instrument: intent.instrument,
                side,
                quantity: quantity.as_f64(),
                ts: self.now,
            });
            return Ok(false);
        }
        // Supersede the strategy's working orders on this instrument.
        self.cancel_working(index);
        let spec = &self.instruments[index].spec;
        let snap = |p: Option<f64>| p.and_then(|v| snap_price(spec, v));
        let (stop_loss, take_profit) = (snap(intent.stop_loss), snap(intent.take_profit));
        let (limit_price, stop_price) = (snap(intent.limit_price), snap(intent.stop_price));
        let time_in_force = match intent.order_type {
            OrderType::Market => TimeInForce::Ioc,
            _ => intent.time_in_force,
        };
        self.next_order += 1;
        let id = ClientOrderId::try_new(&format!(
            "{}-{}",
            self.config.order_id_prefix, self.next_order
        ))?;
        // The approval is carried over unchanged except for rounding the quantity *down*
        // to the size precision (risk may only ever shrink a trade).
        let request = approved.map(|i| OrderRequest {
            strategy_id: i.strategy_id,
            id,
            instrument: i.instrument,
            side: i.side,
            order_type: intent.order_type,
            quantity,
            limit_price,
            stop_price,
            time_in_force,
            stop_loss,
            take_profit,
        });
        if stop_loss.is_some() {
            self.instruments[index].stop = stop_loss.map(Price::as_f64);
        }
        self.manager.submit(request, &mut self.venue, self.now)?;
        self.orders += 1;
        self.drain_manager_events(sink);
        Ok(true)
    }

    fn cancel_working(&mut self, index: usize) {
        let ids: Vec<ClientOrderId> = self
            .working
            .iter()
            .filter(|w| w.instrument == index)
            .map(|w| w.id.clone())
            .collect();
        for id in ids {
            // Best effort: an order still in flight cannot be cancelled yet (it stays
            // working and counts as pending).
            let _ = self.manager.cancel(&id, &mut self.venue, self.now);
        }
    }

    fn portfolio_view(&self) -> PortfolioView {
        let p = self.manager.portfolio();
        let equity = p.equity();
        let positions = p
            .positions()
            .filter(|x| !x.is_flat())
            .map(|x| {
                let stop = self
                    .instruments
                    .iter()
                    .find(|s| s.spec.id() == x.instrument())
                    .and_then(|s| s.stop);
                PositionView {
                    instrument: x.instrument().clone(),
                    quantity: x.signed_quantity(),
                    mark_price: p.mark_of(x.instrument()).map_or(0.0, Price::as_f64),
                    stop_loss: stop,
                }
            })
            .collect();
        PortfolioView {
            equity,
            peak_equity: self.peak_equity.max(equity),
            day_start_equity: self.day_start_equity,
            positions,
        }
    }

    fn pump(&mut self, sink: &mut dyn EventSink) -> Result<usize> {
        let n = self.manager.pump(&mut self.venue, self.now)?;
        if n > 0 {
            self.drain_manager_events(sink);
        }
        Ok(n)
    }

    /// Advances the venue to `now` and applies its reports until it is quiet.
    fn settle(&mut self, sink: &mut dyn EventSink) -> Result<()> {
        for _ in 0..8 {
            self.venue.advance_to(self.now);
            if self.pump(sink)? == 0 {
                break;
            }
        }
        Ok(())
    }

    fn drain_manager_events(&mut self, sink: &mut dyn EventSink) {
        for (id, event) in self.manager.take_events() {
            let out = match event {
                OrderEvent::Submitted { ts } => {
                    if let Some(o) = self.manager.order(&id) {
                        let index = self
                            .instruments
                            .iter()
                            .position(|s| s.spec.id() == o.instrument());
                        if let Some(index) = index {
                            let sign = o.side().sign() as f64;
                            self.working.push(Working {
                                child: id.as_str().ends_with("-SL") || id.as_str().ends_with("-TP"),
                                id: id.clone(),
                                instrument: index,
                                signed_leaves: sign * o.leaves_quantity().as_f64(),
                            });
                        }
                    }
                    EngineEvent::OrderSubmitted { id, ts }
                }
                OrderEvent::Accepted { ts } => EngineEvent::OrderAccepted { id, ts },
                OrderEvent::Rejected { ts, reason } => {
                    self.forget(&id);
                    EngineEvent::OrderRejected { id, reason, ts }
                }
                OrderEvent::Cancelled { ts } => {
                    self.forget(&id);
                    EngineEvent::OrderCancelled { id, ts }
                }
                OrderEvent::Expired { ts } => {
                    self.forget(&id);
                    EngineEvent::OrderExpired { id, ts }
                }
                OrderEvent::Filled(fill) => {
                    self.on_fill(&id, &fill);
                    EngineEvent::OrderFilled(fill)
                }
            };
            sink.on_event(&out);
        }
    }

    fn forget(&mut self, id: &ClientOrderId) {
        self.working.retain(|w| &w.id != id);
    }

    fn on_fill(&mut self, id: &ClientOrderId, fill: &emp_model::Fill) {
        self.fills += 1;
        let open = self.manager.order(id).map(|o| {
            (
                o.is_open(),
                o.side().sign() as f64 * o.leaves_quantity().as_f64(),
            )
        });
        match open {
            Some((true, leaves)) => {
                if let Some(w) = self.working.iter_mut().find(|w| &w.id == id) {
                    w.signed_leaves = leaves;
                }
            }
            _ => self.forget(id),
        }
        let p = self.manager.portfolio();
        let account = p.account_currency();
        let fee_rate = p.fx().rate(fill.fee.currency(), account).unwrap_or(1.0);
        let fee = fill.fee.as_f64() * fee_rate;
        self.fees += fee;
        let Some(index) = self
            .instruments
            .iter()
            .position(|s| s.spec.id() == &fill.instrument)
        else {
            return;
        };
        let fx = p
            .fx()
            .rate(self.instruments[index].spec.quote_currency(), account)
            .unwrap_or(1.0);
        if let Some(t) = self.instruments[index]
            .book
            .apply(fill, fx, fee, &mut self.trade_seq)
        {
            self.trades.push(t);
        }
        let flat = p.position(&fill.instrument).is_none_or(|x| x.is_flat());
        if flat {
            self.instruments[index].stop = None;
        }
    }

    /// Ends the run in order: cancel every open order, let the venue confirm, mark to
    /// market, take a final equity sample, emit [`EngineEvent::RunFinished`], and return
    /// the run's output (equity curve, trades, counters) for the report.
    pub fn finish(mut self, sink: &mut dyn EventSink) -> Result<RunOutput> {
        self.cancel_open_orders(sink)?;
        if self.started {
            self.sample_equity(self.now);
        }
        let equity = self.manager.portfolio().equity();
        sink.on_event(&EngineEvent::RunFinished {
            ts: self.now,
            events: self.events,
            equity,
        });
        let mut trades = std::mem::take(&mut self.trades);
        let p = self.manager.portfolio();
        for s in &self.instruments {
            let fx = p
                .fx()
                .rate(s.spec.quote_currency(), p.account_currency())
                .unwrap_or(1.0);
            let mark = p.mark_of(s.spec.id()).map(Price::as_f64);
            if let Some(t) = s.book.open_marked(mark, fx, self.trade_seq + 1) {
                self.trade_seq += 1;
                trades.push(t);
            }
        }
        let periods_per_year = match (self.mixed_data, self.bar_timeframes) {
            (false, Some(tf)) if tf == Timeframe::D1 => Some(252.0),
            (false, Some(tf)) if tf == Timeframe::W1 => Some(52.0),
            _ => None,
        };
        Ok(RunOutput {
            strategy: self.strategy.name().to_owned(),
            starting_cash: p.starting_cash(),
            final_equity: equity,
            equity: self.equity,
            trades,
            events: self.events,
            orders: self.orders,
            fills: self.fills,
            intents_rejected: self.intents_rejected,
            fees: self.fees,
            realized_pnl: p.positions().map(|x| x.realized_pnl()).sum(),
            periods_per_year,
        })
    }

    /// Market events processed.
    pub fn events(&self) -> u64 {
        self.events
    }
    /// Orders the engine sent (entries; bracket children are sent by the manager).
    pub fn orders_sent(&self) -> u64 {
        self.orders
    }
    /// Fills applied.
    pub fn fills(&self) -> u64 {
        self.fills
    }
    /// Intents the gateway rejected.
    pub fn intents_rejected(&self) -> u64 {
        self.intents_rejected
    }
    /// The simulated clock's time: the latest event time.
    pub fn now(&self) -> UnixNanos {
        self.now
    }
    /// A handle on the simulated clock (clones share the time), for evaluators and
    /// journals that must stamp with engine time rather than the wall clock.
    pub fn clock(&self) -> SimulatedClock {
        self.clock.clone()
    }
    /// The order manager (orders, fills, portfolio).
    pub fn manager(&self) -> &OrderManager {
        &self.manager
    }
    /// The venue.
    pub fn venue(&self) -> &V {
        &self.venue
    }
    /// The risk gateway.
    pub fn gateway(&self) -> &RiskGateway {
        &self.gateway
    }
    /// The gateway, e.g. for an operator halt.
    pub fn gateway_mut(&mut self) -> &mut RiskGateway {
        &mut self.gateway
    }
    /// Closed trades so far.
    pub fn trades(&self) -> &[TradeRecord] {
        &self.trades
    }
    /// The equity curve so far.
    pub fn equity_curve(&self) -> &[EquitySample] {
        &self.equity
    }
    /// The instrument ids, in registration order.
    pub fn instruments(&self) -> impl Iterator<Item = &InstrumentId> {
        self.instruments.iter().map(|s| s.spec.id())
    }
}
