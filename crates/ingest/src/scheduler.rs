//! The ingest scheduler: run a job every `interval ± jitter` (seeded), stop after N
//! consecutive failures, as a task of emp-bus's `TaskSupervisor`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use emp_bus::{CancellationToken, RestartPolicy, TaskError, TaskSupervisor};
use emp_telemetry::{ConfigErrors, Violations};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

/// When the ingest runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleConfig {
    /// Whether `emp run` schedules ingest at all (`emp ingest-once` ignores this).
    pub enabled: bool,
    pub interval_secs: u64,
    /// Each delay is `interval ± jitter`, uniformly, so many instances do not hit the
    /// sources in lock-step.
    pub jitter_secs: u64,
    /// Seed of the jitter RNG: the same seed gives the same delays.
    pub seed: u64,
    /// The scheduler stops (its task fails) after this many failed runs in a row.
    pub max_consecutive_failures: u32,
    /// Run once immediately instead of waiting a first delay.
    pub run_on_start: bool,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            enabled: true,
            interval_secs: 3_600,
            jitter_secs: 60,
            seed: 0,
            max_consecutive_failures: 3,
            run_on_start: true,
        }
    }
}

impl ScheduleConfig {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.interval_secs > 0,
            "interval_secs",
            format!("must be > 0, got {}", self.interval_secs),
        );
        v.check(
            self.jitter_secs < self.interval_secs,
            "jitter_secs",
            format!(
                "must be < interval_secs ({}), got {}",
                self.interval_secs, self.jitter_secs
            ),
        );
        v.check(
            self.max_consecutive_failures >= 1,
            "max_consecutive_failures",
            format!("must be >= 1, got {}", self.max_consecutive_failures),
        );
        v.into_result()
    }
}

/// The scheduler's state machine, free of time and I/O: delays and the failure streak.
#[derive(Debug)]
pub struct Schedule {
    config: ScheduleConfig,
    rng: ChaCha8Rng,
    consecutive_failures: u32,
}

impl Schedule {
    /// A schedule for a validated `config`.
    pub fn try_new(config: ScheduleConfig) -> crate::Result<Self> {
        config.validate().map_err(crate::Error::InvalidConfig)?;
        Ok(Schedule {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            consecutive_failures: 0,
        })
    }

    /// The next pause: `interval ± jitter`, millisecond resolution.
    pub fn next_delay(&mut self) -> Duration {
        let interval_ms = self.config.interval_secs.saturating_mul(1_000);
        let jitter_ms = self.config.jitter_secs.saturating_mul(1_000);
        if jitter_ms == 0 {
            return Duration::from_millis(interval_ms);
        }
        let offset = self.rng.random_range(0..=2 * jitter_ms);
        // interval − jitter + offset, never below zero (jitter < interval is validated).
        Duration::from_millis((interval_ms - jitter_ms).saturating_add(offset))
    }

    /// Records a run's outcome; `false` when the scheduler must stop.
    pub fn record(&mut self, success: bool) -> bool {
        if success {
            self.consecutive_failures = 0;
        } else {
            self.consecutive_failures += 1;
        }
        self.consecutive_failures < self.config.max_consecutive_failures
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }
}

/// Runs `job` on `config`'s schedule until `token` is cancelled (`Ok`) or the job failed
/// `max_consecutive_failures` times in a row (`Err`, naming the last error). The job gets
/// the token so that a run in progress can stop early at shutdown.
pub async fn run_scheduled<F, Fut>(
    config: ScheduleConfig,
    token: CancellationToken,
    job: F,
) -> Result<(), TaskError>
where
    F: Fn(CancellationToken) -> Fut,
    Fut: Future<Output = Result<(), TaskError>>,
{
    let mut schedule = Schedule::try_new(config.clone()).map_err(TaskError::from)?;
    let mut first = config.run_on_start;
    loop {
        if !first {
            let delay = schedule.next_delay();
            tokio::select! {
                () = token.cancelled() => return Ok(()),
                () = tokio::time::sleep(delay) => {}
            }
        }
        first = false;
        if token.is_cancelled() {
            return Ok(());
        }
        match job(token.clone()).await {
            Ok(()) => {
                schedule.record(true);
            }
            Err(e) => {
                tracing::warn!(error = %e, streak = schedule.consecutive_failures() + 1, "scheduled ingest failed");
                if !schedule.record(false) {
                    return Err(TaskError::msg(format!(
                        "stopped after {} consecutive failures; last: {e}",
                        schedule.consecutive_failures()
                    )));
                }
            }
        }
    }
}

