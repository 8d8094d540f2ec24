//! The data backbone through the real binary: `emp ingest-once` (bundled sample into an empty
//! store, graded), `emp backup`, `emp failover-drill`, and failover with PostgreSQL cut off in
//! the middle of a scheduled ingest of `emp run`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use emp_store::{InventoryRow, MarketDataStore, SnapshotStore};

use crate::harness::{emp, run, sigterm, text};

fn json(o: &std::process::Output) -> serde_json::Value {
    let (out, err) = text(o);
    assert!(o.status.success(), "exit {:?}\n{err}", o.status.code());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}\n{err}"))
}

#[test]
fn ingest_once_loads_the_bundled_sample_once_and_grades_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = json(&run(
        &["ingest-once", "--json", "--data-dir", "d"],
        dir.path(),
    ));
    let boot = first["outcome"]["bootstrap"].as_array().unwrap();
    assert_eq!(boot.len(), 2, "daily bars and macro: {boot:?}");
    // sp500 5,031 + nasdaq + VIX daily bars and 19,901 macro observations (VIX's 46 rows of
    // `.` are quarantined, not counted as rows).
    let written: u64 = boot
        .iter()
        .map(|r| r["rows_written"].as_u64().unwrap())
        .sum();
    assert_eq!(written, 31_222);
    let topics: Vec<&str> = first["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["topic"].as_str().unwrap())
        .collect();
    for t in [
        "telemetry.ingest.health",
        "telemetry.ingest.metrics",
        "telemetry.ingest.quality",
        "telemetry.ingest.trends",
        "telemetry.ingest.observability",
        "telemetry.data_backbone.retention",
        "telemetry.data_backbone.validation",
        "telemetry.data_backbone.readiness",
        "telemetry.operational.backups",
        "telemetry.operational.slos",
    ] {
        assert!(topics.contains(&t), "{t} missing from {topics:?}");
    }

    // Second run: the sample is the plan; every row is already there.
    let again = json(&run(
        &["ingest-once", "--json", "--data-dir", "d"],
        dir.path(),
    ));
    assert!(again["outcome"]["bootstrap"].as_array().unwrap().is_empty());
    let runs = again["outcome"]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["rows_written"] == 0), "{runs:?}");
    assert_eq!(
        runs.iter()
            .map(|r| r["rows_read"].as_u64().unwrap())
            .sum::<u64>(),
        31_222
    );

    let ls = json(&run(
        &["data", "ls", "--json", "--data-dir", "d"],
        dir.path(),
    ));
    let symbol = |s: &str| {
        ls["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["symbol"] == s)
            .unwrap_or_else(|| panic!("{s} not stored"))
            .clone()
    };
    assert_eq!(symbol("SPX")["rows"], 5031);
    for s in ["IXIC", "VIX", "DCOILWTICO", "CPILFESL", "AAA", "BAA"] {
        assert!(symbol(s)["rows"].as_u64().unwrap() > 100, "{s}");
    }
    // Both runs' snapshots were journaled in the store.
    assert!(ls["counts"]["snapshots"].as_u64().unwrap() >= 20, "{ls}");
    assert_eq!(ls["counts"]["ingest_runs"], 4);
}

#[test]
fn backup_writes_a_verified_copy_and_the_grade_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let graded = json(&run(
        &["ingest-once", "--json", "--data-dir", "d"],
        dir.path(),
    ));
    let backups = |v: &serde_json::Value| {
        v["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["topic"] == "telemetry.operational.backups")
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(backups(&graded), "fail", "no backup yet");

    let b = json(&run(&["backup", "--json", "--data-dir", "d"], dir.path()));
    assert_eq!(b["backup"]["verified"], true, "{b}");
    assert_eq!(b["backup"]["method"], "duckdb-export-database");
    let location = b["backup"]["location"].as_str().unwrap();
    assert!(dir.path().join("d").join("backups").exists());
    assert!(Path::new(location).join("load.sql").exists(), "{location}");
    assert_eq!(b["snapshot"]["status"], "ok");

    let graded = json(&run(
        &["ingest-once", "--json", "--data-dir", "d"],
        dir.path(),
    ));
    assert_eq!(backups(&graded), "ok");
}

#[test]
fn failover_drill_refuses_without_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["failover-drill", "--data-dir", "d"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).1.contains("store.backend: postgres"),
        "{}",
        text(&o).1
    );
}

/// A fresh PostgreSQL database for one test (dropped at the end), or `None` when no server
/// is configured and services are not required.
struct PgDb {
    admin: String,
    name: String,
}

impl PgDb {
    fn create(tag: &str) -> Option<Self> {
        let admin = match std::env::var("EMP_TEST_PG_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => {
                assert!(
                    std::env::var("EMP_REQUIRE_SERVICES").as_deref() != Ok("1"),
                    "EMP_REQUIRE_SERVICES=1 but EMP_TEST_PG_URL is not set"
                );
                println!("skipping: EMP_TEST_PG_URL not set");
                return None;
            }
        };
        let name = format!("emp_app_{tag}_{}", std::process::id());
        psql(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        psql(&admin, &format!("CREATE DATABASE {name}"));
        Some(PgDb { admin, name })
    }

