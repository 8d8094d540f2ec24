//! The reference strategies against independent computations.

use std::collections::BTreeMap;

use emp_engine::*;
use emp_execution::FeeConfig;
use emp_model::{Bar, UnixNanos};

use crate::common::{bar_events, sp500_bars, spx_spec};

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Starting cash = 1 000 × the first close, so the whole account buys exactly 1 000 units.
fn config_for(bars: &[Bar]) -> BacktestConfig {
    let mut c = BacktestConfig::default();
    c.portfolio.starting_cash = bars[0].close.as_f64() * 1000.0;
    c.engine.sensory_enabled = false;
    c
}

#[test]
fn buy_and_hold_returns_the_price_return_exactly_without_costs() {
    let bars = sp500_bars();
    assert_eq!(bars.len(), 5031);
    let (first, last) = (bars[0].close.as_f64(), bars[bars.len() - 1].close.as_f64());
    let strategy = strategy_by_name("buy-and-hold", &BTreeMap::new()).unwrap();
    let run = run_backtest(
        config_for(&bars),
        vec![spx_spec()],
        strategy,
        bar_events(&bars),
        &mut NullSink,
    )
    .unwrap();
    let report = BacktestReport::from_run(&run);
    // Convention: the order is decided on the first bar's close and fills at that close
    // (FillMode::Quotes); the position is marked at the last close.
    let expected = last / first - 1.0;
    let got = report.statistics.total_return;
    assert!(
        ((got - expected) / expected).abs() < 1e-12,
        "got {got}, expected {expected}"
    );
    assert_eq!((run.orders, run.fills), (1, 1));
    assert_eq!(run.trades.len(), 1);
    let t = &run.trades[0];
    assert!(!t.closed);
    assert_eq!(t.quantity, 1000.0);
    assert_eq!(t.entry_price, first);
    assert_eq!(t.entry_ts, bars[0].ts_close());
    assert_eq!(report.statistics.periods_per_year, Some(252.0));
    assert_eq!(report.statistics.fees, 0.0);
    println!(
        "buy-and-hold SPX: total return {got:.12} (expected {expected:.12}), CAGR {:?}, max DD {:.4}",
        report.statistics.cagr, report.statistics.max_drawdown
    );
}

#[test]
fn buy_and_hold_with_fees_returns_price_return_less_the_fee() {
    let bars = sp500_bars();
    let (first, last) = (bars[0].close.as_f64(), bars[bars.len() - 1].close.as_f64());
    let mut config = config_for(&bars);
    // Cost model: 1 bp of notional per fill, rounded to cents; no slippage.
    config.venue.fees = FeeConfig {
        bps: 1.0,
        ..FeeConfig::default()
    };
    let cash = config.portfolio.starting_cash;
    let strategy = strategy_by_name("buy-and-hold", &BTreeMap::new()).unwrap();
    let run = run_backtest(
        config,
        vec![spx_spec()],
        strategy,
        bar_events(&bars),
        &mut NullSink,
    )
    .unwrap();
    let fee = (1000.0 * first * 1e-4 * 100.0).round() / 100.0;
    let expected = (1000.0 * (last - first) - fee) / cash;
    let got = BacktestReport::from_run(&run).statistics.total_return;
    assert!(
        ((got - expected) / expected).abs() < 1e-12,
        "got {got}, expected {expected}"
    );
    assert!((run.fees - fee).abs() < 1e-9);
}

/// Exact SMA signals computed the vectorised way: prefix sums of the fixed-point closes.
fn vectorised_targets(bars: &[Bar], fast: usize, slow: usize, q: f64) -> Vec<f64> {
    let raw: Vec<i128> = bars.iter().map(|b| i128::from(b.close.raw())).collect();
    let mut prefix = vec![0i128; raw.len() + 1];
    for (i, r) in raw.iter().enumerate() {
        prefix[i + 1] = prefix[i] + r;
    }
    let mut targets = vec![0.0; bars.len()];
    let mut current = 0.0;
    for i in 0..bars.len() {
        if i + 1 >= slow {
            let f = prefix[i + 1] - prefix[i + 1 - fast];
            let s = prefix[i + 1] - prefix[i + 1 - slow];
            let (lhs, rhs) = (f * slow as i128, s * fast as i128);
            if lhs > rhs {
                current = q;
            } else if lhs < rhs {
                current = -q;
            }
        }
        targets[i] = current;
    }
    targets
}

