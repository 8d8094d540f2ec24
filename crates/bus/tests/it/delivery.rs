//! Routing, handler isolation, statistics, publishing from threads, stop semantics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use emp_bus::{BusConfig, Error, Event, EventBus, HandlerError, Subscription};
use emp_model::{NANOS_PER_SEC, SimulatedClock, UnixNanos};

use crate::common::{Recorder, T0_SECS, body, bus_with, capacity, clock, text, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_and_prefix_filters_route_correctly() {
    let clock = clock();
    let bus = bus_with(BusConfig::default(), &clock);
    let exact = Recorder::default();
    let prefix = Recorder::default();
    let pattern = Recorder::default();
    let all = Recorder::default();
    bus.subscribe(
        "exact",
        Subscription::exact("telemetry.event_bus.health"),
        exact.handler(),
    )
    .unwrap();
    bus.subscribe(
        "prefix",
        Subscription::prefix("telemetry."),
        prefix.handler(),
    )
    .unwrap();
    bus.subscribe(
        "pattern",
        Subscription::pattern("orders.*"),
        pattern.handler(),
    )
    .unwrap();
    bus.subscribe("all", Subscription::all(), all.handler())
        .unwrap();
    bus.start().unwrap();
    for topic in [
        "telemetry.event_bus.health",
        "telemetry.risk.posture",
        "telemetry.event_bus.health.sub",
        "orders.submitted",
        "order.typo",
        "telemetry",
    ] {
        bus.publish(text(topic, topic)).await.unwrap();
    }
    bus.stop().await;
    assert_eq!(exact.seen(), ["telemetry.event_bus.health"]);
    assert_eq!(
        prefix.seen(),
        [
            "telemetry.event_bus.health",
            "telemetry.risk.posture",
            "telemetry.event_bus.health.sub"
        ]
    );
    assert_eq!(pattern.seen(), ["orders.submitted"]);
    assert_eq!(all.count(), 6);
    let stats = bus.stats();
    assert_eq!(stats.published, 6);
    assert_eq!(stats.unrouted, 0);
    assert_eq!(stats.delivered, 1 + 3 + 1 + 6);
    let filters: Vec<_> = stats
        .subscribers
        .iter()
        .map(|s| s.filter.as_str())
        .collect();
    assert_eq!(
        filters,
        ["telemetry.event_bus.health", "telemetry.*", "orders.*", "*"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_panicking_handlers_are_isolated_and_counted() {
    let clock = clock();
    let bus = bus_with(BusConfig::default(), &clock);
    let good = Recorder::default();
    let survived = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let s2 = survived.clone();
    bus.subscribe("fragile", Subscription::all(), move |e: &Event| {
        match body(e).as_str() {
            "boom" => panic!("handler exploded"),
            "err" => return Err(HandlerError::msg("refused")),
            other => s2.lock().push(other.to_owned()),
        }
        Ok(())
    })
    .unwrap();
    bus.subscribe("good", Subscription::all(), good.handler())
        .unwrap();
    bus.start().unwrap();
    for b in ["ok1", "boom", "ok2", "err", "boom", "ok3"] {
        bus.publish(text("orders.x", b)).await.unwrap();
    }
    wait_until("all handled", || {
        let s = bus.stats();
        s.delivered + s.handler_errors == 12
    })
    .await;
    assert!(
        bus.is_running(),
        "a panicking handler must not take the bus down"
    );
    assert_eq!(*survived.lock(), ["ok1", "ok2", "ok3"]);
    assert_eq!(good.seen(), ["ok1", "boom", "ok2", "err", "boom", "ok3"]);
    let stats = bus.stats();
    assert_eq!(stats.handler_errors, 3);
    assert_eq!(stats.delivered, 9);
    let fragile = &stats.subscribers[0];
    assert_eq!(
        (
            fragile.name.as_str(),
            fragile.delivered,
            fragile.handler_errors
        ),
        ("fragile", 3, 3)
    );
    assert_eq!(stats.subscribers[1].handler_errors, 0);
    // Still delivering after the failures.
    bus.publish(text("orders.x", "ok4")).await.unwrap();
    bus.stop().await;
    assert_eq!(survived.lock().last().map(String::as_str), Some("ok4"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_track_counts_timestamps_depth_and_lag() {
    let clock = clock();
    let bus = bus_with(capacity(16), &clock);
    let before = bus.stats();
    assert!(!before.running);
    assert_eq!((before.started_at, before.last_event_at), (None, None));

    let rec = Recorder::holding(&["a"]);
    bus.subscribe("slow", Subscription::prefix("orders."), rec.handler())
        .unwrap();
    bus.start().unwrap();
    assert_eq!(bus.stats().started_at, Some(UnixNanos::from_secs(T0_SECS)));

    clock.advance_nanos(NANOS_PER_SEC);
    bus.publish(text("orders.x", "a")).await.unwrap();
    rec.wait_entered().await;
    bus.publish(text("orders.x", "b")).await.unwrap();
    bus.publish(text("orders.x", "c")).await.unwrap();
    bus.publish(text("nobody.listens", "d")).await.unwrap();
    let mid = bus.stats();
    assert!(mid.running);
    assert_eq!(mid.published, 4);
    assert_eq!(mid.unrouted, 1);
    // "a" is in the handler, "b" and "c" queued.
    assert_eq!(mid.subscribers[0].queue_depth, 3);
    assert_eq!(mid.total_queue_depth(), 3);
    assert_eq!(mid.last_event_at, Some(UnixNanos::from_secs(T0_SECS + 1)));

    // b and c are picked up 5 s after they were published.
    clock.advance_nanos(5 * NANOS_PER_SEC);
    rec.release();
    wait_until("drained", || bus.stats().delivered == 3).await;
    let after = bus.stats();
    assert_eq!(after.subscribers[0].queue_depth, 0);
    assert_eq!(after.dispatch_lag_ns.max, 5 * NANOS_PER_SEC);
    // (0 + 5 + 5) / 3
    assert_eq!(after.dispatch_lag_ns.avg, 10 * NANOS_PER_SEC / 3);
    assert_eq!(rec.seen(), ["a", "b", "c"]);

    let json = serde_json::to_value(&after).unwrap();
    for key in [
        "running",
        "subscribers",
        "published",
        "delivered",
        "dropped",
        "handler_errors",
        "last_event_at",
        "dispatch_lag_ns",
    ] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
    assert_eq!(json["subscribers"][0]["name"], "slow");
    assert_eq!(json["dispatch_lag_ns"]["max"], 5 * NANOS_PER_SEC);
    bus.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_at_comes_from_the_injected_clock() {
    let clock = clock();
    let bus = bus_with(BusConfig::default(), &clock);
    let stamps = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let s2 = stamps.clone();
    bus.subscribe("stamps", Subscription::all(), move |e: &Event| {
        s2.lock().push(e.published_at);
        Ok(())
    })
    .unwrap();
    bus.start().unwrap();
    // The constructor's timestamp is replaced by the bus clock.
    bus.publish(Event::text("x", "1", UnixNanos::new(42)))
        .await
        .unwrap();
    clock.advance_nanos(7);
    bus.try_publish(Event::text("x", "2", UnixNanos::new(42)))
        .unwrap();
    bus.stop().await;
    let t0 = UnixNanos::from_secs(T0_SECS);
    assert_eq!(*stamps.lock(), [t0, UnixNanos::new(t0.as_i64() + 7)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_publish_works_from_plain_threads() {
    let clock = clock();
    let bus = bus_with(capacity(4096), &clock);
    let count = Arc::new(AtomicU64::new(0));
    let c2 = count.clone();
    bus.subscribe("count", Subscription::all(), move |_e: &Event| {
        c2.fetch_add(1, Ordering::SeqCst);
        Ok(())
    })
    .unwrap();
    bus.start().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let bus = bus.clone();
            std::thread::spawn(move || {
                for i in 0..250 {
                    // Block-class topic with ample room: never refused.
                    bus.try_publish(text("orders.thread", &format!("{t}-{i}")))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    wait_until("1000 delivered", || count.load(Ordering::SeqCst) == 1000).await;
    assert_eq!(bus.stats().published, 1000);
    bus.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_drains_then_refuses_with_typed_errors() {
    let clock = clock();
    let bus = bus_with(capacity(64), &clock);
    // Before start: NotRunning.
    assert!(matches!(
        bus.publish(text("orders.x", "early")).await,
        Err(Error::NotRunning)
    ));
    assert!(matches!(
        bus.try_publish(text("orders.x", "early")),
        Err(Error::NotRunning)
    ));

    let count = Arc::new(AtomicU64::new(0));
    let c2 = count.clone();
    bus.subscribe("slow", Subscription::all(), move |_e: &Event| {
        std::thread::sleep(std::time::Duration::from_micros(200));
        c2.fetch_add(1, Ordering::SeqCst);
        Ok(())
    })
    .unwrap();
    bus.start().unwrap();
    for i in 0..50 {
        bus.publish(text("orders.x", &i.to_string())).await.unwrap();
    }
    bus.stop().await;
    assert_eq!(
        count.load(Ordering::SeqCst),
        50,
        "stop must drain queued events"
    );
    assert!(!bus.is_running());
    assert!(matches!(
        bus.publish(text("orders.x", "late")).await,
        Err(Error::Stopped)
    ));
    assert!(matches!(
        bus.try_publish(text("telemetry.a.b", "late")),
        Err(Error::Stopped)
    ));
    assert!(matches!(
        bus.subscribe("late", Subscription::all(), |_e: &Event| Ok(())),
        Err(Error::Stopped)
    ));
    assert!(matches!(bus.start(), Err(Error::Stopped)));
    let stats = bus.stats();
    assert_eq!(
        (stats.published, stats.delivered, stats.refused),
        (50, 50, 4)
    );
    bus.stop().await; // idempotent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_after_start_and_unsubscribe() {
    let clock = clock();
    let bus = bus_with(BusConfig::default(), &clock);
    bus.start().unwrap();
    bus.start().unwrap(); // idempotent while running
    let early = Recorder::default();
    let id = bus
        .subscribe("early", Subscription::all(), early.handler())
        .unwrap();
    bus.publish(text("orders.x", "1")).await.unwrap();
    wait_until("first delivered", || early.count() == 1).await;
    assert!(bus.unsubscribe(id));
    assert!(!bus.unsubscribe(id));
    let late = Recorder::default();
    bus.subscribe("late", Subscription::all(), late.handler())
        .unwrap();
    bus.publish(text("orders.x", "2")).await.unwrap();
    bus.stop().await;
    assert_eq!(early.seen(), ["1"]);
    assert_eq!(late.seen(), ["2"]);
    let stats = bus.stats();
    assert_eq!(stats.subscribers.len(), 1);
    assert_eq!(stats.delivered, 2, "counts of removed subscribers are kept");
}

#[test]
fn invalid_config_is_rejected_with_every_violation() {
    let config = BusConfig {
        queue_capacity: 0,
        ..BusConfig::default()
    };
    let clock: Arc<SimulatedClock> = Arc::new(clock());
    match EventBus::new(config, clock) {
        Err(Error::InvalidConfig(errors)) => assert!(errors.contains_path("queue_capacity")),
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}

#[test]
fn start_outside_a_runtime_is_a_typed_error() {
    let bus = bus_with(BusConfig::default(), &clock());
    assert!(matches!(bus.start(), Err(Error::NoRuntime(_))));
}

/// `try_publish` racing `stop`: every `Ok` must mean the event was queued (and so is
/// delivered by the drain); a refusal must be an error, never a silent `Ok` for an event
/// that reached no queue. Block-class events and drop-oldest events (snapshots, which
/// the failover publisher must then divert to its fallback) alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_publish_racing_stop_never_reports_ok_for_an_undelivered_event() {
    for topic in ["orders", "telemetry.x"] {
        let mut lost_trials = 0;
        for _ in 0..300 {
            let clock = clock();
            let bus = bus_with(capacity(1 << 16), &clock);
            let rec = Recorder::default();
            bus.subscribe("sub", Subscription::exact(topic), rec.handler())
                .unwrap();
            bus.start().unwrap();
            let publisher = {
                let bus = bus.clone();
                std::thread::spawn(move || {
                    let mut ok = 0usize;
                    loop {
                        match bus.try_publish(text(topic, "o")) {
                            Ok(()) => ok += 1,
                            Err(Error::QueueFull { .. }) => std::thread::yield_now(),
                            Err(_) => return ok,
                        }
                    }
                })
            };
            // Let the publisher get going, then stop underneath it.
            wait_until("some deliveries", || rec.count() > 0).await;
            bus.stop().await;
            let ok = publisher.join().unwrap();
            assert_eq!(bus.stats().dropped, 0, "no evictions at this capacity");
            if rec.count() != ok {
                lost_trials += 1;
            }
        }
        assert_eq!(
            lost_trials, 0,
            "{topic}: try_publish returned Ok for undelivered events"
        );
    }
}

/// A `stop` that is abandoned (e.g. its shutdown step timed out) must not let a later
/// `stop` return before the dispatchers have drained.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_after_an_abandoned_stop_still_waits_for_the_drain() {
    let clock = clock();
    let bus = bus_with(capacity(64), &clock);
    let rec = Recorder::holding(&["0"]);
    bus.subscribe("slow", Subscription::all(), rec.handler())
        .unwrap();
    bus.start().unwrap();
    for i in 0..5 {
        bus.publish(text("orders.x", &i.to_string())).await.unwrap();
    }
    rec.wait_entered().await;
    // The first stop gives up while the handler is stuck on "0".
    let first = tokio::time::timeout(std::time::Duration::from_millis(20), bus.stop()).await;
    assert!(
        first.is_err(),
        "the first stop cannot finish while the handler is held"
    );
    let releaser = {
        let rec = rec.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            rec.release();
        })
    };
    bus.stop().await;
    assert_eq!(rec.count(), 5, "the second stop returned before the drain");
    assert!(!bus.is_running());
    releaser.await.unwrap();
}
