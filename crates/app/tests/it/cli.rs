//! The command line, end to end through the real binary.

use crate::harness::{run, text};

#[test]
fn help_lists_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["--help"], dir.path());
    assert!(o.status.success());
    let (out, _) = text(&o);
    for cmd in ["run", "summary", "ingest-once", "restart", "config"] {
        assert!(out.contains(cmd), "missing {cmd} in help:\n{out}");
    }
    for flag in [
        "--config",
        "--data-dir",
        "--log-format",
        "--log-level",
        "--health-addr",
    ] {
        assert!(out.contains(flag), "missing {flag} in help:\n{out}");
    }
}

#[test]
fn unknown_subcommand_or_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["frobnicate"][..],
        &["run", "--bogus"],
        &["run", "--timeout", "-3"],
        &["--log-format", "xml", "summary"],
    ] {
        let o = run(args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!text(&o).1.is_empty());
    }
}

const BAD_CONFIG: &str = "\
tier: bootstrap
bogus_key: 1
health:
  enabled: \"sometimes\"
risk:
  max_leverage: -1
store:
  postgres_url: postgres://emp:hunter2-secret@db.internal/emp
";

#[test]
fn bad_config_names_every_problem_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), BAD_CONFIG).unwrap();
    for cmd in [
        &["config", "check"][..],
        &["summary", "--json"],
        &["run", "--timeout", "1"],
    ] {
        let mut args = vec!["--config", "bad.yaml", "--data-dir", "data"];
        args.extend_from_slice(cmd);
        let o = run(&args, dir.path());
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {err}");
        assert!(
            err.contains("bogus_key") && err.contains("unknown field"),
            "{err}"
        );
        assert!(
            err.contains("health.enabled") && err.contains("invalid type"),
            "{err}"
        );
        assert!(
            err.contains("risk.max_leverage") && err.contains("-1"),
            "{err}"
        );
        assert!(err.contains("bad.yaml"), "the file is named: {err}");
        assert!(!out.contains("hunter2") && !err.contains("hunter2"));
        assert!(
            !dir.path().join("data").exists(),
            "nothing may be written on a config error"
        );
    }
}

#[test]
fn a_secret_appears_in_no_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("emp.yaml"),
        "store:\n  postgres_url: postgres://emp:hunter2-secret@db.internal/emp\n",
    )
    .unwrap();
    for args in [
        &["config", "check"][..],
        &["config", "check", "--json"],
        &["summary", "--json"],
        &["summary"],
        &["--log-level", "trace", "summary"],
    ] {
        let o = run(args, dir.path());
        let (out, err) = text(&o);
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(
            !out.contains("hunter2") && !err.contains("hunter2"),
            "{args:?} leaked the secret"
        );
    }
    let o = run(&["config", "check"], dir.path());
    assert!(text(&o).0.contains("emp:***@db.internal"));
}

#[test]
fn summary_json_has_config_runtime_and_the_bus_health_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["summary", "--json", "--data-dir", "d"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["config"].is_object());
    assert_eq!(v["runtime"]["tier"], "bootstrap");
    let snap = &v["snapshots"]["telemetry.event_bus.health"];
    assert_eq!(snap["topic"], "telemetry.event_bus.health");
    assert!(["ok", "warn", "fail"].contains(&snap["status"].as_str().unwrap()));
    assert!(!snap["checks"].as_array().unwrap().is_empty());
    assert!(
        v["runtime"]["components"]["trading"]
            .as_str()
            .unwrap()
            .contains("not")
    );
}

#[test]
fn live_mode_refuses_to_start_without_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("emp.yaml"), "run_mode: live\n").unwrap();
    let o = run(&["run", "--timeout", "1", "--data-dir", "d"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--confirm-live"));
    assert!(!dir.path().join("d").exists());
}

#[test]
fn config_check_prints_the_effective_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("emp.yaml"), "symbols: [EURUSD]\n").unwrap();
    let o = crate::harness::emp()
        .args(["config", "check", "--log-level", "debug"])
        .env("EMP_ENVIRONMENT", "staging")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&out).unwrap();
    assert_eq!(yaml["symbols"][0].as_str(), Some("EURUSD"));
    assert_eq!(yaml["environment"].as_str(), Some("staging"));
    assert_eq!(yaml["logging"]["level"].as_str(), Some("debug"));
}

#[test]
fn restart_drill_runs_every_cycle_and_keeps_a_config_copy_each() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "restart",
            "--cycles",
            "3",
            "--timeout",
            "0.2",
            "--data-dir",
            "d",
            "--health-addr",
            "127.0.0.1:0",
        ],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for c in 1..=3 {
        assert!(out.contains(&format!("cycle {c}/3")), "{out}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path().join("d/runs"))
            .unwrap()
            .count(),
        3
    );
}

#[test]
fn help_text_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = text(&run(&["--help"], dir.path()));
    insta::assert_snapshot!("emp_help", out);
}
