//! The pre-trade gateway: nine stages, first failure rejects.

use std::collections::HashMap;

use emp_model::{Side, UnixNanos};
use serde::Serialize;

use crate::checks::{
    Book, CheckStatus, ExecutionEstimate, Exposure, PolicyCheck, ReasonCode, exceeds, max_status,
    per_equity,
};
use crate::config::ValidatedRiskConfig;
use crate::decision::{Decision, DecisionSummary, Outcome, RiskApproved, RunMode, TradingState};
use crate::error::{Error, Result};
use crate::intent::{Intent, IntentKind, PortfolioView, StrategyStatus, TrackRecord};
use crate::killswitch::{FileKillSwitch, KillSwitch, NoKillSwitch};
use crate::regime::MarketRegime;
use crate::sizing::{
    SizingInput, SizingRefusal, SizingReport, drawdown_multiplier, kelly_fraction, size_leg,
    volatility_multiplier,
};

/// What the registry says about a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StrategyProfile {
    pub status: StrategyStatus,
    pub track_record: Option<TrackRecord>,
}

/// The pre-trade risk gateway. Synchronous and deterministic: time comes in
/// with each call, and the only outside input is the [`KillSwitch`].
pub struct RiskGateway {
    config: ValidatedRiskConfig,
    mode: RunMode,
    kill_switch: Box<dyn KillSwitch>,
    state: TradingState,
    strategies: HashMap<String, StrategyProfile>,
    approvals: u64,
    rejections: u64,
    last_decision: Option<DecisionSummary>,
    last_operator: Option<String>,
}

impl std::fmt::Debug for RiskGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RiskGateway")
            .field("mode", &self.mode)
            .field("state", &self.state)
            .field("strategies", &self.strategies.len())
            .field("approvals", &self.approvals)
            .field("rejections", &self.rejections)
            .finish_non_exhaustive()
    }
}

/// Check list and violations being built for one decision.
struct Trail {
    checks: Vec<PolicyCheck>,
    violations: Vec<ReasonCode>,
}

impl Trail {
    fn record(
        &mut self,
        name: &'static str,
        value: f64,
        threshold: f64,
        status: CheckStatus,
        code: ReasonCode,
    ) {
        self.checks.push(PolicyCheck {
            name,
            value,
            threshold,
            status,
        });
        if status == CheckStatus::Violation && !self.violations.contains(&code) {
            self.violations.push(code);
        }
    }

    fn flag(&mut self, name: &'static str, holds: bool, code: ReasonCode) {
        let status = if holds {
            CheckStatus::Ok
        } else {
            CheckStatus::Violation
        };
        self.record(name, f64::from(u8::from(holds)), 1.0, status, code);
    }
}

fn positive(x: f64) -> f64 {
    if x > 0.0 && x.is_finite() { x } else { 0.0 }
}

impl RiskGateway {
    /// Builds a gateway. Refuses live mode without confirmation and research
    /// mode (which approves violations) in live mode.
    pub fn try_new(
        config: ValidatedRiskConfig,
        mode: RunMode,
        kill_switch: Box<dyn KillSwitch>,
    ) -> Result<Self> {
        match mode {
            RunMode::Live { confirmed: false } => return Err(Error::LiveNotConfirmed),
            RunMode::Live { confirmed: true } if config.research_mode => {
                return Err(Error::ResearchModeInLive);
            }
            _ => {}
        }
        Ok(Self {
            config,
            mode,
            kill_switch,
            state: TradingState::Normal,
            strategies: HashMap::new(),
            approvals: 0,
            rejections: 0,
            last_decision: None,
            last_operator: None,
        })
    }

    /// [`RiskGateway::try_new`] with a [`FileKillSwitch`] on the configured
    /// `kill_switch_path` (none configured: never engaged).
    pub fn from_config(config: ValidatedRiskConfig, mode: RunMode) -> Result<Self> {
        let kill_switch: Box<dyn KillSwitch> = match &config.kill_switch_path {
            Some(path) => Box::new(FileKillSwitch::new(path.clone())),
            None => Box::new(NoKillSwitch),
        };
        Self::try_new(config, mode, kill_switch)
    }

    pub fn config(&self) -> &ValidatedRiskConfig {
        &self.config
    }

    pub fn mode(&self) -> RunMode {
        self.mode
    }

    pub fn trading_state(&self) -> TradingState {
        self.state
    }

