//! Markdown rendering of a snapshot (for reports, PR comments and `emp summary`).

use std::fmt::Write as _;

use serde_json::Value;

use crate::Snapshot;
use crate::snapshot::sorted_entries;

pub(crate) fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored deliberately.
    let _ = writeln!(
        out,
        "## {} — {}",
        inline(snapshot.topic()),
        snapshot.status().as_str().to_ascii_uppercase()
    );
    out.push('\n');
    let _ = writeln!(
        out,
        "Generated at: {}",
        snapshot.generated_at().to_rfc3339()
    );
    out.push('\n');
    if snapshot.checks().is_empty() {
        out.push_str("_No checks._\n");
    } else {
        out.push_str("| name | status | value | threshold | message |\n");
        out.push_str("|---|---|---|---|---|\n");
        for c in snapshot.checks() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&c.name),
                c.status.as_str(),
                cell(&opt_value(c.value.as_ref())),
                cell(&opt_value(c.threshold.as_ref())),
                cell(&c.message),
            );
        }
    }
    if !snapshot.metadata().is_empty() {
        out.push('\n');
        out.push_str("Metadata:\n\n");
        for (k, v) in sorted_entries(snapshot.metadata()) {
            let _ = writeln!(out, "- {}: {}", inline(k), inline(&value_text(v)));
        }
    }
    out
}

fn opt_value(v: Option<&Value>) -> String {
    v.map(value_text).unwrap_or_default()
}

/// Strings render bare (no JSON quotes); everything else as compact JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A table cell: `|` would end the cell and a newline the row, so escape both.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Heading or list text: newlines would break the structure.
fn inline(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_escapes_pipes_and_newlines() {
        let cases = [
            ("plain", "plain"),
            ("a|b", "a\\|b"),
            ("||", "\\|\\|"),
            ("line1\nline2", "line1<br>line2"),
            ("crlf\r\nx", "crlf<br>x"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(cell(input), expected, "{input:?}");
        }
    }

    #[test]
    fn values_render_without_quotes_for_strings() {
        assert_eq!(value_text(&Value::from("x")), "x");
        assert_eq!(value_text(&Value::from(1.5)), "1.5");
        assert_eq!(value_text(&serde_json::json!([1, 2])), "[1,2]");
        assert_eq!(opt_value(None), "");
    }
}
