//! The order state machine under random event sequences, checked against an independent
//! model of the legal transitions.

use emp_model::{
    ClientOrderId, Currency, Error, Fill, InstrumentId, Money, Order, OrderEvent, OrderEventKind,
    OrderStatus, OrderType, Price, Quantity, Side, TimeInForce, UnixNanos,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Submit,
    Accept,
    Reject,
    Cancel,
    Expire,
    /// A fill of `raw` units at the order's precision and `price_raw` ticks.
    Fill {
        raw: u64,
        price_raw: i64,
    },
    /// A fill that belongs to a different order (must always be refused).
    ForeignFill,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => Just(Step::Submit),
        2 => Just(Step::Accept),
        1 => Just(Step::Reject),
        1 => Just(Step::Cancel),
        1 => Just(Step::Expire),
        6 => (1u64..60, 1i64..100_000).prop_map(|(raw, price_raw)| Step::Fill { raw, price_raw }),
        1 => Just(Step::ForeignFill),
    ]
}

/// The model: which status an event leads to, written as a plain table independent of the
/// implementation's match. `None` means illegal.
fn model_next(
    from: OrderStatus,
    kind: OrderEventKind,
    filled_after: u64,
    qty: u64,
) -> Option<OrderStatus> {
    use OrderEventKind as E;
    use OrderStatus as S;
    let fill_result = if filled_after == qty {
        S::Filled
    } else {
        S::PartiallyFilled
    };
    let table: &[(S, E, S)] = &[
        (S::Initialized, E::Submitted, S::Submitted),
        (S::Initialized, E::Rejected, S::Rejected),
        (S::Initialized, E::Cancelled, S::Cancelled),
        (S::Submitted, E::Accepted, S::Accepted),
        (S::Submitted, E::Rejected, S::Rejected),
        (S::Submitted, E::Filled, fill_result),
        (S::Accepted, E::Filled, fill_result),
        (S::Accepted, E::Cancelled, S::Cancelled),
        (S::Accepted, E::Expired, S::Expired),
        (S::PartiallyFilled, E::Filled, fill_result),
        (S::PartiallyFilled, E::Cancelled, S::Cancelled),
        (S::PartiallyFilled, E::Expired, S::Expired),
    ];
    table
        .iter()
        .find(|(f, k, _)| *f == from && *k == kind)
        .map(|&(_, _, to)| to)
}

