//! The simulated venue (documented on [`SimulatedVenue`]).

mod config;
mod fees;
mod fill_model;
mod latency;
mod matching;

use std::collections::{BTreeMap, HashMap, VecDeque};

use emp_model::{
    Bar, ClientOrderId, Fill, InstrumentId, InstrumentSpec, OrderStatus, Position, Price, Quantity,
    QuoteTick, Side, TimeInForce, UnixNanos,
};

pub use config::{SimVenueConfig, ValidatedSimVenueConfig};
pub use fees::FeeConfig;
pub use fill_model::{FillMode, SessionCalendar};
pub use latency::LatencyConfig;

use crate::error::Result;
use crate::fx::FxRates;
use crate::portfolio::Portfolio;
use crate::venue::{
    Amend, ExecutionReport, RejectReason, SubmitOrder, Venue, VenueOrderState, VenuePosition,
    VenueSnapshot,
};
use latency::LatencyModel;
use matching::{Point, Resting, fill_price, fill_quantity};

#[derive(Clone, Copy, Debug)]
struct LastMarket {
    bid: Price,
    ask: Price,
    bid_size: Quantity,
    ask_size: Quantity,
}

#[derive(Debug)]
struct Book {
    spec: InstrumentSpec,
    orders: Vec<Resting>,
    last: Option<LastMarket>,
}

#[derive(Debug)]
enum Command {
    Submit(SubmitOrder),
    Cancel(ClientOrderId),
    Replace(Amend),
}

#[derive(Debug)]
struct InFlight {
    due: UnixNanos,
    seq: u64,
    command: Command,
}

/// Everything a fill touches besides the book (split out so the book can stay borrowed).
struct Ledger<'a> {
    reports: &'a mut Vec<ExecutionReport>,
    account: &'a mut Portfolio,
    fills: &'a mut Vec<Fill>,
    positions: &'a mut BTreeMap<InstrumentId, Position>,
    orders: &'a mut BTreeMap<ClientOrderId, VenueOrderState>,
    config: &'a SimVenueConfig,
}

impl Ledger<'_> {
    fn status(&mut self, id: &ClientOrderId, status: OrderStatus) {
        if let Some(o) = self.orders.get_mut(id) {
            o.status = status;
        }
    }

    fn close(&mut self, r: &mut Resting, ts: UnixNanos, expired: bool) {
        r.done = true;
        let (report, status) = if expired {
            (
                ExecutionReport::Expired {
                    id: r.id.clone(),
                    ts,
                },
                OrderStatus::Expired,
            )
        } else {
            (
                ExecutionReport::Cancelled {
                    id: r.id.clone(),
                    ts,
                },
                OrderStatus::Cancelled,
            )
        };
        self.reports.push(report);
        self.status(&r.id, status);
    }

    fn fill(
        &mut self,
        spec: &InstrumentSpec,
        r: &mut Resting,
        price: Price,
        qty: Quantity,
        ts: UnixNanos,
    ) {
        let notional = spec.notional_f64(price, qty);
        let fee = self
            .config
            .fees
            .fee(notional, r.fill_count == 0, spec.quote_currency());
        let fill = Fill {
            order_id: r.id.clone(),
            instrument: spec.id().clone(),
            side: r.side,
            price,
            quantity: qty,
            fee,
            ts,
        };
        r.filled = r.filled.checked_add(qty).unwrap_or(r.quantity);
        r.fill_count += 1;
        // The venue account only drives margin checks; a fill whose currency cannot be
        // converted yet is still a position (below), just not margined.
        let _ = self.account.apply_fill(&fill, "");
        let position = self
            .positions
            .entry(spec.id().clone())
            .or_insert_with(|| Position::from_spec(spec));
        let _ = position.apply_fill(&fill);
        let full = r.leaves().is_zero();
        if let Some(o) = self.orders.get_mut(&r.id) {
            o.filled_quantity = r.filled;
            o.status = if full {
                OrderStatus::Filled
            } else {
                OrderStatus::PartiallyFilled
            };
        }
        if full {
            r.done = true;
        }
        self.fills.push(fill.clone());
        self.reports.push(ExecutionReport::Filled(fill));
    }
}

