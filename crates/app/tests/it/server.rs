//! The real binary serving /health and /metrics on port 0.

use std::time::{Duration, Instant};

use crate::harness::{TestServer, http_get, promtool};

#[test]
fn run_serves_health_and_metrics_and_exits_0_after_its_timeout() {
    let started = Instant::now();
    let mut server = TestServer::start(&["--timeout", "3"]);
    let (code, body) = server.get("/health");
    assert_eq!(code, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["metadata"]["tier"], "bootstrap");
    assert_eq!(health["metadata"]["run_mode"], "paper");
    assert!(
        health["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "runtime")
    );

    // The telemetry schedule publishes the bus health within an interval.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, m) = server.get("/metrics");
        if m.contains("emp_telemetry_status{topic=\"telemetry.event_bus.health\"}") {
            assert!(m.contains("emp_bus_published_total "), "{m}");
            assert!(m.contains("process_resident_memory_bytes "), "{m}");
            break;
        }
        assert!(Instant::now() < deadline, "no bus health metric: {m}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{:?}", server.logs());
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "took {:?}",
        started.elapsed()
    );
    let copies: Vec<_> = std::fs::read_dir(server.data_dir.join("runs"))
        .unwrap()
        .collect();
    assert_eq!(copies.len(), 1, "one effective-config copy per run");
}

#[test]
fn json_logs_carry_the_runtime_fields() {
    let mut server = TestServer::start(&["--timeout", "1"]);
    server.child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let logs = server.logs();
    assert!(!logs.is_empty());
    for line in &logs {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let ts = v["timestamp"].as_str().unwrap();
        assert!(
            ts.ends_with('Z') && ts.len() == "2026-11-30T03:04:05.123Z".len(),
            "{ts}"
        );
        for k in [
            "level",
            "target",
            "message",
            "fields",
            "runtime.tier",
            "runtime.run_mode",
            "runtime.environment",
        ] {
            assert!(v.get(k).is_some(), "missing {k} in {line}");
        }
    }
}

#[test]
fn sigterm_shuts_down_in_order_within_2s() {
    let mut server = TestServer::start(&[]);
    let (code, _) = server.get("/health");
    assert_eq!(code, 200);
    let (status, took) = server.terminate();
    assert_eq!(status.code(), Some(0));
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    std::thread::sleep(Duration::from_millis(100));
    let logs = server.logs().join("\n");
    assert!(logs.contains("SIGTERM"), "{logs}");
    let order = [
        "stop intake",
        "cancel open orders",
        "flush journals",
        "reports stopping",
        "stop health server",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| {
            logs.find(s)
                .unwrap_or_else(|| panic!("no step {s}: {logs}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "steps out of order: {positions:?}"
    );
}

#[test]
fn a_taken_port_is_a_clear_error_naming_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let o = crate::harness::run(
        &[
            "run",
            "--timeout",
            "1",
            "--health-addr",
            &addr,
            "--data-dir",
            "d",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&addr), "{err}");
}

#[test]
fn metrics_pass_promtool() {
    let server = TestServer::start(&["--timeout", "5"]);
    std::thread::sleep(Duration::from_millis(400));
    let (code, body) = http_get(&server.addr, "/metrics");
    assert_eq!(code, 200);
    let Some(promtool) = promtool() else { return };
    let mut child = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}\n{body}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
