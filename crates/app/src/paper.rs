//! The paper run of `emp run`: the most recent stored bars replayed through the engine
//! (sensory → strategy → risk gateway → order manager → simulated venue → portfolio) at a
//! configured speed.
//!
//! The engine stays synchronous on its simulated clock; this module only paces it on the wall
//! clock (`emp_engine::replay_delay` + a tokio sleep), publishes what it does (engine events on
//! `engine.*`, execution and strategy-performance snapshots through the runtime's publisher and
//! into the store's journal) and exposes freshness and state to `/health`. The engine sits
//! behind a lock so that the ordered shutdown can cancel its open orders after the replay task
//! has stopped. Strategy choice: the registered champion (`strategy.registry`, status
//! `champion`, genome `{"strategy": NAME, "params": {…}}`) when there is a usable one, else the
//! configured catalogue strategy; every report says which and why.

mod load;
mod sink;
mod status;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use emp_bus::{RestartPolicy, TaskError};
use emp_engine::{
    BacktestConfig, Engine, EngineConfig, MarketEvent, replay_delay, strategy_by_name,
};
use emp_execution::{ExecutionEvaluator, StrategyPerformanceEvaluator};
use emp_model::{InstrumentId, InstrumentSpec, Timeframe, UnixNanos};
use emp_store::Store;
use emp_telemetry::{Evaluator as _, Snapshot, Status as Level};
use parking_lot::{Mutex, MutexGuard};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::config::{AtEnd, Config, PaperConfig};
use crate::metrics::{Exposition, Kind};
use crate::runtime::{RunOptions, Runtime};
use load::load_bars;
use sink::{BusSink, SinkStats};
use status::{Counters, State, Status};

/// Which strategy the paper run trades: the registered champion (`strategy.registry`, status
/// `champion`) when there is a usable one, else the configured catalogue strategy.
pub(crate) enum Choice {
    /// Not looked up (a command that does not open the store).
    NotLookedUp,
    /// Looked up: the champion row, if any, or why the registry could not be read.
    Registry(Result<Option<emp_store::StrategyRecord>, String>),
}

