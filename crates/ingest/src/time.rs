//! Dates, times of day and time zones as vendors write them, turned into UTC nanoseconds.
//!
//! Every file states its time zone differently (OANDA UTC, FXCM and HistData UTC−05 fixed,
//! Lean equities America/New_York with DST, ISO strings with an explicit offset). A reader
//! parses the *local* wall time and [`TimeZone::to_utc_nanos`] applies the zone once.

use std::fmt;
use std::str::FromStr;

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _};

pub(crate) const NANOS_PER_MILLI: i64 = 1_000_000;
pub(crate) const NANOS_PER_SEC: i64 = 1_000_000_000;
pub(crate) const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;

/// The zone in which a file's wall-clock times are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeZone {
    /// UTC (the default when a file does not say otherwise).
    #[default]
    Utc,
    /// A fixed offset from UTC in seconds east (FXCM, HistData: −18,000 = UTC−05).
    Fixed(i32),
    /// An IANA zone with daylight-saving rules, e.g. `America/New_York`.
    Iana(chrono_tz::Tz),
}

impl TimeZone {
    /// UTC−05 with no DST: how FXCM and HistData write times.
    pub const EST_FIXED: TimeZone = TimeZone::Fixed(-5 * 3600);

    /// Converts a local wall time to UTC nanoseconds. In a DST fold the earlier instant is
    /// taken; a time inside a DST gap does not exist and is an error.
    pub(crate) fn to_utc_nanos(self, local: NaiveDateTime) -> Result<i64, String> {
        let utc = match self {
            TimeZone::Utc => local.and_utc(),
            TimeZone::Fixed(secs) => {
                let off = FixedOffset::east_opt(secs).ok_or("invalid fixed offset")?;
                match off.from_local_datetime(&local) {
                    LocalResult::Single(t) => t.to_utc(),
                    _ => return Err("invalid local time".into()),
                }
            }
            TimeZone::Iana(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.to_utc(),
                LocalResult::Ambiguous(early, _) => early.to_utc(),
                LocalResult::None => {
                    return Err(format!("{local} does not exist in {tz} (DST gap)"));
                }
            },
        };
        utc.timestamp_nanos_opt()
            .ok_or_else(|| format!("{local} is outside the representable range"))
    }

    /// Midnight of `date` in this zone plus `offset_nanos` (Lean: ms since local midnight).
    pub(crate) fn day_offset_to_utc_nanos(
        self,
        date: NaiveDate,
        offset_nanos: i64,
    ) -> Result<i64, String> {
        if !(0..NANOS_PER_DAY).contains(&offset_nanos) {
            return Err(format!("time of day {offset_nanos} ns is outside 0..24h"));
        }
        match self {
            // Fixed zones: plain arithmetic, no per-row calendar lookups (the tick hot path).
            TimeZone::Utc | TimeZone::Fixed(_) => {
                let midnight = self.to_utc_nanos(date.and_time(NaiveTime::MIN))?;
                Ok(midnight + offset_nanos)
            }
            TimeZone::Iana(_) => {
                let t = NaiveTime::MIN + chrono::Duration::nanoseconds(offset_nanos);
                self.to_utc_nanos(date.and_time(t))
            }
        }
    }
}

impl serde::Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeZone::Utc => f.write_str("UTC"),
            TimeZone::Fixed(secs) => {
                let sign = if *secs < 0 { '-' } else { '+' };
                let a = secs.unsigned_abs();
                write!(f, "UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
            }
            TimeZone::Iana(tz) => f.write_str(tz.name()),
        }
    }
}

impl FromStr for TimeZone {
    type Err = String;

    /// Accepts `UTC`/`Z`, `UTC-05`, `UTC+05:30`, `-05:00`, `+0530`, `EST` (fixed −05, as
    /// FXCM/HistData mean it) and IANA names such as `America/New_York`.
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        match t.to_ascii_uppercase().as_str() {
            "UTC" | "Z" | "GMT" => return Ok(TimeZone::Utc),
            "EST" => return Ok(TimeZone::EST_FIXED),
            _ => {}
        }
        let off = t
            .strip_prefix("UTC")
            .or_else(|| t.strip_prefix("utc"))
            .or_else(|| t.strip_prefix("GMT"))
            .unwrap_or(t);
        if off.starts_with('+') || off.starts_with('-') {
            return parse_offset(off).map(|secs| {
                if secs == 0 {
                    TimeZone::Utc
                } else {
                    TimeZone::Fixed(secs)
                }
            });
        }
        t.parse::<chrono_tz::Tz>().map(TimeZone::Iana).map_err(|_| {
            format!("unknown time zone {t:?} (use UTC, UTC-05, +05:30 or an IANA name)")
        })
    }
}

/// `+05`, `-05:00`, `+0530` → seconds east.
pub(crate) fn parse_offset(s: &str) -> Result<i32, String> {
    let bad = || format!("invalid UTC offset {s:?}");
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().map_err(|_| bad())?, 0),
        4 => (
            digits[..2].parse::<i32>().map_err(|_| bad())?,
            digits[2..].parse::<i32>().map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    };
    if h > 18 || m > 59 {
        return Err(bad());
    }
    Ok(sign * (h * 3600 + m * 60))
}

