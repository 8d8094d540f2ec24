//! ANOMALY — z-scores of the latest bar against a rolling window of earlier bars.
//!
//! For each bar, against the previous `anomaly.window` bars (the new bar is scored *before*
//! it joins the window, so an outlier cannot dilute its own score):
//!
//! * `z_ret   = (r − mean(r)) / std(r)` with `r = ln(close / previous close)`;
//! * `z_range = (g − mean(g)) / std(g)` with `g = ln(high / low)`;
//! * `z_vol   = (v − mean(v)) / std(v)` with `v = ln(volume)`, only for bars with volume > 0.
//!
//! `severity = max(|z_ret|, |z_range|, |z_vol|)`; the state is `warn` at `anomaly.warn_z` and
//! `alert` at `anomaly.alert_z`. `signal = clamp(z_ret / alert_z, −1, 1)`: a crash is a
//! strongly negative reading, an ordinary day is near 0.
//! `confidence = min(1, returns in window / window)`; below `anomaly.min_samples` returns it
//! is 0. A flat window (zero variance) yields no z-score for that measure.

use crate::bar::BarData;
use crate::config::AnomalyConfig;
use crate::reading::{Dimension, DimensionReading, Inputs, OrganState};
use crate::rolling::{RollingWindow, z_score};

#[derive(Debug, Clone)]
pub(crate) struct AnomalyOrgan {
    cfg: AnomalyConfig,
    returns: RollingWindow,
    ranges: RollingWindow,
    volumes: RollingWindow,
    prev_close: Option<f64>,
    last: Option<DimensionReading>,
    last_z: [Option<f64>; 3],
}

impl AnomalyOrgan {
    pub(crate) fn new(cfg: &AnomalyConfig) -> Self {
        AnomalyOrgan {
            cfg: cfg.clone(),
            returns: RollingWindow::new(cfg.window),
            ranges: RollingWindow::new(cfg.window),
            volumes: RollingWindow::new(cfg.window),
            prev_close: None,
            last: None,
            last_z: [None; 3],
        }
    }

    pub(crate) fn on_bar(&mut self, bar: &BarData) {
        let min = self.cfg.min_samples;
        let ret = self.prev_close.map(|p| (bar.close / p).ln());
        self.prev_close = Some(bar.close);
        let range = (bar.high / bar.low).ln();
        let vol = (bar.volume > 0.0).then(|| bar.volume.ln());

        let z_ret = ret.and_then(|r| z_score(&self.returns, r, min));
        let z_range = z_score(&self.ranges, range, min);
        let z_vol = vol.and_then(|v| z_score(&self.volumes, v, min));
        if let Some(r) = ret {
            self.returns.push(r);
        }
        self.ranges.push(range);
        if let Some(v) = vol {
            self.volumes.push(v);
        }
        self.last_z = [z_ret, z_range, z_vol];

        if self.returns.len() < min || z_ret.is_none() && z_range.is_none() {
            self.last = None;
            return;
        }
        let abs = |z: Option<f64>| z.map_or(0.0, f64::abs);
        let (a_ret, a_range, a_vol) = (abs(z_ret), abs(z_range), abs(z_vol));
        let severity = a_ret.max(a_range).max(a_vol);
        let state = if severity >= self.cfg.alert_z {
            OrganState::Alert
        } else if severity >= self.cfg.warn_z {
            OrganState::Warn
        } else {
            OrganState::Ok
        };
        let note = if state == OrganState::Ok {
            "normal"
        } else if a_ret >= a_range && a_ret >= a_vol {
            "return outlier"
        } else if a_range >= a_vol {
            "range outlier"
        } else {
            "volume outlier"
        };
        let mut inputs = Inputs::BARS;
        if z_vol.is_some() {
            inputs = inputs.with(Inputs::VOLUME);
        }
        let confidence = self.returns.len() as f64 / self.returns.capacity() as f64;
        let signal = z_ret.unwrap_or(0.0) / self.cfg.alert_z;
        self.last = Some(DimensionReading::new(
            Dimension::Anomaly,
            signal,
            confidence,
            state,
            inputs,
            note,
        ));
    }

    /// `[z_ret, z_range, z_vol]` of the latest bar.
    pub(crate) fn last_z(&self) -> [Option<f64>; 3] {
        self.last_z
    }

    pub(crate) fn read(&self) -> DimensionReading {
        match self.last {
            Some(r) => r,
            None if self.prev_close.is_none() => {
                DimensionReading::missing(Dimension::Anomaly, "no bars yet")
            }
            None => DimensionReading::missing(
                Dimension::Anomaly,
                "fewer returns than anomaly.min_samples (or a flat window)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(close: f64, high: f64, low: f64, volume: f64) -> BarData {
        BarData {
            ts_open: 0,
            open: close,
            high,
            low,
            close,
            volume,
        }
    }

    /// Closes alternating ±1% around 100, ranges 2%, volume 1000.
    fn calm(organ: &mut AnomalyOrgan, n: usize) -> f64 {
        let mut c = 100.0;
        for i in 0..n {
            c *= if i % 2 == 0 { 1.01 } else { 1.0 / 1.01 };
            organ.on_bar(&bar(c, c * 1.01, c * 0.99, 1000.0 + (i % 3) as f64));
        }
        c
    }

    #[test]
    fn five_sigma_return_is_an_alert() {
        let cfg = AnomalyConfig::default();
        let mut a = AnomalyOrgan::new(&cfg);
        let c = calm(&mut a, 60);
        assert_eq!(a.read().state, OrganState::Ok);
        // Window returns are ±ln(1.01) ≈ ±0.00995 alternating, std ≈ 0.01 (mean ≈ 0).
        // A −5σ day: close down by e^{-0.05}.
        let sigma = a.returns.std().unwrap();
        let crash = c * (-5.0 * sigma).exp();
        a.on_bar(&bar(crash, c, crash * 0.999, 1000.0));
        let r = a.read();
        let z = a.last_z()[0].unwrap();
        assert!((z + 5.0).abs() < 0.2, "z = {z}");
        assert_eq!(r.state, OrganState::Alert);
        assert_eq!(r.note, "return outlier");
        assert_eq!(a.last_z()[1], None); // constant ranges: a flat window has no z-score
        assert_eq!(r.signal, -1.0); // z / alert_z = -5/4 clamped
        assert_eq!(r.confidence, 1.0);
    }

    #[test]
    fn warn_between_thresholds_and_volume_outlier_named() {
        let mut a = AnomalyOrgan::new(&AnomalyConfig::default());
        let c = calm(&mut a, 60);
        // Normal return and range but 100× volume: ln-volume z is huge.
        a.on_bar(&bar(c * 1.01, c * 1.015, c * 0.995, 100_000.0));
        let r = a.read();
        assert_eq!(r.note, "volume outlier");
        assert_eq!(r.state, OrganState::Alert);
        assert!(r.inputs.contains(Inputs::VOLUME));
    }

    #[test]
    fn missing_until_min_samples() {
        let mut a = AnomalyOrgan::new(&AnomalyConfig::default());
        assert_eq!(a.read().note, "no bars yet");
        calm(&mut a, 10);
        let r = a.read();
        assert_eq!(r.confidence, 0.0);
        assert!(r.note.contains("min_samples"));
    }
}
