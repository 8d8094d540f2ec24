//! Generic OHLCV CSV: Yahoo exports (`Date,Open,High,Low,Close,Adj Close,Volume`),
//! backtrader/pmdarima variants (`OpenInterest`, separate `Time` column), pandas dumps with an
//! unnamed index column, and close-only series (`Date,vix`) when the format is forced.
//!
//! Columns are found by header name, so column order does not matter. `Adj Close` is read
//! past: bars keep the traded (unadjusted) close. When every row has exactly one field more
//! than the header and that field is a time of day (backtrader's volume-min file), the
//! layout is corrected once and the mismatch is reported as a note.

use crate::dec::{Dec, common_scale};
use crate::error::RowFault;
use crate::readers::{LineParser, dec_at, header_names, split_fields};
use crate::row::{RawBar, RawRecord};
use crate::time::{DateOrder, Stamp, TimeZone, parse_date, parse_datetime, parse_time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Stamp,
    Time,
    Open,
    High,
    Low,
    Close,
    Volume,
    Ignored,
}

pub(crate) struct OhlcvParser {
    tz: TimeZone,
    order: DateOrder,
    roles: Vec<Role>,
    idx: [Option<usize>; 7],
    header_width: usize,
    checked_first_row: bool,
    notes: Vec<String>,
}

const STAMP: usize = 0;
const TIME: usize = 1;
const OPEN: usize = 2;
const HIGH: usize = 3;
const LOW: usize = 4;
const CLOSE: usize = 5;
const VOLUME: usize = 6;

fn role_of(name: &str, pos: usize) -> Role {
    match name {
        "date" | "datetime" | "timestamp" | "timestamp_utc" | "time period" => Role::Stamp,
        "" if pos == 0 => Role::Stamp,
        "time" if pos > 0 => Role::Time,
        "time" => Role::Stamp,
        "open" | "o" => Role::Open,
        "high" | "h" => Role::High,
        "low" | "l" => Role::Low,
        "close" | "c" | "last" | "price" => Role::Close,
        "volume" | "vol" | "v" => Role::Volume,
        _ => Role::Ignored,
    }
}

impl OhlcvParser {
    pub(crate) fn new(tz: TimeZone, order: DateOrder) -> Self {
        OhlcvParser {
            tz,
            order,
            roles: Vec::new(),
            idx: [None; 7],
            header_width: 0,
            checked_first_row: false,
            notes: Vec::new(),
        }
    }

    fn index_roles(&mut self) {
        self.idx = [None; 7];
        for (i, r) in self.roles.iter().enumerate() {
            let slot = match r {
                Role::Stamp => STAMP,
                Role::Time => TIME,
                Role::Open => OPEN,
                Role::High => HIGH,
                Role::Low => LOW,
                Role::Close => CLOSE,
                Role::Volume => VOLUME,
                Role::Ignored => continue,
            };
            if self.idx[slot].is_none() {
                self.idx[slot] = Some(i);
            }
        }
    }

    /// A close-only file (`Date,vix`): the single value column is the close.
    fn close_only(&self) -> bool {
        self.idx[OPEN].is_none() && self.idx[HIGH].is_none() && self.idx[LOW].is_none()
    }

    fn stamp(&self, f: &[&str]) -> Result<i64, RowFault> {
        let si = self.idx[STAMP].unwrap_or(0);
        let s = f
            .get(si)
            .ok_or_else(|| RowFault::at(si + 1, "missing field"))?;
        let stamp = match self.idx[TIME] {
            None => parse_datetime(s, self.order).map_err(|e| RowFault::at(si + 1, e))?,
            Some(ti) => {
                let date = parse_date(s, self.order).map_err(|e| RowFault::at(si + 1, e))?;
                let t = f
                    .get(ti)
                    .ok_or_else(|| RowFault::at(ti + 1, "missing field"))?;
                Stamp::Local(date.and_time(parse_time(t).map_err(|e| RowFault::at(ti + 1, e))?))
            }
        };
        stamp.resolve(self.tz).map_err(|e| RowFault::at(si + 1, e))
    }
}

