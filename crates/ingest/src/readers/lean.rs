//! QuantConnect Lean's zip layout.
//!
//! `…/<asset>/<market>/<resolution>/<symbol>/YYYYMMDD_<quote|trade>.zip` for tick, second
//! and minute data (time of day = ms since local midnight; the date is in the file name) and
//! `…/<asset>/<market>/<resolution>/<symbol>.zip` for hour and daily data (`YYYYMMDD HH:mm`).
//! Equity prices are integers × 10,000. Data zones: OANDA UTC, FXCM UTC−05 fixed, US
//! equities America/New_York.

use std::path::Path;

use chrono::NaiveDate;

use crate::dec::{Dec, common_scale};
use crate::error::RowFault;
use crate::options::PriceSide;
use crate::readers::LineParser;
use crate::row::{RawBar, RawQuote, RawRecord, RawTrade};
use crate::time::{DateOrder, NANOS_PER_MILLI, TimeZone, parse_date, parse_datetime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeanResolution {
    Tick,
    Second,
    Minute,
    Hour,
    Daily,
}

impl LeanResolution {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "tick" => LeanResolution::Tick,
            "second" => LeanResolution::Second,
            "minute" => LeanResolution::Minute,
            "hour" => LeanResolution::Hour,
            "daily" => LeanResolution::Daily,
            _ => return None,
        })
    }

    /// The bar length as a timeframe string, `None` for ticks.
    pub(crate) fn timeframe(self) -> Option<&'static str> {
        match self {
            LeanResolution::Tick => None,
            LeanResolution::Second => Some("1s"),
            LeanResolution::Minute => Some("1m"),
            LeanResolution::Hour => Some("1h"),
            LeanResolution::Daily => Some("1d"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeanKind {
    Quote,
    Trade,
}

/// What a Lean file holds, read from its path (and the zip entry name as a fallback).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LeanLayout {
    pub(crate) symbol: String,
    pub(crate) resolution: LeanResolution,
    pub(crate) kind: LeanKind,
    pub(crate) date: Option<NaiveDate>,
    /// Decimal places implied by integer prices (4 for equities, 0 elsewhere).
    pub(crate) price_shift: u8,
    pub(crate) default_tz: TimeZone,
}

fn market_zone(asset: &str, market: &str) -> TimeZone {
    match (asset, market) {
        (_, "fxcm") => TimeZone::EST_FIXED,
        ("equity" | "option", "usa") => TimeZone::Iana(chrono_tz::America::New_York),
        _ => TimeZone::Utc,
    }
}

/// `YYYYMMDD_<type>` or `YYYYMMDD_<symbol>_<resolution>_<type>` → parts.
fn dated_name(stem: &str) -> Option<(NaiveDate, Vec<&str>)> {
    let mut parts = stem.split('_');
    let date = parse_date(parts.next()?, DateOrder::MonthFirst).ok()?;
    Some((date, parts.collect()))
}

fn kind_of(s: &str) -> Option<LeanKind> {
    match s {
        "quote" => Some(LeanKind::Quote),
        "trade" => Some(LeanKind::Trade),
        _ => None,
    }
}

impl LeanLayout {
    pub(crate) fn from_path(path: &Path, entry: Option<&str>) -> Result<Self, String> {
        let parts: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
            .collect();
        let file = parts.last().cloned().unwrap_or_default();
        let stem = file.trim_end_matches(".zip");
        let entry_stem = entry.map(|e| e.to_ascii_lowercase().trim_end_matches(".csv").to_string());
        let from_entry = entry_stem.as_deref().and_then(dated_name);

        let tree = parts.iter().enumerate().find_map(|(i, p)| {
            let res = LeanResolution::parse(parts.get(i + 2)?)?;
            ["forex", "equity", "cfd", "crypto", "future", "option"]
                .contains(&p.as_str())
                .then(|| (p.clone(), parts[i + 1].clone(), res, i))
        });
        let (asset, market, resolution, i) = match tree {
            Some(t) => t,
            None => {
                // Outside a Lean tree: the entry name `YYYYMMDD_eurusd_minute_quote.csv` tells.
                let (_, p) = from_entry.clone().ok_or_else(|| {
                    "not in Lean's <asset>/<market>/<resolution>/ layout and the zip entry name \
                     is not YYYYMMDD_<symbol>_<resolution>_<type>.csv"
                        .to_string()
                })?;
                let res = p
                    .get(1)
                    .and_then(|r| LeanResolution::parse(r))
                    .ok_or("no resolution in entry name")?;
                ("forex".to_string(), String::new(), res, usize::MAX)
            }
        };
        let intraday = matches!(
            resolution,
            LeanResolution::Tick | LeanResolution::Second | LeanResolution::Minute
        );
        let (symbol, kind, date) = if intraday {
            let (date, rest) =
                dated_name(stem)
                    .or_else(|| from_entry.clone())
                    .ok_or_else(|| {
                        format!("Lean {resolution:?} file name {file:?} is not YYYYMMDD_<type>.zip")
                    })?;
            let kind = rest
                .last()
                .and_then(|k| kind_of(k))
                .unwrap_or(LeanKind::Quote);
            let symbol = if i != usize::MAX && i + 3 < parts.len() - 1 {
                parts[i + 3].clone()
            } else {
                from_entry
                    .as_ref()
                    .and_then(|(_, p)| p.first().map(|s| s.to_string()))
                    .ok_or("no symbol in path")?
            };
            (symbol, kind, Some(date))
        } else {
            // `eurusd.zip`, `spy.zip`, or `eurusd_quote.zip`.
            let mut it = stem.split('_');
            let symbol = it.next().unwrap_or_default().to_string();
            let default = if asset == "equity" {
                LeanKind::Trade
            } else {
                LeanKind::Quote
            };
            (symbol, it.next().and_then(kind_of).unwrap_or(default), None)
        };
        if symbol.is_empty() {
            return Err(format!("no symbol in Lean path {}", path.display()));
        }
        Ok(LeanLayout {
            symbol: symbol.to_ascii_uppercase(),
            resolution,
            kind,
            date,
            price_shift: if asset == "equity" || asset == "option" {
                4
            } else {
                0
            },
            default_tz: market_zone(&asset, &market),
        })
    }
}

pub(crate) struct LeanParser {
    layout: LeanLayout,
    tz: TimeZone,
    side: PriceSide,
    /// UTC nanos of the file's local midnight when the zone has no DST (the tick hot path
    /// then needs one addition per row).
    midnight: Option<i64>,
}

/// Splits into at most 12 fields without allocating (the tick hot path). Returns the field
/// count, which may exceed 12 (then only the first 12 are stored).
fn split12<'a>(line: &'a str, buf: &mut [&'a str; 12]) -> usize {
    let mut n = 0;
    for f in line.split(',') {
        if n < 12 {
            buf[n] = f;
        }
        n += 1;
    }
    n
}

impl LeanParser {
    pub(crate) fn new(layout: LeanLayout, tz: Option<TimeZone>, side: PriceSide) -> Self {
        let tz = tz.unwrap_or(layout.default_tz);
        let midnight = match (layout.date, tz) {
            (Some(date), TimeZone::Utc | TimeZone::Fixed(_)) => {
                tz.day_offset_to_utc_nanos(date, 0).ok()
            }
            _ => None,
        };
        LeanParser {
            layout,
            tz,
            side,
            midnight,
        }
    }

    fn price(&self, f: &[&str], i: usize) -> Result<Dec, RowFault> {
        let s = f
            .get(i)
            .ok_or_else(|| RowFault::at(i + 1, "missing field"))?;
        Dec::parse_scaled_int(s, self.layout.price_shift).map_err(|e| RowFault::at(i + 1, e))
    }

    fn size(f: &[&str], i: usize) -> Result<Dec, RowFault> {
        let s = f
            .get(i)
            .ok_or_else(|| RowFault::at(i + 1, "missing field"))?;
        Dec::parse(s).map_err(|e| RowFault::at(i + 1, e))
    }

    fn time(&self, f0: &str) -> Result<i64, RowFault> {
        match self.layout.date {
            Some(date) => {
                let ms: i64 = f0.trim().parse().map_err(|_| {
                    RowFault::at(1, format!("not milliseconds since midnight: {f0:?}"))
                })?;
                if let Some(midnight) = self.midnight {
                    if (0..86_400_000).contains(&ms) {
                        return Ok(midnight + ms * NANOS_PER_MILLI);
                    }
                }
                self.tz
                    .day_offset_to_utc_nanos(date, ms.saturating_mul(NANOS_PER_MILLI))
                    .map_err(|e| RowFault::at(1, e))
            }
            None => parse_datetime(f0, DateOrder::MonthFirst)
                .and_then(|s| s.resolve(self.tz))
                .map_err(|e| RowFault::at(1, e)),
        }
    }

    fn arity(n: usize, want: &[usize]) -> Result<(), RowFault> {
        if want.contains(&n) {
            Ok(())
        } else {
            let w: Vec<String> = want.iter().map(ToString::to_string).collect();
            Err(RowFault::row(format!(
                "expected {} fields, got {n}",
                w.join(" or ")
            )))
        }
    }

    fn quote_bar(&self, ts: i64, f: &[&str]) -> Result<RawBar, RowFault> {
        let bid = [
            self.price(f, 1)?,
            self.price(f, 2)?,
            self.price(f, 3)?,
            self.price(f, 4)?,
        ];
        let ask = [
            self.price(f, 6)?,
            self.price(f, 7)?,
            self.price(f, 8)?,
            self.price(f, 9)?,
        ];
        let mut px = match self.side {
            PriceSide::Bid => bid,
            PriceSide::Ask => ask,
            PriceSide::Mid => {
                let mut m = [Dec::ZERO; 4];
                for k in 0..4 {
                    m[k] = Dec::midpoint(bid[k], ask[k])
                        .ok_or_else(|| RowFault::row("mid price out of range"))?;
                }
                m
            }
        };
        common_scale(&mut px).map_err(RowFault::row)?;
        // A quote bar has no traded volume; the last sizes are not a volume.
        Ok(RawBar {
            ts,
            open: px[0],
            high: px[1],
            low: px[2],
            close: px[3],
            volume: Dec::ZERO,
        })
    }
}

impl LineParser for LeanParser {
    fn header(&mut self, _line: &str) -> Result<bool, String> {
        Ok(false) // Lean files have no header.
    }

    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault> {
        let mut buf = [""; 12];
        let n = split12(line, &mut buf);
        let f = &buf[..n.min(12)];
        let ts = self.time(f[0])?;
        let rec = match (self.layout.resolution, self.layout.kind) {
            (LeanResolution::Tick, LeanKind::Quote) if self.layout.price_shift == 0 => {
                Self::arity(n, &[3])?;
                RawRecord::Quote(RawQuote {
                    ts,
                    bid: self.price(f, 1)?,
                    ask: self.price(f, 2)?,
                    bid_size: Dec::ZERO,
                    ask_size: Dec::ZERO,
                })
            }
            (LeanResolution::Tick, LeanKind::Quote) => {
                // Equity: ms, bid, bid size, ask, ask size, exchange, condition, suspicious.
                Self::arity(n, &[8])?;
                if f[7] == "1" {
                    return Err(RowFault::at(8, "flagged suspicious by the vendor"));
                }
                RawRecord::Quote(RawQuote {
                    ts,
                    bid: self.price(f, 1)?,
                    bid_size: Self::size(f, 2)?,
                    ask: self.price(f, 3)?,
                    ask_size: Self::size(f, 4)?,
                })
            }
            (LeanResolution::Tick, LeanKind::Trade) => {
                // Equity: ms, price, quantity, exchange, condition, suspicious; crypto: ms, price, qty.
                Self::arity(n, &[3, 6])?;
                if n == 6 && f[5] == "1" {
                    return Err(RowFault::at(6, "flagged suspicious by the vendor"));
                }
                RawRecord::Trade(RawTrade {
                    ts,
                    price: self.price(f, 1)?,
                    size: Self::size(f, 2)?,
                })
            }
            (_, LeanKind::Quote) => {
                Self::arity(n, &[11])?;
                RawRecord::Bar(self.quote_bar(ts, f)?)
            }
            (_, LeanKind::Trade) => {
                Self::arity(n, &[6])?;
                let mut px = [
                    self.price(f, 1)?,
                    self.price(f, 2)?,
                    self.price(f, 3)?,
                    self.price(f, 4)?,
                ];
                common_scale(&mut px).map_err(RowFault::row)?;
                RawRecord::Bar(RawBar {
                    ts,
                    open: px[0],
                    high: px[1],
                    low: px[2],
                    close: px[3],
                    volume: Self::size(f, 5)?,
                })
            }
        };
        out.push(rec);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(p: &str, entry: Option<&str>) -> Result<LeanLayout, String> {
        LeanLayout::from_path(Path::new(p), entry)
    }

    #[test]
    fn layout_table() {
        let d = |s| parse_date(s, DateOrder::MonthFirst).ok();
        let ny = TimeZone::Iana(chrono_tz::America::New_York);
        let cases: &[(
            &str,
            Option<&str>,
            Option<(
                &str,
                LeanResolution,
                LeanKind,
                Option<NaiveDate>,
                u8,
                TimeZone,
            )>,
        )] = &[
            (
                "d/fx/lean/forex/oanda/minute/eurusd/20140501_quote.zip",
                None,
                Some((
                    "EURUSD",
                    LeanResolution::Minute,
                    LeanKind::Quote,
                    d("20140501"),
                    0,
                    TimeZone::Utc,
                )),
            ),
            (
                "forex/fxcm/tick/eurusd/20140505_quote.zip",
                None,
                Some((
                    "EURUSD",
                    LeanResolution::Tick,
                    LeanKind::Quote,
                    d("20140505"),
                    0,
                    TimeZone::EST_FIXED,
                )),
            ),
            (
                "forex/oanda/hour/eurusd.zip",
                None,
                Some((
                    "EURUSD",
                    LeanResolution::Hour,
                    LeanKind::Quote,
                    None,
                    0,
                    TimeZone::Utc,
                )),
            ),
            (
                "x/equity/usa/daily/spy.zip",
                None,
                Some(("SPY", LeanResolution::Daily, LeanKind::Trade, None, 4, ny)),
            ),
            (
                "equity/usa/minute/spy/20131007_trade.zip",
                None,
                Some((
                    "SPY",
                    LeanResolution::Minute,
                    LeanKind::Trade,
                    d("20131007"),
                    4,
                    ny,
                )),
            ),
            (
                "equity/usa/tick/spy/20131007_trade.zip",
                None,
                Some((
                    "SPY",
                    LeanResolution::Tick,
                    LeanKind::Trade,
                    d("20131007"),
                    4,
                    ny,
                )),
            ),
            (
                "/tmp/20140501_quote.zip",
                Some("20140501_eurusd_minute_quote.csv"),
                Some((
                    "EURUSD",
                    LeanResolution::Minute,
                    LeanKind::Quote,
                    d("20140501"),
                    0,
                    TimeZone::Utc,
                )),
            ),
            ("/tmp/foo.zip", Some("foo.csv"), None),
            ("forex/oanda/minute/eurusd/quote.zip", None, None),
        ];
        for (p, e, want) in cases {
            let got = layout(p, *e).ok().map(|l| {
                (
                    l.symbol,
                    l.resolution,
                    l.kind,
                    l.date,
                    l.price_shift,
                    l.default_tz,
                )
            });
            let want = want.map(|(s, r, k, d, sh, tz)| (s.to_string(), r, k, d, sh, tz));
            assert_eq!(got, want, "{p}");
        }
    }

    fn ts(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap()
    }

    fn one(p: &mut LeanParser, line: &str) -> Result<RawRecord, RowFault> {
        let mut out = Vec::new();
        p.parse(line, &mut out).map(|()| out.pop().unwrap())
    }

    #[test]
    fn grammar_table() {
        let d = |s: &str| Dec::parse(s).unwrap();
        let mk = |p: &str, side| LeanParser::new(layout(p, None).unwrap(), None, side);
        let oanda_m = "forex/oanda/minute/eurusd/20140501_quote.zip";
        let fxcm_t = "forex/fxcm/tick/eurusd/20140501_quote.zip";
        let spy_m = "equity/usa/minute/spy/20131007_trade.zip";
        let spy_d = "equity/usa/daily/spy.zip";
        let spy_t = "equity/usa/tick/spy/20131007_trade.zip";
        let bar = |t: &str, o: &str, h: &str, l: &str, c: &str, v: &str| {
            RawRecord::Bar(RawBar {
                ts: ts(t),
                open: d(o),
                high: d(h),
                low: d(l),
                close: d(c),
                volume: d(v),
            })
        };
        let m_line = "60000,1.38688,1.38688,1.38685,1.38685,0,1.38700,1.38700,1.38696,1.38698,0";
        let cases: Vec<(&str, PriceSide, &str, Result<RawRecord, Option<usize>>)> = vec![
            (
                oanda_m,
                PriceSide::Bid,
                m_line,
                Ok(bar(
                    "2014-05-01T00:01:00Z",
                    "1.38688",
                    "1.38688",
                    "1.38685",
                    "1.38685",
                    "0",
                )),
            ),
            (
                oanda_m,
                PriceSide::Ask,
                m_line,
                Ok(bar(
                    "2014-05-01T00:01:00Z",
                    "1.38700",
                    "1.38700",
                    "1.38696",
                    "1.38698",
                    "0",
                )),
            ),
            (
                oanda_m,
                PriceSide::Mid,
                m_line,
                Ok(bar(
                    "2014-05-01T00:01:00Z",
                    "1.386940",
                    "1.386940",
                    "1.386905",
                    "1.386915",
                    "0",
                )),
            ),
            (
                oanda_m,
                PriceSide::Mid,
                "60000,1.3,1.3,1.3,1.3,0,1.3,1.3,1.3",
                Err(None),
            ),
            (
                oanda_m,
                PriceSide::Mid,
                "6e4,1,1,1,1,0,1,1,1,1,0",
                Err(Some(1)),
            ),
            (
                oanda_m,
                PriceSide::Mid,
                "86400000,1,1,1,1,0,1,1,1,1,0",
                Err(Some(1)),
            ),
            (
                oanda_m,
                PriceSide::Bid,
                "0,1,1,x,1,0,1,1,1,1,0",
                Err(Some(4)),
            ),
            (
                fxcm_t,
                PriceSide::Mid,
                "1787,1.38727,1.38729",
                Ok(RawRecord::Quote(RawQuote {
                    ts: ts("2014-05-01T05:00:01.787Z"),
                    bid: d("1.38727"),
                    ask: d("1.38729"),
                    bid_size: Dec::ZERO,
                    ask_size: Dec::ZERO,
                })),
            ),
            (fxcm_t, PriceSide::Mid, "1787,1.38727", Err(None)),
            (
                spy_m,
                PriceSide::Mid,
                "14400000,1674100,1674100,1672500,1672700,3197",
                Ok(bar(
                    "2013-10-07T08:00:00Z",
                    "167.4100",
                    "167.4100",
                    "167.2500",
                    "167.2700",
                    "3197",
                )),
            ),
            (
                spy_d,
                PriceSide::Mid,
                "19980102 00:00,973100,975300,965300,973600,2150000",
                Ok(bar(
                    "1998-01-02T05:00:00Z",
                    "97.3100",
                    "97.5300",
                    "96.5300",
                    "97.3600",
                    "2150000",
                )),
            ),
            (
                spy_t,
                PriceSide::Mid,
                "14400123,1674100,100,P,00000001,0",
                Ok(RawRecord::Trade(RawTrade {
                    ts: ts("2013-10-07T08:00:00.123Z"),
                    price: d("167.4100"),
                    size: d("100"),
                })),
            ),
            (
                spy_t,
                PriceSide::Mid,
                "14400123,1674100,100,P,00000001,1",
                Err(Some(6)),
            ),
        ];
        for (p, side, line, want) in cases {
            let mut parser = mk(p, side);
            let got = one(&mut parser, line).map_err(|f| f.column);
            assert_eq!(got, want, "{p} {line}");
        }
    }
}
