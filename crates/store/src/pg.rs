//! The PostgreSQL backend (institutional tier), with TimescaleDB when the server has it.

use std::error::Error as StdError;
use std::time::Duration;

use parking_lot::Mutex;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schema::{self, ColumnType, Dialect, TableSpec};
use crate::sql::{self, Cell, Conn, LoadInto, Row, Value};
use crate::types::{BackendKind, PgFlavor};

/// Key of the session advisory lock that serialises migrations between processes.
const MIGRATION_LOCK: i64 = 0x0045_4d50_5f4d_4947; // "EMP_MIG"

const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// TimescaleDB policies, in days (`0` = no policy). Used only on the Timescale flavour; applied
/// on every open, so changing them here changes the server's policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimescalePolicy {
    /// Chunk length of every hypertable.
    pub chunk_days: u32,
    /// Compress bar chunks older than this.
    pub compress_bars_after_days: u32,
    /// Compress tick (quote/trade) chunks older than this.
    pub compress_ticks_after_days: u32,
    /// Drop bar chunks older than this (bars are the research history: keep long).
    pub retain_bars_days: u32,
    /// Drop tick chunks older than this.
    pub retain_ticks_days: u32,
    /// Drop snapshot-journal chunks older than this.
    pub retain_snapshots_days: u32,
}

impl Default for TimescalePolicy {
    fn default() -> Self {
        TimescalePolicy {
            chunk_days: 7,
            compress_bars_after_days: 30,
            compress_ticks_after_days: 7,
            retain_bars_days: 0,
            retain_ticks_days: 365,
            retain_snapshots_days: 90,
        }
    }
}

impl TimescalePolicy {
    /// Report every invalid field at once.
    pub fn validate(&self) -> Result<(), emp_telemetry::ConfigErrors> {
        let mut v = emp_telemetry::Violations::new();
        v.check(
            self.chunk_days > 0,
            "chunk_days",
            format!("must be > 0, got {}", self.chunk_days),
        );
        for (path, retain, compress) in [
            (
                "retain_bars_days",
                self.retain_bars_days,
                self.compress_bars_after_days,
            ),
            (
                "retain_ticks_days",
                self.retain_ticks_days,
                self.compress_ticks_after_days,
            ),
        ] {
            v.check(
                retain == 0 || compress == 0 || retain > compress,
                path,
                format!("must be 0 or > the compression age {compress}, got {retain}"),
            );
        }
        v.into_result()
    }
}

