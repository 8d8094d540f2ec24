//! One test per reason code, plus the sizing behaviour of the gateway.

use emp_model::Side;
use emp_risk::{
    CheckStatus, IntentKind, ReasonCode, RiskConfig, StrategyStatus, TrackRecord, TradingState,
};

use crate::common::*;

fn reason_of(decision: &emp_risk::Decision) -> Option<ReasonCode> {
    decision.reason()
}

#[test]
fn approves_and_sizes_to_the_risk_budget() {
    let (mut g, _) = gateway();
    // 100k equity × 2 % = 2 000 at risk; stop distance 2 → 1 000 shares max.
    let d = g.evaluate(
        buy("AAPL", 5_000.0, 100.0, 98.0),
        &portfolio(100_000.0),
        now(),
    );
    assert!(d.is_approved(), "{:?}", d.violations);
    assert!((d.intent().quantity - 1_000.0).abs() < 1e-6);
    assert_eq!(d.kind, IntentKind::Open);
    assert_eq!(d.sizing.requested_quantity, 5_000.0);
    // A smaller request is kept as is: sizing only ever reduces.
    let d = g.evaluate(
        buy("AAPL", 300.0, 100.0, 98.0),
        &portfolio(100_000.0),
        now(),
    );
    assert_eq!(d.intent().quantity, 300.0);
    assert_eq!(d.approved().unwrap().approved_at(), now());
    // The decision carries the whole check list.
    for name in [
        "strategy_status",
        "confidence",
        "trading_state",
        "drawdown",
        "daily_loss",
        "open_positions",
        "size",
        "min_position_size",
        "max_position_size",
        "price",
        "equity",
        "stop_loss",
        "per_trade_risk",
        "total_exposure",
        "leverage",
        "portfolio_risk_score",
        "execution_slippage_bps",
        "execution_cost_bps",
    ] {
        assert!(d.check(name).is_some(), "missing check {name}");
    }
    assert_eq!(g.approvals(), 2);
}

#[test]
fn strategy_disabled() {
    let (mut g, _) = gateway();
    let mut i = buy("AAPL", 10.0, 100.0, 98.0);
    i.strategy_id = "unknown".into();
    assert_eq!(
        reason_of(&g.evaluate(i, &portfolio(1e5), now())),
        Some(ReasonCode::StrategyDisabled)
    );
    for status in [
        StrategyStatus::Candidate,
        StrategyStatus::Suspended,
        StrategyStatus::Retired,
    ] {
        g.register_strategy(STRATEGY, status);
        let d = g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &portfolio(1e5), now());
        assert_eq!(d.reason(), Some(ReasonCode::StrategyDisabled), "{status:?}");
        assert_eq!(d.checks.len(), 1, "the pipeline stops at the first failure");
    }
    g.register_strategy(STRATEGY, StrategyStatus::Approved);
    assert!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &portfolio(1e5), now())
            .is_approved()
    );
}

#[test]
fn low_confidence() {
    let (mut g, _) = gateway();
    for c in [0.49, f64::NAN, -1.0] {
        let mut i = buy("AAPL", 10.0, 100.0, 98.0);
        i.confidence = c;
        assert_eq!(
            g.evaluate(i, &portfolio(1e5), now()).reason(),
            Some(ReasonCode::LowConfidence),
            "{c}"
        );
    }
    let mut i = buy("AAPL", 10.0, 100.0, 98.0);
    i.confidence = 0.5;
    assert!(
        g.evaluate(i, &portfolio(1e5), now()).is_approved(),
        "the floor itself passes"
    );
}

