//! Full-pipeline latency of the risk gateway on a realistic 20-position portfolio.
//!
//! `cargo bench -p emp-risk --bench gateway`
//!
//! Per-decision latency is measured with `Instant` around each `evaluate` call
//! over 200 000 decisions after a warm-up, sorted for percentiles; five
//! repetitions, medians printed. Two kill-switch set-ups: the production file
//! switch (one `stat` per decision) and an in-memory one.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use emp_model::{InstrumentId, Side, UnixNanos};
use emp_risk::{
    FileKillSwitch, Intent, KillSwitch, ManualKillSwitch, PortfolioView, PositionView, RiskConfig,
    RiskGateway, RunMode, StrategyStatus, TrackRecord,
};

const DECISIONS: usize = 200_000;
const WARMUP: usize = 20_000;
const REPETITIONS: usize = 5;

fn id(s: &str) -> InstrumentId {
    InstrumentId::try_new(s).unwrap()
}

fn symbols() -> Vec<String> {
    (0..24).map(|i| format!("SYM{i:02}")).collect()
}

fn config() -> RiskConfig {
    let mut c = RiskConfig {
        max_open_positions: 30,
        ..RiskConfig::default()
    };
    for (i, s) in symbols().iter().enumerate() {
        let sector = ["TECH", "FX", "ENERGY", "INDEX"][i % 4];
        c.instrument_sector_map.insert(s.clone(), sector.into());
    }
    for sector in ["TECH", "FX", "ENERGY", "INDEX"] {
        c.sector_exposure_limits.insert(sector.into(), 0.2);
    }
    c
}

/// 20 positions, long and short, each risking ~0.4 % of equity at its stop.
fn portfolio() -> PortfolioView {
    let positions = symbols()
        .iter()
        .take(20)
        .enumerate()
        .map(|(i, s)| {
            let mark = 50.0 + i as f64 * 7.0;
            let long = i % 3 != 0;
            let quantity = if long { 400.0 } else { -400.0 };
            let stop = if long { mark - 1.0 } else { mark + 1.0 };
            PositionView {
                instrument: id(s),
                quantity,
                mark_price: mark,
                stop_loss: Some(stop),
            }
        })
        .collect();
    PortfolioView {
        equity: 1_000_000.0,
        peak_equity: 1_050_000.0,
        day_start_equity: 1_010_000.0,
        positions,
    }
}

/// A mix: new positions, adds, reductions, flips, and some rejections.
fn intents() -> Vec<Intent> {
    let syms = symbols();
    (0..64)
        .map(|i| {
            let s = &syms[i % syms.len()];
            let price = 50.0 + (i % 24) as f64 * 7.0;
            let side = if i % 5 == 0 { Side::Sell } else { Side::Buy };
            let stop = match side {
                Side::Buy => price * 0.98,
                Side::Sell => price * 1.02,
            };
            Intent {
                strategy_id: format!("strategy-{}", i % 4),
                instrument: id(s),
                side,
                quantity: 200.0 + (i * 37 % 500) as f64,
                price,
                stop_loss: if i % 17 == 0 { None } else { Some(stop) },
                confidence: 0.4 + (i % 6) as f64 * 0.1,
                volatility: Some(0.05 + (i % 7) as f64 * 0.05),
                spread_bps: 1.0 + (i % 3) as f64,
                ts: UnixNanos::from_secs(1_700_000_000 + i as i64),
            }
        })
        .collect()
}

fn gateway(kill: Box<dyn KillSwitch>) -> RiskGateway {
    let mut g = RiskGateway::try_new(config().validate().unwrap(), RunMode::Paper, kill).unwrap();
    for k in 0..4 {
        g.register_strategy(format!("strategy-{k}"), StrategyStatus::Active);
    }
    g.set_track_record(
        "strategy-1",
        TrackRecord {
            trades: 200,
            win_rate: 0.55,
            payoff_ratio: 1.4,
        },
    );
    g.set_track_record(
        "strategy-2",
        TrackRecord {
            trades: 200,
            win_rate: 0.45,
            payoff_ratio: 1.0,
        },
    );
    g
}

struct Run {
    per_second: f64,
    p50: f64,
    p99: f64,
    p999: f64,
    approved: f64,
}

fn run_once(g: &mut RiskGateway, portfolio: &PortfolioView, intents: &[Intent]) -> Run {
    let now = UnixNanos::from_secs(1_700_000_000);
    for i in 0..WARMUP {
        black_box(g.evaluate(intents[i % intents.len()].clone(), portfolio, now));
    }
    let mut lat = Vec::with_capacity(DECISIONS);
    let mut approved = 0usize;
    let mut busy = 0.0;
    for i in 0..DECISIONS {
        let intent = intents[i % intents.len()].clone();
        let t0 = Instant::now();
        let d = g.evaluate(intent, portfolio, now);
        let ns = t0.elapsed().as_nanos() as f64;
        approved += usize::from(d.is_approved());
        black_box(d);
        lat.push(ns);
        busy += ns;
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    Run {
        per_second: DECISIONS as f64 / (busy / 1e9),
        p50: pct(0.50),
        p99: pct(0.99),
        p999: pct(0.999),
        approved: approved as f64 / DECISIONS as f64,
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn bench(label: &str, kill: Box<dyn KillSwitch>) {
    let mut g = gateway(kill);
    let portfolio = portfolio();
    let intents = intents();
    let runs: Vec<Run> = (0..REPETITIONS)
        .map(|_| run_once(&mut g, &portfolio, &intents))
        .collect();
    println!(
        "{label:<28} decisions/s {:>10.0}  p50 {:>6.0} ns  p99 {:>6.0} ns  p99.9 {:>6.0} ns  approved {:>4.1} %  (median of {REPETITIONS} x {DECISIONS})",
        median(runs.iter().map(|r| r.per_second).collect()),
        median(runs.iter().map(|r| r.p50).collect()),
        median(runs.iter().map(|r| r.p99).collect()),
        median(runs.iter().map(|r| r.p999).collect()),
        median(runs.iter().map(|r| r.approved * 100.0).collect()),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let kill_path =
        std::env::temp_dir().join(format!("emp-risk-bench-kill-{}", std::process::id()));
    println!(
        "risk gateway, full pipeline, 20-position portfolio, {} intent variants",
        intents().len()
    );
    bench(
        "file kill switch (stat)",
        Box::new(FileKillSwitch::new(kill_path)),
    );
    bench("in-memory kill switch", Box::new(ManualKillSwitch::new()));
}
