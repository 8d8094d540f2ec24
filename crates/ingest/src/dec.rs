//! Exact decimal parsing for prices and sizes read from text.
//!
//! Vendors write prices as decimal strings (`1.38676`, `26`, `1229.22998`) or as scaled
//! integers (Lean equities, ×10,000). We keep them exact — a parse never goes through `f64` —
//! so a price read from a file round-trips to the same digits in the store.

use std::cmp::Ordering;

/// Largest scale the model's fixed-point types accept.
pub(crate) const MAX_SCALE: u8 = 9;

/// An exact decimal `raw × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec {
    pub(crate) raw: i64,
    pub(crate) scale: u8,
}

impl Dec {
    pub(crate) const ZERO: Dec = Dec { raw: 0, scale: 0 };

    pub(crate) fn new(raw: i64, scale: u8) -> Self {
        Dec { raw, scale }
    }

    /// Parses `[-+]digits[.digits]` (also `1.`, `.5`; no exponents). The scale is the number
    /// of fraction digits written, up to [`MAX_SCALE`]; beyond that the value is rounded
    /// half-even to [`MAX_SCALE`] places.
    pub(crate) fn parse(s: &str) -> Result<Dec, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("empty number".into());
        }
        let (neg, body) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (int_part, frac_part) = match body.find('.') {
            Some(i) => (&body[..i], &body[i + 1..]),
            None => (body, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!("not a number: {t:?}"));
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!("not a number: {t:?}"));
        }
        // More than MAX_SCALE decimals: drop trailing zeros, then round half-even. Such
        // values are float-printing artifacts (pmdarima's msft.csv has 0.08388999999999999
        // for 0.08389); the model cannot hold more than 9 decimals anyway.
        let mut frac = frac_part;
        while frac.len() > MAX_SCALE as usize && frac.ends_with('0') {
            frac = &frac[..frac.len() - 1];
        }
        let mut round_up = false;
        if frac.len() > MAX_SCALE as usize {
            let (keep, dropped) = frac.split_at(MAX_SCALE as usize);
            let first = dropped.as_bytes()[0];
            let rest_nonzero = dropped[1..].bytes().any(|b| b != b'0');
            let last_kept_odd = keep.as_bytes()[keep.len() - 1] % 2 == 1;
            round_up = first > b'5' || (first == b'5' && (rest_nonzero || last_kept_odd));
            frac = keep;
        }
        let mut raw: i64 = 0;
        for b in int_part.bytes().chain(frac.bytes()) {
            raw = raw
                .checked_mul(10)
                .and_then(|r| r.checked_add(i64::from(b - b'0')))
                .ok_or_else(|| format!("number out of range: {t:?}"))?;
        }
        if round_up {
            raw = raw
                .checked_add(1)
                .ok_or_else(|| format!("number out of range: {t:?}"))?;
        }
        // frac.len() <= MAX_SCALE (9), so the cast cannot truncate.
        let scale = frac.len() as u8;
        Ok(Dec {
            raw: if neg { -raw } else { raw },
            scale,
        })
    }

    /// The same value at a larger scale, or `None` on overflow / if `scale` is smaller.
    pub(crate) fn rescale(self, scale: u8) -> Option<Dec> {
        if scale < self.scale {
            // Allowed only when exact.
            let div = 10i64.checked_pow(u32::from(self.scale - scale))?;
            return (self.raw % div == 0).then(|| Dec::new(self.raw / div, scale));
        }
        let mul = 10i64.checked_pow(u32::from(scale - self.scale))?;
        Some(Dec::new(self.raw.checked_mul(mul)?, scale))
    }

    pub(crate) fn is_positive(self) -> bool {
        self.raw > 0
    }

    pub(crate) fn is_negative(self) -> bool {
        self.raw < 0
    }

    /// Exact midpoint `(a + b) / 2`, one more decimal place when the sum is odd.
    pub(crate) fn midpoint(a: Dec, b: Dec) -> Option<Dec> {
        let scale = a.scale.max(b.scale);
        let sum = a.rescale(scale)?.raw.checked_add(b.rescale(scale)?.raw)?;
        if sum % 2 == 0 {
            Some(Dec::new(sum / 2, scale))
        } else if scale < MAX_SCALE {
            Some(Dec::new(sum.checked_mul(5)?, scale + 1))
        } else {
            None
        }
    }

    /// Parses then multiplies by `10^-shift` (e.g. Lean equities store price × 10,000).
    pub(crate) fn parse_scaled_int(s: &str, shift: u8) -> Result<Dec, String> {
        let d = Dec::parse(s)?;
        let scale = d.scale + shift;
        if scale > MAX_SCALE {
            return Err(format!("more than {MAX_SCALE} decimal places: {s:?}"));
        }
        Ok(Dec::new(d.raw, scale))
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        let a = i128::from(self.raw) * 10i128.pow(u32::from(scale - self.scale));
        let b = i128::from(other.raw) * 10i128.pow(u32::from(scale - other.scale));
        a.cmp(&b)
    }
}