#[test]
fn trading_halted_and_reducing() {
    let (mut g, _) = gateway();
    let mut p = portfolio(1e5);
    p.positions.push(position("AAPL", 500.0, 100.0, Some(99.0)));
    g.reduce_only("alice").unwrap();
    assert_eq!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .reason(),
        Some(ReasonCode::TradingReducing)
    );
    assert_eq!(
        g.evaluate(buy("MSFT", 10.0, 100.0, 98.0), &p, now())
            .reason(),
        Some(ReasonCode::TradingReducing)
    );
    // A flip increases exposure on the other side.
    let flip = intent("AAPL", Side::Sell, 800.0, 100.0, Some(101.0));
    assert_eq!(
        g.evaluate(flip, &p, now()).reason(),
        Some(ReasonCode::TradingReducing)
    );
    // Reducing is fine, and needs no stop.
    let d = g.evaluate(intent("AAPL", Side::Sell, 200.0, 100.0, None), &p, now());
    assert!(d.is_approved(), "{:?}", d.violations);
    assert_eq!(d.kind, IntentKind::Reduce);
    // A close larger than the position would be a flip; a close of exactly the position is a reduction.
    let d = g.evaluate(intent("AAPL", Side::Sell, 500.0, 100.0, None), &p, now());
    assert!(d.is_approved());
    assert_eq!(d.intent().quantity, 500.0);
    g.halt("alice").unwrap();
    let d = g.evaluate(intent("AAPL", Side::Sell, 200.0, 100.0, None), &p, now());
    assert_eq!(
        d.reason(),
        Some(ReasonCode::TradingHalted),
        "halted rejects reductions too"
    );
    assert!(g.halt("  ").is_err(), "operator actions name the operator");
    g.reset_trading_state("bob").unwrap();
    assert_eq!(g.last_operator(), Some("bob"));
    assert!(
        g.evaluate(buy("MSFT", 10.0, 100.0, 98.0), &p, now())
            .is_approved()
    );
}

#[test]
fn max_drawdown_exceeded_switches_to_reducing_then_halted() {
    let (mut g, _) = gateway();
    let mut p = portfolio(74_000.0);
    p.peak_equity = 100_000.0;
    p.positions.push(position("AAPL", 100.0, 100.0, Some(95.0)));
    // 26 % drawdown ≥ 25 %: the first increasing intent sees the limit ...
    let d = g.evaluate(buy("MSFT", 10.0, 100.0, 98.0), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::MaxDrawdownExceeded));
    assert_eq!(g.trading_state(), TradingState::Reducing);
    // ... the next sees the state.
    assert_eq!(
        g.evaluate(buy("MSFT", 10.0, 100.0, 98.0), &p, now())
            .reason(),
        Some(ReasonCode::TradingReducing)
    );
    // Reductions still pass.
    assert!(
        g.evaluate(intent("AAPL", Side::Sell, 50.0, 100.0, None), &p, now())
            .is_approved()
    );
    // 35 % is the hard limit: halted, even for reductions.
    p.equity = 65_000.0;
    let d = g.evaluate(intent("AAPL", Side::Sell, 50.0, 100.0, None), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::MaxDrawdownExceeded));
    assert_eq!(g.trading_state(), TradingState::Halted);
    assert_eq!(
        g.evaluate(intent("AAPL", Side::Sell, 50.0, 100.0, None), &p, now())
            .reason(),
        Some(ReasonCode::TradingHalted)
    );
}

#[test]
fn drawdown_throttles_size_before_the_limit() {
    let (mut g, _) = gateway();
    let mut p = portfolio(90_000.0);
    p.peak_equity = 100_000.0;
    p.day_start_equity = 90_000.0;
    // dd 10 % of a 25 % limit: multiplier 0.6 → 90k × 2 % × 0.6 / 2 = 540.
    let d = g.evaluate(buy("AAPL", 5_000.0, 100.0, 98.0), &p, now());
    assert!(d.is_approved(), "{:?}", d.violations);
    assert!((d.sizing.drawdown_multiplier - 0.6).abs() < 1e-12);
    assert!(
        (d.intent().quantity - 540.0).abs() < 1e-6,
        "{}",
        d.intent().quantity
    );
}

