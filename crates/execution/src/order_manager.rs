//! The order manager: the only door to a venue.

use std::collections::HashMap;

use emp_model::{ClientOrderId, Fill, InstrumentSpec, Order, OrderEvent, OrderStatus, UnixNanos};
use emp_risk::RiskApproved;
use emp_telemetry::Violations;
use serde::{Deserialize, Serialize};

use crate::bracket::{Bracket, BracketAction, BracketLeg};
use crate::error::{Error, Result};
use crate::portfolio::{Portfolio, PortfolioConfig};
use crate::reconcile::{OwnBooks, ReconciliationReport, reconcile};
use crate::retry::RetryPolicy;
use crate::telemetry::ExecutionMetrics;
use crate::venue::{Amend, ExecutionReport, OrderRequest, SubmitOrder, Venue};

/// Whether the manager may send orders.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TradingStatus {
    /// Built, not yet reconciled: refuses orders.
    AwaitingReconciliation,
    /// Reconciled clean: trading.
    Ready,
    /// A reconciliation found discrepancies: refuses orders until `resume`.
    Refused,
}

/// Order-manager configuration (raw).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct OrderManagerConfig {
    /// Retries of transient rejects.
    pub retry: RetryPolicy,
    /// Periodic reconciliation interval, nanoseconds (0 = only on demand).
    pub reconcile_interval_nanos: i64,
    /// The account.
    pub portfolio: PortfolioConfig,
}

impl OrderManagerConfig {
    /// Checks every field, reporting all violations.
    pub fn validate(&self) -> Result<(), emp_telemetry::ConfigErrors> {
        let mut v = Violations::new();
        v.nested_result("retry", self.retry.validate());
        v.check(
            self.reconcile_interval_nanos >= 0,
            "reconcile_interval_nanos",
            format!("must be >= 0, got {}", self.reconcile_interval_nanos),
        );
        v.nested_result("portfolio", self.portfolio.validate());
        v.into_result()
    }
}

#[derive(Clone, Debug)]
struct Managed {
    order: Order,
    command: SubmitOrder,
    strategy_id: String,
    attempts: u32,
    sent_at: UnixNanos,
    retry_at: Option<UnixNanos>,
    fills: Vec<Fill>,
    acked: bool,
    /// We asked the venue to cancel it (metrics count its cancellation as withdrawn).
    cancel_requested: bool,
}

/// Orders, fills, portfolio and the venue conversation.
///
/// It owns our books (orders on the model's state machine, the fill journal, the
/// portfolio), forwards approved requests to a [`Venue`], turns the venue's
/// [`ExecutionReport`]s into model [`OrderEvent`]s, runs brackets and retries, and
/// reconciles. It refuses to trade until a reconciliation at start was clean
/// ([`TradingStatus`]); a periodic reconciliation that finds a discrepancy also stops
/// trading until [`OrderManager::resume`] is called by an operator.
#[derive(Debug)]
pub struct OrderManager {
    status: TradingStatus,
    retry: RetryPolicy,
    reconcile_interval: i64,
    last_reconcile: Option<UnixNanos>,
    last_report: Option<ReconciliationReport>,
    orders: HashMap<ClientOrderId, Managed>,
    sequence: Vec<ClientOrderId>,
    journal: Vec<Fill>,
    portfolio: Portfolio,
    brackets: Vec<Bracket>,
    bracket_of: HashMap<ClientOrderId, usize>,
    events: Vec<(ClientOrderId, OrderEvent)>,
    /// Orders waiting for a retry, in the order they were rejected.
    retry_queue: Vec<ClientOrderId>,
    buffer: Vec<ExecutionReport>,
    metrics: ExecutionMetrics,
    orphan_reports: u64,
}

