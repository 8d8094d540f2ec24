//! Logging: JSON lines for machines, readable text for terminals.
//!
//! Every JSON line carries `timestamp` (UTC, milliseconds, `Z`), `level`, `target`, `message`,
//! `fields`, `runtime.tier`, `runtime.run_mode`, `runtime.environment` and the configured context.
//! The format is written by hand because tracing-subscriber's JSON layer cannot put static
//! fields at the top level of each line.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::config::{Config, LogFormat};
use emp_model::{Clock, SystemClock};

/// Install the global subscriber. Logs go to stderr so stdout stays for command output.
pub(crate) fn init(config: &Config) {
    let raw = config.raw();
    // validate() proved the level parses.
    let filter = EnvFilter::try_new(&raw.logging.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match raw.logging.format {
        // Colours only for a terminal: escape codes in a log file are noise.
        LogFormat::Text => builder
            .with_target(true)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => {
            let mut statics = serde_json::Map::new();
            statics.insert("runtime.tier".into(), raw.tier.as_str().into());
            statics.insert("runtime.run_mode".into(), raw.run_mode.as_str().into());
            statics.insert("runtime.environment".into(), raw.environment.clone().into());
            for (k, v) in &raw.logging.context {
                statics.insert(k.clone(), v.clone());
            }
            builder.event_format(JsonLines { statics }).try_init()
        }
    };
    if let Err(e) = result {
        // Only possible when a subscriber is already set (tests); logging then goes there.
        let _ = writeln!(std::io::stderr(), "logging already initialised: {e}");
    }
}

struct JsonLines {
    statics: serde_json::Map<String, serde_json::Value>,
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let meta = event.metadata();
        let mut visitor = FieldVisitor::default();
        event.record(&mut visitor);
        // Fields of the enclosing spans, outermost first, so `run_id` set on a span shows up.
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if let Some(fields) = span
                    .extensions()
                    .get::<tracing_subscriber::fmt::FormattedFields<N>>()
                {
                    if !fields.is_empty() {
                        visitor
                            .fields
                            .entry(span.name().to_owned())
                            .or_insert_with(|| fields.fields.clone().into());
                    }
                }
            }
        }
        let mut line = serde_json::Map::new();
        line.insert("timestamp".into(), SystemClock.now().to_rfc3339().into());
        line.insert("level".into(), meta.level().as_str().into());
        line.insert("target".into(), meta.target().into());
        line.insert("message".into(), visitor.message.into());
        line.insert("fields".into(), serde_json::Value::Object(visitor.fields));
        for (k, v) in &self.statics {
            line.insert(k.clone(), v.clone());
        }
        let text = serde_json::Value::Object(line).to_string();
        writeln!(writer, "{text}")
    }
}

#[derive(Default)]
struct FieldVisitor {
    message: String,
    fields: serde_json::Map<String, serde_json::Value>,
}

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        self.put(field, s.into());
    }
}

impl FieldVisitor {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}
