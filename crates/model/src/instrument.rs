//! `InstrumentSpec`: what the system must know about an instrument to price, size and
//! account for it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::decimal::MAX_PRECISION;
use crate::error::{Error, Result};
use crate::fixed::{Price, Quantity};
use crate::ids::{Currency, InstrumentId};

/// The broad asset class (drives defaults such as trading calendars and margin models).
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetClass {
    /// Spot foreign exchange.
    Fx,
    /// Cash equities and ETFs.
    Equity,
    /// Cash indices (not directly tradable, used as references).
    Index,
    /// Spot commodities and CFDs on them.
    Commodity,
    /// Futures contracts.
    Future,
    /// Crypto assets.
    Crypto,
    /// Interest rates and rate instruments.
    Rate,
}

impl AssetClass {
    /// All variants, in declaration order.
    pub const ALL: [AssetClass; 7] = [
        AssetClass::Fx,
        AssetClass::Equity,
        AssetClass::Index,
        AssetClass::Commodity,
        AssetClass::Future,
        AssetClass::Crypto,
        AssetClass::Rate,
    ];

    /// The lower-case name (`"fx"`, `"equity"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            AssetClass::Fx => "fx",
            AssetClass::Equity => "equity",
            AssetClass::Index => "index",
            AssetClass::Commodity => "commodity",
            AssetClass::Future => "future",
            AssetClass::Crypto => "crypto",
            AssetClass::Rate => "rate",
        }
    }
}

impl fmt::Display for AssetClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AssetClass {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let lower = s.to_ascii_lowercase();
        AssetClass::ALL
            .into_iter()
            .find(|a| a.as_str() == lower)
            .ok_or_else(|| Error::UnknownVariant {
                what: "asset class",
                input: s.to_owned(),
            })
    }
}

/// A validated instrument specification. Fields are private so a spec in hand is always
/// consistent; serde goes through the same validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "InstrumentSpecRecord", into = "InstrumentSpecRecord")]
pub struct InstrumentSpec {
    id: InstrumentId,
    asset_class: AssetClass,
    price_precision: u8,
    size_precision: u8,
    multiplier: f64,
    quote_currency: Currency,
    tick_size: Price,
}

/// The serde shape of [`InstrumentSpec`] (unvalidated).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstrumentSpecRecord {
    id: InstrumentId,
    asset_class: AssetClass,
    price_precision: u8,
    size_precision: u8,
    multiplier: f64,
    quote_currency: Currency,
    tick_size: Price,
}

impl TryFrom<InstrumentSpecRecord> for InstrumentSpec {
    type Error = Error;
    fn try_from(r: InstrumentSpecRecord) -> Result<Self> {
        InstrumentSpec::try_new(
            r.id,
            r.asset_class,
            r.price_precision,
            r.size_precision,
            r.multiplier,
            r.quote_currency,
            r.tick_size,
        )
    }
}

impl From<InstrumentSpec> for InstrumentSpecRecord {
    fn from(s: InstrumentSpec) -> Self {
        InstrumentSpecRecord {
            id: s.id,
            asset_class: s.asset_class,
            price_precision: s.price_precision,
            size_precision: s.size_precision,
            multiplier: s.multiplier,
            quote_currency: s.quote_currency,
            tick_size: s.tick_size,
        }
    }
}