#[test]
fn daily_loss_limit() {
    let (mut g, _) = gateway();
    let mut p = portfolio(94_000.0);
    p.peak_equity = 100_000.0;
    p.day_start_equity = 100_000.0;
    assert_eq!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .reason(),
        Some(ReasonCode::DailyLossLimit)
    );
    assert_eq!(
        g.trading_state(),
        TradingState::Normal,
        "the daily limit does not change the state"
    );
    p.day_start_equity = 98_000.0;
    assert!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .is_approved()
    );
}

#[test]
fn too_many_open_positions_only_for_new_positions() {
    let (mut g, _) = gateway_with(RiskConfig {
        max_open_positions: 2,
        ..config()
    });
    let mut p = portfolio(1e6);
    p.positions.push(position("AAPL", 10.0, 100.0, Some(99.0)));
    p.positions
        .push(position("MSFT", -10.0, 100.0, Some(101.0)));
    p.positions.push(position("IBM", 0.0, 100.0, None));
    let d = g.evaluate(buy("NVDA", 10.0, 100.0, 98.0), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::TooManyOpenPositions));
    let c = d.check("open_positions").unwrap();
    assert_eq!((c.value, c.threshold), (2.0, 2.0));
    // Adding to an existing position is not a new one; a flat entry is not open.
    assert!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .is_approved()
    );
    assert_eq!(
        g.evaluate(buy("IBM", 10.0, 100.0, 98.0), &p, now())
            .reason(),
        Some(ReasonCode::TooManyOpenPositions)
    );
}

#[test]
fn negative_edge_and_kelly_edge_cases() {
    let (mut g, _) = gateway();
    let p = portfolio(100_000.0);
    let cases = [
        (0.0, 2.0, Some(ReasonCode::NegativeEdge)), // win rate 0
        (0.6, 0.0, Some(ReasonCode::NegativeEdge)), // payoff 0
        (0.5, 1.0, Some(ReasonCode::NegativeEdge)), // exactly break-even: no trade
        (0.4, 1.0, Some(ReasonCode::NegativeEdge)), // negative
        (1.0, 2.0, None),                           // win rate 1: Kelly 1, capped by the budget
    ];
    for (win_rate, payoff_ratio, expected) in cases {
        g.set_track_record(
            STRATEGY,
            TrackRecord {
                trades: 100,
                win_rate,
                payoff_ratio,
            },
        );
        let d = g.evaluate(buy("AAPL", 5_000.0, 100.0, 98.0), &p, now());
        assert_eq!(d.reason(), expected, "p={win_rate} b={payoff_ratio}");
        if expected.is_some() {
            assert_eq!(d.sizing.quantity, 0.0, "never a minimum-size trade");
        } else {
            assert!((d.intent().quantity - 1_000.0).abs() < 1e-6);
        }
    }
    // A small positive edge caps the budget: half Kelly of (0.55 − 0.45) = 0.05 ... > 2 %: no change;
    // (0.52, 1.0) → f* = 0.04, half = 0.02 → equal; (0.51, 1.0) → 0.01 → half the size.
    g.set_track_record(
        STRATEGY,
        TrackRecord {
            trades: 100,
            win_rate: 0.51,
            payoff_ratio: 1.0,
        },
    );
    let d = g.evaluate(buy("AAPL", 5_000.0, 100.0, 98.0), &p, now());
    assert!((d.sizing.kelly.unwrap() - 0.01).abs() < 1e-12);
    assert!(
        (d.intent().quantity - 500.0).abs() < 1e-6,
        "{}",
        d.intent().quantity
    );
    // No track record (too few trades): Kelly not applied, even a losing one.
    g.set_track_record(
        STRATEGY,
        TrackRecord {
            trades: 29,
            win_rate: 0.0,
            payoff_ratio: 0.0,
        },
    );
    let d = g.evaluate(buy("AAPL", 5_000.0, 100.0, 98.0), &p, now());
    assert!(d.is_approved());
    assert_eq!(d.sizing.kelly, None);
    assert!(d.check("kelly").is_none());
}

