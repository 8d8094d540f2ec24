//! Named, restartable, cancellable background tasks and their ordered shutdown.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use emp_model::{Clock, UnixNanos};
use futures::FutureExt as _;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::bus::panic_message;
use crate::shutdown::{StepOutcome, StepReport, elapsed_ms, log_step};
use crate::{Error, Result, ShutdownReport, TaskError};

/// What to do when a task returns an error or panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartPolicy {
    /// Leave it failed.
    Never,
    /// Start it again after `backoff`, at most `max_restarts` times.
    OnFailure {
        /// Restarts allowed over the task's lifetime.
        max_restarts: u32,
        /// Pause before each restart.
        backoff: Duration,
    },
}

/// Lifecycle of a supervised task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Executing.
    Running,
    /// Failed and waiting out the backoff before a restart.
    Restarting,
    /// Returned `Ok` on its own.
    Completed,
    /// Failed with no restarts left (or policy `Never`).
    Failed,
    /// Stopped because it was cancelled.
    Cancelled,
}

impl TaskState {
    /// `true` for `Running` and `Restarting`.
    pub fn is_active(self) -> bool {
        matches!(self, TaskState::Running | TaskState::Restarting)
    }
}

/// A task as shown in the runtime summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskInfo {
    /// Task name.
    pub name: String,
    /// Caller-supplied metadata (e.g. topic, source, schedule).
    pub metadata: Map<String, Value>,
    /// Current state.
    pub state: TaskState,
    /// Restarts so far.
    pub restarts: u32,
    /// Clock time of the current (or last) run's start.
    pub started_at: UnixNanos,
    /// Message of the most recent failure, if any.
    pub last_error: Option<String>,
}

struct Status {
    state: TaskState,
    restarts: u32,
    started_at: UnixNanos,
    last_error: Option<String>,
}

struct TaskEntry {
    name: Arc<str>,
    metadata: Map<String, Value>,
    token: CancellationToken,
    status: Arc<Mutex<Status>>,
    handle: Option<JoinHandle<()>>,
}

/// What shutdown needs of one task: name, token, status, join handle.
type StopTarget = (
    Arc<str>,
    CancellationToken,
    Arc<Mutex<Status>>,
    Option<JoinHandle<()>>,
);

struct Inner {
    clock: Arc<dyn Clock>,
    root: CancellationToken,
    /// In start order; shutdown walks it backwards.
    tasks: Mutex<Vec<TaskEntry>>,
    shutting_down: AtomicBool,
}

/// Supervises named background tasks: restarts failures per [`RestartPolicy`], exposes
/// [`active_tasks`](TaskSupervisor::active_tasks) for the runtime summary, and shuts down
/// in reverse start order (the last started, typically the most downstream, stops first).
/// A cheap-clone handle.
#[derive(Clone)]
pub struct TaskSupervisor {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TaskSupervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskSupervisor")
            .field("tasks", &self.inner.tasks.lock().len())
            .finish_non_exhaustive()
    }
}

