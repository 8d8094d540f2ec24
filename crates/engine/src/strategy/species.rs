//! The five species of the evolution catalogue as hand-written strategies.
//!
//! Common conventions: the price is the event price (bar close, quote mid, trade
//! price); each strategy follows the first instrument it sees; positions are sized as a
//! signed fraction of equity (`exposure`) and sent as `TargetExposure` market orders
//! only when the strategy's signal *changes* (so a stop-loss exit is not re-entered on
//! the next event); confidence is `confidence` adjusted by the sensory reading (see the
//! crate doc). Stops and targets are fractions of the entry price.

use std::collections::BTreeMap;

use emp_model::{InstrumentId, OrderType, Side, TimeInForce};

use super::params::ParamReader;
use super::rolling::{Ema, FloatWindow};
use super::{OrderIntent, Size, Strategy, StrategyContext, sensed_confidence};
use crate::error::Result;
use crate::event::MarketEvent;

/// Follows the first instrument seen; returns it, or `None` for other instruments.
fn follow<'a>(slot: &'a mut Option<InstrumentId>, event: &MarketEvent) -> Option<&'a InstrumentId> {
    match slot {
        Some(i) if i != event.instrument() => None,
        Some(i) => Some(i),
        None => Some(slot.insert(event.instrument().clone())),
    }
}

/// When a species' `signal` differs from its last one (`self.signal`), records it and emits
/// the intent with the species' common parameters (`self.p.exposure`, `stop_loss_pct`,
/// `take_profit_pct`, `confidence`).
macro_rules! emit_on_change {
    ($s:ident, $signal:expr, $instrument:expr, $price:expr, $ctx:expr, $out:expr) => {{
        let signal = $signal;
        if signal != $s.signal {
            $s.signal = signal;
            let p = &$s.p;
            signal_intent(
                $instrument,
                signal,
                p.exposure,
                $price,
                p.stop_loss_pct,
                p.take_profit_pct,
                p.confidence,
                $ctx,
                $out,
            );
        }
    }};
}

/// Emits a target-exposure intent for `signal` ∈ {−1, 0, 1} with a bracket around `price`.
#[allow(clippy::too_many_arguments)]
fn signal_intent(
    instrument: &InstrumentId,
    signal: i8,
    exposure: f64,
    price: f64,
    stop_pct: f64,
    take_pct: f64,
    confidence: f64,
    ctx: &StrategyContext<'_>,
    out: &mut Vec<OrderIntent>,
) {
    let dir = f64::from(signal);
    let mut intent = OrderIntent::market(
        instrument.clone(),
        Size::TargetExposure(dir * exposure),
        sensed_confidence(confidence, if signal == 0 { 1.0 } else { dir }, ctx),
    );
    if signal != 0 {
        let stop = (stop_pct > 0.0).then_some(price * (1.0 - dir * stop_pct));
        let take = (take_pct > 0.0).then_some(price * (1.0 + dir * take_pct));
        intent = intent.with_bracket(stop, take);
    }
    out.push(intent);
}

macro_rules! common_params {
    ($r:ident, $d:ident) => {
        (
            $r.f64("exposure", $d.exposure, 0.0, 10.0),
            $r.f64("stop_loss_pct", $d.stop_loss_pct, 0.0, 0.5),
            $r.f64("take_profit_pct", $d.take_profit_pct, 0.0, 5.0),
            $r.f64("confidence", $d.confidence, 0.0, 1.0),
        )
    };
}

// ---------------------------------------------------------------- trend rider

/// Parameters of [`TrendRider`].
#[derive(Clone, Debug, PartialEq)]
pub struct TrendRiderParams {
    /// `fast`: fast EMA period, ≥ 1. Default 20.
    pub fast: usize,
    /// `slow`: slow EMA period, > fast. Default 100.
    pub slow: usize,
    /// `allow_short`. Default true.
    pub allow_short: bool,
    /// `exposure`: |target| as a fraction of equity, [0, 10]. Default 0.5.
    pub exposure: f64,
    /// `stop_loss_pct`: protective stop distance, [0, 0.5] (0 = none). Default 0.02.
    pub stop_loss_pct: f64,
    /// `take_profit_pct`: target distance, [0, 5] (0 = none). Default 0.
    pub take_profit_pct: f64,
    /// `confidence`: base confidence. Default 0.8.
    pub confidence: f64,
}

