use super::*;
use crate::ids::Currency;
use crate::money::Money;

fn id() -> ClientOrderId {
    ClientOrderId::try_new("O-1").unwrap()
}
fn inst() -> InstrumentId {
    InstrumentId::try_new("EURUSD").unwrap()
}
fn q(s: &str) -> Quantity {
    s.parse().unwrap()
}
fn px(s: &str) -> Price {
    s.parse().unwrap()
}
fn ts(n: i64) -> UnixNanos {
    UnixNanos::new(n)
}

fn params(order_type: OrderType, limit: Option<&str>, stop: Option<&str>) -> OrderParams {
    OrderParams {
        id: id(),
        instrument: inst(),
        side: Side::Buy,
        order_type,
        quantity: q("10"),
        limit_price: limit.map(px),
        stop_price: stop.map(px),
        time_in_force: TimeInForce::Gtc,
        ts_init: ts(1),
    }
}

fn fill(qty: &str, price: &str, at: i64) -> Fill {
    Fill {
        order_id: id(),
        instrument: inst(),
        side: Side::Buy,
        price: px(price),
        quantity: q(qty),
        fee: Money::zero(Currency::USD),
        ts: ts(at),
    }
}

fn order() -> Order {
    Order::try_new(params(OrderType::Limit, Some("1.1"), None)).unwrap()
}

/// An order driven into `status` by legal events.
fn order_in(status: OrderStatus) -> Order {
    use OrderStatus as S;
    let mut o = order();
    let path: Vec<OrderEvent> = match status {
        S::Initialized => vec![],
        S::Submitted => vec![OrderEvent::Submitted { ts: ts(2) }],
        S::Accepted => vec![
            OrderEvent::Submitted { ts: ts(2) },
            OrderEvent::Accepted { ts: ts(3) },
        ],
        S::PartiallyFilled => vec![
            OrderEvent::Submitted { ts: ts(2) },
            OrderEvent::Accepted { ts: ts(3) },
            OrderEvent::Filled(fill("4", "1.1", 4)),
        ],
        S::Filled => vec![
            OrderEvent::Submitted { ts: ts(2) },
            OrderEvent::Filled(fill("10", "1.1", 4)),
        ],
        S::Cancelled => vec![OrderEvent::Cancelled { ts: ts(2) }],
        S::Rejected => vec![OrderEvent::Rejected {
            ts: ts(2),
            reason: "risk".into(),
        }],
        S::Expired => vec![
            OrderEvent::Submitted { ts: ts(2) },
            OrderEvent::Accepted { ts: ts(3) },
            OrderEvent::Expired { ts: ts(4) },
        ],
    };
    for e in &path {
        o.apply(e).unwrap();
    }
    assert_eq!(o.status(), status);
    o
}

#[test]
fn validation_against_order_type() {
    use OrderType as T;
    /// (type, limit price, stop price, field expected to be rejected)
    type Case = (
        T,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );
    let cases: &[Case] = &[
        (T::Market, None, None, None),
        (T::Market, Some("1"), None, Some("limit_price")),
        (T::Market, None, Some("1"), Some("stop_price")),
        (T::Limit, Some("1"), None, None),
        (T::Limit, None, None, Some("limit_price")),
        (T::Limit, Some("1"), Some("1"), Some("stop_price")),
        (T::Stop, None, Some("1"), None),
        (T::Stop, None, None, Some("stop_price")),
        (T::Stop, Some("1"), Some("1"), Some("limit_price")),
        (T::StopLimit, Some("1"), Some("1"), None),
        (T::StopLimit, None, Some("1"), Some("limit_price")),
        (T::StopLimit, Some("1"), None, Some("stop_price")),
    ];
    for &(t, limit, stop, want_err) in cases {
        let res = Order::try_new(params(t, limit, stop));
        match (res, want_err) {
            (Ok(o), None) => {
                assert_eq!(o.status(), OrderStatus::Initialized);
                assert_eq!(o.limit_price(), limit.map(px));
                assert_eq!(o.stop_price(), stop.map(px));
            }
            (
                Err(Error::InvalidField {
                    record: "order",
                    field,
                    ..
                }),
                Some(f),
            ) => assert_eq!(field, f, "{t:?}"),
            (other, want) => {
                panic!("{t:?} {limit:?} {stop:?}: got {other:?}, want error on {want:?}")
            }
        }
    }
}

