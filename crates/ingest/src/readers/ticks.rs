//! Text tick formats: HistData ASCII ticks and TrueFX ticks.
//!
//! * HistData: no header, `YYYYMMDD HHMMSSfff,bid,ask,volume`, EST (UTC−05 fixed).
//! * TrueFX: either the published headerless `EUR/USD,20130101 22:00:00.295,bid,ask`, or a
//!   header naming `timestamp,bid,ask` in any order and case (nautilus' export, backtrader's
//!   `TIMESTAMP,BID,ASK` with slash dates). Times are UTC unless the text has an offset.

use crate::dec::Dec;
use crate::error::RowFault;
use crate::readers::{LineParser, dec_at, expect_arity, header_names, split_fields, stamp_at};
use crate::row::{RawQuote, RawRecord};
use crate::time::{DateOrder, TimeZone};

pub(crate) struct HistDataParser {
    tz: TimeZone,
}

impl HistDataParser {
    pub(crate) fn new(tz: Option<TimeZone>) -> Self {
        HistDataParser {
            tz: tz.unwrap_or(TimeZone::EST_FIXED),
        }
    }
}

impl LineParser for HistDataParser {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        let first = line.split(',').next().unwrap_or("");
        if first.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            Ok(false)
        } else {
            Err(format!(
                "HistData tick files have no header, but the first line is {line:?}"
            ))
        }
    }

    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault> {
        let mut f = Vec::with_capacity(4);
        split_fields(line, &mut f);
        expect_arity(&f, 4)?;
        let ts = stamp_at(&f, 0, DateOrder::MonthFirst, self.tz)?;
        // The volume column is always 0 in HistData tick files; it is not a quote size.
        dec_at(&f, 3)?;
        out.push(RawRecord::Quote(RawQuote {
            ts,
            bid: dec_at(&f, 1)?,
            ask: dec_at(&f, 2)?,
            bid_size: Dec::ZERO,
            ask_size: Dec::ZERO,
        }));
        Ok(())
    }
}

pub(crate) struct TrueFxParser {
    tz: TimeZone,
    order: DateOrder,
    /// Column indices of (timestamp, bid, ask); `None` until the first line is seen.
    cols: Option<(usize, usize, usize)>,
    width: usize,
    /// The pair in the first column of headerless files, checked on every row.
    pair: Option<String>,
}

impl TrueFxParser {
    pub(crate) fn new(tz: Option<TimeZone>, order: DateOrder) -> Self {
        TrueFxParser {
            tz: tz.unwrap_or(TimeZone::Utc),
            order,
            cols: None,
            width: 0,
            pair: None,
        }
    }

    /// The pair named inside a headerless file (`EUR/USD` → `EURUSD`).
    pub(crate) fn pair_in_first_line(line: &str) -> Option<String> {
        let f0 = line.split(',').next()?.trim();
        (f0.len() == 7 && f0.as_bytes()[3] == b'/')
            .then(|| f0.replace('/', "").to_ascii_uppercase())
    }
}

