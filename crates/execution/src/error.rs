//! The crate's one error type.

use emp_model::{ClientOrderId, InstrumentId};
use emp_telemetry::ConfigErrors;

use crate::order_manager::TradingStatus;
use crate::reconcile::ReconciliationReport;

/// Everything that can go wrong in execution. Variants say what a supervisor must know:
/// a refused command (`NotReady`, `UnknownOrder`, …) versus a fatal inconsistency
/// (`ReconciliationFailed`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A model-level rule was broken (illegal transition, overfill, overflow, …).
    #[error("model: {0}")]
    Model(#[from] emp_model::Error),
    /// A config or policy failed validation (every violation is listed).
    #[error("invalid config:\n{0}")]
    InvalidConfig(#[source] ConfigErrors),
    /// The manager refuses to trade in this state (not reconciled, or reconciliation failed).
    #[error("not ready to trade: {0:?}")]
    NotReady(TradingStatus),
    /// Reconciliation found discrepancies; trading is refused until an operator resolves them.
    #[error("reconciliation failed with {} discrepancies", .0.discrepancies.len())]
    ReconciliationFailed(Box<ReconciliationReport>),
    /// No order with this id is known.
    #[error("unknown order {0}")]
    UnknownOrder(ClientOrderId),
    /// An order with this id already exists.
    #[error("duplicate order id {0}")]
    DuplicateOrder(ClientOrderId),
    /// The instrument is not registered.
    #[error("unknown instrument {0}")]
    UnknownInstrument(InstrumentId),
    /// The order cannot take this command in its current state.
    #[error("order {id}: {reason}")]
    InvalidCommand {
        /// The order.
        id: ClientOrderId,
        /// Why the command was refused.
        reason: String,
    },
    /// An amount could not be converted to the account currency (no FX rate yet).
    #[error("no FX rate to convert {from} into {to}")]
    MissingFxRate {
        /// Source currency.
        from: emp_model::Currency,
        /// Target currency.
        to: emp_model::Currency,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
