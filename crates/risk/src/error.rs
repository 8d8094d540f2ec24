//! The crate's error type.

use emp_telemetry::ConfigErrors;

/// Errors of the risk crate. Intent rejections are *not* errors: they are
/// decisions with a [`crate::ReasonCode`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The risk configuration broke one or more rules (all of them listed).
    #[error("invalid risk configuration:\n{0}")]
    Config(#[from] ConfigErrors),
    /// Live mode was requested without the operator's confirmation.
    #[error("live trading requires explicit confirmation")]
    LiveNotConfirmed,
    /// Research mode approves violations; it must never face a live venue.
    #[error("research mode cannot be used in live mode")]
    ResearchModeInLive,
    /// The trading state cannot be reset while the kill switch is engaged.
    #[error("kill switch is engaged: remove it before resetting the trading state")]
    KillSwitchEngaged,
    /// Operator actions must name the operator (audit trail).
    #[error("an operator name is required")]
    MissingOperator,
    /// A confidence level outside the open interval (0, 1).
    #[error("confidence must be in (0, 1), got {0}")]
    InvalidConfidence(f64),
    /// Too few observations for the estimator.
    #[error("need at least {needed} observations, got {got}")]
    InsufficientData { needed: usize, got: usize },
    /// NaN or infinite numbers where finite ones are required.
    #[error("non-finite input: {0}")]
    NonFiniteInput(&'static str),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