/// How to read an all-numeric slash date such as `02/03/2010`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `M/D/YYYY` — US exports (Yahoo, arch, FRED downloads). The default.
    #[default]
    MonthFirst,
    /// `D/M/YYYY`.
    DayFirst,
}

fn num<T: FromStr>(s: &str) -> Result<T, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not a number: {s:?}"));
    }
    s.parse().map_err(|_| format!("not a number: {s:?}"))
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("no such date {y:04}-{m:02}-{d:02}"))
}

/// Parses `YYYY-MM-DD`, `YYYYMMDD`, `M/D/YYYY` (or `D/M/YYYY`), `YYYYMM` (first of month) and
/// `YYYYQn` (first day of the quarter).
pub(crate) fn parse_date(s: &str, order: DateOrder) -> Result<NaiveDate, String> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        return ymd(num(&s[..4])?, num(&s[5..7])?, num(&s[8..10])?);
    }
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return ymd(num(&s[..4])?, num(&s[4..6])?, num(&s[6..8])?);
    }
    if b.len() == 6 && b.iter().all(u8::is_ascii_digit) {
        return ymd(num(&s[..4])?, num(&s[4..6])?, 1);
    }
    if b.len() == 6 && (b[4] == b'Q' || b[4] == b'q') {
        let q: u32 = num(&s[5..])?;
        if !(1..=4).contains(&q) {
            return Err(format!("no such quarter {s:?}"));
        }
        return ymd(num(&s[..4])?, 3 * q - 2, 1);
    }
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() == 3 && parts[2].len() == 4 {
        let (a, c): (u32, u32) = (num(parts[0])?, num(parts[1])?);
        let (m, d) = match order {
            DateOrder::MonthFirst => (a, c),
            DateOrder::DayFirst => (c, a),
        };
        return ymd(num(parts[2])?, m, d);
    }
    Err(format!("unrecognised date {s:?}"))
}

/// Parses `HH:MM`, `HH:MM:SS`, `HH:MM:SS.f…` (up to ns) and compact `HHMMSS[fff]`.
pub(crate) fn parse_time(s: &str) -> Result<NaiveTime, String> {
    let s = s.trim();
    let bad = || format!("unrecognised time {s:?}");
    let (hms, frac) = match s.find('.') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let (h, m, sec, frac) = if hms.contains(':') {
        let p: Vec<&str> = hms.split(':').collect();
        match p.as_slice() {
            [h, m] => (num::<u32>(h)?, num::<u32>(m)?, 0, frac),
            [h, m, sec] => (num(h)?, num(m)?, num(sec)?, frac),
            _ => return Err(bad()),
        }
    } else if hms.len() >= 6 && frac.is_empty() {
        // HistData: HHMMSSfff
        (
            num(&hms[..2])?,
            num(&hms[2..4])?,
            num(&hms[4..6])?,
            &hms[6..],
        )
    } else {
        return Err(bad());
    };
    if frac.len() > 9 {
        return Err(bad());
    }
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        num::<u32>(frac)? * 10u32.pow(9 - frac.len() as u32)
    };
    NaiveTime::from_hms_nano_opt(h, m, sec, nanos).ok_or_else(bad)
}

/// A parsed timestamp: either already UTC (the text carried an offset) or a local wall time
/// that still needs the file's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    Utc(i64),
    Local(NaiveDateTime),
}

impl Stamp {
    pub(crate) fn resolve(self, tz: TimeZone) -> Result<i64, String> {
        match self {
            Stamp::Utc(n) => Ok(n),
            Stamp::Local(l) => tz.to_utc_nanos(l),
        }
    }
}

