//! The account: cash, positions (long and short), margin, PnL, equity curve, drawdown.

use std::collections::BTreeMap;

use emp_model::{
    Currency, Fill, InstrumentId, InstrumentSpec, Position, Price, QuoteTick, UnixNanos,
};
use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fx::{FxRates, fx_pair};

/// Raw portfolio configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PortfolioConfig {
    /// Currency the account is kept in.
    pub account_currency: Currency,
    /// Starting cash in the account currency.
    pub starting_cash: f64,
    /// Maximum leverage (margin rate = 1 / leverage).
    pub leverage: f64,
}

impl Default for PortfolioConfig {
    fn default() -> Self {
        PortfolioConfig {
            account_currency: Currency::USD,
            starting_cash: 100_000.0,
            leverage: 30.0,
        }
    }
}

impl PortfolioConfig {
    /// Checks every field; reports all violations at once.
    pub fn validate(&self) -> Result<(), ConfigErrors> {
        let mut v = Violations::new();
        v.check(
            self.starting_cash.is_finite() && self.starting_cash >= 0.0,
            "starting_cash",
            format!("must be finite and >= 0, got {}", self.starting_cash),
        );
        v.check(
            self.leverage.is_finite() && self.leverage >= 1.0,
            "leverage",
            format!("must be finite and >= 1, got {}", self.leverage),
        );
        v.into_result()
    }
}

/// One point of the equity curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EquityPoint {
    /// When.
    pub ts: UnixNanos,
    /// Equity in the account currency.
    pub equity: f64,
}

/// A fill that realised PnL (a whole or partial close), in the account currency, net of
/// the fill's fee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClosedTrade {
    /// Strategy the fill was attributed to.
    pub strategy_id: String,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Fill time.
    pub ts: UnixNanos,
    /// Realised PnL minus fee, account currency.
    pub pnl: f64,
}

#[derive(Clone, Debug)]
struct Holding {
    position: Position,
    /// Last rate seen quote→account, so a valuation never fails once a fill converted.
    rate: f64,
}

/// Cash, positions (many instruments, long and short), margin, PnL in the account
/// currency, the equity curve and drawdown of one account.
///
/// # Accounting convention (margin account)
///
/// * Opening or adding to a position moves no cash (it is margined, not paid for).
/// * `cash` changes only by **realised PnL** and **fees**, each converted into the account
///   currency at the FX rate *at the time of the fill*, and then never revalued.
/// * `equity = cash + Σ unrealised PnL`, each position marked at its last mark (quote mid,
///   bar close, or the last fill price before any mark) and converted at the *current* FX rate.
/// * `margin_used = Σ |quantity × mark × multiplier| × fx / leverage`;
///   `free_margin = equity − margin_used`.
///
/// So `equity − starting_cash` is the account's total PnL net of fees, and the property
/// tests check `equity == cash + Σ marked positions` after every step.
#[derive(Clone, Debug)]
pub struct Portfolio {
    account: Currency,
    starting_cash: f64,
    cash: f64,
    leverage: f64,
    specs: BTreeMap<InstrumentId, (InstrumentSpec, Option<(Currency, Currency)>)>,
    holdings: BTreeMap<InstrumentId, Holding>,
    /// Last mark per instrument (kept for instruments not held too, so a new position is
    /// marked at the market, not at its own fill price).
    marks: BTreeMap<InstrumentId, Price>,
    fx: FxRates,
    curve: Vec<EquityPoint>,
    peak: f64,
    max_drawdown: f64,
    trades: Vec<ClosedTrade>,
}

impl Portfolio {
    /// A portfolio with no positions.
    pub fn try_new(config: PortfolioConfig) -> Result<Self> {
        config.validate().map_err(Error::InvalidConfig)?;
        Ok(Portfolio {
            account: config.account_currency,
            starting_cash: config.starting_cash,
            cash: config.starting_cash,
            leverage: config.leverage,
            specs: BTreeMap::new(),
            holdings: BTreeMap::new(),
            marks: BTreeMap::new(),
            fx: FxRates::new(),
            curve: Vec::new(),
            peak: config.starting_cash,
            max_drawdown: 0.0,
            trades: Vec::new(),
        })
    }

