//! `Side`: the direction of an order, fill or aggressor.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Buy or sell. Serialises lower-case (`"buy"`, `"sell"`).
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Buy (increases a position).
    Buy,
    /// Sell (decreases a position).
    Sell,
}

impl Side {
    /// `+1` for buy, `-1` for sell: the sign a fill of this side adds to a position.
    pub const fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }

    /// The other side.
    pub const fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// `"buy"` or `"sell"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Accepts `buy`/`sell` in any case, and the single letters `b`/`s` used by many tick feeds.
impl FromStr for Side {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "buy" | "b" => Ok(Side::Buy),
            "sell" | "s" => Ok(Side::Sell),
            _ => Err(Error::UnknownVariant {
                what: "side",
                input: s.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_basics() {
        assert_eq!(Side::Buy.sign(), 1);
        assert_eq!(Side::Sell.sign(), -1);
        assert_eq!(Side::Buy.opposite(), Side::Sell);
        assert_eq!(Side::Sell.opposite().opposite(), Side::Sell);
        assert_eq!("BUY".parse::<Side>().unwrap(), Side::Buy);
        assert_eq!("s".parse::<Side>().unwrap(), Side::Sell);
        assert!("hold".parse::<Side>().is_err());
        assert_eq!(serde_json::to_string(&Side::Sell).unwrap(), "\"sell\"");
        assert_eq!(serde_json::from_str::<Side>("\"buy\"").unwrap(), Side::Buy);
    }
}
