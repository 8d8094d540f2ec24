//! Round-trip trades built from fills: a trade opens when a position leaves flat and
//! closes when it returns to flat (a reversal closes one trade and opens the next at the
//! same fill).

use emp_model::{Fill, InstrumentId, Side, UnixNanos};
use serde::Serialize;

/// Long or short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Bought first.
    Long,
    /// Sold first.
    Short,
}

impl Direction {
    /// `"long"` / `"short"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Long => "long",
            Direction::Short => "short",
        }
    }
    fn sign(self) -> f64 {
        match self {
            Direction::Long => 1.0,
            Direction::Short => -1.0,
        }
    }
}

/// One round trip. Entry and exit prices are volume-weighted over the fills that
/// opened / closed it; `pnl` is gross, measured with the average-cost method (a partial
/// exit leaves the cost of the remaining units unchanged, as `emp_model::Position` does,
/// so the trades of an instrument sum to its position PnL) (account currency, at each closing fill's FX rate);
/// `fees` are the fees of its fills (a reversal fill's fee is split by quantity).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradeRecord {
    /// Sequence number from 1, in closing order (open trades last).
    pub id: u64,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Long or short.
    pub direction: Direction,
    /// Units opened in total.
    pub quantity: f64,
    /// First entry fill time.
    pub entry_ts: UnixNanos,
    /// Entry VWAP.
    pub entry_price: f64,
    /// Last exit fill time (`None` while open).
    pub exit_ts: Option<UnixNanos>,
    /// Exit VWAP (`None` while open; for an open trade at the end of a run the report
    /// fills in the final mark).
    pub exit_price: Option<f64>,
    /// Gross PnL in the account currency (realised; for an open trade the unrealised PnL
    /// at the final mark).
    pub pnl: f64,
    /// Fees in the account currency.
    pub fees: f64,
    /// Whether the trade is closed.
    pub closed: bool,
    /// Price decimals of the instrument (CSV formatting).
    pub price_precision: u8,
    /// Size decimals of the instrument (CSV formatting).
    pub size_precision: u8,
}

impl TradeRecord {
    /// PnL net of fees.
    pub fn net_pnl(&self) -> f64 {
        self.pnl - self.fees
    }
}

#[derive(Clone, Debug)]
struct Open {
    direction: Direction,
    open_nanos: i128,
    /// Quantities in 1e-9 units, notionals in 1e-18 (price nanos × quantity nanos): exact,
    /// so a single-fill VWAP is exactly the fill price.
    entry_qty: i128,
    entry_notional: i128,
    exit_qty: i128,
    exit_notional: i128,
    /// Average cost of the units still open (average-cost method, as `Position`): PnL
    /// is measured against it, so trades sum to the position's PnL.
    avg_cost: f64,
    entry_ts: UnixNanos,
    exit_ts: UnixNanos,
    pnl: f64,
    fees: f64,
}

/// Per-instrument round-trip builder.
#[derive(Clone, Debug)]
pub(crate) struct TradeBook {
    instrument: InstrumentId,
    multiplier: f64,
    price_precision: u8,
    size_precision: u8,
    open: Option<Open>,
}

fn qty_nanos(q: emp_model::Quantity) -> i128 {
    i128::from(q.raw()) * 10i128.pow(9 - u32::from(q.precision().min(9)))
}

fn price_nanos(p: emp_model::Price) -> i128 {
    i128::from(p.raw()) * 10i128.pow(9 - u32::from(p.precision().min(9)))
}

/// `notional ÷ quantity` as a price: exact when it divides (always for one fill).
fn vwap(notional: i128, quantity: i128) -> f64 {
    if quantity == 0 {
        return f64::NAN;
    }
    if notional % quantity == 0 {
        (notional / quantity) as f64 / 1e9
    } else {
        notional as f64 / quantity as f64 / 1e9
    }
}

impl TradeBook {
    pub(crate) fn new(spec: &emp_model::InstrumentSpec) -> Self {
        TradeBook {
            instrument: spec.id().clone(),
            multiplier: spec.multiplier(),
            price_precision: spec.price_precision(),
            size_precision: spec.size_precision(),
            open: None,
        }
    }

