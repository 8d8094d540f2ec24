//! The fallback journal of the bootstrap runtime: snapshots the bus refused, one JSON line each,
//! in `<data_dir>/journal/snapshots.jsonl`. The database journal replaces it when the store lands.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use emp_telemetry::{SinkError, Snapshot, SnapshotSink};
use parking_lot::Mutex;

pub(crate) struct JsonLinesJournal {
    path: PathBuf,
    file: Mutex<Option<BufWriter<File>>>,
}

impl JsonLinesJournal {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            file: Mutex::new(None),
        }
    }

    pub(crate) fn flush(&self) -> std::io::Result<()> {
        match self.file.lock().as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl SnapshotSink for JsonLinesJournal {
    fn write(&self, snapshot: &Snapshot) -> Result<(), SinkError> {
        let mut guard = self.file.lock();
        if guard.is_none() {
            // Opened on first use, so commands that never fail over write nothing.
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| SinkError::new(format!("create {}", dir.display()), e))?;
            }
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|e| SinkError::new(format!("open {}", self.path.display()), e))?;
            *guard = Some(BufWriter::new(f));
        }
        let Some(w) = guard.as_mut() else {
            return Ok(());
        };
        let context = || format!("append to {}", self.path.display());
        serde_json::to_writer(&mut *w, &snapshot.to_json())
            .map_err(|e| SinkError::new(context(), e))?;
        w.write_all(b"\n")
            .map_err(|e| SinkError::new(context(), e))?;
        // A journal line that sits in a buffer when the process dies is a lost snapshot.
        w.flush().map_err(|e| SinkError::new(context(), e))
    }
}
