//! WHAT and ANOMALY on the real S&P 500 daily series (1999–2018).

use emp_model::UnixNanos;
use emp_sensory::{Cortex, Dimension, OrganState, SensoryConfig, SensoryReading};

use crate::data;

fn date(y: i32, m: u8, d: u8) -> UnixNanos {
    UnixNanos::from_date(y, m, d).unwrap()
}

/// Feeds every bar and reads at each bar's close; returns (bar open date, reading).
fn run() -> Vec<(UnixNanos, SensoryReading)> {
    let mut cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    data::sp500()
        .iter()
        .map(|bar| {
            cortex.on_bar(bar);
            (bar.ts_open, cortex.read(bar.ts_close()))
        })
        .collect()
}

fn between(
    rs: &[(UnixNanos, SensoryReading)],
    from: UnixNanos,
    to: UnixNanos,
) -> Vec<&SensoryReading> {
    rs.iter()
        .filter(|(t, _)| *t >= from && *t < to)
        .map(|(_, r)| r)
        .collect()
}

#[test]
fn october_2008_crash_alerts_and_what_is_negative() {
    let rs = run();
    assert_eq!(rs.len(), 5031);
    let oct = between(&rs, date(2008, 10, 1), date(2008, 11, 1));
    assert_eq!(oct.len(), 23);
    let alerts = oct
        .iter()
        .filter(|r| r.get(Dimension::Anomaly).state == OrganState::Alert)
        .count();
    let unusual = oct
        .iter()
        .filter(|r| r.get(Dimension::Anomaly).state >= OrganState::Warn)
        .count();
    eprintln!(
        "Oct 2008: {alerts} ANOMALY alerts, {unusual} warn-or-alert in {} sessions",
        oct.len()
    );
    assert!(unusual >= 3, "{unusual}");
    assert!(alerts >= 1, "no ANOMALY alert in October 2008");
    let what_mean = oct
        .iter()
        .map(|r| r.get(Dimension::What).signal)
        .sum::<f64>()
        / oct.len() as f64;
    eprintln!("Oct 2008: WHAT mean signal {what_mean:.3}");
    assert!(what_mean < -0.3, "WHAT mean in Oct 2008 = {what_mean}");
    // 2008-10-09: the index closed at 909.9, far below its 20-day range: a downside breakout.
    let (_, r) = rs.iter().find(|(t, _)| *t == date(2008, 10, 9)).unwrap();
    let what = r.get(Dimension::What);
    assert_eq!(what.note, "breakout below N-bar low");
    assert!(what.signal < -0.6, "{what:?}");
    assert!(r.fused.signal < 0.0);

    // A calm year for contrast: 2005 has no ANOMALY return alert and WHAT averages near zero.
    let calm = between(&rs, date(2005, 1, 1), date(2006, 1, 1));
    let calm_alerts = calm
        .iter()
        .filter(|r| {
            let a = r.get(Dimension::Anomaly);
            a.state == OrganState::Alert && a.note == "return outlier"
        })
        .count();
    eprintln!(
        "2005: {calm_alerts} ANOMALY return alerts in {} sessions",
        calm.len()
    );
    assert!(calm_alerts <= 1, "{calm_alerts} return alerts in 2005");
    assert!(alerts > calm_alerts);
}

#[test]
fn bull_market_2003_reads_positive() {
    let rs = run();
    let bull = between(&rs, date(2003, 4, 1), date(2004, 1, 1));
    let mean = bull
        .iter()
        .map(|r| r.get(Dimension::What).signal)
        .sum::<f64>()
        / bull.len() as f64;
    assert!(mean > 0.15, "WHAT mean in the 2003 rally = {mean}");
    // HOW uses the real volume as a proxy: capped confidence, labelled inputs.
    let how = bull[100].get(Dimension::How);
    assert!(how.confidence > 0.0 && how.confidence <= 0.5);
    assert!(how.inputs.contains(emp_sensory::Inputs::BAR_VOLUME));
}

#[test]
fn same_inputs_twice_give_identical_readings_and_trails() {
    let a = run();
    let b = run();
    assert_eq!(a, b);
}

#[test]
fn telemetry_snapshot_of_the_crash_reports_the_alert() {
    use emp_telemetry::{Snapshot, Status};
    let mut cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    let mut worst = None;
    for bar in data::sp500() {
        cortex.on_bar(&bar);
        let r = cortex.read(bar.ts_close());
        if bar.ts_open >= date(2008, 10, 1)
            && bar.ts_open < date(2008, 11, 1)
            && r.get(Dimension::Anomaly).state == OrganState::Alert
        {
            worst = Some((r, emp_sensory::sensory_snapshot(&r, bar.ts_close())));
            break;
        }
    }
    let (r, snap) = worst.unwrap();
    assert_eq!(snap.topic(), "telemetry.sensory.snapshot");
    assert_eq!(snap.check("anomaly").unwrap().status, Status::Fail);
    // No macro data: WHY is blind, which the snapshot flags as a warning.
    assert_eq!(snap.check("why").unwrap().status, Status::Warn);
    assert_eq!(snap.status(), Status::Fail);
    let fused = snap.check("fused").unwrap();
    assert_eq!(fused.value, Some(serde_json::json!(r.fused.signal)));
    let back = Snapshot::from_json(snap.to_json()).unwrap();
    assert_eq!(back.status(), Status::Fail);
}
