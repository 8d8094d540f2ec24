//! The shared integer core of the fixed-point types: exact decimal parsing and printing,
//! precision alignment, rescaling and half-even rounding, all on `i128` so intermediate
//! results of `i64`/`u64` raws never overflow silently.
//!
//! `Price`, `Quantity` and `Money` are thin typed wrappers over these functions.

use std::cmp::Ordering;

use crate::error::{Error, Result};

/// Largest supported number of decimal places (nanosecond-style 1e-9 resolution).
pub const MAX_PRECISION: u8 = 9;

/// 10^p for p ≤ 38 (the i128 range).
pub(crate) const fn pow10(p: u8) -> i128 {
    let mut v: i128 = 1;
    let mut i = 0;
    while i < p {
        v *= 10;
        i += 1;
    }
    v
}

pub(crate) fn check_precision(precision: u8) -> Result<()> {
    if precision > MAX_PRECISION {
        return Err(Error::InvalidPrecision { precision });
    }
    Ok(())
}

/// Raw integer types a fixed-point value may be stored in.
pub(crate) trait RawInt: Copy + Into<i128> + TryFrom<i128> {}
impl RawInt for i64 {}
impl RawInt for u64 {}

/// Narrows an i128 result into the raw type, or reports overflow / negativity.
pub(crate) fn narrow<R: RawInt>(v: i128, op: &'static str) -> Result<R> {
    R::try_from(v).map_err(|_| {
        // Only an unsigned raw (a quantity) fails on a small negative value.
        if v < 0 && R::try_from(-1).is_err() {
            Error::NegativeQuantity { op }
        } else {
            Error::Overflow { op }
        }
    })
}

/// Parses an exact decimal: optional sign, at least one integer digit, optionally `.`
/// followed by at least one digit; at most [`MAX_PRECISION`] fraction digits. No exponent,
/// no whitespace, no thousands separators. Returns `(raw, precision)` where the precision
/// is the number of fraction digits written.
pub(crate) fn parse(input: &str) -> Result<(i128, u8)> {
    let bad = |reason: &'static str| Error::InvalidDecimal {
        input: input.to_owned(),
        reason,
    };
    let (negative, body) = match input.as_bytes().first() {
        None => return Err(bad("empty")),
        Some(b'-') => (true, &input[1..]),
        Some(b'+') => (false, &input[1..]),
        Some(_) => (false, input),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if int_part.is_empty() {
        return Err(bad("missing integer digits"));
    }
    if frac_part.is_some_and(str::is_empty) {
        return Err(bad("missing fraction digits after '.'"));
    }
    let frac = frac_part.unwrap_or("");
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            "expected only digits, one optional '.' and a leading sign",
        ));
    }
    if frac.len() > usize::from(MAX_PRECISION) {
        return Err(bad("more than 9 decimal places"));
    }
    let mut raw: i128 = 0;
    for b in int_part.bytes().chain(frac.bytes()) {
        raw = raw
            .checked_mul(10)
            .and_then(|r| r.checked_add(i128::from(b - b'0')))
            .ok_or_else(|| bad("out of range"))?;
    }
    Ok((if negative { -raw } else { raw }, frac.len() as u8))
}

/// Parses and rescales exactly to `precision` (trailing zeros beyond it are fine,
/// non-zero digits beyond it are an error).
pub(crate) fn parse_at(input: &str, precision: u8) -> Result<i128> {
    check_precision(precision)?;
    let (raw, p) = parse(input)?;
    rescale_exact(raw, p, precision).ok_or_else(|| Error::InvalidDecimal {
        input: input.to_owned(),
        reason: "more decimal places than the precision allows",
    })
}

/// Exact decimal text with exactly `precision` fraction digits.
pub(crate) fn format(raw: i128, precision: u8) -> String {
    let digits = raw.unsigned_abs().to_string();
    let p = usize::from(precision);
    let mut out = String::with_capacity(digits.len() + p + 3);
    if raw < 0 {
        out.push('-');
    }
    if p == 0 {
        out.push_str(&digits);
    } else if digits.len() > p {
        let (i, f) = digits.split_at(digits.len() - p);
        out.push_str(i);
        out.push('.');
        out.push_str(f);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', p - digits.len()));
        out.push_str(&digits);
    }
    out
}

