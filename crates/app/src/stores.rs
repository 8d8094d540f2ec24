//! The stores of one process: the configured store, opened lazily so that the process starts
//! while PostgreSQL is down, and — when that store is PostgreSQL — the embedded DuckDB file it
//! fails over to. One instance of each per process: DuckDB allows one open per file.

use std::sync::Arc;

use emp_ingest::FailoverStore;
use emp_model::Clock;
use emp_store::{BackendKind, LazyStore, MarketDataStore, Store, StoreConfig};
use emp_telemetry::SnapshotSink;

use crate::config::Config;

pub(crate) struct RunStores {
    primary: Arc<LazyStore>,
    fallback: Option<Arc<LazyStore>>,
    describe: String,
}

impl std::fmt::Debug for RunStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunStores")
            .field("store", &self.describe)
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

/// The configured store settings with the DuckDB path resolved against the data directory.
pub(crate) fn resolved_store_config(config: &Config) -> StoreConfig {
    let mut c = config.raw().store.clone();
    if c.duckdb_path.is_relative() {
        c.duckdb_path = config.raw().data_dir.join(&c.duckdb_path);
    }
    c
}

/// `DuckDB <file>` or `PostgreSQL <url without password>`.
pub(crate) fn describe(c: &StoreConfig) -> String {
    match c.backend {
        BackendKind::DuckDb => format!("DuckDB {}", c.duckdb_path.display()),
        BackendKind::Postgres => format!("PostgreSQL {}", c.postgres_url),
    }
}

impl RunStores {
    /// Never fails: a store that cannot be opened is reported by [`RunStores::status`] and
    /// retried on use.
    pub(crate) fn open(config: &Config) -> Self {
        let store_config = resolved_store_config(config);
        let describe = describe(&store_config);
        // Ingest fails over to the DuckDB file of the same configuration.
        let fallback = (store_config.backend == BackendKind::Postgres).then(|| {
            Arc::new(LazyStore::new(StoreConfig {
                backend: BackendKind::DuckDb,
                ..store_config.clone()
            }))
        });
        RunStores {
            primary: Arc::new(LazyStore::new(store_config)),
            fallback,
            describe,
        }
    }

    /// The configured store (connects on use).
    pub(crate) fn primary(&self) -> &Arc<LazyStore> {
        &self.primary
    }

    /// The DuckDB fallback, when the configured store is PostgreSQL.
    pub(crate) fn fallback(&self) -> Option<&Arc<LazyStore>> {
        self.fallback.as_ref()
    }

    /// Close every open store (the end of a run). A later use opens it again.
    pub(crate) fn close(&self) {
        self.primary.close();
        if let Some(f) = &self.fallback {
            f.close();
        }
    }

    /// The store to read from and journal to now: the configured one if it opens, else the
    /// fallback.
    pub(crate) fn current(&self) -> Option<Arc<Store>> {
        match self.primary.get() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::debug!(error = %e, "configured store unavailable");
                self.fallback.as_ref().and_then(|f| f.get().ok())
            }
        }
    }

    /// Where ingest writes: the configured store, behind failover to DuckDB when it is
    /// PostgreSQL. `sink` receives `telemetry.ingest.failover`.
    pub(crate) fn ingest_target(
        &self,
        clock: Arc<dyn Clock>,
        sink: Arc<dyn SnapshotSink>,
    ) -> IngestTarget {
        match &self.fallback {
            Some(fallback) => IngestTarget::Failover(Arc::new(FailoverStore::new(
                self.primary.clone(),
                fallback.clone(),
                clock,
                sink,
            ))),
            None => IngestTarget::Direct(self.primary.clone()),
        }
    }

    /// For the summary, without opening anything: where the data lives, and whether this
    /// process has it open.
    pub(crate) fn status_if_open(&self) -> String {
        let state = if self.primary.if_open().is_some() {
            "open"
        } else {
            "not opened by this command"
        };
        format!("{} ({state})", self.describe)
    }

    /// Where the data lives and whether it is reachable (opens the store if needed).
    pub(crate) fn status(&self) -> String {
        let primary = match self.primary.get() {
            Ok(_) => format!("{} (open)", self.describe),
            Err(e) => format!("{} (unavailable: {e})", self.describe),
        };
        match &self.fallback {
            Some(f) => match f.get() {
                Ok(s) => format!("{primary}; fallback {}", s.describe()),
                Err(e) => format!("{primary}; fallback unavailable: {e}"),
            },
            None => primary,
        }
    }
}

/// Where an ingest writes.
#[derive(Clone)]
pub(crate) enum IngestTarget {
    Direct(Arc<LazyStore>),
    Failover(Arc<FailoverStore>),
}

impl IngestTarget {
    pub(crate) fn store(&self) -> Arc<dyn MarketDataStore> {
        match self {
            IngestTarget::Direct(s) => s.clone(),
            IngestTarget::Failover(f) => f.clone(),
        }
    }

    pub(crate) fn failover(&self) -> Option<&Arc<FailoverStore>> {
        match self {
            IngestTarget::Failover(f) => Some(f),
            IngestTarget::Direct(_) => None,
        }
    }
}

/// Run blocking store work from async code. The stores are synchronous, and PostgreSQL's
/// synchronous client drives its own runtime, which may not start inside a tokio context
/// (worker or `block_on` thread alike): a scoped plain thread is always outside one.
pub(crate) fn blocking<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}
