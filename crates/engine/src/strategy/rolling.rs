//! O(1) rolling windows with storage allocated once.

/// An exact rolling sum of fixed-point values (scaled to 1e-9 units as i128), so SMA
/// comparisons never flip on float rounding: `fast > slow` is decided on integers.
#[derive(Clone, Debug)]
pub(crate) struct ExactWindow {
    buf: Vec<i128>,
    next: usize,
    len: usize,
    sum: i128,
}

impl ExactWindow {
    pub(crate) fn new(capacity: usize) -> Self {
        ExactWindow {
            buf: vec![0; capacity.max(1)],
            next: 0,
            len: 0,
            sum: 0,
        }
    }

    pub(crate) fn push(&mut self, value: i128) {
        let cap = self.buf.len();
        if self.len == cap {
            self.sum -= self.buf[self.next];
        } else {
            self.len += 1;
        }
        self.buf[self.next] = value;
        self.sum += value;
        // A compare instead of `%`: no division on the per-tick path.
        self.next += 1;
        if self.next == cap {
            self.next = 0;
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    pub(crate) fn sum(&self) -> i128 {
        self.sum
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }
}

/// Rolling mean and (population) standard deviation of f64 values, plus min and max
/// (O(window) only for min/max, which the breakout strategy reads once per event).
#[derive(Clone, Debug)]
pub(crate) struct FloatWindow {
    buf: Vec<f64>,
    next: usize,
    len: usize,
    sum: f64,
    sum_sq: f64,
}

impl FloatWindow {
    pub(crate) fn new(capacity: usize) -> Self {
        FloatWindow {
            buf: vec![0.0; capacity.max(1)],
            next: 0,
            len: 0,
            sum: 0.0,
            sum_sq: 0.0,
        }
    }

    pub(crate) fn push(&mut self, x: f64) {
        let cap = self.buf.len();
        if self.len == cap {
            let old = self.buf[self.next];
            self.sum -= old;
            self.sum_sq -= old * old;
        } else {
            self.len += 1;
        }
        self.buf[self.next] = x;
        self.sum += x;
        self.sum_sq += x * x;
        self.next += 1;
        if self.next == cap {
            self.next = 0;
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    pub(crate) fn mean(&self) -> f64 {
        if self.len == 0 {
            0.0
        } else {
            self.sum / self.len as f64
        }
    }

    pub(crate) fn std(&self) -> f64 {
        if self.len == 0 {
            return 0.0;
        }
        let m = self.mean();
        (self.sum_sq / self.len as f64 - m * m).max(0.0).sqrt()
    }

    pub(crate) fn max(&self) -> f64 {
        self.buf[..self.len]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }

    pub(crate) fn min(&self) -> f64 {
        self.buf[..self.len]
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
    }
}

/// Exponential moving average with `alpha = 2 / (period + 1)`, seeded with the first value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ema {
    alpha: f64,
    value: Option<f64>,
    count: usize,
}

impl Ema {
    pub(crate) fn new(period: usize) -> Self {
        Ema {
            alpha: 2.0 / (period as f64 + 1.0),
            value: None,
            count: 0,
        }
    }

    pub(crate) fn push(&mut self, x: f64) -> f64 {
        self.count += 1;
        let v = match self.value {
            None => x,
            Some(v) => v + self.alpha * (x - v),
        };
        self.value = Some(v);
        v
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }
}

/// A fixed-point price as an exact i128 in units of 1e-9.
pub(crate) fn nanos_of(raw: i64, precision: u8) -> i128 {
    const SCALE: [i128; 10] = [
        1_000_000_000,
        100_000_000,
        10_000_000,
        1_000_000,
        100_000,
        10_000,
        1_000,
        100,
        10,
        1,
    ];
    i128::from(raw) * SCALE[usize::from(precision.min(9))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_window_rolls() {
        let mut w = ExactWindow::new(3);
        for v in [1, 2, 3] {
            w.push(v);
        }
        assert!(w.is_full());
        assert_eq!(w.sum(), 6);
        w.push(10);
        assert_eq!(w.sum(), 15);
        assert_eq!(nanos_of(110_050, 5), 1_100_500_000);
    }

    #[test]
    fn float_window_stats() {
        let mut w = FloatWindow::new(4);
        for v in [1.0, 2.0, 3.0, 4.0, 5.0] {
            w.push(v);
        }
        assert!((w.mean() - 3.5).abs() < 1e-12);
        assert!((w.std() - 1.25f64.sqrt()).abs() < 1e-12);
        assert_eq!(w.max(), 5.0);
        assert_eq!(w.min(), 2.0);
        let mut e = Ema::new(3);
        assert_eq!(e.push(10.0), 10.0);
        assert_eq!(e.push(20.0), 15.0);
    }
}
