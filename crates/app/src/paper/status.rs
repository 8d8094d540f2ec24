//! What the paper run is doing, as `/health`, `/metrics` and the summary report it.

use emp_engine::{CancelReport, Engine};
use emp_model::UnixNanos;
use emp_telemetry::Status as Level;
use serde_json::{Value, json};

use crate::config::FreshnessPolicy;

/// The lifecycle of the replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// Reading bars from the store.
    Loading,
    /// Events are being replayed.
    Replaying,
    /// The data ended and `paper.at_end` is `idle`.
    Finished,
    /// Nothing to replay; the reason says what to do.
    NoData(String),
    /// The engine or the store failed; the reason says how.
    Failed(String),
    /// `paper.enabled: false`.
    Disabled,
    /// Stopped by the shutdown sequence.
    Stopped,
}

impl State {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            State::Loading => "loading",
            State::Replaying => "replaying",
            State::Finished => "finished",
            State::NoData(_) => "no_data",
            State::Failed(_) => "failed",
            State::Disabled => "disabled",
            State::Stopped => "stopped",
        }
    }
}

/// Counters of one or more replay cycles.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Counters {
    pub(crate) events: u64,
    pub(crate) intents: u64,
    pub(crate) withheld: u64,
    pub(crate) rejected: u64,
    pub(crate) orders: u64,
    pub(crate) fills: u64,
    pub(crate) closed_trades: u64,
}

impl Counters {
    pub(crate) fn of(engine: &Engine) -> Self {
        Counters {
            events: engine.events(),
            intents: engine.intents_emitted(),
            withheld: engine.intents_withheld(),
            rejected: engine.intents_rejected(),
            orders: engine.orders_sent(),
            fills: engine.fills(),
            closed_trades: engine.trades().len() as u64,
        }
    }

    pub(crate) fn plus(self, o: Counters) -> Counters {
        Counters {
            events: self.events + o.events,
            intents: self.intents + o.intents,
            withheld: self.withheld + o.withheld,
            rejected: self.rejected + o.rejected,
            orders: self.orders + o.orders,
            fills: self.fills + o.fills,
            closed_trades: self.closed_trades + o.closed_trades,
        }
    }
}

/// Mutable status, behind the paper handle's lock (never held across an await).
#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub(crate) state: State,
    /// Completed cycles (loop mode) and their totals.
    pub(crate) cycles_done: u64,
    pub(crate) previous: Counters,
    /// The current cycle.
    pub(crate) current: Counters,
    pub(crate) bars: usize,
    pub(crate) data_first: Option<UnixNanos>,
    pub(crate) data_last: Option<UnixNanos>,
    /// Simulated time of the latest event.
    pub(crate) sim_time: Option<UnixNanos>,
    pub(crate) equity: Option<f64>,
    pub(crate) open_orders: usize,
    /// Wall times: the latest event taken from the replay, the latest completed decision,
    /// and when the next event is due (the replay's schedule).
    pub(crate) last_event_at: Option<UnixNanos>,
    pub(crate) last_decision_at: Option<UnixNanos>,
    pub(crate) next_due_at: Option<UnixNanos>,
    pub(crate) finished_at: Option<UnixNanos>,
    /// Wall seconds the first cycle's replay took, for an events/s figure.
    pub(crate) first_cycle_secs: Option<f64>,
    pub(crate) shutdown_cancel: Option<CancelReport>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            state: State::Loading,
            cycles_done: 0,
            previous: Counters::default(),
            current: Counters::default(),
            bars: 0,
            data_first: None,
            data_last: None,
            sim_time: None,
            equity: None,
            open_orders: 0,
            last_event_at: None,
            last_decision_at: None,
            next_due_at: None,
            finished_at: None,
            first_cycle_secs: None,
            shutdown_cancel: None,
        }
    }
}

fn secs(nanos: i64) -> f64 {
    nanos.max(0) as f64 / 1e9
}

/// Grade `overdue` seconds against warn/fail thresholds.
fn grade(overdue: f64, warn: f64, fail: f64) -> Level {
    if overdue > fail {
        Level::Fail
    } else if overdue > warn {
        Level::Warn
    } else {
        Level::Ok
    }
}

impl Status {
    pub(crate) fn totals(&self) -> Counters {
        self.previous.plus(self.current)
    }

    /// How late the next event is past its scheduled time, in seconds (0 when on time).
    fn market_overdue(&self, now: UnixNanos) -> f64 {
        match (self.next_due_at, self.last_event_at) {
            (Some(due), Some(last)) if due > last => secs(now.saturating_sub(due)),
            (_, Some(last)) => secs(now.saturating_sub(last)),
            (Some(due), None) => secs(now.saturating_sub(due)),
            (None, None) => 0.0,
        }
    }

    /// How late the decision on the latest event is (0 when it was made).
    fn decision_overdue(&self, now: UnixNanos) -> f64 {
        match (self.last_event_at, self.last_decision_at) {
            (Some(e), Some(d)) if d >= e => self.market_overdue(now),
            (Some(e), _) => secs(now.saturating_sub(e)),
            (None, _) => self.market_overdue(now),
        }
    }

