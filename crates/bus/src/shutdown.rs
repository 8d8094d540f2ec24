//! Ordered shutdown: named steps run in sequence, each under a timeout, each logged.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::TaskError;

/// How one shutdown step (or one supervised task's stop) ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum StepOutcome {
    /// Completed in time.
    Done,
    /// Completed with an error (or the task had failed).
    Failed {
        /// The error's message.
        error: String,
    },
    /// Did not complete in time; abandoned (supervised tasks are aborted).
    TimedOut,
}

/// One line of a [`ShutdownReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// Step or task name.
    pub name: String,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: StepOutcome,
    /// Time taken, in milliseconds.
    pub elapsed_ms: u64,
}

/// What happened during a shutdown, step by step in execution order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShutdownReport {
    /// Steps in the order they ran.
    pub steps: Vec<StepReport>,
}

impl ShutdownReport {
    /// `true` if every step completed without error in time.
    pub fn is_clean(&self) -> bool {
        self.steps.iter().all(|s| s.outcome == StepOutcome::Done)
    }

    /// Step names in execution order.
    pub fn step_names(&self) -> Vec<&str> {
        self.steps.iter().map(|s| s.name.as_str()).collect()
    }
}

/// What a shutdown step may return: `()` or `Result<(), E>` for any `E: Into<TaskError>`.
pub trait IntoStepResult {
    /// Normalise to `Result<(), TaskError>`.
    fn into_step_result(self) -> Result<(), TaskError>;
}

impl IntoStepResult for () {
    fn into_step_result(self) -> Result<(), TaskError> {
        Ok(())
    }
}

impl<E: Into<TaskError>> IntoStepResult for Result<(), E> {
    fn into_step_result(self) -> Result<(), TaskError> {
        self.map_err(Into::into)
    }
}

type StepFuture = Pin<Box<dyn Future<Output = Result<(), TaskError>> + Send>>;
type StepFn = Box<dyn FnOnce() -> StepFuture + Send>;

struct Step {
    name: String,
    timeout: Duration,
    run: StepFn,
}

/// Named steps run strictly in the order added (stop intake → cancel orders → flush
/// journals → stop server, say). A failing or timed-out step is reported and the sequence
/// continues: a stuck intake must not prevent the journals from flushing.
///
/// Each step is logged as `shutdown step 1/4: stop intake ... done in 3 ms`.
pub struct ShutdownSequence {
    default_timeout: Duration,
    steps: Vec<Step>,
}

impl std::fmt::Debug for ShutdownSequence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownSequence")
            .field("default_timeout", &self.default_timeout)
            .field(
                "steps",
                &self
                    .steps
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ShutdownSequence {
    /// An empty sequence whose steps time out after `default_timeout` each.
    pub fn new(default_timeout: Duration) -> Self {
        ShutdownSequence {
            default_timeout,
            steps: Vec::new(),
        }
    }

    /// Append a step with the default timeout.
    pub fn add_step<F, Fut>(&mut self, name: impl Into<String>, step: F) -> &mut Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoStepResult,
    {
        let timeout = self.default_timeout;
        self.add_step_with_timeout(name, timeout, step)
    }

    /// Append a step with its own timeout.
    pub fn add_step_with_timeout<F, Fut>(
        &mut self,
        name: impl Into<String>,
        timeout: Duration,
        step: F,
    ) -> &mut Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoStepResult,
    {
        self.steps.push(Step {
            name: name.into(),
            timeout,
            run: Box::new(move || Box::pin(async move { step().await.into_step_result() })),
        });
        self
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// `true` if there are no steps.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Run every step in order.
    pub async fn run(self) -> ShutdownReport {
        let total = self.steps.len();
        let mut report = ShutdownReport::default();
        for (i, step) in self.steps.into_iter().enumerate() {
            let n = i + 1;
            tracing::info!("shutdown step {n}/{total}: {} ...", step.name);
            let started = Instant::now();
            let outcome = match tokio::time::timeout(step.timeout, (step.run)()).await {
                Ok(Ok(())) => StepOutcome::Done,
                Ok(Err(e)) => StepOutcome::Failed {
                    error: e.to_string(),
                },
                Err(_) => StepOutcome::TimedOut,
            };
            let elapsed_ms = elapsed_ms(started);
            log_step(n, total, &step.name, &outcome, elapsed_ms);
            report.steps.push(StepReport {
                name: step.name,
                outcome,
                elapsed_ms,
            });
        }
        report
    }
}

pub(crate) fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

pub(crate) fn log_step(n: usize, total: usize, name: &str, outcome: &StepOutcome, elapsed_ms: u64) {
    match outcome {
        StepOutcome::Done => {
            tracing::info!("shutdown step {n}/{total}: {name} ... done in {elapsed_ms} ms")
        }
        StepOutcome::Failed { error } => {
            tracing::warn!(
                "shutdown step {n}/{total}: {name} ... failed after {elapsed_ms} ms: {error}"
            )
        }
        StepOutcome::TimedOut => {
            tracing::warn!("shutdown step {n}/{total}: {name} ... timed out after {elapsed_ms} ms")
        }
    }
}