/// A simulated venue with its own order book per instrument, account and fill journal.
///
/// Orders travel to the venue with the configured latency and become live at
/// `sent + latency`; they are validated on arrival (instrument, session, "no data yet",
/// price on tick and positive, quantity, margin), then matched against quotes or bars
/// according to [`FillMode`]. Market-data calls
/// (`on_quote`, `on_bar`, `advance_to`) drive time; the per-quote path touches only the
/// orders of the quote's instrument and allocates nothing when no order triggers.
///
/// The margin check uses the venue's own [`Portfolio`] (config `account`), marked at every
/// book's last prices when an order arrives; it charges only the part of an order that
/// increases the absolute position and does not reserve margin for other resting orders.
///
/// # Matching
///
/// Reference prices: a buy compares the point's buy price (ask, or the path price in bar
/// modes), a sell its sell price (bid). A limit buy is marketable when `ref ≤ limit`, a
/// stop buy triggers when `ref ≥ stop` (mirror for sells). At a "gap" point (a quote, or a
/// bar open) the fill is at `ref`; at an intra-bar point the path crossed the order's own
/// price, so a limit fills at its limit and a stop at its stop. Market and stop fills are
/// slipped against the taker; limit fills never exceed the limit. A triggered stop-limit
/// becomes a limit at the same point, evaluated at the trigger price.
///
/// Fill modes, the OHLC path convention and the session calendar are documented on
/// [`FillMode`] and [`SessionCalendar`]; fees and slippage on [`FeeConfig`].
#[derive(Debug)]
pub struct SimulatedVenue {
    config: SimVenueConfig,
    latency: LatencyModel,
    books: HashMap<InstrumentId, Book>,
    inflight: VecDeque<InFlight>,
    seq: u64,
    reports: Vec<ExecutionReport>,
    account: Portfolio,
    fills: Vec<Fill>,
    positions: BTreeMap<InstrumentId, Position>,
    orders: BTreeMap<ClientOrderId, VenueOrderState>,
    now: UnixNanos,
}

impl SimulatedVenue {
    /// A venue with no instruments.
    pub fn try_new(config: ValidatedSimVenueConfig) -> Result<Self> {
        let config = config.into_inner();
        Ok(SimulatedVenue {
            latency: LatencyModel::new(&config.latency),
            account: Portfolio::try_new(config.account.clone())?,
            config,
            books: HashMap::new(),
            inflight: VecDeque::new(),
            seq: 0,
            reports: Vec::new(),
            fills: Vec::new(),
            positions: BTreeMap::new(),
            orders: BTreeMap::new(),
            now: UnixNanos::ZERO,
        })
    }

    /// Lists an instrument.
    pub fn add_instrument(&mut self, spec: InstrumentSpec) {
        self.account.register(spec.clone());
        self.books.insert(
            spec.id().clone(),
            Book {
                spec,
                orders: Vec::new(),
                last: None,
            },
        );
    }

    /// FX rates of the venue account (seed rates for instruments quoted in a currency
    /// without a quote feed).
    pub fn fx_mut(&mut self) -> &mut FxRates {
        self.account.fx_mut()
    }

    /// The venue-side account (margin view).
    pub fn account(&self) -> &Portfolio {
        &self.account
    }

    /// Venue time: the latest market-data or command time seen.
    pub fn now(&self) -> UnixNanos {
        self.now
    }

    /// Number of orders live at the venue for an instrument.
    pub fn open_orders(&self, instrument: &InstrumentId) -> usize {
        self.books.get(instrument).map_or(0, |b| b.orders.len())
    }

