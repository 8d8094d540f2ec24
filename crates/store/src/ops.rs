//! Store operations shared by both backends (see `sql.rs` for why they are shared).

use emp_model::{Bar, InstrumentId, MacroEvent, MacroObservation, QuoteTick, TradeTick, UnixNanos};
use emp_telemetry::{Snapshot, Status};

use crate::error::{Error, Result};
use crate::rows::{self, Provenance};
use crate::schema;
use crate::sql::{self, Cell, Conn, Row, i64_at, opt_i64, text};
use crate::types::{
    Dataset, IngestRun, IngestRunRecord, InventoryRow, TableCounts, TimeRange, WriteBatch,
    WriteReport,
};

fn cells<'a, T>(
    items: &'a [T],
    f: impl Fn(&'a T) -> Result<Vec<Cell<'a>>>,
) -> Result<Vec<Vec<Cell<'a>>>> {
    items.iter().map(f).collect()
}

/// The idempotent, atomic write (DESIGN §4): stage, merge on the key, upsert the journal row,
/// all in one transaction.
pub(crate) fn write_batch(conn: &mut dyn Conn, batch: &WriteBatch) -> Result<WriteReport> {
    let prov = Provenance {
        source: batch.row_source.as_deref().unwrap_or(&batch.run.source),
        ingested_at: batch.ingested_at,
    };
    // Convert before opening the transaction: a value that cannot be stored rejects the whole
    // batch without touching the database.
    let bars = cells(&batch.bars, |b| rows::bar_cells(b, prov))?;
    let quotes = cells(&batch.quotes, |q| rows::quote_cells(q, prov))?;
    let trades = cells(&batch.trades, |t| rows::trade_cells(t, prov))?;
    let quarantine = cells(&batch.quarantine, |q| {
        rows::quarantine_cells(q, &batch.run.run_id, prov)
    })?;
    let series = cells(&batch.macro_series, |o| rows::macro_series_cells(o, prov))?;
    let events = cells(&batch.macro_events, |e| rows::macro_event_cells(e, prov))?;
    let symbols = serde_json::to_string(&batch.run.symbols).map_err(Error::json("run symbols"))?;
    let metadata =
        serde_json::to_string(&batch.run.metadata).map_err(Error::json("run metadata"))?;

    let write = |tx: &mut dyn Conn, write_rows: WriteRows| -> Result<WriteReport> {
        let inserted = TableCounts {
            bars: write_rows(tx, &schema::BARS, &bars)?,
            quotes: write_rows(tx, &schema::QUOTES, &quotes)?,
            trades: write_rows(tx, &schema::TRADES, &trades)?,
            quarantine: write_rows(tx, &schema::QUARANTINE, &quarantine)?,
            macro_series: write_rows(tx, &schema::MACRO_SERIES, &series)?,
            macro_events: write_rows(tx, &schema::MACRO_EVENTS, &events)?,
            ..TableCounts::default()
        };
        upsert_run(tx, &batch.run, &inserted, &symbols, &metadata)?;
        Ok(WriteReport {
            submitted: batch.submitted(),
            inserted,
        })
    };
    // Fast path: rows that are all new (the usual case when ingesting) are bulk-loaded straight
    // into their tables, which halves the database's work. A key that already exists or repeats
    // in the batch fails the load; that transaction rolls back whole (rows and journal row) and
    // the batch is written again through staging and merge, which keeps one row per key. Either
    // way the batch commits atomically with its journal row.
    match sql::in_transaction(conn, |tx| write(tx, sql::load_direct)) {
        Err(e) if sql::is_key_conflict(&e) => {
            tracing::debug!(run_id = %batch.run.run_id, "batch has known keys; merging");
        }
        done => return done,
    }
    sql::in_transaction(conn, |tx| write(tx, sql::stage_and_merge))
}

