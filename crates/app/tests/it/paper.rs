//! The paper run of `emp run`, end to end: the real binary, a store holding the bundled S&P 500
//! daily bars, the engine replaying them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use emp_store::{DuckDbStore, SnapshotStore as _};
use serde_json::Value;

use crate::harness::{TestServer, emp, text};

fn sample() -> String {
    format!(
        "{}/../../sample-data/equity/sp500.csv.gz",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Import the bundled S&P 500 daily bars (stored as SPX 1d) into `data_dir`'s store.
fn import_spx(data_dir: &Path) {
    let o = emp()
        .args(["data", "import", &sample(), "--data-dir"])
        .arg(data_dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
}

/// Fast replay, frequent telemetry.
const FAST: &[(&str, &str)] = &[
    ("EMP__PAPER__SPEED", "max"),
    ("EMP__PAPER__TELEMETRY_INTERVAL_MS", "100"),
];

fn health(server: &TestServer) -> Value {
    let (_, body) = server.get("/health");
    serde_json::from_str(&body).unwrap()
}

fn check<'a>(health: &'a Value, name: &str) -> &'a Value {
    health["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {health}"))
}

/// Poll /health until the trading check reports `state`.
fn wait_for_state(server: &TestServer, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = health(server);
        // The server answers before the paper run attaches: no trading check yet.
        let attached = h["checks"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["name"] == "trading"));
        if attached && check(&h, "trading")["metadata"]["state"] == state {
            return h;
        }
        assert!(
            Instant::now() < deadline,
            "never reached {state}: {h}\n{:?}",
            server.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn json_logs(server: &TestServer) -> Vec<Value> {
    server
        .logs()
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn metric(body: &str, name: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        .parse()
        .unwrap()
}

#[test]
fn a_max_speed_replay_trades_reports_freshness_and_journals_execution_snapshots() {
    let mut server = TestServer::start_with(&["--timeout", "4"], FAST, import_spx);
    let h = wait_for_state(&server, "finished");
    let trading = check(&h, "trading");
    assert_eq!(trading["status"], "ok", "{trading}");
    let summary = trading["summary"].as_str().unwrap();
    assert!(
        summary.contains("mean-reversion on SPX 1d") && summary.contains("no champion registered"),
        "{summary}"
    );
    let orders = trading["metadata"]["orders"].as_u64().unwrap();
    let fills = trading["metadata"]["fills"].as_u64().unwrap();
    assert!(orders > 0 && fills > 0, "{trading}");
    for name in ["market_data", "decisions"] {
        let c = check(&h, name);
        assert_eq!(c["status"], "ok", "{c}");
        assert!(c["metadata"]["age_seconds"].as_f64().unwrap() >= 0.0, "{c}");
    }
    // The default lookback: the last 500 stored bars, every one decided on.
    assert_eq!(check(&h, "market_data")["metadata"]["events"], 500);
    assert_eq!(check(&h, "decisions")["metadata"]["decisions"], 500);
    let (_, m) = server.get("/metrics");
    assert_eq!(metric(&m, "emp_paper_events_total"), 500.0);
    assert_eq!(metric(&m, "emp_paper_orders_total"), orders as f64);
    assert!(metric(&m, "emp_paper_equity") > 0.0);

    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{:?}", server.logs());
    let mut stdout = String::new();
    std::io::Read::read_to_string(server.child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
    assert!(
        stdout.contains("trading: mean-reversion on SPX 1d") && stdout.contains("500/500 bars"),
        "{stdout}"
    );

    // Execution snapshots were journaled with their typed rows.
    let store = DuckDbStore::open(server.data_dir.join("emp.duckdb")).unwrap();
    let rows = store.execution_journal(1000).unwrap();
    assert!(rows.len() >= 2, "{rows:?}");
    let last = &rows[0];
    assert_eq!(last.fills, Some(fills as i64), "{last:?}");
    assert!(last.submitted.unwrap() >= orders as i64, "{last:?}");
    assert_eq!(
        last.pending_orders,
        Some(0),
        "the final snapshot follows the shutdown's cancellations"
    );
    let perf = store
        .snapshots("telemetry.strategy.performance", 10)
        .unwrap();
    assert!(!perf.is_empty());
    assert_eq!(perf[0].metadata()["strategy"], "mean-reversion");
}

#[test]
fn sigterm_cancels_the_open_orders_of_the_paper_engine() {
    let mut server = TestServer::start_with(&[], FAST, import_spx);
    let h = wait_for_state(&server, "finished");
    // The replay ends long with its protective stop working at the venue.
    let open = check(&h, "trading")["metadata"]["open_orders"]
        .as_u64()
        .unwrap();
    assert!(open > 0, "{h}");
    let (status, took) = server.terminate();
    assert_eq!(status.code(), Some(0));
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    println!("shutdown with {open} open orders took {took:?}");
    std::thread::sleep(Duration::from_millis(100));
    let logs = json_logs(&server);
    let line = logs
        .iter()
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.contains("open orders of the paper engine"))
        })
        .unwrap_or_else(|| panic!("no cancellation line: {logs:?}"));
    assert_eq!(line["fields"]["cancelled"], open, "{line}");
    assert_eq!(line["fields"]["still_open"], 0, "{line}");
    // The cancellation happens inside the ordered shutdown, after intake stopped and before
    // the journals flush.
    let position = |needle: &str| {
        logs.iter()
            .position(|l| l["message"].as_str().is_some_and(|m| m.contains(needle)))
            .unwrap_or_else(|| panic!("no {needle}"))
    };
    let cancel = position("open orders of the paper engine");
    assert!(position("supervised tasks stopped") < cancel);
    assert!(cancel < position("flush journals"));
}

