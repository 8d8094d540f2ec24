//! The gateway's output: decisions, approvals, and the states they report.

use emp_model::UnixNanos;
use serde::Serialize;

use crate::checks::{ExecutionEstimate, Exposure, PolicyCheck, ReasonCode};
use crate::intent::{Intent, IntentKind};
use crate::regime::MarketRegime;
use crate::sizing::SizingReport;

/// Paper or live. Live trading needs an explicit confirmation; without it no
/// gateway can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    Paper,
    Live { confirmed: bool },
}

/// The gateway's trading state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TradingState {
    /// Everything the pipeline allows.
    Normal,
    /// Only intents that reduce exposure.
    Reducing,
    /// Nothing.
    Halted,
}

impl TradingState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Reducing => "reducing",
            Self::Halted => "halted",
        }
    }
}

/// A value that passed risk. Only this crate can construct one, so a function
/// that takes `RiskApproved<T>` cannot be handed anything the gateway did not
/// approve.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskApproved<T> {
    inner: T,
    approved_at: UnixNanos,
}

impl<T> RiskApproved<T> {
    /// The one way to make an approval; crate-private on purpose.
    pub(crate) fn new(inner: T, approved_at: UnixNanos) -> Self {
        Self { inner, approved_at }
    }
}

impl<T> RiskApproved<T> {
    pub fn get(&self) -> &T {
        &self.inner
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    pub fn approved_at(&self) -> UnixNanos {
        self.approved_at
    }

    /// Carries the approval over to a representation of the same trade (the
    /// engine turns an approved intent into an order). The closure must not
    /// change what was approved — instrument, side, quantity.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> RiskApproved<U> {
        RiskApproved {
            inner: f(self.inner),
            approved_at: self.approved_at,
        }
    }
}

impl<T> std::ops::Deref for RiskApproved<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: Serialize> Serialize for RiskApproved<T> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.inner.serialize(serializer)
    }
}

/// Approved (with the possibly reduced quantity) or rejected (with the intent
/// as it came in).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Approved { intent: RiskApproved<Intent> },
    Rejected { reason: ReasonCode, intent: Intent },
}

/// Everything the gateway decided about one intent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub kind: IntentKind,
    /// Every check evaluated, in pipeline order (up to the failing stage).
    pub checks: Vec<PolicyCheck>,
    /// Every violation, in pipeline order; more than one only in research mode.
    pub violations: Vec<ReasonCode>,
    pub sizing: SizingReport,
    pub regime: MarketRegime,
    pub risk_score: Option<f64>,
    pub execution: Option<ExecutionEstimate>,
    pub exposure_after: Option<Exposure>,
    pub trading_state: TradingState,
    pub research_mode: bool,
    pub decided_at: UnixNanos,
}

impl Decision {
    pub fn is_approved(&self) -> bool {
        matches!(self.outcome, Outcome::Approved { .. })
    }

    pub fn reason(&self) -> Option<ReasonCode> {
        match &self.outcome {
            Outcome::Approved { .. } => None,
            Outcome::Rejected { reason, .. } => Some(*reason),
        }
    }

    /// The intent (approved quantity if approved).
    pub fn intent(&self) -> &Intent {
        match &self.outcome {
            Outcome::Approved { intent } => intent.get(),
            Outcome::Rejected { intent, .. } => intent,
        }
    }

    pub fn approved(&self) -> Option<&RiskApproved<Intent>> {
        match &self.outcome {
            Outcome::Approved { intent } => Some(intent),
            Outcome::Rejected { .. } => None,
        }
    }

    pub fn into_approved(self) -> Option<RiskApproved<Intent>> {
        match self.outcome {
            Outcome::Approved { intent } => Some(intent),
            Outcome::Rejected { .. } => None,
        }
    }

    pub fn check(&self, name: &str) -> Option<&PolicyCheck> {
        self.checks.iter().find(|c| c.name == name)
    }
}

/// The last decision, for the posture report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionSummary {
    pub instrument: String,
    pub approved: bool,
    pub reason: Option<ReasonCode>,
    pub decided_at: UnixNanos,
}
