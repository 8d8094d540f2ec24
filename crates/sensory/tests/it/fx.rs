//! HOW, WHEN and WHAT on real OANDA EURUSD ticks and minute bars (May 2014).

use emp_model::UnixNanos;
use emp_sensory::{Cortex, Dimension, Inputs, OrganState, SensoryConfig};

use crate::data;

#[test]
fn ticks_feed_how_and_quote_bars_feed_what_and_anomaly() {
    let ticks = data::eurusd_ticks();
    assert_eq!(ticks.len(), 532_903);
    let mut cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    let mut states = [0usize; 3];
    let mut max_abs_fused: f64 = 0.0;
    for q in &ticks {
        cortex.on_quote(q);
        let r = cortex.read(q.ts);
        states[r.get(Dimension::How).state as usize] += 1;
        max_abs_fused = max_abs_fused.max(r.fused.signal.abs());
    }
    assert_eq!(cortex.rejected_events(), 0);
    // One bar per minute that had at least one tick (the last minute is still open).
    let mut minutes: Vec<i64> = ticks
        .iter()
        .map(|q| q.ts.as_i64() / 60_000_000_000)
        .collect();
    minutes.dedup();
    assert_eq!(cortex.bars_processed(), minutes.len() as u64 - 1);

    let last = ticks.last().unwrap().ts;
    let r = cortex.sense(last);
    let how = r.get(Dimension::How);
    assert!(how.inputs.contains(Inputs::QUOTES));
    assert!(
        !how.inputs.contains(Inputs::QUOTE_SIZES),
        "OANDA ticks have no sizes"
    );
    assert!(how.confidence > 0.0);
    for d in [Dimension::What, Dimension::Anomaly] {
        assert!(r.get(d).confidence > 0.0, "{d}: {:?}", r.get(d));
    }
    assert_eq!(r.get(Dimension::Why).confidence, 0.0);
    // Spreads are mostly normal: warn/alert are the exception, not the rule.
    assert!(states[0] > 9 * (states[1] + states[2]), "{states:?}");
    assert!(
        states[1] + states[2] > 0,
        "real spreads do blow out sometimes"
    );
    assert!(max_abs_fused <= 1.0);
    assert_eq!(cortex.audit().len(), cortex.config().fusion.audit_len);
}

#[test]
fn tick_activity_follows_when_session_intensity() {
    // Real tick counts per UTC hour on weekdays: busiest in the London/New York overlap,
    // quietest in Asia — the ordering WHEN encodes.
    let ticks = data::eurusd_ticks();
    let mut per_hour = [0u64; 24];
    for q in &ticks {
        let (_, _, _, h, _, _, _) = q.ts.to_civil();
        per_hour[h as usize] += 1;
    }
    let overlap: u64 = per_hour[12..16].iter().sum::<u64>() / 4;
    let asia: u64 = per_hour[0..6].iter().sum::<u64>() / 6;
    assert!(overlap > 2 * asia, "overlap {overlap}/h vs asia {asia}/h");

    let cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    let at = |h| UnixNanos::from_civil(2014, 5, 6, h, 0, 0, 0).unwrap();
    let when = |h| cortex.sense(at(h)).get(Dimension::When).signal;
    assert!(when(13) > when(3));
    assert_eq!(
        cortex.sense(at(13)).get(Dimension::When).note,
        "London/New York overlap"
    );
}

#[test]
fn fx_minute_bars_without_volume_leave_how_blind_and_say_why() {
    let bars = data::eurusd_minute_mid_bars();
    assert_eq!(bars.len(), 15_366); // the 13 days of May 2014
    let mut cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    for b in &bars {
        cortex.on_bar(b);
    }
    let r = cortex.sense(bars.last().unwrap().ts_close());
    let how = r.get(Dimension::How);
    assert_eq!(how.confidence, 0.0);
    assert_eq!(how.note, "no quotes, trades or bar volume");
    assert_eq!(how.inputs, Inputs::NONE);
    // WHAT and ANOMALY work from price alone; ANOMALY has no volume z-score.
    assert_eq!(r.get(Dimension::What).confidence, 1.0);
    let anomaly = r.get(Dimension::Anomaly);
    assert!(anomaly.confidence > 0.0);
    assert!(!anomaly.inputs.contains(Inputs::VOLUME));
    assert!(cortex.anomaly_z_scores()[2].is_none());
    assert!(matches!(
        anomaly.state,
        OrganState::Ok | OrganState::Warn | OrganState::Alert
    ));
}
