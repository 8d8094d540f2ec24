//! `emp data import`, `emp data ls` and `emp backtest` end to end, on real data.

use crate::harness::{run, text};

fn shared(rel: &str) -> String {
    format!("{}/../../../shared/data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn import_is_idempotent_and_ls_lists_what_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let sp500 = shared("equity/arch/sp500.csv.gz");
    let o = run(
        &["data", "import", &sp500, "--data-dir", "d", "--json"],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let first: serde_json::Value = serde_json::from_str(&out).unwrap();
    // PROVENANCE.md: 5,031 daily rows, 1999-01-04 → 2018-12-31.
    assert_eq!(first[0]["records"], 5031);
    assert_eq!(first[0]["new_rows"], 5031);
    assert_eq!(first[0]["format"], "ohlcv-csv");
    assert!(
        first[0]["first"]
            .as_str()
            .unwrap()
            .starts_with("1999-01-04")
    );

    let o = run(
        &["data", "import", &sp500, "--data-dir", "d", "--json"],
        dir.path(),
    );
    let again: serde_json::Value = serde_json::from_str(&text(&o).0).unwrap();
    assert_eq!(again[0]["records"], 5031);
    assert_eq!(
        again[0]["new_rows"], 0,
        "a second import stores nothing twice"
    );

    let o = run(&["data", "ls", "--json", "--data-dir", "d"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let ls: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(ls["counts"]["bars"], 5031);
    let spx = ls["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["symbol"] == "SPX")
        .unwrap();
    assert_eq!(spx["rows"], 5031);
    assert_eq!(spx["timeframe"], "1d");
}

#[test]
fn a_bad_format_or_missing_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "data",
            "import",
            "nope.csv",
            "--format",
            "xml",
            "--data-dir",
            "d",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--format"));
    let o = run(
        &["data", "import", "missing.csv", "--data-dir", "d"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("missing.csv"), "{}", text(&o).1);
}

#[test]
fn backtest_buy_and_hold_on_spx_writes_a_deterministic_report() {
    let dir = tempfile::tempdir().unwrap();
    let sp500 = shared("equity/arch/sp500.csv.gz");
    assert!(
        run(&["data", "import", &sp500, "--data-dir", "d"], dir.path())
            .status
            .success()
    );
    let mut trades = Vec::new();
    for report in ["r1", "r2"] {
        let o = run(
            &[
                "backtest",
                "--symbol",
                "SPX",
                "--strategy",
                "buy-and-hold",
                "--report",
                report,
                "--data-dir",
                "d",
            ],
            dir.path(),
        );
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        assert!(
            out.contains("total return") && out.contains("Sharpe"),
            "{out}"
        );
        for f in ["trades.csv", "equity.csv", "report.json", "equity.png"] {
            let p = dir.path().join(report).join(f);
            assert!(
                std::fs::metadata(&p).map(|m| m.len() > 0).unwrap_or(false),
                "{f} missing"
            );
        }
        trades.push(std::fs::read(dir.path().join(report).join("trades.csv")).unwrap());
    }
    assert_eq!(
        trades[0], trades[1],
        "the same backtest twice gives byte-identical trades.csv"
    );
    let o = run(
        &[
            "backtest",
            "--symbol",
            "SPX",
            "--strategy",
            "nope",
            "--data-dir",
            "d",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        &[
            "backtest",
            "--symbol",
            "EURUSD",
            "--strategy",
            "buy-and-hold",
            "--data-dir",
            "d",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("import"), "{}", text(&o).1);
}
