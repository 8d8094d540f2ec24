//! The logical schema (DESIGN §4) as versioned migrations, shared by both backends.
//!
//! Representation choices (identical in DuckDB and PostgreSQL, so a row round-trips the same way
//! through either backend):
//!
//! * **Time** is `BIGINT` nanoseconds since the Unix epoch — exactly `UnixNanos`. PostgreSQL's
//!   `timestamptz` only keeps microseconds, which would silently merge tick timestamps.
//! * **Prices and quantities** are `BIGINT` raw fixed-point integers plus a `SMALLINT` precision
//!   column (`price_precision`, `volume_precision`/`size_precision`): value = raw / 10^precision.
//!   This is lossless (the model's own representation), keeps the instrument's precision
//!   (`DECIMAL` would turn `1.10` into `1.100000000`), is 8 bytes fixed width in both engines, and
//!   goes through DuckDB's appender and PostgreSQL's binary `COPY` as plain integers — no
//!   `NUMERIC` wire encoding. `DECIMAL(18,9)` would also cap values at 10^9, too small for
//!   volumes. All prices of one row share one precision (the largest of the row's prices; a
//!   lower-precision price is rescaled exactly).
//! * **Macro values** are `FLOAT8` (they arrive as decimal text of arbitrary precision and are
//!   used as f64 by analytics; `NULL` = missing).
//! * **Keys** make the merge idempotent: bars `(symbol, timeframe, ts)`, quotes and trades the
//!   full content of the tick (ticks have no natural id and several may share a millisecond),
//!   quarantine `(file, line)`, macro series `(series_id, ts)`, macro events
//!   `(event_name, currency, ts)`, snapshots `(topic, generated_at)`, ingest runs `run_id`.
//! * **JSON** (snapshot payloads, run metadata, registry documents) is `JSONB` in PostgreSQL and
//!   `VARCHAR` in DuckDB (its JSON type needs an extension the bundled build does not ship).

/// One versioned migration. Its SQL never changes once released: changes are new migrations.
#[derive(Debug)]
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    /// Statements separated by `;`. `{json}` is replaced by the backend's JSON column type.
    pub(crate) sql: &'static str,
}

/// The backend a migration is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    DuckDb,
    Postgres,
}

impl Dialect {
    pub(crate) fn json_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::Postgres => "JSONB",
        }
    }

    /// A JSON-valued bind parameter: PostgreSQL needs an explicit cast from text.
    pub(crate) fn json_param(self, n: usize) -> String {
        match self {
            Dialect::DuckDb => format!("${n}"),
            Dialect::Postgres => format!("${n}::text::jsonb"),
        }
    }

    pub(crate) fn render(self, sql: &str) -> String {
        sql.replace("{json}", self.json_type())
    }
}

/// Table holding the applied migrations (in the default schema: `public` / `main`).
pub(crate) const MIGRATIONS_TABLE_DDL: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)";

/// Version of the backend-specific time-partitioning step (see `pg.rs` / `duck.rs`).
pub(crate) const TIME_PARTITIONING_VERSION: i64 = 3;

/// Highest migration version this build knows.
pub(crate) const LATEST_VERSION: i64 = 4;

/// The shared migrations. Version 3 (time partitioning) is backend-specific and lives with
/// the backend, because it depends on what the server offers (TimescaleDB or not); the
/// migrator interleaves it by version.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "market_and_macro_data",
        sql: "
