//! WHAT — price action over the last N bars.
//!
//! On each bar with close `c`, open `o`, high `h`, low `l`, against the *previous* N bars
//! (N = `what.lookback`) with highest high `H` and lowest low `L`:
//!
//! * **breakout** `b = clamp((c − (H+L)/2) / ((H−L)/2), −1, 1)`: +1 at or above the N-bar high,
//!   −1 at or below the N-bar low, 0 mid-range. A close strictly above `H` (below `L`) is a
//!   breakout: state `warn`, or `alert` when it clears the range by more than half its width.
//! * **trend** `t = sign(β) · R²` of the least-squares fit of `ln(close)` on the bar index over
//!   the last N closes (current included): a clean line gives ±1, noise gives ≈ 0.
//! * **pattern** `p = (c − o) / (h − l)` (0 for a flat bar): the candle's body as a share of its
//!   range — a full-bodied up bar is +1, a doji 0.
//! * `signal = (w_b·b + w_t·t + w_p·p) / (w_b + w_t + w_p)`,
//!   `confidence = min(1, bars seen / N)`; below `what.min_bars` bars: confidence 0.
//!
//! Everything is computed when a bar arrives (O(N)); a read is O(1) and returns the state as
//! of the latest bar.

use crate::bar::BarData;
use crate::config::WhatConfig;
use crate::reading::{Dimension, DimensionReading, Inputs, OrganState};
use crate::rolling::RollingWindow;

#[derive(Debug, Clone)]
pub(crate) struct WhatOrgan {
    cfg: WhatConfig,
    highs: RollingWindow,
    lows: RollingWindow,
    log_closes: RollingWindow,
    bars_seen: usize,
    last: Option<DimensionReading>,
}

impl WhatOrgan {
    pub(crate) fn new(cfg: &WhatConfig) -> Self {
        WhatOrgan {
            cfg: cfg.clone(),
            highs: RollingWindow::new(cfg.lookback),
            lows: RollingWindow::new(cfg.lookback),
            log_closes: RollingWindow::new(cfg.lookback),
            bars_seen: 0,
            last: None,
        }
    }

    pub(crate) fn on_bar(&mut self, bar: &BarData) {
        // The range is that of the bars *before* this one: a breakout compares the close
        // with a level that existed when the bar opened.
        let prior = range(&self.highs, &self.lows);
        self.highs.push(bar.high);
        self.lows.push(bar.low);
        self.log_closes.push(bar.close.ln());
        self.bars_seen = self.bars_seen.saturating_add(1);

        let (breakout, state, note) = match prior {
            Some((hi, lo)) => breakout(bar.close, hi, lo),
            None => (0.0, OrganState::Ok, "range"),
        };
        let trend = trend(&self.log_closes);
        let pattern = if bar.high > bar.low {
            (bar.close - bar.open) / (bar.high - bar.low)
        } else {
            0.0
        };
        let (wb, wt, wp) = (
            self.cfg.breakout_weight,
            self.cfg.trend_weight,
            self.cfg.pattern_weight,
        );
        let signal = (wb * breakout + wt * trend + wp * pattern) / (wb + wt + wp);
        let note = if state != OrganState::Ok {
            note
        } else if trend >= 0.5 {
            "uptrend"
        } else if trend <= -0.5 {
            "downtrend"
        } else {
            "range"
        };
        let confidence = (self.bars_seen as f64 / self.cfg.lookback as f64).min(1.0);
        self.last = Some(DimensionReading::new(
            Dimension::What,
            signal,
            confidence,
            state,
            Inputs::BARS,
            note,
        ));
    }

    pub(crate) fn read(&self) -> DimensionReading {
        match self.last {
            None => DimensionReading::missing(Dimension::What, "no bars yet"),
            Some(_) if self.bars_seen < self.cfg.min_bars => {
                DimensionReading::missing(Dimension::What, "fewer bars than what.min_bars")
            }
            Some(r) => r,
        }
    }
}

fn range(highs: &RollingWindow, lows: &RollingWindow) -> Option<(f64, f64)> {
    if highs.len() == 0 {
        return None;
    }
    let hi = highs.iter().fold(f64::NEG_INFINITY, f64::max);
    let lo = lows.iter().fold(f64::INFINITY, f64::min);
    Some((hi, lo))
}