fn run_sma(bars: &[Bar]) -> RunOutput {
    let strategy = strategy_by_name(
        "sma-crossover",
        &params(&[("fast", "10"), ("slow", "50"), ("quantity", "100")]),
    )
    .unwrap();
    let mut config = BacktestConfig::default();
    config.portfolio.starting_cash = 1_000_000.0;
    config.engine.sensory_enabled = false;
    run_backtest(
        config,
        vec![spx_spec()],
        strategy,
        bar_events(bars),
        &mut NullSink,
    )
    .unwrap()
}

#[test]
fn sma_crossover_matches_a_vectorised_computation() {
    let bars = sp500_bars();
    let run = run_sma(&bars);
    let targets = vectorised_targets(&bars, 10, 50, 100.0);
    // Change points: the bars where the target differs from the previous one.
    let mut changes: Vec<usize> = Vec::new();
    let mut prev = 0.0;
    for (i, t) in targets.iter().enumerate() {
        if *t != prev {
            changes.push(i);
            prev = *t;
        }
    }
    assert!(changes.len() > 50, "too few crossovers: {}", changes.len());
    assert_eq!(run.orders as usize, changes.len());
    assert_eq!(run.fills as usize, changes.len());
    let closed: Vec<&TradeRecord> = run.trades.iter().filter(|t| t.closed).collect();
    assert_eq!(closed.len(), changes.len() - 1);
    for (k, t) in closed.iter().enumerate() {
        let (i, j) = (changes[k], changes[k + 1]);
        let dir = if targets[i] > 0.0 {
            Direction::Long
        } else {
            Direction::Short
        };
        assert_eq!(t.direction, dir, "trade {k}");
        assert_eq!(t.quantity, 100.0, "trade {k}");
        assert_eq!(t.entry_ts, bars[i].ts_close(), "trade {k} entry time");
        assert_eq!(
            t.entry_price,
            bars[i].close.as_f64(),
            "trade {k} entry price"
        );
        assert_eq!(t.exit_ts, Some(bars[j].ts_close()), "trade {k} exit time");
        assert_eq!(
            t.exit_price,
            Some(bars[j].close.as_f64()),
            "trade {k} exit price"
        );
        let expected_pnl = (bars[j].close.as_f64() - bars[i].close.as_f64())
            * 100.0
            * if dir == Direction::Long { 1.0 } else { -1.0 };
        assert!((t.pnl - expected_pnl).abs() < 1e-6, "trade {k} pnl");
    }
    let open = run.trades.last().unwrap();
    assert!(!open.closed);
    assert_eq!(open.entry_ts, bars[*changes.last().unwrap()].ts_close());
    println!(
        "sma-crossover SPX 10/50: {} orders, {} closed trades",
        run.orders,
        closed.len()
    );
}

