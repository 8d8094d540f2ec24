//! Crash safety: a writer killed with SIGKILL half-way through a large import, then the import
//! re-run, leaves exactly one copy of every row (DESIGN §4).
//!
//! The writer is this test binary itself, re-executed in "child mode" (`crash_child`, ignored
//! in normal runs): it writes `CHUNKS` batches and prints `committed N` after each commit. The
//! parent kills it after a few commits, i.e. while a later batch is mid-write.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use emp_store::{MarketDataStore, Store};

use crate::common::{Harness, Target, bars_batch};

const CHUNKS: i64 = 20;
const CHUNK_ROWS: i64 = 2_000;
const KILL_AFTER: i64 = 4;
const CHILD_ENV: &str = "EMP_STORE_CRASH_CHILD_TARGET";

/// The full import: `CHUNKS` batches of `CHUNK_ROWS` bars, one transaction each.
fn import(store: &Store, run_id: &str, mut progress: impl FnMut(i64)) {
    for chunk in 0..CHUNKS {
        let rows = chunk * CHUNK_ROWS..(chunk + 1) * CHUNK_ROWS;
        store
            .write_batch(&bars_batch(run_id, "EURUSD", rows))
            .unwrap();
        progress(chunk);
    }
}

/// Child mode: only does something when the parent set the target.
#[test]
#[ignore = "child process of the crash tests"]
fn crash_child() {
    let Ok(encoded) = std::env::var(CHILD_ENV) else {
        return;
    };
    let target = Target::decode(&encoded).unwrap();
    let store = target.open();
    import(&store, "crashed-run", |chunk| {
        println!("committed {chunk}");
        use std::io::Write as _;
        std::io::stdout().flush().unwrap();
    });
}

fn kill_mid_import_then_rerun(mut h: Harness) {
    // DuckDB allows one process per file: let the child have it.
    h.close();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "crash::crash_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, h.target.encode())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut committed = -1;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            committed = n.trim().parse().unwrap();
            if committed >= KILL_AFTER - 1 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "child finished before it was killed");
    assert_eq!(committed, KILL_AFTER - 1, "child never reported progress");

    h.reopen();
    let after_crash = h.store().counts().unwrap();
    // Whole batches only: the killed one is absent, never half there.
    assert_eq!(
        after_crash.bars % CHUNK_ROWS as u64,
        0,
        "partial batch visible: {after_crash:?}"
    );
    assert!(after_crash.bars >= (KILL_AFTER * CHUNK_ROWS) as u64);
    assert!(
        after_crash.bars < (CHUNKS * CHUNK_ROWS) as u64,
        "killed too late to prove anything"
    );
    let crashed = h.store().ingest_runs(10).unwrap();
    assert_eq!(crashed.len(), 1);
    assert_eq!(
        crashed[0].rows_written, after_crash.bars,
        "journal matches committed rows"
    );

    // Re-run the whole import under a new run id.
    import(h.store(), "rerun", |_| {});
    let after_rerun = h.store().counts().unwrap();
    assert_eq!(after_rerun.bars, (CHUNKS * CHUNK_ROWS) as u64);
    let runs = h.store().ingest_runs(10).unwrap();
    let total: u64 = runs.iter().map(|r| r.rows_written).sum();
    assert_eq!(
        total, after_rerun.bars,
        "journals add up to exactly one copy of every row"
    );
}

#[test]
fn duckdb_writer_killed_mid_import_then_rerun_leaves_exact_counts() {
    kill_mid_import_then_rerun(crate::common::duckdb());
}

#[test]
fn postgres_writer_killed_mid_import_then_rerun_leaves_exact_counts() {
    let Some(h) = crate::common::postgres() else {
        return;
    };
    kill_mid_import_then_rerun(h);
}
