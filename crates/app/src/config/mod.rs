//! Configuration: a YAML file < `EMP_*` environment variables < command-line flags.
//!
//! The raw document is assembled from the three sources as a YAML tree (remembering which source
//! set each key), decoded with every unknown key and wrong type reported at once, then validated
//! with every out-of-range value reported at once. Only a [`Config`] that passed both exists.

mod decode;
mod paper;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_yaml::Value;

pub use paper::{AtEnd, FreshnessPolicy, PaperConfig, ReplaySpeed};

/// One problem in the configuration: where (a dotted key path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub message: String,
}

impl Issue {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Every problem found in a configuration, each with the source that set the key.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    issues: Vec<(Issue, String)>,
}

impl ConfigError {
    pub fn issues(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().map(|(i, _)| i)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.issues.len();
        writeln!(
            f,
            "invalid configuration ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for (issue, origin) in &self.issues {
            let path = if issue.path.is_empty() {
                "<document>"
            } else {
                &issue.path
            };
            writeln!(f, "  {path}: {} (from {origin})", issue.message)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    #[default]
    Bootstrap,
    Institutional,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    #[default]
    Paper,
    Live,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    #[default]
    Text,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "json" => Ok(Self::Json),
            "text" => Ok(Self::Text),
            other => Err(format!(
                "unknown log format `{other}` (expected json or text)"
            )),
        }
    }
}

macro_rules! enum_names {
    ($t:ty { $($v:ident => $s:literal),+ }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
enum_names!(Tier { Bootstrap => "bootstrap", Institutional => "institutional" });
enum_names!(RunMode { Paper => "paper", Live => "live" });
enum_names!(LogFormat { Json => "json", Text => "text" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    pub enabled: bool,
    pub addr: String,
    pub path: String,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            addr: "127.0.0.1:8080".into(),
            path: "/health".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    pub format: LogFormat,
    pub level: String,
    /// Fields added to every log line, e.g. `{desk: fx, host: ny4}`.
    pub context: serde_json::Map<String, serde_json::Value>,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
            context: serde_json::Map::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// How often the runtime evaluates and publishes its telemetry snapshots.
    pub interval_ms: u64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self { interval_ms: 5_000 }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusSection {
    pub queue: emp_bus::BusConfig,
    pub health: emp_bus::BusHealthPolicy,
}

/// The configuration as decoded, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    pub tier: Tier,
    pub run_mode: RunMode,
    /// A label for logs and telemetry (`dev`, `staging`, `prod`, ...).
    pub environment: String,
    pub data_dir: PathBuf,
    pub symbols: Vec<String>,
    pub health: HealthConfig,
    pub logging: LoggingConfig,
    pub telemetry: TelemetryConfig,
    pub bus: BusSection,
    /// The limits of the pre-trade risk gateway (`emp_risk::RiskConfig`).
    pub risk: emp_risk::RiskConfig,
    /// The market-data store: DuckDB file (relative to `data_dir`) or PostgreSQL URL (a secret).
    pub store: emp_store::StoreConfig,
    /// Account, venue model and risk limits of `emp backtest`.
    pub backtest: emp_engine::BacktestConfig,
    /// The data backbone: ingest plan (default: the bundled sample), schedule, recovery and
    /// the evaluators' policies (`emp_ingest::IngestConfig`).
    pub ingest: emp_ingest::IngestConfig,
    /// The paper replay of `emp run` (strategy, data, speed, health thresholds).
    pub paper: PaperConfig,
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            tier: Tier::Bootstrap,
            run_mode: RunMode::Paper,
            environment: "dev".into(),
            data_dir: PathBuf::from("./emp-data"),
            symbols: vec!["SPX".into()],
            health: HealthConfig::default(),
            logging: LoggingConfig::default(),
            telemetry: TelemetryConfig::default(),
            bus: BusSection::default(),
            risk: emp_risk::RiskConfig::default(),
            store: emp_store::StoreConfig::default(),
            backtest: emp_engine::BacktestConfig::default(),
            ingest: emp_ingest::IngestConfig::default(),
            paper: PaperConfig::default(),
        }
    }
}

/// Field names the JSON log format owns; context fields may not shadow them.
const RESERVED_LOG_FIELDS: &[&str] = &["timestamp", "level", "target", "message", "fields"];

impl RawConfig {
    fn validate(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        let mut check = |ok: bool, path: &str, msg: String| {
            if !ok {
                out.push(Issue::new(path, msg));
            }
        };
        check(
            !self.environment.trim().is_empty(),
            "environment",
            "must not be empty".into(),
        );
        check(
            !self.data_dir.as_os_str().is_empty(),
            "data_dir",
            "must not be empty".into(),
        );
        check(
            !self.symbols.is_empty(),
            "symbols",
            "must list at least one symbol".into(),
        );
        for (i, s) in self.symbols.iter().enumerate() {
            if let Err(e) = emp_model::InstrumentId::try_new(s) {
                check(false, &format!("symbols[{i}]"), format!("{e}, got {s:?}"));
            }
        }
        if let Err(e) = self.health.addr.parse::<SocketAddr>() {
            check(
                false,
                "health.addr",
                format!("must be IP:PORT ({e}), got {:?}", self.health.addr),
            );
        }
        check(
            self.health.path.starts_with('/') && self.health.path != "/metrics",
            "health.path",
            format!(
                "must start with `/` and not be `/metrics`, got {:?}",
                self.health.path
            ),
        );
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.logging.level) {
            check(
                false,
                "logging.level",
                format!(
                    "not a level or filter directive ({e}), got {:?}",
                    self.logging.level
                ),
            );
        }
        for key in self.logging.context.keys() {
            check(
                !RESERVED_LOG_FIELDS.contains(&key.as_str()) && !key.starts_with("runtime."),
                &format!("logging.context.{key}"),
                "shadows a field every log line already has".into(),
            );
        }
        check(
            self.telemetry.interval_ms >= 100,
            "telemetry.interval_ms",
            format!("must be >= 100, got {}", self.telemetry.interval_ms),
        );
        if let Err(errors) = self.bus.queue.validate() {
            out.extend(prefixed("bus.queue", &errors));
        }
        if let Err(errors) = self.bus.health.validate() {
            out.extend(prefixed("bus.health", &errors));
        }
        if let Err(errors) = self.store.validate() {
            out.extend(prefixed("store", &errors));
        }
        if let Err(errors) = self.ingest.validate() {
            out.extend(prefixed("ingest", &errors));
        }
        // Refused here, at start-up: e.g. a stop-loss that is not mandatory outside research mode.
        if let Err(errors) = self.risk.clone().validate() {
            out.extend(prefixed("risk", &errors));
        }
        out.extend(self.paper.validate());
        out
    }
}