/// How a batch's rows of one table are written: [`sql::load_direct`] or
/// [`sql::stage_and_merge`]. Returns the rows that were new.
type WriteRows = fn(&mut dyn Conn, &schema::TableSpec, &[Vec<Cell<'_>>]) -> Result<u64>;

fn upsert_run(
    tx: &mut dyn Conn,
    run: &IngestRun,
    inserted: &TableCounts,
    symbols: &str,
    metadata: &str,
) -> Result<()> {
    let d = tx.dialect();
    let to_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let sql = format!(
        "INSERT INTO telemetry.ingest_runs (run_id, dimension, status, rows_written, \
         rows_quarantined, batches, freshness_ns, started_at, duration_ns, source, symbols, \
         metadata) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, {}, {}) \
         ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, \
         rows_written = telemetry.ingest_runs.rows_written + excluded.rows_written, \
         rows_quarantined = telemetry.ingest_runs.rows_quarantined + excluded.rows_quarantined, \
         batches = telemetry.ingest_runs.batches + 1, \
         freshness_ns = excluded.freshness_ns, duration_ns = excluded.duration_ns, \
         symbols = excluded.symbols, metadata = excluded.metadata",
        d.json_param(10),
        d.json_param(11)
    );
    tx.execute(
        &sql,
        &[
            Cell::text(&run.run_id),
            Cell::text(&run.dimension),
            Cell::text(run.status.as_str()),
            Cell::I64(to_i64(inserted.data_rows())),
            Cell::I64(to_i64(inserted.quarantine)),
            Cell::OptI64(run.freshness_ns),
            Cell::I64(run.started_at.as_i64()),
            Cell::I64(run.duration_ns),
            Cell::text(&run.source),
            Cell::text(symbols),
            Cell::text(metadata),
        ],
    )?;
    Ok(())
}

fn range_params<'a>(key: &'a str, range: TimeRange) -> [Cell<'a>; 3] {
    [
        Cell::text(key),
        Cell::I64(range.start.as_i64()),
        Cell::I64(range.end.as_i64()),
    ]
}

fn map_rows<T>(rows: Vec<Row>, f: impl Fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(f).collect()
}

pub(crate) fn read_bars(
    conn: &mut dyn Conn,
    instrument: &InstrumentId,
    timeframe: emp_model::Timeframe,
    range: TimeRange,
) -> Result<Vec<Bar>> {
    let tf = timeframe.to_string();
    let [a, b, c] = range_params(instrument.as_str(), range);
    let rows = conn.query(
        "SELECT symbol, timeframe, ts, open, high, low, close, price_precision, volume, \
         volume_precision FROM market_data.bars \
         WHERE symbol = $1 AND timeframe = $4 AND ts >= $2 AND ts < $3 ORDER BY ts",
        &[a, b, c, Cell::text(&tf)],
        10,
    )?;
    map_rows(rows, rows::bar_from_row)
}

pub(crate) fn read_quotes(
    conn: &mut dyn Conn,
    instrument: &InstrumentId,
    range: TimeRange,
) -> Result<Vec<QuoteTick>> {
    let rows = conn.query(
        "SELECT symbol, ts, bid, ask, price_precision, bid_size, ask_size, size_precision \
         FROM market_data.quotes WHERE symbol = $1 AND ts >= $2 AND ts < $3 \
         ORDER BY ts, bid, ask, bid_size, ask_size",
        &range_params(instrument.as_str(), range),
        8,
    )?;
    map_rows(rows, rows::quote_from_row)
}

pub(crate) fn read_trades(
    conn: &mut dyn Conn,
    instrument: &InstrumentId,
    range: TimeRange,
) -> Result<Vec<TradeTick>> {
    let rows = conn.query(
        "SELECT symbol, ts, price, price_precision, size, size_precision, aggressor, trade_id \
         FROM market_data.trades WHERE symbol = $1 AND ts >= $2 AND ts < $3 \
         ORDER BY ts, trade_id, price, size",
        &range_params(instrument.as_str(), range),
        8,
    )?;
    map_rows(rows, rows::trade_from_row)
}

pub(crate) fn read_macro_series(
    conn: &mut dyn Conn,
    series_id: &str,
    range: TimeRange,
) -> Result<Vec<MacroObservation>> {
    let rows = conn.query(
        "SELECT series_id, ts, value FROM macro_data.series \
         WHERE series_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts",
        &range_params(series_id, range),
        3,
    )?;
    map_rows(rows, rows::macro_series_from_row)
}

pub(crate) fn read_macro_events(conn: &mut dyn Conn, range: TimeRange) -> Result<Vec<MacroEvent>> {
    let rows = conn.query(
        "SELECT event_name, currency, ts, actual, forecast, previous, importance \
         FROM macro_data.events WHERE ts >= $1 AND ts < $2 ORDER BY ts, event_name, currency",
        &[
            Cell::I64(range.start.as_i64()),
            Cell::I64(range.end.as_i64()),
        ],
        7,
    )?;
    map_rows(rows, rows::macro_event_from_row)
}

pub(crate) fn latest_timestamp(
    conn: &mut dyn Conn,
    dataset: &Dataset,
) -> Result<Option<UnixNanos>> {
    let tf;
    let (sql, params): (&str, Vec<Cell<'_>>) = match dataset {
        Dataset::Bars {
            instrument,
            timeframe,
        } => {
            tf = timeframe.to_string();
            (
                "SELECT max(ts) FROM market_data.bars WHERE symbol = $1 AND timeframe = $2",
                vec![Cell::text(instrument.as_str()), Cell::text(&tf)],
            )
        }
        Dataset::Quotes(instrument) => (
            "SELECT max(ts) FROM market_data.quotes WHERE symbol = $1",
            vec![Cell::text(instrument.as_str())],
        ),
        Dataset::Trades(instrument) => (
            "SELECT max(ts) FROM market_data.trades WHERE symbol = $1",
            vec![Cell::text(instrument.as_str())],
        ),
        Dataset::MacroSeries(id) => (
            "SELECT max(ts) FROM macro_data.series WHERE series_id = $1",
            vec![Cell::text(id)],
        ),
        Dataset::MacroEvents => ("SELECT max(ts) FROM macro_data.events", vec![]),
    };
    let rows = conn.query(sql, &params, 1)?;
    let row = rows
        .first()
        .ok_or_else(|| Error::corrupt("latest_timestamp", "no row"))?;
    Ok(opt_i64(row, 0, "latest_timestamp")?.map(UnixNanos::new))
}

pub(crate) fn counts(conn: &mut dyn Conn) -> Result<TableCounts> {
    const TABLES: [&str; 9] = [
        "market_data.bars",
        "market_data.quotes",
        "market_data.trades",
        "market_data.quarantine",
        "macro_data.series",
        "macro_data.events",
        "telemetry.ingest_runs",
        "telemetry.snapshots",
        "strategy.registry",
    ];
    let select = TABLES
        .iter()
        .map(|t| format!("(SELECT CAST(count(*) AS BIGINT) FROM {t})"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = conn.query(&format!("SELECT {select}"), &[], TABLES.len())?;
    let row = rows
        .first()
        .ok_or_else(|| Error::corrupt("counts", "no row"))?;
    let n = |i: usize| -> Result<u64> {
        let v = i64_at(row, i, "counts")?;
        u64::try_from(v).map_err(|_| Error::corrupt("counts", format!("negative count {v}")))
    };
    Ok(TableCounts {
        bars: n(0)?,
        quotes: n(1)?,
        trades: n(2)?,
        quarantine: n(3)?,
        macro_series: n(4)?,
        macro_events: n(5)?,
        ingest_runs: n(6)?,
        snapshots: n(7)?,
        strategies: n(8)?,
    })
}

pub(crate) fn ingest_runs(conn: &mut dyn Conn, limit: usize) -> Result<Vec<IngestRunRecord>> {
    const T: &str = "telemetry.ingest_runs";
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn.query(
        "SELECT run_id, dimension, status, rows_written, rows_quarantined, batches, \
         freshness_ns, started_at, duration_ns, source, CAST(symbols AS TEXT), \
         CAST(metadata AS TEXT) FROM telemetry.ingest_runs \
         ORDER BY started_at DESC, run_id LIMIT $1",
        &[Cell::I64(limit)],
        12,
    )?;
    map_rows(rows, |row| {
        let status = parse_status(&text(row, 2, T)?, T)?;
        let count = |i| -> Result<u64> {
            let v = i64_at(row, i, T)?;
            u64::try_from(v).map_err(|_| Error::corrupt(T, format!("negative count {v}")))
        };
        Ok(IngestRunRecord {
            run: IngestRun {
                run_id: text(row, 0, T)?,
                dimension: text(row, 1, T)?,
                status,
                source: text(row, 9, T)?,
                symbols: serde_json::from_str(&text(row, 10, T)?)
                    .map_err(Error::json("ingest_runs.symbols"))?,
                started_at: UnixNanos::new(i64_at(row, 7, T)?),
                duration_ns: i64_at(row, 8, T)?,
                freshness_ns: opt_i64(row, 6, T)?,
                metadata: serde_json::from_str(&text(row, 11, T)?)
                    .map_err(Error::json("ingest_runs.metadata"))?,
            },
            rows_written: count(3)?,
            rows_quarantined: count(4)?,
            batches: count(5)?,
        })
    })
}

fn parse_status(s: &str, table: &'static str) -> Result<Status> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| Error::corrupt(table, format!("unknown status {s:?}")))
}

/// Journal one snapshot; returns `false` when `(topic, generated_at)` was already journaled
/// (a retried publish is a no-op).
pub(crate) fn append_snapshot(conn: &mut dyn Conn, snapshot: &Snapshot) -> Result<bool> {
    // The rendered JSON (DESIGN §3 shape, RFC 3339 time included) so SQL readers see the
    // same document the HTTP endpoints serve.
    let payload = snapshot.to_json().to_string();
    let sql = format!(
        "INSERT INTO telemetry.snapshots (topic, generated_at, status, payload) \
         VALUES ($1, $2, $3, {}) ON CONFLICT DO NOTHING",
        conn.dialect().json_param(4)
    );
    let n = conn.execute(
        &sql,
        &[
            Cell::text(snapshot.topic()),
            Cell::I64(snapshot.generated_at().as_i64()),
            Cell::text(snapshot.status().as_str()),
            Cell::owned(payload),
        ],
    )?;
    Ok(n > 0)
}

/// The most recent snapshots of `topic`, newest first.
pub(crate) fn snapshots(conn: &mut dyn Conn, topic: &str, limit: usize) -> Result<Vec<Snapshot>> {
    const T: &str = "telemetry.snapshots";
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn.query(
        "SELECT CAST(payload AS TEXT) FROM telemetry.snapshots WHERE topic = $1 \
         ORDER BY generated_at DESC LIMIT $2",
        &[Cell::text(topic), Cell::I64(limit)],
        1,
    )?;
    map_rows(rows, |row| {
        let json =
            serde_json::from_str(&text(row, 0, T)?).map_err(Error::json("snapshot payload"))?;
        Snapshot::from_json(json).map_err(|source| Error::Snapshot { source })
    })
}

/// Every stored series with its range and row count, ordered by kind, symbol, timeframe.
pub(crate) fn inventory(conn: &mut dyn Conn) -> Result<Vec<InventoryRow>> {
    // One GROUP BY per table; the primary keys lead with the grouped columns, so each is an
    // index-ordered scan rather than a sort.
    const SQL: &str = "\
        SELECT 'bars', symbol, timeframe, CAST(min(ts) AS BIGINT), CAST(max(ts) AS BIGINT), CAST(count(*) AS BIGINT) \
            FROM market_data.bars GROUP BY symbol, timeframe \
        UNION ALL SELECT 'quotes', symbol, NULL, CAST(min(ts) AS BIGINT), CAST(max(ts) AS BIGINT), CAST(count(*) AS BIGINT) \
            FROM market_data.quotes GROUP BY symbol \
        UNION ALL SELECT 'trades', symbol, NULL, CAST(min(ts) AS BIGINT), CAST(max(ts) AS BIGINT), CAST(count(*) AS BIGINT) \
            FROM market_data.trades GROUP BY symbol \
        UNION ALL SELECT 'macro', series_id, NULL, CAST(min(ts) AS BIGINT), CAST(max(ts) AS BIGINT), CAST(count(*) AS BIGINT) \
            FROM macro_data.series GROUP BY series_id \
        ORDER BY 1, 2, 3";
    let rows = conn.query(SQL, &[], 6)?;
    rows.iter()
        .map(|row| {
            let text = |i: usize| -> Result<Option<String>> {
                match row.get(i) {
                    Some(sql::Value::Text(s)) => Ok(Some(s.clone())),
                    Some(sql::Value::Null) => Ok(None),
                    other => Err(Error::corrupt(
                        "inventory",
                        format!("column {i}: expected text, got {other:?}"),
                    )),
                }
            };
            let rows = i64_at(row, 5, "inventory")?;
            Ok(InventoryRow {
                kind: text(0)?.unwrap_or_default(),
                symbol: text(1)?.unwrap_or_default(),
                timeframe: text(2)?,
                first: UnixNanos::new(i64_at(row, 3, "inventory")?),
                last: UnixNanos::new(i64_at(row, 4, "inventory")?),
                rows: u64::try_from(rows)
                    .map_err(|_| Error::corrupt("inventory", format!("negative count {rows}")))?,
            })
        })
        .collect()
}
