//! Ordered shutdown sequence: order, per-step timeout, failures do not stop the sequence.

use std::sync::Arc;
use std::time::Duration;

use emp_bus::{ShutdownSequence, StepOutcome, TaskError};
use parking_lot::Mutex;

#[tokio::test(start_paused = true)]
async fn steps_run_in_order_with_timeouts_and_failures_reported() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut seq = ShutdownSequence::new(Duration::from_secs(1));
    let l = log.clone();
    seq.add_step("stop intake", move || async move {
        tokio::time::sleep(Duration::from_millis(3)).await;
        l.lock().push("stop intake");
    });
    let l = log.clone();
    seq.add_step("cancel orders", move || async move {
        l.lock().push("cancel orders");
        Err::<(), _>(TaskError::msg("venue unreachable"))
    });
    let l = log.clone();
    seq.add_step_with_timeout(
        "flush journals",
        Duration::from_millis(50),
        move || async move {
            l.lock().push("flush journals (started)");
            tokio::time::sleep(Duration::from_secs(60)).await;
            l.lock().push("flush journals (never)");
        },
    );
    let l = log.clone();
    seq.add_step("stop server", move || async move {
        l.lock().push("stop server");
        Ok::<(), std::io::Error>(())
    });
    assert_eq!(seq.len(), 4);
    let report = seq.run().await;
    assert_eq!(
        *log.lock(),
        [
            "stop intake",
            "cancel orders",
            "flush journals (started)",
            "stop server"
        ]
    );
    assert_eq!(
        report.step_names(),
        [
            "stop intake",
            "cancel orders",
            "flush journals",
            "stop server"
        ]
    );
    let outcomes: Vec<_> = report.steps.iter().map(|s| s.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        [
            StepOutcome::Done,
            StepOutcome::Failed {
                error: "venue unreachable".into()
            },
            StepOutcome::TimedOut,
            StepOutcome::Done
        ]
    );
    assert_eq!(report.steps[0].elapsed_ms, 3);
    assert_eq!(report.steps[2].elapsed_ms, 50);
    assert!(!report.is_clean());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["steps"][1]["outcome"], "failed");
    assert_eq!(json["steps"][1]["error"], "venue unreachable");
    assert_eq!(json["steps"][2]["outcome"], "timed_out");
}

#[tokio::test(start_paused = true)]
async fn empty_sequence_is_clean() {
    let seq = ShutdownSequence::new(Duration::from_secs(1));
    assert!(seq.is_empty());
    let report = seq.run().await;
    assert!(report.is_clean());
    assert!(report.steps.is_empty());
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn each_step_is_logged_with_position_and_duration() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .finish();
    // current-thread runtime: the thread-local default covers every step.
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut seq = ShutdownSequence::new(Duration::from_secs(1));
    seq.add_step("stop intake", || async {
        tokio::time::sleep(Duration::from_millis(3)).await
    });
    seq.add_step("flush journals", || async {
        Err::<(), _>(TaskError::msg("disk full"))
    });
    seq.run().await;
    let text = String::from_utf8(captured.0.lock().clone()).unwrap();
    for expected in [
        "shutdown step 1/2: stop intake ...",
        "shutdown step 1/2: stop intake ... done in 3 ms",
        "shutdown step 2/2: flush journals ... failed after 0 ms: disk full",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}
