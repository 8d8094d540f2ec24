//! Dukascopy delta-encoded JSON ticks (dukascopy-node's hourly tick documents).
//!
//! `{timestamp, multiplier, ask, bid, times[], asks[], bids[], askVolumes[], bidVolumes[]}`:
//! `times` are millisecond deltas from the hour start, `asks`/`bids` integer deltas in units of
//! `multiplier` from the base prices. The cumulative sums are computed in integers, so prices
//! are exact. The document is one JSON value, so it is parsed whole; memory is bounded by one
//! hour of ticks (the unit Dukascopy publishes), not by the size of a multi-file import.
//! Quarantine records name the tick's 1-based index as the "line".

use serde::Deserialize;

use crate::dec::{Dec, MAX_SCALE};
use crate::error::RowFault;
use crate::row::{RawQuote, RawRecord};
use crate::time::NANOS_PER_MILLI;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    timestamp: i64,
    multiplier: f64,
    ask: f64,
    bid: f64,
    times: Vec<i64>,
    asks: Vec<i64>,
    bids: Vec<i64>,
    #[serde(default)]
    ask_volumes: Vec<f64>,
    #[serde(default)]
    bid_volumes: Vec<f64>,
}

/// Yields `(index, raw text, record or fault)` per tick.
pub(crate) struct DukascopyTicks {
    doc: Document,
    scale: u8,
    i: usize,
    t: i64,
    ask: i64,
    bid: i64,
    broken: bool,
}

fn volume(v: Option<&f64>) -> Result<Dec, String> {
    match v {
        None => Ok(Dec::ZERO),
        Some(v) if v.is_finite() && *v >= 0.0 => {
            // `{}` prints the shortest decimal that round-trips, e.g. 1800000 or 0.9.
            Dec::parse(&format!("{v}"))
        }
        Some(v) => Err(format!("invalid volume {v}")),
    }
}

impl DukascopyTicks {
    /// Checks the document's shape; an error here means the file is unusable.
    pub(crate) fn new(doc: Document) -> Result<Self, String> {
        let n = doc.times.len();
        if doc.asks.len() != n || doc.bids.len() != n {
            return Err(format!(
                "arrays differ in length: times {n}, asks {}, bids {}",
                doc.asks.len(),
                doc.bids.len()
            ));
        }
        // multiplier must be 10^-k: it fixes the price precision.
        let k = -doc.multiplier.log10();
        let scale = k.round();
        if !(0.0..=f64::from(MAX_SCALE)).contains(&scale) || (k - scale).abs() > 1e-9 {
            return Err(format!(
                "multiplier {} is not a power of ten",
                doc.multiplier
            ));
        }
        let scale = scale as u8;
        let base = |p: f64| -> Result<i64, String> {
            let raw = (p / doc.multiplier).round();
            if !raw.is_finite()
                || (raw * doc.multiplier - p).abs() > doc.multiplier / 1000.0
                || raw.abs() > 1e15
            {
                return Err(format!(
                    "base price {p} is not a multiple of {}",
                    doc.multiplier
                ));
            }
            Ok(raw as i64)
        };
        let (ask, bid) = (base(doc.ask)?, base(doc.bid)?);
        let t = doc.timestamp;
        Ok(DukascopyTicks {
            doc,
            scale,
            i: 0,
            t,
            ask,
            bid,
            broken: false,
        })
    }

    fn raw_text(&self, i: usize) -> String {
        format!(
            "{{\"time\":{},\"ask\":{},\"bid\":{},\"askVolume\":{:?},\"bidVolume\":{:?}}}",
            self.doc.times[i],
            self.doc.asks[i],
            self.doc.bids[i],
            self.doc.ask_volumes.get(i),
            self.doc.bid_volumes.get(i)
        )
    }
}

impl Iterator for DukascopyTicks {
    type Item = (u64, String, Result<RawRecord, RowFault>);

