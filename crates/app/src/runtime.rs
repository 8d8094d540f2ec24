//! The runtime builder: bus, supervisor, failover publisher, telemetry schedule, ordered shutdown.
//!
//! The runtime holds the shared handles (bus, publisher, supervisor, the one store instance of
//! the process) and the latest snapshot per topic; the paper replay (`crate::paper`) attaches
//! to it. Ingest is not wired yet, and the summary says so instead of pretending.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use emp_bus::{
    BusHealthEvaluator, BusHealthInput, EventBus, FailoverPublisher, Subscription, TaskSupervisor,
};
use emp_model::{Clock, SystemClock, UnixNanos};
use emp_telemetry::{Evaluator, Snapshot, topics};
use parking_lot::RwLock;
use serde_json::{Value, json};

use crate::config::Config;
use crate::journal::JsonLinesJournal;
use crate::paper::Paper;
use crate::stores::RunStores;

/// What the process is doing, as the health endpoint reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RuntimeState {
    Starting = 0,
    Running = 1,
    Stopping = 2,
    Stopped = 3,
}

impl RuntimeState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Starting,
            1 => Self::Running,
            2 => Self::Stopping,
            _ => Self::Stopped,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Running => "running",
            Self::Stopping => "stopping",
            Self::Stopped => "stopped",
        }
    }
}

/// Options the command line decides, not the configuration file.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    pub no_trading: bool,
    /// Journal every `telemetry.*` snapshot into the store (`telemetry.snapshots`). Off for
    /// one-shot views such as `emp summary`, which must not create or lock the store.
    pub journal_to_store: bool,
}

/// A cheap-clone handle on the running runtime.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    options: RunOptions,
    clock: Arc<dyn Clock>,
    bus: EventBus,
    supervisor: TaskSupervisor,
    publisher: FailoverPublisher,
    journal: Arc<JsonLinesJournal>,
    stores: Arc<RunStores>,
    /// What each component is doing, for the summary (`ingest`, `trading`).
    components: RwLock<BTreeMap<String, String>>,
    /// Set once the first ingest of the run has finished (whatever its outcome).
    data_ready: tokio::sync::watch::Sender<bool>,
    latest: Arc<RwLock<BTreeMap<String, Snapshot>>>,
    /// Engine events delivered to the runtime's `engine.` subscriber, per topic.
    engine_events: Arc<RwLock<BTreeMap<String, u64>>>,
    paper: OnceLock<Paper>,
    state: AtomicU8,
    started_at: UnixNanos,
    run_id: String,
}

impl Runtime {
    /// Build and start the bus and the telemetry recorder. Nothing is written to disk here.
    pub fn start(config: Config, options: RunOptions) -> anyhow::Result<Self> {
        Self::start_with_clock(config, options, Arc::new(SystemClock))
    }

