//! The `emp` binary's library: configuration, command line, runtime, HTTP server and logging.
//!
//! The binary is a thin `main` over [`run_cli`]; tests drive the same functions in-process (the
//! router, the configuration loader) and the real binary on port 0.
//!
//! ```
//! use std::collections::BTreeMap;
//! let config = emp_app::load_config(None, &BTreeMap::new(), &emp_app::FlagOverrides::default())
//!     .expect("defaults are valid");
//! assert_eq!(config.raw().health.addr, "127.0.0.1:8080");
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod backtest;
mod bundle;
mod cli;
mod commands;
mod config;
mod data;
mod http;
mod ingest;
mod journal;
mod logging;
mod metrics;
mod operations;
mod paper;
mod runtime;
mod stores;

pub use backtest::BacktestOptions;
pub use cli::{BacktestArgs, Cli, Command, ConfigCommand, DataCommand, RunArgs};
pub use commands::{ExitCode, run_cli};
pub use config::{
    AtEnd, Config, ConfigError, FlagOverrides, FreshnessPolicy, Issue, LogFormat, PaperConfig,
    RawConfig, ReplaySpeed, RunMode, Tier, load as load_config,
};
pub use data::{FileImport, ImportOptions, Listing};
pub use http::{health_document, render_metrics, router};
pub use runtime::{RunOptions, Runtime, RuntimeState};