#[test]
fn size_below_minimum() {
    let (mut g, _) = gateway_with(RiskConfig {
        min_position_size: 100.0,
        ..config()
    });
    // Budget 2 000 over a stop distance of 50 → 40 < 100.
    let d = g.evaluate(
        buy("AAPL", 1_000.0, 100.0, 50.0),
        &portfolio(100_000.0),
        now(),
    );
    assert_eq!(d.reason(), Some(ReasonCode::SizeBelowMinimum));
    assert_eq!(d.check("size").unwrap().status, CheckStatus::Violation);
    // A request for nothing, or for garbage, is below the minimum too.
    for q in [0.0, -5.0, f64::NAN] {
        let d = g.evaluate(buy("AAPL", q, 100.0, 98.0), &portfolio(100_000.0), now());
        assert_eq!(d.reason(), Some(ReasonCode::SizeBelowMinimum), "{q}");
    }
}

#[test]
fn position_size_limit() {
    let (mut g, _) = gateway_with(RiskConfig {
        max_position_size: 1_000.0,
        ..config()
    });
    let mut p = portfolio(1e7);
    p.positions.push(position("AAPL", 900.0, 100.0, Some(99.9)));
    let d = g.evaluate(buy("AAPL", 200.0, 100.0, 99.9), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::PositionSizeLimit));
    assert!(
        g.evaluate(buy("AAPL", 100.0, 100.0, 99.9), &p, now())
            .is_approved()
    );
}

#[test]
fn invalid_price() {
    let (mut g, _) = gateway();
    let d = g.evaluate(buy("AAPL", 10.0, -1.0, -2.0), &portfolio(1e5), now());
    assert_eq!(d.reason(), Some(ReasonCode::InvalidPrice));
}

#[test]
fn stop_loss_required() {
    let (mut g, _) = gateway();
    let d = g.evaluate(
        intent("AAPL", Side::Buy, 10.0, 100.0, None),
        &portfolio(1e5),
        now(),
    );
    assert_eq!(d.reason(), Some(ReasonCode::StopLossRequired));
    // On the wrong side is no protection.
    let d = g.evaluate(buy("AAPL", 10.0, 100.0, 101.0), &portfolio(1e5), now());
    assert_eq!(d.reason(), Some(ReasonCode::StopLossRequired));
    let d = g.evaluate(
        intent("AAPL", Side::Sell, 10.0, 100.0, Some(99.0)),
        &portfolio(1e5),
        now(),
    );
    assert_eq!(d.reason(), Some(ReasonCode::StopLossRequired));
    assert!(
        g.evaluate(
            intent("AAPL", Side::Sell, 10.0, 100.0, Some(101.0)),
            &portfolio(1e5),
            now()
        )
        .is_approved()
    );
}

#[test]
fn total_exposure_exceeded_with_warning_at_80_percent() {
    let (mut g, _) = gateway_with(RiskConfig {
        max_open_positions: 40,
        ..config()
    });
    let mut p = portfolio(100_000.0);
    // Existing risk at the stop: 25 × 1 000 × 1.96 = 49 000 = 49 % of equity.
    for i in 0..25 {
        p.positions
            .push(position(&format!("S{i}"), 1_000.0, 10.0, Some(8.04)));
    }
    let d = g.evaluate(buy("AAPL", 1_000.0, 100.0, 98.0), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::TotalExposureExceeded));
    let c = d.check("total_exposure").unwrap();
    assert!((c.value - 0.51).abs() < 1e-9, "{}", c.value);
    assert_eq!(c.threshold, 0.5);
    // At 41.16 % + 1 % it passes with a warning (≥ 80 % of 50 %).
    p.positions.truncate(21);
    let d = g.evaluate(buy("AAPL", 500.0, 100.0, 98.0), &p, now());
    assert!(d.is_approved(), "{:?}", d.violations);
    assert_eq!(d.check("total_exposure").unwrap().status, CheckStatus::Warn);
}

