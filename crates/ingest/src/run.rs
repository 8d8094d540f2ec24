//! Ingest runs: the journal record (`telemetry.ingest_runs`) of one dimension's run, and
//! deterministic run ids.

use std::sync::atomic::{AtomicU64, Ordering};

use emp_model::{NANOS_PER_SEC, UnixNanos};
use emp_telemetry::Status;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::plan::Dimension;

/// The journal record of one dimension's ingest run.
///
/// `rows_read` counts the good records the readers returned (after the plan's symbol and
/// lookback filters); `rows_written` only the ones that were new in the store, so an
/// idempotent re-run reads N and writes 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    pub run_id: String,
    pub dimension: Dimension,
    pub status: Status,
    /// Comma-joined source names.
    pub source: String,
    /// Symbols (or series) that delivered at least one record, sorted.
    pub symbols: Vec<String>,
    /// Expected symbols that delivered nothing, sorted.
    pub missing_symbols: Vec<String>,
    pub rows_read: u64,
    pub rows_written: u64,
    pub rows_quarantined: u64,
    /// Age of the newest record at the end of the run (`None`: nothing read).
    pub freshness_ns: Option<i64>,
    pub started_at: UnixNanos,
    pub duration_ns: i64,
    /// 0 for the first run, n for the n-th recovery attempt.
    pub attempt: u32,
    /// Why the run failed, if it did.
    pub error: Option<String>,
    pub metadata: Map<String, Value>,
}

impl RunRecord {
    /// An empty record for a run that starts now.
    pub fn new(run_id: impl Into<String>, dimension: Dimension, started_at: UnixNanos) -> Self {
        RunRecord {
            run_id: run_id.into(),
            dimension,
            status: Status::Ok,
            source: String::new(),
            symbols: Vec::new(),
            missing_symbols: Vec::new(),
            rows_read: 0,
            rows_written: 0,
            rows_quarantined: 0,
            freshness_ns: None,
            started_at,
            duration_ns: 0,
            attempt: 0,
            error: None,
            metadata: Map::new(),
        }
    }

    /// Freshness in whole seconds (rounded down).
    pub fn freshness_secs(&self) -> Option<i64> {
        self.freshness_ns.map(|n| n / NANOS_PER_SEC)
    }

    /// Fraction of the expected symbols that delivered data (1.0 when none were expected).
    pub fn symbol_coverage(&self) -> f64 {
        let expected = self.symbols.len() + self.missing_symbols.len();
        if expected == 0 {
            1.0
        } else {
            self.symbols.len() as f64 / expected as f64
        }
    }

    /// Fraction of source rows that were good: `read / (read + quarantined)` (1.0 when
    /// nothing was read at all).
    pub fn row_validity(&self) -> f64 {
        let total = self.rows_read + self.rows_quarantined;
        if total == 0 {
            1.0
        } else {
            self.rows_read as f64 / total as f64
        }
    }

    /// The status the counts imply: fail on an error or nothing read, warn on missing
    /// symbols, else ok.
    pub fn derived_status(&self) -> Status {
        if self.error.is_some() || self.rows_read == 0 {
            Status::Fail
        } else if !self.missing_symbols.is_empty() {
            Status::Warn
        } else {
            Status::Ok
        }
    }
}

/// Deterministic run ids: `ingest-<clock ns>-<counter>`. Given the same clock readings and
/// the same sequence of calls, the same ids come out; the counter keeps ids unique when the
/// (simulated) clock does not move between runs.
#[derive(Debug, Default)]
pub struct RunIds {
    counter: AtomicU64,
}

impl RunIds {
    pub fn new() -> Self {
        RunIds::default()
    }

    /// The next id for a run of `dimension` started at `now`.
    pub fn next(&self, now: UnixNanos, dimension: Dimension) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        format!("ingest-{}-{n:04}-{}", now.as_i64(), dimension.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_and_unique() {
        let a = RunIds::new();
        let b = RunIds::new();
        let t = UnixNanos::from_secs(5);
        let ids_a = [a.next(t, Dimension::Macro), a.next(t, Dimension::Macro)];
        let ids_b = [b.next(t, Dimension::Macro), b.next(t, Dimension::Macro)];
        assert_eq!(ids_a, ids_b);
        assert_ne!(ids_a[0], ids_a[1]);
        assert_eq!(ids_a[0], "ingest-5000000000-0000-macro");
    }

    #[test]
    fn ratios_and_status() {
        let mut r = RunRecord::new("r", Dimension::Ticks, UnixNanos::ZERO);
        assert_eq!((r.symbol_coverage(), r.row_validity()), (1.0, 1.0));
        assert_eq!(r.derived_status(), Status::Fail); // nothing read
        r.rows_read = 3;
        r.rows_quarantined = 1;
        r.symbols = vec!["A".into()];
        r.missing_symbols = vec!["B".into(), "C".into()];
        assert_eq!(r.row_validity(), 0.75);
        assert!((r.symbol_coverage() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.derived_status(), Status::Warn);
        r.missing_symbols.clear();
        assert_eq!(r.derived_status(), Status::Ok);
        r.error = Some("boom".into());
        assert_eq!(r.derived_status(), Status::Fail);
        r.freshness_ns = Some(2_500_000_000);
        assert_eq!(r.freshness_secs(), Some(2));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(serde_json::from_value::<RunRecord>(json).unwrap(), r);
    }
}
