//! The event bus: subscriptions, publishing, dispatch, statistics, stop.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU8, AtomicU64, Ordering};

use emp_model::{Clock, UnixNanos};
use parking_lot::{Mutex, RwLock};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::config::{BusConfig, OverflowPolicy};
use crate::queue::{Entry, Queue};
use crate::stats::{BusStats, DispatchLag, DispatcherCounters, Retired, SubscriberStats};
use crate::{Error, Event, HandlerError, Result, Subscription, SubscriptionId};

/// Events a dispatcher takes from its queue per lock acquisition. Bounds the extra
/// buffering beyond `queue_capacity` and amortises the lock over many events.
const DISPATCH_BATCH: usize = 64;

const CREATED: u8 = 0;
const RUNNING: u8 = 1;
const STOPPING: u8 = 2;
const STOPPED: u8 = 3;

/// Sentinel for "no timestamp yet" in an `AtomicI64`.
const NONE_NS: i64 = i64::MIN;

type Handler = dyn Fn(&Event) -> Result<(), HandlerError> + Send + Sync + 'static;

struct Subscriber {
    id: SubscriptionId,
    name: Arc<str>,
    filter: Subscription,
    queue: Queue,
    handler: Box<Handler>,
    counters: DispatcherCounters,
}

impl Subscriber {
    fn stats(&self) -> SubscriberStats {
        SubscriberStats {
            id: self.id.0,
            name: self.name.to_string(),
            filter: self.filter.to_string(),
            queue_depth: self.queue.len() + self.counters.in_flight.load(Ordering::Relaxed),
            delivered: self.counters.delivered.load(Ordering::Relaxed),
            dropped: self.queue.dropped(),
            handler_errors: self.counters.handler_errors.load(Ordering::Relaxed),
            dispatch_lag_ns: self.counters.lag(),
        }
    }
}

struct Inner {
    config: BusConfig,
    clock: Arc<dyn Clock>,
    state: AtomicU8,
    /// Copy-on-write list: publishers clone the `Arc` and iterate without holding the lock
    /// (and so without holding it across an `.await`). Only appends and removals, so any
    /// two subscribers appear in the same relative order in every version of the list.
    subscribers: RwLock<Arc<Vec<Arc<Subscriber>>>>,
    next_id: AtomicU64,
    runtime: Mutex<Option<Handle>>,
    dispatchers: Mutex<Vec<JoinHandle<()>>>,
    /// Serialises `stop` so a second caller returns only once draining has finished.
    stop_lock: tokio::sync::Mutex<()>,
    published: AtomicU64,
    unrouted: AtomicU64,
    refused: AtomicU64,
    last_event_at: AtomicI64,
    started_at: AtomicI64,
    retired: Mutex<Retired>,
}

/// An in-process publish/subscribe bus with bounded per-subscriber queues.
///
/// A cheap-clone handle: clones share one bus. Each subscriber has its own queue and a
/// dedicated tokio dispatcher task that calls its handler, so a slow subscriber delays
/// only itself (or, under the `Block` policy, publishers of the topics it receives).
/// Handlers are synchronous `Fn(&Event) -> Result<(), HandlerError>`: they must be quick;
/// to do async or heavy work, forward the event (e.g. `try_send` into your own channel).
/// A handler that errors or panics is counted and logged; the bus keeps delivering.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("running", &self.is_running())
            .field("subscribers", &self.inner.subscribers.read().len())
            .finish_non_exhaustive()
    }
}

