//! Fixtures and per-backend harnesses.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use emp_model::{
    Bar, Currency, Importance, InstrumentId, MacroEvent, MacroObservation, Price, Quantity,
    QuoteTick, Side, Timeframe, TradeTick, UnixNanos,
};
use emp_store::{
    BackendKind, DuckDbStore, IngestRun, PgStore, QuarantineRecord, Store, WriteBatch,
};
use emp_telemetry::Status;

/// Base time of generated data: 2024-01-02T00:00:00Z.
pub(crate) const T0: i64 = 1_704_153_600 * 1_000_000_000;
pub(crate) const MINUTE: i64 = 60 * 1_000_000_000;

pub(crate) fn id(s: &str) -> InstrumentId {
    InstrumentId::try_new(s).unwrap()
}

pub(crate) fn px(s: &str) -> Price {
    Price::try_parse(s).unwrap()
}

pub(crate) fn qty(s: &str) -> Quantity {
    Quantity::try_parse(s).unwrap()
}

/// A deterministic valid minute bar number `i` of `symbol` (5-decimal FX prices).
pub(crate) fn bar(symbol: &str, i: i64) -> Bar {
    let base = 108_000 + (i * 37) % 500; // raw at precision 5
    let open = Price::from_raw(base, 5).unwrap();
    let close = Price::from_raw(base + (i % 7) - 3, 5).unwrap();
    let high = Price::from_raw(base + 9, 5).unwrap();
    let low = Price::from_raw(base - 8, 5).unwrap();
    Bar::try_new(
        id(symbol),
        Timeframe::M1,
        UnixNanos::new(T0 + i * MINUTE),
        open,
        high,
        low,
        close,
        Quantity::from_raw((i as u64 % 1000) * 10, 1).unwrap(),
    )
    .unwrap()
}

pub(crate) fn run(run_id: &str) -> IngestRun {
    IngestRun {
        run_id: run_id.to_owned(),
        dimension: "test".to_owned(),
        status: Status::Ok,
        source: "emp-store-tests".to_owned(),
        symbols: vec!["EURUSD".to_owned()],
        started_at: UnixNanos::new(T0),
        duration_ns: 5,
        freshness_ns: Some(60),
        metadata: serde_json::Map::from_iter([("file".to_owned(), serde_json::json!("x.csv"))]),
    }
}

pub(crate) fn bars_batch(run_id: &str, symbol: &str, range: std::ops::Range<i64>) -> WriteBatch {
    let mut b = WriteBatch::new(run(run_id), UnixNanos::new(T0 + 1));
    b.bars = range.map(|i| bar(symbol, i)).collect();
    b
}

/// A batch with every kind of row, including edge values (missing macro values, no aggressor,
/// no trade id, two quotes in the same nanosecond).
pub(crate) fn mixed_batch(run_id: &str) -> WriteBatch {
    let mut b = WriteBatch::new(run(run_id), UnixNanos::new(T0 + 1));
    b.bars = (0..5).map(|i| bar("EURUSD", i)).collect();
    b.bars.push(
        Bar::try_new(
            id("SPY"),
            Timeframe::D1,
            UnixNanos::new(T0),
            px("472.65"),
            px("473.5"),
            px("470.49"),
            px("472.65"),
            qty("123456789"),
        )
        .unwrap(),
    );
    let q = |ms: i64, bid: &str, ask: &str| {
        QuoteTick::try_new(
            id("EURUSD"),
            UnixNanos::new(T0 + ms * 1_000_000),
            px(bid),
            px(ask),
            qty("1000000"),
            qty("2500000.5"),
        )
        .unwrap()
    };
    b.quotes = vec![
        q(0, "1.10450", "1.10452"),
        q(0, "1.10451", "1.10453"),
        q(5, "1.1045", "1.10455"),
    ];
    b.trades = vec![
        TradeTick::try_new(
            id("BTCUSD"),
            UnixNanos::new(T0),
            px("42000.5"),
            qty("0.015"),
            Some(Side::Buy),
            Some("t1".into()),
        )
        .unwrap(),
        TradeTick::try_new(
            id("BTCUSD"),
            UnixNanos::new(T0),
            px("42000.5"),
            qty("0.015"),
            Some(Side::Sell),
            Some("t2".into()),
        )
        .unwrap(),
        TradeTick::try_new(
            id("BTCUSD"),
            UnixNanos::new(T0 + 1),
            px("41999"),
            qty("2"),
            None,
            None,
        )
        .unwrap(),
    ];
    b.macro_series = vec![
        MacroObservation {
            series_id: "DGS10".into(),
            ts: UnixNanos::new(T0),
            value: Some(3.95),
        },
        MacroObservation {
            series_id: "DGS10".into(),
            ts: UnixNanos::new(T0 + 86_400 * 1_000_000_000),
            value: None,
        },
    ];
    b.macro_events = vec![MacroEvent {
        name: "Non-Farm Payrolls".into(),
        currency: Currency::USD,
        ts: UnixNanos::new(T0 + 3 * 86_400 * 1_000_000_000),
        actual: Some(216.0),
        forecast: Some(170.0),
        previous: None,
        importance: Importance::High,
    }];
    b.quarantine = vec![QuarantineRecord {
        file: "fx/EURUSD.csv".into(),
        line: 17,
        reason: "high < low".into(),
        raw_text: "2024-01-02 00:17,1.1,1.0,1.2,1.1,0".into(),
    }];
    b
}

