//! The three-valued health status and its "worst of" algebra.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Health of one check or one snapshot.
///
/// The variant order is the severity order (`Ok < Warn < Fail`), so the status of a
/// group of checks is simply their maximum; see [`Status::worst`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Healthy.
    #[default]
    Ok,
    /// Degraded: needs attention but traffic may still be routed.
    Warn,
    /// Broken: the component must not be relied upon.
    Fail,
}

impl Status {
    /// Every status, in severity order.
    pub const ALL: [Status; 3] = [Status::Ok, Status::Warn, Status::Fail];

    /// The most severe status of `statuses`; `Ok` when there are none (nothing is wrong
    /// with an empty set of checks).
    pub fn worst<I>(statuses: I) -> Status
    where
        I: IntoIterator<Item = Status>,
    {
        statuses.into_iter().max().unwrap_or(Status::Ok)
    }

    /// The more severe of `self` and `other`.
    #[must_use]
    pub fn combine(self, other: Status) -> Status {
        self.max(other)
    }

    /// Lower-case name: `"ok"`, `"warn"` or `"fail"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }

    /// Numeric value for a metrics gauge: 0 = ok, 1 = warn, 2 = fail.
    pub fn as_gauge(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warn => 1,
            Status::Fail => 2,
        }
    }

    /// `true` for `Ok`.
    pub fn is_ok(self) -> bool {
        self == Status::Ok
    }

    /// `true` for `Fail`.
    pub fn is_fail(self) -> bool {
        self == Status::Fail
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ok" => Ok(Status::Ok),
            "warn" => Ok(Status::Warn),
            "fail" => Ok(Status::Fail),
            other => Err(Error::UnknownStatus(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_of_empty_is_ok() {
        assert_eq!(Status::worst([]), Status::Ok);
    }

    #[test]
    fn worst_picks_most_severe() {
        let cases: &[(&[Status], Status)] = &[
            (&[Status::Ok], Status::Ok),
            (&[Status::Ok, Status::Warn], Status::Warn),
            (&[Status::Warn, Status::Ok], Status::Warn),
            (&[Status::Fail, Status::Warn, Status::Ok], Status::Fail),
            (&[Status::Ok, Status::Ok, Status::Fail], Status::Fail),
        ];
        for (input, expected) in cases {
            assert_eq!(Status::worst(input.iter().copied()), *expected, "{input:?}");
        }
    }

    #[test]
    fn names_gauges_and_round_trip() {
        let expected = [("ok", 0u8), ("warn", 1), ("fail", 2)];
        for (status, (name, gauge)) in Status::ALL.into_iter().zip(expected) {
            assert_eq!(status.as_str(), name);
            assert_eq!(status.to_string(), name);
            assert_eq!(status.as_gauge(), gauge);
            assert_eq!(name.parse::<Status>().unwrap(), status);
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), status);
        }
        assert!("OK".parse::<Status>().is_err());
        assert!(serde_json::from_str::<Status>("\"critical\"").is_err());
    }

    #[test]
    fn combine_is_max() {
        assert_eq!(Status::Ok.combine(Status::Warn), Status::Warn);
        assert_eq!(Status::Fail.combine(Status::Warn), Status::Fail);
        assert!(Status::Ok < Status::Warn && Status::Warn < Status::Fail);
    }
}
