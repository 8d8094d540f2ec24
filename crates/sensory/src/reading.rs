//! What the organs report: [`DimensionReading`], [`FusedSignal`] and [`SensoryReading`].
//!
//! Every type here is `Copy` and holds no heap data, so producing a reading on every tick of
//! a backtest costs no allocation.

use std::fmt;

use emp_model::UnixNanos;
use serde::{Deserialize, Serialize};

/// The five sensory dimensions, in the fixed order used by every array in this crate.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// Price action: breakout, trend, candle pattern.
    What,
    /// Liquidity and participation: spread, flow imbalance, volume.
    How,
    /// Timing: FX sessions, day of week, scheduled macro events.
    When,
    /// Macro: yield curve, credit spread, rate changes, surprises.
    Why,
    /// Statistical outliers in returns, range and volume.
    Anomaly,
}

impl Dimension {
    /// All dimensions in array order.
    pub const ALL: [Dimension; 5] = [
        Dimension::What,
        Dimension::How,
        Dimension::When,
        Dimension::Why,
        Dimension::Anomaly,
    ];

    /// Position in the `[_; 5]` arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name (`"what"`, …), used as telemetry check names.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::What => "what",
            Dimension::How => "how",
            Dimension::When => "when",
            Dimension::Why => "why",
            Dimension::Anomaly => "anomaly",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How alarming an organ finds its own inputs (independent of the signal's direction).
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum OrganState {
    /// Nothing unusual.
    #[default]
    Ok,
    /// Unusual: worth a look (e.g. a breakout, a wide spread, an inverted curve).
    Warn,
    /// Extreme: e.g. a 5-sigma return or a liquidity collapse.
    Alert,
}

impl OrganState {
    /// `"ok"`, `"warn"` or `"alert"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrganState::Ok => "ok",
            OrganState::Warn => "warn",
            OrganState::Alert => "alert",
        }
    }
}

impl fmt::Display for OrganState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A small set of named inputs an organ actually used for a reading (a bit set, `Copy`).
/// Serialises as the list of names, e.g. `["bars","quotes"]`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Inputs(u16);

impl Serialize for Inputs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

const INPUT_NAMES: [&str; 13] = [
    "bars",
    "quotes",
    "trades",
    "quote_sizes",
    "aggressor",
    "bar_volume",
    "session_clock",
    "events",
    "yield_curve",
    "credit_spread",
    "policy_rate",
    "surprises",
    "volume",
];

impl Inputs {
    /// No inputs.
    pub const NONE: Inputs = Inputs(0);
    /// OHLC bars (external or aggregated from quotes).
    pub const BARS: Inputs = Inputs(1 << 0);
    /// Top-of-book quotes.
    pub const QUOTES: Inputs = Inputs(1 << 1);
    /// Trade prints.
    pub const TRADES: Inputs = Inputs(1 << 2);
    /// Non-zero bid/ask sizes on quotes.
    pub const QUOTE_SIZES: Inputs = Inputs(1 << 3);
    /// Aggressor side reported on trades.
    pub const AGGRESSOR: Inputs = Inputs(1 << 4);
    /// Bar volume used as a participation proxy.
    pub const BAR_VOLUME: Inputs = Inputs(1 << 5);
    /// The reading's timestamp (session and weekday).
    pub const SESSION_CLOCK: Inputs = Inputs(1 << 6);
    /// An injected macro-event calendar.
    pub const EVENTS: Inputs = Inputs(1 << 7);
    /// 2-year and 10-year yields.
    pub const YIELD_CURVE: Inputs = Inputs(1 << 8);
    /// BAA and AAA corporate yields.
    pub const CREDIT_SPREAD: Inputs = Inputs(1 << 9);
    /// A policy/short rate series.
    pub const POLICY_RATE: Inputs = Inputs(1 << 10);
    /// Released macro events with actual and forecast.
    pub const SURPRISES: Inputs = Inputs(1 << 11);
    /// Bar volume z-score (ANOMALY).
    pub const VOLUME: Inputs = Inputs(1 << 12);

    /// Union.
    pub const fn with(self, other: Inputs) -> Inputs {
        Inputs(self.0 | other.0)
    }

    /// `true` if every input in `other` is present.
    pub const fn contains(self, other: Inputs) -> bool {
        self.0 & other.0 == other.0
    }

