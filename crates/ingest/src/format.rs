//! The file formats we read, their names on the command line, and `--format auto` detection.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A supported file format. `Display`/`FromStr` use exactly the command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Generic OHLCV CSV (Yahoo-style, with or without `Adj Close`).
    OhlcvCsv,
    /// QuantConnect Lean zip layout (FX quote bars and ticks, equity trade/quote bars, ticks).
    Lean,
    /// HistData.com ASCII ticks: `YYYYMMDD HHMMSSfff,bid,ask,vol`, no header, EST.
    HistData,
    /// TrueFX ticks: `timestamp,bid,ask` with a header, or headerless `PAIR,time,bid,ask`.
    TrueFx,
    /// Dukascopy delta-encoded JSON ticks.
    Dukascopy,
    /// FRED-style `Date,SERIES[,SERIES…]` with `.` for missing values.
    Fred,
    /// US Treasury par yield curve: one column per tenor, empty cells for unpublished ones.
    TreasuryCurve,
    /// Quarterly macro tables (`year,quarter,…` or `period,…` with `YYYYQn`).
    MacroTable,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::OhlcvCsv,
        Format::Lean,
        Format::HistData,
        Format::TrueFx,
        Format::Dukascopy,
        Format::Fred,
        Format::TreasuryCurve,
        Format::MacroTable,
    ];

    /// Formats whose records are macro observations rather than market data.
    pub fn is_macro(self) -> bool {
        matches!(
            self,
            Format::Fred | Format::TreasuryCurve | Format::MacroTable
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::OhlcvCsv => "ohlcv-csv",
            Format::Lean => "lean",
            Format::HistData => "histdata",
            Format::TrueFx => "truefx",
            Format::Dukascopy => "dukascopy",
            Format::Fred => "fred",
            Format::TreasuryCurve => "treasury-curve",
            Format::MacroTable => "macro-table",
        }
    }

    /// Guesses the format from the file's path and the first bytes of its decoded text (after
    /// any gzip/zip/tar container; for a zip, the raw `PK` bytes are fine too). The returned
    /// [`Detection`] says why, so `--format auto` can report its choice.
    pub fn detect(path: &Path, head: &[u8]) -> Result<Detection, String> {
        detect(path, head)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown format {s:?}; expected one of {}", names.join(", "))
            })
    }
}

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Format {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The outcome of format detection: what was chosen and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub format: Format,
    pub reason: String,
}

fn found(format: Format, reason: impl Into<String>) -> Result<Detection, String> {
    Ok(Detection {
        format,
        reason: reason.into(),
    })
}

fn is_lean_path(path: &Path) -> Option<String> {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
        .collect();
    let res = ["tick", "second", "minute", "hour", "daily"];
    let asset = ["forex", "equity", "cfd", "crypto", "future", "option"];
    let n = parts.len();
    // .../<asset>/<market>/<resolution>/<symbol>/YYYYMMDD_*.zip or .../<resolution>/<symbol>.zip
    for (i, p) in parts.iter().enumerate() {
        if asset.contains(&p.as_str()) && i + 2 < n && res.contains(&parts[i + 2].as_str()) {
            return Some(format!(
                "path has Lean's {p}/{}/{} layout",
                parts[i + 1],
                parts[i + 2]
            ));
        }
    }
    None
}

