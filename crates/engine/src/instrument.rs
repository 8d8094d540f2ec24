//! Instrument specifications inferred from stored data, for runs over bars whose
//! instrument has no reference data yet.

use emp_model::{AssetClass, Currency, InstrumentId, InstrumentSpec, Price};

use crate::error::Result;

/// The instrument as the simulated venue needs it, inferred from its id and one stored
/// price: the price precision is the stored precision (tick = one unit of it); an FX pair
/// (six letters whose last three are a currency code) is `Fx` quoted in its second
/// currency; anything else is an `Equity` quoted in USD, whole units.
pub fn instrument_spec_for(id: &InstrumentId, sample: Price) -> Result<InstrumentSpec> {
    let s = id.as_str();
    let fx_quote = (s.len() == 6 && s.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| Currency::try_new(&s[3..]).ok())
        .flatten();
    let (class, quote) = match fx_quote {
        Some(q) => (AssetClass::Fx, q),
        None => (AssetClass::Equity, Currency::USD),
    };
    let precision = sample.precision();
    let tick = Price::from_raw(1, precision)?;
    Ok(InstrumentSpec::try_new(
        id.clone(),
        class,
        precision,
        0,
        1.0,
        quote,
        tick,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fx_pairs_quote_in_their_second_currency_and_the_rest_in_usd() {
        let spx = InstrumentId::try_new("SPX").unwrap();
        let spec = instrument_spec_for(&spx, "2506.85".parse().unwrap()).unwrap();
        assert_eq!(spec.quote_currency(), Currency::USD);
        assert_eq!(spec.price_precision(), 2);
        let eurjpy = InstrumentId::try_new("EURJPY").unwrap();
        let spec = instrument_spec_for(&eurjpy, "130.125".parse().unwrap()).unwrap();
        assert_eq!(spec.quote_currency(), Currency::try_new("JPY").unwrap());
        assert_eq!(spec.price_precision(), 3);
    }
}
