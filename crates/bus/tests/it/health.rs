//! The `telemetry.event_bus.health` evaluator, table-driven over every threshold.

use std::sync::Arc;

use emp_bus::{
    BusConfig, BusHealthEvaluator, BusHealthInput, BusHealthPolicy, BusStats, DispatchLag, Event,
    EventBus, SubscriberStats, Subscription,
};
use emp_model::{Clock, NANOS_PER_SEC, UnixNanos};
use emp_telemetry::{Evaluator, Status, topics};

use crate::common::{T0_SECS, clock};

fn subscriber(name: &str, depth: usize) -> SubscriberStats {
    SubscriberStats {
        id: 1,
        name: name.into(),
        filter: "*".into(),
        queue_depth: depth,
        delivered: 0,
        dropped: 0,
        handler_errors: 0,
        dispatch_lag_ns: DispatchLag::default(),
    }
}

/// A healthy running bus that saw an event at `T0`.
fn healthy() -> BusHealthInput {
    let t0 = UnixNanos::from_secs(T0_SECS);
    BusHealthInput {
        stats: BusStats {
            running: true,
            started_at: Some(t0),
            subscribers: vec![subscriber("a", 0), subscriber("b", 0)],
            published: 10,
            unrouted: 0,
            refused: 0,
            delivered: 20,
            dropped: 0,
            handler_errors: 0,
            last_event_at: Some(t0),
            dispatch_lag_ns: DispatchLag::default(),
        },
        expected_running: true,
        expect_subscribers: true,
    }
}

struct Case {
    name: &'static str,
    edit: fn(&mut BusHealthInput),
    /// Seconds after T0 at which to evaluate.
    at_secs: i64,
    check: &'static str,
    expected: Status,
}

const fn case(
    name: &'static str,
    edit: fn(&mut BusHealthInput),
    at_secs: i64,
    check: &'static str,
    expected: Status,
) -> Case {
    Case {
        name,
        edit,
        at_secs,
        check,
        expected,
    }
}

fn cases() -> Vec<Case> {
    vec![
        // backlog: the deepest subscriber queue
        case("backlog 0", |_| {}, 1, "backlog", Status::Ok),
        case(
            "backlog 99",
            |i| i.stats.subscribers[1].queue_depth = 99,
            1,
            "backlog",
            Status::Ok,
        ),
        case(
            "backlog 100",
            |i| i.stats.subscribers[1].queue_depth = 100,
            1,
            "backlog",
            Status::Warn,
        ),
        case(
            "backlog 499",
            |i| i.stats.subscribers[0].queue_depth = 499,
            1,
            "backlog",
            Status::Warn,
        ),
        case(
            "backlog 500",
            |i| i.stats.subscribers[0].queue_depth = 500,
            1,
            "backlog",
            Status::Fail,
        ),
        case(
            "backlog is per subscriber, not total",
            |i| {
                i.stats.subscribers[0].queue_depth = 99;
                i.stats.subscribers[1].queue_depth = 99;
            },
            1,
            "backlog",
            Status::Ok,
        ),
        // dropped events
        case(
            "dropped 0",
            |i| i.stats.dropped = 0,
            1,
            "dropped_events",
            Status::Ok,
        ),
        case(
            "dropped 1",
            |i| i.stats.dropped = 1,
            1,
            "dropped_events",
            Status::Warn,
        ),
        case(
            "dropped 4",
            |i| i.stats.dropped = 4,
            1,
            "dropped_events",
            Status::Warn,
        ),
        case(
            "dropped 5",
            |i| i.stats.dropped = 5,
            1,
            "dropped_events",
            Status::Fail,
        ),
        // handler errors
        case(
            "errors 0",
            |i| i.stats.handler_errors = 0,
            1,
            "handler_errors",
            Status::Ok,
        ),
        case(
            "errors 1",
            |i| i.stats.handler_errors = 1,
            1,
            "handler_errors",
            Status::Warn,
        ),
        case(
            "errors 2",
            |i| i.stats.handler_errors = 2,
            1,
            "handler_errors",
            Status::Warn,
        ),
        case(
            "errors 3",
            |i| i.stats.handler_errors = 3,
            1,
            "handler_errors",
            Status::Fail,
        ),
        // staleness
        case(
            "last event 299 s ago",
            |_| {},
            299,
            "last_event",
            Status::Ok,
        ),
        case(
            "last event 300 s ago",
            |_| {},
            300,
            "last_event",
            Status::Warn,
        ),
        case(
            "last event 301 s ago",
            |_| {},
            301,
            "last_event",
            Status::Warn,
        ),
        case(
            "no event yet, started 299 s ago",
            |i| i.stats.last_event_at = None,
            299,
            "last_event",
            Status::Ok,
        ),
        case(
            "no event yet, started 300 s ago",
            |i| i.stats.last_event_at = None,
            300,
            "last_event",
            Status::Warn,
        ),
        case(
            "stopped bus is not judged stale",
            |i| {
                i.stats.running = false;
                i.expected_running = false;
            },
            10_000,
            "last_event",
            Status::Ok,
        ),
        // subscribers
        case(
            "no subscribers while expected",
            |i| i.stats.subscribers.clear(),
            1,
            "subscribers",
            Status::Warn,
        ),
        case(
            "no subscribers, none expected",
            |i| {
                i.stats.subscribers.clear();
                i.expect_subscribers = false;
            },
            1,
            "subscribers",
            Status::Ok,
        ),
        // running
        case("running as expected", |_| {}, 1, "running", Status::Ok),
        case(
            "expected to run but not running",
            |i| i.stats.running = false,
            1,
            "running",
            Status::Fail,
        ),
        case(
            "not running, not expected",
            |i| {
                i.stats.running = false;
                i.expected_running = false;
            },
            1,
            "running",
            Status::Ok,
        ),
    ]
}

