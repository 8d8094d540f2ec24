//! Engine benchmark: SMA(10/50) crossover on the 13 FXCM EURUSD quote-tick files through
//! the full engine path (risk gateway → order manager → simulated venue → portfolio on
//! every order). Binding spec: `helpers/ENGINE_BENCH_SPEC.md`; comparison script:
//! `scripts/bench-engine.sh`.
//!
//! ```text
//! cargo run --release -p emp-engine --example sma_ticks -- [--data DIR] [--sensory]
//! ```
//!
//! `DIR` defaults to `../shared/data` relative to the workspace root. All ticks are
//! decoded into memory before the timed section, which is the engine loop only. The
//! sensory cortex is off unless `--sensory` is given (the reference side has no
//! equivalent); risk, orders, venue and portfolio are always in the loop. Crossed quotes
//! in the files are kept (the spec counts every tick), so quotes are built from their
//! fields rather than through `QuoteTick::try_new`, which refuses them.
//! Prints one JSON line.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use emp_engine::{BacktestConfig, MarketEvent, NullSink, SmaCrossover, SmaCrossoverParams};
use emp_model::{
    AssetClass, Currency, InstrumentId, InstrumentSpec, Price, Quantity, QuoteTick, UnixNanos,
};

type AnyError = Box<dyn std::error::Error>;

fn load(dir: &std::path::Path, id: &InstrumentId) -> Result<Vec<MarketEvent>, AnyError> {
    let tick_dir = dir.join("fx/lean/forex/fxcm/tick/eurusd");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&tick_dir)
        .map_err(|e| format!("{}: {e}", tick_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_quote.zip"))
        .collect();
    files.sort();
    if files.len() != 13 {
        return Err(format!(
            "expected 13 tick files in {}, found {}",
            tick_dir.display(),
            files.len()
        )
        .into());
    }
    let mut events = Vec::with_capacity(1_200_000);
    let mut text = String::new();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("bad file name")?
            .to_owned();
        let (y, m, d) = (
            name[0..4].parse()?,
            name[4..6].parse()?,
            name[6..8].parse()?,
        );
        // FXCM times are UTC−05:00 fixed: local midnight is 05:00 UTC.
        let midnight = UnixNanos::from_date(y, m, d)?.as_i64() + 5 * 3_600_000_000_000;
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&path)?)?;
        text.clear();
        archive.by_index(0)?.read_to_string(&mut text)?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut f = line.split(',');
            let (Some(ms), Some(bid), Some(ask)) = (f.next(), f.next(), f.next()) else {
                return Err(format!("{name}: bad line {line:?}").into());
            };
            let ms: i64 = ms.trim().parse()?;
            events.push(MarketEvent::Quote(QuoteTick {
                instrument: id.clone(),
                ts: UnixNanos::new(midnight + ms * 1_000_000),
                bid: Price::parse_with_precision(bid.trim(), 5)?,
                ask: Price::parse_with_precision(ask.trim(), 5)?,
                bid_size: Quantity::ZERO,
                ask_size: Quantity::ZERO,
            }));
        }
    }
    Ok(events)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> Result<(), AnyError> {
    let mut data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut sensory = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = PathBuf::from(args.next().ok_or("--data needs a directory")?),
            "--sensory" => sensory = true,
            other => {
                return Err(
                    format!("unknown argument {other:?} (use --data DIR, --sensory)").into(),
                );
            }
        }
    }
    let id = InstrumentId::try_new("EURUSD")?;
    let events = load(&data, &id)?;
    let spec = InstrumentSpec::try_new(
        id.clone(),
        AssetClass::Fx,
        5,
        0,
        1.0,
        Currency::USD,
        "0.00001".parse()?,
    )?;

    // Benchmark risk profile, USD margin account of 1 000 000, no fees/slippage/latency.
    let mut config = BacktestConfig::default();
    config.portfolio.starting_cash = 1_000_000.0;
    config.engine.sensory_enabled = sensory;
    let strategy = SmaCrossover::new(SmaCrossoverParams {
        fast: 10,
        slow: 50,
        quantity: 100_000.0,
        allow_short: true,
        confidence: 1.0,
    });
    let mut engine = config.build(vec![spec], Box::new(strategy))?;

    let mut sink = NullSink;
    let start = Instant::now();
    for event in &events {
        engine.on_event(event, &mut sink)?;
    }
    let seconds = start.elapsed().as_secs_f64();

    let portfolio = engine.manager().portfolio();
    let position = portfolio.position(&id);
    let realized_pnl = position.map_or(0.0, |p| p.realized_pnl());
    let final_position = position.map_or(0.0, |p| p.signed_quantity());
    let (orders, fills, n) = (engine.orders_sent(), engine.fills(), engine.events());
    let line = serde_json::json!({
        "engine": "emp",
        "events": n,
        "seconds": seconds,
        "events_per_sec": n as f64 / seconds,
        "orders": orders,
        "fills": fills,
        "realized_pnl": realized_pnl,
        "final_position": final_position,
        "peak_rss_mb": peak_rss_mb(),
    });
    println!("{line}");
    Ok(())
}
