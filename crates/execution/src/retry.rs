//! Retries of transiently rejected orders, driven by event time.

use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

/// Retry policy (raw config).
///
/// Attempt 1 is the original submission. After a transient reject of attempt `n` at venue
/// time `t`, attempt `n + 1` is sent at `t + base_backoff × multiplier^(n − 1)` while
/// `n < max_attempts`; then the reject is final. A retry keeps the order in `Submitted`
/// (the model's `Rejected` is terminal), with the same client order id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Total attempts including the first (1 = never retry).
    pub max_attempts: u32,
    /// Delay before the first retry, nanoseconds.
    pub base_backoff_nanos: i64,
    /// Growth factor of the delay per further retry (≥ 1).
    pub multiplier: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_backoff_nanos: 500_000_000,
            multiplier: 2.0,
        }
    }
}

impl RetryPolicy {
    /// Checks every field, reporting all violations.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.max_attempts >= 1,
            "max_attempts",
            format!("must be >= 1, got {}", self.max_attempts),
        );
        v.check(
            self.base_backoff_nanos >= 0,
            "base_backoff_nanos",
            format!("must be >= 0, got {}", self.base_backoff_nanos),
        );
        v.check(
            self.multiplier.is_finite() && self.multiplier >= 1.0,
            "multiplier",
            format!("must be finite and >= 1, got {}", self.multiplier),
        );
        v.into_result()
    }

    /// The delay before the next attempt after attempt `attempt` (1-based) was rejected
    /// transiently, or `None` when attempts are exhausted.
    pub fn delay_after(&self, attempt: u32) -> Option<i64> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let delay = self.base_backoff_nanos as f64 * self.multiplier.powi(exponent);
        Some(if delay >= i64::MAX as f64 {
            i64::MAX
        } else {
            delay as i64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_backoff_then_give_up() {
        let p = RetryPolicy {
            max_attempts: 4,
            base_backoff_nanos: 100,
            multiplier: 3.0,
        };
        assert_eq!(p.delay_after(1), Some(100));
        assert_eq!(p.delay_after(2), Some(300));
        assert_eq!(p.delay_after(3), Some(900));
        assert_eq!(p.delay_after(4), None);
        let bad = RetryPolicy {
            max_attempts: 0,
            base_backoff_nanos: -1,
            multiplier: 0.5,
        };
        assert_eq!(bad.validate().unwrap_err().len(), 3);
    }
}