#[test]
fn validation_of_quantity_and_gtd() {
    let mut p = params(OrderType::Market, None, None);
    p.quantity = Quantity::ZERO;
    assert!(matches!(
        Order::try_new(p),
        Err(Error::InvalidField {
            field: "quantity",
            ..
        })
    ));
    let mut p = params(OrderType::Market, None, None);
    p.time_in_force = TimeInForce::Gtd(ts(1));
    assert!(matches!(
        Order::try_new(p),
        Err(Error::InvalidField {
            field: "time_in_force",
            ..
        })
    ));
    let mut p = params(OrderType::Market, None, None);
    p.time_in_force = TimeInForce::Gtd(ts(2));
    assert!(Order::try_new(p).is_ok());
}

#[test]
fn transition_table() {
    use OrderEventKind as E;
    use OrderStatus as S;
    let all_status = [
        S::Initialized,
        S::Submitted,
        S::Accepted,
        S::PartiallyFilled,
        S::Filled,
        S::Cancelled,
        S::Rejected,
        S::Expired,
    ];
    // (from, event) -> resulting status; the fill is a partial one (2 of the remaining).
    let legal: &[(S, E, S)] = &[
        (S::Initialized, E::Submitted, S::Submitted),
        (S::Initialized, E::Rejected, S::Rejected),
        (S::Initialized, E::Cancelled, S::Cancelled),
        (S::Submitted, E::Accepted, S::Accepted),
        (S::Submitted, E::Rejected, S::Rejected),
        (S::Submitted, E::Filled, S::PartiallyFilled),
        (S::Accepted, E::Filled, S::PartiallyFilled),
        (S::Accepted, E::Cancelled, S::Cancelled),
        (S::Accepted, E::Expired, S::Expired),
        (S::PartiallyFilled, E::Filled, S::PartiallyFilled),
        (S::PartiallyFilled, E::Cancelled, S::Cancelled),
        (S::PartiallyFilled, E::Expired, S::Expired),
    ];
    let event = |k: E| match k {
        E::Submitted => OrderEvent::Submitted { ts: ts(9) },
        E::Accepted => OrderEvent::Accepted { ts: ts(9) },
        E::Rejected => OrderEvent::Rejected {
            ts: ts(9),
            reason: "no".into(),
        },
        E::Filled => OrderEvent::Filled(fill("2", "1.1", 9)),
        E::Cancelled => OrderEvent::Cancelled { ts: ts(9) },
        E::Expired => OrderEvent::Expired { ts: ts(9) },
    };
    let kinds = [
        E::Submitted,
        E::Accepted,
        E::Rejected,
        E::Filled,
        E::Cancelled,
        E::Expired,
    ];
    let mut legal_seen = 0;
    for from in all_status {
        for kind in kinds {
            let mut o = order_in(from);
            let before = o.clone();
            let ev = event(kind);
            assert_eq!(ev.kind(), kind);
            let res = o.apply(&ev);
            match legal.iter().find(|(f, k, _)| *f == from && *k == kind) {
                Some(&(_, _, to)) => {
                    legal_seen += 1;
                    res.unwrap();
                    assert_eq!(o.status(), to, "{from} + {kind}");
                    assert_eq!(o.ts_last(), ts(9));
                }
                None => {
                    assert_eq!(
                        res,
                        Err(Error::IllegalTransition { from, event: kind }),
                        "{from} + {kind}"
                    );
                    assert_eq!(o, before, "refused event must not change the order");
                }
            }
        }
        if from.is_terminal() {
            assert!(!from.is_open());
        }
    }
    assert_eq!(legal_seen, legal.len());
}

#[test]
fn fills_accumulate_and_complete() {
    let mut o = order_in(OrderStatus::Accepted);
    o.apply(&OrderEvent::Filled(fill("4", "1.10", 4))).unwrap();
    assert_eq!(o.status(), OrderStatus::PartiallyFilled);
    assert_eq!(o.leaves_quantity(), q("6"));
    o.apply(&OrderEvent::Filled(fill("6", "1.20", 5))).unwrap();
    assert_eq!(o.status(), OrderStatus::Filled);
    assert_eq!(o.filled_quantity(), q("10"));
    assert_eq!(o.leaves_quantity(), Quantity::ZERO);
    assert_eq!(o.fill_count(), 2);
    let avg = o.avg_fill_price().unwrap();
    assert!((avg - 1.16).abs() < 1e-12, "{avg}");
    assert!(o.is_terminal());
    // Fill of a different precision: 10 == 10.000 is complete too.
    let mut o = order_in(OrderStatus::Accepted);
    o.apply(&OrderEvent::Filled(fill("9.999", "1.1", 4)))
        .unwrap();
    o.apply(&OrderEvent::Filled(fill("0.001", "1.1", 5)))
        .unwrap();
    assert_eq!(o.status(), OrderStatus::Filled);
}

