//! Market and macro data records: `Bar`, `QuoteTick`, `TradeTick`, `MacroObservation`,
//! `MacroEvent`.
//!
//! These are plain value records with public fields (they carry no state machine); each has
//! a `try_new` / `validate` pair so readers can quarantine inconsistent rows with a reason.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fixed::{Price, Quantity};
use crate::ids::{Currency, InstrumentId};
use crate::side::Side;
use crate::time::UnixNanos;
use crate::timeframe::Timeframe;

fn invalid(record: &'static str, field: &'static str, reason: String) -> Error {
    Error::InvalidField {
        record,
        field,
        reason,
    }
}

/// An OHLCV bar. `ts_open` is the start of the interval; the bar covers
/// `[ts_open, ts_open + timeframe)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bar {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Bar length.
    pub timeframe: Timeframe,
    /// Interval start.
    pub ts_open: UnixNanos,
    /// First price.
    pub open: Price,
    /// Highest price.
    pub high: Price,
    /// Lowest price.
    pub low: Price,
    /// Last price.
    pub close: Price,
    /// Traded volume (zero for FX feeds without volume).
    pub volume: Quantity,
}

impl Bar {
    /// Builds and validates a bar (see [`Bar::validate`]).
    #[allow(clippy::too_many_arguments)] // mirrors the OHLCV record; a builder would add nothing
    pub fn try_new(
        instrument: InstrumentId,
        timeframe: Timeframe,
        ts_open: UnixNanos,
        open: Price,
        high: Price,
        low: Price,
        close: Price,
        volume: Quantity,
    ) -> Result<Self> {
        let bar = Bar {
            instrument,
            timeframe,
            ts_open,
            open,
            high,
            low,
            close,
            volume,
        };
        bar.validate()?;
        Ok(bar)
    }

    /// Checks prices are positive, `high ≥ max(open, close)` and `low ≤ min(open, close)`
    /// (which implies `high ≥ low`). Returns the first violation.
    pub fn validate(&self) -> Result<()> {
        for (field, p) in [
            ("open", self.open),
            ("high", self.high),
            ("low", self.low),
            ("close", self.close),
        ] {
            if !p.is_positive() {
                return Err(invalid("bar", field, format!("must be > 0, got {p}")));
            }
        }
        let top = self.open.max_value(self.close);
        if self.high < top {
            return Err(invalid(
                "bar",
                "high",
                format!("must be >= max(open, close) = {top}, got {}", self.high),
            ));
        }
        let bottom = self.open.min_value(self.close);
        if self.low > bottom {
            return Err(invalid(
                "bar",
                "low",
                format!("must be <= min(open, close) = {bottom}, got {}", self.low),
            ));
        }
        Ok(())
    }

    /// End of the interval (exclusive), saturating at `UnixNanos::MAX`.
    pub fn ts_close(&self) -> UnixNanos {
        self.ts_open
            .checked_add_nanos(self.timeframe.as_nanos())
            .unwrap_or(UnixNanos::MAX)
    }
}

/// A top-of-book quote.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuoteTick {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Event time.
    pub ts: UnixNanos,
    /// Best bid.
    pub bid: Price,
    /// Best ask.
    pub ask: Price,
    /// Size at the bid (zero when the feed has none).
    pub bid_size: Quantity,
    /// Size at the ask (zero when the feed has none).
    pub ask_size: Quantity,
}

impl QuoteTick {
    /// Builds and validates a quote (see [`QuoteTick::validate`]).
    pub fn try_new(
        instrument: InstrumentId,
        ts: UnixNanos,
        bid: Price,
        ask: Price,
        bid_size: Quantity,
        ask_size: Quantity,
    ) -> Result<Self> {
        let q = QuoteTick {
            instrument,
            ts,
            bid,
            ask,
            bid_size,
            ask_size,
        };
        q.validate()?;
        Ok(q)
    }

    /// Checks both prices are positive and the book is not crossed (`bid ≤ ask`).
    pub fn validate(&self) -> Result<()> {
        if !self.bid.is_positive() {
            return Err(invalid(
                "quote",
                "bid",
                format!("must be > 0, got {}", self.bid),
            ));
        }
        if !self.ask.is_positive() {
            return Err(invalid(
                "quote",
                "ask",
                format!("must be > 0, got {}", self.ask),
            ));
        }
        if self.bid > self.ask {
            return Err(invalid(
                "quote",
                "ask",
                format!("crossed book: bid {} > ask {}", self.bid, self.ask),
            ));
        }
        Ok(())
    }

