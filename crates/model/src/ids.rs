//! Validated identifiers: `InstrumentId`, `Currency`, `ClientOrderId`.
//!
//! Each is checked once at the boundary (`try_new` / `FromStr` / serde) so the rest of the
//! system can trust it without re-validating.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Longest accepted instrument symbol.
pub const MAX_INSTRUMENT_ID_LEN: usize = 32;
/// Longest accepted client order id.
pub const MAX_CLIENT_ORDER_ID_LEN: usize = 64;

/// An instrument symbol such as `EURUSD`, `SPY`, `ES.Z24` or `BTC/USD`.
///
/// Non-empty, at most 32 characters of ASCII letters, digits and `._-/`, stored upper-case
/// (so `eurusd` and `EURUSD` are the same instrument). Cloning is cheap (shared string).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstrumentId(Arc<str>);

impl InstrumentId {
    /// Validates and normalises (upper-cases) a symbol.
    pub fn try_new(symbol: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidInstrumentId {
            input: symbol.to_owned(),
            reason: reason.to_owned(),
        };
        if symbol.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if symbol.len() > MAX_INSTRUMENT_ID_LEN {
            return Err(invalid("must be at most 32 characters"));
        }
        if !symbol
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'))
        {
            return Err(invalid(
                "only ASCII letters, digits and . _ - / are allowed",
            ));
        }
        Ok(InstrumentId(Arc::from(symbol.to_ascii_uppercase())))
    }

    /// The normalised symbol.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstrumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for InstrumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstrumentId({})", self.0)
    }
}

impl FromStr for InstrumentId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::try_new(s)
    }
}

impl AsRef<str> for InstrumentId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An ISO 4217-style currency code: exactly three upper-case ASCII letters (`USD`, `EUR`).
/// Crypto tickers of three letters (`BTC`, `ETH`) fit too.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Japanese yen.
    pub const JPY: Currency = Currency(*b"JPY");
    /// Swiss franc.
    pub const CHF: Currency = Currency(*b"CHF");
    /// Australian dollar.
    pub const AUD: Currency = Currency(*b"AUD");
    /// Canadian dollar.
    pub const CAD: Currency = Currency(*b"CAD");
    /// New Zealand dollar.
    pub const NZD: Currency = Currency(*b"NZD");

    /// Validates a code; must already be upper-case (codes are case-sensitive by convention,
    /// and silently upper-casing would hide a malformed feed).
    pub fn try_new(code: &str) -> Result<Self> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(Error::InvalidCurrency {
                input: code.to_owned(),
            }),
        }
    }

    /// The three-letter code.
    pub fn as_str(&self) -> &str {
        // The bytes are validated ASCII upper-case letters, so this never fails.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::try_new(s)
    }
}

/// The client-assigned order id (FIX tag 11): non-empty, at most 64 printable ASCII
/// characters without whitespace. Cloning is cheap.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientOrderId(Arc<str>);

impl ClientOrderId {
    /// Validates an id (case is preserved: venues treat it as opaque).
    pub fn try_new(id: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidClientOrderId {
            input: id.to_owned(),
            reason: reason.to_owned(),
        };
        if id.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if id.len() > MAX_CLIENT_ORDER_ID_LEN {
            return Err(invalid("must be at most 64 characters"));
        }
        if !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "only printable ASCII without whitespace is allowed",
            ));
        }
        Ok(ClientOrderId(Arc::from(id)))
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientOrderId({})", self.0)
    }
}

impl FromStr for ClientOrderId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::try_new(s)
    }
}

/// Serde as a plain string, validated on the way in.
macro_rules! serde_via_str {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$ty>::try_new(&s).map_err(serde::de::Error::custom)
            }
        }
    )*};
}
serde_via_str!(InstrumentId, Currency, ClientOrderId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instrument_id_cases() {
        let ok = [
            ("EURUSD", "EURUSD"),
            ("eurusd", "EURUSD"),
            ("BTC/USD", "BTC/USD"),
            ("ES.Z24", "ES.Z24"),
            ("brk-b", "BRK-B"),
            ("A_1", "A_1"),
        ];
        for (input, want) in ok {
            assert_eq!(InstrumentId::try_new(input).unwrap().as_str(), want);
        }
        let long = "X".repeat(33);
        for bad in ["", " EURUSD", "EUR USD", "EUR:USD", "€UR", long.as_str()] {
            assert!(InstrumentId::try_new(bad).is_err(), "{bad:?}");
        }
        assert!(InstrumentId::try_new(&"X".repeat(32)).is_ok());
        assert_eq!(
            InstrumentId::try_new("spy").unwrap(),
            "SPY".parse::<InstrumentId>().unwrap()
        );
    }

    #[test]
    fn currency_cases() {
        assert_eq!(Currency::try_new("USD").unwrap(), Currency::USD);
        assert_eq!(Currency::EUR.as_str(), "EUR");
        for bad in ["", "US", "usd", "USDT", "U$D", "12A"] {
            assert!(Currency::try_new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn client_order_id_cases() {
        assert_eq!(ClientOrderId::try_new("O-1").unwrap().as_str(), "O-1");
        assert_eq!(ClientOrderId::try_new("abc").unwrap().as_str(), "abc");
        for bad in ["", "a b", "a\tb", "é"] {
            assert!(ClientOrderId::try_new(bad).is_err(), "{bad:?}");
        }
        assert!(ClientOrderId::try_new(&"x".repeat(65)).is_err());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id = InstrumentId::try_new("eurusd").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"EURUSD\"");
        assert_eq!(
            serde_json::from_str::<InstrumentId>("\"gbpusd\"")
                .unwrap()
                .as_str(),
            "GBPUSD"
        );
        assert!(serde_json::from_str::<InstrumentId>("\"a b\"").is_err());
        assert_eq!(serde_json::to_string(&Currency::JPY).unwrap(), "\"JPY\"");
        assert!(serde_json::from_str::<Currency>("\"jpy\"").is_err());
        let c: ClientOrderId = serde_json::from_str("\"C1\"").unwrap();
        assert_eq!(c.as_str(), "C1");
    }
}