    /// Registers or updates a strategy's status (its track record is kept).
    pub fn register_strategy(&mut self, strategy_id: impl Into<String>, status: StrategyStatus) {
        self.strategies
            .entry(strategy_id.into())
            .and_modify(|p| p.status = status)
            .or_insert(StrategyProfile {
                status,
                track_record: None,
            });
    }

    /// Records a strategy's measured performance (used by the Kelly factor once
    /// it has `kelly.min_trades` trades). Unknown strategies are registered as
    /// `Candidate`.
    pub fn set_track_record(&mut self, strategy_id: impl Into<String>, record: TrackRecord) {
        self.strategies
            .entry(strategy_id.into())
            .and_modify(|p| p.track_record = Some(record))
            .or_insert(StrategyProfile {
                status: StrategyStatus::Candidate,
                track_record: Some(record),
            });
    }

    pub fn strategy(&self, strategy_id: &str) -> Option<&StrategyProfile> {
        self.strategies.get(strategy_id)
    }

    /// Consults the kill switch; engaged means `Halted`, which only
    /// [`RiskGateway::reset_trading_state`] undoes. Called at every
    /// [`RiskGateway::evaluate`]; the engine may call it on other events too.
    pub fn poll_kill_switch(&mut self) -> bool {
        let engaged = self.kill_switch.is_engaged();
        if engaged {
            self.state = TradingState::Halted;
        }
        engaged
    }

    /// An operator halts trading.
    pub fn halt(&mut self, operator: &str) -> Result<()> {
        self.last_operator = Some(check_operator(operator)?);
        self.state = TradingState::Halted;
        Ok(())
    }

    /// An operator restricts trading to reductions.
    pub fn reduce_only(&mut self, operator: &str) -> Result<()> {
        self.last_operator = Some(check_operator(operator)?);
        self.state = self.state.max(TradingState::Reducing);
        Ok(())
    }

    /// An operator returns trading to `Normal`. Refused while the kill switch is
    /// engaged. Limits still apply: a drawdown still beyond its limit puts the
    /// gateway back into `Reducing` at the next exposure-increasing intent.
    pub fn reset_trading_state(&mut self, operator: &str) -> Result<()> {
        let operator = check_operator(operator)?;
        if self.kill_switch.is_engaged() {
            return Err(Error::KillSwitchEngaged);
        }
        self.last_operator = Some(operator);
        self.state = TradingState::Normal;
        Ok(())
    }

    pub fn last_operator(&self) -> Option<&str> {
        self.last_operator.as_deref()
    }

    pub fn approvals(&self) -> u64 {
        self.approvals
    }

    pub fn rejections(&self) -> u64 {
        self.rejections
    }

    pub fn last_decision(&self) -> Option<&DecisionSummary> {
        self.last_decision.as_ref()
    }

    pub fn kill_switch_engaged(&self) -> bool {
        self.kill_switch.is_engaged()
    }

    /// Runs the pipeline for one intent against the current portfolio.
    pub fn evaluate(
        &mut self,
        intent: Intent,
        portfolio: &PortfolioView,
        now: UnixNanos,
    ) -> Decision {
        self.poll_kill_switch();
        let decision = self.run(intent, portfolio, now);
        if decision.is_approved() {
            self.approvals += 1;
        } else {
            self.rejections += 1;
        }
        self.last_decision = Some(DecisionSummary {
            instrument: decision.intent().instrument.as_str().to_owned(),
            approved: decision.is_approved(),
            reason: decision.reason(),
            decided_at: now,
        });
        decision
    }

