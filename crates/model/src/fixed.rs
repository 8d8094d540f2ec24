//! Fixed-point `Price` (signed) and `Quantity` (non-negative).
//!
//! A value is `raw / 10^precision` with `precision ≤ 9`. Parsing and printing are exact
//! (no float round trip); arithmetic is checked and returns a typed error on overflow.
//! Values of different precisions compare and hash by value (`1.5 == 1.50`), and
//! arithmetic between them yields the larger precision.
//!
//! One macro generates the shared surface of both types so the behaviour cannot drift
//! between them; `Money` (which also carries a currency) lives in `money.rs` on the same core.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::decimal::{self, check_precision, narrow};
use crate::error::{Error, Result};
use crate::ids::Currency;
use crate::money::Money;

macro_rules! fixed_point {
    ($(#[$meta:meta])* $name:ident, $raw:ty, $what:literal) => {
        $(#[$meta])*
        #[derive(Copy, Clone)]
        pub struct $name {
            raw: $raw,
            precision: u8,
        }

        impl $name {
            /// Zero at precision 0 (arithmetic adopts the other operand's precision).
            pub const ZERO: $name = $name { raw: 0, precision: 0 };

            /// `raw / 10^precision`; errors if `precision > 9`.
            pub fn from_raw(raw: $raw, precision: u8) -> Result<Self> {
                check_precision(precision)?;
                Ok($name { raw, precision })
            }

            /// A whole number at precision 0.
            pub const fn from_int(value: $raw) -> Self {
                $name { raw: value, precision: 0 }
            }

            /// Zero at the given precision.
            pub fn zero(precision: u8) -> Result<Self> {
                Self::from_raw(0, precision)
            }

            /// The raw integer (value × 10^precision).
            pub const fn raw(self) -> $raw {
                self.raw
            }

            /// Number of decimal places.
            pub const fn precision(self) -> u8 {
                self.precision
            }

            /// The value as f64, for analytics only (may round for raws above 2^53).
            pub fn as_f64(self) -> f64 {
                decimal::to_f64(self.raw.into(), self.precision)
            }

            /// Parses exact decimal text; the precision is the number of decimals written
            /// (`"1.50"` has precision 2).
            pub fn try_parse(s: &str) -> Result<Self> {
                let (raw, precision) = decimal::parse(s)?;
                Self::checked_from_i128(raw, precision, s)
            }

            /// Parses exact decimal text at a fixed precision: `"1.5"` at 3 is `1.500`;
            /// non-zero digits beyond `precision` are an error.
            pub fn parse_with_precision(s: &str, precision: u8) -> Result<Self> {
                let raw = decimal::parse_at(s, precision)?;
                Self::checked_from_i128(raw, precision, s)
            }

            /// Nearest value at `precision` (round half to even). For analytics outputs only:
            /// never use it to turn outside input into prices.
            pub fn from_f64(value: f64, precision: u8) -> Result<Self> {
                let raw = decimal::from_f64(value, precision, $what)?;
                Ok($name { raw: narrow(raw, "from_f64")?, precision })
            }

            /// The same value at another precision; errors if that would drop non-zero digits
            /// or overflow.
            pub fn rescale(self, precision: u8) -> Result<Self> {
                check_precision(precision)?;
                let raw = decimal::rescale_exact(self.raw.into(), self.precision, precision)
                    .ok_or_else(|| Error::InexactRescale { value: self.to_string(), precision })?;
                Ok($name { raw: narrow(raw, "rescale")?, precision })
            }

            /// The nearest value at another precision (round half to even).
            pub fn round_to(self, precision: u8) -> Result<Self> {
                check_precision(precision)?;
                let raw = decimal::rescale_round(self.raw.into(), self.precision, precision)
                    .ok_or(Error::Overflow { op: "round_to" })?;
                Ok($name { raw: narrow(raw, "round_to")?, precision })
            }

            /// `self + other` at the larger precision.
            pub fn checked_add(self, other: Self) -> Result<Self> {
                let (raw, p) = decimal::add(
                    self.raw.into(), self.precision, other.raw.into(), other.precision, "add")?;
                Ok($name { raw: narrow(raw, "add")?, precision: p })
            }

            /// `self - other` at the larger precision.
            pub fn checked_sub(self, other: Self) -> Result<Self> {
                let (raw, p) = decimal::add(
                    self.raw.into(), self.precision, -i128::from(other.raw), other.precision, "sub")?;
                Ok($name { raw: narrow(raw, "sub")?, precision: p })
            }

            /// `self × factor` at the same precision.
            pub fn checked_mul_i64(self, factor: i64) -> Result<Self> {
                let raw = i128::from(self.raw)
                    .checked_mul(i128::from(factor))
                    .ok_or(Error::Overflow { op: "mul" })?;
                Ok($name { raw: narrow(raw, "mul")?, precision: self.precision })
            }

            /// True when the value is zero.
            pub const fn is_zero(self) -> bool {
                self.raw == 0
            }

            /// True when the value is strictly positive.
            pub const fn is_positive(self) -> bool {
                self.raw > 0
            }

            /// The smaller of two values (by value).
            pub fn min_value(self, other: Self) -> Self {
                if other < self { other } else { self }
            }

            /// The larger of two values (by value).
            pub fn max_value(self, other: Self) -> Self {
                if other > self { other } else { self }
            }

            fn checked_from_i128(raw: i128, precision: u8, input: &str) -> Result<Self> {
                let raw = <$raw>::try_from(raw).map_err(|_| Error::InvalidDecimal {
                    input: input.to_owned(),
                    reason: if raw < 0 { "must not be negative" } else { "out of range" },
                })?;
                Ok($name { raw, precision })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::ZERO
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&decimal::format(self.raw.into(), self.precision))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::try_parse(s)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }

        impl Eq for $name {}

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                decimal::cmp_values(self.raw.into(), self.precision, other.raw.into(), other.precision)
            }
        }

        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                decimal::normalize(self.raw.into(), self.precision).hash(state);
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::try_parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

fixed_point!(
    /// A signed fixed-point price (`raw: i64`, up to 9 decimals). Signed because spreads,
    /// PnL-per-unit and some futures legitimately go negative.
    Price,
    i64,
    "price"
);

fixed_point!(
    /// A non-negative fixed-point quantity (`raw: u64`, up to 9 decimals). The sign of a
    /// trade lives in its `Side`, so a negative quantity is unrepresentable.
    Quantity,
    u64,
    "quantity"
);

impl Price {
    /// True when the value is strictly negative.
    pub const fn is_negative(self) -> bool {
        self.raw < 0
    }

    /// `-self`, or an overflow error for `i64::MIN`.
    pub fn checked_neg(self) -> Result<Self> {
        let raw = self
            .raw
            .checked_neg()
            .ok_or(Error::Overflow { op: "neg" })?;
        Ok(Price {
            raw,
            precision: self.precision,
        })
    }

    /// The notional `price × quantity` as money at `precision`, rounded half to even
    /// (the exact product has `price.precision + quantity.precision` decimals).
    pub fn checked_mul_quantity(
        self,
        quantity: Quantity,
        currency: Currency,
        precision: u8,
    ) -> Result<Money> {
        check_precision(precision)?;
        let exact = i128::from(self.raw)
            .checked_mul(i128::from(quantity.raw))
            .ok_or(Error::Overflow { op: "mul" })?;
        let raw = decimal::rescale_round(exact, self.precision + quantity.precision, precision)
            .ok_or(Error::Overflow { op: "mul" })?;
        Money::from_raw(narrow(raw, "mul")?, precision, currency)
    }

    /// Whether the price is an exact multiple of `tick` (a zero tick accepts everything).
    pub fn is_multiple_of(self, tick: Price) -> bool {
        if tick.raw == 0 {
            return true;
        }
        match decimal::align(
            self.raw.into(),
            self.precision,
            tick.raw.into(),
            tick.precision,
        ) {
            Some((a, t, _)) => a % t == 0,
            None => false,
        }
    }
}

impl Quantity {
    /// The quantity as a signed raw at its precision, for position arithmetic.
    pub fn raw_i128(self) -> i128 {
        i128::from(self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn p(s: &str) -> Price {
        Price::try_parse(s).unwrap()
    }
    fn q(s: &str) -> Quantity {
        Quantity::try_parse(s).unwrap()
    }

    #[test]
    fn price_parse_table() {
        let ok: &[(&str, i64, u8, &str)] = &[
            ("1.2345", 12345, 4, "1.2345"),
            ("0001.50", 150, 2, "1.50"),
            ("-0.05", -5, 2, "-0.05"),
            ("-0", 0, 0, "0"),
            ("+3", 3, 0, "3"),
            ("9223372036854775807", i64::MAX, 0, "9223372036854775807"),
            (
                "-9223372036.854775808",
                i64::MIN,
                9,
                "-9223372036.854775808",
            ),
        ];
        for &(s, raw, prec, display) in ok {
            let v = p(s);
            assert_eq!((v.raw(), v.precision()), (raw, prec), "{s}");
            assert_eq!(v.to_string(), display, "{s}");
        }
        for bad in [
            "",
            "abc",
            "1.0000000001",
            "9223372036854775808",
            "1e3",
            "1.",
            ".1",
            "- 1",
        ] {
            assert!(Price::try_parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn quantity_parse_table() {
        assert_eq!(q("18446744073709551615").raw(), u64::MAX);
        assert_eq!(q("0.000000001").raw(), 1);
        assert_eq!(q("-0").raw(), 0);
        for bad in ["-1", "-0.5", "18446744073709551616", "", "x"] {
            assert!(Quantity::try_parse(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            Quantity::try_parse("-1"),
            Err(Error::InvalidDecimal {
                reason: "must not be negative",
                ..
            })
        ));
    }

    #[test]
    fn display_is_exact() {
        assert_eq!(Price::from_raw(100_000, 5).unwrap().to_string(), "1.00000");
        assert_eq!(Price::from_raw(-1, 9).unwrap().to_string(), "-0.000000001");
        assert_eq!(Quantity::from_raw(12, 0).unwrap().to_string(), "12");
        assert_eq!(format!("{:?}", p("1.5")), "Price(1.5)");
        // A float would print 0.30000000000000004.
        assert_eq!(p("0.1").checked_add(p("0.2")).unwrap().to_string(), "0.3");
    }

    #[test]
    fn precision_rescaling() {
        assert_eq!(p("1.5").rescale(4).unwrap().to_string(), "1.5000");
        assert_eq!(p("1.5000").rescale(1).unwrap().to_string(), "1.5");
        assert!(matches!(
            p("1.55").rescale(1),
            Err(Error::InexactRescale { precision: 1, .. })
        ));
        assert!(matches!(
            p("1").rescale(10),
            Err(Error::InvalidPrecision { precision: 10 })
        ));
        assert!(matches!(
            p("9223372037").rescale(9),
            Err(Error::Overflow { .. })
        ));
        assert_eq!(p("1.25").round_to(1).unwrap().to_string(), "1.2");
        assert_eq!(p("1.35").round_to(1).unwrap().to_string(), "1.4");
        assert_eq!(p("-1.25").round_to(1).unwrap().to_string(), "-1.2");
        assert_eq!(
            Price::parse_with_precision("1.5", 3).unwrap().to_string(),
            "1.500"
        );
        assert!(Price::parse_with_precision("1.5555", 3).is_err());
        assert!(Price::from_raw(1, 10).is_err());
    }

    #[test]
    fn cross_precision_equality_order_and_hash() {
        assert_eq!(p("1.5"), p("1.50000"));
        assert!(p("1.49999") < p("1.5"));
        assert!(p("-2") < p("-1.999999999"));
        let set: HashSet<Price> = [p("1.5"), p("1.50"), p("1.500"), p("2")]
            .into_iter()
            .collect();
        assert_eq!(set.len(), 2);
        assert_eq!(q("3").max_value(q("3.5")), q("3.50"));
    }

    #[test]
    fn checked_arithmetic() {
        let sum = p("1.5").checked_add(p("0.25")).unwrap();
        assert_eq!((sum.to_string(), sum.precision()), ("1.75".to_owned(), 2));
        assert_eq!(p("1").checked_sub(p("2.5")).unwrap().to_string(), "-1.5");
        assert!(matches!(
            Price::from_int(i64::MAX).checked_add(p("1")),
            Err(Error::Overflow { op: "add" })
        ));
        assert!(matches!(
            q("1").checked_sub(q("2")),
            Err(Error::NegativeQuantity { op: "sub" })
        ));
        assert_eq!(q("2.5").checked_sub(q("2.5")).unwrap(), Quantity::ZERO);
        assert_eq!(p("1.25").checked_mul_i64(-3).unwrap().to_string(), "-3.75");
        assert!(q("1").checked_mul_i64(-1).is_err());
        assert!(Price::from_int(i64::MAX).checked_mul_i64(2).is_err());
        assert!(Price::from_int(i64::MIN).checked_neg().is_err());
        assert_eq!(p("-1.5").checked_neg().unwrap(), p("1.5"));
    }

    #[test]
    fn notional_and_ticks() {
        let m = p("1.23456")
            .checked_mul_quantity(q("100000"), Currency::USD, 2)
            .unwrap();
        assert_eq!(m.to_string(), "123456.00 USD");
        let m = p("0.125")
            .checked_mul_quantity(q("1"), Currency::USD, 2)
            .unwrap();
        assert_eq!(m.to_string(), "0.12 USD"); // half to even
        assert!(p("1.23450").is_multiple_of(p("0.00005")));
        assert!(!p("1.23451").is_multiple_of(p("0.00005")));
        assert!(p("100").is_multiple_of(p("0.25")));
    }

    #[test]
    fn float_conversion() {
        assert_eq!(
            Price::from_f64(1.23456789, 4).unwrap().to_string(),
            "1.2346"
        );
        assert_eq!(Price::from_f64(-2.5, 0).unwrap().to_string(), "-2");
        assert!(Quantity::from_f64(-1.0, 2).is_err());
        assert!(Price::from_f64(f64::NAN, 2).is_err());
        assert!(Price::from_f64(1e19, 0).is_err());
        assert_eq!(p("1.2345").as_f64(), 1.2345);
        assert_eq!(q("0.000000001").as_f64(), 1e-9);
    }

    #[test]
    fn serde_as_strings() {
        assert_eq!(serde_json::to_string(&p("1.50")).unwrap(), "\"1.50\"");
        let back: Price = serde_json::from_str("\"-0.001\"").unwrap();
        assert_eq!((back.raw(), back.precision()), (-1, 3));
        assert!(serde_json::from_str::<Quantity>("\"-1\"").is_err());
        assert!(serde_json::from_str::<Price>("1.5").is_err()); // numbers would be floats
    }
}
