//! Tick-to-bar aggregation with Lean's convention, verified against Lean's own minute files:
//! a bar is stamped with the *start* of its interval (intervals aligned to the Unix epoch,
//! i.e. to UTC), covers ticks with `start <= ts < start + timeframe`, and an interval with no
//! ticks produces no bar (no fill-forward). Bid and ask are aggregated separately; a mid bar
//! is the exact midpoint of the bid and ask bars, field by field, as Lean's `QuoteBar` does.

use emp_model::{Bar, InstrumentId, Price, Quantity, QuoteTick, Timeframe, TradeTick, UnixNanos};

use crate::dec::{Dec, common_scale};
use crate::error::{Error, Result};
use crate::options::PriceSide;
use crate::reader::dec_of;

#[derive(Debug, Clone, Copy)]
struct Ohlc {
    open: Price,
    high: Price,
    low: Price,
    close: Price,
}

impl Ohlc {
    fn new(p: Price) -> Self {
        Ohlc {
            open: p,
            high: p,
            low: p,
            close: p,
        }
    }

    fn update(&mut self, p: Price) {
        if p > self.high {
            self.high = p;
        }
        if p < self.low {
            self.low = p;
        }
        self.close = p;
    }

    fn decs(&self) -> [Dec; 4] {
        [
            dec_of(self.open),
            dec_of(self.high),
            dec_of(self.low),
            dec_of(self.close),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Quote,
    Trade,
}

#[derive(Debug, Clone)]
struct Building {
    start: i64,
    kind: Kind,
    /// Bid (quotes) or trade prices.
    first: Ohlc,
    /// Ask (quotes only).
    second: Option<Ohlc>,
    volume: Quantity,
}

/// Builds bars of one timeframe from a time-ordered stream of quotes or trades.
#[derive(Debug)]
pub struct BarAggregator {
    instrument: InstrumentId,
    timeframe: Timeframe,
    side: PriceSide,
    current: Option<Building>,
    last_ts: Option<i64>,
}

impl BarAggregator {
    /// `side` chooses bid, ask or mid bars for quote input; it is ignored for trades.
    pub fn new(instrument: InstrumentId, timeframe: Timeframe, side: PriceSide) -> Self {
        BarAggregator {
            instrument,
            timeframe,
            side,
            current: None,
            last_ts: None,
        }
    }

    pub fn timeframe(&self) -> Timeframe {
        self.timeframe
    }

    fn bucket(&self, ts: i64) -> i64 {
        let len = self.timeframe.as_nanos();
        ts.div_euclid(len) * len
    }

    /// Starts a new bar if `ts` is past the current one; returns the completed bar.
    fn roll(&mut self, ts: UnixNanos, kind: Kind) -> Result<Option<Bar>> {
        let t = ts.as_i64();
        if let Some(last) = self.last_ts {
            if t < last {
                return Err(Error::OutOfOrder {
                    ts,
                    previous: UnixNanos::new(last),
                });
            }
        }
        if let Some(cur) = &self.current {
            if cur.kind != kind {
                return Err(Error::Option {
                    field: "aggregator input",
                    reason: "quotes and trades cannot be mixed in one aggregator".into(),
                });
            }
        }
        self.last_ts = Some(t);
        let start = self.bucket(t);
        match &self.current {
            Some(cur) if cur.start == start => Ok(None),
            Some(_) => self.flush(),
            None => Ok(None),
        }
    }

    /// Adds a quote; returns the previous bar when this quote opens a new interval.
    pub fn push_quote(&mut self, q: &QuoteTick) -> Result<Option<Bar>> {
        let done = self.roll(q.ts, Kind::Quote)?;
        match &mut self.current {
            Some(cur) => {
                cur.first.update(q.bid);
                if let Some(ask) = &mut cur.second {
                    ask.update(q.ask);
                }
            }
            None => {
                self.current = Some(Building {
                    start: self.bucket(q.ts.as_i64()),
                    kind: Kind::Quote,
                    first: Ohlc::new(q.bid),
                    second: Some(Ohlc::new(q.ask)),
                    volume: Quantity::ZERO,
                });
            }
        }
        Ok(done)
    }

    /// Adds a trade (volume is the sum of sizes); returns the previous bar when this trade
    /// opens a new interval.
    pub fn push_trade(&mut self, t: &TradeTick) -> Result<Option<Bar>> {
        let done = self.roll(t.ts, Kind::Trade)?;
        match &mut self.current {
            Some(cur) => {
                cur.first.update(t.price);
                cur.volume = cur
                    .volume
                    .checked_add(t.size)
                    .map_err(|source| Error::Model {
                        context: "bar volume",
                        source,
                    })?;
            }
            None => {
                self.current = Some(Building {
                    start: self.bucket(t.ts.as_i64()),
                    kind: Kind::Trade,
                    first: Ohlc::new(t.price),
                    second: None,
                    volume: t.size,
                });
            }
        }
        Ok(done)
    }

    /// Completes and returns the bar in progress, if any (call at the end of the input).
    pub fn flush(&mut self) -> Result<Option<Bar>> {
        let Some(cur) = self.current.take() else {
            return Ok(None);
        };
        let model = |source| Error::Model {
            context: "aggregated bar",
            source,
        };
        let ohlc = match (cur.kind, self.side, cur.second) {
            (Kind::Trade, _, _) | (Kind::Quote, PriceSide::Bid, _) | (Kind::Quote, _, None) => {
                cur.first
            }
            (Kind::Quote, PriceSide::Ask, Some(ask)) => ask,
            (Kind::Quote, PriceSide::Mid, Some(ask)) => {
                let (b, a) = (cur.first.decs(), ask.decs());
                let mut m = [Dec::ZERO; 4];
                for k in 0..4 {
                    m[k] = Dec::midpoint(b[k], a[k]).ok_or_else(|| Error::Option {
                        field: "price",
                        reason: "mid price out of range".into(),
                    })?;
                }
                common_scale(&mut m).map_err(|reason| Error::Option {
                    field: "price",
                    reason,
                })?;
                let p = |d: Dec| Price::from_raw(d.raw, d.scale).map_err(model);
                Ohlc {
                    open: p(m[0])?,
                    high: p(m[1])?,
                    low: p(m[2])?,
                    close: p(m[3])?,
                }
            }
        };
        Bar::try_new(
            self.instrument.clone(),
            self.timeframe,
            UnixNanos::new(cur.start),
            ohlc.open,
            ohlc.high,
            ohlc.low,
            ohlc.close,
            cur.volume,
        )
        .map(Some)
        .map_err(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(ts_ms: i64, bid: &str, ask: &str) -> QuoteTick {
        QuoteTick {
            instrument: InstrumentId::try_new("EURUSD").unwrap(),
            ts: UnixNanos::from_millis(ts_ms),
            bid: bid.parse().unwrap(),
            ask: ask.parse().unwrap(),
            bid_size: Quantity::ZERO,
            ask_size: Quantity::ZERO,
        }
    }

    fn ohlc(b: &Bar) -> [String; 4] {
        [
            b.open.to_string(),
            b.high.to_string(),
            b.low.to_string(),
            b.close.to_string(),
        ]
    }

    #[test]
    fn minute_bars_bid_ask_mid() {
        let ticks = [
            q(292, "1.38676", "1.38686"),
            q(920, "1.38680", "1.38687"),
            q(59_999, "1.38670", "1.38690"),
            q(60_000, "1.4", "1.5"),
            q(185_000, "1.2", "1.3"),
        ];
        let run = |side| {
            let mut a = BarAggregator::new(
                InstrumentId::try_new("EURUSD").unwrap(),
                Timeframe::M1,
                side,
            );
            let mut bars = Vec::new();
            for t in &ticks {
                bars.extend(a.push_quote(t).unwrap());
            }
            bars.extend(a.flush().unwrap());
            bars
        };
        let bid = run(PriceSide::Bid);
        assert_eq!(bid.len(), 3, "empty minute 2 produces no bar");
        assert_eq!(bid[0].ts_open, UnixNanos::ZERO);
        assert_eq!(bid[2].ts_open, UnixNanos::from_secs(180));
        assert_eq!(ohlc(&bid[0]), ["1.38676", "1.38680", "1.38670", "1.38670"]);
        let ask = run(PriceSide::Ask);
        assert_eq!(ohlc(&ask[0]), ["1.38686", "1.38690", "1.38686", "1.38690"]);
        let mid = run(PriceSide::Mid);
        assert_eq!(ohlc(&mid[0]), ["1.38681", "1.38685", "1.38678", "1.38680"]);
        assert_eq!(ohlc(&mid[1]), ["1.45", "1.45", "1.45", "1.45"]);
    }

    #[test]
    fn trades_sum_volume_and_reject_disorder() {
        let id = InstrumentId::try_new("SPY").unwrap();
        let t = |ms: i64, px: &str, sz: &str| TradeTick {
            instrument: id.clone(),
            ts: UnixNanos::from_millis(ms),
            price: px.parse().unwrap(),
            size: sz.parse().unwrap(),
            aggressor: None,
            trade_id: None,
        };
        let mut a = BarAggregator::new(id.clone(), Timeframe::M5, PriceSide::Mid);
        assert!(a.push_trade(&t(1_000, "10", "5")).unwrap().is_none());
        assert!(a.push_trade(&t(299_999, "11", "7")).unwrap().is_none());
        let bar = a.push_trade(&t(300_000, "9", "1")).unwrap().unwrap();
        assert_eq!(ohlc(&bar), ["10", "11", "10", "11"]);
        assert_eq!(bar.volume.to_string(), "12");
        assert!(matches!(
            a.push_trade(&t(299_000, "9", "1")),
            Err(Error::OutOfOrder { .. })
        ));
        assert!(
            a.push_quote(&q(400_000, "1", "2")).is_err(),
            "mixing kinds is an error"
        );
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any time-ordered quote stream yields consistent, ordered, aligned bars that
        /// together cover every tick.
        #[test]
        fn bars_are_consistent(
            steps in proptest::collection::vec((0i64..200_000, 10_000i64..20_000, 0i64..50), 1..300),
            tf in prop_oneof![Just(Timeframe::M1), Just(Timeframe::M5), Just(Timeframe::H1)],
            side in prop_oneof![Just(PriceSide::Bid), Just(PriceSide::Ask), Just(PriceSide::Mid)],
        ) {
            let id = InstrumentId::try_new("EURUSD").unwrap();
            let mut agg = BarAggregator::new(id.clone(), tf, side);
            let (mut t, mut bars) = (0i64, Vec::new());
            let mut buckets = std::collections::BTreeSet::new();
            for (dt, bid, spread) in steps {
                t += dt;
                let q = QuoteTick {
                    instrument: id.clone(),
                    ts: UnixNanos::from_millis(t),
                    bid: Price::from_raw(bid, 4).unwrap(),
                    ask: Price::from_raw(bid + spread, 4).unwrap(),
                    bid_size: Quantity::ZERO,
                    ask_size: Quantity::ZERO,
                };
                buckets.insert(q.ts.as_i64().div_euclid(tf.as_nanos()));
                bars.extend(agg.push_quote(&q).unwrap());
            }
            bars.extend(agg.flush().unwrap());
            prop_assert_eq!(bars.len(), buckets.len());
            for w in bars.windows(2) {
                prop_assert!(w[0].ts_open < w[1].ts_open);
            }
            for b in &bars {
                prop_assert_eq!(b.ts_open.as_i64() % tf.as_nanos(), 0);
                prop_assert!(b.low <= b.open.min_value(b.close) && b.high >= b.open.max_value(b.close));
            }
        }
    }
}