/// A [`MarketDataStore`] and [`SnapshotStore`] on PostgreSQL.
///
/// Uses the synchronous `postgres` client (one connection behind a mutex; blocking calls).
/// Do not call it from inside a tokio runtime thread: the client drives its own runtime.
pub struct PgStore {
    client: Mutex<Client>,
    /// Kept for the client tools (`pg_dump`); never printed (it holds the password).
    config: postgres::Config,
    location: String,
    flavor: PgFlavor,
    schema_version: i64,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
            .field("flavor", &self.flavor)
            .field("schema_version", &self.schema_version)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connect with the default [`TimescalePolicy`]; see [`PgStore::connect_with`].
    pub fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, &TimescalePolicy::default())
    }

    /// Connect to `url` (`postgres://user:password@host:port/db` or `key=value` form, no TLS),
    /// detect TimescaleDB, and apply pending migrations (serialised across processes by an
    /// advisory lock). The password never appears in errors, logs or [`StoreHealth`].
    pub fn connect_with(url: &str, policy: &TimescalePolicy) -> Result<Self> {
        policy.validate().map_err(Error::Config)?;
        let mut config: postgres::Config =
            url.parse().map_err(Error::pg("parse connection url"))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let location = describe(&config);
        let mut client = config.connect(NoTls).map_err(Error::pg("connect"))?;
        client
            .batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .map_err(Error::pg("take migration lock"))?;
        let prepared = prepare_schema(&mut client, policy);
        let unlocked = client
            .batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .map_err(Error::pg("release migration lock"));
        let (flavor, schema_version) = prepared?;
        unlocked?;
        tracing::info!(%location, flavor = flavor.as_str(), schema_version, "postgres store ready");
        Ok(PgStore {
            client: Mutex::new(client),
            config,
            location,
            flavor,
            schema_version,
        })
    }

    /// Whether the tables are TimescaleDB hypertables or plain tables.
    pub fn flavor(&self) -> PgFlavor {
        self.flavor
    }

    fn pg_flavor(&self) -> Option<PgFlavor> {
        Some(self.flavor)
    }

    /// `host:port/dbname (user)`, never the password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// libpq environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`) for the
    /// PostgreSQL client tools, so no secret appears on a command line.
    pub(crate) fn libpq_env(&self) -> Vec<(&'static str, String)> {
        let c = &self.config;
        let mut env = Vec::new();
        match c.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => env.push(("PGHOST", h.clone())),
            #[cfg(unix)]
            Some(postgres::config::Host::Unix(p)) => env.push(("PGHOST", p.display().to_string())),
            None => {}
        }
        if let Some(port) = c.get_ports().first() {
            env.push(("PGPORT", port.to_string()));
        }
        if let Some(user) = c.get_user() {
            env.push(("PGUSER", user.to_owned()));
        }
        if let Some(pw) = c.get_password() {
            env.push(("PGPASSWORD", String::from_utf8_lossy(pw).into_owned()));
        }
        if let Some(db) = c.get_dbname() {
            env.push(("PGDATABASE", db.to_owned()));
        }
        env
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        let mut client = self.client.lock();
        // A connection the server (or the network) dropped never comes back by itself:
        // reconnect, so the store recovers when the server does (failover backfill needs it).
        // If the server is still away, the closed client's own error reports it.
        if client.is_closed() {
            match self.config.connect(NoTls) {
                Ok(fresh) => {
                    tracing::info!(location = %self.location, "reconnected to postgres");
                    *client = fresh;
                }
                Err(e) => tracing::debug!(error = %e, "postgres still unreachable"),
            }
        }
        f(&mut PgConn(&mut client))
    }
}

fn describe(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("");
    let user = config.get_user().unwrap_or("");
    format!("{host}:{port}/{db} (user {user})")
}

/// Migrate, choosing the time-partitioning step from what the server offers. Runs under the
/// migration lock.
fn prepare_schema(client: &mut Client, policy: &TimescalePolicy) -> Result<(PgFlavor, i64)> {
    let mut conn = PgConn(client);
    conn.batch(schema::MIGRATIONS_TABLE_DDL)?;
    let recorded = sql::migration_name(&mut conn, schema::TIME_PARTITIONING_VERSION)?;
    let flavor = match recorded {
        // Once chosen, the flavour is a fact about the tables: keep reporting it.
        Some(name) if name.contains("timescale") => PgFlavor::Timescale,
        Some(_) => PgFlavor::Plain,
        None => detect_timescale(conn.0),
    };
    let (name, ddl) = match flavor {
        PgFlavor::Timescale => ("time_partitioning_timescale", timescale_ddl(policy)),
        PgFlavor::Plain => ("time_partitioning_plain_brin", PLAIN_DDL.to_owned()),
    };
    let version = sql::migrate(&mut conn, (name, &ddl))?;
    if flavor == PgFlavor::Timescale {
        apply_timescale_policies(&mut conn, policy)?;
    }
    Ok((flavor, version))
}

