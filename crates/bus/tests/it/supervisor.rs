//! Task supervisor: restarts, cancellation, active tasks, ordered shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use emp_bus::{Error, RestartPolicy, StepOutcome, TaskError, TaskState, TaskSupervisor};
use parking_lot::Mutex;
use serde_json::{Map, Value, json};

use crate::common::{clock, wait_until};

fn supervisor() -> TaskSupervisor {
    TaskSupervisor::new(Arc::new(clock()))
}

fn meta(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn on_failure(max_restarts: u32) -> RestartPolicy {
    RestartPolicy::OnFailure {
        max_restarts,
        backoff: Duration::from_millis(10),
    }
}

async fn wait_state(sup: &TaskSupervisor, name: &str, state: TaskState) {
    wait_until(&format!("{name} -> {state:?}"), || {
        sup.tasks()
            .iter()
            .any(|t| t.name == name && t.state == state)
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn restarts_on_failure_up_to_max_then_fails() {
    let sup = supervisor();
    let attempts = Arc::new(AtomicU32::new(0));
    let a2 = attempts.clone();
    sup.spawn("flaky", Map::new(), on_failure(3), move |_token| {
        let a = a2.clone();
        async move {
            let n = a.fetch_add(1, Ordering::SeqCst);
            Err(TaskError::msg(format!("attempt {n} failed")))
        }
    })
    .unwrap();
    wait_state(&sup, "flaky", TaskState::Failed).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 4, "1 run + 3 restarts");
    let info = &sup.tasks()[0];
    assert_eq!(info.restarts, 3);
    assert_eq!(info.last_error.as_deref(), Some("attempt 3 failed"));
    assert!(sup.active_tasks().is_empty());
}

#[tokio::test(start_paused = true)]
async fn panics_count_as_failures_and_recovery_completes() {
    let sup = supervisor();
    let attempts = Arc::new(AtomicU32::new(0));
    let a2 = attempts.clone();
    sup.spawn("recovering", Map::new(), on_failure(5), move |_token| {
        let a = a2.clone();
        async move {
            match a.fetch_add(1, Ordering::SeqCst) {
                0 => panic!("first run panics"),
                1 => Err(TaskError::msg("second run errors")),
                _ => Ok(()),
            }
        }
    })
    .unwrap();
    wait_state(&sup, "recovering", TaskState::Completed).await;
    let info = &sup.tasks()[0];
    assert_eq!((info.restarts, attempts.load(Ordering::SeqCst)), (2, 3));
}

#[tokio::test(start_paused = true)]
async fn never_policy_does_not_restart() {
    let sup = supervisor();
    let attempts = Arc::new(AtomicU32::new(0));
    let a2 = attempts.clone();
    sup.spawn("once", Map::new(), RestartPolicy::Never, move |_token| {
        let a = a2.clone();
        async move {
            a.fetch_add(1, Ordering::SeqCst);
            Err(TaskError::msg("nope"))
        }
    })
    .unwrap();
    wait_state(&sup, "once", TaskState::Failed).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert_eq!(sup.tasks()[0].restarts, 0);
}

#[tokio::test(start_paused = true)]
async fn active_tasks_and_cancellation() {
    let sup = supervisor();
    for name in ["ingest", "scheduler"] {
        sup.spawn(
            name,
            meta(&[("kind", json!(name)), ("interval_s", json!(60))]),
            RestartPolicy::Never,
            |token| async move {
                token.cancelled().await;
                Ok(())
            },
        )
        .unwrap();
    }
    sup.spawn("done", Map::new(), RestartPolicy::Never, |_t| async {
        Ok(())
    })
    .unwrap();
    wait_state(&sup, "done", TaskState::Completed).await;
    let active = sup.active_tasks();
    let names: Vec<_> = active.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["ingest", "scheduler"]);
    assert_eq!(active[0].metadata["kind"], "ingest");
    assert_eq!(active[0].state, TaskState::Running);
    assert_eq!(
        active[0].started_at,
        emp_model::UnixNanos::from_secs(crate::common::T0_SECS)
    );
    let json = serde_json::to_value(&active[0]).unwrap();
    assert_eq!(json["state"], "running");
    assert_eq!(json["metadata"]["interval_s"], 60);

    sup.cancellation_token().cancel();
    wait_until("all cancelled", || sup.active_tasks().is_empty()).await;
    let states: Vec<_> = sup.tasks().iter().map(|t| t.state).collect();
    assert_eq!(
        states,
        [
            TaskState::Cancelled,
            TaskState::Cancelled,
            TaskState::Completed
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn cancellation_interrupts_restart_backoff() {
    let sup = supervisor();
    let policy = RestartPolicy::OnFailure {
        max_restarts: 10,
        backoff: Duration::from_secs(3600),
    };
    sup.spawn("backing-off", Map::new(), policy, |_t| async {
        Err(TaskError::msg("down"))
    })
    .unwrap();
    wait_state(&sup, "backing-off", TaskState::Restarting).await;
    let report = sup.shutdown(Duration::from_secs(5)).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(sup.tasks()[0].state, TaskState::Cancelled);
}

#[tokio::test(start_paused = true)]
async fn shutdown_cancels_in_reverse_start_order() {
    let sup = supervisor();
    let order = Arc::new(Mutex::new(Vec::new()));
    for name in ["intake", "engine", "journal", "http"] {
        let order = order.clone();
        sup.spawn(name, Map::new(), RestartPolicy::Never, move |token| {
            let order = order.clone();
            async move {
                token.cancelled().await;
                // Simulate some cleanup work, so that a concurrent (unordered)
                // cancellation would interleave differently.
                tokio::time::sleep(Duration::from_millis(5)).await;
                order.lock().push(name);
                Ok(())
            }
        })
        .unwrap();
    }
    let report = sup.shutdown(Duration::from_secs(5)).await;
    assert_eq!(*order.lock(), ["http", "journal", "engine", "intake"]);
    assert_eq!(report.step_names(), ["http", "journal", "engine", "intake"]);
    assert!(report.is_clean());
    assert!(sup.active_tasks().is_empty());
    let late = sup.spawn("late", Map::new(), RestartPolicy::Never, |_t| async {
        Ok(())
    });
    assert!(matches!(late, Err(Error::ShuttingDown)));
}

#[tokio::test(start_paused = true)]
async fn shutdown_times_out_stuck_tasks_and_reports_failures() {
    let sup = supervisor();
    sup.spawn(
        "failed-earlier",
        Map::new(),
        RestartPolicy::Never,
        |_t| async { Err(TaskError::msg("broken")) },
    )
    .unwrap();
    sup.spawn(
        "stubborn",
        Map::new(),
        RestartPolicy::Never,
        |_token| async {
            // Ignores cancellation.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        },
    )
    .unwrap();
    wait_state(&sup, "failed-earlier", TaskState::Failed).await;
    let report = sup.shutdown(Duration::from_secs(2)).await;
    assert_eq!(report.step_names(), ["stubborn", "failed-earlier"]);
    assert_eq!(report.steps[0].outcome, StepOutcome::TimedOut);
    assert!(report.steps[0].elapsed_ms >= 2000);
    assert_eq!(
        report.steps[1].outcome,
        StepOutcome::Failed {
            error: "broken".into()
        }
    );
    assert!(!report.is_clean());
}

#[test]
fn spawn_outside_a_runtime_is_a_typed_error() {
    let sup = supervisor();
    let r = sup.spawn("x", Map::new(), RestartPolicy::Never, |_t| async { Ok(()) });
    assert!(matches!(r, Err(Error::NoRuntime(_))));
}

/// "No deadline" spelled as a huge timeout (e.g. from a config file) must not panic on
/// `Instant + Duration` overflow; the tasks are still cancelled and awaited.
#[tokio::test]
async fn shutdown_with_an_unbounded_timeout_does_not_panic() {
    let sup = supervisor();
    sup.spawn(
        "worker",
        Map::new(),
        RestartPolicy::Never,
        |token| async move {
            token.cancelled().await;
            Ok(())
        },
    )
    .unwrap();
    let report = sup.shutdown(Duration::MAX).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.step_names(), ["worker"]);
    assert_eq!(sup.tasks()[0].state, TaskState::Cancelled);
}
