//! Bounds, fusion and determinism invariants over arbitrary finite inputs.

use emp_model::{
    Bar, Currency, Importance, InstrumentId, MacroEvent, MacroObservation, Price, Quantity,
    QuoteTick, Side, Timeframe, TradeTick, UnixNanos,
};
use emp_sensory::{Cortex, Dimension, SensoryConfig, SensoryReading};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Ev {
    Bar(f64, f64, f64, f64, u64),
    Quote(f64, f64, u64, u64),
    Trade(f64, u64, Option<bool>),
    Macro(u8, f64),
    Event(f64, f64, u8, i64),
    Read,
}

fn price(x: f64) -> Price {
    Price::from_f64(x, 5).unwrap()
}

fn ev() -> impl Strategy<Value = Ev> {
    let px = 0.001f64..100_000.0;
    prop_oneof![
        (
            px.clone(),
            px.clone(),
            px.clone(),
            px.clone(),
            0u64..1_000_000
        )
            .prop_map(|(a, b, c, d, v)| Ev::Bar(a, b, c, d, v)),
        (px.clone(), 0.0f64..5.0, 0u64..1000, 0u64..1000)
            .prop_map(|(b, s, x, y)| Ev::Quote(b, s, x, y)),
        (
            px.clone(),
            1u64..10_000,
            proptest::option::of(any::<bool>())
        )
            .prop_map(|(p, s, a)| Ev::Trade(p, s, a)),
        (0u8..5, -50.0f64..50.0).prop_map(|(i, v)| Ev::Macro(i, v)),
        (-1e6f64..1e6, -1e6f64..1e6, 0u8..3, -100_000i64..100_000)
            .prop_map(|(a, f, i, dt)| Ev::Event(a, f, i, dt)),
        Just(Ev::Read),
    ]
}

fn run(events: &[Ev], cfg: SensoryConfig) -> Vec<SensoryReading> {
    let id = InstrumentId::try_new("XYZ").unwrap();
    let mut c = Cortex::try_new(cfg).unwrap();
    let mut out = Vec::new();
    let mut t: i64 = 1_399_000_000_000_000_000;
    for e in events {
        t += 37_000_000_000;
        let ts = UnixNanos::new(t);
        match *e {
            Ev::Bar(a, b, cc, d, v) => {
                let mut p = [a, b, cc, d];
                p.sort_by(f64::total_cmp);
                // Arbitrary (possibly inconsistent) OHLC: the cortex must cope either way.
                c.on_bar(&Bar {
                    instrument: id.clone(),
                    timeframe: Timeframe::M1,
                    ts_open: ts,
                    open: price(a),
                    high: price(p[3]),
                    low: price(p[0]),
                    close: price(d),
                    volume: Quantity::from_int(v),
                });
            }
            Ev::Quote(b, s, x, y) => c.on_quote(&QuoteTick {
                instrument: id.clone(),
                ts,
                bid: price(b),
                ask: price(b + s),
                bid_size: Quantity::from_int(x),
                ask_size: Quantity::from_int(y),
            }),
            Ev::Trade(p, s, a) => c.on_trade(&TradeTick {
                instrument: id.clone(),
                ts,
                price: price(p),
                size: Quantity::from_int(s),
                aggressor: a.map(|b| if b { Side::Buy } else { Side::Sell }),
                trade_id: None,
            }),
            Ev::Macro(i, v) => c.on_macro(&MacroObservation {
                series_id: ["DGS2", "DGS10", "BAA", "AAA", "FEDFUNDS"][usize::from(i)].into(),
                ts,
                value: Some(v),
            }),
            Ev::Event(a, f, i, dt) => c.on_macro_event(MacroEvent {
                name: "X".into(),
                currency: Currency::USD,
                ts: UnixNanos::new(t + dt * 1_000_000_000),
                actual: Some(a),
                forecast: Some(f),
                previous: None,
                importance: [Importance::Low, Importance::Medium, Importance::High][usize::from(i)],
            }),
            Ev::Read => out.push(c.read(ts)),
        }
    }
    out.push(c.read(UnixNanos::new(t + 1)));
    out
}

