//! The orchestrator: runs an [`IngestPlan`] against a `MarketDataStore`, one journaled run
//! per dimension, with recovery of what failed.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use emp_model::{Clock, UnixNanos};
use emp_store::{IngestRun, MarketDataStore, QuarantineRecord, WriteBatch};
use emp_telemetry::Status;
use serde_json::{Map, Value, json};

use crate::plan::{DimensionPlan, IngestPlan};
use crate::reader::{Record, open};
use crate::recovery::{RecoveryPolicy, plan_recovery};
use crate::run::{RunIds, RunRecord};

/// Runs ingest plans. Time comes from the injected clock; run ids are deterministic given
/// the clock readings (see [`RunIds`]).
pub struct Orchestrator {
    store: Arc<dyn MarketDataStore>,
    clock: Arc<dyn Clock>,
    ids: RunIds,
    batch_rows: usize,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Orchestrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Orchestrator")
            .field("backend", &self.store.backend())
            .field("batch_rows", &self.batch_rows)
            .finish_non_exhaustive()
    }
}

/// The in-progress state of one dimension's run.
struct RunState<'a> {
    plan: &'a DimensionPlan,
    record: RunRecord,
    seen: BTreeSet<String>,
    newest: Option<UnixNanos>,
    skipped: u64,
    files: Vec<Value>,
    batch: WriteBatch,
}

impl Orchestrator {
    /// An orchestrator writing to `store` in transactions of 50,000 rows.
    pub fn new(store: Arc<dyn MarketDataStore>, clock: Arc<dyn Clock>) -> Self {
        Orchestrator {
            store,
            clock,
            ids: RunIds::new(),
            batch_rows: 50_000,
            stop: Arc::default(),
        }
    }

