//! Latency model: every command reaches the venue `fixed + U[0, jitter]` nanoseconds after
//! it was sent; the jitter comes from a ChaCha8 RNG seeded from config, so a run is
//! reproducible.

use emp_telemetry::Violations;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Latency (raw config).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LatencyConfig {
    /// Fixed one-way latency, nanoseconds.
    pub fixed_nanos: i64,
    /// Maximum extra uniform jitter, nanoseconds (0 = none).
    pub jitter_nanos: i64,
    /// Seed of the jitter RNG.
    pub seed: u64,
}

impl Default for LatencyConfig {
    fn default() -> Self {
        LatencyConfig {
            fixed_nanos: 0,
            jitter_nanos: 0,
            seed: 7,
        }
    }
}

impl LatencyConfig {
    pub(crate) fn check(&self, prefix: &str, v: &mut Violations) {
        v.check(
            self.fixed_nanos >= 0,
            format!("{prefix}.fixed_nanos"),
            format!("must be >= 0, got {}", self.fixed_nanos),
        );
        v.check(
            self.jitter_nanos >= 0,
            format!("{prefix}.jitter_nanos"),
            format!("must be >= 0, got {}", self.jitter_nanos),
        );
    }
}

#[derive(Clone, Debug)]
pub(crate) struct LatencyModel {
    fixed: i64,
    jitter: i64,
    rng: ChaCha8Rng,
}

impl LatencyModel {
    pub(crate) fn new(c: &LatencyConfig) -> Self {
        LatencyModel {
            fixed: c.fixed_nanos,
            jitter: c.jitter_nanos,
            rng: ChaCha8Rng::seed_from_u64(c.seed),
        }
    }

    /// The next command's latency in nanoseconds.
    pub(crate) fn draw(&mut self) -> i64 {
        if self.jitter == 0 {
            self.fixed
        } else {
            self.fixed + self.rng.random_range(0..=self.jitter)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_jitter_is_reproducible_and_bounded() {
        let c = LatencyConfig {
            fixed_nanos: 1_000,
            jitter_nanos: 500,
            seed: 42,
        };
        let (mut a, mut b) = (LatencyModel::new(&c), LatencyModel::new(&c));
        let xs: Vec<i64> = (0..100).map(|_| a.draw()).collect();
        let ys: Vec<i64> = (0..100).map(|_| b.draw()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| (1_000..=1_500).contains(x)));
        assert!(xs.iter().any(|x| *x != xs[0]), "jitter should vary");
    }
}
