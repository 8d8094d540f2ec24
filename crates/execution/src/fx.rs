//! FX rates for converting PnL and fees into the account currency.

use std::collections::HashMap;

use emp_model::{AssetClass, Currency, InstrumentSpec, QuoteTick};

use crate::error::{Error, Result};

/// A table of FX rates (last value wins).
///
/// A rate `(base, quote) = r` means 1 base = r quote (EURUSD 1.1 ⇒ 1 EUR = 1.1 USD).
/// Conversion tries, in order: identity, the direct pair, the inverse pair, and a cross
/// through USD. Rates come from quotes (mid) of FX instruments whose id is a six-letter
/// pair such as `USDJPY`, or are set explicitly.
#[derive(Clone, Debug, Default)]
pub struct FxRates {
    rates: HashMap<(Currency, Currency), f64>,
}

impl FxRates {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `1 base = rate quote`. Non-finite or non-positive rates are ignored (returns false).
    pub fn set(&mut self, base: Currency, quote: Currency, rate: f64) -> bool {
        if !(rate.is_finite() && rate > 0.0) || base == quote {
            return false;
        }
        self.rates.insert((base, quote), rate);
        true
    }

    /// Updates the table from a quote when the instrument is an FX pair (id `BBBQQQ` or
    /// `BBB/QQQ`), at the mid. Returns whether a rate was recorded.
    pub fn update_from_quote(&mut self, spec: &InstrumentSpec, quote: &QuoteTick) -> bool {
        match fx_pair(spec) {
            Some((base, quote_ccy)) => self.set(base, quote_ccy, quote.mid_f64()),
            None => false,
        }
    }

    /// As [`FxRates::update_from_quote`] with the pair already parsed (allocation-free).
    pub(crate) fn update_pair(
        &mut self,
        pair: Option<(Currency, Currency)>,
        quote: &QuoteTick,
    ) -> bool {
        match pair {
            Some((base, quote_ccy)) => self.set(base, quote_ccy, quote.mid_f64()),
            None => false,
        }
    }

    /// The rate to multiply an amount in `from` by to get `to`.
    pub fn rate(&self, from: Currency, to: Currency) -> Option<f64> {
        if from == to {
            return Some(1.0);
        }
        if let Some(r) = self.direct(from, to) {
            return Some(r);
        }
        let usd = Currency::USD;
        if from != usd && to != usd {
            if let (Some(a), Some(b)) = (self.direct(from, usd), self.direct(usd, to)) {
                return Some(a * b);
            }
        }
        None
    }

    /// Converts `amount` from one currency to another.
    pub fn convert(&self, amount: f64, from: Currency, to: Currency) -> Result<f64> {
        self.rate(from, to)
            .map(|r| amount * r)
            .ok_or(Error::MissingFxRate { from, to })
    }

    fn direct(&self, from: Currency, to: Currency) -> Option<f64> {
        if let Some(r) = self.rates.get(&(from, to)) {
            return Some(*r);
        }
        self.rates.get(&(to, from)).map(|r| 1.0 / r)
    }
}

/// `(base, quote)` of an FX spot instrument, parsed from its id.
pub(crate) fn fx_pair(spec: &InstrumentSpec) -> Option<(Currency, Currency)> {
    if spec.asset_class() != AssetClass::Fx {
        return None;
    }
    let s: String = spec.id().as_str().chars().filter(|c| *c != '/').collect();
    if s.len() != 6 || !s.is_ascii() {
        return None;
    }
    let base = Currency::try_new(&s[..3]).ok()?;
    let quote = Currency::try_new(&s[3..]).ok()?;
    (quote == spec.quote_currency()).then_some((base, quote))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_inverse_and_cross() {
        let mut fx = FxRates::new();
        assert!(fx.set(Currency::USD, Currency::JPY, 150.0));
        assert!(fx.set(Currency::EUR, Currency::USD, 1.10));
        assert!(!fx.set(Currency::EUR, Currency::USD, f64::NAN));
        assert_eq!(fx.rate(Currency::USD, Currency::USD), Some(1.0));
        assert_eq!(fx.rate(Currency::USD, Currency::JPY), Some(150.0));
        // 1 JPY = 1/150 USD.
        assert!((fx.rate(Currency::JPY, Currency::USD).unwrap() - 1.0 / 150.0).abs() < 1e-15);
        // EURJPY via USD: 1.10 × 150 = 165.
        assert!((fx.rate(Currency::EUR, Currency::JPY).unwrap() - 165.0).abs() < 1e-9);
        assert!(fx.rate(Currency::GBP, Currency::USD).is_none());
        assert!(matches!(
            fx.convert(1.0, Currency::GBP, Currency::USD),
            Err(Error::MissingFxRate { .. })
        ));
    }
}