    /// Mid price as f64 (analytics).
    pub fn mid_f64(&self) -> f64 {
        (self.bid.as_f64() + self.ask.as_f64()) / 2.0
    }

    /// `ask - bid`, exact.
    pub fn spread(&self) -> Result<Price> {
        self.ask.checked_sub(self.bid)
    }
}

/// A trade print.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TradeTick {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Event time.
    pub ts: UnixNanos,
    /// Trade price.
    pub price: Price,
    /// Trade size.
    pub size: Quantity,
    /// The aggressor's side, when the feed reports it.
    pub aggressor: Option<Side>,
    /// The venue's trade id, when the feed reports it.
    pub trade_id: Option<String>,
}

impl TradeTick {
    /// Builds and validates a trade (see [`TradeTick::validate`]).
    pub fn try_new(
        instrument: InstrumentId,
        ts: UnixNanos,
        price: Price,
        size: Quantity,
        aggressor: Option<Side>,
        trade_id: Option<String>,
    ) -> Result<Self> {
        let t = TradeTick {
            instrument,
            ts,
            price,
            size,
            aggressor,
            trade_id,
        };
        t.validate()?;
        Ok(t)
    }

    /// Checks price and size are positive and a trade id, when present, is not empty.
    pub fn validate(&self) -> Result<()> {
        if !self.price.is_positive() {
            return Err(invalid(
                "trade",
                "price",
                format!("must be > 0, got {}", self.price),
            ));
        }
        if !self.size.is_positive() {
            return Err(invalid(
                "trade",
                "size",
                format!("must be > 0, got {}", self.size),
            ));
        }
        if self.trade_id.as_deref() == Some("") {
            return Err(invalid(
                "trade",
                "trade_id",
                "must not be empty when present".to_owned(),
            ));
        }
        Ok(())
    }
}

/// One observation of a macro/rates series (e.g. FRED `DGS10`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MacroObservation {
    /// The series id, e.g. `"DGS10"`.
    pub series_id: String,
    /// Observation time (the period's date at midnight UTC for daily series).
    pub ts: UnixNanos,
    /// The value; `None` when the source marks it missing (FRED writes `"."`).
    pub value: Option<f64>,
}

impl MacroObservation {
    /// Parses a source value: `"."`, `""`, `"NA"`, `"NaN"` and `"#N/A"` mean missing;
    /// anything else must be a finite number.
    pub fn parse_value(text: &str) -> Result<Option<f64>> {
        let t = text.trim();
        if matches!(t, "" | "." | "NA" | "N/A" | "#N/A" | "NaN" | "nan" | "null") {
            return Ok(None);
        }
        let v: f64 = t.parse().map_err(|_| Error::InvalidDecimal {
            input: text.to_owned(),
            reason: "not a number or a missing-value marker",
        })?;
        if !v.is_finite() {
            return Err(Error::NotFinite {
                what: "macro value",
                value: v,
            });
        }
        Ok(Some(v))
    }
}

/// How much an economic-calendar event is expected to move markets.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    /// Minor release.
    Low,
    /// Noticeable release.
    Medium,
    /// Market-moving release (NFP, CPI, rate decisions).
    High,
}

impl Importance {
    /// `"low"`, `"medium"` or `"high"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Importance::Low => "low",
            Importance::Medium => "medium",
            Importance::High => "high",
        }
    }
}

impl fmt::Display for Importance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Case-insensitive `low`/`medium`/`med`/`high`, and `1`/`2`/`3` (star ratings).
impl FromStr for Importance {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" | "1" => Ok(Importance::Low),
            "medium" | "med" | "2" => Ok(Importance::Medium),
            "high" | "3" => Ok(Importance::High),
            _ => Err(Error::UnknownVariant {
                what: "importance",
                input: s.to_owned(),
            }),
        }
    }
}

/// An economic-calendar event (e.g. US Non-Farm Payrolls) with its figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MacroEvent {
    /// Event name as published.
    pub name: String,
    /// The currency the event concerns.
    pub currency: Currency,
    /// Release time.
    pub ts: UnixNanos,
    /// Released figure, once known.
    pub actual: Option<f64>,
    /// Consensus forecast, if any.
    pub forecast: Option<f64>,
    /// Prior period's figure, if any.
    pub previous: Option<f64>,
    /// Expected market impact.
    pub importance: Importance,
}

