//! `UnixNanos`: the one timestamp type, plus civil-calendar conversion.
//!
//! The calendar arithmetic is Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (proleptic Gregorian, exact for every i64 nanosecond value), so the model needs no
//! chrono dependency and no time-zone database: everything inside EMP is UTC.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Nanoseconds in one second.
pub const NANOS_PER_SEC: i64 = 1_000_000_000;
/// Nanoseconds in one millisecond.
pub const NANOS_PER_MILLI: i64 = 1_000_000;
/// Nanoseconds in one microsecond.
pub const NANOS_PER_MICRO: i64 = 1_000;
const SECS_PER_DAY: i64 = 86_400;

/// Nanoseconds since the Unix epoch (UTC). Serialises as a plain `i64`.
#[derive(
    Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixNanos(i64);

impl UnixNanos {
    /// The epoch, 1970-01-01T00:00:00Z.
    pub const ZERO: UnixNanos = UnixNanos(0);
    /// The largest representable instant (year 2262).
    pub const MAX: UnixNanos = UnixNanos(i64::MAX);

    /// Wraps a raw nanosecond count.
    pub const fn new(nanos: i64) -> Self {
        UnixNanos(nanos)
    }

    /// The raw nanosecond count.
    pub const fn as_i64(self) -> i64 {
        self.0
    }

    /// From whole seconds; saturates at the i64 range (year 2262) instead of overflowing.
    pub const fn from_secs(secs: i64) -> Self {
        UnixNanos(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// From whole milliseconds; saturates at the i64 range.
    pub const fn from_millis(millis: i64) -> Self {
        UnixNanos(millis.saturating_mul(NANOS_PER_MILLI))
    }

    /// From whole microseconds; saturates at the i64 range.
    pub const fn from_micros(micros: i64) -> Self {
        UnixNanos(micros.saturating_mul(NANOS_PER_MICRO))
    }

    /// Seconds since the epoch as f64 (for analytics and display only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// Whole seconds since the epoch, rounded towards negative infinity.
    pub const fn as_secs_floor(self) -> i64 {
        self.0.div_euclid(NANOS_PER_SEC)
    }

    /// Whole milliseconds since the epoch, rounded towards negative infinity.
    pub const fn as_millis_floor(self) -> i64 {
        self.0.div_euclid(NANOS_PER_MILLI)
    }

    /// `self + nanos`, or `None` on overflow.
    pub const fn checked_add_nanos(self, nanos: i64) -> Option<Self> {
        match self.0.checked_add(nanos) {
            Some(v) => Some(UnixNanos(v)),
            None => None,
        }
    }

    /// `self - other` in nanoseconds, saturating at the i64 range.
    pub const fn saturating_sub(self, other: UnixNanos) -> i64 {
        self.0.saturating_sub(other.0)
    }

    /// Rounds down to a multiple of `step_nanos` (e.g. the open of the bar containing `self`).
    /// Returns `self` unchanged when `step_nanos <= 0`. A floor before the start of the
    /// i64 range (instants in 1677) clamps to `i64::MIN` nanoseconds instead of overflowing.
    pub const fn floor_to(self, step_nanos: i64) -> Self {
        if step_nanos <= 0 {
            return self;
        }
        UnixNanos(self.0.saturating_sub(self.0.rem_euclid(step_nanos)))
    }

    /// Builds a UTC instant from calendar fields, validating each (including leap days).
    pub fn from_civil(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        nanos: u32,
    ) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidTimestamp { reason };
        if !(1..=12).contains(&month) {
            return Err(invalid(format!("month must be 1..=12, got {month}")));
        }
        let dim = days_in_month(year, month);
        if day == 0 || day > dim {
            return Err(invalid(format!(
                "day must be 1..={dim} for {year:04}-{month:02}, got {day}"
            )));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(invalid(format!(
                "time of day out of range: {hour:02}:{minute:02}:{second:02}"
            )));
        }
        if nanos >= NANOS_PER_SEC as u32 {
            return Err(invalid(format!("nanos must be < 1e9, got {nanos}")));
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs = days * SECS_PER_DAY
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second);
        secs.checked_mul(NANOS_PER_SEC)
            .and_then(|n| n.checked_add(i64::from(nanos)))
            .map(UnixNanos)
            .ok_or_else(|| {
                invalid(format!(
                    "{year:04}-{month:02}-{day:02} is outside the i64 nanosecond range"
                ))
            })
    }

    /// Midnight UTC of a calendar date.
    pub fn from_date(year: i32, month: u8, day: u8) -> Result<Self> {
        Self::from_civil(year, month, day, 0, 0, 0, 0)
    }

    /// Splits into calendar fields `(year, month, day, hour, minute, second, nanos)` (UTC).
    pub fn to_civil(self) -> (i64, u8, u8, u8, u8, u8, u32) {
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC) as u32;
        let days = secs.div_euclid(SECS_PER_DAY);
        let sod = secs.rem_euclid(SECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        (
            y,
            m,
            d,
            (sod / 3600) as u8,
            ((sod % 3600) / 60) as u8,
            (sod % 60) as u8,
            nanos,
        )
    }

    /// RFC 3339 in UTC with millisecond precision (truncated) and a trailing `Z`,
    /// e.g. `2014-05-06T00:00:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        let (y, mo, d, h, mi, s, n) = self.to_civil();
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            n / NANOS_PER_MILLI as u32
        )
    }

    /// Parses RFC 3339 / ISO 8601 UTC text: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|±HH:MM)`
    /// (a space may replace `T`; a missing offset means UTC). Offsets are applied, so the result is UTC.
    pub fn parse_rfc3339(input: &str) -> Result<Self> {
        parse_rfc3339(input)
    }
}