impl LineParser for TrueFxParser {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        if let Some(pair) = Self::pair_in_first_line(line) {
            self.cols = Some((1, 2, 3));
            self.width = 4;
            self.pair = Some(pair);
            return Ok(false);
        }
        let names = header_names(line);
        let pos = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
        match (
            pos(&["timestamp", "datetime", "time", "date"]),
            pos(&["bid"]),
            pos(&["ask"]),
        ) {
            (Some(t), Some(b), Some(a)) => {
                self.cols = Some((t, b, a));
                self.width = names.len();
                Ok(true)
            }
            _ => Err(format!(
                "expected a `timestamp,bid,ask` header or `PAIR,time,bid,ask` rows, got {line:?}"
            )),
        }
    }

    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault> {
        let (t, b, a) = self.cols.ok_or_else(|| RowFault::row("no header seen"))?;
        let mut f = Vec::with_capacity(self.width);
        split_fields(line, &mut f);
        expect_arity(&f, self.width)?;
        if let Some(pair) = &self.pair {
            if f[0].replace('/', "").to_ascii_uppercase() != *pair {
                return Err(RowFault::at(
                    1,
                    format!("pair {:?} differs from the file's {pair}", f[0]),
                ));
            }
        }
        out.push(RawRecord::Quote(RawQuote {
            ts: stamp_at(&f, t, self.order, self.tz)?,
            bid: dec_at(&f, b)?,
            ask: dec_at(&f, a)?,
            bid_size: Dec::ZERO,
            ask_size: Dec::ZERO,
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap()
    }

    fn run(
        p: &mut dyn LineParser,
        lines: &[&str],
    ) -> Vec<Result<(i64, String, String), Option<usize>>> {
        let mut it = lines.iter();
        let first = it.next().unwrap();
        let mut rest: Vec<&str> = it.copied().collect();
        if !p.header(first).unwrap() {
            rest.insert(0, first);
        }
        rest.iter()
            .map(|l| {
                let mut out = Vec::new();
                p.parse(l, &mut out).map_err(|f| f.column)?;
                match out.pop() {
                    Some(RawRecord::Quote(q)) => {
                        Ok((q.ts, format!("{:?}", q.bid), format!("{:?}", q.ask)))
                    }
                    _ => Err(Some(999)),
                }
            })
            .collect()
    }

    fn q(t: &str, bid: &str, ask: &str) -> Result<(i64, String, String), Option<usize>> {
        Ok((
            ts(t),
            format!("{:?}", Dec::parse(bid).unwrap()),
            format!("{:?}", Dec::parse(ask).unwrap()),
        ))
    }

    #[test]
    fn histdata_table() {
        let mut p = HistDataParser::new(None);
        let got = run(
            &mut p,
            &[
                "20200101 170000065,1.121200,1.121720,0",
                "20200101 230052125,1.121300,1.121320,0",
                "20200101 170000065,1.121200,1.121720",
                "20200101 176000065,1.121200,1.121720,0",
                "20200101 170000065,1.12x,1.121720,0",
                "20200101 170000065,1.1,1.2,z",
                "2020-01-01 17:00:00.065,1.1,1.2,0",
            ],
        );
        assert_eq!(
            got,
            vec![
                q("2020-01-01T22:00:00.065Z", "1.121200", "1.121720"),
                q("2020-01-02T04:00:52.125Z", "1.121300", "1.121320"),
                Err(None),
                Err(Some(1)),
                Err(Some(2)),
                Err(Some(4)),
                q("2020-01-01T22:00:00.065Z", "1.1", "1.2"),
            ]
        );
        assert!(
            HistDataParser::new(None)
                .header("DateTime,Bid,Ask,Volume")
                .is_err()
        );
    }

    #[test]
    fn truefx_table() {
        let mut p = TrueFxParser::new(None, DateOrder::MonthFirst);
        let got = run(
            &mut p,
            &[
                "timestamp,bid,ask",
                "2013-01-01 22:00:00.295000+00:00,86.655,86.728",
                "2013-01-01 22:00:00.295000,86.655,86.728",
                "2013-01-01 22:00:00.295000+00:00,86.655",
                "garbage,86.655,86.728",
            ],
        );
        assert_eq!(
            got,
            vec![
                q("2013-01-01T22:00:00.295Z", "86.655", "86.728"),
                q("2013-01-01T22:00:00.295Z", "86.655", "86.728"),
                Err(None),
                Err(Some(1)),
            ]
        );
        let mut p = TrueFxParser::new(None, DateOrder::MonthFirst);
        let got = run(
            &mut p,
            &[
                "EUR/USD,20130101 22:00:00.295,1.3187,1.31878",
                "GBP/USD,20130101 22:00:00.300,1.6,1.7",
            ],
        );
        assert_eq!(
            got,
            vec![
                q("2013-01-01T22:00:00.295Z", "1.3187", "1.31878"),
                Err(Some(1))
            ]
        );
        // backtrader's bidask.csv: ambiguous slash dates follow the configured order.
        for (order, want) in [
            (DateOrder::MonthFirst, "2010-02-03T16:53:50Z"),
            (DateOrder::DayFirst, "2010-03-02T16:53:50Z"),
        ] {
            let mut p = TrueFxParser::new(None, order);
            let got = run(
                &mut p,
                &["TIMESTAMP,BID,ASK", "02/03/2010 16:53:50,0.5346,0.5347"],
            );
            assert_eq!(got, vec![q(want, "0.5346", "0.5347")]);
        }
        assert!(
            TrueFxParser::new(None, DateOrder::MonthFirst)
                .header("a,b,c")
                .is_err()
        );
    }
}