#[test]
fn leverage_exceeded() {
    let (mut g, _) = gateway();
    let mut p = portfolio(100_000.0);
    // 9.9× gross with tight stops (little risk at the stop).
    p.positions
        .push(position("SPY", 9_900.0, 100.0, Some(99.99)));
    let d = g.evaluate(buy("AAPL", 1_000.0, 100.0, 98.0), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::LeverageExceeded));
    assert!(d.check("leverage").unwrap().value > 10.0);
    // 8.5× passes with a warning.
    p.positions[0].quantity = 8_400.0;
    let d = g.evaluate(buy("AAPL", 100.0, 100.0, 98.0), &p, now());
    assert!(d.is_approved(), "{:?}", d.violations);
    assert_eq!(d.check("leverage").unwrap().status, CheckStatus::Warn);
}

#[test]
fn sector_exposure_exceeded() {
    let mut c = config();
    c.instrument_sector_map.insert("usdjpy".into(), "fx".into());
    let (mut g, _) = gateway_with(c);
    let mut p = portfolio(100_000.0);
    // FX limit 5 %; GBPUSD and USDJPY already carry 2 % each.
    p.positions
        .push(position("GBPUSD", 100_000.0, 1.25, Some(1.23)));
    p.positions
        .push(position("USDJPY", -1_000.0, 150.0, Some(152.0)));
    let d = g.evaluate(buy("EURUSD", 1_000_000.0, 1.10, 1.09), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::SectorExposureExceeded));
    assert!((d.check("sector_exposure").unwrap().value - 0.06).abs() < 1e-9);
    // Sector exposure only counts the intent's sector: an unmapped instrument passes.
    let d = g.evaluate(buy("AAPL", 100.0, 100.0, 98.0), &p, now());
    assert!(d.is_approved(), "{:?}", d.violations);
    assert!(d.check("sector_exposure").is_none());
    // A reduction of a breached sector is allowed (with a warning).
    p.positions[0].quantity = 200_000.0;
    let d = g.evaluate(
        intent("GBPUSD", Side::Sell, 10_000.0, 1.25, None),
        &p,
        now(),
    );
    assert!(d.is_approved(), "{:?}", d.violations);
    assert_eq!(
        d.check("sector_exposure").unwrap().status,
        CheckStatus::Warn
    );
    assert!(d.check("sector_exposure").unwrap().value > 0.05);
}

#[test]
fn portfolio_risk_breach() {
    let (mut g, _) = gateway();
    let mut p = portfolio(100_000.0);
    // One position already risks 1.5 % at its stop; adding 1 % more makes it 2.5 %
    // of equity for one position, over the 2 % per-position budget.
    p.positions.push(position("AAPL", 750.0, 100.0, Some(98.0)));
    let d = g.evaluate(buy("AAPL", 500.0, 100.0, 98.0), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::PortfolioRiskBreach));
    assert!(d.check("portfolio_risk_score").unwrap().value > 1.0);
    assert!(
        g.evaluate(buy("AAPL", 200.0, 100.0, 98.0), &p, now())
            .is_approved()
    );
}

#[test]
fn execution_risk() {
    let (mut g, _) = gateway();
    let mut i = buy("AAPL", 100.0, 100.0, 98.0);
    i.spread_bps = 60.0; // half the spread alone is 30 bps > 25
    let d = g.evaluate(i, &portfolio(1e5), now());
    assert_eq!(d.reason(), Some(ReasonCode::ExecutionRisk));
    let e = d.execution.unwrap();
    assert!((e.spread_bps - 30.0).abs() < 1e-12);
    assert!((e.cost_bps - e.slippage_bps - 1.0).abs() < 1e-12);
    // A reduction is never refused for its cost.
    let mut p = portfolio(1e5);
    p.positions.push(position("AAPL", 100.0, 100.0, Some(98.0)));
    let mut i = intent("AAPL", Side::Sell, 100.0, 100.0, None);
    i.spread_bps = 60.0;
    assert!(g.evaluate(i, &p, now()).is_approved());
}

