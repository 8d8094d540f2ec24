//! The embedded DuckDB backend (bootstrap tier): one file in the data directory.

use std::path::{Path, PathBuf};

use duckdb::types::{ToSqlOutput, ValueRef};
use duckdb::{Connection, ToSql, appender_params_from_iter, params_from_iter};
use parking_lot::Mutex;

use crate::error::{Error, Result};
use crate::schema::{Dialect, TableSpec};
use crate::sql::{self, Cell, Conn, LoadInto, Row, Value};
use crate::types::BackendKind;

/// DuckDB needs no extra time index: it keeps min/max zone maps per row group, which prune
/// range scans on `ts` the way BRIN does in PostgreSQL. The step is still recorded so both
/// backends report the same schema version.
const PARTITIONING: (&str, &str) = ("time_partitioning_duckdb_zonemaps", "");

/// A [`MarketDataStore`] and [`SnapshotStore`] on an embedded DuckDB database.
///
/// DuckDB allows one writing process per file; the connection is behind a mutex so the store
/// is `Sync` and can be shared as `Arc<DuckDbStore>`. All calls block.
pub struct DuckDbStore {
    conn: Mutex<Connection>,
    location: String,
    schema_version: i64,
}

impl std::fmt::Debug for DuckDbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuckDbStore")
            .field("location", &self.location)
            .field("schema_version", &self.schema_version)
            .finish_non_exhaustive()
    }
}

impl DuckDbStore {
    /// Open (creating if needed) the database file at `path`, creating its parent directory,
    /// and apply pending migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("create data directory {}", parent.display()),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(Error::duck("open database file"))?;
        Self::init(conn, path.display().to_string())
    }

    /// An in-memory database (tests, throw-away analyses).
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(Error::duck("open in-memory database"))?;
        Self::init(conn, ":memory:".to_owned())
    }

    fn init(conn: Connection, location: String) -> Result<Self> {
        let schema_version = sql::migrate(&mut DuckConn(&conn), PARTITIONING)?;
        Ok(DuckDbStore {
            conn: Mutex::new(conn),
            location,
            schema_version,
        })
    }

    /// The database file (or `:memory:`).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// DuckDB has no PostgreSQL flavour (for the shared `health`).
    fn pg_flavor(&self) -> Option<crate::types::PgFlavor> {
        None
    }

    /// Path of the database file, `None` in memory.
    pub fn path(&self) -> Option<PathBuf> {
        (self.location != ":memory:").then(|| PathBuf::from(&self.location))
    }

    /// `EXPORT DATABASE` into `dir` (schema plus one CSV per table), under the connection
    /// lock so the export is one consistent state.
    pub(crate) fn export_database(&self, dir: &Path) -> Result<()> {
        let conn = self.conn.lock();
        // The connection's (empty) temporary staging tables would be exported too but cannot
        // be imported; they are recreated on the next write.
        for spec in crate::schema::STAGED_TABLES {
            conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.{}", spec.stage))
                .map_err(Error::duck("drop staging table before export"))?;
        }
        conn.execute_batch(&format!("EXPORT DATABASE {}", quote_path(dir)))
            .map_err(|e| Error::Backup {
                step: "EXPORT DATABASE".into(),
                detail: e.to_string(),
            })
    }

    /// A fresh in-memory database loaded from an `EXPORT DATABASE` directory.
    pub(crate) fn import_in_memory(dir: &Path) -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(Error::duck("open in-memory database"))?;
        conn.execute_batch(&format!("IMPORT DATABASE {}", quote_path(dir)))
            .map_err(Error::duck("import database"))?;
        Ok(DuckDbStore {
            conn: Mutex::new(conn),
            location: ":memory:".to_owned(),
            schema_version: 0,
        })
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        let conn = self.conn.lock();
        f(&mut DuckConn(&conn))
    }
}

crate::backend::sql_backend_impls!(DuckDbStore, BackendKind::DuckDb);

/// The driver calls on a borrowed connection.
struct DuckConn<'a>(&'a Connection);

