//! Risk telemetry: the policy, violation and rejection snapshots of each
//! decision, and the posture evaluator. Pure functions; time is passed in.

use emp_model::UnixNanos;
use emp_telemetry::{Check, Evaluator, Snapshot, Status, topics};
use serde::Serialize;
use serde_json::{Value, json};

use crate::checks::{CheckStatus, Exposure, PolicyCheck, ReasonCode, per_equity};
use crate::config::ValidatedRiskConfig;
use crate::decision::{Decision, DecisionSummary, TradingState};
use crate::gateway::RiskGateway;
use crate::intent::PortfolioView;

/// Where an operator reads what to do about a reason code.
pub fn runbook_url(reason: ReasonCode) -> String {
    format!("crates/risk/RUNBOOK.md#{}", reason.as_str())
}

fn to_status(status: CheckStatus) -> Status {
    match status {
        CheckStatus::Ok => Status::Ok,
        CheckStatus::Warn => Status::Warn,
        CheckStatus::Violation => Status::Fail,
    }
}

fn to_check(c: &PolicyCheck) -> Check {
    Check::new(
        c.name,
        to_status(c.status),
        format!("{} {} (threshold {})", c.name, c.value, c.threshold),
    )
    .with_value(c.value)
    .with_threshold(c.threshold)
}

fn limits(config: &ValidatedRiskConfig) -> Value {
    json!({
        "max_risk_per_trade_pct": config.max_risk_per_trade_pct,
        "max_total_exposure_pct": config.max_total_exposure_pct,
        "max_leverage": config.max_leverage,
        "max_drawdown_pct": config.max_drawdown_pct,
        "halt_drawdown_pct": config.halt_drawdown_pct,
        "daily_loss_limit_pct": config.daily_loss_limit_pct,
        "min_position_size": config.min_position_size,
        "max_position_size": config.max_position_size,
        "max_open_positions": config.max_open_positions,
        "confidence_floor": config.confidence_floor,
        "sector_exposure_limits": config.sector_exposure_limits,
    })
}

fn codes(decision: &Decision) -> Value {
    Value::from(
        decision
            .violations
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
    )
}

fn to_json<T: Serialize>(value: &T) -> Value {
    // Serialising plain records to a Value cannot fail (no maps with non-string keys).
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `telemetry.risk.policy`: every decision with its full check list.
pub fn policy_snapshot(
    decision: &Decision,
    config: &ValidatedRiskConfig,
    now: UnixNanos,
) -> Snapshot {
    let intent = decision.intent();
    Snapshot::new(
        topics::RISK_POLICY,
        now,
        decision.checks.iter().map(to_check).collect(),
    )
    .with_metadata("symbol", intent.instrument.as_str())
    .with_metadata("strategy_id", intent.strategy_id.as_str())
    .with_metadata("side", to_json(&intent.side))
    .with_metadata("approved", decision.is_approved())
    .with_metadata("reason", decision.reason().map(|r| r.as_str()))
    .with_metadata("violations", codes(decision))
    .with_metadata("research_mode", decision.research_mode)
    .with_metadata("limits", limits(config))
    .with_metadata("requested_quantity", decision.sizing.requested_quantity)
    .with_metadata(
        "approved_quantity",
        if decision.is_approved() {
            decision.sizing.quantity
        } else {
            0.0
        },
    )
    .with_metadata("trading_state", decision.trading_state.as_str())
    .with_metadata("regime", decision.regime.as_str())
    .with_metadata("risk_score", decision.risk_score)
}

/// How bad a violation is: halts and loss limits are critical, research-mode
/// approvals informational.
pub fn violation_severity(decision: &Decision) -> &'static str {
    match decision.violations.first() {
        None => "none",
        Some(_) if decision.is_approved() => "warning",
        Some(
            ReasonCode::TradingHalted
            | ReasonCode::MaxDrawdownExceeded
            | ReasonCode::DailyLossLimit,
        ) => "critical",
        Some(_) => "high",
    }
}

/// `telemetry.risk.policy_violation`: only for decisions with violations.
pub fn policy_violation_snapshot(decision: &Decision, now: UnixNanos) -> Option<Snapshot> {
    let first = *decision.violations.first()?;
    let status = if decision.is_approved() {
        Status::Warn
    } else {
        Status::Fail
    };
    let checks = decision
        .violations
        .iter()
        .map(|code| {
            Check::new(
                code.as_str(),
                status,
                format!("stage {} violation: {code}", code.stage()),
            )
            .with_value(code.as_str())
        })
        .collect();
    Some(
        Snapshot::new(topics::RISK_POLICY_VIOLATION, now, checks)
            .with_metadata("severity", violation_severity(decision))
            .with_metadata("runbook", runbook_url(first))
            .with_metadata("symbol", decision.intent().instrument.as_str())
            .with_metadata("decision", to_json(decision)),
    )
}

