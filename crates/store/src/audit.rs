//! Typed audit tables beside the snapshot journal (migration 4): `telemetry.execution_snapshots`
//! and `telemetry.backups`.

use emp_model::UnixNanos;
use emp_telemetry::{Snapshot, topics};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ops;
use crate::sql::{Cell, Conn, Row, Value, i64_at, in_transaction, opt_f64, opt_i64, text};
use crate::types::BackendKind;

/// One backup, as `emp backup` recorded it and `operational.backups` grades it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupEntry {
    /// When the backup finished (the key: one backup per instant).
    pub completed_at: UnixNanos,
    /// The store that was backed up.
    pub backend: BackendKind,
    /// `duckdb-export-database` or `pg_dump-custom`.
    pub method: String,
    /// The directory or file written.
    pub location: String,
    /// Bytes on disk.
    pub size_bytes: u64,
    /// Whether the backup was read back and found complete.
    pub verified: bool,
    /// What the verification compared, or why it failed.
    pub detail: String,
    /// Wall time the backup took.
    pub duration_ns: i64,
}

/// One row of `telemetry.execution_snapshots`: the execution evaluator's figures as columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionJournalRow {
    pub generated_at: UnixNanos,
    pub status: String,
    pub fill_rate: Option<f64>,
    pub rejection_rate: Option<f64>,
    pub pending_orders: Option<i64>,
    pub avg_latency_ms: Option<f64>,
    pub peak_latency_ms: Option<f64>,
    pub submitted: Option<i64>,
    pub fills: Option<i64>,
    pub retries: Option<i64>,
}

/// Journal a snapshot; execution snapshots also get their typed row, in the same transaction
/// so the two tables never disagree.
pub(crate) fn journal_snapshot(conn: &mut dyn Conn, snapshot: &Snapshot) -> Result<bool> {
    if snapshot.topic() != topics::OPERATIONAL_EXECUTION {
        return ops::append_snapshot(conn, snapshot);
    }
    in_transaction(conn, |tx| {
        let inserted = ops::append_snapshot(tx, snapshot)?;
        let figure = |name: &str| {
            snapshot
                .check(name)
                .and_then(|c| c.value.as_ref())
                .and_then(|v| v.as_f64())
        };
        let count = |key: &str| snapshot.metadata().get(key).and_then(|v| v.as_i64());
        let sql = format!(
            "INSERT INTO telemetry.execution_snapshots (generated_at, status, fill_rate, \
             rejection_rate, pending_orders, avg_latency_ms, peak_latency_ms, submitted, fills, \
             retries, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {}) \
             ON CONFLICT DO NOTHING",
            tx.dialect().json_param(11)
        );
        tx.execute(
            &sql,
            &[
                Cell::I64(snapshot.generated_at().as_i64()),
                Cell::text(snapshot.status().as_str()),
                Cell::F64(figure("fill_rate")),
                Cell::F64(figure("rejection_rate")),
                Cell::OptI64(figure("pending_orders").map(|x| x as i64)),
                Cell::F64(figure("avg_latency_ms")),
                Cell::F64(figure("peak_latency_ms")),
                Cell::OptI64(count("submitted")),
                Cell::OptI64(count("fills")),
                Cell::OptI64(count("retries")),
                Cell::owned(snapshot.to_json().to_string()),
            ],
        )?;
        Ok(inserted)
    })
}

/// The newest `limit` rows of `telemetry.execution_snapshots`, newest first.
pub(crate) fn execution_journal(
    conn: &mut dyn Conn,
    limit: usize,
) -> Result<Vec<ExecutionJournalRow>> {
    const T: &str = "telemetry.execution_snapshots";
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn.query(
        "SELECT generated_at, status, fill_rate, rejection_rate, pending_orders, avg_latency_ms, \
         peak_latency_ms, submitted, fills, retries FROM telemetry.execution_snapshots \
         ORDER BY generated_at DESC LIMIT $1",
        &[Cell::I64(limit)],
        10,
    )?;
    rows.iter()
        .map(|row| {
            Ok(ExecutionJournalRow {
                generated_at: UnixNanos::new(i64_at(row, 0, T)?),
                status: text(row, 1, T)?,
                fill_rate: opt_f64(row, 2, T)?,
                rejection_rate: opt_f64(row, 3, T)?,
                pending_orders: opt_i64(row, 4, T)?,
                avg_latency_ms: opt_f64(row, 5, T)?,
                peak_latency_ms: opt_f64(row, 6, T)?,
                submitted: opt_i64(row, 7, T)?,
                fills: opt_i64(row, 8, T)?,
                retries: opt_i64(row, 9, T)?,
            })
        })
        .collect()
}

/// Record a backup; `Ok(false)` when one with the same `completed_at` is already recorded.
pub(crate) fn record_backup(conn: &mut dyn Conn, b: &BackupEntry) -> Result<bool> {
    let size = i64::try_from(b.size_bytes).map_err(|_| Error::OutOfRange {
        field: "backups.size_bytes".into(),
        message: format!("{} does not fit a BIGINT", b.size_bytes),
    })?;
    let n = conn.execute(
        "INSERT INTO telemetry.backups (completed_at, backend, method, location, size_bytes, \
         verified, detail, duration_ns) \
         VALUES ($1, $2, $3, $4, $5, CAST(CAST($6 AS TEXT) AS BOOLEAN), $7, $8) \
         ON CONFLICT DO NOTHING",
        &[
            Cell::I64(b.completed_at.as_i64()),
            Cell::text(b.backend.as_str()),
            Cell::text(&b.method),
            Cell::text(&b.location),
            Cell::I64(size),
            Cell::text(if b.verified { "true" } else { "false" }),
            Cell::text(&b.detail),
            Cell::I64(b.duration_ns),
        ],
    )?;
    Ok(n > 0)
}

/// The most recent backup, if any was recorded.
pub(crate) fn latest_backup(conn: &mut dyn Conn) -> Result<Option<BackupEntry>> {
    const T: &str = "telemetry.backups";
    let rows = conn.query(
        "SELECT completed_at, backend, method, location, size_bytes, CAST(verified AS TEXT), \
         detail, duration_ns FROM telemetry.backups ORDER BY completed_at DESC LIMIT 1",
        &[],
        8,
    )?;
    rows.first().map(|row| backup_from_row(row, T)).transpose()
}

fn backup_from_row(row: &Row, t: &'static str) -> Result<BackupEntry> {
    let backend = match text(row, 1, t)?.as_str() {
        "duckdb" => BackendKind::DuckDb,
        "postgres" => BackendKind::Postgres,
        other => return Err(Error::corrupt(t, format!("unknown backend {other:?}"))),
    };
    let size = i64_at(row, 4, t)?;
    let verified = match &row[5] {
        Value::Text(s) => matches!(s.as_str(), "true" | "t"),
        _ => false,
    };
    Ok(BackupEntry {
        completed_at: UnixNanos::new(i64_at(row, 0, t)?),
        backend,
        method: text(row, 2, t)?,
        location: text(row, 3, t)?,
        size_bytes: u64::try_from(size)
            .map_err(|_| Error::corrupt(t, format!("negative size {size}")))?,
        verified,
        detail: text(row, 6, t)?,
        duration_ns: i64_at(row, 7, t)?,
    })
}
