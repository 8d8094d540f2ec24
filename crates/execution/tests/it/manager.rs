//! Order manager: retries with backoff, reconciliation invariants, refusal to trade,
//! telemetry from real counters.

use emp_execution::*;
use emp_model::*;
use emp_telemetry::{Evaluator, Status};

use crate::common::*;

#[test]
fn transient_rejects_retry_with_exponential_backoff_in_event_time() {
    let s = eurusd();
    // base 1 s, × 2: retries at +1 s after the first reject, +2 s after the second.
    let mc = OrderManagerConfig {
        retry: RetryPolicy {
            max_attempts: 3,
            base_backoff_nanos: 1_000_000_000,
            multiplier: 2.0,
        },
        ..OrderManagerConfig::default()
    };
    let mut rig = Rig::with_manager(SimVenueConfig::default(), mc, [s.clone()]);
    let id = rig.submit(market("RT1", &s, Side::Buy, 1_000), t0());
    rig.advance(t0()); // attempt 1 rejected (no data yet) → retry due at t0 + 1 s
    assert_eq!(rig.status(&id), OrderStatus::Submitted);
    assert_eq!(rig.manager.attempts(&id), Some(1));
    rig.advance(at_ms(999));
    assert_eq!(rig.manager.attempts(&id), Some(1), "not before the backoff");
    rig.advance(at_ms(1_000)); // attempt 2 sent at +1 s…
    rig.advance(at_ms(1_000)); // …rejected again at +1 s → retry due at +3 s
    assert_eq!(rig.manager.attempts(&id), Some(2));
    rig.quote(&quote(&s, at_ms(2_000), "1.10040", "1.10050"));
    rig.advance(at_ms(2_999));
    assert_eq!(rig.manager.attempts(&id), Some(2));
    rig.advance(at_ms(3_000)); // attempt 3 sent
    rig.advance(at_ms(3_000)); // arrives, data present: filled
    assert_eq!(rig.manager.attempts(&id), Some(3));
    assert_eq!(rig.status(&id), OrderStatus::Filled);
    let m = rig.manager.metrics();
    assert_eq!((m.transient_rejects, m.retries, m.rejected), (2, 2, 0));

    // Exhausted: with 2 attempts the second transient reject is final.
    let mc = OrderManagerConfig {
        retry: RetryPolicy {
            max_attempts: 2,
            base_backoff_nanos: 10,
            multiplier: 1.0,
        },
        ..OrderManagerConfig::default()
    };
    let mut rig = Rig::with_manager(SimVenueConfig::default(), mc, [s.clone()]);
    let id = rig.submit(market("RT2", &s, Side::Buy, 1_000), t0());
    rig.advance(t0());
    rig.advance(t0().checked_add_nanos(10).unwrap());
    rig.advance(t0().checked_add_nanos(10).unwrap());
    assert_eq!(rig.status(&id), OrderStatus::Rejected);
    // A non-transient reject (margin: 5 000 000 × 1.10050 / 30 = 183 417 > 100 000) is never retried.
    rig.quote(&quote(&s, at_ms(1), "1.10040", "1.10050"));
    let big = rig.submit(market("RT3", &s, Side::Buy, 5_000_000), at_ms(1));
    rig.advance(at_ms(1));
    assert_eq!(rig.status(&big), OrderStatus::Rejected);
    assert_eq!(rig.manager.attempts(&big), Some(1));
}

