//! The router in-process: status codes and documents without a socket.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use emp_app::{FlagOverrides, RunOptions, Runtime, RuntimeState, load_config, router};
use tower::ServiceExt;

fn runtime(dir: &std::path::Path) -> Runtime {
    let flags = FlagOverrides {
        data_dir: Some(dir.to_path_buf()),
        ..Default::default()
    };
    let mut env = BTreeMap::new();
    env.insert("EMP__HEALTH__PATH".to_owned(), "/healthz".to_owned());
    let config = load_config(None, &env, &flags).unwrap();
    Runtime::start(config, RunOptions::default()).unwrap()
}

async fn get(rt: &Runtime, path: &str) -> (StatusCode, String, Option<String>) {
    let resp = router(rt.clone())
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap(), ctype)
}

#[tokio::test]
async fn health_is_200_while_running_and_503_while_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    rt.set_state(RuntimeState::Running);
    rt.publish_telemetry().await.unwrap();
    assert!(
        rt.wait_for_topic(
            "telemetry.event_bus.health",
            std::time::Duration::from_secs(2)
        )
        .await
    );
    let (code, body, _) = get(&rt, "/healthz").await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["generated_at"].as_str().unwrap().ends_with('Z'));
    let names: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"runtime")
            && names.contains(&"telemetry.event_bus.health")
            && names.contains(&"tasks")
    );
    for c in v["checks"].as_array().unwrap() {
        for k in ["name", "status", "summary", "metadata"] {
            assert!(c.get(k).is_some(), "{k} missing in {c}");
        }
    }
    assert_eq!(v["metadata"]["version"], env!("CARGO_PKG_VERSION"));

    rt.set_state(RuntimeState::Stopping);
    let (code, body, _) = get(&rt, "/healthz").await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "fail");
    rt.bus().stop().await;
}

#[tokio::test]
async fn a_stopped_bus_fails_health_and_snapshots_fall_back_to_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    rt.set_state(RuntimeState::Running);
    rt.publish_telemetry().await.unwrap();
    assert!(
        rt.wait_for_topic(
            "telemetry.event_bus.health",
            std::time::Duration::from_secs(2)
        )
        .await
    );
    rt.bus().stop().await;
    // The bus refuses now: the snapshot goes to the fallback journal and is counted.
    rt.publish_telemetry().await.unwrap();
    assert_eq!(rt.failover_count(), 1);
    rt.flush_journal().unwrap();
    let journal = std::fs::read_to_string(dir.path().join("journal/snapshots.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert_eq!(line["topic"], "telemetry.event_bus.health");
    assert_eq!(
        line["status"], "fail",
        "a bus expected to run but stopped fails: {line}"
    );
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_unknown_paths_404() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(dir.path());
    rt.set_state(RuntimeState::Running);
    let (code, body, ctype) = get(&rt, "/metrics").await;
    assert_eq!(code, StatusCode::OK);
    assert!(ctype.unwrap().starts_with("text/plain; version=0.0.4"));
    assert!(body.contains("# TYPE emp_bus_published_total counter"));
    assert!(body.contains("emp_up 1"));
    let (code, _, _) = get(&rt, "/nope").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    rt.bus().stop().await;
}