    /// Applies a fill; returns the trade it closed, if any. `fx` converts quote currency
    /// to the account currency, `fee` is already in the account currency.
    pub(crate) fn apply(
        &mut self,
        fill: &Fill,
        fx: f64,
        fee: f64,
        next_id: &mut u64,
    ) -> Option<TradeRecord> {
        let total = qty_nanos(fill.quantity);
        if total <= 0 {
            return None;
        }
        let price = fill.price.as_f64();
        let p_nanos = price_nanos(fill.price);
        let fill_dir = match fill.side {
            Side::Buy => Direction::Long,
            Side::Sell => Direction::Short,
        };
        let mut remaining = total;
        let mut closed = None;
        if let Some(open) = &mut self.open {
            if open.direction != fill_dir {
                let close = remaining.min(open.open_nanos);
                let q = close as f64 / 1e9;
                open.pnl +=
                    (price - open.avg_cost) * q * open.direction.sign() * self.multiplier * fx;
                open.exit_qty += close;
                open.exit_notional += p_nanos * close;
                open.exit_ts = fill.ts;
                open.fees += fee * close as f64 / total as f64;
                open.open_nanos -= close;
                remaining -= close;
                if open.open_nanos == 0 {
                    *next_id += 1;
                    closed = self.open.take().map(|o| self.record(o, *next_id, true));
                }
            }
        }
        if remaining > 0 {
            let share = fee * remaining as f64 / total as f64;
            let open = self.open.get_or_insert(Open {
                direction: fill_dir,
                open_nanos: 0,
                entry_qty: 0,
                entry_notional: 0,
                exit_qty: 0,
                exit_notional: 0,
                avg_cost: price,
                entry_ts: fill.ts,
                exit_ts: fill.ts,
                pnl: 0.0,
                fees: 0.0,
            });
            let (a, b) = (open.open_nanos as f64 / 1e9, remaining as f64 / 1e9);
            open.avg_cost = if open.open_nanos == 0 {
                price
            } else {
                (open.avg_cost * a + price * b) / (a + b)
            };
            open.open_nanos += remaining;
            open.entry_qty += remaining;
            open.entry_notional += p_nanos * remaining;
            open.fees += share;
        }
        closed
    }

    fn record(&self, o: Open, id: u64, closed: bool) -> TradeRecord {
        TradeRecord {
            id,
            instrument: self.instrument.clone(),
            direction: o.direction,
            quantity: o.entry_qty as f64 / 1e9,
            entry_ts: o.entry_ts,
            entry_price: vwap(o.entry_notional, o.entry_qty),
            exit_ts: closed.then_some(o.exit_ts),
            exit_price: (o.exit_qty > 0).then(|| vwap(o.exit_notional, o.exit_qty)),
            pnl: o.pnl,
            fees: o.fees,
            closed,
            price_precision: self.price_precision,
            size_precision: self.size_precision,
        }
    }

