//! Hand-worked scenarios: FX conversion, bars (open and OHLC path), brackets, rejects,
//! latency, expiry, replace.

use emp_execution::*;
use emp_model::*;

use crate::common::*;

#[test]
fn jpy_pnl_and_fees_convert_to_a_usd_account() {
    let j = usdjpy();
    let config = SimVenueConfig {
        fees: FeeConfig {
            bps: 1.0,
            ..FeeConfig::default()
        },
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [j.clone()]);
    // The USDJPY quote itself sets the JPY→USD rate: mid (150.000 + 150.010) / 2 = 150.005.
    let q0 = quote(&j, t0(), "150.000", "150.010");
    rig.venue.fx_mut().update_from_quote(&j, &q0);
    rig.quote(&q0);
    let id = rig.submit(market("J1", &j, Side::Buy, 100_000), t0());
    rig.advance(t0());
    // Buy 100 000 at the ask 150.010; notional 15 001 000 JPY; fee 1 bp = 1 500.10 JPY,
    // converted at the fill-time rate: 1 500.10 / 150.005 = 10.000333 USD.
    let f = &rig.fills_of(&id)[0];
    assert_eq!(f.price, px("150.010"));
    assert_eq!(f.fee.to_string(), "1500.10 JPY");
    let p = rig.manager.portfolio();
    assert!(close_to(p.cash(), 100_000.0 - 1_500.10 / 150.005, 1e-9));
    // Market moves to 150.500 / 150.510 (mid 150.505): unrealised 100 000 × (150.505 − 150.010)
    // = 49 500 JPY = 49 500 / 150.505 = 328.8927 USD at the current rate.
    rig.quote(&quote(&j, at_ms(1_000), "150.500", "150.510"));
    let p = rig.manager.portfolio();
    assert!(close_to(p.unrealized_pnl(j.id()), 49_500.0 / 150.505, 1e-6));
    // Equity = 100 000 − 10.000333 + 328.892728 = 100 318.892395.
    assert!(close_to(
        p.equity(),
        100_000.0 - 1_500.10 / 150.005 + 49_500.0 / 150.505,
        1e-6
    ));
    assert!(close_to(p.equity(), 100_318.892_4, 1e-3));
    // Close at the bid 150.500: realised 49 000 JPY at 150.505 → 325.5706 USD; fee 1 505.00 JPY.
    let c = rig.submit(market("J2", &j, Side::Sell, 100_000), at_ms(1_000));
    rig.advance(at_ms(1_000));
    assert_eq!(rig.fills_of(&c)[0].fee.to_string(), "1505.00 JPY");
    let p = rig.manager.portfolio();
    let expected = 100_000.0 - 1_500.10 / 150.005 + (49_000.0 - 1_505.0) / 150.505;
    assert!(close_to(p.cash(), expected, 1e-6));
    assert!(close_to(p.equity(), p.cash(), 1e-9));
}

fn bar(spec: &InstrumentSpec, minute: i64, o: &str, h: &str, l: &str, c: &str, volume: u64) -> Bar {
    Bar::try_new(
        spec.id().clone(),
        Timeframe::M1,
        at_ms(minute * 60_000),
        px(o),
        px(h),
        px(l),
        px(c),
        qty(volume),
    )
    .unwrap()
}