    /// Registers an instrument (needed before its fills).
    pub fn register(&mut self, spec: InstrumentSpec) {
        let pair = fx_pair(&spec);
        self.specs.insert(spec.id().clone(), (spec, pair));
    }

    /// The FX table (read).
    pub fn fx(&self) -> &FxRates {
        &self.fx
    }

    /// The FX table (write), e.g. to seed rates for instruments without a quote feed.
    pub fn fx_mut(&mut self) -> &mut FxRates {
        &mut self.fx
    }

    /// Applies a fill: position, realised PnL and fee into cash (converted now).
    /// On error nothing changes.
    pub fn apply_fill(&mut self, fill: &Fill, strategy_id: &str) -> Result<()> {
        let spec = self
            .specs
            .get(&fill.instrument)
            .map(|(s, _)| s)
            .ok_or_else(|| Error::UnknownInstrument(fill.instrument.clone()))?;
        let quote_ccy = spec.quote_currency();
        let rate = self
            .fx
            .rate(quote_ccy, self.account)
            .ok_or(Error::MissingFxRate {
                from: quote_ccy,
                to: self.account,
            })?;
        let fee_rate = if fill.fee.is_zero() {
            0.0
        } else {
            self.fx
                .rate(fill.fee.currency(), self.account)
                .ok_or(Error::MissingFxRate {
                    from: fill.fee.currency(),
                    to: self.account,
                })?
        };
        let mut holding = match self.holdings.get(&fill.instrument) {
            Some(h) => h.clone(),
            None => Holding {
                position: Position::from_spec(spec),
                rate,
            },
        };
        let before = holding.position.realized_pnl();
        holding.position.apply_fill(fill)?;
        let realized = (holding.position.realized_pnl() - before) * rate;
        let fee = fill.fee.as_f64() * fee_rate;
        holding.rate = rate;
        self.marks
            .entry(fill.instrument.clone())
            .or_insert(fill.price);
        self.cash += realized - fee;
        if realized != 0.0 {
            self.trades.push(ClosedTrade {
                strategy_id: strategy_id.to_owned(),
                instrument: fill.instrument.clone(),
                ts: fill.ts,
                pnl: realized - fee,
            });
        }
        self.holdings.insert(fill.instrument.clone(), holding);
        Ok(())
    }

    /// Marks an instrument at `price` (its position, now and when one opens later).
    pub fn mark(&mut self, instrument: &InstrumentId, price: Price) {
        match self.marks.get_mut(instrument) {
            Some(m) => *m = price,
            None => {
                self.marks.insert(instrument.clone(), price);
            }
        }
    }

    /// Updates FX rates and the instrument's mark (mid) from a quote.
    pub fn on_quote(&mut self, quote: &QuoteTick) {
        let mut fx_changed = false;
        if let Some((spec, pair)) = self.specs.get(&quote.instrument) {
            fx_changed = self.fx.update_pair(*pair, quote);
            let mid = spec.price_from_f64(quote.mid_f64()).unwrap_or(quote.bid);
            if let Some(m) = self.marks.get_mut(&quote.instrument) {
                *m = mid;
            } else {
                self.marks.insert(quote.instrument.clone(), mid);
            }
        }
        if fx_changed {
            self.refresh_rates();
        }
    }

    /// Re-reads the current quote→account rate of every holding (after FX updates).
    pub fn refresh_rates(&mut self) {
        for h in self.holdings.values_mut() {
            if let Some(r) = self.fx.rate(h.position.quote_currency(), self.account) {
                h.rate = r;
            }
        }
    }

