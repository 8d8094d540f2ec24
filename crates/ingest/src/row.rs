//! Format-neutral rows, as every parser produces them, before validation and conversion to
//! model records. Prices are exact [`Dec`]s and times are UTC nanoseconds.

use std::sync::Arc;

use crate::dec::Dec;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawBar {
    pub(crate) ts: i64,
    pub(crate) open: Dec,
    pub(crate) high: Dec,
    pub(crate) low: Dec,
    pub(crate) close: Dec,
    pub(crate) volume: Dec,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawQuote {
    pub(crate) ts: i64,
    pub(crate) bid: Dec,
    pub(crate) ask: Dec,
    pub(crate) bid_size: Dec,
    pub(crate) ask_size: Dec,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawTrade {
    pub(crate) ts: i64,
    pub(crate) price: Dec,
    pub(crate) size: Dec,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawMacro {
    /// Shared per column: a file has few series and many rows.
    pub(crate) series: Arc<str>,
    pub(crate) ts: i64,
    pub(crate) value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawRecord {
    Bar(RawBar),
    Quote(RawQuote),
    Trade(RawTrade),
    Macro(RawMacro),
}

impl RawRecord {
    pub(crate) fn ts(&self) -> i64 {
        match self {
            RawRecord::Bar(b) => b.ts,
            RawRecord::Quote(q) => q.ts,
            RawRecord::Trade(t) => t.ts,
            RawRecord::Macro(m) => m.ts,
        }
    }
}