    /// Rows per store transaction (at least 1).
    #[must_use]
    pub fn with_batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows.max(1);
        self
    }

    /// Stop when `flag` is set (a shutdown): the run in progress drops its unwritten rows,
    /// journals itself as failed ("stopped"), and no further dimension or retry starts.
    /// Everything already committed stays; the next run resumes (writes are idempotent).
    #[must_use]
    pub fn with_stop(mut self, flag: Arc<AtomicBool>) -> Self {
        self.stop = flag;
        self
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Runs every dimension of `plan` once; one [`RunRecord`] per dimension, in plan order.
    /// A failing file or store write fails its dimension (recorded in the record's `error`),
    /// never the other dimensions.
    pub fn run(&self, plan: &IngestPlan) -> Vec<RunRecord> {
        self.run_attempt(plan, 0)
    }

    /// Runs `plan`, then recovery plans ([`plan_recovery`]) while something failed and
    /// attempts remain. Returns every run's record, first run first.
    pub fn run_with_recovery(&self, plan: &IngestPlan, policy: &RecoveryPolicy) -> Vec<RunRecord> {
        let mut all = self.run(plan);
        let mut last = all.clone();
        let mut attempt = 1;
        while let Some(retry) = plan_recovery(plan, &last, attempt, policy) {
            if self.stopped() {
                break;
            }
            let results = self.run_attempt(&retry, attempt);
            // Dimensions not retried keep their previous result for the next planning round.
            last.retain(|r| !results.iter().any(|n| n.dimension == r.dimension));
            last.extend(results.iter().cloned());
            all.extend(results);
            attempt += 1;
        }
        all
    }

    fn run_attempt(&self, plan: &IngestPlan, attempt: u32) -> Vec<RunRecord> {
        plan.dimensions
            .iter()
            .take_while(|_| !self.stopped())
            .map(|d| self.run_dimension(d, attempt))
            .collect()
    }

    /// Runs one dimension: reads every source, writes batches, journals the run.
    pub fn run_dimension(&self, plan: &DimensionPlan, attempt: u32) -> RunRecord {
        let started = self.clock.now();
        let mut record = RunRecord::new(
            self.ids.next(started, plan.dimension),
            plan.dimension,
            started,
        );
        record.attempt = attempt;
        record.source = plan
            .sources
            .iter()
            .map(|s| s.source_name())
            .collect::<Vec<_>>()
            .join(",");
        let mut st = RunState {
            plan,
            batch: WriteBatch::new(placeholder_run(&record), started),
            record,
            seen: BTreeSet::new(),
            newest: None,
            skipped: 0,
            files: Vec::new(),
        };
        let cutoff = plan.cutoff(started);
        'sources: for source in &plan.sources {
            // One file's rows per batch, so every row names the file it came from.
            if batch_len(&st.batch) > 0 && !self.flush(&mut st) {
                break 'sources;
            }
            st.batch.row_source = Some(source.source_name());
            let mut reader = match open(&source.path, &source.options) {
                Ok(r) => r,
                Err(e) => {
                    st.files.push(
                        json!({"path": source.path.display().to_string(), "error": e.to_string()}),
                    );
                    st.fail(format!("{}: {e}", source.path.display()));
                    continue;
                }
            };
            let file = source.path.display().to_string();
            let (mut read, mut quarantined) = (0u64, 0u64);
            for item in reader.by_ref() {
                match item {
                    Ok(rec) => {
                        if !plan.wants(symbol_of(&rec)) || cutoff.is_some_and(|c| rec.ts() < c) {
                            st.skipped += 1;
                            continue;
                        }
                        read += 1;
                        st.accept(rec);
                    }
                    Err(row) => {
                        quarantined += 1;
                        st.record.rows_quarantined += 1;
                        st.batch.quarantine.push(QuarantineRecord {
                            file: file.clone(),
                            line: row.line,
                            reason: match row.column {
                                Some(c) => format!("column {c}: {}", row.reason),
                                None => row.reason,
                            },
                            raw_text: row.raw,
                        });
                    }
                }
                if self.stopped() {
                    // Unwritten rows are dropped, not flushed: shutdown should not wait for
                    // another transaction; the next run reads them again.
                    st.clear_batch();
                    st.fail("stopped by shutdown before the end of the plan".to_owned());
                    break 'sources;
                }
                if batch_len(&st.batch) >= self.batch_rows && !self.flush(&mut st) {
                    break 'sources;
                }
            }
            let outcome = match reader.finish() {
                Ok(summary) => {
                    json!({"path": file, "format": summary.format.as_str(), "records": read, "quarantined": quarantined})
                }
                Err(e) => {
                    st.fail(format!("{file}: {e}"));
                    json!({"path": file, "records": read, "quarantined": quarantined, "error": e.to_string()})
                }
            };
            st.files.push(outcome);
        }
        // The final batch carries the final status: written even when empty, so every run
        // has its journal row.
        let end = self.clock.now();
        st.finish(end);
        if !self.flush(&mut st) {
            st.finish(end);
        }
        st.record
    }

    /// Writes the pending batch; on a store error fails the run and returns `false`.
    fn flush(&self, st: &mut RunState<'_>) -> bool {
        st.batch.run = st.journal_row(self.clock.now());
        st.batch.ingested_at = self.clock.now();
        match self.store.write_batch(&st.batch) {
            Ok(report) => {
                st.record.rows_written += report.rows_written();
                st.clear_batch();
                true
            }
            Err(e) => {
                st.fail(format!("store write failed: {e}"));
                st.record.status = Status::Fail;
                st.clear_batch();
                false
            }
        }
    }
}

