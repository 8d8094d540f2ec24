//! HOW — liquidity and participation.
//!
//! The organ uses the best evidence it has, in this order:
//!
//! 1. **Trades** (≥ `how.min_samples` in the window of `how.window` prints): flow
//!    `f = Σ sᵢ·qᵢ / Σ qᵢ` where `qᵢ` is the size and `sᵢ` the aggressor side (+1 buy, −1 sell)
//!    or, when the feed has no aggressor, the tick rule (sign of the price change, the previous
//!    sign on an unchanged price).
//! 2. **Quotes** (≥ `how.min_samples`): with non-zero sizes, the mean top-of-book imbalance
//!    `(bid_size − ask_size)/(bid_size + ask_size)`; otherwise the tick-rule imbalance of the
//!    mid, `(#up − #down)/(#up + #down)` over the last `how.window` mid changes.
//! 3. **Bars with volume** (the proxy): `f = Σ sign(close − open)·volume / Σ volume` over the
//!    last `how.bar_window` bars; confidence is capped at `how.bar_proxy_confidence`.
//!
//! `signal = f` (positive: buyers are the aggressors). Liquidity sets confidence and state: the
//! relative spread `(ask − bid)/mid` is z-scored against the previous `how.window` spreads;
//! `confidence = fill · 1/(1 + max(0, z)/spread_warn_z)` (fill = window occupancy), so a
//! blown-out spread halves trust at the warn level. The state is `warn` at `spread_warn_z`
//! and `alert` at `spread_alert_z`. For the bar proxy the same thresholds apply to the
//! z-score of `ln(volume)`.
//!
//! Every update is O(1): rolling sums over preallocated rings.

use emp_model::{QuoteTick, TradeTick};

use crate::bar::BarData;
use crate::config::HowConfig;
use crate::reading::{Dimension, DimensionReading, Inputs, OrganState};
use crate::rolling::{RollingWindow, z_score};

#[derive(Debug, Clone)]
pub(crate) struct HowOrgan {
    cfg: HowConfig,
    spreads: RollingWindow,
    spread_z: Option<f64>,
    mid_moves: RollingWindow,
    last_mid: Option<f64>,
    size_imbalance: RollingWindow,
    trade_signed: RollingWindow,
    trade_sizes: RollingWindow,
    last_trade_price: Option<f64>,
    last_trade_sign: f64,
    saw_aggressor: bool,
    bar_signed: RollingWindow,
    bar_volume: RollingWindow,
    log_volumes: RollingWindow,
    volume_z: Option<f64>,
}

impl HowOrgan {
    pub(crate) fn new(cfg: &HowConfig) -> Self {
        HowOrgan {
            cfg: cfg.clone(),
            spreads: RollingWindow::new(cfg.window),
            spread_z: None,
            mid_moves: RollingWindow::new(cfg.window),
            last_mid: None,
            size_imbalance: RollingWindow::new(cfg.window),
            trade_signed: RollingWindow::new(cfg.window),
            trade_sizes: RollingWindow::new(cfg.window),
            last_trade_price: None,
            last_trade_sign: 0.0,
            saw_aggressor: false,
            bar_signed: RollingWindow::new(cfg.bar_window),
            bar_volume: RollingWindow::new(cfg.bar_window),
            log_volumes: RollingWindow::new(cfg.bar_window),
            volume_z: None,
        }
    }

    /// Returns the mid when the quote is usable (positive, uncrossed, finite).
    pub(crate) fn on_quote(&mut self, q: &QuoteTick) -> Option<f64> {
        let (bid, ask) = (q.bid.as_f64(), q.ask.as_f64());
        if !(bid > 0.0 && ask >= bid && ask.is_finite()) {
            return None;
        }
        let mid = (bid + ask) / 2.0;
        let spread = (ask - bid) / mid;
        self.spread_z = z_score(&self.spreads, spread, self.cfg.min_samples);
        self.spreads.push(spread);
        if let Some(prev) = self.last_mid {
            if mid != prev {
                self.mid_moves.push(if mid > prev { 1.0 } else { -1.0 });
            }
        }
        self.last_mid = Some(mid);
        let (bs, asz) = (q.bid_size.as_f64(), q.ask_size.as_f64());
        if bs + asz > 0.0 {
            self.size_imbalance.push((bs - asz) / (bs + asz));
        }
        Some(mid)
    }

