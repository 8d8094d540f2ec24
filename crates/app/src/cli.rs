//! The command line: global flags and subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::LogFormat;

/// EMP — the Evolving Market Predator: an algorithmic trading runtime.
#[derive(Debug, Parser)]
#[command(name = "emp", version, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Configuration file (YAML). Default: `emp.yaml` in the working directory when present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (store, journals, run records). Overrides `data_dir` and EMP_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log format: `json` (one object per line) or `text` (for terminals).
    #[arg(long, global = true, value_name = "FORMAT", value_parser = ["json", "text"])]
    pub log_format: Option<String>,
    /// Log level or filter directive (`info`, `debug`, `emp_bus=trace,info`, ...).
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Address of the health and metrics server (IP:PORT; port 0 picks a free one).
    #[arg(long, global = true, value_name = "ADDR")]
    pub health_addr: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    pub fn log_format(&self) -> Option<LogFormat> {
        // clap's value_parser already restricted the values.
        self.log_format.as_deref().and_then(|s| s.parse().ok())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the runtime: telemetry, health and metrics server, until --timeout or SIGINT/SIGTERM.
    Run(RunArgs),
    /// Build the runtime once, evaluate its telemetry and print the runtime summary.
    Summary {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Describe the runtime with order submission disabled.
        #[arg(long)]
        no_trading: bool,
    },
    /// Run the configured ingest plan once (the bundled sample into an empty store first) and print the graded result.
    IngestOnce {
        /// Print the run records and snapshots as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Back the store up (DuckDB EXPORT DATABASE, or pg_dump), verify the copy and record it.
    Backup {
        /// Directory to write the backup under (default: <data_dir>/backups).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Print the backup record and the backups snapshot as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rehearse store failover: cut the configured store off, ingest into the DuckDB
    /// fallback, restore it, backfill, and check both stores agree row for row.
    FailoverDrill {
        /// Print the drill snapshot as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Start and stop the runtime N times in one process (a restart drill).
    Restart {
        /// How many start/stop cycles.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1000))]
        cycles: u32,
        /// Seconds each cycle runs before its ordered shutdown.
        #[arg(long, default_value_t = 2.0, value_name = "SECS", value_parser = positive_secs)]
        timeout: f64,
    },
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Market-data commands: import files into the store, list what it holds.
    #[command(subcommand)]
    Data(DataCommand),
    /// Backtest a strategy on stored bars: statistics, and with --report the trade list,
    /// equity curve, report.json and an equity/drawdown chart.
    Backtest(BacktestArgs),
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Import files (any supported format; see --format) into the store, idempotently.
    Import {
        /// Files to import.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Format: auto, ohlcv-csv, lean, histdata, truefx, dukascopy, fred, treasury-curve, macro-table.
        #[arg(long, default_value = "auto")]
        format: String,
        /// Instrument name for the rows (default: inferred from the path).
        #[arg(long)]
        symbol: Option<String>,
        /// Bar timeframe (1m, 5m, 1h, 1d, ...; default: inferred).
        #[arg(long)]
        timeframe: Option<String>,
        /// Store to write to: a postgres:// URL or a DuckDB file (default: the configured store).
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List what the store holds: symbols, timeframes, ranges, row counts.
    Ls {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Store to read (default: the configured store).
        #[arg(long, value_name = "URL")]
        store: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// Instrument to trade (its bars must be in the store).
    #[arg(long)]
    pub symbol: String,
    /// Strategy: buy-and-hold, sma-crossover, trend-rider, mean-reversion, carry-overlay,
    /// volatility-breakout, liquidity-scalper.
    #[arg(long)]
    pub strategy: String,
    /// Strategy parameter, repeatable: --param fast=10 --param slow=50.
    #[arg(long = "param", value_name = "K=V", value_parser = key_value)]
    pub params: Vec<(String, String)>,
    /// Bar timeframe to read.
    #[arg(long, default_value = "1d")]
    pub timeframe: String,
    /// First bar (inclusive), YYYY-MM-DD or RFC 3339.
    #[arg(long)]
    pub from: Option<String>,
    /// Last bar (exclusive), YYYY-MM-DD or RFC 3339.
    #[arg(long)]
    pub to: Option<String>,
    /// Write trades.csv, equity.csv, report.json and equity.png into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Store to read (default: the configured store).
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
}

fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Run everything but order submission.
    #[arg(long)]
    pub no_trading: bool,
    /// Stop after this many seconds (default: run until a signal).
    #[arg(long, value_name = "SECS", value_parser = positive_secs)]
    pub timeout: Option<f64>,
    /// Required to start with `run_mode: live`: real orders to a real venue.
    #[arg(long)]
    pub confirm_live: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the effective values (secrets redacted).
    Check {
        /// Print JSON instead of YAML.
        #[arg(long)]
        json: bool,
    },
}

fn positive_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 31_536_000.0 => Ok(v),
        Ok(v) => Err(format!(
            "must be > 0 and at most a year of seconds, got {v}"
        )),
        Err(e) => Err(format!("not a number of seconds: {e}")),
    }
}
