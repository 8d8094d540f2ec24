//! Choosing the backend by configuration (DESIGN §1: tiers are configuration, not code paths).

use std::fmt;
use std::path::PathBuf;

use emp_model::{
    Bar, InstrumentId, MacroEvent, MacroObservation, QuoteTick, Timeframe, TradeTick, UnixNanos,
};
use emp_telemetry::{ConfigErrors, Snapshot, Violations};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::audit::{BackupEntry, ExecutionJournalRow};
use crate::duck::DuckDbStore;
use crate::error::{Error, Result};
use crate::pg::{PgStore, TimescalePolicy};
use crate::store::{MarketDataStore, SnapshotStore};
use crate::types::{
    BackendKind, Dataset, IngestRunRecord, InventoryRow, StoreHealth, TableCounts, TimeRange,
    WriteBatch, WriteReport,
};

/// A connection URL that may carry a password: never printed, logged or serialised in clear.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wrap a URL.
    pub fn new(url: impl Into<String>) -> Self {
        SecretUrl(url.into())
    }

    /// The URL itself, for the one place that connects.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether no URL was given.
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

/// Replace the password of `scheme://user:password@host...` or of a `password=...` key.
fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
        return url.to_owned();
    }
    url.split_whitespace()
        .map(|kv| {
            if kv.starts_with("password=") {
                "password=***".to_owned()
            } else {
                kv.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({})", self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for SecretUrl {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for SecretUrl {
    /// Accepts any scalar and keeps its text: a typed `String` would answer a wrongly typed
    /// value with "invalid type: integer `…`", echoing the secret into an error message.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SecretUrl;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a connection URL")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<SecretUrl, E> {
                Ok(SecretUrl(v.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<SecretUrl, E> {
                Ok(SecretUrl(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<SecretUrl, E> {
                Ok(SecretUrl(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<SecretUrl, E> {
                Ok(SecretUrl(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<SecretUrl, E> {
                Ok(SecretUrl(v.to_string()))
            }
            fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<SecretUrl, E> {
                Ok(SecretUrl::default())
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Which store to open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `duckdb` (default) or `postgres`.
    pub backend: BackendKind,
    /// DuckDB database file (created with its directory when missing); the app resolves a
    /// relative path against its data directory.
    pub duckdb_path: PathBuf,
    /// PostgreSQL URL, e.g. `postgres://emp:***@127.0.0.1:5432/emp`.
    pub postgres_url: SecretUrl,
    /// TimescaleDB chunking, compression and retention (used when the server has it).
    pub timescale: TimescalePolicy,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            backend: BackendKind::DuckDb,
            duckdb_path: PathBuf::from("emp.duckdb"),
            postgres_url: SecretUrl::default(),
            timescale: TimescalePolicy::default(),
        }
    }
}

impl StoreConfig {
    /// Report every invalid field at once.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        match self.backend {
            BackendKind::DuckDb => {
                v.check(
                    !self.duckdb_path.as_os_str().is_empty(),
                    "duckdb_path",
                    "must not be empty when backend is duckdb",
                );
            }
            BackendKind::Postgres => {
                v.check(
                    !self.postgres_url.is_empty(),
                    "postgres_url",
                    "must be set when backend is postgres",
                );
            }
        }
        v.nested_result("timescale", self.timescale.validate());
        v.into_result()
    }
}

/// The store chosen by [`StoreConfig`]: one type whatever the backend, implementing both
/// [`MarketDataStore`] and [`SnapshotStore`] (share it as `Arc<Store>`).
#[derive(Debug)]
// One instance per process, always behind an `Arc`: the variant size difference is irrelevant
// and boxing would only add an indirection.
#[allow(clippy::large_enum_variant)]
pub enum Store {
    /// Embedded DuckDB.
    DuckDb(DuckDbStore),
    /// PostgreSQL / TimescaleDB.
    Postgres(PgStore),
}

impl Store {
    /// Validate `config` and open the configured backend (migrating it).
    /// Where this store is, for people: the DuckDB file or the PostgreSQL URL without password.
    pub fn describe(&self) -> String {
        match self.health() {
            Ok(h) => format!("{:?} {}", h.backend, h.location),
            Err(_) => format!("{:?}", self.backend()),
        }
    }

    pub fn open(config: &StoreConfig) -> Result<Self> {
        config.validate().map_err(Error::Config)?;
        match config.backend {
            BackendKind::DuckDb => DuckDbStore::open(&config.duckdb_path).map(Store::DuckDb),
            BackendKind::Postgres => {
                PgStore::connect_with(config.postgres_url.expose(), &config.timescale)
                    .map(Store::Postgres)
            }
        }
    }

    /// Run `f` on the backend's connection (for SQL shared by both backends).
    pub(crate) fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut dyn crate::sql::Conn) -> Result<T>,
    ) -> Result<T> {
        match self {
            Store::DuckDb(s) => s.with(f),
            Store::Postgres(s) => s.with(f),
        }
    }

    fn inner(&self) -> &dyn MarketDataStore {
        match self {
            Store::DuckDb(s) => s,
            Store::Postgres(s) => s,
        }
    }

    fn journal(&self) -> &dyn SnapshotStore {
        match self {
            Store::DuckDb(s) => s,
            Store::Postgres(s) => s,
        }
    }
}

impl MarketDataStore for Store {
    fn backend(&self) -> BackendKind {
        self.inner().backend()
    }
    fn write_batch(&self, batch: &WriteBatch) -> Result<WriteReport> {
        self.inner().write_batch(batch)
    }
    fn read_bars(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        range: TimeRange,
    ) -> Result<Vec<Bar>> {
        self.inner().read_bars(instrument, timeframe, range)
    }
    fn read_quotes(&self, instrument: &InstrumentId, range: TimeRange) -> Result<Vec<QuoteTick>> {
        self.inner().read_quotes(instrument, range)
    }
    fn read_trades(&self, instrument: &InstrumentId, range: TimeRange) -> Result<Vec<TradeTick>> {
        self.inner().read_trades(instrument, range)
    }
    fn read_macro_series(
        &self,
        series_id: &str,
        range: TimeRange,
    ) -> Result<Vec<MacroObservation>> {
        self.inner().read_macro_series(series_id, range)
    }
    fn read_macro_events(&self, range: TimeRange) -> Result<Vec<MacroEvent>> {
        self.inner().read_macro_events(range)
    }
    fn latest_timestamp(&self, dataset: &Dataset) -> Result<Option<UnixNanos>> {
        self.inner().latest_timestamp(dataset)
    }
    fn counts(&self) -> Result<TableCounts> {
        self.inner().counts()
    }
    fn inventory(&self) -> Result<Vec<InventoryRow>> {
        self.inner().inventory()
    }
    fn ingest_runs(&self, limit: usize) -> Result<Vec<IngestRunRecord>> {
        self.inner().ingest_runs(limit)
    }
    fn health(&self) -> Result<StoreHealth> {
        self.inner().health()
    }
}

impl SnapshotStore for Store {
    fn append_snapshot(&self, snapshot: &Snapshot) -> Result<bool> {
        self.journal().append_snapshot(snapshot)
    }
    fn snapshots(&self, topic: &str, limit: usize) -> Result<Vec<Snapshot>> {
        self.journal().snapshots(topic, limit)
    }
    fn execution_journal(&self, limit: usize) -> Result<Vec<ExecutionJournalRow>> {
        self.journal().execution_journal(limit)
    }
    fn record_backup(&self, backup: &BackupEntry) -> Result<bool> {
        self.journal().record_backup(backup)
    }
    fn latest_backup(&self) -> Result<Option<BackupEntry>> {
        self.journal().latest_backup()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_table() {
        let cases = [
            (
                "postgres://emp:emp@127.0.0.1:5432/emp_test",
                "postgres://emp:***@127.0.0.1:5432/emp_test",
            ),
            ("postgres://emp@host/db", "postgres://emp@host/db"),
            (
                "host=localhost user=emp password=s3cret dbname=x",
                "host=localhost user=emp password=*** dbname=x",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(SecretUrl::new(input).redacted(), want, "{input}");
            assert!(!format!("{:?}", SecretUrl::new(input)).contains("s3cret"));
        }
    }

    #[test]
    fn config_serialises_without_the_password() {
        let cfg = StoreConfig {
            backend: BackendKind::Postgres,
            postgres_url: SecretUrl::new("postgres://u:hunter2@h/db"),
            ..StoreConfig::default()
        };
        let json = serde_json::to_string(&cfg).unwrap();
        assert!(!json.contains("hunter2"), "{json}");
        assert!(json.contains("\"backend\":\"postgres\""), "{json}");
    }

    #[test]
    fn validate_reports_every_violation_with_its_path() {
        let cfg = StoreConfig {
            backend: BackendKind::Postgres,
            timescale: TimescalePolicy {
                chunk_days: 0,
                retain_ticks_days: 3,
                compress_ticks_after_days: 7,
                ..TimescalePolicy::default()
            },
            ..StoreConfig::default()
        };
        let errs = cfg.validate().unwrap_err();
        assert!(errs.contains_path("postgres_url"), "{errs}");
        assert!(errs.contains_path("timescale.chunk_days"), "{errs}");
        assert!(errs.contains_path("timescale.retain_ticks_days"), "{errs}");
        assert_eq!(errs.len(), 3, "{errs}");
        assert!(StoreConfig::default().validate().is_ok());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<StoreConfig>(r#"{"backend":"duckdb","pth":"x"}"#);
        assert!(err.is_err());
        let ok: StoreConfig =
            serde_json::from_str(r#"{"backend":"postgres","postgres_url":"postgres://a:b@c/d"}"#)
                .unwrap();
        assert_eq!(ok.postgres_url.expose(), "postgres://a:b@c/d");
    }
}