#[test]
fn no_trading_decides_on_every_bar_but_sends_no_order() {
    let mut server = TestServer::start_with(&["--no-trading", "--timeout", "3"], FAST, import_spx);
    let h = wait_for_state(&server, "finished");
    let trading = check(&h, "trading");
    assert_eq!(trading["metadata"]["orders"], 0, "{trading}");
    assert_eq!(trading["metadata"]["fills"], 0, "{trading}");
    assert!(
        trading["summary"].as_str().unwrap().contains("no-trading"),
        "{trading}"
    );
    let decisions = check(&h, "decisions");
    assert_eq!(decisions["metadata"]["decisions"], 500);
    assert!(
        decisions["metadata"]["intents"].as_u64().unwrap() > 0,
        "{decisions}"
    );
    let (_, m) = server.get("/metrics");
    assert_eq!(metric(&m, "emp_paper_orders_total"), 0.0);
    assert!(metric(&m, "emp_paper_intents_withheld_total") > 0.0, "{m}");
    assert_eq!(server.child.wait().unwrap().code(), Some(0));
}

#[test]
fn an_empty_store_is_a_clear_warning_and_health_says_not_ready() {
    let mut server = TestServer::start_with(&["--timeout", "2"], FAST, |_| {});
    let h = wait_for_state(&server, "no_data");
    let (code, _) = server.get("/health");
    assert_eq!(
        code, 200,
        "not ready to trade is a warning, not a dead process"
    );
    let trading = check(&h, "trading");
    assert_eq!(trading["status"], "warn");
    let summary = trading["summary"].as_str().unwrap();
    assert!(
        summary.contains("emp data import") && summary.contains("emp ingest-once"),
        "{summary}"
    );
    assert_eq!(check(&h, "market_data")["status"], "warn");
    assert_eq!(server.child.wait().unwrap().code(), Some(0));
    std::thread::sleep(Duration::from_millis(100));
    let warned = json_logs(&server).into_iter().any(|l| {
        l["level"] == "WARN"
            && l["message"]
                .as_str()
                .is_some_and(|m| m.contains("not ready") && m.contains("emp data import"))
    });
    assert!(warned, "{:?}", server.logs());
}

