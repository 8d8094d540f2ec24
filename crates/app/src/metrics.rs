//! Prometheus text exposition (version 0.0.4), written by hand: the runtime already holds every
//! number, so a metrics registry would only be a second copy of the same state.

use std::fmt::Write as _;

/// Builds one exposition document. Each family is declared once with HELP and TYPE, then its
/// samples follow, as the format requires.
#[derive(Default)]
pub(crate) struct Exposition {
    out: String,
}

#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Counter,
    Gauge,
}

impl Exposition {
    pub(crate) fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Self {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        let _ = writeln!(self.out, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
        self
    }

    pub(crate) fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {}", format_value(value));
        self
    }

    /// A family with a single unlabelled sample.
    pub(crate) fn single(&mut self, name: &str, kind: Kind, help: &str, value: f64) -> &mut Self {
        self.family(name, kind, help).sample(name, &[], value)
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Process metrics from /proc (Linux). Missing files (another OS) yield no samples, not zeros.
pub(crate) fn process(exp: &mut Exposition, start_time_secs: f64) {
    exp.single(
        "process_start_time_seconds",
        Kind::Gauge,
        "Start time of the process since unix epoch in seconds.",
        start_time_secs,
    );
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        if let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok());
            // /proc reports CPU time in USER_HZ, which the kernel ABI fixes at 100.
            if let (Some(u), Some(s)) = (ticks(11), ticks(12)) {
                exp.single(
                    "process_cpu_seconds_total",
                    Kind::Counter,
                    "Total user and system CPU time spent in seconds.",
                    (u + s) / 100.0,
                );
            }
            if let Some(vsize) = ticks(20) {
                exp.single(
                    "process_virtual_memory_bytes",
                    Kind::Gauge,
                    "Virtual memory size in bytes.",
                    vsize,
                );
            }
        }
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        let rss_kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
        if let Some(kb) = rss_kb {
            exp.single(
                "process_resident_memory_bytes",
                Kind::Gauge,
                "Resident memory size in bytes.",
                kb * 1024.0,
            );
        }
        let threads = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|v| v.trim().parse::<f64>().ok());
        if let Some(t) = threads {
            exp.single(
                "process_threads",
                Kind::Gauge,
                "Number of OS threads in the process.",
                t,
            );
        }
    }
    if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
        exp.single(
            "process_open_fds",
            Kind::Gauge,
            "Number of open file descriptors.",
            dir.count() as f64,
        );
    }
    if let Ok(limits) = std::fs::read_to_string("/proc/self/limits") {
        let max = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .and_then(|l| l.split_whitespace().nth(3))
            .and_then(|v| v.parse::<f64>().ok());
        if let Some(m) = max {
            exp.single(
                "process_max_fds",
                Kind::Gauge,
                "Maximum number of open file descriptors.",
                m,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_labels_and_formats_values() {
        let mut e = Exposition::default();
        e.family("x_total", Kind::Counter, "a \\ help\nline")
            .sample("x_total", &[("topic", "a\"b\\c\nd")], 3.0)
            .sample("x_total", &[], 0.25);
        let text = e.finish();
        assert_eq!(
            text,
            "# HELP x_total a \\\\ help\\nline\n# TYPE x_total counter\nx_total{topic=\"a\\\"b\\\\c\\nd\"} 3\nx_total 0.25\n"
        );
    }

    #[test]
    fn process_metrics_are_read_on_linux() {
        let mut e = Exposition::default();
        process(&mut e, 1.0);
        let text = e.finish();
        if cfg!(target_os = "linux") {
            assert!(text.contains("process_resident_memory_bytes "), "{text}");
            assert!(text.contains("process_cpu_seconds_total "), "{text}");
        }
    }
}
