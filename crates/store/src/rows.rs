//! Conversions between the model's records and the flat storage rows of `schema.rs`.
//!
//! Writing: a record becomes a `Vec<Cell>` in the staging table's column order.
//! Reading: a result row becomes a record again, validated by the model (a corrupt row is an
//! error, never a panic).

use emp_model::{
    Bar, Currency, Importance, InstrumentId, MacroEvent, MacroObservation, Price, Quantity,
    QuoteTick, Side, Timeframe, TradeTick, UnixNanos,
};

use crate::error::{Error, Result};
use crate::sql::{Cell, Row, i16_at, i64_at, opt_f64, text};
use crate::types::QuarantineRecord;

/// Columns shared by every market-data row: where it came from and when it was stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Provenance<'a> {
    pub(crate) source: &'a str,
    pub(crate) ingested_at: UnixNanos,
}

/// Rescale `prices` to their largest precision (exact: only ever adds digits).
fn common_precision(prices: &[Price], field: &str) -> Result<(Vec<i64>, u8)> {
    let precision = prices.iter().map(|p| p.precision()).max().unwrap_or(0);
    prices
        .iter()
        .map(|p| {
            p.rescale(precision)
                .map(Price::raw)
                .map_err(|e| out_of_range(field, e))
        })
        .collect::<Result<Vec<_>>>()
        .map(|raws| (raws, precision))
}

fn common_quantity_precision(qs: &[Quantity], field: &str) -> Result<(Vec<i64>, u8)> {
    let precision = qs.iter().map(|q| q.precision()).max().unwrap_or(0);
    qs.iter()
        .map(|q| {
            let raw = q
                .rescale(precision)
                .map_err(|e| out_of_range(field, e))?
                .raw();
            // BIGINT is signed: quantities above i64::MAX raw cannot be stored.
            i64::try_from(raw).map_err(|_| out_of_range(field, format!("raw {raw} exceeds i64")))
        })
        .collect::<Result<Vec<_>>>()
        .map(|raws| (raws, precision))
}

fn out_of_range(field: &str, message: impl std::fmt::Display) -> Error {
    Error::OutOfRange {
        field: field.to_owned(),
        message: message.to_string(),
    }
}

fn precision_cell(p: u8) -> Cell<'static> {
    Cell::I16(i16::from(p))
}

pub(crate) fn bar_cells<'a>(bar: &'a Bar, prov: Provenance<'a>) -> Result<Vec<Cell<'a>>> {
    let (prices, pp) = common_precision(&[bar.open, bar.high, bar.low, bar.close], "bar.prices")?;
    let (volume, vp) = common_quantity_precision(&[bar.volume], "bar.volume")?;
    Ok(vec![
        Cell::text(bar.instrument.as_str()),
        Cell::owned(bar.timeframe.to_string()),
        Cell::I64(bar.ts_open.as_i64()),
        Cell::I64(prices[0]),
        Cell::I64(prices[1]),
        Cell::I64(prices[2]),
        Cell::I64(prices[3]),
        precision_cell(pp),
        Cell::I64(volume[0]),
        precision_cell(vp),
        Cell::text(prov.source),
        Cell::I64(prov.ingested_at.as_i64()),
    ])
}

pub(crate) fn quote_cells<'a>(q: &'a QuoteTick, prov: Provenance<'a>) -> Result<Vec<Cell<'a>>> {
    let (prices, pp) = common_precision(&[q.bid, q.ask], "quote.prices")?;
    let (sizes, sp) = common_quantity_precision(&[q.bid_size, q.ask_size], "quote.sizes")?;
    Ok(vec![
        Cell::text(q.instrument.as_str()),
        Cell::I64(q.ts.as_i64()),
        Cell::I64(prices[0]),
        Cell::I64(prices[1]),
        precision_cell(pp),
        Cell::I64(sizes[0]),
        Cell::I64(sizes[1]),
        precision_cell(sp),
        Cell::text(prov.source),
        Cell::I64(prov.ingested_at.as_i64()),
    ])
}

/// Aggressor as a key-friendly SMALLINT (NULL would defeat the unique key): 1 buy, -1 sell,
/// 0 unknown.
fn aggressor_code(side: Option<Side>) -> i16 {
    match side {
        Some(Side::Buy) => 1,
        Some(Side::Sell) => -1,
        None => 0,
    }
}

