//! Matching one resting order against one market point.
//! (The conventions are documented on `SimulatedVenue`.)
//!
//! Reference prices: a buy compares the point's buy price (ask, or the path price in bar
//! modes), a sell its sell price (bid). A limit buy is marketable when `ref ≤ limit`, a
//! stop buy triggers when `ref ≥ stop` (mirror for sells). At a "gap" point (a quote, or a
//! bar open) the fill is at `ref`; at an intra-bar point the path crossed the order's own
//! price, so a limit fills at its limit and a stop at its stop. Market and stop fills are
//! slipped against the taker; limit fills never exceed the limit. A triggered stop-limit
//! becomes a limit at the same point, evaluated at the trigger price.

use emp_model::{ClientOrderId, OrderType, Price, Quantity, Side, TimeInForce, UnixNanos};

use super::fees::slip;

/// An order live at the simulated venue.
#[derive(Clone, Debug)]
pub(crate) struct Resting {
    pub(crate) id: ClientOrderId,
    pub(crate) side: Side,
    pub(crate) order_type: OrderType,
    pub(crate) quantity: Quantity,
    pub(crate) filled: Quantity,
    pub(crate) limit: Option<Price>,
    pub(crate) stop: Option<Price>,
    pub(crate) tif: TimeInForce,
    pub(crate) triggered: bool,
    pub(crate) expire_at: Option<UnixNanos>,
    pub(crate) oco: Option<ClientOrderId>,
    pub(crate) fill_count: u32,
    /// Closed during the current pass; removed at its end.
    pub(crate) done: bool,
    /// Already filled in the current bar (bar modes fill an order at most once per bar).
    pub(crate) filled_this_bar: bool,
}

impl Resting {
    pub(crate) fn leaves(&self) -> Quantity {
        self.quantity
            .checked_sub(self.filled)
            .unwrap_or(Quantity::ZERO)
    }
    pub(crate) fn is_immediate(&self) -> bool {
        matches!(self.tif, TimeInForce::Ioc | TimeInForce::Fok)
    }
}

/// One price observation to match against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point {
    pub(crate) ts: UnixNanos,
    pub(crate) buy_ref: Price,
    pub(crate) sell_ref: Price,
    /// Maximum fill size for buys / sells (`None` = uncapped).
    pub(crate) buy_cap: Option<f64>,
    pub(crate) sell_cap: Option<f64>,
    pub(crate) intrabar: bool,
    /// A bar point (orders fill at most once per bar).
    pub(crate) bar: bool,
}

fn limit_reached(side: Side, reference: Price, limit: Price) -> bool {
    match side {
        Side::Buy => reference <= limit,
        Side::Sell => reference >= limit,
    }
}

fn stop_reached(side: Side, reference: Price, stop: Price) -> bool {
    match side {
        Side::Buy => reference >= stop,
        Side::Sell => reference <= stop,
    }
}

/// The price this point would fill `r` at, if any (may set `r.triggered`).
pub(crate) fn fill_price(
    r: &mut Resting,
    pt: &Point,
    slippage_bps: f64,
    tick: Price,
) -> Option<Price> {
    let reference = match r.side {
        Side::Buy => pt.buy_ref,
        Side::Sell => pt.sell_ref,
    };
    match r.order_type {
        OrderType::Market => Some(slip(reference, r.side, slippage_bps, tick)),
        OrderType::Limit => {
            let limit = r.limit?;
            limit_reached(r.side, reference, limit).then_some(if pt.intrabar {
                limit
            } else {
                reference
            })
        }
        OrderType::Stop => {
            let stop = r.stop?;
            if r.triggered || stop_reached(r.side, reference, stop) {
                let base = if pt.intrabar && !r.triggered {
                    stop
                } else {
                    reference
                };
                r.triggered = true;
                Some(slip(base, r.side, slippage_bps, tick))
            } else {
                None
            }
        }
        OrderType::StopLimit => {
            let (stop, limit) = (r.stop?, r.limit?);
            if r.triggered {
                return limit_reached(r.side, reference, limit).then_some(if pt.intrabar {
                    limit
                } else {
                    reference
                });
            }
            if !stop_reached(r.side, reference, stop) {
                return None;
            }
            r.triggered = true;
            let base = if pt.intrabar { stop } else { reference };
            limit_reached(r.side, base, limit).then_some(base)
        }
    }
}