impl LineParser for OhlcvParser {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        let names = header_names(line);
        self.roles = names
            .iter()
            .enumerate()
            .map(|(i, n)| role_of(n, i))
            .collect();
        self.header_width = names.len();
        self.index_roles();
        if self.idx[STAMP].is_none() {
            return Err(format!("header {line:?} has no date column"));
        }
        let value_cols = self
            .roles
            .iter()
            .filter(|r| **r != Role::Stamp && **r != Role::Time)
            .count();
        if self.idx[CLOSE].is_none() && self.close_only() && value_cols == 1 {
            // `Date,vix`: the one value column is the close.
            if let Some(i) = self.roles.iter().position(|r| *r == Role::Ignored) {
                self.roles[i] = Role::Close;
                self.index_roles();
                self.notes.push(format!(
                    "close-only series: column {:?} used as open=high=low=close",
                    names[i]
                ));
            }
        }
        if self.idx[CLOSE].is_none() {
            return Err(format!("header {line:?} has no close column"));
        }
        if !self.close_only()
            && (self.idx[OPEN].is_none() || self.idx[HIGH].is_none() || self.idx[LOW].is_none())
        {
            return Err(format!("header {line:?} lacks some of open, high, low"));
        }
        Ok(true)
    }

    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault> {
        let mut fields: Vec<&str> = Vec::with_capacity(self.header_width + 1);
        split_fields(line, &mut fields);
        if !self.checked_first_row {
            self.checked_first_row = true;
            let si = self.idx[STAMP].unwrap_or(0);
            if fields.len() == self.header_width + 1
                && self.idx[TIME].is_none()
                && fields
                    .get(si + 1)
                    .is_some_and(|t| t.contains(':') && parse_time(t).is_ok())
            {
                self.roles.insert(si + 1, Role::Time);
                self.header_width += 1;
                self.index_roles();
                self.notes.push(format!(
                    "header has {} columns but rows have {}: the field after the date is a time of day, \
                     so the header's names were shifted right by one",
                    self.header_width - 1,
                    self.header_width
                ));
            }
        }
        if fields.len() != self.header_width {
            return Err(RowFault::row(format!(
                "expected {} fields as in the header, got {}",
                self.header_width,
                fields.len()
            )));
        }
        let ts = self.stamp(&fields)?;
        let col = |slot: usize| self.idx[slot];
        let close = dec_at(&fields, col(CLOSE).unwrap_or(0))?;
        let (open, high, low) = if self.close_only() {
            (close, close, close)
        } else {
            (
                dec_at(&fields, col(OPEN).unwrap_or(0))?,
                dec_at(&fields, col(HIGH).unwrap_or(0))?,
                dec_at(&fields, col(LOW).unwrap_or(0))?,
            )
        };
        let volume = match col(VOLUME) {
            Some(i) if !fields[i].is_empty() => dec_at(&fields, i)?,
            _ => Dec::ZERO,
        };
        let mut px = [open, high, low, close];
        common_scale(&mut px).map_err(RowFault::row)?;
        out.push(RawRecord::Bar(RawBar {
            ts,
            open: px[0],
            high: px[1],
            low: px[2],
            close: px[3],
            volume,
        }));
        Ok(())
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(header: &str, lines: &[&str]) -> Vec<Result<RawBar, RowFault>> {
        let mut p = OhlcvParser::new(TimeZone::Utc, DateOrder::MonthFirst);
        assert_eq!(p.header(header), Ok(true));
        lines
            .iter()
            .map(|l| {
                let mut out = Vec::new();
                p.parse(l, &mut out).map(|()| match out.pop() {
                    Some(RawRecord::Bar(b)) => b,
                    other => panic!("unexpected {other:?}"),
                })
            })
            .collect()
    }

    fn ts(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap()
    }

    #[test]
    fn grammar_table() {
        // (header, row, Ok((ts, open, high, low, close, volume)) or Err(column))
        type Want = Result<
            (
                &'static str,
                &'static str,
                &'static str,
                &'static str,
                &'static str,
                &'static str,
            ),
            Option<usize>,
        >;
        let cases: &[(&str, &str, Want)] = &[
            (
                "Date,Open,High,Low,Close,Adj Close,Volume",
                "1/4/1999,1229.22998,1248.810059,1219.099976,1228.099976,1228.099976,877000000",
                Ok((
                    "1999-01-04T00:00:00Z",
                    "1229.229980",
                    "1248.810059",
                    "1219.099976",
                    "1228.099976",
                    "877000000",
                )),
            ),
            (
                "Date,Open,High,Low,Close,Adj Close,Volume",
                "1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200",
                Ok((
                    "1995-01-03T00:00:00Z",
                    "2.179012",
                    "2.191358",
                    "2.117284",
                    "2.117284",
                    "36301200",
                )),
            ),
            (
                ",Open,High,Low,Close,Volume",
                "2017-04-19 09:00:00,1.0716,1.0722,1.07083,1.07219,1413",
                Ok((
                    "2017-04-19T09:00:00Z",
                    "1.07160",
                    "1.07220",
                    "1.07083",
                    "1.07219",
                    "1413",
                )),
            ),
            (
                "Date,Time,Open,High,Low,Close,Volume,OpenInterest",
                "2006-01-02,09:05:00,3578.73,3587.88,3578.73,3582.99,0,0",
                Ok((
                    "2006-01-02T09:05:00Z",
                    "3578.73",
                    "3587.88",
                    "3578.73",
                    "3582.99",
                    "0",
                )),
            ),
            (
                "Datetime,Open,High,Low,Close,Volume,OpenInterest",
                "2015-09-23T20:57:42.146,3067.00,3067.00,3067.00,3067.00,180,0",
                Ok((
                    "2015-09-23T20:57:42.146Z",
                    "3067.00",
                    "3067.00",
                    "3067.00",
                    "3067.00",
                    "180",
                )),
            ),
            (
                "timestamp,open,high,low,close",
                "2012-02-01 00:00:00+00:00,1.5,1.6,1.4,1.55",
                Ok(("2012-02-01T00:00:00Z", "1.50", "1.60", "1.40", "1.55", "0")),
            ),
            (
                "Date,vix",
                "1/3/2014,13.76",
                Ok((
                    "2014-01-03T00:00:00Z",
                    "13.76",
                    "13.76",
                    "13.76",
                    "13.76",
                    "0",
                )),
            ),
            (
                "Date,Open,High,Low,Close,Volume",
                "2004-08-19,100,104.06,95.96,100.34,",
                Ok((
                    "2004-08-19T00:00:00Z",
                    "100.00",
                    "104.06",
                    "95.96",
                    "100.34",
                    "0",
                )),
            ),
            (
                "Date,Open,High,Low,Close,Volume",
                "13/1/2004,1,1,1,1,0",
                Err(Some(1)),
            ),
            (
                "Date,Open,High,Low,Close,Volume",
                "2004-08-19,1,x,1,1,0",
                Err(Some(3)),
            ),
            (
                "Date,Open,High,Low,Close,Volume",
                "2004-08-19,1,1,1,1",
                Err(None),
            ),
            (
                "Date,Open,High,Low,Close,Volume",
                "2004-08-19,1,1,1,1,0,0",
                Err(None),
            ),
            ("Date,Open,High,Low,Close,Volume", "", Err(None)),
        ];
        for (header, row, want) in cases {
            let got = run(header, &[row]).pop().unwrap();
            match (got, want) {
                (Ok(b), Ok((t, o, h, l, c, v))) => {
                    let d = |s: &str| Dec::parse(s).unwrap();
                    assert_eq!(b.ts, ts(t), "{row}");
                    assert_eq!(
                        (b.open, b.high, b.low, b.close),
                        (d(o), d(h), d(l), d(c)),
                        "{row}"
                    );
                    assert_eq!(b.volume.cmp(&d(v)), std::cmp::Ordering::Equal, "{row}");
                }
                (Err(f), Err(col)) => assert_eq!(f.column, *col, "{row}: {f:?}"),
                (got, want) => panic!("{row}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn header_row_mismatch_is_repaired_and_noted() {
        let mut p = OhlcvParser::new(TimeZone::Utc, DateOrder::MonthFirst);
        p.header("Date,Open,High,Low,Close,Volume,OpenInterest")
            .unwrap();
        let mut out = Vec::new();
        p.parse(
            "2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0",
            &mut out,
        )
        .unwrap();
        let Some(RawRecord::Bar(b)) = out.pop() else {
            panic!()
        };
        assert_eq!(b.ts, ts("2006-01-02T09:01:00Z"));
        assert_eq!(b.volume, Dec::parse("5699").unwrap());
        assert_eq!(p.notes().len(), 1);
    }

    #[test]
    fn bad_headers() {
        for h in ["Open,High,Low", "Date,Open,High,Close", "Date,foo,bar"] {
            let mut p = OhlcvParser::new(TimeZone::Utc, DateOrder::MonthFirst);
            assert!(p.header(h).is_err(), "{h}");
        }
    }
}