    /// Commands sent but not yet arrived.
    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    /// Processes a quote: arrivals due by `quote.ts` meet the standing quote, then resting
    /// orders of this instrument are matched against the new one.
    pub fn on_quote(&mut self, quote: &QuoteTick) {
        self.process_due(quote.ts);
        self.now = self.now.max(quote.ts);
        // The venue account is marked lazily (see `sync_account`), keeping this path lean.
        let Self {
            books,
            reports,
            account,
            fills,
            positions,
            orders,
            config,
            ..
        } = self;
        let Some(book) = books.get_mut(&quote.instrument) else {
            return;
        };
        let last = LastMarket {
            bid: quote.bid,
            ask: quote.ask,
            bid_size: quote.bid_size,
            ask_size: quote.ask_size,
        };
        book.last = Some(last);
        if config.fill_mode != FillMode::Quotes || book.orders.is_empty() {
            return;
        }
        let mut ledger = Ledger {
            reports,
            account,
            fills,
            positions,
            orders,
            config,
        };
        let point = quote_point(&last, quote.ts, config.participation_rate);
        match_book(book, &point, &mut ledger, true, None);
    }

    /// Processes a bar (bar fill modes): orders live by `ts_open` trade against it.
    pub fn on_bar(&mut self, bar: &Bar) {
        self.process_due(bar.ts_open);
        self.now = self.now.max(bar.ts_open);
        let Self {
            books,
            reports,
            account,
            fills,
            positions,
            orders,
            config,
            ..
        } = self;
        let Some(book) = books.get_mut(&bar.instrument) else {
            return;
        };
        let mode = config.fill_mode;
        if mode != FillMode::Quotes && !book.orders.is_empty() {
            let cap = config
                .participation_rate
                .filter(|_| bar.volume.is_positive())
                .map(|r| r * bar.volume.as_f64());
            let path = fill_model::bar_path(bar);
            let points = if mode == FillMode::BarOpen {
                &path[..1]
            } else {
                &path[..]
            };
            let mut ledger = Ledger {
                reports,
                account,
                fills,
                positions,
                orders,
                config,
            };
            for r in &mut book.orders {
                r.filled_this_bar = false;
            }
            for (i, price) in points.iter().enumerate() {
                let point = Point {
                    ts: if i == 0 { bar.ts_open } else { bar.ts_close() },
                    buy_ref: *price,
                    sell_ref: *price,
                    buy_cap: cap,
                    sell_cap: cap,
                    intrabar: i > 0,
                    bar: true,
                };
                match_book(book, &point, &mut ledger, i == 0, None);
            }
        }
        book.last = Some(LastMarket {
            bid: bar.close,
            ask: bar.close,
            bid_size: Quantity::ZERO,
            ask_size: Quantity::ZERO,
        });
    }

    /// Advances venue time without market data: arrivals and expiries up to `ts`.
    pub fn advance_to(&mut self, ts: UnixNanos) {
        self.process_due(ts);
        self.now = self.now.max(ts);
        let Self {
            books,
            reports,
            account,
            fills,
            positions,
            orders,
            config,
            ..
        } = self;
        let mut ledger = Ledger {
            reports,
            account,
            fills,
            positions,
            orders,
            config,
        };
        // Deterministic order: sort instrument ids (HashMap iteration order is not).
        let mut ids: Vec<&InstrumentId> = books.keys().collect();
        ids.sort();
        let ids: Vec<InstrumentId> = ids.into_iter().cloned().collect();
        for id in ids {
            if let Some(book) = books.get_mut(&id) {
                expire(book, ts, &mut ledger);
            }
        }
    }

    fn send(&mut self, command: Command, ts: UnixNanos) {
        let due = ts
            .checked_add_nanos(self.latency.draw())
            .unwrap_or(UnixNanos::MAX);
        self.seq += 1;
        let item = InFlight {
            due,
            seq: self.seq,
            command,
        };
        // Keep (due, seq) order; jitter may let a later command overtake an earlier one,
        // as on a real network.
        let at = self
            .inflight
            .partition_point(|x| (x.due, x.seq) <= (item.due, item.seq));
        self.inflight.insert(at, item);
    }

