//! What the caller may choose when opening a file, and symbol inference from file names.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use emp_model::{InstrumentId, Timeframe};
use serde::{Deserialize, Serialize};

use crate::format::Format;
use crate::time::{DateOrder, TimeZone};

/// Which side of a bid/ask source becomes a bar (Lean quote bars, tick aggregation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceSide {
    Bid,
    Ask,
    /// `(bid + ask) / 2`, exact (one more decimal place when needed). The default.
    #[default]
    Mid,
}

impl fmt::Display for PriceSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PriceSide::Bid => "bid",
            PriceSide::Ask => "ask",
            PriceSide::Mid => "mid",
        })
    }
}

impl FromStr for PriceSide {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "bid" => Ok(PriceSide::Bid),
            "ask" => Ok(PriceSide::Ask),
            "mid" => Ok(PriceSide::Mid),
            _ => Err(format!(
                "unknown price side {s:?}; expected bid, ask or mid"
            )),
        }
    }
}

/// Options for [`crate::open`]. Every field has a sensible default: `format: None` detects
/// the format, `time_zone: None` uses the format's documented zone (Lean OANDA UTC, Lean
/// FXCM and HistData UTC−05 fixed, Lean equities America/New_York, everything else UTC
/// unless the text carries an offset). `symbol` applies to market data only.
///
/// Deserialises from config (`format: lean`, `time_zone: UTC-05`, `price_side: bid`,
/// `timeframe: 5m`, `date_order: day_first`); unknown keys are rejected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadOptions {
    pub format: Option<Format>,
    /// Overrides the symbol inferred from the path.
    pub symbol: Option<String>,
    /// Overrides the timeframe inferred from the path or from the rows' spacing.
    pub timeframe: Option<Timeframe>,
    pub time_zone: Option<TimeZone>,
    pub price_side: PriceSide,
    /// How to read all-numeric slash dates (`02/03/2010`); month first by default.
    pub date_order: DateOrder,
}

impl ReadOptions {
    /// Checks what the types cannot: reports every violation at once, each naming its field.
    pub fn validate(&self) -> Result<(), crate::Error> {
        let mut violations = Vec::new();
        if let Some(sym) = &self.symbol {
            if let Err(e) = InstrumentId::try_new(sym) {
                violations.push(format!("symbol: {e}"));
            }
            if self.format.is_some_and(Format::is_macro) {
                violations.push(format!(
                    "symbol: a {} file holds macro series, not an instrument",
                    self.format.map_or("", Format::as_str)
                ));
            }
        }
        if self.price_side != PriceSide::Mid && self.format.is_some_and(|f| f != Format::Lean) {
            violations.push(format!(
                "price_side: only Lean quote bars have sides to choose, but format is {}",
                self.format.map_or("", Format::as_str)
            ));
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::InvalidOptions { violations })
        }
    }
}

/// Names of the bundled index files, mapped to the instrument ids we trade them under.
const SYMBOL_ALIASES: &[(&str, &str)] = &[("sp500", "SPX"), ("nasdaq", "IXIC"), ("vix", "VIX")];

/// The alias of a bundled file or column name (`sp500` → `SPX`), if it has one.
pub(crate) fn alias(name: &str) -> Option<&'static str> {
    SYMBOL_ALIASES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// Applies the alias table (`sp500` → `SPX`); otherwise upper-cases.
pub(crate) fn alias_or_upper(name: &str) -> String {
    alias(name).map_or_else(|| name.to_ascii_uppercase(), str::to_string)
}

/// The file name without directory and without `.csv`, `.txt`, `.gz`, `.zip`, `.tar.gz`.
pub(crate) fn file_stem(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for ext in [".gz", ".tgz", ".zip", ".tar", ".csv", ".txt", ".json"] {
        if name.to_ascii_lowercase().ends_with(ext) {
            name.truncate(name.len() - ext.len());
        }
    }
    name
}