impl InstrumentSpec {
    /// Validates: precisions ≤ 9; `multiplier` finite and > 0 (the contract size, e.g. 50 for
    /// E-mini S&P, 1 for cash FX/equities); `tick_size` > 0 and exactly representable at
    /// `price_precision`. The tick is stored rescaled to `price_precision`.
    pub fn try_new(
        id: InstrumentId,
        asset_class: AssetClass,
        price_precision: u8,
        size_precision: u8,
        multiplier: f64,
        quote_currency: Currency,
        tick_size: Price,
    ) -> Result<Self> {
        let bad = |field: &'static str, reason: String| Error::InvalidField {
            record: "instrument",
            field,
            reason,
        };
        if price_precision > MAX_PRECISION {
            return Err(bad(
                "price_precision",
                format!("must be <= 9, got {price_precision}"),
            ));
        }
        if size_precision > MAX_PRECISION {
            return Err(bad(
                "size_precision",
                format!("must be <= 9, got {size_precision}"),
            ));
        }
        if !(multiplier.is_finite() && multiplier > 0.0) {
            return Err(bad(
                "multiplier",
                format!("must be finite and > 0, got {multiplier}"),
            ));
        }
        if !tick_size.is_positive() {
            return Err(bad("tick_size", format!("must be > 0, got {tick_size}")));
        }
        let tick_size = tick_size.rescale(price_precision).map_err(|_| {
            bad(
                "tick_size",
                format!("{tick_size} is not representable with price_precision {price_precision}"),
            )
        })?;
        Ok(InstrumentSpec {
            id,
            asset_class,
            price_precision,
            size_precision,
            multiplier,
            quote_currency,
            tick_size,
        })
    }

    /// The instrument id.
    pub fn id(&self) -> &InstrumentId {
        &self.id
    }
    /// The asset class.
    pub fn asset_class(&self) -> AssetClass {
        self.asset_class
    }
    /// Decimal places of prices.
    pub fn price_precision(&self) -> u8 {
        self.price_precision
    }
    /// Decimal places of quantities.
    pub fn size_precision(&self) -> u8 {
        self.size_precision
    }
    /// Contract size: PnL per unit of price move per unit of quantity.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }
    /// Currency prices (and PnL) are quoted in.
    pub fn quote_currency(&self) -> Currency {
        self.quote_currency
    }
    /// Minimum price increment, at `price_precision`.
    pub fn tick_size(&self) -> Price {
        self.tick_size
    }

    /// Parses a price exactly at this instrument's precision (more decimals are an error).
    pub fn parse_price(&self, s: &str) -> Result<Price> {
        Price::parse_with_precision(s, self.price_precision)
    }

    /// Parses a quantity exactly at this instrument's size precision.
    pub fn parse_quantity(&self, s: &str) -> Result<Quantity> {
        Quantity::parse_with_precision(s, self.size_precision)
    }

    /// The nearest price on this instrument's grid for an analytics float (half to even).
    pub fn price_from_f64(&self, value: f64) -> Result<Price> {
        Price::from_f64(value, self.price_precision)
    }

    /// Whether `price` lies on the tick grid.
    pub fn is_on_tick(&self, price: Price) -> bool {
        price.is_multiple_of(self.tick_size)
    }

    /// `price × quantity × multiplier` as f64 in the quote currency (analytics and risk).
    pub fn notional_f64(&self, price: Price, quantity: Quantity) -> f64 {
        price.as_f64() * quantity.as_f64() * self.multiplier
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(pp: u8, sp: u8, mult: f64, tick: &str) -> Result<InstrumentSpec> {
        InstrumentSpec::try_new(
            InstrumentId::try_new("ES").unwrap(),
            AssetClass::Future,
            pp,
            sp,
            mult,
            Currency::USD,
            tick.parse().unwrap(),
        )
    }

    #[test]
    fn validation_table() {
        assert!(spec(2, 0, 50.0, "0.25").is_ok());
        let cases = [
            (spec(10, 0, 50.0, "0.25"), "price_precision"),
            (spec(2, 10, 50.0, "0.25"), "size_precision"),
            (spec(2, 0, 0.0, "0.25"), "multiplier"),
            (spec(2, 0, f64::NAN, "0.25"), "multiplier"),
            (spec(2, 0, 50.0, "0"), "tick_size"),
            (spec(2, 0, 50.0, "0.001"), "tick_size"),
        ];
        for (res, field) in cases {
            match res {
                Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn helpers() {
        let es = spec(2, 0, 50.0, "0.25").unwrap();
        assert_eq!(es.tick_size().precision(), 2);
        assert_eq!(es.tick_size().to_string(), "0.25");
        assert!(es.is_on_tick(es.parse_price("4500.75").unwrap()));
        assert!(!es.is_on_tick(es.parse_price("4500.10").unwrap()));
        assert!(es.parse_price("4500.125").is_err());
        assert_eq!(es.parse_quantity("3").unwrap().precision(), 0);
        assert_eq!(
            es.notional_f64("4500".parse().unwrap(), "2".parse().unwrap()),
            450_000.0
        );
        assert_eq!(es.price_from_f64(4500.254).unwrap().to_string(), "4500.25");
    }

    #[test]
    fn serde_validates() {
        let es = spec(2, 0, 50.0, "0.25").unwrap();
        let json = serde_json::to_string(&es).unwrap();
        assert!(json.contains("\"asset_class\":\"future\""), "{json}");
        let back: InstrumentSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, es);
        let bad = json.replace("\"multiplier\":50.0", "\"multiplier\":-1.0");
        assert!(
            serde_json::from_str::<InstrumentSpec>(&bad).is_err(),
            "{bad}"
        );
        let unknown = json.replace("{", "{\"extra\":1,");
        assert!(serde_json::from_str::<InstrumentSpec>(&unknown).is_err());
        assert_eq!("FX".parse::<AssetClass>().unwrap(), AssetClass::Fx);
        assert!("bond".parse::<AssetClass>().is_err());
    }
}