impl Default for TrendRiderParams {
    fn default() -> Self {
        TrendRiderParams {
            fast: 20,
            slow: 100,
            allow_short: true,
            exposure: 0.5,
            stop_loss_pct: 0.02,
            take_profit_pct: 0.0,
            confidence: 0.8,
        }
    }
}

impl TrendRiderParams {
    /// Parses `fast slow allow_short exposure stop_loss_pct take_profit_pct confidence`.
    pub fn from_params(map: &BTreeMap<String, String>) -> Result<Self> {
        let d = Self::default();
        let mut r = ParamReader::new("trend-rider", map);
        let fast = r.usize("fast", d.fast, 1);
        let slow = r.usize("slow", d.slow, 2);
        let allow_short = r.bool("allow_short", d.allow_short);
        let (exposure, stop_loss_pct, take_profit_pct, confidence) = common_params!(r, d);
        r.check(
            fast < slow,
            "slow",
            format!("must be > fast ({fast}), got {slow}"),
        );
        r.finish()?;
        Ok(TrendRiderParams {
            fast,
            slow,
            allow_short,
            exposure,
            stop_loss_pct,
            take_profit_pct,
            confidence,
        })
    }
}

/// Trend following: long while EMA(fast) > EMA(slow), short (or flat) while below, once
/// `slow` events were seen; each entry carries a stop `stop_loss_pct` away.
#[derive(Clone, Debug)]
pub struct TrendRider {
    p: TrendRiderParams,
    instrument: Option<InstrumentId>,
    fast: Ema,
    slow: Ema,
    signal: i8,
}

impl TrendRider {
    /// A fresh strategy.
    pub fn new(p: TrendRiderParams) -> Self {
        TrendRider {
            fast: Ema::new(p.fast),
            slow: Ema::new(p.slow),
            p,
            instrument: None,
            signal: 0,
        }
    }
}

impl Strategy for TrendRider {
    fn name(&self) -> &'static str {
        "trend-rider"
    }
    fn on_event(
        &mut self,
        event: &MarketEvent,
        ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    ) {
        let Some(instrument) = follow(&mut self.instrument, event) else {
            return;
        };
        let price = event.price_f64();
        let f = self.fast.push(price);
        let s = self.slow.push(price);
        if self.slow.count() < self.p.slow {
            return;
        }
        let signal = if f > s {
            1
        } else if f < s {
            if self.p.allow_short { -1 } else { 0 }
        } else {
            self.signal
        };
        emit_on_change!(self, signal, instrument, price, ctx, out);
    }
}

// ---------------------------------------------------------------- mean reversion

/// Parameters of [`MeanReversion`].
#[derive(Clone, Debug, PartialEq)]
pub struct MeanReversionParams {
    /// `window`: events in the rolling mean and deviation, ≥ 2. Default 20.
    pub window: usize,
    /// `entry_z`: |z-score| that opens a position, > 0. Default 2.0.
    pub entry_z: f64,
    /// `exit_z`: |z-score| below which the position is closed, [0, entry_z). Default 0.5.
    pub exit_z: f64,
    /// `exposure`. Default 0.5.
    pub exposure: f64,
    /// `stop_loss_pct`. Default 0.03.
    pub stop_loss_pct: f64,
    /// `take_profit_pct`. Default 0.
    pub take_profit_pct: f64,
    /// `confidence`. Default 0.7.
    pub confidence: f64,
}

impl Default for MeanReversionParams {
    fn default() -> Self {
        MeanReversionParams {
            window: 20,
            entry_z: 2.0,
            exit_z: 0.5,
            exposure: 0.5,
            stop_loss_pct: 0.03,
            take_profit_pct: 0.0,
            confidence: 0.7,
        }
    }
}

impl MeanReversionParams {
    /// Parses `window entry_z exit_z exposure stop_loss_pct take_profit_pct confidence`.
    pub fn from_params(map: &BTreeMap<String, String>) -> Result<Self> {
        let d = Self::default();
        let mut r = ParamReader::new("mean-reversion", map);
        let window = r.usize("window", d.window, 2);
        let entry_z = r.f64_above("entry_z", d.entry_z, 0.0);
        let exit_z = r.f64("exit_z", d.exit_z, 0.0, 100.0);
        let (exposure, stop_loss_pct, take_profit_pct, confidence) = common_params!(r, d);
        r.check(
            exit_z < entry_z,
            "exit_z",
            format!("must be < entry_z ({entry_z}), got {exit_z}"),
        );
        r.finish()?;
        Ok(MeanReversionParams {
            window,
            entry_z,
            exit_z,
            exposure,
            stop_loss_pct,
            take_profit_pct,
            confidence,
        })
    }
}

