//! The crate's error type.

use emp_telemetry::ConfigErrors;

/// What can go wrong building or running the engine, or writing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration failed validation (every violation is listed).
    #[error("invalid config:\n{0}")]
    InvalidConfig(#[source] ConfigErrors),
    /// Strategy parameters were rejected (every bad or unknown key is listed).
    #[error("invalid parameters for strategy {strategy}:\n{errors}")]
    InvalidParams {
        /// The strategy name.
        strategy: String,
        /// One `key: message` per problem.
        errors: ConfigErrors,
    },
    /// No built-in strategy has this name.
    #[error("unknown strategy {name:?} (known: {known})")]
    UnknownStrategy {
        /// The name asked for.
        name: String,
        /// The registry's names, comma separated.
        known: String,
    },
    /// A market event names an instrument the engine was not given.
    #[error("unknown instrument {0}")]
    UnknownInstrument(emp_model::InstrumentId),
    /// The engine was built with no instrument.
    #[error("the engine needs at least one instrument")]
    NoInstruments,
    /// Fixed-point or record rule broken.
    #[error("model: {0}")]
    Model(#[from] emp_model::Error),
    /// Order management or portfolio failure (an inconsistency between our books and
    /// the venue's reports, a refused start reconciliation, …).
    #[error("execution: {0}")]
    Execution(#[from] emp_execution::Error),
    /// The risk gateway could not be built.
    #[error("risk: {0}")]
    Risk(#[from] emp_risk::Error),
    /// The sensory cortex could not be built.
    #[error("sensory: {0}")]
    Sensory(#[from] emp_sensory::Error),
    /// Writing a report file failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Serialising the JSON report failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// Drawing the chart failed.
    #[error("chart {path}: {message}")]
    Chart {
        /// The file.
        path: std::path::PathBuf,
        /// The drawing backend's message (its error type is not `'static`).
        message: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