/// A store under test plus what keeps it alive (temp dir or test database).
pub(crate) struct Harness {
    store: Option<Arc<Store>>,
    pub(crate) target: Target,
    _guard: Guard,
}

/// Where a store lives, so a test (or a child process) can open it again.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    DuckDb(std::path::PathBuf),
    Postgres(String),
}

impl Target {
    pub(crate) fn open(&self) -> Store {
        match self {
            Target::DuckDb(p) => Store::DuckDb(DuckDbStore::open(p).unwrap()),
            Target::Postgres(url) => Store::Postgres(PgStore::connect(url).unwrap()),
        }
    }

    pub(crate) fn backend(&self) -> BackendKind {
        match self {
            Target::DuckDb(_) => BackendKind::DuckDb,
            Target::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// `kind|location`, for handing to a child process.
    pub(crate) fn encode(&self) -> String {
        match self {
            Target::DuckDb(p) => format!("duckdb|{}", p.display()),
            Target::Postgres(url) => format!("postgres|{url}"),
        }
    }

    pub(crate) fn decode(s: &str) -> Option<Target> {
        let (kind, loc) = s.split_once('|')?;
        match kind {
            "duckdb" => Some(Target::DuckDb(loc.into())),
            "postgres" => Some(Target::Postgres(loc.to_owned())),
            _ => None,
        }
    }
}

enum Guard {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Db(#[allow(dead_code)] PgDatabase),
}

impl Harness {
    /// The open store (panics after [`Harness::close`] without a reopen: a test bug).
    pub(crate) fn store(&self) -> &Arc<Store> {
        self.store.as_ref().expect("store closed")
    }

    /// Drop the open store, e.g. so another process may open the DuckDB file.
    pub(crate) fn close(&mut self) {
        self.store = None;
    }

    /// Close and open the same database again.
    pub(crate) fn reopen(&mut self) {
        self.close();
        self.store = Some(Arc::new(self.target.open()));
    }
}

pub(crate) fn duckdb() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("emp.duckdb");
    let target = Target::DuckDb(path);
    Harness {
        store: Some(Arc::new(target.open())),
        target,
        _guard: Guard::Dir(dir),
    }
}

/// A fresh PostgreSQL database for one test, or `None` (after printing the skip line) when
/// `EMP_TEST_PG_URL` is unset and services are not required.
pub(crate) fn postgres() -> Option<Harness> {
    let db = PgDatabase::create()?;
    let target = Target::Postgres(db.url.clone());
    Some(Harness {
        store: Some(Arc::new(target.open())),
        target,
        _guard: Guard::Db(db),
    })
}

/// A uniquely named database, dropped when the guard is.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl PgDatabase {
    fn create() -> Option<Self> {
        let required = std::env::var("EMP_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        let admin_url = match std::env::var("EMP_TEST_PG_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                assert!(
                    !required,
                    "EMP_REQUIRE_SERVICES=1 but EMP_TEST_PG_URL is not set"
                );
                println!("skipping: EMP_TEST_PG_URL not set");
                return None;
            }
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "emp_store_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        let mut admin =
            postgres::Client::connect(&admin_url, postgres::NoTls).unwrap_or_else(|e| {
                panic!("EMP_TEST_PG_URL is set but the server is unreachable: {e}")
            });
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = with_database(&admin_url, &name);
        Some(PgDatabase {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Replace the database name of a `postgres://…/db?params` URL.
fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url
        .split_once("://")
        .expect("EMP_TEST_PG_URL must be a postgres:// URL");
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let query = tail
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{scheme}://{authority}/{db}{query}")
}

#[test]
fn with_database_replaces_only_the_path() {
    assert_eq!(
        with_database("postgres://emp:emp@127.0.0.1:5432/emp_test", "x"),
        "postgres://emp:emp@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://h:1/a?sslmode=disable", "b"),
        "postgres://h:1/b?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "b"), "postgres://h/b");
}