impl MacroEvent {
    /// `actual - forecast` when both are known: the "surprise" the WHY organ reads.
    pub fn surprise(&self) -> Option<f64> {
        Some(self.actual? - self.forecast?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Price {
        s.parse().unwrap()
    }
    fn id() -> InstrumentId {
        InstrumentId::try_new("EURUSD").unwrap()
    }

    fn bar(o: &str, h: &str, l: &str, c: &str) -> Result<Bar> {
        Bar::try_new(
            id(),
            Timeframe::M1,
            UnixNanos::from_secs(60),
            p(o),
            p(h),
            p(l),
            p(c),
            Quantity::ZERO,
        )
    }

    #[test]
    fn bar_validation_table() {
        assert!(bar("1.1", "1.2", "1.0", "1.15").is_ok());
        assert!(bar("1.1", "1.1", "1.1", "1.1").is_ok()); // flat bar
        assert!(bar("1.10", "1.1", "1.1000", "1.1").is_ok()); // precisions differ, values equal
        let fails = [
            (("1.1", "1.12", "1.0", "1.15"), "high"),
            (("1.1", "1.2", "1.11", "1.15"), "low"),
            (("0", "1.2", "0", "1.15"), "open"),
            (("1.1", "1.2", "-1", "1.15"), "low"),
        ];
        for ((o, h, l, c), field) in fails {
            match bar(o, h, l, c) {
                Err(Error::InvalidField {
                    record: "bar",
                    field: f,
                    ..
                }) => assert_eq!(f, field),
                other => panic!("{o} {h} {l} {c}: {other:?}"),
            }
        }
        let b = bar("1.1", "1.2", "1.0", "1.15").unwrap();
        assert_eq!(b.ts_close(), UnixNanos::from_secs(120));
    }

    #[test]
    fn quote_and_trade_validation() {
        let q = |b: &str, a: &str| {
            QuoteTick::try_new(
                id(),
                UnixNanos::ZERO,
                p(b),
                p(a),
                Quantity::ZERO,
                Quantity::ZERO,
            )
        };
        assert!(q("1.1000", "1.1002").is_ok());
        assert!(q("1.1", "1.1").is_ok());
        assert!(q("1.1003", "1.1002").is_err());
        assert!(q("0", "1.1002").is_err());
        let ok = q("1.1000", "1.1002").unwrap();
        assert_eq!(ok.spread().unwrap(), p("0.0002"));
        assert!((ok.mid_f64() - 1.1001).abs() < 1e-12);

        let t = |price: &str, size: &str, tid: Option<&str>| {
            TradeTick::try_new(
                id(),
                UnixNanos::ZERO,
                p(price),
                size.parse().unwrap(),
                Some(Side::Buy),
                tid.map(str::to_owned),
            )
        };
        assert!(t("100.5", "10", Some("T1")).is_ok());
        assert!(t("100.5", "0", None).is_err());
        assert!(t("-1", "1", None).is_err());
        assert!(t("100.5", "1", Some("")).is_err());
    }

    #[test]
    fn macro_values() {
        assert_eq!(MacroObservation::parse_value(".").unwrap(), None);
        assert_eq!(MacroObservation::parse_value("").unwrap(), None);
        assert_eq!(MacroObservation::parse_value(" 4.25 ").unwrap(), Some(4.25));
        assert_eq!(MacroObservation::parse_value("-0.5").unwrap(), Some(-0.5));
        assert!(MacroObservation::parse_value("abc").is_err());
        assert!(MacroObservation::parse_value("inf").is_err());
        assert_eq!("HIGH".parse::<Importance>().unwrap(), Importance::High);
        assert_eq!("2".parse::<Importance>().unwrap(), Importance::Medium);
        assert!("urgent".parse::<Importance>().is_err());
        let ev = MacroEvent {
            name: "Non-Farm Payrolls".into(),
            currency: Currency::USD,
            ts: UnixNanos::ZERO,
            actual: Some(250.0),
            forecast: Some(200.0),
            previous: None,
            importance: Importance::High,
        };
        assert_eq!(ev.surprise(), Some(50.0));
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(json["importance"], "high");
        assert_eq!(json["currency"], "USD");
    }

    #[test]
    fn bar_serde_round_trip() {
        let b = bar("1.10000", "1.20000", "1.00000", "1.15000").unwrap();
        let json = serde_json::to_string(&b).unwrap();
        assert!(json.contains("\"open\":\"1.10000\""), "{json}");
        assert!(json.contains("\"timeframe\":\"1m\""), "{json}");
        let back: Bar = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.open.precision(), 5);
    }
}
