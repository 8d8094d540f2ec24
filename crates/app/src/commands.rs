//! The subcommands. Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::{Duration, Instant};

use emp_bus::{ShutdownSequence, TaskError};
use emp_model::{Timeframe, UnixNanos};
use emp_telemetry::topics;
use tokio_util::sync::CancellationToken;

use crate::cli::{BacktestArgs, Cli, Command, ConfigCommand, DataCommand, RunArgs};
use crate::config::{self, Config, FlagOverrides, RunMode};
use crate::runtime::{RunOptions, Runtime, RuntimeState};
use crate::{http, logging};

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    Failure = 1,
    Usage = 2,
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c as u8)
    }
}

/// Run a parsed command line to completion.
pub fn run_cli(cli: Cli) -> ExitCode {
    let env: BTreeMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("EMP_"))
        .collect();
    let flags = FlagOverrides {
        data_dir: cli.data_dir.clone(),
        log_format: cli.log_format(),
        log_level: cli.log_level.clone(),
        health_addr: cli.health_addr.clone(),
    };
    let config = match config::load(cli.config.as_deref(), &env, &flags) {
        Ok(c) => c,
        Err(e) => {
            eprint!("emp: {e}");
            return ExitCode::Usage;
        }
    };
    match cli.command {
        Command::Config(ConfigCommand::Check { json }) => {
            let out = if json {
                serde_json::to_string_pretty(&config.to_redacted_json()).unwrap_or_default() + "\n"
            } else {
                config.to_redacted_yaml()
            };
            print_out(&format!("# configuration is valid\n{out}"));
            ExitCode::Success
        }
        Command::IngestOnce { json } => with_tokio(&config, |cfg| async move {
            crate::operations::ingest_once(cfg, json).await
        }),
        Command::Backup { dir, json } => with_tokio(&config, |cfg| async move {
            crate::operations::backup(cfg, dir, json).await
        }),
        Command::FailoverDrill { json } => with_tokio(&config, |cfg| async move {
            crate::operations::failover_drill(cfg, json).await
        }),
        Command::Run(args) => {
            if let Err(code) = refuse_unconfirmed_live(&config, &args) {
                return code;
            }
            with_tokio(&config, |cfg| async move {
                run_once(
                    cfg,
                    RunOptions {
                        no_trading: args.no_trading,
                        journal_to_store: true,
                    },
                    args.timeout,
                    true,
                )
                .await
            })
        }
        Command::Restart { cycles, timeout } => {
            if config.raw().run_mode == RunMode::Live {
                eprintln!(
                    "emp restart: refused in live mode; the restart drill is for paper runs."
                );
                return ExitCode::Usage;
            }
            with_tokio(&config, |cfg| async move {
                for cycle in 1..=cycles {
                    tracing::info!(cycle, cycles, "restart drill: starting cycle");
                    let started = Instant::now();
                    run_once(cfg.clone(), RunOptions::default(), Some(timeout), false).await?;
                    print_out(&format!(
                        "cycle {cycle}/{cycles}: started, ran and shut down in order in {:.2} s\n",
                        started.elapsed().as_secs_f64()
                    ));
                }
                Ok(())
            })
        }
        Command::Data(cmd) => {
            logging::init(&config);
            report(data_command(&config, cmd))
        }
        Command::Backtest(args) => {
            logging::init(&config);
            report(backtest_command(&config, &args))
        }
        Command::Summary { json, no_trading } => with_tokio(&config, |cfg| async move {
            let rt = Runtime::start(
                cfg,
                RunOptions {
                    no_trading,
                    journal_to_store: false,
                },
            )?;
            rt.set_state(RuntimeState::Running);
            rt.publish_telemetry().await?;
            rt.wait_for_topic(topics::EVENT_BUS_HEALTH, Duration::from_secs(2))
                .await;
            let summary = rt.summary();
            rt.bus().stop().await;
            if json {
                print_out(&(serde_json::to_string_pretty(&summary)? + "\n"));
            } else {
                print_out(&render_summary_text(&summary));
            }
            Ok(())
        }),
    }
}

