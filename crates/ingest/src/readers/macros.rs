//! Macro and rate tables: FRED-style series, the Treasury par yield curve and quarterly
//! tables. Every value column is its own series; each row yields one observation per
//! column, with `None` for a missing value (FRED's `.`, an empty cell) so nothing is
//! dropped silently.

use std::sync::Arc;

use crate::error::RowFault;
use crate::options::alias;
use crate::readers::{LineParser, expect_arity, header_names, macro_value, split_fields, stamp_at};
use crate::row::{RawMacro, RawRecord};
use crate::time::{DateOrder, TimeZone};

/// `Date,SERIES[,SERIES…]`. Series ids are the column names as written (FRED ids are
/// already upper case, e.g. `DCOILWTICO`), with the bundled-file aliases applied (`vix` → `VIX`).
pub(crate) struct FredParser {
    tz: TimeZone,
    order: DateOrder,
    series: Vec<Arc<str>>,
}

impl FredParser {
    pub(crate) fn new(tz: Option<TimeZone>, order: DateOrder) -> Self {
        FredParser {
            tz: tz.unwrap_or(TimeZone::Utc),
            order,
            series: Vec::new(),
        }
    }
}

fn original_names(line: &str) -> Vec<String> {
    let mut f = Vec::new();
    split_fields(line, &mut f);
    f.into_iter().map(str::to_string).collect()
}

fn push_row(
    series: &[Arc<str>],
    f: &[&str],
    ts: i64,
    first_value_col: usize,
    out: &mut Vec<RawRecord>,
) -> Result<(), RowFault> {
    // Parse every cell before emitting, so a bad cell quarantines the whole row (with its
    // column) rather than leaving half a row in the store.
    let start = out.len();
    for (k, s) in series.iter().enumerate() {
        match macro_value(f, first_value_col + k) {
            Ok(value) => out.push(RawRecord::Macro(RawMacro {
                series: s.clone(),
                ts,
                value,
            })),
            Err(e) => {
                out.truncate(start);
                return Err(e);
            }
        }
    }
    Ok(())
}

impl LineParser for FredParser {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        let names = original_names(line);
        if names.len() < 2 {
            return Err(format!("expected `Date,SERIES…` header, got {line:?}"));
        }
        if names[1..].iter().any(String::is_empty) {
            return Err(format!("header {line:?} has an unnamed series column"));
        }
        let first = names[0].to_ascii_lowercase();
        if first.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            return Err(format!("FRED files start with a header, got data {line:?}"));
        }
        self.series = names[1..]
            .iter()
            .map(|n| Arc::from(alias(n).unwrap_or(n.as_str())))
            .collect();
        Ok(true)
    }

    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault> {
        let mut f = Vec::with_capacity(self.series.len() + 1);
        split_fields(line, &mut f);
        expect_arity(&f, self.series.len() + 1)?;
        let ts = stamp_at(&f, 0, self.order, self.tz)?;
        push_row(&self.series, &f, ts, 1, out)
    }
}

/// `Time Period,1month,3month,…,30year`: series `UST_PAR_1M` … `UST_PAR_30Y`, values as
/// written (decimals: 0.0783 = 7.83 %).
pub(crate) struct TreasuryParser {
    tz: TimeZone,
    series: Vec<Arc<str>>,
}

impl TreasuryParser {
    pub(crate) fn new(tz: Option<TimeZone>) -> Self {
        TreasuryParser {
            tz: tz.unwrap_or(TimeZone::Utc),
            series: Vec::new(),
        }
    }
}

/// `1month` → `1M`, `10year` → `10Y`, `3mo` → `3M`.
pub(crate) fn tenor_code(name: &str) -> Option<String> {
    let n = name.trim().to_ascii_lowercase();
    let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let unit = match &n[digits.len()..] {
        "month" | "months" | "mo" | "m" => 'M',
        "year" | "years" | "yr" | "y" => 'Y',
        _ => return None,
    };
    Some(format!("{digits}{unit}"))
}

impl LineParser for TreasuryParser {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        let names = header_names(line);
        if names.len() < 2 {
            return Err(format!(
                "expected `Time Period,<tenor>…` header, got {line:?}"
            ));
        }
        self.series = names[1..]
            .iter()
            .map(|n| {
                tenor_code(n)
                    .map(|t| Arc::from(format!("UST_PAR_{t}").as_str()))
                    .ok_or_else(|| format!("column {n:?} is not a tenor like 1month or 10year"))
            })
            .collect::<Result<_, _>>()?;
        Ok(true)
    }

    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault> {
        let mut f = Vec::with_capacity(self.series.len() + 1);
        split_fields(line, &mut f);
        expect_arity(&f, self.series.len() + 1)?;
        let ts = stamp_at(&f, 0, DateOrder::MonthFirst, self.tz)?;
        push_row(&self.series, &f, ts, 1, out)
    }
}

