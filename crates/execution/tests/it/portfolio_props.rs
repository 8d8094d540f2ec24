//! Property: a position's PnL is what its fills imply, and equity = cash + marked positions
//! after every step of random fills, marks and FX moves across three instruments.

use emp_execution::*;
use emp_model::*;
use proptest::prelude::*;

use crate::common::*;

#[derive(Clone, Debug)]
enum Step {
    Fill {
        inst: usize,
        buy: bool,
        qty: u64,
        ticks: i64,
        fee_cents: i64,
    },
    Mark {
        inst: usize,
        ticks: i64,
    },
    Fx {
        usdjpy_ticks: i64,
    },
}

fn specs() -> Vec<InstrumentSpec> {
    let es = InstrumentSpec::try_new(
        InstrumentId::try_new("ESZ4").unwrap(),
        AssetClass::Future,
        2,
        0,
        50.0,
        Currency::USD,
        px("0.25"),
    )
    .unwrap();
    vec![eurusd(), usdjpy(), es]
}

/// Base price and tick of each instrument (ticks are offsets from the base).
fn price(inst: usize, ticks: i64) -> Price {
    let (base, tick, prec) = [(110_000i64, 1i64, 5u8), (150_000, 1, 3), (500_000, 25, 2)][inst];
    Price::from_raw(base + ticks * tick, prec).unwrap()
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..3, any::<bool>(), 1u64..2_000, -500i64..500, 0i64..500)
            .prop_map(|(inst, buy, qty, ticks, fee_cents)| Step::Fill { inst, buy, qty, ticks, fee_cents }),
        3 => (0usize..3, -800i64..800).prop_map(|(inst, ticks)| Step::Mark { inst, ticks }),
        1 => (-5_000i64..5_000).prop_map(|usdjpy_ticks| Step::Fx { usdjpy_ticks }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn pnl_matches_fills_and_equity_is_cash_plus_marks(
        steps in prop::collection::vec(step(), 1..60),
        n_instruments in 1usize..=3,
    ) {
        let specs = specs();
        let mut p = Portfolio::try_new(PortfolioConfig::default()).unwrap();
        for s in &specs { p.register(s.clone()); }
        let mut usdjpy_rate = 150.0;
        p.fx_mut().set(Currency::USD, Currency::JPY, usdjpy_rate);
        // Independent books: Σ −side × qty × price × multiplier, net qty, fees, marks.
        let mut cash_flow = [0.0f64; 3];
        let mut net = [0i64; 3];
        let mut fees = [0.0f64; 3];
        let mut marks: [Option<f64>; 3] = [None; 3];
        let mut fx_moved = false;
        for (k, st) in steps.iter().enumerate() {
            let ts = UnixNanos::from_secs(1_000 + k as i64);
            match st {
                Step::Fill { inst, buy, qty: q, ticks, fee_cents } => {
                    let i = inst % n_instruments;
                    let spec = &specs[i];
                    let side = if *buy { Side::Buy } else { Side::Sell };
                    let fill = Fill::try_new(oid(&format!("F{k}")), spec.id().clone(), side, price(i, *ticks),
                        qty(*q), Money::from_raw(*fee_cents, 2, spec.quote_currency()).unwrap(), ts).unwrap();
                    p.apply_fill(&fill, STRATEGY).unwrap();
                    cash_flow[i] -= side.sign() as f64 * *q as f64 * fill.price.as_f64() * spec.multiplier();
                    net[i] += side.sign() * *q as i64;
                    fees[i] += *fee_cents as f64 / 100.0;
                    marks[i].get_or_insert(fill.price.as_f64());
                }
                Step::Mark { inst, ticks } => {
                    let i = inst % n_instruments;
                    p.mark(specs[i].id(), price(i, *ticks));
                    marks[i] = Some(price(i, *ticks).as_f64());
                }
                Step::Fx { usdjpy_ticks } => {
                    usdjpy_rate = 150.0 + *usdjpy_ticks as f64 / 1_000.0;
                    p.fx_mut().set(Currency::USD, Currency::JPY, usdjpy_rate);
                    p.refresh_rates();
                    fx_moved = true;
                }
            }
            let mut marked = 0.0;
            let mut total_net_usd = 0.0;
            for i in 0..n_instruments {
                let spec = &specs[i];
                let rate = if spec.quote_currency() == Currency::JPY { 1.0 / usdjpy_rate } else { 1.0 };
                let Some(pos) = p.position(spec.id()) else { continue };
                let mark = marks[i].unwrap();
                // 1. The position's total PnL (realised + unrealised, average cost) equals the
                //    cash-flow view of its fills: Σ −side·q·price·mult + net·mark·mult.
                let implied = cash_flow[i] + net[i] as f64 * mark * spec.multiplier();
                let m = Price::from_f64(mark, spec.price_precision()).unwrap();
                let scale = 1.0 + cash_flow[i].abs();
                prop_assert!((pos.total_pnl(m) - implied).abs() <= 1e-9 * scale,
                    "instrument {i}: position says {}, fills imply {implied}", pos.total_pnl(m));
                prop_assert_eq!(pos.signed_quantity_nanos(), i128::from(net[i]) * 1_000_000_000);
                marked += pos.unrealized_pnl(m) * rate;
                total_net_usd += (implied - fees[i]) * rate;
            }
            // 2. Equity = cash + Σ marked positions (converted at the current rate).
            prop_assert!((p.equity() - (p.cash() + marked)).abs() <= 1e-6 * (1.0 + p.cash().abs()));
            // 3. Without FX moves, equity − starting cash is the fills' total PnL net of fees.
            if !fx_moved {
                prop_assert!((p.equity() - 100_000.0 - total_net_usd).abs() <= 1e-6 * (1.0 + total_net_usd.abs()),
                    "equity {} vs {}", p.equity(), 100_000.0 + total_net_usd);
            }
        }
    }
}