impl TaskSupervisor {
    /// A supervisor stamping start times with `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        TaskSupervisor {
            inner: Arc::new(Inner {
                clock,
                root: CancellationToken::new(),
                tasks: Mutex::new(Vec::new()),
                shutting_down: AtomicBool::new(false),
            }),
        }
    }

    /// The root token: cancelling it cancels every task at once (unordered). Tasks get
    /// child tokens of it.
    pub fn cancellation_token(&self) -> CancellationToken {
        self.inner.root.clone()
    }

    /// Spawn `factory(token)` as task `name`, on the current tokio runtime. The factory is
    /// called again for each restart. The task should return soon after `token` is
    /// cancelled; errors and panics count as failures.
    pub fn spawn<F, Fut>(
        &self,
        name: impl Into<String>,
        metadata: Map<String, Value>,
        policy: RestartPolicy,
        factory: F,
    ) -> Result<()>
    where
        F: Fn(CancellationToken) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
    {
        let handle = Handle::try_current().map_err(Error::NoRuntime)?;
        let name: Arc<str> = Arc::from(name.into());
        let token = self.inner.root.child_token();
        let status = Arc::new(Mutex::new(Status {
            state: TaskState::Running,
            restarts: 0,
            started_at: self.inner.clock.now(),
            last_error: None,
        }));
        // Hold the list lock while checking the flag so a task cannot slip in after
        // shutdown took its snapshot of the list.
        let mut tasks = self.inner.tasks.lock();
        if self.inner.shutting_down.load(Ordering::SeqCst) {
            return Err(Error::ShuttingDown);
        }
        let run = supervise(
            name.clone(),
            policy,
            factory,
            token.clone(),
            status.clone(),
            self.inner.clock.clone(),
        );
        tasks.push(TaskEntry {
            name: name.clone(),
            metadata,
            token,
            status,
            handle: Some(handle.spawn(run)),
        });
        tracing::info!(task = %name, ?policy, "task started");
        Ok(())
    }

    /// Every task ever spawned, in start order.
    pub fn tasks(&self) -> Vec<TaskInfo> {
        self.inner.tasks.lock().iter().map(info).collect()
    }

    /// Tasks currently running or waiting to restart, in start order.
    pub fn active_tasks(&self) -> Vec<TaskInfo> {
        self.tasks()
            .into_iter()
            .filter(|t| t.state.is_active())
            .collect()
    }

    /// Cancel and await every task, one at a time in reverse start order, within an overall
    /// `timeout`; a task still running at the deadline is aborted and reported `TimedOut`.
    /// Afterwards the supervisor refuses new tasks.
    pub async fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        // `Instant + Duration` panics on overflow; a huge timeout means "no deadline"
        // (30 years, as tokio's own far future).
        let now = Instant::now();
        let deadline = now
            .checked_add(timeout)
            .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30));
        let entries: Vec<StopTarget> = {
            let mut tasks = self.inner.tasks.lock();
            self.inner.shutting_down.store(true, Ordering::SeqCst);
            tasks
                .iter_mut()
                .rev()
                .map(|t| {
                    (
                        t.name.clone(),
                        t.token.clone(),
                        t.status.clone(),
                        t.handle.take(),
                    )
                })
                .collect()
        };
        let total = entries.len();
        let mut report = ShutdownReport::default();
        for (i, (name, token, status, handle)) in entries.into_iter().enumerate() {
            let n = i + 1;
            tracing::info!("shutdown task {n}/{total}: {name} ...");
            let started = Instant::now();
            token.cancel();
            let mut outcome = match handle {
                None => StepOutcome::Done,
                Some(mut handle) => match tokio::time::timeout_at(deadline, &mut handle).await {
                    Ok(Ok(())) => StepOutcome::Done,
                    Ok(Err(e)) => StepOutcome::Failed {
                        error: e.to_string(),
                    },
                    Err(_) => {
                        handle.abort();
                        let mut st = status.lock();
                        st.state = TaskState::Cancelled;
                        StepOutcome::TimedOut
                    }
                },
            };
            if outcome == StepOutcome::Done {
                let st = status.lock();
                if st.state == TaskState::Failed {
                    outcome = StepOutcome::Failed {
                        error: st.last_error.clone().unwrap_or_default(),
                    };
                }
            }
            let elapsed_ms = elapsed_ms(started);
            log_step(n, total, &name, &outcome, elapsed_ms);
            report.steps.push(StepReport {
                name: name.to_string(),
                outcome,
                elapsed_ms,
            });
        }
        self.inner.root.cancel();
        report
    }
}

fn info(t: &TaskEntry) -> TaskInfo {
    let st = t.status.lock();
    TaskInfo {
        name: t.name.to_string(),
        metadata: t.metadata.clone(),
        state: st.state,
        restarts: st.restarts,
        started_at: st.started_at,
        last_error: st.last_error.clone(),
    }
}

/// The restart loop of one task.
async fn supervise<F, Fut>(
    name: Arc<str>,
    policy: RestartPolicy,
    factory: F,
    token: CancellationToken,
    status: Arc<Mutex<Status>>,
    clock: Arc<dyn Clock>,
) where
    F: Fn(CancellationToken) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
{
    loop {
        {
            let mut st = status.lock();
            st.state = TaskState::Running;
            st.started_at = clock.now();
        }
        // Both the factory call and the future may panic; either is a failure, never a
        // crash of the supervisor.
        let failure = match std::panic::catch_unwind(AssertUnwindSafe(|| factory(token.clone()))) {
            Err(panic) => Some(format!("panicked: {}", panic_message(&panic))),
            Ok(fut) => match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(panic) => Some(format!("panicked: {}", panic_message(&panic))),
            },
        };
        // Decide under the lock, in a block, so the guard is gone before the await.
        let backoff = {
            let mut st = status.lock();
            if let Some(msg) = &failure {
                st.last_error = Some(msg.clone());
            }
            if token.is_cancelled() {
                st.state = TaskState::Cancelled;
                tracing::info!(task = %name, "task cancelled");
                return;
            }
            let Some(msg) = failure else {
                st.state = TaskState::Completed;
                tracing::info!(task = %name, "task completed");
                return;
            };
            let backoff = match policy {
                RestartPolicy::OnFailure {
                    max_restarts,
                    backoff,
                } if st.restarts < max_restarts => backoff,
                _ => {
                    st.state = TaskState::Failed;
                    tracing::error!(task = %name, error = %msg, restarts = st.restarts, "task failed; not restarting");
                    return;
                }
            };
            st.restarts += 1;
            st.state = TaskState::Restarting;
            tracing::warn!(task = %name, error = %msg, restart = st.restarts, ?backoff, "task failed; restarting");
            backoff
        };
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = token.cancelled() => {
                status.lock().state = TaskState::Cancelled;
                tracing::info!(task = %name, "task cancelled during restart backoff");
                return;
            }
        }
    }
}