/// Timescale if the extension is installed in this database, or can be installed now.
fn detect_timescale(client: &mut Client) -> PgFlavor {
    let installed = |c: &mut Client| {
        c.query(
            "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'",
            &[],
        )
        .map(|rows| !rows.is_empty())
        .unwrap_or(false)
    };
    if installed(client) {
        return PgFlavor::Timescale;
    }
    let available = client
        .query(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'",
            &[],
        )
        .map(|rows| !rows.is_empty())
        .unwrap_or(false);
    if available {
        // Needs privileges and `shared_preload_libraries`; without them we run plain.
        if let Err(e) = client.batch_execute("CREATE EXTENSION IF NOT EXISTS timescaledb") {
            tracing::warn!(error = %e, "timescaledb is available but could not be created; using plain tables");
        }
    }
    if installed(client) {
        PgFlavor::Timescale
    } else {
        PgFlavor::Plain
    }
}

/// Plain PostgreSQL: BRIN indexes on time. Rows arrive roughly in time order, so a BRIN index
/// prunes range scans at a fraction of a B-tree's size.
const PLAIN_DDL: &str = "
CREATE INDEX IF NOT EXISTS bars_ts_brin ON market_data.bars USING brin (ts);
CREATE INDEX IF NOT EXISTS quotes_ts_brin ON market_data.quotes USING brin (ts);
CREATE INDEX IF NOT EXISTS trades_ts_brin ON market_data.trades USING brin (ts);
CREATE INDEX IF NOT EXISTS series_ts_brin ON macro_data.series USING brin (ts);
CREATE INDEX IF NOT EXISTS snapshots_ts_brin ON telemetry.snapshots USING brin (generated_at)";

/// Hypertables: (table, time column, compression segment-by columns).
const HYPERTABLES: [(&str, &str, &str); 4] = [
    ("market_data.bars", "ts", "symbol, timeframe"),
    ("market_data.quotes", "ts", "symbol"),
    ("market_data.trades", "ts", "symbol"),
    ("telemetry.snapshots", "generated_at", "topic"),
];

fn timescale_ddl(policy: &TimescalePolicy) -> String {
    let chunk = i64::from(policy.chunk_days) * NANOS_PER_DAY;
    // Integer (nanosecond) time needs an "integer now" function for policies to work.
    let mut ddl = String::from(
        "CREATE OR REPLACE FUNCTION telemetry.emp_unix_nanos_now() RETURNS BIGINT \
         LANGUAGE SQL STABLE AS $$ SELECT (extract(epoch FROM now()) * 1000000000)::BIGINT $$;\n",
    );
    for (table, time, segment_by) in HYPERTABLES {
        ddl.push_str(&format!(
            "SELECT create_hypertable('{table}', '{time}', chunk_time_interval => {chunk}::BIGINT, \
             migrate_data => true, if_not_exists => true);\n\
             SELECT set_integer_now_func('{table}', 'telemetry.emp_unix_nanos_now', replace_if_exists => true);\n\
             ALTER TABLE {table} SET (timescaledb.compress, \
             timescaledb.compress_segmentby = '{segment_by}', timescaledb.compress_orderby = '{time}');\n"
        ));
    }
    ddl
}

/// Replace the compression and retention policies with the configured ones.
fn apply_timescale_policies(conn: &mut PgConn<'_>, policy: &TimescalePolicy) -> Result<()> {
    let days = |d: u32| i64::from(d) * NANOS_PER_DAY;
    let plans = [
        (
            "market_data.bars",
            policy.compress_bars_after_days,
            policy.retain_bars_days,
        ),
        (
            "market_data.quotes",
            policy.compress_ticks_after_days,
            policy.retain_ticks_days,
        ),
        (
            "market_data.trades",
            policy.compress_ticks_after_days,
            policy.retain_ticks_days,
        ),
        (
            "telemetry.snapshots",
            policy.compress_ticks_after_days,
            policy.retain_snapshots_days,
        ),
    ];
    for (table, compress, retain) in plans {
        let mut sql = format!(
            "SELECT remove_compression_policy('{table}', if_exists => true);\n\
             SELECT remove_retention_policy('{table}', if_exists => true);\n"
        );
        if compress > 0 {
            sql.push_str(&format!(
                "SELECT add_compression_policy('{table}', compress_after => {}::BIGINT);\n",
                days(compress)
            ));
        }
        if retain > 0 {
            sql.push_str(&format!(
                "SELECT add_retention_policy('{table}', drop_after => {}::BIGINT);\n",
                days(retain)
            ));
        }
        conn.batch(&sql)?;
    }
    Ok(())
}