#[test]
fn storm_regime_and_volatility_targeting_shrink_size() {
    let (mut g, _) = gateway();
    let mut i = buy("AAPL", 5_000.0, 100.0, 98.0);
    i.volatility = Some(0.40); // storm: × 0.5, and target 10 % / 40 % = 0.25
    let d = g.evaluate(i, &portfolio(100_000.0), now());
    assert!(d.is_approved());
    assert_eq!(d.regime, emp_risk::MarketRegime::Storm);
    assert!(
        (d.intent().quantity - 1_000.0 * 0.5 * 0.25).abs() < 1e-6,
        "{}",
        d.intent().quantity
    );
    // Calm (5 %): vol targeting would double, but never past the per-trade limit.
    let mut i = buy("AAPL", 5_000.0, 100.0, 98.0);
    i.volatility = Some(0.05);
    let d = g.evaluate(i, &portfolio(100_000.0), now());
    assert!((d.intent().quantity - 1_000.0).abs() < 1e-6);
}

#[test]
fn research_mode_approves_and_lists_every_violation() {
    let c = RiskConfig {
        research_mode: true,
        mandatory_stop_loss: false,
        min_position_size: 5.0,
        ..config()
    };
    let (mut g, _) = gateway_with(c);
    let mut i = intent("AAPL", Side::Buy, 50_000.0, 100.0, None);
    i.strategy_id = "unregistered".into();
    i.confidence = 0.1;
    let mut p = portfolio(0.0);
    p.peak_equity = 100.0;
    p.day_start_equity = 100.0;
    let d = g.evaluate(i, &p, now());
    assert!(d.is_approved());
    assert!(d.research_mode);
    assert_eq!(d.intent().quantity, 50_000.0);
    for code in [
        ReasonCode::StrategyDisabled,
        ReasonCode::LowConfidence,
        ReasonCode::MaxDrawdownExceeded,
        ReasonCode::DailyLossLimit,
        ReasonCode::SizeBelowMinimum,
        ReasonCode::InvalidEquity,
        ReasonCode::PerTradeRiskExceeded,
        ReasonCode::TotalExposureExceeded,
        ReasonCode::LeverageExceeded,
        ReasonCode::PortfolioRiskBreach,
        ReasonCode::ExecutionRisk,
    ] {
        assert!(
            d.violations.contains(&code),
            "{code} missing from {:?}",
            d.violations
        );
    }
    // Violations come in pipeline order.
    assert!(
        d.violations
            .windows(2)
            .all(|w| w[0].stage() <= w[1].stage())
    );
    // The stop is optional in research mode: a warning, not a violation.
    assert_eq!(d.check("stop_loss").unwrap().status, CheckStatus::Warn);
    // The drawdown halted the gateway; halted is absolute even in research mode.
    assert_eq!(d.trading_state, TradingState::Halted);
    let d = g.evaluate(buy("AAPL", 1.0, 100.0, 98.0), &portfolio(1e5), now());
    assert_eq!(d.reason(), Some(ReasonCode::TradingHalted));
}

#[test]
fn research_mode_lists_per_trade_risk_and_position_limit() {
    let c = RiskConfig {
        research_mode: true,
        max_position_size: 100.0,
        ..config()
    };
    let (mut g, _) = gateway_with(c);
    g.set_track_record(
        STRATEGY,
        TrackRecord {
            trades: 50,
            win_rate: 0.2,
            payoff_ratio: 1.0,
        },
    );
    let d = g.evaluate(buy("AAPL", 5_000.0, 100.0, 98.0), &portfolio(1e5), now());
    assert!(d.is_approved());
    assert_eq!(d.violations[0], ReasonCode::NegativeEdge);
    assert!(d.violations.contains(&ReasonCode::PositionSizeLimit));
    assert!(d.violations.contains(&ReasonCode::PerTradeRiskExceeded));
}