impl EventBus {
    /// A stopped-until-[`start`](EventBus::start)ed bus. Fails with every violation if
    /// `config` is invalid. Timestamps (`published_at`, `last_event_at`, lag) come from
    /// `clock`.
    pub fn new(config: BusConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        config.validate()?;
        Ok(EventBus {
            inner: Arc::new(Inner {
                config,
                clock,
                state: AtomicU8::new(CREATED),
                subscribers: RwLock::new(Arc::new(Vec::new())),
                next_id: AtomicU64::new(1),
                runtime: Mutex::new(None),
                dispatchers: Mutex::new(Vec::new()),
                stop_lock: tokio::sync::Mutex::new(()),
                published: AtomicU64::new(0),
                unrouted: AtomicU64::new(0),
                refused: AtomicU64::new(0),
                last_event_at: AtomicI64::new(NONE_NS),
                started_at: AtomicI64::new(NONE_NS),
                retired: Mutex::new(Retired::default()),
            }),
        })
    }

    /// The configuration the bus was built with.
    pub fn config(&self) -> &BusConfig {
        &self.inner.config
    }

    /// Start dispatching. Must be called inside a tokio runtime (dispatchers are spawned on
    /// it, including those of later subscriptions). Idempotent while running; a stopped bus
    /// cannot be restarted.
    pub fn start(&self) -> Result<()> {
        let handle = Handle::try_current().map_err(Error::NoRuntime)?;
        let mut runtime = self.inner.runtime.lock();
        match self.inner.state.load(Ordering::SeqCst) {
            CREATED => {}
            RUNNING => return Ok(()),
            _ => return Err(Error::Stopped),
        }
        *runtime = Some(handle.clone());
        self.inner
            .started_at
            .store(self.inner.clock.now().as_i64(), Ordering::SeqCst);
        let subs = self.inner.subscribers.read().clone();
        let mut dispatchers = self.inner.dispatchers.lock();
        for sub in subs.iter() {
            dispatchers.push(spawn_dispatcher(
                &handle,
                sub.clone(),
                self.inner.clock.clone(),
            ));
        }
        self.inner.state.store(RUNNING, Ordering::SeqCst);
        tracing::info!(subscribers = subs.len(), "event bus started");
        Ok(())
    }

