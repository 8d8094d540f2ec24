//! WHEN — timing: FX session intensity, day of week, scheduled macro events.
//!
//! For a reading at `now` (UTC):
//!
//! * **Sessions** (half-open hours): Asia `[22, 07)`, London `[07, 16)`, New York `[12, 21)`.
//!   `raw = Σ weight of active sessions`, so the London/New York overlap (12–16) counts both.
//!   `base = raw / max_raw · weekday_factor[Mon..Fri]`, where `max_raw` is the largest `raw`
//!   any hour can reach. The market is closed from Friday 21:00 to Sunday 22:00: `base = 0`.
//! * **Events**: for each injected [`MacroEvent`] within `±when.event_window_minutes` of `now`,
//!   `p = importance_weight · (1 − |now − ts| / window)`; `proximity = max p`.
//! * `intensity = min(1, base + event_boost · proximity)` and `signal = 2·intensity − 1`:
//!   +1 is the busiest, most liquid time, −1 a closed market. WHEN says *when* to act, not which
//!   way, so fusion uses it to scale confidence rather than as a directional vote.
//! * State: `alert` within `event_alert_minutes` of a high-importance event, `warn` within the
//!   window of any medium- or high-importance event. Confidence is 1: the clock is always known
//!   (the calendar is optional and listed in `inputs` when present).

use emp_model::{Importance, MacroEvent, NANOS_PER_SEC};

use crate::config::WhenConfig;
use crate::reading::{Dimension, DimensionReading, Inputs, OrganState};

const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SEC;
const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;

/// Day of week, Monday = 0 … Sunday = 6, and hour of day for a UTC nanosecond timestamp.
pub(crate) fn weekday_hour(ts: i64) -> (u8, u8) {
    let days = ts.div_euclid(NANOS_PER_DAY);
    let hour = ts.rem_euclid(NANOS_PER_DAY) / (3_600 * NANOS_PER_SEC);
    // 1970-01-01 was a Thursday (index 3).
    ((days + 3).rem_euclid(7) as u8, hour as u8)
}

/// Session intensity in `[0, 1]` before events.
pub(crate) fn session_intensity(cfg: &WhenConfig, ts: i64) -> f64 {
    let (wd, h) = weekday_hour(ts);
    let closed = wd == 5 || (wd == 6 && h < 22) || (wd == 4 && h >= 21);
    if closed {
        return 0.0;
    }
    let mut raw = 0.0;
    if !(7..22).contains(&h) {
        raw += cfg.asia_weight;
    }
    if (7..16).contains(&h) {
        raw += cfg.london_weight;
    }
    if (12..21).contains(&h) {
        raw += cfg.new_york_weight;
    }
    // Sunday evening belongs to Monday's Asia session.
    let factor = cfg.weekday_factors[usize::from(if wd == 6 { 0 } else { wd })];
    raw / cfg.max_session_weight() * factor
}