#[test]
fn bar_path_convention_and_bracket_oco() {
    let s = eurusd();
    let config = SimVenueConfig {
        fill_mode: FillMode::BarPath,
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    rig.bar(&bar(&s, 0, "1.10000", "1.10100", "1.09900", "1.10050", 0));
    // Entry buy 10 000 with SL 1.09500 and TP 1.10500, sent during bar 0: trades at bar 1's open.
    let entry =
        market("B1", &s, Side::Buy, 10_000).with_bracket(Some(px("1.09500")), Some(px("1.10500")));
    let id = rig.submit(entry, at_ms(1_000));
    rig.bar(&bar(&s, 1, "1.10020", "1.10080", "1.09980", "1.10060", 0));
    assert_eq!(rig.fills_of(&id)[0].price, px("1.10020"));
    assert_eq!(rig.fills_of(&id)[0].ts, at_ms(60_000));
    // Entry filled → children sent now (ts of bar 1 open), live before bar 2.
    let (sl, tp) = (oid("B1-SL"), oid("B1-TP"));
    assert_eq!(rig.status(&sl), OrderStatus::Submitted);
    rig.advance(at_ms(60_000));
    assert_eq!(rig.status(&sl), OrderStatus::Accepted);
    assert_eq!(rig.status(&tp), OrderStatus::Accepted);
    // Bar 2 is an UP bar (close 1.10300 ≥ open 1.10000) reaching both 1.09400 and 1.10600.
    // Path O → L → H → C: the low comes first, so the stop loss sells at 1.09500 (intra-bar
    // fill at the stop price, stamped at the bar close) and the take profit is cancelled.
    rig.bar(&bar(&s, 2, "1.10000", "1.10600", "1.09400", "1.10300", 0));
    assert_eq!(rig.fills_of(&sl)[0].price, px("1.09500"));
    assert_eq!(rig.fills_of(&sl)[0].ts, at_ms(180_000));
    assert!(rig.fills_of(&tp).is_empty());
    assert_eq!(rig.status(&tp), OrderStatus::Cancelled);
    // Realised 10 000 × (1.09500 − 1.10020) = −52.00.
    let p = rig.manager.portfolio();
    assert!(close_to(
        p.position(s.id()).unwrap().realized_pnl(),
        -52.0,
        1e-9
    ));
    assert!(p.position(s.id()).unwrap().is_flat());
    assert_eq!(rig.manager.brackets()[0].state(), BracketState::Done);
    rig.assert_reconciled(at_ms(180_000));
}

#[test]
fn down_bar_visits_high_first_and_bar_open_mode_uses_the_open_only() {
    let s = eurusd();
    let config = SimVenueConfig {
        fill_mode: FillMode::BarPath,
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    rig.bar(&bar(&s, 0, "1.10000", "1.10100", "1.09900", "1.10050", 0));
    let buy = rig.submit(
        limit("D1", &s, Side::Buy, 1_000, "1.09800", TimeInForce::Gtc),
        at_ms(1),
    );
    let sell = rig.submit(
        limit("D2", &s, Side::Sell, 1_000, "1.10200", TimeInForce::Gtc),
        at_ms(1),
    );
    // Down bar O 1.10000 → H 1.10250 → L 1.09700 → C 1.09750: the sell limit fills at the
    // high point first at its limit 1.10200, then the buy limit at 1.09800.
    rig.bar(&bar(&s, 1, "1.10000", "1.10250", "1.09700", "1.09750", 0));
    assert_eq!(rig.fills_of(&sell)[0].price, px("1.10200"));
    assert_eq!(rig.fills_of(&buy)[0].price, px("1.09800"));
    let fills = rig.manager.fills();
    assert_eq!(fills[0].order_id, sell, "high visited first on a down bar");

    // BarOpen: only the open counts; a limit inside the bar's range does not fill.
    let config = SimVenueConfig {
        fill_mode: FillMode::BarOpen,
        participation_rate: Some(0.5),
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    rig.bar(&bar(&s, 0, "1.10000", "1.10100", "1.09900", "1.10050", 0));
    let l = rig.submit(
        limit("O1", &s, Side::Buy, 1_000, "1.09950", TimeInForce::Gtc),
        at_ms(1),
    );
    let m = OrderRequest {
        time_in_force: TimeInForce::Gtc,
        ..market("O2", &s, Side::Buy, 1_000)
    };
    let m = rig.submit(m, at_ms(1));
    // Volume 1 000 × 50 % = 500 per bar: the market order buys 500 at the open 1.10010.
    rig.bar(&bar(
        &s, 1, "1.10010", "1.10100", "1.09900", "1.10050", 1_000,
    ));
    assert!(rig.fills_of(&l).is_empty());
    assert_eq!(rig.fills_of(&m)[0].price, px("1.10010"));
    assert_eq!(rig.fills_of(&m)[0].quantity, qty(500));
    // Next bar opens at 1.09940 ≤ 1.09950: the limit buys 500 at the open (gap rule),
    // the market order its last 500.
    rig.bar(&bar(
        &s, 2, "1.09940", "1.10000", "1.09900", "1.09990", 1_000,
    ));
    assert_eq!(rig.fills_of(&l)[0].price, px("1.09940"));
    assert_eq!(rig.status(&m), OrderStatus::Filled);
    assert_eq!(rig.status(&l), OrderStatus::PartiallyFilled);
}

#[test]
fn rejects_margin_price_and_session() {
    let s = eurusd();
    // Account 100 000 USD at 30× leverage carries 3 000 000 USD of notional.
    let config = SimVenueConfig {
        session: SessionCalendar {
            closed_weekdays: vec![5, 6],
            open_secs: 0,
            close_secs: 86_400,
        },
        ..SimVenueConfig::default()
    };
    let mc = OrderManagerConfig {
        retry: RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        ..OrderManagerConfig::default()
    };
    let mut rig = Rig::with_manager(config, mc, [s.clone()]);
    // No quote yet: "no data" (transient, but max_attempts = 1 → final).
    let nd = rig.submit(market("R0", &s, Side::Buy, 1_000), t0());
    rig.advance(t0());
    assert_eq!(rig.status(&nd), OrderStatus::Rejected);
    assert!(
        rig.manager
            .order(&nd)
            .unwrap()
            .reject_reason()
            .unwrap()
            .contains("NoMarketData")
    );
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    // 2 800 000 × 1.10050 = 3 081 400 notional needs 102 713 margin > 100 000 equity.
    let big = rig.submit(market("R1", &s, Side::Buy, 2_800_000), t0());
    // 2 700 000 × 1.10050 / 30 = 99 045 ≤ 100 000: accepted.
    let ok = rig.submit(market("R2", &s, Side::Buy, 2_700_000), t0());
    // Limit off the 0.00001 tick, and a non-positive stop.
    let off = rig.submit(
        limit("R3", &s, Side::Buy, 1_000, "1.100005", TimeInForce::Gtc),
        t0(),
    );
    let neg = rig.submit(stop("R4", &s, Side::Sell, 1_000, "-1.00000", None), t0());
    rig.advance(t0());
    let reason = |rig: &Rig, id: &ClientOrderId| {
        rig.manager
            .order(id)
            .unwrap()
            .reject_reason()
            .map(str::to_owned)
    };
    assert_eq!(reason(&rig, &big).as_deref(), Some("InsufficientMargin"));
    assert_eq!(rig.status(&ok), OrderStatus::Filled);
    assert_eq!(reason(&rig, &off).as_deref(), Some("InvalidPrice"));
    assert_eq!(reason(&rig, &neg).as_deref(), Some("InvalidPrice"));
    // A reducing order needs no margin even when the account is fully used.
    let red = rig.submit(market("R5", &s, Side::Sell, 2_700_000), t0());
    // Saturday 2024-01-06: market closed.
    let sat = UnixNanos::from_civil(2024, 1, 6, 12, 0, 0, 0).unwrap();
    rig.advance(t0());
    assert_eq!(rig.status(&red), OrderStatus::Filled);
    let closed = rig.submit(market("R6", &s, Side::Buy, 1_000), sat);
    rig.advance(sat);
    assert_eq!(reason(&rig, &closed).as_deref(), Some("MarketClosed"));
    let m = rig.manager.metrics();
    assert_eq!(m.rejected, 5);
}

#[test]
fn latency_makes_orders_meet_the_quote_standing_at_arrival() {
    let s = eurusd();
    let config = SimVenueConfig {
        latency: LatencyConfig {
            fixed_nanos: 100_000_000,
            jitter_nanos: 0,
            seed: 1,
        },
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    let id = rig.submit(market("LAT", &s, Side::Buy, 1_000), t0());
    rig.quote(&quote(&s, at_ms(50), "1.10060", "1.10070"));
    assert_eq!(
        rig.status(&id),
        OrderStatus::Submitted,
        "still on the wire at +50 ms"
    );
    // Next quote at +150 ms: the order arrived at +100 ms and met the +50 ms quote (ask 1.10070).
    rig.quote(&quote(&s, at_ms(150), "1.10090", "1.10100"));
    let f = &rig.fills_of(&id)[0];
    assert_eq!((f.price, f.ts), (px("1.10070"), at_ms(100)));
    let m = rig.manager.metrics();
    assert_eq!(m.avg_latency_ms(), Some(100.0));
}

#[test]
fn gtd_and_day_expiry_then_cancel_and_replace() {
    let s = eurusd();
    let mut rig = Rig::new(SimVenueConfig::default(), [s.clone()]);
    rig.quote(&quote(&s, t0(), "1.10040", "1.10050"));
    let gtd = rig.submit(
        limit(
            "X1",
            &s,
            Side::Buy,
            1_000,
            "1.09000",
            TimeInForce::Gtd(at_ms(10_000)),
        ),
        t0(),
    );
    let day = rig.submit(
        limit("X2", &s, Side::Buy, 1_000, "1.09000", TimeInForce::Day),
        t0(),
    );
    let gtc = rig.submit(
        limit("X3", &s, Side::Buy, 1_000, "1.09000", TimeInForce::Gtc),
        t0(),
    );
    rig.advance(at_ms(9_999));
    assert_eq!(rig.status(&gtd), OrderStatus::Accepted);
    rig.advance(at_ms(11_000));
    assert_eq!(rig.status(&gtd), OrderStatus::Expired);
    assert_eq!(rig.manager.order(&gtd).unwrap().ts_last(), at_ms(10_000));
    // DAY (always-open calendar): expires at the next midnight UTC, 2024-01-03 00:00.
    let midnight = UnixNanos::from_civil(2024, 1, 3, 0, 0, 0, 0).unwrap();
    rig.advance(midnight);
    assert_eq!(rig.status(&day), OrderStatus::Expired);
    assert_eq!(rig.status(&gtc), OrderStatus::Accepted);
    // Replace the GTC limit up to 1.10045 (ask 1.10050 still above): the next quote with ask
    // 1.10045 fills it at 1.10045.
    let amend = Amend {
        id: gtc.clone(),
        quantity: Some(qty(2_000)),
        limit_price: Some(px("1.10045")),
        stop_price: None,
    };
    rig.manager
        .replace(amend, &mut rig.venue, midnight)
        .unwrap();
    rig.advance(midnight);
    let o = rig.manager.order(&gtc).unwrap();
    assert_eq!(
        (o.limit_price(), o.quantity()),
        (Some(px("1.10045")), qty(2_000))
    );
    rig.quote(&quote(&s, midnight, "1.10035", "1.10045"));
    assert_eq!(rig.fills_of(&gtc)[0].price, px("1.10045"));
    assert_eq!(rig.status(&gtc), OrderStatus::Filled);
    // Cancelling a filled order is refused locally.
    assert!(matches!(
        rig.manager.cancel(&gtc, &mut rig.venue, midnight),
        Err(emp_execution::Error::InvalidCommand { .. })
    ));
    let c = rig.submit(
        limit("X4", &s, Side::Sell, 1_000, "1.20000", TimeInForce::Gtc),
        midnight,
    );
    rig.advance(midnight);
    rig.manager.cancel(&c, &mut rig.venue, midnight).unwrap();
    rig.advance(midnight);
    assert_eq!(rig.status(&c), OrderStatus::Cancelled);
    rig.assert_reconciled(midnight);
}

#[test]
fn oco_children_shrink_together_on_partial_fills() {
    let s = eurusd();
    let config = SimVenueConfig {
        participation_rate: Some(0.5),
        ..SimVenueConfig::default()
    };
    let mut rig = Rig::new(config, [s.clone()]);
    rig.quote(&sized_quote(&s, t0(), "1.10040", "1.10050", 40_000));
    // Entry: 10 000 ≤ 50 % of 40 000, filled at once at 1.10050; SL 1.09000, TP 1.10200.
    let entry =
        market("OU1", &s, Side::Buy, 10_000).with_bracket(Some(px("1.09000")), Some(px("1.10200")));
    rig.submit(entry, t0());
    rig.advance(t0());
    rig.advance(t0()); // children arrive
    let (sl, tp) = (oid("OU1-SL"), oid("OU1-TP"));
    assert_eq!(rig.status(&tp), OrderStatus::Accepted);
    // Bid 1.10200 with 8 000 shown: TP sells 50 % × 8 000 = 4 000; the venue shrinks the
    // stop loss to the 6 000 still held (one-updates-other) and the manager follows.
    rig.quote(&sized_quote(&s, at_ms(100), "1.10200", "1.10210", 8_000));
    assert_eq!(rig.fills_of(&tp)[0].quantity, qty(4_000));
    assert_eq!(rig.status(&tp), OrderStatus::PartiallyFilled);
    assert_eq!(rig.manager.order(&sl).unwrap().quantity(), qty(6_000));
    // Bid 1.10250, 20 000 shown: TP sells its last 6 000 at 1.10250; the SL is cancelled.
    rig.quote(&sized_quote(&s, at_ms(200), "1.10250", "1.10260", 20_000));
    assert_eq!(rig.status(&tp), OrderStatus::Filled);
    assert_eq!(rig.status(&sl), OrderStatus::Cancelled);
    // Realised 4 000 × (1.10200 − 1.10050) + 6 000 × (1.10250 − 1.10050) = 6.00 + 12.00 = 18.00.
    let pos = rig.manager.portfolio().position(s.id()).unwrap();
    assert!(pos.is_flat());
    assert!(close_to(pos.realized_pnl(), 18.0, 1e-9));
    rig.assert_reconciled(at_ms(200));
}