    fn run(&mut self, intent: Intent, portfolio: &PortfolioView, now: UnixNanos) -> Decision {
        let research = self.config.research_mode;
        let warn_ratio = self.config.warn_ratio;
        let mut t = Trail {
            checks: Vec::with_capacity(20),
            violations: Vec::new(),
        };
        let book = Book::scan(portfolio, &intent.instrument, &self.config);
        let current = book.current_quantity;
        let kind = IntentKind::classify(current, intent.side, intent.quantity);
        let regime = MarketRegime::classify(intent.volatility, &self.config.regime);
        let mut sizing = SizingReport {
            requested_quantity: intent.quantity,
            ..SizingReport::default()
        };

        macro_rules! reject_if_failed {
            () => {
                if !research && !t.violations.is_empty() {
                    return self
                        .decide(intent, kind, t, sizing, regime, None, None, None, now, 0.0);
                }
            };
        }

        // 1. Strategy status.
        let profile = self.strategies.get(&intent.strategy_id).copied();
        t.flag(
            "strategy_status",
            profile.is_some_and(|p| p.status.may_trade()),
            ReasonCode::StrategyDisabled,
        );
        reject_if_failed!();

        // 2. Confidence (NaN fails the comparison).
        let floor = self.config.confidence_floor;
        let confident = intent.confidence >= floor;
        let status = if confident {
            CheckStatus::Ok
        } else {
            CheckStatus::Violation
        };
        t.record(
            "confidence",
            intent.confidence,
            floor,
            status,
            ReasonCode::LowConfidence,
        );
        reject_if_failed!();

        // 3. Trading state. Halted is absolute, research mode included.
        let increases = kind.increases_exposure();
        let state_value = f64::from(self.state as u8);
        match self.state {
            TradingState::Halted => {
                t.record(
                    "trading_state",
                    state_value,
                    0.0,
                    CheckStatus::Violation,
                    ReasonCode::TradingHalted,
                );
                return self.decide(intent, kind, t, sizing, regime, None, None, None, now, 0.0);
            }
            TradingState::Reducing if increases => t.record(
                "trading_state",
                state_value,
                0.0,
                CheckStatus::Violation,
                ReasonCode::TradingReducing,
            ),
            TradingState::Reducing => t.record(
                "trading_state",
                state_value,
                0.0,
                CheckStatus::Warn,
                ReasonCode::TradingReducing,
            ),
            TradingState::Normal => t.record(
                "trading_state",
                state_value,
                0.0,
                CheckStatus::Ok,
                ReasonCode::TradingReducing,
            ),
        }
        reject_if_failed!();

        // 4. Drawdown and daily loss. Reaching the limits changes the state.
        let drawdown = portfolio.drawdown();
        let max_dd = self.config.max_drawdown_pct;
        let dd_status = if !(drawdown < self.config.halt_drawdown_pct) {
            self.state = TradingState::Halted;
            CheckStatus::Violation
        } else if !(drawdown < max_dd) {
            self.state = self.state.max(TradingState::Reducing);
            if increases {
                CheckStatus::Violation
            } else {
                CheckStatus::Warn
            }
        } else if drawdown >= max_dd * warn_ratio {
            CheckStatus::Warn
        } else {
            CheckStatus::Ok
        };
        t.record(
            "drawdown",
            drawdown,
            max_dd,
            dd_status,
            ReasonCode::MaxDrawdownExceeded,
        );
        let daily_loss = portfolio.daily_loss();
        let limit = self.config.daily_loss_limit_pct;
        let daily_status = if !(daily_loss < limit) {
            if increases {
                CheckStatus::Violation
            } else {
                CheckStatus::Warn
            }
        } else if daily_loss >= limit * warn_ratio {
            CheckStatus::Warn
        } else {
            CheckStatus::Ok
        };
        t.record(
            "daily_loss",
            daily_loss,
            limit,
            daily_status,
            ReasonCode::DailyLossLimit,
        );
        reject_if_failed!();

        // 5. Open positions (only an intent that opens one).
        if kind == IntentKind::Open {
            let open = portfolio.open_positions();
            let max_open = self.config.max_open_positions as usize;
            let status = if open >= max_open {
                CheckStatus::Violation
            } else {
                CheckStatus::Ok
            };
            t.record(
                "open_positions",
                open as f64,
                max_open as f64,
                status,
                ReasonCode::TooManyOpenPositions,
            );
            reject_if_failed!();
        }

        // 6. Sizing.
        let equity = portfolio.equity;
        let price = intent.price;
        let min_size = self.config.min_position_size;
        let max_size = self.config.max_position_size;
        let stop_distance = match intent.stop_loss {
            Some(stop) => (price - stop).abs(),
            // No stop: the whole notional is at risk.
            None => price.abs(),
        };
        let held = current.abs();
        let (quantity, leg) = if kind == IntentKind::Reduce {
            let q = positive(intent.quantity).min(held);
            let status = if q > 0.0 {
                CheckStatus::Ok
            } else {
                CheckStatus::Violation
            };
            t.record("size", q, 0.0, status, ReasonCode::SizeBelowMinimum);
            sizing.quantity = q;
            (q, 0.0)
        } else {
            let leg_requested = if kind == IntentKind::Flip {
                intent.quantity - held
            } else {
                intent.quantity
            };
            let kelly = profile
                .and_then(|p| p.track_record)
                .filter(|r| r.trades >= self.config.kelly.min_trades.max(1))
                .map(|r| self.config.kelly.fraction * kelly_fraction(r.win_rate, r.payoff_ratio));
            let input = SizingInput {
                equity,
                max_risk_pct: self.config.max_risk_per_trade_pct,
                drawdown_multiplier: drawdown_multiplier(
                    drawdown,
                    max_dd,
                    self.config.drawdown_multiplier_floor,
                ),
                regime_multiplier: regime.multiplier(&self.config.regime),
                kelly,
                volatility_multiplier: volatility_multiplier(
                    self.config.target_volatility_pct,
                    intent.volatility,
                    self.config.max_volatility_leverage,
                ),
                stop_distance,
                requested: leg_requested,
            };
            let (mut leg, refusal, budget) = size_leg(&input);
            sizing = SizingReport {
                requested_quantity: intent.quantity,
                quantity: 0.0,
                risk_budget_pct: budget,
                drawdown_multiplier: input.drawdown_multiplier,
                regime_multiplier: input.regime_multiplier,
                kelly,
                volatility_multiplier: input.volatility_multiplier,
                stop_distance,
            };
            if let Some(k) = kelly {
                let status = if k > 0.0 {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Violation
                };
                t.record("kelly", k, 0.0, status, ReasonCode::NegativeEdge);
            }
            if refusal != Some(SizingRefusal::NegativeEdge) {
                let status = if leg >= min_size {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Violation
                };
                t.record("size", leg, min_size, status, ReasonCode::SizeBelowMinimum);
            }
            if research && !(leg >= min_size) {
                // Research mode trades what was asked so the violation can be
                // studied; it never invents a size.
                leg = positive(leg_requested);
            }
            let q = if kind == IntentKind::Flip {
                // `held + (requested − held)` can round one ulp above the request.
                (held + leg).min(intent.quantity)
            } else {
                leg
            };
            sizing.quantity = q;
            (q, leg)
        };
        reject_if_failed!();
        if !(quantity > 0.0) {
            // Nothing to trade, even in research mode.
            return self.decide(intent, kind, t, sizing, regime, None, None, None, now, 0.0);
        }

        // 7. Policy checks on the post-trade portfolio.
        let sign = match intent.side {
            Side::Buy => 1.0,
            Side::Sell => -1.0,
        };
        let new_quantity = current + sign * quantity;
        let new_stop = match kind {
            IntentKind::Reduce => book.current_stop,
            IntentKind::Increase => intent.stop_loss.or(book.current_stop),
            IntentKind::Open | IntentKind::Flip => intent.stop_loss,
        };
        let after = if kind == IntentKind::Increase {
            book.with_increase(sign * quantity, price, new_stop)
        } else {
            book.with_position(new_quantity, price, new_stop)
        };
        if increases {
            let status = if leg >= min_size {
                CheckStatus::Ok
            } else {
                CheckStatus::Violation
            };
            t.record(
                "min_position_size",
                leg,
                min_size,
                status,
                ReasonCode::SizeBelowMinimum,
            );
        }
        let size_status = if exceeds(new_quantity.abs(), max_size) && increases {
            CheckStatus::Violation
        } else {
            CheckStatus::Ok
        };
        t.record(
            "max_position_size",
            new_quantity.abs(),
            max_size,
            size_status,
            ReasonCode::PositionSizeLimit,
        );
        t.flag(
            "price",
            price > 0.0 && price.is_finite(),
            ReasonCode::InvalidPrice,
        );
        t.flag(
            "equity",
            equity > 0.0 && equity.is_finite(),
            ReasonCode::InvalidEquity,
        );
        let stop_ok = match (increases, intent.stop_loss) {
            (false, _) => CheckStatus::Ok,
            (true, Some(stop)) => {
                let protective = match intent.side {
                    Side::Buy => stop < price,
                    Side::Sell => stop > price,
                };
                if protective && stop.is_finite() {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Violation
                }
            }
            (true, None) if self.config.mandatory_stop_loss => CheckStatus::Violation,
            (true, None) => CheckStatus::Warn,
        };
        let has_stop = f64::from(u8::from(intent.stop_loss.is_some()));
        t.record(
            "stop_loss",
            has_stop,
            1.0,
            stop_ok,
            ReasonCode::StopLossRequired,
        );
        let trade_risk = per_equity(leg * stop_distance, equity);
        let r = self.config.max_risk_per_trade_pct;
        let status = if exceeds(trade_risk, r) {
            CheckStatus::Violation
        } else {
            CheckStatus::Ok
        };
        t.record(
            "per_trade_risk",
            trade_risk,
            r,
            status,
            ReasonCode::PerTradeRiskExceeded,
        );
        // A reduction cannot raise any of these figures (same mark, same stop,
        // smaller position), so it is never refused for a breach it only shrinks.
        let limit_check = |t: &mut Trail, name, value: f64, limit: f64, code| {
            let mut status = max_status(value, limit, warn_ratio);
            if status == CheckStatus::Violation && !increases {
                status = CheckStatus::Warn;
            }
            t.record(name, value, limit, status, code);
        };
        limit_check(
            &mut t,
            "total_exposure",
            per_equity(after.total_risk, equity),
            self.config.max_total_exposure_pct,
            ReasonCode::TotalExposureExceeded,
        );
        limit_check(
            &mut t,
            "leverage",
            per_equity(after.gross_notional, equity),
            self.config.max_leverage,
            ReasonCode::LeverageExceeded,
        );
        if let Some((_, sector_limit)) = self.config.sector_of(intent.instrument.as_str()) {
            limit_check(
                &mut t,
                "sector_exposure",
                per_equity(after.sector_risk, equity),
                sector_limit,
                ReasonCode::SectorExposureExceeded,
            );
        }
        reject_if_failed!();

        // 8. Portfolio risk score.
        let score = after.risk_score(equity, &self.config);
        limit_check(
            &mut t,
            "portfolio_risk_score",
            score,
            1.0,
            ReasonCode::PortfolioRiskBreach,
        );
        reject_if_failed!();

        // 9. Execution cost. A reduction is never refused for cost: getting out
        // matters more than the price of getting out.
        let notional = (quantity * price).abs();
        let cost = ExecutionEstimate::estimate(
            &self.config,
            intent.spread_bps,
            intent.volatility,
            notional,
            equity,
        );
        let ex = &self.config.execution;
        for (name, value, limit) in [
            (
                "execution_slippage_bps",
                cost.slippage_bps,
                ex.max_slippage_bps,
            ),
            ("execution_cost_bps", cost.cost_bps, ex.max_cost_bps),
        ] {
            let mut status = max_status(value, limit, warn_ratio);
            if status == CheckStatus::Violation && !increases {
                status = CheckStatus::Warn;
            }
            t.record(name, value, limit, status, ReasonCode::ExecutionRisk);
        }
        self.decide(
            intent,
            kind,
            t,
            sizing,
            regime,
            Some(score),
            Some(cost),
            Some(after),
            now,
            quantity,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        mut intent: Intent,
        kind: IntentKind,
        t: Trail,
        sizing: SizingReport,
        regime: MarketRegime,
        risk_score: Option<f64>,
        execution: Option<ExecutionEstimate>,
        exposure_after: Option<Exposure>,
        now: UnixNanos,
        quantity: f64,
    ) -> Decision {
        let research = self.config.research_mode;
        let halted = t.violations.contains(&ReasonCode::TradingHalted);
        let approve = quantity > 0.0 && !halted && (t.violations.is_empty() || research);
        let outcome = if approve {
            intent.quantity = quantity;
            Outcome::Approved {
                intent: RiskApproved::new(intent, now),
            }
        } else {
            // Reached only with a violation recorded, or with nothing to trade.
            let reason = t
                .violations
                .first()
                .copied()
                .unwrap_or(ReasonCode::SizeBelowMinimum);
            Outcome::Rejected { reason, intent }
        };
        Decision {
            outcome,
            kind,
            checks: t.checks,
            violations: t.violations,
            sizing,
            regime,
            risk_score,
            execution,
            exposure_after,
            trading_state: self.state,
            research_mode: research,
            decided_at: now,
        }
    }
}

fn check_operator(operator: &str) -> Result<String> {
    let operator = operator.trim();
    if operator.is_empty() {
        return Err(Error::MissingOperator);
    }
    Ok(operator.to_owned())
}
