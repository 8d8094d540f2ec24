//! Turning analytics floats into fixed-point order fields.

use emp_model::{InstrumentSpec, Price, Quantity};

/// Floors `units` (≥ 0) to `precision` decimals; a 1e-6 step tolerance absorbs float
/// noise (999.9999999999 units at precision 0 is 1000, 999.6 is 999).
pub(crate) fn floor_quantity(units: f64, precision: u8) -> Option<Quantity> {
    if !(units > 0.0) || !units.is_finite() {
        return None;
    }
    let scaled = (units * 10f64.powi(i32::from(precision)) + 1e-6).floor();
    if !(scaled >= 1.0) || scaled > 1.8e19 {
        return None;
    }
    Quantity::from_raw(scaled as u64, precision).ok()
}

/// The nearest price on the instrument's tick grid.
pub(crate) fn snap_price(spec: &InstrumentSpec, value: f64) -> Option<Price> {
    let tick = spec.tick_size();
    if !value.is_finite() || !tick.is_positive() {
        return None;
    }
    let ticks = (value / tick.as_f64()).round();
    if !(ticks > 0.0) || ticks > 9.0e15 {
        return None;
    }
    tick.checked_mul_i64(ticks as i64)
        .ok()?
        .round_to(spec.price_precision())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_quantity_absorbs_float_noise_only() {
        assert_eq!(
            floor_quantity(999.999_999_999_9, 0).unwrap().as_f64(),
            1000.0
        );
        assert_eq!(floor_quantity(999.6, 0).unwrap().as_f64(), 999.0);
        assert_eq!(floor_quantity(0.123_456, 2).unwrap().to_string(), "0.12");
        assert!(floor_quantity(0.4, 0).is_none());
        assert!(floor_quantity(f64::NAN, 0).is_none());
        assert!(floor_quantity(-3.0, 0).is_none());
    }
}