#[test]
fn overfill_and_mismatched_fills_are_refused() {
    let mut o = order_in(OrderStatus::PartiallyFilled); // 4 of 10 filled
    let before = o.clone();
    assert_eq!(
        o.apply(&OrderEvent::Filled(fill("6.001", "1.1", 9))),
        Err(Error::Overfill {
            quantity: "10".into(),
            filled: "4".into(),
            fill: "6.001".into()
        })
    );
    let mut other_id = fill("1", "1.1", 9);
    other_id.order_id = ClientOrderId::try_new("O-2").unwrap();
    assert!(matches!(
        o.apply(&OrderEvent::Filled(other_id)),
        Err(Error::InvalidField {
            field: "order_id",
            ..
        })
    ));
    let mut other_inst = fill("1", "1.1", 9);
    other_inst.instrument = InstrumentId::try_new("GBPUSD").unwrap();
    assert!(matches!(
        o.apply(&OrderEvent::Filled(other_inst)),
        Err(Error::InstrumentMismatch { .. })
    ));
    let mut other_side = fill("1", "1.1", 9);
    other_side.side = Side::Sell;
    assert!(matches!(
        o.apply(&OrderEvent::Filled(other_side)),
        Err(Error::InvalidField { field: "side", .. })
    ));
    let zero = fill("0", "1.1", 9);
    assert!(matches!(
        o.apply(&OrderEvent::Filled(zero)),
        Err(Error::InvalidField {
            field: "quantity",
            ..
        })
    ));
    assert_eq!(o, before);
}

#[test]
fn rejection_keeps_reason_and_constructors() {
    let o = order_in(OrderStatus::Rejected);
    assert_eq!(o.reject_reason(), Some("risk"));
    let m = Order::market(id(), inst(), Side::Sell, q("1"), ts(5)).unwrap();
    assert_eq!(
        (m.order_type(), m.time_in_force(), m.side()),
        (OrderType::Market, TimeInForce::Ioc, Side::Sell)
    );
    assert_eq!((m.ts_init(), m.ts_last()), (ts(5), ts(5)));
    assert_eq!(m.filled_quantity(), Quantity::ZERO);
    assert_eq!(m.avg_fill_price(), None);
    let l = Order::limit(
        id(),
        inst(),
        Side::Buy,
        q("1"),
        px("1.5"),
        TimeInForce::Day,
        ts(5),
    )
    .unwrap();
    assert_eq!(l.limit_price(), Some(px("1.5")));
    assert_eq!(l.instrument(), &inst());
    assert_eq!(l.id(), &id());
}

#[test]
fn serde_shapes() {
    let o = order_in(OrderStatus::PartiallyFilled);
    let v = serde_json::to_value(&o).unwrap();
    assert_eq!(v["status"], "partially_filled");
    assert_eq!(v["filled_quantity"], "4");
    assert_eq!(v["order_type"], "limit");
    assert_eq!(
        serde_json::to_value(TimeInForce::Gtd(ts(7))).unwrap(),
        serde_json::json!({"gtd": 7})
    );
    assert_eq!(serde_json::to_value(TimeInForce::Fok).unwrap(), "fok");
    let ev = OrderEvent::Cancelled { ts: ts(3) };
    let json = serde_json::to_string(&ev).unwrap();
    assert_eq!(json, r#"{"type":"cancelled","ts":3}"#);
    assert_eq!(serde_json::from_str::<OrderEvent>(&json).unwrap(), ev);
    let f = OrderEvent::Filled(fill("1", "1.1", 3));
    let back: OrderEvent = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    assert_eq!(back, f);
    let p: OrderParams = serde_json::from_value(serde_json::json!({
        "id": "A", "instrument": "spy", "side": "sell", "order_type": "stop_limit",
        "quantity": "5", "limit_price": "99.5", "stop_price": "100", "time_in_force": "day", "ts_init": 0
    }))
    .unwrap();
    assert_eq!(
        Order::try_new(p).unwrap().order_type(),
        OrderType::StopLimit
    );
}

#[test]
fn error_messages_name_the_problem() {
    let mut o = order();
    let err = o.apply(&OrderEvent::Accepted { ts: ts(2) }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "illegal order transition: accepted while initialized"
    );
}
