//! The trait implementations both SQL backends share: every method runs the backend-neutral
//! SQL of `ops`/`audit` on the backend's connection, so DuckDB and PostgreSQL cannot drift.

/// `MarketDataStore` and `SnapshotStore` for a backend type with `with(conn closure)`,
/// `location()` and `pg_flavor()`; `$kind` is its `BackendKind`.
macro_rules! sql_backend_impls {
    ($ty:ty, $kind:expr) => {
        impl $crate::store::MarketDataStore for $ty {
            fn backend(&self) -> $crate::types::BackendKind {
                $kind
            }
            fn write_batch(
                &self,
                batch: &$crate::types::WriteBatch,
            ) -> $crate::error::Result<$crate::types::WriteReport> {
                self.with(|c| $crate::ops::write_batch(c, batch))
            }
            fn read_bars(
                &self,
                instrument: &emp_model::InstrumentId,
                timeframe: emp_model::Timeframe,
                range: $crate::types::TimeRange,
            ) -> $crate::error::Result<Vec<emp_model::Bar>> {
                self.with(|c| $crate::ops::read_bars(c, instrument, timeframe, range))
            }
            fn read_quotes(
                &self,
                instrument: &emp_model::InstrumentId,
                range: $crate::types::TimeRange,
            ) -> $crate::error::Result<Vec<emp_model::QuoteTick>> {
                self.with(|c| $crate::ops::read_quotes(c, instrument, range))
            }
            fn read_trades(
                &self,
                instrument: &emp_model::InstrumentId,
                range: $crate::types::TimeRange,
            ) -> $crate::error::Result<Vec<emp_model::TradeTick>> {
                self.with(|c| $crate::ops::read_trades(c, instrument, range))
            }
            fn read_macro_series(
                &self,
                series_id: &str,
                range: $crate::types::TimeRange,
            ) -> $crate::error::Result<Vec<emp_model::MacroObservation>> {
                self.with(|c| $crate::ops::read_macro_series(c, series_id, range))
            }
            fn read_macro_events(
                &self,
                range: $crate::types::TimeRange,
            ) -> $crate::error::Result<Vec<emp_model::MacroEvent>> {
                self.with(|c| $crate::ops::read_macro_events(c, range))
            }
            fn latest_timestamp(
                &self,
                dataset: &$crate::types::Dataset,
            ) -> $crate::error::Result<Option<emp_model::UnixNanos>> {
                self.with(|c| $crate::ops::latest_timestamp(c, dataset))
            }
            fn counts(&self) -> $crate::error::Result<$crate::types::TableCounts> {
                self.with($crate::ops::counts)
            }
            fn inventory(&self) -> $crate::error::Result<Vec<$crate::types::InventoryRow>> {
                self.with($crate::ops::inventory)
            }
            fn ingest_runs(
                &self,
                limit: usize,
            ) -> $crate::error::Result<Vec<$crate::types::IngestRunRecord>> {
                self.with(|c| $crate::ops::ingest_runs(c, limit))
            }
            fn health(&self) -> $crate::error::Result<$crate::types::StoreHealth> {
                self.with(|c| {
                    Ok($crate::types::StoreHealth {
                        backend: $kind,
                        location: self.location().to_owned(),
                        schema_version: $crate::sql::schema_version(c)?,
                        pg_flavor: self.pg_flavor(),
                        counts: $crate::ops::counts(c)?,
                    })
                })
            }
        }

        impl $crate::store::SnapshotStore for $ty {
            fn append_snapshot(
                &self,
                snapshot: &emp_telemetry::Snapshot,
            ) -> $crate::error::Result<bool> {
                self.with(|c| $crate::audit::journal_snapshot(c, snapshot))
            }
            fn snapshots(
                &self,
                topic: &str,
                limit: usize,
            ) -> $crate::error::Result<Vec<emp_telemetry::Snapshot>> {
                self.with(|c| $crate::ops::snapshots(c, topic, limit))
            }
            fn execution_journal(
                &self,
                limit: usize,
            ) -> $crate::error::Result<Vec<$crate::audit::ExecutionJournalRow>> {
                self.with(|c| $crate::audit::execution_journal(c, limit))
            }
            fn record_backup(
                &self,
                backup: &$crate::audit::BackupEntry,
            ) -> $crate::error::Result<bool> {
                self.with(|c| $crate::audit::record_backup(c, backup))
            }
            fn latest_backup(&self) -> $crate::error::Result<Option<$crate::audit::BackupEntry>> {
                self.with($crate::audit::latest_backup)
            }
        }
    };
}

pub(crate) use sql_backend_impls;