/// Yahoo-style symbol from a file stem, first rule that applies: the alias table
/// (`sp500` → `SPX`); a leading alphabetic token followed only by numeric tokens
/// (`orcl-1995-2014` → `ORCL`); an FX pair inside the name (`fxcm-gbpusd-m1-bid-2012` →
/// `GBPUSD`); the part before the first `_` of a long name (`6EH4.XCME_1min_bars_…` →
/// `6EH4.XCME`); else the stem upper-cased.
pub(crate) fn symbol_from_stem(stem: &str) -> String {
    if let Some(a) = alias(stem) {
        return a.to_string();
    }
    let tokens: Vec<&str> = stem.split(['-', '_']).collect();
    if tokens.len() > 1
        && tokens[0].bytes().all(|b| b.is_ascii_alphabetic())
        && tokens[1..]
            .iter()
            .all(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
    {
        return alias_or_upper(tokens[0]);
    }
    if let Some(pair) = fx_pair_from_stem(stem) {
        return pair;
    }
    if stem.len() > 32 {
        if let Some(first) = stem.split('_').next().filter(|f| !f.is_empty()) {
            return first.to_ascii_uppercase();
        }
    }
    stem.to_ascii_uppercase()
}

const CURRENCIES: &[&str] = &[
    "EUR", "USD", "GBP", "JPY", "CHF", "AUD", "NZD", "CAD", "SEK", "NOK", "DKK", "HKD", "SGD",
    "CNH", "MXN", "ZAR", "TRY", "PLN", "HUF", "CZK", "XAU", "XAG",
];

fn is_ccy(s: &str) -> bool {
    CURRENCIES.iter().any(|c| c.eq_ignore_ascii_case(s))
}

/// Finds an FX pair in a file name: a 6-letter token (`truefx-usdjpy-ticks` → `USDJPY`) or
/// two adjacent 3-letter currency tokens (`ticks-EUR-USD-2026…` → `EURUSD`).
pub(crate) fn fx_pair_from_stem(stem: &str) -> Option<String> {
    let tokens: Vec<&str> = stem.split(['-', '_', '.', ' ']).collect();
    for t in &tokens {
        if t.len() == 6 && is_ccy(&t[..3]) && is_ccy(&t[3..]) {
            return Some(t.to_ascii_uppercase());
        }
    }
    tokens
        .windows(2)
        .find(|w| w[0].len() == 3 && w[1].len() == 3 && is_ccy(w[0]) && is_ccy(w[1]))
        .map(|w| format!("{}{}", w[0], w[1]).to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_inference_table() {
        let cases: &[(&str, &str)] = &[
            ("orcl-1995-2014", "ORCL"),
            ("nvda-1999-2014", "NVDA"),
            ("sp500", "SPX"),
            ("nasdaq", "IXIC"),
            ("VIX", "VIX"),
            ("GOOG", "GOOG"),
            ("msft", "MSFT"),
            ("2006-day-001", "2006-DAY-001"),
            ("EURUSD", "EURUSD"),
            ("fxcm-gbpusd-m1-bid-2012", "GBPUSD"),
            ("6EH4.XCME_1min_bars_20240101_20240131", "6EH4.XCME"),
            (
                "ftx-btc-perp-20211231-20220201_1m",
                "FTX-BTC-PERP-20211231-20220201",
            ),
        ];
        for (stem, want) in cases {
            assert_eq!(symbol_from_stem(stem), *want, "{stem}");
        }
    }

    #[test]
    fn fx_pairs_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("truefx-usdjpy-ticks", Some("USDJPY")),
            (
                "histdata-eurusd-ticks-20200101_quote_tick_data",
                Some("EURUSD"),
            ),
            ("ticks-EUR-USD-2026-7-13-12", Some("EURUSD")),
            ("DAT_ASCII_EURUSD_T_202001", Some("EURUSD")),
            ("quote_tick_data", None),
            ("ticks-EUR-2026", None),
        ];
        for (stem, want) in cases {
            assert_eq!(fx_pair_from_stem(stem).as_deref(), *want, "{stem}");
        }
    }

    #[test]
    fn options_from_config_and_validation() {
        let o: ReadOptions = serde_json::from_str(
            r#"{"format":"lean","time_zone":"UTC-05","price_side":"bid","timeframe":"5m","date_order":"day_first","symbol":"EURUSD"}"#,
        )
        .unwrap();
        assert_eq!(o.format, Some(Format::Lean));
        assert_eq!(o.time_zone, Some(TimeZone::Fixed(-18000)));
        assert_eq!(
            (o.price_side, o.date_order),
            (PriceSide::Bid, DateOrder::DayFirst)
        );
        assert_eq!(o.timeframe, Some(Timeframe::M5));
        assert!(o.validate().is_ok());
        assert_eq!(
            serde_json::from_str::<ReadOptions>("{}").unwrap(),
            ReadOptions::default()
        );
        assert!(serde_json::from_str::<ReadOptions>(r#"{"fromat":"lean"}"#).is_err());
        assert!(serde_json::from_str::<ReadOptions>(r#"{"time_zone":"Mars/Base"}"#).is_err());
        let bad = ReadOptions {
            format: Some(Format::Fred),
            symbol: Some("bad symbol".into()),
            price_side: PriceSide::Ask,
            ..ReadOptions::default()
        };
        let msg = bad.validate().unwrap_err().to_string();
        assert_eq!(msg.lines().count(), 4, "{msg}");
        assert!(
            msg.contains("symbol: invalid instrument id") && msg.contains("price_side:"),
            "{msg}"
        );
    }

    #[test]
    fn stems() {
        assert_eq!(file_stem(Path::new("a/b/sp500.csv.gz")), "sp500");
        assert_eq!(file_stem(Path::new("msft.tar.gz")), "msft");
        assert_eq!(file_stem(Path::new("20140501_quote.zip")), "20140501_quote");
        assert_eq!("mid".parse::<PriceSide>(), Ok(PriceSide::Mid));
        assert!("last".parse::<PriceSide>().is_err());
    }
}
