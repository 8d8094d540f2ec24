//! Risk telemetry snapshots.

use emp_model::Side;
use emp_risk::{
    PostureEvaluator, ReasonCode, RiskConfig, intent_rejected_snapshot, policy_snapshot,
    policy_violation_snapshot, runbook_url,
};
use emp_telemetry::{Evaluator, Status, topics};

use crate::common::*;

#[test]
fn policy_snapshot_carries_checks_limits_and_outcome() {
    let (mut g, _) = gateway();
    let d = g.evaluate(
        buy("AAPL", 500.0, 100.0, 98.0),
        &portfolio(100_000.0),
        now(),
    );
    let s = policy_snapshot(&d, g.config(), now());
    assert_eq!(s.topic(), topics::RISK_POLICY);
    assert_eq!(s.checks().len(), d.checks.len());
    assert_eq!(s.status(), Status::Ok);
    let m = s.metadata();
    assert_eq!(m["symbol"], "AAPL");
    assert_eq!(m["approved"], true);
    assert_eq!(m["research_mode"], false);
    assert_eq!(m["reason"], serde_json::Value::Null);
    assert_eq!(m["limits"]["max_leverage"], 10.0);
    assert_eq!(m["approved_quantity"], 500.0);
    assert!(policy_violation_snapshot(&d, now()).is_none());
    assert!(intent_rejected_snapshot(&d, now()).is_none());
    // JSON rendering works end to end.
    let json = s.to_json();
    assert_eq!(json["topic"], "telemetry.risk.policy");
}

#[test]
fn rejection_produces_violation_and_rejected_snapshots() {
    let (mut g, _) = gateway();
    let d = g.evaluate(
        intent("AAPL", Side::Buy, 10.0, 100.0, None),
        &portfolio(100_000.0),
        now(),
    );
    assert_eq!(d.reason(), Some(ReasonCode::StopLossRequired));
    let policy = policy_snapshot(&d, g.config(), now());
    assert_eq!(policy.status(), Status::Fail);
    assert_eq!(policy.check("stop_loss").unwrap().status, Status::Fail);
    assert_eq!(
        policy.metadata()["violations"],
        serde_json::json!(["stop_loss_required"])
    );

    let v = policy_violation_snapshot(&d, now()).unwrap();
    assert_eq!(v.topic(), topics::RISK_POLICY_VIOLATION);
    assert_eq!(v.metadata()["severity"], "high");
    assert_eq!(
        v.metadata()["runbook"],
        runbook_url(ReasonCode::StopLossRequired)
    );
    assert_eq!(v.metadata()["decision"]["outcome"]["outcome"], "rejected");
    assert_eq!(
        v.metadata()["decision"]["outcome"]["reason"],
        "stop_loss_required"
    );

    let r = intent_rejected_snapshot(&d, now()).unwrap();
    assert_eq!(r.topic(), topics::RISK_INTENT_REJECTED);
    assert_eq!(r.status(), Status::Fail);
    assert_eq!(r.metadata()["reason"], "stop_loss_required");
    assert_eq!(r.metadata()["stage"], 7);

    // A halt is critical.
    g.halt("ops").unwrap();
    let d = g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &portfolio(100_000.0), now());
    assert_eq!(
        policy_violation_snapshot(&d, now()).unwrap().metadata()["severity"],
        "critical"
    );
}

#[test]
fn research_mode_violations_are_warnings() {
    let (mut g, _) = gateway_with(RiskConfig {
        research_mode: true,
        ..config()
    });
    let mut i = buy("AAPL", 10.0, 100.0, 98.0);
    i.confidence = 0.1;
    let d = g.evaluate(i, &portfolio(100_000.0), now());
    assert!(d.is_approved());
    let v = policy_violation_snapshot(&d, now()).unwrap();
    assert_eq!(v.status(), Status::Warn);
    assert_eq!(v.metadata()["severity"], "warning");
    assert_eq!(
        policy_snapshot(&d, g.config(), now()).metadata()["research_mode"],
        true
    );
}

#[test]
fn posture_checks_limits_at_80_percent_and_at_the_limit() {
    let (mut g, _) = gateway_with(RiskConfig {
        max_open_positions: 5,
        ..config()
    });
    let mut p = portfolio(100_000.0);
    p.peak_equity = 126_000.0; // 20.6 % drawdown: 80 % of the 25 % limit → warn
    p.day_start_equity = 100_000.0;
    for i in 0..4 {
        p.positions
            .push(position(&format!("S{i}"), 100.0, 100.0, Some(99.0)));
    }
    p.positions
        .push(position("SHORT", -100.0, 50.0, Some(51.0)));
    let _ = g.evaluate(buy("AAPL", 10.0, 100.0, 98.0), &p, now());
    let s = g.posture(&p, now());
    assert_eq!(s.topic(), topics::RISK_POSTURE);
    assert_eq!(
        s.check("open_positions").unwrap().status,
        Status::Fail,
        "5 of 5 is at the limit"
    );
    assert_eq!(s.check("drawdown").unwrap().status, Status::Warn);
    assert_eq!(s.check("daily_loss").unwrap().status, Status::Ok);
    assert_eq!(s.check("trading_state").unwrap().status, Status::Ok);
    assert_eq!(s.status(), Status::Fail);
    let m = s.metadata();
    assert_eq!(m["exposure_long"], 40_000.0);
    assert_eq!(m["exposure_short"], 5_000.0);
    assert_eq!(m["equity"], 100_000.0);
    assert_eq!(m["peak_equity"], 126_000.0);
    assert_eq!(m["rejections"], 1, "open positions were full");
    assert_eq!(m["approval_rate"], 0.0);
    assert_eq!(m["last_decision"]["reason"], "too_many_open_positions");

    // 4 of 5 is 80 %: warn. Halted: fail.
    p.positions.pop();
    p.peak_equity = 100_000.0;
    let input = g.posture_input(&p);
    let s = PostureEvaluator.evaluate(g.config(), &input, now());
    assert_eq!(s.check("open_positions").unwrap().status, Status::Warn);
    assert_eq!(s.check("drawdown").unwrap().status, Status::Ok);
    g.halt("ops").unwrap();
    assert_eq!(
        g.posture(&p, now()).check("trading_state").unwrap().status,
        Status::Fail
    );
}

#[test]
fn runbook_has_a_section_for_every_reason_code() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/RUNBOOK.md")).unwrap();
    for code in ReasonCode::ALL {
        assert!(
            text.contains(&format!("## {}", code.as_str())),
            "RUNBOOK.md lacks a section for {code}"
        );
        assert!(runbook_url(code).ends_with(&format!("RUNBOOK.md#{}", code.as_str())));
    }
}
