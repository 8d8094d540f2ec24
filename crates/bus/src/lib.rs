//! EMP runtime plumbing: the event bus and what keeps the runtime honest around it.
//!
//! Key concepts:
//!
//! * [`EventBus`] — in-process publish/subscribe. Each subscriber has its own bounded
//!   queue and a dedicated tokio dispatcher calling its (synchronous) handler. What a full
//!   queue does is a per-topic-class [`OverflowPolicy`] from [`BusConfig`]: `Block` (the
//!   publisher waits; orders, fills) or `DropOldest` (evict and count; telemetry, market
//!   data). Failing or panicking handlers are isolated and counted. [`EventBus::stats`]
//!   feeds the `telemetry.event_bus.health` evaluator ([`BusHealthEvaluator`]).
//! * [`FailoverPublisher`] — snapshots go to the bus, else to a fallback
//!   [`SnapshotSink`](emp_telemetry::SnapshotSink) (the journal), and only fail when both do.
//! * [`TaskSupervisor`] and [`ShutdownSequence`] — named restartable tasks with
//!   cancellation, and ordered, logged, time-boxed shutdown.
//!
//! Time comes from an injected [`Clock`](emp_model::Clock), so tests are deterministic.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use emp_bus::{BusConfig, Event, EventBus, Subscription};
//! use emp_model::{SimulatedClock, UnixNanos};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let clock = SimulatedClock::new(UnixNanos::from_secs(1_000));
//! let bus = EventBus::new(BusConfig::default(), Arc::new(clock.clone())).unwrap();
//! let seen = Arc::new(AtomicUsize::new(0));
//! let counter = seen.clone();
//! bus.subscribe("counter", Subscription::pattern("telemetry.*"), move |_event: &Event| {
//!     counter.fetch_add(1, Ordering::SeqCst);
//!     Ok(())
//! })
//! .unwrap();
//! bus.start().unwrap();
//! bus.publish(Event::text("telemetry.example.ping", "hello", clock.now())).await.unwrap();
//! bus.publish(Event::text("orders.ignored", "not matched", clock.now())).await.unwrap();
//! bus.stop().await; // drains the queues first
//! assert_eq!(seen.load(Ordering::SeqCst), 1);
//! assert!(bus.try_publish(Event::text("telemetry.example.ping", "late", clock.now())).is_err());
//! let stats = bus.stats();
//! assert_eq!((stats.published, stats.delivered, stats.unrouted), (2, 1, 1));
//! # });
//! # use emp_model::Clock;
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod bus;
mod config;
mod error;
mod event;
mod failover;
mod health;
mod queue;
mod shutdown;
mod stats;
mod subscription;
mod supervisor;

pub use crate::bus::EventBus;
pub use crate::config::{BusConfig, MAX_QUEUE_CAPACITY, OverflowPolicy, OverflowRule};
pub use crate::error::{Error, HandlerError, Result, TaskError};
pub use crate::event::{Event, Payload};
pub use crate::failover::{FailoverPublisher, PublishOutcome};
pub use crate::health::{BusHealthEvaluator, BusHealthInput, BusHealthPolicy};
pub use crate::shutdown::{
    IntoStepResult, ShutdownReport, ShutdownSequence, StepOutcome, StepReport,
};
pub use crate::stats::{BusStats, DispatchLag, SubscriberStats};
pub use crate::subscription::{Subscription, SubscriptionId};
pub use crate::supervisor::{RestartPolicy, TaskInfo, TaskState, TaskSupervisor};
pub use tokio_util::sync::CancellationToken;