/// Map a command's result to an exit code: usage problems found while running (a bad
/// `--format`, an unknown strategy) are 2, everything else 1.
fn report(result: Result<(), CommandError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::Success,
        Err(CommandError::Usage(msg)) => {
            eprintln!("emp: {msg}");
            ExitCode::Usage
        }
        Err(CommandError::Failed(e)) => {
            eprintln!("emp: {e:#}");
            ExitCode::Failure
        }
    }
}

enum CommandError {
    Usage(String),
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for CommandError {
    fn from(e: anyhow::Error) -> Self {
        Self::Failed(e)
    }
}

fn data_command(config: &Config, cmd: DataCommand) -> Result<(), CommandError> {
    match cmd {
        DataCommand::Import {
            paths,
            format,
            symbol,
            timeframe,
            store,
            json,
        } => {
            let format = match format.as_str() {
                "auto" => None,
                f => Some(
                    f.parse()
                        .map_err(|e| CommandError::Usage(format!("--format: {e}")))?,
                ),
            };
            let timeframe = timeframe
                .map(|t| {
                    Timeframe::parse(&t)
                        .map_err(|e| CommandError::Usage(format!("--timeframe: {e}")))
                })
                .transpose()?;
            let opts = crate::data::ImportOptions {
                format,
                symbol,
                timeframe,
                store,
            };
            let results = crate::data::import(config, &paths, &opts)?;
            if json {
                print_out(
                    &(serde_json::to_string_pretty(&results).map_err(anyhow::Error::from)? + "\n"),
                );
            } else {
                for r in &results {
                    print_out(&format!(
                        "{}: {} records, {} new rows, {} already stored, {} quarantined, {} → {} ({:.1} s)\n",
                        r.file,
                        r.records,
                        r.new_rows,
                        r.records.saturating_sub(r.new_rows),
                        r.quarantined,
                        r.first.as_deref().unwrap_or("-"),
                        r.last.as_deref().unwrap_or("-"),
                        r.seconds
                    ));
                }
            }
            Ok(())
        }
        DataCommand::Ls { json, store } => {
            let listing = crate::data::list(config, store.as_deref())?;
            print_out(&if json {
                serde_json::to_string_pretty(&listing).map_err(anyhow::Error::from)? + "\n"
            } else {
                crate::data::render_listing(&listing)
            });
            Ok(())
        }
    }
}

fn backtest_command(config: &Config, args: &BacktestArgs) -> Result<(), CommandError> {
    let usage = |flag: &str, e: &dyn std::fmt::Display| CommandError::Usage(format!("{flag}: {e}"));
    let timeframe = Timeframe::parse(&args.timeframe).map_err(|e| usage("--timeframe", &e))?;
    let parse_time = |flag: &str, v: &Option<String>| -> Result<Option<UnixNanos>, CommandError> {
        v.as_deref()
            .map(|s| parse_when(s).map_err(|e| usage(flag, &e)))
            .transpose()
    };
    let opts = crate::backtest::BacktestOptions {
        symbol: args.symbol.clone(),
        strategy: args.strategy.clone(),
        params: args.params.iter().cloned().collect(),
        timeframe,
        from: parse_time("--from", &args.from)?,
        to: parse_time("--to", &args.to)?,
        report_dir: args.report.clone(),
        store: args.store.clone(),
    };
    if !emp_engine::STRATEGY_NAMES.contains(&opts.strategy.as_str()) {
        return Err(CommandError::Usage(format!(
            "--strategy: unknown strategy {:?}; choose one of {}",
            opts.strategy,
            emp_engine::STRATEGY_NAMES.join(", ")
        )));
    }
    let out = crate::backtest::backtest(config, &opts)?;
    print_out(&out);
    Ok(())
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339.
fn parse_when(s: &str) -> Result<UnixNanos, String> {
    let date: Vec<&str> = s.split('-').collect();
    if let [y, m, d] = date.as_slice() {
        if let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) {
            return UnixNanos::from_date(y, m, d).map_err(|e| e.to_string());
        }
    }
    UnixNanos::parse_rfc3339(s).map_err(|e| format!("expected YYYY-MM-DD or RFC 3339: {e}"))
}

fn refuse_unconfirmed_live(config: &Config, args: &RunArgs) -> Result<(), ExitCode> {
    if config.raw().run_mode == RunMode::Live && !args.confirm_live {
        eprintln!(
            "emp run: run_mode is `live`: orders would reach a real venue with real money. \
             Refusing to start without --confirm-live."
        );
        return Err(ExitCode::Usage);
    }
    Ok(())
}

/// Set up logging and a tokio runtime sized for this machine, run `f`, map errors to exit 1.
fn with_tokio<F, Fut>(config: &Config, f: F) -> ExitCode
where
    F: FnOnce(Config) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    logging::init(config);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emp-worker")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("emp: cannot start the async runtime: {e}");
            return ExitCode::Failure;
        }
    };
    match rt.block_on(f(config.clone())) {
        Ok(()) => ExitCode::Success,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "emp failed");
            eprintln!("emp: {e:#}");
            ExitCode::Failure
        }
    }
}

