//! Strategy parameters, the registry, and the species on real data.

use std::collections::BTreeMap;

use emp_engine::*;
use emp_execution::FillMode;
use emp_risk::RiskConfig;

use crate::common::{bar_events, eurusd_day, eurusd_spec, sp500_bars, spx_spec};

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn params_reject_unknown_keys_and_bad_values_naming_each() {
    let e = SmaCrossoverParams::from_params(&params(&[
        ("fast", "x"),
        ("slow", "5"),
        ("bogus", "1"),
        ("quantity", "-3"),
    ]))
    .unwrap_err();
    let Error::InvalidParams { strategy, errors } = &e else {
        panic!("{e}")
    };
    assert_eq!(strategy, "sma-crossover");
    for key in ["fast", "bogus", "quantity", "slow"] {
        assert!(errors.contains_path(key), "{key} missing from {e}");
    }
    assert_eq!(errors.len(), 4);
    let text = e.to_string();
    assert!(
        text.contains("fast: must be an integer >= 1, got \"x\""),
        "{text}"
    );
    assert!(text.contains("bogus: unknown parameter"), "{text}");

    let p = SmaCrossoverParams::from_params(&params(&[
        ("fast", "3"),
        ("slow", "7"),
        ("allow_short", "false"),
    ]))
    .unwrap();
    assert_eq!(
        (p.fast, p.slow, p.allow_short, p.quantity),
        (3, 7, false, 100_000.0)
    );
    assert!(TrendRiderParams::from_params(&params(&[("stop_loss_pct", "0.9")])).is_err());
    assert!(
        MeanReversionParams::from_params(&params(&[("entry_z", "1"), ("exit_z", "2")])).is_err()
    );
    assert!(BuyAndHoldParams::from_params(&params(&[("fraction", "0.5")])).is_ok());
}

#[test]
fn registry_knows_every_name_and_refuses_others() {
    for name in STRATEGY_NAMES {
        let s = strategy_by_name(name, &BTreeMap::new()).unwrap();
        assert_eq!(s.name(), name);
    }
    let e = strategy_by_name("nope", &BTreeMap::new()).err().unwrap();
    assert!(matches!(e, Error::UnknownStrategy { .. }));
    assert!(e.to_string().contains("sma-crossover"));
    assert!(strategy_by_name("trend-rider", &params(&[("fastt", "3")])).is_err());
}

/// The bar species under the production risk profile (stops mandatory), next-open fills
/// with intra-bar stops, sensory on.
#[test]
fn bar_species_trade_through_the_production_gateway() {
    let bars = sp500_bars();
    for name in [
        "trend-rider",
        "mean-reversion",
        "volatility-breakout",
        "carry-overlay",
    ] {
        let p = if name == "carry-overlay" {
            params(&[("carry", "0.02")])
        } else {
            BTreeMap::new()
        };
        let mut config = BacktestConfig {
            risk: RiskConfig::default(),
            ..BacktestConfig::default()
        };
        config.portfolio.starting_cash = 1_000_000.0;
        config.venue.fill_mode = FillMode::BarPath;
        let strategy = strategy_by_name(name, &p).unwrap();
        let mut sink = VecSink::new();
        let run = run_backtest(
            config,
            vec![spx_spec()],
            strategy,
            bar_events(&bars),
            &mut sink,
        )
        .unwrap();
        let report = BacktestReport::from_run(&run);
        println!(
            "{name}: orders {} fills {} rejected {} trades {} return {:.4} sharpe {:?}",
            run.orders,
            run.fills,
            run.intents_rejected,
            report.statistics.trades,
            report.statistics.total_return,
            report.statistics.sharpe
        );
        assert!(run.orders > 5, "{name} sent {} orders", run.orders);
        assert!(run.fills >= run.orders, "{name}");
        assert!(report.statistics.trades > 2, "{name}");
        // Every entry the engine sent carried its stop (bracket children exist).
        let stops = sink.events().iter().filter(|e| matches!(e, EngineEvent::OrderSubmitted { id, .. } if id.as_str().ends_with("-SL"))).count();
        assert!(stops > 0, "{name} never armed a stop");
        assert!(run.final_equity.is_finite() && run.final_equity > 0.0);
    }
}

#[test]
fn liquidity_scalper_posts_limits_on_ticks() {
    let ticks = eurusd_day("20140506_quote.zip");
    assert!(ticks.len() > 10_000);
    let mut config = BacktestConfig {
        risk: RiskConfig::default(),
        ..BacktestConfig::default()
    };
    config.engine.sensory_enabled = false;
    let strategy = strategy_by_name("liquidity-scalper", &params(&[("edge_bps", "1.0")])).unwrap();
    let run = run_backtest(
        config,
        vec![eurusd_spec()],
        strategy,
        ticks.into_iter().map(MarketEvent::Quote),
        &mut NullSink,
    )
    .unwrap();
    println!(
        "liquidity-scalper 2014-05-06: orders {} fills {} trades {}",
        run.orders,
        run.fills,
        run.trades.iter().filter(|t| t.closed).count()
    );
    assert!(run.orders > 0);
    assert!(run.fills > 0);
    // Ticks: equity sampled once a minute of simulated time, annualised on the observed calendar.
    let report = BacktestReport::from_run(&run);
    assert!(report.statistics.periods_per_year.unwrap() > 100_000.0);
}