/// `raw` at precision `from` expressed at precision `to`, if exactly representable.
pub(crate) fn rescale_exact(raw: i128, from: u8, to: u8) -> Option<i128> {
    match to.cmp(&from) {
        Ordering::Equal => Some(raw),
        Ordering::Greater => raw.checked_mul(pow10(to - from)),
        Ordering::Less => {
            let f = pow10(from - to);
            (raw % f == 0).then(|| raw / f)
        }
    }
}

/// `raw` at precision `from` rounded half-to-even to precision `to` (`None` on overflow).
pub(crate) fn rescale_round(raw: i128, from: u8, to: u8) -> Option<i128> {
    if to >= from {
        return rescale_exact(raw, from, to);
    }
    Some(div_round_half_even(raw, pow10(from - to)))
}

/// `n / d` rounded half-to-even; `d` must be positive.
pub(crate) fn div_round_half_even(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d); // 0 <= r < d, so q is the floor
    match (2 * r).cmp(&d) {
        Ordering::Less => q,
        Ordering::Greater => q + 1,
        Ordering::Equal => q + (q & 1),
    }
}

/// Aligns two values to the larger precision: `(a', b', precision)`.
pub(crate) fn align(a: i128, ap: u8, b: i128, bp: u8) -> Option<(i128, i128, u8)> {
    let p = ap.max(bp);
    Some((rescale_exact(a, ap, p)?, rescale_exact(b, bp, p)?, p))
}

/// Compares two values by their decimal value (precision-independent).
pub(crate) fn cmp_values(a: i128, ap: u8, b: i128, bp: u8) -> Ordering {
    // Raws come from i64/u64 and precisions are ≤ 9, so scaling by ≤ 10^9 stays within i128.
    let p = ap.max(bp);
    let a = a * pow10(p - ap);
    let b = b * pow10(p - bp);
    a.cmp(&b)
}

/// The canonical form (trailing zeros stripped) used for hashing, so equal values hash equally.
pub(crate) fn normalize(mut raw: i128, mut p: u8) -> (i128, u8) {
    while p > 0 && raw % 10 == 0 {
        raw /= 10;
        p -= 1;
    }
    (raw, p)
}

/// Adds two values at their common precision.
pub(crate) fn add(a: i128, ap: u8, b: i128, bp: u8, op: &'static str) -> Result<(i128, u8)> {
    let (a, b, p) = align(a, ap, b, bp).ok_or(Error::Overflow { op })?;
    Ok((a.checked_add(b).ok_or(Error::Overflow { op })?, p))
}

/// Round-half-even conversion of a float to a raw at `precision` (analytics outputs only:
/// the float is already inexact, so the result is the nearest representable value).
pub(crate) fn from_f64(value: f64, precision: u8, what: &'static str) -> Result<i128> {
    check_precision(precision)?;
    if !value.is_finite() {
        return Err(Error::NotFinite { what, value });
    }
    let scaled = (value * pow10(precision) as f64).round_ties_even();
    // i64 range check in float space; narrowing to the raw type happens in the caller.
    if scaled.abs() >= 9.223_372_036_854_775e18 * 2.0 {
        return Err(Error::Overflow { op: "from_f64" });
    }
    Ok(scaled as i128)
}