/// Parses a date with an optional time (`T` or space separated) and optional offset
/// (`Z`, `+00:00`). A bare date is midnight local.
pub(crate) fn parse_datetime(s: &str, order: DateOrder) -> Result<Stamp, String> {
    let s = s.trim();
    let (date_s, rest) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let date = parse_date(date_s, order)?;
    let Some(rest) = rest else {
        return Ok(Stamp::Local(date.and_time(NaiveTime::MIN)));
    };
    let rest = rest.trim();
    // Offset: trailing Z, or the last '+'/'-' (times contain no other signs).
    let (time_s, offset) = if let Some(t) = rest.strip_suffix('Z') {
        (t, Some(0))
    } else if let Some(i) = rest.rfind(['+', '-']) {
        (&rest[..i], Some(parse_offset(&rest[i..])?))
    } else {
        (rest, None)
    };
    let local = date.and_time(parse_time(time_s)?);
    match offset {
        None => Ok(Stamp::Local(local)),
        Some(secs) => TimeZone::Fixed(secs).to_utc_nanos(local).map(Stamp::Utc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap()
    }

    #[test]
    fn dates_table() {
        let cases: &[(&str, DateOrder, Option<(i32, u32, u32)>)] = &[
            ("1999-01-04", DateOrder::MonthFirst, Some((1999, 1, 4))),
            ("20140501", DateOrder::MonthFirst, Some((2014, 5, 1))),
            ("1/4/1999", DateOrder::MonthFirst, Some((1999, 1, 4))),
            ("12/31/2018", DateOrder::MonthFirst, Some((2018, 12, 31))),
            ("02/03/2010", DateOrder::MonthFirst, Some((2010, 2, 3))),
            ("02/03/2010", DateOrder::DayFirst, Some((2010, 3, 2))),
            ("31/12/2018", DateOrder::MonthFirst, None),
            ("192607", DateOrder::MonthFirst, Some((1926, 7, 1))),
            ("1974Q3", DateOrder::MonthFirst, Some((1974, 7, 1))),
            ("1974Q5", DateOrder::MonthFirst, None),
            ("2014-02-30", DateOrder::MonthFirst, None),
            ("2014/05/01", DateOrder::MonthFirst, None),
            ("", DateOrder::MonthFirst, None),
            ("abc", DateOrder::MonthFirst, None),
        ];
        for (s, order, want) in cases {
            let got = parse_date(s, *order).ok();
            let want = want.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap());
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn times_table() {
        let cases: &[(&str, Option<(u32, u32, u32, u32)>)] = &[
            ("09:01", Some((9, 1, 0, 0))),
            ("09:01:00", Some((9, 1, 0, 0))),
            ("20:57:42.146", Some((20, 57, 42, 146_000_000))),
            ("22:00:00.295000", Some((22, 0, 0, 295_000_000))),
            ("170000065", Some((17, 0, 0, 65_000_000))),
            ("230052125", Some((23, 0, 52, 125_000_000))),
            ("24:00", None),
            ("9", None),
            ("12:xx", None),
        ];
        for (s, want) in cases {
            let got = parse_time(s).ok();
            let want = want.map(|(h, m, s, n)| NaiveTime::from_hms_nano_opt(h, m, s, n).unwrap());
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn datetimes_and_zones() {
        let o = DateOrder::MonthFirst;
        let st = parse_datetime("2013-01-01 22:00:00.295000+00:00", o).unwrap();
        assert_eq!(st, Stamp::Utc(utc("2013-01-01T22:00:00.295Z")));
        let st = parse_datetime("1990-01-02 00:00:00+00:00", o).unwrap();
        assert_eq!(st, Stamp::Utc(utc("1990-01-02T00:00:00Z")));
        let st = parse_datetime("2015-09-23T20:57:42.146", o).unwrap();
        assert_eq!(
            st.resolve(TimeZone::Utc).unwrap(),
            utc("2015-09-23T20:57:42.146Z")
        );
        let st = parse_datetime("20200101 170000065", o).unwrap();
        assert_eq!(
            st.resolve(TimeZone::EST_FIXED).unwrap(),
            utc("2020-01-01T22:00:00.065Z")
        );
        let st = parse_datetime("20070101 21:00", o).unwrap();
        assert_eq!(
            st.resolve(TimeZone::Utc).unwrap(),
            utc("2007-01-01T21:00:00Z")
        );
        let st = parse_datetime("2024-01-01T10:00:00-05:00", o).unwrap();
        assert_eq!(st, Stamp::Utc(utc("2024-01-01T15:00:00Z")));
        assert!(parse_datetime("2024-01-01 10:00:00+99:00", o).is_err());
    }

    #[test]
    fn zone_parsing_and_dst() {
        assert_eq!("UTC".parse::<TimeZone>(), Ok(TimeZone::Utc));
        assert_eq!("UTC-05".parse::<TimeZone>(), Ok(TimeZone::Fixed(-18000)));
        assert_eq!("+05:30".parse::<TimeZone>(), Ok(TimeZone::Fixed(19800)));
        assert_eq!("EST".parse::<TimeZone>(), Ok(TimeZone::EST_FIXED));
        assert_eq!("UTC+00:00".parse::<TimeZone>(), Ok(TimeZone::Utc));
        assert!("Mars/Olympus".parse::<TimeZone>().is_err());
        let ny: TimeZone = "America/New_York".parse().unwrap();
        assert_eq!(ny.to_string(), "America/New_York");
        assert_eq!(TimeZone::EST_FIXED.to_string(), "UTC-05:00");
        // Summer: EDT = UTC-4; winter: EST = UTC-5.
        let d = NaiveDate::from_ymd_opt(2013, 10, 7).unwrap();
        assert_eq!(
            ny.day_offset_to_utc_nanos(d, 14_400_000 * NANOS_PER_MILLI)
                .unwrap(),
            utc("2013-10-07T08:00:00Z")
        );
        let d = NaiveDate::from_ymd_opt(2014, 1, 7).unwrap();
        assert_eq!(
            ny.day_offset_to_utc_nanos(d, 0).unwrap(),
            utc("2014-01-07T05:00:00Z")
        );
        // 2:30 on the spring-forward day does not exist.
        let gap = NaiveDate::from_ymd_opt(2014, 3, 9)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert!(ny.to_utc_nanos(gap).is_err());
        assert!(
            TimeZone::Utc
                .day_offset_to_utc_nanos(d, NANOS_PER_DAY)
                .is_err()
        );
    }
}