/// `telemetry.risk.intent_rejected`: only for rejections.
pub fn intent_rejected_snapshot(decision: &Decision, now: UnixNanos) -> Option<Snapshot> {
    let reason = decision.reason()?;
    let intent = decision.intent();
    let check = Check::fail(
        "intent",
        format!(
            "{} {} rejected: {reason}",
            intent.strategy_id, intent.instrument
        ),
    )
    .with_value(reason.as_str())
    .with_threshold(format!("stage {}", reason.stage()));
    Some(
        Snapshot::new(topics::RISK_INTENT_REJECTED, now, vec![check])
            .with_metadata("symbol", intent.instrument.as_str())
            .with_metadata("strategy_id", intent.strategy_id.as_str())
            .with_metadata("side", to_json(&intent.side))
            .with_metadata("requested_quantity", intent.quantity)
            .with_metadata("reason", reason.as_str())
            .with_metadata("stage", reason.stage())
            .with_metadata("violations", codes(decision))
            .with_metadata("runbook", runbook_url(reason)),
    )
}

/// The input of the posture evaluator: a portfolio and the gateway's counters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostureInput {
    pub equity: f64,
    pub peak_equity: f64,
    pub drawdown: f64,
    pub daily_loss: f64,
    pub exposure: Exposure,
    pub trading_state: TradingState,
    pub kill_switch_engaged: bool,
    pub approvals: u64,
    pub rejections: u64,
    pub last_decision: Option<DecisionSummary>,
}

impl PostureInput {
    pub fn approval_rate(&self) -> Option<f64> {
        let total = self.approvals + self.rejections;
        (total > 0).then(|| self.approvals as f64 / total as f64)
    }
}

impl RiskGateway {
    /// The posture input for the current state and a portfolio.
    pub fn posture_input(&self, portfolio: &PortfolioView) -> PostureInput {
        PostureInput {
            equity: portfolio.equity,
            peak_equity: portfolio.peak_equity.max(portfolio.equity),
            drawdown: portfolio.drawdown(),
            daily_loss: portfolio.daily_loss(),
            exposure: Exposure::of(portfolio),
            trading_state: self.trading_state(),
            kill_switch_engaged: self.kill_switch_engaged(),
            approvals: self.approvals(),
            rejections: self.rejections(),
            last_decision: self.last_decision().cloned(),
        }
    }

    /// `telemetry.risk.posture` for a portfolio, now.
    pub fn posture(&self, portfolio: &PortfolioView, now: UnixNanos) -> Snapshot {
        PostureEvaluator.evaluate(self.config(), &self.posture_input(portfolio), now)
    }
}

/// Evaluates `telemetry.risk.posture`: each maximum-type figure against its
/// limit — at or above the limit fails, from `warn_ratio` of it warns.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostureEvaluator;

fn max_check(name: &str, value: f64, limit: f64, warn_ratio: f64) -> Check {
    let status = if !(value < limit) {
        Status::Fail
    } else if value >= limit * warn_ratio {
        Status::Warn
    } else {
        Status::Ok
    };
    Check::new(name, status, format!("{name} {value:.6} of limit {limit}"))
        .with_value(value)
        .with_threshold(limit)
}

impl Evaluator for PostureEvaluator {
    type Policy = ValidatedRiskConfig;
    type Input = PostureInput;

    fn topic(&self) -> &'static str {
        topics::RISK_POSTURE
    }

    fn evaluate(
        &self,
        policy: &ValidatedRiskConfig,
        input: &PostureInput,
        now: UnixNanos,
    ) -> Snapshot {
        let w = policy.warn_ratio;
        let e = &input.exposure;
        let state = match input.trading_state {
            TradingState::Normal => Check::ok("trading_state", "normal"),
            TradingState::Reducing => Check::warn(
                "trading_state",
                "reducing: only exposure-reducing intents pass",
            ),
            TradingState::Halted => Check::fail(
                "trading_state",
                "halted: no intent passes until an operator reset",
            ),
        }
        .with_value(input.trading_state.as_str());
        let kill = if input.kill_switch_engaged {
            Check::fail("kill_switch", "kill switch engaged")
        } else {
            Check::ok("kill_switch", "kill switch not engaged")
        }
        .with_value(input.kill_switch_engaged);
        let checks = vec![
            max_check(
                "open_positions",
                e.open_positions as f64,
                f64::from(policy.max_open_positions),
                w,
            ),
            max_check("drawdown", input.drawdown, policy.max_drawdown_pct, w),
            max_check(
                "daily_loss",
                input.daily_loss,
                policy.daily_loss_limit_pct,
                w,
            ),
            max_check(
                "total_exposure",
                per_equity(e.total_risk, input.equity),
                policy.max_total_exposure_pct,
                w,
            ),
            max_check(
                "leverage",
                per_equity(e.gross_notional, input.equity),
                policy.max_leverage,
                w,
            ),
            state,
            kill,
        ];
        Snapshot::new(self.topic(), now, checks)
            .with_metadata("equity", input.equity)
            .with_metadata("peak_equity", input.peak_equity)
            .with_metadata("exposure_long", e.long_notional)
            .with_metadata("exposure_short", e.short_notional)
            .with_metadata("exposure_gross", e.gross_notional)
            .with_metadata("risk_at_stop", e.total_risk)
            .with_metadata("approvals", input.approvals)
            .with_metadata("rejections", input.rejections)
            .with_metadata("approval_rate", input.approval_rate())
            .with_metadata("last_decision", to_json(&input.last_decision))
            .with_metadata("limits", limits(policy))
    }
}