    /// `true` if no input was used.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Names of the inputs in the set, in a fixed order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        INPUT_NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

/// `"bars+quotes"`, or `"none"`.
impl fmt::Display for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, n) in self.names().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            f.write_str(n)?;
        }
        Ok(())
    }
}

/// One organ's reading. Serialises (for logs and reports) but does not deserialise: `note`
/// is a static string chosen by the organ.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct DimensionReading {
    /// Which organ.
    pub dimension: Dimension,
    /// Direction/strength in `[-1, 1]` (0 when confidence is 0).
    pub signal: f64,
    /// Trust in the signal, `[0, 1]`; 0 means "no usable inputs", see `note`.
    pub confidence: f64,
    /// How alarming the inputs are.
    pub state: OrganState,
    /// The inputs actually used.
    pub inputs: Inputs,
    /// Why confidence is 0, or the dominant condition (e.g. `"yield curve inverted"`).
    pub note: &'static str,
}

impl DimensionReading {
    /// A reading for an organ without usable inputs: signal 0, confidence 0, the reason.
    pub const fn missing(dimension: Dimension, reason: &'static str) -> Self {
        DimensionReading {
            dimension,
            signal: 0.0,
            confidence: 0.0,
            state: OrganState::Ok,
            inputs: Inputs::NONE,
            note: reason,
        }
    }

    /// Builds a reading, clamping signal to `[-1, 1]` and confidence to `[0, 1]`; a
    /// non-finite value becomes 0 so no NaN ever leaves an organ.
    pub(crate) fn new(
        dimension: Dimension,
        signal: f64,
        confidence: f64,
        state: OrganState,
        inputs: Inputs,
        note: &'static str,
    ) -> Self {
        DimensionReading {
            dimension,
            signal: clamp_finite(signal, -1.0, 1.0),
            confidence: clamp_finite(confidence, 0.0, 1.0),
            state,
            inputs,
            note,
        }
    }
}

/// Clamp to `[lo, hi]`, mapping NaN and infinities to 0 (then clamped).
pub(crate) fn clamp_finite(x: f64, lo: f64, hi: f64) -> f64 {
    if x.is_finite() {
        x.clamp(lo, hi)
    } else {
        0.0_f64.clamp(lo, hi)
    }
}

/// The confidence-weighted combination of the dimensions.
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FusedSignal {
    /// `[-1, 1]`; positive is bullish for the instrument.
    pub signal: f64,
    /// `[0, 1]`.
    pub confidence: f64,
}

/// Everything the cortex senses at one instant.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct SensoryReading {
    /// The time the reading was taken for.
    pub ts: UnixNanos,
    /// One reading per dimension, indexed by [`Dimension::index`].
    pub dimensions: [DimensionReading; 5],
    /// The fused signal.
    pub fused: FusedSignal,
}

impl SensoryReading {
    /// The reading of one dimension.
    pub fn get(&self, dimension: Dimension) -> &DimensionReading {
        &self.dimensions[dimension.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_display_and_contains() {
        let i = Inputs::BARS.with(Inputs::QUOTES);
        assert_eq!(i.to_string(), "bars+quotes");
        assert!(i.contains(Inputs::BARS));
        assert!(!i.contains(Inputs::TRADES));
        assert_eq!(Inputs::NONE.to_string(), "none");
        assert_eq!(Inputs::VOLUME.names().collect::<Vec<_>>(), ["volume"]);
        assert_eq!(serde_json::to_string(&i).unwrap(), r#"["bars","quotes"]"#);
    }

    #[test]
    fn reading_clamps_and_sanitises() {
        let r = DimensionReading::new(
            Dimension::What,
            f64::NAN,
            7.0,
            OrganState::Ok,
            Inputs::BARS,
            "",
        );
        assert_eq!(r.signal, 0.0);
        assert_eq!(r.confidence, 1.0);
        let r = DimensionReading::new(
            Dimension::What,
            -3.0,
            -1.0,
            OrganState::Ok,
            Inputs::BARS,
            "",
        );
        assert_eq!((r.signal, r.confidence), (-1.0, 0.0));
    }

    #[test]
    fn dimension_order_matches_index() {
        for (i, d) in Dimension::ALL.iter().enumerate() {
            assert_eq!(d.index(), i);
        }
    }
}