fn breakout(close: f64, hi: f64, lo: f64) -> (f64, OrganState, &'static str) {
    let width = hi - lo;
    let b = if width > 0.0 {
        ((close - (hi + lo) / 2.0) / (width / 2.0)).clamp(-1.0, 1.0)
    } else {
        (close - hi).signum() * f64::from(u8::from(close != hi))
    };
    let excess = if close > hi {
        close - hi
    } else if close < lo {
        lo - close
    } else {
        return (b, OrganState::Ok, "range");
    };
    let state = if width > 0.0 && excess > width / 2.0 {
        OrganState::Alert
    } else {
        OrganState::Warn
    };
    let note = if close > hi {
        "breakout above N-bar high"
    } else {
        "breakout below N-bar low"
    };
    (b, state, note)
}

/// `sign(β)·R²` of `y` regressed on `0..n`; 0 with fewer than 3 points or a flat series.
pub(crate) fn trend(ys: &RollingWindow) -> f64 {
    let n = ys.len();
    if n < 3 {
        return 0.0;
    }
    let nf = n as f64;
    let x_mean = (nf - 1.0) / 2.0;
    let y_mean = ys.sum() / nf;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - x_mean;
        let dy = y - y_mean;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if syy <= 0.0 || sxx <= 0.0 {
        return 0.0;
    }
    let r2 = (sxy * sxy) / (sxx * syy);
    sxy.signum() * r2.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(o: f64, h: f64, l: f64, c: f64) -> BarData {
        BarData {
            ts_open: 0,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: 0.0,
        }
    }

    fn organ(lookback: usize) -> WhatOrgan {
        WhatOrgan::new(&WhatConfig {
            lookback,
            min_bars: 2,
            ..WhatConfig::default()
        })
    }

    #[test]
    fn perfect_uptrend_is_strongly_positive() {
        let mut w = organ(10);
        for i in 0..20 {
            let c = 100.0 + i as f64;
            w.on_bar(&bar(c - 1.0, c, c - 1.0, c));
        }
        let r = w.read();
        // breakout +1 (close = new high above the prior high), trend ≈ +1, pattern +1.
        assert!(r.signal > 0.95, "{r:?}");
        assert_eq!(r.confidence, 1.0);
        assert_eq!(r.state, OrganState::Warn);
        assert_eq!(r.note, "breakout above N-bar high");
    }

    #[test]
    fn breakout_values_are_hand_computed() {
        // Prior range [1.0, 2.0]: mid 1.5, half-width 0.5.
        assert_eq!(breakout(1.75, 2.0, 1.0).0, 0.5);
        assert_eq!(breakout(1.25, 2.0, 1.0), (-0.5, OrganState::Ok, "range"));
        assert_eq!(
            breakout(2.2, 2.0, 1.0),
            (1.0, OrganState::Warn, "breakout above N-bar high")
        );
        assert_eq!(breakout(2.6, 2.0, 1.0).1, OrganState::Alert);
        assert_eq!(
            breakout(0.9, 2.0, 1.0),
            (-1.0, OrganState::Warn, "breakout below N-bar low")
        );
    }

    #[test]
    fn close_inside_range_is_not_a_breakout_and_a_downtrend_is_negative() {
        let mut w = organ(5);
        for c in [10.0, 9.0, 8.0, 7.0, 6.0, 5.0] {
            w.on_bar(&bar(c + 0.5, c + 1.0, c - 1.0, c));
        }
        let r = w.read();
        // Prior 5 bars: H = 10, L = 5; close 5 ≥ L so no breakout: b = (5-7.5)/2.5 = -1.
        // trend: ln closes falling monotonically (R² ≈ 0.99); pattern (5-5.5)/2 = -0.25.
        assert_eq!(r.state, OrganState::Ok);
        assert!(r.signal < -0.8, "{r:?}");
        assert_eq!(r.note, "downtrend");
    }

    #[test]
    fn trend_of_a_line_is_one_and_of_a_zigzag_is_small() {
        let mut w = RollingWindow::new(8);
        for i in 0..8 {
            w.push(i as f64 * 0.5);
        }
        assert!((trend(&w) - 1.0).abs() < 1e-12);
        let mut z = RollingWindow::new(8);
        for i in 0..8 {
            z.push(if i % 2 == 0 { 1.0 } else { -1.0 });
        }
        assert!(trend(&z).abs() < 0.1);
    }

    #[test]
    fn missing_and_warming_up() {
        let mut w = WhatOrgan::new(&WhatConfig::default());
        let r = w.read();
        assert_eq!((r.confidence, r.signal, r.note), (0.0, 0.0, "no bars yet"));
        w.on_bar(&bar(1.0, 1.1, 0.9, 1.05));
        assert_eq!(w.read().confidence, 0.0);
        assert_eq!(w.read().note, "fewer bars than what.min_bars");
    }
}
