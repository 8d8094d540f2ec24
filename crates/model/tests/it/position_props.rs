//! Position accounting under random fills, checked by cash-flow identities and an independent
//! exact ledger of quantities and fees.

use emp_model::{
    ClientOrderId, Currency, Fill, InstrumentId, Money, Position, Price, Quantity, Side, UnixNanos,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
struct RandomFill {
    side: Side,
    qty_raw: u64,
    qty_precision: u8,
    price_raw: i64,
    fee_cents: i64,
}

fn random_fill() -> impl Strategy<Value = RandomFill> {
    (
        prop_oneof![Just(Side::Buy), Just(Side::Sell)],
        1u64..5_000,
        0u8..=3,
        1i64..1_000_000,
        -50i64..500,
    )
        .prop_map(
            |(side, qty_raw, qty_precision, price_raw, fee_cents)| RandomFill {
                side,
                qty_raw,
                qty_precision,
                price_raw,
                fee_cents,
            },
        )
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + scale)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn pnl_equals_cash_flows_plus_marked_holdings(
        fills in prop::collection::vec(random_fill(), 1..40),
        multiplier in prop_oneof![Just(1.0), Just(50.0), Just(0.1), Just(1000.0)],
        mark_raw in 1i64..1_000_000,
    ) {
        let instrument = InstrumentId::try_new("CL").unwrap();
        let mut pos = Position::new(instrument.clone(), Currency::USD, multiplier).unwrap();
        let mark = Price::from_raw(mark_raw, 2).unwrap();
        let mut cash = 0.0f64; // Σ −sign × qty × price × multiplier
        let mut gross_scale = 0.0f64; // magnitude of the flows, for the float tolerance
        let mut exact_qty = Decimal::ZERO;
        let mut exact_fees = Decimal::ZERO;

        for (i, f) in fills.iter().enumerate() {
            let fill = Fill {
                order_id: ClientOrderId::try_new("F").unwrap(),
                instrument: instrument.clone(),
                side: f.side,
                price: Price::from_raw(f.price_raw, 2).unwrap(),
                quantity: Quantity::from_raw(f.qty_raw, f.qty_precision).unwrap(),
                fee: Money::from_raw(f.fee_cents, 2, Currency::USD).unwrap(),
                ts: UnixNanos::new(i as i64),
            };
            let was_long = pos.is_long();
            let was_short = pos.is_short();
            pos.apply_fill(&fill).unwrap();

            let q = Decimal::from_i128_with_scale(i128::from(f.qty_raw), u32::from(f.qty_precision));
            let sign = f.side.sign() as f64;
            let notional = fill.quantity.as_f64() * fill.price.as_f64() * multiplier;
            cash -= sign * notional;
            gross_scale += notional.abs();
            exact_qty += if f.side == Side::Buy { q } else { -q };
            exact_fees += Decimal::new(f.fee_cents, 2);

            // Exact ledger: quantity and fees are never approximated.
            let pos_qty = Decimal::from_i128_with_scale(pos.signed_quantity_nanos(), 9);
            prop_assert_eq!(pos_qty, exact_qty);
            prop_assert_eq!(pos.is_flat(), exact_qty.is_zero());
            prop_assert_eq!(Decimal::from_i128_with_scale(pos.fees().raw().into(), u32::from(pos.fees().precision())), exact_fees);

            // Identity: realised + unrealised(mark) = Σ cash flows + holdings × mark × multiplier.
            let lhs = pos.realized_pnl() + pos.unrealized_pnl(mark);
            let rhs = cash + pos.market_value(mark);
            prop_assert!(close(lhs, rhs, gross_scale), "step {}: {} vs {}", i, lhs, rhs);
            // Marking at the average price leaves only realised PnL.
            if let Some(avg) = pos.avg_price() {
                let at_avg = pos.signed_quantity() * avg * multiplier;
                prop_assert!(close(pos.realized_pnl(), cash + at_avg, gross_scale));
                // The average of an open position lies within the range of fill prices.
                prop_assert!(avg > 0.0);
            } else {
                // Flat: everything is realised, and realised PnL is exactly the cash flow.
                prop_assert!(close(pos.realized_pnl(), cash, gross_scale));
            }
            // A fill that flips the position reopens at the fill price.
            let flipped = (was_long && pos.is_short()) || (was_short && pos.is_long());
            if flipped {
                prop_assert_eq!(pos.avg_price(), Some(fill.price.as_f64()));
                prop_assert_eq!(pos.ts_opened(), Some(fill.ts));
            }
            prop_assert_eq!(pos.fill_count(), i as u64 + 1);
            let net = pos.realized_pnl() - exact_fees.to_string().parse::<f64>().unwrap();
            prop_assert!(close(pos.net_realized_pnl(), net, gross_scale));
        }
    }
}