/// The champion's catalogue strategy and parameters from its genome
/// `{"strategy": NAME, "params": {KEY: VALUE}}`, checked by building it.
fn champion_strategy(
    r: &emp_store::StrategyRecord,
) -> Result<(String, BTreeMap<String, String>), String> {
    let name = r.genome["strategy"]
        .as_str()
        .ok_or("genome has no \"strategy\" name")?;
    let params: BTreeMap<String, String> = match &r.genome["params"] {
        Value::Null => BTreeMap::new(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect(),
        _ => return Err("genome \"params\" is not an object".into()),
    };
    strategy_by_name(name, &params).map_err(|e| e.to_string())?;
    Ok((name.to_owned(), params))
}

/// The replay yields to the scheduler this often when it does not sleep (`speed: max`), so
/// health, telemetry and shutdown stay responsive.
const YIELD_EVERY: usize = 64;

/// What the paper run replays and how (from `paper:`, `symbols`, `risk:` and the flags).
struct Plan {
    strategy: String,
    params: BTreeMap<String, String>,
    /// Where the strategy came from, as every report says it.
    champion: String,
    symbols: Vec<InstrumentId>,
    timeframe: Timeframe,
    config: PaperConfig,
    risk: emp_risk::RiskConfig,
    no_trading: bool,
}

impl Plan {
    fn new(config: &Config, options: RunOptions, choice: Choice) -> Self {
        let raw = config.raw();
        let configured = || (raw.paper.strategy.clone(), raw.paper.param_strings());
        let ((strategy, params), champion) = match choice {
            Choice::NotLookedUp => (
                configured(),
                "the registered champion if there is one, else this catalogue strategy".to_owned(),
            ),
            Choice::Registry(Ok(None)) => (
                configured(),
                "no champion registered: the configured catalogue strategy".to_owned(),
            ),
            Choice::Registry(Ok(Some(r))) => match champion_strategy(&r) {
                Ok(chosen) => (chosen, format!("registered champion {}", r.strategy_id)),
                Err(why) => {
                    tracing::warn!(champion = %r.strategy_id, %why, "registered champion unusable; trading the configured strategy");
                    (
                        configured(),
                        format!(
                            "registered champion {} unusable ({why}): the configured catalogue strategy",
                            r.strategy_id
                        ),
                    )
                }
            },
            Choice::Registry(Err(why)) => (
                configured(),
                format!("registry unreadable ({why}): the configured catalogue strategy"),
            ),
        };
        let names = if raw.paper.symbols.is_empty() {
            &raw.symbols
        } else {
            &raw.paper.symbols
        };
        Plan {
            strategy,
            params,
            champion,
            // validate() proved every name is a valid id.
            symbols: names
                .iter()
                .filter_map(|s| InstrumentId::try_new(s).ok())
                .collect(),
            timeframe: raw.paper.timeframe,
            config: raw.paper.clone(),
            risk: raw.risk.clone(),
            no_trading: options.no_trading,
        }
    }

    fn symbols_text(&self) -> String {
        self.symbols
            .iter()
            .map(InstrumentId::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    fn describe(&self) -> String {
        format!(
            "{} on {} {}, last {} bars at {}{}; {}",
            self.strategy,
            self.symbols_text(),
            self.timeframe,
            self.config.lookback_bars,
            self.config.speed,
            if self.no_trading {
                ", no order submission (--no-trading)"
            } else {
                ""
            },
            self.champion,
        )
    }

    fn build_engine(&self, specs: Vec<InstrumentSpec>) -> anyhow::Result<Engine> {
        let strategy = strategy_by_name(&self.strategy, &self.params)?;
        // The same builder as `emp backtest`, but under the production `risk:` limits.
        let config = BacktestConfig {
            engine: EngineConfig {
                strategy_id: format!("paper-{}", self.strategy),
                order_id_prefix: "P".into(),
                ..EngineConfig::default()
            },
            portfolio: self.config.account.clone(),
            venue: self.config.venue.clone(),
            risk: self.risk.clone(),
        };
        let mut engine = config.build(specs, strategy)?;
        engine.set_order_submission(!self.no_trading);
        Ok(engine)
    }
}

/// What `emp run` would replay, for a summary that does not start it.
pub(crate) fn describe_plan(config: &Config, options: RunOptions) -> String {
    if !config.raw().paper.enabled {
        return "paper replay disabled (paper.enabled: false)".into();
    }
    format!(
        "`emp run` replays {}",
        Plan::new(config, options, Choice::NotLookedUp).describe()
    )
}

/// A cheap-clone handle on the paper run.
#[derive(Clone)]
pub(crate) struct Paper {
    inner: Arc<Inner>,
}

struct Inner {
    plan: Plan,
    engine: Mutex<Option<Engine>>,
    status: Mutex<Status>,
    sink: Arc<SinkStats>,
}

impl Paper {
    fn new(plan: Plan) -> Self {
        Paper {
            inner: Arc::new(Inner {
                plan,
                engine: Mutex::new(None),
                status: Mutex::new(Status::default()),
                sink: Arc::default(),
            }),
        }
    }

    fn status(&self) -> MutexGuard<'_, Status> {
        self.inner.status.lock()
    }

    fn sink(&self, rt: &Runtime) -> BusSink {
        BusSink::new(rt.bus().clone(), rt.clock(), self.inner.sink.clone())
    }

    fn mode(&self) -> &'static str {
        if self.inner.plan.no_trading {
            "no-trading"
        } else {
            "paper"
        }
    }

    /// One line for the summary's `components.trading` and `/health`'s `trading` check.
    pub(crate) fn one_line(&self) -> String {
        let plan = &self.inner.plan;
        let s = self.status();
        let t = s.totals();
        let what = format!(
            "{} on {} {} ({}; {})",
            plan.strategy,
            plan.symbols_text(),
            plan.timeframe,
            self.mode(),
            plan.champion
        );
        match &s.state {
            State::NoData(reason) => format!("{what}: not ready, no data: {reason}"),
            State::Failed(reason) => format!("{what}: failed: {reason}"),
            State::Disabled => "paper replay disabled (paper.enabled: false)".into(),
            state => format!(
                "{what}: {}, {}/{} bars replayed{}, {} intents, {} orders, {} fills, {} closed trades, equity {}",
                state.as_str(),
                s.current.events,
                s.bars,
                if s.cycles_done > 0 {
                    format!(" (cycle {}, {} events in all)", s.cycles_done + 1, t.events)
                } else {
                    String::new()
                },
                t.intents,
                t.orders,
                t.fills,
                t.closed_trades,
                s.equity
                    .map_or_else(|| "-".to_owned(), |e| format!("{e:.2}")),
            ),
        }
    }

    /// The `runtime.trading` object of the summary.
    pub(crate) fn summary_json(&self, now: UnixNanos) -> Value {
        let plan = &self.inner.plan;
        let line = self.one_line();
        let s = self.status();
        let t = s.totals();
        let reason = match &s.state {
            State::NoData(r) | State::Failed(r) => Some(r.clone()),
            _ => None,
        };
        json!({
            "summary": line,
            "state": s.state.as_str(),
            "reason": reason,
            "mode": self.mode(),
            "strategy": plan.strategy,
            "params": plan.params,
            "champion": self.inner.plan.champion,
            "symbols": plan.symbols.iter().map(InstrumentId::as_str).collect::<Vec<_>>(),
            "timeframe": plan.timeframe.to_string(),
            "lookback_bars": plan.config.lookback_bars,
            "speed": plan.config.speed.to_string(),
            "at_end": plan.config.at_end,
            "bars": s.bars,
            "data_first": s.data_first.map(|t| t.to_rfc3339()),
            "data_last": s.data_last.map(|t| t.to_rfc3339()),
            "simulated_time": s.sim_time.map(|t| t.to_rfc3339()),
            "market_data_age_seconds": s
                .last_event_at
                .map(|t| now.saturating_sub(t).max(0) as f64 / 1e9),
            "cycles_completed": s.cycles_done,
            "events": t.events,
            "decisions": t.events,
            "intents": t.intents,
            "intents_withheld": t.withheld,
            "intents_rejected": t.rejected,
            "orders": t.orders,
            "fills": t.fills,
            "closed_trades": t.closed_trades,
            "open_orders": s.open_orders,
            "equity": s.equity,
            "first_cycle_seconds": s.first_cycle_secs,
            "first_cycle_events_per_second": s.first_cycle_secs
                .filter(|secs| *secs > 0.0)
                .map(|secs| s.bars as f64 / secs),
            "engine_events_published": self.inner.sink.published(),
            "engine_events_dropped": self.inner.sink.dropped(),
            "shutdown_cancel": s.shutdown_cancel.map(|r| json!({
                "open_before": r.open_before,
                "requested": r.requested,
                "cancelled": r.closed(),
                "still_open": r.still_open,
            })),
        })
    }

    /// `/health` checks: `market_data`, `decisions`, `trading`.
    pub(crate) fn health_checks(&self, now: UnixNanos) -> Vec<(Level, Value)> {
        let line = self.one_line();
        self.status()
            .health_checks(&line, &self.inner.plan.config.freshness, now)
    }

    /// `/metrics` families of the paper run.
    pub(crate) fn metrics(&self, e: &mut Exposition, now: UnixNanos) {
        let s = self.status().clone();
        let t = s.totals();
        let counters = [
            (
                "emp_paper_events_total",
                "Market events replayed through the engine.",
                t.events,
            ),
            (
                "emp_paper_intents_total",
                "Order intents the strategy emitted.",
                t.intents,
            ),
            (
                "emp_paper_intents_rejected_total",
                "Intents the risk gateway rejected.",
                t.rejected,
            ),
            (
                "emp_paper_intents_withheld_total",
                "Approved intents not sent (--no-trading).",
                t.withheld,
            ),
            (
                "emp_paper_orders_total",
                "Orders the engine sent to the venue.",
                t.orders,
            ),
            (
                "emp_paper_fills_total",
                "Fills applied to the paper portfolio.",
                t.fills,
            ),
            (
                "emp_paper_engine_events_dropped_total",
                "Engine events the bus refused.",
                self.inner.sink.dropped(),
            ),
        ];
        for (name, help, v) in counters {
            e.single(name, Kind::Counter, help, v as f64);
        }
        e.single(
            "emp_paper_open_orders",
            Kind::Gauge,
            "Orders open at the simulated venue.",
            s.open_orders as f64,
        );
        if let Some(eq) = s.equity {
            e.single(
                "emp_paper_equity",
                Kind::Gauge,
                "Paper account equity (account currency).",
                eq,
            );
        }
        if let Some(last) = s.last_event_at {
            e.single(
                "emp_paper_market_data_age_seconds",
                Kind::Gauge,
                "Wall seconds since the last replayed market event.",
                now.saturating_sub(last).max(0) as f64 / 1e9,
            );
        }
    }

    fn set_state(&self, state: State) {
        self.status().state = state;
    }

    /// The execution and strategy-performance snapshots of the current engine.
    fn snapshots(&self, now: UnixNanos) -> Vec<Snapshot> {
        let (metrics, perf, strategy) = {
            let guard = self.inner.engine.lock();
            let Some(engine) = guard.as_ref() else {
                return Vec::new();
            };
            (
                engine.execution_metrics(),
                engine.performance_input(),
                engine.strategy_name(),
            )
        };
        let plan = &self.inner.plan;
        let s = self.status().clone();
        let t = s.totals();
        let exec = ExecutionEvaluator
            .evaluate(&plan.config.execution, &metrics, now)
            .with_metadata("source", "paper")
            .with_metadata("mode", self.mode())
            .with_metadata("strategy", strategy)
            .with_metadata("orders", t.orders)
            .with_metadata("open_orders", metrics.pending);
        let perf = StrategyPerformanceEvaluator
            .evaluate(&plan.config.performance, &perf, now)
            .with_metadata("strategy", strategy)
            .with_metadata("champion", plan.champion.clone())
            .with_metadata("mode", self.mode())
            .with_metadata("symbols", plan.symbols_text())
            .with_metadata("events", t.events)
            .with_metadata("equity", s.equity);
        vec![exec, perf]
    }

    async fn publish_snapshots(&self, rt: &Runtime) {
        for snapshot in self.snapshots(rt.now()) {
            if let Err(e) = rt.publish(snapshot).await {
                tracing::error!(error = %e, "paper telemetry not published (bus, journal and store refused)");
            }
        }
    }

    /// Keep the engine's closed trades of this run (for audits and determinism checks).
    fn write_trades(&self, rt: &Runtime) {
        let csv = {
            let guard = self.inner.engine.lock();
            let Some(engine) = guard.as_ref() else { return };
            emp_engine::trades_csv(engine.trades())
        };
        let dir = rt.config().raw().data_dir.join("runs");
        let path = dir.join(format!("{}.paper-trades.csv", rt.run_id()));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, csv)) {
            tracing::warn!(path = %path.display(), error = %e, "paper trades not written");
        }
    }
}