/// Fades stretches: `z = (price − mean) ÷ std` over `window` events (the window before
/// the current price); long when z < −entry_z, short when z > entry_z, flat when
/// |z| < exit_z.
#[derive(Clone, Debug)]
pub struct MeanReversion {
    p: MeanReversionParams,
    instrument: Option<InstrumentId>,
    window: FloatWindow,
    signal: i8,
}

impl MeanReversion {
    /// A fresh strategy.
    pub fn new(p: MeanReversionParams) -> Self {
        MeanReversion {
            window: FloatWindow::new(p.window),
            p,
            instrument: None,
            signal: 0,
        }
    }
}

impl Strategy for MeanReversion {
    fn name(&self) -> &'static str {
        "mean-reversion"
    }
    fn on_event(
        &mut self,
        event: &MarketEvent,
        ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    ) {
        let Some(instrument) = follow(&mut self.instrument, event) else {
            return;
        };
        let price = event.price_f64();
        let ready = self.window.is_full();
        let (mean, std) = (self.window.mean(), self.window.std());
        self.window.push(price);
        if !ready || !(std > 0.0) {
            return;
        }
        let z = (price - mean) / std;
        let signal = if z < -self.p.entry_z {
            1
        } else if z > self.p.entry_z {
            -1
        } else if z.abs() < self.p.exit_z {
            0
        } else {
            self.signal
        };
        emit_on_change!(self, signal, instrument, price, ctx, out);
    }
}

// ---------------------------------------------------------------- carry overlay

/// Parameters of [`CarryOverlay`].
#[derive(Clone, Debug, PartialEq)]
pub struct CarryOverlayParams {
    /// `carry`: annual interest differential earned long (base rate − quote rate), e.g.
    /// 0.02. The engine's input is market data only, so the app supplies it (from the
    /// rates store). Default 0.
    pub carry: f64,
    /// `min_carry`: |carry| below which no position is held, ≥ 0. Default 0.005.
    pub min_carry: f64,
    /// `trend_window`: events in the SMA trend filter, ≥ 2. Default 50.
    pub trend_window: usize,
    /// `exposure`. Default 0.5.
    pub exposure: f64,
    /// `stop_loss_pct`. Default 0.02.
    pub stop_loss_pct: f64,
    /// `take_profit_pct`. Default 0.
    pub take_profit_pct: f64,
    /// `confidence`. Default 0.7.
    pub confidence: f64,
}

impl Default for CarryOverlayParams {
    fn default() -> Self {
        CarryOverlayParams {
            carry: 0.0,
            min_carry: 0.005,
            trend_window: 50,
            exposure: 0.5,
            stop_loss_pct: 0.02,
            take_profit_pct: 0.0,
            confidence: 0.7,
        }
    }
}

impl CarryOverlayParams {
    /// Parses `carry min_carry trend_window exposure stop_loss_pct take_profit_pct confidence`.
    pub fn from_params(map: &BTreeMap<String, String>) -> Result<Self> {
        let d = Self::default();
        let mut r = ParamReader::new("carry-overlay", map);
        let carry = r.f64("carry", d.carry, -1.0, 1.0);
        let min_carry = r.f64("min_carry", d.min_carry, 0.0, 1.0);
        let trend_window = r.usize("trend_window", d.trend_window, 2);
        let (exposure, stop_loss_pct, take_profit_pct, confidence) = common_params!(r, d);
        r.finish()?;
        Ok(CarryOverlayParams {
            carry,
            min_carry,
            trend_window,
            exposure,
            stop_loss_pct,
            take_profit_pct,
            confidence,
        })
    }
}

/// Holds the positive-carry side (long when `carry > 0`, short when `< 0`) while the
/// price trend does not fight it (price above its SMA for a long, below for a short);
/// flat otherwise or when |carry| < min_carry.
#[derive(Clone, Debug)]
pub struct CarryOverlay {
    p: CarryOverlayParams,
    instrument: Option<InstrumentId>,
    window: FloatWindow,
    signal: i8,
}

impl CarryOverlay {
    /// A fresh strategy.
    pub fn new(p: CarryOverlayParams) -> Self {
        CarryOverlay {
            window: FloatWindow::new(p.trend_window),
            p,
            instrument: None,
            signal: 0,
        }
    }
}