    /// The open trade marked at `mark` (its unrealised PnL added), if any.
    pub(crate) fn open_marked(&self, mark: Option<f64>, fx: f64, id: u64) -> Option<TradeRecord> {
        let o = self.open.clone()?;
        let mut r = self.record(o.clone(), id, false);
        if let Some(m) = mark {
            let q = o.open_nanos as f64 / 1e9;
            r.pnl += (m - o.avg_cost) * q * o.direction.sign() * self.multiplier * fx;
            r.exit_price = Some(m);
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::{AssetClass, ClientOrderId, Currency, InstrumentSpec, Money, Quantity};

    fn fill(side: Side, qty: u64, price: &str, t: i64) -> Fill {
        Fill {
            order_id: ClientOrderId::try_new("A").unwrap(),
            instrument: InstrumentId::try_new("X").unwrap(),
            side,
            price: price.parse().unwrap(),
            quantity: Quantity::from_int(qty),
            fee: Money::zero(Currency::USD),
            ts: UnixNanos::from_secs(t),
        }
    }

    #[test]
    fn reversal_closes_and_reopens() {
        let spec = InstrumentSpec::try_new(
            InstrumentId::try_new("X").unwrap(),
            AssetClass::Equity,
            2,
            0,
            1.0,
            Currency::USD,
            "0.01".parse().unwrap(),
        )
        .unwrap();
        let mut b = TradeBook::new(&spec);
        let mut id = 0;
        assert!(
            b.apply(&fill(Side::Buy, 10, "100", 1), 1.0, 1.0, &mut id)
                .is_none()
        );
        assert!(
            b.apply(&fill(Side::Buy, 10, "110", 2), 1.0, 1.0, &mut id)
                .is_none()
        );
        // Sell 30: closes 20 at 120 (entry VWAP 105 → +300) and opens 10 short.
        let t = b
            .apply(&fill(Side::Sell, 30, "120", 3), 1.0, 3.0, &mut id)
            .unwrap();
        assert_eq!(t.direction, Direction::Long);
        assert_eq!(t.quantity, 20.0);
        assert_eq!(t.entry_price, 105.0);
        assert_eq!(t.exit_price, Some(120.0));
        assert!((t.pnl - 300.0).abs() < 1e-9);
        assert!((t.fees - 4.0).abs() < 1e-12); // 1 + 1 + 2/3 of 3
        let open = b.open_marked(Some(115.0), 1.0, 2).unwrap();
        assert_eq!(open.direction, Direction::Short);
        assert!((open.pnl - 50.0).abs() < 1e-9);
        assert!(!open.closed);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use emp_model::{
        AssetClass, ClientOrderId, Currency, InstrumentSpec, Money, Position, Quantity,
    };
    use proptest::prelude::*;

    proptest! {
        /// Round trips account for exactly the position's PnL: Σ closed trade PnL + the
        /// open trade marked = realised + unrealised PnL of the netted position.
        #[test]
        fn trades_sum_to_the_position_pnl(
            fills in proptest::collection::vec((any::<bool>(), 1u64..500, 9_000i64..11_000), 1..60),
            mark in 9_000i64..11_000,
        ) {
            let id = InstrumentId::try_new("X").unwrap();
            let spec = InstrumentSpec::try_new(id.clone(), AssetClass::Equity, 2, 0, 1.0, Currency::USD, "0.01".parse().unwrap()).unwrap();
            let mut book = TradeBook::new(&spec);
            let mut position = Position::from_spec(&spec);
            let mut trades = Vec::new();
            let mut seq = 0;
            for (i, (buy, qty, price)) in fills.iter().enumerate() {
                let fill = Fill {
                    order_id: ClientOrderId::try_new("A").unwrap(),
                    instrument: id.clone(),
                    side: if *buy { Side::Buy } else { Side::Sell },
                    price: emp_model::Price::from_raw(*price, 2).unwrap(),
                    quantity: Quantity::from_int(*qty),
                    fee: Money::zero(Currency::USD),
                    ts: UnixNanos::from_secs(i as i64),
                };
                position.apply_fill(&fill).unwrap();
                trades.extend(book.apply(&fill, 1.0, 0.0, &mut seq));
            }
            let mark_price = emp_model::Price::from_raw(mark, 2).unwrap();
            trades.extend(book.open_marked(Some(mark_price.as_f64()), 1.0, seq + 1));
            let ours: f64 = trades.iter().map(|t| t.pnl).sum();
            let theirs = position.realized_pnl() + position.unrealized_pnl(mark_price);
            prop_assert!((ours - theirs).abs() < 1e-6 * (1.0 + theirs.abs()), "{ours} vs {theirs}");
            // Every closed trade is followed by at most one open one, ids increase.
            prop_assert!(trades.windows(2).all(|w| w[0].id < w[1].id));
            prop_assert_eq!(trades.iter().filter(|t| !t.closed).count(), usize::from(!position.is_flat()));
        }
    }
}