/// Brings every value to the largest scale among them, so a record's prices share one
/// precision (the model compares across precisions, but the store writes one per row).
pub(crate) fn common_scale(values: &mut [Dec]) -> Result<u8, String> {
    let scale = values.iter().map(|d| d.scale).max().unwrap_or(0);
    for v in values.iter_mut() {
        *v = v
            .rescale(scale)
            .ok_or_else(|| format!("value out of range at scale {scale}"))?;
    }
    Ok(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<(i64, u8)>)] = &[
            ("1.38676", Some((138676, 5))),
            ("26", Some((26, 0))),
            ("-0.5", Some((-5, 1))),
            ("+3.10", Some((310, 2))),
            ("1.", Some((1, 0))),
            (".5", Some((5, 1))),
            (" 2.5 ", Some((25, 1))),
            ("0.1000000000000", Some((100000000, 9))),
            ("0.0000000001", Some((0, 9))),
            ("0.08388999999999999", Some((83890000, 9))),
            ("0.0000000015", Some((2, 9))),
            ("0.0000000025", Some((2, 9))),
            ("0.00000000250001", Some((3, 9))),
            ("-0.0000000016", Some((-2, 9))),
            ("", None),
            (".", None),
            ("-", None),
            ("1e5", None),
            ("1,5", None),
            ("NaN", None),
            ("1.2.3", None),
            ("99999999999999999999", None),
        ];
        for (input, want) in cases {
            let got = Dec::parse(input).ok().map(|d| (d.raw, d.scale));
            assert_eq!(got, *want, "input {input:?}");
        }
    }

    #[test]
    fn ordering_across_scales() {
        let a = Dec::parse("1.5").unwrap();
        let b = Dec::parse("1.50").unwrap();
        let c = Dec::parse("1.49999").unwrap();
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert!(c < a);
        assert!(Dec::parse("-1").unwrap() < Dec::ZERO);
    }

    #[test]
    fn midpoint_exact() {
        let m = Dec::midpoint(
            Dec::parse("1.38676").unwrap(),
            Dec::parse("1.38686").unwrap(),
        );
        assert_eq!(m, Some(Dec::new(138681, 5)));
        let m = Dec::midpoint(
            Dec::parse("1.38676").unwrap(),
            Dec::parse("1.38687").unwrap(),
        );
        assert_eq!(m, Some(Dec::new(1386815, 6)));
    }

    #[test]
    fn scaled_int_and_rescale() {
        let d = Dec::parse_scaled_int("973100", 4).unwrap();
        assert_eq!((d.raw, d.scale), (973100, 4));
        assert_eq!(d.rescale(2), Some(Dec::new(9731, 2)));
        assert_eq!(d.rescale(1), None);
        let mut v = [Dec::parse("1.5").unwrap(), Dec::parse("2.25").unwrap()];
        assert_eq!(common_scale(&mut v), Ok(2));
        assert_eq!(v[0], Dec::new(150, 2));
    }

    proptest::proptest! {
        #[test]
        fn display_parse_roundtrip(raw in -1_000_000_000_000i64..1_000_000_000_000, scale in 0u8..=9) {
            let d = Dec::new(raw, scale);
            let s = if scale == 0 { raw.to_string() } else {
                let p = 10i64.pow(u32::from(scale));
                format!("{}{}.{:0w$}", if raw < 0 { "-" } else { "" }, raw.abs() / p, raw.abs() % p, w = scale as usize)
            };
            proptest::prop_assert_eq!(Dec::parse(&s).unwrap().cmp(&d), Ordering::Equal);
        }
    }
}