    pub fn start_with_clock(
        config: Config,
        options: RunOptions,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let raw = config.raw();
        let bus = EventBus::new(raw.bus.queue.clone(), clock.clone())?;
        bus.start()?;
        let latest: Arc<RwLock<BTreeMap<String, Snapshot>>> = Arc::default();
        let recorder = latest.clone();
        // The summary and /health read the latest snapshot of every topic from this subscriber,
        // so snapshots that other components publish on the bus show up without wiring.
        bus.subscribe(
            "runtime.telemetry-recorder",
            Subscription::prefix("telemetry."),
            move |event: &emp_bus::Event| {
                if let emp_bus::Payload::Snapshot(s) = &event.payload {
                    recorder.write().insert(s.topic().to_owned(), (**s).clone());
                }
                Ok(())
            },
        )?;
        let stores = Arc::new(RunStores::open(&config));
        if options.journal_to_store {
            let target = stores.clone();
            // Every published snapshot lands in `telemetry.snapshots` of whichever store is
            // reachable (execution snapshots also in `telemetry.execution_snapshots`).
            bus.subscribe(
                "runtime.store-journal",
                Subscription::prefix("telemetry."),
                move |event: &emp_bus::Event| {
                    if let emp_bus::Payload::Snapshot(s) = &event.payload {
                        crate::stores::blocking(|| {
                            use emp_store::SnapshotStore as _;
                            match target.current() {
                                Some(store) => store.append_snapshot(s).map(|_| ()).map_err(|e| {
                                    emp_bus::HandlerError::msg(format!(
                                        "journal {}: {e}",
                                        s.topic()
                                    ))
                                }),
                                None => Ok(()),
                            }
                        })?;
                    }
                    Ok(())
                },
            )?;
        }
        let engine_events: Arc<RwLock<BTreeMap<String, u64>>> = Arc::default();
        let counter = engine_events.clone();
        bus.subscribe(
            "runtime.engine-events",
            Subscription::prefix("engine."),
            move |event: &emp_bus::Event| {
                *counter.write().entry(event.topic.to_string()).or_default() += 1;
                Ok(())
            },
        )?;
        let journal = Arc::new(JsonLinesJournal::new(
            raw.data_dir.join("journal").join("snapshots.jsonl"),
        ));
        let publisher = FailoverPublisher::new(bus.clone(), journal.clone(), clock.clone());
        let supervisor = TaskSupervisor::new(clock.clone());
        let started_at = clock.now();
        let run_id = format!(
            "{}-{}",
            started_at.to_rfc3339().replace([':', '.'], ""),
            std::process::id()
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                options,
                clock,
                bus,
                supervisor,
                publisher,
                journal,
                stores,
                components: RwLock::default(),
                data_ready: tokio::sync::watch::Sender::new(false),
                latest,
                engine_events,
                paper: OnceLock::new(),
                state: AtomicU8::new(RuntimeState::Starting as u8),
                started_at,
                run_id,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn bus(&self) -> &EventBus {
        &self.inner.bus
    }

    pub fn supervisor(&self) -> &TaskSupervisor {
        &self.inner.supervisor
    }

    /// The store in use now: the configured one, else its DuckDB fallback (`None` when
    /// neither opens — the summary says why). May connect: from async code, call it (and
    /// the store) inside `spawn_blocking`.
    pub fn store(&self) -> Option<Arc<emp_store::Store>> {
        crate::stores::blocking(|| self.inner.stores.current())
    }

    pub(crate) fn stores(&self) -> &Arc<RunStores> {
        &self.inner.stores
    }

    /// Record what a component is doing; the summary shows it.
    pub fn set_component(&self, name: &str, status: String) {
        self.inner
            .components
            .write()
            .insert(name.to_owned(), status);
    }

    /// Mark the store as given its first ingest of this run.
    pub(crate) fn mark_data_ready(&self) {
        self.inner.data_ready.send_replace(true);
    }

    /// Wait until the first ingest of this run has finished.
    pub async fn wait_data_ready(&self) {
        let mut rx = self.inner.data_ready.subscribe();
        // The sender lives as long as the runtime, so this only ends when ready.
        let _ = rx.wait_for(|ready| *ready).await;
    }

    /// Publish a snapshot through the failover publisher (bus, else the JSON-lines journal).
    pub async fn publish(&self, snapshot: Snapshot) -> anyhow::Result<()> {
        self.inner.publisher.publish(snapshot).await?;
        Ok(())
    }

    /// Close this runtime's stores (the end of a run): supervised task factories keep the
    /// runtime alive, and the restart drill opens the same DuckDB file again in-process.
    pub fn close_store(&self) {
        self.inner.stores.close();
    }

    pub fn options(&self) -> RunOptions {
        self.inner.options
    }

    /// The paper replay, once `emp run` attached it.
    pub(crate) fn paper(&self) -> Option<&Paper> {
        self.inner.paper.get()
    }

    pub(crate) fn attach_paper(&self, paper: Paper) -> anyhow::Result<()> {
        self.inner
            .paper
            .set(paper)
            .map_err(|_| anyhow::anyhow!("a paper run is already attached to this runtime"))
    }

    /// Engine events delivered on the bus to the runtime's `engine.` subscriber, per topic.
    pub fn engine_event_counts(&self) -> BTreeMap<String, u64> {
        self.inner.engine_events.read().clone()
    }

    pub fn run_id(&self) -> &str {
        &self.inner.run_id
    }

    pub fn now(&self) -> UnixNanos {
        self.inner.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    pub fn started_at(&self) -> UnixNanos {
        self.inner.started_at
    }

    pub fn state(&self) -> RuntimeState {
        RuntimeState::from_u8(self.inner.state.load(Ordering::Acquire))
    }

    pub fn set_state(&self, s: RuntimeState) {
        self.inner.state.store(s as u8, Ordering::Release);
    }

    /// The latest snapshot of every topic seen on the bus.
    pub fn latest_snapshots(&self) -> BTreeMap<String, Snapshot> {
        self.inner.latest.read().clone()
    }

    /// Evaluate the runtime's own telemetry and publish it (bus, else the fallback journal).
    pub async fn publish_telemetry(&self) -> anyhow::Result<()> {
        let raw = self.inner.config.raw();
        let input = BusHealthInput {
            stats: self.inner.bus.stats(),
            expected_running: matches!(
                self.state(),
                RuntimeState::Starting | RuntimeState::Running
            ),
            expect_subscribers: true,
        };
        let snapshot = BusHealthEvaluator.evaluate(&raw.bus.health, &input, self.now());
        self.inner.publisher.publish(snapshot).await?;
        Ok(())
    }

    /// Wait (briefly) until the recorder has seen `topic`, so a one-shot summary is complete.
    pub async fn wait_for_topic(&self, topic: &str, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            if self.inner.latest.read().contains_key(topic) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        false
    }

    /// Start the supervised telemetry schedule.
    pub fn spawn_telemetry_schedule(&self) -> anyhow::Result<()> {
        let rt = self.clone();
        let every = Duration::from_millis(self.inner.config.raw().telemetry.interval_ms);
        let mut meta = serde_json::Map::new();
        meta.insert("interval_ms".into(), json!(every.as_millis() as u64));
        meta.insert("topics".into(), json!([topics::EVENT_BUS_HEALTH]));
        self.inner.supervisor.spawn(
            "telemetry.schedule",
            meta,
            emp_bus::RestartPolicy::OnFailure {
                max_restarts: 5,
                backoff: Duration::from_millis(500),
            },
            move |cancel| {
                let rt = rt.clone();
                async move {
                    let mut tick = tokio::time::interval(every);
                    loop {
                        tokio::select! {
                            _ = cancel.cancelled() => return Ok(()),
                            _ = tick.tick() => {
                                if let Err(e) = rt.publish_telemetry().await {
                                    tracing::error!(error = %e, "telemetry publish failed on bus and journal");
                                }
                            }
                        }
                    }
                }
            },
        )?;
        Ok(())
    }

    pub fn flush_journal(&self) -> std::io::Result<()> {
        self.inner.journal.flush()
    }

    pub fn failover_count(&self) -> u64 {
        self.inner.publisher.failover_count()
    }

    /// The runtime summary: configuration (redacted), runtime metadata and the latest snapshots.
    pub fn summary(&self) -> Value {
        let raw = self.inner.config.raw();
        let now = self.now();
        let snapshots: serde_json::Map<String, Value> = self
            .latest_snapshots()
            .into_iter()
            .map(|(topic, s)| (topic, s.to_json()))
            .collect();
        let (trading, trading_detail) = match self.paper() {
            Some(p) => (p.one_line(), p.summary_json(now)),
            None => {
                let plan = crate::paper::describe_plan(&self.inner.config, self.inner.options);
                (format!("not started ({plan})"), Value::Null)
            }
        };
        let mut components = serde_json::Map::new();
        components.insert(
            "event_bus".into(),
            json!(if self.inner.bus.is_running() {
                "running"
            } else {
                "stopped"
            }),
        );
        components.insert(
            "ingest".into(),
            json!(
                "not scheduled in this command (`emp run` schedules it; `emp ingest-once` runs it)"
            ),
        );
        components.insert("trading".into(), json!(trading));
        components.insert("store".into(), json!(self.inner.stores.status_if_open()));
        for (k, v) in self.inner.components.read().iter() {
            components.insert(k.clone(), json!(v));
        }
        json!({
            "config": self.inner.config.to_redacted_json(),
            "runtime": {
                "version": env!("CARGO_PKG_VERSION"),
                "run_id": self.inner.run_id,
                "tier": raw.tier.as_str(),
                "run_mode": raw.run_mode.as_str(),
                "environment": raw.environment,
                "state": self.state().as_str(),
                "started_at": self.inner.started_at.to_rfc3339(),
                "generated_at": now.to_rfc3339(),
                "uptime_seconds": now.saturating_sub(self.inner.started_at) as f64 / 1e9,
                "config_source": self.inner.config.source().map(|p| p.display().to_string()),
                "components": components,
                "trading": trading_detail,
                "engine_events": self.engine_event_counts(),
                "failovers": self.failover_count(),
                "tasks": self.inner.supervisor.active_tasks(),
                "bus": self.inner.bus.stats(),
            },
            "snapshots": snapshots,
        })
    }
}
