//! The [`Cortex`]: the stateful owner of the five organs.

use emp_model::{Bar, MacroEvent, MacroObservation, QuoteTick, TradeTick, UnixNanos};
use emp_telemetry::Snapshot;

use crate::anomaly::AnomalyOrgan;
use crate::bar::{BarData, QuoteBarAggregator};
use crate::config::SensoryConfig;
use crate::error::{Error, Result};
use crate::fusion::{AuditEntry, AuditTrail, fuse};
use crate::how::HowOrgan;
use crate::reading::{Dimension, SensoryReading};
use crate::telemetry::{drift_snapshot, sensory_snapshot};
use crate::what::WhatOrgan;
use crate::when;
use crate::why::{CurveRegime, WhyOrgan};

/// Senses one instrument: feed it market and macro events in time order, then
/// [`read`](Cortex::read) a [`SensoryReading`] whenever a decision is due.
///
/// Updates are O(1) (ticks) or O(window) (bars) and allocate nothing; all buffers are sized
/// from the config at construction. Events it cannot use (a crossed quote, a bar with
/// `high < low`, non-finite values) are skipped and counted in
/// [`rejected_events`](Cortex::rejected_events), never guessed around.
#[derive(Debug, Clone)]
pub struct Cortex {
    config: SensoryConfig,
    what: WhatOrgan,
    how: HowOrgan,
    why: WhyOrgan,
    anomaly: AnomalyOrgan,
    events: Vec<MacroEvent>,
    aggregator: Option<QuoteBarAggregator>,
    trail: AuditTrail,
    bars: u64,
    rejected: u64,
}

