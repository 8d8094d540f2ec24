//! A bounded multi-producer, single-consumer queue with per-entry overflow policy.
//!
//! Why not `tokio::sync::mpsc`: drop-oldest needs to evict from the *front* of a full
//! queue, which a channel cannot do, and a subscriber with a wide filter may receive both
//! droppable (telemetry) and non-droppable (orders) events in one queue. So the queue is a
//! `VecDeque` behind a short-held `parking_lot` mutex plus two `Notify`s: one wakes the
//! parked dispatcher, one wakes publishers waiting for room. Wake-ups are only issued when
//! someone is actually parked (flags kept under the lock), so the uncontended path is one
//! lock/unlock per push and one per batch on the consumer side.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Mutex, MutexGuard};
use tokio::sync::Notify;

use crate::Event;

/// One queued event and whether it may be evicted under `DropOldest`.
pub(crate) struct Entry {
    pub(crate) event: Arc<Event>,
    pub(crate) droppable: bool,
}

pub(crate) enum PushError {
    /// Queue full and the entry is not droppable: it is handed back.
    Full(Entry),
    /// The queue was closed (bus stopping or subscriber removed).
    Closed,
}

pub(crate) struct QueueState {
    buf: VecDeque<Entry>,
    closed: bool,
    /// The dispatcher found the queue empty and is (about to be) waiting.
    consumer_parked: bool,
    /// At least one publisher found the queue full and is (about to be) waiting.
    producers_waiting: bool,
}

pub(crate) struct Queue {
    state: Mutex<QueueState>,
    capacity: usize,
    consumer_wake: Notify,
    producer_wake: Notify,
    /// Events evicted or refused-and-discarded by `DropOldest`.
    dropped: AtomicU64,
}

