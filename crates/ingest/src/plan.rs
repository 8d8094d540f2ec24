//! The ingest plan: which dimensions to ingest, from which files, for which symbols, and how
//! far back.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use emp_model::{NANOS_PER_SEC, UnixNanos};
use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

use crate::options::ReadOptions;

/// One kind of data the ingest keeps fresh. Each has its own freshness target, SLO and
/// journal row per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Daily OHLCV bars.
    DailyBars,
    /// Bars shorter than a day.
    IntradayBars,
    /// Quote and trade ticks.
    Ticks,
    /// Macro series and calendar events.
    Macro,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::DailyBars,
        Dimension::IntradayBars,
        Dimension::Ticks,
        Dimension::Macro,
    ];

    /// The name used in config, the journal and telemetry.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::DailyBars => "daily_bars",
            Dimension::IntradayBars => "intraday_bars",
            Dimension::Ticks => "ticks",
            Dimension::Macro => "macro",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dimension {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown dimension {s:?}; expected daily_bars, intraday_bars, ticks or macro"
                )
            })
    }
}

/// One file to read for a dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceSpec {
    /// The file; a relative path is resolved against the sample directory.
    pub path: PathBuf,
    /// How to read it (format, symbol, zone ... detected when absent).
    pub options: ReadOptions,
    /// Symbols or macro series this file is expected to provide. Empty: whatever it holds
    /// (then no symbol can be reported missing).
    pub symbols: Vec<String>,
    /// Source name written to the rows and the journal; defaults to the file name.
    pub source: Option<String>,
}

impl SourceSpec {
    /// A source reading `path` with default options.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SourceSpec {
            path: path.into(),
            ..SourceSpec::default()
        }
    }

    /// The source name: the configured one, else the file name.
    pub fn source_name(&self) -> String {
        self.source.clone().unwrap_or_else(|| {
            self.path.file_name().map_or_else(
                || self.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            !self.path.as_os_str().is_empty(),
            "path",
            "must not be empty",
        );
        if let Err(crate::Error::InvalidOptions { violations }) = self.options.validate() {
            for line in violations {
                let (field, msg) = line.split_once(": ").unwrap_or(("", line.as_str()));
                v.push(format!("options.{field}"), msg.to_string());
            }
        }
        for (i, s) in self.symbols.iter().enumerate() {
            v.check(
                !s.trim().is_empty(),
                format!("symbols[{i}]"),
                "must not be empty",
            );
        }
        v.into_result()
    }
}

/// What to ingest for one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionPlan {
    pub dimension: Dimension,
    /// The files to read.
    #[serde(default)]
    pub sources: Vec<SourceSpec>,
    /// Restricts the run to these symbols/series (records of others are skipped). Empty:
    /// every symbol the sources hold. Recovery plans set it to the missing symbols.
    #[serde(default)]
    pub symbols: Vec<String>,
    /// Only records newer than `now − lookback_days` are written; `None`: full history.
    #[serde(default)]
    pub lookback_days: Option<u32>,
}

impl DimensionPlan {
    /// A plan for `dimension` reading `sources`, full history, every symbol.
    pub fn new(dimension: Dimension, sources: Vec<SourceSpec>) -> Self {
        DimensionPlan {
            dimension,
            sources,
            symbols: Vec::new(),
            lookback_days: None,
        }
    }

    /// The symbols this dimension is expected to deliver: the `symbols` filter when set,
    /// else the union of the sources' expected symbols (sorted, unique).
    pub fn expected_symbols(&self) -> Vec<String> {
        let set: BTreeSet<String> = if self.symbols.is_empty() {
            self.sources
                .iter()
                .flat_map(|s| s.symbols.iter().cloned())
                .collect()
        } else {
            self.symbols.iter().cloned().collect()
        };
        set.into_iter().collect()
    }

    /// The earliest record time written at `now`, or `None` for full history.
    pub fn cutoff(&self, now: UnixNanos) -> Option<UnixNanos> {
        self.lookback_days.map(|d| {
            UnixNanos::new(
                now.as_i64()
                    .saturating_sub(i64::from(d) * 86_400 * NANOS_PER_SEC),
            )
        })
    }

    /// Whether a record of `symbol` belongs to this run.
    pub fn wants(&self, symbol: &str) -> bool {
        self.symbols.is_empty() || self.symbols.iter().any(|s| s == symbol)
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            !self.sources.is_empty(),
            "sources",
            "must name at least one file",
        );
        for (i, s) in self.sources.iter().enumerate() {
            v.nested_result(&format!("sources[{i}]"), s.validate());
        }
        if let Some(d) = self.lookback_days {
            v.check(
                d > 0,
                "lookback_days",
                format!("must be > 0 when set, got {d}"),
            );
        }
        v.into_result()
    }
}

