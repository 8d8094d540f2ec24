//! Properties of the simulated venue under random order flow (all order types and times
//! in force, random latency and participation, quotes and both bar modes):
//!
//! * our books reconcile with the venue's at the end (fills, quantities, positions, open
//!   orders);
//! * a limit (or triggered stop-limit) never fills at a worse price than its limit;
//! * with zero slippage, every bar-mode fill lies inside the range of the bar it traded in;
//! * FOK orders fill completely or not at all; no IOC/FOK order is left working;
//! * no order is overfilled.

use std::collections::HashMap;

use emp_execution::*;
use emp_model::*;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::common::*;

fn run_case(
    seed: u64,
    mode: FillMode,
    participation: Option<f64>,
    latency_ms: i64,
) -> std::result::Result<(), TestCaseError> {
    let s = eurusd();
    let config = SimVenueConfig {
        fill_mode: mode,
        participation_rate: participation,
        latency: LatencyConfig {
            fixed_nanos: latency_ms * 1_000_000,
            jitter_nanos: 5_000_000,
            seed,
        },
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut mid: i64 = 110_000;
    // Fill time → (low, high) of the bar that produced it (bars are 60 s long, 120 s apart,
    // so a bar's open and close times never coincide with another bar's).
    let mut ranges: HashMap<UnixNanos, (Price, Price)> = HashMap::new();
    let mut ids = Vec::new();
    // The last steps only bring market data, so every order arrives and meets the market
    // at least once (an order arrives `latency` after it is sent).
    let last_submit = 250 - latency_ms / 120_000 - 2;
    for k in 0..=250i64 {
        let ts = at_ms(k * 120_000);
        let move_: i64 = rng.random_range(-15..=15);
        mid += move_;
        match mode {
            FillMode::Quotes => {
                let half = rng.random_range(1..=3);
                let size = Quantity::from_int(rng.random_range(1_000..40_000));
                let q = QuoteTick::try_new(
                    s.id().clone(),
                    ts,
                    Price::from_raw(mid - half, 5).unwrap(),
                    Price::from_raw(mid + half, 5).unwrap(),
                    size,
                    size,
                )
                .unwrap();
                rig.quote(&q);
            }
            _ => {
                let open = mid - move_;
                let (hi, lo) = (
                    open.max(mid) + rng.random_range(0..20),
                    open.min(mid) - rng.random_range(0..20),
                );
                let p = |raw| Price::from_raw(raw, 5).unwrap();
                let bar = Bar::try_new(
                    s.id().clone(),
                    Timeframe::M1,
                    ts,
                    p(open),
                    p(hi),
                    p(lo),
                    p(mid),
                    Quantity::from_int(rng.random_range(0..60_000)),
                )
                .unwrap();
                ranges.insert(bar.ts_open, (bar.low, bar.high));
                ranges.insert(bar.ts_close(), (bar.low, bar.high));
                rig.bar(&bar);
            }
        }
        if k < last_submit && rng.random_bool(0.3) {
            let side = if rng.random_bool(0.5) {
                Side::Buy
            } else {
                Side::Sell
            };
            let near = |rng: &mut ChaCha8Rng| {
                Price::from_raw(mid + rng.random_range(-40..=40), 5).unwrap()
            };
            let tif = match rng.random_range(0..5) {
                0 => TimeInForce::Gtc,
                1 => TimeInForce::Ioc,
                2 => TimeInForce::Fok,
                3 => TimeInForce::Day,
                _ => TimeInForce::Gtd(at_ms(k * 120_000 + rng.random_range(1..2_000_000))),
            };
            let kind = [
                OrderType::Market,
                OrderType::Limit,
                OrderType::Stop,
                OrderType::StopLimit,
            ][rng.random_range(0..4)];
            let stop_price =
                matches!(kind, OrderType::Stop | OrderType::StopLimit).then(|| near(&mut rng));
            let limit_price =
                matches!(kind, OrderType::Limit | OrderType::StopLimit).then(|| near(&mut rng));
            let request = OrderRequest {
                order_type: kind,
                stop_price,
                limit_price,
                time_in_force: tif,
                ..market(&format!("V{k}"), &s, side, rng.random_range(1_000..20_000))
            };
            ids.push(rig.submit(request, ts));
        }
        if rng.random_bool(0.05) && !ids.is_empty() {
            let id = ids[rng.random_range(0..ids.len())].clone();
            let _ = rig.manager.cancel(&id, &mut rig.venue, ts); // refused when not working: fine
        }
    }
    let end = at_ms(251 * 120_000 + 10_000_000);
    rig.advance(end);
    let report = rig.manager.reconcile(&rig.venue, end);
    prop_assert!(report.is_clean(), "{:#?}", report.discrepancies);
    prop_assert!(
        rig.manager.fills().len() >= 10,
        "the flow should trade: {} fills",
        rig.manager.fills().len()
    );
    for id in &ids {
        let o = rig.manager.order(id).unwrap();
        let fills = rig.fills_of(id);
        let filled: u64 = fills.iter().map(|f| f.quantity.raw()).sum();
        prop_assert_eq!(Quantity::from_int(filled), o.filled_quantity());
        prop_assert!(o.filled_quantity() <= o.quantity());
        if let (Some(limit), OrderType::Limit | OrderType::StopLimit) =
            (o.limit_price(), o.order_type())
        {
            for f in &fills {
                let ok = match o.side() {
                    Side::Buy => f.price <= limit,
                    Side::Sell => f.price >= limit,
                };
                prop_assert!(
                    ok,
                    "{} {:?} limit {} filled at {}",
                    id,
                    o.side(),
                    limit,
                    f.price
                );
            }
        }
        if mode != FillMode::Quotes {
            for f in &fills {
                let (lo, hi) = ranges[&f.ts];
                prop_assert!(
                    lo <= f.price && f.price <= hi,
                    "{} filled at {} outside [{lo}, {hi}]",
                    id,
                    f.price
                );
            }
        }
        match o.time_in_force() {
            TimeInForce::Fok => prop_assert!(filled == 0 || o.filled_quantity() == o.quantity()),
            TimeInForce::Ioc => {}
            _ => continue,
        }
        prop_assert!(
            !matches!(
                o.status(),
                OrderStatus::Accepted | OrderStatus::PartiallyFilled
            ),
            "{} left working",
            id
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_flows_keep_the_venue_invariants(
        seed in any::<u64>(),
        mode in prop_oneof![Just(FillMode::Quotes), Just(FillMode::BarOpen), Just(FillMode::BarPath)],
        participation in prop::option::of(0.05f64..1.0),
        latency_ms in 0i64..300_000,
    ) {
        run_case(seed, mode, participation, latency_ms)?;
    }
}
