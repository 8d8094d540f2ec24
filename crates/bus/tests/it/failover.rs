//! The failover publisher: bus, else fallback sink, else a typed error.

use std::error::Error as _;
use std::sync::Arc;

use emp_bus::{BusConfig, Error, Event, FailoverPublisher, PublishOutcome, Subscription};
use emp_model::UnixNanos;
use emp_telemetry::{Check, MemorySink, Snapshot, topics};

use crate::common::{Recorder, bus_with, clock};

fn snapshot(n: i64) -> Snapshot {
    Snapshot::new(
        topics::RISK_POSTURE,
        UnixNanos::new(n),
        vec![Check::ok("n", n.to_string())],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_to_bus_then_fallback_then_errors() {
    let clock = clock();
    let bus = bus_with(BusConfig::default(), &clock);
    let received = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let r2 = received.clone();
    bus.subscribe(
        "snapshots",
        Subscription::prefix(topics::PREFIX),
        move |e: &Event| {
            r2.lock().push(e.as_snapshot().cloned());
            Ok(())
        },
    )
    .unwrap();
    let sink = Arc::new(MemorySink::new());
    let publisher = FailoverPublisher::new(bus.clone(), sink.clone(), Arc::new(clock.clone()));

    // Bus not started yet: refused → fallback.
    assert_eq!(
        publisher.publish(snapshot(0)).await.unwrap(),
        PublishOutcome::Fallback
    );
    assert_eq!(publisher.failover_count(), 1);

    // Bus running: bus.
    bus.start().unwrap();
    assert_eq!(
        publisher.publish(snapshot(1)).await.unwrap(),
        PublishOutcome::Bus
    );
    assert_eq!(publisher.failover_count(), 1);

    // Bus stopped: fallback, counted.
    bus.stop().await;
    assert_eq!(
        publisher.publish(snapshot(2)).await.unwrap(),
        PublishOutcome::Fallback
    );
    assert_eq!(publisher.failover_count(), 2);
    let journaled: Vec<_> = sink
        .snapshots()
        .iter()
        .map(|s| s.generated_at().as_i64())
        .collect();
    assert_eq!(journaled, [0, 2]);
    assert_eq!(*received.lock(), [Some(snapshot(1))]);

    // Both fail: typed error with both causes.
    sink.set_failing(true);
    match publisher.publish(snapshot(3)).await {
        Err(err @ Error::PublishFailed { .. }) => {
            let Error::PublishFailed {
                bus: bus_err,
                fallback,
            } = &err
            else {
                unreachable!()
            };
            assert!(matches!(**bus_err, Error::Stopped));
            assert!(fallback.to_string().contains("memory sink"));
            assert!(
                err.source().is_some(),
                "the fallback error is kept as the source"
            );
        }
        other => panic!("expected PublishFailed, got {other:?}"),
    }
    assert_eq!(publisher.failover_count(), 3);
    assert_eq!(publisher.failure_count(), 1);
    assert_eq!(sink.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_block_queue_fails_over_instead_of_stalling() {
    let clock = clock();
    // Telemetry made Block-class for this test, capacity 1.
    let config = BusConfig {
        queue_capacity: 1,
        overflow: Vec::new(),
        ..BusConfig::default()
    };
    let bus = bus_with(config, &clock);
    let rec = Recorder::holding(&["hold"]);
    bus.subscribe("stuck", Subscription::all(), rec.handler())
        .unwrap();
    bus.start().unwrap();
    bus.publish(Event::text("x", "hold", UnixNanos::ZERO))
        .await
        .unwrap();
    rec.wait_entered().await;
    bus.publish(Event::text("x", "fill", UnixNanos::ZERO))
        .await
        .unwrap();
    let sink = Arc::new(MemorySink::new());
    let publisher = FailoverPublisher::new(bus.clone(), sink.clone(), Arc::new(clock.clone()));
    assert_eq!(
        publisher.publish(snapshot(9)).await.unwrap(),
        PublishOutcome::Fallback
    );
    assert_eq!(sink.len(), 1);
    rec.release();
    bus.stop().await;
}