impl fmt::Display for UnixNanos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl From<i64> for UnixNanos {
    fn from(v: i64) -> Self {
        UnixNanos(v)
    }
}

/// True for Gregorian leap years (divisible by 4, except centuries not divisible by 400).
pub(crate) fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March-based month [0, 11]
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn parse_rfc3339(input: &str) -> Result<UnixNanos> {
    let bad = |reason: &str| Error::InvalidTimestamp {
        reason: format!("{reason} in {input:?}"),
    };
    let b = input.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Result<u32> {
        let part = b.get(range).ok_or_else(|| bad("truncated timestamp"))?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return Err(bad("expected digits"));
        }
        Ok(part
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    let sep = |i: usize, allowed: &[u8]| -> Result<()> {
        match b.get(i) {
            Some(c) if allowed.contains(c) => Ok(()),
            _ => Err(bad("unexpected separator")),
        }
    };
    let year = num(0..4)? as i32;
    sep(4, b"-")?;
    let month = num(5..7)? as u8;
    sep(7, b"-")?;
    let day = num(8..10)? as u8;
    if b.len() == 10 {
        return UnixNanos::from_date(year, month, day);
    }
    sep(10, b"Tt ")?;
    let hour = num(11..13)? as u8;
    sep(13, b":")?;
    let minute = num(14..16)? as u8;
    sep(16, b":")?;
    let second = num(17..19)? as u8;
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        let digits = end - start;
        if digits == 0 || digits > 9 {
            return Err(bad("fraction must have 1 to 9 digits"));
        }
        nanos = num(start..end)? * 10u32.pow((9 - digits) as u32);
        i = end;
    }
    let offset_secs: i64 = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) if i + 6 == b.len() => {
            let oh = i64::from(num(i + 1..i + 3)?);
            sep(i + 3, b":")?;
            let om = i64::from(num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return Err(bad("offset out of range"));
            }
            let s = oh * 3600 + om * 60;
            if c == b'+' { s } else { -s }
        }
        _ => return Err(bad("unexpected trailing characters")),
    };
    let local = UnixNanos::from_civil(year, month, day, hour, minute, second, nanos)?;
    local
        .checked_add_nanos(-offset_secs * NANOS_PER_SEC)
        .ok_or_else(|| bad("out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01T00:00:00.000Z"),
            (1_399_334_400_000_000_000, "2014-05-06T00:00:00.000Z"),
            (1_398_902_400_000_000_000, "2014-05-01T00:00:00.000Z"),
            (951_782_400_000_000_000, "2000-02-29T00:00:00.000Z"), // leap day, century divisible by 400
            (1_709_164_800_000_000_000, "2024-02-29T00:00:00.000Z"),
            (1_709_251_199_999_999_999, "2024-02-29T23:59:59.999Z"), // truncation, not rounding
            (4_107_542_400_000_000_000, "2100-03-01T00:00:00.000Z"), // 2100 is not a leap year
            (-1, "1969-12-31T23:59:59.999Z"),
            (-86_400_000_000_000, "1969-12-31T00:00:00.000Z"),
            (1_234_567_890_123_456_789, "2009-02-13T23:31:30.123Z"),
            (i64::MAX, "2262-04-11T23:47:16.854Z"),
            (i64::MIN, "1677-09-21T00:12:43.145Z"),
        ];
        for &(ns, want) in cases {
            assert_eq!(UnixNanos::new(ns).to_rfc3339(), want, "ns = {ns}");
            assert_eq!(UnixNanos::new(ns).to_string(), want);
        }
    }

    #[test]
    fn leap_years() {
        for (y, leap) in [
            (1900, false),
            (2000, true),
            (2023, false),
            (2024, true),
            (2100, false),
            (2400, true),
        ] {
            assert_eq!(is_leap_year(y), leap, "{y}");
            if y < 2262 {
                // Beyond 2262 the date exists but does not fit i64 nanoseconds.
                assert_eq!(UnixNanos::from_date(y, 2, 29).is_ok(), leap, "{y}-02-29");
            }
        }
        // 2024 has 366 days, 2023 has 365.
        let d = |y| UnixNanos::from_date(y, 1, 1).unwrap();
        assert_eq!(
            d(2025).saturating_sub(d(2024)),
            366 * SECS_PER_DAY * NANOS_PER_SEC
        );
        assert_eq!(
            d(2024).saturating_sub(d(2023)),
            365 * SECS_PER_DAY * NANOS_PER_SEC
        );
    }

    #[test]
    fn civil_round_trip_over_many_days() {
        // Every day from 1600 to 2300 converts back to itself and days are consecutive.
        let mut prev = days_from_civil(1600, 1, 1) - 1;
        for y in 1600..2300i64 {
            for m in 1..=12u8 {
                for d in 1..=days_in_month(y as i32, m) {
                    let days = days_from_civil(y, m, d);
                    assert_eq!(days, prev + 1);
                    assert_eq!(civil_from_days(days), (y, m, d));
                    prev = days;
                }
            }
        }
    }

    #[test]
    fn from_civil_validates() {
        assert!(UnixNanos::from_civil(2023, 2, 29, 0, 0, 0, 0).is_err());
        assert!(UnixNanos::from_civil(2023, 13, 1, 0, 0, 0, 0).is_err());
        assert!(UnixNanos::from_civil(2023, 4, 31, 0, 0, 0, 0).is_err());
        assert!(UnixNanos::from_civil(2023, 4, 30, 24, 0, 0, 0).is_err());
        assert!(UnixNanos::from_civil(2023, 4, 30, 0, 0, 0, 1_000_000_000).is_err());
        assert!(UnixNanos::from_civil(3000, 1, 1, 0, 0, 0, 0).is_err()); // beyond i64 nanos
        let t = UnixNanos::from_civil(2014, 5, 6, 12, 34, 56, 789_000_000).unwrap();
        assert_eq!(t.to_rfc3339(), "2014-05-06T12:34:56.789Z");
        assert_eq!(t.to_civil(), (2014, 5, 6, 12, 34, 56, 789_000_000));
    }

    #[test]
    fn parse_rfc3339_cases() {
        let ok: &[(&str, i64)] = &[
            ("1970-01-01", 0),
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01 00:00:01", NANOS_PER_SEC),
            ("1970-01-01T00:00:00.5Z", 500_000_000),
            ("1970-01-01T00:00:00.000000001Z", 1),
            ("1970-01-01T01:00:00+01:00", 0),
            ("1969-12-31T23:00:00-01:00", 0),
            ("2014-05-06T00:00:00.000Z", 1_399_334_400_000_000_000),
        ];
        for &(s, want) in ok {
            assert_eq!(UnixNanos::parse_rfc3339(s).unwrap().as_i64(), want, "{s}");
        }
        for s in [
            "",
            "2014",
            "2014-5-06",
            "2014-05-06T",
            "2014-05-06T00:00",
            "2014-05-06T00:00:00.Z",
            "2014-05-06T00:00:00.0000000001Z",
            "2014-05-06T00:00:00Zjunk",
            "2014-05-06T00:00:00+0100",
            "2014-02-30",
            "abcd-ef-gh",
        ] {
            assert!(UnixNanos::parse_rfc3339(s).is_err(), "{s:?} should fail");
        }
    }

    #[test]
    fn arithmetic_helpers() {
        let t = UnixNanos::from_secs(10);
        assert_eq!(t.as_i64(), 10 * NANOS_PER_SEC);
        assert_eq!(UnixNanos::from_millis(1500).as_secs_f64(), 1.5);
        assert_eq!(
            t.checked_add_nanos(5),
            Some(UnixNanos::new(10 * NANOS_PER_SEC + 5))
        );
        assert_eq!(UnixNanos::MAX.checked_add_nanos(1), None);
        assert_eq!(
            UnixNanos::new(i64::MIN).saturating_sub(UnixNanos::new(1)),
            i64::MIN
        );
        assert_eq!(UnixNanos::from_secs(i64::MAX), UnixNanos::MAX);
        assert_eq!(
            UnixNanos::new(-1).floor_to(NANOS_PER_SEC),
            UnixNanos::from_secs(-1)
        );
        assert_eq!(
            UnixNanos::new(61 * NANOS_PER_SEC).floor_to(60 * NANOS_PER_SEC),
            UnixNanos::from_secs(60)
        );
        assert_eq!(serde_json::to_string(&t).unwrap(), "10000000000");
    }

    #[test]
    fn floor_to_near_the_range_start_does_not_overflow() {
        // The earliest second the parser accepts (outside input, e.g. a CSV row)...
        let t = UnixNanos::parse_rfc3339("1677-09-21T00:12:44Z").unwrap();
        assert_eq!(t, UnixNanos::new(-9_223_372_036 * NANOS_PER_SEC));
        // ... has its minute bar open before the i64 range: clamp, never panic or wrap.
        assert_eq!(t.floor_to(60 * NANOS_PER_SEC), UnixNanos::new(i64::MIN));
        assert_eq!(t.floor_to(NANOS_PER_SEC), t);
        let t = UnixNanos::new(i64::MIN + 5);
        assert_eq!(t.floor_to(NANOS_PER_SEC), UnixNanos::new(i64::MIN));
    }
}
