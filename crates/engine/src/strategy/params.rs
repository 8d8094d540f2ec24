//! `--param key=value` parsing shared by the built-in strategies.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use emp_telemetry::Violations;

use crate::error::{Error, Result};

/// Reads typed values out of a `key → text` map, remembering which keys were used and
/// every problem, so [`ParamReader::finish`] can report unknown keys and bad values at
/// once (`fast: must be an integer >= 1, got "x"`).
#[derive(Debug)]
pub struct ParamReader<'a> {
    strategy: &'static str,
    map: &'a BTreeMap<String, String>,
    used: BTreeSet<&'a str>,
    violations: Violations,
}

impl<'a> ParamReader<'a> {
    /// Starts reading `map` for `strategy`.
    pub fn new(strategy: &'static str, map: &'a BTreeMap<String, String>) -> Self {
        ParamReader {
            strategy,
            map,
            used: BTreeSet::new(),
            violations: Violations::new(),
        }
    }

    fn raw(&mut self, key: &'static str) -> Option<&'a str> {
        let (k, v) = self.map.get_key_value(key)?;
        self.used.insert(k.as_str());
        Some(v.trim())
    }

    fn parse<T: FromStr>(
        &mut self,
        key: &'static str,
        default: T,
        what: &str,
        ok: impl Fn(&T) -> bool,
    ) -> T {
        let Some(text) = self.raw(key) else {
            return default;
        };
        match text.parse::<T>() {
            Ok(v) if ok(&v) => v,
            _ => {
                self.violations
                    .push(key, format!("must be {what}, got {text:?}"));
                default
            }
        }
    }

    /// An integer ≥ `min`.
    pub fn usize(&mut self, key: &'static str, default: usize, min: usize) -> usize {
        self.parse(key, default, &format!("an integer >= {min}"), |v| *v >= min)
    }

    /// A finite number in `[min, max]`.
    pub fn f64(&mut self, key: &'static str, default: f64, min: f64, max: f64) -> f64 {
        self.parse(
            key,
            default,
            &format!("a number in [{min}, {max}]"),
            |v: &f64| v.is_finite() && *v >= min && *v <= max,
        )
    }

    /// A finite number strictly above `min`.
    pub fn f64_above(&mut self, key: &'static str, default: f64, min: f64) -> f64 {
        self.parse(key, default, &format!("a number > {min}"), |v: &f64| {
            v.is_finite() && *v > min
        })
    }

    /// `true`/`false`.
    pub fn bool(&mut self, key: &'static str, default: bool) -> bool {
        self.parse(key, default, "true or false", |_| true)
    }

    /// Records a cross-field rule (`ok == false` is a violation of `key`).
    pub fn check(&mut self, ok: bool, key: &'static str, message: String) {
        self.violations.check(ok, key, message);
    }

    /// Unknown keys become violations; returns every problem at once.
    pub fn finish(mut self) -> Result<()> {
        for key in self.map.keys() {
            if !self.used.contains(key.as_str()) {
                self.violations.push(key.clone(), "unknown parameter");
            }
        }
        self.violations
            .into_result()
            .map_err(|errors| Error::InvalidParams {
                strategy: self.strategy.to_owned(),
                errors,
            })
    }
}
