use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use emp_bus::{BusConfig, Event, EventBus, Payload};
use emp_model::{SimulatedClock, UnixNanos};
use parking_lot::Mutex;

pub(crate) const T0_SECS: i64 = 1_700_000_000;

pub(crate) fn clock() -> SimulatedClock {
    SimulatedClock::new(UnixNanos::from_secs(T0_SECS))
}

pub(crate) fn bus_with(config: BusConfig, clock: &SimulatedClock) -> EventBus {
    EventBus::new(config, Arc::new(clock.clone())).unwrap()
}

pub(crate) fn capacity(n: usize) -> BusConfig {
    BusConfig {
        queue_capacity: n,
        ..BusConfig::default()
    }
}

pub(crate) fn text(topic: &str, body: &str) -> Event {
    Event::text(topic, body, UnixNanos::ZERO)
}

pub(crate) fn body(e: &Event) -> String {
    match &e.payload {
        Payload::Text(t) => t.to_string(),
        other => format!("{other:?}"),
    }
}

/// Poll `cond` until it holds (panics after 10 s of real time).
pub(crate) async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Records event bodies; blocks inside the handler on bodies listed in `hold_on` until
/// `release()` (to keep a dispatcher busy deterministically).
#[derive(Clone, Default)]
pub(crate) struct Recorder {
    pub(crate) seen: Arc<Mutex<Vec<String>>>,
    entered: Arc<AtomicBool>,
    released: Arc<AtomicBool>,
    hold_on: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    pub(crate) fn holding(bodies: &[&str]) -> Self {
        let r = Recorder::default();
        *r.hold_on.lock() = bodies.iter().map(|s| s.to_string()).collect();
        r
    }

    pub(crate) fn handler(
        &self,
    ) -> impl Fn(&Event) -> Result<(), emp_bus::HandlerError> + Send + Sync + 'static {
        let r = self.clone();
        move |e: &Event| {
            let b = body(e);
            if r.hold_on.lock().contains(&b) {
                r.entered.store(true, Ordering::SeqCst);
                while !r.released.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            r.seen.lock().push(b);
            Ok(())
        }
    }

    pub(crate) async fn wait_entered(&self) {
        let entered = self.entered.clone();
        wait_until("handler entered", move || entered.load(Ordering::SeqCst)).await;
    }

    pub(crate) fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
    }

    pub(crate) fn seen(&self) -> Vec<String> {
        self.seen.lock().clone()
    }

    pub(crate) fn count(&self) -> usize {
        self.seen.lock().len()
    }
}