/// Quarterly tables: `year,quarter,…` (statsmodels macrodata, E6) or `period,…` with
/// `YYYYQn` (danish_data). The observation time is the first day of the quarter, 00:00 UTC.
/// Series ids are `<table>.<column>` (`macrodata.tbilrate`), because column names such as
/// `R` or `infl` mean nothing without their table.
pub(crate) struct MacroTableParser {
    table: String,
    tz: TimeZone,
    /// `Some((year_col, quarter_col))`, or `None` for a single `YYYYQn` period column.
    year_quarter: Option<(usize, usize)>,
    period_col: usize,
    value_cols: Vec<usize>,
    series: Vec<Arc<str>>,
    width: usize,
}

impl MacroTableParser {
    pub(crate) fn new(table: &str, tz: Option<TimeZone>) -> Self {
        MacroTableParser {
            table: table.to_string(),
            tz: tz.unwrap_or(TimeZone::Utc),
            year_quarter: None,
            period_col: 0,
            value_cols: Vec::new(),
            series: Vec::new(),
            width: 0,
        }
    }
}

impl LineParser for MacroTableParser {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        let names = original_names(line);
        let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let pos = |n: &str| lower.iter().position(|c| c == n);
        let keys: Vec<usize> = match (pos("year"), pos("quarter"), pos("period")) {
            (Some(y), Some(q), _) => {
                self.year_quarter = Some((y, q));
                vec![y, q]
            }
            (_, _, Some(p)) => {
                self.period_col = p;
                vec![p]
            }
            _ => {
                return Err(format!(
                    "expected `year,quarter,…` or `period,…` header, got {line:?}"
                ));
            }
        };
        self.value_cols = (0..names.len()).filter(|i| !keys.contains(i)).collect();
        if self.value_cols.is_empty() {
            return Err(format!("header {line:?} has no value columns"));
        }
        self.series = self
            .value_cols
            .iter()
            .map(|&i| Arc::from(format!("{}.{}", self.table, names[i]).as_str()))
            .collect();
        self.width = names.len();
        Ok(true)
    }

    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault> {
        let mut f = Vec::with_capacity(self.width);
        split_fields(line, &mut f);
        expect_arity(&f, self.width)?;
        let period = match self.year_quarter {
            Some((y, q)) => {
                let year = f[y];
                if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(RowFault::at(y + 1, format!("not a year: {year:?}")));
                }
                format!("{year}Q{}", f[q])
            }
            None => f[self.period_col].to_string(),
        };
        let col = self.year_quarter.map_or(self.period_col, |(_, q)| q);
        let date = crate::time::parse_date(&period, DateOrder::MonthFirst)
            .map_err(|e| RowFault::at(col + 1, e))?;
        let ts = self
            .tz
            .to_utc_nanos(date.and_time(chrono::NaiveTime::MIN))
            .map_err(|e| RowFault::at(col + 1, e))?;
        let start = out.len();
        for (k, &i) in self.value_cols.iter().enumerate() {
            match macro_value(&f, i) {
                Ok(value) => out.push(RawRecord::Macro(RawMacro {
                    series: self.series[k].clone(),
                    ts,
                    value,
                })),
                Err(e) => {
                    out.truncate(start);
                    return Err(e);
                }
            }
        }
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

    type Obs = Vec<(String, i64, Option<f64>)>;

    fn run(p: &mut dyn LineParser, header: &str, line: &str) -> Result<Obs, Option<usize>> {
        assert_eq!(p.header(header), Ok(true));
        let mut out = Vec::new();
        p.parse(line, &mut out).map_err(|f| f.column)?;
        Ok(out
            .into_iter()
            .map(|r| match r {
                RawRecord::Macro(m) => (m.series.to_string(), m.ts, m.value),
                other => panic!("{other:?}"),
            })
            .collect())
    }

    fn o(s: &str, t: &str, v: Option<f64>) -> (String, i64, Option<f64>) {
        (s.to_string(), ts(t), v)
    }

    #[test]
    fn fred_table() {
        let cases: Vec<(&str, &str, Result<Obs, Option<usize>>)> = vec![
            (
                "Date,DCOILWTICO",
                "1/2/1986,25.56",
                Ok(vec![o("DCOILWTICO", "1986-01-02T00:00:00Z", Some(25.56))]),
            ),
            (
                "Date,DCOILWTICO",
                "1/2/1986,.",
                Ok(vec![o("DCOILWTICO", "1986-01-02T00:00:00Z", None)]),
            ),
            (
                "Date,vix",
                "1/3/2014,13.76",
                Ok(vec![o("VIX", "2014-01-03T00:00:00Z", Some(13.76))]),
            ),
            (
                "DATE,PCREDIT8",
                "2003-01-09,2.25",
                Ok(vec![o("PCREDIT8", "2003-01-09T00:00:00Z", Some(2.25))]),
            ),
            (
                "Date,Mkt-RF,SMB,HML,RF",
                "192607,2.96,-2.3,-2.87,0.22",
                Ok(vec![
                    o("Mkt-RF", "1926-07-01T00:00:00Z", Some(2.96)),
                    o("SMB", "1926-07-01T00:00:00Z", Some(-2.3)),
                    o("HML", "1926-07-01T00:00:00Z", Some(-2.87)),
                    o("RF", "1926-07-01T00:00:00Z", Some(0.22)),
                ]),
            ),
            (
                "date,return",
                "1993-02-01 00:00:00+00:00,0.007055075102412323",
                Ok(vec![o(
                    "return",
                    "1993-02-01T00:00:00Z",
                    Some(0.007055075102412323),
                )]),
            ),
            ("Date,Brent,WTI", "1987-05-15,18.58", Err(None)),
            ("Date,Brent,WTI", "1987-05-15,18.58,x", Err(Some(3))),
            ("Date,Brent,WTI", "1987-15-15,18.58,1", Err(Some(1))),
        ];
        for (h, line, want) in cases {
            let got = run(&mut FredParser::new(None, DateOrder::MonthFirst), h, line);
            assert_eq!(got, want, "{h} / {line}");
        }
        assert!(
            FredParser::new(None, DateOrder::MonthFirst)
                .header("1/2/1986,25.56")
                .is_err()
        );
        assert!(
            FredParser::new(None, DateOrder::MonthFirst)
                .header("Date")
                .is_err()
        );
    }

    #[test]
    fn treasury_table() {
        let h = "Time Period,1month,3month,10year,30year";
        let t = "1990-01-02T00:00:00Z";
        let got = run(
            &mut TreasuryParser::new(None),
            h,
            "1990-01-02 00:00:00+00:00,,0.0783,0.0794,0.08",
        );
        assert_eq!(
            got,
            Ok(vec![
                o("UST_PAR_1M", t, None),
                o("UST_PAR_3M", t, Some(0.0783)),
                o("UST_PAR_10Y", t, Some(0.0794)),
                o("UST_PAR_30Y", t, Some(0.08))
            ])
        );
        assert_eq!(
            run(
                &mut TreasuryParser::new(None),
                h,
                "1990-01-02 00:00:00+00:00,,0.0783,0.0794"
            ),
            Err(None)
        );
        assert!(TreasuryParser::new(None).header("Time Period,foo").is_err());
        for (n, want) in [
            ("1month", Some("1M")),
            ("30year", Some("30Y")),
            ("3mo", Some("3M")),
            ("month", None),
            ("1week", None),
        ] {
            assert_eq!(tenor_code(n).as_deref(), want, "{n}");
        }
    }

    #[test]
    fn macro_table_table() {
        let h = "\"year\",\"quarter\",\"realgdp\",\"infl\"";
        let got = run(
            &mut MacroTableParser::new("macrodata", None),
            h,
            "1959,2,2778.801,2.34",
        );
        assert_eq!(
            got,
            Ok(vec![
                o("macrodata.realgdp", "1959-04-01T00:00:00Z", Some(2778.801)),
                o("macrodata.infl", "1959-04-01T00:00:00Z", Some(2.34))
            ])
        );
        assert_eq!(
            run(&mut MacroTableParser::new("m", None), h, "1959,5,1,2"),
            Err(Some(2))
        );
        assert_eq!(
            run(&mut MacroTableParser::new("m", None), h, "59,1,1,2"),
            Err(Some(1))
        );
        assert_eq!(
            run(&mut MacroTableParser::new("m", None), h, "1959,1,1,y"),
            Err(Some(4))
        );
        let got = run(
            &mut MacroTableParser::new("danish_data", None),
            "period,lrm,ibo",
            "1974Q3,11.6,0.15",
        );
        assert_eq!(
            got,
            Ok(vec![
                o("danish_data.lrm", "1974-07-01T00:00:00Z", Some(11.6)),
                o("danish_data.ibo", "1974-07-01T00:00:00Z", Some(0.15))
            ])
        );
        assert!(
            MacroTableParser::new("m", None)
                .header("date,value")
                .is_err()
        );
    }
}