/// The quantity to fill now: the leaves, capped (floored to the size precision). FOK gets
/// all or nothing.
pub(crate) fn fill_quantity(r: &Resting, cap: Option<f64>, size_precision: u8) -> Option<Quantity> {
    let leaves = r.leaves();
    if leaves.is_zero() {
        return None;
    }
    let qty = match cap {
        Some(cap) if cap.is_finite() && cap < leaves.as_f64() => {
            let raw = (cap.max(0.0) * 10f64.powi(i32::from(size_precision))).floor();
            let capped = Quantity::from_raw(raw as u64, size_precision).ok()?;
            capped.min_value(leaves)
        }
        _ => leaves,
    };
    if qty.is_zero() || (r.tif == TimeInForce::Fok && qty < leaves) {
        return None;
    }
    Some(qty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Price {
        s.parse().unwrap()
    }

    fn resting(side: Side, t: OrderType, limit: Option<&str>, stop: Option<&str>) -> Resting {
        Resting {
            id: ClientOrderId::try_new("A").unwrap(),
            side,
            order_type: t,
            quantity: Quantity::from_int(100),
            filled: Quantity::ZERO,
            limit: limit.map(p),
            stop: stop.map(p),
            tif: TimeInForce::Gtc,
            triggered: false,
            expire_at: None,
            oco: None,
            fill_count: 0,
            done: false,
            filled_this_bar: false,
        }
    }

    fn quote(bid: &str, ask: &str) -> Point {
        Point {
            ts: UnixNanos::ZERO,
            buy_ref: p(ask),
            sell_ref: p(bid),
            buy_cap: None,
            sell_cap: None,
            intrabar: false,
            bar: false,
        }
    }

    #[test]
    fn table_of_quote_decisions() {
        use OrderType::*;
        let tick = p("0.01");
        // (side, type, limit, stop, bid, ask, expected price)
        type Case<'a> = (
            Side,
            OrderType,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
            &'a str,
            Option<&'a str>,
        );
        let cases: &[Case<'_>] = &[
            (
                Side::Buy,
                Market,
                None,
                None,
                "9.99",
                "10.01",
                Some("10.01"),
            ),
            (
                Side::Sell,
                Market,
                None,
                None,
                "9.99",
                "10.01",
                Some("9.99"),
            ),
            (Side::Buy, Limit, Some("10.00"), None, "9.99", "10.01", None),
            (
                Side::Buy,
                Limit,
                Some("10.05"),
                None,
                "9.99",
                "10.01",
                Some("10.01"),
            ),
            (
                Side::Sell,
                Limit,
                Some("10.00"),
                None,
                "9.99",
                "10.01",
                None,
            ),
            (
                Side::Sell,
                Limit,
                Some("9.95"),
                None,
                "9.99",
                "10.01",
                Some("9.99"),
            ),
            (Side::Buy, Stop, None, Some("10.02"), "9.99", "10.01", None),
            (
                Side::Buy,
                Stop,
                None,
                Some("10.01"),
                "9.99",
                "10.01",
                Some("10.01"),
            ),
            (
                Side::Sell,
                Stop,
                None,
                Some("9.99"),
                "9.99",
                "10.01",
                Some("9.99"),
            ),
            (Side::Sell, Stop, None, Some("9.98"), "9.99", "10.01", None),
            // Triggered, but the ask is above the limit: no fill yet.
            (
                Side::Buy,
                StopLimit,
                Some("10.00"),
                Some("10.00"),
                "9.99",
                "10.01",
                None,
            ),
            (
                Side::Buy,
                StopLimit,
                Some("10.02"),
                Some("10.00"),
                "9.99",
                "10.01",
                Some("10.01"),
            ),
        ];
        for (i, (side, t, l, s, bid, ask, want)) in cases.iter().enumerate() {
            let mut r = resting(*side, *t, *l, *s);
            let got = fill_price(&mut r, &quote(bid, ask), 0.0, tick);
            assert_eq!(got, want.map(p), "case {i}");
        }
    }

    #[test]
    fn intrabar_fills_at_own_price_and_caps_floor() {
        let mut r = resting(Side::Buy, OrderType::Limit, Some("10.00"), None);
        let pt = Point {
            intrabar: true,
            ..quote("9.50", "9.50")
        };
        assert_eq!(fill_price(&mut r, &pt, 5.0, p("0.01")), Some(p("10.00")));
        assert_eq!(
            fill_quantity(&r, Some(33.7), 0),
            Some(Quantity::from_int(33))
        );
        assert_eq!(fill_quantity(&r, Some(0.4), 0), None);
        r.tif = TimeInForce::Fok;
        assert_eq!(fill_quantity(&r, Some(99.0), 0), None);
        assert_eq!(
            fill_quantity(&r, Some(100.0), 0),
            Some(Quantity::from_int(100))
        );
    }
}
