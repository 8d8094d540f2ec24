//! Validation shared by every reader: price sanity and timestamp order.
//!
//! A row that fails becomes a quarantine record; it never stops the file. Order is checked
//! per stream: one stream per file for bars and ticks, one per series for macro files.
//! Bars and macro observations need strictly increasing times (an equal time is a
//! duplicate). Ticks only need non-decreasing times, because several quotes within one
//! millisecond are normal in FX feeds.

use std::sync::Arc;

use crate::row::{RawBar, RawQuote, RawRecord, RawTrade};

/// Checks the prices of one bar: all positive, `low <= open, close <= high`.
pub(crate) fn check_bar(b: &RawBar) -> Result<(), String> {
    for (name, v) in [
        ("open", b.open),
        ("high", b.high),
        ("low", b.low),
        ("close", b.close),
    ] {
        if !v.is_positive() {
            return Err(format!("non-positive {name} price"));
        }
    }
    if b.high < b.low {
        return Err("high < low".into());
    }
    if b.high < b.open.max(b.close) {
        return Err("high below open or close".into());
    }
    if b.low > b.open.min(b.close) {
        return Err("low above open or close".into());
    }
    if b.volume.is_negative() {
        return Err("negative volume".into());
    }
    Ok(())
}

pub(crate) fn check_quote(q: &RawQuote) -> Result<(), String> {
    // A crossed quote (ask < bid) is kept: aggregated FX feeds (Dukascopy) publish them.
    if !q.bid.is_positive() {
        return Err("non-positive bid".into());
    }
    if !q.ask.is_positive() {
        return Err("non-positive ask".into());
    }
    if q.bid_size.is_negative() || q.ask_size.is_negative() {
        return Err("negative size".into());
    }
    Ok(())
}

pub(crate) fn check_trade(t: &RawTrade) -> Result<(), String> {
    if !t.price.is_positive() {
        return Err("non-positive price".into());
    }
    if t.size.is_negative() {
        return Err("negative size".into());
    }
    Ok(())
}

fn check_prices(r: &RawRecord) -> Result<(), String> {
    match r {
        RawRecord::Bar(b) => check_bar(b),
        RawRecord::Quote(q) => check_quote(q),
        RawRecord::Trade(t) => check_trade(t),
        RawRecord::Macro(m) => match m.value {
            Some(v) if !v.is_finite() => Err("value is not finite".into()),
            _ => Ok(()),
        },
    }
}

fn order(last: Option<i64>, ts: i64, allow_equal: bool) -> Result<(), String> {
    match last {
        Some(prev) if ts < prev => Err(format!(
            "out-of-order timestamp ({ts} ns < previous {prev} ns)"
        )),
        Some(prev) if ts == prev && !allow_equal => Err(format!("duplicate timestamp ({ts} ns)")),
        _ => Ok(()),
    }
}

/// Tracks the last accepted time of each stream in one file.
#[derive(Debug, Default)]
pub(crate) struct Validator {
    last_market: Option<i64>,
    /// Few series per file (≤ 13), so a linear scan beats hashing.
    last_series: Vec<(Arc<str>, i64)>,
}

impl Validator {
    /// Validates `r` and, when it passes, records its time as the stream's latest.
    pub(crate) fn accept(&mut self, r: &RawRecord) -> Result<(), String> {
        check_prices(r)?;
        let ts = r.ts();
        match r {
            RawRecord::Bar(_) => {
                order(self.last_market, ts, false)?;
                self.last_market = Some(ts);
            }
            RawRecord::Quote(_) | RawRecord::Trade(_) => {
                order(self.last_market, ts, true)?;
                self.last_market = Some(ts);
            }
            RawRecord::Macro(m) => {
                match self
                    .last_series
                    .iter_mut()
                    .find(|(s, _)| Arc::ptr_eq(s, &m.series) || **s == *m.series)
                {
                    Some((_, last)) => {
                        order(Some(*last), ts, false)?;
                        *last = ts;
                    }
                    None => self.last_series.push((m.series.clone(), ts)),
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dec::Dec;
    use crate::row::RawMacro;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    fn bar(ts: i64, o: &str, h: &str, l: &str, c: &str) -> RawRecord {
        RawRecord::Bar(RawBar {
            ts,
            open: d(o),
            high: d(h),
            low: d(l),
            close: d(c),
            volume: d("0"),
        })
    }

    #[test]
    fn bar_rules_table() {
        let cases: &[(&str, &str, &str, &str, Option<&str>)] = &[
            ("1", "2", "0.5", "1.5", None),
            ("1", "1", "1", "1", None),
            ("1", "0.9", "1.1", "1", Some("high < low")),
            ("0", "2", "0", "1", Some("non-positive open price")),
            ("1", "2", "1", "-1", Some("non-positive close price")),
            ("2.5", "2", "1", "1.5", Some("high below open or close")),
            ("1", "2", "1.2", "1.5", Some("low above open or close")),
        ];
        for (o, h, l, c, want) in cases {
            let got = check_prices(&bar(0, o, h, l, c)).err();
            assert_eq!(got.as_deref(), *want, "{o} {h} {l} {c}");
        }
    }

    #[test]
    fn order_rules() {
        let mut v = Validator::default();
        assert!(v.accept(&bar(10, "1", "1", "1", "1")).is_ok());
        assert!(
            v.accept(&bar(10, "1", "1", "1", "1"))
                .unwrap_err()
                .contains("duplicate")
        );
        assert!(
            v.accept(&bar(5, "1", "1", "1", "1"))
                .unwrap_err()
                .contains("out-of-order")
        );
        // A rejected row does not move the stream's clock.
        assert!(v.accept(&bar(11, "1", "1", "1", "1")).is_ok());

        let q = |ts| {
            RawRecord::Quote(RawQuote {
                ts,
                bid: d("1"),
                ask: d("1.1"),
                bid_size: Dec::ZERO,
                ask_size: Dec::ZERO,
            })
        };
        let mut v = Validator::default();
        assert!(v.accept(&q(1)).is_ok());
        assert!(v.accept(&q(1)).is_ok(), "equal tick times are allowed");
        assert!(v.accept(&q(0)).is_err());

        let s1: Arc<str> = Arc::from("A");
        let s2: Arc<str> = Arc::from("B");
        let m = |s: &Arc<str>, ts| {
            RawRecord::Macro(RawMacro {
                series: s.clone(),
                ts,
                value: None,
            })
        };
        let mut v = Validator::default();
        assert!(v.accept(&m(&s1, 5)).is_ok());
        assert!(
            v.accept(&m(&s2, 5)).is_ok(),
            "series are independent streams"
        );
        assert!(v.accept(&m(&s1, 5)).is_err());
        assert!(
            v.accept(&RawRecord::Macro(RawMacro {
                series: s1.clone(),
                ts: 6,
                value: Some(f64::NAN)
            }))
            .is_err()
        );
    }
}