    pub(crate) fn on_trade(&mut self, t: &TradeTick) {
        let (price, size) = (t.price.as_f64(), t.size.as_f64());
        if !(price > 0.0 && size > 0.0 && price.is_finite() && size.is_finite()) {
            return;
        }
        let sign = match t.aggressor {
            Some(side) => {
                self.saw_aggressor = true;
                side.sign() as f64
            }
            None => match self.last_trade_price {
                Some(p) if price > p => 1.0,
                Some(p) if price < p => -1.0,
                _ => self.last_trade_sign,
            },
        };
        self.last_trade_price = Some(price);
        self.last_trade_sign = sign;
        self.trade_signed.push(sign * size);
        self.trade_sizes.push(size);
    }

    pub(crate) fn on_bar(&mut self, bar: &BarData) {
        if bar.volume <= 0.0 {
            return;
        }
        let dir = (bar.close - bar.open).signum() * f64::from(u8::from(bar.close != bar.open));
        self.bar_signed.push(dir * bar.volume);
        self.bar_volume.push(bar.volume);
        let lv = bar.volume.ln();
        self.volume_z = z_score(
            &self.log_volumes,
            lv,
            self.cfg.min_samples.min(self.cfg.bar_window),
        );
        self.log_volumes.push(lv);
    }

    pub(crate) fn read(&self) -> DimensionReading {
        let min = self.cfg.min_samples;
        let quotes_ok = self.spreads.len() >= min;
        let trades_ok = self.trade_sizes.len() >= min;
        if trades_ok || quotes_ok {
            let mut inputs = Inputs::NONE;
            let (flow, fill) = if trades_ok {
                inputs = inputs.with(Inputs::TRADES);
                if self.saw_aggressor {
                    inputs = inputs.with(Inputs::AGGRESSOR);
                }
                (
                    ratio(self.trade_signed.sum(), self.trade_sizes.sum()),
                    occupancy(&self.trade_sizes),
                )
            } else if self.size_imbalance.len() >= min {
                inputs = inputs.with(Inputs::QUOTES).with(Inputs::QUOTE_SIZES);
                let m = self.size_imbalance.mean().unwrap_or(0.0);
                (m, occupancy(&self.spreads))
            } else {
                inputs = inputs.with(Inputs::QUOTES);
                // Tick-rule imbalance: Σ(±1)/n over the recorded mid changes.
                let n = self.mid_moves.len() as f64;
                let f = if n > 0.0 {
                    self.mid_moves.sum() / n
                } else {
                    0.0
                };
                (f, occupancy(&self.spreads))
            };
            let (state, liquidity, note) = if quotes_ok {
                inputs = inputs.with(Inputs::QUOTES);
                let z = self.spread_z.unwrap_or(0.0);
                let (state, note) = self.grade(z, "spread wide", "spread blown out");
                (
                    state,
                    1.0 / (1.0 + z.max(0.0) / self.cfg.spread_warn_z),
                    note,
                )
            } else {
                (OrganState::Ok, 1.0, "normal")
            };
            let note = if state == OrganState::Ok {
                flow_note(flow)
            } else {
                note
            };
            return DimensionReading::new(
                Dimension::How,
                flow,
                fill * liquidity,
                state,
                inputs,
                note,
            );
        }
        if self.bar_volume.len() >= 2 {
            let flow = ratio(self.bar_signed.sum(), self.bar_volume.sum());
            let z = self.volume_z.unwrap_or(0.0).abs();
            let (state, note) = self.grade(z, "unusual volume", "extreme volume");
            let note = if state == OrganState::Ok {
                flow_note(flow)
            } else {
                note
            };
            let conf = self.cfg.bar_proxy_confidence * occupancy(&self.bar_volume);
            return DimensionReading::new(
                Dimension::How,
                flow,
                conf,
                state,
                Inputs::BARS.with(Inputs::BAR_VOLUME),
                note,
            );
        }
        if self.spreads.len() + self.trade_sizes.len() > 0 {
            return DimensionReading::missing(
                Dimension::How,
                "fewer quotes/trades than how.min_samples",
            );
        }
        DimensionReading::missing(Dimension::How, "no quotes, trades or bar volume")
    }

