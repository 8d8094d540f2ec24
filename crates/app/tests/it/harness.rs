//! A `TestServer` that runs the real `emp` binary, and small helpers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn emp() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_emp"));
    // The developer's own EMP_* variables must not leak into the tests.
    for (k, _) in std::env::vars() {
        if k.starts_with("EMP_") {
            c.env_remove(k);
        }
    }
    c
}

pub(crate) fn run(args: &[&str], dir: &Path) -> Output {
    emp().args(args).current_dir(dir).output().unwrap()
}

pub(crate) fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The real binary running `emp run` on port 0, with JSON logs captured.
pub(crate) struct TestServer {
    pub(crate) child: Child,
    pub(crate) addr: String,
    pub(crate) data_dir: PathBuf,
    pub(crate) log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub(crate) fn start(extra: &[&str]) -> Self {
        Self::start_with(extra, &[], |_| {})
    }

    /// `emp run` with extra flags and environment, after `setup` prepared the data directory.
    pub(crate) fn start_with(
        extra: &[&str],
        env: &[(&str, &str)],
        setup: impl FnOnce(&Path),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        setup(&data_dir);
        let mut args = vec![
            "run",
            "--health-addr",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ];
        args.extend_from_slice(extra);
        let mut child = emp()
            .args(&args)
            .arg("--data-dir")
            .arg(&data_dir)
            .env("EMP__TELEMETRY__INTERVAL_MS", "200")
            // Each test sets up its own data; the scheduled ingest (which loads the bundled
            // sample) is tested on its own in backbone.rs.
            .env("EMP__INGEST__SCHEDULE__ENABLED", "false")
            .envs(env.iter().copied())
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let addr_file = data_dir.join("emp.addr");
        let deadline = Instant::now() + Duration::from_secs(20);
        let addr = loop {
            if let Ok(a) = std::fs::read_to_string(&addr_file) {
                if !a.is_empty() {
                    break a;
                }
            }
            assert!(
                Instant::now() < deadline,
                "server did not start: {:?}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Self {
            child,
            addr,
            data_dir,
            log,
            _dir: dir,
        }
    }

    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.addr, path)
    }

    /// SIGTERM the server and wait for it: its exit status and how long it took.
    pub(crate) fn terminate(&mut self) -> (std::process::ExitStatus, Duration) {
        let t = Instant::now();
        sigterm(self.child.id());
        let status = self.child.wait().unwrap();
        (status, t.elapsed())
    }

    pub(crate) fn logs(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.0 GET: enough for our two endpoints, no client dependency.
pub(crate) fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    let code = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (code, body.to_owned())
}

pub(crate) fn promtool() -> Option<PathBuf> {
    let found = Command::new("sh")
        .args(["-c", "command -v promtool"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if found.is_none() {
        assert!(
            std::env::var("EMP_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "promtool is required (EMP_REQUIRE_SERVICES=1) but not installed: run scripts/setup-services.sh"
        );
        println!("skipping promtool check: promtool not installed");
    }
    found
}

/// Send SIGTERM to a process.
pub(crate) fn sigterm(pid: u32) {
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -TERM {pid} failed");
}
