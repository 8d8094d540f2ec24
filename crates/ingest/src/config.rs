//! `IngestConfig`: the `ingest:` section of the app's YAML, and the bootstrap sample plan.

use std::path::PathBuf;

use emp_model::Timeframe;
use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

use crate::evaluators::{
    BackupPolicy, HealthPolicy, MetricsPolicy, ObservabilityPolicy, QualityPolicy, ReadinessPolicy,
    RetentionPolicy, SloPolicy, TrendsPolicy, ValidationPolicy,
};
use crate::format::Format;
use crate::options::ReadOptions;
use crate::plan::{Dimension, DimensionPlan, IngestPlan, SourceSpec};
use crate::recovery::RecoveryPolicy;
use crate::scheduler::ScheduleConfig;

/// The policies of every ingest and data-backbone evaluator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestPolicies {
    pub health: HealthPolicy,
    pub metrics: MetricsPolicy,
    pub quality: QualityPolicy,
    pub trends: TrendsPolicy,
    pub observability: ObservabilityPolicy,
    pub retention: RetentionPolicy,
    pub backups: BackupPolicy,
    pub slos: SloPolicy,
    pub validation: ValidationPolicy,
    pub readiness: ReadinessPolicy,
}

impl IngestPolicies {
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.nested_result("health", self.health.validate());
        v.nested_result("metrics", self.metrics.validate());
        v.nested_result("quality", self.quality.validate());
        v.nested_result("trends", self.trends.validate());
        v.nested_result("observability", self.observability.validate());
        v.nested_result("retention", self.retention.validate());
        v.nested_result("backups", self.backups.validate());
        v.nested_result("slos", self.slos.validate());
        v.nested_result("validation", self.validation.validate());
        v.nested_result("readiness", self.readiness.validate());
        v.into_result()
    }
}

/// The `ingest:` section of the app's configuration.
///
/// ```yaml
/// ingest:
///   sample_dir: sample-data        # relative plan paths resolve against it
///   plan: null                     # null: the bootstrap sample plan
///   batch_rows: 50000
///   schedule: { interval_secs: 3600, jitter_secs: 60, seed: 7 }
///   recovery: { max_attempts: 3, lookback_multiplier: 2.0 }
///   policies: { quality: { warn_below: 0.85, fail_below: 0.6 } }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Where the sample files live (the lead bundles them; tests point at ../shared/data).
    pub sample_dir: PathBuf,
    /// The plan; `None` runs [`bootstrap_plan`].
    pub plan: Option<IngestPlan>,
    /// Rows per store transaction.
    pub batch_rows: usize,
    pub schedule: ScheduleConfig,
    pub recovery: RecoveryPolicy,
    pub policies: IngestPolicies,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            sample_dir: PathBuf::from("sample-data"),
            plan: None,
            batch_rows: 50_000,
            schedule: ScheduleConfig::default(),
            recovery: RecoveryPolicy::default(),
            policies: IngestPolicies::default(),
        }
    }
}

impl IngestConfig {
    /// Every violation at once, each naming its path (`schedule.interval_secs`,
    /// `plan.dimensions[0].sources`, `policies.quality.fail_below`, ...).
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            !self.sample_dir.as_os_str().is_empty(),
            "sample_dir",
            "must not be empty",
        );
        if let Some(p) = &self.plan {
            v.nested_result("plan", p.validate());
        }
        v.check(
            self.batch_rows > 0,
            "batch_rows",
            format!("must be > 0, got {}", self.batch_rows),
        );
        v.nested_result("schedule", self.schedule.validate());
        v.nested_result("recovery", self.recovery.validate());
        v.nested_result("policies", self.policies.validate());
        v.into_result()
    }

    /// The plan to run, with relative paths resolved against `sample_dir`.
    pub fn resolved_plan(&self) -> IngestPlan {
        match &self.plan {
            Some(p) => p.resolved(&self.sample_dir),
            None => bootstrap_plan().resolved(&self.sample_dir),
        }
    }
}

/// One file of the bundled sample: its path relative to the sample directory, the
/// dimension it feeds and the symbols/series it provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleFile {
    pub path: &'static str,
    pub dimension: Dimension,
    pub symbols: &'static [&'static str],
    /// Read as OHLCV bars with this timeframe even though the layout looks like a
    /// single-column series (VIX has only a close).
    pub force_bars: Option<&'static str>,
}