/// The ingest plan: one entry per dimension, run in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestPlan {
    pub dimensions: Vec<DimensionPlan>,
}

impl IngestPlan {
    /// The plan entry of `dimension`, if planned.
    pub fn dimension(&self, dimension: Dimension) -> Option<&DimensionPlan> {
        self.dimensions.iter().find(|d| d.dimension == dimension)
    }

    /// The same plan with every relative source path resolved against `dir`.
    pub fn resolved(&self, dir: &Path) -> IngestPlan {
        let mut plan = self.clone();
        for d in &mut plan.dimensions {
            for s in &mut d.sources {
                if s.path.is_relative() {
                    s.path = dir.join(&s.path);
                }
            }
        }
        plan
    }

    /// Reports every violation at once, each naming its path (`dimensions[1].sources[0].path`).
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            !self.dimensions.is_empty(),
            "dimensions",
            "must plan at least one dimension",
        );
        let mut seen = BTreeSet::new();
        for (i, d) in self.dimensions.iter().enumerate() {
            if !seen.insert(d.dimension) {
                v.push(
                    format!("dimensions[{i}].dimension"),
                    format!("{} is planned twice", d.dimension),
                );
            }
            v.nested_result(&format!("dimensions[{i}]"), d.validate());
        }
        v.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimension_names_round_trip() {
        for d in Dimension::ALL {
            assert_eq!(d.as_str().parse::<Dimension>(), Ok(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
        assert!("bars".parse::<Dimension>().is_err());
    }

    #[test]
    fn expected_symbols_and_filter() {
        let mut a = SourceSpec::new("a.csv");
        a.symbols = vec!["B".into(), "A".into()];
        let mut b = SourceSpec::new("b.csv");
        b.symbols = vec!["A".into(), "C".into()];
        let mut d = DimensionPlan::new(Dimension::Macro, vec![a, b]);
        assert_eq!(d.expected_symbols(), ["A", "B", "C"]);
        assert!(d.wants("Z"));
        d.symbols = vec!["C".into()];
        assert_eq!(d.expected_symbols(), ["C"]);
        assert!(d.wants("C") && !d.wants("A"));
    }

    #[test]
    fn cutoff_from_lookback() {
        let mut d = DimensionPlan::new(Dimension::DailyBars, vec![SourceSpec::new("x")]);
        let now = UnixNanos::from_secs(10 * 86_400);
        assert_eq!(d.cutoff(now), None);
        d.lookback_days = Some(3);
        assert_eq!(d.cutoff(now), Some(UnixNanos::from_secs(7 * 86_400)));
    }

    #[test]
    fn validate_names_every_bad_field() {
        let plan: IngestPlan = serde_json::from_value(serde_json::json!({
            "dimensions": [
                {"dimension": "daily_bars", "sources": [{"path": ""}], "lookback_days": 0},
                {"dimension": "daily_bars", "sources": []},
                {"dimension": "macro", "sources": [{"path": "m.csv", "symbols": [" "],
                  "options": {"format": "fred", "symbol": "X"}}]}
            ]
        }))
        .unwrap();
        let errs = plan.validate().unwrap_err();
        for path in [
            "dimensions[0].sources[0].path",
            "dimensions[0].lookback_days",
            "dimensions[1].dimension",
            "dimensions[1].sources",
            "dimensions[2].sources[0].symbols[0]",
            "dimensions[2].sources[0].options.symbol",
        ] {
            assert!(errs.contains_path(path), "{path} missing in:\n{errs}");
        }
        assert_eq!(errs.len(), 6, "{errs}");
        assert!(
            IngestPlan::default()
                .validate()
                .unwrap_err()
                .contains_path("dimensions")
        );
        assert!(
            serde_json::from_value::<IngestPlan>(serde_json::json!({"dimensons": []})).is_err()
        );
    }

    #[test]
    fn resolves_relative_paths_only() {
        let plan = IngestPlan {
            dimensions: vec![DimensionPlan::new(
                Dimension::Macro,
                vec![SourceSpec::new("rel/a.csv"), SourceSpec::new("/abs/b.csv")],
            )],
        };
        let r = plan.resolved(Path::new("/data"));
        let paths: Vec<_> = r.dimensions[0]
            .sources
            .iter()
            .map(|s| s.path.clone())
            .collect();
        assert_eq!(
            paths,
            [
                PathBuf::from("/data/rel/a.csv"),
                PathBuf::from("/abs/b.csv")
            ]
        );
        assert_eq!(r.dimensions[0].sources[0].source_name(), "a.csv");
    }
}
