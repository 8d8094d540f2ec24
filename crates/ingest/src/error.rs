//! The crate's error type (a file that cannot be read) and the row-level quarantine record.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A file that cannot be read at all, or that stopped being readable part-way. Row problems
/// are never an `Error`: they are [`RowError`]s, returned alongside the good records.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{}: cannot open: {source}", file.display())]
    Open {
        file: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: read failed after line {line}: {source}", file.display())]
    Read {
        file: PathBuf,
        line: u64,
        #[source]
        source: io::Error,
    },
    #[error("{}: not a readable zip archive: {source}", file.display())]
    Zip {
        file: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("{}: not a valid Dukascopy JSON document: {source}", file.display())]
    Json {
        file: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// The file opened but its layout is not what the format requires (unknown header,
    /// no date in a Lean file name, an empty archive, ...).
    #[error("{}: {reason}", file.display())]
    Layout { file: PathBuf, reason: String },
    /// `--format auto` could not tell what the file is.
    #[error("{}: cannot detect the format: {reason}", file.display())]
    UnknownFormat { file: PathBuf, reason: String },
    /// The symbol (given or inferred) is not a valid instrument id.
    #[error("{}: invalid symbol {symbol:?} (pass one explicitly): {source}", file.display())]
    Symbol {
        file: PathBuf,
        symbol: String,
        #[source]
        source: emp_model::Error,
    },
    /// A tick older than the previous one given to a [`crate::BarAggregator`].
    #[error("tick at {ts} is older than the previous tick at {previous}")]
    OutOfOrder {
        ts: emp_model::UnixNanos,
        previous: emp_model::UnixNanos,
    },
    /// A model type rejected a value the aggregator built.
    #[error("{context}: {source}")]
    Model {
        context: &'static str,
        #[source]
        source: emp_model::Error,
    },
    /// [`crate::ReadOptions::validate`] found problems; one `field: message` per line.
    #[error("invalid read options:\n{}", violations.join("\n"))]
    InvalidOptions { violations: Vec<String> },
    /// A value given to the aggregator is invalid.
    #[error("invalid option {field}: {reason}")]
    Option { field: &'static str, reason: String },
    /// An ingest plan, schedule or policy failed validation; every violation is listed,
    /// one `path: message` per line.
    #[error("invalid ingest configuration:\n{0}")]
    InvalidConfig(#[source] emp_telemetry::ConfigErrors),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A row that failed to parse or validate: the quarantine record the store writes to
/// `market_data.quarantine`. `line` is 1-based; `column` is the 1-based field number when
/// one field is to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: PathBuf,
    pub line: u64,
    pub column: Option<usize>,
    pub reason: String,
    pub raw: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        write!(f, ": {} (row: {:?})", self.reason, self.raw)
    }
}

impl std::error::Error for RowError {}

/// Why a row was rejected, before the reader adds file, line and raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowFault {
    pub(crate) column: Option<usize>,
    pub(crate) reason: String,
}

impl RowFault {
    pub(crate) fn at(column: usize, reason: impl Into<String>) -> Self {
        RowFault {
            column: Some(column),
            reason: reason.into(),
        }
    }

    pub(crate) fn row(reason: impl Into<String>) -> Self {
        RowFault {
            column: None,
            reason: reason.into(),
        }
    }
}