    fn process_due(&mut self, ts: UnixNanos) {
        while self.inflight.front().is_some_and(|x| x.due <= ts) {
            if let Some(item) = self.inflight.pop_front() {
                self.now = self.now.max(item.due);
                match item.command {
                    Command::Submit(order) => self.arrive(order, item.due),
                    Command::Cancel(id) => self.arrive_cancel(&id, item.due),
                    Command::Replace(amend) => self.arrive_replace(amend, item.due),
                }
            }
        }
    }

    fn reject(&mut self, id: &ClientOrderId, ts: UnixNanos, reason: RejectReason, transient: bool) {
        self.reports.push(ExecutionReport::Rejected {
            id: id.clone(),
            ts,
            reason,
            transient,
        });
    }

    fn arrive(&mut self, order: SubmitOrder, ts: UnixNanos) {
        let id = order.id().clone();
        if self
            .orders
            .get(&id)
            .is_some_and(|o| o.status != OrderStatus::Rejected)
        {
            return self.reject(&id, ts, RejectReason::DuplicateOrder, false);
        }
        let Some(book) = self.books.get(order.instrument()) else {
            return self.reject(&id, ts, RejectReason::UnknownInstrument, false);
        };
        let spec = &book.spec;
        if !self.config.session.is_open(ts) {
            return self.reject(&id, ts, RejectReason::MarketClosed, true);
        }
        let Some(last) = book.last else {
            return self.reject(&id, ts, RejectReason::NoMarketData, true);
        };
        let prices_ok = [order.limit_price(), order.stop_price()]
            .into_iter()
            .flatten()
            .all(|p| p.is_positive() && spec.is_on_tick(p));
        if !prices_ok {
            return self.reject(&id, ts, RejectReason::InvalidPrice, false);
        }
        let q = order.quantity();
        if !q.is_positive() || q.rescale(spec.size_precision()).is_err() {
            return self.reject(&id, ts, RejectReason::InvalidQuantity, false);
        }
        self.sync_account(ts);
        // Margin: only for the part of the order that increases the absolute position.
        let current = self
            .positions
            .get(order.instrument())
            .map_or(0.0, Position::signed_quantity);
        let after = current + order.side().sign() as f64 * q.as_f64();
        let added = after.abs() - current.abs();
        if added > 0.0 {
            let reference =
                order
                    .limit_price()
                    .or(order.stop_price())
                    .unwrap_or(match order.side() {
                        Side::Buy => last.ask,
                        Side::Sell => last.bid,
                    });
            match self
                .account
                .margin_for(order.instrument(), added, reference)
            {
                Some(need) if need <= self.account.free_margin() => {}
                _ => return self.reject(&id, ts, RejectReason::InsufficientMargin, false),
            }
        }
        let expire_at = match order.time_in_force() {
            TimeInForce::Gtd(t) => Some(t),
            TimeInForce::Day => Some(self.config.session.day_end(ts)),
            _ => None,
        };
        let resting = Resting {
            id: id.clone(),
            side: order.side(),
            order_type: order.order_type(),
            quantity: q,
            filled: Quantity::zero(q.precision()).unwrap_or(Quantity::ZERO),
            limit: order.limit_price(),
            stop: order.stop_price(),
            tif: order.time_in_force(),
            triggered: false,
            expire_at,
            oco: order.oco_sibling().cloned(),
            fill_count: 0,
            done: false,
            filled_this_bar: false,
        };
        self.orders.insert(
            id.clone(),
            VenueOrderState {
                id: id.clone(),
                instrument: order.instrument().clone(),
                status: OrderStatus::Accepted,
                filled_quantity: resting.filled,
            },
        );
        self.reports.push(ExecutionReport::Accepted { id, ts });
        let Self {
            books,
            reports,
            account,
            fills,
            positions,
            orders,
            config,
            ..
        } = self;
        let Some(book) = books.get_mut(order.instrument()) else {
            return;
        };
        book.orders.push(resting);
        let index = book.orders.len() - 1;
        if config.fill_mode == FillMode::Quotes {
            // It meets the quote standing at its arrival.
            let point = quote_point(&last, ts, config.participation_rate);
            let mut ledger = Ledger {
                reports,
                account,
                fills,
                positions,
                orders,
                config,
            };
            match_book(book, &point, &mut ledger, true, Some(index));
        }
    }