impl Cortex {
    /// Builds a cortex from a config that must validate.
    pub fn try_new(config: SensoryConfig) -> Result<Self> {
        config.validate().map_err(Error::InvalidConfig)?;
        Ok(Cortex {
            what: WhatOrgan::new(&config.what),
            how: HowOrgan::new(&config.how),
            why: WhyOrgan::new(&config.why),
            anomaly: AnomalyOrgan::new(&config.anomaly),
            events: Vec::new(),
            aggregator: (config.quote_bar_secs > 0)
                .then(|| QuoteBarAggregator::new(config.quote_bar_secs)),
            trail: AuditTrail::new(config.fusion.audit_len),
            bars: 0,
            rejected: 0,
            config,
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &SensoryConfig {
        &self.config
    }

    /// Feeds a completed bar to WHAT, HOW (volume proxy) and ANOMALY. The first external bar
    /// switches quote-to-bar aggregation off so bars are never counted twice.
    pub fn on_bar(&mut self, bar: &Bar) {
        self.aggregator = None;
        match BarData::from_bar(bar) {
            Some(b) => self.feed_bar(&b),
            None => self.rejected += 1,
        }
    }

    fn feed_bar(&mut self, b: &BarData) {
        self.what.on_bar(b);
        self.how.on_bar(b);
        self.anomaly.on_bar(b);
        self.bars += 1;
    }

    /// Feeds a top-of-book quote to HOW and, when enabled, to the quote-bar aggregator.
    pub fn on_quote(&mut self, quote: &QuoteTick) {
        let Some(mid) = self.how.on_quote(quote) else {
            self.rejected += 1;
            return;
        };
        if let Some(agg) = &mut self.aggregator {
            if let Some(b) = agg.push(quote.ts.as_i64(), mid) {
                self.feed_bar(&b);
            }
        }
    }

    /// Feeds a trade print to HOW.
    pub fn on_trade(&mut self, trade: &TradeTick) {
        self.how.on_trade(trade);
    }

    /// Feeds a macro series observation to WHY (unknown series ids are ignored).
    pub fn on_macro(&mut self, observation: &MacroObservation) {
        self.why.on_observation(observation);
    }

    /// Adds one calendar event (kept sorted by time; used by WHEN and, once released, WHY).
    pub fn on_macro_event(&mut self, event: MacroEvent) {
        let at = self.events.partition_point(|e| e.ts <= event.ts);
        self.events.insert(at, event);
    }

    /// Replaces the event calendar.
    pub fn set_events(&mut self, mut events: Vec<MacroEvent>) {
        events.sort_by_key(|e| e.ts);
        self.events = events;
    }

    /// The event calendar, sorted by time.
    pub fn events(&self) -> &[MacroEvent] {
        &self.events
    }

    /// Computes a reading for `now` without recording it.
    pub fn sense(&self, now: UnixNanos) -> SensoryReading {
        self.sense_with_audit(now).0
    }

    fn sense_with_audit(&self, now: UnixNanos) -> (SensoryReading, AuditEntry) {
        let t = now.as_i64();
        let dimensions = [
            self.what.read(),
            self.how.read(),
            when::read(&self.config.when, t, &self.events),
            self.why.read(t, &self.events),
            self.anomaly.read(),
        ];
        debug_assert!(
            dimensions
                .iter()
                .zip(Dimension::ALL)
                .all(|(r, d)| r.dimension == d)
        );
        let (fused, contributions, timing_gate) = fuse(&self.config.fusion, &dimensions);
        let entry = AuditEntry {
            ts: now,
            fused,
            signals: dimensions.map(|d| d.signal),
            confidences: dimensions.map(|d| d.confidence),
            contributions,
            timing_gate,
        };
        let reading = SensoryReading {
            ts: now,
            dimensions,
            fused,
        };
        (reading, entry)
    }

    /// Computes a reading for `now` and appends it to the audit trail.
    pub fn read(&mut self, now: UnixNanos) -> SensoryReading {
        let (reading, entry) = self.sense_with_audit(now);
        self.trail.push(entry);
        reading
    }

    /// The last `fusion.audit_len` readings.
    pub fn audit(&self) -> &AuditTrail {
        &self.trail
    }

    /// `telemetry.sensory.snapshot` for a fresh reading at `now` (not recorded in the trail).
    pub fn snapshot(&self, now: UnixNanos) -> Snapshot {
        sensory_snapshot(&self.sense(now), now)
    }

    /// `telemetry.sensory.drift` over the audit trail.
    pub fn drift(&self, now: UnixNanos) -> Snapshot {
        drift_snapshot(&self.config.drift, &self.trail, now)
    }

    /// The 2s10s regime at `now`, when a fresh curve is loaded.
    pub fn curve_regime(&self, now: UnixNanos) -> Option<CurveRegime> {
        self.why.regime(now.as_i64())
    }

    /// `10y − 2y` in percentage points at `now`, when a fresh curve is loaded.
    pub fn curve_slope(&self, now: UnixNanos) -> Option<f64> {
        self.why.slope(now.as_i64())
    }

    /// Latest `BAA − AAA` in percentage points, when fresh at `now`.
    pub fn credit_spread(&self, now: UnixNanos) -> Option<f64> {
        self.why.credit_spread(now.as_i64())
    }

    /// ANOMALY's z-scores of the latest bar: `[return, range, volume]`.
    pub fn anomaly_z_scores(&self) -> [Option<f64>; 3] {
        self.anomaly.last_z()
    }

    /// Bars processed (external or aggregated from quotes).
    pub fn bars_processed(&self) -> u64 {
        self.bars
    }

    /// Events skipped because they were unusable.
    pub fn rejected_events(&self) -> u64 {
        self.rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::OrganState;
    use emp_model::{InstrumentId, Price, Quantity, Timeframe};

    fn bar(i: i64, o: f64, h: f64, l: f64, c: f64) -> Bar {
        let p = |x: f64| Price::from_f64(x, 5).unwrap();
        Bar {
            instrument: InstrumentId::try_new("EURUSD").unwrap(),
            timeframe: Timeframe::M1,
            ts_open: UnixNanos::from_secs(1_399_300_000 + i * 60),
            open: p(o),
            high: p(h),
            low: p(l),
            close: p(c),
            volume: Quantity::from_int(100),
        }
    }

    #[test]
    fn invalid_config_is_rejected_with_paths() {
        let mut cfg = SensoryConfig::default();
        cfg.anomaly.window = 0;
        let Err(Error::InvalidConfig(e)) = Cortex::try_new(cfg) else {
            panic!("expected InvalidConfig");
        };
        assert!(e.contains_path("anomaly.window"));
    }

    #[test]
    fn empty_cortex_is_blind_but_bounded() {
        let mut c = Cortex::try_new(SensoryConfig::default()).unwrap();
        let r = c.read(UnixNanos::from_secs(1_399_381_200)); // Tue 2014-05-06 13:00
        for d in [
            Dimension::What,
            Dimension::How,
            Dimension::Why,
            Dimension::Anomaly,
        ] {
            assert_eq!(r.get(d).confidence, 0.0, "{d}");
            assert!(!r.get(d).note.is_empty());
        }
        assert_eq!(r.get(Dimension::When).confidence, 1.0);
        assert_eq!(r.fused.confidence, 0.0);
        assert_eq!(r.fused.signal, 0.0);
        assert_eq!(c.audit().len(), 1);
    }

    #[test]
    fn invalid_bar_is_counted_not_used() {
        let mut c = Cortex::try_new(SensoryConfig::default()).unwrap();
        c.on_bar(&bar(0, 1.1, 1.0, 1.2, 1.1)); // high < low
        assert_eq!((c.rejected_events(), c.bars_processed()), (1, 0));
        c.on_bar(&bar(1, 1.1, 1.2, 1.0, 1.1));
        assert_eq!(c.bars_processed(), 1);
    }

    #[test]
    fn bars_drive_what_and_fusion() {
        let mut c = Cortex::try_new(SensoryConfig::default()).unwrap();
        for i in 0..30 {
            let x = 1.1 + i as f64 * 0.001;
            c.on_bar(&bar(i, x - 0.0008, x, x - 0.001, x));
        }
        let r = c.read(UnixNanos::from_secs(1_399_381_200));
        assert!(r.get(Dimension::What).signal > 0.9);
        assert_eq!(r.get(Dimension::What).state, OrganState::Warn);
        assert!(r.fused.signal > 0.5, "{r:?}");
        let e = c.audit().latest().unwrap();
        assert!((e.contributions.iter().sum::<f64>() - r.fused.signal).abs() < 1e-12);
    }
}