    /// The test database's URL, optionally through another port (the proxy).
    fn url(&self, port: Option<u16>) -> String {
        let (base, _) = self.admin.rsplit_once('/').unwrap();
        let base = match port {
            Some(p) => {
                let (host, _) = base.rsplit_once(':').unwrap();
                format!("{host}:{p}")
            }
            None => base.to_owned(),
        };
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .arg(&self.admin)
            .arg("-c")
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

fn psql(url: &str, sql: &str) -> String {
    let o = std::process::Command::new("psql")
        .args([url, "-tAc", sql])
        .output()
        .expect("psql is installed by scripts/setup-services.sh");
    assert!(
        o.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

#[test]
fn failover_drill_against_postgres_passes_and_is_journaled() {
    let Some(db) = PgDb::create("drill") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("emp.yaml"),
        format!(
            "store:\n  backend: postgres\n  postgres_url: {}\n",
            db.url(None)
        ),
    )
    .unwrap();
    let snap = json(&run(
        &[
            "--config",
            "emp.yaml",
            "failover-drill",
            "--json",
            "--data-dir",
            "d",
        ],
        dir.path(),
    ));
    assert_eq!(snap["topic"], "telemetry.ingest.failover_drill");
    assert_eq!(snap["status"], "ok", "{snap}");
    let checks: Vec<&str> = snap["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["failover", "ingest", "backfill", "stores_agree"]);
    // The drill's rows reached PostgreSQL by backfill (it was cut off during the ingest).
    assert_eq!(
        psql(&db.url(None), "SELECT count(*) FROM market_data.bars"),
        "11321"
    );
    assert_eq!(
        psql(
            &db.url(None),
            "SELECT count(*) FROM telemetry.snapshots WHERE topic = 'telemetry.ingest.failover_drill'"
        ),
        "1"
    );
    // Every row names the file it came from, also after the backfill.
    assert_eq!(
        psql(
            &db.url(None),
            "SELECT string_agg(DISTINCT source, ' ' ORDER BY source) FROM market_data.bars"
        ),
        "sample:equity/nasdaq.csv.gz sample:equity/sp500.csv.gz sample:equity/vix.csv.gz"
    );
}

/// A TCP forwarder to PostgreSQL that the test can cut (every connection reset, new ones
/// refused) and restore — the server "becomes unreachable" without being stopped.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (c, k) = (cut.clone(), conns.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if c.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                for s in [&client, &server] {
                    k.lock().unwrap().push(s.try_clone().unwrap());
                }
                pump(client.try_clone().unwrap(), server.try_clone().unwrap());
                pump(server, client);
            }
        });
        Proxy { port, cut, conns }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.conns.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn tick_file(day: &str) -> String {
    format!(
        "{}/../../../shared/data/fx/lean/forex/fxcm/tick/eurusd/{day}_quote.zip",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Issue 3: "with PostgreSQL made unreachable during an ingest, the run completes into
/// DuckDB, the failover snapshot says so, and after PostgreSQL returns the backfill makes
/// both stores agree row for row" — through `emp run`'s scheduled ingest.
#[test]
fn postgres_cut_off_mid_ingest_fails_over_to_duckdb_and_backfills_row_for_row() {
    let Some(db) = PgDb::create("failover") else {
        return;
    };
    let admin = db.admin.clone();
    let upstream = {
        let after = admin.split_once('@').unwrap().1;
        after.split_once('/').unwrap().0.to_owned()
    };
    let proxy = Proxy::start(upstream);
    let dir = tempfile::tempdir().unwrap();
    let days = ["20140505", "20140506", "20140507"];
    let sources: String = days
        .iter()
        .map(|d| format!("          - path: {}\n", tick_file(d)))
        .collect();
    std::fs::write(
        dir.path().join("emp.yaml"),
        format!(
            "store:\n  backend: postgres\n  postgres_url: {}\n\
             ingest:\n  batch_rows: 10000\n  schedule: {{ interval_secs: 2, jitter_secs: 0, max_consecutive_failures: 1000 }}\n  plan:\n    dimensions:\n      - dimension: ticks\n        sources:\n{sources}",
            db.url(Some(proxy.port))
        ),
    )
    .unwrap();
    let data = dir.path().join("d");
    let mut child = emp()
        .args([
            "--config",
            "emp.yaml",
            "--health-addr",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ])
        .arg("--data-dir")
        .arg(&data)
        .args(["run", "--no-trading"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    {
        let log = log.clone();
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut s = String::new();
            let mut buf = [0u8; 8192];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
                log.lock().unwrap().clone_from(&s);
            }
        });
    }
    let pg = db.url(None);
    let quotes = || {
        psql(&pg, "SELECT count(*) FROM market_data.quotes")
            .parse::<u64>()
            .unwrap_or(0)
    };
    let finished = |log: &str, failover: bool| {
        log.lines()
            .filter(|l| l.contains("ingest run finished"))
            .filter(|l| l.contains(&format!("\"failover_active\":{failover}")))
            .count()
    };
    // Let a few batches of the first tick file reach PostgreSQL, then cut it off.
    wait_until(
        "tick batches in PostgreSQL",
        Duration::from_secs(180),
        || {
            psql(&pg, "SELECT to_regclass('market_data.quotes') IS NOT NULL") == "t"
                && quotes() >= 20_000
        },
    );
    proxy.cut();
    let at_cut = quotes();
    // The run completes into DuckDB, and says so.
    wait_until(
        "the run to finish in failover",
        Duration::from_secs(300),
        || finished(&log.lock().unwrap(), true) > 0,
    );
    assert!(
        log.lock()
            .unwrap()
            .contains("ingest failing over to the duckdb store")
    );
    proxy.restore();
    assert!(quotes() <= at_cut + 10_000, "PostgreSQL grew while cut off");
    // The next scheduled run finds PostgreSQL back: backfill, then its own (idempotent) run.
    let before = finished(&log.lock().unwrap(), false);
    wait_until("a run after the backfill", Duration::from_secs(300), || {
        finished(&log.lock().unwrap(), false) > before
    });
    sigterm(child.id());
    let status = child.wait().unwrap();
    assert!(status.success(), "emp run failed:\n{}", log.lock().unwrap());

    // Reference: the same three files imported into an empty DuckDB file.
    let mut args = vec!["data".to_owned(), "import".to_owned()];
    args.extend(days.iter().map(|d| tick_file(d)));
    args.extend(["--store", "ref.duckdb", "--json"].map(String::from));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let imported = json(&run(&refs, dir.path()));
    let expected: u64 = imported
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["new_rows"].as_u64().unwrap())
        .sum();
    assert_eq!(quotes(), expected, "every tick once in PostgreSQL");

    let duck = emp_store::DuckDbStore::open(data.join("emp.duckdb")).unwrap();
    let pgs = emp_store::PgStore::connect(&pg).unwrap();
    let quotes_of = |rows: Vec<InventoryRow>| -> Vec<InventoryRow> {
        rows.into_iter().filter(|r| r.kind == "quotes").collect()
    };
    let in_duck = quotes_of(duck.inventory().unwrap());
    assert_eq!(in_duck.len(), 1, "{in_duck:?}");
    assert!(in_duck[0].rows > 0, "nothing went to DuckDB");
    // Row for row: what DuckDB took during the outage is exactly what PostgreSQL now holds
    // over the same span.
    let id = emp_model::InstrumentId::try_new(&in_duck[0].symbol).unwrap();
    let span = emp_store::TimeRange::new(
        in_duck[0].first,
        emp_model::UnixNanos::new(in_duck[0].last.as_i64() + 1),
    );
    let from_duck = duck.read_quotes(&id, span).unwrap();
    let from_pg = pgs.read_quotes(&id, span).unwrap();
    assert_eq!(from_duck.len() as u64, in_duck[0].rows);
    assert_eq!(from_pg, from_duck);
    println!(
        "failover: {at_cut} quotes in PostgreSQL at the cut, {} written to DuckDB during the outage \
         and backfilled, {expected} in PostgreSQL at the end (= a clean import)",
        in_duck[0].rows
    );
    let failover = pgs.snapshots("telemetry.ingest.failover", 10).unwrap();
    assert!(
        failover.iter().any(|s| s.check("backfill").is_some()),
        "no backfill snapshot journaled: {failover:?}"
    );
}

/// SIGTERM while the first scheduled ingest is loading the bundled sample: the run stops
/// after its current store write, is journaled as stopped, and the process exits cleanly.
#[test]
fn sigterm_during_the_first_ingest_stops_it_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let child = emp()
        .args(["--health-addr", "127.0.0.1:0", "--data-dir", "d", "run"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The bundle is written before the load starts: that is "during the ingest".
    wait_until("the bundle to be written", Duration::from_secs(60), || {
        dir.path().join("d/sample-data/NOTICE").exists()
    });
    let sent = Instant::now();
    sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("shutdown complete clean=true"), "{err}");
    assert!(took < Duration::from_secs(10), "shutdown took {took:?}");
    // Whatever was committed is consistent: a later ingest-once completes the load.
    let done = json(&run(
        &["ingest-once", "--json", "--data-dir", "d"],
        dir.path(),
    ));
    let ls = json(&run(
        &["data", "ls", "--json", "--data-dir", "d"],
        dir.path(),
    ));
    assert_eq!(ls["counts"]["bars"], 11_321, "{done}");
    assert_eq!(ls["counts"]["macro_series"], 19_901);
}
