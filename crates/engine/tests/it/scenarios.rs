//! Hand-worked engine scenarios.

use emp_engine::*;
use emp_execution::{OrderManager, OrderManagerConfig, SimVenueConfig, SimulatedVenue, Venue};
use emp_model::{InstrumentId, OrderStatus, Price, Quantity, QuoteTick, Side, UnixNanos};
use emp_risk::{NoKillSwitch, ReasonCode, RiskConfig, RiskGateway, RunMode, StrategyStatus};

use crate::common::eurusd_spec;

/// Sends the given intent once, on the first event.
struct OneShot(Option<OrderIntent>);

impl Strategy for OneShot {
    fn name(&self) -> &'static str {
        "one-shot"
    }
    fn on_event(&mut self, _e: &MarketEvent, _c: &StrategyContext<'_>, out: &mut Vec<OrderIntent>) {
        out.extend(self.0.take());
    }
}

pub(crate) fn quote(secs: i64, bid: &str, ask: &str) -> MarketEvent {
    MarketEvent::Quote(
        QuoteTick::try_new(
            InstrumentId::try_new("EURUSD").unwrap(),
            UnixNanos::from_secs(1_700_000_000 + secs),
            bid.parse().unwrap(),
            ask.parse().unwrap(),
            Quantity::ZERO,
            Quantity::ZERO,
        )
        .unwrap(),
    )
}

/// The production risk defaults (stop mandatory, 2 % per trade), paper mode.
pub(crate) fn engine(intent: OrderIntent, register: bool) -> Engine {
    let mut gateway = RiskGateway::try_new(
        RiskConfig::default().validate().unwrap(),
        RunMode::Paper,
        Box::new(NoKillSwitch),
    )
    .unwrap();
    if register {
        gateway.register_strategy("s1", StrategyStatus::Active);
    }
    let manager = OrderManager::try_new(OrderManagerConfig::default()).unwrap();
    let venue = SimulatedVenue::try_new(SimVenueConfig::default().validate().unwrap()).unwrap();
    let config = EngineConfig {
        strategy_id: "s1".into(),
        ..EngineConfig::default()
    };
    Engine::try_new(
        config,
        vec![eurusd_spec()],
        Box::new(OneShot(Some(intent))),
        gateway,
        manager,
        venue,
    )
    .unwrap()
}

pub(crate) fn buy_10k(stop: Option<f64>, take: Option<f64>) -> OrderIntent {
    OrderIntent::market(
        InstrumentId::try_new("EURUSD").unwrap(),
        Size::Quantity {
            side: Side::Buy,
            quantity: 10_000.0,
        },
        0.9,
    )
    .with_bracket(stop, take)
}

