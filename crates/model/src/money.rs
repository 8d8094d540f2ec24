//! `Money`: a signed fixed-point amount in one currency.
//!
//! Built on the same integer core as `Price` and `Quantity`; the difference is that every
//! binary operation first checks the currencies, because adding dollars to euros is a bug
//! that must surface as an error, not as a number.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::decimal::{self, check_precision, narrow};
use crate::error::{Error, Result};
use crate::ids::Currency;

/// A signed amount (`raw: i64`, up to 9 decimals) in a [`Currency`].
/// Text form (Display, FromStr, serde): `"123.45 USD"`.
#[derive(Copy, Clone)]
pub struct Money {
    raw: i64,
    precision: u8,
    currency: Currency,
}

impl Money {
    /// `raw / 10^precision` units of `currency`; errors if `precision > 9`.
    pub fn from_raw(raw: i64, precision: u8, currency: Currency) -> Result<Self> {
        check_precision(precision)?;
        Ok(Money {
            raw,
            precision,
            currency,
        })
    }

    /// Zero at precision 0 (arithmetic adopts the other operand's precision).
    pub const fn zero(currency: Currency) -> Self {
        Money {
            raw: 0,
            precision: 0,
            currency,
        }
    }

    /// The raw integer (amount × 10^precision).
    pub const fn raw(self) -> i64 {
        self.raw
    }

    /// Number of decimal places.
    pub const fn precision(self) -> u8 {
        self.precision
    }

    /// The currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// The amount as f64, for analytics only.
    pub fn as_f64(self) -> f64 {
        decimal::to_f64(self.raw.into(), self.precision)
    }

    /// Parses `"<decimal> <CCY>"`, e.g. `"-12.50 EUR"` (exactly one space).
    pub fn try_parse(s: &str) -> Result<Self> {
        let (amount, ccy) = s.split_once(' ').ok_or_else(|| Error::InvalidDecimal {
            input: s.to_owned(),
            reason: "money must be \"<amount> <CCY>\"",
        })?;
        Self::parse_amount(amount, Currency::try_new(ccy)?)
    }

    /// Parses an exact decimal amount in a known currency (precision = decimals written).
    pub fn parse_amount(amount: &str, currency: Currency) -> Result<Self> {
        let (raw, precision) = decimal::parse(amount)?;
        let raw = i64::try_from(raw).map_err(|_| Error::InvalidDecimal {
            input: amount.to_owned(),
            reason: "out of range",
        })?;
        Ok(Money {
            raw,
            precision,
            currency,
        })
    }

    /// Nearest amount at `precision` (round half to even); for analytics outputs only.
    pub fn from_f64(value: f64, precision: u8, currency: Currency) -> Result<Self> {
        let raw = decimal::from_f64(value, precision, "money")?;
        Self::from_raw(narrow(raw, "from_f64")?, precision, currency)
    }

    /// The same amount at another precision; errors if digits would be lost.
    pub fn rescale(self, precision: u8) -> Result<Self> {
        check_precision(precision)?;
        let raw = decimal::rescale_exact(self.raw.into(), self.precision, precision).ok_or_else(
            || Error::InexactRescale {
                value: self.to_string(),
                precision,
            },
        )?;
        Self::from_raw(narrow(raw, "rescale")?, precision, self.currency)
    }

    /// The nearest amount at another precision (round half to even).
    pub fn round_to(self, precision: u8) -> Result<Self> {
        check_precision(precision)?;
        let raw = decimal::rescale_round(self.raw.into(), self.precision, precision)
            .ok_or(Error::Overflow { op: "round_to" })?;
        Self::from_raw(narrow(raw, "round_to")?, precision, self.currency)
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency != other.currency {
            return Err(Error::CurrencyMismatch {
                expected: self.currency,
                actual: other.currency,
            });
        }
        Ok(())
    }