impl Queue {
    pub(crate) fn new(capacity: usize) -> Self {
        Queue {
            state: Mutex::new(QueueState {
                buf: VecDeque::with_capacity(capacity),
                closed: false,
                consumer_parked: false,
                producers_waiting: false,
            }),
            capacity,
            consumer_wake: Notify::new(),
            producer_wake: Notify::new(),
            dropped: AtomicU64::new(0),
        }
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Events waiting in the queue (not counting a batch the dispatcher already took).
    pub(crate) fn len(&self) -> usize {
        self.state.lock().buf.len()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock()
    }

    /// Does the locked queue have room for one more entry (and is it open)?
    pub(crate) fn has_room(&self, st: &QueueState) -> Result<bool, PushError> {
        if st.closed {
            return Err(PushError::Closed);
        }
        Ok(st.buf.len() < self.capacity)
    }

    /// Push into a locked queue that is known to be open and have room; returns whether
    /// the dispatcher must be woken (after the guard is dropped).
    pub(crate) fn push_locked(st: &mut QueueState, entry: Entry) -> bool {
        st.buf.push_back(entry);
        std::mem::take(&mut st.consumer_parked)
    }

    pub(crate) fn wake_consumer(&self) {
        self.consumer_wake.notify_one();
    }

    /// Non-blocking push. A droppable entry always succeeds on an open queue (evicting the
    /// oldest droppable entry, or itself if every queued entry is non-droppable).
    /// `register_waiter` marks a publisher as waiting when the entry is refused as full.
    pub(crate) fn try_push(&self, entry: Entry, register_waiter: bool) -> Result<(), PushError> {
        let mut st = self.state.lock();
        if st.closed {
            return Err(PushError::Closed);
        }
        if st.buf.len() >= self.capacity {
            if !entry.droppable {
                if register_waiter {
                    st.producers_waiting = true;
                }
                return Err(PushError::Full(entry));
            }
            // Evict the oldest *droppable* entry so that a wide subscriber never loses a
            // Block-class event to a telemetry burst.
            self.dropped.fetch_add(1, Ordering::Relaxed);
            match st.buf.iter().position(|e| e.droppable) {
                Some(0) => {
                    st.buf.pop_front();
                }
                Some(i) => {
                    st.buf.remove(i);
                }
                // Everything queued must not drop: the incoming entry is the one to go.
                None => return Ok(()),
            }
        }
        let wake = Queue::push_locked(&mut st, entry);
        drop(st);
        if wake {
            self.wake_consumer();
        }
        Ok(())
    }

    /// Push, waiting for room if the queue is full and the entry is not droppable.
    pub(crate) async fn push(&self, entry: Entry) -> Result<(), PushError> {
        let mut entry = match self.try_push(entry, false) {
            Err(PushError::Full(e)) => e,
            other => return other,
        };
        loop {
            // Created before the re-check: `notify_waiters` reaches every `Notified` that
            // exists when it is called, polled or not, so no wake-up can be lost.
            let notified = self.producer_wake.notified();
            match self.try_push(entry, true) {
                Err(PushError::Full(e)) => entry = e,
                other => return other,
            }
            notified.await;
        }
    }

    /// Move up to `max` entries into `out`. Waits while the queue is empty; returns
    /// `false` once the queue is closed *and* drained.
    pub(crate) async fn pop_batch(&self, out: &mut VecDeque<Entry>, max: usize) -> bool {
        loop {
            let notified = {
                let mut st = self.state.lock();
                if !st.buf.is_empty() {
                    let n = st.buf.len().min(max);
                    out.extend(st.buf.drain(..n));
                    let wake_producers = std::mem::take(&mut st.producers_waiting);
                    drop(st);
                    if wake_producers {
                        self.producer_wake.notify_waiters();
                    }
                    return true;
                }
                if st.closed {
                    return false;
                }
                st.consumer_parked = true;
                // Creating the future does not lock the Notify; `notify_one` stores a
                // permit if it runs before we poll, so this cannot miss a push.
                self.consumer_wake.notified()
            };
            notified.await;
        }
    }

    /// Refuse further pushes; the dispatcher drains what is queued and then stops.
    /// Waiting publishers are woken and get `Closed`.
    pub(crate) fn close(&self) {
        self.state.lock().closed = true;
        self.consumer_wake.notify_one();
        self.producer_wake.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::UnixNanos;

    fn entry(n: i64, droppable: bool) -> Entry {
        Entry {
            event: Arc::new(Event::text("t", n.to_string(), UnixNanos::new(n))),
            droppable,
        }
    }

    fn contents(q: &Queue) -> Vec<(i64, bool)> {
        q.lock()
            .buf
            .iter()
            .map(|e| (e.event.published_at.as_i64(), e.droppable))
            .collect()
    }

    #[test]
    fn drop_oldest_evicts_front_and_counts() {
        let q = Queue::new(3);
        for n in 0..5 {
            assert!(q.try_push(entry(n, true), false).is_ok());
        }
        assert_eq!(contents(&q), [(2, true), (3, true), (4, true)]);
        assert_eq!(q.dropped(), 2);
    }

    #[test]
    fn drop_oldest_never_evicts_block_entries() {
        let q = Queue::new(3);
        assert!(q.try_push(entry(0, false), false).is_ok());
        assert!(q.try_push(entry(1, true), false).is_ok());
        assert!(q.try_push(entry(2, false), false).is_ok());
        assert!(q.try_push(entry(3, true), false).is_ok());
        assert_eq!(contents(&q), [(0, false), (2, false), (3, true)]);
        // Full of Block entries but for #3; evict #3 next.
        assert!(q.try_push(entry(4, true), false).is_ok());
        assert_eq!(contents(&q), [(0, false), (2, false), (4, true)]);
        assert_eq!(q.dropped(), 2);
        // A Block entry is refused when full.
        assert!(matches!(
            q.try_push(entry(5, false), false),
            Err(PushError::Full(_))
        ));
        // All Block: the incoming droppable entry itself is dropped.
        let q = Queue::new(1);
        assert!(q.try_push(entry(0, false), false).is_ok());
        assert!(q.try_push(entry(1, true), false).is_ok());
        assert_eq!(contents(&q), [(0, false)]);
        assert_eq!(q.dropped(), 1);
    }

    #[test]
    fn closed_queue_refuses() {
        let q = Queue::new(2);
        q.close();
        assert!(matches!(
            q.try_push(entry(0, true), false),
            Err(PushError::Closed)
        ));
    }

    #[tokio::test]
    async fn pop_batch_drains_then_reports_closed() {
        let q = Queue::new(8);
        for n in 0..5 {
            assert!(q.try_push(entry(n, false), false).is_ok());
        }
        q.close();
        let mut out = VecDeque::new();
        assert!(q.pop_batch(&mut out, 3).await);
        assert_eq!(out.len(), 3);
        assert!(q.pop_batch(&mut out, 3).await);
        assert_eq!(out.len(), 5);
        assert!(!q.pop_batch(&mut out, 3).await);
        assert_eq!(q.len(), 0);
    }

    #[tokio::test]
    async fn blocked_push_resumes_when_consumer_takes_a_batch() {
        let q = Arc::new(Queue::new(1));
        assert!(q.try_push(entry(0, false), false).is_ok());
        let q2 = q.clone();
        let pusher = tokio::spawn(async move { q2.push(entry(1, false)).await.is_ok() });
        tokio::task::yield_now().await;
        assert!(!pusher.is_finished());
        let mut out = VecDeque::new();
        assert!(q.pop_batch(&mut out, 8).await);
        assert!(pusher.await.unwrap());
        assert_eq!(contents(&q), [(1, false)]);
    }

    proptest::proptest! {
        /// Whatever the mix, a queue never exceeds its capacity, never loses a Block entry
        /// it accepted, keeps droppable entries newest-last, and counts every eviction.
        #[test]
        fn capacity_and_accounting_hold(cap in 1usize..6, pushes in proptest::collection::vec(proptest::bool::ANY, 0..40)) {
            let q = Queue::new(cap);
            let (mut accepted_block, mut refused) = (Vec::new(), 0u64);
            for (n, droppable) in pushes.iter().enumerate() {
                match q.try_push(entry(n as i64, *droppable), false) {
                    Ok(()) if !droppable => accepted_block.push(n as i64),
                    Ok(()) => {}
                    Err(PushError::Full(_)) => refused += 1,
                    Err(PushError::Closed) => unreachable!(),
                }
            }
            let c = contents(&q);
            proptest::prop_assert!(c.len() <= cap);
            let blocks: Vec<i64> = c.iter().filter(|e| !e.1).map(|e| e.0).collect();
            proptest::prop_assert_eq!(blocks, accepted_block);
            let ids: Vec<i64> = c.iter().map(|e| e.0).collect();
            proptest::prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "FIFO order");
            let droppable_pushed = pushes.iter().filter(|d| **d).count() as u64;
            let droppable_kept = c.iter().filter(|e| e.1).count() as u64;
            proptest::prop_assert_eq!(q.dropped(), droppable_pushed - droppable_kept);
            proptest::prop_assert_eq!(refused + c.len() as u64 + q.dropped(), pushes.len() as u64);
        }
    }
}