impl Strategy for CarryOverlay {
    fn name(&self) -> &'static str {
        "carry-overlay"
    }
    fn on_event(
        &mut self,
        event: &MarketEvent,
        ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    ) {
        let Some(instrument) = follow(&mut self.instrument, event) else {
            return;
        };
        let price = event.price_f64();
        self.window.push(price);
        if !self.window.is_full() {
            return;
        }
        let carry_side: i8 = if self.p.carry.abs() < self.p.min_carry {
            0
        } else if self.p.carry > 0.0 {
            1
        } else {
            -1
        };
        let trend: i8 = if price > self.window.mean() { 1 } else { -1 };
        let signal = if carry_side != 0 && trend == carry_side {
            carry_side
        } else {
            0
        };
        emit_on_change!(self, signal, instrument, price, ctx, out);
    }
}

// ---------------------------------------------------------------- volatility breakout

/// Parameters of [`VolatilityBreakout`].
#[derive(Clone, Debug, PartialEq)]
pub struct VolatilityBreakoutParams {
    /// `window`: events in the channel, ≥ 2. Default 20.
    pub window: usize,
    /// `allow_short`. Default true.
    pub allow_short: bool,
    /// `exposure`. Default 0.5.
    pub exposure: f64,
    /// `stop_loss_pct`. Default 0.02.
    pub stop_loss_pct: f64,
    /// `take_profit_pct`. Default 0.04.
    pub take_profit_pct: f64,
    /// `confidence`. Default 0.75.
    pub confidence: f64,
}

impl Default for VolatilityBreakoutParams {
    fn default() -> Self {
        VolatilityBreakoutParams {
            window: 20,
            allow_short: true,
            exposure: 0.5,
            stop_loss_pct: 0.02,
            take_profit_pct: 0.04,
            confidence: 0.75,
        }
    }
}

impl VolatilityBreakoutParams {
    /// Parses `window allow_short exposure stop_loss_pct take_profit_pct confidence`.
    pub fn from_params(map: &BTreeMap<String, String>) -> Result<Self> {
        let d = Self::default();
        let mut r = ParamReader::new("volatility-breakout", map);
        let window = r.usize("window", d.window, 2);
        let allow_short = r.bool("allow_short", d.allow_short);
        let (exposure, stop_loss_pct, take_profit_pct, confidence) = common_params!(r, d);
        r.finish()?;
        Ok(VolatilityBreakoutParams {
            window,
            allow_short,
            exposure,
            stop_loss_pct,
            take_profit_pct,
            confidence,
        })
    }
}

/// Donchian breakout: long when the price closes above the highest price of the previous
/// `window` events, short below the lowest; back to flat when the price crosses the
/// channel's midpoint against the position.
#[derive(Clone, Debug)]
pub struct VolatilityBreakout {
    p: VolatilityBreakoutParams,
    instrument: Option<InstrumentId>,
    window: FloatWindow,
    signal: i8,
}

impl VolatilityBreakout {
    /// A fresh strategy.
    pub fn new(p: VolatilityBreakoutParams) -> Self {
        VolatilityBreakout {
            window: FloatWindow::new(p.window),
            p,
            instrument: None,
            signal: 0,
        }
    }
}

impl Strategy for VolatilityBreakout {
    fn name(&self) -> &'static str {
        "volatility-breakout"
    }
    fn on_event(
        &mut self,
        event: &MarketEvent,
        ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    ) {
        let Some(instrument) = follow(&mut self.instrument, event) else {
            return;
        };
        let price = event.price_f64();
        let ready = self.window.is_full();
        let (hi, lo) = (self.window.max(), self.window.min());
        self.window.push(price);
        if !ready {
            return;
        }
        let mid = 0.5 * (hi + lo);
        let signal = if price > hi {
            1
        } else if price < lo {
            if self.p.allow_short { -1 } else { 0 }
        } else if (self.signal > 0 && price < mid) || (self.signal < 0 && price > mid) {
            0
        } else {
            self.signal
        };
        emit_on_change!(self, signal, instrument, price, ctx, out);
    }
}

// ---------------------------------------------------------------- liquidity scalper