/// Attach the paper run to `rt` and start its supervised tasks (`paper.replay`,
/// `paper.telemetry`). Without data it logs how to get some and reports `no data`.
pub(crate) fn start(rt: &Runtime) -> anyhow::Result<()> {
    let choice = if rt.config().raw().paper.enabled {
        Choice::Registry(crate::stores::blocking(|| match rt.store() {
            Some(store) => store.champion().map_err(|e| e.to_string()),
            None => Err("no store".to_owned()),
        }))
    } else {
        Choice::NotLookedUp
    };
    let plan = Plan::new(rt.config(), rt.options(), choice);
    let enabled = plan.config.enabled;
    let paper = Paper::new(plan);
    rt.attach_paper(paper.clone())?;
    if !enabled {
        paper.set_state(State::Disabled);
        tracing::info!("trading: paper replay disabled (paper.enabled: false)");
        return Ok(());
    }
    tracing::info!(
        strategy = %paper.inner.plan.strategy,
        symbols = %paper.inner.plan.symbols_text(),
        mode = paper.mode(),
        "trading: paper replay of {}",
        paper.inner.plan.describe()
    );
    let (p, r) = (paper.clone(), rt.clone());
    rt.supervisor().spawn(
        "paper.replay",
        task_meta(&paper, "replays stored bars through the engine"),
        // A failed replay is reported, not restarted: a restart would silently begin again
        // with a fresh account.
        RestartPolicy::Never,
        move |cancel| replay(p.clone(), r.clone(), cancel),
    )?;
    let (p, r) = (paper.clone(), rt.clone());
    let every = Duration::from_millis(paper.inner.plan.config.telemetry_interval_ms);
    rt.supervisor().spawn(
        "paper.telemetry",
        task_meta(
            &paper,
            "publishes operational.execution and strategy.performance",
        ),
        RestartPolicy::OnFailure {
            max_restarts: 5,
            backoff: Duration::from_millis(500),
        },
        move |cancel| {
            let (p, r) = (p.clone(), r.clone());
            async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                loop {
                    tokio::select! {
                        _ = cancel.cancelled() => return Ok(()),
                        _ = tick.tick() => p.publish_snapshots(&r).await,
                    }
                }
            }
        },
    )?;
    Ok(())
}

