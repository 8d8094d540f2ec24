//! The HTTP server: `GET /health` (configurable path) and `GET /metrics`.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use emp_telemetry::Status;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::metrics::{self, Exposition, Kind};
use crate::runtime::{Runtime, RuntimeState};

/// The router, for the server and for in-process tests.
pub fn router(runtime: Runtime) -> Router {
    let health_path = runtime.config().raw().health.path.clone();
    Router::new()
        .route(&health_path, get(health))
        .route("/metrics", get(metrics_handler))
        .with_state(runtime)
}

/// Bind the configured address. A taken port is an error that names the address.
pub(crate) async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr} for the health server: {e}"))
}

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    runtime: Runtime,
    stop: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router(runtime))
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
}

/// The health document: one check per concern that decides whether to route traffic here.
pub fn health_document(runtime: &Runtime) -> (Status, Value) {
    let state = runtime.state();
    let mut checks = vec![];
    let runtime_status = match state {
        RuntimeState::Running => Status::Ok,
        RuntimeState::Starting => Status::Warn,
        RuntimeState::Stopping | RuntimeState::Stopped => Status::Fail,
    };
    checks.push((
        runtime_status,
        json!({
            "name": "runtime",
            "status": runtime_status,
            "summary": state.as_str(),
            "metadata": {"run_id": runtime.run_id(), "started_at": runtime.started_at().to_rfc3339()},
        }),
    ));
    for (topic, snap) in runtime.latest_snapshots() {
        let failing: Vec<&str> = snap
            .checks()
            .iter()
            .filter(|c| c.status != Status::Ok)
            .map(|c| c.message.as_str())
            .collect();
        let summary = if failing.is_empty() {
            format!("all {} checks ok", snap.checks().len())
        } else {
            failing.join("; ")
        };
        checks.push((
            snap.status(),
            json!({
                "name": topic,
                "status": snap.status(),
                "summary": summary,
                "metadata": {"generated_at": snap.generated_at().to_rfc3339(), "checks": snap.checks().len()},
            }),
        ));
    }
    if let Some(paper) = runtime.paper() {
        checks.extend(paper.health_checks(runtime.now()));
    }
    let tasks = runtime.supervisor().tasks();
    let failed: Vec<String> = tasks
        .iter()
        .filter(|t| t.state == emp_bus::TaskState::Failed)
        .map(|t| t.name.clone())
        .collect();
    let task_status = if failed.is_empty() {
        Status::Ok
    } else {
        Status::Fail
    };
    checks.push((
        task_status,
        json!({
            "name": "tasks",
            "status": task_status,
            "summary": if failed.is_empty() { format!("{} tasks healthy", tasks.len()) } else { format!("failed: {}", failed.join(", ")) },
            "metadata": {"active": tasks.len()},
        }),
    ));
    let status = Status::worst(checks.iter().map(|(s, _)| *s));
    let raw = runtime.config().raw();
    let doc = json!({
        "status": status,
        "generated_at": runtime.now().to_rfc3339(),
        "checks": checks.into_iter().map(|(_, c)| c).collect::<Vec<_>>(),
        "metadata": {"tier": raw.tier.as_str(), "run_mode": raw.run_mode.as_str(), "version": env!("CARGO_PKG_VERSION")},
    });
    (status, doc)
}

async fn health(State(runtime): State<Runtime>) -> Response {
    let (status, doc) = health_document(&runtime);
    let code = if status == Status::Fail {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (code, axum::Json(doc)).into_response()
}

async fn metrics_handler(State(runtime): State<Runtime>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render_metrics(&runtime),
    )
        .into_response()
}

pub fn render_metrics(runtime: &Runtime) -> String {
    let mut e = Exposition::default();
    let stats = runtime.bus().stats();
    e.family(
        "emp_build_info",
        Kind::Gauge,
        "Build information; the value is always 1.",
    )
    .sample(
        "emp_build_info",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    e.single(
        "emp_up",
        Kind::Gauge,
        "1 while the runtime is running, 0 while starting or stopping.",
        if runtime.state() == RuntimeState::Running {
            1.0
        } else {
            0.0
        },
    );
    e.single(
        "emp_uptime_seconds",
        Kind::Gauge,
        "Seconds since the runtime started.",
        runtime.now().saturating_sub(runtime.started_at()) as f64 / 1e9,
    );
    e.single(
        "emp_bus_running",
        Kind::Gauge,
        "1 when the event bus is running.",
        if stats.running { 1.0 } else { 0.0 },
    );
    e.single(
        "emp_bus_published_total",
        Kind::Counter,
        "Events published on the bus.",
        stats.published as f64,
    );
    e.single(
        "emp_bus_delivered_total",
        Kind::Counter,
        "Event deliveries to subscribers.",
        stats.delivered as f64,
    );
    e.single(
        "emp_bus_dropped_total",
        Kind::Counter,
        "Events dropped by overflow policies.",
        stats.dropped as f64,
    );
    e.single(
        "emp_bus_handler_errors_total",
        Kind::Counter,
        "Subscriber handler failures and panics.",
        stats.handler_errors as f64,
    );
    e.family(
        "emp_bus_queue_depth",
        Kind::Gauge,
        "Events waiting in each subscriber's queue.",
    );
    for s in &stats.subscribers {
        e.sample(
            "emp_bus_queue_depth",
            &[("subscriber", &s.name)],
            s.queue_depth as f64,
        );
    }
    e.single(
        "emp_telemetry_failovers_total",
        Kind::Counter,
        "Snapshots written to the fallback journal because the bus refused them.",
        runtime.failover_count() as f64,
    );
    let tasks = runtime.supervisor().tasks();
    let active = tasks.iter().filter(|t| t.state.is_active()).count();
    e.single(
        "emp_tasks_active",
        Kind::Gauge,
        "Supervised tasks running or waiting to restart.",
        active as f64,
    );
    e.family(
        "emp_task_restarts_total",
        Kind::Counter,
        "Restarts of each supervised task.",
    );
    for t in &tasks {
        e.sample(
            "emp_task_restarts_total",
            &[("task", &t.name)],
            t.restarts as f64,
        );
    }
    e.family(
        "emp_telemetry_status",
        Kind::Gauge,
        "Latest status of each telemetry topic: 0 ok, 1 warn, 2 fail.",
    );
    for (topic, snap) in runtime.latest_snapshots() {
        e.sample(
            "emp_telemetry_status",
            &[("topic", &topic)],
            f64::from(snap.status().as_gauge()),
        );
    }
    if let Some(paper) = runtime.paper() {
        paper.metrics(&mut e, runtime.now());
    }
    metrics::process(&mut e, runtime.started_at().as_secs_f64());
    e.finish()
}