fn prefixed(prefix: &str, errors: &emp_telemetry::ConfigErrors) -> Vec<Issue> {
    errors
        .iter()
        .map(|e| Issue::new(format!("{prefix}.{}", e.path), e.message.clone()))
        .collect()
}

/// A configuration that decoded and validated. Construct it with [`load`].
#[derive(Debug, Clone)]
pub struct Config {
    raw: RawConfig,
    source: Option<PathBuf>,
}

impl Config {
    pub fn raw(&self) -> &RawConfig {
        &self.raw
    }

    /// The file the configuration came from, if any.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    pub fn health_addr(&self) -> SocketAddr {
        // validate() proved it parses; the fallback is never taken.
        self.raw
            .health
            .addr
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }

    /// The effective configuration as YAML, secrets redacted.
    pub fn to_redacted_yaml(&self) -> String {
        serde_yaml::to_string(&self.raw).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }

    pub fn to_redacted_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.raw).unwrap_or(serde_json::Value::Null)
    }
}

/// Overrides given on the command line (highest precedence).
#[derive(Debug, Clone, Default)]
pub struct FlagOverrides {
    pub data_dir: Option<PathBuf>,
    pub log_format: Option<LogFormat>,
    pub log_level: Option<String>,
    pub health_addr: Option<String>,
}

/// Environment variables that set a top-level key; `EMP__A__B=v` sets any key `a.b`.
const ENV_KEYS: &[(&str, &str)] = &[
    ("EMP_TIER", "tier"),
    ("EMP_RUN_MODE", "run_mode"),
    ("EMP_ENVIRONMENT", "environment"),
    ("EMP_DATA_DIR", "data_dir"),
    ("EMP_SYMBOLS", "symbols"),
    ("EMP_HEALTH_ADDR", "health.addr"),
    ("EMP_LOG_FORMAT", "logging.format"),
    ("EMP_LOG_LEVEL", "logging.level"),
];