CREATE SCHEMA IF NOT EXISTS market_data;
CREATE SCHEMA IF NOT EXISTS macro_data;
CREATE TABLE market_data.bars (
    symbol TEXT NOT NULL,
    timeframe TEXT NOT NULL,
    ts BIGINT NOT NULL,
    open BIGINT NOT NULL,
    high BIGINT NOT NULL,
    low BIGINT NOT NULL,
    close BIGINT NOT NULL,
    price_precision SMALLINT NOT NULL,
    volume BIGINT NOT NULL,
    volume_precision SMALLINT NOT NULL,
    source TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (symbol, timeframe, ts)
);
CREATE TABLE market_data.quotes (
    symbol TEXT NOT NULL,
    ts BIGINT NOT NULL,
    bid BIGINT NOT NULL,
    ask BIGINT NOT NULL,
    price_precision SMALLINT NOT NULL,
    bid_size BIGINT NOT NULL,
    ask_size BIGINT NOT NULL,
    size_precision SMALLINT NOT NULL,
    source TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (symbol, ts, bid, ask, bid_size, ask_size)
);
CREATE TABLE market_data.trades (
    symbol TEXT NOT NULL,
    ts BIGINT NOT NULL,
    price BIGINT NOT NULL,
    price_precision SMALLINT NOT NULL,
    size BIGINT NOT NULL,
    size_precision SMALLINT NOT NULL,
    aggressor SMALLINT NOT NULL,
    trade_id TEXT NOT NULL,
    source TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (symbol, ts, trade_id, price, size, aggressor)
);
CREATE TABLE market_data.quarantine (
    file TEXT NOT NULL,
    line BIGINT NOT NULL,
    reason TEXT NOT NULL,
    raw_text TEXT NOT NULL,
    run_id TEXT NOT NULL,
    source TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (file, line)
);
CREATE TABLE macro_data.series (
    series_id TEXT NOT NULL,
    ts BIGINT NOT NULL,
    value FLOAT8,
    source TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (series_id, ts)
);
CREATE TABLE macro_data.events (
    event_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    ts BIGINT NOT NULL,
    actual FLOAT8,
    forecast FLOAT8,
    previous FLOAT8,
    importance TEXT NOT NULL,
    source TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (event_name, currency, ts)
)",
    },
    Migration {
        version: 2,
        name: "telemetry_and_strategy",
        sql: "
CREATE SCHEMA IF NOT EXISTS telemetry;
CREATE SCHEMA IF NOT EXISTS strategy;
CREATE TABLE telemetry.ingest_runs (
    run_id TEXT PRIMARY KEY,
    dimension TEXT NOT NULL,
    status TEXT NOT NULL,
    rows_written BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    batches BIGINT NOT NULL,
    freshness_ns BIGINT,
    started_at BIGINT NOT NULL,
    duration_ns BIGINT NOT NULL,
    source TEXT NOT NULL,
    symbols {json} NOT NULL,
    metadata {json} NOT NULL
);
CREATE TABLE telemetry.snapshots (
    topic TEXT NOT NULL,
    generated_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    payload {json} NOT NULL,
    PRIMARY KEY (topic, generated_at)
);
CREATE TABLE strategy.registry (
    strategy_id TEXT PRIMARY KEY,
    genome {json} NOT NULL,
    fitness_report {json} NOT NULL,
    provenance {json} NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
)",
    },
    Migration {
        version: 4,
        name: "operational_audit",
        // Typed audit tables (DESIGN §4) beside the generic snapshot journal: execution
        // figures as columns so that SQL can chart fill rates and latencies, and the record
        // of every backup that `operational.backups` grades.
        sql: "
CREATE TABLE telemetry.execution_snapshots (
    generated_at BIGINT PRIMARY KEY,
    status TEXT NOT NULL,
    fill_rate DOUBLE PRECISION,
    rejection_rate DOUBLE PRECISION,
    pending_orders BIGINT,
    avg_latency_ms DOUBLE PRECISION,
    peak_latency_ms DOUBLE PRECISION,
    submitted BIGINT,
    fills BIGINT,
    retries BIGINT,
    payload {json} NOT NULL
);
CREATE TABLE telemetry.backups (
    completed_at BIGINT PRIMARY KEY,
    backend TEXT NOT NULL,
    method TEXT NOT NULL,
    location TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    verified BOOLEAN NOT NULL,
    detail TEXT NOT NULL,
    duration_ns BIGINT NOT NULL
)",
    },
];

/// Split a migration into statements (our SQL has no `;` inside literals).
pub(crate) fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// Column layout of a staging table: the columns loaded by the appender / binary COPY, in order,
/// and the key the merge deduplicates on.
#[derive(Debug)]
pub(crate) struct TableSpec {
    pub(crate) target: &'static str,
    pub(crate) stage: &'static str,
    pub(crate) columns: &'static [(&'static str, ColumnType)],
    pub(crate) key: &'static [&'static str],
}

/// Storage type of one staged column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Int8,
    Int2,
    /// Nullable FLOAT8.
    Float8,
    Text,
}

use ColumnType::{Float8, Int2, Int8, Text};

pub(crate) const BARS: TableSpec = TableSpec {
    target: "market_data.bars",
    stage: "emp_stage_bars",
    columns: &[
        ("symbol", Text),
        ("timeframe", Text),
        ("ts", Int8),
        ("open", Int8),
        ("high", Int8),
        ("low", Int8),
        ("close", Int8),
        ("price_precision", Int2),
        ("volume", Int8),
        ("volume_precision", Int2),
        ("source", Text),
        ("ingested_at", Int8),
    ],
    key: &["symbol", "timeframe", "ts"],
};

pub(crate) const QUOTES: TableSpec = TableSpec {
    target: "market_data.quotes",
    stage: "emp_stage_quotes",
    columns: &[
        ("symbol", Text),
        ("ts", Int8),
        ("bid", Int8),
        ("ask", Int8),
        ("price_precision", Int2),
        ("bid_size", Int8),
        ("ask_size", Int8),
        ("size_precision", Int2),
        ("source", Text),
        ("ingested_at", Int8),
    ],
    key: &["symbol", "ts", "bid", "ask", "bid_size", "ask_size"],
};

