//! The per-tick path allocates nothing when nothing trades (counting global allocator,
//! counting only on the thread that asks for it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use emp_engine::*;
use emp_model::{InstrumentId, Price, Quantity, QuoteTick, UnixNanos};

use crate::common::eurusd_spec;

pub(crate) struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

/// A steadily rising market: the SMA crossover goes long once, then holds.
fn rising(n: usize, from: usize) -> Vec<MarketEvent> {
    let id = InstrumentId::try_new("EURUSD").unwrap();
    (from..from + n)
        .map(|i| {
            let bid = 110_000 + i as i64;
            MarketEvent::Quote(QuoteTick {
                instrument: id.clone(),
                ts: UnixNanos::new(1_700_000_000_000_000_000 + i as i64 * 1_000_000),
                bid: Price::from_raw(bid, 5).unwrap(),
                ask: Price::from_raw(bid + 2, 5).unwrap(),
                bid_size: Quantity::ZERO,
                ask_size: Quantity::ZERO,
            })
        })
        .collect()
}

fn measure(sensory: bool) -> (u64, u64) {
    let mut config = BacktestConfig::default();
    config.engine.sensory_enabled = sensory;
    let strategy = SmaCrossover::new(SmaCrossoverParams {
        quantity: 10_000.0,
        ..SmaCrossoverParams::default()
    });
    let mut engine = config
        .build(vec![eurusd_spec()], Box::new(strategy))
        .unwrap();
    let mut sink = NullSink;
    for e in &rising(200, 0) {
        engine.on_event(e, &mut sink).unwrap();
    }
    assert_eq!(engine.orders_sent(), 1, "went long once during warm-up");
    let quiet = rising(5_000, 200);
    let n = allocations_during(|| {
        for e in &quiet {
            engine.on_event(e, &mut sink).unwrap();
        }
    });
    assert_eq!(engine.orders_sent(), 1, "no trade in the measured window");
    (n, quiet.len() as u64)
}

#[test]
fn no_allocation_per_tick_without_trades() {
    // The counter works (so a zero below means something).
    assert!(allocations_during(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(16)))) >= 1);
    let (n, ticks) = measure(false);
    assert_eq!(n, 0, "{n} allocations over {ticks} ticks");
    let (n, ticks) = measure(true);
    println!("with the sensory cortex: {n} allocations over {ticks} ticks");
    assert_eq!(n, 0, "sensory path: {n} allocations over {ticks} ticks");
}