    fn next(&mut self) -> Option<Self::Item> {
        let i = self.i;
        if i >= self.doc.times.len() || self.broken {
            return None;
        }
        self.i += 1;
        let line = i as u64 + 1;
        // Deltas accumulate: an overflow corrupts every later tick, so it ends the stream
        // (the remaining count is reported by the reader as quarantined).
        let step = self
            .t
            .checked_add(self.doc.times[i])
            .zip(self.ask.checked_add(self.doc.asks[i]))
            .zip(self.bid.checked_add(self.doc.bids[i]));
        let Some(((t, ask), bid)) = step else {
            self.broken = true;
            return Some((
                line,
                self.raw_text(i),
                Err(RowFault::row(
                    "delta overflow; later ticks cannot be decoded",
                )),
            ));
        };
        (self.t, self.ask, self.bid) = (t, ask, bid);
        let rec = (|| {
            if self.doc.times[i] < 0 {
                return Err(RowFault::at(1, "negative time delta"));
            }
            let ts = t
                .checked_mul(NANOS_PER_MILLI)
                .ok_or_else(|| RowFault::at(1, "time out of range"))?;
            Ok(RawRecord::Quote(RawQuote {
                ts,
                ask: Dec::new(ask, self.scale),
                bid: Dec::new(bid, self.scale),
                ask_size: volume(self.doc.ask_volumes.get(i)).map_err(|e| RowFault::at(4, e))?,
                bid_size: volume(self.doc.bid_volumes.get(i)).map_err(|e| RowFault::at(5, e))?,
            }))
        })();
        Some((line, self.raw_text(i), rec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> Result<DukascopyTicks, String> {
        DukascopyTicks::new(serde_json::from_str(json).map_err(|e| e.to_string())?)
    }

    #[test]
    fn decodes_deltas_exactly() {
        let d = doc(r#"{"timestamp":1783944000000,"multiplier":1.0E-5,"ask":1.14277,"bid":1.14273,
            "times":[93,104],"asks":[0,-2],"bids":[0,1],"askVolumes":[1800000.0,900000.0],"bidVolumes":[2700000.0,0.9]}"#)
        .unwrap();
        let got: Vec<_> = d.map(|(line, _, r)| (line, r.unwrap())).collect();
        let q = |ts: i64, ask: i64, bid: i64, asz: &str, bsz: &str| {
            RawRecord::Quote(RawQuote {
                ts: ts * NANOS_PER_MILLI,
                ask: Dec::new(ask, 5),
                bid: Dec::new(bid, 5),
                ask_size: Dec::parse(asz).unwrap(),
                bid_size: Dec::parse(bsz).unwrap(),
            })
        };
        assert_eq!(
            got,
            vec![
                (1, q(1783944000093, 114277, 114273, "1800000", "2700000")),
                (2, q(1783944000197, 114275, 114274, "900000", "0.9")),
            ]
        );
    }

    #[test]
    fn rejects_bad_documents() {
        let bad = [
            r#"{"timestamp":0,"multiplier":1e-5,"ask":1.1,"bid":1.1,"times":[1],"asks":[],"bids":[0]}"#,
            r#"{"timestamp":0,"multiplier":3e-5,"ask":1.1,"bid":1.1,"times":[],"asks":[],"bids":[]}"#,
            r#"{"timestamp":0,"multiplier":1e-5,"ask":1.123456,"bid":1.1,"times":[],"asks":[],"bids":[]}"#,
            r#"{"timestamp":0,"multiplier":1e-5,"ask":1.1,"bid":1.1,"times":[],"asks":[]}"#,
        ];
        for b in bad {
            assert!(doc(b).is_err(), "{b}");
        }
        let mut d = doc(r#"{"timestamp":0,"multiplier":1e-3,"ask":86.7,"bid":86.6,"times":[5,-1],"asks":[0,0],"bids":[0,0],"askVolumes":[-1,1]}"#).unwrap();
        assert_eq!(d.next().unwrap().2.unwrap_err().column, Some(4));
        assert_eq!(d.next().unwrap().2.unwrap_err().column, Some(1));
        assert!(d.next().is_none());
    }
}
