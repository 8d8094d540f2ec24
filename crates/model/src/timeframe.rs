//! `Timeframe`: the length of a bar (`1m`, `5m`, `1h`, `1d`, ...).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::time::NANOS_PER_SEC;

/// A bar length, stored as whole seconds so that `60m` and `1h` are the same timeframe.
/// Text form: a positive integer followed by `s`, `m`, `h`, `d` or `w`; Display picks the
/// largest unit that divides evenly (`90m` prints as `90m`, `120m` as `2h`).
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timeframe {
    secs: u32,
}

const UNITS: [(char, u32); 5] = [
    ('w', 604_800),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

impl Timeframe {
    /// One second.
    pub const S1: Timeframe = Timeframe { secs: 1 };
    /// One minute.
    pub const M1: Timeframe = Timeframe { secs: 60 };
    /// Five minutes.
    pub const M5: Timeframe = Timeframe { secs: 300 };
    /// Fifteen minutes.
    pub const M15: Timeframe = Timeframe { secs: 900 };
    /// Thirty minutes.
    pub const M30: Timeframe = Timeframe { secs: 1_800 };
    /// One hour.
    pub const H1: Timeframe = Timeframe { secs: 3_600 };
    /// Four hours.
    pub const H4: Timeframe = Timeframe { secs: 14_400 };
    /// One day.
    pub const D1: Timeframe = Timeframe { secs: 86_400 };
    /// One week.
    pub const W1: Timeframe = Timeframe { secs: 604_800 };

    /// A timeframe of `secs` seconds (must be > 0).
    pub fn from_secs(secs: u32) -> Result<Self> {
        if secs == 0 {
            return Err(Error::InvalidTimeframe {
                input: "0s".to_owned(),
                reason: "must be positive",
            });
        }
        Ok(Timeframe { secs })
    }

    /// Parses `"5m"`, `"1h"`, `"1d"`, ... (case-insensitive unit; `"1min"` is not accepted).
    pub fn parse(input: &str) -> Result<Self> {
        let bad = |reason: &'static str| Error::InvalidTimeframe {
            input: input.to_owned(),
            reason,
        };
        let unit = input.chars().last().ok_or_else(|| bad("empty"))?;
        let count = &input[..input.len() - unit.len_utf8()];
        let mult = UNITS
            .iter()
            .find(|(u, _)| *u == unit.to_ascii_lowercase())
            .map(|&(_, m)| m)
            .ok_or_else(|| bad("unit must be one of s, m, h, d, w"))?;
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("expected a positive integer before the unit"));
        }
        let n: u32 = count.parse().map_err(|_| bad("count out of range"))?;
        let secs = n.checked_mul(mult).ok_or_else(|| bad("out of range"))?;
        if secs == 0 {
            return Err(bad("must be positive"));
        }
        Ok(Timeframe { secs })
    }

    /// Length in seconds.
    pub const fn as_secs(self) -> u32 {
        self.secs
    }

    /// Length in nanoseconds.
    pub const fn as_nanos(self) -> i64 {
        self.secs as i64 * NANOS_PER_SEC
    }
}

impl fmt::Display for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, mult) in UNITS {
            if self.secs % mult == 0 {
                return write!(f, "{}{unit}", self.secs / mult);
            }
        }
        write!(f, "{}s", self.secs)
    }
}

impl fmt::Debug for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timeframe({self})")
    }
}

impl FromStr for Timeframe {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for Timeframe {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timeframe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = [
            ("1m", Timeframe::M1, "1m"),
            ("5m", Timeframe::M5, "5m"),
            ("60m", Timeframe::H1, "1h"),
            ("1H", Timeframe::H1, "1h"),
            ("4h", Timeframe::H4, "4h"),
            ("1d", Timeframe::D1, "1d"),
            ("24h", Timeframe::D1, "1d"),
            ("7d", Timeframe::W1, "1w"),
            ("30s", Timeframe::from_secs(30).unwrap(), "30s"),
            ("90m", Timeframe::from_secs(5400).unwrap(), "90m"),
        ];
        for (s, want, display) in ok {
            let tf = Timeframe::parse(s).unwrap();
            assert_eq!(tf, want, "{s}");
            assert_eq!(tf.to_string(), display, "{s}");
        }
        for bad in [
            "",
            "m",
            "0m",
            "-1m",
            "1x",
            "1.5h",
            "1 m",
            "1min",
            "99999999999s",
            "5000000w",
        ] {
            assert!(Timeframe::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Timeframe::from_secs(0).is_err());
    }

    #[test]
    fn nanos_and_serde() {
        assert_eq!(Timeframe::M5.as_nanos(), 300 * NANOS_PER_SEC);
        assert_eq!(Timeframe::D1.as_secs(), 86_400);
        assert_eq!(serde_json::to_string(&Timeframe::M15).unwrap(), "\"15m\"");
        assert_eq!(
            serde_json::from_str::<Timeframe>("\"1d\"").unwrap(),
            Timeframe::D1
        );
        assert!(Timeframe::M1 < Timeframe::H1);
    }
}