/// One run: start, serve, publish telemetry, wait for the timeout or a signal, shut down in order.
async fn run_once(
    config: Config,
    options: RunOptions,
    timeout: Option<f64>,
    print_summary: bool,
) -> anyhow::Result<()> {
    // Signal handlers first: a SIGTERM that arrives while the runtime starts (the store may
    // be migrating) must start the ordered shutdown, not kill the process.
    let stop_signals = StopSignals::install();
    let rt = Runtime::start(config.clone(), options)?;
    let raw = config.raw();
    let record = record_effective_config(&rt)?;
    tracing::info!(run_id = rt.run_id(), tier = raw.tier.as_str(), run_mode = raw.run_mode.as_str(),
        config_copy = %record.display(), "runtime starting");

    let server_stop = CancellationToken::new();
    let server = if raw.health.enabled {
        let listener = http::bind(config.health_addr()).await?;
        let addr = listener.local_addr()?;
        std::fs::write(raw.data_dir.join("emp.addr"), addr.to_string())?;
        tracing::info!(addr = %addr, health = %raw.health.path, "health server listening on http://{addr}");
        Some(tokio::spawn(http::serve(
            listener,
            rt.clone(),
            server_stop.clone(),
        )))
    } else {
        tracing::info!("health server disabled by configuration");
        None
    };

    rt.spawn_telemetry_schedule()?;
    crate::ingest::spawn_scheduled(&rt)?;
    // The paper replay (`--no-trading`: everything but order submission); it starts trading
    // once the first ingest has given the store its chance to fill.
    crate::paper::start(&rt)?;
    rt.set_state(RuntimeState::Running);
    tracing::info!("runtime running");

    let reason = stop_signals.wait(timeout).await;
    tracing::info!(reason, "shutdown requested");

    // Each step is time-boxed so that a stuck one cannot hold the process past SIGTERM's budget.
    let mut seq = ShutdownSequence::new(Duration::from_millis(1500));
    let r = rt.clone();
    seq.add_step("stop intake (telemetry schedule and supervised tasks)", move || async move {
        let report = r.supervisor().shutdown(Duration::from_secs(1)).await;
        tracing::info!(clean = report.is_clean(), tasks = ?report.step_names(), "supervised tasks stopped");
    });
    let r = rt.clone();
    seq.add_step("cancel open orders", move || async move {
        crate::paper::shutdown(&r).await;
    });
    let r = rt.clone();
    seq.add_step("flush journals", move || async move {
        // A last snapshot, so the journal and the summary end on the final state.
        if let Err(e) = r.publish_telemetry().await {
            tracing::warn!(error = %e, "final telemetry snapshot not published");
        }
        r.bus().stop().await;
        let flushed = r.flush_journal();
        // The paper run's final snapshots are journaled by now: release the database file.
        r.close_store();
        flushed
    });
    let r = rt.clone();
    seq.add_step("health endpoint reports stopping", move || async move {
        r.set_state(RuntimeState::Stopping);
    });
    seq.add_step("stop health server", move || async move {
        server_stop.cancel();
        match server {
            Some(handle) => match handle.await {
                Ok(result) => result.map_err(TaskError::from),
                Err(join) => Err(TaskError::from(join)),
            },
            None => Ok(()),
        }
    });
    let report = seq.run().await;
    rt.set_state(RuntimeState::Stopped);
    tracing::info!(clean = report.is_clean(), "shutdown complete");
    if print_summary {
        print_out(&render_summary_text(&rt.summary()));
    }
    Ok(())
}