fn fill_for(order: &Order, raw: u64, precision: u8, price_raw: i64, ts: i64) -> Fill {
    Fill {
        order_id: order.id().clone(),
        instrument: order.instrument().clone(),
        side: order.side(),
        price: Price::from_raw(price_raw, 2).unwrap(),
        quantity: Quantity::from_raw(raw, precision).unwrap(),
        fee: Money::zero(Currency::USD),
        ts: UnixNanos::new(ts),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_event_sequences_never_reach_an_illegal_state(
        qty_raw in 1u64..120,
        precision in 0u8..=3,
        side in prop_oneof![Just(Side::Buy), Just(Side::Sell)],
        steps in prop::collection::vec(step(), 0..25),
    ) {
        let quantity = Quantity::from_raw(qty_raw, precision).unwrap();
        let mut order = Order::limit(
            ClientOrderId::try_new("P-1").unwrap(),
            InstrumentId::try_new("EURUSD").unwrap(),
            side,
            quantity,
            Price::from_raw(110, 2).unwrap(),
            TimeInForce::Gtc,
            UnixNanos::ZERO,
        ).unwrap();
        let mut model_status = OrderStatus::Initialized;
        let mut model_filled: u64 = 0;
        let mut model_fills = 0u32;
        let (mut min_px, mut max_px) = (f64::INFINITY, f64::NEG_INFINITY);

        for (i, s) in steps.iter().enumerate() {
            let ts = UnixNanos::new(i as i64 + 1);
            let event = match s {
                Step::Submit => OrderEvent::Submitted { ts },
                Step::Accept => OrderEvent::Accepted { ts },
                Step::Reject => OrderEvent::Rejected { ts, reason: "r".into() },
                Step::Cancel => OrderEvent::Cancelled { ts },
                Step::Expire => OrderEvent::Expired { ts },
                Step::Fill { raw, price_raw } => OrderEvent::Filled(fill_for(&order, *raw, precision, *price_raw, ts.as_i64())),
                Step::ForeignFill => {
                    let mut f = fill_for(&order, 1, precision, 100, ts.as_i64());
                    f.order_id = ClientOrderId::try_new("OTHER").unwrap();
                    OrderEvent::Filled(f)
                }
            };
            let before = order.clone();
            let result = order.apply(&event);

            let kind = event.kind();
            let (fill_raw, foreign) = match s {
                Step::Fill { raw, .. } => (*raw, false),
                Step::ForeignFill => (1, true),
                _ => (0, false),
            };
            let filled_after = model_filled + fill_raw;
            let expected = model_next(model_status, kind, filled_after, qty_raw);
            match expected {
                Some(_) if foreign => {
                    prop_assert!(matches!(result, Err(Error::InvalidField { field: "order_id", .. })), "{:?}", result);
                    prop_assert_eq!(&order, &before);
                }
                Some(_) if kind == OrderEventKind::Filled && filled_after > qty_raw => {
                    prop_assert!(matches!(result, Err(Error::Overfill { .. })), "{:?}", result);
                    prop_assert_eq!(&order, &before);
                }
                Some(next) => {
                    prop_assert!(result.is_ok(), "{} + {} refused: {:?}", model_status, kind, result);
                    model_status = next;
                    if kind == OrderEventKind::Filled {
                        model_filled = filled_after;
                        model_fills += 1;
                        let px = match s { Step::Fill { price_raw, .. } => *price_raw as f64 / 100.0, _ => 0.0 };
                        min_px = min_px.min(px);
                        max_px = max_px.max(px);
                    }
                    prop_assert_eq!(order.ts_last(), ts);
                }
                None => {
                    prop_assert_eq!(result, Err(Error::IllegalTransition { from: model_status, event: kind }));
                    prop_assert_eq!(&order, &before, "refused event changed the order");
                }
            }

            // Invariants after every step, whatever happened.
            prop_assert_eq!(order.status(), model_status);
            prop_assert_eq!(order.filled_quantity(), Quantity::from_raw(model_filled, precision).unwrap());
            prop_assert!(order.filled_quantity() <= order.quantity());
            prop_assert_eq!(
                order.leaves_quantity().checked_add(order.filled_quantity()).unwrap(),
                order.quantity()
            );
            prop_assert_eq!(order.status() == OrderStatus::Filled, model_filled == qty_raw);
            if order.status() == OrderStatus::PartiallyFilled {
                prop_assert!(model_filled > 0 && model_filled < qty_raw);
            }
            prop_assert_eq!(order.fill_count(), model_fills);
            match order.avg_fill_price() {
                None => prop_assert_eq!(model_fills, 0),
                Some(avg) => prop_assert!(avg >= min_px - 1e-9 && avg <= max_px + 1e-9),
            }
            prop_assert_eq!(order.status().is_terminal() && order.status().is_open(), false);
        }
    }
}

#[test]
fn every_order_type_accepts_and_fills() {
    for (t, limit, stop) in [
        (OrderType::Market, None, None),
        (OrderType::Limit, Some(1), None),
        (OrderType::Stop, None, Some(1)),
        (OrderType::StopLimit, Some(1), Some(2)),
    ] {
        let mut o = Order::try_new(emp_model::OrderParams {
            id: ClientOrderId::try_new("X").unwrap(),
            instrument: InstrumentId::try_new("SPY").unwrap(),
            side: Side::Sell,
            order_type: t,
            quantity: Quantity::from_int(5),
            limit_price: limit.map(Price::from_int),
            stop_price: stop.map(Price::from_int),
            time_in_force: TimeInForce::Day,
            ts_init: UnixNanos::ZERO,
        })
        .unwrap();
        o.apply(&OrderEvent::Submitted {
            ts: UnixNanos::new(1),
        })
        .unwrap();
        o.apply(&OrderEvent::Accepted {
            ts: UnixNanos::new(2),
        })
        .unwrap();
        let f = fill_for(&o, 5, 0, 100, 3);
        o.apply(&OrderEvent::Filled(f)).unwrap();
        assert_eq!(o.status(), OrderStatus::Filled, "{t:?}");
    }
}