    /// `true` between `start` and `stop`.
    pub fn is_running(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) == RUNNING
    }

    /// Register `handler` for the topics `filter` matches. Allowed before and after start;
    /// refused once the bus is stopping.
    pub fn subscribe<F>(
        &self,
        name: impl Into<Arc<str>>,
        filter: Subscription,
        handler: F,
    ) -> Result<SubscriptionId>
    where
        F: Fn(&Event) -> Result<(), HandlerError> + Send + Sync + 'static,
    {
        let id = SubscriptionId(self.inner.next_id.fetch_add(1, Ordering::Relaxed));
        let sub = Arc::new(Subscriber {
            id,
            name: name.into(),
            filter,
            queue: Queue::new(self.inner.config.queue_capacity),
            handler: Box::new(handler),
            counters: DispatcherCounters::default(),
        });
        // The runtime lock orders this against `start`: either start sees the new
        // subscriber in the list, or we see RUNNING and spawn its dispatcher ourselves.
        let runtime = self.inner.runtime.lock();
        let state = self.inner.state.load(Ordering::SeqCst);
        if state >= STOPPING {
            return Err(Error::Stopped);
        }
        {
            let mut list = self.inner.subscribers.write();
            let mut next = Vec::with_capacity(list.len() + 1);
            next.extend(list.iter().cloned());
            next.push(sub.clone());
            *list = Arc::new(next);
        }
        if state == RUNNING {
            if let Some(handle) = runtime.as_ref() {
                let task = spawn_dispatcher(handle, sub.clone(), self.inner.clock.clone());
                let mut dispatchers = self.inner.dispatchers.lock();
                // Forget dispatchers of removed subscribers that have finished draining.
                dispatchers.retain(|d| !d.is_finished());
                dispatchers.push(task);
            }
        }
        tracing::debug!(subscriber = %sub.name, filter = %sub.filter, "subscribed");
        Ok(id)
    }

    /// Remove a subscription: it receives nothing new, its dispatcher drains what is
    /// queued and exits. Returns `false` if the id is unknown.
    pub fn unsubscribe(&self, id: SubscriptionId) -> bool {
        let removed = {
            let mut list = self.inner.subscribers.write();
            let Some(pos) = list.iter().position(|s| s.id == id) else {
                return false;
            };
            let mut next: Vec<_> = list.iter().cloned().collect();
            let removed = next.remove(pos);
            *list = Arc::new(next);
            removed
        };
        removed.queue.close();
        // Counters of the removed subscriber keep accruing while it drains; fold in what
        // is known now so bus totals stay monotonic.
        let s = removed.stats();
        let mut r = self.inner.retired.lock();
        r.delivered += s.delivered;
        r.dropped += s.dropped;
        r.handler_errors += s.handler_errors;
        r.lag_sum = r
            .lag_sum
            .saturating_add(removed.counters.lag_sum.load(Ordering::Relaxed));
        r.lag_count += removed.counters.lag_count.load(Ordering::Relaxed);
        r.lag_max = r.lag_max.max(s.dispatch_lag_ns.max);
        true
    }

    fn refuse(&self) -> Error {
        self.inner.refused.fetch_add(1, Ordering::Relaxed);
        match self.inner.state.load(Ordering::Acquire) {
            CREATED => Error::NotRunning,
            _ => Error::Stopped,
        }
    }

    /// Stamp the event, wrap it once in an `Arc` and count it.
    fn accept(&self, mut event: Event) -> (Arc<Event>, bool) {
        let now = self.inner.clock.now();
        event.published_at = now;
        let droppable = self.inner.config.policy_for(&event.topic) == OverflowPolicy::DropOldest;
        self.inner.published.fetch_add(1, Ordering::Relaxed);
        self.inner
            .last_event_at
            .store(now.as_i64(), Ordering::Relaxed);
        (Arc::new(event), droppable)
    }

    /// Publish to every matching subscriber, waiting for queue room where the topic's
    /// policy is `Block`. Fails with [`Error::NotRunning`] before start and
    /// [`Error::Stopped`] once stopping (events queued before `stop` are still delivered).
    pub async fn publish(&self, event: Event) -> Result<()> {
        // Publishing to roomy queues never awaits; spend coop budget so a tight publish
        // loop still yields to the dispatchers it just woke (as tokio's own channels do).
        tokio::task::coop::consume_budget().await;
        if !self.is_running() {
            return Err(self.refuse());
        }
        let (event, droppable) = self.accept(event);
        let subs = self.inner.subscribers.read().clone();
        let mut routed = false;
        for sub in subs.iter() {
            if !sub.filter.matches(&event.topic) {
                continue;
            }
            routed = true;
            let entry = Entry {
                event: event.clone(),
                droppable,
            };
            if sub.queue.push(entry).await.is_err() {
                // `push` only returns once there is room, so this is a closed queue:
                // either the whole bus is stopping or this subscriber was removed.
                if !self.is_running() {
                    return Err(Error::Stopped);
                }
            }
        }
        if !routed {
            self.inner.unrouted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Publish without waiting; callable from any thread, inside or outside a runtime.
    /// For a `Block`-class topic, if any matching queue is full nothing is delivered and
    /// [`Error::QueueFull`] is returned (all-or-nothing, so a retry cannot duplicate).
    pub fn try_publish(&self, event: Event) -> Result<()> {
        if !self.is_running() {
            return Err(self.refuse());
        }
        let droppable = self.inner.config.policy_for(&event.topic) == OverflowPolicy::DropOldest;
        let subs = self.inner.subscribers.read().clone();
        if droppable {
            let (event, droppable) = self.accept(event);
            let (mut routed, mut queued) = (false, false);
            for sub in subs.iter().filter(|s| s.filter.matches(&event.topic)) {
                routed = true;
                // Droppable pushes only fail on a closed queue: skip it.
                queued |= sub
                    .queue
                    .try_push(
                        Entry {
                            event: event.clone(),
                            droppable,
                        },
                        false,
                    )
                    .is_ok();
            }
            // Every matching queue closed because the bus stopped after our
            // `is_running` check: the event went nowhere, so say so (the failover
            // publisher then writes it to its fallback instead of losing it silently).
            if routed && !queued && !self.is_running() {
                return Err(self.refuse());
            }
            if !routed {
                self.inner.unrouted.fetch_add(1, Ordering::Relaxed);
            }
            return Ok(());
        }
        // Lock every matching queue (in list order, the same relative order in every list
        // version, so two try_publishers cannot deadlock; dispatchers hold one lock at most),
        // check room in all of them, then push to all.
        let mut locked = Vec::new();
        for sub in subs.iter().filter(|s| s.filter.matches(&event.topic)) {
            let guard = sub.queue.lock();
            match sub.queue.has_room(&guard) {
                Ok(true) => locked.push((sub, guard)),
                Ok(false) => {
                    drop(guard);
                    drop(locked);
                    self.inner.refused.fetch_add(1, Ordering::Relaxed);
                    return Err(Error::QueueFull {
                        topic: event.topic.clone(),
                        subscriber: sub.name.clone(),
                    });
                }
                // A closed queue is either a subscriber being removed (it simply does not
                // receive the event) or the whole bus stopping after our `is_running`
                // check. `stop` stores STOPPING before it closes any queue, so seeing a
                // closed queue here means the state load below sees the stop: refuse
                // rather than report `Ok` for an event that may reach no queue.
                Err(_) if !self.is_running() => {
                    drop(guard);
                    drop(locked);
                    return Err(self.refuse());
                }
                Err(_) => {}
            }
        }
        let (event, droppable) = self.accept(event);
        if locked.is_empty() {
            self.inner.unrouted.fetch_add(1, Ordering::Relaxed);
        }
        for (sub, mut guard) in locked {
            let wake = Queue::push_locked(
                &mut guard,
                Entry {
                    event: event.clone(),
                    droppable,
                },
            );
            drop(guard);
            if wake {
                sub.queue.wake_consumer();
            }
        }
        Ok(())
    }

    /// Stop: refuse new publishes, let every dispatcher drain its queue, and wait for them.
    /// Idempotent; concurrent callers all return once draining is complete.
    pub async fn stop(&self) {
        let _serial = self.inner.stop_lock.lock().await;
        {
            // Under the runtime lock so that no subscribe/start interleaves with the switch.
            let _runtime = self.inner.runtime.lock();
            if self.inner.state.load(Ordering::SeqCst) < STOPPING {
                self.inner.state.store(STOPPING, Ordering::SeqCst);
            }
        }
        let subs = self.inner.subscribers.read().clone();
        for sub in subs.iter() {
            sub.queue.close();
        }
        // If this future is dropped mid-wait (a shutdown step timing out), the handles
        // not yet joined go back to the bus, so a later `stop` still waits for them.
        let mut pending = PendingDispatchers {
            inner: &self.inner,
            tasks: std::mem::take(&mut *self.inner.dispatchers.lock()),
        };
        let n = pending.tasks.len();
        while let Some(task) = pending.tasks.last_mut() {
            let result = task.await;
            pending.tasks.pop();
            if let Err(e) = result {
                tracing::error!(error = %e, "event bus dispatcher ended abnormally");
            }
        }
        drop(pending);
        self.inner.state.store(STOPPED, Ordering::SeqCst);
        tracing::info!(dispatchers = n, "event bus stopped");
    }

    /// Current statistics.
    pub fn stats(&self) -> BusStats {
        let subs = self.inner.subscribers.read().clone();
        let subscribers: Vec<SubscriberStats> = subs.iter().map(|s| s.stats()).collect();
        let retired = *self.inner.retired.lock();
        let lag_sum = subs
            .iter()
            .map(|s| s.counters.lag_sum.load(Ordering::Relaxed))
            .fold(retired.lag_sum, i64::saturating_add);
        let lag_count = retired.lag_count
            + subs
                .iter()
                .map(|s| s.counters.lag_count.load(Ordering::Relaxed))
                .sum::<u64>();
        let lag_max = subscribers
            .iter()
            .map(|s| s.dispatch_lag_ns.max)
            .fold(retired.lag_max, i64::max);
        let ts = |v: i64| (v != NONE_NS).then_some(UnixNanos::new(v));
        BusStats {
            running: self.is_running(),
            started_at: ts(self.inner.started_at.load(Ordering::Relaxed)),
            published: self.inner.published.load(Ordering::Relaxed),
            unrouted: self.inner.unrouted.load(Ordering::Relaxed),
            refused: self.inner.refused.load(Ordering::Relaxed),
            delivered: retired.delivered + subscribers.iter().map(|s| s.delivered).sum::<u64>(),
            dropped: retired.dropped + subscribers.iter().map(|s| s.dropped).sum::<u64>(),
            handler_errors: retired.handler_errors
                + subscribers.iter().map(|s| s.handler_errors).sum::<u64>(),
            last_event_at: ts(self.inner.last_event_at.load(Ordering::Relaxed)),
            dispatch_lag_ns: DispatchLag {
                max: lag_max,
                avg: if lag_count == 0 {
                    0
                } else {
                    lag_sum / i64::try_from(lag_count).unwrap_or(i64::MAX)
                },
            },
            subscribers,
        }
    }
}

/// Dispatcher handles a `stop` is joining; returned to the bus if that `stop` is dropped.
struct PendingDispatchers<'a> {
    inner: &'a Inner,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for PendingDispatchers<'_> {
    fn drop(&mut self) {
        if !self.tasks.is_empty() {
            self.inner.dispatchers.lock().append(&mut self.tasks);
        }
    }
}

fn spawn_dispatcher(
    handle: &Handle,
    sub: Arc<Subscriber>,
    clock: Arc<dyn Clock>,
) -> JoinHandle<()> {
    handle.spawn(dispatch(sub, clock))
}

/// The per-subscriber loop: take a batch, call the handler on each event with panics
/// caught, record counters; exit when the queue is closed and drained.
async fn dispatch(sub: Arc<Subscriber>, clock: Arc<dyn Clock>) {
    let mut batch: VecDeque<Entry> = VecDeque::with_capacity(DISPATCH_BATCH);
    let c = &sub.counters;
    while sub.queue.pop_batch(&mut batch, DISPATCH_BATCH).await {
        c.in_flight.store(batch.len(), Ordering::Relaxed);
        // One clock read per batch: lag is publish → pick-up of the batch.
        let now = clock.now();
        let (mut lag_sum, mut lag_max) = (0_i64, 0_i64);
        let picked = batch.len() as u64;
        while let Some(entry) = batch.pop_front() {
            let lag = now
                .as_i64()
                .saturating_sub(entry.event.published_at.as_i64())
                .max(0);
            lag_sum = lag_sum.saturating_add(lag);
            lag_max = lag_max.max(lag);
            match std::panic::catch_unwind(AssertUnwindSafe(|| (sub.handler)(&entry.event))) {
                Ok(Ok(())) => DispatcherCounters::bump(&c.delivered, 1),
                Ok(Err(e)) => {
                    DispatcherCounters::bump(&c.handler_errors, 1);
                    tracing::warn!(subscriber = %sub.name, topic = %entry.event.topic, error = %e, "event handler failed");
                }
                Err(panic) => {
                    DispatcherCounters::bump(&c.handler_errors, 1);
                    tracing::error!(
                        subscriber = %sub.name,
                        topic = %entry.event.topic,
                        panic = panic_message(&panic),
                        "event handler panicked; isolated"
                    );
                }
            }
            c.in_flight.store(batch.len(), Ordering::Relaxed);
            drop(entry);
            tokio::task::coop::consume_budget().await;
        }
        c.record_lag(lag_sum, picked, lag_max);
    }
    tracing::debug!(subscriber = %sub.name, "dispatcher drained and stopped");
}

pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> &str {
    if let Some(s) = panic.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}
