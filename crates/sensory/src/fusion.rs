//! Fusion: a confidence-weighted vote with an audit trail.
//!
//! With vote weights `W_d` (`fusion.*_weight`) for WHAT, HOW, WHY and ANOMALY, and each
//! organ's signal `s_d` and confidence `c_d`:
//!
//! * `fused.signal = Σ W_d·c_d·s_d / Σ W_d·c_d` (0 when every `W_d·c_d` is 0), so an organ
//!   with confidence 0 contributes nothing, and the result is a convex combination of values
//!   in `[-1, 1]`.
//! * `fused.confidence = (Σ W_d·c_d / Σ W_d) · gate`, where WHEN does not vote but gates:
//!   `gate = floor + (1 − floor)·intensity` with `intensity = (s_when + 1)/2`, or 1 when WHEN
//!   has confidence 0. A closed or quiet market therefore lowers trust, never flips direction.
//! * Each dimension's `contribution = W_d·c_d·s_d / Σ W·c`; contributions sum to the fused
//!   signal (WHEN's is 0; its effect is the recorded `timing_gate`).
//!
//! The [`AuditTrail`] keeps the last `fusion.audit_len` [`AuditEntry`]s in a preallocated ring.

use std::collections::VecDeque;

use emp_model::UnixNanos;
use serde::{Deserialize, Serialize};

use crate::config::FusionConfig;
use crate::reading::{Dimension, DimensionReading, FusedSignal, clamp_finite};

/// One fused reading with every dimension's share of it.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the reading was taken.
    pub ts: UnixNanos,
    /// The fused signal.
    pub fused: FusedSignal,
    /// Each dimension's signal (dimension order).
    pub signals: [f64; 5],
    /// Each dimension's confidence.
    pub confidences: [f64; 5],
    /// Each dimension's contribution to `fused.signal` (they sum to it).
    pub contributions: [f64; 5],
    /// The factor WHEN applied to fused confidence.
    pub timing_gate: f64,
}

/// Fuses five readings. Pure; used by the cortex and usable on recorded readings.
pub fn fuse(config: &FusionConfig, dims: &[DimensionReading; 5]) -> (FusedSignal, [f64; 5], f64) {
    let weights = config.weights();
    let mut wc = [0.0; 5];
    for (i, d) in dims.iter().enumerate() {
        wc[i] = weights[i] * clamp_finite(d.confidence, 0.0, 1.0);
    }
    let total_wc: f64 = wc.iter().sum();
    let total_w: f64 = weights.iter().sum();
    let mut contributions = [0.0; 5];
    if total_wc > 0.0 {
        let inv = 1.0 / total_wc;
        for (i, d) in dims.iter().enumerate() {
            contributions[i] = wc[i] * clamp_finite(d.signal, -1.0, 1.0) * inv;
        }
    }
    let when = &dims[Dimension::When.index()];
    let gate = if when.confidence > 0.0 {
        let intensity = (clamp_finite(when.signal, -1.0, 1.0) + 1.0) / 2.0;
        config.when_gate_floor + (1.0 - config.when_gate_floor) * intensity
    } else {
        1.0
    };
    let signal = contributions.iter().sum::<f64>();
    let confidence = if total_w > 0.0 {
        total_wc / total_w * gate
    } else {
        0.0
    };
    let fused = FusedSignal {
        signal: clamp_finite(signal, -1.0, 1.0),
        confidence: clamp_finite(confidence, 0.0, 1.0),
    };
    (fused, contributions, gate)
}

/// The last N fused readings, oldest first.
#[derive(Debug, Clone)]
pub struct AuditTrail {
    entries: VecDeque<AuditEntry>,
    capacity: usize,
}

impl AuditTrail {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        AuditTrail {
            entries: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    pub(crate) fn push(&mut self, entry: AuditEntry) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// Number of entries (at most the capacity).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` before the first reading.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Maximum number of entries kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &AuditEntry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// The newest entry.
    pub fn latest(&self) -> Option<&AuditEntry> {
        self.entries.back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::{Inputs, OrganState};

    fn dim(d: Dimension, s: f64, c: f64) -> DimensionReading {
        DimensionReading::new(d, s, c, OrganState::Ok, Inputs::BARS, "")
    }

    fn dims(v: [(f64, f64); 5]) -> [DimensionReading; 5] {
        let mut i = 0;
        Dimension::ALL.map(|d| {
            let (s, c) = v[i];
            i += 1;
            dim(d, s, c)
        })
    }

    #[test]
    fn hand_computed_fusion() {
        let cfg = FusionConfig::default(); // W = [1, 1, 0, 1, 0.5], floor 0.5
        let ds = dims([(0.8, 1.0), (-0.4, 0.5), (1.0, 1.0), (0.0, 0.0), (-1.0, 1.0)]);
        let (f, contrib, gate) = fuse(&cfg, &ds);
        // Σ W·c = 1 + 0.5 + 0 + 0 + 0.5 = 2; Σ W·c·s = 0.8 − 0.2 − 0.5 = 0.1.
        assert!((f.signal - 0.05).abs() < 1e-12);
        // confidence = 2 / 3.5 · gate, gate = 0.5 + 0.5·1 = 1.
        assert_eq!(gate, 1.0);
        assert!((f.confidence - 2.0 / 3.5).abs() < 1e-12);
        assert!((contrib.iter().sum::<f64>() - f.signal).abs() < 1e-12);
        assert_eq!(contrib[2], 0.0); // WHEN gates, never votes
        assert_eq!(contrib[3], 0.0); // confidence 0 contributes nothing
    }

    #[test]
    fn zero_confidence_dimension_is_ignored_whatever_its_signal() {
        let cfg = FusionConfig::default();
        let a = fuse(
            &cfg,
            &dims([(0.5, 1.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0)]),
        );
        let b = fuse(
            &cfg,
            &dims([(0.5, 1.0), (-1.0, 0.0), (0.0, 0.0), (1.0, 0.0), (-1.0, 0.0)]),
        );
        assert_eq!(a.0, b.0);
        assert_eq!(a.0.signal, 0.5);
    }

    #[test]
    fn closed_market_halves_confidence_and_nothing_is_zero() {
        let cfg = FusionConfig::default();
        let (f, _, gate) = fuse(
            &cfg,
            &dims([(1.0, 1.0), (1.0, 1.0), (-1.0, 1.0), (1.0, 1.0), (1.0, 1.0)]),
        );
        assert_eq!(gate, 0.5);
        assert_eq!(f.signal, 1.0);
        assert!((f.confidence - 0.5).abs() < 1e-12);
        let (f, _, _) = fuse(&cfg, &dims([(0.0, 0.0); 5]));
        assert_eq!(
            f,
            FusedSignal {
                signal: 0.0,
                confidence: 0.0
            }
        );
    }

    #[test]
    fn trail_keeps_exactly_capacity() {
        let mut t = AuditTrail::new(3);
        for i in 0..10 {
            t.push(AuditEntry {
                ts: UnixNanos::new(i),
                fused: FusedSignal::default(),
                signals: [0.0; 5],
                confidences: [0.0; 5],
                contributions: [0.0; 5],
                timing_gate: 1.0,
            });
        }
        assert_eq!(t.len(), 3);
        let ts: Vec<i64> = t.iter().map(|e| e.ts.as_i64()).collect();
        assert_eq!(ts, [7, 8, 9]);
        assert_eq!(t.latest().unwrap().ts.as_i64(), 9);
    }
}