#[test]
fn reconciliation_finds_unprocessed_fills_and_refuses_to_trade() {
    let s = eurusd();
    let mut rig = Rig::new(SimVenueConfig::default(), [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    let id = rig.submit(market("RC1", &s, Side::Buy, 1_000), t0());
    // The venue fills, but we do not pump its reports: our journal misses a venue fill.
    rig.venue.advance_to(t0());
    let report = rig.manager.reconcile(&rig.venue, t0());
    assert!(!report.is_clean());
    let kinds: Vec<_> = report
        .discrepancies
        .iter()
        .map(|d| match d {
            Discrepancy::FillCountMismatch {
                venue: 1, ours: 0, ..
            } => "missing_fill",
            Discrepancy::PositionMismatch {
                ours_nanos: 0,
                fills_nanos: 0,
                venue_nanos,
                ..
            } if *venue_nanos == 1_000 * 1_000_000_000 => "position",
            Discrepancy::FilledQuantityMismatch { .. } => "filled_qty",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(kinds, vec!["missing_fill", "filled_qty", "position"]);
    // After pumping, all invariants hold again.
    rig.manager.pump(&mut rig.venue, t0()).unwrap();
    assert_eq!(rig.status(&id), OrderStatus::Filled);
    rig.assert_reconciled(t0());

    // A fresh manager facing a venue with history refuses to trade.
    let mut fresh = OrderManager::try_new(OrderManagerConfig::default()).unwrap();
    fresh.register(s.clone());
    let err = fresh.start(&rig.venue, t0()).unwrap_err();
    let emp_execution::Error::ReconciliationFailed(report) = err else {
        panic!("expected ReconciliationFailed")
    };
    assert!(
        report
            .discrepancies
            .iter()
            .any(|d| matches!(d, Discrepancy::FillCountMismatch { ours: 0, .. }))
    );
    assert_eq!(fresh.status(), TradingStatus::Refused);
    let request = approve(market("RC2", &s, Side::Buy, 1_000), t0());
    assert!(matches!(
        fresh.submit(request, &mut rig.venue, t0()),
        Err(emp_execution::Error::NotReady(TradingStatus::Refused))
    ));
    // An unstarted manager refuses too.
    let mut unstarted = OrderManager::try_new(OrderManagerConfig::default()).unwrap();
    let request = approve(market("RC3", &s, Side::Buy, 1_000), t0());
    assert!(matches!(
        unstarted.submit(request, &mut rig.venue, t0()),
        Err(emp_execution::Error::NotReady(
            TradingStatus::AwaitingReconciliation
        ))
    ));
}

#[test]
fn open_order_mismatches_and_periodic_reconciliation() {
    let s = eurusd();
    let mc = OrderManagerConfig {
        reconcile_interval_nanos: 60_000_000_000,
        ..OrderManagerConfig::default()
    };
    let mut rig = Rig::with_manager(SimVenueConfig::default(), mc, [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    let id = rig.submit(
        limit("PO1", &s, Side::Buy, 1_000, "1.09000", TimeInForce::Gtc),
        t0(),
    );
    rig.advance(t0());
    assert!(
        rig.manager
            .maybe_reconcile(&rig.venue, at_ms(1_000))
            .is_none(),
        "interval not elapsed"
    );
    // The venue cancels (we asked) but we have not seen the report: ours working, venue closed.
    rig.manager.cancel(&id, &mut rig.venue, t0()).unwrap();
    rig.venue.advance_to(t0());
    let report = rig
        .manager
        .maybe_reconcile(&rig.venue, at_ms(60_000))
        .unwrap();
    assert!(matches!(
        report.discrepancies.as_slice(),
        [Discrepancy::MissingOpenOrder {
            our_status: OrderStatus::Accepted,
            venue_status: Some(OrderStatus::Cancelled),
            ..
        }]
    ));
    assert_eq!(rig.manager.status(), TradingStatus::Refused);
    rig.manager.pump(&mut rig.venue, at_ms(60_000)).unwrap();
    rig.assert_reconciled(at_ms(60_000));
    rig.manager.resume();
    assert_eq!(rig.manager.status(), TradingStatus::Ready);
}

#[test]
fn execution_and_strategy_telemetry_from_a_session() {
    let s = eurusd();
    let mut rig = Rig::new(SimVenueConfig::default(), [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    // Two round trips: +5.00 and −2.00; one limit that never fills (pending).
    for (i, (sell_bid, ms)) in [("1.10100", 100), ("1.10030", 200)].iter().enumerate() {
        rig.submit(
            market(&format!("T{i}B"), &s, Side::Buy, 10_000),
            at_ms(*ms - 50),
        );
        rig.advance(at_ms(*ms - 50));
        rig.quote(&quote(&s, at_ms(*ms), sell_bid, "1.10110"));
        rig.submit(
            market(&format!("T{i}S"), &s, Side::Sell, 10_000),
            at_ms(*ms),
        );
        rig.advance(at_ms(*ms));
        rig.manager.portfolio_mut().record_equity(at_ms(*ms));
        rig.quote(&quote(&s, at_ms(*ms + 10), "1.10040", "1.10050"));
    }
    rig.submit(
        limit("T9", &s, Side::Buy, 1_000, "1.00000", TimeInForce::Gtc),
        at_ms(300),
    );
    rig.advance(at_ms(300));
    let m = rig.manager.metrics();
    assert_eq!((m.submitted, m.filled, m.pending, m.rejected), (5, 4, 1, 0));
    let snap = ExecutionEvaluator.evaluate(&ExecutionPolicy::default(), &m, at_ms(300));
    assert_eq!(snap.status(), Status::Ok, "{}", snap.to_markdown());
    assert_eq!(
        snap.check("fill_rate").unwrap().value,
        Some(serde_json::json!(1.0))
    );
    // Trade 1: bought at 1.10050, sold at 1.10100 → +5.00; trade 2: sold at 1.10030 → −2.00.
    let input = StrategyPerformanceInput::from_portfolio(rig.manager.portfolio(), STRATEGY);
    assert_eq!(input.trade_pnls.len(), 2);
    assert!(close_to(input.trade_pnls[0], 5.0, 1e-9) && close_to(input.trade_pnls[1], -2.0, 1e-9));
    assert_eq!(input.win_rate(), Some(0.5));
    // Equity 100 005 then 100 003: return 0.003 %; drawdown 2 / 100 005.
    assert!(close_to(input.total_return(), 3.0 / 100_000.0, 1e-12));
    assert!(close_to(input.max_drawdown(), 2.0 / 100_005.0, 1e-12));
    let snap = StrategyPerformanceEvaluator.evaluate(
        &StrategyPerformancePolicy::default(),
        &input,
        at_ms(300),
    );
    assert_eq!(snap.topic(), "telemetry.strategy.performance");
    assert_eq!(snap.check("trades").unwrap().status, Status::Warn);
    // Per-strategy realised view: 100 000 → 100 005 → 100 003.
    let realised =
        StrategyPerformanceInput::from_closed_trades(rig.manager.portfolio(), STRATEGY, 100_000.0);
    assert_eq!(realised.equity_curve, vec![100_005.0, 100_003.0]);
    assert!(
        StrategyPerformanceInput::from_closed_trades(rig.manager.portfolio(), "other", 1.0)
            .trade_pnls
            .is_empty()
    );
}

#[test]
fn a_fill_that_cannot_be_converted_is_refused_whole_and_reconciliation_names_it() {
    // A JPY-quoted index; the venue knows USDJPY, our portfolio does not.
    let nikkei = InstrumentSpec::try_new(
        InstrumentId::try_new("NKY").unwrap(),
        AssetClass::Index,
        0,
        0,
        1.0,
        Currency::JPY,
        px("1"),
    )
    .unwrap();
    let mut rig = Rig::new(SimVenueConfig::default(), [nikkei.clone()]);
    rig.venue.fx_mut().set(Currency::USD, Currency::JPY, 150.0);
    rig.venue.on_quote(&quote(&nikkei, t0(), "38000", "38010"));
    let id = rig.submit(market("NK1", &nikkei, Side::Buy, 10), t0());
    rig.venue.advance_to(t0());
    let err = rig.manager.pump(&mut rig.venue, t0()).unwrap_err();
    assert!(matches!(
        err,
        emp_execution::Error::MissingFxRate {
            from: Currency::JPY,
            to: Currency::USD
        }
    ));
    // Nothing half-applied: the order saw no fill, the journal and portfolio neither.
    assert_eq!(
        rig.manager.order(&id).unwrap().filled_quantity(),
        Quantity::ZERO
    );
    assert!(rig.manager.fills().is_empty());
    assert!(rig.manager.portfolio().position(nikkei.id()).is_none());
    let report = rig.manager.reconcile(&rig.venue, t0());
    assert!(report.discrepancies.iter().any(|d| matches!(
        d,
        Discrepancy::FillCountMismatch {
            venue: 1,
            ours: 0,
            ..
        }
    )));
}
