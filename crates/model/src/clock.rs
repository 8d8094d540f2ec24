//! The injected source of "now".
//!
//! Domain code never reads the wall clock; it is handed a `Clock`. Live runs pass a
//! [`SystemClock`], backtests and tests a [`SimulatedClock`], so the same code is
//! reproducible bit for bit.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::time::UnixNanos;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> UnixNanos;
}

/// The wall clock. The only place in EMP that reads system time.
#[derive(Copy, Clone, Debug, Default)]
pub struct SystemClock;

impl SystemClock {
    /// A new system clock (zero-sized).
    pub const fn new() -> Self {
        SystemClock
    }
}

impl Clock for SystemClock {
    fn now(&self) -> UnixNanos {
        // A clock before 1970 or after 2262 is a broken host; clamp instead of panicking.
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => UnixNanos::new(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
            Err(_) => UnixNanos::ZERO,
        }
    }
}

/// A manually driven clock. Clones share one time, so a test or backtest driver can
/// advance the clock that components hold.
#[derive(Clone, Debug, Default)]
pub struct SimulatedClock {
    nanos: Arc<AtomicI64>,
}

impl SimulatedClock {
    /// A clock reading `start`.
    pub fn new(start: UnixNanos) -> Self {
        SimulatedClock {
            nanos: Arc::new(AtomicI64::new(start.as_i64())),
        }
    }

    /// Sets the time (may move backwards: replays of out-of-order data are the caller's choice).
    pub fn set(&self, t: UnixNanos) {
        self.nanos.store(t.as_i64(), Ordering::SeqCst);
    }

    /// Moves the time by `nanos` (saturating at the i64 range) and returns the new time.
    pub fn advance_nanos(&self, nanos: i64) -> UnixNanos {
        let mut cur = self.nanos.load(Ordering::SeqCst);
        loop {
            let next = cur.saturating_add(nanos);
            match self
                .nanos
                .compare_exchange_weak(cur, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return UnixNanos::new(next),
                Err(actual) => cur = actual,
            }
        }
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> UnixNanos {
        UnixNanos::new(self.nanos.load(Ordering::SeqCst))
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> UnixNanos {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> UnixNanos {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_clock_is_shared_between_clones() {
        let a = SimulatedClock::new(UnixNanos::new(100));
        let b = a.clone();
        assert_eq!(b.advance_nanos(50), UnixNanos::new(150));
        assert_eq!(a.now(), UnixNanos::new(150));
        a.set(UnixNanos::new(7));
        assert_eq!(b.now(), UnixNanos::new(7));
        a.set(UnixNanos::MAX);
        assert_eq!(a.advance_nanos(1), UnixNanos::MAX);
    }

    #[test]
    fn clocks_work_behind_dyn() {
        let sim: Arc<dyn Clock> = Arc::new(SimulatedClock::new(UnixNanos::from_secs(1)));
        assert_eq!(sim.now(), UnixNanos::from_secs(1));
        let sys: Arc<dyn Clock> = Arc::new(SystemClock);
        // After 2020-01-01: the host clock is at least plausible.
        assert!(sys.now() > UnixNanos::from_secs(1_577_836_800));
    }
}