impl OrderManager {
    /// A manager awaiting its start reconciliation.
    pub fn try_new(config: OrderManagerConfig) -> Result<Self> {
        config.validate().map_err(Error::InvalidConfig)?;
        Ok(OrderManager {
            status: TradingStatus::AwaitingReconciliation,
            retry: config.retry,
            reconcile_interval: config.reconcile_interval_nanos,
            last_reconcile: None,
            last_report: None,
            orders: HashMap::new(),
            sequence: Vec::new(),
            journal: Vec::new(),
            portfolio: Portfolio::try_new(config.portfolio)?,
            brackets: Vec::new(),
            bracket_of: HashMap::new(),
            events: Vec::new(),
            retry_queue: Vec::new(),
            buffer: Vec::new(),
            metrics: ExecutionMetrics::default(),
            orphan_reports: 0,
        })
    }

    /// Registers an instrument with the portfolio.
    pub fn register(&mut self, spec: InstrumentSpec) {
        self.portfolio.register(spec);
    }

    /// Reconciles against the venue before trading. Clean → `Ready`; otherwise `Refused`
    /// and `Err(ReconciliationFailed)` carrying the report.
    pub fn start(&mut self, venue: &dyn Venue, now: UnixNanos) -> Result<ReconciliationReport> {
        let report = self.reconcile(venue, now);
        if report.is_clean() {
            self.status = TradingStatus::Ready;
            Ok(report)
        } else {
            self.status = TradingStatus::Refused;
            Err(Error::ReconciliationFailed(Box::new(report)))
        }
    }

    /// Runs a reconciliation now (does not change the trading status).
    pub fn reconcile(&mut self, venue: &dyn Venue, now: UnixNanos) -> ReconciliationReport {
        let snapshot = venue.snapshot();
        let books = OwnBooks {
            orders: self.orders.values().map(|m| &m.order).collect(),
            fills: &self.journal,
            positions: self.portfolio.positions().collect(),
        };
        let report = reconcile(&books, &snapshot, now);
        self.last_reconcile = Some(now);
        self.last_report = Some(report.clone());
        report
    }

    /// Reconciles when the configured interval has elapsed; a dirty report refuses trading.
    /// Call it right after [`OrderManager::pump`], so no venue report is still unread.
    pub fn maybe_reconcile(
        &mut self,
        venue: &dyn Venue,
        now: UnixNanos,
    ) -> Option<ReconciliationReport> {
        if self.reconcile_interval == 0 {
            return None;
        }
        let due = self
            .last_reconcile
            .is_none_or(|t| now.saturating_sub(t) >= self.reconcile_interval);
        if !due {
            return None;
        }
        let report = self.reconcile(venue, now);
        if !report.is_clean() {
            self.status = TradingStatus::Refused;
        }
        Some(report)
    }

    /// An operator's decision to trade again after reviewing a failed reconciliation.
    pub fn resume(&mut self) {
        self.status = TradingStatus::Ready;
    }

    /// Sends an approved request to the venue. Only a [`RiskApproved`] request gets here.
    pub fn submit(
        &mut self,
        approved: RiskApproved<OrderRequest>,
        venue: &mut dyn Venue,
        now: UnixNanos,
    ) -> Result<ClientOrderId> {
        if self.status != TradingStatus::Ready {
            return Err(Error::NotReady(self.status));
        }
        let request = approved.into_inner();
        let bracket = Bracket::try_new(&request)?;
        if let Some(b) = &bracket {
            for id in [Some(b.entry_id()), b.stop_loss_id(), b.take_profit_id()]
                .into_iter()
                .flatten()
            {
                if self.orders.contains_key(id) {
                    return Err(Error::DuplicateOrder(id.clone()));
                }
            }
        }
        let command = SubmitOrder::new(request.params(now), None);
        let id = self.send(command, &request.strategy_id, venue, now)?;
        if let Some(b) = bracket {
            let index = self.brackets.len();
            for leg in [Some(b.entry_id()), b.stop_loss_id(), b.take_profit_id()]
                .into_iter()
                .flatten()
            {
                self.bracket_of.insert(leg.clone(), index);
            }
            self.brackets.push(b);
        }
        Ok(id)
    }

