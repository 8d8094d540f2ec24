//! Reconciliation of our books against the venue's.

use std::collections::{BTreeMap, HashMap};

use emp_model::{
    ClientOrderId, Fill, InstrumentId, Order, OrderStatus, Position, Quantity, UnixNanos,
};
use serde::Serialize;

use crate::venue::VenueSnapshot;

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discrepancy {
    /// A fill appears a different number of times at the venue and in our journal.
    FillCountMismatch {
        /// The fill.
        fill: Fill,
        /// Times at the venue.
        venue: usize,
        /// Times in our journal.
        ours: usize,
    },
    /// Our order's filled quantity is not the sum of its fills.
    OrderFillsMismatch {
        /// Order.
        id: ClientOrderId,
        /// What the order says.
        order_filled: Quantity,
        /// Σ journal fills, 1e-9 units.
        fills_nanos: i128,
    },
    /// Our filled quantity differs from the venue's.
    FilledQuantityMismatch {
        /// Order.
        id: ClientOrderId,
        /// Ours.
        ours: Quantity,
        /// Venue's.
        venue: Quantity,
    },
    /// A position differs from its fills or from the venue.
    PositionMismatch {
        /// Instrument.
        instrument: InstrumentId,
        /// Our position, 1e-9 units.
        ours_nanos: i128,
        /// Net of our journal fills, 1e-9 units.
        fills_nanos: i128,
        /// The venue's position, 1e-9 units.
        venue_nanos: i128,
    },
    /// Open at the venue, closed or unknown here.
    UnexpectedOpenOrder {
        /// Order.
        id: ClientOrderId,
        /// Venue status.
        venue_status: OrderStatus,
        /// Our status (`None` = unknown order).
        our_status: Option<OrderStatus>,
    },
    /// Working here, closed or unknown at the venue.
    MissingOpenOrder {
        /// Order.
        id: ClientOrderId,
        /// Our status.
        our_status: OrderStatus,
        /// Venue status (`None` = unknown to the venue).
        venue_status: Option<OrderStatus>,
    },
}

/// The outcome of a reconciliation: clean when there are no discrepancies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReconciliationReport {
    /// When it ran.
    pub ts: UnixNanos,
    /// Everything that did not match (deterministic order).
    pub discrepancies: Vec<Discrepancy>,
}

impl ReconciliationReport {
    /// No discrepancies.
    pub fn is_clean(&self) -> bool {
        self.discrepancies.is_empty()
    }
}

/// Our side of the comparison.
#[derive(Clone, Debug)]
pub struct OwnBooks<'a> {
    /// Every order we know.
    pub orders: Vec<&'a Order>,
    /// Our fill journal.
    pub fills: &'a [Fill],
    /// Our positions.
    pub positions: Vec<&'a Position>,
}

fn nanos(q: Quantity) -> i128 {
    q.raw_i128() * 10i128.pow(9 - u32::from(q.precision()))
}

