//! The snapshot journal: `telemetry.snapshots` as emp-telemetry's [`SnapshotSink`].

use std::sync::Arc;

use emp_telemetry::{SinkError, Snapshot, SnapshotSink};

use crate::error::Result;
use crate::store::SnapshotStore;

/// Journals every published snapshot into `telemetry.snapshots` of either backend; the
/// failover publisher's fallback sink. Cheap to clone (shares the store).
///
/// Writes are idempotent on `(topic, generated_at)`, so a publish retried after a timeout
/// does not duplicate the journal entry.
#[derive(Clone)]
pub struct SnapshotJournal {
    store: Arc<dyn SnapshotStore>,
}

impl std::fmt::Debug for SnapshotJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotJournal").finish_non_exhaustive()
    }
}

impl SnapshotJournal {
    /// A journal writing to `store` (a `DuckDbStore`, `PgStore` or `Store`).
    pub fn new(store: Arc<dyn SnapshotStore>) -> Self {
        SnapshotJournal { store }
    }

    /// The newest snapshot of `topic`, if any was journaled.
    pub fn latest(&self, topic: &str) -> Result<Option<Snapshot>> {
        Ok(self.store.snapshots(topic, 1)?.into_iter().next())
    }

    /// The newest `limit` snapshots of `topic`, newest first.
    pub fn recent(&self, topic: &str, limit: usize) -> Result<Vec<Snapshot>> {
        self.store.snapshots(topic, limit)
    }
}

impl SnapshotSink for SnapshotJournal {
    fn write(&self, snapshot: &Snapshot) -> Result<(), SinkError> {
        match self.store.append_snapshot(snapshot) {
            Ok(_) => Ok(()),
            Err(e) => Err(SinkError::new("insert into telemetry.snapshots", e)),
        }
    }
}