impl ToSql for Cell<'_> {
    fn to_sql(&self) -> duckdb::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::I64(v) => ToSqlOutput::Owned(duckdb::types::Value::BigInt(*v)),
            Cell::I16(v) => ToSqlOutput::Owned(duckdb::types::Value::SmallInt(*v)),
            Cell::OptI64(Some(v)) => ToSqlOutput::Owned(duckdb::types::Value::BigInt(*v)),
            Cell::F64(Some(v)) => ToSqlOutput::Owned(duckdb::types::Value::Double(*v)),
            Cell::OptI64(None) | Cell::F64(None) => ToSqlOutput::Owned(duckdb::types::Value::Null),
            Cell::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn value_from(v: ValueRef<'_>) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Boolean(b) => Value::I64(i64::from(b)),
        ValueRef::TinyInt(x) => Value::I64(x.into()),
        ValueRef::SmallInt(x) => Value::I64(x.into()),
        ValueRef::Int(x) => Value::I64(x.into()),
        ValueRef::BigInt(x) => Value::I64(x),
        ValueRef::UTinyInt(x) => Value::I64(x.into()),
        ValueRef::USmallInt(x) => Value::I64(x.into()),
        ValueRef::UInt(x) => Value::I64(x.into()),
        ValueRef::HugeInt(x) => Value::I64(
            i64::try_from(x).map_err(|_| Error::corrupt("duckdb", format!("{x} exceeds i64")))?,
        ),
        ValueRef::UBigInt(x) => Value::I64(
            i64::try_from(x).map_err(|_| Error::corrupt("duckdb", format!("{x} exceeds i64")))?,
        ),
        ValueRef::Float(x) => Value::F64(x.into()),
        ValueRef::Double(x) => Value::F64(x),
        ValueRef::Text(bytes) => Value::Text(
            String::from_utf8(bytes.to_vec())
                .map_err(|e| Error::corrupt("duckdb", format!("invalid UTF-8: {e}")))?,
        ),
        other => {
            return Err(Error::corrupt(
                "duckdb",
                format!("unsupported column type {:?}", other.data_type()),
            ));
        }
    })
}

impl Conn for DuckConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::DuckDb
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.0
            .execute_batch(sql)
            .map_err(Error::duck("execute batch"))
    }

    fn execute(&mut self, sql: &str, params: &[Cell<'_>]) -> Result<u64> {
        let n = self
            .0
            .execute(sql, params_from_iter(params.iter()))
            .map_err(Error::duck("execute statement"))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Cell<'_>], ncols: usize) -> Result<Vec<Row>> {
        let mut stmt = self.0.prepare(sql).map_err(Error::duck("prepare query"))?;
        let mut rows = stmt
            .query(params_from_iter(params.iter()))
            .map_err(Error::duck("run query"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(Error::duck("fetch row"))? {
            let mut values = Vec::with_capacity(ncols);
            for i in 0..ncols {
                values.push(value_from(
                    row.get_ref(i).map_err(Error::duck("read column"))?,
                )?);
            }
            out.push(values);
        }
        Ok(out)
    }

    fn load(&mut self, spec: &TableSpec, into: LoadInto, rows: &[Vec<Cell<'_>>]) -> Result<()> {
        // The appender writes into the connection's open transaction, so the loaded rows, the
        // merge and the journal row commit (or vanish) together.
        let mut appender = match into {
            LoadInto::Stage => self
                .0
                .appender_to_catalog_and_db(spec.stage, "temp", "main"),
            LoadInto::Target => {
                let (schema, table) = spec.target.split_once('.').unwrap_or(("main", spec.target));
                let columns: Vec<&str> = spec.columns.iter().map(|(name, _)| *name).collect();
                self.0.appender_with_columns_to_db(table, schema, &columns)
            }
        }
        .map_err(Error::duck("open appender"))?;
        for row in rows {
            appender
                .append_row(appender_params_from_iter(row.iter()))
                .map_err(Error::duck("append row"))?;
        }
        appender.flush().map_err(Error::duck("flush appender"))
    }
}

/// A path as an SQL string literal (quotes doubled).
fn quote_path(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "''"))
}
