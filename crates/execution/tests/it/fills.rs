//! Hand-worked fills against quotes: market, limit, stop, stop-limit, partials, IOC/FOK,
//! fees, slippage, shorts.

use emp_execution::*;
use emp_model::*;

use crate::common::*;

fn fx_venue() -> SimVenueConfig {
    SimVenueConfig {
        slippage_bps: 2.0,
        fees: FeeConfig {
            bps: 0.5,
            ..FeeConfig::default()
        },
        ..SimVenueConfig::default()
    }
}

#[test]
fn market_buy_with_slippage_fee_and_mark() {
    let s = eurusd();
    let mut rig = Rig::new(fx_venue(), [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    let id = rig.submit(market("M1", &s, Side::Buy, 10_000), t0());
    rig.advance(t0());
    // Buy 10 000 EURUSD at ask 1.10050 + 2 bps: 1.10050 × 1.0002 = 1.1007201 → 1.10072.
    // Fee 0.5 bps of notional 10 000 × 1.10072 = 11 007.20 → 0.55036 → 0.55 USD.
    let fills = rig.fills_of(&id);
    assert_eq!(fills.len(), 1);
    assert_eq!(fills[0].price, px("1.10072"));
    assert_eq!(fills[0].quantity, qty(10_000));
    assert_eq!(fills[0].fee.to_string(), "0.55 USD");
    assert_eq!(rig.status(&id), OrderStatus::Filled);
    // Mark at mid of 1.10100 / 1.10110 = 1.10105: unrealised 10 000 × (1.10105 − 1.10072) = 3.30.
    rig.quote(&quote(&s, at_ms(1_000), "1.10100", "1.10110"));
    let p = rig.manager.portfolio();
    assert!(close_to(p.unrealized_pnl(s.id()), 3.30, 1e-9));
    // Cash 100 000 − 0.55 = 99 999.45; equity 99 999.45 + 3.30 = 100 002.75.
    assert!(close_to(p.cash(), 99_999.45, 1e-9));
    assert!(close_to(p.equity(), 100_002.75, 1e-9));
    rig.assert_reconciled(at_ms(1_000));
}

#[test]
fn resting_limit_fills_at_the_better_quote_without_slippage() {
    let s = eurusd();
    let mut rig = Rig::new(fx_venue(), [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    let id = rig.submit(
        limit("L1", &s, Side::Sell, 5_000, "1.10100", TimeInForce::Gtc),
        t0(),
    );
    rig.advance(t0());
    assert_eq!(rig.status(&id), OrderStatus::Accepted);
    rig.quote(&quote(&s, at_ms(100), "1.10090", "1.10100")); // bid below the limit: rests
    assert_eq!(rig.status(&id), OrderStatus::Accepted);
    // Bid gaps to 1.10120 ≥ 1.10100: sells 5 000 at the bid 1.10120 (no slippage on limits).
    // Fee 0.5 bps × 5 000 × 1.10120 = 0.5 × 5 506.00 / 10 000 = 0.2753 → 0.28 USD.
    rig.quote(&quote(&s, at_ms(200), "1.10120", "1.10130"));
    let f = &rig.fills_of(&id)[0];
    assert_eq!(
        (f.price, f.quantity, f.fee.to_string()),
        (px("1.10120"), qty(5_000), "0.28 USD".to_string())
    );
    // Short 5 000 marked at mid 1.10125: unrealised −5 000 × (1.10125 − 1.10120) = −0.25.
    assert!(close_to(
        rig.manager.portfolio().unrealized_pnl(s.id()),
        -0.25,
        1e-9
    ));
}

#[test]
fn stop_and_stop_limit_trigger_on_the_right_side() {
    let s = eurusd();
    let mut rig = Rig::new(fx_venue(), [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    let stop_id = rig.submit(stop("S1", &s, Side::Buy, 1_000, "1.10200", None), t0());
    let sl_id = rig.submit(
        stop("SL1", &s, Side::Buy, 1_000, "1.10200", Some("1.10205")),
        t0(),
    );
    rig.advance(t0());
    rig.quote(&quote(&s, at_ms(100), "1.10140", "1.10150"));
    assert!(rig.manager.fills().is_empty());
    // Ask 1.10210 ≥ stop 1.10200: the stop buys at 1.10210 × 1.0002 = 1.10232042 → 1.10232.
    // The stop-limit triggers too but its limit 1.10205 < ask 1.10210: it rests as a limit.
    rig.quote(&quote(&s, at_ms(200), "1.10200", "1.10210"));
    assert_eq!(rig.fills_of(&stop_id)[0].price, px("1.10232"));
    assert!(rig.fills_of(&sl_id).is_empty());
    assert_eq!(rig.status(&sl_id), OrderStatus::Accepted);
    // Ask falls back to 1.10204 ≤ 1.10205: the triggered stop-limit buys at 1.10204 (no slip).
    rig.quote(&quote(&s, at_ms(300), "1.10194", "1.10204"));
    assert_eq!(rig.fills_of(&sl_id)[0].price, px("1.10204"));
    // Sell stop below the market: bid must fall to 1.10000.
    let ss = rig.submit(
        stop("S2", &s, Side::Sell, 2_000, "1.10000", None),
        at_ms(300),
    );
    rig.advance(at_ms(300));
    rig.quote(&quote(&s, at_ms(400), "1.10001", "1.10011"));
    assert!(rig.fills_of(&ss).is_empty());
    // Bid 1.09990: sells at 1.09990 × 0.9998 = 1.09968002 → 1.09968.
    rig.quote(&quote(&s, at_ms(500), "1.09990", "1.10000"));
    assert_eq!(rig.fills_of(&ss)[0].price, px("1.09968"));
    rig.assert_reconciled(at_ms(500));
}

#[test]
fn participation_caps_partial_fills_and_ioc_fok_semantics() {
    let s = eurusd();
    let config = SimVenueConfig {
        participation_rate: Some(0.1),
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    rig.quote(&sized_quote(&s, t0(), "1.10040", "1.10050", 30_000));
    // GTC market buy of 10 000 with 10 % of a 30 000 ask size = 3 000 per quote:
    // 3 000 on arrival, then 3 000, 3 000 and the last 1 000 on the next three quotes.
    let gtc = OrderRequest {
        time_in_force: TimeInForce::Gtc,
        ..market("P1", &s, Side::Buy, 10_000)
    };
    let id = rig.submit(gtc, t0());
    rig.advance(t0());
    assert_eq!(rig.status(&id), OrderStatus::PartiallyFilled);
    for i in 1..=3 {
        rig.quote(&sized_quote(
            &s,
            at_ms(i * 100),
            "1.10040",
            "1.10050",
            30_000,
        ));
    }
    let sizes: Vec<u64> = rig.fills_of(&id).iter().map(|f| f.quantity.raw()).collect();
    assert_eq!(sizes, vec![3_000, 3_000, 3_000, 1_000]);
    assert_eq!(rig.status(&id), OrderStatus::Filled);

    // IOC: 3 000 now, the other 7 000 cancelled.
    let ioc = rig.submit(market("P2", &s, Side::Buy, 10_000), at_ms(400));
    rig.advance(at_ms(400));
    assert_eq!(
        rig.fills_of(&ioc)
            .iter()
            .map(|f| f.quantity.raw())
            .sum::<u64>(),
        3_000
    );
    assert_eq!(rig.status(&ioc), OrderStatus::Cancelled);
    assert_eq!(
        rig.manager.order(&ioc).unwrap().filled_quantity(),
        qty(3_000)
    );

    // FOK 10 000 cannot fill entirely (cap 3 000): nothing fills, cancelled. FOK 2 000 fills.
    let fok = OrderRequest {
        time_in_force: TimeInForce::Fok,
        ..market("P3", &s, Side::Buy, 10_000)
    };
    let fok = rig.submit(fok, at_ms(400));
    let fok2 = OrderRequest {
        time_in_force: TimeInForce::Fok,
        ..market("P4", &s, Side::Sell, 2_000)
    };
    let fok2 = rig.submit(fok2, at_ms(400));
    rig.advance(at_ms(400));
    assert!(rig.fills_of(&fok).is_empty());
    assert_eq!(rig.status(&fok), OrderStatus::Cancelled);
    assert_eq!(rig.status(&fok2), OrderStatus::Filled);
    // Non-marketable IOC limit: cancelled at once.
    let ioc_l = rig.submit(
        limit("P5", &s, Side::Buy, 1_000, "1.10000", TimeInForce::Ioc),
        at_ms(400),
    );
    rig.advance(at_ms(400));
    assert_eq!(rig.status(&ioc_l), OrderStatus::Cancelled);
    rig.assert_reconciled(at_ms(400));
}

#[test]
fn short_round_trip_realises_pnl_net_of_fees() {
    let s = eurusd();
    let config = SimVenueConfig {
        fees: FeeConfig {
            per_order: 1.0,
            min_fee: 1.5,
            ..FeeConfig::default()
        },
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    // Sell 10 000 at the bid 1.10040; fee max(0 + 1.00 per order, 1.50 minimum) = 1.50.
    let a = rig.submit(market("SH1", &s, Side::Sell, 10_000), t0());
    rig.advance(t0());
    assert_eq!(rig.fills_of(&a)[0].fee.to_string(), "1.50 USD");
    let pos = rig.manager.portfolio().position(s.id()).unwrap();
    assert_eq!(pos.side(), PositionSide::Short);
    // Buy back at the ask 1.09950: realised 10 000 × (1.10040 − 1.09950) = 9.00 gross.
    rig.quote(&quote(&s, at_ms(100), "1.09940", "1.09950"));
    let b = rig.submit(market("SH2", &s, Side::Buy, 10_000), at_ms(100));
    rig.advance(at_ms(100));
    assert_eq!(rig.fills_of(&b)[0].price, px("1.09950"));
    let p = rig.manager.portfolio();
    let pos = p.position(s.id()).unwrap();
    assert!(pos.is_flat());
    assert!(close_to(pos.realized_pnl(), 9.0, 1e-9));
    // Cash: 100 000 + 9.00 − 1.50 − 1.50 = 100 006.00 = equity (flat).
    assert!(close_to(p.cash(), 100_006.0, 1e-9));
    assert!(close_to(p.equity(), 100_006.0, 1e-9));
    assert_eq!(p.closed_trades().len(), 1);
    assert!(close_to(p.closed_trades()[0].pnl, 7.5, 1e-9));
}