/// Spawns the scheduled `job` as supervised task `name` (no restarts: a scheduler that
/// gave up stays failed and shows in the runtime summary with its last error).
pub fn spawn_scheduled<F, Fut>(
    supervisor: &TaskSupervisor,
    name: &str,
    config: ScheduleConfig,
    job: F,
) -> emp_bus::Result<()>
where
    F: Fn(CancellationToken) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
{
    let mut meta = Map::new();
    meta.insert("interval_secs".into(), json!(config.interval_secs));
    meta.insert("jitter_secs".into(), json!(config.jitter_secs));
    meta.insert("seed".into(), json!(config.seed));
    meta.insert(
        "max_consecutive_failures".into(),
        json!(config.max_consecutive_failures),
    );
    let job = Arc::new(job);
    supervisor.spawn(name, meta, RestartPolicy::Never, move |token| {
        let job = job.clone();
        let config = config.clone();
        async move { run_scheduled(config, token, move |t| job(t)).await }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use emp_bus::TaskState;
    use emp_model::{SimulatedClock, UnixNanos};

    use super::*;

    fn cfg(interval: u64, jitter: u64, max_fail: u32) -> ScheduleConfig {
        ScheduleConfig {
            enabled: true,
            interval_secs: interval,
            jitter_secs: jitter,
            seed: 42,
            max_consecutive_failures: max_fail,
            run_on_start: true,
        }
    }

    #[test]
    fn delays_are_seeded_and_bounded() {
        let mut a = Schedule::try_new(cfg(100, 10, 3)).unwrap();
        let mut b = Schedule::try_new(cfg(100, 10, 3)).unwrap();
        let da: Vec<Duration> = (0..200).map(|_| a.next_delay()).collect();
        let db: Vec<Duration> = (0..200).map(|_| b.next_delay()).collect();
        assert_eq!(da, db);
        assert!(
            da.iter()
                .all(|d| (90_000..=110_000).contains(&(d.as_millis() as u64)))
        );
        assert!(
            da.iter().any(|d| d.as_millis() < 100_000)
                && da.iter().any(|d| d.as_millis() > 100_000)
        );
        let mut c = Schedule::try_new(ScheduleConfig {
            seed: 43,
            ..cfg(100, 10, 3)
        })
        .unwrap();
        assert_ne!(
            (0..10).map(|_| c.next_delay()).collect::<Vec<_>>(),
            da[..10]
        );
        let mut none = Schedule::try_new(cfg(5, 0, 1)).unwrap();
        assert_eq!(none.next_delay(), Duration::from_secs(5));
    }

    #[test]
    fn failure_streak_stops_at_the_limit() {
        let mut s = Schedule::try_new(cfg(10, 0, 3)).unwrap();
        assert!(s.record(false) && s.record(false));
        assert!(s.record(true), "a success resets the streak");
        assert!(s.record(false) && s.record(false));
        assert!(!s.record(false));
        assert_eq!(s.consecutive_failures(), 3);
        let e = Schedule::try_new(cfg(10, 10, 0)).unwrap_err().to_string();
        assert!(
            e.contains("jitter_secs") && e.contains("max_consecutive_failures"),
            "{e}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn supervised_scheduler_stops_after_n_failures() {
        let sup = TaskSupervisor::new(Arc::new(SimulatedClock::new(UnixNanos::ZERO)));
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        spawn_scheduled(&sup, "ingest", cfg(60, 5, 3), move |_| {
            let c = c.clone();
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                Err(TaskError::msg("store down"))
            }
        })
        .unwrap();
        // Three runs: at start, then after ~60 s and ~120 s (paused time auto-advances).
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let t = &sup.tasks()[0];
        assert_eq!(t.state, TaskState::Failed);
        assert!(
            t.last_error
                .as_deref()
                .unwrap_or("")
                .contains("3 consecutive failures"),
            "{t:?}"
        );
        assert_eq!(t.metadata["interval_secs"], 60);
    }

    #[tokio::test(start_paused = true)]
    async fn runs_on_interval_until_cancelled() {
        let sup = TaskSupervisor::new(Arc::new(SimulatedClock::new(UnixNanos::ZERO)));
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        let config = ScheduleConfig {
            run_on_start: false,
            ..cfg(100, 0, 2)
        };
        spawn_scheduled(&sup, "ingest", config, move |_| {
            let c = c.clone();
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .unwrap();
        tokio::time::sleep(Duration::from_millis(99_500)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        tokio::time::sleep(Duration::from_secs(450)).await; // t = 549.5 s: runs at 100..500
        assert_eq!(calls.load(Ordering::SeqCst), 5);
        let report = sup.shutdown(Duration::from_secs(1)).await;
        assert!(report.is_clean(), "{report:?}");
        assert_eq!(sup.tasks()[0].state, TaskState::Cancelled);
    }
}