#[test]
fn the_same_backtest_twice_gives_byte_identical_files() {
    let bars = sp500_bars();
    let (a, b) = (run_sma(&bars), run_sma(&bars));
    assert_eq!(trades_csv(&a.trades), trades_csv(&b.trades));
    assert_eq!(equity_csv(&a.equity), equity_csv(&b.equity));
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ra = BacktestReport::from_run(&a);
    write_report(da.path(), &a, &ra).unwrap();
    write_report(db.path(), &b, &BacktestReport::from_run(&b)).unwrap();
    for name in ["trades.csv", "equity.csv", "report.json"] {
        let x = std::fs::read(da.path().join(name)).unwrap();
        let y = std::fs::read(db.path().join(name)).unwrap();
        assert!(!x.is_empty());
        assert_eq!(x, y, "{name} differs");
    }
    // The CSV has a header and one row per trade, open trade last.
    let text = std::fs::read_to_string(da.path().join("trades.csv")).unwrap();
    assert!(text.starts_with("id,instrument,direction,quantity,entry_ts,entry_price,exit_ts,exit_price,pnl,fees,net_pnl,status\n"));
    assert_eq!(text.lines().count(), a.trades.len() + 1);
    assert!(text.lines().nth(1).unwrap().starts_with("1,SPX,"));
    assert!(text.trim_end().ends_with(",open"));
    // report.json round-trips the statistics; the PNG is a 1200×800 image.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(da.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(
        json["statistics"]["total_return"].as_f64().unwrap(),
        ra.statistics.total_return
    );
    assert_eq!(
        json["statistics"]["trades"].as_u64().unwrap(),
        ra.statistics.trades
    );
    let png = std::fs::read(da.path().join("equity.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 800));
    assert!(
        png.len() > 20_000,
        "chart suspiciously small: {} bytes",
        png.len()
    );
    // To look at the files: EMP_ENGINE_KEEP_REPORT=/some/dir cargo test -p emp-engine.
    if let Some(dir) = std::env::var_os("EMP_ENGINE_KEEP_REPORT") {
        write_report(std::path::Path::new(&dir), &a, &ra).unwrap();
    }
}

#[test]
fn equity_curve_is_sampled_per_bar_and_stats_are_consistent() {
    let bars = sp500_bars();
    let run = run_sma(&bars);
    // The starting account at the first bar's open, then one sample per bar close.
    assert_eq!(run.equity.len(), bars.len() + 1);
    assert_eq!(run.equity[0].ts, bars[0].ts_open);
    assert_eq!(run.equity[0].equity, 1_000_000.0);
    assert_eq!(run.equity[1].ts, bars[0].ts_close());
    assert!(run.equity.windows(2).all(|w| w[0].ts < w[1].ts));
    let st = BacktestReport::from_run(&run).statistics;
    assert!((st.final_equity - run.final_equity).abs() < 1e-6);
    assert!(st.max_drawdown > 0.0 && st.max_drawdown < 1.0);
    assert!(
        st.exposure > 0.9,
        "SMA is always in the market after the first signal"
    );
    let wins = run
        .trades
        .iter()
        .filter(|t| t.closed && t.net_pnl() > 0.0)
        .count() as f64;
    assert_eq!(st.win_rate, Some(wins / st.trades as f64));
    assert!(UnixNanos::from_date(2018, 12, 31).unwrap() < run.equity.last().unwrap().ts);
}

#[test]
fn buy_and_hold_in_bar_open_mode_buys_at_the_second_open() {
    // The other fill convention: decided at the first close, filled at the next bar's open.
    let bars = sp500_bars();
    let open2 = bars[1].open.as_f64();
    let last = bars[bars.len() - 1].close.as_f64();
    let mut config = BacktestConfig::default();
    config.portfolio.starting_cash = open2 * 1000.0;
    config.engine.sensory_enabled = false;
    config.venue.fill_mode = emp_execution::FillMode::BarOpen;
    // Buy a fixed 1 000 units (a target exposure would be sized at the first close).
    struct Once(bool);
    impl Strategy for Once {
        fn name(&self) -> &'static str {
            "once"
        }
        fn on_event(
            &mut self,
            e: &MarketEvent,
            _c: &StrategyContext<'_>,
            out: &mut Vec<OrderIntent>,
        ) {
            if !std::mem::replace(&mut self.0, true) {
                out.push(OrderIntent::target_units(
                    e.instrument().clone(),
                    1000.0,
                    1.0,
                ));
            }
        }
    }
    let run = run_backtest(
        config,
        vec![spx_spec()],
        Box::new(Once(false)),
        bar_events(&bars),
        &mut NullSink,
    )
    .unwrap();
    let t = &run.trades[0];
    assert_eq!(
        (t.entry_price, t.entry_ts, t.quantity),
        (open2, bars[1].ts_open, 1000.0)
    );
    let got = BacktestReport::from_run(&run).statistics.total_return;
    let expected = last / open2 - 1.0;
    assert!(
        ((got - expected) / expected).abs() < 1e-12,
        "got {got}, expected {expected}"
    );
}