crate::backend::sql_backend_impls!(PgStore, BackendKind::Postgres);

impl ToSql for Cell<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        // Delegate with the inner type's own check, so a cell of the wrong width for its
        // column is a typed error rather than malformed wire data.
        match self {
            Cell::I64(v) => v.to_sql_checked(ty, out),
            Cell::I16(v) => v.to_sql_checked(ty, out),
            Cell::OptI64(v) => v.to_sql_checked(ty, out),
            Cell::F64(v) => v.to_sql_checked(ty, out),
            Cell::Text(s) => {
                let text: &str = s;
                <&str as ToSql>::to_sql_checked(&text, ty, out)
            }
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty)
            || <i16 as ToSql>::accepts(ty)
            || <f64 as ToSql>::accepts(ty)
            || <&str as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

struct PgConn<'a>(&'a mut Client);

fn refs<'a>(params: &'a [Cell<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|c| c as &(dyn ToSql + Sync)).collect()
}

fn value_at(row: &postgres::Row, i: usize) -> Result<Value> {
    let get = |e| Error::Postgres {
        context: "read column",
        source: e,
    };
    let Some(ty) = row.columns().get(i).map(|c| c.type_()) else {
        return Err(Error::corrupt("postgres", format!("missing column {i}")));
    };
    // `Type` constants cannot be match patterns (not structural), hence the if-chain.
    let value = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)
            .map_err(get)?
            .map(Value::I64)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)
            .map_err(get)?
            .map(|v| Value::I64(v.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)
            .map_err(get)?
            .map(|v| Value::I64(v.into()))
    } else if *ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(i)
            .map_err(get)?
            .map(Value::F64)
    } else if [Type::TEXT, Type::VARCHAR, Type::NAME, Type::BPCHAR].contains(ty) {
        row.try_get::<_, Option<String>>(i)
            .map_err(get)?
            .map(Value::Text)
    } else {
        return Err(Error::corrupt(
            "postgres",
            format!("unsupported column type {ty} at {i}"),
        ));
    };
    Ok(value.unwrap_or(Value::Null))
}

impl Conn for PgConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.0
            .batch_execute(sql)
            .map_err(Error::pg("execute batch"))
    }

    fn execute(&mut self, sql: &str, params: &[Cell<'_>]) -> Result<u64> {
        self.0
            .execute(sql, &refs(params))
            .map_err(Error::pg("execute statement"))
    }

    fn query(&mut self, sql: &str, params: &[Cell<'_>], ncols: usize) -> Result<Vec<Row>> {
        let rows = self
            .0
            .query(sql, &refs(params))
            .map_err(Error::pg("run query"))?;
        rows.iter()
            .map(|row| (0..ncols).map(|i| value_at(row, i)).collect())
            .collect()
    }

    fn load(&mut self, spec: &TableSpec, into: LoadInto, rows: &[Vec<Cell<'_>>]) -> Result<()> {
        let types: Vec<Type> = spec
            .columns
            .iter()
            .map(|(_, ty)| match ty {
                ColumnType::Int8 => Type::INT8,
                ColumnType::Int2 => Type::INT2,
                ColumnType::Float8 => Type::FLOAT8,
                ColumnType::Text => Type::TEXT,
            })
            .collect();
        let table = match into {
            LoadInto::Stage => spec.stage,
            LoadInto::Target => spec.target,
        };
        let copy = format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            spec.column_list()
        );
        let sink = self
            .0
            .copy_in(&copy)
            .map_err(Error::pg("start binary copy"))?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        for row in rows {
            writer.write(&refs(row)).map_err(Error::pg("copy row"))?;
        }
        writer.finish().map_err(Error::pg("finish binary copy"))?;
        Ok(())
    }
}