    /// `/health` checks: `market_data` and `decisions` (freshness), `trading` (state).
    pub(crate) fn health_checks(
        &self,
        headline: &str,
        policy: &FreshnessPolicy,
        now: UnixNanos,
    ) -> Vec<(Level, Value)> {
        let age = |t: Option<UnixNanos>| t.map(|t| secs(now.saturating_sub(t)));
        let (market, decision, market_summary, decision_summary) = match &self.state {
            State::Replaying => {
                let m = self.market_overdue(now);
                let d = self.decision_overdue(now);
                let ms = match age(self.last_event_at) {
                    Some(a) if m > 0.0 => {
                        format!("last event {a:.2} s ago, {m:.2} s past its schedule")
                    }
                    Some(a) => format!("last event {a:.2} s ago, on schedule"),
                    None => "waiting for the first event".to_owned(),
                };
                let ds = match age(self.last_decision_at) {
                    Some(a) => format!("last strategy decision {a:.2} s ago"),
                    None => "no decision yet".to_owned(),
                };
                (
                    grade(
                        m,
                        policy.market_data_warn_secs,
                        policy.market_data_fail_secs,
                    ),
                    grade(d, policy.decision_warn_secs, policy.decision_fail_secs),
                    ms,
                    ds,
                )
            }
            State::Loading => (
                Level::Ok,
                Level::Ok,
                "loading bars from the store".to_owned(),
                "no decision yet".to_owned(),
            ),
            State::Finished => {
                let a = age(self.finished_at).unwrap_or(0.0);
                let s = format!(
                    "replay finished {a:.1} s ago; idle by configuration (paper.at_end: idle)"
                );
                (Level::Ok, Level::Ok, s.clone(), s)
            }
            State::NoData(reason) => (
                Level::Warn,
                Level::Warn,
                format!("no market data: {reason}"),
                "no decisions: nothing to replay".to_owned(),
            ),
            State::Failed(reason) => (
                Level::Fail,
                Level::Fail,
                format!("replay failed: {reason}"),
                format!("replay failed: {reason}"),
            ),
            State::Disabled => (
                Level::Ok,
                Level::Ok,
                "paper replay disabled (paper.enabled: false)".to_owned(),
                "paper replay disabled (paper.enabled: false)".to_owned(),
            ),
            State::Stopped => (
                Level::Ok,
                Level::Ok,
                "replay stopped by shutdown".to_owned(),
                "replay stopped by shutdown".to_owned(),
            ),
        };
        let trading = match &self.state {
            State::NoData(_) => Level::Warn,
            State::Failed(_) => Level::Fail,
            _ => Level::Ok,
        };
        let t = self.totals();
        vec![
            (
                market,
                json!({
                    "name": "market_data",
                    "status": market,
                    "summary": market_summary,
                    "metadata": {
                        "age_seconds": age(self.last_event_at),
                        "overdue_seconds": self.market_overdue(now),
                        "last_event_time": self.sim_time.map(|t| t.to_rfc3339()),
                        "events": t.events,
                        "warn_secs": policy.market_data_warn_secs,
                        "fail_secs": policy.market_data_fail_secs,
                    },
                }),
            ),
            (
                decision,
                json!({
                    "name": "decisions",
                    "status": decision,
                    "summary": decision_summary,
                    "metadata": {
                        "age_seconds": age(self.last_decision_at),
                        "overdue_seconds": self.decision_overdue(now),
                        "decisions": t.events,
                        "intents": t.intents,
                        "warn_secs": policy.decision_warn_secs,
                        "fail_secs": policy.decision_fail_secs,
                    },
                }),
            ),
            (
                trading,
                json!({
                    "name": "trading",
                    "status": trading,
                    "summary": headline,
                    "metadata": {
                        "state": self.state.as_str(),
                        "orders": t.orders,
                        "fills": t.fills,
                        "open_orders": self.open_orders,
                        "equity": self.equity,
                    },
                }),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: f64) -> UnixNanos {
        UnixNanos::new((s * 1e9) as i64)
    }

    fn levels(s: &Status, now: f64) -> Vec<(String, Level)> {
        s.health_checks("h", &FreshnessPolicy::default(), t(now))
            .into_iter()
            .map(|(l, v)| (v["name"].as_str().unwrap().to_owned(), l))
            .collect()
    }

    #[test]
    fn freshness_is_graded_past_the_schedule() {
        let mut s = Status {
            state: State::Replaying,
            last_event_at: Some(t(100.0)),
            last_decision_at: Some(t(100.0)),
            // Slow replay: the next event is due 60 s after the last one.
            next_due_at: Some(t(160.0)),
            ..Status::default()
        };
        // 50 s since the last event, but not yet due: fresh.
        assert!(levels(&s, 150.0).iter().all(|(_, l)| *l == Level::Ok));
        // 10 s past due: warn (5 s); 40 s past due: fail (30 s).
        assert_eq!(levels(&s, 170.0)[0].1, Level::Warn);
        assert_eq!(levels(&s, 200.0)[0].1, Level::Fail);
        assert_eq!(levels(&s, 200.0)[1].1, Level::Fail);
        // An event without its decision: the decision is late from the event on.
        s.next_due_at = Some(t(100.0));
        s.last_event_at = Some(t(110.0));
        s.last_decision_at = Some(t(100.0));
        let l = levels(&s, 117.0);
        assert_eq!((l[0].1, l[1].1), (Level::Warn, Level::Warn));
        s.last_decision_at = Some(t(110.0));
        assert_eq!(levels(&s, 111.0)[1].1, Level::Ok);
    }

    #[test]
    fn states_grade_the_trading_check() {
        let mut s = Status {
            state: State::NoData("import first".into()),
            ..Status::default()
        };
        let checks = s.health_checks("h", &FreshnessPolicy::default(), t(1.0));
        assert_eq!(checks[2].0, Level::Warn);
        assert!(
            checks[0].1["summary"]
                .as_str()
                .unwrap()
                .contains("import first")
        );
        s.state = State::Failed("boom".into());
        assert!(levels(&s, 1.0).iter().all(|(_, l)| *l == Level::Fail));
        s.state = State::Finished;
        s.finished_at = Some(t(1.0));
        assert!(levels(&s, 1000.0).iter().all(|(_, l)| *l == Level::Ok));
    }
}