fn detect(path: &Path, head: &[u8]) -> Result<Detection, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".zip") {
        if let Some(why) = is_lean_path(path) {
            return found(Format::Lean, format!("zip file and {why}"));
        }
        let stem = name.trim_end_matches(".zip");
        if stem.len() >= 9
            && stem.as_bytes()[..8].iter().all(u8::is_ascii_digit)
            && stem.as_bytes()[8] == b'_'
        {
            return found(
                Format::Lean,
                "zip named YYYYMMDD_<type>.zip like Lean's data files",
            );
        }
    }
    let text = String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') && text.contains("\"multiplier\"") && text.contains("\"times\"") {
        return found(
            Format::Dukascopy,
            "JSON object with `multiplier` and `times` delta arrays",
        );
    }
    let mut lines = text.lines();
    let Some(first) = lines.next() else {
        return Err("file is empty".into());
    };
    let second = lines.next().unwrap_or("");
    let cols: Vec<String> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |n: &str| cols.iter().any(|c| c == n);

    // Headerless tick layouts first: their first line is data.
    let f0 = cols.first().map(String::as_str).unwrap_or("");
    let b0 = f0.as_bytes();
    if b0.len() == 18
        && b0[8] == b' '
        && b0
            .iter()
            .enumerate()
            .all(|(i, b)| i == 8 || b.is_ascii_digit())
    {
        return found(
            Format::HistData,
            "no header; first field is `YYYYMMDD HHMMSSfff` (HistData ASCII ticks)",
        );
    }
    if b0.len() == 7 && b0[3] == b'/' && cols.len() >= 4 {
        return found(
            Format::TrueFx,
            format!(
                "no header; first field is a currency pair {:?} (TrueFX)",
                f0.to_ascii_uppercase()
            ),
        );
    }
    if cols.len() == 3 && has("bid") && has("ask") {
        return found(
            Format::TrueFx,
            format!("header `{first}`: timestamp, bid, ask ticks"),
        );
    }
    if has("open") && has("high") && has("low") && has("close") {
        return found(
            Format::OhlcvCsv,
            format!("header `{first}` has open, high, low and close"),
        );
    }
    if (has("year") && has("quarter")) || (f0 == "period" && second.contains('Q')) {
        return found(
            Format::MacroTable,
            format!("header `{first}` is a quarterly table"),
        );
    }
    let tenor = |c: &String| {
        let c = c.as_str();
        (c.ends_with("month") || c.ends_with("year") || c.ends_with("mo") || c.ends_with("yr"))
            && c.as_bytes().first().is_some_and(u8::is_ascii_digit)
    };
    if cols.len() > 2 && cols[1..].iter().all(tenor) {
        return found(
            Format::TreasuryCurve,
            format!("header `{first}`: one column per tenor"),
        );
    }
    let date_col = [
        "date",
        "observation_date",
        "time period",
        "time",
        "timestamp",
    ];
    if cols.len() >= 2 && date_col.contains(&f0) {
        return found(
            Format::Fred,
            format!("header `{first}`: a date column then value series"),
        );
    }
    Err(format!(
        "unrecognised first line {first:?}; pass --format explicitly"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_roundtrip() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>(), Ok(f));
        }
        assert_eq!("ohlcv-csv".parse::<Format>(), Ok(Format::OhlcvCsv));
        assert_eq!(
            "treasury-curve".parse::<Format>(),
            Ok(Format::TreasuryCurve)
        );
        assert!("auto".parse::<Format>().is_err());
        assert!("OHLCV-CSV".parse::<Format>().is_err());
    }

    #[test]
    fn detection_table() {
        let cases: &[(&str, &str, Option<Format>)] = &[
            (
                "fx/lean/forex/oanda/minute/eurusd/20140501_quote.zip",
                "PK\x03\x04",
                Some(Format::Lean),
            ),
            (
                "fx/lean/forex/oanda/hour/eurusd.zip",
                "PK",
                Some(Format::Lean),
            ),
            (
                "equity/lean/equity/usa/daily/spy.zip",
                "PK",
                Some(Format::Lean),
            ),
            ("x/20131007_trade.zip", "PK", Some(Format::Lean)),
            ("other.zip", "PK", None),
            (
                "ticks.json",
                "{\"timestamp\":1,\"multiplier\":1e-5,\"times\":[1]}",
                Some(Format::Dukascopy),
            ),
            (
                "h.csv",
                "20200101 170000065,1.121200,1.121720,0\n",
                Some(Format::HistData),
            ),
            (
                "t.csv",
                "timestamp,bid,ask\n2013-01-01 22:00:00.295000+00:00,86.655,86.728\n",
                Some(Format::TrueFx),
            ),
            (
                "b.csv",
                "TIMESTAMP,BID,ASK\n02/03/2010 16:53:50,0.5346,0.5347\n",
                Some(Format::TrueFx),
            ),
            (
                "t2.csv",
                "EUR/USD,20130101 22:00:00.295,1.3,1.31\n",
                Some(Format::TrueFx),
            ),
            (
                "sp500.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\r\n1/4/1999,1,2,1,1,1,5\r\n",
                Some(Format::OhlcvCsv),
            ),
            (
                "goog.csv",
                ",Open,High,Low,Close,Volume\n",
                Some(Format::OhlcvCsv),
            ),
            (
                "c.csv",
                "\u{feff}Date,Brent,WTI\r\n1987-05-15,18.58,19.44\r\n",
                Some(Format::Fred),
            ),
            (
                "w.csv",
                "Date,DCOILWTICO\r\n1/2/1986,25.56\r\n",
                Some(Format::Fred),
            ),
            (
                "r.csv",
                "DATE,PCREDIT8\n2003-01-09,2.25\n",
                Some(Format::Fred),
            ),
            (
                "m.csv",
                "\"year\",\"quarter\",\"realgdp\"\n1959,1,2710.349\n",
                Some(Format::MacroTable),
            ),
            (
                "d.csv",
                "\u{feff}period,lrm,lry\n1974Q1,11.6,5.9\n",
                Some(Format::MacroTable),
            ),
            (
                "y.csv",
                "Time Period,1month,3month,10year\n1990-01-02 00:00:00+00:00,,0.07,0.08\n",
                Some(Format::TreasuryCurve),
            ),
            ("z.csv", "", None),
            ("z.csv", "hello world\n", None),
        ];
        for (path, head, want) in cases {
            let got = Format::detect(Path::new(path), head.as_bytes());
            assert_eq!(
                got.as_ref().ok().map(|d| d.format),
                *want,
                "{path}: {got:?}"
            );
            if let Ok(d) = got {
                assert!(!d.reason.is_empty());
            }
        }
    }
}