#[test]
fn a_stop_loss_bracket_triggers_and_cancels_its_take_profit() {
    let mut e = engine(buy_10k(Some(1.0990), Some(1.1100)), true);
    let mut sink = VecSink::new();
    // Buy 10 000 at the ask 1.10010; children: sell stop 1.09900, sell limit 1.11000.
    e.on_event(&quote(0, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    let orders: Vec<_> = e
        .manager()
        .orders()
        .map(|o| (o.id().to_string(), o.status()))
        .collect();
    assert_eq!(
        orders,
        [
            ("O-1".to_string(), OrderStatus::Filled),
            ("O-1-SL".to_string(), OrderStatus::Accepted),
            ("O-1-TP".to_string(), OrderStatus::Accepted),
        ]
    );
    // Above the stop: nothing.
    e.on_event(&quote(1, "1.09950", "1.09960"), &mut sink)
        .unwrap();
    assert_eq!(e.fills(), 1);
    // The bid reaches the stop: the stop sells at the bid (1.09890), the target is cancelled.
    e.on_event(&quote(2, "1.09890", "1.09900"), &mut sink)
        .unwrap();
    assert_eq!(e.fills(), 2);
    let fill = &e.manager().fills()[1];
    assert_eq!(fill.order_id.as_str(), "O-1-SL");
    assert_eq!(fill.side, Side::Sell);
    assert_eq!(fill.price, "1.09890".parse::<Price>().unwrap());
    let tp = e
        .manager()
        .orders()
        .find(|o| o.id().as_str() == "O-1-TP")
        .unwrap();
    assert_eq!(tp.status(), OrderStatus::Cancelled);
    let pos = e
        .manager()
        .portfolio()
        .position(&InstrumentId::try_new("EURUSD").unwrap())
        .unwrap();
    assert!(pos.is_flat());
    // (1.09890 − 1.10010) × 10 000 = −12.00 USD.
    assert!((e.manager().portfolio().cash() - (100_000.0 - 12.0)).abs() < 1e-6);
    assert_eq!(e.trades().len(), 1);
    let t = &e.trades()[0];
    assert_eq!(
        (t.direction, t.entry_price, t.exit_price),
        (Direction::Long, 1.10010, Some(1.09890))
    );
    assert!((t.pnl + 12.0).abs() < 1e-6);
    // Events in order: entry submitted/accepted/filled, children submitted, …, stop filled,
    // take profit cancelled.
    let kinds: Vec<String> = sink
        .events()
        .iter()
        .map(|ev| {
            serde_json::to_value(ev).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        &kinds[..3],
        ["order_submitted", "order_accepted", "order_filled"]
    );
    let last_fill = sink
        .events()
        .iter()
        .rposition(
            |ev| matches!(ev, EngineEvent::OrderFilled(f) if f.order_id.as_str() == "O-1-SL"),
        )
        .unwrap();
    assert!(
        matches!(&sink.events()[last_fill + 1], EngineEvent::OrderCancelled { id, .. } if id.as_str() == "O-1-TP")
    );
    let run = e.finish(&mut sink).unwrap();
    assert_eq!(run.trades.len(), 1);
    assert!(matches!(
        sink.events().last(),
        Some(EngineEvent::RunFinished { events: 3, .. })
    ));
}

#[test]
fn a_rejected_intent_is_an_event_and_never_an_order() {
    // No stop under the production profile: stop_loss_required.
    let mut e = engine(buy_10k(None, None), true);
    let mut sink = VecSink::new();
    e.on_event(&quote(0, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    e.on_event(&quote(1, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    assert_eq!(sink.events().len(), 1);
    match &sink.events()[0] {
        EngineEvent::IntentRejected {
            reason,
            side,
            quantity,
            ..
        } => {
            assert_eq!(*reason, ReasonCode::StopLossRequired);
            assert_eq!((*side, *quantity), (Side::Buy, 10_000.0));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(e.manager().orders().count(), 0);
    assert_eq!(e.orders_sent(), 0);
    assert_eq!(e.intents_rejected(), 1);
    assert_eq!(e.venue().snapshot().orders.len(), 0);
    assert_eq!(e.gateway().rejections(), 1);

    // A strategy the gateway does not know: strategy_disabled, no order either.
    let mut e = engine(buy_10k(Some(1.099), None), false);
    let mut sink = VecSink::new();
    e.on_event(&quote(0, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    assert!(matches!(
        sink.events(),
        [EngineEvent::IntentRejected {
            reason: ReasonCode::StrategyDisabled,
            ..
        }]
    ));
    assert_eq!(e.manager().orders().count(), 0);
}

#[test]
fn gateway_sizing_shrinks_the_order() {
    // Stop 0.00100 away: 2 % of 100 000 = 2 000 USD at risk → at most 2 000 000 units;
    // but a stop only 0.00001 away would allow 200 000 000: ask for 5 000 000 with a
    // 0.00100 stop and get 2 000 000.
    let intent = OrderIntent::market(
        InstrumentId::try_new("EURUSD").unwrap(),
        Size::Quantity {
            side: Side::Buy,
            quantity: 5_000_000.0,
        },
        0.9,
    )
    .with_bracket(Some(1.0991), None);
    let mut e = engine(intent, true);
    let mut sink = VecSink::new();
    e.on_event(&quote(0, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    let entry = e.manager().orders().next();
    // The sized order may still be refused later in the pipeline (leverage 10×: 2 000 000
    // × 1.1 = 22× equity), in which case there is no order at all.
    match entry {
        Some(o) => assert!(o.quantity().as_f64() <= 2_000_000.0),
        None => assert!(matches!(
            sink.events(),
            [EngineEvent::IntentRejected {
                reason: ReasonCode::LeverageExceeded,
                ..
            }]
        )),
    }
}

#[test]
fn an_unknown_instrument_is_an_error() {
    let mut e = engine(buy_10k(Some(1.099), None), true);
    let other = MarketEvent::Quote(
        QuoteTick::try_new(
            InstrumentId::try_new("GBPUSD").unwrap(),
            UnixNanos::from_secs(1),
            "1.2".parse().unwrap(),
            "1.3".parse().unwrap(),
            Quantity::ZERO,
            Quantity::ZERO,
        )
        .unwrap(),
    );
    assert!(matches!(
        e.on_event(&other, &mut NullSink),
        Err(Error::UnknownInstrument(_))
    ));
}

#[test]
fn finish_cancels_open_orders_then_marks_to_market() {
    // A resting limit buy far below the market stays open until the run ends.
    let intent = OrderIntent {
        order_type: emp_model::OrderType::Limit,
        limit_price: Some(1.05),
        time_in_force: emp_model::TimeInForce::Gtc,
        ..buy_10k(Some(1.04), None)
    };
    let mut e = engine(intent, true);
    let mut sink = VecSink::new();
    e.on_event(&quote(0, "1.10000", "1.10010"), &mut sink)
        .unwrap();
    e.on_event(&quote(1, "1.10020", "1.10030"), &mut sink)
        .unwrap();
    assert_eq!(e.manager().open_orders(), 1);
    // The simulated clock follows the data.
    assert_eq!(
        emp_model::Clock::now(&e.clock()),
        UnixNanos::from_secs(1_700_000_001)
    );
    let run = e.finish(&mut sink).unwrap();
    let n = sink.events().len();
    assert!(
        matches!(&sink.events()[n - 2], EngineEvent::OrderCancelled { id, .. } if id.as_str() == "O-1")
    );
    assert!(
        matches!(&sink.events()[n - 1], EngineEvent::RunFinished { events: 2, equity, .. } if *equity == 100_000.0)
    );
    assert_eq!((run.orders, run.fills), (1, 0));
    assert!(run.trades.is_empty());
    // Start sample plus the final mark.
    assert_eq!(run.equity.len(), 2);
}

/// Sends its intent on the `n`-th event.
struct Nth(usize, Option<OrderIntent>);

impl Strategy for Nth {
    fn name(&self) -> &'static str {
        "nth"
    }
    fn on_event(&mut self, _e: &MarketEvent, _c: &StrategyContext<'_>, out: &mut Vec<OrderIntent>) {
        self.0 = self.0.saturating_sub(1);
        if self.0 == 0 {
            out.extend(self.1.take());
        }
    }
}

/// The engine hands the gateway the realised volatility of bar closes: under the
/// production profile (10 % volatility target, storm regime above 30 %) a volatile market
/// gets a smaller order than a quiet one for the same intent.
#[test]
fn realised_volatility_of_bars_shrinks_the_order() {
    use emp_model::{Bar, Timeframe};
    let run = |swing: f64| {
        let spec = crate::common::spx_spec();
        let id = spec.id().clone();
        let intent = OrderIntent::market(
            id.clone(),
            Size::Quantity {
                side: Side::Buy,
                quantity: 1e6,
            },
            0.9,
        )
        .with_bracket(Some(95.0), None);
        let mut gateway = RiskGateway::try_new(
            RiskConfig::default().validate().unwrap(),
            RunMode::Paper,
            Box::new(NoKillSwitch),
        )
        .unwrap();
        gateway.register_strategy("s1", StrategyStatus::Active);
        let manager = OrderManager::try_new(OrderManagerConfig::default()).unwrap();
        let venue = SimulatedVenue::try_new(SimVenueConfig::default().validate().unwrap()).unwrap();
        let config = EngineConfig {
            strategy_id: "s1".into(),
            sensory_enabled: false,
            ..EngineConfig::default()
        };
        let mut e = Engine::try_new(
            config,
            vec![spec],
            Box::new(Nth(30, Some(intent))),
            gateway,
            manager,
            venue,
        )
        .unwrap();
        for i in 0..30 {
            // Alternating closes around 100 (the last one exactly 100).
            let close = if i % 2 == 1 {
                100.0
            } else {
                100.0 * (1.0 + swing)
            };
            let p = Price::from_f64(close, 6).unwrap();
            let bar = Bar::try_new(
                id.clone(),
                Timeframe::D1,
                UnixNanos::from_secs(86_400 * i),
                p,
                p,
                p,
                p,
                Quantity::from_int(1),
            )
            .unwrap();
            e.on_event(&MarketEvent::Bar(bar), &mut NullSink).unwrap();
        }
        e.manager()
            .orders()
            .next()
            .map(|o| o.quantity().as_f64())
            .unwrap_or(0.0)
    };
    let quiet = run(0.0001);
    let volatile = run(0.02);
    // Quiet: 2 % of 100 000 over a 5.00 stop = 400 units (volatility scaling capped at 2×
    // but never past the hard per-trade limit). Volatile (≈ 45 % annualised): storm
    // regime (×0.5) and volatility targeting (10 % ÷ 45 %) cut it to well under half.
    assert_eq!(quiet, 400.0);
    assert!(
        volatile > 0.0 && volatile < 0.5 * quiet,
        "volatile order {volatile}"
    );
}
