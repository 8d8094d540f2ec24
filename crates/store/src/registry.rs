//! `strategy.registry`: strategies with their genome, fitness report, provenance and status.
//! Evolution writes it; `emp run` reads the champion from it.

use emp_model::UnixNanos;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Store;
use crate::error::{Error, Result};
use crate::sql::{Cell, Conn, i64_at, text};

/// The status that makes a strategy the one `emp run` trades.
pub const CHAMPION: &str = "champion";

/// One row of `strategy.registry`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyRecord {
    pub strategy_id: String,
    /// What to run: for catalogue strategies `{"strategy": NAME, "params": {KEY: VALUE}}`.
    pub genome: Value,
    pub fitness_report: Value,
    pub provenance: Value,
    /// `candidate`, `champion`, `retired`, …
    pub status: String,
    pub created_at: UnixNanos,
    pub updated_at: UnixNanos,
}

impl Store {
    /// Insert or replace a strategy (keyed by `strategy_id`).
    pub fn register_strategy(&self, r: &StrategyRecord) -> Result<()> {
        self.with_conn(|c| register(c, r))
    }

    /// The most recently updated strategy whose status is [`CHAMPION`].
    pub fn champion(&self) -> Result<Option<StrategyRecord>> {
        self.with_conn(champion)
    }
}

fn register(conn: &mut dyn Conn, r: &StrategyRecord) -> Result<()> {
    let d = conn.dialect();
    let sql = format!(
        "INSERT INTO strategy.registry (strategy_id, genome, fitness_report, provenance, status, \
         created_at, updated_at) VALUES ($1, {}, {}, {}, $5, $6, $7) \
         ON CONFLICT (strategy_id) DO UPDATE SET genome = excluded.genome, \
         fitness_report = excluded.fitness_report, provenance = excluded.provenance, \
         status = excluded.status, updated_at = excluded.updated_at",
        d.json_param(2),
        d.json_param(3),
        d.json_param(4)
    );
    conn.execute(
        &sql,
        &[
            Cell::text(&r.strategy_id),
            Cell::owned(r.genome.to_string()),
            Cell::owned(r.fitness_report.to_string()),
            Cell::owned(r.provenance.to_string()),
            Cell::text(&r.status),
            Cell::I64(r.created_at.as_i64()),
            Cell::I64(r.updated_at.as_i64()),
        ],
    )?;
    Ok(())
}

fn champion(conn: &mut dyn Conn) -> Result<Option<StrategyRecord>> {
    const T: &str = "strategy.registry";
    let rows = conn.query(
        "SELECT strategy_id, CAST(genome AS TEXT), CAST(fitness_report AS TEXT), \
         CAST(provenance AS TEXT), status, created_at, updated_at FROM strategy.registry \
         WHERE status = $1 ORDER BY updated_at DESC, strategy_id LIMIT 1",
        &[Cell::text(CHAMPION)],
        7,
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let json = |i: usize, what: &'static str| -> Result<Value> {
        serde_json::from_str(&text(row, i, T)?).map_err(Error::json(what))
    };
    Ok(Some(StrategyRecord {
        strategy_id: text(row, 0, T)?,
        genome: json(1, "registry.genome")?,
        fitness_report: json(2, "registry.fitness_report")?,
        provenance: json(3, "registry.provenance")?,
        status: text(row, 4, T)?,
        created_at: UnixNanos::new(i64_at(row, 5, T)?),
        updated_at: UnixNanos::new(i64_at(row, 6, T)?),
    }))
}
