use emp_model::UnixNanos;
use emp_telemetry::{Check, Snapshot, topics};
use serde_json::json;

fn bus_snapshot() -> Snapshot {
    Snapshot::new(
        topics::EVENT_BUS_HEALTH,
        UnixNanos::from_secs(1_398_902_400),
        vec![
            Check::ok("running", "bus is running").with_value(true),
            Check::warn("backlog", "deepest queue `risk|gateway` holds 120 events")
                .with_value(120)
                .with_threshold(json!({"warn": 100, "fail": 500})),
            Check::fail("dropped_events", "5 events dropped\nsince start")
                .with_value(5)
                .with_threshold(5),
            Check::ok("last_event", "last event 3 s ago").with_value(3.25),
        ],
    )
    .with_metadata("subscribers", 4)
    .with_metadata("capacity", 1024)
    .with_metadata("policy", "default|strict")
    .with_metadata("expected_running", true)
}

#[test]
fn markdown_full_snapshot() {
    insta::assert_snapshot!("markdown_full", bus_snapshot().to_markdown());
}

#[test]
fn markdown_without_checks_or_metadata() {
    let s = Snapshot::new(
        topics::RISK_POSTURE,
        UnixNanos::from_millis(1_398_902_400_123),
        vec![],
    );
    insta::assert_snapshot!("markdown_empty", s.to_markdown());
}

#[test]
fn json_full_snapshot() {
    // Sorted maps: the snapshot must not depend on whether some other crate in the build
    // enables serde_json's `preserve_order`.
    insta::with_settings!({sort_maps => true}, {
        insta::assert_json_snapshot!("json_full", bus_snapshot().to_json());
    });
}

#[test]
fn markdown_escapes_cells_and_keeps_table_shape() {
    let md = bus_snapshot().to_markdown();
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    // header + separator + 4 checks, each with exactly 6 unescaped pipes.
    assert_eq!(rows.len(), 6);
    for row in rows {
        let unescaped = row
            .match_indices('|')
            .filter(|(i, _)| *i == 0 || &row[i - 1..*i] != "\\")
            .count();
        assert_eq!(unescaped, 6, "{row}");
    }
    assert!(md.contains("`risk\\|gateway`"));
    assert!(md.contains("5 events dropped<br>since start"));
}
