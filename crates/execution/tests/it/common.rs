//! Builders shared by the integration tests.

use emp_execution::*;
use emp_model::*;
use emp_risk::{
    Intent, PortfolioView, RiskApproved, RiskConfig, RiskGateway, RunMode, StrategyStatus,
};

pub(crate) const STRATEGY: &str = "trend-1";

pub(crate) fn t0() -> UnixNanos {
    // 2024-01-02 (a Tuesday) 10:00 UTC.
    UnixNanos::from_civil(2024, 1, 2, 10, 0, 0, 0).unwrap()
}

pub(crate) fn at_ms(ms: i64) -> UnixNanos {
    t0().checked_add_nanos(ms * 1_000_000).unwrap()
}

pub(crate) fn px(s: &str) -> Price {
    s.parse().unwrap()
}

pub(crate) fn qty(n: u64) -> Quantity {
    Quantity::from_int(n)
}

pub(crate) fn oid(s: &str) -> ClientOrderId {
    ClientOrderId::try_new(s).unwrap()
}

pub(crate) fn eurusd() -> InstrumentSpec {
    InstrumentSpec::try_new(
        InstrumentId::try_new("EURUSD").unwrap(),
        AssetClass::Fx,
        5,
        0,
        1.0,
        Currency::USD,
        px("0.00001"),
    )
    .unwrap()
}

pub(crate) fn usdjpy() -> InstrumentSpec {
    InstrumentSpec::try_new(
        InstrumentId::try_new("USDJPY").unwrap(),
        AssetClass::Fx,
        3,
        0,
        1.0,
        Currency::JPY,
        px("0.001"),
    )
    .unwrap()
}

pub(crate) fn quote(spec: &InstrumentSpec, ts: UnixNanos, bid: &str, ask: &str) -> QuoteTick {
    QuoteTick::try_new(
        spec.id().clone(),
        ts,
        px(bid),
        px(ask),
        Quantity::ZERO,
        Quantity::ZERO,
    )
    .unwrap()
}

pub(crate) fn sized_quote(
    spec: &InstrumentSpec,
    ts: UnixNanos,
    bid: &str,
    ask: &str,
    size: u64,
) -> QuoteTick {
    QuoteTick::try_new(
        spec.id().clone(),
        ts,
        px(bid),
        px(ask),
        qty(size),
        qty(size),
    )
    .unwrap()
}

/// Runs the real risk gateway on an intent matching the request and carries the approval
/// over. Equity is large so the gateway does not resize the trade.
pub(crate) fn approve(request: OrderRequest, ts: UnixNanos) -> RiskApproved<OrderRequest> {
    let mut gateway =
        RiskGateway::from_config(RiskConfig::default().validate().unwrap(), RunMode::Paper)
            .unwrap();
    gateway.register_strategy(STRATEGY, StrategyStatus::Active);
    let price = request
        .limit_price
        .or(request.stop_price)
        .map(|p| p.as_f64())
        .filter(|p| *p > 0.0)
        .unwrap_or(1.0);
    let stop = match request.side {
        Side::Buy => price * 0.99,
        Side::Sell => price * 1.01,
    };
    let intent = Intent {
        strategy_id: request.strategy_id.clone(),
        instrument: request.instrument.clone(),
        side: request.side,
        quantity: request.quantity.as_f64(),
        price,
        stop_loss: Some(stop),
        confidence: 0.9,
        volatility: None,
        spread_bps: 1.0,
        ts,
    };
    let equity = 1.0e12;
    let view = PortfolioView {
        equity,
        peak_equity: equity,
        day_start_equity: equity,
        positions: vec![],
    };
    let decision = gateway.evaluate(intent, &view, ts);
    let approved = decision
        .into_approved()
        .expect("risk gateway approves the test intent");
    assert_eq!(
        approved.quantity,
        request.quantity.as_f64(),
        "gateway resized the test intent"
    );
    approved.map(|_| request)
}

pub(crate) fn market(id: &str, spec: &InstrumentSpec, side: Side, n: u64) -> OrderRequest {
    OrderRequest::market(STRATEGY, oid(id), spec.id().clone(), side, qty(n))
}

pub(crate) fn limit(
    id: &str,
    spec: &InstrumentSpec,
    side: Side,
    n: u64,
    price: &str,
    tif: TimeInForce,
) -> OrderRequest {
    OrderRequest::limit(
        STRATEGY,
        oid(id),
        spec.id().clone(),
        side,
        qty(n),
        px(price),
        tif,
    )
}

pub(crate) fn stop(
    id: &str,
    spec: &InstrumentSpec,
    side: Side,
    n: u64,
    stop: &str,
    limit: Option<&str>,
) -> OrderRequest {
    OrderRequest {
        order_type: if limit.is_some() {
            OrderType::StopLimit
        } else {
            OrderType::Stop
        },
        stop_price: Some(px(stop)),
        limit_price: limit.map(px),
        time_in_force: TimeInForce::Gtc,
        ..market(id, spec, side, n)
    }
}

/// A venue + manager pair, both knowing the given instruments, reconciled and ready.
pub(crate) struct Rig {
    pub(crate) venue: SimulatedVenue,
    pub(crate) manager: OrderManager,
}

impl Rig {
    pub(crate) fn new(
        config: SimVenueConfig,
        specs: impl IntoIterator<Item = InstrumentSpec>,
    ) -> Self {
        Self::with_manager(config, OrderManagerConfig::default(), specs)
    }

    pub(crate) fn with_manager(
        config: SimVenueConfig,
        mc: OrderManagerConfig,
        specs: impl IntoIterator<Item = InstrumentSpec>,
    ) -> Self {
        let mut venue = SimulatedVenue::try_new(config.validate().unwrap()).unwrap();
        let mut manager = OrderManager::try_new(mc).unwrap();
        for s in specs {
            venue.add_instrument(s.clone());
            manager.register(s);
        }
        manager.start(&venue, t0()).unwrap();
        Rig { venue, manager }
    }

    pub(crate) fn submit(&mut self, request: OrderRequest, ts: UnixNanos) -> ClientOrderId {
        self.manager
            .submit(approve(request, ts), &mut self.venue, ts)
            .unwrap()
    }

    /// Quote to venue and portfolio, then pump reports.
    pub(crate) fn quote(&mut self, q: &QuoteTick) {
        self.venue.on_quote(q);
        self.manager.portfolio_mut().on_quote(q);
        self.manager.pump(&mut self.venue, q.ts).unwrap();
    }

    pub(crate) fn bar(&mut self, b: &Bar) {
        self.venue.on_bar(b);
        self.manager.portfolio_mut().mark(&b.instrument, b.close);
        self.manager.pump(&mut self.venue, b.ts_open).unwrap();
    }

    pub(crate) fn advance(&mut self, ts: UnixNanos) {
        self.venue.advance_to(ts);
        self.manager.pump(&mut self.venue, ts).unwrap();
    }

    pub(crate) fn status(&self, id: &ClientOrderId) -> OrderStatus {
        self.manager.order(id).unwrap().status()
    }

    pub(crate) fn fills_of(&self, id: &ClientOrderId) -> Vec<Fill> {
        self.manager
            .fills()
            .iter()
            .filter(|f| &f.order_id == id)
            .cloned()
            .collect()
    }

    pub(crate) fn assert_reconciled(&mut self, ts: UnixNanos) {
        let r = self.manager.reconcile(&self.venue, ts);
        assert!(r.is_clean(), "{:#?}", r.discrepancies);
    }
}

pub(crate) fn close_to(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}
