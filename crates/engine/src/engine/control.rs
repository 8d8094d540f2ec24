//! Controls a long-running (paper) loop needs beyond a backtest: switching order
//! submission off, cancelling open orders without ending the run, and the figures its
//! telemetry reads.

use emp_execution::{ExecutionMetrics, StrategyPerformanceInput};
use emp_model::ClientOrderId;

use super::Engine;
use crate::error::Result;
use crate::event::EventSink;
use crate::venue::MarketVenue;

/// What [`Engine::cancel_open_orders`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CancelReport {
    /// Orders open before the request.
    pub open_before: usize,
    /// Cancel requests the order manager accepted and sent to the venue.
    pub requested: usize,
    /// Orders still open after the venue answered (0 unless an order was in flight).
    pub still_open: usize,
}

impl CancelReport {
    /// Orders that were open and are closed now.
    pub fn closed(&self) -> usize {
        self.open_before.saturating_sub(self.still_open)
    }
}

impl<V: MarketVenue> Engine<V> {
    /// With `false`, intents still go through the strategy and the risk gateway and are
    /// counted, but an approval becomes an [`crate::EngineEvent::IntentWithheld`] instead of an
    /// order: nothing reaches the venue. For a `--no-trading` paper run.
    pub fn set_order_submission(&mut self, enabled: bool) {
        self.submit_orders = enabled;
    }

    /// Whether approved intents are sent as orders.
    pub fn submits_orders(&self) -> bool {
        self.submit_orders
    }

    /// Cancels every open order (entries and bracket children) through the order manager
    /// and lets the venue confirm, without ending the run (unlike [`Engine::finish`]):
    /// for an ordered shutdown that must leave nothing working at the venue.
    pub fn cancel_open_orders(&mut self, sink: &mut dyn EventSink) -> Result<CancelReport> {
        let open: Vec<ClientOrderId> = self
            .manager
            .orders()
            .filter(|o| o.is_open())
            .map(|o| o.id().clone())
            .collect();
        let mut requested = 0;
        for id in &open {
            // An order whose OCO sibling was just cancelled may already be closing: that
            // refusal is not a failure of the shutdown.
            if self.manager.cancel(id, &mut self.venue, self.now).is_ok() {
                requested += 1;
            }
        }
        self.settle(sink)?;
        Ok(CancelReport {
            open_before: open.len(),
            requested,
            still_open: self.manager.open_orders(),
        })
    }

    /// Orders open at the venue now.
    pub fn open_orders(&self) -> usize {
        self.manager.open_orders()
    }

    /// Intents the strategy emitted so far (decisions to trade, before risk).
    pub fn intents_emitted(&self) -> u64 {
        self.intents_emitted
    }

    /// Approved intents withheld because order submission is off.
    pub fn intents_withheld(&self) -> u64 {
        self.intents_withheld
    }

    /// The strategy id orders are attributed to.
    pub fn strategy_id(&self) -> &str {
        &self.config.strategy_id
    }

    /// The strategy's registry name.
    pub fn strategy_name(&self) -> &'static str {
        self.strategy.name()
    }

    /// Account equity now (cash + unrealised PnL), account currency.
    pub fn equity(&self) -> f64 {
        self.manager.portfolio().equity()
    }

    /// The order manager's counters for `telemetry.operational.execution`.
    pub fn execution_metrics(&self) -> ExecutionMetrics {
        self.manager.metrics()
    }

    /// The input of `telemetry.strategy.performance`: the engine's equity curve (one
    /// sample per bar) and the net PnL of every closed trade so far.
    pub fn performance_input(&self) -> StrategyPerformanceInput {
        StrategyPerformanceInput {
            strategy_id: self.config.strategy_id.clone(),
            starting_equity: self.manager.portfolio().starting_cash(),
            equity_curve: self.equity.iter().map(|s| s.equity).collect(),
            trade_pnls: self
                .trades
                .iter()
                .filter(|t| t.closed)
                .map(|t| t.net_pnl())
                .collect(),
        }
    }
}
