use std::collections::BTreeMap;
use std::io::Write;

use super::*;

fn load_str(
    yaml: &str,
    env: &[(&str, &str)],
    flags: &FlagOverrides,
) -> Result<Config, ConfigError> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(yaml.as_bytes()).unwrap();
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    load(Some(f.path()), &env, flags)
}

fn messages(e: &ConfigError) -> Vec<String> {
    e.issues()
        .map(|i| format!("{}: {}", i.path, i.message))
        .collect()
}

#[test]
fn defaults_validate() {
    let c = load_str("", &[], &FlagOverrides::default()).unwrap();
    assert_eq!(c.raw().tier, Tier::Bootstrap);
    assert_eq!(c.raw().run_mode, RunMode::Paper);
    assert_eq!(c.health_addr().to_string(), "127.0.0.1:8080");
    assert_eq!(c.raw().data_dir, PathBuf::from("./emp-data"));
}

#[test]
fn every_problem_is_reported_at_once_with_its_path() {
    let yaml = "tier: bootstrap\nbogus_key: 1\nhealth:\n  enabled: \"yes please\"\n  addr: nowhere\n\
                logging:\n  nope: 2\ntelemetry:\n  interval_ms: -5\n";
    let err = load_str(yaml, &[], &FlagOverrides::default()).unwrap_err();
    let m = messages(&err);
    assert!(
        m.iter()
            .any(|s| s.starts_with("bogus_key") && s.contains("unknown field")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|s| s.starts_with("health.enabled") && s.contains("invalid type")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|s| s.starts_with("logging.nope") && s.contains("unknown field")),
        "{m:?}"
    );
    assert!(
        m.iter().any(|s| s.starts_with("telemetry.interval_ms")),
        "{m:?}"
    );
    // Range checks still run on what decoded, in the same report.
    assert!(
        m.iter()
            .any(|s| s.starts_with("health.addr") && s.contains("nowhere")),
        "{m:?}"
    );
    assert_eq!(m.len(), 5, "{m:?}");
}

#[test]
fn range_violations_are_all_reported() {
    let yaml = "symbols: []\nhealth:\n  addr: nowhere\n  path: metrics\ntelemetry:\n  interval_ms: 5\n\
                logging:\n  level: \"info,[[[\"\n  context:\n    level: x\n";
    let err = load_str(yaml, &[], &FlagOverrides::default()).unwrap_err();
    let paths: Vec<_> = err.issues().map(|i| i.path.clone()).collect();
    for p in [
        "symbols",
        "health.addr",
        "health.path",
        "telemetry.interval_ms",
        "logging.level",
        "logging.context.level",
    ] {
        assert!(paths.iter().any(|x| x == p), "missing {p} in {paths:?}");
    }
}

#[test]
fn precedence_is_file_then_env_then_flags() {
    let yaml = "data_dir: /from/file\nlogging:\n  level: warn\nhealth:\n  addr: 127.0.0.1:1111\n";
    let env = [
        ("EMP_DATA_DIR", "/from/env"),
        ("EMP_LOG_LEVEL", "debug"),
        ("EMP__TELEMETRY__INTERVAL_MS", "250"),
    ];
    let flags = FlagOverrides {
        data_dir: Some("/from/flag".into()),
        ..Default::default()
    };
    let c = load_str(yaml, &env, &flags).unwrap();
    assert_eq!(c.raw().data_dir, PathBuf::from("/from/flag"));
    assert_eq!(c.raw().logging.level, "debug");
    assert_eq!(c.raw().telemetry.interval_ms, 250);
    assert_eq!(c.health_addr().port(), 1111);
}

#[test]
fn errors_name_the_source_of_the_bad_value() {
    let err = load_str("", &[("EMP_HEALTH_ADDR", "bad")], &FlagOverrides::default()).unwrap_err();
    assert!(err.to_string().contains("health.addr"), "{err}");
    assert!(
        err.to_string().contains("environment EMP_HEALTH_ADDR"),
        "{err}"
    );
    let err = load_str("", &[("EMP__NOPE", "1")], &FlagOverrides::default()).unwrap_err();
    assert!(err.to_string().contains("nope: unknown field"), "{err}");
}

#[test]
fn symbols_from_env_are_comma_separated() {
    let c = load_str(
        "",
        &[("EMP_SYMBOLS", "EURUSD, SPX")],
        &FlagOverrides::default(),
    )
    .unwrap();
    assert_eq!(c.raw().symbols, vec!["EURUSD", "SPX"]);
}

#[test]
fn secrets_never_appear_in_output_or_errors() {
    let yaml = "store:\n  backend: postgres\n  postgres_url: postgres://emp:hunter2@db/emp\n";
    let ok = load_str(yaml, &[], &FlagOverrides::default()).unwrap();
    assert!(!ok.to_redacted_yaml().contains("hunter2"));
    assert!(!ok.to_redacted_json().to_string().contains("hunter2"));
    assert!(!format!("{ok:?}").contains("hunter2"));
    // A bad neighbour key must not drag the secret into the error report.
    let bad =
        "store:\n  backend: postgres\n  postgres_url: postgres://emp:hunter2@db/emp\n  nope: 1\n";
    let err = load_str(bad, &[], &FlagOverrides::default()).unwrap_err();
    assert!(err.to_string().contains("store.nope"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // A wrongly typed secret is kept as text, never echoed by a type error.
    let odd = "store:\n  postgres_url: 271828182845\n  nope: 1\n";
    let err = load_str(odd, &[], &FlagOverrides::default()).unwrap_err();
    assert!(!err.to_string().contains("271828182845"), "{err}");
}

#[test]
fn malformed_yaml_is_a_single_clear_error() {
    let err = load_str("tier: [unclosed\n", &[], &FlagOverrides::default()).unwrap_err();
    assert!(err.to_string().contains("not valid YAML"), "{err}");
    let err = load_str("- a\n- b\n", &[], &FlagOverrides::default()).unwrap_err();
    assert!(err.to_string().contains("mapping"), "{err}");
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let err = load(
        Some(Path::new("/nonexistent/emp.yaml")),
        &BTreeMap::new(),
        &FlagOverrides::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/emp.yaml"), "{err}");
}

#[test]
fn risk_limits_are_validated_at_start_up() {
    let err = load_str(
        "risk:\n  max_leverage: -1\n  mandatory_stop_loss: false\n",
        &[],
        &FlagOverrides::default(),
    )
    .unwrap_err();
    let m = messages(&err);
    assert!(
        m.iter()
            .any(|s| s.starts_with("risk.max_leverage") && s.contains("-1")),
        "{m:?}"
    );
    assert!(
        m.iter().any(|s| s.starts_with("risk.mandatory_stop_loss")),
        "{m:?}"
    );
}