/// Run `emp run` to its timeout at max speed and return the trade list it kept.
fn replay_trades(dir: &Path, data_dir: &Path) -> String {
    let before: Vec<PathBuf> = trade_files(data_dir);
    let o = emp()
        .args(["run", "--timeout", "2", "--health-addr", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(data_dir)
        .envs(FAST.iter().copied())
        .env("EMP__INGEST__SCHEDULE__ENABLED", "false")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    let new: Vec<PathBuf> = trade_files(data_dir)
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    std::fs::read_to_string(&new[0]).unwrap()
}

fn trade_files(data_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(data_dir.join("runs"))
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(".paper-trades.csv"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn two_replays_of_the_same_data_make_the_same_trades() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    import_spx(&data_dir);
    let first = replay_trades(dir.path(), &data_dir);
    let second = replay_trades(dir.path(), &data_dir);
    assert!(
        first.lines().count() > 10,
        "header and at least ten closed trades: {first}"
    );
    assert_eq!(first, second);
}

#[test]
fn at_end_loop_starts_again_with_a_fresh_account() {
    // 20 bars at ten days of data per 100 ms: a cycle takes about 0.3 s without spinning.
    let env = [
        ("EMP__PAPER__AT_END", "loop"),
        ("EMP__PAPER__LOOKBACK_BARS", "20"),
        ("EMP__PAPER__SPEED", "8640000"),
    ];
    let mut server = TestServer::start_with(&["--timeout", "3"], &env, import_spx);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = health(&server);
        let summary = h["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "trading")
            .and_then(|c| c["summary"].as_str())
            .unwrap_or_default()
            .to_owned();
        if summary.contains("(cycle 2") {
            assert_eq!(check(&h, "trading")["metadata"]["state"], "replaying");
            break;
        }
        assert!(Instant::now() < deadline, "no second cycle: {h}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.child.wait().unwrap().code(), Some(0));
}

#[test]
fn summary_says_what_emp_run_would_trade_without_starting_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = emp()
        .args(["summary", "--json", "--data-dir", "d"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let trading = v["runtime"]["components"]["trading"].as_str().unwrap();
    assert!(
        trading.starts_with("not started")
            && trading.contains("mean-reversion on SPX 1d")
            && trading.contains("the registered champion if there is one"),
        "{trading}"
    );
    assert_eq!(v["config"]["paper"]["strategy"], "mean-reversion");
}

/// A champion in `strategy.registry` is what `emp run` trades; an unusable one is reported and
/// the configured strategy trades instead.
#[test]
fn the_registered_champion_is_traded() {
    let register = |genome: serde_json::Value| {
        move |data_dir: &Path| {
            import_spx(data_dir);
            let store =
                emp_store::Store::DuckDb(DuckDbStore::open(data_dir.join("emp.duckdb")).unwrap());
            store
                .register_strategy(&emp_store::StrategyRecord {
                    strategy_id: "champ-1".into(),
                    genome,
                    fitness_report: serde_json::json!({}),
                    provenance: serde_json::json!({"by": "test"}),
                    status: emp_store::CHAMPION.into(),
                    created_at: emp_model::UnixNanos::new(1),
                    updated_at: emp_model::UnixNanos::new(2),
                })
                .unwrap();
        }
    };
    let genome = serde_json::json!({"strategy": "trend-rider", "params": {}});
    let server = TestServer::start_with(&["--timeout", "4"], FAST, register(genome));
    let h = wait_for_state(&server, "finished");
    let summary = check(&h, "trading")["summary"].as_str().unwrap().to_owned();
    assert!(
        summary.contains("trend-rider on SPX 1d")
            && summary.contains("registered champion champ-1"),
        "{summary}"
    );

    let bad = serde_json::json!({"strategy": "no-such-strategy"});
    let server = TestServer::start_with(&["--timeout", "4"], FAST, register(bad));
    let h = wait_for_state(&server, "finished");
    let summary = check(&h, "trading")["summary"].as_str().unwrap().to_owned();
    assert!(
        summary.contains("mean-reversion on SPX 1d")
            && summary.contains("registered champion champ-1 unusable"),
        "{summary}"
    );
}
