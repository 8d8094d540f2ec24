//! Real backups of either backend, read back before they count as verified.
//!
//! * DuckDB: `EXPORT DATABASE` (schema + one CSV per table), verified by importing the
//!   export into a fresh in-memory database and comparing row counts table by table.
//! * PostgreSQL: `pg_dump --format=custom`, verified by `pg_restore --list` listing the data
//!   of every table. The password travels in `PGPASSWORD`, never on a command line.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use emp_model::UnixNanos;

use crate::audit::BackupEntry;
use crate::config::Store;
use crate::duck::DuckDbStore;
use crate::error::{Error, Result};
use crate::pg::PgStore;
use crate::store::{MarketDataStore, SnapshotStore};
use crate::types::TableCounts;

/// The tables a complete backup must hold data for (the ones `counts` reports).
const DATA_TABLES: &[&str] = &[
    "market_data.bars",
    "market_data.quotes",
    "market_data.trades",
    "market_data.quarantine",
    "macro_data.series",
    "macro_data.events",
    "telemetry.ingest_runs",
    "telemetry.snapshots",
];

impl Store {
    /// Back the store up into a new directory under `dest_root`, verify it, and record it in
    /// `telemetry.backups`. An unverifiable backup is still recorded (with `verified: false`
    /// and the reason), so the backups evaluator sees it; a backup that could not be written
    /// at all is an error and records nothing.
    pub fn backup(&self, dest_root: &Path, now: UnixNanos) -> Result<BackupEntry> {
        let started = Instant::now();
        let stamp = now.to_rfc3339().replace([':', '.'], "");
        let dir = dest_root.join(format!("{stamp}-{}", self.backend().as_str()));
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            context: format!("create backup directory {}", dir.display()),
            source,
        })?;
        let (method, location, verification) = match self {
            Store::DuckDb(s) => ("duckdb-export-database", dir.clone(), duck_backup(s, &dir)?),
            Store::Postgres(s) => {
                let file = dir.join("emp.dump");
                ("pg_dump-custom", file.clone(), pg_backup(s, &file)?)
            }
        };
        let (verified, detail) = match verification {
            Ok(detail) => (true, detail),
            Err(why) => (false, why),
        };
        let entry = BackupEntry {
            completed_at: now,
            backend: self.backend(),
            method: method.to_owned(),
            location: location.display().to_string(),
            size_bytes: disk_size(&location),
            verified,
            detail,
            duration_ns: i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX),
        };
        self.record_backup(&entry)?;
        Ok(entry)
    }
}

/// Export, then verify; the outer error is "could not back up", the inner one "backed up but
/// not verified".
fn duck_backup(store: &DuckDbStore, dir: &Path) -> Result<std::result::Result<String, String>> {
    let source_counts = store.counts()?;
    store.export_database(dir)?;
    let check = || -> Result<TableCounts> {
        let copy = DuckDbStore::import_in_memory(dir)?;
        copy.counts()
    };
    Ok(match check() {
        Ok(counts) if counts == source_counts => Ok(format!(
            "re-imported into an empty database: {} tables, row counts identical ({} rows)",
            DATA_TABLES.len(),
            total(&counts)
        )),
        Ok(counts) => Err(format!(
            "re-import row counts differ: store {source_counts:?}, backup {counts:?}"
        )),
        Err(e) => Err(format!(
            "re-import failed: {}",
            crate::lazy::error_chain(&e)
        )),
    })
}

fn pg_backup(store: &PgStore, file: &Path) -> Result<std::result::Result<String, String>> {
    let dump = run_pg_tool(store, "pg_dump", |c| {
        c.arg("--format=custom")
            .arg("--no-owner")
            .arg("--file")
            .arg(file);
    })?;
    if !dump.status.success() {
        return Err(Error::Backup {
            step: "pg_dump".into(),
            detail: String::from_utf8_lossy(&dump.stderr).trim().to_owned(),
        });
    }
    let list = run_pg_tool(store, "pg_restore", |c| {
        c.arg("--list").arg(file);
    })?;
    if !list.status.success() {
        return Ok(Err(format!(
            "pg_restore --list failed: {}",
            String::from_utf8_lossy(&list.stderr).trim()
        )));
    }
    let toc = String::from_utf8_lossy(&list.stdout);
    let missing: Vec<&str> = DATA_TABLES
        .iter()
        .copied()
        .filter(|t| {
            let (schema, table) = t.split_once('.').unwrap_or(("", t));
            !toc.lines()
                .any(|l| l.contains("TABLE DATA") && l.contains(&format!(" {schema} {table} ")))
        })
        .collect();
    Ok(if missing.is_empty() {
        Ok(format!(
            "pg_restore --list shows data for all {} tables",
            DATA_TABLES.len()
        ))
    } else {
        Err(format!("no data entry for {}", missing.join(", ")))
    })
}

/// Run a PostgreSQL client tool against the store's server with libpq environment variables.
fn run_pg_tool(
    store: &PgStore,
    tool: &str,
    args: impl FnOnce(&mut Command),
) -> Result<std::process::Output> {
    let mut cmd = Command::new(tool);
    for (key, value) in store.libpq_env() {
        cmd.env(key, value);
    }
    args(&mut cmd);
    cmd.output().map_err(|source| Error::Io {
        context: format!(
            "run {tool} (install the PostgreSQL client tools, e.g. Debian `postgresql-client`)"
        ),
        source,
    })
}

fn total(c: &TableCounts) -> u64 {
    c.bars
        + c.quotes
        + c.trades
        + c.quarantine
        + c.macro_series
        + c.macro_events
        + c.ingest_runs
        + c.snapshots
}

/// Bytes under `path` (a file or a directory tree).
fn disk_size(path: &Path) -> u64 {
    let mut stack: Vec<PathBuf> = vec![path.to_path_buf()];
    let mut bytes = 0;
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else {
            bytes += meta.len();
        }
    }
    bytes
}