fn small_windows() -> SensoryConfig {
    let mut cfg = SensoryConfig::default();
    cfg.what.lookback = 5;
    cfg.what.min_bars = 2;
    cfg.how.window = 8;
    cfg.how.min_samples = 3;
    cfg.how.bar_window = 4;
    cfg.anomaly.window = 6;
    cfg.anomaly.min_samples = 3;
    cfg.why.credit_lookback = 1;
    cfg.why.rate_lookback = 1;
    cfg.quote_bar_secs = 60;
    cfg
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_reading_is_within_bounds(events in proptest::collection::vec(ev(), 0..120)) {
        for r in run(&events, small_windows()) {
            for (d, dim) in r.dimensions.iter().zip(Dimension::ALL) {
                prop_assert_eq!(d.dimension, dim);
                prop_assert!((-1.0..=1.0).contains(&d.signal), "{:?}", d);
                prop_assert!((0.0..=1.0).contains(&d.confidence), "{:?}", d);
                prop_assert!(!d.note.is_empty());
                if d.confidence == 0.0 {
                    prop_assert_eq!(d.signal, 0.0);
                }
            }
            prop_assert!((-1.0..=1.0).contains(&r.fused.signal), "{:?}", r.fused);
            prop_assert!((0.0..=1.0).contains(&r.fused.confidence), "{:?}", r.fused);
        }
    }

    #[test]
    fn identical_inputs_give_identical_readings(events in proptest::collection::vec(ev(), 0..60)) {
        prop_assert_eq!(run(&events, small_windows()), run(&events, small_windows()));
    }
}

#[test]
fn audit_trail_keeps_exactly_n_and_contributions_sum_to_fused() {
    let mut cfg = small_windows();
    cfg.fusion.audit_len = 7;
    cfg.drift.window = 5;
    cfg.drift.min_samples = 3;
    let id = InstrumentId::try_new("XYZ").unwrap();
    let mut c = Cortex::try_new(cfg).unwrap();
    for i in 0..40_i64 {
        let x = 100.0 + i as f64;
        c.on_bar(&Bar {
            instrument: id.clone(),
            timeframe: Timeframe::M1,
            ts_open: UnixNanos::new(i * 60_000_000_000),
            open: price(x),
            high: price(x + 1.0),
            low: price(x - 1.0),
            close: price(x + 0.5),
            volume: Quantity::from_int(1000 + i as u64),
        });
        let r = c.read(UnixNanos::new((i + 1) * 60_000_000_000));
        let e = c.audit().latest().unwrap();
        assert_eq!(e.fused, r.fused);
        assert!((e.contributions.iter().sum::<f64>() - r.fused.signal).abs() < 1e-12);
        assert_eq!(e.contributions[Dimension::When.index()], 0.0);
        for (k, d) in r.dimensions.iter().enumerate() {
            assert_eq!(e.signals[k], d.signal);
            if d.confidence == 0.0 {
                assert_eq!(e.contributions[k], 0.0, "{:?}", d.dimension);
            }
        }
    }
    assert_eq!(c.audit().len(), 7);
    assert_eq!(c.audit().capacity(), 7);
    let first = c.audit().iter().next().unwrap().ts;
    assert_eq!(first, UnixNanos::new(34 * 60_000_000_000));
    assert!(c.audit().latest().unwrap().signals[Dimension::What.index()] > 0.5);
}

#[test]
fn drift_fails_when_what_reverses_after_a_steady_trend() {
    use emp_telemetry::Status;
    let mut cfg = small_windows();
    cfg.drift.window = 10;
    cfg.drift.min_samples = 5;
    let id = InstrumentId::try_new("XYZ").unwrap();
    let mut c = Cortex::try_new(cfg).unwrap();
    let push = |c: &mut Cortex, i: i64, x: f64, up: bool| {
        let (o, cl) = if up { (x - 0.5, x) } else { (x + 0.5, x) };
        c.on_bar(&Bar {
            instrument: id.clone(),
            timeframe: Timeframe::M1,
            ts_open: UnixNanos::new(i * 60_000_000_000),
            open: price(o),
            high: price(o.max(cl) + 0.1),
            low: price(o.min(cl) - 0.1),
            close: price(cl),
            volume: Quantity::from_int(1000),
        });
        c.read(UnixNanos::new((i + 1) * 60_000_000_000));
    };
    for i in 0..20 {
        push(&mut c, i, 100.0 + i as f64, true);
    }
    let steady = c.drift(UnixNanos::new(0));
    assert_eq!(
        steady.check("what").unwrap().status,
        Status::Ok,
        "{}",
        steady.to_markdown()
    );
    // A collapse far below the range: WHAT flips from ≈ +1 to strongly negative.
    push(&mut c, 20, 90.0, false);
    let s = c.drift(UnixNanos::new(0));
    assert_eq!(s.topic(), "telemetry.sensory.drift");
    let what = s.check("what").unwrap();
    assert_eq!(what.status, Status::Fail, "{}", s.to_markdown());
    assert_eq!(s.status(), Status::Fail);
}