pub(crate) const TRADES: TableSpec = TableSpec {
    target: "market_data.trades",
    stage: "emp_stage_trades",
    columns: &[
        ("symbol", Text),
        ("ts", Int8),
        ("price", Int8),
        ("price_precision", Int2),
        ("size", Int8),
        ("size_precision", Int2),
        ("aggressor", Int2),
        ("trade_id", Text),
        ("source", Text),
        ("ingested_at", Int8),
    ],
    key: &["symbol", "ts", "trade_id", "price", "size", "aggressor"],
};

pub(crate) const QUARANTINE: TableSpec = TableSpec {
    target: "market_data.quarantine",
    stage: "emp_stage_quarantine",
    columns: &[
        ("file", Text),
        ("line", Int8),
        ("reason", Text),
        ("raw_text", Text),
        ("run_id", Text),
        ("source", Text),
        ("ingested_at", Int8),
    ],
    key: &["file", "line"],
};

pub(crate) const MACRO_SERIES: TableSpec = TableSpec {
    target: "macro_data.series",
    stage: "emp_stage_macro_series",
    columns: &[
        ("series_id", Text),
        ("ts", Int8),
        ("value", Float8),
        ("source", Text),
        ("ingested_at", Int8),
    ],
    key: &["series_id", "ts"],
};

pub(crate) const MACRO_EVENTS: TableSpec = TableSpec {
    target: "macro_data.events",
    stage: "emp_stage_macro_events",
    columns: &[
        ("event_name", Text),
        ("currency", Text),
        ("ts", Int8),
        ("actual", Float8),
        ("forecast", Float8),
        ("previous", Float8),
        ("importance", Text),
        ("source", Text),
        ("ingested_at", Int8),
    ],
    key: &["event_name", "currency", "ts"],
};

impl TableSpec {
    pub(crate) fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `CREATE TEMP TABLE` for the staging table (same column types as the target, no key: the
    /// batch may itself contain duplicates).
    pub(crate) fn stage_ddl(&self) -> String {
        let cols = self
            .columns
            .iter()
            .map(|(name, ty)| {
                let sql_ty = match ty {
                    Int8 => "BIGINT",
                    Int2 => "SMALLINT",
                    Float8 => "FLOAT8",
                    Text => "TEXT",
                };
                format!("{name} {sql_ty}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!("CREATE TEMP TABLE IF NOT EXISTS {} ({cols})", self.stage)
    }

    /// Merge the staging table into the target: one row per key (first one seen wins between
    /// duplicates inside a batch is not guaranteed; identical keys carry identical data in
    /// practice), existing keys untouched. Returns the inserted count through the driver.
    pub(crate) fn merge_sql(&self) -> String {
        let cols = self.column_list();
        let key = self.key.join(", ");
        format!(
            "INSERT INTO {target} ({cols}) SELECT DISTINCT ON ({key}) {cols} FROM {stage} \
             ON CONFLICT DO NOTHING",
            target = self.target,
            stage = self.stage,
        )
    }
}

/// Every table whose rows are merged from a staging table.
pub(crate) const STAGED_TABLES: [&TableSpec; 6] = [
    &BARS,
    &QUOTES,
    &TRADES,
    &QUARANTINE,
    &MACRO_SERIES,
    &MACRO_EVENTS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_strictly_increasing_around_partitioning() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(m.version > last, "{} not after {last}", m.version);
            assert_ne!(m.version, TIME_PARTITIONING_VERSION);
            last = m.version;
        }
        assert_eq!(last, LATEST_VERSION);
    }

    #[test]
    fn render_replaces_json_placeholder_per_dialect() {
        let sql = MIGRATIONS[1].sql;
        assert!(Dialect::Postgres.render(sql).contains("payload JSONB"));
        assert!(Dialect::DuckDb.render(sql).contains("payload VARCHAR"));
        assert!(!Dialect::DuckDb.render(sql).contains("{json}"));
    }

    #[test]
    fn merge_sql_lists_columns_and_key() {
        let sql = BARS.merge_sql();
        assert!(sql.starts_with("INSERT INTO market_data.bars (symbol, timeframe, ts, open"));
        assert!(sql.contains("DISTINCT ON (symbol, timeframe, ts)"));
        assert!(sql.ends_with("ON CONFLICT DO NOTHING"));
    }

    #[test]
    fn stage_columns_match_target_ddl() {
        // Every staged column must exist in migration 1 (catches a spec/DDL drift).
        let ddl = MIGRATIONS[0].sql;
        for spec in STAGED_TABLES {
            for (col, _) in spec.columns {
                assert!(
                    ddl.contains(&format!("    {col} ")),
                    "{}.{col} missing",
                    spec.target
                );
            }
        }
    }
}
