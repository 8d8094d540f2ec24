//! The crate's error type.

use emp_telemetry::ConfigErrors;

/// Everything that can go wrong in `emp-sensory`.
///
/// The organs themselves never fail: missing or unusable inputs produce a reading with
/// confidence 0 and a reason. Only construction from an invalid configuration is an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The [`SensoryConfig`](crate::SensoryConfig) broke one or more rules; every violation is listed.
    #[error("invalid sensory configuration:\n{0}")]
    InvalidConfig(#[source] ConfigErrors),
}

/// `Result` defaulting to this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
