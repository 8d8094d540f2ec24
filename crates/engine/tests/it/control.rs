//! The controls a paper run needs: order submission off, cancelling open orders mid-run,
//! and the telemetry inputs.

use emp_engine::*;
use emp_execution::Venue;
use emp_model::OrderStatus;

use crate::scenarios::{buy_10k, engine, quote};

#[test]
fn cancel_open_orders_cancels_bracket_children_and_the_run_goes_on() {
    let mut e = engine(buy_10k(Some(1.0990), Some(1.1100)), true);
    let mut sink = VecSink::new();
    e.on_event(&quote(0, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    // Entry filled; its stop and target rest at the venue.
    assert_eq!(e.open_orders(), 2);
    let before = sink.events().len();
    let report = e.cancel_open_orders(&mut sink).unwrap();
    assert_eq!(report.open_before, 2);
    assert_eq!(report.still_open, 0);
    assert_eq!(report.closed(), 2);
    assert!(report.requested >= 1);
    // Protective children cancelled by us are withdrawn, not failed executions.
    let m = e.execution_metrics();
    assert_eq!((m.filled, m.withdrawn, m.cancelled), (1, 2, 0));
    assert_eq!(m.fill_rate(), Some(1.0));
    let cancelled: Vec<String> = sink.events()[before..]
        .iter()
        .filter_map(|ev| match ev {
            EngineEvent::OrderCancelled { id, .. } => Some(id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled.len(), 2, "{:?}", &sink.events()[before..]);
    for o in e.manager().orders().filter(|o| o.id().as_str() != "O-1") {
        assert_eq!(o.status(), OrderStatus::Cancelled, "{}", o.id());
    }
    assert!(
        e.venue()
            .snapshot()
            .orders
            .iter()
            .all(|o| !o.status.is_open())
    );
    // Unlike finish(), the engine keeps running.
    e.on_event(&quote(1, "1.09800", "1.09810"), &mut sink)
        .unwrap();
    assert_eq!(e.events(), 2);
    // The stop was cancelled, so the fall below it did not sell: still long.
    assert_eq!(e.fills(), 1);
    // Nothing open: a second request is a no-op.
    assert_eq!(
        e.cancel_open_orders(&mut sink).unwrap(),
        CancelReport::default()
    );
}

#[test]
fn with_submission_off_an_approved_intent_is_withheld_not_sent() {
    let mut e = engine(buy_10k(Some(1.0990), None), true);
    e.set_order_submission(false);
    assert!(!e.submits_orders());
    let mut sink = VecSink::new();
    e.on_event(&quote(0, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    assert!(
        matches!(
            sink.events(),
            [EngineEvent::IntentWithheld { quantity, .. }] if *quantity == 10_000.0
        ),
        "{:?}",
        sink.events()
    );
    assert_eq!(sink.events()[0].kind(), "intent_withheld");
    assert_eq!((e.intents_emitted(), e.intents_withheld()), (1, 1));
    assert_eq!((e.orders_sent(), e.intents_rejected()), (0, 0));
    assert_eq!(e.manager().orders().count(), 0);
    assert!(e.venue().snapshot().orders.is_empty());
    assert_eq!(e.execution_metrics().submitted, 0);
}

#[test]
fn telemetry_inputs_follow_the_run() {
    let mut e = engine(buy_10k(Some(1.0990), Some(1.1100)), true);
    let mut sink = VecSink::new();
    for (i, (b, a)) in [
        ("1.10000", "1.10010"),
        ("1.09950", "1.09960"),
        ("1.09890", "1.09900"),
    ]
    .into_iter()
    .enumerate()
    {
        e.on_event(&quote(i as i64, b, a), &mut sink).unwrap();
    }
    let m = e.execution_metrics();
    // Entry + two children submitted; entry and stop filled; target cancelled (OCO).
    assert_eq!((m.submitted, m.fills, m.pending), (3, 2, 0));
    // The OCO-cancelled target is withdrawn: the fill rate stays perfect.
    assert_eq!((m.withdrawn, m.cancelled), (1, 0));
    assert_eq!(m.fill_rate(), Some(1.0));
    let p = e.performance_input();
    assert_eq!(p.strategy_id, "s1");
    assert_eq!(p.starting_equity, 100_000.0);
    assert_eq!(p.trade_pnls.len(), 1);
    assert!((p.trade_pnls[0] + 12.0).abs() < 1e-6, "{:?}", p.trade_pnls);
    assert!((e.equity() - 99_988.0).abs() < 1e-6);
    assert_eq!(e.strategy_name(), "one-shot");
}