    /// Marks the venue account (and its FX table) at every book's last prices. Done at
    /// each order arrival rather than on every quote: only the margin check reads it.
    fn sync_account(&mut self, ts: UnixNanos) {
        for book in self.books.values() {
            if let Some(last) = book.last {
                let quote = QuoteTick {
                    instrument: book.spec.id().clone(),
                    ts,
                    bid: last.bid,
                    ask: last.ask,
                    bid_size: last.bid_size,
                    ask_size: last.ask_size,
                };
                self.account.on_quote(&quote);
            }
        }
        self.account.refresh_rates();
    }

    fn arrive_cancel(&mut self, id: &ClientOrderId, ts: UnixNanos) {
        let instrument = self.orders.get(id).map(|o| o.instrument.clone());
        let found = instrument.and_then(|i| {
            let book = self.books.get_mut(&i)?;
            let at = book.orders.iter().position(|r| &r.id == id)?;
            Some(book.orders.remove(at))
        });
        match found {
            Some(_) => {
                self.reports
                    .push(ExecutionReport::Cancelled { id: id.clone(), ts });
                if let Some(o) = self.orders.get_mut(id) {
                    o.status = OrderStatus::Cancelled;
                }
            }
            None => self.reports.push(ExecutionReport::CommandRejected {
                id: id.clone(),
                ts,
                reason: "cancel: order not open at the venue".into(),
            }),
        }
    }

    fn arrive_replace(&mut self, amend: Amend, ts: UnixNanos) {
        let instrument = self.orders.get(&amend.id).map(|o| o.instrument.clone());
        let outcome = match instrument.and_then(|i| self.books.get_mut(&i)) {
            None => Err("replace: order not open at the venue"),
            Some(book) => match book.orders.iter_mut().find(|r| r.id == amend.id) {
                None => Err("replace: order not open at the venue"),
                Some(r) => apply_amend(r, &amend, &book.spec),
            },
        };
        match outcome {
            Ok(()) => self.reports.push(ExecutionReport::Replaced { amend, ts }),
            Err(reason) => self.reports.push(ExecutionReport::CommandRejected {
                id: amend.id,
                ts,
                reason: reason.into(),
            }),
        }
    }
}

fn apply_amend(r: &mut Resting, amend: &Amend, spec: &InstrumentSpec) -> Result<(), &'static str> {
    if let Some(q) = amend.quantity {
        if q <= r.filled || q.rescale(spec.size_precision()).is_err() {
            return Err(
                "replace: quantity must exceed the filled quantity and fit the size precision",
            );
        }
    }
    let price_ok = |p: Option<Price>| p.is_none_or(|p| p.is_positive() && spec.is_on_tick(p));
    if !price_ok(amend.limit_price) || !price_ok(amend.stop_price) {
        return Err("replace: price off tick or not positive");
    }
    if amend.limit_price.is_some() && r.limit.is_none()
        || amend.stop_price.is_some() && r.stop.is_none()
    {
        return Err("replace: price field not used by this order type");
    }
    if let Some(q) = amend.quantity {
        r.quantity = q;
    }
    r.limit = amend.limit_price.or(r.limit);
    r.stop = amend.stop_price.or(r.stop);
    Ok(())
}

fn quote_point(last: &LastMarket, ts: UnixNanos, rate: Option<f64>) -> Point {
    let cap = |size: Quantity| {
        rate.filter(|_| size.is_positive())
            .map(|r| r * size.as_f64())
    };
    Point {
        ts,
        buy_ref: last.ask,
        sell_ref: last.bid,
        buy_cap: cap(last.ask_size),
        sell_cap: cap(last.bid_size),
        intrabar: false,
        bar: false,
    }
}

