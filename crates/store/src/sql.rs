//! The SQL both backends share, written once against a minimal connection trait.
//!
//! Both engines accept `$n` placeholders and the same DDL/DML for our schema, so every read,
//! the merge, the journal upsert and the migration runner live here; a backend only supplies
//! the driver calls ([`Conn`]) and its bulk loader (DuckDB appender / PostgreSQL binary COPY).
//! That is what guarantees the two backends behave the same.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::schema::{self, Dialect, Migration, TableSpec};

/// A bind parameter or a staged cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    I64(i64),
    I16(i16),
    OptI64(Option<i64>),
    F64(Option<f64>),
    Text(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    pub(crate) fn text(s: &'a str) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
    pub(crate) fn owned(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}

/// A value read back from a query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    I64(i64),
    F64(f64),
    Text(String),
}

/// One result row (exactly as many values as the caller asked for).
pub(crate) type Row = Vec<Value>;

/// The driver calls a backend provides.
pub(crate) trait Conn {
    fn dialect(&self) -> Dialect;
    /// Run statements without parameters or results.
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// Run one statement; returns the affected row count.
    fn execute(&mut self, sql: &str, params: &[Cell<'_>]) -> Result<u64>;
    /// Run one query returning `ncols` columns per row.
    fn query(&mut self, sql: &str, params: &[Cell<'_>], ncols: usize) -> Result<Vec<Row>>;
    /// Bulk-load rows into the (existing, empty) staging table of `spec`, or straight into its
    /// target table.
    fn load(&mut self, spec: &TableSpec, into: LoadInto, rows: &[Vec<Cell<'_>>]) -> Result<()>;
}

/// Where a bulk load writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadInto {
    /// The per-connection temporary staging table (`spec.stage`).
    Stage,
    /// The target table itself (`spec.target`): fails on any key that exists or repeats.
    Target,
}

/// Run `f` inside `BEGIN` … `COMMIT`; roll back on any error (the error of `f` wins).
pub(crate) fn in_transaction<T>(
    conn: &mut dyn Conn,
    f: impl FnOnce(&mut dyn Conn) -> Result<T>,
) -> Result<T> {
    conn.batch("BEGIN")?;
    match f(conn) {
        Ok(value) => {
            conn.batch("COMMIT")?;
            Ok(value)
        }
        Err(err) => {
            // The rollback can fail only if the connection is gone, in which case the server
            // discards the transaction anyway; the original error is the useful one.
            if let Err(rollback) = conn.batch("ROLLBACK") {
                tracing::warn!(error = %rollback, "rollback after failed transaction failed");
            }
            Err(err)
        }
    }
}

/// Stage `rows` and merge them into `spec.target`; returns how many rows were new.
pub(crate) fn stage_and_merge(
    conn: &mut dyn Conn,
    spec: &TableSpec,
    rows: &[Vec<Cell<'_>>],
) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    // PostgreSQL: TRUNCATE, not DELETE. A temporary table is never autovacuumed, so deleted rows
    // would stay in it and every later merge would scan them all (quadratic in the batches of a
    // connection). DuckDB has no such bloat and spells TRUNCATE as a DELETE anyway.
    let empty = match conn.dialect() {
        Dialect::Postgres => format!("TRUNCATE {}", spec.stage),
        Dialect::DuckDb => format!("DELETE FROM {}", spec.stage),
    };
    conn.batch(&spec.stage_ddl())?;
    // A previous failed attempt on this connection may have left rows behind.
    conn.batch(&empty)?;
    conn.load(spec, LoadInto::Stage, rows)?;
    let inserted = conn.execute(&spec.merge_sql(), &[])?;
    conn.batch(&empty)?;
    Ok(inserted)
}

/// Bulk-load `rows` straight into `spec.target`, without staging; returns how many were loaded
/// (all of them, or an error). Fails with a key conflict ([`is_key_conflict`]) when a row's key
/// already exists or repeats in `rows`: the caller then rolls back and stages and merges instead.
pub(crate) fn load_direct(
    conn: &mut dyn Conn,
    spec: &TableSpec,
    rows: &[Vec<Cell<'_>>],
) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    conn.load(spec, LoadInto::Target, rows)?;
    Ok(rows.len() as u64)
}

/// Whether `err` is a primary-key (unique) violation, i.e. a direct load met a key that exists
/// or repeats, which staging and merging resolves.
pub(crate) fn is_key_conflict(err: &Error) -> bool {
    match err {
        Error::Postgres { source, .. } => {
            source.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
        }
        // DuckDB reports no error code through the appender, only its message:
        // `Constraint Error: Duplicate key "…" violates primary key constraint` (older releases:
        // `PRIMARY KEY or UNIQUE constraint violated: duplicate key "…"`).
        Error::DuckDb { source, .. } => source
            .to_string()
            .to_ascii_lowercase()
            .contains("duplicate key"),
        _ => false,
    }
}

/// Apply the shared migrations plus the backend's time-partitioning step; each in its own
/// transaction together with its `schema_migrations` row, so applying twice is a no-op and a
/// failure leaves the previous version intact. Returns the schema version after migrating.
pub(crate) fn migrate(conn: &mut dyn Conn, partitioning: (&'static str, &str)) -> Result<i64> {
    conn.batch(schema::MIGRATIONS_TABLE_DDL)?;
    let current = schema_version(conn)?;
    if current > schema::LATEST_VERSION {
        return Err(Error::SchemaTooNew {
            found: current,
            supported: schema::LATEST_VERSION,
        });
    }
    let dialect = conn.dialect();
    let partition_step = Migration {
        version: schema::TIME_PARTITIONING_VERSION,
        name: partitioning.0,
        sql: "",
    };
    let mut steps: Vec<(&Migration, String)> = schema::MIGRATIONS
        .iter()
        .map(|m| (m, dialect.render(m.sql)))
        .chain(std::iter::once((
            &partition_step,
            partitioning.1.to_owned(),
        )))
        .collect();
    steps.sort_by_key(|(m, _)| m.version);
    for (migration, sql) in steps {
        if migration.version <= current {
            continue;
        }
        let applied = in_transaction(conn, |tx| {
            // Another process may have migrated between our read and now: re-check inside
            // the transaction (PostgreSQL callers also hold an advisory lock).
            let rows = tx.query(
                "SELECT version FROM schema_migrations WHERE version = $1",
                &[Cell::I64(migration.version)],
                1,
            )?;
            if !rows.is_empty() {
                return Ok(false);
            }
            for stmt in schema::statements(&sql) {
                tx.batch(stmt)?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[Cell::I64(migration.version), Cell::text(migration.name)],
            )?;
            Ok(true)
        })
        .map_err(|source| Error::Migration {
            version: migration.version,
            name: migration.name,
            source: Box::new(source),
        })?;
        if applied {
            tracing::info!(
                version = migration.version,
                name = migration.name,
                "applied migration"
            );
        }
    }
    schema_version(conn)
}

/// Highest applied migration version (0 for an empty database).
pub(crate) fn schema_version(conn: &mut dyn Conn) -> Result<i64> {
    let rows = conn.query(
        "SELECT CAST(coalesce(max(version), 0) AS BIGINT) FROM schema_migrations",
        &[],
        1,
    )?;
    first_i64(&rows, "schema_migrations")
}

/// Name recorded for a migration version, if applied.
pub(crate) fn migration_name(conn: &mut dyn Conn, version: i64) -> Result<Option<String>> {
    let rows = conn.query(
        "SELECT name FROM schema_migrations WHERE version = $1",
        &[Cell::I64(version)],
        1,
    )?;
    match rows.first() {
        None => Ok(None),
        Some(row) => Ok(Some(text(row, 0, "schema_migrations")?)),
    }
}

pub(crate) fn first_i64(rows: &[Row], table: &'static str) -> Result<i64> {
    let row = rows
        .first()
        .ok_or_else(|| Error::corrupt(table, "query returned no row"))?;
    i64_at(row, 0, table)
}

pub(crate) fn i64_at(row: &Row, idx: usize, table: &'static str) -> Result<i64> {
    match row.get(idx) {
        Some(Value::I64(v)) => Ok(*v),
        other => Err(Error::corrupt(
            table,
            format!("column {idx}: expected integer, got {other:?}"),
        )),
    }
}

pub(crate) fn opt_i64(row: &Row, idx: usize, table: &'static str) -> Result<Option<i64>> {
    match row.get(idx) {
        Some(Value::Null) => Ok(None),
        _ => i64_at(row, idx, table).map(Some),
    }
}

pub(crate) fn opt_f64(row: &Row, idx: usize, table: &'static str) -> Result<Option<f64>> {
    match row.get(idx) {
        Some(Value::Null) => Ok(None),
        Some(Value::F64(v)) => Ok(Some(*v)),
        other => Err(Error::corrupt(
            table,
            format!("column {idx}: expected float, got {other:?}"),
        )),
    }
}

pub(crate) fn text(row: &Row, idx: usize, table: &'static str) -> Result<String> {
    match row.get(idx) {
        Some(Value::Text(v)) => Ok(v.clone()),
        other => Err(Error::corrupt(
            table,
            format!("column {idx}: expected text, got {other:?}"),
        )),
    }
}

pub(crate) fn i16_at(row: &Row, idx: usize, table: &'static str) -> Result<i16> {
    let v = i64_at(row, idx, table)?;
    i16::try_from(v).map_err(|_| Error::corrupt(table, format!("column {idx}: {v} exceeds i16")))
}
