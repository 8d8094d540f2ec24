//! Overflow policies: drop-oldest keeps the newest and counts; block awaits capacity.

use std::time::Duration;

use emp_bus::{BusConfig, Error, OverflowPolicy, OverflowRule, Subscription};

use crate::common::{Recorder, bus_with, capacity, clock, text, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_oldest_counts_drops_and_keeps_newest() {
    let clock = clock();
    let bus = bus_with(capacity(4), &clock);
    let rec = Recorder::holding(&["0"]);
    bus.subscribe(
        "telemetry-sink",
        Subscription::prefix("telemetry."),
        rec.handler(),
    )
    .unwrap();
    bus.start().unwrap();
    // "0" occupies the dispatcher; 1..=10 go into a queue of 4.
    bus.publish(text("telemetry.a.b", "0")).await.unwrap();
    rec.wait_entered().await;
    for i in 1..=10 {
        // Never waits, even though the queue is full.
        tokio::time::timeout(
            Duration::from_secs(1),
            bus.publish(text("telemetry.a.b", &i.to_string())),
        )
        .await
        .expect("drop-oldest publish must not block")
        .unwrap();
    }
    let stats = bus.stats();
    assert_eq!(stats.dropped, 6);
    assert_eq!(stats.subscribers[0].dropped, 6);
    assert_eq!(stats.subscribers[0].queue_depth, 5);
    rec.release();
    wait_until("delivered", || rec.count() == 5).await;
    assert_eq!(rec.seen(), ["0", "7", "8", "9", "10"]);
    bus.stop().await;
    let stats = bus.stats();
    assert_eq!(
        (stats.published, stats.delivered, stats.dropped),
        (11, 5, 6)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_awaits_capacity_and_loses_nothing() {
    let clock = clock();
    let bus = bus_with(capacity(2), &clock);
    let rec = Recorder::holding(&["0"]);
    bus.subscribe("orders", Subscription::prefix("orders."), rec.handler())
        .unwrap();
    bus.start().unwrap();
    bus.publish(text("orders.new", "0")).await.unwrap();
    rec.wait_entered().await;
    bus.publish(text("orders.new", "1")).await.unwrap();
    bus.publish(text("orders.new", "2")).await.unwrap();
    // Queue full: publish must wait...
    let waiting = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.publish(text("orders.new", "3")).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !waiting.is_finished(),
        "publish should be waiting for capacity"
    );
    // ...and try_publish is refused without delivering anything.
    match bus.try_publish(text("orders.new", "x")) {
        Err(e @ Error::QueueFull { .. }) => {
            assert!(e.is_transient());
            assert!(e.to_string().contains("orders"));
        }
        other => panic!("expected QueueFull, got {other:?}"),
    }
    rec.release();
    waiting.await.unwrap().unwrap();
    wait_until("all delivered", || rec.count() == 4).await;
    assert_eq!(rec.seen(), ["0", "1", "2", "3"]);
    let stats = bus.stats();
    assert_eq!((stats.dropped, stats.refused, stats.published), (0, 1, 4));
    bus.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_publish_full_is_all_or_nothing_across_subscribers() {
    let clock = clock();
    let bus = bus_with(capacity(1), &clock);
    let roomy = Recorder::default();
    let stuck = Recorder::holding(&["0"]);
    bus.subscribe("stuck", Subscription::prefix("orders."), stuck.handler())
        .unwrap();
    bus.start().unwrap();
    bus.try_publish(text("orders.a", "0")).unwrap();
    stuck.wait_entered().await;
    bus.try_publish(text("orders.a", "1")).unwrap(); // fills stuck's queue
    bus.subscribe("roomy", Subscription::prefix("orders."), roomy.handler())
        .unwrap();
    assert!(matches!(
        bus.try_publish(text("orders.a", "2")),
        Err(Error::QueueFull { .. })
    ));
    stuck.release();
    bus.stop().await;
    assert!(
        roomy.seen().is_empty(),
        "a refused try_publish must reach no subscriber"
    );
    assert_eq!(stuck.seen(), ["0", "1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wide_subscriber_never_loses_block_events_to_a_telemetry_burst() {
    let clock = clock();
    let config = BusConfig {
        queue_capacity: 3,
        default_overflow: OverflowPolicy::Block,
        overflow: vec![OverflowRule {
            prefix: "telemetry.".into(),
            policy: OverflowPolicy::DropOldest,
        }],
    };
    let bus = bus_with(config, &clock);
    let rec = Recorder::holding(&["hold"]);
    bus.subscribe("wide", Subscription::all(), rec.handler())
        .unwrap();
    bus.start().unwrap();
    bus.publish(text("orders.a", "hold")).await.unwrap();
    rec.wait_entered().await;
    bus.publish(text("orders.a", "order-1")).await.unwrap();
    for i in 0..10 {
        bus.publish(text("telemetry.a.b", &format!("t{i}")))
            .await
            .unwrap();
    }
    rec.release();
    bus.stop().await;
    let seen = rec.seen();
    assert_eq!(seen[..2], ["hold", "order-1"]);
    assert_eq!(seen[2..], ["t8", "t9"]);
    assert_eq!(bus.stats().dropped, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_releases_a_publisher_blocked_on_capacity_with_a_typed_error() {
    let clock = clock();
    let bus = bus_with(capacity(1), &clock);
    let rec = Recorder::holding(&["0"]);
    bus.subscribe("orders", Subscription::prefix("orders."), rec.handler())
        .unwrap();
    bus.start().unwrap();
    bus.publish(text("orders.new", "0")).await.unwrap();
    rec.wait_entered().await;
    bus.publish(text("orders.new", "1")).await.unwrap();
    let blocked = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.publish(text("orders.new", "2")).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!blocked.is_finished());
    let stopping = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.stop().await })
    };
    assert!(matches!(blocked.await.unwrap(), Err(Error::Stopped)));
    rec.release();
    stopping.await.unwrap();
    // What was queued before stop is still delivered; the refused event is not.
    assert_eq!(rec.seen(), ["0", "1"]);
}