/// Compares our books with a venue snapshot.
///
/// # Invariants checked
///
/// 1. **Fills**: every venue fill is in our fill journal exactly once, and every journal
///    fill is at the venue (compared as a multiset of whole fills).
/// 2. **Order quantities**: each of our orders' filled quantity equals the sum of its
///    journal fills, and equals the venue's filled quantity for it.
/// 3. **Positions**: each of our positions equals the net of its journal fills, and equals
///    the venue's position (exact, in 1e-9 units).
/// 4. **Open orders**: no order is open at the venue that we think is closed or do not know;
///    no order we think is working (accepted / partially filled) is closed or unknown at
///    the venue. Orders we have sent but the venue has not acknowledged (`Submitted`) are
///    in flight and not compared.
///
/// A discrepancy is reported, never patched: the order manager refuses to trade until an
/// operator has looked.
pub fn reconcile(
    ours: &OwnBooks<'_>,
    venue: &VenueSnapshot,
    ts: UnixNanos,
) -> ReconciliationReport {
    let mut out = Vec::new();

    // 1. Fills as multisets, reported in first-seen order (venue first).
    let mut counts: HashMap<&Fill, (usize, usize)> = HashMap::new();
    let mut order_seen: Vec<&Fill> = Vec::new();
    for f in &venue.fills {
        let e = counts.entry(f).or_insert_with(|| {
            order_seen.push(f);
            (0, 0)
        });
        e.0 += 1;
    }
    for f in ours.fills {
        let e = counts.entry(f).or_insert_with(|| {
            order_seen.push(f);
            (0, 0)
        });
        e.1 += 1;
    }
    for f in order_seen {
        let (v, o) = counts[f];
        if v != o {
            out.push(Discrepancy::FillCountMismatch {
                fill: f.clone(),
                venue: v,
                ours: o,
            });
        }
    }

    // 2. Order quantities.
    let mut by_order: HashMap<&ClientOrderId, i128> = HashMap::new();
    let mut by_instrument: BTreeMap<&InstrumentId, i128> = BTreeMap::new();
    for f in ours.fills {
        *by_order.entry(&f.order_id).or_default() += nanos(f.quantity);
        *by_instrument.entry(&f.instrument).or_default() +=
            nanos(f.quantity) * i128::from(f.side.sign());
    }
    let venue_orders: HashMap<&ClientOrderId, _> =
        venue.orders.iter().map(|o| (&o.id, o)).collect();
    let mut our_orders: Vec<&Order> = ours.orders.clone();
    our_orders.sort_by(|a, b| a.id().cmp(b.id()));
    for o in &our_orders {
        let sum = by_order.get(o.id()).copied().unwrap_or(0);
        if nanos(o.filled_quantity()) != sum {
            out.push(Discrepancy::OrderFillsMismatch {
                id: o.id().clone(),
                order_filled: o.filled_quantity(),
                fills_nanos: sum,
            });
        }
        let v = venue_orders.get(o.id());
        if let Some(v) = v {
            if v.filled_quantity != o.filled_quantity() {
                out.push(Discrepancy::FilledQuantityMismatch {
                    id: o.id().clone(),
                    ours: o.filled_quantity(),
                    venue: v.filled_quantity,
                });
            }
        }
        // 4b. Working here, closed or unknown there.
        let working = matches!(
            o.status(),
            OrderStatus::Accepted | OrderStatus::PartiallyFilled
        );
        if working && !v.is_some_and(|v| v.status.is_open()) {
            out.push(Discrepancy::MissingOpenOrder {
                id: o.id().clone(),
                our_status: o.status(),
                venue_status: v.map(|v| v.status),
            });
        }
    }

    // 3. Positions: ours vs our fills vs venue.
    let mut all: BTreeMap<&InstrumentId, (i128, i128, i128)> = BTreeMap::new();
    for p in &ours.positions {
        all.entry(p.instrument()).or_default().0 = p.signed_quantity_nanos();
    }
    for (i, n) in &by_instrument {
        all.entry(i).or_default().1 = *n;
    }
    for p in &venue.positions {
        all.entry(&p.instrument).or_default().2 = p.signed_quantity_nanos;
    }
    for (instrument, (o, f, v)) in all {
        if o != f || o != v {
            out.push(Discrepancy::PositionMismatch {
                instrument: instrument.clone(),
                ours_nanos: o,
                fills_nanos: f,
                venue_nanos: v,
            });
        }
    }

    // 4a. Open at the venue, closed or unknown here.
    let our_status: HashMap<&ClientOrderId, OrderStatus> =
        ours.orders.iter().map(|o| (o.id(), o.status())).collect();
    for v in &venue.orders {
        let mine = our_status.get(&v.id).copied();
        if v.status.is_open() && !mine.is_some_and(|s| s.is_open()) {
            out.push(Discrepancy::UnexpectedOpenOrder {
                id: v.id.clone(),
                venue_status: v.status,
                our_status: mine,
            });
        }
    }
    ReconciliationReport {
        ts,
        discrepancies: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venue::{VenueOrderState, VenuePosition};
    use emp_model::{Money, OrderEvent, Price, Side};

    fn id(s: &str) -> ClientOrderId {
        ClientOrderId::try_new(s).unwrap()
    }

    #[test]
    fn each_invariant_has_its_discrepancy() {
        let eurusd = InstrumentId::try_new("EURUSD").unwrap();
        let ts = UnixNanos::from_secs(10);
        let q = Quantity::from_int(100);
        let mut working = Order::market(id("A"), eurusd.clone(), Side::Buy, q, ts).unwrap();
        working.apply(&OrderEvent::Submitted { ts }).unwrap();
        working.apply(&OrderEvent::Accepted { ts }).unwrap();
        let fill = Fill::try_new(
            id("A"),
            eurusd.clone(),
            Side::Buy,
            Price::from_int(1),
            Quantity::from_int(40),
            Money::zero(emp_model::Currency::USD),
            ts,
        )
        .unwrap();
        // Our journal has the fill twice, the order knows none of it, the venue has it
        // once, and an order "Z" open at the venue that we never sent.
        let journal = vec![fill.clone(), fill.clone()];
        let venue = VenueSnapshot {
            orders: vec![
                VenueOrderState {
                    id: id("A"),
                    instrument: eurusd.clone(),
                    status: OrderStatus::Cancelled,
                    filled_quantity: Quantity::from_int(40),
                },
                VenueOrderState {
                    id: id("Z"),
                    instrument: eurusd.clone(),
                    status: OrderStatus::Accepted,
                    filled_quantity: Quantity::ZERO,
                },
            ],
            fills: vec![fill.clone()],
            positions: vec![VenuePosition {
                instrument: eurusd.clone(),
                signed_quantity_nanos: 40 * 1_000_000_000,
            }],
        };
        let books = OwnBooks {
            orders: vec![&working],
            fills: &journal,
            positions: vec![],
        };
        let r = reconcile(&books, &venue, ts);
        let expected = vec![
            Discrepancy::FillCountMismatch {
                fill,
                venue: 1,
                ours: 2,
            },
            Discrepancy::OrderFillsMismatch {
                id: id("A"),
                order_filled: Quantity::ZERO,
                fills_nanos: 80_000_000_000,
            },
            Discrepancy::FilledQuantityMismatch {
                id: id("A"),
                ours: Quantity::ZERO,
                venue: Quantity::from_int(40),
            },
            Discrepancy::MissingOpenOrder {
                id: id("A"),
                our_status: OrderStatus::Accepted,
                venue_status: Some(OrderStatus::Cancelled),
            },
            Discrepancy::PositionMismatch {
                instrument: eurusd,
                ours_nanos: 0,
                fills_nanos: 80_000_000_000,
                venue_nanos: 40_000_000_000,
            },
            Discrepancy::UnexpectedOpenOrder {
                id: id("Z"),
                venue_status: OrderStatus::Accepted,
                our_status: None,
            },
        ];
        assert_eq!(r.discrepancies, expected);
        assert!(!r.is_clean());
        // Serialises with a kind tag (for journals and telemetry).
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["discrepancies"][5]["kind"], "unexpected_open_order");
    }
}