#[test]
fn every_threshold_boundary() {
    let policy = BusHealthPolicy::default();
    let clock = clock();
    for c in cases() {
        let mut input = healthy();
        (c.edit)(&mut input);
        clock.set(UnixNanos::from_secs(T0_SECS + c.at_secs));
        let snap = BusHealthEvaluator.evaluate(&policy, &input, clock.now());
        let check = snap
            .check(c.check)
            .unwrap_or_else(|| panic!("{}: no check {}", c.name, c.check));
        assert_eq!(check.status, c.expected, "{}: {}", c.name, check.message);
        // Every other check of the healthy baseline stays ok, so the snapshot status is
        // exactly the edited check's status.
        assert_eq!(
            snap.status(),
            c.expected,
            "{}: snapshot {:?}",
            c.name,
            snap.checks()
        );
        assert_eq!(snap.topic(), topics::EVENT_BUS_HEALTH);
        assert_eq!(snap.generated_at(), clock.now());
    }
}

#[test]
fn thresholds_are_configurable() {
    let policy = BusHealthPolicy {
        backlog_warn: 10,
        backlog_fail: 20,
        dropped_warn: 3,
        dropped_fail: 100,
        handler_errors_warn: 10,
        handler_errors_fail: 10,
        stale_warn_secs: 60,
    };
    policy.validate().unwrap();
    let now = UnixNanos::from_secs(T0_SECS + 1);
    let eval = |edit: fn(&mut BusHealthInput), at: UnixNanos, check: &str| {
        let mut input = healthy();
        edit(&mut input);
        BusHealthEvaluator
            .evaluate(&policy, &input, at)
            .check(check)
            .map(|c| c.status)
    };
    assert_eq!(
        eval(|i| i.stats.subscribers[0].queue_depth = 10, now, "backlog"),
        Some(Status::Warn)
    );
    assert_eq!(
        eval(|i| i.stats.subscribers[0].queue_depth = 20, now, "backlog"),
        Some(Status::Fail)
    );
    assert_eq!(
        eval(|i| i.stats.dropped = 2, now, "dropped_events"),
        Some(Status::Ok)
    );
    assert_eq!(
        eval(|i| i.stats.dropped = 99, now, "dropped_events"),
        Some(Status::Warn)
    );
    assert_eq!(
        eval(|i| i.stats.handler_errors = 9, now, "handler_errors"),
        Some(Status::Ok)
    );
    assert_eq!(
        eval(|i| i.stats.handler_errors = 10, now, "handler_errors"),
        Some(Status::Fail)
    );
    let late = UnixNanos::from_secs(T0_SECS + 60);
    assert_eq!(eval(|_| {}, late, "last_event"), Some(Status::Warn));
}

#[test]
fn snapshot_carries_values_thresholds_and_metadata() {
    let mut input = healthy();
    input.stats.subscribers[1].queue_depth = 150;
    input.stats.dropped = 2;
    let snap = BusHealthEvaluator.evaluate(
        &BusHealthPolicy::default(),
        &input,
        UnixNanos::from_secs(T0_SECS + 5),
    );
    let backlog = snap.check("backlog").unwrap();
    assert_eq!(backlog.value, Some(serde_json::json!(150)));
    assert_eq!(
        backlog.threshold,
        Some(serde_json::json!({"warn": 100, "fail": 500}))
    );
    assert!(backlog.message.contains("`b`"), "{}", backlog.message);
    assert_eq!(
        snap.check("last_event").unwrap().value,
        Some(serde_json::json!(5))
    );
    assert_eq!(snap.metadata()["published"], 10);
    assert_eq!(snap.metadata()["total_queue_depth"], 150);
    assert_eq!(snap.status(), Status::Warn);
    let names: Vec<_> = snap.checks().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "running",
            "backlog",
            "dropped_events",
            "handler_errors",
            "last_event",
            "subscribers"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluates_live_bus_stats() {
    let clock = clock();
    let bus = EventBus::new(BusConfig::default(), Arc::new(clock.clone())).unwrap();
    let policy = BusHealthPolicy::default();
    let input = |bus: &EventBus| BusHealthInput {
        stats: bus.stats(),
        expected_running: true,
        expect_subscribers: true,
    };
    // Not started, no subscribers: fail (running) — worst wins.
    let snap = BusHealthEvaluator.evaluate(&policy, &input(&bus), clock.now());
    assert_eq!(snap.status(), Status::Fail);
    bus.subscribe("h", Subscription::all(), |e: &Event| {
        if e.topic.ends_with("bad") {
            Err(emp_bus::HandlerError::msg("bad"))
        } else {
            Ok(())
        }
    })
    .unwrap();
    bus.start().unwrap();
    bus.publish(Event::text("x.ok", "", clock.now()))
        .await
        .unwrap();
    bus.publish(Event::text("x.bad", "", clock.now()))
        .await
        .unwrap();
    crate::common::wait_until("handled", || bus.stats().handler_errors == 1).await;
    let snap = BusHealthEvaluator.evaluate(&policy, &input(&bus), clock.now());
    assert_eq!(snap.check("handler_errors").unwrap().status, Status::Warn);
    assert_eq!(snap.check("running").unwrap().status, Status::Ok);
    assert_eq!(snap.status(), Status::Warn);
    clock.advance_nanos(300 * NANOS_PER_SEC);
    let snap = BusHealthEvaluator.evaluate(&policy, &input(&bus), clock.now());
    assert_eq!(snap.check("last_event").unwrap().status, Status::Warn);
    bus.stop().await;
    let snap = BusHealthEvaluator.evaluate(&policy, &input(&bus), clock.now());
    assert_eq!(snap.check("running").unwrap().status, Status::Fail);
}
