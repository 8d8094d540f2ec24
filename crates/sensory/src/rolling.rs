//! Fixed-capacity rolling windows with O(1) mean and standard deviation.
//!
//! The buffer is allocated once at construction; pushing never allocates. Running sums are
//! recomputed from the buffer each time the write position wraps, so floating-point drift
//! over millions of updates stays bounded (amortised O(1)).

/// A ring buffer of the last `capacity` values with running sum and sum of squares.
#[derive(Debug, Clone)]
pub(crate) struct RollingWindow {
    buf: Vec<f64>,
    capacity: usize,
    head: usize,
    len: usize,
    sum: f64,
    sum_sq: f64,
}

impl RollingWindow {
    /// A window of `capacity` (at least 1) values.
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        RollingWindow {
            buf: vec![0.0; capacity],
            capacity,
            head: 0,
            len: 0,
            sum: 0.0,
            sum_sq: 0.0,
        }
    }

    /// Appends `x`, evicting the oldest value once full. Non-finite values are ignored so one
    /// bad input cannot poison the window forever.
    pub(crate) fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        if self.len == self.capacity {
            let old = self.buf[self.head];
            self.sum -= old;
            self.sum_sq -= old * old;
        } else {
            self.len += 1;
        }
        self.buf[self.head] = x;
        self.sum += x;
        self.sum_sq += x * x;
        self.head += 1;
        if self.head == self.capacity {
            self.head = 0;
            self.resum();
        }
    }

    fn resum(&mut self) {
        let (mut s, mut q) = (0.0, 0.0);
        for &v in &self.buf[..self.len] {
            s += v;
            q += v * v;
        }
        self.sum = s;
        self.sum_sq = q;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(crate) fn sum(&self) -> f64 {
        self.sum
    }

    pub(crate) fn mean(&self) -> Option<f64> {
        (self.len > 0).then(|| self.sum / self.len as f64)
    }

    /// Sample standard deviation (n − 1); `None` below two values.
    pub(crate) fn std(&self) -> Option<f64> {
        if self.len < 2 {
            return None;
        }
        let n = self.len as f64;
        let var = (self.sum_sq - self.sum * self.sum / n) / (n - 1.0);
        Some(var.max(0.0).sqrt())
    }

    /// The `i`-th most recent value (0 = newest).
    pub(crate) fn recent(&self, i: usize) -> Option<f64> {
        if i >= self.len {
            return None;
        }
        let idx = (self.head + self.capacity - 1 - i) % self.capacity;
        Some(self.buf[idx])
    }

    /// Values oldest → newest.
    pub(crate) fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        let start = (self.head + self.capacity - self.len) % self.capacity;
        (0..self.len).map(move |i| self.buf[(start + i) % self.capacity])
    }
}

/// `(x − mean) / std` against a window, `None` when the window is too short or flat.
pub(crate) fn z_score(window: &RollingWindow, x: f64, min_samples: usize) -> Option<f64> {
    if window.len() < min_samples.max(2) {
        return None;
    }
    let mean = window.mean()?;
    let std = window.std()?;
    // A flat window (e.g. a constant series) has no scale: say nothing rather than a huge z.
    // Running sums lose about sqrt(ε)·|mean| ≈ 1.5e-8·|mean| of precision in the standard
    // deviation, so anything below 1e-6·|mean| is indistinguishable from flat.
    if std <= 1e-6 * mean.abs() || std == 0.0 {
        return None;
    }
    let z = (x - mean) / std;
    z.is_finite().then_some(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_and_eviction() {
        let mut w = RollingWindow::new(3);
        for x in [1.0, 2.0, 3.0, 4.0] {
            w.push(x);
        }
        assert_eq!(w.len(), 3);
        assert_eq!(w.iter().collect::<Vec<_>>(), [2.0, 3.0, 4.0]);
        assert_eq!(w.mean(), Some(3.0));
        assert!((w.std().unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(w.recent(0), Some(4.0));
        assert_eq!(w.recent(2), Some(2.0));
        assert_eq!(w.recent(3), None);
        w.push(f64::NAN);
        assert_eq!(w.recent(0), Some(4.0));
    }

    #[test]
    fn long_runs_do_not_drift() {
        let mut w = RollingWindow::new(7);
        for i in 0..100_000 {
            w.push(1e6 + (i % 13) as f64 * 1e-3);
        }
        let exact: f64 = w.iter().sum::<f64>() / 7.0;
        assert!((w.mean().unwrap() - exact).abs() < 1e-9);
    }

    #[test]
    fn z_score_needs_scale() {
        let mut w = RollingWindow::new(10);
        for _ in 0..10 {
            w.push(1.0);
        }
        assert_eq!(z_score(&w, 5.0, 2), None);
        w.push(3.0);
        assert!(z_score(&w, 5.0, 2).unwrap() > 3.0);
    }
}