    /// Account currency.
    pub fn account_currency(&self) -> Currency {
        self.account
    }
    /// Starting cash.
    pub fn starting_cash(&self) -> f64 {
        self.starting_cash
    }
    /// Cash (starting cash + realised PnL − fees, account currency).
    pub fn cash(&self) -> f64 {
        self.cash
    }
    /// The position in an instrument, if it was ever traded.
    pub fn position(&self, instrument: &InstrumentId) -> Option<&Position> {
        self.holdings.get(instrument).map(|h| &h.position)
    }
    /// All positions (instrument order).
    pub fn positions(&self) -> impl Iterator<Item = &Position> {
        self.holdings.values().map(|h| &h.position)
    }
    /// Current mark of an instrument.
    pub fn mark_of(&self, instrument: &InstrumentId) -> Option<Price> {
        self.marks.get(instrument).copied()
    }
    /// Unrealised PnL of one instrument in the account currency.
    pub fn unrealized_pnl(&self, instrument: &InstrumentId) -> f64 {
        self.holdings
            .get(instrument)
            .map_or(0.0, |h| self.holding_upnl(instrument, h))
    }
    /// Σ unrealised PnL in the account currency.
    pub fn total_unrealized_pnl(&self) -> f64 {
        self.holdings
            .iter()
            .map(|(id, h)| self.holding_upnl(id, h))
            .sum()
    }
    /// Equity: cash + Σ unrealised PnL (see the module doc).
    pub fn equity(&self) -> f64 {
        self.cash + self.total_unrealized_pnl()
    }
    /// Gross exposure Σ |market value| in the account currency.
    pub fn gross_exposure(&self) -> f64 {
        self.holdings
            .iter()
            .map(|(id, h)| {
                self.marks
                    .get(id)
                    .map_or(0.0, |m| h.position.market_value(*m).abs() * h.rate)
            })
            .sum()
    }
    /// Margin held by open positions.
    pub fn margin_used(&self) -> f64 {
        self.gross_exposure() / self.leverage
    }
    /// Equity not tied up as margin.
    pub fn free_margin(&self) -> f64 {
        self.equity() - self.margin_used()
    }
    /// Leverage.
    pub fn leverage(&self) -> f64 {
        self.leverage
    }
    /// Margin (account currency) that `quantity` of an instrument at `price` needs, if the
    /// instrument and a rate are known.
    pub fn margin_for(
        &self,
        instrument: &InstrumentId,
        quantity: f64,
        price: Price,
    ) -> Option<f64> {
        let (spec, _) = self.specs.get(instrument)?;
        let rate = self.fx.rate(spec.quote_currency(), self.account)?;
        Some(quantity.abs() * price.as_f64() * spec.multiplier() * rate / self.leverage)
    }
    /// Appends an equity point and updates peak and drawdown.
    pub fn record_equity(&mut self, ts: UnixNanos) -> EquityPoint {
        let equity = self.equity();
        self.peak = self.peak.max(equity);
        self.max_drawdown = self.max_drawdown.max(self.drawdown());
        let point = EquityPoint { ts, equity };
        self.curve.push(point);
        point
    }
    /// The recorded equity curve.
    pub fn equity_curve(&self) -> &[EquityPoint] {
        &self.curve
    }
    /// Highest equity recorded (starting cash at first).
    pub fn peak_equity(&self) -> f64 {
        self.peak
    }
    /// Current drawdown from the recorded peak, as a fraction (0.05 = 5 %).
    pub fn drawdown(&self) -> f64 {
        let peak = self.peak.max(self.equity());
        if peak > 0.0 {
            (1.0 - self.equity() / peak).max(0.0)
        } else {
            0.0
        }
    }
    /// Largest drawdown over recorded points.
    pub fn max_drawdown(&self) -> f64 {
        self.max_drawdown
    }
    /// Fills that realised PnL, in order.
    pub fn closed_trades(&self) -> &[ClosedTrade] {
        &self.trades
    }
}

impl Portfolio {
    fn holding_upnl(&self, id: &InstrumentId, h: &Holding) -> f64 {
        self.marks
            .get(id)
            .map_or(0.0, |m| h.position.unrealized_pnl(*m) * h.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_validation_reports_every_field() {
        let bad = PortfolioConfig {
            starting_cash: -1.0,
            leverage: 0.5,
            ..PortfolioConfig::default()
        };
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors.contains_path("starting_cash"));
        assert!(errors.contains_path("leverage"));
        assert!(PortfolioConfig::default().validate().is_ok());
    }
}