pub(crate) fn trade_cells<'a>(t: &'a TradeTick, prov: Provenance<'a>) -> Result<Vec<Cell<'a>>> {
    let (size, sp) = common_quantity_precision(&[t.size], "trade.size")?;
    Ok(vec![
        Cell::text(t.instrument.as_str()),
        Cell::I64(t.ts.as_i64()),
        Cell::I64(t.price.raw()),
        precision_cell(t.price.precision()),
        Cell::I64(size[0]),
        precision_cell(sp),
        Cell::I16(aggressor_code(t.aggressor)),
        // Empty string = no id (the model forbids an empty id, so this is unambiguous).
        Cell::text(t.trade_id.as_deref().unwrap_or("")),
        Cell::text(prov.source),
        Cell::I64(prov.ingested_at.as_i64()),
    ])
}

pub(crate) fn quarantine_cells<'a>(
    q: &'a QuarantineRecord,
    run_id: &'a str,
    prov: Provenance<'a>,
) -> Result<Vec<Cell<'a>>> {
    let line = i64::try_from(q.line)
        .map_err(|_| out_of_range("quarantine.line", format!("{} exceeds i64", q.line)))?;
    Ok(vec![
        Cell::text(&q.file),
        Cell::I64(line),
        Cell::text(&q.reason),
        Cell::text(&q.raw_text),
        Cell::text(run_id),
        Cell::text(prov.source),
        Cell::I64(prov.ingested_at.as_i64()),
    ])
}

pub(crate) fn macro_series_cells<'a>(
    o: &'a MacroObservation,
    prov: Provenance<'a>,
) -> Result<Vec<Cell<'a>>> {
    Ok(vec![
        Cell::text(&o.series_id),
        Cell::I64(o.ts.as_i64()),
        Cell::F64(o.value),
        Cell::text(prov.source),
        Cell::I64(prov.ingested_at.as_i64()),
    ])
}

pub(crate) fn macro_event_cells<'a>(
    e: &'a MacroEvent,
    prov: Provenance<'a>,
) -> Result<Vec<Cell<'a>>> {
    Ok(vec![
        Cell::text(&e.name),
        Cell::text(e.currency.as_str()),
        Cell::I64(e.ts.as_i64()),
        Cell::F64(e.actual),
        Cell::F64(e.forecast),
        Cell::F64(e.previous),
        Cell::text(e.importance.as_str()),
        Cell::text(prov.source),
        Cell::I64(prov.ingested_at.as_i64()),
    ])
}

// ---------------------------------------------------------------------------------------------
// Reading back. Column orders match the SELECT lists in `ops.rs`.
// ---------------------------------------------------------------------------------------------

fn model(table: &'static str) -> impl FnOnce(emp_model::Error) -> Error {
    move |source| Error::Model { table, source }
}

fn precision(row: &Row, idx: usize, table: &'static str) -> Result<u8> {
    let p = i16_at(row, idx, table)?;
    u8::try_from(p).map_err(|_| Error::corrupt(table, format!("negative precision {p}")))
}

fn price(row: &Row, idx: usize, p: u8, table: &'static str) -> Result<Price> {
    Price::from_raw(i64_at(row, idx, table)?, p).map_err(model(table))
}

fn quantity(row: &Row, idx: usize, p: u8, table: &'static str) -> Result<Quantity> {
    let raw = i64_at(row, idx, table)?;
    let raw =
        u64::try_from(raw).map_err(|_| Error::corrupt(table, format!("negative size {raw}")))?;
    Quantity::from_raw(raw, p).map_err(model(table))
}

fn instrument(row: &Row, idx: usize, table: &'static str) -> Result<InstrumentId> {
    InstrumentId::try_new(&text(row, idx, table)?).map_err(model(table))
}

/// `symbol, timeframe, ts, open, high, low, close, price_precision, volume, volume_precision`
pub(crate) fn bar_from_row(row: &Row) -> Result<Bar> {
    const T: &str = "market_data.bars";
    let pp = precision(row, 7, T)?;
    let vp = precision(row, 9, T)?;
    Bar::try_new(
        instrument(row, 0, T)?,
        Timeframe::parse(&text(row, 1, T)?).map_err(model(T))?,
        UnixNanos::new(i64_at(row, 2, T)?),
        price(row, 3, pp, T)?,
        price(row, 4, pp, T)?,
        price(row, 5, pp, T)?,
        price(row, 6, pp, T)?,
        quantity(row, 8, vp, T)?,
    )
    .map_err(model(T))
}