#[test]
fn execution_cost_fails_safe_on_garbage_spread_and_volatility() {
    // Control: a 200 bps spread alone costs 100 bps of slippage, over the 25 bps limit.
    let (mut g, _) = gateway();
    let mut i = buy("AAPL", 1_000.0, 100.0, 98.0);
    i.spread_bps = 200.0;
    let d = g.evaluate(i.clone(), &portfolio(100_000.0), now());
    assert_eq!(d.reason(), Some(ReasonCode::ExecutionRisk));

    // A negative "volatility" must not subtract cost and let the wide spread through.
    let mut bad_vol = i.clone();
    bad_vol.volatility = Some(-10.0);
    let d = g.evaluate(bad_vol, &portfolio(100_000.0), now());
    assert_eq!(
        d.reason(),
        Some(ReasonCode::ExecutionRisk),
        "{:?}",
        d.execution
    );

    // A NaN spread is unknown cost, not zero cost.
    let mut nan_spread = buy("AAPL", 1_000.0, 100.0, 98.0);
    nan_spread.spread_bps = f64::NAN;
    let d = g.evaluate(nan_spread.clone(), &portfolio(100_000.0), now());
    assert_eq!(
        d.reason(),
        Some(ReasonCode::ExecutionRisk),
        "{:?}",
        d.execution
    );

    // A reduction is still never refused for cost, garbage or not.
    let mut p = portfolio(100_000.0);
    p.positions.push(position("AAPL", 500.0, 100.0, Some(98.0)));
    let mut reduce = nan_spread;
    reduce.side = Side::Sell;
    reduce.quantity = 100.0;
    reduce.volatility = Some(-1.0);
    reduce.stop_loss = None;
    let d = g.evaluate(reduce, &p, now());
    assert!(d.is_approved(), "{:?}", d.reason());
    assert_eq!(d.kind, IntentKind::Reduce);
}

#[test]
fn adding_to_a_position_values_the_held_quantity_at_its_mark() {
    // Long 500 AAPL marked at 100 with a stop at 98: 1 000 (1 %) at risk.
    let (mut g, _) = gateway();
    let mut p = portfolio(100_000.0);
    p.positions.push(position("AAPL", 500.0, 100.0, Some(98.0)));
    // A resting buy far below the market, with its stop (which then protects the whole
    // position) just under it. Priced at the intent's 60 the whole 600 would risk only
    // 600; in truth the 500 held at 100 risk 500 × (100 − 59) = 20 500 at the new stop.
    let d = g.evaluate(buy("AAPL", 100.0, 60.0, 59.0), &p, now());
    assert_eq!(d.kind, IntentKind::Increase);
    let total = d.check("total_exposure").unwrap().value;
    assert!((total - 0.206).abs() < 1e-9, "risk after ÷ equity: {total}");
    let leverage = d.check("leverage").unwrap().value;
    assert!(
        (leverage - 0.56).abs() < 1e-9,
        "gross after ÷ equity: {leverage}"
    );
    assert_eq!(d.reason(), Some(ReasonCode::PortfolioRiskBreach));

    // Near the mark nothing changes: a normal add is approved.
    let d = g.evaluate(buy("AAPL", 100.0, 100.0, 98.0), &p, now());
    assert!(d.is_approved(), "{:?}", d.reason());

    // No mark yet (the engine sends 0): the held quantity is valued at the intent price.
    p.positions[0].mark_price = 0.0;
    let d = g.evaluate(buy("AAPL", 100.0, 100.0, 98.0), &p, now());
    assert!(d.is_approved(), "{:?}", d.reason());
    let total = d.check("total_exposure").unwrap().value;
    assert!((total - 600.0 * 2.0 / 100_000.0).abs() < 1e-12, "{total}");
}
