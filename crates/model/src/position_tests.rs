use super::*;
use crate::ids::ClientOrderId;
use crate::instrument::AssetClass;
use crate::side::Side;

fn inst() -> InstrumentId {
    InstrumentId::try_new("ES").unwrap()
}

fn fill(side: Side, qty: &str, price: &str, fee: &str) -> Fill {
    Fill {
        order_id: ClientOrderId::try_new("O").unwrap(),
        instrument: inst(),
        side,
        price: price.parse().unwrap(),
        quantity: qty.parse().unwrap(),
        fee: Money::parse_amount(fee, Currency::USD).unwrap(),
        ts: UnixNanos::new(1),
    }
}

fn pos(mult: f64) -> Position {
    Position::new(inst(), Currency::USD, mult).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn long_open_add_reduce_close() {
    let mut p = pos(1.0);
    assert!(p.is_flat());
    assert_eq!(p.avg_price(), None);
    p.apply_fill(&fill(Side::Buy, "10", "100", "1")).unwrap();
    p.apply_fill(&fill(Side::Buy, "10", "110", "1")).unwrap();
    assert_eq!(p.side(), PositionSide::Long);
    assert_eq!(p.quantity().to_string(), "20");
    assert!(close(p.avg_price().unwrap(), 105.0));
    assert!(close(p.unrealized_pnl("120".parse().unwrap()), 300.0));
    p.apply_fill(&fill(Side::Sell, "5", "120", "1")).unwrap();
    assert!(close(p.realized_pnl(), 75.0)); // 5 × (120 − 105)
    assert!(close(p.avg_price().unwrap(), 105.0)); // reducing keeps the average
    p.apply_fill(&fill(Side::Sell, "15", "100", "1")).unwrap();
    assert!(close(p.realized_pnl(), 0.0)); // 75 − 15 × 5
    assert!(p.is_flat());
    assert_eq!(p.avg_price(), None);
    assert_eq!(p.unrealized_pnl("1".parse().unwrap()), 0.0);
    assert_eq!(p.fees().to_string(), "4 USD");
    assert!(close(p.net_realized_pnl(), -4.0));
    assert_eq!(p.fill_count(), 4);
    assert_eq!(p.ts_opened(), None);
}

#[test]
fn short_side_pnl() {
    let mut p = pos(1.0);
    p.apply_fill(&fill(Side::Sell, "3", "50", "0")).unwrap();
    assert_eq!(p.side(), PositionSide::Short);
    assert!(close(p.signed_quantity(), -3.0));
    assert!(close(p.unrealized_pnl("40".parse().unwrap()), 30.0));
    p.apply_fill(&fill(Side::Buy, "1", "45", "0")).unwrap();
    assert!(close(p.realized_pnl(), 5.0));
    assert!(close(p.signed_quantity(), -2.0));
}

#[test]
fn flip_through_zero_realises_at_old_average_and_reopens_at_fill() {
    let mut p = pos(1.0);
    p.apply_fill(&fill(Side::Buy, "10", "100", "0")).unwrap();
    p.apply_fill(&fill(Side::Sell, "25", "110", "0")).unwrap();
    assert!(close(p.realized_pnl(), 100.0)); // 10 × (110 − 100)
    assert_eq!(p.side(), PositionSide::Short);
    assert_eq!(p.quantity().to_string(), "15");
    assert!(close(p.avg_price().unwrap(), 110.0));
    // And back again: short 15 @ 110, buy 20 @ 105 → realise 15 × 5, long 5 @ 105.
    p.apply_fill(&fill(Side::Buy, "20", "105", "0")).unwrap();
    assert!(close(p.realized_pnl(), 175.0));
    assert!(p.is_long());
    assert!(close(p.avg_price().unwrap(), 105.0));
}

#[test]
fn multiplier_scales_pnl() {
    let spec = InstrumentSpec::try_new(
        inst(),
        AssetClass::Future,
        2,
        0,
        50.0,
        Currency::USD,
        "0.25".parse().unwrap(),
    )
    .unwrap();
    let mut p = Position::from_spec(&spec);
    p.apply_fill(&fill(Side::Buy, "2", "4500.00", "4.20"))
        .unwrap();
    assert!(close(
        p.unrealized_pnl("4510.25".parse().unwrap()),
        2.0 * 10.25 * 50.0
    ));
    p.apply_fill(&fill(Side::Sell, "1", "4490", "2.10"))
        .unwrap();
    assert!(close(p.realized_pnl(), -500.0));
    assert!(close(
        p.market_value("4490".parse().unwrap()),
        4490.0 * 50.0
    ));
    assert_eq!(p.fees().to_string(), "6.30 USD");
}

#[test]
fn mixed_precisions_are_exact() {
    let mut p = pos(1.0);
    p.apply_fill(&fill(Side::Buy, "0.1", "1", "0")).unwrap();
    p.apply_fill(&fill(Side::Buy, "0.2", "1", "0")).unwrap();
    p.apply_fill(&fill(Side::Sell, "0.3", "1", "0")).unwrap();
    assert!(p.is_flat(), "0.1 + 0.2 − 0.3 must be exactly zero");
    p.apply_fill(&fill(Side::Buy, "1.000000001", "1", "0"))
        .unwrap();
    assert_eq!(p.quantity().to_string(), "1.000000001");
    assert_eq!(p.signed_quantity_nanos(), 1_000_000_001);
}

#[test]
fn refused_fills_leave_position_unchanged() {
    let mut p = pos(1.0);
    p.apply_fill(&fill(Side::Buy, "1", "10", "0")).unwrap();
    let before = p.clone();
    let mut other = fill(Side::Buy, "1", "10", "0");
    other.instrument = InstrumentId::try_new("NQ").unwrap();
    assert!(matches!(
        p.apply_fill(&other),
        Err(Error::InstrumentMismatch { .. })
    ));
    let mut eur_fee = fill(Side::Buy, "1", "10", "0");
    eur_fee.fee = Money::parse_amount("1", Currency::EUR).unwrap();
    assert!(matches!(
        p.apply_fill(&eur_fee),
        Err(Error::CurrencyMismatch { .. })
    ));
    assert!(p.apply_fill(&fill(Side::Buy, "0", "10", "0")).is_err());
    assert_eq!(p, before);
    // A zero fee in another currency is simply no fee.
    let mut zero_eur = fill(Side::Buy, "1", "10", "0");
    zero_eur.fee = Money::zero(Currency::EUR);
    p.apply_fill(&zero_eur).unwrap();
    assert!(Position::new(inst(), Currency::USD, 0.0).is_err());
    assert!(Position::new(inst(), Currency::USD, f64::INFINITY).is_err());
}

#[test]
fn serialises_derived_figures() {
    let mut p = pos(1.0);
    p.apply_fill(&fill(Side::Sell, "2.5", "10", "0.5")).unwrap();
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["side"], "short");
    assert_eq!(v["quantity"], "2.5");
    assert_eq!(v["signed_quantity"], -2.5);
    assert_eq!(v["fees"], "0.5 USD");
    assert_eq!(v["instrument"], "ES");
}