/// Load, layer, decode and validate. `file` is `--config`; without it `emp.yaml` in the working
/// directory is used when present.
pub fn load(
    file: Option<&Path>,
    env: &BTreeMap<String, String>,
    flags: &FlagOverrides,
) -> Result<Config, ConfigError> {
    let mut origins: BTreeMap<String, String> = BTreeMap::new();
    let mut doc = Value::Mapping(Default::default());
    let default_file = Path::new("emp.yaml");
    let source = match file {
        Some(p) => Some(p.to_path_buf()),
        None if default_file.is_file() => Some(default_file.to_path_buf()),
        None => None,
    };
    let mut issues = Vec::new();
    if let Some(path) = &source {
        let origin = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => match serde_yaml::from_str::<Value>(&text) {
                Ok(v @ Value::Mapping(_)) => {
                    record_origins(&v, &mut Vec::new(), &origin, &mut origins);
                    doc = v;
                }
                Ok(Value::Null) => {}
                Ok(_) => issues.push(Issue::new("", "the file must hold a YAML mapping of keys")),
                Err(e) => issues.push(Issue::new("", format!("not valid YAML: {e}"))),
            },
            Err(e) => issues.push(Issue::new("", format!("cannot read the file: {e}"))),
        }
        if !issues.is_empty() {
            return Err(ConfigError {
                issues: issues.into_iter().map(|i| (i, origin.clone())).collect(),
            });
        }
    }

    for (var, path) in ENV_KEYS {
        if let Some(v) = env.get(*var) {
            let value = if *path == "symbols" {
                Value::Sequence(
                    v.split(',')
                        .map(|s| Value::String(s.trim().to_owned()))
                        .filter(|s| s.as_str() != Some(""))
                        .collect(),
                )
            } else {
                Value::String(v.clone())
            };
            apply(
                &mut doc,
                path,
                value,
                format!("environment {var}"),
                &mut origins,
            );
        }
    }
    for (var, v) in env {
        if let Some(rest) = var.strip_prefix("EMP__") {
            let path = rest.to_ascii_lowercase().replace("__", ".");
            // A scalar typed as YAML would type it ("8080" → number, "true" → bool).
            let value =
                serde_yaml::from_str::<Value>(v).unwrap_or_else(|_| Value::String(v.clone()));
            apply(
                &mut doc,
                &path,
                value,
                format!("environment {var}"),
                &mut origins,
            );
        }
    }

    let flag = |name: &str| format!("flag --{name}");
    if let Some(d) = &flags.data_dir {
        let v = Value::String(d.display().to_string());
        apply(&mut doc, "data_dir", v, flag("data-dir"), &mut origins);
    }
    if let Some(f) = flags.log_format {
        let v = Value::String(f.as_str().into());
        apply(
            &mut doc,
            "logging.format",
            v,
            flag("log-format"),
            &mut origins,
        );
    }
    if let Some(l) = &flags.log_level {
        let v = Value::String(l.clone());
        apply(
            &mut doc,
            "logging.level",
            v,
            flag("log-level"),
            &mut origins,
        );
    }
    if let Some(a) = &flags.health_addr {
        let v = Value::String(a.clone());
        apply(
            &mut doc,
            "health.addr",
            v,
            flag("health-addr"),
            &mut origins,
        );
    }

    let raw = decode::decode_all::<RawConfig>(&doc, &mut issues);
    if let Some(raw) = &raw {
        issues.extend(raw.validate());
    }
    match raw {
        Some(raw) if issues.is_empty() => Ok(Config { raw, source }),
        _ => Err(ConfigError {
            issues: issues
                .into_iter()
                .map(|i| {
                    let origin = origin_of(&i.path, &origins);
                    (i, origin)
                })
                .collect(),
        }),
    }
}

fn apply(
    doc: &mut Value,
    path: &str,
    value: Value,
    origin: String,
    origins: &mut BTreeMap<String, String>,
) {
    let keys: Vec<&str> = path.split('.').collect();
    decode::set_path(doc, &keys, value);
    origins.insert(path.to_owned(), origin);
}

fn record_origins(
    v: &Value,
    path: &mut Vec<String>,
    origin: &str,
    out: &mut BTreeMap<String, String>,
) {
    if let Value::Mapping(m) = v {
        for (k, child) in m {
            path.push(k.as_str().map_or_else(|| format!("{k:?}"), str::to_owned));
            out.insert(path.join("."), origin.to_owned());
            record_origins(child, path, origin, out);
            path.pop();
        }
    }
}

/// The source of the longest recorded prefix of `path` (`symbols[2]` → `symbols`).
fn origin_of(path: &str, origins: &BTreeMap<String, String>) -> String {
    let mut p = path.split('[').next().unwrap_or_default().to_owned();
    loop {
        if let Some(o) = origins.get(&p) {
            return o.clone();
        }
        match p.rfind('.') {
            Some(i) => p.truncate(i),
            None => return "defaults".into(),
        }
    }
}

#[cfg(test)]
mod tests;