/// Reads the WHEN organ. `events` must be sorted by `ts`.
pub(crate) fn read(cfg: &WhenConfig, now: i64, events: &[MacroEvent]) -> DimensionReading {
    let base = session_intensity(cfg, now);
    let window = i64::from(cfg.event_window_minutes) * NANOS_PER_MINUTE;
    let alert_window = i64::from(cfg.event_alert_minutes) * NANOS_PER_MINUTE;
    let mut proximity: f64 = 0.0;
    let mut state = OrganState::Ok;
    let start = events.partition_point(|e| e.ts.as_i64() < now.saturating_sub(window));
    for e in events[start..]
        .iter()
        .take_while(|e| e.ts.as_i64() <= now.saturating_add(window))
    {
        let dt = (e.ts.as_i64() - now).unsigned_abs() as f64;
        let p = cfg.importance.of(e.importance) * (1.0 - dt / window as f64);
        proximity = proximity.max(p);
        let e_state = match e.importance {
            Importance::High if dt <= alert_window as f64 => OrganState::Alert,
            Importance::High | Importance::Medium => OrganState::Warn,
            Importance::Low => OrganState::Ok,
        };
        state = state.max(e_state);
    }
    let intensity = (base + cfg.event_boost * proximity).min(1.0);
    let mut inputs = Inputs::SESSION_CLOCK;
    if !events.is_empty() {
        inputs = inputs.with(Inputs::EVENTS);
    }
    let note = match state {
        OrganState::Alert => "high-importance event imminent",
        OrganState::Warn => "scheduled macro event near",
        OrganState::Ok if base == 0.0 => "FX market closed (weekend)",
        OrganState::Ok if base >= 0.75 => "London/New York overlap",
        OrganState::Ok if base >= 0.4 => "single major session",
        OrganState::Ok => "quiet session",
    };
    DimensionReading::new(
        Dimension::When,
        2.0 * intensity - 1.0,
        1.0,
        state,
        inputs,
        note,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::{Currency, UnixNanos};

    fn at(y: i32, m: u8, d: u8, h: u8, mi: u8) -> i64 {
        UnixNanos::from_civil(y, m, d, h, mi, 0, 0)
            .unwrap()
            .as_i64()
    }

    fn event(ts: i64, importance: Importance) -> MacroEvent {
        MacroEvent {
            name: "NFP".into(),
            currency: Currency::USD,
            ts: UnixNanos::new(ts),
            actual: None,
            forecast: None,
            previous: None,
            importance,
        }
    }

    #[test]
    fn weekday_is_right() {
        assert_eq!(weekday_hour(at(2014, 5, 5, 13, 0)), (0, 13)); // a Monday
        assert_eq!(weekday_hour(at(2026, 11, 29, 23, 59)), (6, 23)); // a Sunday
        assert_eq!(weekday_hour(at(1969, 12, 31, 0, 0)), (2, 0)); // a Wednesday, before the epoch
    }

    #[test]
    fn session_intensity_table() {
        let cfg = WhenConfig::default(); // Asia 0.5, London 1, NY 1 → max_raw 2; Tue factor 1
        let tue = |h| session_intensity(&cfg, at(2014, 5, 6, h, 30));
        assert_eq!(tue(13), 1.0); // overlap: (1 + 1)/2
        assert_eq!(tue(3), 0.25); // Asia: 0.5/2
        assert_eq!(tue(9), 0.5); // London only
        assert_eq!(tue(18), 0.5); // New York only
        assert_eq!(tue(21), 0.0); // 21:00–22:00: no session
        assert_eq!(tue(23), 0.25); // Asia again
        assert!(tue(13) > tue(3));
        // Monday factor 0.9; weekend closed; Sunday 22:00 opens with Asia at Monday's factor.
        assert!((session_intensity(&cfg, at(2014, 5, 5, 13, 0)) - 0.9).abs() < 1e-12);
        assert_eq!(session_intensity(&cfg, at(2014, 5, 10, 13, 0)), 0.0); // Saturday
        assert_eq!(session_intensity(&cfg, at(2014, 5, 9, 21, 30)), 0.0); // Friday after close
        assert_eq!(session_intensity(&cfg, at(2014, 5, 11, 21, 0)), 0.0); // Sunday before open
        assert!((session_intensity(&cfg, at(2014, 5, 11, 22, 0)) - 0.225).abs() < 1e-12);
    }

    #[test]
    fn reading_signal_and_events() {
        let cfg = WhenConfig::default();
        let now = at(2014, 5, 6, 3, 0);
        let r = read(&cfg, now, &[]);
        assert_eq!(r.signal, -0.5); // 2·0.25 − 1
        assert_eq!(r.confidence, 1.0);
        assert_eq!(r.inputs, Inputs::SESSION_CLOCK);

        // A high-importance event 10 minutes ahead: p = 1·(1 − 10/60); intensity += 0.25·p.
        let evs = [event(now + 10 * NANOS_PER_MINUTE, Importance::High)];
        let r = read(&cfg, now, &evs);
        let expected = 2.0 * (0.25 + 0.25 * (1.0 - 10.0 / 60.0)) - 1.0;
        assert!((r.signal - expected).abs() < 1e-12);
        assert_eq!(r.state, OrganState::Alert);
        assert!(r.inputs.contains(Inputs::EVENTS));

        // 30 minutes after a medium event: warn; 2 hours away: nothing.
        let evs = [event(now - 30 * NANOS_PER_MINUTE, Importance::Medium)];
        assert_eq!(read(&cfg, now, &evs).state, OrganState::Warn);
        let evs = [event(now + 120 * NANOS_PER_MINUTE, Importance::High)];
        let r = read(&cfg, now, &evs);
        assert_eq!((r.state, r.signal), (OrganState::Ok, -0.5));
    }
}