fn expire(book: &mut Book, ts: UnixNanos, ledger: &mut Ledger<'_>) {
    let mut any = false;
    for r in &mut book.orders {
        if let Some(t) = r.expire_at.filter(|t| *t <= ts) {
            ledger.close(r, t, true);
            any = true;
        }
    }
    if any {
        book.orders.retain(|r| !r.done);
    }
}

/// Matches every live order of one book against one point. `first_look` marks the point
/// at which IOC/FOK orders get their only chance; `only` restricts matching to one order
/// (a new arrival meeting the standing quote).
fn match_book(
    book: &mut Book,
    pt: &Point,
    ledger: &mut Ledger<'_>,
    first_look: bool,
    only: Option<usize>,
) {
    let slippage = ledger.config.slippage_bps;
    let tick = book.spec.tick_size();
    let size_precision = book.spec.size_precision();
    let mut any_done = false;
    let range = only.map_or(0..book.orders.len(), |i| i..i + 1);
    for i in range {
        let r = &mut book.orders[i];
        if r.done {
            continue;
        }
        if let Some(t) = r.expire_at.filter(|t| *t <= pt.ts) {
            ledger.close(r, t, true);
            any_done = true;
            continue;
        }
        let mut filled = None;
        if !r.filled_this_bar {
            if let Some(price) = fill_price(r, pt, slippage, tick) {
                let cap = match r.side {
                    Side::Buy => pt.buy_cap,
                    Side::Sell => pt.sell_cap,
                };
                if let Some(qty) = fill_quantity(r, cap, size_precision) {
                    ledger.fill(&book.spec, r, price, qty, pt.ts);
                    r.filled_this_bar = pt.bar;
                    filled = Some(qty);
                }
            }
        }
        if first_look && r.is_immediate() && !r.done {
            ledger.close(r, pt.ts, false);
        }
        any_done |= r.done;
        // One-cancels-other: the sibling shrinks by what this leg filled, and goes when empty.
        if let (Some(qty), Some(sibling)) = (filled, r.oco.clone()) {
            if let Some(s) = book.orders.iter_mut().find(|s| s.id == sibling && !s.done) {
                let leaves = s.leaves().checked_sub(qty).unwrap_or(Quantity::ZERO);
                if leaves.is_zero() {
                    ledger.close(s, pt.ts, false);
                    any_done = true;
                } else if let Ok(q) = s.filled.checked_add(leaves) {
                    s.quantity = q;
                    ledger.reports.push(ExecutionReport::Replaced {
                        amend: Amend {
                            id: s.id.clone(),
                            quantity: Some(q),
                            limit_price: None,
                            stop_price: None,
                        },
                        ts: pt.ts,
                    });
                }
            }
        }
    }
    if any_done {
        book.orders.retain(|r| !r.done);
    }
}

impl Venue for SimulatedVenue {
    fn submit(&mut self, order: &SubmitOrder, ts: UnixNanos) {
        self.send(Command::Submit(order.clone()), ts);
    }

    fn cancel(&mut self, id: &ClientOrderId, ts: UnixNanos) {
        self.send(Command::Cancel(id.clone()), ts);
    }

    fn replace(&mut self, amend: &Amend, ts: UnixNanos) {
        self.send(Command::Replace(amend.clone()), ts);
    }

    fn poll_reports(&mut self, out: &mut Vec<ExecutionReport>) {
        out.append(&mut self.reports);
    }

    fn snapshot(&self) -> VenueSnapshot {
        VenueSnapshot {
            orders: self.orders.values().cloned().collect(),
            fills: self.fills.clone(),
            positions: self
                .positions
                .iter()
                .map(|(id, p)| VenuePosition {
                    instrument: id.clone(),
                    signed_quantity_nanos: p.signed_quantity_nanos(),
                })
                .collect(),
        }
    }
}