    fn grade(&self, z: f64, warn: &'static str, alert: &'static str) -> (OrganState, &'static str) {
        if z >= self.cfg.spread_alert_z {
            (OrganState::Alert, alert)
        } else if z >= self.cfg.spread_warn_z {
            (OrganState::Warn, warn)
        } else {
            (OrganState::Ok, "normal")
        }
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { 0.0 }
}

fn occupancy(w: &RollingWindow) -> f64 {
    w.len() as f64 / w.capacity() as f64
}

fn flow_note(flow: f64) -> &'static str {
    if flow >= 0.2 {
        "buyers aggressive"
    } else if flow <= -0.2 {
        "sellers aggressive"
    } else {
        "balanced flow"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::{InstrumentId, Price, Quantity, Side, UnixNanos};

    fn quote(bid: &str, ask: &str, bs: u64, asz: u64) -> QuoteTick {
        QuoteTick {
            instrument: InstrumentId::try_new("EURUSD").unwrap(),
            ts: UnixNanos::ZERO,
            bid: bid.parse::<Price>().unwrap(),
            ask: ask.parse::<Price>().unwrap(),
            bid_size: Quantity::from_int(bs),
            ask_size: Quantity::from_int(asz),
        }
    }

    fn trade(price: &str, size: u64, side: Option<Side>) -> TradeTick {
        TradeTick {
            instrument: InstrumentId::try_new("ES").unwrap(),
            ts: UnixNanos::ZERO,
            price: price.parse().unwrap(),
            size: Quantity::from_int(size),
            aggressor: side,
            trade_id: None,
        }
    }

    fn cfg() -> HowConfig {
        HowConfig {
            window: 10,
            min_samples: 4,
            ..HowConfig::default()
        }
    }

    #[test]
    fn trade_flow_from_aggressor_side() {
        let mut h = HowOrgan::new(&cfg());
        // Buys 10+10+10+10, one sell of 20 → (40 − 20)/60; window 10 holds 5 → fill 0.5.
        for _ in 0..3 {
            h.on_trade(&trade("100", 10, Some(Side::Buy)));
        }
        h.on_trade(&trade("100", 20, Some(Side::Sell)));
        h.on_trade(&trade("100", 10, Some(Side::Buy)));
        let r = h.read();
        assert!((r.signal - (40.0 - 20.0) / 60.0).abs() < 1e-12, "{r:?}");
        assert!((r.confidence - 0.5).abs() < 1e-12);
        assert!(r.inputs.contains(Inputs::TRADES.with(Inputs::AGGRESSOR)));
    }

    #[test]
    fn tick_rule_when_no_aggressor() {
        let mut h = HowOrgan::new(&cfg());
        for p in ["100", "101", "101", "102", "101"] {
            h.on_trade(&trade(p, 1, None));
        }
        // signs: 0 (no prior), +1, +1 (unchanged keeps +1), +1, −1 → 2/5.
        assert!((h.read().signal - 0.4).abs() < 1e-12);
        assert!(!h.read().inputs.contains(Inputs::AGGRESSOR));
    }

    #[test]
    fn quote_sizes_and_tick_rule_imbalance() {
        let mut h = HowOrgan::new(&cfg());
        for _ in 0..4 {
            h.on_quote(&quote("1.0000", "1.0002", 3, 1)); // (3−1)/4 = 0.5
        }
        let r = h.read();
        assert!((r.signal - 0.5).abs() < 1e-12);
        assert!(r.inputs.contains(Inputs::QUOTE_SIZES));

        let mut h = HowOrgan::new(&cfg());
        for (b, a) in [
            ("1.0000", "1.0002"),
            ("1.0001", "1.0003"),
            ("1.0002", "1.0004"),
            ("1.0001", "1.0003"),
        ] {
            h.on_quote(&quote(b, a, 0, 0));
        }
        // mid moves: +, +, − → 1/3.
        assert!((h.read().signal - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn blown_out_spread_alerts_and_cuts_confidence() {
        let mut h = HowOrgan::new(&cfg());
        let spreads = [
            "1.0002", "1.0003", "1.0002", "1.0003", "1.0002", "1.0003", "1.0002", "1.0003",
            "1.0002",
        ];
        for a in spreads {
            h.on_quote(&quote("1.0000", a, 0, 0));
        }
        let calm = h.read();
        assert_eq!(calm.state, OrganState::Ok);
        h.on_quote(&quote("1.0000", "1.0050", 0, 0));
        let r = h.read();
        assert_eq!(r.state, OrganState::Alert, "{r:?}");
        assert_eq!(r.note, "spread blown out");
        assert!(r.confidence < calm.confidence / 2.0);
    }

    #[test]
    fn bar_volume_proxy_and_missing() {
        let mut h = HowOrgan::new(&cfg());
        let r = h.read();
        assert_eq!(
            (r.confidence, r.note),
            (0.0, "no quotes, trades or bar volume")
        );
        let up = BarData {
            ts_open: 0,
            open: 1.0,
            high: 2.0,
            low: 1.0,
            close: 2.0,
            volume: 300.0,
        };
        let down = BarData {
            close: 1.0,
            open: 2.0,
            volume: 100.0,
            ..up
        };
        h.on_bar(&up);
        h.on_bar(&down);
        let r = h.read();
        assert!((r.signal - 0.5).abs() < 1e-12); // (300 − 100)/400
        assert!((r.confidence - 0.5 * 2.0 / 20.0).abs() < 1e-12);
        assert!(r.inputs.contains(Inputs::BAR_VOLUME));
    }
}