fn task_meta(paper: &Paper, what: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("what".into(), json!(what));
    m.insert("strategy".into(), json!(paper.inner.plan.strategy));
    m.insert("mode".into(), json!(paper.mode()));
    m
}

/// The "cancel open orders" step of the ordered shutdown: after the replay task stopped,
/// cancel every open order of the paper engine through its order manager, then publish and
/// journal the final execution snapshot and keep the trade list.
pub(crate) async fn shutdown(rt: &Runtime) {
    let Some(paper) = rt.paper() else {
        tracing::info!("no paper run in this process: no open orders to cancel");
        return;
    };
    let mut sink = paper.sink(rt);
    let outcome = {
        let mut guard = paper.inner.engine.lock();
        guard
            .as_mut()
            .map(|engine| (engine.cancel_open_orders(&mut sink), engine.open_orders()))
    };
    match outcome {
        Some((Ok(report), open_now)) => {
            tracing::info!(
                open_before = report.open_before,
                cancelled = report.closed(),
                still_open = report.still_open,
                "cancelled {} open orders of the paper engine",
                report.closed()
            );
            let mut s = paper.status();
            s.shutdown_cancel = Some(report);
            s.open_orders = open_now;
        }
        Some((Err(e), _)) => {
            tracing::error!(error = %e, "cancelling the paper engine's open orders failed");
        }
        None => tracing::info!("paper engine not running: no open orders to cancel"),
    }
    {
        let mut s = paper.status();
        if matches!(s.state, State::Loading | State::Replaying | State::Finished) {
            s.state = State::Stopped;
        }
    }
    paper.publish_snapshots(rt).await;
    paper.write_trades(rt);
}