/// SIGTERM and SIGINT, listened to from the moment they are installed.
struct StopSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            StopSignals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// Wait for the timeout, SIGINT or SIGTERM; says which.
    async fn wait(mut self, timeout: Option<f64>) -> &'static str {
        let sleep = async {
            match timeout {
                Some(secs) => tokio::time::sleep(Duration::from_secs_f64(secs)).await,
                None => std::future::pending().await,
            }
        };
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            let (term, int) = (&mut self.term, &mut self.int);
            tokio::select! {
                _ = sleep => "timeout",
                _ = recv(int) => "SIGINT",
                _ = recv(term) => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        tokio::select! {
            _ = sleep => "timeout",
            _ = tokio::signal::ctrl_c() => "SIGINT",
        }
    }
}

/// Keep the effective configuration of this run (secrets redacted) for later audits.
fn record_effective_config(rt: &Runtime) -> anyhow::Result<std::path::PathBuf> {
    let dir = rt.config().raw().data_dir.join("runs");
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create the data directory {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.config.yaml", rt.run_id()));
    let text = format!(
        "# effective configuration of run {} (secrets redacted)\n{}",
        rt.run_id(),
        rt.config().to_redacted_yaml()
    );
    std::fs::write(&path, text)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn render_summary_text(summary: &serde_json::Value) -> String {
    use std::fmt::Write as _;
    let r = &summary["runtime"];
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_owned();
    let mut out = String::new();
    let _ = writeln!(out, "EMP {} — run {}", s(&r["version"]), s(&r["run_id"]));
    let _ = writeln!(
        out,
        "  tier {} · mode {} · environment {} · state {}",
        s(&r["tier"]),
        s(&r["run_mode"]),
        s(&r["environment"]),
        s(&r["state"])
    );
    let _ = writeln!(
        out,
        "  uptime {:.1} s · failovers {}",
        r["uptime_seconds"].as_f64().unwrap_or(0.0),
        r["failovers"]
    );
    if let Some(c) = r["components"].as_object() {
        for (k, v) in c {
            let _ = writeln!(out, "  {k}: {}", s(v));
        }
    }
    let _ = writeln!(
        out,
        "  bus: published {} delivered {} dropped {} handler errors {}",
        r["bus"]["published"],
        r["bus"]["delivered"],
        r["bus"]["dropped"],
        r["bus"]["handler_errors"]
    );
    if let Some(snaps) = summary["snapshots"].as_object() {
        let _ = writeln!(out, "telemetry:");
        for (topic, snap) in snaps {
            let _ = writeln!(out, "  {:<5} {topic}", s(&snap["status"]));
            for c in snap["checks"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "        {:<5} {}: {}",
                    s(&c["status"]),
                    s(&c["name"]),
                    s(&c["message"])
                );
            }
        }
    }
    out
}

pub(crate) fn print_out(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`emp summary | head`) is not an error worth a panic.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}
