//! The kill switch and the live-mode guard really stop trading.

use emp_risk::{
    Error, FileKillSwitch, ReasonCode, RiskConfig, RiskGateway, RunMode, StrategyStatus,
    TradingState,
};

use crate::common::*;

#[test]
fn file_kill_switch_halts_until_removed_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let kill = dir.path().join("KILL");
    let c = RiskConfig {
        kill_switch_path: Some(kill.clone()),
        ..config()
    };
    let mut g = RiskGateway::from_config(validated(c), RunMode::Paper).unwrap();
    g.register_strategy(STRATEGY, StrategyStatus::Active);
    let p = portfolio(100_000.0);

    assert!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .is_approved()
    );

    std::fs::write(&kill, b"stop").unwrap();
    let d = g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::TradingHalted));
    assert_eq!(g.trading_state(), TradingState::Halted);
    // No reset while the file is there.
    assert!(matches!(
        g.reset_trading_state("ops"),
        Err(Error::KillSwitchEngaged)
    ));

    std::fs::remove_file(&kill).unwrap();
    // Removing the file is not enough: still halted until an operator resets.
    let d = g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now());
    assert_eq!(d.reason(), Some(ReasonCode::TradingHalted));
    assert!(matches!(
        g.reset_trading_state(""),
        Err(Error::MissingOperator)
    ));
    g.reset_trading_state("ops-alice").unwrap();
    assert_eq!(g.trading_state(), TradingState::Normal);
    assert!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .is_approved()
    );
}

#[test]
fn manual_kill_switch_is_consulted_at_every_event() {
    let (mut g, kill) = gateway();
    let p = portfolio(100_000.0);
    kill.engage();
    assert!(g.poll_kill_switch());
    assert_eq!(g.trading_state(), TradingState::Halted);
    kill.release();
    assert_eq!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .reason(),
        Some(ReasonCode::TradingHalted)
    );
    g.reset_trading_state("ops").unwrap();
    assert!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .is_approved()
    );
    // Engaged between two intents: the very next one is rejected.
    kill.engage();
    assert_eq!(
        g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now())
            .reason(),
        Some(ReasonCode::TradingHalted)
    );
}

#[test]
fn live_mode_requires_confirmation() {
    let err = RiskGateway::try_new(
        validated(config()),
        RunMode::Live { confirmed: false },
        Box::new(FileKillSwitch::new("/nonexistent/KILL")),
    )
    .unwrap_err();
    assert!(matches!(err, Error::LiveNotConfirmed));
    let g =
        RiskGateway::from_config(validated(config()), RunMode::Live { confirmed: true }).unwrap();
    assert_eq!(g.mode(), RunMode::Live { confirmed: true });
}

#[test]
fn research_mode_is_refused_in_live_mode() {
    let c = RiskConfig {
        research_mode: true,
        ..config()
    };
    let err = RiskGateway::from_config(validated(c.clone()), RunMode::Live { confirmed: true })
        .unwrap_err();
    assert!(matches!(err, Error::ResearchModeInLive));
    assert!(RiskGateway::from_config(validated(c), RunMode::Paper).is_ok());
}

#[test]
fn invalid_config_becomes_a_typed_error() {
    let err: Error = RiskConfig {
        max_leverage: 0.0,
        ..config()
    }
    .validate()
    .unwrap_err()
    .into();
    assert!(matches!(err, Error::Config(_)));
    assert!(
        err.to_string().contains("max_leverage: must be > 0, got 0"),
        "{err}"
    );
}
