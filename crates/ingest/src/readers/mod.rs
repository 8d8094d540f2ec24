//! One line grammar per text format. Each parser turns one line into zero or more raw
//! records, or a [`RowFault`] naming the column to blame; the generic [`crate::Reader`]
//! adds the file, line number and raw text, validates and converts.

pub(crate) mod dukascopy;
pub(crate) mod lean;
pub(crate) mod macros;
pub(crate) mod ohlcv;
pub(crate) mod ticks;

use crate::dec::Dec;
use crate::error::RowFault;
use crate::row::RawRecord;
use crate::time::{DateOrder, Stamp, TimeZone, parse_datetime};

/// The grammar of a line-oriented format.
pub(crate) trait LineParser: Send {
    /// Sees the first line of the file. Returns `Ok(true)` when it is a header (consumed),
    /// `Ok(false)` when it is data (it is then passed to [`LineParser::parse`]), and `Err`
    /// when the file cannot be this format at all.
    fn header(&mut self, line: &str) -> Result<bool, String>;

    /// Parses one data line, appending its records to `out`.
    fn parse(&mut self, line: &str, out: &mut Vec<RawRecord>) -> Result<(), RowFault>;

    /// Facts worth reporting about the file (e.g. a header that does not match its rows).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Splits a CSV line on commas, trimming spaces and one pair of surrounding double quotes
/// per field. None of our formats quote commas inside a field.
pub(crate) fn split_fields<'a>(line: &'a str, out: &mut Vec<&'a str>) {
    out.clear();
    out.extend(line.split(',').map(|f| {
        let f = f.trim();
        f.strip_prefix('"')
            .and_then(|g| g.strip_suffix('"'))
            .unwrap_or(f)
    }));
}

/// Normalised header names: lower case, no quotes, no surrounding space.
pub(crate) fn header_names(line: &str) -> Vec<String> {
    let mut v = Vec::new();
    split_fields(line, &mut v);
    v.into_iter().map(str::to_ascii_lowercase).collect()
}

pub(crate) fn expect_arity(fields: &[&str], n: usize) -> Result<(), RowFault> {
    if fields.len() == n {
        Ok(())
    } else {
        Err(RowFault::row(format!(
            "expected {n} fields, got {}",
            fields.len()
        )))
    }
}

/// Field `i` (0-based) as an exact decimal; faults name the 1-based column.
pub(crate) fn dec_at(fields: &[&str], i: usize) -> Result<Dec, RowFault> {
    let s = fields
        .get(i)
        .ok_or_else(|| RowFault::at(i + 1, "missing field"))?;
    Dec::parse(s).map_err(|e| RowFault::at(i + 1, e))
}

/// Field `i` as a timestamp in `tz` unless the text carries its own offset.
pub(crate) fn stamp_at(
    fields: &[&str],
    i: usize,
    order: DateOrder,
    tz: TimeZone,
) -> Result<i64, RowFault> {
    let s = fields
        .get(i)
        .ok_or_else(|| RowFault::at(i + 1, "missing field"))?;
    parse_datetime(s, order)
        .and_then(|st: Stamp| st.resolve(tz))
        .map_err(|e| RowFault::at(i + 1, e))
}

/// A macro value: `.`, empty, `NA` and `NaN` are missing; anything else must be a finite
/// number.
pub(crate) fn macro_value(fields: &[&str], i: usize) -> Result<Option<f64>, RowFault> {
    let s = fields
        .get(i)
        .ok_or_else(|| RowFault::at(i + 1, "missing field"))?
        .trim();
    if s.is_empty() || s == "." || s.eq_ignore_ascii_case("na") || s.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(RowFault::at(i + 1, format!("not a number: {s:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_values() {
        let mut f = Vec::new();
        split_fields("\"year\", \"quarter\",x", &mut f);
        assert_eq!(f, ["year", "quarter", "x"]);
        let cases: &[(&str, Result<Option<f64>, ()>)] = &[
            ("1.5", Ok(Some(1.5))),
            (".", Ok(None)),
            ("", Ok(None)),
            ("NA", Ok(None)),
            ("-0.31", Ok(Some(-0.31))),
            ("inf", Err(())),
            ("1,2", Err(())),
            ("x", Err(())),
        ];
        for (s, want) in cases {
            let got = macro_value(&[s], 0).map_err(|_| ());
            assert_eq!(got, *want, "{s:?}");
        }
    }
}