    /// `self + other`; errors on a currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Result<Self> {
        self.same_currency(other)?;
        let (raw, p) = decimal::add(
            self.raw.into(),
            self.precision,
            other.raw.into(),
            other.precision,
            "add",
        )?;
        Self::from_raw(narrow(raw, "add")?, p, self.currency)
    }

    /// `self - other`; errors on a currency mismatch or overflow.
    pub fn checked_sub(self, other: Money) -> Result<Self> {
        self.same_currency(other)?;
        let (raw, p) = decimal::add(
            self.raw.into(),
            self.precision,
            -i128::from(other.raw),
            other.precision,
            "sub",
        )?;
        Self::from_raw(narrow(raw, "sub")?, p, self.currency)
    }

    /// `self × factor` at the same precision.
    pub fn checked_mul_i64(self, factor: i64) -> Result<Self> {
        let raw = i128::from(self.raw)
            .checked_mul(i128::from(factor))
            .ok_or(Error::Overflow { op: "mul" })?;
        Self::from_raw(narrow(raw, "mul")?, self.precision, self.currency)
    }

    /// `-self`, or an overflow error for `i64::MIN`.
    pub fn checked_neg(self) -> Result<Self> {
        let raw = self
            .raw
            .checked_neg()
            .ok_or(Error::Overflow { op: "neg" })?;
        Self::from_raw(raw, self.precision, self.currency)
    }

    /// Compares two amounts; errors across currencies.
    pub fn checked_cmp(self, other: Money) -> Result<Ordering> {
        self.same_currency(other)?;
        Ok(decimal::cmp_values(
            self.raw.into(),
            self.precision,
            other.raw.into(),
            other.precision,
        ))
    }

    /// True when the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.raw == 0
    }

    /// True when the amount is strictly negative.
    pub const fn is_negative(self) -> bool {
        self.raw < 0
    }

    /// The amount without its currency, as exact decimal text.
    pub fn amount_string(self) -> String {
        decimal::format(self.raw.into(), self.precision)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl FromStr for Money {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::try_parse(s)
    }
}

/// Equal when the currency and the value are equal (`1.5 USD == 1.50 USD`).
impl PartialEq for Money {
    fn eq(&self, other: &Self) -> bool {
        self.checked_cmp(*other) == Ok(Ordering::Equal)
    }
}

impl Eq for Money {}

/// Ordered only within one currency (`None` across currencies).
impl PartialOrd for Money {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.checked_cmp(*other).ok()
    }
}

impl Hash for Money {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.currency.hash(state);
        decimal::normalize(self.raw.into(), self.precision).hash(state);
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::try_parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::try_parse(s).unwrap()
    }

    #[test]
    fn parse_and_display() {
        let cases = [
            ("12.50 USD", 1250, 2, "12.50 USD"),
            ("-0.01 EUR", -1, 2, "-0.01 EUR"),
            ("0003 JPY", 3, 0, "3 JPY"),
        ];
        for (s, raw, p, display) in cases {
            let v = m(s);
            assert_eq!((v.raw(), v.precision()), (raw, p));
            assert_eq!(v.to_string(), display);
        }
        for bad in [
            "12.50",
            "12.50 usd",
            "12.50  USD",
            "USD 12.50",
            "x USD",
            "1.0000000001 USD",
            "",
        ] {
            assert!(Money::try_parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn arithmetic_checks_currency() {
        assert_eq!(
            m("1.5 USD").checked_add(m("0.25 USD")).unwrap(),
            m("1.75 USD")
        );
        assert_eq!(
            m("1 USD").checked_sub(m("2.5 USD")).unwrap().to_string(),
            "-1.5 USD"
        );
        assert_eq!(
            m("1 USD").checked_add(m("1 EUR")),
            Err(Error::CurrencyMismatch {
                expected: Currency::USD,
                actual: Currency::EUR
            })
        );
        assert!(m("1 USD").checked_sub(m("1 EUR")).is_err());
        assert!(m("1 USD").partial_cmp(&m("1 EUR")).is_none());
        assert_ne!(m("1 USD"), m("1 EUR"));
        assert!(m("1 USD") < m("1.01 USD"));
        assert!(
            Money::from_raw(i64::MAX, 0, Currency::USD)
                .unwrap()
                .checked_add(m("1 USD"))
                .is_err()
        );
        assert_eq!(m("2.5 USD").checked_mul_i64(-2).unwrap(), m("-5 USD"));
        assert_eq!(
            Money::zero(Currency::EUR)
                .checked_add(m("0.001 EUR"))
                .unwrap()
                .precision(),
            3
        );
    }

    #[test]
    fn rescale_round_and_float() {
        assert_eq!(m("1.50 USD").rescale(1).unwrap().to_string(), "1.5 USD");
        assert!(m("1.55 USD").rescale(1).is_err());
        assert_eq!(m("1.45 USD").round_to(1).unwrap().to_string(), "1.4 USD");
        assert_eq!(
            Money::from_f64(0.125, 2, Currency::USD)
                .unwrap()
                .to_string(),
            "0.12 USD"
        );
        assert_eq!(m("-3.25 USD").as_f64(), -3.25);
    }

    #[test]
    fn serde_as_string() {
        assert_eq!(
            serde_json::to_string(&m("1.50 USD")).unwrap(),
            "\"1.50 USD\""
        );
        assert_eq!(
            serde_json::from_str::<Money>("\"-2 EUR\"").unwrap(),
            m("-2 EUR")
        );
        assert!(serde_json::from_str::<Money>("\"2\"").is_err());
    }
}
