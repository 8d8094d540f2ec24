//! The crate's error type.

use crate::ConfigErrors;

/// Errors of the telemetry crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A status name other than `ok`, `warn` or `fail`.
    #[error("unknown status `{0}` (expected ok, warn or fail)")]
    UnknownStatus(String),
    /// A snapshot or check could not be (de)serialized.
    #[error("invalid snapshot JSON")]
    Json(#[from] serde_json::Error),
    /// A policy failed validation.
    #[error("invalid policy:\n{0}")]
    InvalidPolicy(#[from] ConfigErrors),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
