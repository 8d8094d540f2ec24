//! Fan-out throughput: our bus vs plain `tokio::sync::mpsc`, side by side in one run.
//!
//! 1 publisher × 4 subscribers, N events (env `EMP_BENCH_EVENTS`, default 1,000,000).
//! Both sides: multi-thread runtime with 2 workers, the publisher is a spawned task,
//! every event is one `Arc<Event>` allocation shared by the 4 deliveries, each consumer
//! increments its own atomic counter per message, and the timer stops when every message
//! has been consumed. Our bus runs with the `Block` policy (nothing may drop) and a queue
//! capacity of 1024 − 64 so that, counting the dispatcher's 64-event batch, at most 1024
//! events per subscriber are buffered — the same as the mpsc channels' capacity.
//! Rounds alternate ours/plain 5 times; medians and the ratio are printed.
//!
//! Run: `cargo bench -p emp-bus --bench fanout`

use std::error::Error as StdError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use emp_bus::{BusConfig, Event, EventBus, OverflowPolicy, Payload, Subscription};
use emp_model::{SystemClock, UnixNanos};

type BoxResult<T> = Result<T, Box<dyn StdError + Send + Sync>>;

const SUBSCRIBERS: usize = 4;
const CHANNEL_CAPACITY: usize = 1024;
const DISPATCH_BATCH: usize = 64;
const ROUNDS: usize = 5;
const TOPIC: &str = "bench.fanout";

fn main() -> BoxResult<()> {
    let events: u64 = match std::env::var("EMP_BENCH_EVENTS") {
        Ok(v) => v.parse()?,
        Err(_) => 1_000_000,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "emp-bus fanout: 1 publisher x {SUBSCRIBERS} subscribers, {events} events, \
         capacity {CHANNEL_CAPACITY}, multi-thread runtime with 2 workers, {ROUNDS} interleaved rounds"
    );
    // Warm up allocator and runtime threads on both paths.
    let warm = (events / 20).max(1_000);
    rt.block_on(async { tokio::spawn(run_ours(warm)).await })??;
    rt.block_on(async { tokio::spawn(run_plain(warm)).await })??;

    let mut ours = Vec::with_capacity(ROUNDS);
    let mut plain = Vec::with_capacity(ROUNDS);
    for round in 1..=ROUNDS {
        let o = rt.block_on(async { tokio::spawn(run_ours(events)).await })??;
        let p = rt.block_on(async { tokio::spawn(run_plain(events)).await })??;
        let (or, pr) = (rate(events, o), rate(events, p));
        println!(
            "round {round}: ours {:>7.2} M msg/s ({:>7.1} ms)   tokio mpsc {:>7.2} M msg/s ({:>7.1} ms)",
            or / 1e6,
            o.as_secs_f64() * 1e3,
            pr / 1e6,
            p.as_secs_f64() * 1e3
        );
        ours.push(or);
        plain.push(pr);
    }
    let (mo, mp) = (median(&mut ours), median(&mut plain));
    println!("median ours (emp-bus, Block):  {:.2} M msg/s", mo / 1e6);
    println!("median tokio mpsc fan-out:     {:.2} M msg/s", mp / 1e6);
    println!("ratio (ours / tokio mpsc): {:.2}  target >= 0.50", mo / mp);
    Ok(())
}

/// Delivered messages per second: events × subscribers / time.
fn rate(events: u64, elapsed: Duration) -> f64 {
    (events * SUBSCRIBERS as u64) as f64 / elapsed.as_secs_f64()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn check_counts(counters: &[Arc<AtomicU64>], events: u64) -> BoxResult<()> {
    for (i, c) in counters.iter().enumerate() {
        let got = c.load(Ordering::SeqCst);
        if got != events {
            return Err(format!("subscriber {i} received {got} of {events} events").into());
        }
    }
    Ok(())
}

async fn run_ours(events: u64) -> BoxResult<Duration> {
    let config = BusConfig {
        queue_capacity: CHANNEL_CAPACITY - DISPATCH_BATCH,
        default_overflow: OverflowPolicy::Block,
        overflow: Vec::new(),
    };
    let bus = EventBus::new(config, Arc::new(SystemClock))?;
    let counters: Vec<Arc<AtomicU64>> = (0..SUBSCRIBERS)
        .map(|_| Arc::new(AtomicU64::new(0)))
        .collect();
    for (i, c) in counters.iter().enumerate() {
        let c = c.clone();
        bus.subscribe(
            format!("counter-{i}"),
            Subscription::exact(TOPIC),
            move |_e: &Event| {
                c.fetch_add(1, Ordering::Relaxed);
                Ok(())
            },
        )?;
    }
    bus.start()?;
    let topic: Arc<str> = Arc::from(TOPIC);
    let payload = Payload::Text(Arc::from("tick"));
    let started = Instant::now();
    for _ in 0..events {
        bus.publish(Event::new(topic.clone(), payload.clone(), UnixNanos::ZERO))
            .await?;
    }
    bus.stop().await; // returns once every queue is drained
    let elapsed = started.elapsed();
    check_counts(&counters, events)?;
    Ok(elapsed)
}

async fn run_plain(events: u64) -> BoxResult<Duration> {
    let counters: Vec<Arc<AtomicU64>> = (0..SUBSCRIBERS)
        .map(|_| Arc::new(AtomicU64::new(0)))
        .collect();
    let mut senders = Vec::with_capacity(SUBSCRIBERS);
    let mut consumers = Vec::with_capacity(SUBSCRIBERS);
    for c in &counters {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Arc<Event>>(CHANNEL_CAPACITY);
        let c = c.clone();
        senders.push(tx);
        consumers.push(tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                std::hint::black_box(&event);
                c.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let topic: Arc<str> = Arc::from(TOPIC);
    let payload = Payload::Text(Arc::from("tick"));
    let started = Instant::now();
    for _ in 0..events {
        let event = Arc::new(Event::new(topic.clone(), payload.clone(), UnixNanos::ZERO));
        for tx in &senders {
            tx.send(event.clone()).await.map_err(|_| "consumer gone")?;
        }
    }
    drop(senders);
    for c in consumers {
        c.await?;
    }
    let elapsed = started.elapsed();
    check_counts(&counters, events)?;
    Ok(elapsed)
}
