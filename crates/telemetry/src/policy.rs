//! Collecting every configuration violation at once.
//!
//! Every crate's `validate()` builds a [`Violations`], records each failed rule with the
//! dotted path of the offending field, and turns it into `Result<(), ConfigErrors>`. A user
//! fixing a config file then sees all problems in one run instead of one per run.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One violated rule: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigError {
    /// Dotted field path, e.g. `risk.max_leverage` or `overflow[2].prefix`.
    pub path: String,
    /// What is wrong, e.g. `must be > 0, got -1`.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A non-empty list of configuration violations; displays one `path: message` per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
}

impl ConfigErrors {
    /// The violations, in the order they were recorded.
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// Iterate over the violations.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }

    /// Number of violations (at least one when produced by [`Violations::into_result`]).
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// `true` if there are no violations (only possible for a hand-built value).
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `true` if some violation names exactly `path`.
    pub fn contains_path(&self, path: &str) -> bool {
        self.errors.iter().any(|e| e.path == path)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

/// Accumulates violations while a `validate()` walks a config.
///
/// ```
/// use emp_telemetry::Violations;
///
/// let (capacity, warn, fail) = (0_i64, 10, 5);
/// let mut v = Violations::new();
/// v.check(capacity > 0, "queue_capacity", format!("must be > 0, got {capacity}"));
/// v.check(warn <= fail, "backlog_warn", format!("must be <= backlog_fail ({fail}), got {warn}"));
/// let errors = v.into_result().unwrap_err();
/// assert_eq!(
///     errors.to_string(),
///     "queue_capacity: must be > 0, got 0\nbacklog_warn: must be <= backlog_fail (5), got 10"
/// );
/// ```
#[derive(Debug, Default, Clone)]
pub struct Violations {
    errors: Vec<ConfigError>,
}

impl Violations {
    /// An empty collector.
    pub fn new() -> Self {
        Violations::default()
    }

    /// Record a violation at `path` unless `ok` holds. Returns `ok` so callers can skip
    /// dependent checks.
    pub fn check(&mut self, ok: bool, path: impl Into<String>, message: impl Into<String>) -> bool {
        if !ok {
            self.push(path, message);
        }
        ok
    }

    /// Record a violation unconditionally.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ConfigError {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Merge the violations of a sub-config, prefixing each path with `prefix`
    /// (`prefix.path`, or `prefix[i].path` style when the sub-path starts with `[`).
    pub fn nested(&mut self, prefix: &str, errors: ConfigErrors) {
        for e in errors {
            let path = join_path(prefix, &e.path);
            self.errors.push(ConfigError {
                path,
                message: e.message,
            });
        }
    }

    /// Like [`Violations::nested`] but takes a sub-config's `validate()` result directly.
    pub fn nested_result(&mut self, prefix: &str, result: Result<(), ConfigErrors>) {
        if let Err(errors) = result {
            self.nested(prefix, errors);
        }
    }

    /// `true` if nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Number of recorded violations.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// `Ok(())` if nothing was recorded, otherwise every violation.
    pub fn into_result(self) -> Result<(), ConfigErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors {
                errors: self.errors,
            })
        }
    }
}

fn join_path(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_owned()
    } else if path.is_empty() {
        prefix.to_owned()
    } else if path.starts_with('[') {
        format!("{prefix}{path}")
    } else {
        format!("{prefix}.{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_ok() {
        let mut v = Violations::new();
        assert!(v.check(true, "a", "never"));
        assert!(v.is_empty());
        assert_eq!(v.into_result(), Ok(()));
    }

    #[test]
    fn reports_every_violation_in_order() {
        let mut v = Violations::new();
        assert!(!v.check(false, "a", "first"));
        v.check(true, "b", "skipped");
        v.push("c", "third");
        assert_eq!(v.len(), 2);
        let errors = v.into_result().unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(
            errors.contains_path("a") && errors.contains_path("c") && !errors.contains_path("b")
        );
        assert_eq!(errors.to_string(), "a: first\nc: third");
    }

    #[test]
    fn nested_prefixes_paths() {
        let mut inner = Violations::new();
        inner.push("max_leverage", "must be > 0, got -1");
        inner.push("[0].prefix", "must not be empty");
        inner.push("", "whole section invalid");
        let mut outer = Violations::new();
        outer.nested("risk", inner.clone().into_result().unwrap_err());
        outer.nested_result("bus.overflow", inner.into_result());
        outer.nested_result("ignored", Ok(()));
        let paths: Vec<_> = outer
            .into_result()
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "risk.max_leverage",
                "risk[0].prefix",
                "risk",
                "bus.overflow.max_leverage",
                "bus.overflow[0].prefix",
                "bus.overflow"
            ]
        );
    }

    #[test]
    fn serializes_as_list() {
        let mut v = Violations::new();
        v.push("a.b", "bad");
        let json = serde_json::to_value(v.into_result().unwrap_err()).unwrap();
        assert_eq!(json, serde_json::json!([{"path": "a.b", "message": "bad"}]));
    }
}