/// Raw to f64: one correctly rounded division (exact for raws below 2^53).
pub(crate) fn to_f64(raw: i128, precision: u8) -> f64 {
    raw as f64 / pow10(precision) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok: &[(&str, i128, u8)] = &[
            ("0", 0, 0),
            ("-0", 0, 0),
            ("+1", 1, 0),
            ("1.5", 15, 1),
            ("007.50", 750, 2),
            ("-0.000000001", -1, 9),
            ("123456789.123456789", 123_456_789_123_456_789, 9),
            ("9223372036854775807", i64::MAX as i128, 0),
            ("18446744073709551615", u64::MAX as i128, 0),
        ];
        for &(s, raw, p) in ok {
            assert_eq!(parse(s).unwrap(), (raw, p), "{s}");
        }
        let forty_ones = "1".repeat(40);
        let bad: &[(&str, &str)] = &[
            ("", "empty"),
            ("-", "missing integer digits"),
            (".5", "missing integer digits"),
            ("1.", "missing fraction digits after '.'"),
            (
                "1.2.3",
                "expected only digits, one optional '.' and a leading sign",
            ),
            (
                "1e5",
                "expected only digits, one optional '.' and a leading sign",
            ),
            (
                " 1",
                "expected only digits, one optional '.' and a leading sign",
            ),
            (
                "1,000",
                "expected only digits, one optional '.' and a leading sign",
            ),
            (
                "--1",
                "expected only digits, one optional '.' and a leading sign",
            ),
            (
                "NaN",
                "expected only digits, one optional '.' and a leading sign",
            ),
            ("0.1234567891", "more than 9 decimal places"),
            (forty_ones.as_str(), "out of range"),
        ];
        for &(s, why) in bad {
            match parse(s) {
                Err(Error::InvalidDecimal { reason, .. }) => assert_eq!(reason, why, "{s:?}"),
                other => panic!("{s:?}: expected InvalidDecimal, got {other:?}"),
            }
        }
    }

    #[test]
    fn parse_at_precision() {
        assert_eq!(parse_at("1.5", 3).unwrap(), 1500);
        assert_eq!(parse_at("1.500", 1).unwrap(), 15); // trailing zeros are exact
        assert!(parse_at("1.55", 1).is_err());
        assert!(matches!(
            parse_at("1", 10),
            Err(Error::InvalidPrecision { precision: 10 })
        ));
    }

    #[test]
    fn format_table() {
        let cases: &[(i128, u8, &str)] = &[
            (0, 0, "0"),
            (0, 3, "0.000"),
            (5, 3, "0.005"),
            (-5, 3, "-0.005"),
            (12345, 2, "123.45"),
            (-12345, 2, "-123.45"),
            (100, 2, "1.00"),
            (i64::MIN as i128, 9, "-9223372036.854775808"),
            (u64::MAX as i128, 0, "18446744073709551615"),
        ];
        for &(raw, p, want) in cases {
            assert_eq!(format(raw, p), want);
        }
    }

    #[test]
    fn rounding_and_rescaling() {
        assert_eq!(div_round_half_even(25, 10), 2);
        assert_eq!(div_round_half_even(35, 10), 4);
        assert_eq!(div_round_half_even(-25, 10), -2);
        assert_eq!(div_round_half_even(-35, 10), -4);
        assert_eq!(div_round_half_even(-26, 10), -3);
        assert_eq!(div_round_half_even(14, 10), 1);
        assert_eq!(rescale_exact(150, 2, 1), Some(15));
        assert_eq!(rescale_exact(155, 2, 1), None);
        assert_eq!(rescale_exact(15, 1, 3), Some(1500));
        assert_eq!(rescale_round(155, 2, 1), Some(16));
        assert_eq!(rescale_round(145, 2, 1), Some(14));
        assert_eq!(normalize(1500, 3), (15, 1));
        assert_eq!(normalize(0, 5), (0, 0));
        assert_eq!(cmp_values(15, 1, 150, 2), Ordering::Equal);
        assert_eq!(cmp_values(-1, 0, 5, 9), Ordering::Less);
    }

    #[test]
    fn float_conversion() {
        assert_eq!(from_f64(1.25, 1, "x").unwrap(), 12); // tie to even
        assert_eq!(from_f64(1.35, 1, "x").unwrap(), 14);
        assert_eq!(from_f64(-0.5, 0, "x").unwrap(), 0);
        assert!(from_f64(f64::NAN, 2, "x").is_err());
        assert!(from_f64(f64::INFINITY, 2, "x").is_err());
        assert!(from_f64(1e30, 2, "x").is_err());
        assert_eq!(to_f64(12345, 2), 123.45);
    }
}
