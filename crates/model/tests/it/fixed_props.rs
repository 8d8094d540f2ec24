//! Fixed-point arithmetic against `rust_decimal` as the oracle.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use emp_model::{Currency, Error, Money, Price, Quantity};
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

fn dec(raw: i128, precision: u8) -> Decimal {
    Decimal::from_i128_with_scale(raw, u32::from(precision))
}
fn pdec(p: Price) -> Decimal {
    dec(p.raw().into(), p.precision())
}
fn qdec(q: Quantity) -> Decimal {
    dec(q.raw().into(), q.precision())
}
/// The raw integer of `d` at `precision`, if exactly representable (None when digits would be lost).
fn raw_at(d: Decimal, precision: u8) -> Option<i128> {
    let d = d.normalize();
    let s = d.scale();
    let p = u32::from(precision);
    (s <= p).then(|| d.mantissa() * 10i128.pow(p - s))
}
fn hash_of<T: Hash>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

fn price() -> impl Strategy<Value = Price> {
    (any::<i64>(), 0u8..=9).prop_map(|(raw, p)| Price::from_raw(raw, p).unwrap())
}
/// Prices with small raws, so that arithmetic mostly succeeds and the success path is exercised.
fn small_price() -> impl Strategy<Value = Price> {
    (-1_000_000_000_000i64..1_000_000_000_000, 0u8..=9)
        .prop_map(|(raw, p)| Price::from_raw(raw, p).unwrap())
}
fn quantity() -> impl Strategy<Value = Quantity> {
    prop_oneof![
        (any::<u64>(), 0u8..=9).prop_map(|(raw, p)| Quantity::from_raw(raw, p).unwrap()),
        (0u64..1_000_000_000, 0u8..=9).prop_map(|(raw, p)| Quantity::from_raw(raw, p).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn print_parse_round_trip(p in price(), q in quantity()) {
        let text = p.to_string();
        prop_assert_eq!(Decimal::from_str(&text).unwrap(), pdec(p));
        let back = Price::try_parse(&text).unwrap();
        prop_assert_eq!((back.raw(), back.precision()), (p.raw(), p.precision()));
        let text = q.to_string();
        prop_assert_eq!(Decimal::from_str(&text).unwrap(), qdec(q));
        let back: Quantity = text.parse().unwrap();
        prop_assert_eq!((back.raw(), back.precision()), (q.raw(), q.precision()));
        // serde goes through the same text
        let json = serde_json::to_string(&p).unwrap();
        let back: Price = serde_json::from_str(&json).unwrap();
        prop_assert_eq!((back.raw(), back.precision()), (p.raw(), p.precision()));
    }

    #[test]
    fn parse_matches_decimal(s in "[+-]?[0-9]{1,19}(\\.[0-9]{1,9})?") {
        let oracle = Decimal::from_str(&s).unwrap();
        let digits_after_point = s.split_once('.').map_or(0, |(_, f)| f.len()) as u8;
        match Price::try_parse(&s) {
            Ok(p) => {
                prop_assert_eq!(pdec(p), oracle);
                prop_assert_eq!(p.precision(), digits_after_point);
            }
            Err(e) => {
                prop_assert!(matches!(e, Error::InvalidDecimal { .. }), "{:?}", e);
                prop_assert!(i64::try_from(oracle.mantissa()).is_err(), "{} rejected but fits", s);
            }
        }
        match Quantity::try_parse(&s) {
            Ok(q) => prop_assert_eq!(qdec(q), oracle),
            Err(_) => prop_assert!(u64::try_from(oracle.mantissa()).is_err(), "{} rejected", s),
        }
    }

    #[test]
    fn too_many_decimals_or_junk_is_rejected(s in "[0-9]{1,3}\\.[0-9]{10,12}|[0-9]*[a-zA-Z ,_][0-9]*") {
        prop_assert!(Price::try_parse(&s).is_err());
        prop_assert!(Quantity::try_parse(&s).is_err());
    }

    #[test]
    fn add_sub_match_decimal(a in prop_oneof![price(), small_price()], b in prop_oneof![price(), small_price()]) {
        for (res, oracle) in [
            (a.checked_add(b), pdec(a) + pdec(b)),
            (a.checked_sub(b), pdec(a) - pdec(b)),
        ] {
            let want_precision = a.precision().max(b.precision());
            let want_raw = raw_at(oracle, want_precision).unwrap();
            match res {
                Ok(v) => {
                    prop_assert_eq!(pdec(v), oracle);
                    prop_assert_eq!(v.precision(), want_precision);
                }
                Err(e) => {
                    prop_assert!(matches!(e, Error::Overflow { .. }), "{:?}", e);
                    prop_assert!(i64::try_from(want_raw).is_err(), "{} ± {} overflowed but fits", a, b);
                }
            }
        }
    }

    #[test]
    fn quantity_add_sub_match_decimal(a in quantity(), b in quantity()) {
        let p = a.precision().max(b.precision());
        match a.checked_add(b) {
            Ok(v) => prop_assert_eq!(qdec(v), qdec(a) + qdec(b)),
            Err(_) => prop_assert!(u64::try_from(raw_at(qdec(a) + qdec(b), p).unwrap()).is_err()),
        }
        let diff = qdec(a) - qdec(b);
        match a.checked_sub(b) {
            Ok(v) => prop_assert_eq!(qdec(v), diff),
            Err(Error::NegativeQuantity { .. }) => prop_assert!(diff.is_sign_negative() && !diff.is_zero()),
            Err(e) => {
                prop_assert!(matches!(e, Error::Overflow { .. }), "{:?}", e);
                prop_assert!(u64::try_from(raw_at(diff, p).unwrap()).is_err());
            }
        }
    }

    #[test]
    fn mul_i64_matches_decimal(a in price(), k in any::<i32>()) {
        let oracle = pdec(a) * Decimal::from(k);
        match a.checked_mul_i64(i64::from(k)) {
            Ok(v) => {
                prop_assert_eq!(pdec(v), oracle);
                prop_assert_eq!(v.precision(), a.precision());
            }
            Err(_) => prop_assert!(i64::try_from(raw_at(oracle, a.precision()).unwrap()).is_err()),
        }
    }

    #[test]
    fn notional_matches_decimal(
        p_raw in -10_000_000_000i64..10_000_000_000, pp in 0u8..=9,
        q_raw in 0u64..10_000_000_000, qp in 0u8..=9, out in 0u8..=9,
    ) {
        let p = Price::from_raw(p_raw, pp).unwrap();
        let q = Quantity::from_raw(q_raw, qp).unwrap();
        let oracle = (pdec(p) * qdec(q)).round_dp_with_strategy(u32::from(out), RoundingStrategy::MidpointNearestEven);
        match p.checked_mul_quantity(q, Currency::USD, out) {
            Ok(m) => {
                prop_assert_eq!(dec(m.raw().into(), m.precision()), oracle);
                prop_assert_eq!(m.currency(), Currency::USD);
            }
            Err(_) => prop_assert!(i64::try_from(raw_at(oracle, out).unwrap()).is_err()),
        }
    }

    #[test]
    fn rescale_and_round_match_decimal(a in price(), to in 0u8..=9) {
        match a.rescale(to) {
            Ok(v) => {
                prop_assert_eq!(pdec(v), pdec(a));
                prop_assert_eq!(v.precision(), to);
            }
            Err(Error::InexactRescale { .. }) => prop_assert!(raw_at(pdec(a), to).is_none()),
            Err(e) => {
                prop_assert!(matches!(e, Error::Overflow { .. }), "{:?}", e);
                prop_assert!(i64::try_from(raw_at(pdec(a), to).unwrap()).is_err());
            }
        }
        let rounded = pdec(a).round_dp_with_strategy(u32::from(to), RoundingStrategy::MidpointNearestEven);
        match a.round_to(to) {
            Ok(v) => prop_assert_eq!(pdec(v), rounded),
            Err(_) => prop_assert!(i64::try_from(raw_at(rounded, to).unwrap()).is_err()),
        }
    }

    #[test]
    fn ordering_equality_and_hash_follow_value(a in price(), b in price(), shift in 0u8..=9) {
        prop_assert_eq!(a.cmp(&b), pdec(a).cmp(&pdec(b)));
        prop_assert_eq!(a == b, pdec(a) == pdec(b));
        // The same value at a higher precision is equal and hashes equally.
        if let Ok(wider) = a.rescale((a.precision() + shift).min(9)) {
            prop_assert_eq!(wider, a);
            prop_assert_eq!(hash_of(&wider), hash_of(&a));
        }
    }

    #[test]
    fn float_conversion_is_nearest(raw in -(1i64 << 40)..(1i64 << 40), p in 0u8..=9) {
        let a = Price::from_raw(raw, p).unwrap();
        let back = Price::from_f64(a.as_f64(), p).unwrap();
        prop_assert_eq!(back, a);
    }

    #[test]
    fn money_matches_decimal_and_checks_currency(
        // |raw| < 1e9 so that aligning precisions (× up to 1e9) cannot overflow here;
        // overflow itself is covered by the Price properties on the same core.
        a in (-999_999_999i64..1_000_000_000, 0u8..=9).prop_map(|(r, p)| Price::from_raw(r, p).unwrap()),
        b in (-999_999_999i64..1_000_000_000, 0u8..=9).prop_map(|(r, p)| Price::from_raw(r, p).unwrap()),
    ) {
        let ma = Money::from_raw(a.raw(), a.precision(), Currency::USD).unwrap();
        let mb = Money::from_raw(b.raw(), b.precision(), Currency::USD).unwrap();
        let sum = ma.checked_add(mb).unwrap();
        prop_assert_eq!(dec(sum.raw().into(), sum.precision()), pdec(a) + pdec(b));
        let diff = ma.checked_sub(mb).unwrap();
        prop_assert_eq!(dec(diff.raw().into(), diff.precision()), pdec(a) - pdec(b));
        let text = ma.to_string();
        prop_assert_eq!(Money::try_parse(&text).unwrap(), ma);
        let eur = Money::from_raw(b.raw(), b.precision(), Currency::EUR).unwrap();
        let mismatch = Err(Error::CurrencyMismatch { expected: Currency::USD, actual: Currency::EUR });
        prop_assert_eq!(ma.checked_add(eur), mismatch.clone());
        prop_assert_eq!(ma.checked_sub(eur), mismatch);
    }
}
