//! What the simulated venue fills against, and when the market is open.

use emp_model::{Bar, Price, UnixNanos};
use emp_telemetry::Violations;
use serde::{Deserialize, Serialize};

/// What orders fill against.
///
/// # Fill modes
///
/// * [`FillMode::Quotes`]: buys trade at the ask, sells at the bid. An order arriving at
///   the venue meets the quote standing at its arrival time; resting orders are checked on
///   every new quote. Size cap: `participation × ask_size` (buys) / `bid_size` (sells);
///   a size of zero means "unknown" (FX feeds) and does not cap.
/// * [`FillMode::BarOpen`]: each bar is a single price, its open; an order live before
///   `ts_open` trades there (bid = ask = open).
/// * [`FillMode::BarPath`]: each bar is walked as four prices. Convention: an **up bar**
///   (`close ≥ open`) goes **O → L → H → C**, a **down bar** goes **O → H → L → C** (the
///   market is assumed to visit the far extreme first, which is the pessimistic order for
///   a resting order on the trend side). At the open a triggered order trades at the open
///   (a gap); at a later point a limit trades at its limit and a stop at its stop price
///   (plus slippage), since the path passed through that price. An order fills at most
///   once per bar, capped by `participation × bar volume` (zero volume = no cap); the rest
///   waits for the next bar. Fills at the open are stamped `ts_open`, intra-bar fills
///   `ts_close`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FillMode {
    /// Bid/ask quotes.
    #[default]
    Quotes,
    /// The next bar's open.
    BarOpen,
    /// The next bar's OHLC path (see the module doc for the convention).
    BarPath,
}

/// The four path prices of a bar under the documented convention.
pub(crate) fn bar_path(bar: &Bar) -> [Price; 4] {
    if bar.close >= bar.open {
        [bar.open, bar.low, bar.high, bar.close]
    } else {
        [bar.open, bar.high, bar.low, bar.close]
    }
}

/// Trading hours: a daily UTC window `[open_secs, close_secs)` on every weekday not in
/// `closed_weekdays` (0 = Monday … 6 = Sunday). The default is always open.
/// DAY orders expire at the session close of the day they became live
/// (midnight UTC when `close_secs` = 86 400).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionCalendar {
    /// Weekdays with no session (0 = Monday).
    pub closed_weekdays: Vec<u8>,
    /// Session open, seconds after midnight UTC.
    pub open_secs: u32,
    /// Session close, seconds after midnight UTC (≤ 86 400).
    pub close_secs: u32,
}

impl Default for SessionCalendar {
    fn default() -> Self {
        SessionCalendar {
            closed_weekdays: Vec::new(),
            open_secs: 0,
            close_secs: 86_400,
        }
    }
}

const DAY: i64 = 86_400;
const NS: i64 = 1_000_000_000;

impl SessionCalendar {
    pub(crate) fn check(&self, prefix: &str, v: &mut Violations) {
        v.check(
            self.closed_weekdays.iter().all(|d| *d <= 6),
            format!("{prefix}.closed_weekdays"),
            format!("days must be 0..=6, got {:?}", self.closed_weekdays),
        );
        v.check(
            self.open_secs < self.close_secs && self.close_secs <= 86_400,
            format!("{prefix}.close_secs"),
            format!(
                "need open_secs < close_secs <= 86400, got {}..{}",
                self.open_secs, self.close_secs
            ),
        );
    }

    /// Whether the market is open at `ts`.
    pub fn is_open(&self, ts: UnixNanos) -> bool {
        let secs = ts.as_i64().div_euclid(NS);
        let day = secs.div_euclid(DAY);
        // 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
        let weekday = (day + 3).rem_euclid(7) as u8;
        let sod = secs.rem_euclid(DAY) as u32;
        !self.closed_weekdays.contains(&weekday) && sod >= self.open_secs && sod < self.close_secs
    }

    /// When a DAY order that became live at `ts` expires: the next session close.
    pub fn day_end(&self, ts: UnixNanos) -> UnixNanos {
        let secs = ts.as_i64().div_euclid(NS);
        let day_start = secs.div_euclid(DAY) * DAY;
        let mut close = day_start + i64::from(self.close_secs);
        if close <= secs {
            close += DAY;
        }
        UnixNanos::new(close.saturating_mul(NS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::{InstrumentId, Quantity, Timeframe};

    #[test]
    fn path_convention() {
        let p = |s: &str| -> Price { s.parse().unwrap() };
        let bar = |o, h, l, c| {
            Bar::try_new(
                InstrumentId::try_new("X").unwrap(),
                Timeframe::M1,
                UnixNanos::ZERO,
                p(o),
                p(h),
                p(l),
                p(c),
                Quantity::ZERO,
            )
            .unwrap()
        };
        assert_eq!(
            bar_path(&bar("10", "12", "9", "11")),
            [p("10"), p("9"), p("12"), p("11")]
        );
        assert_eq!(
            bar_path(&bar("10", "12", "9", "9.5")),
            [p("10"), p("12"), p("9"), p("9.5")]
        );
    }

    #[test]
    fn session_calendar() {
        // Mon–Fri 08:00–16:30 UTC.
        let cal = SessionCalendar {
            closed_weekdays: vec![5, 6],
            open_secs: 8 * 3600,
            close_secs: 16 * 3600 + 1800,
        };
        let at = |d, h, m| UnixNanos::from_civil(2024, 1, d, h, m, 0, 0).unwrap();
        // 2024-01-01 is a Monday.
        assert!(cal.is_open(at(1, 8, 0)));
        assert!(!cal.is_open(at(1, 7, 59)));
        assert!(!cal.is_open(at(1, 16, 30)));
        assert!(!cal.is_open(at(6, 12, 0))); // Saturday
        assert_eq!(cal.day_end(at(1, 9, 0)), at(1, 16, 30));
        assert_eq!(cal.day_end(at(1, 17, 0)), at(2, 16, 30));
        let always = SessionCalendar::default();
        assert!(always.is_open(at(6, 3, 0)));
        assert_eq!(always.day_end(at(1, 9, 0)), at(2, 0, 0));
    }
}