impl RunState<'_> {
    /// Empty the batch after a write (or a stop), keeping its run and row source.
    fn clear_batch(&mut self) {
        let row_source = self.batch.row_source.take();
        self.batch = WriteBatch::new(self.batch.run.clone(), self.batch.ingested_at);
        self.batch.row_source = row_source;
    }

    fn accept(&mut self, rec: Record) {
        self.record.rows_read += 1;
        let ts = rec.ts();
        self.newest = Some(self.newest.map_or(ts, |n| n.max(ts)));
        if !self.seen.contains(symbol_of(&rec)) {
            self.seen.insert(symbol_of(&rec).to_string());
        }
        match rec {
            Record::Bar(b) => self.batch.bars.push(b),
            Record::Quote(q) => self.batch.quotes.push(q),
            Record::Trade(t) => self.batch.trades.push(t),
            Record::Macro(m) => self.batch.macro_series.push(m),
        }
    }

    fn fail(&mut self, message: String) {
        self.record.error = Some(match self.record.error.take() {
            Some(prev) => format!("{prev}; {message}"),
            None => message,
        });
    }

    /// Settles the counts, symbols, freshness, duration and status at the end of the run.
    fn finish(&mut self, end: UnixNanos) {
        let missing: Vec<String> = self
            .plan
            .expected_symbols()
            .into_iter()
            .filter(|s| !self.seen.contains(s))
            .collect();
        let r = &mut self.record;
        r.symbols = self.seen.iter().cloned().collect();
        r.missing_symbols = missing;
        r.freshness_ns = self.newest.map(|n| end.saturating_sub(n));
        r.duration_ns = end.saturating_sub(r.started_at);
        r.status = r.derived_status();
        self.record.metadata = self.metadata();
    }

    fn metadata(&self) -> Map<String, Value> {
        let r = &self.record;
        let mut m = Map::new();
        m.insert("rows_read".into(), json!(r.rows_read));
        m.insert("rows_skipped".into(), json!(self.skipped));
        m.insert("missing_symbols".into(), json!(r.missing_symbols));
        m.insert("attempt".into(), json!(r.attempt));
        m.insert("lookback_days".into(), json!(self.plan.lookback_days));
        m.insert("files".into(), Value::Array(self.files.clone()));
        if let Some(e) = &r.error {
            m.insert("error".into(), json!(e));
        }
        m
    }

    /// The journal row as of now (the last batch's row is the one that stays).
    fn journal_row(&self, now: UnixNanos) -> IngestRun {
        let r = &self.record;
        IngestRun {
            run_id: r.run_id.clone(),
            dimension: r.dimension.as_str().to_string(),
            status: r.status,
            source: r.source.clone(),
            symbols: if r.symbols.is_empty() {
                self.seen.iter().cloned().collect()
            } else {
                r.symbols.clone()
            },
            started_at: r.started_at,
            duration_ns: now.saturating_sub(r.started_at),
            freshness_ns: r.freshness_ns,
            metadata: self.metadata(),
        }
    }
}

fn placeholder_run(r: &RunRecord) -> IngestRun {
    IngestRun {
        run_id: r.run_id.clone(),
        dimension: r.dimension.as_str().to_string(),
        status: Status::Ok,
        source: r.source.clone(),
        symbols: Vec::new(),
        started_at: r.started_at,
        duration_ns: 0,
        freshness_ns: None,
        metadata: Map::new(),
    }
}

fn batch_len(b: &WriteBatch) -> usize {
    b.bars.len()
        + b.quotes.len()
        + b.trades.len()
        + b.macro_series.len()
        + b.macro_events.len()
        + b.quarantine.len()
}

/// The symbol (instrument or macro series) a record belongs to.
pub(crate) fn symbol_of(rec: &Record) -> &str {
    match rec {
        Record::Bar(b) => b.instrument.as_str(),
        Record::Quote(q) => q.instrument.as_str(),
        Record::Trade(t) => t.instrument.as_str(),
        Record::Macro(m) => &m.series_id,
    }
}

/// Converts a journal row read back from the store into a [`RunRecord`] (the extra fields
/// travel in the metadata the orchestrator writes).
pub fn run_record_from_journal(rec: &emp_store::IngestRunRecord) -> Option<RunRecord> {
    let run = &rec.run;
    let dimension = run.dimension.parse().ok()?;
    let meta = &run.metadata;
    let strings = |k: &str| -> Vec<String> {
        meta.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(RunRecord {
        run_id: run.run_id.clone(),
        dimension,
        status: run.status,
        source: run.source.clone(),
        symbols: run.symbols.clone(),
        missing_symbols: strings("missing_symbols"),
        rows_read: meta
            .get("rows_read")
            .and_then(Value::as_u64)
            .unwrap_or(rec.rows_written),
        rows_written: rec.rows_written,
        rows_quarantined: rec.rows_quarantined,
        freshness_ns: run.freshness_ns,
        started_at: run.started_at,
        duration_ns: run.duration_ns,
        attempt: meta
            .get("attempt")
            .and_then(Value::as_u64)
            .and_then(|a| u32::try_from(a).ok())
            .unwrap_or(0),
        error: meta.get("error").and_then(Value::as_str).map(String::from),
        metadata: meta.clone(),
    })
}

/// The backbone evaluators' view of a store's `health()` result.
pub fn store_state(health: &emp_store::Result<emp_store::StoreHealth>) -> crate::StoreState {
    match health {
        Ok(h) => crate::StoreState {
            backend: h.backend.as_str().to_string(),
            error: None,
            schema_version: Some(h.schema_version),
            data_rows: h.counts.data_rows(),
            quarantine_rows: h.counts.quarantine,
            ingest_runs: h.counts.ingest_runs,
        },
        Err(e) => crate::StoreState {
            error: Some(e.to_string()),
            ..crate::StoreState::default()
        },
    }
}