/// The bundleable files of shared/data/README.md, as the repository ships them in
/// `sample-data/` (`equity/…`, `macro/…`; see its NOTICE).
pub const BOOTSTRAP_SAMPLES: &[SampleFile] = &[
    SampleFile {
        path: "equity/sp500.csv.gz",
        dimension: Dimension::DailyBars,
        symbols: &["SPX"],
        force_bars: None,
    },
    SampleFile {
        path: "equity/nasdaq.csv.gz",
        dimension: Dimension::DailyBars,
        symbols: &["IXIC"],
        force_bars: None,
    },
    SampleFile {
        path: "equity/vix.csv.gz",
        dimension: Dimension::DailyBars,
        symbols: &["VIX"],
        force_bars: Some("1d"),
    },
    SampleFile {
        path: "equity/wti.csv.gz",
        dimension: Dimension::Macro,
        symbols: &["DCOILWTICO"],
        force_bars: None,
    },
    SampleFile {
        path: "equity/crude.csv.gz",
        dimension: Dimension::Macro,
        symbols: &["Brent", "WTI"],
        force_bars: None,
    },
    SampleFile {
        path: "macro/core-cpi.csv.gz",
        dimension: Dimension::Macro,
        symbols: &["CPILFESL"],
        force_bars: None,
    },
    SampleFile {
        path: "macro/default.csv.gz",
        dimension: Dimension::Macro,
        symbols: &["AAA", "BAA"],
        force_bars: None,
    },
    SampleFile {
        path: "macro/frenchdata.csv.gz",
        dimension: Dimension::Macro,
        symbols: &["Mkt-RF", "SMB", "HML", "RF"],
        force_bars: None,
    },
    SampleFile {
        path: "macro/macrodata.csv",
        dimension: Dimension::Macro,
        symbols: &[
            "macrodata.realgdp",
            "macrodata.realcons",
            "macrodata.realinv",
            "macrodata.realgovt",
            "macrodata.realdpi",
            "macrodata.cpi",
            "macrodata.m1",
            "macrodata.tbilrate",
            "macrodata.unemp",
            "macrodata.pop",
            "macrodata.infl",
            "macrodata.realint",
        ],
        force_bars: None,
    },
    SampleFile {
        path: "macro/interest_inflation_E6.csv",
        dimension: Dimension::Macro,
        symbols: &["interest_inflation_E6.Dp", "interest_inflation_E6.R"],
        force_bars: None,
    },
    SampleFile {
        path: "macro/danish_data.csv",
        dimension: Dimension::Macro,
        symbols: &[
            "danish_data.lrm",
            "danish_data.lry",
            "danish_data.lpy",
            "danish_data.ibo",
            "danish_data.ide",
        ],
        force_bars: None,
    },
];

impl SampleFile {
    pub fn source(&self) -> SourceSpec {
        let mut options = ReadOptions::default();
        if let Some(tf) = self.force_bars {
            options.format = Some(Format::OhlcvCsv);
            options.timeframe = Timeframe::parse(tf).ok();
        }
        SourceSpec {
            path: PathBuf::from(self.path),
            options,
            symbols: self.symbols.iter().map(|s| s.to_string()).collect(),
            source: Some(format!("sample:{}", self.path)),
        }
    }
}

/// The bootstrap plan: daily bars and macro series from [`BOOTSTRAP_SAMPLES`], full history
/// (the samples end in 2018–2020, so a lookback from today would select nothing).
pub fn bootstrap_plan() -> IngestPlan {
    let mut dimensions: Vec<DimensionPlan> = Vec::new();
    for s in BOOTSTRAP_SAMPLES {
        match dimensions.iter_mut().find(|d| d.dimension == s.dimension) {
            Some(d) => d.sources.push(s.source()),
            None => dimensions.push(DimensionPlan::new(s.dimension, vec![s.source()])),
        }
    }
    IngestPlan { dimensions }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_bootstrap_plan_covers_every_sample() {
        let c = IngestConfig::default();
        c.validate().unwrap();
        let plan = c.resolved_plan();
        plan.validate().unwrap();
        assert_eq!(plan.dimensions.len(), 2);
        let n: usize = plan.dimensions.iter().map(|d| d.sources.len()).sum();
        assert_eq!(n, BOOTSTRAP_SAMPLES.len());
        assert_eq!(n, 11);
        assert!(
            plan.dimensions[0].sources[0]
                .path
                .starts_with("sample-data/equity")
        );
        assert_eq!(
            plan.dimension(Dimension::DailyBars)
                .unwrap()
                .expected_symbols(),
            ["IXIC", "SPX", "VIX"]
        );
    }

    #[test]
    fn yaml_section_with_defaults() {
        let yaml = "sample_dir: /srv/emp/sample\nbatch_rows: 1000\nschedule:\n  interval_secs: 600\n  seed: 9\npolicies:\n  quality:\n    warn_below: 0.9\n";
        let c: IngestConfig = serde_yaml::from_str(yaml).unwrap();
        c.validate().unwrap();
        assert_eq!(
            (c.batch_rows, c.schedule.interval_secs, c.schedule.seed),
            (1000, 600, 9)
        );
        assert_eq!(
            (c.policies.quality.warn_below, c.policies.quality.fail_below),
            (0.9, 0.6)
        );
        assert_eq!(c.policies.health.freshness.macro_secs, 604_800);
        assert!(serde_yaml::from_str::<IngestConfig>("sampel_dir: x\n").is_err());
        assert!(
            serde_yaml::from_str::<IngestConfig>("policies:\n  quality:\n    warn: 1\n").is_err()
        );
    }

    #[test]
    fn validate_names_every_bad_field() {
        let yaml = r#"
sample_dir: ""
batch_rows: 0
plan:
  dimensions:
    - dimension: ticks
      sources: []
schedule:
  interval_secs: 0
  jitter_secs: 10
  max_consecutive_failures: 0
recovery:
  lookback_multiplier: 0.5
policies:
  quality: { warn_below: 0.5, fail_below: 0.6 }
  trends: { window: 1 }
  backups: { max_age_hours_warn: 50 }
  slos: { objectives: [ { dimension: macro, alert_route: "" } ] }
"#;
        let c: IngestConfig = serde_yaml::from_str(yaml).unwrap();
        let e = c.validate().unwrap_err();
        for p in [
            "sample_dir",
            "batch_rows",
            "plan.dimensions[0].sources",
            "schedule.interval_secs",
            "schedule.jitter_secs",
            "schedule.max_consecutive_failures",
            "recovery.lookback_multiplier",
            "policies.quality.fail_below",
            "policies.trends.window",
            "policies.backups.max_age_hours_warn",
            "policies.slos.objectives[0].alert_route",
        ] {
            assert!(e.contains_path(p), "{p} missing in:\n{e}");
        }
        assert_eq!(e.len(), 11, "{e}");
    }
}