fn no_data_reason(plan: &Plan, store: Option<&Store>) -> String {
    let what = format!(
        "no {} bars of {} in the store",
        plan.timeframe,
        plan.symbols_text()
    );
    let where_ = store.map_or_else(|| "the store did not open".to_owned(), Store::describe);
    format!(
        "{what} ({where_}); run `emp ingest-once` or `emp data import FILE --symbol {}` \
         (e.g. sample-data/equity/sp500.csv.gz) and start `emp run` again",
        plan.symbols.first().map_or("SPX", InstrumentId::as_str)
    )
}

fn fail(paper: &Paper, what: &str, e: &dyn std::fmt::Display) -> TaskError {
    let reason = format!("{what}: {e}");
    tracing::error!(reason, "paper replay failed");
    paper.set_state(State::Failed(reason.clone()));
    TaskError::msg(reason)
}

/// The replay task.
async fn replay(paper: Paper, rt: Runtime, cancel: CancellationToken) -> Result<(), TaskError> {
    let plan = &paper.inner.plan;
    // The scheduled ingest's first run loads the bundled sample into an empty store; replay
    // what is there after it.
    tokio::select! {
        _ = cancel.cancelled() => return Ok(()),
        () = rt.wait_data_ready() => {}
    }
    let Some(store) = rt.store() else {
        let reason = no_data_reason(plan, None);
        tracing::warn!("trading: not ready: {reason}");
        paper.set_state(State::NoData(reason));
        return Ok(());
    };
    let (symbols, timeframe, lookback) = (
        plan.symbols.clone(),
        plan.timeframe,
        plan.config.lookback_bars,
    );
    let reader = store.clone();
    let load =
        tokio::task::spawn_blocking(move || load_bars(&reader, &symbols, timeframe, lookback));
    let loaded = tokio::select! {
        _ = cancel.cancelled() => return Ok(()),
        r = load => r,
    };
    let loaded = match loaded {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => {
            return Err(fail(
                &paper,
                "reading bars from the store",
                &format!("{e:#}"),
            ));
        }
        Err(e) => return Err(fail(&paper, "reading bars from the store", &e)),
    };
    for id in &loaded.missing {
        tracing::warn!(symbol = %id, timeframe = %timeframe, "no stored bars for this symbol: it is not replayed");
    }
    if loaded.events.is_empty() {
        let reason = no_data_reason(plan, Some(&store));
        tracing::warn!("trading: not ready: {reason}");
        paper.set_state(State::NoData(reason));
        return Ok(());
    }
    {
        let mut s = paper.status();
        s.bars = loaded.events.len();
        s.data_first = loaded.events.first().map(MarketEvent::ts);
        s.data_last = loaded.events.last().map(MarketEvent::ts);
    }
    tracing::info!(
        bars = loaded.events.len(),
        first = %loaded.events.first().map(|e| e.ts().to_rfc3339()).unwrap_or_default(),
        last = %loaded.events.last().map(|e| e.ts().to_rfc3339()).unwrap_or_default(),
        "paper replay: bars loaded"
    );
    let speed = plan.config.speed.factor();
    let mut sink = paper.sink(&rt);
    loop {
        let engine = plan
            .build_engine(loaded.specs.clone())
            .map_err(|e| fail(&paper, "building the engine", &format!("{e:#}")))?;
        *paper.inner.engine.lock() = Some(engine);
        {
            let mut s = paper.status();
            s.current = Counters::default();
            s.state = State::Replaying;
        }
        let started = Instant::now();
        let mut previous: Option<UnixNanos> = None;
        for (i, event) in loaded.events.iter().enumerate() {
            let wait = previous.map_or(Duration::ZERO, |p| replay_delay(p, event.ts(), speed));
            if wait.is_zero() {
                if i % YIELD_EVERY == 0 {
                    tokio::task::yield_now().await;
                }
                if cancel.is_cancelled() {
                    return Ok(());
                }
            } else {
                let due = rt
                    .now()
                    .checked_add_nanos(i64::try_from(wait.as_nanos()).unwrap_or(i64::MAX));
                paper.status().next_due_at = due;
                tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(wait) => {}
                }
            }
            let taken = rt.now();
            {
                let mut s = paper.status();
                s.last_event_at = Some(taken);
                if wait.is_zero() {
                    s.next_due_at = Some(taken);
                }
            }
            let step = {
                let mut guard = paper.inner.engine.lock();
                match guard.as_mut() {
                    Some(engine) => engine.on_event(event, &mut sink).map(|()| {
                        (
                            Counters::of(engine),
                            engine.equity(),
                            engine.open_orders(),
                            engine.now(),
                        )
                    }),
                    None => return Ok(()),
                }
            };
            match step {
                Ok((counters, equity, open, sim)) => {
                    let mut s = paper.status();
                    s.current = counters;
                    s.equity = Some(equity);
                    s.open_orders = open;
                    s.sim_time = Some(sim);
                    s.last_decision_at = Some(rt.now());
                }
                Err(e) => return Err(fail(&paper, "engine", &e)),
            }
            previous = Some(event.ts());
        }
        let took = started.elapsed().as_secs_f64();
        let (cycle, t, equity) = {
            let mut s = paper.status();
            s.first_cycle_secs.get_or_insert(took);
            (s.cycles_done + 1, s.current, s.equity)
        };
        tracing::info!(
            cycle,
            events = t.events,
            intents = t.intents,
            orders = t.orders,
            fills = t.fills,
            closed_trades = t.closed_trades,
            equity = equity.unwrap_or_default(),
            seconds = took,
            events_per_second = if took > 0.0 {
                t.events as f64 / took
            } else {
                0.0
            },
            "paper replay: data ended"
        );
        match plan.config.at_end {
            AtEnd::Idle => {
                {
                    let mut s = paper.status();
                    s.state = State::Finished;
                    s.finished_at = Some(rt.now());
                    s.next_due_at = None;
                }
                paper.write_trades(&rt);
                cancel.cancelled().await;
                return Ok(());
            }
            AtEnd::Loop => {
                // End the cycle as a backtest ends (open orders cancelled, marked to
                // market), then start again with a fresh account.
                let engine = paper.inner.engine.lock().take();
                if let Some(engine) = engine {
                    engine
                        .finish(&mut sink)
                        .map_err(|e| fail(&paper, "finishing the cycle", &e))?;
                }
                let mut s = paper.status();
                s.previous = s.previous.plus(s.current);
                s.current = Counters::default();
                s.cycles_done += 1;
            }
        }
    }
}
