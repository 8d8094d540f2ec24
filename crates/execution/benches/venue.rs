//! Per-quote throughput of the simulated venue.
//!
//! Pushes 1 000 000 synthetic EURUSD/GBPUSD quotes (a seeded random walk in 0.1-pip steps,
//! 1–3 point spreads, 50–450 ms apart — the shape of the FXCM tick files) through the
//! venue with six resting orders that never trigger, and reports quotes/s (median of 3):
//! once for `SimulatedVenue::on_quote` alone and once for the engine's whole per-quote
//! path (venue + portfolio mark + manager pump). A counting allocator checks that the hot
//! path allocates nothing.
//!
//! Run: `cargo bench -p emp-execution --bench venue`
#![allow(unsafe_code, clippy::unwrap_used)] // the counting allocator; bench-only code

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use emp_execution::*;
use emp_model::*;
use emp_risk::{Intent, PortfolioView, RiskConfig, RiskGateway, RunMode, StrategyStatus};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Counting;
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const N: usize = 1_000_000;

fn spec(symbol: &str) -> InstrumentSpec {
    InstrumentSpec::try_new(
        InstrumentId::try_new(symbol).unwrap(),
        AssetClass::Fx,
        5,
        0,
        1.0,
        Currency::USD,
        "0.00001".parse().unwrap(),
    )
    .unwrap()
}

fn quotes(specs: &[InstrumentSpec]) -> Vec<QuoteTick> {
    let mut rng = ChaCha8Rng::seed_from_u64(2014);
    let mut mids = [138_500i64, 168_200];
    let mut ts = UnixNanos::from_secs(1_398_902_400).as_i64();
    (0..N)
        .map(|_| {
            let k = usize::from(rng.random_bool(0.3));
            mids[k] += rng.random_range(-3..=3);
            ts += rng.random_range(50..450) * 1_000_000;
            let half = rng.random_range(1..=3);
            QuoteTick {
                instrument: specs[k].id().clone(),
                ts: UnixNanos::new(ts),
                bid: Price::from_raw(mids[k] - half, 5).unwrap(),
                ask: Price::from_raw(mids[k] + half, 5).unwrap(),
                bid_size: Quantity::ZERO,
                ask_size: Quantity::ZERO,
            }
        })
        .collect()
}

fn setup(specs: &[InstrumentSpec], first: &[QuoteTick]) -> (SimulatedVenue, OrderManager) {
    let mut venue = SimulatedVenue::try_new(SimVenueConfig::default().validate().unwrap()).unwrap();
    let mut manager = OrderManager::try_new(OrderManagerConfig::default()).unwrap();
    for s in specs {
        venue.add_instrument(s.clone());
        manager.register(s.clone());
    }
    let t = first[0].ts;
    manager.start(&venue, t).unwrap();
    for q in first {
        venue.on_quote(q);
        manager.portfolio_mut().on_quote(q); // first sight of a pair creates its FX/mark entries
    }
    let mut gateway =
        RiskGateway::from_config(RiskConfig::default().validate().unwrap(), RunMode::Paper)
            .unwrap();
    gateway.register_strategy("bench", StrategyStatus::Active);
    let view = PortfolioView {
        equity: 1e9,
        peak_equity: 1e9,
        day_start_equity: 1e9,
        positions: vec![],
    };
    // Far from the market so nothing triggers: the cost measured is the check itself.
    let resting = [
        (0, Side::Buy, OrderType::Limit, "0.50000"),
        (0, Side::Sell, OrderType::Limit, "3.00000"),
        (0, Side::Buy, OrderType::Stop, "3.00000"),
        (0, Side::Sell, OrderType::Stop, "0.50000"),
        (1, Side::Buy, OrderType::Limit, "0.50000"),
        (1, Side::Sell, OrderType::Stop, "0.50000"),
    ];
    for (n, (k, side, kind, price)) in resting.into_iter().enumerate() {
        let p: Price = price.parse().unwrap();
        let intent = Intent {
            strategy_id: "bench".into(),
            instrument: specs[k].id().clone(),
            side,
            quantity: 1_000.0,
            price: p.as_f64(),
            stop_loss: Some(p.as_f64() * if side == Side::Buy { 0.99 } else { 1.01 }),
            confidence: 0.9,
            volatility: None,
            spread_bps: 1.0,
            ts: t,
        };
        let approved = gateway.evaluate(intent, &view, t).into_approved().unwrap();
        let request = approved.map(|i| OrderRequest {
            strategy_id: i.strategy_id.clone(),
            id: ClientOrderId::try_new(&format!("B{n}")).unwrap(),
            instrument: i.instrument.clone(),
            side: i.side,
            order_type: kind,
            quantity: Quantity::from_int(1_000),
            limit_price: (kind == OrderType::Limit).then_some(p),
            stop_price: (kind == OrderType::Stop).then_some(p),
            time_in_force: TimeInForce::Gtc,
            stop_loss: None,
            take_profit: None,
        });
        manager.submit(request, &mut venue, t).unwrap();
    }
    venue.advance_to(t);
    manager.pump(&mut venue, t).unwrap();
    assert_eq!(
        venue.open_orders(specs[0].id()) + venue.open_orders(specs[1].id()),
        6
    );
    (venue, manager)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let specs = [spec("EURUSD"), spec("GBPUSD")];
    let data = quotes(&specs);
    // One quote of each instrument first, so no order meets "no data yet".
    let warm: Vec<QuoteTick> = specs
        .iter()
        .map(|s| {
            data.iter()
                .find(|q| &q.instrument == s.id())
                .unwrap()
                .clone()
        })
        .collect();
    let (mut venue_only, mut full) = (Vec::new(), Vec::new());
    for run in 0..3 {
        let (mut venue, _) = setup(&specs, &warm);
        let a0 = ALLOCATIONS.load(Ordering::Relaxed);
        let start = Instant::now();
        for q in &data {
            venue.on_quote(q);
        }
        let secs = start.elapsed().as_secs_f64();
        let allocs = ALLOCATIONS.load(Ordering::Relaxed) - a0;
        venue_only.push(N as f64 / secs);
        println!(
            "run {run}: venue.on_quote           {:>12.0} quotes/s  ({allocs} allocations)",
            N as f64 / secs
        );
        assert_eq!(
            allocs, 0,
            "the per-quote path must not allocate when nothing triggers"
        );

        let (mut venue, mut manager) = setup(&specs, &warm);
        let a0 = ALLOCATIONS.load(Ordering::Relaxed);
        let start = Instant::now();
        for q in &data {
            venue.on_quote(q);
            manager.portfolio_mut().on_quote(q);
            manager.pump(&mut venue, q.ts).unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        let allocs = ALLOCATIONS.load(Ordering::Relaxed) - a0;
        full.push(N as f64 / secs);
        println!(
            "run {run}: venue + portfolio + pump {:>12.0} quotes/s  ({allocs} allocations)",
            N as f64 / secs
        );
        assert_eq!(
            allocs, 0,
            "the per-quote path must not allocate when nothing triggers"
        );
        assert!(manager.fills().is_empty());
    }
    println!(
        "median of 3 over {N} quotes, 6 resting orders: venue {:.0} quotes/s; full per-quote path {:.0} quotes/s",
        median(venue_only),
        median(full)
    );
}
