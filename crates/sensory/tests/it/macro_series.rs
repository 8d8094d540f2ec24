//! WHY on the real Treasury curve (1990–2017) and Moody's AAA/BAA yields (1919–2018).

use emp_model::UnixNanos;
use emp_sensory::{Cortex, CurveRegime, Dimension, Inputs, OrganState, SensoryConfig};

use crate::data;

fn date(y: i32, m: u8, d: u8) -> UnixNanos {
    UnixNanos::from_date(y, m, d).unwrap()
}

#[test]
fn treasury_2s10s_inverts_in_2006_2007_and_is_steep_in_2003() {
    let mut cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    let obs = data::treasury_2s10s();
    let mut days = Vec::new();
    for pair in obs.chunks(2) {
        for o in pair {
            cortex.on_macro(o);
        }
        let now = pair[0].ts;
        if let Some(regime) = cortex.curve_regime(now) {
            days.push((now, regime, cortex.sense(now)));
        }
    }
    assert!(days.len() > 6_700, "{}", days.len());
    let in_range = |from, to| days.iter().filter(move |(t, _, _)| *t >= from && *t < to);

    // Second half of 2006: the 10y sat below the 2y on most days.
    let h2_2006: Vec<_> = in_range(date(2006, 7, 1), date(2007, 1, 1)).collect();
    let inverted = h2_2006
        .iter()
        .filter(|(_, r, _)| *r == CurveRegime::Inverted)
        .count();
    eprintln!(
        "H2 2006: 2s10s inverted on {inverted} of {} days",
        h2_2006.len()
    );
    assert!(
        inverted * 2 > h2_2006.len(),
        "{inverted} of {}",
        h2_2006.len()
    );
    let (_, _, r) = h2_2006
        .iter()
        .find(|(_, regime, _)| *regime == CurveRegime::Inverted)
        .unwrap();
    let why = r.get(Dimension::Why);
    assert_eq!(why.note, "yield curve inverted");
    assert!(why.state >= OrganState::Warn);
    assert!(why.signal < 0.0);
    assert!(why.inputs.contains(Inputs::YIELD_CURVE));

    // Early 2007 (Feb 27: 2y 4.62%, 10y 4.50% in the file) is inverted too.
    let feb07 = in_range(date(2007, 2, 1), date(2007, 3, 1))
        .filter(|(_, r, _)| *r == CurveRegime::Inverted)
        .count();
    assert!(feb07 > 5, "{feb07}");

    // 2003: a steep curve (10y − 2y > 2 pp) reads clearly positive.
    let (_, regime, r) = in_range(date(2003, 6, 2), date(2003, 6, 3)).next().unwrap();
    assert_eq!(*regime, CurveRegime::Normal);
    assert!(
        r.get(Dimension::Why).signal > 0.7,
        "{:?}",
        r.get(Dimension::Why)
    );
    assert_eq!(r.get(Dimension::Why).state, OrganState::Ok);
}

#[test]
fn baa_aaa_spread_widens_in_late_2008() {
    let mut cortex = Cortex::try_new(SensoryConfig::default()).unwrap();
    let mut by_month = Vec::new();
    for pair in data::moody_aaa_baa().chunks(2) {
        for o in pair {
            cortex.on_macro(o);
        }
        let now = pair[0].ts;
        by_month.push((now, cortex.credit_spread(now), cortex.sense(now)));
    }
    let at = |t: UnixNanos| by_month.iter().find(|(m, _, _)| *m == t).unwrap();

    let (_, calm_spread, calm) = at(date(2007, 6, 1));
    assert!(calm_spread.unwrap() < 1.0, "{calm_spread:?}");
    assert_eq!(calm.get(Dimension::Why).state, OrganState::Ok);

    // Nov 2008: BAA 9.21 − AAA 6.12 = 3.09; three months earlier 7.15 − 5.64 = 1.51.
    let (_, spread, r) = at(date(2008, 11, 1));
    assert!((spread.unwrap() - 3.09).abs() < 1e-9);
    let why = r.get(Dimension::Why);
    assert_eq!(why.state, OrganState::Alert);
    assert_eq!(why.note, "credit spreads widening sharply");
    assert!(
        (why.signal + (1.58f64 / 0.5).tanh()).abs() < 1e-9,
        "{why:?}"
    );
    assert!(why.inputs.contains(Inputs::CREDIT_SPREAD));

    // The widening peaks around the turn of the year and then reverses in 2009.
    let (_, dec, _) = at(date(2008, 12, 1));
    assert!(dec.unwrap() > 3.0);
    let (_, later, r) = at(date(2009, 9, 1));
    assert!(later.unwrap() < dec.unwrap());
    assert!(r.get(Dimension::Why).signal > 0.0, "tightening is risk-on");
}
