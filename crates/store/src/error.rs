//! The crate's one error type.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a supervisor should do about an [`Error`] (DESIGN §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Retrying later may succeed (server unreachable, connection dropped, lock held).
    Transient,
    /// The input was refused (a value that cannot be stored, a bad configuration).
    Rejected,
    /// The store itself is broken (corrupt row, failed migration): stop and alert.
    Fatal,
}

/// Errors raised by the stores.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A DuckDB call failed; `context` says which step.
    #[error("duckdb: {context}")]
    DuckDb {
        /// The step that failed.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: duckdb::Error,
    },
    /// A PostgreSQL call failed; `context` says which step.
    #[error("postgres: {context}")]
    Postgres {
        /// The step that failed.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: postgres::Error,
    },
    /// Creating the data directory or a similar file-system step failed.
    #[error("store file system: {context}")]
    Io {
        /// The step that failed.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A migration failed; the database is left at the previous version.
    #[error("migration {version} ({name}) failed")]
    Migration {
        /// Migration version.
        version: i64,
        /// Migration name.
        name: &'static str,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// The database was migrated by a newer build than this one.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// Highest version recorded in `schema_migrations`.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// A value cannot be represented in the storage schema (e.g. a quantity above `i64::MAX`).
    #[error("{field}: {message}")]
    OutOfRange {
        /// Which field (e.g. `bars[3].volume`).
        field: String,
        /// Why.
        message: String,
    },
    /// A stored row could not be turned back into a domain value.
    #[error("corrupt row in {table}: {message}")]
    CorruptRow {
        /// Table the row came from.
        table: &'static str,
        /// What was wrong with it.
        message: String,
    },
    /// A stored row failed the domain model's validation.
    #[error("corrupt row in {table}")]
    Model {
        /// Table the row came from.
        table: &'static str,
        /// The model's error.
        #[source]
        source: emp_model::Error,
    },
    /// JSON (de)serialisation of a payload, metadata or snapshot failed.
    #[error("json: {context}")]
    Json {
        /// The step that failed.
        context: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A journaled snapshot payload is not a valid snapshot.
    #[error("corrupt snapshot in telemetry.snapshots")]
    Snapshot {
        /// The telemetry crate's error.
        #[source]
        source: emp_telemetry::Error,
    },
    /// The store could not be opened a moment ago and the retry interval has not passed.
    #[error("{backend} store unavailable: {reason}")]
    Unavailable {
        /// `duckdb` or `postgres`.
        backend: &'static str,
        /// Why the last attempt failed.
        reason: String,
    },
    /// A backup tool ran but failed; `detail` is its own message.
    #[error("backup: {step} failed: {detail}")]
    Backup {
        /// The step (`pg_dump`, `EXPORT DATABASE`).
        step: String,
        /// What the tool said.
        detail: String,
    },
    /// The configuration is invalid; every violation is listed.
    #[error("invalid store configuration:\n{0}")]
    Config(#[source] emp_telemetry::ConfigErrors),
}

impl Error {
    /// Classify the error for a supervisor.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Postgres { source, .. } => {
                // No SQLSTATE means the connection itself failed (I/O, closed, timeout).
                match source.code() {
                    None => ErrorClass::Transient,
                    Some(code) => {
                        let c = code.code();
                        // 08: connection exception, 40: transaction rollback (serialization,
                        // deadlock), 53: insufficient resources, 57P: operator intervention.
                        if c.starts_with("08")
                            || c.starts_with("40")
                            || c.starts_with("53")
                            || c.starts_with("57P")
                        {
                            ErrorClass::Transient
                        } else {
                            ErrorClass::Fatal
                        }
                    }
                }
            }
            Error::Io { .. } | Error::Backup { .. } | Error::Unavailable { .. } => {
                ErrorClass::Transient
            }
            Error::DuckDb { source, .. } => {
                // Another process holding the file lock is the one retryable DuckDB failure.
                if source.to_string().contains("lock") {
                    ErrorClass::Transient
                } else {
                    ErrorClass::Fatal
                }
            }
            Error::OutOfRange { .. } | Error::Config(_) => ErrorClass::Rejected,
            Error::Migration { .. }
            | Error::SchemaTooNew { .. }
            | Error::CorruptRow { .. }
            | Error::Model { .. }
            | Error::Snapshot { .. }
            | Error::Json { .. } => ErrorClass::Fatal,
        }
    }

    pub(crate) fn duck(context: &'static str) -> impl FnOnce(duckdb::Error) -> Error {
        move |source| Error::DuckDb { context, source }
    }

    pub(crate) fn pg(context: &'static str) -> impl FnOnce(postgres::Error) -> Error {
        move |source| Error::Postgres { context, source }
    }

    pub(crate) fn json(context: &'static str) -> impl FnOnce(serde_json::Error) -> Error {
        move |source| Error::Json { context, source }
    }

    pub(crate) fn corrupt(table: &'static str, message: impl fmt::Display) -> Error {
        Error::CorruptRow {
            table,
            message: message.to_string(),
        }
    }
}