/// `symbol, ts, bid, ask, price_precision, bid_size, ask_size, size_precision`
pub(crate) fn quote_from_row(row: &Row) -> Result<QuoteTick> {
    const T: &str = "market_data.quotes";
    let pp = precision(row, 4, T)?;
    let sp = precision(row, 7, T)?;
    // Stored rows were valid when written; rebuild the record without re-judging the market
    // (a crossed quote that a reader accepted stays readable).
    Ok(QuoteTick {
        instrument: instrument(row, 0, T)?,
        ts: UnixNanos::new(i64_at(row, 1, T)?),
        bid: price(row, 2, pp, T)?,
        ask: price(row, 3, pp, T)?,
        bid_size: quantity(row, 5, sp, T)?,
        ask_size: quantity(row, 6, sp, T)?,
    })
}

/// `symbol, ts, price, price_precision, size, size_precision, aggressor, trade_id`
pub(crate) fn trade_from_row(row: &Row) -> Result<TradeTick> {
    const T: &str = "market_data.trades";
    let pp = precision(row, 3, T)?;
    let sp = precision(row, 5, T)?;
    let aggressor = match i16_at(row, 6, T)? {
        1 => Some(Side::Buy),
        -1 => Some(Side::Sell),
        0 => None,
        other => return Err(Error::corrupt(T, format!("aggressor code {other}"))),
    };
    let trade_id = text(row, 7, T)?;
    Ok(TradeTick {
        instrument: instrument(row, 0, T)?,
        ts: UnixNanos::new(i64_at(row, 1, T)?),
        price: price(row, 2, pp, T)?,
        size: quantity(row, 4, sp, T)?,
        aggressor,
        trade_id: (!trade_id.is_empty()).then_some(trade_id),
    })
}

/// `series_id, ts, value`
pub(crate) fn macro_series_from_row(row: &Row) -> Result<MacroObservation> {
    const T: &str = "macro_data.series";
    Ok(MacroObservation {
        series_id: text(row, 0, T)?,
        ts: UnixNanos::new(i64_at(row, 1, T)?),
        value: opt_f64(row, 2, T)?,
    })
}

/// `event_name, currency, ts, actual, forecast, previous, importance`
pub(crate) fn macro_event_from_row(row: &Row) -> Result<MacroEvent> {
    const T: &str = "macro_data.events";
    Ok(MacroEvent {
        name: text(row, 0, T)?,
        currency: Currency::try_new(&text(row, 1, T)?).map_err(model(T))?,
        ts: UnixNanos::new(i64_at(row, 2, T)?),
        actual: opt_f64(row, 3, T)?,
        forecast: opt_f64(row, 4, T)?,
        previous: opt_f64(row, 5, T)?,
        importance: text(row, 6, T)?.parse::<Importance>().map_err(model(T))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Value;

    fn p(s: &str) -> Price {
        Price::try_parse(s).unwrap()
    }

    #[test]
    fn bar_prices_share_the_largest_precision_exactly() {
        let bar = Bar::try_new(
            InstrumentId::try_new("EURUSD").unwrap(),
            Timeframe::M1,
            UnixNanos::new(60),
            p("1.1"),
            p("1.12345"),
            p("1.09"),
            p("1.1"),
            Quantity::try_parse("0").unwrap(),
        )
        .unwrap();
        let prov = Provenance {
            source: "test",
            ingested_at: UnixNanos::new(1),
        };
        let cells = bar_cells(&bar, prov).unwrap();
        assert_eq!(cells[3], Cell::I64(110_000));
        assert_eq!(cells[4], Cell::I64(112_345));
        assert_eq!(cells[7], Cell::I16(5));
        assert_eq!(cells[1], Cell::owned("1m".to_owned()));
    }

    #[test]
    fn quantity_above_i64_is_rejected_not_wrapped() {
        let q = Quantity::from_raw(u64::MAX, 0).unwrap();
        let err = common_quantity_precision(&[q], "x").unwrap_err();
        assert!(matches!(err, Error::OutOfRange { .. }), "{err}");
    }

    #[test]
    fn corrupt_rows_are_errors() {
        let row = vec![
            Value::Text("EURUSD".into()),
            Value::I64(1),
            Value::I64(100),
            Value::I64(3),
            Value::I64(-1), // negative size
            Value::I64(0),
            Value::I64(0),
            Value::Text(String::new()),
        ];
        assert!(trade_from_row(&row).is_err());
        let mut row2 = row.clone();
        row2[4] = Value::I64(5);
        row2[6] = Value::I64(7); // bad aggressor code
        assert!(trade_from_row(&row2).is_err());
        row2[6] = Value::I64(-1);
        let t = trade_from_row(&row2).unwrap();
        assert_eq!(t.aggressor, Some(Side::Sell));
        assert_eq!(t.trade_id, None);
    }
}
