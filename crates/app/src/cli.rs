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
    /// Run the configured ingest plan once and print the graded result (not available in this build yet).
    IngestOnce,
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
