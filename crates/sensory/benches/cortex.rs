//! Throughput of the cortex on real ticks: the 13 OANDA EURUSD tick days (532,903 quotes),
//! each fed through `on_quote` followed by `read` (the backtest pattern: sense every tick).
//!
//! Run: `cargo bench -p emp-sensory --bench cortex`. Prints events/s (median of 3 runs) next to
//! a reference loop that only touches each quote (mid and spread sums), so the ratio is
//! meaningful on a noisy shared machine.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use emp_model::QuoteTick;
use emp_sensory::{Cortex, SensoryConfig};

#[allow(dead_code)]
#[path = "../tests/it/data.rs"]
mod data;

/// CPU time of this thread in seconds (Linux schedstat, ns resolution), so the figure is not
/// inflated by other processes on a shared machine; `None` elsewhere.
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Returns (wall seconds, thread CPU seconds).
fn cortex_pass(ticks: &[QuoteTick]) -> (f64, Option<f64>) {
    let mut cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    let cpu0 = thread_cpu_secs();
    let start = Instant::now();
    let mut acc = 0.0;
    for q in ticks {
        cortex.on_quote(q);
        let r = cortex.read(q.ts);
        acc += r.fused.signal;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_secs().zip(cpu0).map(|(b, a)| b - a);
    black_box(acc);
    (secs, cpu)
}

fn reference_pass(ticks: &[QuoteTick]) -> f64 {
    let start = Instant::now();
    let (mut mids, mut spreads) = (0.0, 0.0);
    for q in ticks {
        let (b, a) = (q.bid.as_f64(), q.ask.as_f64());
        mids += (a + b) / 2.0;
        spreads += a - b;
    }
    let secs = start.elapsed().as_secs_f64();
    black_box((mids, spreads));
    secs
}

fn main() {
    let ticks = data::eurusd_ticks();
    let n = ticks.len() as f64;
    let runs: Vec<(f64, Option<f64>)> = (0..3).map(|_| cortex_pass(&ticks)).collect();
    let reference: Vec<f64> = (0..3).map(|_| reference_pass(&ticks)).collect();
    let c = median(runs.iter().map(|r| r.0).collect());
    let cpu: Option<Vec<f64>> = runs.iter().map(|r| r.1).collect();
    let r = median(reference);
    println!("ticks: {}", ticks.len());
    println!(
        "cortex on_quote+read: {:>12.0} events/s  ({:.1} ns/event, median of 3: {:.3} s)",
        n / c,
        c / n * 1e9,
        c
    );
    println!(
        "reference quote scan: {:>12.0} events/s  ({:.1} ns/event)",
        n / r,
        r / n * 1e9
    );
    if let Some(cpu) = cpu {
        let cpu = median(cpu);
        println!(
            "cortex on_quote+read, thread CPU time: {:>8.0} events/s  ({:.1} ns/event)",
            n / cpu,
            cpu / n * 1e9
        );
    }
    println!("cortex cost / reference cost (wall): {:.1}x", c / r);
}