    fn send(
        &mut self,
        command: SubmitOrder,
        strategy_id: &str,
        venue: &mut dyn Venue,
        now: UnixNanos,
    ) -> Result<ClientOrderId> {
        let id = command.id().clone();
        if self.orders.contains_key(&id) {
            return Err(Error::DuplicateOrder(id));
        }
        let mut params = command.params().clone();
        params.ts_init = now;
        let mut order = Order::try_new(params)?;
        let event = OrderEvent::Submitted { ts: now };
        order.apply(&event)?;
        venue.submit(&command, now);
        self.metrics.submitted += 1;
        self.events.push((id.clone(), event));
        self.sequence.push(id.clone());
        self.orders.insert(
            id.clone(),
            Managed {
                order,
                command,
                strategy_id: strategy_id.to_owned(),
                attempts: 1,
                sent_at: now,
                retry_at: None,
                fills: Vec::new(),
                acked: false,
                cancel_requested: false,
            },
        );
        Ok(id)
    }

    /// Asks the venue to cancel an order. An order waiting for a retry is withdrawn here
    /// (finally rejected: it never reached the venue).
    pub fn cancel(
        &mut self,
        id: &ClientOrderId,
        venue: &mut dyn Venue,
        now: UnixNanos,
    ) -> Result<()> {
        let m = self
            .orders
            .get_mut(id)
            .ok_or_else(|| Error::UnknownOrder(id.clone()))?;
        if m.retry_at.take().is_some() {
            let event = OrderEvent::Rejected {
                ts: now,
                reason: "withdrawn before retry".into(),
            };
            m.order.apply(&event)?;
            self.metrics.rejected += 1;
            self.events.push((id.clone(), event));
            return Ok(());
        }
        if !matches!(
            m.order.status(),
            OrderStatus::Accepted | OrderStatus::PartiallyFilled
        ) {
            return Err(Error::InvalidCommand {
                id: id.clone(),
                reason: format!("cannot cancel a {} order", m.order.status()),
            });
        }
        m.cancel_requested = true;
        venue.cancel(id, now);
        Ok(())
    }

    /// Asks the venue to amend a working order.
    pub fn replace(&mut self, amend: Amend, venue: &mut dyn Venue, now: UnixNanos) -> Result<()> {
        let m = self
            .orders
            .get(&amend.id)
            .ok_or_else(|| Error::UnknownOrder(amend.id.clone()))?;
        if !matches!(
            m.order.status(),
            OrderStatus::Accepted | OrderStatus::PartiallyFilled
        ) {
            return Err(Error::InvalidCommand {
                id: amend.id.clone(),
                reason: format!("cannot replace a {} order", m.order.status()),
            });
        }
        venue.replace(&amend, now);
        Ok(())
    }

