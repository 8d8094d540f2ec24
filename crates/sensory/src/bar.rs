//! The organs' view of a bar (f64 analytics) and the quote-to-bar aggregator.

use emp_model::Bar;

/// An OHLCV bar in f64, the form the organs compute with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BarData {
    pub(crate) ts_open: i64,
    pub(crate) open: f64,
    pub(crate) high: f64,
    pub(crate) low: f64,
    pub(crate) close: f64,
    pub(crate) volume: f64,
}

impl BarData {
    /// Converts a model bar; `None` when it is not a usable OHLC bar (non-positive or
    /// non-finite prices, `high < low`), since `Bar`'s fields are public and may bypass
    /// `Bar::validate`.
    pub(crate) fn from_bar(bar: &Bar) -> Option<BarData> {
        let b = BarData {
            ts_open: bar.ts_open.as_i64(),
            open: bar.open.as_f64(),
            high: bar.high.as_f64(),
            low: bar.low.as_f64(),
            close: bar.close.as_f64(),
            volume: bar.volume.as_f64(),
        };
        b.is_usable().then_some(b)
    }

    pub(crate) fn is_usable(&self) -> bool {
        let prices = [self.open, self.high, self.low, self.close];
        prices.iter().all(|p| p.is_finite() && *p > 0.0)
            && self.high >= self.low
            && self.volume.is_finite()
            && self.volume >= 0.0
    }
}

/// Builds fixed-length bars from quote mids; volume is the tick count (FX has no volume).
#[derive(Debug, Clone)]
pub(crate) struct QuoteBarAggregator {
    period: i64,
    current: Option<BarData>,
}

impl QuoteBarAggregator {
    pub(crate) fn new(period_secs: u32) -> Self {
        QuoteBarAggregator {
            period: i64::from(period_secs.max(1)) * 1_000_000_000,
            current: None,
        }
    }

    /// Adds a mid at `ts`; returns the previous bar when this quote opens a new one.
    /// Out-of-order quotes (older than the current bar) are folded into the current bar.
    pub(crate) fn push(&mut self, ts: i64, mid: f64) -> Option<BarData> {
        let bucket = ts.div_euclid(self.period) * self.period;
        match &mut self.current {
            Some(b) if bucket <= b.ts_open => {
                b.high = b.high.max(mid);
                b.low = b.low.min(mid);
                b.close = mid;
                b.volume += 1.0;
                None
            }
            slot => {
                let done = slot.take();
                *slot = Some(BarData {
                    ts_open: bucket,
                    open: mid,
                    high: mid,
                    low: mid,
                    close: mid,
                    volume: 1.0,
                });
                done
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_by_period() {
        let mut a = QuoteBarAggregator::new(60);
        let s = 1_000_000_000;
        assert_eq!(a.push(0, 1.0), None);
        assert_eq!(a.push(10 * s, 1.2), None);
        assert_eq!(a.push(59 * s, 0.9), None);
        let b = a.push(61 * s, 1.1).unwrap();
        assert_eq!(
            (b.ts_open, b.open, b.high, b.low, b.close, b.volume),
            (0, 1.0, 1.2, 0.9, 0.9, 3.0)
        );
        let b = a.push(200 * s, 1.0).unwrap();
        assert_eq!((b.ts_open, b.volume), (60 * s, 1.0));
    }
}