/// Parameters of [`LiquidityScalper`].
#[derive(Clone, Debug, PartialEq)]
pub struct LiquidityScalperParams {
    /// `window`: quotes in the rolling mean mid, ≥ 2. Default 100.
    pub window: usize,
    /// `edge_bps`: how far below (above) the mean the mid must be to bid (offer), > 0. Default 2.
    pub edge_bps: f64,
    /// `max_spread_bps`: only quote when the spread is at most this, > 0. Default 1.5.
    pub max_spread_bps: f64,
    /// `quantity`: units per order, > 0. Default 10 000.
    pub quantity: f64,
    /// `take_profit_bps`, > 0. Default 3.
    pub take_profit_bps: f64,
    /// `stop_loss_bps`, > 0. Default 5.
    pub stop_loss_bps: f64,
    /// `confidence`. Default 0.7.
    pub confidence: f64,
}

impl Default for LiquidityScalperParams {
    fn default() -> Self {
        LiquidityScalperParams {
            window: 100,
            edge_bps: 2.0,
            max_spread_bps: 1.5,
            quantity: 10_000.0,
            take_profit_bps: 3.0,
            stop_loss_bps: 5.0,
            confidence: 0.7,
        }
    }
}

impl LiquidityScalperParams {
    /// Parses `window edge_bps max_spread_bps quantity take_profit_bps stop_loss_bps confidence`.
    pub fn from_params(map: &BTreeMap<String, String>) -> Result<Self> {
        let d = Self::default();
        let mut r = ParamReader::new("liquidity-scalper", map);
        let p = LiquidityScalperParams {
            window: r.usize("window", d.window, 2),
            edge_bps: r.f64_above("edge_bps", d.edge_bps, 0.0),
            max_spread_bps: r.f64_above("max_spread_bps", d.max_spread_bps, 0.0),
            quantity: r.f64_above("quantity", d.quantity, 0.0),
            take_profit_bps: r.f64_above("take_profit_bps", d.take_profit_bps, 0.0),
            stop_loss_bps: r.f64_above("stop_loss_bps", d.stop_loss_bps, 0.0),
            confidence: r.f64("confidence", d.confidence, 0.0, 1.0),
        };
        r.finish()?;
        Ok(p)
    }
}

/// Quote-driven scalper: when flat and the spread is tight, a mid `edge_bps` below its
/// rolling mean posts a day limit buy at the bid (above: a sell at the ask) with a
/// bracket `take_profit_bps` / `stop_loss_bps` away. Ignores bars and trades.
#[derive(Clone, Debug)]
pub struct LiquidityScalper {
    p: LiquidityScalperParams,
    instrument: Option<InstrumentId>,
    window: FloatWindow,
}

impl LiquidityScalper {
    /// A fresh strategy.
    pub fn new(p: LiquidityScalperParams) -> Self {
        LiquidityScalper {
            window: FloatWindow::new(p.window),
            p,
            instrument: None,
        }
    }
}

impl Strategy for LiquidityScalper {
    fn name(&self) -> &'static str {
        "liquidity-scalper"
    }
    fn on_event(
        &mut self,
        event: &MarketEvent,
        ctx: &StrategyContext<'_>,
        out: &mut Vec<OrderIntent>,
    ) {
        let MarketEvent::Quote(q) = event else { return };
        let Some(instrument) = follow(&mut self.instrument, event) else {
            return;
        };
        let mid = q.mid_f64();
        let ready = self.window.is_full();
        let mean = self.window.mean();
        self.window.push(mid);
        if !ready || ctx.position(instrument) != 0.0 || !(mid > 0.0) {
            return;
        }
        let spread_bps = (q.ask.as_f64() - q.bid.as_f64()) / mid * 1e4;
        let dev_bps = (mid - mean) / mean * 1e4;
        if spread_bps > self.p.max_spread_bps || dev_bps.abs() < self.p.edge_bps {
            return;
        }
        let (side, price, dir) = if dev_bps < 0.0 {
            (Side::Buy, q.bid.as_f64(), 1.0)
        } else {
            (Side::Sell, q.ask.as_f64(), -1.0)
        };
        let p = &self.p;
        out.push(OrderIntent {
            instrument: instrument.clone(),
            size: Size::Quantity {
                side,
                quantity: p.quantity,
            },
            order_type: OrderType::Limit,
            limit_price: Some(price),
            stop_price: None,
            time_in_force: TimeInForce::Gtc,
            stop_loss: Some(price * (1.0 - dir * p.stop_loss_bps / 1e4)),
            take_profit: Some(price * (1.0 + dir * p.take_profit_bps / 1e4)),
            confidence: sensed_confidence(p.confidence, dir, ctx),
        });
    }
}