    /// Drains the venue's reports into our books, then sends due retries and bracket
    /// children. Returns the number of reports processed; the first inconsistency (a
    /// report illegal for our order state) is returned as an error after all reports were
    /// looked at.
    pub fn pump(&mut self, venue: &mut dyn Venue, now: UnixNanos) -> Result<usize> {
        let mut buffer = std::mem::take(&mut self.buffer);
        venue.poll_reports(&mut buffer);
        let n = buffer.len();
        let mut first_error = None;
        let mut actions = Vec::new();
        for report in buffer.drain(..) {
            if let Err(e) = self.on_report(report, &mut actions) {
                first_error.get_or_insert(e);
            }
        }
        self.buffer = buffer;
        for (strategy, action) in actions {
            let result = match action {
                BracketAction::Submit(cmd) => self.send(cmd, &strategy, venue, now).map(|_| ()),
                BracketAction::Cancel(id) => {
                    let open = self.orders.get(&id).is_some_and(|m| m.order.is_open());
                    if open {
                        self.cancel(&id, venue, now)
                    } else {
                        Ok(())
                    }
                }
            };
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        self.send_due_retries(venue, now);
        match first_error {
            Some(e) => Err(e),
            None => Ok(n),
        }
    }

    fn send_due_retries(&mut self, venue: &mut dyn Venue, now: UnixNanos) {
        if self.retry_queue.is_empty() {
            return;
        }
        let orders = &mut self.orders;
        let metrics = &mut self.metrics;
        self.retry_queue.retain(|id| {
            let Some(m) = orders.get_mut(id) else {
                return false;
            };
            match m.retry_at {
                Some(t) if t <= now => {
                    m.retry_at = None;
                    m.attempts += 1;
                    m.sent_at = now;
                    metrics.retries += 1;
                    venue.submit(&m.command, now);
                    false
                }
                Some(_) => true,
                // Withdrawn (cancelled) while waiting.
                None => false,
            }
        });
    }

    fn apply(&mut self, id: &ClientOrderId, event: OrderEvent) -> Result<()> {
        let m = self
            .orders
            .get_mut(id)
            .ok_or_else(|| Error::UnknownOrder(id.clone()))?;
        m.order.apply(&event)?;
        self.events.push((id.clone(), event));
        Ok(())
    }

    fn on_report(
        &mut self,
        report: ExecutionReport,
        actions: &mut Vec<(String, BracketAction)>,
    ) -> Result<()> {
        let id = report.order_id().clone();
        let Some(m) = self.orders.get_mut(&id) else {
            // A venue report for an order we never sent: counted, and reconciliation
            // will name it (never patched silently).
            self.orphan_reports += 1;
            return Err(Error::UnknownOrder(id));
        };
        let before = m.order.status();
        match report {
            ExecutionReport::Accepted { ts, .. } => {
                if !m.acked {
                    m.acked = true;
                    self.metrics.record_latency(ts.saturating_sub(m.sent_at));
                }
                self.apply(&id, OrderEvent::Accepted { ts })?;
            }
            ExecutionReport::Rejected {
                ts,
                reason,
                transient,
                ..
            } => {
                if !m.acked {
                    m.acked = true;
                    self.metrics.record_latency(ts.saturating_sub(m.sent_at));
                }
                let delay = if transient {
                    self.retry.delay_after(m.attempts)
                } else {
                    None
                };
                match delay {
                    Some(d) => {
                        m.retry_at = Some(ts.checked_add_nanos(d).unwrap_or(UnixNanos::MAX));
                        m.acked = false;
                        self.metrics.transient_rejects += 1;
                        self.retry_queue.push(id.clone());
                    }
                    None => {
                        self.metrics.rejected += 1;
                        self.apply(
                            &id,
                            OrderEvent::Rejected {
                                ts,
                                reason: format!("{reason:?}"),
                            },
                        )?;
                    }
                }
            }
            ExecutionReport::Filled(fill) => {
                // All or nothing: the order transition is tried on a copy, then the
                // portfolio (which may lack an FX rate), and only then is anything kept. A
                // refused fill stays out of the journal, where reconciliation names it.
                let event = OrderEvent::Filled(fill.clone());
                let mut trial = m.order.clone();
                trial.apply(&event)?;
                self.portfolio.apply_fill(&fill, &m.strategy_id)?;
                m.order = trial;
                m.fills.push(fill.clone());
                self.metrics.fills += 1;
                self.journal.push(fill);
                self.events.push((id.clone(), event));
            }
            ExecutionReport::Cancelled { ts, .. } => {
                self.apply(&id, OrderEvent::Cancelled { ts })?
            }
            ExecutionReport::Expired { ts, .. } => self.apply(&id, OrderEvent::Expired { ts })?,
            ExecutionReport::Replaced { amend, .. } => self.rebuild(&amend)?,
            ExecutionReport::CommandRejected { .. } => self.metrics.command_rejects += 1,
        }
        self.after_update(&id, before, actions);
        Ok(())
    }

    /// Applies a confirmed amendment: the model order is immutable, so it is rebuilt from
    /// amended parameters and its history (submitted, accepted, fills) replayed.
    fn rebuild(&mut self, amend: &Amend) -> Result<()> {
        let m = self
            .orders
            .get_mut(&amend.id)
            .ok_or_else(|| Error::UnknownOrder(amend.id.clone()))?;
        let mut params = m.command.params().clone();
        params.ts_init = m.order.ts_init();
        if let Some(q) = amend.quantity {
            params.quantity = q;
        }
        params.limit_price = amend.limit_price.or(params.limit_price);
        params.stop_price = amend.stop_price.or(params.stop_price);
        let mut order = Order::try_new(params.clone())?;
        order.apply(&OrderEvent::Submitted {
            ts: order.ts_init(),
        })?;
        order.apply(&OrderEvent::Accepted {
            ts: order.ts_init(),
        })?;
        for f in &m.fills {
            order.apply(&OrderEvent::Filled(f.clone()))?;
        }
        m.order = order;
        m.command = SubmitOrder::new(params, m.command.oco_sibling().cloned());
        Ok(())
    }

    fn after_update(
        &mut self,
        id: &ClientOrderId,
        before: OrderStatus,
        actions: &mut Vec<(String, BracketAction)>,
    ) {
        let Some(m) = self.orders.get(id) else { return };
        let (status, filled, ts) = (
            m.order.status(),
            m.order.filled_quantity(),
            m.order.ts_last(),
        );
        if status == before {
            return;
        }
        if status.is_terminal() {
            // A protective child that never triggered, or an order we cancelled ourselves,
            // is not an execution failure.
            let withdrawn = m.cancel_requested
                || self.bracket_of.get(id).is_some_and(|&i| {
                    matches!(
                        self.brackets[i].leg_of(id),
                        Some(BracketLeg::StopLoss | BracketLeg::TakeProfit)
                    )
                });
            match status {
                OrderStatus::Filled => self.metrics.filled += 1,
                OrderStatus::Cancelled if withdrawn => self.metrics.withdrawn += 1,
                OrderStatus::Cancelled => self.metrics.cancelled += 1,
                OrderStatus::Expired => self.metrics.expired += 1,
                _ => {}
            }
        }
        let Some(&index) = self.bracket_of.get(id) else {
            return;
        };
        let sibling_open = self.brackets[index]
            .sibling_of(id)
            .and_then(|s| self.orders.get(s))
            .is_some_and(|s| s.order.is_open());
        let strategy = self.brackets[index].strategy_id().to_owned();
        for a in self.brackets[index].on_update(id, status, filled, ts, sibling_open) {
            actions.push((strategy.clone(), a));
        }
    }

    /// Trading status.
    pub fn status(&self) -> TradingStatus {
        self.status
    }
    /// The last reconciliation report.
    pub fn last_reconciliation(&self) -> Option<&ReconciliationReport> {
        self.last_report.as_ref()
    }
    /// An order by id.
    pub fn order(&self, id: &ClientOrderId) -> Option<&Order> {
        self.orders.get(id).map(|m| &m.order)
    }
    /// All orders in submission order.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.sequence
            .iter()
            .filter_map(|id| self.orders.get(id).map(|m| &m.order))
    }
    /// How many attempts an order has used.
    pub fn attempts(&self, id: &ClientOrderId) -> Option<u32> {
        self.orders.get(id).map(|m| m.attempts)
    }
    /// Orders open in our books (submitted, accepted or partially filled).
    pub fn open_orders(&self) -> usize {
        self.orders.values().filter(|m| m.order.is_open()).count()
    }
    /// The fill journal.
    pub fn fills(&self) -> &[Fill] {
        &self.journal
    }
    /// The portfolio.
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }
    /// The portfolio (marks, FX, equity curve).
    pub fn portfolio_mut(&mut self) -> &mut Portfolio {
        &mut self.portfolio
    }
    /// The brackets.
    pub fn brackets(&self) -> &[Bracket] {
        &self.brackets
    }
    /// Order events applied since the last call (for journals and observers).
    pub fn take_events(&mut self) -> Vec<(ClientOrderId, OrderEvent)> {
        std::mem::take(&mut self.events)
    }
    /// Reports for orders we never sent.
    pub fn orphan_reports(&self) -> u64 {
        self.orphan_reports
    }
    /// Execution counters for the `telemetry.operational.execution` evaluator.
    pub fn metrics(&self) -> ExecutionMetrics {
        ExecutionMetrics {
            pending: self.open_orders() as u64,
            ..self.metrics.clone()
        }
    }
}
